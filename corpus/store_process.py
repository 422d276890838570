"""A Store whose writes run in a process of their own (SQLite): the crawl's writes off the crawl process's GIL.

Why: with extraction in worker processes, the crawl process is bound by its GIL (py-spy: held ~95% of a 200-site
crawl), and a thread writing the store held ~15% of it, slowing the reactor's own socket calls as they waited to
get it back (benchmarks/RESULTS-crawl.md). A writer process has a GIL of its own.

`StoreProcess` starts a Python process running `serve(DB, RAW_DIR)`, which opens the Store and runs each job it is
sent, in the order sent, answering each with its result or exception:
- a job is a Store method's name, or a module-level function called as `fn(store, *args, **kwargs)` (sent by
  reference: a lambda cannot cross); its arguments and result cross the pipe pickled
  (`multiprocessing.connection`);
- `submit` does not wait for the writer: a thread of the writer process drains the pipe while a job runs (a
  sender waits only when a megabyte of jobs is unread);
- the answer comes back on a receiving thread of the caller, which hands it to the job's callback;
- if the writer process dies, every job waiting and every later one fails with `StoreWriterGone`;
- `close()` lets it finish every job sent, then it closes the database (SQLite checkpoints the log).
Reads stay in the caller's process, on a connection of its own (WAL: they see every committed write).
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import pickle
import queue
import resource
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from corpus.db import StoreError
from extract.limits import grow_pipe, peak_rss_mb

logger = logging.getLogger(__name__)

Answer = Callable[[bool, Any], None]  # (ok, result or exception), called on the receiving thread
_ID = struct.Struct("!Q")  # a job: its id, then the pickled (method, args, kwargs); an empty frame stops
_LOG = -1  # the id of an answer that is a log record of the writer's
# The writer process's program. sqlite_utils imports pandas and numpy when they are installed (0.35 s and ~110 MB
# here): the Store's writes use neither, and the crawl waits for this process to start.
# A Ctrl-C, or the SIGTERM a service manager sends every process of the crawl's group at once (systemd's stop), is
# the crawl's to handle: it then closes the store, and the writer finishes what it was sent and exits. The writer
# lives as long as its pipe: the end of it (the crawl closed or died) is what stops it.
_MAIN = ("import signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); signal.signal(signal.SIGTERM, "
         "signal.SIG_IGN); sys.modules.update(pandas=None, numpy=None); "
         "from corpus.store_process import serve; serve(sys.argv[1], sys.argv[2], int(sys.argv[3]))")


class StoreWriterGone(StoreError):
    """The store's writer process ended before answering: nothing more can be written by this crawl."""


def store_job(store: Any, method: str | Callable[..., Any]) -> Callable[..., Any]:
    """What a job names: the Store's method of that name, or a function of the Store bound to it."""
    return getattr(store, method) if isinstance(method, str) else functools.partial(method, store)


def _call(answer: Answer, ok: bool, result: Any) -> None:
    try:
        answer(ok, result)
    except Exception:  # the receiver goes on: e.g. the crawl's reactor stopped and nobody waits any more
        logger.debug("the answer to a store job could not be delivered", exc_info=True)


