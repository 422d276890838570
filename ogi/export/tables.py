"""The tables as bytes: CSV and JSON Lines, Parquet (pyarrow) and Stata .dta (pandas), each the same
bytes for the same rows (no timestamps, no writer metadata)."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from ogi.export.spec import STATA_CODES, STATA_DATES, STATA_VERSION, Col

logger = logging.getLogger(__name__)


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


def csv_bytes(columns: list[Col], rows: list[dict[str, Any]]) -> bytes:
    """RFC 4180 CSV (minimal quoting, LF line ends), UTF-8 without BOM."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    # csv quotes a line break only if it is in lineterminator ("\n"): a row with a bare "\r" in a cell is
    # written fully quoted, or readers (pandas, Python's csv) split the row at the "\r".
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow([c.name for c in columns])
    for row in rows:
        cells = [_cell(row.get(c.name), c) for c in columns]
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return buf.getvalue().encode("utf-8")


def jsonl_bytes(columns: list[Col], rows: list[dict[str, Any]]) -> bytes:
    """One JSON object per row and line (the columns' values as they are: null, not blank), UTF-8."""
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


def typed_columns(columns: list[Col], rows: list[dict[str, Any]], warnings: list[str]) -> list[Col]:
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


def parquet_bytes(columns: list[Col], rows: list[dict[str, Any]]) -> bytes:
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


def stata_label(col: Col) -> str:
    """A variable label in Chinese and English ("本年新收申请数 / requests received this year"), at most the 80
    characters Stata allows: the English part is shortened first."""
    zh, en = col.label_zh or "", col.label_en or col.name
    label = f"{zh} / {en}" if zh else en
    if len(label) <= 80:
        return label
    room = 80 - len(zh) - 3
    return f"{zh} / {en[: room - 1]}…" if zh and room > 8 else label[:79] + "…"


def _stata_codes(name: str, values: list[Any]) -> list[str]:
    """The labelled values of a coded column: the fixed codes, then any other value found, sorted."""
    fixed = list(STATA_CODES[name])
    return fixed + sorted({str(v) for v in values if v not in (None, "") and str(v) not in fixed})


def stata_bytes(columns: list[Col], rows: list[dict[str, Any]], label: str, stamp: datetime) -> bytes:
    """.dta version 118 (Unicode); strings missing -> "" (Stata has no string missing value).

    Labels in Chinese and English; ISO date columns (STATA_DATES) as Stata dates (%td); coded columns
    (STATA_CODES) as integers 0, 1, … with value labels, the same codes in every export.
    """
    import warnings

    import pandas as pd

    names = stata_names([c.name for c in columns])
    data: dict[str, Any] = {}
    dates: dict[str, str] = {}
    for col in columns:
        vals = [row.get(col.name) for row in rows]
        name = names[col.name]
        if col.type in ("integer", "number"):
            data[name] = pd.Series([math.nan if v is None else float(v) for v in vals], dtype="float64")
            if col.type == "integer" and all(v is not None for v in vals) and vals:
                data[name] = data[name].astype("int64")
        elif col.name in STATA_DATES:
            data[name] = pd.Series([_stata_date(v) for v in vals], dtype="datetime64[ns]")
            dates[name] = "td"
        elif col.name in STATA_CODES and vals:  # (pandas cannot label an empty column: it stays a string)
            codes = _stata_codes(col.name, vals)
            data[name] = pd.Categorical([None if v in (None, "") else str(v) for v in vals], categories=codes)
        else:
            data[name] = pd.Series(["" if v is None else str(v) for v in vals], dtype="object")
    frame = pd.DataFrame(data, columns=[names[c.name] for c in columns])
    labels = {names[c.name]: stata_label(c) for c in columns}
    buf = io.BytesIO()
    with warnings.catch_warnings():  # 52-bit panel ids are written as doubles, exactly: not a precision loss
        warnings.simplefilter("ignore", pd.errors.PossiblePrecisionLoss)
        frame.to_stata(buf, write_index=False, version=STATA_VERSION, time_stamp=stamp, data_label=label[:80],
                       variable_labels=labels, convert_dates=dates)
    return buf.getvalue()


def _stata_date(value: Any) -> Any:
    """An ISO date for Stata (NaT when blank or not a date: the CSV keeps the text)."""
    import pandas as pd

    if not value or not _is_iso_date(str(value)[:10]):
        return pd.NaT
    return pd.Timestamp(str(value)[:10])
