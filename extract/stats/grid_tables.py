"""Tables 二, 三 and 四 of the 2019 and 2021 forms, read from grids by their row and column labels.

Position alone is not trusted: labels move between columns (rowspan), header spans are lost in text
tables, and some rows lose their labels. Each cell is placed by the header above it and the label
beside it; what cannot be placed is flagged, never guessed silently.
"""

from __future__ import annotations

import logging
import re
from difflib import SequenceMatcher

from extract.record import Grid

from .base import Collector, Value, norm, parse_value
from .keys import (
    APPEAL_COLUMN_PATTERNS,
    PROACTIVE_CELLS,
    PROACTIVE_COLUMN_PATTERNS,
    PROACTIVE_ROW_PATTERNS,
    REQUEST_COLUMNS,
    REQUEST_ROW_PATTERNS,
    REQUEST_ROWS,
)

logger = logging.getLogger(__name__)

# --- classification --------------------------------------------------------------------------------


def _cells(grid: Grid) -> list[str]:
    return [norm(c) for row in grid for c in row if c]


def _any(cells: list[str], pattern: str) -> bool:
    rx = re.compile(pattern)
    return any(rx.search(c) for c in cells)


def appeal_numbers_row(grid: Grid) -> bool:
    """A text table of one row of 15 numbers whose groups add up (维持+纠正+其他+未审结 = 总计 three
    times): table 四 whose header stayed in the prose above it."""
    for row in grid:
        vals = [parse_value(c) for c in row if norm(c)]
        if len(vals) != 15 or not all(isinstance(v, Value) for v in vals):
            continue
        n = [v.number for v in vals if isinstance(v, Value)]
        if all(abs(sum(n[i : i + 4]) - n[i + 4]) < 0.005 for i in (0, 5, 10)):
            return True
    return False


def classify(grid: Grid) -> str | None:
    """Which table a grid is: "三", "三+" (continuation without header), "四", "二", "legacy" or None."""
    cells = _cells(grid)
    if not cells:
        return None
    if _any(cells, r"统计指标|收到申请数|主动公开政府信息数|申请答复数|同意公开答复数"):
        return "legacy"
    if _any(cells, r"自然人") and _any(cells, r"予以公开|本年新收|不予公开|办理结果|上年结转"):
        return "三"
    if _any(cells, r"行政复议") and _any(cells, r"结果维持|尚未审结|结果纠正"):
        return "四"
    if _any(cells, r"信息内容|新制作数量|制发件数|处理决定数量|采购项目数量") or (
        _any(cells, r"^规章|规范性文件") and _any(cells, r"行政许可|行政处罚")
    ):
        return "二"
    hits = sum(
        1 for c in cells if re.search(r"不予公开|无法提供|不予处理|重复申请|国家秘密|不掌握|其他处理", c)
    )
    if hits >= 2 or (_any(cells, r"本年新收") and _any(cells, r"上年结转|予以公开|部分公开")):
        return "三+"
    return None


# --- helpers ---------------------------------------------------------------------------------------

_NUMBERING = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])")


def _looks_like_label(cell: str) -> bool:
    n = norm(cell)
    return bool(_NUMBERING.match(n)) or any(p.search(n) for _, p in REQUEST_ROW_PATTERNS)


