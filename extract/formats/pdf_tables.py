"""Table-aware PDF table extraction: pdfplumber's rules per page, then tables stitched across page breaks.

Why: a report's table 三 (25–30 rows) rarely fits on the page where it starts. Read page by
page, its tail becomes a second table with no header and no row labels for the rowspan it
continues, and the numbers extractor sees two half-tables. Word and WPS exports cut such a
table at the page break, sometimes repeat its header rows on the next page, and leave only
the running header and page number between the pieces. So a table that ends a page and a
table that starts the next one are one table when nothing but page furniture lies between
them and their columns line up; a repeated header is dropped.

Tables are found with ruling lines first (what reportlab/Word/WPS PDFs have); only on a page
with no ruling at all is pdfplumber's text strategy tried, and its result kept only when it
looks like a numbers table (the text strategy turns any paragraph into a 'table').
"""

from __future__ import annotations

import bisect
import io
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any

from extract.record import Grid

logger = logging.getLogger(__name__)

MAX_PAGES = 200
EDGE_TOL = 3.0  # points: column edges closer than this are the same edge
FURNITURE_BAND = 0.09  # top/bottom share of the page where running headers and page numbers live
_PAGE_NUM = re.compile(r"^[-—–_~·]*\s*(?:第?\s*\d{1,3}\s*页?(?:\s*[/,，]?\s*共?\s*\d{1,3}\s*页)?)\s*[-—–_~·]*$")
_ASCII_END = re.compile(r"[A-Za-z0-9.,%+\-]$")
_ASCII_START = re.compile(r"^[A-Za-z0-9.,%+\-]")
_SPACE = re.compile(r"\s")  # (Unicode \s: also U+00A0 and U+3000, as str.isspace)
_NUMERIC = re.compile(r"^[+\-]?\d+(?:\.\d+)?%?$")
TEXT_SETTINGS = {"vertical_strategy": "text", "horizontal_strategy": "text", "min_words_vertical": 3,
                 "min_words_horizontal": 2}


def clean_cell(value: str | None) -> str:
    """None -> ''; lines of a wrapped cell joined ('本年新\\n制作数量' -> '本年新制作数量', 'a\\nb' -> 'a b')."""
    if not value:
        return ""
    if not _SPACE.search(value):  # most cells: one line, no spaces — nothing to clean
        return value
    lines = [ln.strip() for ln in re.split(r"[\r\n]+", value) if ln.strip()]
    out = ""
    for ln in lines:
        if out and _ASCII_END.search(out) and _ASCII_START.search(ln) and not re.fullmatch(r"[\d.,+\-%]+", out + ln):
            out += " "
        out += ln
    out = re.sub(r"[\s\u00a0\u3000]+", " ", out).strip()
    # spaces between CJK characters are layout, not content
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", out)


@dataclass
class PageTable:
    """One table found on one page, with the geometry stitching needs."""

    page: int
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    # rows of cells: (x0, x1, text) for a real cell, None for a slot covered by a span
    cells: list[list[tuple[float, float, str] | None]] = field(default_factory=list)
    edges: list[float] = field(default_factory=list)  # column boundaries, left to right

    def grid(self, edges: list[float] | None = None) -> Grid:
        """Rows of cell text on `edges` (default: its own); a spanned cell's text sits in its first slot."""
        edges = edges or self.edges
        n = len(edges) - 1
        out: Grid = []
        for row in self.cells:
            line = [""] * n
            for cell in row:
                if cell is None:
                    continue
                x0, _x1, text = cell
                slot = _nearest(edges, x0)
                if not line[slot]:
                    line[slot] = text
            out.append(line)
        return out


def _nearest(edges: list[float], x: float) -> int:
    """Index of the column whose left edge is closest to x (never the closing edge); the lower one on a tie.

    `edges` are sorted and over EDGE_TOL apart (`_cluster`), so the closest is next to x's place in them."""
    n = len(edges) - 1
    if n < 1:
        raise ValueError("a table needs two column edges")
    i = bisect.bisect_left(edges, x, 0, n)
    if i == n:
        return n - 1
    if i == 0 or abs(edges[i] - x) < abs(edges[i - 1] - x):
        return i
    return i - 1


