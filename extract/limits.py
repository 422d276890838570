"""Limits for parsing untrusted bytes: time, memory, pages, sizes.

Report files come from thousands of government sites; some are corrupt, some are
huge, a few are hostile (zip bombs). The parsers underneath (PDFium, pdfminer,
lxml, Tesseract, LibreOffice) are C/C++ or slow pure Python and can hang, crash or
eat all memory. So the risky work runs in a child process with a wall-clock
timeout and an address-space limit (`RLIMIT_AS`): whatever happens there, the
caller gets a result or a typed `LimitError` in bounded time. Children are plain
forks of the caller (parsers already imported, copy-on-write), which keeps the cost
per call to milliseconds (measured: README "Bad input") instead of a fresh
interpreter's second. External tools (tesseract, soffice)
run through `run_tool`: own process group, timeout kills the whole group, memory
limit set with `prlimit`.

Set `OGI_SANDBOX=0` to run everything in-process (debugging; no time or memory bound).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# ---------------------------------------------------------------- the numbers (why each: README "Bad input")
PARSE_SECONDS = 60.0  # one PDF/DOCX/HTML parse (a 200-page PDF with tables takes ~9 s here)
PARSE_MEMORY = 2 * 1024**3  # address space of a parsing child (and of the tools it starts)
TOOL_MEMORY = 2 * 1024**3  # address space of tesseract / soffice
OCR_MAX_PAGES = 50  # pages OCR'd per document
OCR_DPI = 200  # render resolution for OCR: 五号 text is ~30 px high, Tesseract's sweet spot
OCR_SECONDS = 240.0  # OCR budget per document; pages after it are left out (flagged)
OCR_PAGE_SECONDS = 60.0  # one tesseract run
OCR_MAX_PIXELS = 40_000_000  # larger images are scaled down before OCR (A4 at 600 dpi is 35 Mpx)
CONVERT_SECONDS = 120.0  # one LibreOffice conversion (DOC/WPS/RTF -> DOCX)
MAX_INPUT_BYTES = 200 * 1024 * 1024  # anything larger is refused outright
SANDBOX_MIN_HTML_BYTES = 2 * 1024 * 1024  # smaller HTML pages parse in-process (fast path)
MAX_TEXT_CHARS = 1_000_000  # text kept for repairs and numbers (a long report is ~50k; stats run ~3 s per 1M)

class LimitError(Exception):
    """Risky work did not finish within its limits; the message says which and is fit for `Record.errors`."""


class TimeLimitExceeded(LimitError):
    """The work ran past its wall-clock limit and was killed."""


class MemoryLimitExceeded(LimitError):
    """The work needed more memory than its address-space limit allows."""


class ChildCrashed(LimitError):
    """The child process died (a C library crashed, or it was killed) without an answer."""


class ChildFailed(LimitError):
    """The work raised an exception in the child; the message carries its type and text."""


PIPE_BYTES = 1 << 20  # Linux lets a pipe hold up to 1 MB without privileges (the default is 64 KB)


def grow_pipe(fd: int) -> None:
    """Let the pipe at `fd` hold PIPE_BYTES, where the system allows it. Why: a record or a page is often over
    64 KB; at the default size its writer blocks mid-frame until the reader wakes, a context switch per 64 KB
    on both sides, on cores the crawl, its workers and its store writer share."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or over /proc/sys/fs/pipe-max-size: it works as is
        pass


def sandbox_enabled() -> bool:
    """False when OGI_SANDBOX=0: run in-process (no bounds), e.g. under a debugger."""
    return os.environ.get("OGI_SANDBOX", "1").strip().lower() not in ("0", "no", "false", "off")


_ctx_lock = threading.Lock()
_ctx: Any = None


def _context() -> Any:
    """multiprocessing's "fork" context: a copy-on-write child in a few milliseconds.

    "forkserver" and "spawn" re-import the caller's `__main__` in every child (a script
    without a `__main__` guard would recurse) and cost more per call; a deadlock a fork
    could inherit from another thread's lock ends at the timeout like any other hang.
    """
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            methods = multiprocessing.get_all_start_methods()
            _ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        return _ctx


