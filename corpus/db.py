"""The connection every store concern shares: one SQLite database (WAL) and its raw-bytes directory.

The corpus database: a typed API over sqlite-utils (schema in `corpus.schema`).

Why a wrapper: the crawler, the extract pipeline and the CLI must agree on
identity rules (captures unique on (url, sha256), reports on (agency, year),
statistics on (report_id, key)) so that re-running a crawl never duplicates a
row, and every report is written in one transaction so a crash cannot leave
half a report. Raw bytes are kept content-addressed on disk so any record can
be re-extracted without re-crawling.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from corpus import schema

logger = logging.getLogger(__name__)

# Known values; others are stored as given with a warning (a new crawler state must not crash a crawl).
CAPTURE_KINDS = ("robots", "entry", "list", "detail", "attachment", "other")
RUN_STATUSES = ("ok", "partial", "failed", "unreachable", "interrupted", "blocked", "needs_family",
                "budget_exceeded")
# text_source values meaning the text came from an attachment, not the page itself.
_ATTACHMENT_SOURCES = ("pdf", "docx", "doc", "ocr", "xls", "xlsx", "wps")
# Flag prefix of a report whose page served different content after it was first stored.
EDITED_FLAG = "edited after publication"
# Report columns whose change makes a new version (with the statistics).
_VERSIONED = ("title", "published_at", "document_date", "form", "text", "report_year", "agency")


class StoreError(Exception):
    """A store operation was refused or failed (bad argument, unknown id, broken database)."""


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class StoreBase:
    """One SQLite database (WAL, foreign keys on) plus its raw-bytes directory.

    One connection for the process (`check_same_thread=False` so Scrapy's
    thread pool may call it); writes are serialized by a lock.
    """

    def __init__(self, db_path: str | Path, raw_dir: str | Path | None = None) -> None:
        self.db_path = Path(db_path)
        if str(db_path) != ":memory:":
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.raw_dir = Path(raw_dir) if raw_dir is not None else self.db_path.parent / "raw"
        self._lock = threading.RLock()
        conn = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        found = schema.schema_version(self.db)
        if found > schema.SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{db_path} has schema version {found}, newer than this ogi ({schema.SCHEMA_VERSION}); upgrade ogi"
            )
        try:
            schema.migrate(self.db)
        except RuntimeError as exc:
            raise StoreError(str(exc)) from exc

    # -- plumbing ---------------------------------------------------------------------------

    # What differs between backends, as methods a backend overrides (corpus.pg_store.PgStore).
    multi_writer = False  # several processes may write at once (PostgreSQL): locks are per site

    def _lock_identity(self, key: str) -> None:
        """Serialize writers of one identity (a report, a URL) across processes, inside a transaction.
        SQLite needs nothing: BEGIN IMMEDIATE already admits one writer at a time."""

    def _schema_version(self) -> int:
        return schema.schema_version(self.db)

    def _columns(self, table: str) -> list[str]:
        return list(self.db[table].columns_dict)

    @property
    def location(self) -> str:
        """The database as a user names it (a file path, or a URL without its password)."""
        return str(self.db_path)

    _checkpointer: tuple[threading.Thread, threading.Event] | None = None

    def checkpoint_in_background(self, every: float = 1.0) -> None:
        """Copy the write-ahead log into the database from a thread of its own, every `every` seconds, instead of
        inside a COMMIT of the writing thread (SQLite's default, every 1,000 pages; with its fsyncs that was ~1 s of
        a 2,000-page crawl's reactor thread, benchmarks/RESULTS-crawl.md). SQLite recommends this for writers that
        must not wait; a checkpoint never blocks a writer. Stopped by close(), whose own checkpoint ends the log."""
        if self._checkpointer is not None or str(self.db_path) == ":memory:":
            return
        stop = threading.Event()
        path = str(self.db_path)

        def run() -> None:
            conn = sqlite3.connect(path, timeout=30)
            try:
                while not stop.wait(every):
                    try:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    except sqlite3.Error as exc:  # busy or failing disk: the writer's own errors say it
                        logger.debug("background checkpoint of %s: %s", path, exc)
            finally:
                conn.close()

        self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        thread = threading.Thread(target=run, name="ogi-wal-checkpoint", daemon=True)
        thread.start()
        self._checkpointer = (thread, stop)

    def close(self) -> None:
        if self._checkpointer is not None:
            thread, stop = self._checkpointer
            stop.set()
            thread.join()
            self._checkpointer = None
        self.conn.close()  # the last connection: SQLite checkpoints and removes the log

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (nests as a no-op)."""
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # Reads take the lock too: one connection is shared, and a cursor must not interleave with a write.
    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        with self._lock:
            cur = self.conn.execute(sql, params)
            row = cur.fetchone()
            if row is None:
                return None
            return dict(zip([d[0] for d in cur.description], row, strict=True))

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cur = self.conn.execute(sql, params)
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            row = self.conn.execute(sql, params).fetchone()
            return row[0] if row else None

    def _check_fk(self, site_id: str | None, run_id: int | None = None) -> None:
        """Turn a foreign-key violation into a message that says what to call first."""
        if site_id is not None and self._scalar("SELECT 1 FROM sites WHERE site_id = ?", (site_id,)) is None:
            raise StoreError(f"unknown site_id {site_id!r}: call upsert_site() first")
        if run_id is not None and self._scalar("SELECT 1 FROM crawl_runs WHERE run_id = ?", (run_id,)) is None:
            raise StoreError(f"unknown run_id {run_id!r}: call start_run() first")

    # -- sites and runs -----------------------------------------------------------------------

