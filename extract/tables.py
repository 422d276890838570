"""Tables as plain grids of cell text, from HTML markup or from tab-separated text.

The numbers extractor (`extract.stats`) reads rows and columns by their labels, so the grids keep
every cell where the source put it: spans are expanded by copying the text into every covered slot,
so a label with rowspan is visible on each row it labels and a header with colspan above each column.
"""

from __future__ import annotations

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
    text = _WS.sub(" ", text or "").strip()
    return _CJK_GAP.sub("", text)


def _span(el: etree._Element, name: str, limit: int) -> int:
    try:
        n = int(re.sub(r"[^\d]", "", el.get(name, "1") or "1") or "1")
    except ValueError:
        return 1
    return max(1, min(n, limit))


def _cell_text(cell: etree._Element) -> str:
    """Text of a cell without the text of tables nested in it (they are grids of their own)."""
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


def _has_cells(line: str) -> bool:
    return "\t" in line


def text_tables_to_grids(text: str) -> list[Grid]:
    """Runs of consecutive tab-separated lines as grids (tables that came through as text).

    A run needs at least two lines or three cells; rows are padded to the run's width.
    """
    grids: list[Grid] = []
    run: list[list[str]] = []

    def flush() -> None:
        if run and (len(run) >= 2 or len(run[0]) >= 3):
            width = max(len(r) for r in run)
            grids.append([r + [""] * (width - len(r)) for r in run])
        run.clear()

    for line in (text or "").splitlines():
        if _has_cells(line):
            run.append([clean_cell(c) for c in line.split("\t")])
        else:
            flush()
    flush()
    return grids
