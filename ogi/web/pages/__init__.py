"""ogi's own pages of the web UI, one module each (search, completeness, indicator, compare, report).

They live outside `ogi/web/plugins/` because Datasette loads every .py file of a plugins directory as a
plugin; `plugins/ogi_plugin.py` registers their routes. Shared here: the plugin configuration, the
codebook, and `read`, which runs a corpus read function (the pages write no SQL of their own) on
Datasette's connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from datasette.database import QueryInterrupted
from datasette.utils import sqlite_timelimit

from ogi.codebook import load_codebook
from ogi.web import CODEBOOK_DB, DB_NAME

BOOK = load_codebook()[0]
T = TypeVar("T")


def config(datasette: Any) -> dict[str, str]:
    """Names of the corpus and codebook databases in this Datasette (plugin config `ogi`, or the defaults)."""
    cfg = datasette.plugin_config("ogi") or {}
    return {"database": cfg.get("database", DB_NAME), "codebook": cfg.get("codebook", CODEBOOK_DB)}


async def read(db: Any, fn: Callable[[sqlite3.Connection], T], time_limit_ms: int | None = None) -> T:
    """`fn(conn)` on the Datasette database's read connection, under the limits `db.execute` gives a statement.

    Datasette's SQL time limit (or `time_limit_ms` when lower) bounds the whole call, checked by SQLite's
    progress handler (every `ogi.web.limits.PROGRESS_OPS` instructions on ogi's connections); past it the
    statement stops and QueryInterrupted is raised, as from `db.execute`. `fn` is a corpus function: the
    SQL lives in the storage layer.
    """
    limit = db.ds.sql_time_limit_ms
    if time_limit_ms and time_limit_ms < limit:
        limit = time_limit_ms

    def run(conn: sqlite3.Connection) -> T:
        with sqlite_timelimit(conn, limit):
            try:
                return fn(conn)
            except sqlite3.OperationalError as exc:
                if exc.args == ("interrupted",):
                    raise QueryInterrupted(exc, getattr(fn, "__name__", repr(fn)), None) from exc
                raise

    return await db.execute_fn(run)
