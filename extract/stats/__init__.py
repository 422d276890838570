"""Numbers of a disclosure report under the canonical keys of the codebook (`keys.CODEBOOK`).

`analyze` reads the form's tables (二, 三, 四, or the legacy indicator table) from grids, falls back
to tab-separated text tables and flattened legacy tables, then takes figures from sentences for what
the tables do not hold, fills `core.*` from whichever source the report has, and runs the checks.
Table numbers win over text; a text figure that disagrees with its table becomes a flag.
"""

from __future__ import annotations

import logging
import re

from extract.record import Grid, Stat
from extract.tables import text_tables_to_grids

from .base import Collector
from .checks import check_document_date, check_table3, check_table4, plural
from .glued import read_glued_table3, read_glued_table4
from .grid_tables import Table3, appeal_numbers_row, classify, read_table2, read_table4
from .keys import CODEBOOK, REQUEST_COLUMNS, REQUEST_ROWS
from .legacy import read_legacy_cells, read_legacy_grid, read_legacy_text
from .narrative import Found, find_numbers
from .text_tables import lone_carried_forward, vertical_grids

__all__ = ["CODEBOOK", "analyze"]

logger = logging.getLogger(__name__)

_SUMS = {
    "core.requests_denied": [f"requests.{r}.total" for r in REQUEST_ROWS if r.startswith("denied_")],
    "core.requests_unavailable": [
        f"requests.{r}.total" for r in REQUEST_ROWS if r.startswith("unavailable_")
    ],
    "core.requests_rejected": [f"requests.{r}.total" for r in REQUEST_ROWS if r.startswith("rejected_")],
    "core.litigation_total": ["litigation_direct.total", "litigation_after_review.total"],
    "core.litigation_corrected": ["litigation_direct.corrected", "litigation_after_review.corrected"],
}
_COPIES = {
    "core.requests_new": "requests.new.total",
    "core.requests_carried_over": "requests.carried_over.total",
    "core.requests_granted": "requests.granted.total",
    "core.requests_partial": "requests.partial.total",
    "core.requests_other": "requests.other.total",
    "core.requests_handled": "requests.handled_total.total",
    "core.requests_carried_forward": "requests.carried_forward.total",
    "core.review_total": "review.total",
    "core.review_corrected": "review.corrected",
}
_LEGACY_COPIES = {
    "core.proactive_items": "legacy.proactive_items",
    "core.requests_new": "legacy.requests_received",
    "core.requests_granted": "legacy.answer_granted",
    "core.requests_partial": "legacy.answer_partial",
    "core.requests_denied": "legacy.answer_denied",
    "core.review_total": "legacy.review_count",
    "core.litigation_total": "legacy.litigation_count",
}
_DISAGREE = {
    "core.requests_new": ("request", "received"),
    "core.review_total": ("administrative review", ""),
    "core.litigation_total": ("lawsuit", ""),
}


def analyze(
    text: str,
    tables: list[Grid],
    *,
    form: str | None = None,
    report_year: int | None = None,
    document_date: str | None = None,
    ocr: bool = False,
) -> tuple[list[Stat], list[str]]:
    """(stats, flags) for one report. Never raises: what cannot be read becomes a flag.

    `ocr`: the tables were rebuilt from OCR word boxes, where a misread digit looks like any other
    number — so table 三 rows and table 四 groups are taken only where their own sums hold, and
    tables without arithmetic (二, the legacy table) are not read.
    """
    out = Collector()
    try:
        _analyze(text or "", list(tables or []), form, report_year, document_date, out, ocr)
    except Exception as exc:  # the pipeline must go on with whatever was read
        logger.exception("analyze failed")
        out.flag(f"numbers could not be read: {type(exc).__name__}: {exc}")
    return list(out.stats.values()), out.flags


def _analyze(
    text: str,
    tables: list[Grid],
    form: str | None,
    report_year: int | None,
    document_date: str | None,
    out: Collector,
    ocr: bool = False,
) -> None:
    tables = [_as_grid(g, out) for g in tables]
    kinds = [_classify(g, out) for g in tables]
    from_text = False
    if not any(kinds):
        tables = text_tables_to_grids(text)
        kinds = [_classify(g, out) for g in tables]
        if "四" not in kinds and re.search(r"行政复议", text):
            kinds = [k or ("四" if appeal_numbers_row(g) else None) for g, k in zip(tables, kinds, strict=True)]
        from_text = True
    if "二" not in kinds:  # table 二 flattened one cell per line (its markup lost)
        for grid in vertical_grids(text):
            tables.append(grid)
            kinds.append(_classify(grid, out))
    t3 = Table3(out, form, verify_rows=ocr)
    origin: dict[str, str] = {}
    for grid, kind in zip(tables, kinds, strict=True):
        if kind is None or (kind == "legacy" and from_text):
            continue
        if ocr and kind in ("二", "legacy"):
            out.flag(f"table {kind} from OCR not read: it has no sums to check its digits against")
            continue
        try:
            if kind == "三":
                t3.read(grid)
            elif kind == "三+":
                t3.read(grid, continuation=True)
            elif kind == "四":
                read_table4(grid, out, verify=ocr)
            elif kind == "二":
                read_table2(grid, out)
            elif kind == "legacy":
                read_legacy_grid(grid, out)
        except Exception as exc:
            logger.debug("table %s failed", kind, exc_info=True)
            out.flag(f"table {kind.rstrip('+')} could not be read: {type(exc).__name__}: {exc}")
    try:  # a flattened legacy table in the text fills what the grids did not give
        read_legacy_cells(read_legacy_text(text), out, "legacy table (text)")
    except Exception as exc:
        out.flag(f"table legacy could not be read: {type(exc).__name__}: {exc}")
    if not ocr and not any(k.startswith("requests.") for k in out.stats):  # a text dump's cells run together
        read_glued_table3(text, out)
    if not ocr and not any(k.startswith("review.") for k in out.stats):
        read_glued_table4(text, out)
    if any(k.startswith("requests.") for k in out.stats) and not out.has("requests.carried_forward.total"):
        lone_carried_forward(text, out)
    _derive_other(out)
    _core_from_tables(out, origin)
    _from_text(text, out, origin)
    check_table3(out)
    check_table4(out)
    check_document_date(document_date, report_year, out)