def _address_space() -> int:
    """Bytes of virtual address space this process maps now (0 when /proc is not there)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _set_memory_limit(memory: int | None) -> None:
    """Allow `memory` bytes of address space beyond what the forked child already maps.

    A fork inherits the parent's whole mapping (pyarrow and thread stacks reserve
    gigabytes of virtual space without using it), so an absolute limit would leave a
    large caller no room to load even a shared library.
    """
    if memory:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _address_space() + memory
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(conn: Any, fn: Callable[..., Any], args: tuple, kwargs: dict, memory: int | None) -> None:
    """Entry point of the child: set the memory limit, run, send ("ok", result) or the failure."""
    try:
        _set_memory_limit(memory)
        result = fn(*args, **kwargs)
        conn.send(("ok", result))
    except MemoryError:
        conn.send(("memory", "out of memory"))
    except BaseException as exc:  # noqa: BLE001 - everything must come back as a message
        try:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        except Exception:  # unpicklable or pipe gone: the parent sees a crash
            pass
    finally:
        conn.close()


def run_limited(
    fn: Callable[..., T],
    *args: Any,
    timeout: float = PARSE_SECONDS,
    memory: int | None = PARSE_MEMORY,
    what: str = "parser",
    **kwargs: Any,
) -> T:
    """Run `fn(*args, **kwargs)` in a child process with a timeout and an address-space limit.

    `fn` must be a module-level function and its arguments and result picklable. Raises
    `TimeLimitExceeded`, `MemoryLimitExceeded`, `ChildCrashed` or `ChildFailed` (all
    `LimitError`, with a message naming `what`); never hangs longer than `timeout` plus
    a second or so. With the sandbox disabled (`OGI_SANDBOX=0`) it just calls `fn`.
    """
    if not sandbox_enabled():
        return fn(*args, **kwargs)
    ctx = _context()
    recv_conn, send_conn = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(send_conn, fn, args, kwargs, memory), daemon=True)
    try:
        proc.start()
    except OSError as exc:  # no processes to be had: degrade to in-process rather than fail the record
        logger.warning("cannot start a child process (%s); running %s in-process", exc, what)
        send_conn.close()
        recv_conn.close()
        return fn(*args, **kwargs)
    send_conn.close()
    try:
        deadline = time.monotonic() + timeout
        if not recv_conn.poll(max(0.0, deadline - time.monotonic())):
            raise TimeLimitExceeded(f"{what} did not finish within {timeout:g} s (killed)")
        try:
            status, payload = recv_conn.recv()
        except (EOFError, OSError):
            proc.join(2)
            code = proc.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            hint = " (probably out of memory)" if code in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGKILL) else ""
            raise ChildCrashed(f"{what} crashed ({how}){hint}") from None
        if status == "ok":
            return payload
        if status == "memory":
            raise MemoryLimitExceeded(f"{what} needed more than {memory // 2**20 if memory else '?'} MiB (stopped)")
        raise ChildFailed(f"{what} failed: {payload}")
    finally:
        recv_conn.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        try:
            proc.close()
        except ValueError:
            pass


# ---------------------------------------------------------------- external tools


class ToolResult:
    """Outcome of `run_tool`: exit code, captured output, and whether the time limit killed it."""

    def __init__(self, returncode: int | None, stdout: bytes, stderr: bytes, timed_out: bool, seconds: float):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out
        self.seconds = seconds


def run_tool(
    cmd: Sequence[str],
    *,
    input: bytes | None = None,
    timeout: float,
    memory: int | None = TOOL_MEMORY,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> ToolResult:
    """Run an external program in its own process group; on timeout kill the whole group.

    LibreOffice's `soffice` starts `soffice.bin` under it, so killing only the direct
    child would leave the real worker running: the group goes. The memory limit is set
    with `prlimit` (util-linux) when it exists, which is safe from a threaded parent
    (unlike `preexec_fn`).
    """
    argv = list(cmd)
    if memory and os.path.exists("/usr/bin/prlimit"):
        argv = ["/usr/bin/prlimit", f"--as={memory}", "--", *argv]
    t0 = time.monotonic()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
        cwd=cwd,
    )
    try:
        out, err = proc.communicate(input=input, timeout=timeout)
        return ToolResult(proc.returncode, out, err, False, time.monotonic() - t0)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        try:
            out, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:  # a grandchild left the group and holds the pipes
            out, err = b"", b""
        return ToolResult(proc.returncode, out or b"", err or b"", True, time.monotonic() - t0)
    except BaseException:
        _kill_group(proc)
        raise


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident set size of a process (VmHWM), MB; 0 when /proc is not there. Each long-lived helper process
    (an extraction worker, the store's writer) reports its own, which getrusage of a parent cannot tell apart."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0
