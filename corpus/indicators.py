"""Reads of the statistics for the web UI: one indicator per agency over the years, and the report years.

Each function takes an open sqlite3 connection to an ogi database (Datasette's read-only one for the
pages) and returns plain Python values.
"""

from __future__ import annotations

import sqlite3


def indicator_series(conn: sqlite3.Connection, key: str, *, county: str | None = None,
                     agency: str | None = None) -> dict[str, dict[int, float]]:
    """agency -> {report year: value} of the statistic `key`, agencies in name order, years ascending.

    Reports without an agency or a year are left out. `county`: part of the county's name, or its exact
    adcode; `agency`: part of the agency's name (both as SQL LIKE patterns)."""
    sql = ("SELECT r.agency, r.report_year, s.value FROM statistics s JOIN reports r ON r.report_id = s.report_id "
           "WHERE s.key = :key AND r.agency IS NOT NULL AND r.report_year IS NOT NULL")
    params: dict[str, str] = {"key": key}
    if county:
        sql += " AND (r.county LIKE '%' || :county || '%' OR r.adcode = :county)"
        params["county"] = county
    if agency:
        sql += " AND r.agency LIKE '%' || :agency || '%'"
        params["agency"] = agency
    series: dict[str, dict[int, float]] = {}
    for name, year, value in sorted(conn.execute(sql, params).fetchall(), key=lambda r: (r[0], int(r[1]))):
        series.setdefault(name, {})[int(year)] = float(value)  # sorted in Python: code points on both backends
    return series


def report_year_range(conn: sqlite3.Connection) -> tuple[int | None, int | None]:
    """The first and last report year of the corpus ((None, None) without dated reports): the reports_year
    index, so cheap on every request."""
    lo, hi = conn.execute("SELECT min(report_year), max(report_year) FROM reports").fetchone()
    return (None if lo is None else int(lo)), (None if hi is None else int(hi))
