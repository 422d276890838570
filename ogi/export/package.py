"""The codebook (codebook.csv and codebook.md: every column and statistic key, in Chinese and English)
and datapackage.json (a Frictionless Tabular Data Package describing the tables)."""

from __future__ import annotations

import hashlib
from typing import Any

from ogi.codebook import KeyInfo
from ogi.export.spec import PACKAGE_NAME, SEP, WIDE_ID_COLUMNS, Col
from ogi.export.tables import stata_names


def codebook_rows(
    tables: dict[str, list[Col]], book: dict[str, KeyInfo], stat_keys: list[str], stata_files: dict[str, str]
) -> list[dict[str, str]]:
    """codebook.csv's rows: every column of every table (with its Stata name when .dta files are written),
    then every statistic key (the codebook's, then keys the extractor added)."""
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
            "description": "" if info else "not in the codebook: a key the extractor added (its evidence in "
                                           "statistics_long.csv says what it counts)",
        })
    return rows


def wide_columns(book: dict[str, KeyInfo]) -> list[Col]:
    """statistics_wide's columns: the report's identity, then one per `core.*` key of the codebook."""
    cols = list(WIDE_ID_COLUMNS)
    for key, info in book.items():
        if key.startswith("core."):
            cols.append(Col(key, "number", info.label_zh, info.label_en, info.unit,
                            f"statistic {key}; blank = absent from the report (not 0)"))
    return cols


def md_escape(text: str) -> str:
    """Text for one Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def codebook_md(rows: list[dict[str, str]], source: str, tables: dict[str, list[Col]]) -> str:
    """codebook.md: the codebook rows as one Markdown table per file and one of statistic keys."""
    out = ["# Codebook / 编码手册", "",
           "Every column of every file and every statistic key. 每个文件的每一列及每个统计指标。", "",
           f"Statistic keys: the table at the end of this file (ogi's codebook, {source}).", "",
           "Missing values are blank (CSV) or null (Parquet, JSON); a blank statistic is *absent* from the report, "
           "not 0. In Stata files blank strings are \"\" and blank numbers are `.`.", ""]
    for file in tables:
        out += [f"## {file}", "", "| name | Stata name | 中文 | English | type | unit | notes |", "|---|---|---|---|---|---|---|"]
        for r in rows:
            if r["kind"] == "column" and r["file"] == file:
                out.append("| " + " | ".join(md_escape(r[k]) for k in
                                               ("name", "stata_name", "label_zh", "label_en", "type", "unit",
                                                "description")) + " |")
        out.append("")
    out += ["## Statistic keys (statistics_long.csv `key`)", "",
            "| key | 中文 | English | unit | forms | notes |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["kind"] == "statistic":
            out.append("| " + " | ".join(md_escape(r[k]) for k in
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


def datapackage(
    tables: dict[str, list[Col]], blobs: dict[str, bytes], version: str, encoding: str, generated: str, title: str
) -> dict[str, Any]:
    """datapackage.json: one tabular resource per table (schema, keys, CSV dialect, hash, size)."""
    fk = [{"fields": ["report_id"], "reference": {"resource": "reports", "fields": ["report_id"]}}]
    keys = {
        "reports.csv": (["report_id"], None),
        "statistics_long.csv": (["report_id", "key"], fk),
        "statistics_wide.csv": (["report_id"], fk),
        "texts.jsonl": (["report_id"], fk),
        "year_over_year.csv": (["report_id", "key"], fk),
        "peers.csv": (["report_id"], fk),
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
