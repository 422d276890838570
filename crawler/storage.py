"""One Store per database file per process, shared by the middleware, pipeline and run tracker."""

from __future__ import annotations

from pathlib import Path

from ogi.store import Store

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
