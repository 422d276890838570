"""`ogi export`: turn the corpus database into a dataset a researcher can take away and cite.

Why it is shaped this way: researchers load the numbers in pandas, R, Stata or Excel, and must be
able to (a) trace every number to the capture it came from, (b) know what every column and key
means (bilingual codebook), (c) check they have the exact files that were published (SHA256SUMS,
a content-hash version) and (d) get the same bytes again from the same corpus. So: no export-run
timestamps anywhere, stable ordering by report_id/key, Parquet without writer-dependent metadata,
and a Frictionless Data Package describing the CSVs.

Files written (see `codebook.md` in an export for every column):
reports.csv, statistics_long.csv, statistics_wide.csv, texts.jsonl, *.parquet, optional *.dta,
codebook.csv, codebook.md, datapackage.json, README.md, SHA256SUMS.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import math
import os
import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from corpus.readonly import MAX_YEAR, MIN_YEAR, OGI_TABLES, open_readonly, reading
from ogi.codebook import KeyInfo, load_codebook
from ogi.ops import YEAR

logger = logging.getLogger(__name__)

DEFAULT_DB = "data/ogi.db"
SEP = " | "  # joins list-valued cells (flags, URLs); never occurs inside a URL or a flag name
BOM = b"\xef\xbb\xbf"
STATA_VERSION = 118  # the first .dta version with Unicode strings

CSV_FILES = ("reports.csv", "statistics_long.csv", "statistics_wide.csv")
PARQUET_FILES = ("reports.parquet", "statistics_long.parquet", "statistics_wide.parquet")
STATA_FILES = ("reports.dta", "statistics_long.dta", "statistics_wide.dta")
META_FILES = ("texts.jsonl", "codebook.csv", "codebook.md", "datapackage.json", "README.md", "SHA256SUMS")
ALL_FILES = frozenset(CSV_FILES + PARQUET_FILES + STATA_FILES + META_FILES)
PACKAGE_NAME = "ogi-annual-reports"  # datapackage.json `name`: with SHA256SUMS, marks a directory as ogi's export
STAGING_PREFIX = ".ogi-export-"  # files are written here inside the output directory, then moved into place


class ExportError(click.ClickException):
    """A user-facing export problem (bad database, refused output directory)."""


@dataclass(frozen=True)
class Col:
    """One column of an exported table, with what the codebook says about it."""

    name: str
    type: str  # frictionless type: string | integer | number | date
    label_zh: str
    label_en: str
    unit: str = ""
    description: str = ""


@dataclass
class ExportResult:
    out_dir: Path
    files: list[str]
    n_reports: int
    n_statistics: int
    version: str
    warnings: list[str] = field(default_factory=list)


# --- columns ----------------------------------------------------------------------------------------

_ID = Col("report_id", "integer", "报告编号", "report id", description="Report id in this corpus; joins every file.")
_AGENCY = Col("agency", "string", "机关名称", "agency (canonical name)")
_ADCODE = Col("adcode", "string", "行政区划代码", "6-digit GB/T 2260 county code",
              description="Text, not a number: read it as a string (R: colClasses).")
_YEAR = Col("report_year", "integer", "报告年度", "year the report covers (not the year published)")
_REGION = [
    Col("department", "string", "部门类别", "kind of agency (e.g. 住建, 人民政府), if classified"),
    Col("province", "string", "省级行政区", "province"),
    Col("city", "string", "地级行政区", "prefecture-level city"),
    Col("county", "string", "县级行政区", "county-level division"),
]
_FORM = Col("form", "string", "报告格式", "form the report follows",
            description="form2021 | form2019 | legacy_table | narrative (see spec/metrics.md).")
_N_FLAGS = Col("n_flags", "integer", "检查标记数", "number of failed checks (0 = all checks passed)")

REPORT_COLUMNS: list[Col] = [
    _ID, _AGENCY,
    Col("agency_as_printed", "string", "报告所印机关名称", "agency name exactly as printed in the report"),
    *_REGION, _ADCODE, _YEAR,
    Col("title", "string", "标题", "title"),
    Col("published_at", "date", "发布日期", "date the site posted the report (ISO 8601)"),
    Col("document_date", "date", "成文日期", "date printed in the document (signing date, ISO 8601)"),
    _FORM,
    Col("source_url", "string", "来源网址", "detail page the report was found on"),
    Col("alt_source_urls", "string", "其他来源网址", "other URLs that carried the same report",
        description=f"Joined with '{SEP}'."),
    Col("sha256", "string", "来源文件哈希", "SHA-256 of the bytes the text was extracted from"),
    Col("text_source", "string", "文本来源格式", "format the text came from: html | pdf | docx | doc | text | ocr"),
    Col("flags", "string", "检查标记", "failed checks, e.g. balance_mismatch",
        description=f"Joined with '{SEP}'; blank = every check passed."),
    _N_FLAGS,
    Col("errors", "string", "提取问题", "extraction problems", description=f"Joined with '{SEP}'."),
    Col("n_errors", "integer", "提取问题数", "number of extraction problems"),
    Col("n_statistics", "integer", "统计数据项数", "number of statistics read from the report"),
    Col("site_id", "string", "站点编号", "registry site the report was crawled from"),
    Col("first_seen", "string", "首次保存时间", "first saved to the corpus (UTC ISO 8601)"),
    Col("last_seen", "string", "最近保存时间", "latest crawl that found it (UTC ISO 8601)"),
    Col("page_urls", "string", "页面抓取网址", "captured URLs of the detail page (every version)",
        description=f"Joined with '{SEP}', aligned with page_sha256."),
    Col("page_sha256", "string", "页面抓取哈希", "SHA-256 of each captured page version",
        description=f"Joined with '{SEP}', aligned with page_urls; raw bytes are under raw/<sha[:2]>/<sha>."),
    Col("attachment_urls", "string", "附件抓取网址", "captured URLs of the attachments (every version)",
        description=f"Joined with '{SEP}', aligned with attachment_sha256."),
    Col("attachment_sha256", "string", "附件抓取哈希", "SHA-256 of each captured attachment version",
        description=f"Joined with '{SEP}', aligned with attachment_urls."),
]

LONG_COLUMNS: list[Col] = [
    _ID, _AGENCY, _ADCODE, _YEAR,
    Col("key", "string", "指标代码", "canonical statistic key (see the statistic keys in the codebook)"),
    Col("value", "number", "数值", "the number (counts are whole numbers; unit per key in the codebook)"),
    Col("source", "string", "数据位置", "where in the report it was read: table | text"),
    Col("evidence", "string", "原文依据", "the table row or sentence it was read from, verbatim"),
    Col("capture_id", "integer", "抓取编号", "capture holding the bytes it was read from"),
    Col("capture_url", "string", "抓取网址", "URL of that capture"),
    Col("capture_sha256", "string", "抓取哈希", "SHA-256 of that capture's bytes"),
    Col("fetched_at", "string", "抓取时间", "when those bytes were first fetched (UTC ISO 8601)"),
]

WIDE_ID_COLUMNS: list[Col] = [_ID, _AGENCY, *_REGION, _ADCODE, _YEAR, _FORM, _N_FLAGS]

TEXT_COLUMNS: list[Col] = [
    _ID, _AGENCY, _YEAR,
    Col("title", "string", "标题", "title"),
    Col("source_url", "string", "来源网址", "detail page the report was found on"),
    Col("sha256", "string", "来源文件哈希", "SHA-256 of the bytes the text was extracted from"),
    Col("text", "string", "全文", "full text after repairs"),
]

CODEBOOK_COLUMNS: list[Col] = [
    Col("kind", "string", "类别", "column (of a file) or statistic (a key in statistics_long)"),
    Col("file", "string", "文件", "file the column belongs to"),
    Col("name", "string", "名称", "column name or statistic key"),
    Col("stata_name", "string", "Stata变量名", "variable name in the .dta files (Stata naming rules)"),
    Col("label_zh", "string", "中文标签", "Chinese label"),
    Col("label_en", "string", "英文释义", "English gloss"),
    Col("unit", "string", "单位", "unit"),
    Col("type", "string", "类型", "data type: string | integer | number | date"),
    Col("forms", "string", "适用格式", "report forms that have it", description=f"Joined with '{SEP}'."),
    Col("description", "string", "说明", "notes"),
]


# --- reading the database ----------------------------------------------------------------------------

def _connect(db_path: str | Path) -> sqlite3.Connection:
    """Open read-only: an export must never change (or create) the corpus (ogi.ops.open_readonly)."""
    return open_readonly(db_path, tables=(*OGI_TABLES, "report_captures"), error=ExportError)


def _check_filters(years: Sequence[int] | None, provinces: Sequence[str] | None,
                   agencies: Sequence[str] | None) -> None:
    for year in years or ():
        if not MIN_YEAR <= int(year) <= MAX_YEAR:
            raise ExportError(f"report year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    for what, values in (("province", provinces), ("agency", agencies)):
        for value in values or ():
            try:
                str(value).encode("utf-8")
            except UnicodeEncodeError:
                shown = str(value).encode("utf-8", "surrogateescape")
                raise ExportError(f"--{what} {shown!r} is not valid UTF-8 text") from None


def _report_filter(
    years: Sequence[int] | None, provinces: Sequence[str] | None, agencies: Sequence[str] | None, only_passing: bool
) -> tuple[str, list[Any]]:
    """WHERE clause on `reports r`: OR within one filter, AND across filters."""
    clauses: list[str] = []
    params: list[Any] = []
    if years:
        clauses.append(f"r.report_year IN ({', '.join('?' * len(years))})")
        params += [int(y) for y in years]
    if provinces:  # exact, or a prefix so 湖北 matches 湖北省
        clauses.append("(" + " OR ".join("r.province = ? OR r.province LIKE ? || '%' ESCAPE '\\'" for _ in provinces) + ")")
        for p in provinces:
            params += [p, _like_escape(p)]
    if agencies:  # substring, as `ogi search --agency`
        clauses.append("(" + " OR ".join("r.agency LIKE '%' || ? || '%' ESCAPE '\\'" for _ in agencies) + ")")
        params += [_like_escape(a) for a in agencies]
    if only_passing:
        clauses.append("(r.flags IS NULL OR r.flags IN ('', '[]'))")
    return " AND ".join(clauses) or "1", params


def _like_escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _json_list(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return [text]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _read_reports(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = [dict(r) for r in conn.execute(f"SELECT r.* FROM reports r WHERE {where} ORDER BY r.report_id", params)]
    ids = [r["report_id"] for r in rows]
    n_stats: dict[int, int] = {}
    caps: dict[int, list[sqlite3.Row]] = {}
    for chunk in _chunks(ids, 500):
        marks = ", ".join("?" * len(chunk))
        for rid, n in conn.execute(
            f"SELECT report_id, count(*) FROM statistics WHERE report_id IN ({marks}) GROUP BY report_id", chunk
        ):
            n_stats[rid] = n
        for c in conn.execute(
            f"""SELECT rc.report_id, rc.role, c.url, c.sha256 FROM report_captures rc
                JOIN captures c USING (capture_id) WHERE rc.report_id IN ({marks})
                ORDER BY rc.report_id, c.capture_id""",
            chunk,
        ):
            caps.setdefault(c["report_id"], []).append(c)
    for r in rows:
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


def _read_statistics(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[dict[str, Any]]:
    sql = f"""SELECT s.report_id, r.agency, r.adcode, r.report_year, s.key, s.value, s.source, s.evidence,
                     s.capture_id, c.url AS capture_url, c.sha256 AS capture_sha256, c.first_seen AS fetched_at
              FROM statistics s JOIN reports r ON r.report_id = s.report_id
              LEFT JOIN captures c ON c.capture_id = s.capture_id
              WHERE {where} ORDER BY s.report_id, s.key"""
    return [dict(r) for r in conn.execute(sql, params)]


def _chunks(items: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


# --- formatting ------------------------------------------------------------------------------------------

def _num(value: Any) -> str:
    """A number as text: whole numbers without '.0' (counts), others in Python's shortest repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    v = float(value)
    if not math.isfinite(v):
        return ""
    if v.is_integer() and abs(v) < 2**53:
        return str(int(v))
    return repr(v)


