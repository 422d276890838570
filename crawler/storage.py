"""One Store per database file per process, shared by the middleware, pipeline and run tracker."""

from __future__ import annotations

import errno
import logging
import sqlite3
from pathlib import Path

from corpus.store import Store

logger = logging.getLogger(__name__)

_STORES: dict[tuple[str, str | None], Store] = {}


def store_for(settings) -> Store:
    db = str(Path(settings.get("OGI_DB")).resolve())
    raw = settings.get("OGI_RAW_DIR")
    key = (db, str(Path(raw).resolve()) if raw else None)
    if key not in _STORES:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        _STORES[key] = Store(db, raw_dir=raw)
    return _STORES[key]


def forget_stores() -> None:
    """Drop cached stores (after a crawl run, so the next run reopens cleanly)."""
    _STORES.clear()


_FULL_WORDS = ("database or disk is full", "disk i/o error", "attempt to write a readonly database",
               "unable to open database file", "no space left", "file too large", "disk quota")
_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS}


def is_storage_failure(exc: BaseException) -> bool:
    """Disk full, file too large, read-only or failing disk: nothing more can be stored this run."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
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
    state = getattr(crawler, "_ogi_storage_failed", None)
    if state is None:
        crawler._ogi_storage_failed = state = {"first": f"{type(exc).__name__}: {exc}", "count": 0}
        db = crawler.settings.get("OGI_DB")
        logger.error("storage failed while %s (%s) — database %s; stopping the crawl: free disk space and "
                     "run it again (stored reports are kept; unfinished sites are marked interrupted)",
                     what, state["first"], db)
        crawler.stats.set_value("ogi/storage_failed", state["first"])
        engine = getattr(crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="storage_failed"))
    state["count"] += 1
    return True
