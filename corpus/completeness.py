"""The agency × year completeness matrix: the one read model `ogi completeness` and the web page render.

Researchers grade governments on whether each agency published its annual report every year and on
time (field.md: "know what is *missing* or *late*"). Each cell of the matrix has one state:

- `found`: a report is stored, with the date the site posted it, the legal deadline and a `late` mark
  (posted after the deadline; `late` is a mark on a found cell, never a state of its own, and the count
  of late cells is part of the found count);
- `not_collected`: no report, and the site's latest finished crawl was blocked, unreachable, needed a
  family module, failed or ran out of budget (UNCOLLECTED_STATUSES), or the site was never crawled:
  absence of evidence is not evidence of absence;
- `before_first`: no report, in a year before the agency's first stored report (an agency that started
  reporting in 2020, or was founded then, is not missing its 2015 report: issue 13 counted those as missing);
- `not_due`: no report, and its deadline is still ahead;
- `not_found`: no report although the site was crawled and the deadline has passed.

An agency's first report is its earliest stored report year, whatever the years shown; a site's own
government without any report has no first year, so each of its years is judged as above.

Rows: every site's own government (sites.name), even without a report, and every agency with a stored
report, one row per site and agency (a report whose site is unknown gets a row of its own, site None).
Years: those asked for, or by default from the earliest report year of the selection (not before 2008)
to last year; a range with one bound given takes the other from that default.

Deadlines (the `late` mark), from the regulation (条例) and site-patterns.md §4 "Timing", which quotes the
2019 notice 国办公开办函〔2019〕60号: "各行政机关法定报告时限比以往提前了两个月":

- report years up to 2018 (2008 条例 第三十一条): every agency by 31 March of the following year;
- report years from 2019 (2019 条例 第四十九条): departments (and towns, streets, other units) by
  31 January of the following year; the county-level government's own report by 31 March.

Local rules are often stricter (怀化: departments by 28 January, counties by 20 February, §4), so
`late` is measured against the national legal deadline only: a report marked late is late by any rule.

Read-only: `completeness(db)` opens the file with `corpus.readonly.open_readonly`; `read_matrix(conn)`
reads a connection the caller opened read-only (the web UI's Datasette connection). Errors are
CompletenessError (a plain exception with a one-sentence message).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from corpus.db import EDITED_FLAG
from corpus.readonly import MAX_YEAR, MIN_YEAR, open_readonly, reading
from corpus.selection import Selection as ReportSelection

logger = logging.getLogger(__name__)

FOUND, NOT_FOUND, NOT_COLLECTED, NOT_DUE = "found", "not_found", "not_collected", "not_due"
BEFORE_FIRST = "before_first"
STATES = (FOUND, NOT_FOUND, NOT_COLLECTED, NOT_DUE, BEFORE_FIRST)
LATE = "late"  # a mark on found cells, counted beside the states
# The words every rendering uses for the states and the mark.
LABELS = {FOUND: "found", NOT_FOUND: "not found", NOT_COLLECTED: "not collected", NOT_DUE: "not yet due",
          BEFORE_FIRST: "before first report", LATE: "late"}
# Last-run statuses meaning the site's reports could not be collected (a gap is not evidence of absence).
# A crawl cut short by its budget proves nothing about the reports it did not reach.
UNCOLLECTED_STATUSES = ("blocked", "unreachable", "needs_family", "failed", "budget_exceeded")
FIRST_YEAR = 2008  # the first 条例 took effect on 2008-05-01; 2008 reports are the first ones


class CompletenessError(Exception):
    """A completeness matrix cannot be built: the database cannot be read, or a year is out of range."""


@dataclass
class Cell:
    """One agency × year: `state` is found | not_found | not_collected | not_due | before_first."""

    state: str
    published_at: str | None = None  # ISO date the site posted the report (found only)
    deadline: str | None = None  # ISO date of the legal deadline for this agency and year
    late: bool = False  # published after the deadline
    edited: bool = False  # content changed after publication (a newer version replaced the first)
    report_id: int | None = None
    source_url: str | None = None
    title: str | None = None


@dataclass
class AgencyRow:
    site_id: str | None  # None: reports stored without a known site
    agency: str
    is_government: bool  # the county-level government running the site (31 March deadline since 2019)
    province: str | None = None
    county: str | None = None
    site_status: str | None = None  # status of the site's latest finished crawl run (None: never crawled)
    cells: dict[int, Cell] = field(default_factory=dict)
    city: str | None = None
    adcode: str | None = None


# Columns of `CompletenessMatrix.records()`, in order (CSV and JSON).
RECORD_FIELDS = ("site_id", "province", "county", "agency", "is_government", "site_status", "year", "state",
                 "published_at", "deadline", "late", "edited", "report_id", "source_url")


@dataclass
class CompletenessMatrix:
    years: list[int]
    rows: list[AgencyRow]
    as_of: str  # ISO date the 'not_due' decision was made against

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per cell (tidy/long form, for CSV, JSON and pandas), keys RECORD_FIELDS."""
        out = []
        for row in self.rows:
            for year in self.years:
                rec = {**asdict(row), **asdict(row.cells[year]), "year": year}
                out.append({k: rec[k] for k in RECORD_FIELDS})
        return out

    def counts(self) -> dict[str, int]:
        """Cells per state, and `late`: the found cells marked late (STATES then LATE, in that order)."""
        out = dict.fromkeys((*STATES, LATE), 0)
        for row in self.rows:
            for cell in row.cells.values():
                out[cell.state] += 1
                out[LATE] += int(cell.late)
        return out

    def per_year(self) -> dict[int, dict[str, int]]:
        """`counts()` for each year."""
        out = {y: dict.fromkeys((*STATES, LATE), 0) for y in self.years}
        for row in self.rows:
            for year, cell in row.cells.items():
                out[year][cell.state] += 1
                out[year][LATE] += int(cell.late)
        return out


