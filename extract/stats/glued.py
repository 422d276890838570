"""Tables 三 and 四 whose cells were run together when a page was turned into text.

Crawler text dumps join a table's cells with nothing between them: `（一）予以公开6000017`,
`一、本年新收政府信息公开申请数量200 000121`, `…尚未审结总计000000000000000`. The digits of a row
are still all there, and the form's arithmetic says where they part: in table 三 the six applicant
columns add up to the total, in table 四 each group's four outcomes add up to its total. A row is
read only when exactly one way of cutting its digits satisfies that (numbers have no leading zeros);
otherwise it is left out and flagged. Spaces inside a run are ignored: they do not fall on cell
boundaries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from .base import Collector
from .keys import REQUEST_COLUMNS, REQUEST_ROW_PATTERNS

logger = logging.getLogger(__name__)

_COLS = tuple(REQUEST_COLUMNS)
_RUN = re.compile(r"\d(?:[ \u00a0\u3000]*\d)*")
_MAX_DIGITS = 6  # no cell of these tables holds a million
_MAX_SOLUTIONS = 2
_MAX_STEPS = 200_000  # a run of digits that long is not a table row; give up rather than search


def split_digits(
    digits: str,
    parts: int,
    ok: Callable[[list[int]], bool],
    prefix_ok: Callable[[list[int]], bool] | None = None,
) -> list[int] | None:
    """The one way to cut `digits` into `parts` numbers (no leading zeros) that `ok` accepts, else None.

    `prefix_ok` prunes partial cuts (table 四: each finished group must add up).
    """
    found: list[list[int]] = []
    steps = 0

    def walk(i: int, acc: list[int]) -> None:
        nonlocal steps
        steps += 1
        if len(found) >= _MAX_SOLUTIONS or steps > _MAX_STEPS:
            return
        if prefix_ok is not None and acc and not prefix_ok(acc):
            return
        left = parts - len(acc)
        if left == 0:
            if i == len(digits) and ok(acc):
                found.append(list(acc))
            return
        rest = len(digits) - i
        if rest < left or rest > left * _MAX_DIGITS:
            return
        longest = 1 if digits[i] == "0" else min(_MAX_DIGITS, rest - (left - 1))
        for n in range(1, longest + 1):
            acc.append(int(digits[i : i + n]))
            walk(i + n, acc)
            acc.pop()

    if len(digits) > parts * _MAX_DIGITS:
        return None
    walk(0, [])
    return found[0] if len(found) == 1 and steps <= _MAX_STEPS else None


def _row_adds_up(nums: list[int]) -> bool:
    return sum(nums[:6]) == nums[6]


def _groups_add_up(nums: list[int]) -> bool:
    return all(sum(nums[g : g + 4]) == nums[g + 4] for g in (0, 5, 10))


def _groups_so_far(nums: list[int]) -> bool:
    """Every finished group of a partial table 四 cut adds up."""
    return all(sum(nums[g : g + 4]) == nums[g + 4] for g in (0, 5, 10) if len(nums) >= g + 5)


def _section(text: str, start: str, end: str) -> str:
    """The text from a heading to the next `end`; of several occurrences (the opening paragraph lists
    the sections too) the one holding the most long runs of digits."""
    best, most = "", 0
    i = text.find(start)
    while i >= 0:
        j = text.find(end, i + len(start))
        body = text[i + len(start) : j if j > 0 else len(text)]
        runs = sum(1 for m in _RUN.finditer(body) if len(re.sub(r"\D", "", m.group())) >= 7)
        if runs > most:
            best, most = body, runs
        i = text.find(start, i + 1)
    return best


def read_glued_table3(text: str, out: Collector) -> int:
    """Table 三 rows whose cells were run together; returns how many rows were read."""
    body = _section(text or "", "收到和处理政府信息公开申请情况", "行政复议")
    if not body:
        return 0
    read = skipped = 0
    prev_end = 0
    section: str | None = None
    for m in _RUN.finditer(body):
        label = re.sub(r"\s+", "", body[prev_end : m.start()])
        digits = re.sub(r"\D", "", m.group())
        prev_end = m.end()
        if prev_end < len(body) and body[prev_end] in ".．、" and len(digits) > 1:
            digits, prev_end = digits[:-1], prev_end - 1  # the next label's numbering (…0000000 2.其他…)
        if re.search(r"其[他它]处理", label):
            section = "other"
        key = next((k for k, p in REQUEST_ROW_PATTERNS if p.search(label)), None)
        if section == "other" and re.search(r"(?:^|[^\d])3[.．、]其[他它]$", label):
            key = "other_misc"
        if key is None or len(digits) < len(_COLS):
            continue
        nums = split_digits(digits, len(_COLS), _row_adds_up)
        if nums is None:
            skipped += 1
            continue
        evidence = f"table 三 (digits run together): {label[-30:]} {m.group().strip()}"
        for col, n in zip(_COLS, nums, strict=True):
            out.add(f"requests.{key}.{col}", n, "table", evidence, "table-position")
        read += 1
    if read:
        out.flag(f"table 三: {read} row(s) read from digits run together, cut where each row adds up")
    if skipped:
        out.flag(f"table 三: {skipped} row(s) of digits run together could not be cut one way only; skipped")
    return read


def read_glued_table4(text: str, out: Collector) -> bool:
    """Table 四's row of 15 numbers run together after its headers."""
    body = _section(text or "", "行政复议、行政诉讼情况", "存在的主要问题")
    m = re.search(r"尚未审结总计" + r"(" + _RUN.pattern + r")", re.sub(r"\s+", "", body)) if body else None
    if not m:
        return False
    digits = re.sub(r"\D", "", m.group(1))
    nums = split_digits(digits, 15, _groups_add_up, _groups_so_far)
    if nums is None:
        out.flag("table 四: digits run together could not be cut one way only; skipped")
        return False
    keys = [f"{g}.{k}" for g in ("review", "litigation_direct", "litigation_after_review")
            for k in ("upheld", "corrected", "other", "pending", "total")]
    for key, n in zip(keys, nums, strict=True):
        out.add(key, n, "table", f"table 四 (digits run together): {m.group(1)}", "table-position")
    out.flag("table 四 read from digits run together, cut where each group adds up")
    return True
