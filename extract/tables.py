"""Tables as plain grids of cell text, from HTML markup or from tab-separated text.

The numbers extractor (`extract.stats`) reads rows and columns by their labels, so the grids keep
every cell where the source put it: spans are expanded by copying the text into every covered slot,
so a label with rowspan is visible on each row it labels and a header with colspan above each column.
"""

from __future__ import annotations

import functools
import logging
import re

from lxml import etree
from lxml import html as lxml_html

from extract.cjk import CJK_PUNCT, FULLWIDTH, HAN, HAN_EXT_A
from extract.record import Grid

logger = logging.getLogger(__name__)

_WS = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_CJK = HAN_EXT_A + HAN + FULLWIDTH + CJK_PUNCT
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_MAX_COLSPAN = 60
_MAX_ROWSPAN = 500
# Slots of one expanded grid. A report's table 三 is about 30 x 12; without a bound, spans made the
# expansion quadratic (fuzzing: 50 rows of 10 cells with rowspan=colspan=100000, 20 KB of HTML, took
# 52 s in-process; 100 rows of 20 cells did not finish in 5 minutes; trafilatura, which expands them
# too, gets such tables without their spans: extract.formats.html).
_MAX_GRID_SLOTS = 50_000


class TableTooLarge(ValueError):
    """A table whose expanded grid would exceed `_MAX_GRID_SLOTS`; the message gives its size."""


def clean_cell(text: str) -> str:
    """Whitespace-normalise one cell: nbsp/ideographic spaces collapse, spaces between CJK vanish."""
    return _clean_cell(text or "")


@functools.lru_cache(maxsize=1 << 14)
def _clean_cell(text: str) -> str:
    # cached: a report's grids repeat the same cells ("0", row labels copied by spans) hundreds of times
    return _CJK_GAP.sub("", _WS.sub(" ", text).strip())


_NOT_DIGITS = re.compile(r"[^\d]")


def _span(el: etree._Element, name: str, limit: int) -> int:
    raw = el.get(name)
    if not raw:  # no span attribute: the common case, 1 without a regex
        return 1
    try:
        # all decimal digits (what \d matches) -> int() directly, else only the digits count ("2px" -> 2)
        n = int(raw if raw.isdecimal() else _NOT_DIGITS.sub("", raw) or "1")
    except ValueError:
        return 1
    return max(1, min(n, limit))


def _cell_text(cell: etree._Element) -> str:
    """Text of a cell without the text of tables nested in it (they are grids of their own)."""
    if not len(cell):  # no child elements (most cells): its own text is all there is
        return clean_cell(cell.text or "")
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        if el is not cell and isinstance(el.tag, str) and el.tag.lower() == "table":
            if el.tail:
                parts.append(el.tail)
            return
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("script", "style"):
            if el.tail and el is not cell:
                parts.append(el.tail)
            return
        if isinstance(el.tag, str) and el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if el is not cell and el.tail:
            parts.append(el.tail)

    walk(cell)
    # <br> and block breaks inside a cell join the pieces ("本年新<br/>制作数量" -> "本年新制作数量")
    return clean_cell("".join(parts))


def _own_rows(table: etree._Element) -> list[etree._Element]:
    rows = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if isinstance(c.tag, str) and c.tag.lower() == "tr")
    return rows


def _table_grid(table: etree._Element) -> Grid:
    """The table's own rows as a grid, spans expanded; TableTooLarge beyond `_MAX_GRID_SLOTS` slots."""
    grid: dict[tuple[int, int], str] = {}
    rows = _own_rows(table)
    n_rows = len(rows)
    budget = _MAX_GRID_SLOTS  # slots that spans may still fill
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text = _cell_text(cell)
            rs = min(_span(cell, "rowspan", _MAX_ROWSPAN), n_rows - r)  # a span ends at the last row, as in browsers
            cs = _span(cell, "colspan", _MAX_COLSPAN)
            if rs * cs > budget:
                raise TableTooLarge(f"table of {n_rows} rows with spans over more than {_MAX_GRID_SLOTS:,} cells")
            budget -= rs * cs
            for dr in range(rs):
                for dc in range(cs):
                    grid.setdefault((r + dr, c + dc), text)
            c += cs
    if not grid:
        return []
    width = max(c for _, c in grid) + 1
    if n_rows * width > _MAX_GRID_SLOTS:
        raise TableTooLarge(f"table of {n_rows} rows x {width} columns")
    return [[grid.get((r, c), "") for c in range(width)] for r in range(n_rows)]


def table_too_large(table: etree._Element) -> bool:
    """Would the table's spans expand past `_MAX_GRID_SLOTS` slots?"""
    try:
        _table_grid(table)
    except TableTooLarge:
        return True
    return False


