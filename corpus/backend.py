"""Which backend a `--db` names, and the one function that opens a writable corpus on either.

`--db data/ogi.db` (any path) is the embedded SQLite corpus, the default; `--db postgresql://…` is a
PostgreSQL corpus that crawl workers on many machines write to at once (corpus.pg_store). Everything
above the corpus layer opens a store through `open_store` and never asks which one it got.
"""

from __future__ import annotations

import os
from pathlib import Path

from corpus.pg_conn import is_postgres_url, redact
from corpus.store import Store

__all__ = ["is_postgres_url", "open_store", "raw_dir_for", "redact"]

# Where a PostgreSQL corpus keeps raw bytes when neither --raw-dir nor OGI_RAW_DIR says.
ENV_RAW_DIR = "OGI_RAW_DIR"


def raw_dir_for(db: str | Path, raw_dir: str | Path | None = None) -> Path | None:
    """The raw-bytes directory of a corpus: the one given, else $OGI_RAW_DIR, else (SQLite) `raw/` beside it."""
    if raw_dir:
        return Path(raw_dir)
    if os.environ.get(ENV_RAW_DIR):
        return Path(os.environ[ENV_RAW_DIR])
    if is_postgres_url(str(db)):
        return None
    return Path(db).parent / "raw"


def open_store(db: str | Path, raw_dir: str | Path | None = None) -> Store:
    """A read-write Store of the corpus `db` names (creating or migrating its schema)."""
    db = str(db)
    if is_postgres_url(db):
        from corpus.pg_store import PgStore

        return PgStore(db, raw_dir=raw_dir_for(db, raw_dir))
    resolved = Path(db).resolve() if db != ":memory:" else db
    if db != ":memory:":
        Path(resolved).parent.mkdir(parents=True, exist_ok=True)
    return Store(resolved, raw_dir=raw_dir_for(resolved, raw_dir) if db != ":memory:" else raw_dir)