@dataclass(frozen=True)
class Selection:
    """Which rows: every given filter must hold (None/empty: no filter), each as corpus.selection means it
    (the one meaning every command shares; years are the matrix's columns, not a row filter).

    A row's region is its site's (from the registry), or the report's when the site is unknown.
    """

    province: str | None = None  # the name or its beginning
    city: str | None = None  # the name or its beginning
    county: str | None = None  # part of the county's name, or its whole adcode (the web page's county box)
    adcode: str | None = None  # the adcode or its beginning (4201: every county of 武汉市)
    site_ids: tuple[str, ...] | None = None
    agency: str | None = None  # part of the agency's name
    reports: ReportSelection | None = None  # the command line's filters (its region, site and agency ones)

    def sql(self, binary_ranges: bool = False) -> tuple[str, list[Any]]:
        """WHERE clause over columns province, city, county, adcode, site_id, agency; and its parameters
        (`binary_ranges`: SQLite, see corpus.selection.Selection.where)."""
        where, params = ReportSelection(provinces=self.province, cities=self.city, counties=self.county,
                                        adcodes=self.adcode, agencies=self.agency).where(
            "", reports_only=False, binary_ranges=binary_ranges)
        if self.site_ids is not None:
            ids = list(dict.fromkeys(self.site_ids))
            where += f" AND site_id IN ({', '.join('?' * len(ids))})" if ids else " AND 1 = 0"
            params += ids
        if self.reports is not None:
            more, more_params = self.reports.where("", years=False, reports_only=False, binary_ranges=binary_ranges)
            where, params = f"{where} AND {more}", params + more_params
        return where, params


def deadline_for(report_year: int, *, is_government: bool) -> date:
    """The legal publication deadline of a report covering `report_year` (see the module docstring)."""
    if report_year <= 2018 or is_government:
        return date(report_year + 1, 3, 31)
    return date(report_year + 1, 1, 31)


def is_county_government(agency: str, county: str | None, site_name: str | None = None) -> bool:
    """Whether the agency is the county-level government itself (its own deadline since 2019)."""
    names = {site_name or ""}
    if county:
        names.add(f"{county}人民政府")
    return agency in names


