"""Request parameters of ogi's pages, checked: a bad value is a 400 with a short message, never a 500
or unbounded work.

Why: every parameter reached the code as typed. `/-/completeness?from=1&to=999999` built a matrix of a
million years per agency (24 GB, >10 minutes), `from=-99999999999` a list that did not fit in memory
(500), `report_year=99999999999999999999` overflowed SQLite's integer (500). So years must lie within
the corpus' report years ± YEAR_MARGIN (read from the database on each request: a live crawl adds
years) and span at most MAX_YEAR_SPAN, page numbers are bounded, and texts are length-capped.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from datasette.utils.asgi import BadRequest

from corpus.indicators import report_year_range
from ogi.web.pages import read

YEAR_MARGIN = 5  # years before the first and after the last report year of the corpus
MAX_YEAR_SPAN = 50  # columns of the completeness matrix
FIRST_YEAR = 2008  # the Regulations took effect on 1 May 2008: the first annual reports cover 2008
MAX_PAGE = 10_000
MAX_TEXT_PARAM = 100  # a province, county, agency, department, form or statistic key

_INT_RE = re.compile(r"[+-]?\d{1,12}")


class ParamError(BadRequest):
    """A bad request parameter (HTTP 400); the message says which and what is allowed."""


def text_param(request: Any, name: str, max_chars: int = MAX_TEXT_PARAM) -> str:
    """The parameter, stripped ('' when absent); ParamError when longer than `max_chars`."""
    value = (request.args.get(name) or "").strip()
    if len(value) > max_chars:
        raise ParamError(f"{name} is too long: at most {max_chars} characters")
    return value


def int_param(request: Any, name: str, lo: int, hi: int, default: int | None = None) -> int | None:
    """The parameter as an integer in [lo, hi] (`default` when absent or empty); ParamError otherwise."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    if not _INT_RE.fullmatch(raw):
        raise ParamError(f"{name} must be a whole number from {lo} to {hi}, not {raw[:20]!r}")
    value = int(raw)
    if not lo <= value <= hi:
        raise ParamError(f"{name} must be from {lo} to {hi}, not {value}")
    return value


def year_bounds(first: int | None, last: int | None) -> tuple[int, int]:
    """Years a request may name: the corpus' report years ± YEAR_MARGIN (first/last None: empty corpus)."""
    if first is None or last is None:
        first, last = FIRST_YEAR, datetime.date.today().year
    return int(first) - YEAR_MARGIN, int(last) + YEAR_MARGIN


async def corpus_year_bounds(db: Any) -> tuple[int, int]:
    """`year_bounds` of the database's reports (`corpus.indicators.report_year_range`: the reports_year index)."""
    return year_bounds(*await read(db, report_year_range))


def year_range(request: Any, bounds: tuple[int, int]) -> tuple[int | None, int | None] | None:
    """`from`/`to` of the completeness page: each within `bounds`, from <= to, at most MAX_YEAR_SPAN years."""
    lo = int_param(request, "from", *bounds)
    hi = int_param(request, "to", *bounds)
    if lo is not None and hi is not None:
        if lo > hi:
            raise ParamError(f"from ({lo}) is after to ({hi})")
        if hi - lo + 1 > MAX_YEAR_SPAN:
            raise ParamError(f"at most {MAX_YEAR_SPAN} years at a time, not {hi - lo + 1}")
    if lo is None and hi is None:
        return None
    return lo, hi
