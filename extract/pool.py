"""A pool of long-lived extraction worker processes: the sandbox of extract/limits.py without a fork per document.

Why: a crawl that parses in its own process stops fetching during every parse, and the forked sandbox costs
~100 ms per PDF. Here N workers (one per core) are started once, each a fresh interpreter (`python -m
extract.pool`, so its memory figures are its own, not a fork's inherited pages) with the extractor imported
and an address-space limit (RLIMIT_AS, `limits.PARSE_MEMORY` beyond its start-up size). A caller hands a job
(a module-level function and picklable arguments) to an idle worker and waits — from a thread, so an event loop
keeps running; a job past its timeout, or whose worker crashes or runs out of memory, has that worker killed
and replaced, and the caller gets the same typed `LimitError`s as `limits.run_limited`. Inside a worker the
per-document fork is off (`OGI_SANDBOX=0`): the worker is the sandbox. External programs (LibreOffice,
Tesseract) keep their own limits (`limits.run_tool`).

Each worker reports its own peak RSS (VmHWM) with every answer; `stats()` has them, dead workers included.
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from queue import Queue
from typing import Any

from extract import limits

logger = logging.getLogger(__name__)
_HEADER = struct.Struct("!Q")


def _write_frame(fh: Any, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEADER.pack(len(data)) + data)
    fh.flush()


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None) -> Any:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exact(fd, size, deadline))


@dataclass
class _Worker:
    proc: subprocess.Popen
    jobs: int = 0
    peak_mb: float = 0.0


@dataclass
class PoolStats:
    """What the pool did: jobs answered, workers replaced (and why), each worker's own peak RSS (MB)."""

    jobs: int = 0
    replaced: dict[str, int] = field(default_factory=dict)
    worker_peak_mb: list[float] = field(default_factory=list)  # one per worker ever started, in start order


