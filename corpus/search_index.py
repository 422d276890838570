"""The full-text index kept beside the reports (CJK bigrams in a contentless FTS5 table; see corpus.bigrams).

Why contentless: an FTS5 table with content keeps every indexed value a second time (the reports' text as
bigrams: 2/3 of the index, 3.7 of 5.6 GB at 100,000 reports; benchmarks/RESULTS-search.md). Without it a row
can only be removed by handing FTS5 the exact values it was indexed with ('delete'): they are recomputed from
the reports row, or from `reports_fts_pending`, where the schema's triggers keep a report's indexed columns as
they were before the row changed (corpus.schema).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from corpus.bigrams import index_columns, to_index_ends, to_index_text
from corpus.db import (
    StoreBase,
)

logger = logging.getLogger(__name__)

# The columns of reports an index row is computed from (in this order), and those of the index.
INDEX_SOURCE = "report_id, title, agency, agency_as_printed, department, province, city, county, report_year, text"
FTS_COLUMNS = ("title", "agency", "meta", "text", "title_end", "agency_end", "meta_end", "text_end")
_INSERT = (f"INSERT INTO reports_fts (rowid, {', '.join(FTS_COLUMNS)}) "
           f"VALUES (?, {', '.join('?' * len(FTS_COLUMNS))})")
_DELETE = (f"INSERT INTO reports_fts (reports_fts, rowid, {', '.join(FTS_COLUMNS)}) "
           f"VALUES ('delete', ?, {', '.join('?' * len(FTS_COLUMNS))})")


def index_fields(row: Sequence[Any]) -> tuple[Any, str | None, str, str, str | None]:
    """(report_id, title, agencies, meta, text) of a row of INDEX_SOURCE: what both backends' indexes hold.
    agencies = the canonical name and the name as printed; meta = year, region and department."""
    rid, title, agency, printed, department, province, city, county, year, text = row
    agencies = " ".join(dict.fromkeys(x for x in (agency, printed) if x))
    meta = " ".join(str(x) for x in (year, province, city, county, department) if x)
    return rid, title, agencies, meta, text


def index_row(row: Sequence[Any], text_index: tuple[str | None, tuple[str, str]] | None = None) -> tuple[Any, ...]:
    """(rowid, *FTS_COLUMNS) for reports_fts from a row of INDEX_SOURCE.

    `text_index` = (text, index_columns(text)) computed elsewhere (an extraction worker: the body's bigrams are
    most of the cost) is used only when its text is the row's, so the row is indexed exactly as it would be here
    (a contentless index must later be handed these same values to delete the row)."""
    rid, title, agencies, meta, text = index_fields(row)
    if text_index is not None and (text_index[0] or "") == (text or ""):
        body, body_ends = text_index[1]
    else:
        body, body_ends = index_columns(text)
    short = (title, agencies, meta)
    return (rid, *(to_index_text(x) for x in short), body, *(to_index_ends(x) for x in short), body_ends)


def _varints(blob: bytes) -> list[int]:
    """FTS5's docsize record: one varint (token count) per column."""
    out, value, shift = [], 0, 0
    for b in blob:
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            out.append(value)
            value, shift = 0, 0
    return out


def _indexed_sizes(conn: sqlite3.Connection, report_id: int) -> list[int] | None:
    """Token counts per column of the report's index row; None when it has none."""
    row = conn.execute("SELECT sz FROM reports_fts_docsize WHERE id = ?", (report_id,)).fetchone()
    return None if row is None else _varints(row[0])


