"""PDF tables from PDFium's page objects: the same cells as pdfplumber's own path, page by page, on every
PDF of the golden corpora (tests/golden/docs, tests/fixtures/real/pdf) and on pages the fast reader must
leave to pdfplumber (rotated, vertical writing)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from extract.formats.pdf_tables import extract_tables
from tests.pdf_reports import REAL_PDFS, needs_real_pdfs
from tests.test_pdf_tables import HEAD, ROWS1, ROWS2, _pdf

ROOT = Path(__file__).resolve().parent
PDFS = sorted([*(ROOT / "golden" / "docs").glob("*.pdf"), *(ROOT / "fixtures" / "real" / "pdf").glob("*.pdf")])


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_fast_tables_equal_pdfplumber_tables(path: Path) -> None:
    data = path.read_bytes()
    assert extract_tables(data) == extract_tables(data, fast=False)


@needs_real_pdfs
def test_fast_reader_mirrors_pdfminer_objects() -> None:
    """Chars (text, box) and edges equal pdfplumber's on a real county report (ruled tables, Word export)."""
    import pdfplumber
    import pypdfium2 as pdfium

    from extract.formats.pdf_geometry import Unsupported, open_page, read_page

    data = (ROOT / "fixtures" / "real" / "pdf" / "js_huaian_2024.pdf").read_bytes()
    pdf = pdfium.PdfDocument(data)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        checked = 0
        for no, ppage in enumerate(plumber.pages):
            with open_page(pdf.raw, no) as (page_raw, text_raw):
                try:
                    fast = read_page(page_raw, text_raw)
                    _same_objects(fast.chars, ppage.chars, ("text",))
                except Unsupported:
                    continue
                _same_objects(fast.edges, ppage.edges, ("orientation",))
                assert fast.has_ruling == bool(ppage.lines or ppage.rects)
                checked += 1
    pdf.close()
    assert checked >= 5


def _same_objects(ours: list[dict], theirs: list[dict], keys: tuple[str, ...]) -> None:
    """One to one, equal `keys` and a box within 0.02 pt (PDFium computes in float32, pdfminer in float64),
    the right edge within 0.15 pt (PDFium's advance for some CJK glyphs is a tenth of a point wider)."""
    tol = {"x0": 0.02, "x1": 0.15, "top": 0.02, "bottom": 0.02}
    assert len(ours) == len(theirs)
    left = list(theirs)
    for o in ours:
        same = [t for t in left if all(t[k] == o[k] for k in keys)]
        match = min(same, key=lambda t: max(abs(t[k] - o[k]) for k in ("x0", "x1", "top", "bottom")), default=None)
        assert match is not None and all(abs(match[k] - o[k]) < tol[k] for k in tol), o
        left.remove(match)


def test_cell_text_equals_pdfplumber_extract_text() -> None:
    """The joined cell text (one line or several) is pdfplumber's `extract_text` for every cell."""
    import pypdfium2 as pdfium
    from pdfplumber.utils import extract_text

    from extract.formats import pdf_geometry, pdf_lattice

    cells = 0
    for path in PDFS:
        pdf = pdfium.PdfDocument(path.read_bytes())
        for no in range(len(pdf)):
            with pdf_geometry.open_page(pdf.raw, no) as (page_raw, text_raw):
                try:
                    page = pdf_geometry.read_page(page_raw, text_raw)
                    chars = page.chars
                except pdf_geometry.Unsupported:
                    continue
                for table in pdf_lattice.find_tables(page.segments):
                    for row in table.rows:
                        for box in filter(None, row):
                            inside = [c for c in chars if box[0] <= (c["x0"] + c["x1"]) / 2 < box[2]
                                      and box[1] <= (c["top"] + c["bottom"]) / 2 < box[3]]
                            boxes = [pdf_geometry.char_to_box(c) for c in inside]
                            assert pdf_lattice.cell_text(boxes) == extract_text(inside)
                            cells += 1
        pdf.close()
    assert cells > (3000 if REAL_PDFS else 1000)  # the golden PDFs alone hold ~1,200 cells


def test_rotated_page_goes_to_pdfplumber_with_the_same_cells() -> None:
    import pypdfium2 as pdfium

    from extract.formats.pdf_tables import TableReader

    pdf = pdfium.PdfDocument(_pdf([[("table", HEAD + ROWS1)], [("table", ROWS2)]]))
    pdf[1].set_rotation(90)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    data = buf.getvalue()
    reader = TableReader(data)
    doc = pdfium.PdfDocument(data)
    for no in range(len(doc)):
        reader.add_pdfium(no, doc.raw, None, None)
    doc.close()
    assert reader.fallbacks == 1
    assert reader.grids() == extract_tables(data, fast=False)
    reader.close()


@needs_real_pdfs
def test_vertical_writing_cell_is_read_whole() -> None:
    """洪泽 2024's table 三 has a merged cell written top to bottom (Identity-V): its chars stay in it."""
    data = (ROOT / "fixtures" / "real" / "pdf" / "js_hongze_2024.pdf").read_bytes()
    grids = extract_tables(data)
    assert any(row and row[0] == "三、本年度办理结果" for grid in grids for row in grid)
