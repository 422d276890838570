"""The full-text index kept beside the reports (CJK bigram text in an FTS5 table; see corpus.bigrams)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from corpus.bigrams import to_index_text
from corpus.db import (
    StoreBase,
)

logger = logging.getLogger(__name__)


class SearchIndexMixin(StoreBase):
    """Index one report, or rebuild the whole index."""

    @staticmethod
    def _index_row(row: Sequence[Any]) -> tuple[Any, ...]:
        """(rowid, title, agency, meta, text) for reports_fts from a row of _INDEX_COLS."""
        rid, title, agency, printed, department, province, city, county, year, text = row
        agencies = " ".join(dict.fromkeys(x for x in (agency, printed) if x))
        meta = " ".join(str(x) for x in (year, province, city, county, department) if x)
        return (rid, to_index_text(title), to_index_text(agencies), to_index_text(meta), to_index_text(text))

    def _unindex_report(self, report_id: int) -> None:
        """Drop a report from the search index (call inside a transaction)."""
        self.conn.execute("DELETE FROM reports_fts WHERE rowid = ?", (report_id,))

    def _index_report(self, report_id: int) -> None:
        """Replace the search-index row of one report (call inside a transaction)."""
        row = self.conn.execute(f"SELECT {self._INDEX_COLS} FROM reports WHERE report_id = ?", (report_id,)).fetchone()
        self.conn.execute("DELETE FROM reports_fts WHERE rowid = ?", (report_id,))
        if row is None:
            return
        self.conn.execute("INSERT INTO reports_fts (rowid, title, agency, meta, text) VALUES (?, ?, ?, ?, ?)",
                          self._index_row(row))

    def rebuild_search_index(self) -> int:
        """Re-create the search index from the reports table (after a tokenizer change); returns rows indexed.

        One streaming pass (no per-report lookup and delete on an index just emptied): at 100,000
        reports the rebuild is dominated by tokenizing and FTS5 itself (benchmarks/RESULTS-search.md).
        """
        with self.transaction() as conn:
            conn.execute("DELETE FROM reports_fts")
            rows = conn.execute(f"SELECT {self._INDEX_COLS} FROM reports ORDER BY report_id")
            cur = conn.executemany("INSERT INTO reports_fts (rowid, title, agency, meta, text) VALUES (?, ?, ?, ?, ?)",
                                   map(self._index_row, rows))
            n = cur.rowcount
        logger.info("search index rebuilt: %d reports", n)
        return n