def default_years(report_years: Iterable[int], today: date) -> tuple[int, int]:
    """The default year range: the earliest report year (not before 2008; last year without reports) to
    last year (the latest year whose report may be due)."""
    last = today.year - 1
    found = list(report_years)
    first = max(FIRST_YEAR, min(found)) if found else last
    return first, max(first, last)


def choose_years(years: Iterable[int] | None, year_from: int | None, year_to: int | None,
                 report_years: Iterable[int], today: date) -> list[int]:
    """The matrix's years: `years`, plus the range `year_from`..`year_to` (a missing bound from the
    default range); neither given: the default range. CompletenessError for a year out of MIN_YEAR–MAX_YEAR
    or a range that ends before it starts."""
    chosen = sorted({int(y) for y in years or ()})
    for y in (*chosen, year_from, year_to):
        if y is not None and not MIN_YEAR <= y <= MAX_YEAR:
            raise CompletenessError(f"report year {y} is outside {MIN_YEAR}–{MAX_YEAR}")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise CompletenessError(f"the first year {year_from} is after the last year {year_to}")
    if chosen and year_from is None and year_to is None:
        return chosen
    first, last = default_years(report_years, today)
    if year_from is not None or year_to is not None:
        lo = year_from if year_from is not None else min(first, year_to)
        hi = year_to if year_to is not None else max(last, year_from)
        first, last = lo, hi
    return sorted(set(chosen) | set(range(first, last + 1)))


def _all(conn: sqlite3.Connection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts, whatever the connection's row factory."""
    cur = conn.execute(sql, params or ())
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, tuple(r), strict=True)) for r in cur.fetchall()]


# Sites and reports with the same region columns, so one Selection filters both. A report's region is
# its site's when the site is known.
_SITES = "SELECT site_id, name, name AS agency, province, city, county, adcode FROM sites"
_REPORTS = """
    SELECT r.report_id, r.site_id, r.agency, r.report_year, r.published_at, r.source_url, r.flags, r.title,
           s.site_id IS NOT NULL AS known_site,
           CASE WHEN s.site_id IS NULL THEN r.province ELSE s.province END AS province,
           CASE WHEN s.site_id IS NULL THEN r.city ELSE s.city END AS city,
           CASE WHEN s.site_id IS NULL THEN r.county ELSE s.county END AS county,
           CASE WHEN s.site_id IS NULL THEN r.adcode ELSE s.adcode END AS adcode
    FROM reports r LEFT JOIN sites s ON s.site_id = r.site_id
    WHERE r.agency IS NOT NULL AND r.report_year IS NOT NULL"""
# The status of each site's latest finished run (a crawl running now does not hide the last result).
_LAST_STATUS = """SELECT site_id, status FROM crawl_runs WHERE run_id IN (
    SELECT max(run_id) FROM crawl_runs WHERE status != 'running' GROUP BY site_id)"""


