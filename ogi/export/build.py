"""The export itself: read the selected reports from the corpus, build every file as bytes, write them.

See the package docstring (ogi/export/__init__.py) for what is written and why it is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.compare import cross_year_flags, peer_rows, year_over_year_rows
from corpus.export_views import (
    Selection,
    crawl_history,
    latest_crawl_time,
    one_snapshot,
    report_captures,
    selected_reports,
    selected_statistics,
    site_rows,
    statistic_counts,
)
from corpus.pg_conn import is_postgres_url, redact
from corpus.readonly import MAX_YEAR, MIN_YEAR, OGI_TABLES, invalid_utf8, open_readonly, reading
from corpus.similarity import similarity_by_report
from ogi.codebook import load_codebook
from ogi.export.citation import citation_cff, counted, number_flags, package_provenance, panel_id
from ogi.export.files import check_out_dir, write_files
from ogi.export.package import codebook_md, codebook_rows, datapackage, wide_columns
from ogi.export.readme import readme
from ogi.export.spec import (
    BOM,
    CODEBOOK_COLUMNS,
    CSV_FILES,
    LONG_COLUMNS,
    PARQUET_FILES,
    PEER_COLUMNS,
    REPORT_COLUMNS,
    SEP,
    TEXT_COLUMNS,
    WIDE_ID_COLUMNS,
    YOY_COLUMNS,
    Col,
    ExportError,
)
from ogi.export.tables import csv_bytes, jsonl_bytes, parquet_bytes, stata_bytes, typed_columns

logger = logging.getLogger(__name__)


@dataclass
class ExportResult:
    out_dir: Path
    files: list[str]
    n_reports: int
    n_statistics: int
    version: str
    warnings: list[str] = field(default_factory=list)


# --- reading the database ----------------------------------------------------------------------------

def _connect(db_path: str | Path) -> sqlite3.Connection:
    """Open read-only: an export must never change (or create) the corpus (corpus.readonly.open_readonly)."""
    return open_readonly(db_path, tables=(*OGI_TABLES, "report_captures"), error=ExportError)


def _check_filters(years: Sequence[int] | None, provinces: Sequence[str] | None,
                   agencies: Sequence[str] | None) -> None:
    for year in years or ():
        if not MIN_YEAR <= int(year) <= MAX_YEAR:
            raise ExportError(f"report year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    for what, values in (("province", provinces), ("agency", agencies)):
        for value in values or ():
            if (shown := invalid_utf8(str(value))) is not None:
                raise ExportError(f"--{what} {shown!r} is not valid UTF-8 text")


def _filters_for_readme(selection: Selection) -> dict[str, Any]:
    """The filters as the README lists them: the four it always named, then any other that was given."""
    out: dict[str, Any] = {"years": list(selection.years or []), "provinces": list(selection.provinces or []),
                           "agencies": list(selection.agencies or []), "only_passing": selection.only_passing}
    for name in ("cities", "counties", "adcodes", "site_ids", "departments", "forms"):
        if getattr(selection, name):
            out[name] = list(getattr(selection, name))
    for name in ("year_from", "year_to"):
        if getattr(selection, name) is not None:
            out[name] = getattr(selection, name)
    return out


def _json_list(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return [text]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _read_reports(conn: sqlite3.Connection, selection: Selection) -> list[dict[str, Any]]:
    """The selected reports as export rows: list-valued cells joined with SEP, counts, capture provenance."""
    rows = selected_reports(conn, selection)
    ids = [r["report_id"] for r in rows]
    n_stats = statistic_counts(conn, ids)
    caps = report_captures(conn, ids)
    cross = cross_year_flags(conn, *selection.where_on(conn))
    similar = similarity_by_report(conn, ids)
    for r in rows:
        r["cross_year_flags"] = SEP.join(str(f) for f in cross.get(r["report_id"], []))
        r["cross_list"] = [f.message for f in cross.get(r["report_id"], [])]
        r["agency_id"] = panel_id(r["agency"], r["adcode"])
        r.update(similar.get(r["report_id"], {}))
        flags, errors = _json_list(r["flags"]), _json_list(r["errors"])
        r["flags_list"], r["errors_list"] = flags, errors
        r["flags"], r["n_flags"] = SEP.join(flags), len(flags)
        r["errors"], r["n_errors"] = SEP.join(errors), len(errors)
        r["alt_source_urls"] = SEP.join(_json_list(r["alt_source_urls"]))
        r["n_statistics"] = n_stats.get(r["report_id"], 0)
        rc = caps.get(r["report_id"], [])
        for role, prefix in (("page", "page"), ("attachment", "attachment")):
            mine = [c for c in rc if (c["role"] == "attachment") == (role == "attachment")]
            r[f"{prefix}_urls"] = SEP.join(c["url"] or "" for c in mine)
            r[f"{prefix}_sha256"] = SEP.join(c["sha256"] or "" for c in mine)
    return rows


def _generated(conn: sqlite3.Connection) -> str:
    """The latest crawl time in the database (never the export time, so exports are reproducible)."""
    return latest_crawl_time(conn) or "unknown"


def _stamp(generated: str) -> datetime:
    try:
        return datetime.fromisoformat(generated.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        return datetime(2000, 1, 1)


def export_dataset(
    db_path: str | Path,
    out_dir: str | Path,
    *,
    years: Sequence[int] | None = None,
    provinces: Sequence[str] | None = None,
    agencies: Sequence[str] | None = None,
    only_passing: bool = False,
    excel_bom: bool = False,
    stata: bool = False,
    force: bool = False,
    selection: Selection | None = None,
    allow_empty: bool = True,
) -> ExportResult:
    """Write the dataset for the reports matching the filters into `out_dir`.

    `selection`: the reports (corpus.selection; replaces years/provinces/agencies/only_passing when given).
    `allow_empty=False`: an ExportError, and nothing written, when no report is selected (a filter matching
    nothing must not replace a good export with an empty package).

    Raises ExportError for a missing, foreign or damaged database, bad filters,
    an output directory holding files an earlier export did not write (unless `force`; see files.check_out_dir)
    or one that cannot be written (disk full, no permission: then nothing in it has changed). An empty
    selection writes a valid, empty package and warns.
    """
    if selection is None:
        selection = Selection(years, provinces, agencies, only_passing)
    _check_filters(selection.years, selection.provinces, selection.agencies)
    conn = _connect(db_path)
    # A postgresql:// URL stays text (a Path folds its '//'), shown without its password.
    shown, out_dir = (redact(str(db_path)) if is_postgres_url(str(db_path)) else Path(db_path)), Path(out_dir)
    warnings: list[str] = []
    try:
        replaces, others = check_out_dir(out_dir, force)
        with reading(shown, ExportError), one_snapshot(conn):
            blobs, files, reports, stats, version = _build(conn, selection, excel_bom, stata, warnings)
    finally:
        conn.close()
    if not reports and not allow_empty:
        raise ExportError(("no reports match the filters" if not selection.is_empty() else "the corpus has no reports")
                          + f": nothing written to {out_dir} (--allow-empty writes an empty package)")
    write_files(out_dir, blobs, replaces)
    if others:
        msg = (f"--force: wrote beside {len(others)} files ogi export did not write ("
               + ", ".join(others[:5]) + (" ..." if len(others) > 5 else "") + "); same-named ones were overwritten")
        logger.warning(msg)
        warnings.append(msg)
    logger.info("exported %s, %s to %s (version %s)", counted(len(reports), "report"), counted(len(stats), "statistic"),
                out_dir, version)
    return ExportResult(out_dir, files, len(reports), len(stats), version, warnings)


def _build(
    conn: sqlite3.Connection, selection: Selection, excel_bom: bool, stata: bool, warnings: list[str],
) -> tuple[dict[str, bytes], list[str], list[dict[str, Any]], list[dict[str, Any]], str]:
    """Every file of the export as bytes (nothing written yet), the file list, reports, statistics, version."""
    reports = _read_reports(conn, selection)
    stats = selected_statistics(conn, selection)
    flags_of = {r["report_id"]: [*r["flags_list"], *r["cross_list"]] for r in reports}
    for st in stats:  # the agency's panel id, and the checks that concern this very number (ogi.flag_words)
        st["agency_id"] = panel_id(st["agency"], st["adcode"])
        st["flags"] = number_flags(flags_of.get(st["report_id"], []), st["key"])
    book, book_source = load_codebook()
    generated = _generated(conn)

    if not reports:
        msg = "no reports match the filters: writing an empty package" if not selection.is_empty() \
            else "the corpus has no reports: writing an empty package"
        logger.warning(msg)
        warnings.append(msg)

    report_cols = typed_columns(REPORT_COLUMNS, reports, warnings)
    wide_cols = wide_columns(book)
    wide_keys = [c.name for c in wide_cols if c.name.startswith("core.")]
    by_report: dict[int, dict[str, float]] = {}
    for s in stats:
        if s["key"] in wide_keys:
            by_report.setdefault(s["report_id"], {})[s["key"]] = s["value"]
    wide_rows = [{**{c.name: r.get(c.name) for c in WIDE_ID_COLUMNS}, **by_report.get(r["report_id"], {})}
                 for r in reports]
    unknown = sorted({s["key"] for s in stats} - set(book))
    if unknown:
        logger.info("%d statistic keys are not in the codebook: %s", len(unknown), ", ".join(unknown[:10]))
    stat_keys = list(book) + unknown

    all_core = {}
    for s in stats:
        if s["key"].startswith("core."):
            all_core.setdefault(s["report_id"], {})[s["key"]] = s["value"]
    tables: dict[str, list[Col]] = {
        "reports.csv": report_cols, "statistics_long.csv": LONG_COLUMNS, "statistics_wide.csv": wide_cols,
        "year_over_year.csv": YOY_COLUMNS, "peers.csv": PEER_COLUMNS, "texts.jsonl": TEXT_COLUMNS,
    }
    rows_of = {"reports.csv": reports, "statistics_long.csv": stats, "statistics_wide.csv": wide_rows,
               "year_over_year.csv": year_over_year_rows(conn, *selection.where_on(conn)),
               "peers.csv": peer_rows(reports, all_core), "texts.jsonl": reports}
    blobs: dict[str, bytes] = {f: csv_bytes(tables[f], rows_of[f]) for f in CSV_FILES}
    blobs["texts.jsonl"] = jsonl_bytes(TEXT_COLUMNS, reports)
    # The version hashes the content (BOM-free CSVs and texts), so --excel/--stata do not change it.
    version = hashlib.sha256(
        b"".join(hashlib.sha256(blobs[f]).digest() for f in (*CSV_FILES, "texts.jsonl"))
    ).hexdigest()[:12]

    stata_files = {f: f.replace(".csv", ".dta") for f in CSV_FILES} if stata else {}
    cb_rows = codebook_rows(tables, book, stat_keys, stata_files)
    blobs["codebook.csv"] = csv_bytes(CODEBOOK_COLUMNS, cb_rows)
    tables["codebook.csv"] = CODEBOOK_COLUMNS
    blobs["codebook.md"] = codebook_md(cb_rows, book_source, {f: tables[f] for f in rows_of}).encode("utf-8")
    if excel_bom:
        for f in (*CSV_FILES, "codebook.csv"):
            blobs[f] = BOM + blobs[f]
    for csv_name, pq_name in zip(CSV_FILES, PARQUET_FILES, strict=True):
        blobs[pq_name] = parquet_bytes(tables[csv_name], rows_of[csv_name])
    title = "China government information-disclosure annual reports (政府信息公开工作年度报告), ogi export"
    if stata:
        stamp = _stamp(generated)
        for csv_name, dta_name in stata_files.items():
            blobs[dta_name] = stata_bytes(tables[csv_name], rows_of[csv_name], f"ogi {csv_name} {version}", stamp)

    sites = site_rows(conn, sorted({r["site_id"] for r in reports if r["site_id"]}))
    package = datapackage({f: tables[f] for f in (*rows_of, "codebook.csv")}, blobs, version,
                           "utf-8-sig" if excel_bom else "utf-8", generated, title)
    package.update(package_provenance(sites))
    blobs["datapackage.json"] = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    years_found = sorted({r["report_year"] for r in reports if r["report_year"] is not None})
    blobs["CITATION.cff"] = citation_cff(title, version, generated, len(reports), years_found).encode("utf-8")
    files = sorted([*blobs, "README.md", "SHA256SUMS"])
    filters = _filters_for_readme(selection)
    blobs["README.md"] = readme(crawl_history(conn), sites, reports, len(stats), version, generated, filters, files,
                                excel_bom, stata, book_source, title).encode("utf-8")
    blobs["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(blobs[f]).hexdigest()}  {f}\n" for f in sorted(blobs)
    ).encode("utf-8")
    return blobs, files, reports, stats, version
