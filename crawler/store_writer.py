"""The crawl's Store, written from a process (or a thread) of its own (SQLite) so the reactor never waits for a write.

Why: the crawl process's reactor thread fetches, reads list pages and stores; with extraction in worker
processes it is the crawl's bottleneck, and a third of its time was SQLite and the raw files (profiles in
benchmarks/RESULTS-crawl.md). On a thread of its own the writing ran on the other core, but still held the crawl
process's GIL for ~15% of the run; in a process of its own (`corpus.store_process`, the default) it holds none.

`CrawlStore` stands where the crawl's components expect a `corpus.store.Store`:
- `later(method, *args)` runs a Store method (or a module-level function of the Store) in the writer, in the
  order asked, and returns a Deferred fired on the reactor thread: captures, report batches, page states;
- the reads the hot paths make (`READS`) go to a second connection: WAL readers never wait for the writer,
  and they see every committed write — a caller that needs a write first waits for its Deferred;
- any other Store method (the rare ones: opening and closing runs, errors) runs in the writer too, in
  order, the caller waiting for its answer: one writer, so writes never interleave.

PostgreSQL (several writers, per-site locks) and a Store built without a writer run `later` inline.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure

from corpus.store import Store
from corpus.store_process import StoreProcess, store_job

logger = logging.getLogger(__name__)

# Store methods that read what earlier writes committed: served by the reading connection.
READS = frozenset({"page_state", "latest_capture", "capture", "capture_headers", "raw_bytes", "report_for_capture",
                   "has_error", "origin_seen"})

# Store attributes used as they are, from any thread: pure helpers, and the transaction (under the Store's lock).
DIRECT = frozenset({"raw_path", "transaction"})

_STOP = object()


class CrawlStore:
    """A Store whose writes can run in a writer process or thread (see the module docstring).

    `store`: the writing Store (with a writer process: the crawl process's own connection, for the helpers and
    attributes used as they are); `reader`: the connection of the hot reads."""

    def __init__(self, store: Store, reader: Store | None = None, *, threaded: bool = False,
                 process: StoreProcess | None = None, deliver: Callable[..., Any] | None = None) -> None:
        self.store = store
        self.reader = reader or store
        self._deliver = deliver  # how the writer hands a result over: the reactor's callFromThread
        self._queue: queue.SimpleQueue | None = None
        self._thread: threading.Thread | None = None
        self._process = process
        if threaded and process is None:
            self._queue = queue.SimpleQueue()
            self._thread = threading.Thread(target=self._run, name="ogi-store-writer", daemon=True)
            self._thread.start()

    def __getattr__(self, name: str) -> Any:
        if name in READS:
            return getattr(self.reader, name)
        attr = getattr(self.store, name)
        if not self.threaded or name in DIRECT or not callable(attr):
            return attr
        return functools.partial(self.call, name)

    def call(self, method: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`later`, waited for: the result (or the exception) of the Store method, run after every write asked
        before it. For calls the reactor thread makes rarely (each one waits for the writes queued before it)."""
        answered = threading.Event()
        box: list = []
        if self._process is not None:
            self._process.submit(method, args, kwargs, lambda ok, result: (
                box.append(result if ok else Failure(result)), answered.set()))
        else:
            fn = store_job(self.store, method)
            if self._thread is None or threading.current_thread() is self._thread:
                return fn(*args, **kwargs)
            self._queue.put((fn, args, kwargs, None, lambda fire, result: (box.append(result), answered.set())))
        answered.wait()
        if isinstance(box[0], Failure):
            box[0].raiseException()
        return box[0]

    @property
    def threaded(self) -> bool:
        """Whether writes run off the caller's thread (in a writer process or thread)."""
        return self._thread is not None or self._process is not None

    def later(self, method: str | Callable[..., Any], *args: Any, **kwargs: Any) -> defer.Deferred:
        """Run `store.<method>(*args)` (or `method(store, *args)`) after every write asked before it, in the
        writer; the Deferred fires with its result (or its exception) on the reactor thread."""
        if not self.threaded:
            return defer.maybeDeferred(store_job(self.store, method), *args, **kwargs)
        deliver = self._deliver
        if deliver is None:
            from twisted.internet import reactor

            deliver = reactor.callFromThread
        done: defer.Deferred = defer.Deferred()
        if self._process is not None:
            self._process.submit(method, args, kwargs, lambda ok, result: deliver(
                done.callback if ok else done.errback, result if ok else Failure(result)))
        else:
            self._queue.put((store_job(self.store, method), args, kwargs, done, deliver))
        return done

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            fn, args, kwargs, done, deliver = job
            try:
                result: Any = fn(*args, **kwargs)
            except BaseException:  # noqa: BLE001 - every failure goes back to the caller's errback
                result = Failure()
            fire = None if done is None else done.errback if isinstance(result, Failure) else done.callback
            try:
                deliver(fire, result)
            except Exception:  # the reactor is gone (the crawl is over): nobody waits any more
                logger.debug("writer thread: result after the reactor stopped", exc_info=True)

    def close(self) -> None:
        """Let the writer finish every write asked for, then close both connections."""
        if self._process is not None:
            self._process.close()
            self._process = None
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
            self._queue = None
        if self.reader is not self.store:
            self.reader.close()
        self.store.close()
