"""The reads of the web search page (/-/search) on an open connection: every ranked match, the hits of one
page, the facet counts.

The query language, MATCH expression and ranking are those of `corpus.search.search` (`ogi search`):
`to_fts_query` and `ranked_matches_sql`, so the page and the command list the same reports in the same
order. The filters are exact values of FACETS (what a facet link of the page gives). The connection may be
any sqlite3 connection to an ogi database (Datasette's read-only one: the caller sets its time limit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.search import SearchError, ranked_matches_sql, to_fts_query

FACETS = ("province", "report_year", "department", "form")
FACET_VALUES = 30  # values shown per facet, the most frequent first
HIT_COLUMNS = ("report_id", "agency", "report_year", "title", "province", "city", "county", "department", "form",
               "published_at", "source_url", "text")


@dataclass(frozen=True)
class FacetCount:
    """One value of a facet and how many matching reports have it."""

    value: Any
    count: int


def _where(filters: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """Conditions on `reports r`: each filter an exact value of a facet column."""
    unknown = sorted(set(filters) - set(FACETS))
    if unknown:
        raise SearchError(f"unknown filter {unknown[0]!r}; use one of {list(FACETS)}")
    return " AND ".join(f"r.{f} = ?" for f in filters) or "1 = 1", list(filters.values())


def ranked_ids(conn: sqlite3.Connection, query: str, filters: Mapping[str, Any] | None = None) -> list[int]:
    """The ids of every report matching `query` and `filters`, best first (the order of `ogi search`).

    SearchError when nothing in the query is searchable or it is over corpus.search's bounds."""
    where, params = _where(filters or {})
    rows = conn.execute(ranked_matches_sql(where), [to_fts_query(query), *params]).fetchall()
    return [int(row[0]) for row in rows]


def hit_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The HIT_COLUMNS of these reports (text included, for snippets), in the order of `ids`."""
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    cur = conn.execute(f"SELECT {', '.join(HIT_COLUMNS)} FROM reports WHERE report_id IN ({marks})", list(ids))
    by_id = {row[0]: dict(zip(HIT_COLUMNS, row, strict=True)) for row in cur.fetchall()}
    return [by_id[i] for i in ids if i in by_id]


def facet_counts(conn: sqlite3.Connection, query: str, facet: str, filters: Mapping[str, Any] | None = None,
                 limit: int = FACET_VALUES) -> list[FacetCount]:
    """How many reports matching `query` and `filters` have each value of `facet`: at most `limit` values,
    the most frequent first (then by value), no NULL."""
    if facet not in FACETS:
        raise SearchError(f"unknown facet {facet!r}; use one of {list(FACETS)}")
    where, params = _where(filters or {})
    sql = (f"SELECT r.{facet} AS value, count(*) AS n FROM reports_fts JOIN reports r "
           f"ON r.report_id = reports_fts.rowid WHERE reports_fts MATCH ? AND {where} "
           f"GROUP BY r.{facet} ORDER BY n DESC, value LIMIT ?")
    rows = conn.execute(sql, [to_fts_query(query), *params, int(limit)]).fetchall()
    return [FacetCount(row[0], int(row[1])) for row in rows if row[0] is not None]
