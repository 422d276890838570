"""The agency × year completeness matrix the web UI shows: found, late, missing, not collected.

Why here and read-only: the page runs on Datasette's read-only connection, so it needs a function of
a plain sqlite3 connection that never writes. A report is late when the site posted it after
the legal deadline — the same rule as `ogi completeness` (`corpus.completeness.deadline_for`: 31 January of
the next year for departments and towns since 2019, 31 March for the county government and before 2019).
A year with no report is `missing` when the agency's site was crawled (latest run ok or partial) and
`not_collected` when it was never crawled or the crawl failed — absence of evidence is not evidence
of absence.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from corpus.completeness import deadline_for, is_county_government

logger = logging.getLogger(__name__)

STATUSES = ("found", "late", "missing", "not_collected")
CRAWLED = ("ok", "partial")


def deadline(report_year: int, agency: str = "", county: str | None = None) -> str:
    """Last day (ISO) a report on `report_year` is due, by the rule `ogi completeness` uses."""
    return deadline_for(report_year, is_government=is_county_government(agency, county)).isoformat()


@dataclass
class Cell:
    status: str  # one of STATUSES
    report_id: int | None = None
    published_at: str | None = None
    title: str | None = None


@dataclass
class AgencyRow:
    agency: str
    province: str | None
    county: str | None
    department: str | None
    site_id: str | None
    site_status: str | None  # latest crawl status of the agency's site, None if never crawled
    cells: dict[int, Cell] = field(default_factory=dict)


@dataclass
class CompletenessMatrix:
    years: list[int]
    rows: list[AgencyRow]
    counts: dict[str, int]  # status -> cells
    per_year: dict[int, dict[str, int]]  # year -> status -> cells


def _all(conn: sqlite3.Connection, sql: str, params: dict[str, Any] | tuple = ()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def completeness_matrix(
    conn: sqlite3.Connection,
    *,
    years: tuple[int | None, int | None] | None = None,
    province: str | None = None,
    county: str | None = None,
) -> CompletenessMatrix:
    """Every agency with a report (optionally of one province/county) × every year of the range.

    `years=(from, to)`; a missing bound is the first/last report year of the selection.
    """
    where, params = ["agency IS NOT NULL", "report_year IS NOT NULL"], {}
    if province:
        where.append("province = :province")
        params["province"] = province
    if county:
        where.append("(county LIKE '%' || :county || '%' OR adcode = :county)")
        params["county"] = county
    reports = _all(conn, "SELECT report_id, agency, province, county, department, site_id, report_year, "
                         f"published_at, title FROM reports WHERE {' AND '.join(where)} "
                         "ORDER BY province, county, agency, report_year", params)
    site_status = {r["site_id"]: r["status"] for r in _all(conn, "SELECT site_id, status FROM site_latest_run")}
    found_years = [r["report_year"] for r in reports]
    lo = years[0] if years and years[0] is not None else min(found_years, default=None)
    hi = years[1] if years and years[1] is not None else max(found_years, default=None)
    span = list(range(lo, hi + 1)) if lo is not None and hi is not None and lo <= hi else []
    rows: dict[str, AgencyRow] = {}
    for r in reports:
        row = rows.get(r["agency"])
        if row is None:
            row = rows[r["agency"]] = AgencyRow(
                agency=r["agency"], province=r["province"], county=r["county"], department=r["department"],
                site_id=r["site_id"], site_status=site_status.get(r["site_id"]),
            )
        year = int(r["report_year"])
        if year not in span:
            continue
        published = (r["published_at"] or "")[:10] or None
        late = published is not None and published > deadline(year, r["agency"], r["county"])
        row.cells[year] = Cell("late" if late else "found", r["report_id"], published, r["title"])
    counts = dict.fromkeys(STATUSES, 0)
    per_year = {y: dict.fromkeys(STATUSES, 0) for y in span}
    for row in rows.values():
        absent = "missing" if row.site_status in CRAWLED else "not_collected"
        for y in span:
            cell = row.cells.setdefault(y, Cell(absent))
            counts[cell.status] += 1
            per_year[y][cell.status] += 1
        row.cells = dict(sorted(row.cells.items()))
    logger.debug("completeness: %d agencies x %d years: %s", len(rows), len(span), counts)
    return CompletenessMatrix(years=span, rows=list(rows.values()), counts=counts, per_year=per_year)