def _cluster(xs: list[float], tol: float = EDGE_TOL) -> list[float]:
    out: list[float] = []
    for x in sorted(xs):
        if out and x - out[-1] <= tol:
            continue
        out.append(x)
    return out


def _from_lattice(table: Any, page_no: int, chars: list[Any]) -> PageTable | None:
    """A ruled table (extract.formats.pdf_lattice.Lattice) as a PageTable (cell texts cleaned); None when it
    holds no text."""
    from extract.formats.pdf_lattice import extract_cells

    boxes = table.rows
    texts = extract_cells(boxes, chars)
    rows: list[list[tuple[float, float, str] | None]] = []
    xs: list[float] = []
    for prow, trow in zip(boxes, texts, strict=False):
        row: list[tuple[float, float, str] | None] = []
        for bbox, text in zip(prow, trow, strict=False):
            if bbox is None:
                row.append(None)
                continue
            row.append((float(bbox[0]), float(bbox[2]), clean_cell(text)))
            xs += [float(bbox[0]), float(bbox[2])]
        rows.append(row)
    if not xs or not any(c and c[2] for r in rows for c in r):
        return None
    x0, top, x1, bottom = (float(v) for v in table.bbox)
    return PageTable(page=page_no, bbox=(x0, top, x1, bottom), cells=rows, edges=_cluster(xs))


def _looks_numeric_table(grid: Grid) -> bool:
    """Keep a text-strategy table only if it has ≥3 rows, ≥3 columns and many numeric cells."""
    if len(grid) < 3 or max((len(r) for r in grid), default=0) < 3:
        return False
    cells = [c for r in grid for c in r if c]
    return bool(cells) and sum(1 for c in cells if _NUMERIC.match(c)) >= 0.3 * len(cells)


@dataclass
class _Page:
    number: int
    height: float
    tables: list[PageTable]
    # the seam questions, answered while the page's chars are at hand (only pages with tables ask):
    text_below: bool = False  # text (not page furniture) below its last table
    text_above: bool = False  # text above its first table


def _content_outside(height: float, lines: list[list[Any]], below: float, above: float) -> tuple[bool, bool]:
    """Is there text (other than running header/footer and page numbers) below `below`, and above `above`?

    `lines` are the page's chars (tuples) as pdfplumber's word extraction groups them
    (extract.formats.pdf_lattice.text_lines); a word counts as pdfplumber's `extract_words` would give it.
    """
    from extract.formats.pdf_lattice import line_words

    band = FURNITURE_BAND * height
    limit = height - band
    under = over = False
    for line in lines:
        # a word qualifies only if each of its chars does: a line without such a char has no such word
        inside = [c for c in line if c[3] >= band and c[4] <= limit and not c[0].isspace()]
        if not inside:
            continue
        ask_under = not under and max(c[3] for c in inside) >= below - 1
        ask_over = not over and min(c[4] for c in inside) <= above + 1
        if not (ask_under or ask_over):
            continue
        for top, bottom, text in line_words(line):
            if top < band or bottom > limit or _PAGE_NUM.match(text.strip()):
                continue
            under = under or (ask_under and top >= below - 1)
            over = over or (ask_over and bottom <= above + 1)
        if under and over:
            break
    return under, over


def _seam_lines(chars: list[Any], below: float, above: float) -> list[list[Any]]:
    """The page's lines (`text_lines`) that `_content_outside` can find a word in: those with a char
    whose top is at or after `below - 1` or at or before `above + 1` (a char's bottom is not above its
    top). Lines are runs of tops chained within 3 pt, so whole lines are kept by their tops alone."""
    from extract.formats.pdf_lattice import Y_TOLERANCE, text_lines

    runs: list[list[float]] = []  # [first top, last top] of each line
    for v in sorted({c[3] for c in chars}):
        if runs and v <= runs[-1][1] + Y_TOLERANCE:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    upto = max((hi for lo, hi in runs if lo <= above + 1), default=-math.inf)
    after = min((lo for lo, hi in runs if hi >= below - 1), default=math.inf)
    return text_lines([c for c in chars if c[3] <= upto or c[3] >= after])


