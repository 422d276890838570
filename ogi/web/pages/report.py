"""/-/report/<id>: one report for reading — its facts, sources, tables with the numbers read from them,
every flag in words, its earlier versions and the same agency's other years.

Why a page of its own rather than Datasette's row page: the row page shows the text as one cell (a table
loses its headers), the numbers behind a link and not the attachment a PDF report was read from. The reads
are the corpus' own (`corpus.report_reads.ReportReader` on Datasette's read-only connection, under its time
limit); the tables are re-read from the stored bytes (`ogi.web.report_tables`, off the event loop, with a
time limit of their own).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlite_utils
from datasette.utils.asgi import NotFound, Request, Response

from corpus.backend import raw_dir_for
from corpus.captures import CapturesMixin
from corpus.compare import cross_year_flags
from corpus.db import StoreError
from corpus.report_reads import ReportReader
from ogi.flag_words import FlagNote, confidence_words, explain
from ogi.web.pages import BOOK, config, read
from ogi.web.params import ParamError, int_param, text_param
from ogi.web.report_tables import (
    TABLES_SECONDS,
    body_cells,
    choose_source,
    header_rows,
    is_number,
    merged,
    place_numbers,
    read_grids,
)

logger = logging.getLogger(__name__)


class _Reader(ReportReader, CapturesMixin):
    """The corpus' report reads on a connection Datasette opened (read-only): no store is opened."""

    def __init__(self, conn: sqlite3.Connection, raw_dir: Path | None) -> None:  # noqa: D107
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self.raw_dir = raw_dir or Path("raw")
        self.db_path = Path(".")


def _load(conn: sqlite3.Connection, report_id: int, raw_dir: Path | None) -> dict[str, Any] | None:
    """The report, its versions, sources (bytes included), cross-year flags and the same agency's reports."""
    reader = _Reader(conn, raw_dir)
    try:
        report = reader.report(report_id)
    except StoreError:
        return None
    report["versions"] = reader.report_versions(report_id)
    report["sources"] = reader.report_sources(report_id)
    cross = cross_year_flags(conn, "r.report_id = ?", [report_id]).get(report_id, [])
    report["cross_flags"] = [f.message for f in cross]
    report["others"] = []
    if report.get("agency"):
        rows = reader.reports(agency=report["agency"], with_text=False)
        report["others"] = [{"report_id": r["report_id"], "report_year": r["report_year"], "title": r["title"],
                             "form": r["form"]} for r in rows
                            if r["agency"] == report["agency"] and (r.get("adcode") or "") == (report.get("adcode") or "")]
        report["others"].sort(key=lambda r: (r["report_year"] or 0, r["report_id"]))
    return report


def _find(conn: sqlite3.Connection, agency: str, year: int) -> int | None:
    """The report of exactly this agency and year (the first by id when two regions share the name)."""
    rows = _Reader(conn, None).reports(agency=agency, year=year, with_text=False)
    exact = [r["report_id"] for r in rows if r["agency"] == agency]
    return min(exact) if exact else None


def _stat_rows(stats: list[dict[str, Any]], notes: list[FlagNote]) -> dict[str, dict[str, Any]]:
    """key -> the statistic with its codebook label, unit, confidence in words and the flags about it."""
    out = {}
    for s in stats:
        info = BOOK.get(s["key"])
        zh, en = confidence_words(s.get("confidence"))
        out[s["key"]] = {**s, "label_zh": info.label_zh if info else "", "label_en": info.label_en if info else "",
                         "unit": info.unit if info else "", "confidence_zh": zh, "confidence_en": en,
                         "flags": [n for n in notes if n.concerns(s["key"])]}
    return out


