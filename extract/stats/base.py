"""Shared helpers for the numbers extractor: cell values, label normalisation, and the collector."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from extract.record import Stat

logger = logging.getLogger(__name__)

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，＋－（）：", "0123456789.,+-():")
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_UNITS = r"万元|元|件|条|个|项|人次|人|次|宗|篇|份|起|户|家"
_NUM = re.compile(rf"^([+\-])?(\d[\d,]*(?:\.\d+)?)[ ]*\(?({_UNITS})?\)?$")
_ABSENT = {"", "-", "—", "——", "－", "/", "／", "\\", "…", "*", "x", "X", "×"}
_ZERO_WORDS = {"无", "没有", "零", "〇"}


def norm(text: str) -> str:
    """Label form for matching: full-width punctuation/digits folded, all whitespace removed."""
    if text is None:
        return ""
    if not isinstance(text, str):  # a grid from a spreadsheet or DOCX may hold numbers
        text = str(text)
    return _norm(text)


@functools.lru_cache(maxsize=1 << 15)
def _norm(text: str) -> str:
    # cached: the table readers normalise the same labels and cells tens of thousands of times per report
    return _WS.sub("", text.translate(_FULLWIDTH))


@dataclass
class Value:
    number: float | int
    unit: str | None


def parse_value(cell: str) -> Value | None | str:
    """A number cell: Value, None when blank (absent), or the text itself when it is not a number.

    `+162` → 162, `-3` → -3, `129.59` → float, `251000元` → 251000 with unit 元, `无` → 0.
    """
    if type(cell) is not str:  # a spreadsheet's or DOCX's number, None: not cached (1 == 1.0 == True)
        return _parse_value(cell)
    parsed = _parse_str(cell)
    return Value(*parsed) if type(parsed) is tuple else parsed  # a fresh Value: callers own what they get


@functools.lru_cache(maxsize=1 << 15)
def _parse_str(cell: str) -> tuple[float | int, str | None] | None | str:
    # cached: the table readers parse every cell of a report several times (header check, rows, evidence)
    v = _parse_value(cell)
    return (v.number, v.unit) if isinstance(v, Value) else v


def _parse_value(cell: str) -> Value | None | str:
    s = norm(cell)
    if s in _ABSENT:
        return None
    if s in _ZERO_WORDS:
        return Value(0, None)
    m = _NUM.match(s)
    if not m:
        return cell
    sign, digits, unit = m.groups()
    digits = digits.replace(",", "")
    try:
        num: float | int = float(digits) if "." in digits else int(digits)
    except ValueError:
        return cell
    if sign == "-":
        num = -num
    return Value(num, unit)


# confidence classes of an emitted number, strongest first (see Stat.confidence)
CONFIDENCE = ("table-label", "table-position", "derived", "text")


class Collector:
    """Stats by key; the first source to give a key wins (tables are read before text)."""

    def __init__(self) -> None:
        self.stats: dict[str, Stat] = {}
        self.flags: list[str] = []

    def add(
        self, key: str, value: float | int, source: str, evidence: str, confidence: str | None = None
    ) -> bool:
        if key in self.stats:
            return False
        if isinstance(value, float) and value.is_integer() and "amount" not in key and "yuan" not in key:
            value = int(value)
        if confidence is None:
            confidence = "table-label" if source == "table" else "text"
        self.stats[key] = Stat(
            key=key, value=value, source=source, evidence=evidence[:500], confidence=confidence
        )
        return True

    def get(self, key: str) -> float | int | None:
        s = self.stats.get(key)
        return None if s is None else s.value

    def has(self, key: str) -> bool:
        return key in self.stats

    def flag(self, message: str) -> None:
        if message not in self.flags:
            logger.debug("flag: %s", message)
            self.flags.append(message)