def _plumber_lines(page: Any) -> list[list[Any]]:
    """A pdfplumber page's words' lines, as `text_lines` gives them (chars with mixed orientation: one word
    per line, from pdfplumber's own `extract_words`)."""
    from extract.formats.pdf_geometry import char_to_box
    from extract.formats.pdf_lattice import text_lines

    if all(c["upright"] for c in page.chars):
        return text_lines([char_to_box(c) for c in page.chars])
    return [[(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], w["bottom"] - w["top"])]
            for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)]


def _edges_compatible(a: PageTable, b: PageTable) -> bool:
    """Same outer edges, and the columns of one are (within tolerance) columns of the other."""
    if abs(a.bbox[0] - b.bbox[0]) > EDGE_TOL or abs(a.bbox[2] - b.bbox[2]) > EDGE_TOL:
        return False
    small, large = sorted((a.edges, b.edges), key=len)
    return all(any(abs(x - y) <= EDGE_TOL for y in large) for x in small)


def _drop_repeated_header(head: Grid, cont: Grid) -> Grid:
    """Drop the rows at the top of a continuation that repeat the table's first rows."""
    k = 0
    while k < len(cont) - 1 and k < len(head) and cont[k] == head[k]:
        k += 1
    return cont[k:]


def stitch(pages: list[_Page]) -> list[Grid]:
    """Page tables -> grids, a table continued on the next page joined to its start."""
    grids: list[Grid] = []
    open_chain: list[PageTable] = []  # the pieces of the table being continued

    def flush() -> None:
        if not open_chain:
            return
        edges = _cluster([x for t in open_chain for x in t.edges])
        grid = open_chain[0].grid(edges)
        for piece in open_chain[1:]:
            grid += _drop_repeated_header(grid, piece.grid(edges))
        if len(open_chain) > 1:
            logger.debug("stitched a table over pages %s", [t.page + 1 for t in open_chain])
        grids.append(grid)
        open_chain.clear()

    for i, page in enumerate(pages):
        for j, table in enumerate(page.tables):
            continues = False
            if j == 0 and open_chain and open_chain[-1].page == page.number - 1:
                continues = (
                    _edges_compatible(open_chain[-1], table)
                    and not pages[i - 1].text_below  # open_chain[-1] is that page's last table
                    and not page.text_above
                )
            if not continues:
                flush()
            open_chain.append(table)
            if j < len(page.tables) - 1:
                flush()  # a table followed by more content on its page does not continue
    flush()
    return [g for g in grids if any(any(c for c in row) for row in g)]


def extract_tables(data: bytes, max_pages: int = MAX_PAGES, *, fast: bool = True) -> list[Grid]:
    """Every table of a PDF as a grid of cleaned cell strings, tables across page breaks stitched.

    Pages are read from PDFium's objects (extract.formats.pdf_geometry) and handed to pdfplumber's
    table finding rules (extract.formats.pdf_lattice); a page PDFium cannot mirror — or every page with
    `fast=False` — is parsed by pdfplumber.
    """
    reader = TableReader(data)
    try:
        if fast:
            import pypdfium2 as pdfium

            try:
                pdf = pdfium.PdfDocument(data)
            except Exception as exc:  # PDFium refuses it: pdfplumber may still read it
                logger.debug("PDFium cannot open the PDF for tables (%s); pdfplumber reads it", exc)
            else:
                try:
                    for no in range(min(len(pdf), max_pages)):
                        reader.add_pdfium(no, pdf.raw, None, None)
                finally:
                    pdf.close()
                return reader.grids()
        for no in range(min(len(reader.plumber_pdf().pages), max_pages)):
            reader.add_plumber(no)
        return reader.grids()
    finally:
        reader.close()


