"""When the database or disk fails: recognise it, stop the crawl once, say so once.

(The crawl's Store itself belongs to its session: `crawler.session.session_for(crawler).store`.)
"""

from __future__ import annotations

import errno
import logging
import sqlite3

from corpus.store_process import StoreWriterGone
from crawler.session import StorageFailure, session_for

logger = logging.getLogger(__name__)


_FULL_WORDS = ("database or disk is full", "disk i/o error", "attempt to write a readonly database",
               "unable to open database file", "no space left", "file too large", "disk quota")
_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS}


def is_storage_failure(exc: BaseException) -> bool:
    """Disk full, file too large, read-only or failing disk, or the store's writer process gone: nothing more can
    be stored this run."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, StoreWriterGone) or isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if isinstance(exc, sqlite3.OperationalError) and any(w in str(exc).lower() for w in _FULL_WORDS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def storage_failed(crawler, exc: BaseException, what: str) -> bool:
    """Handle a failed write: True (and the crawl is stopped, once, with one clear message) when the
    storage itself failed; False for other errors, which the caller logs as before.

    Stopping is what loses nothing: pages fetched after the disk filled could not be kept, and the
    runs this crawl opened are closed as `interrupted` (or, when even that cannot be written, by the
    next crawl's start) so the next crawl fetches them again.
    """
    if not is_storage_failure(exc):
        return False
    session = session_for(crawler)
    state = session.storage_failure
    if state is None:
        session.storage_failure = state = StorageFailure(first=f"{type(exc).__name__}: {exc}")
        from corpus.backend import redact

        db = redact(str(crawler.settings.get("OGI_DB")))  # a PostgreSQL URL may hold a password
        fix = "find why it ended (the system log says if it ran out of memory)" if isinstance(
            exc, StoreWriterGone) else "free disk space"
        logger.error("storage failed while %s (%s) — database %s; stopping the crawl: %s and run it again "
                     "(stored reports are kept; unfinished sites are marked interrupted)", what, state.first, db, fix)
        crawler.stats.set_value("ogi/storage_failed", state.first)
        engine = getattr(crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="storage_failed"))
    state.count += 1
    return True


def log_failed_write(crawler, written, what: str, log: logging.Logger) -> None:
    """A write nobody waits for (`written`: the store writer's Deferred; `what`: "the state of <url>"): when it
    fails, the crawl stops if the storage itself failed (`storage_failed`), else `log` says what was not recorded."""

    def failed(failure) -> None:
        exc = failure.value
        if not storage_failed(crawler, exc, f"recording {what}"):
            log.error("could not record %s", what, exc_info=(type(exc), exc, failure.getTracebackObject()))

    written.addErrback(failed)
