"""The 2008–2018 indicator table (统计指标 | 单位 | 统计数), from a grid or flattened into text.

Flattened text (seed 001) holds one cell per line — label, unit, value — with blank lines, tabs and
full-width spaces between. Both shapes become one stream of cells; a label takes the first number
that follows it before the next label. Labels are matched after dropping numbering (`（一）`, `1.`),
`其中：` and parenthetical notes; repeated labels (被依法纠错数 …) are told apart by their section.
"""

from __future__ import annotations

import logging
import re

from extract.cjk import HAN_CHAR
from extract.record import Grid

from .base import Collector, Value, norm, parse_value
from .keys import LEGACY_ROWS

logger = logging.getLogger(__name__)

_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、)）])+"
)
_PAREN = re.compile(r"[（(][^（）()]*[)）]")
_UNITS = {"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "项", "家", "户", "宗", "份", "%", "单位"}
_CJK = HAN_CHAR


def legacy_label(text: str) -> str:
    """`（一）主动公开政府信息数（不同渠道…计1条）` -> `主动公开政府信息数`."""
    s = norm(text)
    s = _NUMBERING.sub("", s)
    s = re.sub(r"^其中[:：]?", "", s)
    s = _NUMBERING.sub("", s)
    for _ in range(3):
        s2 = _PAREN.sub("", s)
        if s2 == s:
            break
        s = s2
    return s.strip("：:，,。 ")


def _index() -> tuple[dict[tuple[str, str | None], str], list[tuple[str, str | None, str]]]:
    exact: dict[tuple[str, str | None], str] = {}
    for key, label, _g, _u, section, aliases in LEGACY_ROWS:
        for lab in (label, *aliases):
            exact.setdefault((legacy_label(lab), section), f"legacy.{key}")
    prefixes = sorted(((lab, sec, k) for (lab, sec), k in exact.items()), key=lambda t: -len(t[0]))
    return exact, prefixes


_EXACT, _PREFIXES = _index()


def _section_of(label: str) -> str | None:
    if "行政复议" in label:
        return "review"
    if "行政诉讼" in label:
        return "litigation"
    if re.search(r"举报投诉|投诉|申诉", label):
        return "complaints"
    return None


def match_legacy(label: str, section: str | None) -> str | None:
    lab = legacy_label(label)
    if not lab:
        return None
    key = _EXACT.get((lab, section)) or _EXACT.get((lab, None))
    if key:
        return key
    for prefix, sec, k in _PREFIXES:  # a label cut by a line break or a trailing note
        if sec in (None, section) and len(prefix) >= 4 and lab.startswith(prefix):
            return k
    return None


def _is_label(cell: str) -> bool:
    n = norm(cell)
    return bool(_CJK.search(n)) and n not in _UNITS and not isinstance(parse_value(n), Value)


def _unbalanced(s: str) -> bool:
    return s.count("（") + s.count("(") > s.count("）") + s.count(")")


def read_legacy_cells(cells: list[str], out: Collector, where: str) -> int:
    """Read a stream of cells; returns how many indicators were stored."""
    rows: list[tuple[str, list[str]]] = []
    for cell in cells:
        if not norm(cell):
            continue
        if _is_label(cell):
            n = norm(cell)
            tail = n.count("）") + n.count(")") > n.count("（") + n.count("(")
            if rows and (_unbalanced(rows[-1][0]) or tail) and not rows[-1][1] and not _NUMBERING.match(n):
                rows[-1] = (rows[-1][0] + norm(cell), [])  # the rest of a label broken over two lines
            else:
                rows.append((norm(cell), []))
        elif rows:
            rows[-1][1].append(norm(cell))
    section: str | None = None
    stored = 0
    for label, rest in rows:
        lab = legacy_label(label)
        if _NUMBERING.match(label) and re.match(r"^[一二三四五六七八九十]+[、.．]", label):
            section = _section_of(lab)
        elif _section_of(lab) and lab.endswith(("数量", "数")) and ("行政" in lab or "投诉" in lab):
            section = _section_of(lab)
        key = match_legacy(label, section)
        value = next((v for v in (parse_value(c) for c in rest) if isinstance(v, Value)), None)
        if key is None:
            if value is not None:
                logger.debug("legacy row not in the codebook: %s", label)
            continue
        if value is None:
            continue
        unit = next((c for c in rest if c in _UNITS), "")
        if out.add(
            key, value.number, "table", f"{where}: {label} | {unit} | {value.number}".replace("|  |", "|")
        ):
            stored += 1
    return stored


def read_legacy_grid(grid: Grid, out: Collector) -> int:
    return read_legacy_cells([c for row in grid for c in row], out, "legacy table")


def _line_tokens(line: str) -> list[str]:
    """One flattened row split at tabs, pipes and spaces; label pieces split by a space are joined
    again ('（一） 主动公开政府信息数 条 120' -> ['（一）主动公开政府信息数', '条', '120'])."""
    if "\t" in line:
        return line.split("\t")
    out: list[str] = []
    for tok in re.split(r"[ \u3000\u00a0|]+", line.strip()):
        if not tok:
            continue
        if out and _is_label(out[-1]) and _is_label(tok) and norm(tok) not in _UNITS:
            out[-1] += tok
        else:
            out.append(tok)
    return out


def read_legacy_text(text: str) -> list[str]:
    """The cells of a flattened legacy table: every line from the 统计指标 header on, split at tabs,
    pipes or spaces. Without the header, only lines that are exactly an indicator row of the form
    (a known label, its unit, a number) are taken: '收到申请数 件 12'."""
    lines = (text or "").splitlines()
    start = next((i for i, ln in enumerate(lines) if "统计指标" in norm(ln)), None)
    cells: list[str] = []
    if start is not None:
        for ln in lines[start + 1 :]:
            cells.extend(_line_tokens(ln))
        return cells
    for ln in lines:
        toks = [t for t in _line_tokens(ln) if norm(t)]
        if not 2 <= len(toks) <= 3 or len(norm(toks[0])) > 40:
            continue
        if not isinstance(parse_value(toks[-1]), Value) or (len(toks) == 3 and norm(toks[1]) not in _UNITS):
            continue
        lab = legacy_label(toks[0])
        if any(k == lab for k, _sec in _EXACT):
            cells.extend(toks)
    return cells