class TableReader:
    """Tables page by page (PDFium-read pages, pdfplumber for the rest), then stitched by `grids()`.

    Why page by page: the text pass (extract.formats.pdf) already loads each page and its text layer in
    PDFium; it hands them here so the tables cost no second load, and no page's chars outlive the page.
    A failure is kept and raised by `grids()`, so the text pass goes on (tables are a bonus).
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pages: list[_Page] = []
        self.extra: list[Grid] = []
        self.failed: Exception | None = None
        self.fallbacks = 0  # pages read by pdfplumber
        self._plumber: Any = None

    def plumber_pdf(self) -> Any:
        if self._plumber is None:
            import pdfplumber

            self._plumber = pdfplumber.open(io.BytesIO(self.data))
        return self._plumber

    def add_pdfium(self, no: int, pdf_raw: Any, page_raw: Any, text_raw: Any) -> None:
        """Page `no` from PDFium (its loaded page and text page when given), pdfplumber if it must."""
        if self.failed is not None:
            return
        from extract.formats.pdf_geometry import Unsupported, open_page, read_page

        try:
            if page_raw is None:
                with open_page(pdf_raw, no) as (page_raw, text_raw):
                    self._add(no, read_page(page_raw, text_raw), fast=True)
            else:
                self._add(no, read_page(page_raw, text_raw), fast=True)
        except Unsupported as exc:  # raised before _add keeps anything of the page
            self.fallbacks += 1
            logger.debug("page %d read by pdfplumber: %s", no + 1, exc)
            self.add_plumber(no)
        except Exception as exc:  # noqa: BLE001 - raised by grids(), after the text pass
            self.failed = exc

    def add_plumber(self, no: int) -> None:
        if self.failed is not None:
            return
        try:
            page = self.plumber_pdf().pages[no]
            self._add(no, page, fast=False)
            page.flush_cache()
        except Exception as exc:  # noqa: BLE001 - raised by grids()
            self.failed = exc

    def _add(self, no: int, page: Any, *, fast: bool) -> None:
        from pdfplumber.table import TableFinder, TableSettings

        from extract.formats.pdf_lattice import find_tables

        ruled = page.has_ruling if fast else bool(page.lines or page.rects)
        from extract.formats.pdf_geometry import char_to_box, dict_to_edge

        # edges only: a page without a table reads no chars
        tables = find_tables(page.segments if fast else [dict_to_edge(e) for e in page.edges])
        chars: list[Any] = []
        if tables:
            chars = page.boxes if fast else [(*char_to_box(c), c) for c in page.chars]
        found = [t for t in (_from_lattice(t, no, chars) for t in tables) if t is not None]
        extra: list[Grid] = []
        if not found and not ruled and (page.has_digit() if fast else any(c["text"].isdigit() for c in page.chars)):
            # (a numbers table needs a digit: a page without one is not searched for text-aligned tables)
            text = TableSettings.resolve(TEXT_SETTINGS)
            for table in TableFinder(page, text).tables:
                grid = [[clean_cell(c) for c in row] for row in table.extract(**(text.text_settings or {})) if row]
                if _looks_numeric_table(grid):
                    extra.append(grid)
        found.sort(key=lambda t: t.bbox[1])
        height = float(page.height)
        entry = _Page(number=no, height=height, tables=found)
        if found:

            below, above = found[-1].bbox[3], found[0].bbox[1]
            lines = _seam_lines(chars, below, above) if fast else _plumber_lines(page)
            entry.text_below, entry.text_above = _content_outside(height, lines, below, above)
        self.pages.append(entry)  # nothing of the page is kept before this point (Unsupported may come first)
        self.extra += extra

    def grids(self) -> list[Grid]:
        """The stitched tables, then the text-aligned ones; the failure, if a page failed."""
        if self.failed is not None:
            raise self.failed
        return stitch(self.pages) + self.extra

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()
            self._plumber = None