class ExtractPool:
    """`workers` extraction processes; `run(fn, *args)` is thread-safe and blocks until an answer or a limit."""

    def __init__(self, workers: int | None = None, *, memory: int | None = limits.PARSE_MEMORY,
                 preload: tuple[str, ...] = ("extract.pipeline",), nice: int = 0) -> None:
        self.size = max(1, workers or os.cpu_count() or 1)
        self.memory = memory
        self.nice = max(0, nice)  # added to the workers' niceness: the crawl process first when cores are short
        self.preload = preload
        self._idle: Queue[_Worker] = Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._stats = PoolStats()
        self._closed = False
        for _ in range(self.size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        env = {**os.environ, "OGI_SANDBOX": "0", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        proc = subprocess.Popen([sys.executable, "-m", "extract.pool", str(self.memory or 0), str(self.nice),
                                 *self.preload],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True)
        for pipe in (proc.stdin, proc.stdout):  # pages in, records out: most frames are over the 64 KB default
            limits.grow_pipe(pipe.fileno())
        worker = _Worker(proc)
        with self._lock:
            self._all.append(worker)
            self._stats.worker_peak_mb.append(0.0)
        return worker

    def _replace(self, worker: _Worker, why: str) -> _Worker:
        self._kill(worker)
        with self._lock:
            self._stats.replaced[why] = self._stats.replaced.get(why, 0) + 1
        return self._start()

    def _kill(self, worker: _Worker) -> None:
        if worker.proc.poll() is None:
            worker.proc.kill()
        worker.proc.wait()
        for fh in (worker.proc.stdin, worker.proc.stdout):
            try:
                if fh:
                    fh.close()
            except OSError:
                pass

    def run(self, fn: Callable[..., Any], *args: Any, timeout: float = limits.PARSE_SECONDS,
            what: str = "extraction") -> Any:
        """`fn(*args)` in a worker; `limits.TimeLimitExceeded` (worker killed and replaced), `MemoryLimitExceeded`,
        `ChildCrashed` or `ChildFailed` as `limits.run_limited` raises them."""
        if self._closed:
            raise RuntimeError("the extraction pool is closed")
        worker = self._idle.get()
        try:
            try:
                _write_frame(worker.proc.stdin, (fn.__module__, fn.__qualname__, args))
                status, payload, peak = _read_frame(worker.proc.stdout.fileno(), time.monotonic() + timeout)
            except TimeoutError:
                worker = self._replace(worker, "timeout")
                raise limits.TimeLimitExceeded(f"{what} did not finish within {timeout:g} s (worker killed)") from None
            except (EOFError, OSError, pickle.UnpicklingError):
                code = worker.proc.poll()
                worker = self._replace(worker, "crash")
                raise limits.ChildCrashed(f"{what} crashed (worker exit code {code})") from None
            self._note(worker, peak)
            if status == "ok":
                return payload
            if status == "memory":
                worker = self._replace(worker, "memory")  # a fresh heap for the next job
                raise limits.MemoryLimitExceeded(f"{what} needed more than {(self.memory or 0) // 2**20} MiB (stopped)")
            raise limits.ChildFailed(f"{what} failed: {payload}")
        finally:
            self._idle.put(worker)

    def _note(self, worker: _Worker, peak: float) -> None:
        with self._lock:
            worker.jobs += 1
            worker.peak_mb = max(worker.peak_mb, peak)
            self._stats.jobs += 1
            self._stats.worker_peak_mb[self._all.index(worker)] = worker.peak_mb

    def stats(self) -> PoolStats:
        with self._lock:
            return PoolStats(self._stats.jobs, dict(self._stats.replaced), list(self._stats.worker_peak_mb))

    def close(self) -> None:
        """Stop every worker (a job still running is killed)."""
        self._closed = True
        for worker in list(self._all):
            if worker.proc.poll() is None:
                try:
                    _write_frame(worker.proc.stdin, None)
                except OSError:
                    pass
        deadline = time.monotonic() + 5
        for worker in list(self._all):
            try:
                worker.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            self._kill(worker)

    def __enter__(self) -> ExtractPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def report_stats(stats: PoolStats) -> None:
    """Log a closed pool's figures; $OGI_POOL_REPORT names a JSON file for them (the crawl benchmark and the
    tests read it: the workers of a crawl or of an `ogi worker` are not otherwise visible from outside)."""
    import json
    from dataclasses import asdict

    logger.info("extraction pool: %d documents, workers replaced %s, workers' own peak RSS %s MB",
                stats.jobs, stats.replaced or "never", [round(m) for m in stats.worker_peak_mb])
    path = os.environ.get("OGI_POOL_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(asdict(stats), fh)


def extract_report_job(parts: list, context: Any) -> Any:
    """`extract.extract_report(parts, context=context)` with positional arguments, as a pool job."""
    from extract.pipeline import extract_report

    return extract_report(parts, context=context)


def extract_sealed_job(parts: list, context: Any, text_index: Callable[[str | None], Any] | None,
                       notes: tuple[str, list[str], list[str]]) -> Any:
    """`extract_report_job` for a crawl that hands the record on to its store's writer unopened: the crawl's
    notes on the bytes (url, errors, flags: `Record.add_fetch_notes`) added here, the result sealed
    (`extract.record.SealedRecord`). With `text_index` (a module-level function of the report's text, pickled
    by reference, e.g. the search index's `corpus.bigrams.index_columns`), its columns are sealed with it: work
    that is a pure function of the text done here, in parallel, instead of in the process that stores it."""
    from extract.pipeline import extract_report
    from extract.record import SealedRecord

    record = extract_report(parts, context=context).add_fetch_notes(*notes)
    return SealedRecord.seal(record, None if text_index is None else (record.text, text_index(record.text)))


def _serve(memory: int, nice: int, preload: list[str]) -> None:
    """A worker: import the extractor, limit the address space, answer jobs from stdin until told to stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle; it stops the pool
    if nice:
        os.nice(nice)
    for module in preload:
        importlib.import_module(module)
    limits._set_memory_limit(memory or None)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the pipe
    while True:
        try:
            job = _read_frame(stdin.fileno(), None)
        except EOFError:
            return
        if job is None:
            return
        module, name, args = job
        try:
            fn = importlib.import_module(module)
            for part in name.split("."):
                fn = getattr(fn, part)
            answer: tuple[str, Any] = ("ok", fn(*args))
        except MemoryError:
            answer = ("memory", "out of memory")
        except BaseException as exc:  # noqa: BLE001 - every failure goes back as a message
            answer = ("error", f"{type(exc).__name__}: {exc}")
        try:
            _write_frame(stdout, (*answer, limits.peak_rss_mb()))
        except MemoryError:
            _write_frame(stdout, ("memory", "out of memory", limits.peak_rss_mb()))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an answer that cannot travel
            _write_frame(stdout, ("error", f"unpicklable result: {type(exc).__name__}: {exc}", limits.peak_rss_mb()))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