def _fts5_sizes(conn: sqlite3.Connection, values: Sequence[Any]) -> list[int]:
    """Token counts per column as FTS5's tokenizer counts `values` (rowid first), in a scratch temp table: the
    check of `unindex` when the quick count (spaces) disagrees (a character unicode61 does not see as a letter)."""
    cols = ", ".join(FTS_COLUMNS)
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.reports_fts_probe USING fts5({cols}, "
                 "tokenize = 'unicode61', content = '')")
    conn.execute("INSERT INTO temp.reports_fts_probe (reports_fts_probe) VALUES ('delete-all')")
    conn.execute(f"INSERT INTO temp.reports_fts_probe (rowid, {cols}) VALUES (?, {', '.join('?' * len(FTS_COLUMNS))})",
                 values)
    return _varints(conn.execute("SELECT sz FROM temp.reports_fts_probe_docsize").fetchone()[0])


def unindex(conn: sqlite3.Connection, report_id: int) -> None:
    """Remove a report's index row, if it has one, with the values it was indexed with (inside a transaction).

    Those are the pending copy when the reports row changed since, else the reports row itself. A copy whose
    token counts differ from the indexed ones (the row was changed with the triggers missing) is not
    handed to FTS5 (it would corrupt the index): logged, and the stale row stays until a rebuild."""
    sizes = _indexed_sizes(conn, report_id)
    pending = conn.execute(f"SELECT {INDEX_SOURCE} FROM reports_fts_pending WHERE report_id = ?",
                           (report_id,)).fetchone()
    if pending is not None:
        conn.execute("DELETE FROM reports_fts_pending WHERE report_id = ?", (report_id,))
    if sizes is None:
        return
    old = pending or conn.execute(f"SELECT {INDEX_SOURCE} FROM reports WHERE report_id = ?", (report_id,)).fetchone()
    values = index_row(old) if old is not None else None
    if values is None or ([len(v.split()) for v in values[1:]] != sizes and _fts5_sizes(conn, values) != sizes):
        logger.error("search index row of report %s does not match its stored values (changed without ogi's "
                     "triggers?): left in place; run Store.rebuild_search_index()", report_id)
        return
    conn.execute(_DELETE, values)


def write_index(conn: sqlite3.Connection) -> int:
    """Empty reports_fts and index every report in one streaming pass; returns rows indexed.

    Runs in its own transaction unless one is open (the schema migration calls it in autocommit mode)."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO reports_fts (reports_fts) VALUES ('delete-all')")
        conn.execute("DELETE FROM reports_fts_pending")
        rows = conn.execute(f"SELECT {INDEX_SOURCE} FROM reports ORDER BY report_id")
        n = conn.executemany(_INSERT, map(index_row, rows)).rowcount
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise
    if own:
        conn.execute("COMMIT")
    return n


class SearchIndexMixin(StoreBase):
    """Index one report, or rebuild the whole index."""

    def _unindex_report(self, report_id: int) -> None:
        """Drop a report from the search index (call inside a transaction)."""
        unindex(self.conn, report_id)

    def _index_report(self, report_id: int, text_index: tuple[str | None, tuple[str, str]] | None = None) -> None:
        """Replace the search-index row of one report (call inside a transaction); `text_index`: see index_row.

        A report indexed before with no pending copy has the indexed values it had: nothing to redo."""
        pending = self.conn.execute("SELECT 1 FROM reports_fts_pending WHERE report_id = ?", (report_id,)).fetchone()
        if pending is None and _indexed_sizes(self.conn, report_id) is not None:
            return
        unindex(self.conn, report_id)
        row = self.conn.execute(f"SELECT {INDEX_SOURCE} FROM reports WHERE report_id = ?", (report_id,)).fetchone()
        if row is not None:
            self.conn.execute(_INSERT, index_row(row, text_index))

    def rebuild_search_index(self) -> int:
        """Re-create the search index from the reports table (after a tokenizer change); returns rows indexed.

        One streaming pass (no per-report lookup and delete on an index just emptied): at 100,000
        reports the rebuild is dominated by tokenizing and FTS5 itself (benchmarks/RESULTS-search.md).
        """
        with self.transaction() as conn:
            n = write_index(conn)
        logger.info("search index rebuilt: %d reports", n)
        return n
