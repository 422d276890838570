"""The agency × year completeness matrix: what was found, what is missing, what could not be collected.

Researchers grade governments on whether each agency published its annual report every year and on
time (field.md: "know what is *missing* or *late*"). A missing cell only means "not published" when the
site was actually crawled; when its last crawl was blocked, unreachable or needed a family module, the
cell says "not collected" instead, so the two are never confused.

Deadlines (the `late` mark), from the regulation (条例) and site-patterns.md §4 "Timing", which quotes the
2019 notice 国办公开办函〔2019〕60号: "各行政机关法定报告时限比以往提前了两个月":

- report years up to 2018 (2008 条例 第三十一条): every agency by 31 March of the following year;
- report years from 2019 (2019 条例 第四十九条): departments (and towns, streets, other units) by
  31 January of the following year; the county-level government's own report by 31 March.

Local rules are often stricter (怀化: departments by 28 January, counties by 20 February, §4), so
`late` is measured against the national legal deadline only: a report marked late is late by any rule.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click

from corpus.readonly import MAX_YEAR, MIN_YEAR, open_readonly, reading
from corpus.store import EDITED_FLAG
from ogi.ops import YEAR

logger = logging.getLogger(__name__)

FOUND, NOT_FOUND, NOT_COLLECTED, NOT_DUE = "found", "not_found", "not_collected", "not_due"
# Last-run statuses meaning the site's reports could not be collected (a gap is not evidence of absence).
# A crawl cut short by its budget proves nothing about the reports it did not reach.
UNCOLLECTED_STATUSES = ("blocked", "unreachable", "needs_family", "failed", "budget_exceeded")
FIRST_YEAR = 2008  # the first 条例 took effect on 2008-05-01; 2008 reports are the first ones


class CompletenessError(Exception):
    """The database cannot be read for a completeness view (missing file, not an ogi database)."""


@dataclass
class Cell:
    """One agency × year: `state` is found | not_found | not_collected | not_due."""

    state: str
    published_at: str | None = None  # ISO date the site posted the report (found only)
    deadline: str | None = None  # ISO date of the legal deadline for this agency and year
    late: bool = False  # published after the deadline
    edited: bool = False  # content changed after publication (a newer version replaced the first)
    report_id: int | None = None
    source_url: str | None = None


@dataclass
class AgencyRow:
    site_id: str
    agency: str
    is_government: bool  # the county-level government running the site (31 March deadline since 2019)
    province: str | None = None
    county: str | None = None
    site_status: str | None = None  # status of the site's latest crawl run (None: never crawled)
    cells: dict[int, Cell] = field(default_factory=dict)


@dataclass
class CompletenessMatrix:
    years: list[int]
    rows: list[AgencyRow]
    as_of: str  # ISO date the 'not_due' decision was made against

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per cell (tidy/long form, for CSV, JSON and pandas)."""
        out = []
        for row in self.rows:
            for year in self.years:
                cell = row.cells[year]
                out.append({"site_id": row.site_id, "province": row.province, "county": row.county,
                            "agency": row.agency, "is_government": row.is_government, "site_status": row.site_status,
                            "year": year, **asdict(cell)})
        return out

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys((FOUND, NOT_FOUND, NOT_COLLECTED, NOT_DUE), 0)
        out["late"] = 0
        for row in self.rows:
            for cell in row.cells.values():
                out[cell.state] += 1
                out["late"] += int(cell.late)
        return out


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


def _is_government(agency: str, site: dict[str, Any]) -> bool:
    return is_county_government(agency, site.get("county"), site.get("name"))


def _connect(db: str | Path) -> sqlite3.Connection:
    """Read-only, never creating or changing the file (ogi.ops.open_readonly)."""
    return open_readonly(db, error=CompletenessError)


