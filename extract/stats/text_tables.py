"""Table rows that fell out of their table when it was turned into text.

Seed 003's table 三 ends before `四、结转下年度继续办理`, whose number sits alone on a later line. The
label is unambiguous, so its numbers are taken from the next non-blank line (one number = the total;
seven = one per column).
"""

from __future__ import annotations

import logging
import re

from .base import Collector, Value, parse_value
from .keys import REQUEST_COLUMNS

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