def _dedupe(parts: list[str]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if not out or out[-1] != p:
            out.append(p)
    return out


def _evidence(table: str, label: str, row: list[str]) -> str:
    # the label's own cells are left out; a number stays even when its digits occur in the label
    # (the 1 of "1.申请人…", the 2 of "第二十条第（二）项" would otherwise vanish from the row shown)
    nlabel = norm(label)
    cells = [c for c in row if c and (isinstance(parse_value(c), Value) or norm(c) not in nlabel)]
    return f"table {table}: {label} | " + " | ".join(cells)


# --- table 三 --------------------------------------------------------------------------------------

_REQ_COL_PATTERNS = [
    ("natural_person", re.compile(r"自然人|公民")),
    ("commercial", re.compile(r"商业企业|^企业$")),
    ("research", re.compile(r"科研")),
    ("public_interest", re.compile(r"公益")),
    ("legal_service", re.compile(r"法律服务")),
    ("total", re.compile(r"^(?:总计|合计|总数)$")),
    ("other_org", re.compile(r"^其[他它](?:组织)?$")),
]
_REQ_HEADER = re.compile(r"自然人|商业企业|科研机构|社会公益|法律服务|申请人情况|法人或其他组织")
_COLUMN_ORDER = tuple(REQUEST_COLUMNS)  # natural_person, the five organisation columns, total


def _request_colmap(grid: Grid) -> tuple[dict[int, str], int]:
    """Column index -> column key from the header rows; and the index of the first data row."""
    last_header = -1
    for i, row in enumerate(grid[:8]):
        if any(_REQ_HEADER.search(norm(c)) for c in row):
            last_header = i
    if last_header < 0:
        return {}, 0
    width = max(len(r) for r in grid)
    colmap: dict[int, str] = {}
    for j in range(width):
        for i in range(last_header, -1, -1):
            row = grid[i]
            cell = norm(row[j]) if j < len(row) else ""
            if not cell or "法人" in cell or "小计" in cell:
                continue
            key = next((k for k, p in _REQ_COL_PATTERNS if p.search(cell)), None)
            if key:
                colmap[j] = key
                break
    return colmap, last_header + 1


def _match_request_row(label: str, section: str | None) -> str | None:
    for key, pattern in REQUEST_ROW_PATTERNS:
        if pattern.search(label):
            return key
    if section == "other" and re.fullmatch(r"(?:\d|[一二三])?[.．、]?其[他它]", label):
        return "other_misc"
    return None


def _canonical_rows(form: str | None) -> list[str]:
    rows = list(REQUEST_ROWS)
    if form == "form2019":
        rows = [r for r in rows if not r.startswith("other_")]
    elif form == "form2021":
        rows = [r for r in rows if r != "other"]
    return rows


class Table3:
    """Reads table 三; keeps its column map so a continuation grid (next PDF page) can be read too."""

    def __init__(self, out: Collector, form: str | None, verify_rows: bool = False) -> None:
        self.out = out
        self.form = form
        self.verify_rows = verify_rows  # OCR: every row must add up (a misread digit breaks the sum)
        self.colmap: dict[int, str] = {}
        self.rows: dict[str, dict[str, float | int]] = {}
        self.positional = False  # columns placed by the form's order, not by printed headers

    def read(self, grid: Grid, continuation: bool = False) -> None:
        if continuation:
            if not self.colmap:
                colmap = self._positional(grid, 0)
                if not colmap:
                    self.out.flag("table 三 could not be read: a continuation without column headers")
                    return
                self.out.flag("table 三: no column headers, columns read by position")
                self.colmap, self.positional = colmap, True
            colmap, start = self.colmap, 0
        else:
            colmap, start = _request_colmap(grid)
            colmap = self._check_against_numbers(grid, start, colmap)
            if len(set(colmap.values())) < 2:
                colmap = self._positional(grid, start)
                if not colmap:
                    self.out.flag("table 三 could not be read: column headers not recognised")
                    return
                self.out.flag("table 三: column headers not recognised, columns read by position")
                self.positional = True
            self.colmap = colmap
        self._rows(grid[start:], colmap)

    def _check_against_numbers(self, grid: Grid, start: int, colmap: dict[int, str]) -> dict[int, str]:
        """Header cells broken across columns (a PDF without ruling lines: '企业科研机', '构社会公')
        misplace the columns. When the data has exactly seven number columns that the headers do not
        map in the form's order, and every complete row adds up read in that order, the order wins."""
        rows = grid[start:]
        counts: dict[int, int] = {}
        numeric_rows = 0
        for row in rows:
            hits = [j for j, c in enumerate(row) if isinstance(parse_value(c), Value)]
            if hits:
                numeric_rows += 1
                for j in hits:
                    counts[j] = counts.get(j, 0) + 1
        cols = sorted(j for j, n in counts.items() if n * 2 >= numeric_rows)
        if len(cols) != len(_COLUMN_ORDER) or [colmap.get(j) for j in cols] == list(_COLUMN_ORDER):
            return colmap
        order = dict(zip(cols, _COLUMN_ORDER, strict=True))
        complete = 0
        for row in rows:
            values = {order[j]: v.number for j in cols if j < len(row) and isinstance(v := parse_value(row[j]), Value)}
            if len(values) == len(_COLUMN_ORDER):
                if not _adds_up(values):
                    return colmap
                complete += 1
        if not complete:
            return colmap
        self.out.flag("table 三: column headers do not line up with the seven number columns; read in the form's order")
        self.positional = True
        return order

    def _positional(self, grid: Grid, start: int) -> dict[int, str]:
        width = max(len(r) for r in grid)
        if width < 8:
            return {}
        return {width - 7 + i: k for i, k in enumerate(_COLUMN_ORDER)}

    def _rows(self, rows: Grid, colmap: dict[int, str]) -> None:
        section: str | None = None
        labelled: list[tuple[str | None, dict[str, float | int], str, list[str]]] = []
        for row in rows:
            parts: list[str] = []
            values: dict[str, float | int] = {}
            seen_number = False
            header_row = not any(isinstance(parse_value(c), Value) for c in row if c)
            if header_row and any(_REQ_HEADER.search(norm(c)) for c in row if c):
                continue  # a repeated column header (自然人 商业企业 … 总计) is not a row of the table
            for j, cell in enumerate(row):
                if not cell:
                    continue
                v = parse_value(cell)
                if v is None:
                    continue
                if isinstance(v, Value):
                    if j in colmap:
                        values.setdefault(colmap[j], v.number)
                        seen_number = True
                    continue
                if j in colmap and (seen_number or not _looks_like_label(cell)) and parts:
                    self.out.flag(f"table 三: text in a number cell ({colmap[j]}): {cell!r}")
                    continue
                parts.append(norm(cell))
            label = "".join(_dedupe(parts))
            if re.search(r"其[他它]处理", label):
                section = "other"
            elif re.search(r"总计", label):
                section = None
            key = _match_request_row(label, section) if label else None
            if not label and not values:
                continue
            if (self.positional or self.verify_rows) and values and not _adds_up(values):
                self.out.flag(f"table 三: row {label or '?'} does not add up, so its columns (read by position or from OCR) do not add up; skipped")
                continue
            labelled.append((key, values, label, row))
        self._place(labelled)

    def _place(self, rows: list[tuple[str | None, dict[str, float | int], str, list[str]]]) -> None:
        order = _canonical_rows(self.form)
        pending: list[tuple[dict[str, float | int], list[str]]] = []
        prev: str | None = None
        for key, values, label, row in rows + [("__end__", {}, "", [])]:
            if key is None:
                # a row whose label is missing or misprinted (2.其他法律行政止公开): placed by the
                # form's fixed row order when it fills a gap exactly; an unlabelled row of zeros is
                # layout debris, not data
                if values and (label or any(v != 0 for v in values.values())):
                    pending.append((values, row, label))
                continue
            if pending:
                self._place_pending(pending, prev, key, order)
                pending = []
            if key == "__end__":
                break
            if not values:  # a label without numbers claims no row (its numbers may come on the next line)
                continue
            if key in self.rows:
                if values and values != self.rows[key]:
                    self.out.flag(f"table 三: row {label} appears twice; the first one is kept")
                continue
            self.rows[key] = values
            conf = "table-position" if self.positional else "table-label"
            evidence = _evidence("三", label, row)  # once per row, not per column (it was ~20 % of an HTML report)
            for col, v in values.items():
                self.out.add(f"requests.{key}.{col}", v, "table", evidence, conf)
            prev = key

    def _place_pending(self, pending, prev: str | None, nxt: str, order: list[str]) -> None:
        lo = order.index(prev) + 1 if prev in order else 0
        hi = order.index(nxt) if nxt in order else len(order)
        gap = [k for k in order[lo:hi] if k not in self.rows]
        labels_fit = all(not lab or _near_label(lab, k) for k, (_v, _r, lab) in zip(gap, pending, strict=False))
        if len(gap) == len(pending) and labels_fit:
            for k, (values, row, lab) in zip(gap, pending, strict=True):
                self.rows[k] = values
                evidence = _evidence("三", f"{lab} [{k}, by position]" if lab else f"[{k}, by position]", row)
                for col, v in values.items():
                    self.out.add(f"requests.{k}.{col}", v, "table", evidence, "table-position")
            what = "row(s) with a misprinted label" if any(lab for _v, _r, lab in pending) else "unlabelled row(s)"
            self.out.flag(f"table 三: {len(pending)} {what} placed by position ({', '.join(gap)})")
        else:
            shown = ", ".join(lab for _v, _r, lab in pending if lab)
            if shown:
                self.out.flag(f"table 三: row not recognised: {shown}")
            else:
                self.out.flag(f"table 三: {len(pending)} unlabelled row(s) with numbers skipped")


def _adds_up(values: dict[str, float | int]) -> bool:
    """A row read by position: natural persons + the five organisation columns = the total."""
    parts = [values.get(c) for c in _COLUMN_ORDER[:-1]]
    if values.get("total") is None or any(p is None for p in parts):
        return len(values) <= 1
    return abs(sum(p for p in parts if p is not None) - values["total"]) < 0.005


_STRIP_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、])+")