def _as_grid(grid: object, out: Collector) -> Grid:
    """Cells as strings (None → ""): extractors of spreadsheets and DOCX may hand over other types."""
    try:
        return [["" if c is None else str(c) for c in row] for row in grid]  # type: ignore[union-attr]
    except TypeError as exc:
        out.flag(f"a table could not be read: {exc}")
        return []


def _classify(grid: Grid, out: Collector) -> str | None:
    try:
        return classify(grid) if grid else None
    except Exception as exc:
        out.flag(f"a table could not be classified: {type(exc).__name__}: {exc}")
        return None


def _derive_other(out: Collector) -> None:
    """form2021: （六）其他处理 is the sum of its three sub-rows."""
    for col in REQUEST_COLUMNS:
        subs = [
            out.stats.get(f"requests.{r}.{col}")
            for r in ("other_no_correction", "other_unpaid_fee", "other_misc")
        ]
        present = [s for s in subs if s is not None]
        if present and not out.has(f"requests.other.{col}"):
            out.add(
                f"requests.other.{col}",
                sum(s.value for s in present),
                "table",
                "sum of （六）其他处理 sub-rows: " + "; ".join(s.evidence for s in present),
                "derived",
            )


def _core_from_tables(out: Collector, origin: dict[str, str]) -> None:
    for core, key in _COPIES.items():
        s = out.stats.get(key)
        if s is not None and out.add(core, s.value, "table", f"= {key}; {s.evidence}", s.confidence):
            origin[core] = "table 三" if key.startswith("requests.") else "table 四"
    for core, keys in _SUMS.items():
        present = [out.stats[k] for k in keys if k in out.stats]
        if present and out.add(
            core, sum(s.value for s in present), "table", f"= {' + '.join(s.key for s in present)}", "derived"
        ):
            origin[core] = "table 三" if keys[0].startswith("requests.") else "table 四"
    for core, key in _LEGACY_COPIES.items():
        s = out.stats.get(key)
        if s is not None and out.add(core, s.value, "table", f"= {key}; {s.evidence}", s.confidence):
            origin[core] = "the statistics table"
    fees = out.stats.get("legacy.fees_10k_yuan")
    if fees is not None:
        out.add(
            "core.fees_collected_yuan",
            round(fees.value * 10000, 2),
            "table",
            f"= legacy.fees_10k_yuan × 10000; {fees.evidence}",
            "derived",
        )


def _from_text(text: str, out: Collector, origin: dict[str, str]) -> None:
    found, _sq = find_numbers(text)
    table_requests = out.has("requests.new.total")
    disagreed: set[str] = set()
    values: dict[str, list[Found]] = {}
    for f in found:
        values.setdefault(f.key, []).append(f)
    # sentences that give one quantity two values name it ambiguously: neither is taken — unless one
    # value is the sum of the others (全区2122条, 其中区直1509条, 乡镇613条): that one is the total
    split = set()
    for k, fs in values.items():
        distinct = sorted({float(x.value) for x in fs})
        if len(distinct) < 2:
            continue
        if len(distinct) >= 3 and abs(sum(distinct[:-1]) - distinct[-1]) < 0.005:
            values[k] = [x for x in fs if float(x.value) == distinct[-1]]
            found = [x for x in found if x.key != k or float(x.value) == distinct[-1]]
            continue
        split.add(k)
    for key in sorted(split):
        if out.has(key):
            continue
        shown = "; ".join(f"{_n(x.value)} ({x.phrase})" for x in values[key][:4])
        out.flag(f"sentences disagree on {key}: {shown}; not taken")
    for f in found:
        if f.key.startswith("requests.new.") and table_requests:
            continue
        if f.key in split and not out.has(f.key):
            continue
        if out.add(f.key, f.value, "text", f.sentence or f.phrase):
            continue
        have = out.get(f.key)
        if f.key in origin and have is not None and have != f.value and f.key not in disagreed:
            disagreed.add(f.key)  # the table's number stays; the sentence becomes a flag
            if f.key in _DISAGREE:
                word, verb = _DISAGREE[f.key]
                what = f"{_n(f.value)} {plural(f.value, word)}" + (f" {verb}" if verb else "")
            else:
                what = f"{_n(f.value)} for {f.key} ({CODEBOOK[f.key][0]})" if f.key in CODEBOOK else _n(f.value)
            out.flag(f"text says {what} ({f.phrase}) while {origin[f.key]} says {_n(have)}")


def _n(v: float | int) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