def _tables(grids: list[list[list[str]]], stats: dict[str, dict[str, Any]],
            notes: list[FlagNote]) -> tuple[list[dict[str, Any]], set[str]]:
    """The grids as header and body rows with the numbers placed on them (and the flags about the table
    as a whole above them); and the keys placed."""
    placed = place_numbers(grids, list(stats.values()))
    tables, shown = [], set()
    for gi, grid in enumerate(grids):
        h = header_rows(grid)
        keys = placed.by_grid.get(gi, [])
        shown.update(keys)
        rows = []
        for ri, row in enumerate(grid[h:], start=h):
            row_keys = placed.rows.get(gi, {}).get(ri, [])
            words = [c for c in row if c.strip()]
            subhead = not row_keys and len(words) >= 2 and not any(is_number(c) for c in row)
            rows.append({"cells": body_cells(row), "subhead": subhead, "keys": row_keys, "flagged": any(stats[k]["flags"] for k in row_keys)})
        name = placed.names.get(gi)
        tables.append({"index": gi + 1, "name": name, "head": [merged(r) for r in grid[:h]],
                       "notes": [n for n in notes if name and re.match(rf"table {name}\b", n.flag)],
                       "rows": rows, "stats": [stats[k] for k in keys]})
    return tables, shown


def _ocr_read(report: dict[str, Any]) -> bool:
    """Whether the crawl read this report by OCR (text_source, or an OCR flag of the extractor)."""
    return report.get("text_source") in ("ocr", "image") or any(
        re.search(r"\bOCR\b", str(f)) for f in report.get("flags") or [])


async def _grids(source: dict[str, Any] | None) -> tuple[list[list[list[str]]], str | None]:
    if source is None:
        return [], "the stored bytes of this report are not available (raw directory moved?): no tables"
    try:
        return await asyncio.wait_for(asyncio.to_thread(read_grids, source), TABLES_SECONDS)
    except TimeoutError:
        return [], f"re-reading the tables took longer than {TABLES_SECONDS:g} s: shown without them"


async def report_page(datasette: Any, request: Request) -> Response:
    """/-/report/<id>: the report for reading (404 for an unknown id)."""
    cfg = config(datasette)
    db = datasette.get_database(cfg["database"])
    raw = request.url_vars.get("report_id", "")
    if not raw.isdigit() or len(raw) > 18:
        raise NotFound(f"no report {raw!r}")
    raw_dir = raw_dir_for(db.path) if db.path else None
    report = await read(db, lambda conn: _load(conn, int(raw), raw_dir))
    if report is None:
        raise NotFound(f"no report {raw}")
    notes = [explain(f) for f in [*report["flags"], *report["cross_flags"]]]
    stats = _stat_rows(report["stats"], notes)
    source = choose_source(report["sources"], report.get("text_source"))
    if _ocr_read(report):  # re-reading would run OCR again (minutes of CPU) for a page view
        grids, tables_note = [], ("this report was read (partly) by OCR: its tables are not re-read for a page view; "
                                  "the numbers read from them are listed below")
    else:
        grids, tables_note = await _grids(source)
    tables, shown = _tables(grids, stats, notes)
    attachments = [c for c in report["captures"] if c["role"] == "attachment"]
    ctx = {
        "r": report, "database": cfg["database"], "notes": notes, "tables": tables, "tables_note": tables_note,
        "table_source": source["url"] if source else None,
        "rest": [s for k, s in stats.items() if k not in shown], "attachments": attachments,
        "unplaced_notes": [n for n in notes if not any(n.concerns(k) for k in stats)],
        "stats_href": datasette.urls.table(cfg["database"], "statistics_long") + "?" + urlencode(
            {"report_id": report["report_id"]}),
        "row_href": datasette.urls.row(cfg["database"], "reports", report["report_id"]),
    }
    return Response.html(await datasette.render_template("ogi_report.html", ctx, request=request))


async def report_lookup(datasette: Any, request: Request) -> Response:
    """/-/report?agency=…&year=…: the report of that agency and year (a redirect), for links that know no id."""
    cfg = config(datasette)
    db = datasette.get_database(cfg["database"])
    agency = text_param(request, "agency")
    year = int_param(request, "year", 1900, 2200)
    if not agency or year is None:
        raise ParamError("give agency= (the exact name) and year=")
    rid = await read(db, lambda conn: _find(conn, agency, year))
    if rid is None:
        raise NotFound(f"no report of {agency} for {year}")
    return Response.redirect(datasette.urls.path(f"/-/report/{rid}"))