def completeness(
    db: str | Path,
    years: Iterable[int] | None = None,
    *,
    site_ids: Iterable[str] | None = None,
    today: date | None = None,
) -> CompletenessMatrix:
    """The agency × year matrix of one database.

    Rows: for every site (optionally only `site_ids`), the site's own government (sites.name) plus
    every agency with a stored report from that site. Years: `years`, or by default from the earliest
    report year found (not before 2008) to last year. A cell is `found` (published_at, deadline, late,
    edited), `not_collected` when the site's latest crawl was blocked / unreachable / needs_family /
    failed or it was never crawled, `not_due` when its deadline is still ahead of `today`, else
    `not_found`. Stable API: the web UI imports it.
    """
    today = today or date.today()
    wanted = set(site_ids) if site_ids is not None else None
    if years is not None:
        years = [int(y) for y in years]
        bad = [y for y in years if not MIN_YEAR <= y <= MAX_YEAR]
        if bad:
            raise CompletenessError(f"report year {bad[0]} is outside {MIN_YEAR}–{MAX_YEAR}")
    with closing(_connect(db)) as conn, reading(db, CompletenessError):
        sites = [dict(r) for r in conn.execute("SELECT site_id, name, province, county FROM sites ORDER BY site_id")]
        if wanted is not None:
            sites = [s for s in sites if s["site_id"] in wanted]
        last_status = {r["site_id"]: r["status"] for r in conn.execute(
            """SELECT site_id, status FROM crawl_runs WHERE run_id IN (
                   SELECT max(run_id) FROM crawl_runs WHERE status != 'running' GROUP BY site_id)""")}
        reports = [dict(r) for r in conn.execute(
            """SELECT report_id, site_id, agency, report_year, published_at, source_url, flags FROM reports
               WHERE agency IS NOT NULL AND report_year IS NOT NULL ORDER BY report_id""")]
    if years is None:
        found_years = [r["report_year"] for r in reports if r["site_id"] in {s["site_id"] for s in sites}]
        first = max(FIRST_YEAR, min(found_years)) if found_years else today.year - 1
        year_list = list(range(first, today.year))
    else:
        year_list = sorted(set(int(y) for y in years))
    by_key: dict[tuple[str, str, int], dict[str, Any]] = {}
    for r in reports:
        by_key.setdefault((r["site_id"], r["agency"], int(r["report_year"])), r)
    rows: list[AgencyRow] = []
    for site in sites:
        sid = site["site_id"]
        agencies = dict.fromkeys([site["name"]] if site["name"] else [])
        for (rsid, agency, _y) in sorted(by_key, key=lambda k: k[1]):
            if rsid == sid:
                agencies[agency] = None
        status = last_status.get(sid)
        uncollected = status is None or status in UNCOLLECTED_STATUSES
        for agency in agencies:
            gov = _is_government(agency, site)
            row = AgencyRow(sid, agency, gov, site["province"], site["county"], status)
            for year in year_list:
                deadline = deadline_for(year, is_government=gov)
                rep = by_key.get((sid, agency, year))
                if rep is not None:
                    published = (rep["published_at"] or "")[:10] or None
                    flags = json.loads(rep["flags"] or "[]")
                    row.cells[year] = Cell(
                        FOUND, published, deadline.isoformat(), bool(published and published > deadline.isoformat()),
                        any(str(f).startswith(EDITED_FLAG) for f in flags), rep["report_id"], rep["source_url"])
                elif uncollected:
                    row.cells[year] = Cell(NOT_COLLECTED, deadline=deadline.isoformat())
                elif deadline >= today:
                    row.cells[year] = Cell(NOT_DUE, deadline=deadline.isoformat())
                else:
                    row.cells[year] = Cell(NOT_FOUND, deadline=deadline.isoformat())
            rows.append(row)
    return CompletenessMatrix(year_list, rows, today.isoformat())


def to_csv(matrix: CompletenessMatrix) -> str:
    """The matrix in long form: one line per agency × year."""
    buf = io.StringIO()
    fields = ["site_id", "province", "county", "agency", "is_government", "site_status", "year", "state",
              "published_at", "deadline", "late", "edited", "report_id", "source_url"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for rec in matrix.records():
        writer.writerow({k: rec[k] for k in fields})
    return buf.getvalue()


def _cell_text(cell: Cell) -> str:
    if cell.state == FOUND:
        text = f"[red]late {cell.published_at[5:]}[/]" if cell.late else f"[green]✓ {(cell.published_at or '')[5:]}[/]"
        return text + ("[magenta]✎[/]" if cell.edited else "")
    return {NOT_FOUND: "[yellow]—[/]", NOT_COLLECTED: "[dim]n/c[/]", NOT_DUE: "[dim]…[/]"}[cell.state]


@click.command("completeness")
@click.option("--db", default="data/ogi.db", show_default=True, help="SQLite database.")
@click.option("--year", "years", type=YEAR, multiple=True, help="Only this report year (repeatable).")
@click.option("--from", "year_from", type=YEAR, help="First report year.")
@click.option("--to", "year_to", type=YEAR, help="Last report year.")
@click.option("--site", "site_ids", multiple=True, help="Only this site id (repeatable).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one line per agency and year).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per agency and year).")
def completeness_command(db, years, year_from, year_to, site_ids, as_csv, as_json) -> None:
    """Agency × year matrix: found (with the publication date; late after the legal deadline), not found,
    not collected (site blocked, unreachable or without a family module), not yet due."""
    chosen: list[int] | None = list(years) or None
    if year_from or year_to:
        lo = year_from or FIRST_YEAR
        hi = year_to or date.today().year - 1
        if lo > hi:
            raise click.UsageError(f"--from {lo} is after --to {hi}")
        chosen = sorted(set(chosen or []) | set(range(lo, hi + 1)))
    try:
        matrix = completeness(db, chosen, site_ids=list(site_ids) or None)
    except CompletenessError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_csv:
        click.echo(to_csv(matrix), nl=False)
        return
    if as_json:
        click.echo(json.dumps(matrix.records(), ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"completeness (as of {matrix.as_of})", title_justify="left")
    table.add_column("site")
    table.add_column("agency")
    for y in matrix.years:
        table.add_column(str(y), justify="center")
    for row in matrix.rows:
        table.add_row(row.site_id, row.agency + (" *" if row.is_government else ""),
                      *(_cell_text(row.cells[y]) for y in matrix.years))
    counts = matrix.counts()
    table.caption = (f"✓ found {counts[FOUND]} (late {counts['late']}) · — not found {counts[NOT_FOUND]} · "
                     f"n/c not collected {counts[NOT_COLLECTED]} · … not yet due {counts[NOT_DUE]} · "
                     "✎ edited after publication · * the government itself (deadline 31 March)")
    Console(highlight=False).print(table)