class StoreProcess:
    """The client side: send jobs to the writer process, get their answers (see the module docstring)."""

    def __init__(self, db_path: str | Path, raw_dir: str | Path | None = None) -> None:
        level = logging.getLogger("corpus").getEffectiveLevel()  # the writer sends the records this would log
        cmd = [sys.executable, "-c", _MAIN, str(db_path), str(raw_dir or ""), str(level)]
        # A session of its own, as the extraction workers: a terminal's Ctrl-C goes to the crawl alone (_MAIN).
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
                                      start_new_session=True)
        grow_pipe(self._proc.stdin.fileno())
        self._send_conn = Connection(os.dup(self._proc.stdin.fileno()), readable=False)
        self._recv_conn = Connection(os.dup(self._proc.stdout.fileno()), writable=False)
        self._proc.stdin.close()
        self._proc.stdout.close()
        self._ids = itertools.count(1)
        self._pending: dict[int, Answer] = {}
        self._lock = threading.Lock()  # the pending map and the sending end
        self._gone: str | None = None
        self.pid = self._proc.pid
        self.stats: dict[str, Any] = {}  # the writer's jobs, CPU seconds and own peak RSS (MB), once it has closed
        # The writer's first answer says whether it opened the database; jobs may be sent before it comes (the
        # crawl's start-up goes on meanwhile), and fail with its reason when it could not.
        self._receiver = threading.Thread(target=self._receive, name="ogi-store-answers", daemon=True)
        self._receiver.start()

    def submit(self, method: str | Callable[..., Any], args: tuple, kwargs: dict, answer: Answer) -> None:
        """Send one job; `answer(ok, result)` is called once, on the receiving thread (or here, when it cannot
        be sent)."""
        with self._lock:
            if self._gone is None:
                job_id = next(self._ids)
                try:
                    data = _ID.pack(job_id) + pickle.dumps((method, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # noqa: BLE001 - a job that cannot cross is the caller's mistake
                    failed: BaseException | None = TypeError(f"store job {method!r} cannot be sent to the "
                                                             f"writer process: {exc}")
                else:
                    self._pending[job_id] = answer
                    try:
                        self._send_conn.send_bytes(data)
                        failed = None
                    except OSError:  # the writer ended: the receiving thread fails what waits
                        self._pending.pop(job_id, None)
                        failed = StoreWriterGone(self._gone or "the store's writer process ended")
            else:
                failed = StoreWriterGone(self._gone)
        if failed is not None:
            answer(False, failed)

    def _read(self) -> tuple | None:
        try:
            return self._recv_conn.recv()
        except (EOFError, OSError):
            return None

    def _exit_text(self) -> str:
        code = self._proc.wait()
        how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
        return f"the store's writer process (pid {self.pid}) {how}"

    def _receive(self) -> None:
        opened, why = False, None
        while why is None:
            frame = self._read()
            if frame is None:
                break
            job_id, ok, result = frame
            if job_id == _LOG:
                name, level, message = result
                logging.getLogger(name).log(level, "%s", message)
            elif job_id == 0 and not opened:  # its first word: whether it opened the database
                opened, why = True, None if ok else f"could not open the database: {result}"
            elif job_id == 0:  # its last word, once the database is closed: its figures
                self.stats = result
            else:
                with self._lock:
                    answer = self._pending.pop(job_id)
                _call(answer, ok, result)
        gone = self._exit_text()
        with self._lock:
            self._gone = f"the store's writer process (pid {self.pid}) {why}" if why else gone
            waiting, self._pending = self._pending, {}
        if waiting:
            logger.error("%s with %d writes not done", self._gone, len(waiting))
        for answer in waiting.values():
            _call(answer, False, StoreWriterGone(self._gone))

    def close(self) -> None:
        """Let the writer finish every job sent, then wait for it to close the database."""
        with self._lock:
            try:
                self._send_conn.send_bytes(b"")
            except OSError:
                pass
            self._send_conn.close()
        self._receiver.join()
        self._recv_conn.close()
        if self.stats:
            report_stats(self.stats)


def report_stats(stats: dict[str, Any]) -> None:
    """Log a closed writer's figures; $OGI_STORE_REPORT names a JSON file for them (the crawl benchmark reads it,
    as $OGI_POOL_REPORT for the extraction workers)."""
    logger.info("store writer process: %d jobs, %.1f CPU-s, own peak RSS %.0f MB", stats["jobs"], stats["cpu_s"],
                stats["peak_mb"])
    path = os.environ.get("OGI_STORE_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(stats, fh)


# -- the writer process ------------------------------------------------------------------------------------------

def _run(store: Any, method: str | Callable[..., Any], args: tuple, kwargs: dict) -> tuple[bool, Any]:
    try:
        return True, store_job(store, method)(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
        exc.add_note("in the store's writer process:\n" + "".join(traceback.format_exception(exc)).rstrip())
        return False, exc


class _Answers(logging.Handler):
    """The writer's end of the answers pipe: each job's answer, and its log records, which the caller logs as its
    own (in the crawl's log, not on a terminal). Answers come from the main thread, records from any."""

    def __init__(self, conn: Connection, level: int) -> None:
        super().__init__(level)
        self.conn = conn
        self.sending = threading.Lock()
        self.caller_gone = False  # the caller died: its jobs still run (it sent them), nobody reads the answers

    def answer(self, job_id: int, ok: bool, result: Any) -> None:
        with self.sending:
            try:
                self._send((job_id, ok, result))
            except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an answer that cannot cross
                self._send((job_id, False, StoreError(f"the store's answer cannot be sent back: {exc}; "
                                                      f"it was {result!r}"[:2000])))

    def _send(self, message: tuple) -> None:
        if not self.caller_gone:
            try:
                self.conn.send(message)
            except OSError:
                self.caller_gone = True

    def emit(self, record: logging.LogRecord) -> None:
        try:
            with self.sending:
                self._send((_LOG, True, (record.name, record.levelno, self.format(record))))
        except Exception:  # noqa: BLE001 - logging must never fail a write
            self.handleError(record)


def _drain(conn: Connection, jobs: queue.SimpleQueue) -> None:
    """Read jobs as they come, so the sender never waits for a running job."""
    while True:
        try:
            frame = conn.recv_bytes()
        except (EOFError, OSError):  # the crawl process ended without a stop: finish what was sent
            frame = b""
        jobs.put(frame)
        if not frame:
            return


def _job(store: Any, frame: bytes) -> tuple[int, bool, Any]:
    """Run one job's frame: (its id, ok, its result or exception)."""
    (job_id,) = _ID.unpack_from(frame)
    try:
        method, args, kwargs = pickle.loads(frame[_ID.size:])
    except Exception as exc:  # noqa: BLE001 - e.g. a function this process cannot import
        return job_id, False, StoreError(f"the store's writer process cannot read a job: {exc!r}")
    return (job_id, *_run(store, method, args, kwargs))


def serve(db_path: str, raw_dir: str, level: int = logging.WARNING) -> None:
    """The writer process: open the Store, answer (0, ok, None) ready, then run jobs until stopped."""
    from corpus.store import Store

    grow_pipe(1)
    out = _Answers(Connection(os.dup(1), readable=False), level)
    receive = Connection(os.dup(0), writable=False)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # a stray print must not corrupt the answers
    logging.basicConfig(level=level, handlers=[out], format="%(message)s")  # the caller adds its own format
    try:
        store = Store(db_path, raw_dir or None)
    except Exception as exc:  # noqa: BLE001 - every job then fails with it (StoreWriterGone)
        out.answer(0, False, exc)
        return
    store.checkpoint_in_background()  # the writer never waits for a checkpoint's fsyncs
    out.answer(0, True, None)
    jobs: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_drain, args=(receive, jobs), name="ogi-store-jobs", daemon=True).start()
    done = 0
    try:
        while frame := jobs.get():
            out.answer(*_job(store, frame))
            done += 1
    finally:
        store.close()
        used = resource.getrusage(resource.RUSAGE_SELF)
        out.answer(0, True, {"jobs": done, "peak_mb": round(peak_rss_mb(), 1),
                             "cpu_s": round(used.ru_utime + used.ru_stime, 2)})
        out.conn.close()