def _cell(value: Any, col: Col) -> str:
    if value is None:
        return ""
    if col.type in ("integer", "number"):
        return _num(value)
    return str(value)


def _csv_bytes(columns: list[Col], rows: list[dict[str, Any]]) -> bytes:
    """RFC 4180 CSV (minimal quoting, LF line ends), UTF-8 without BOM."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c.name), c) for c in columns])
    return buf.getvalue().encode("utf-8")


def _jsonl_bytes(columns: list[Col], rows: list[dict[str, Any]]) -> bytes:
    out = []
    for row in rows:
        out.append(json.dumps({c.name: row.get(c.name) for c in columns}, ensure_ascii=False) + "\n")
    return "".join(out).encode("utf-8")


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _typed_columns(columns: list[Col], rows: list[dict[str, Any]], warnings: list[str]) -> list[Col]:
    """Declare a date column as 'date' only if every value is YYYY-MM-DD: the schema must not lie."""
    out = []
    for col in columns:
        if col.type == "date":
            bad = [r[col.name] for r in rows if r.get(col.name) and not _is_iso_date(str(r[col.name]))]
            if bad:
                msg = f"{col.name}: {len(bad)} values are not ISO dates (e.g. {bad[0]!r}); typed as string"
                logger.warning(msg)
                warnings.append(msg)
                col = Col(col.name, "string", col.label_zh, col.label_en, col.unit, col.description)
        out.append(col)
    return out


# --- Parquet and Stata ------------------------------------------------------------------------------------

def _arrow_table(columns: list[Col], rows: list[dict[str, Any]]) -> Any:
    """A pyarrow Table built from plain lists with an explicit schema (no pandas metadata)."""
    import pyarrow as pa

    types = {"integer": pa.int64(), "number": pa.float64()}
    fields, data = [], {}
    for col in columns:
        typ = types.get(col.type, pa.string())
        fields.append(pa.field(col.name, typ))
        vals = [row.get(col.name) for row in rows]
        if col.type == "integer":
            vals = [None if v is None else int(v) for v in vals]
        elif col.type == "number":
            vals = [None if v is None else float(v) for v in vals]
        else:
            vals = [None if v is None else str(v) for v in vals]
        data[col.name] = vals
    return pa.Table.from_pydict(data, schema=pa.schema(fields))


def _parquet_bytes(columns: list[Col], rows: list[dict[str, Any]]) -> bytes:
    """Parquet via pyarrow: same input, same bytes (checked by the tests)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(_arrow_table(columns, rows), sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


_STATA_RESERVED = {
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_N",
    "_pi", "_pred", "_rc", "_skip", "strL", "using", "with",
}


def stata_names(names: Sequence[str]) -> dict[str, str]:
    """Column name -> a valid, unique Stata variable name (≤32 chars of [A-Za-z0-9_], no leading digit)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "v"
        if base[0].isdigit():
            base = "_" + base
        if base in _STATA_RESERVED or re.fullmatch(r"str\d+", base):
            base = base + "_"
        base = base[:32]
        cand, i = base, 1
        while cand.lower() in used:
            suffix = f"_{i}"
            cand = base[: 32 - len(suffix)] + suffix
            i += 1
        used.add(cand.lower())
        out[name] = cand
    return out


def _stata_bytes(columns: list[Col], rows: list[dict[str, Any]], label: str, stamp: datetime) -> bytes:
    """.dta version 118 (Unicode); strings missing -> "" (Stata has no string missing value)."""
    import pandas as pd

    names = stata_names([c.name for c in columns])
    data: dict[str, Any] = {}
    for col in columns:
        vals = [row.get(col.name) for row in rows]
        if col.type in ("integer", "number"):
            data[names[col.name]] = pd.Series([math.nan if v is None else float(v) for v in vals], dtype="float64")
            if col.type == "integer" and all(v is not None for v in vals) and vals:
                data[names[col.name]] = data[names[col.name]].astype("int64")
        else:
            data[names[col.name]] = pd.Series(["" if v is None else str(v) for v in vals], dtype="object")
    frame = pd.DataFrame(data, columns=[names[c.name] for c in columns])
    labels = {names[c.name]: (c.label_en or c.name)[:80] for c in columns}
    buf = io.BytesIO()
    frame.to_stata(buf, write_index=False, version=STATA_VERSION, time_stamp=stamp, data_label=label[:80],
                   variable_labels=labels)
    return buf.getvalue()


# --- codebook, data package, README ----------------------------------------------------------------------

def _codebook_rows(
    tables: dict[str, list[Col]], book: dict[str, KeyInfo], stat_keys: list[str], stata_files: dict[str, str]
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for file, cols in tables.items():
        snames = stata_names([c.name for c in cols]) if file in stata_files else {}
        for c in cols:
            rows.append({"kind": "column", "file": file, "name": c.name, "stata_name": snames.get(c.name, ""),
                         "label_zh": c.label_zh, "label_en": c.label_en, "unit": c.unit, "type": c.type,
                         "forms": SEP.join(book[c.name].forms) if c.name in book else "",
                         "description": c.description})
    for key in stat_keys:
        info = book.get(key)
        rows.append({
            "kind": "statistic", "file": "statistics_long.csv", "name": key, "stata_name": "",
            "label_zh": info.label_zh if info else "", "label_en": info.label_en if info else "",
            "unit": info.unit if info else "", "type": "number",
            "forms": SEP.join(info.forms) if info else "",
            "description": "" if info else "not in the codebook: a key the extractor added; see spec/metrics.md",
        })
    return rows


def _wide_columns(book: dict[str, KeyInfo]) -> list[Col]:
    cols = list(WIDE_ID_COLUMNS)
    for key, info in book.items():
        if key.startswith("core."):
            cols.append(Col(key, "number", info.label_zh, info.label_en, info.unit,
                            f"statistic {key}; blank = absent from the report (not 0)"))
    return cols


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _codebook_md(rows: list[dict[str, str]], source: str, tables: dict[str, list[Col]]) -> str:
    out = ["# Codebook / 编码手册", "",
           "Every column of every file and every statistic key. 每个文件的每一列及每个统计指标。", "",
           f"Statistic keys from: {source}. Canonical keys: spec/metrics.md of the ogi project.", "",
           "Missing values are blank (CSV) or null (Parquet, JSON); a blank statistic is *absent* from the report, "
           "not 0. In Stata files blank strings are \"\" and blank numbers are `.`.", ""]
    for file in tables:
        out += [f"## {file}", "", "| name | Stata name | 中文 | English | type | unit | notes |", "|---|---|---|---|---|---|---|"]
        for r in rows:
            if r["kind"] == "column" and r["file"] == file:
                out.append("| " + " | ".join(_md_escape(r[k]) for k in
                                               ("name", "stata_name", "label_zh", "label_en", "type", "unit",
                                                "description")) + " |")
        out.append("")
    out += ["## Statistic keys (statistics_long.csv `key`)", "",
            "| key | 中文 | English | unit | forms | notes |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["kind"] == "statistic":
            out.append("| " + " | ".join(_md_escape(r[k]) for k in
                                           ("name", "label_zh", "label_en", "unit", "forms", "description")) + " |")
    return "\n".join(out) + "\n"


def _schema(cols: list[Col], primary_key: list[str] | None, fks: list[dict[str, Any]] | None) -> dict[str, Any]:
    fields = []
    for c in cols:
        desc = f"{c.label_zh} / {c.label_en}" + (f" ({c.unit})" if c.unit else "")
        if c.description:
            desc += f". {c.description}"
        fields.append({"name": c.name, "type": c.type, "title": c.label_zh, "description": desc})
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = primary_key
    if fks:
        schema["foreignKeys"] = fks
    return schema


def _datapackage(
    tables: dict[str, list[Col]], blobs: dict[str, bytes], version: str, encoding: str, generated: str, title: str
) -> dict[str, Any]:
    fk = [{"fields": ["report_id"], "reference": {"resource": "reports", "fields": ["report_id"]}}]
    keys = {
        "reports.csv": (["report_id"], None),
        "statistics_long.csv": (["report_id", "key"], fk),
        "statistics_wide.csv": (["report_id"], fk),
        "texts.jsonl": (["report_id"], fk),
        "codebook.csv": (["kind", "file", "name"], None),
    }
    resources = []
    for file, cols in tables.items():
        if file.endswith(".jsonl") and not blobs[file]:
            continue  # frictionless cannot read an empty JSON Lines file (no header); README says it is empty
        pk, fks = keys[file]
        res: dict[str, Any] = {"name": file.rsplit(".", 1)[0], "path": file, "profile": "tabular-data-resource"}
        if file.endswith(".csv"):
            res.update({"format": "csv", "mediatype": "text/csv", "encoding": encoding,
                        "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True,
                                    "header": True}})
        else:
            res.update({"format": "jsonl", "mediatype": "application/jsonl", "encoding": "utf-8"})
        res["hash"] = "sha256:" + hashlib.sha256(blobs[file]).hexdigest()
        res["bytes"] = len(blobs[file])
        res["schema"] = _schema(cols, pk, fks)
        resources.append(res)
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": title,
        "version": version,
        "description": ("Government information-disclosure annual reports (政府信息公开工作年度报告) collected by "
                        "ogi: one row per report, the numbers read from them with provenance, and their texts. "
                        "The .parquet and .dta files are copies of the CSV tables in other formats; see README.md."),
        **({"created": generated} if generated != "unknown" else {}),
        "resources": resources,
    }


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(_md_escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md_escape("" if v is None else v) for v in r) + " |" for r in rows]
    return out


def _readme(
    conn: sqlite3.Connection, reports: list[dict[str, Any]], n_stats: int, version: str, generated: str,
    filters: dict[str, Any], files: list[str], excel: bool, stata: bool, codebook_source: str, title: str,
) -> str:
    runs = conn.execute(
        """SELECT count(*), min(started_at), max(coalesce(finished_at, started_at)), count(DISTINCT site_id)
           FROM crawl_runs"""
    ).fetchone()
    by_status = conn.execute("SELECT status, count(*) FROM crawl_runs GROUP BY status ORDER BY status").fetchall()
    site_ids = sorted({r["site_id"] for r in reports if r["site_id"]})
    sites = []
    for chunk in _chunks(site_ids, 500):
        sites += conn.execute(
            f"""SELECT s.site_id, s.name, s.province, s.platform,
                       (SELECT max(coalesce(finished_at, started_at)) FROM crawl_runs cr WHERE cr.site_id = s.site_id)
                FROM sites s WHERE s.site_id IN ({', '.join('?' * len(chunk))}) ORDER BY s.site_id""",
            chunk,
        ).fetchall()
    err_kinds = conn.execute("SELECT kind, count(*) FROM crawl_errors GROUP BY kind ORDER BY kind").fetchall()

    years = sorted({r["report_year"] for r in reports if r["report_year"] is not None})
    active = {k: v for k, v in filters.items() if v}
    out = [f"# {title}", "",
           f"Dataset version `{version}` (a hash of the exported content: the same corpus and filters give the "
           "same version and byte-identical files).", "",
           f"Generated from crawls up to {generated} (the latest crawl time in the database)."
           if generated != "unknown" else "Generated from a database with no recorded crawl time.", "",
           f"{len(reports)} reports, {n_stats} statistics"
           + (f", report years {years[0]}–{years[-1]}." if years else "."), ""]
    out.append("Filters: " + ("; ".join(f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}"
                                         for k, v in active.items()) if active else "none (the whole corpus)") + ".")
    out += ["", "## How the data was collected", "",
            "The ogi crawler (Scrapy) reads every list page of each registered county government portal, saves "
            "every response it receives (URL, time, SHA-256 of the bytes) and extracts annual reports from the "
            "detail pages and their attachments (HTML, PDF, DOCX; OCR where needed). Numbers are read from the "
            "standard tables (forms of 2019 and 2021, the 2008–2018 indicator table) or, for narrative reports, "
            "from sentences, and stored under the canonical keys of the codebook with the evidence quoted. "
            "Deterministic checks (e.g. new + carried over = handled + carried forward) are recorded as flags.", ""]
    if runs[0]:
        out.append(f"Crawl runs: {runs[0]} over {runs[3]} sites, from {runs[1]} to {runs[2]} (UTC); "
                   + ", ".join(f"{s}: {n}" for s, n in by_status) + ".")
    else:
        out.append("Crawl runs: none recorded in the database (reports were loaded without a crawl).")
    if sites:
        out += ["", "Sites the exported reports come from:", ""]
        out += _table(["site_id", "name", "province", "platform", "latest crawl"], [list(s) for s in sites])
    # coverage
    out += ["", "## Coverage", ""]
    if not reports:
        out.append("No reports match: this is an empty (but valid) package.")
    else:
        prov = Counter(r["province"] or "(unknown)" for r in reports)
        out += ["Reports by province:", ""]
        out += _table(["province", "reports"], [[p, n] for p, n in sorted(prov.items())])
        forms = Counter(r["form"] or "(unknown)" for r in reports)
        out += ["", "Reports by form:", ""]
        out += _table(["form", "reports"], [[f, n] for f, n in sorted(forms.items())])
        cell = Counter((r["agency"] or "(unknown)", r["report_year"]) for r in reports)
        agencies = sorted({a for a, _ in cell})
        ycols = sorted({y for _, y in cell}, key=lambda y: (y is None, y or 0))
        limit = 300
        out += ["", f"Reports by agency × year ({len(agencies)} agencies"
                + (f"; first {limit} shown, all are in reports.csv" if len(agencies) > limit else "") + "):", ""]
        out += _table(["agency", *[str(y) if y is not None else "(no year)" for y in ycols]],
                      [[a, *[cell.get((a, y), "") for y in ycols]] for a in agencies[:limit]])
    # problems
    if not reports:
        out.append("texts.jsonl is empty and so not listed in datapackage.json (an empty JSON Lines file has no header).")
    out += ["", "## Known problems", ""]
    flagged = [r for r in reports if r["n_flags"]]
    kinds = Counter(f for r in reports for f in r["flags_list"])
    out.append(f"{len(flagged)} of {len(reports)} reports have flags (failed checks; `flags` in reports.csv, "
               "`--only-passing` exports only reports without).")
    if kinds:
        out += ["", *_table(["flag", "reports"], [[k, n] for k, n in sorted(kinds.items())])]
    with_err = [r for r in reports if r["n_errors"]]
    errs = Counter(e[:120] for r in reports for e in r["errors_list"])
    out += ["", f"{len(with_err)} reports have extraction errors (`errors` in reports.csv)."]
    if errs:
        out += ["", *_table(["extraction error", "count"], [[k, n] for k, n in sorted(errs.items())])]
    if err_kinds:
        out += ["", "Crawl errors in the database (whole corpus), by kind: "
                + ", ".join(f"{k}: {n}" for k, n in err_kinds) + "."]
    no_cap = sum(1 for r in reports if not r["page_urls"] and not r["attachment_urls"])
    if no_cap:
        out += ["", f"{no_cap} reports have no linked capture (provenance limited to source_url and sha256)."]
    # files
    out += ["", "## Files", "",
            "- `reports.csv` / `.parquet`: one row per report (metadata, flags, capture URLs and hashes).",
            "- `statistics_long.csv` / `.parquet`: one row per (report, key) with source, evidence and capture.",
            "- `statistics_wide.csv` / `.parquet`: one row per report, one column per `core.*` key (blank = absent).",
            "- `texts.jsonl`: one JSON object per line with each report's full text.",
            "- `codebook.csv`, `codebook.md`: every column and statistic key, in Chinese and English.",
            "- `datapackage.json`: Frictionless Data Package (schemas, keys, CSV dialect, hashes).",
            "- `SHA256SUMS`: check with `sha256sum -c SHA256SUMS`."]
    if stata:
        out.append("- `*.dta`: Stata 14+ files (format 118, Unicode); variable names follow Stata rules, "
                   "mapping in codebook.csv (`stata_name`).")
    out += ["", "CSV: comma-separated, `\"`-quoted where needed, LF line ends, header row, "
            + ("UTF-8 **with BOM** (written with `--excel`) so Excel shows the Chinese text correctly."
               if excel else "UTF-8 without BOM. For Excel, export with `--excel` (adds a UTF-8 BOM) or use "
                             "Data → From Text/CSV and choose UTF-8."),
            "", "Loading:", "", "```python", "import pandas as pd",
            "reports = pd.read_csv('reports.csv', dtype={'adcode': str})",
            "wide = pd.read_csv('statistics_wide.csv', dtype={'adcode': str})", "```", "", "```r",
            "reports <- read.csv('reports.csv', encoding = 'UTF-8', colClasses = c(adcode = 'character'))", "```",
            "", f"Statistic keys come from {codebook_source}.", ""]
    # citation
    year = generated[:4] if generated[:4].isdigit() else "n.d."
    out += ["## How to cite", "", "```",
            f"ogi contributors ({year}). {title}. Dataset version {version}, "
            f"generated from crawls up to {generated}. {len(reports)} reports.", "```", "", "```bibtex",
            f"@misc{{ogi_{version},", "  author = {{ogi contributors}},", f"  title = {{{title}}},",
            f"  year = {{{year}}},", f"  version = {{{version}}},",
            f"  note = {{Generated from crawls up to {generated}; {len(reports)} reports; "
            "verify files with SHA256SUMS}", "}", "```", ""]
    out += ["Files in this package: " + ", ".join(f"`{f}`" for f in files) + ".", ""]
    return "\n".join(out)


# --- the export -------------------------------------------------------------------------------------------

def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _previous_export(out_dir: Path) -> dict[str, str]:
    """name -> sha256 of the files an earlier `ogi export` wrote into out_dir (from its SHA256SUMS), or {}.

    Recognised only when SHA256SUMS lists nothing but export file names, including datapackage.json,
    and that datapackage.json names ogi's package: a user's own SHA256SUMS is not taken for ogi's."""
    try:
        sums = (out_dir / "SHA256SUMS").read_text(encoding="utf-8")
        package = json.loads((out_dir / "datapackage.json").read_bytes())
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    listed: dict[str, str] = {}
    for line in sums.splitlines():
        m = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        if m is None or m[2] not in ALL_FILES:
            return {}
        listed[m[2]] = m[1]
    if not isinstance(package, dict) or package.get("name") != PACKAGE_NAME or "datapackage.json" not in listed:
        return {}
    return listed


def _check_out_dir(out_dir: Path, force: bool) -> tuple[list[str], list[str]]:
    """May the export write into out_dir? Returns (the earlier export's files it replaces, stale ones
    removed; the files it did not write, left in place or, same-named, overwritten with `force`).

    A new or empty directory is fine. An earlier `ogi export` there (its SHA256SUMS and datapackage.json)
    is replaced file by file, each only if it still has the hash SHA256SUMS gives it. Anything else (a
    README.md or reports.csv of the user's, an edited export file, other files) refuses the export unless
    `force`; then same-named files are overwritten and the others left in place, never deleted.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a directory")
    if not out_dir.is_dir():
        return [], []
    try:
        entries = sorted(out_dir.iterdir())
        listed = _previous_export(out_dir)
        ours, others = [], []
        for p in entries:
            if p.name.startswith(STAGING_PREFIX) and p.is_dir():
                continue  # the staging directory of an export that was killed: ours, harmless
            if p.name == "SHA256SUMS" and listed:
                ours.append(p.name)
            elif p.name in listed and p.is_file() and _sha256_file(p) == listed[p.name]:
                ours.append(p.name)
            elif p.name in listed:
                others.append(f"{p.name} (changed since ogi exported it)")
            else:
                others.append(p.name)
    except OSError as exc:
        raise ExportError(f"cannot read the output directory {out_dir}: {exc.strerror or exc}") from exc
    in_the_way = sorted(p.name for p in entries if p.name in ALL_FILES and p.is_dir())
    if in_the_way:  # not even --force: a file cannot replace a directory
        raise ExportError(f"{out_dir} holds a directory named like an export file ({', '.join(in_the_way)}); "
                          "choose another output directory")
    if others and not force:
        shown = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
        clash = sorted(n.split(" ")[0] for n in others if n.split(" ")[0] in ALL_FILES)
        raise ExportError(
            f"{out_dir} already holds other files that ogi export did not write ({shown}); choose a new or empty "
            "directory, or add --force to write beside them"
            + (f" (--force overwrites {', '.join(clash)})" if clash else ""))
    return ours, others


def _write_files(out_dir: Path, blobs: dict[str, bytes], replaces: list[str]) -> None:
    """Write every file into a staging directory inside out_dir, then rename them into place.

    A failure while writing (disk full, no permission, a file in the way) leaves out_dir as it was and
    removes the directories made for it, so an interrupted export never destroys the previous one.
    """
    made: list[Path] = []  # directories this call creates, outermost first
    parent = out_dir
    while not parent.exists() and parent != parent.parent:
        made.insert(0, parent)
        parent = parent.parent
    staging: Path | None = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
        for name, data in blobs.items():
            (staging / name).write_bytes(data)
    except OSError as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for d in reversed(made):
            try:
                d.rmdir()
            except OSError:
                break
        where = f" ({Path(exc.filename).name})" if exc.filename and staging and str(staging) in str(exc.filename) \
            else ""
        raise ExportError(f"cannot write the export to {out_dir}: {exc.strerror or exc}{where}; "
                          "nothing there was changed") from exc
    try:
        for name in replaces:  # an earlier export's files this one does not write (a stale .dta)
            if name not in blobs:
                (out_dir / name).unlink(missing_ok=True)
        for name in sorted(blobs, key=lambda n: n == "SHA256SUMS"):  # SHA256SUMS last
            os.replace(staging / name, out_dir / name)
        staging.rmdir()
    except OSError as exc:
        raise ExportError(f"cannot move the export into {out_dir}: {exc.strerror or exc}; "
                          f"its files are in {staging}") from exc


def _generated(conn: sqlite3.Connection) -> str:
    """The latest crawl time in the database (never the export time, so exports are reproducible)."""
    row = conn.execute(
        """SELECT max(t) FROM (SELECT max(coalesce(finished_at, started_at)) AS t FROM crawl_runs
                               UNION ALL SELECT max(last_seen) FROM captures
                               UNION ALL SELECT max(last_seen) FROM reports)"""
    ).fetchone()
    return row[0] or "unknown"


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
) -> ExportResult:
    """Write the dataset for the reports matching the filters into `out_dir`.

    Raises ExportError (a click.ClickException) for a missing, foreign or damaged database, bad filters,
    an output directory holding files an earlier export did not write (unless `force`; see _check_out_dir)
    or one that cannot be written (disk full, no permission: then nothing in it has changed). An empty
    selection writes a valid, empty package and warns.
    """
    _check_filters(years, provinces, agencies)
    conn = _connect(db_path)
    db_path, out_dir = Path(db_path), Path(out_dir)
    warnings: list[str] = []
    try:
        replaces, others = _check_out_dir(out_dir, force)
        with reading(db_path, ExportError):
            blobs, files, reports, stats, version = _build(conn, years, provinces, agencies, only_passing,
                                                           excel_bom, stata, warnings)
    finally:
        conn.close()
    _write_files(out_dir, blobs, replaces)
    if others:
        msg = (f"--force: wrote beside {len(others)} files ogi export did not write ("
               + ", ".join(others[:5]) + (" ..." if len(others) > 5 else "") + "); same-named ones were overwritten")
        logger.warning(msg)
        warnings.append(msg)
    logger.info("exported %d reports, %d statistics to %s (version %s)", len(reports), len(stats), out_dir, version)
    return ExportResult(out_dir, files, len(reports), len(stats), version, warnings)


def _build(
    conn: sqlite3.Connection, years: Sequence[int] | None, provinces: Sequence[str] | None,
    agencies: Sequence[str] | None, only_passing: bool, excel_bom: bool, stata: bool, warnings: list[str],
) -> tuple[dict[str, bytes], list[str], list[dict[str, Any]], list[dict[str, Any]], str]:
    """Every file of the export as bytes (nothing written yet), the file list, reports, statistics, version."""
    where, params = _report_filter(years, provinces, agencies, only_passing)
    reports = _read_reports(conn, where, params)
    stats = _read_statistics(conn, where, params)
    book, book_source = load_codebook()
    generated = _generated(conn)

    if not reports:
        msg = "no reports match the filters: writing an empty package" if any(
            (years, provinces, agencies, only_passing)) else "the corpus has no reports: writing an empty package"
        logger.warning(msg)
        warnings.append(msg)

    report_cols = _typed_columns(REPORT_COLUMNS, reports, warnings)
    wide_cols = _wide_columns(book)
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

    tables: dict[str, list[Col]] = {
        "reports.csv": report_cols, "statistics_long.csv": LONG_COLUMNS, "statistics_wide.csv": wide_cols,
        "texts.jsonl": TEXT_COLUMNS,
    }
    rows_of = {"reports.csv": reports, "statistics_long.csv": stats, "statistics_wide.csv": wide_rows,
               "texts.jsonl": reports}
    blobs: dict[str, bytes] = {f: _csv_bytes(tables[f], rows_of[f]) for f in CSV_FILES}
    blobs["texts.jsonl"] = _jsonl_bytes(TEXT_COLUMNS, reports)
    # The version hashes the content (BOM-free CSVs and texts), so --excel/--stata do not change it.
    version = hashlib.sha256(
        b"".join(hashlib.sha256(blobs[f]).digest() for f in (*CSV_FILES, "texts.jsonl"))
    ).hexdigest()[:12]

    stata_files = {f: f.replace(".csv", ".dta") for f in CSV_FILES} if stata else {}
    cb_rows = _codebook_rows(tables, book, stat_keys, stata_files)
    blobs["codebook.csv"] = _csv_bytes(CODEBOOK_COLUMNS, cb_rows)
    tables["codebook.csv"] = CODEBOOK_COLUMNS
    blobs["codebook.md"] = _codebook_md(cb_rows, book_source, {f: tables[f] for f in rows_of}).encode("utf-8")
    if excel_bom:
        for f in (*CSV_FILES, "codebook.csv"):
            blobs[f] = BOM + blobs[f]
    for csv_name, pq_name in zip(CSV_FILES, PARQUET_FILES, strict=True):
        blobs[pq_name] = _parquet_bytes(tables[csv_name], rows_of[csv_name])
    title = "China government information-disclosure annual reports (政府信息公开工作年度报告), ogi export"
    if stata:
        stamp = _stamp(generated)
        for csv_name, dta_name in stata_files.items():
            blobs[dta_name] = _stata_bytes(tables[csv_name], rows_of[csv_name], f"ogi {csv_name} {version}", stamp)

    package = _datapackage({f: tables[f] for f in (*rows_of, "codebook.csv")}, blobs, version,
                           "utf-8-sig" if excel_bom else "utf-8", generated, title)
    blobs["datapackage.json"] = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files = sorted([*blobs, "README.md", "SHA256SUMS"])
    filters = {"years": list(years or []), "provinces": list(provinces or []),
               "agencies": list(agencies or []), "only_passing": only_passing}
    blobs["README.md"] = _readme(conn, reports, len(stats), version, generated, filters, files, excel_bom,
                                 stata, book_source, title).encode("utf-8")
    blobs["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(blobs[f]).hexdigest()}  {f}\n" for f in sorted(blobs)
    ).encode("utf-8")
    return blobs, files, reports, stats, version


@click.command("export")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database to export.")
@click.option("--year", "years", multiple=True, type=YEAR, help="Only this report year (repeatable).")
@click.option("--province", "provinces", multiple=True, help="Only this province, exact or prefix (repeatable).")
@click.option("--agency", "agencies", multiple=True, help="Only agencies containing this text (repeatable).")
@click.option("--only-passing", is_flag=True, help="Only reports with no flags (every check passed).")
@click.option("--excel", is_flag=True, help="Write CSVs as UTF-8 with BOM so Excel shows Chinese correctly.")
@click.option("--stata", is_flag=True, help="Also write Stata .dta files (format 118, Unicode).")
@click.option("--force", is_flag=True,
              help="Write into a directory holding files ogi export did not write (same-named ones are overwritten).")
def export_command(out_dir: str, db: str, years: tuple[int, ...], provinces: tuple[str, ...],
                   agencies: tuple[str, ...], only_passing: bool, excel: bool, stata: bool, force: bool) -> None:
    """Export the corpus as a citable dataset (CSV, Parquet, JSONL, codebook, data package)."""
    result = export_dataset(db, out_dir, years=years or None, provinces=provinces or None,
                            agencies=agencies or None, only_passing=only_passing, excel_bom=excel, stata=stata,
                            force=force)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"{result.n_reports} reports, {result.n_statistics} statistics -> {result.out_dir} "
               f"(version {result.version}, {len(result.files)} files)")
