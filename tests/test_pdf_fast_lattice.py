"""ogi's re-implementations of pdfplumber's table steps give pdfplumber's own results, step by step.

extract.formats.pdf_lattice (edges snapped, joined, crossed, cells, tables, rows; cells' text) and the
seam question of extract.formats.pdf_tables (is there a word above/below the tables?) run on tuples with
indexing for speed; each is compared here with the pdfplumber function it replaces, on every page of the
golden corpora (PDFium-read pages and pdfplumber's own pages) and on generated cases that reach the
branches the corpora do not (ties, overlapping cells, empty texts, spaces, ligatures).
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pdfplumber.table import TableFinder, cells_to_tables
from pdfplumber.utils import extract_words

from extract.formats import pdf_geometry, pdf_lattice, pdf_tables

ROOT = Path(__file__).resolve().parent
PDFS = sorted([*(ROOT / "golden" / "docs").glob("*.pdf"), *(ROOT / "fixtures" / "real" / "pdf").glob("*.pdf")])


def _plumber_tables(page: Any) -> list[tuple[tuple, list[list]]]:
    return [(tuple(t.bbox), [list(r.cells) for r in t.rows]) for t in TableFinder(page).tables]


def _ours(edges: list) -> list[tuple[tuple, list[list]]]:
    return [(t.bbox, t.rows) for t in pdf_lattice.find_tables(edges)]


def _fast_pages(path: Path):  # noqa: ANN202 - a generator of open pages
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        for no in range(len(pdf)):
            with pdf_geometry.open_page(pdf.raw, no) as (page_raw, text_raw):
                try:
                    page = pdf_geometry.read_page(page_raw, text_raw)
                    page.boxes  # noqa: B018 - raises Unsupported for pages pdfplumber reads
                except pdf_geometry.Unsupported:
                    continue
                yield page
    finally:
        pdf.close()


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_lattice_and_cells_equal_pdfplumber_on_pdfium_pages(path: Path) -> None:
    """Tables (bbox, rows of cell boxes) as pdfplumber's TableFinder finds them on the same edges, and each
    cell's text as pdfplumber's `Table.extract` reads it from the same chars."""
    tables = 0
    for page in _fast_pages(path):
        want = _plumber_tables(page)
        assert _ours(page.segments) == want
        for table in TableFinder(page).tables:
            ours = pdf_lattice.extract_cells([list(r.cells) for r in table.rows], page.boxes)
            assert ours == table.extract()
            tables += 1
    assert tables or "narrative" in path.name  # p03, p07: no ruled table


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_lattice_and_cells_equal_pdfplumber_on_its_own_pages(path: Path) -> None:
    """The same on pdfplumber's pages (pdfminer's float64 edges, the fallback path), dict edges as tuples."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        for page in pdf.pages[:8]:
            assert _ours([pdf_geometry.dict_to_edge(e) for e in page.edges]) == _plumber_tables(page)
            boxes = [(*pdf_geometry.char_to_box(c), c) for c in page.chars]
            for table in TableFinder(page).tables:
                assert pdf_lattice.extract_cells([list(r.cells) for r in table.rows], boxes) == table.extract()
            page.flush_cache()