def read_matrix(
    conn: sqlite3.Connection,
    *,
    years: Iterable[int] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    selection: Selection | None = None,
    today: date | None = None,
) -> CompletenessMatrix:
    """The matrix of the database behind `conn` (opened read-only by the caller; nothing is written).

    Years: see `choose_years`. sqlite3 errors propagate (`completeness` turns them into CompletenessError).
    """
    today = today or date.today()
    where, params = (selection or Selection()).sql(binary_ranges=isinstance(conn, sqlite3.Connection))
    sites = _all(conn, f"SELECT * FROM ({_SITES}) AS sites_ WHERE {where} ORDER BY site_id", params)
    reports = _all(conn, f"SELECT * FROM ({_REPORTS}) AS reports_ WHERE {where} ORDER BY report_id", params)
    last_status = {r["site_id"]: r["status"] for r in _all(conn, _LAST_STATUS)}
    year_list = choose_years(years, year_from, year_to, [int(r["report_year"]) for r in reports], today)

    # (site, agency) -> where its region comes from; the site's own government first, then agencies by name.
    site_by_id = {s["site_id"]: s for s in _all(conn, _SITES)}
    by_key: dict[tuple[str | None, str, int], dict[str, Any]] = {}
    first_year: dict[tuple[str | None, str], int] = {}  # (site, agency) -> its earliest report year
    for r in reports:
        sid, year = r["site_id"] if r["known_site"] else None, int(r["report_year"])
        by_key.setdefault((sid, r["agency"], year), r)
        first_year[(sid, r["agency"])] = min(year, first_year.get((sid, r["agency"]), year))
    groups: dict[str | None, dict[str, dict[str, Any]]] = {s["site_id"]: {s["name"]: s} if s["name"] else {}
                                                          for s in sites}
    for key in sorted(by_key, key=lambda k: (k[0] is None, k[0] or "", k[1], k[2])):
        groups.setdefault(key[0], {}).setdefault(key[1], by_key[key])

    rows: list[AgencyRow] = []
    for sid, named in sorted(groups.items(), key=lambda g: (g[0] is None, g[0] or "")):
        site = site_by_id.get(sid)
        status = last_status.get(sid) if sid is not None else None
        uncollected = status is None or status in UNCOLLECTED_STATUSES
        for agency, region in named.items():
            gov = is_county_government(agency, region["county"], site["name"] if site else None)
            row = AgencyRow(sid, agency, gov, region["province"], region["county"], status,
                            city=region["city"], adcode=region["adcode"])
            first = first_year.get((sid, agency))
            for year in year_list:
                row.cells[year] = _cell(by_key.get((sid, agency, year)), deadline_for(year, is_government=gov),
                                        uncollected, today, first is not None and year < first)
            rows.append(row)
    logger.debug("completeness: %d rows x %d years", len(rows), len(year_list))
    return CompletenessMatrix(year_list, rows, today.isoformat())


def _cell(report: dict[str, Any] | None, deadline: date, uncollected: bool, today: date,
          before_first: bool = False) -> Cell:
    due = deadline.isoformat()
    if report is not None:
        published = (report["published_at"] or "")[:10] or None
        try:
            flags = json.loads(report["flags"] or "[]")
        except ValueError:
            flags = []
        edited = any(str(f).startswith(EDITED_FLAG) for f in flags) if isinstance(flags, list) else False
        return Cell(FOUND, published, due, bool(published and published > due), edited, report["report_id"],
                    report["source_url"], report["title"])
    if before_first:
        return Cell(BEFORE_FIRST, deadline=due)
    if uncollected:
        return Cell(NOT_COLLECTED, deadline=due)
    if deadline >= today:
        return Cell(NOT_DUE, deadline=due)
    return Cell(NOT_FOUND, deadline=due)


def completeness(
    db: str | Path,
    years: Iterable[int] | None = None,
    *,
    year_from: int | None = None,
    year_to: int | None = None,
    site_ids: Iterable[str] | None = None,
    selection: Selection | None = None,
    today: date | None = None,
) -> CompletenessMatrix:
    """The matrix of the database file `db`, opened read-only (see `read_matrix`).

    `site_ids`: only these sites (shorthand for `Selection(site_ids=…)`, combined with `selection`).
    """
    selection = selection or Selection()
    if site_ids is not None:
        selection = Selection(**{**asdict(selection), "site_ids": tuple(site_ids)})
    # Years are checked before the file is opened: a bad year is the caller's mistake whatever the file.
    choose_years(years, year_from, year_to, (), today or date.today())
    with closing(open_readonly(db, error=CompletenessError)) as conn, reading(db, CompletenessError):
        return read_matrix(conn, years=years, year_from=year_from, year_to=year_to, selection=selection,
                           today=today)


def counties(conn: sqlite3.Connection) -> list[dict[str, str | None]]:
    """Every (province, county) of the sites and reports, for choosing a county: dicts, sorted."""
    rows = _all(conn, "SELECT DISTINCT province, county FROM sites WHERE county IS NOT NULL "
                      "UNION SELECT DISTINCT province, county FROM reports WHERE county IS NOT NULL")
    # Sorted in Python (NULL first, then code points), as SQLite's ORDER BY does, whatever PostgreSQL's collation.
    return sorted(rows, key=lambda r: tuple((r[k] is not None, r[k] or "") for k in ("province", "county")))