def _near_label(label: str, key: str) -> bool:
    """Is a printed row label a near miss of the form's label for `key` (a typo, a dropped word)?"""
    want = _STRIP_NUMBERING.sub("", norm(REQUEST_ROWS[key][0].split("）")[-1].split("、")[-1]))
    # the section labels a rowspan copies in front (三、本年度办理结果（三）不予公开2.…) go first: numbering
    # stripped before them left 本年度办理结果… in front, and the misprint was never a near miss
    got = re.sub(r"^(?:三、)?本年度办理结果", "", norm(label))
    got = re.sub(r"^[（(][一二三四五六七][)）](?:不予公开|无法提供|不予处理|其他处理)", "", got)
    got = _STRIP_NUMBERING.sub("", got)
    return SequenceMatcher(None, want, got).ratio() >= 0.6


# --- table 四 --------------------------------------------------------------------------------------

_GROUP_ORDER = ("review", "litigation_direct", "litigation_after_review")


def _appeal_measure(cell: str) -> str | None:
    if not cell or re.search(r"行政复议|行政诉讼|起诉", cell):
        return None
    return next((k for k, p in APPEAL_COLUMN_PATTERNS if p.search(cell)), None)


def read_table4(grid: Grid, out: Collector, verify: bool = False) -> None:
    last_header = -1
    for i, row in enumerate(grid[:6]):
        if any(_appeal_measure(norm(c)) for c in row) or any("行政复议" in norm(c) for c in row):
            if not any(isinstance(parse_value(c), Value) for c in row):
                last_header = i
    width = max(len(r) for r in grid)
    measures: dict[int, str] = {}
    texts: dict[int, str] = {}
    for j in range(width):
        col_cells = [norm(grid[i][j]) if j < len(grid[i]) else "" for i in range(last_header + 1)]
        texts[j] = "".join(col_cells)
        for cell in reversed(col_cells):
            m = _appeal_measure(cell)
            if m:
                measures[j] = m
                break
    data = next(
        (r for r in grid[last_header + 1 :] if sum(isinstance(parse_value(c), Value) for c in r) >= 3), None
    )
    if data is None:
        out.flag("table 四 could not be read: no row of numbers")
        return
    colmap: dict[int, str] = {}
    if measures:
        groups: list[list[int]] = []
        for j in sorted(measures):
            m = measures[j]
            if not groups or m in (measures[c] for c in groups[-1]) or (m == "upheld" and groups[-1]):
                groups.append([])
            groups[-1].append(j)
        names: list[str | None] = []
        for g in groups:
            t = "".join(texts[j] for j in g)
            if "复议后" in t:
                names.append("litigation_after_review")
            elif re.search(r"未经复议|直接起诉", t):
                names.append("litigation_direct")
            elif "行政复议" in t and "诉讼" not in t:
                names.append("review")
            else:
                names.append(None)
        for i, name in enumerate(names):
            if name is None and i < len(_GROUP_ORDER) and _GROUP_ORDER[i] not in names:
                names[i] = _GROUP_ORDER[i]
        for g, name in zip(groups, names, strict=True):
            if name is None:
                out.flag("table 四: a group of columns could not be named; skipped")
                continue
            for j in g:
                colmap[j] = f"{name}.{measures[j]}"
    else:
        nums = [j for j, c in enumerate(data) if isinstance(parse_value(c), Value)]
        if len(nums) != 15:
            out.flag("table 四 could not be read: column headers not recognised")
            return
        keys = [
            f"{g}.{m}" for g in _GROUP_ORDER for m in ("upheld", "corrected", "other", "pending", "total")
        ]
        colmap = dict(zip(nums, keys, strict=True))
        out.flag("table 四: column headers not recognised, columns read by position")
    if verify:  # OCR: each group's 维持+纠正+其他+尚未审结 must equal its 总计
        got = {k: v.number for j, k in colmap.items() if j < len(data) and isinstance(v := parse_value(data[j]), Value)}
        for g in _GROUP_ORDER:
            parts = [got.get(f"{g}.{m}") for m in ("upheld", "corrected", "other", "pending")]
            total = got.get(f"{g}.total")
            if total is None or any(p is None for p in parts) or abs(sum(p for p in parts if p is not None) - total) > 0.005:
                out.flag("table 四 from OCR not read: its groups do not add up")
                return
    for j, key in colmap.items():
        if j >= len(data):
            continue
        v = parse_value(data[j])
        if isinstance(v, Value):
            conf = "table-label" if measures else "table-position"
            out.add(key, v.number, "table", f"table 四: {key} | " + " | ".join(c for c in data if c), conf)
        elif isinstance(v, str):
            out.flag(f"table 四: text in a number cell ({key}): {v!r}")