def html_tables_to_grids(html: str | bytes | etree._Element, skipped: list[str] | None = None) -> list[Grid]:
    """Every <table> as a grid; a table nested in a cell is its own grid and not repeated in the outer one.

    Grids that hold no text at all (pure layout wrappers) are dropped; so are tables too large to
    expand (no report table comes near the bound), each described in `skipped` when given.
    """
    try:
        if isinstance(html, (str, bytes)):
            if not html.strip():
                return []
            try:
                root = lxml_html.fromstring(html)
            except ValueError:  # a str that carries an encoding declaration
                root = lxml_html.fromstring(html.encode("utf-8") if isinstance(html, str) else html)
        else:
            root = html
    except (etree.ParserError, ValueError) as exc:
        logger.debug("unparsable html: %s", exc)
        return []
    tables = [root] if isinstance(root.tag, str) and root.tag.lower() == "table" else []
    tables += list(root.iterdescendants("table"))
    grids: list[Grid] = []
    for t in tables:  # document order; each table's own rows only
        try:
            g = _table_grid(t)
        except TableTooLarge as exc:
            logger.info("html table skipped: %s", exc)
            if skipped is not None:
                skipped.append(str(exc))
            continue
        if any(cell for row in g for cell in row):
            grids.append(g)
    return grids


_PIPE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$")
_NUM_TOKEN = r"[+\-]?\d[\d,]*(?:\.\d+)?|[-—－/／]|无"
# a space-aligned row: a short label (or none), then numbers separated by spaces (PDF text layers
# without ruling lines, OCR output): "（二）部分公开 3 0 0 0 0 0 3"
_SPACED = re.compile(rf"^(?P<label>(?:\d+[.．、])?[^\d\s|].{{0,59}}?)?(?P<nums>(?:(?:^|[ \u3000\u00a0]+)(?:{_NUM_TOKEN}))+)$")
_PROSE_END = re.compile(r"[。；;，,：:！？]$")
# the report's own section headings end a text table
_SECTION = re.compile(
    r"^#|主动公开政府信息情况|收到和处理政府信息公开申请情况|行政复议、?行政诉讼情况|存在的主要问题|其他需要报告"
)


def _has_cells(line: str) -> bool:
    return "\t" in line


def line_cells(line: str) -> list[str] | None:
    """The cells of one text-table line: tab-separated, a markdown pipe row, or a space-aligned row
    (a label then numbers); None for prose. A markdown rule line (|---|---|) is an empty list."""
    if "\t" in line:
        return [clean_cell(c) for c in line.split("\t")]
    stripped = line.strip()
    if stripped.count("|") >= 2 or (stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 2):
        if _PIPE_RULE.match(stripped):
            return []
        inner = stripped[1:] if stripped.startswith("|") else stripped
        inner = inner[:-1] if inner.endswith("|") else inner
        return [clean_cell(c) for c in inner.split("|")]
    m = _SPACED.match(stripped)
    if not m:
        return None
    label = (m.group("label") or "").strip()
    nums = m.group("nums").split()
    if label:
        if _PROSE_END.search(label) or not re.search(f"[{_CJK}]", label) or "。" in label:
            return None
        if len(nums) == 1 and not re.search(r"[ \u3000\u00a0]{2,}", stripped) and not _row_label(label):
            return None  # "全年共收到申请 12" is a sentence broken by the page, not a row
        return [clean_cell(label), *nums]
    return nums if len(nums) >= 3 else None


def _row_label(label: str) -> bool:
    return bool(re.match(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])", label))


def _label_line(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= 30 and not _PROSE_END.search(s) and not _SECTION.search(s) and "。" not in s


def text_tables_to_grids(text: str) -> list[Grid]:
    """Runs of table lines as grids (tables that came through as text).

    Table lines are tab-separated, markdown pipe rows, or space-aligned rows (a label then numbers).
    A short label-only line inside a run is a row of its own (a section label such as （三）不予公开),
    or the label of a numbers-only line that follows it. A run needs at least two lines or three
    cells; rows are padded to the run's width.
    """
    grids: list[Grid] = []
    run: list[list[str]] = []
    held: list[str] = []  # label-only lines waiting for the next table line

    def flush() -> None:
        if run and (len(run) >= 2 or len(run[0]) >= 3):
            width = max(len(r) for r in run)
            grids.append([r + [""] * (width - len(r)) for r in run])
        run.clear()
        held.clear()

    for line in (text or "").splitlines():
        if not line.strip():
            continue
        if _SECTION.search(line.strip()):
            flush()
            continue
        cells = line_cells(line)
        if cells is None:
            if run and _label_line(line) and len(held) < 3:
                held.append(clean_cell(line))
            else:
                flush()
            continue
        if not cells:  # a markdown rule line
            continue
        if held and not re.search(f"[{_CJK}]", "".join(cells)) and "\t" not in line and "|" not in line:
            cells = [held.pop(), *cells]  # a label on its own line, its numbers on the next
        run.extend([h] for h in held)
        held.clear()
        run.append(cells)
    flush()
    return grids