def _words_reference(height: float, chars: list[dict], below: float, above: float) -> tuple[bool, bool]:
    """The seam question as it was asked through pdfplumber's `extract_words` (before ogi's own words)."""
    band = pdf_tables.FURNITURE_BAND * height
    limit = height - band
    out = [False, False]
    for w in extract_words(chars, keep_blank_chars=False, use_text_flow=False):
        top, bottom = float(w["top"]), float(w["bottom"])
        if top < band or bottom > limit or pdf_tables._PAGE_NUM.match(w["text"].strip()):
            continue
        out[0] = out[0] or top >= below - 1
        out[1] = out[1] or bottom <= above + 1
    return out[0], out[1]


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_seam_questions_equal_pdfplumber_words(path: Path) -> None:
    """Text below the last table / above the first one, as pdfplumber's words give it, for every table page
    and for cut lines across the whole page (not only the tables' own)."""
    for page in _fast_pages(path):
        tables = pdf_lattice.find_tables(page.segments)
        cuts = [(t.bbox[3], t.bbox[1]) for t in tables] + [(y, y) for y in range(0, int(page.height), 37)]
        for below, above in cuts:
            lines = pdf_tables._seam_lines(page.boxes, below, above)
            got = pdf_tables._content_outside(page.height, lines, below, above)
            assert got == _words_reference(page.height, page.chars, below, above), (below, above)


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_seam_questions_on_pdfplumber_pages(path: Path) -> None:
    """The same on pdfplumber's own pages (the fallback path groups its chars with `_plumber_lines`)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        for page in pdf.pages[:8]:
            lines = pdf_tables._plumber_lines(page)
            for y in range(0, int(page.height), 41):
                got = pdf_tables._content_outside(float(page.height), lines, y, y + 20)
                assert got == _words_reference(float(page.height), page.chars, y, y + 20), y
            page.flush_cache()


def _random_chars(rng: random.Random, n: int) -> list[dict]:
    """Chars scattered over a page and in runs (words: each char right after the previous one)."""
    texts = ["一", "二", "1", "2", "3", " ", "", "ﬁ", "-", "页", "第", "\u3000"]
    chars: list[dict] = []
    for _ in range(n):
        size = rng.choice([9.0, 10.5, 12.0])
        width = rng.choice([0.0, 5.0, size, rng.uniform(0, 12)])
        if chars and rng.random() < 0.6:  # the next char of a run, maybe a little off or apart
            prev = chars[-1]
            x0 = prev["x1"] + rng.choice([0.0, 0.5, 2.9, 3.5, -1.0])
            top = prev["top"] + rng.choice([0.0, 0.0, 1.5, 3.5])
        else:
            x0 = rng.choice([rng.uniform(50, 500), round(rng.uniform(50, 500))])
            top = rng.choice([100.0, 101.5, 103.0, 104.5, 110.0, 300.0, rng.uniform(90, 780)])
        chars.append(pdf_geometry.box_to_char((rng.choice(texts), x0, x0 + width, top, top + size, size)))
    return chars


def test_words_lines_and_seams_equal_pdfplumber_on_generated_chars() -> None:
    """Lines chained within 3 pt, words split at spaces, gaps and backward steps, empty texts as words of
    their own, ligatures expanded: `text_lines` + `line_words` give pdfplumber's `extract_words`, and the
    seam question its answer, on random pages."""
    rng = random.Random(12)
    for _ in range(600):
        chars = _random_chars(rng, rng.choice([rng.randint(0, 5), rng.randint(0, 60)]))  # sparse pages too
        boxes = [pdf_geometry.char_to_box(c) for c in chars]
        ours = sorted(w for line in pdf_lattice.text_lines(boxes) for w in pdf_lattice.line_words(line))
        theirs = sorted((w["top"], w["bottom"], w["text"]) for w in extract_words(chars))
        assert ours == theirs
        below, above = rng.uniform(80, 800), rng.uniform(80, 800)
        want = _words_reference(841.89, chars, below, above)
        assert pdf_tables._content_outside(841.89, pdf_tables._seam_lines(boxes, below, above), below, above) == want
        # the fallback path: a pdfplumber page's chars, some of them not upright (words from pdfplumber)
        if chars and rng.random() < 0.5:
            chars[rng.randrange(len(chars))]["upright"] = False
        page = SimpleNamespace(chars=chars, extract_words=lambda chars=chars, **kw: extract_words(chars, **kw))
        got = pdf_tables._content_outside(841.89, pdf_tables._plumber_lines(page), below, above)
        assert got == _words_reference(841.89, chars, below, above)


def test_cell_text_equals_pdfplumber_on_generated_cells() -> None:
    from pdfplumber.utils import extract_text

    rng = random.Random(3)
    for _ in range(500):
        chars = _random_chars(rng, rng.randint(0, 12))
        boxes = [pdf_geometry.char_to_box(c) for c in chars]
        assert pdf_lattice.cell_text(boxes) == extract_text(chars)


def _grid_cells(rng: random.Random) -> list[tuple[float, float, float, float]]:
    """Cells of a few random grids (some cells merged, some grids touching at a corner) and loose cells."""
    cells = []
    for _ in range(rng.randint(1, 3)):
        x0, y0 = rng.choice([0.0, 100.0, 200.0]), rng.choice([0.0, 50.0, 300.0])
        xs = sorted({x0 + rng.choice([0, 10, 20, 35, 60, 80]) for _ in range(4)} | {x0})
        ys = sorted({y0 + rng.choice([0, 8, 16, 30, 44]) for _ in range(4)} | {y0})
        for a, b in zip(xs, xs[1:], strict=False):
            for c, d in zip(ys, ys[1:], strict=False):
                if rng.random() < 0.85:
                    cells.append((a, c, b, d))
    cells += [(rng.uniform(0, 400), rng.uniform(0, 400), 500.0, 500.0) for _ in range(rng.randint(0, 2))]
    rng.shuffle(cells)
    return cells


def test_cells_to_tables_equals_pdfplumber() -> None:
    rng = random.Random(5)
    for _ in range(400):
        cells = _grid_cells(rng)
        ours = pdf_lattice._cells_to_tables(cells)
        theirs = cells_to_tables(cells)
        assert [sorted(t) for t in ours] == [sorted(t) for t in theirs]


def test_overlapping_cells_each_get_their_chars() -> None:
    """A row whose cells overlap (a span pdfplumber leaves open) takes the per-cell test: a char in both
    cells is in both texts, as in pdfplumber's `Table.extract`."""
    chars = [("甲", 10.0, 20.0, 10.0, 20.0, 10.0), ("乙", 40.0, 50.0, 10.0, 20.0, 10.0)]
    rows = [[(0.0, 0.0, 60.0, 30.0), (30.0, 0.0, 90.0, 30.0)]]
    assert pdf_lattice.extract_cells(rows, chars) == [["甲 乙", "乙"]]


