"""`ogi snapshot`: an SQLite copy of a PostgreSQL corpus, for what serves SQLite only (Datasette: `ogi serve`).

Why a copy and not a second serving path: Datasette reads SQLite files, and a file is also what a user
hands to a colleague or archives next to a paper. The copy is a complete ogi database — every table,
the same ids (so a report's URL in `ogi serve` names the same report as on the PostgreSQL side), then
the SQLite search index (FTS5) rebuilt from the reports — so every ogi command reads it like a crawled
one.

- Consistent: all tables are read in one REPEATABLE READ, read-only transaction, so workers writing
  meanwhile never leave a report without its statistics in the copy.
- Streamed: rows come through server-side cursors in batches (a national corpus does not fit in memory).
- Atomic: written to a temporary file beside the target, renamed over it only when complete; an
  interrupted snapshot leaves the previous one as it was.
- Careful: the target may be missing or an earlier snapshot (marked with SQLite's application_id); any
  other file — someone's data, an ogi database that was crawled into — is refused (`force` replaces an
  ogi database, never a non-ogi file).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.pg_conn import is_postgres_url, redact
from corpus.readonly import DatabaseProblem, open_readonly, reading

logger = logging.getLogger(__name__)

# SQLite's application_id of a file `ogi snapshot` wrote ('ogis'): such a file may be replaced by the next one.
SNAPSHOT_APPLICATION_ID = 0x6F676973
# Tables in an order that satisfies the foreign keys (a table the schema gains later is copied after these).
TABLE_ORDER = ("sites", "crawl_runs", "captures", "crawl_errors", "reports", "report_captures", "report_versions",
               "page_state", "statistics", "report_similarity")
BATCH = 500  # rows per fetch and per executemany


class SnapshotError(Exception):
    """The snapshot cannot be made: not a PostgreSQL ogi corpus, or a target that must not be replaced."""


@dataclass
class SnapshotResult:
    out: Path
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied, in copy order
    indexed: int = 0  # reports in the rebuilt search index


def check_target(out: Path, *, force: bool = False) -> None:
    """Refuse a target that is a directory, a non-ogi file, or an ogi database `ogi snapshot` did not write
    (unless `force`)."""
    if out.is_dir():
        raise SnapshotError(f"{out} is a directory; give the SQLite file to write, e.g. {out / 'ogi.db'}")
    if not out.exists():
        if not out.parent.is_dir():
            raise SnapshotError(f"cannot write {out}: the directory {out.parent} does not exist")
        return
    if not out.is_file():
        raise SnapshotError(f"{out} is not a regular file; refusing to replace it")
    if out.stat().st_size == 0:
        raise SnapshotError(f"{out} is an empty file that ogi did not write; refusing to replace it (delete it first)")
    try:
        conn = open_readonly(out, tables=())
    except DatabaseProblem as exc:
        raise SnapshotError(f"{exc}; refusing to replace it with a snapshot") from exc
    try:
        with reading(out, SnapshotError):
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    finally:
        conn.close()
    if app_id != SNAPSHOT_APPLICATION_ID and not force:
        raise SnapshotError(f"{out} is an ogi database that ogi snapshot did not write (a crawled corpus?); "
                            "refusing to replace it: choose another --out, or --force to replace it")


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'reports_fts%'")]
    known = [t for t in TABLE_ORDER if t in names]
    return known + sorted(set(names) - set(known))


def _copy_table(pg, lite: sqlite3.Connection, table: str, columns: list[str]) -> int:
    """Stream one table from PostgreSQL into SQLite (same column names, same ids); returns rows copied."""
    cols = ", ".join(columns)
    insert = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})"
    n = 0
    with pg.raw.cursor(name=f"ogi_snapshot_{table}") as cur:
        cur.itersize = BATCH
        cur.execute(f"SELECT {cols} FROM {table} ORDER BY 1")  # ids ascending: the SQLite file's natural order
        while rows := cur.fetchmany(BATCH):
            lite.executemany(insert, rows)
            n += len(rows)
    return n


def _retire(out: Path) -> None:
    """Fold an earlier snapshot's pending WAL into it and drop the -wal/-shm files, so they cannot be
    replayed onto the new file after the rename."""
    if not out.exists() or not (out.with_name(out.name + "-wal").exists() or out.with_name(out.name + "-shm").exists()):
        return
    conn = sqlite3.connect(str(out), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def snapshot(url: str, out: str | Path, *, force: bool = False,
             progress: Callable[[str], None] | None = None) -> SnapshotResult:
    """Write an SQLite copy of the PostgreSQL corpus `url` to `out` (see the module docstring).

    `progress(message)` is told each step (a table copied, the index rebuild begun). SnapshotError for a `url` that is not a readable
    PostgreSQL ogi corpus, or an `out` that must not be replaced (`check_target`)."""
    from psycopg import IsolationLevel

    from corpus.store import Store

    if not is_postgres_url(str(url)):
        raise SnapshotError(f"--db {url} is not a postgresql:// URL: ogi snapshot copies a PostgreSQL corpus into "
                            "SQLite (an SQLite corpus can be served as it is)")
    out = Path(out).absolute()
    check_target(out, force=force)
    shown = redact(url)
    pg = open_readonly(url, error=SnapshotError)
    tmp = out.with_name(f".{out.name}.snapshot-{os.getpid()}.tmp")
    result = SnapshotResult(out)
    try:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)
        store = Store(tmp, raw_dir=out.parent / "raw")  # the SQLite schema at this ogi's version; raw/ not made
        try:
            lite = store.conn
            with reading(shown, SnapshotError):
                pg.raw.isolation_level = IsolationLevel.REPEATABLE_READ
                pg.raw.read_only = True
                with pg.raw.transaction(), store.transaction():
                    for table in _sqlite_tables(lite):
                        pg_cols = {r[1] for r in pg.execute(f"PRAGMA table_info({table})").fetchall()}
                        if not pg_cols:
                            logger.warning("snapshot: %s has no table %s; left empty", shown, table)
                            continue
                        columns = [r[1] for r in lite.execute(f"PRAGMA table_info({table})") if r[1] in pg_cols]
                        result.rows[table] = _copy_table(pg, lite, table, columns)
                        logger.info("snapshot: %s: %d rows", table, result.rows[table])
                        if progress:
                            progress(f"{table}: {result.rows[table]} rows")
            problems = lite.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise SnapshotError(f"the copy of {shown} breaks {len(problems)} foreign keys "
                                    f"(first: {tuple(problems[0])}); nothing was written to {out}")
            if progress:
                progress(f"search index: rebuilding from {result.rows.get('reports', 0)} reports")
            result.indexed = store.rebuild_search_index()
            lite.execute(f"PRAGMA application_id = {SNAPSHOT_APPLICATION_ID}")
            lite.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, nothing beside it to rename
        finally:
            store.close()
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        _retire(out)
        os.replace(tmp, out)
    except OSError as exc:
        raise SnapshotError(f"cannot write the snapshot {out}: {exc.strerror or exc}") from exc
    finally:
        pg.close()
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)
    return result
