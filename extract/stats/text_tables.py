"""Table rows that fell out of their table when it was turned into text, and tables flattened one
cell per line.

Seed 003's table 三 ends before `四、结转下年度继续办理`, whose number sits alone on a later line. The
label is unambiguous, so its numbers are taken from the next non-blank line (one number = the total;
seven = one per column).
"""

from __future__ import annotations

import logging
import re

from .base import Collector, Value, norm, parse_value
from .keys import PROACTIVE_COLUMN_PATTERNS, PROACTIVE_ROW_PATTERNS, REQUEST_COLUMNS

logger = logging.getLogger(__name__)

_COLUMNS = tuple(REQUEST_COLUMNS)  # natural_person, the five organisation columns, total
_CARRIED_FORWARD = re.compile(r"^[\s\u3000]*(?:四[、.．]?)?\s*结转下年度?继续办理[\s\u3000]*$")


def lone_carried_forward(text: str, out: Collector) -> None:
    """`四、结转下年度继续办理` on its own line, its number(s) on the next non-blank line."""
    lines = (text or "").splitlines()
    for i, line in enumerate(lines):
        if not _CARRIED_FORWARD.match(line.replace("\t", "")):
            continue
        for nxt in lines[i + 1 : i + 4]:
            cells = [c for c in re.split(r"[\t ]+|\u3000+", nxt.strip()) if c]
            if not cells:
                continue
            values = [parse_value(c) for c in cells]
            if not all(isinstance(v, Value) for v in values):
                break
            nums = [v.number for v in values if isinstance(v, Value)]
            evidence = f"text after table 三: {line.strip()} | {nxt.strip()}"
            if len(nums) == 1:
                out.add("requests.carried_forward.total", nums[0], "table", evidence)
            elif len(nums) == len(_COLUMNS):
                for col, n in zip(_COLUMNS, nums, strict=True):
                    out.add(f"requests.carried_forward.{col}", n, "table", evidence)
            else:
                out.flag(f"table 三: {len(nums)} numbers after {line.strip()}; not placed")
            return
        return


# --- tables flattened one cell per line --------------------------------------------------------------

_NUMBER_LINE = re.compile(r"^[+\-]?\d[\d,]*(?:\.\d+)?$")


def _column_groups(fragments: list[str], width: int) -> list[str] | None:
    """Header fragments joined into `width` column labels ('本年新' + '公开数量'); None when they do not fit."""
    groups: list[str] = []
    acc = ""
    for frag in fragments:
        acc += frag
        if any(p.search(acc) for _k, p in PROACTIVE_COLUMN_PATTERNS) and not acc.endswith(("本年新", "对外公开")):
            groups.append(acc)
            acc = ""
    return groups if not acc and len(groups) == width else None


def vertical_grids(text: str) -> list[list[list[str]]]:
    """Table 二 written one cell per line (pages whose table markup was lost): '信息内容', its column
    headers (possibly broken over lines), then each row label followed by one number per column.

    A block is rebuilt only when every row has exactly as many numbers as there are column labels.
    """
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    grids: list[list[list[str]]] = []
    i = 0
    while i < len(lines):
        if norm(lines[i]) != "信息内容":
            i += 1
            continue
        j = i + 1
        fragments: list[str] = []
        while j < len(lines) and not _NUMBER_LINE.match(norm(lines[j])) and not _is_row(lines[j]):
            fragments.append(norm(lines[j]))
            j += 1
        rows: list[list[str]] = []
        width = 0
        while j < len(lines) and _is_row(lines[j]):
            k = j + 1
            while k < len(lines) and _NUMBER_LINE.match(norm(lines[k])):
                k += 1
            nums = lines[j + 1 : k]
            if not nums or (width and len(nums) != width):
                break
            width = width or len(nums)
            rows.append([lines[j], *nums])
            j = k
        header = _column_groups(fragments, width) if rows else None
        if header:
            grids.append([["信息内容", *header], *rows])
        i = max(j, i + 1)
    return grids


def _is_row(line: str) -> bool:
    n = norm(line)
    return len(n) <= 20 and any(p.search(n) for _k, p in PROACTIVE_ROW_PATTERNS)
