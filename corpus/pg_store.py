"""`PgStore`: the corpus on PostgreSQL, for crawls on many machines (several writers at once).

The same `Store` API, SQL and identity rules as the SQLite corpus (the statements run through the
sqlite3-shaped facade in corpus.pg_conn); what differs is here:

- the connection and schema (corpus.pg_schema) — created on first use, under an advisory lock;
- identity under concurrency: each save of a report or capture takes a transaction-scoped advisory lock
  on its identity (agency + year, or URL) before looking for an existing row, so two workers saving the
  same report serialize and the second updates the first one's row instead of failing on the unique index;
- the search index: `report_search` tsvector rows (corpus.pg_search) instead of the FTS5 table;
- raw bytes: content-addressed files under `raw_dir`, which several machines may share (NFS, a mounted
  bucket); it must be given (`--raw-dir` / OGI_RAW_DIR), there is no database file to put it beside.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from corpus.pg_conn import PgConnection, redact
from corpus.pg_schema import migrate, schema_version
from corpus.pg_search import index_parts
from corpus.schema import SCHEMA_VERSION
from corpus.search_index import INDEX_SOURCE, index_fields
from corpus.store import Store, StoreError

logger = logging.getLogger(__name__)

# The schema version whose search rows changed last (6: each CJK run's last character indexed on its own, so
# one-character queries are exact): a corpus from before it gets its index rebuilt when first opened.
INDEX_CHANGED_IN = 6


class PgStore(Store):
    """One PostgreSQL database plus a raw-bytes directory; see the module docstring."""

    multi_writer = True

    def __init__(self, url: str, raw_dir: str | Path | None = None) -> None:  # no super(): SQLite-only set-up
        if raw_dir is None:
            raise StoreError(f"a PostgreSQL corpus ({redact(url)}) needs a raw-bytes directory: give --raw-dir "
                             "(or OGI_RAW_DIR), shared by every machine that crawls into it")
        self.url = url
        self.db_path = None  # type: ignore[assignment]
        self.raw_dir = Path(raw_dir)
        self._lock = threading.RLock()
        try:
            self.conn = PgConnection(url)  # type: ignore[assignment]
        except Exception as exc:
            raise StoreError(str(exc)) from exc
        self.db = None  # type: ignore[assignment]  # no sqlite-utils here
        found = schema_version(self.conn)
        if found > SCHEMA_VERSION:
            self.conn.close()
            raise StoreError(f"{redact(url)} has schema version {found}, newer than this ogi ({SCHEMA_VERSION}); "
                             "upgrade ogi")
        migrate(self.conn)
        if 0 < found < INDEX_CHANGED_IN:  # the search rows of older versions lack what newer queries need
            logger.info("rebuilding the search index of %s (schema %d -> %d)", redact(url), found, SCHEMA_VERSION)
            self.rebuild_search_index()

    @property
    def location(self) -> str:
        return redact(self.url)

    def _schema_version(self) -> int:
        return schema_version(self.conn)

    def _columns(self, table: str) -> list[str]:
        return [r["name"] for r in self.conn.execute(f"PRAGMA table_info({table})").fetchall()]

    def _lock_identity(self, key: str) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (key,))

    # -- search index ----------------------------------------------------------------------------

    def _unindex_report(self, report_id: int) -> None:
        self.conn.execute("DELETE FROM report_search WHERE report_id = ?", (report_id,))

    def _index_rows(self, row) -> list[tuple[int, int, str, str]]:
        rid, title, agencies, meta, text = index_fields(row)
        return [(rid, part, literal, weight) for part, weight, literal in index_parts(title, agencies, meta, text)]

    _INSERT_SEARCH = "INSERT INTO report_search (report_id, part, doc) VALUES (?, ?, setweight(?::tsvector, ?))"

    def _index_report(self, report_id: int) -> None:
        row = self.conn.execute(f"SELECT {INDEX_SOURCE} FROM reports WHERE report_id = ?", (report_id,)).fetchone()
        self._unindex_report(report_id)
        if row is None:
            return
        rows = self._index_rows(row)
        if rows:
            self.conn.executemany(self._INSERT_SEARCH, rows)

    def rebuild_search_index(self) -> int:
        with self.transaction() as conn:
            conn.execute("DELETE FROM report_search")
            n = 0
            for row in conn.execute(f"SELECT {INDEX_SOURCE} FROM reports ORDER BY report_id").fetchall():
                rows = self._index_rows(row)
                if rows:
                    conn.executemany(self._INSERT_SEARCH, rows)
                n += 1
        logger.info("search index rebuilt: %d reports", n)
        return n