# --- table 二 --------------------------------------------------------------------------------------


def read_table2(grid: Grid, out: Collector) -> None:
    colmap: dict[int, tuple[str, str | None]] = {}
    pending: list[list[str]] = []  # header rows since the last data row (labels split over lines)
    for row in grid:
        cells = [norm(c) for c in row]
        has_number = any(isinstance(parse_value(c), Value) for c in row)
        if not has_number:
            pending.append(cells)
            width = max(len(r) for r in pending)
            header = {}
            for j in range(width):
                c = "".join(_dedupe([r[j] for r in pending if j < len(r) and r[j]]))
                key = next((k for k, p in PROACTIVE_COLUMN_PATTERNS if p.search(c)), None) if c else None
                if key:
                    unit = "万元" if "万元" in c else ("元" if "元" in c else None)
                    header[j] = (key, unit)
            if header:
                colmap = header
            continue
        pending = []
        label_cells = [
            c for j, c in enumerate(cells) if c and j not in colmap and not isinstance(parse_value(c), Value)
        ]
        label = "".join(_dedupe(label_cells))
        label = re.sub(r"第[二十]+条第[（(]?[一二三四五六七八九十]+[)）]?项", "", label)
        rkey = next((k for k, p in PROACTIVE_ROW_PATTERNS if p.search(label)), None)
        if rkey is None:
            out.flag(f"table 二: row not recognised: {label or '(no label)'}")
            continue
        for j, (ckey, unit) in colmap.items():
            if j >= len(row) or ckey not in PROACTIVE_CELLS[rkey]:
                continue
            v = parse_value(row[j])
            if isinstance(v, str):
                out.flag(f"table 二: text in a number cell ({rkey}.{ckey}): {v!r}")
                continue
            if v is None:
                continue
            number = v.number
            if ckey == "amount_10k_yuan" and (v.unit or unit) == "元":
                number = round(number / 10000, 6)
            out.add(f"proactive.{rkey}.{ckey}", number, "table", _evidence("二", label, row))
