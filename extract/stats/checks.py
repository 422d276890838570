"""Consistency checks. They only add flags: a report that does not add up is still stored as printed."""

from __future__ import annotations

import logging

from .base import Collector
from .keys import ORG_COLUMNS, REQUEST_COLUMNS, REQUEST_ROWS

logger = logging.getLogger(__name__)

_COLS = tuple(REQUEST_COLUMNS)
_PARTS = [r for r in REQUEST_ROWS if r.startswith(("denied_", "unavailable_", "rejected_"))]


def _fmt(v: float | int) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 0.005


def check_table3(out: Collector) -> None:
    g = out.get
    for col in _COLS:
        new, handled = g(f"requests.new.{col}"), g(f"requests.handled_total.{col}")
        if new is None or handled is None:
            continue
        co, cf = g(f"requests.carried_over.{col}") or 0, g(f"requests.carried_forward.{col}") or 0
        if not _close(new + co, handled + cf):
            out.flag(
                f"table 三 column {col}: new + carried over ({_fmt(new)}+{_fmt(co)}) != "
                f"handled total + carried forward ({_fmt(handled)}+{_fmt(cf)})"
            )
    for row in REQUEST_ROWS:
        total = g(f"requests.{row}.total")
        parts = [g(f"requests.{row}.{c}") for c in ("natural_person", *ORG_COLUMNS)]
        present = [p for p in parts if p is not None]
        if total is None or not present:
            continue
        if not _close(sum(present), total):
            out.flag(f"table 三 row {row}: columns add up to {_fmt(sum(present))}, total says {_fmt(total)}")
    for col in _COLS:
        handled = g(f"requests.handled_total.{col}")
        if handled is None:
            continue
        other = g(f"requests.other.{col}")
        if other is None:
            subs = [
                g(f"requests.{r}.{col}") for r in ("other_no_correction", "other_unpaid_fee", "other_misc")
            ]
            other = sum(s for s in subs if s is not None) if any(s is not None for s in subs) else None
        parts = [g(f"requests.{r}.{col}") for r in ("granted", "partial", *_PARTS)] + [other]
        present = [p for p in parts if p is not None]
        if present and not _close(sum(present), handled):
            out.flag(
                f"table 三 column {col}: outcomes add up to {_fmt(sum(present))}, total handled says {_fmt(handled)}"
            )
    for col in _COLS:
        o = g(f"requests.other.{col}")
        subs = [g(f"requests.{r}.{col}") for r in ("other_no_correction", "other_unpaid_fee", "other_misc")]
        if o is not None and all(s is not None for s in subs) and not _close(o, sum(subs)):  # type: ignore[arg-type]
            out.flag(f"table 三 column {col}: （六）其他处理 {_fmt(o)} != its sub-rows {_fmt(sum(subs))}")  # type: ignore[arg-type]


def check_table4(out: Collector) -> None:
    for grp in ("review", "litigation_direct", "litigation_after_review"):
        total = out.get(f"{grp}.total")
        parts = [out.get(f"{grp}.{c}") for c in ("upheld", "corrected", "other", "pending")]
        present = [p for p in parts if p is not None]
        if total is None or not present:
            continue
        if not _close(sum(present), total):
            out.flag(
                f"table 四 {grp}: upheld + corrected + other + pending = {_fmt(sum(present))}, total says {_fmt(total)}"
            )


def check_document_date(document_date: str | None, report_year: int | None, out: Collector) -> None:
    """A report on year N is written after N ends; an earlier signing date is a wrong year or date."""
    if not document_date or not report_year:
        return
    if document_date[:10] < f"{report_year}-12-31":
        out.flag("document date falls before the end of the report year")


def plural(n: float | int, word: str) -> str:
    return word if n == 1 else word + "s"