def test_nearest_column_equals_the_plain_minimum() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        edges = pdf_tables._cluster([float(rng.randint(0, 600)) for _ in range(rng.randint(2, 9))])
        if len(edges) < 2:
            continue
        k = rng.randrange(len(edges) - 1)
        x = rng.choice([rng.uniform(-50, 650), rng.choice(edges), (edges[k] + edges[k + 1]) / 2])  # ties too
        want = min(range(len(edges) - 1), key=lambda i: abs(edges[i] - x))
        assert pdf_tables._nearest(edges, x) == want


def _random_edges(rng: random.Random) -> list[tuple]:
    """Ruling of a grid drawn the way exporters draw it: pieces per cell, some overlapping or a little apart
    (joined within 3 pt), some a little off the line (snapped within 3 pt), short ticks, duplicates."""
    xs = sorted({float(rng.choice(range(40, 560, 7))) for _ in range(rng.randint(2, 6))})
    ys = sorted({float(rng.choice(range(40, 800, 5))) for _ in range(rng.randint(2, 8))})
    edges = []
    for y in ys:
        for a, b in zip(xs, xs[1:], strict=False):
            dy = rng.choice([0.0, 0.0, 0.5, 2.5, 3.0, 3.5])
            ga, gb = rng.choice([0.0, 0.0, 2.0, 3.0, 4.0, -1.0]), rng.choice([0.0, 1.0])
            edges.append(("h", a + ga, y + dy, b + gb, y + dy, b + gb - a - ga, 0))
    for x in xs:
        for a, b in zip(ys, ys[1:], strict=False):
            if rng.random() < 0.9:
                dx = rng.choice([0.0, 0.0, 1.0, 3.0, 3.25])
                ga = rng.choice([0.0, 0.0, 3.0, 3.5, 0.5])
                edges.append(("v", x + dx, a + ga, x + dx, b, 0, b - a - ga))
    edges += [("h", 10.0, 10.0, 12.5, 10.0, 2.5, 0), ("v", 30.0, 30.0, 30.0, 30.8, 0, 0.8)]
    edges += rng.sample(edges, k=min(3, len(edges)))
    rng.shuffle(edges)
    return edges


def test_lattice_equals_pdfplumber_on_generated_edges() -> None:
    """Snapping, joining (pieces within 3 pt), crossings and cells as pdfplumber's TableFinder finds them."""
    rng = random.Random(11)
    for _ in range(300):
        edges = _random_edges(rng)
        page = SimpleNamespace(edges=[pdf_geometry.edge_to_dict(e) for e in edges])
        assert _ours(edges) == _plumber_tables(page)


def test_cells_equal_pdfplumber_extract_on_generated_tables() -> None:
    """Chars whose centre falls on a cell's edge, between cells or outside: `extract_cells` = `Table.extract`."""
    rng = random.Random(13)
    for _ in range(200):
        edges = _random_edges(rng)
        chars = []
        for _ in range(rng.randint(0, 80)):
            x = float(rng.choice(range(30, 570, 7))) + rng.choice([0.0, 0.5, 3.5])
            y = float(rng.choice(range(30, 800, 5))) + rng.choice([0.0, 2.5])
            w, size = rng.choice([(0.0, 10.0), (7.0, 10.0), (6.0, 12.0)])
            chars.append(pdf_geometry.box_to_char((rng.choice("一二3 "), x - w / 2, x + w / 2, y - size / 2,
                                                   y + size / 2, size)))
        page = SimpleNamespace(edges=[pdf_geometry.edge_to_dict(e) for e in edges], chars=chars)
        boxes = [pdf_geometry.char_to_box(c) for c in chars]
        for table in TableFinder(page).tables:
            assert pdf_lattice.extract_cells([list(r.cells) for r in table.rows], boxes) == table.extract()
