"""PDF and DOCX attachments, built in memory and byte-identical on every run.

PDFs use reportlab's built-in CID font STSong-Light (no font files to ship)
with `invariant=1`, so no timestamps or random IDs end up in the bytes. DOCX
files are re-zipped with fixed member dates for the same reason.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from demosites.forms import rng_for
from demosites.report_template import Rows, table2_rows, table3_rows, table4_rows
from demosites.seeds import SEED_000, SEED_004, fake_bold_runs, pdf_pages, seed_003_parts

logger = logging.getLogger(__name__)

FONT = "STSong-Light"
A4 = (595.27, 841.89)


@cache
def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, FONT, size)


@cache
def seed_000_pdf() -> bytes:
    """Seed 000 as its PDF: fake-bold runs drawn 4× at +0.25pt, a page number
    line on every page, one seed line per PDF line (hard breaks inside sentences)."""
    from reportlab.pdfgen import canvas

    _register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle("")
    pages = pdf_pages(SEED_000)
    for no, lines in enumerate(pages, 1):
        if no == 1 and lines and lines[0] == "1":
            lines = lines[1:]
        c.setFont(FONT, 10.5)
        c.drawCentredString(A4[0] / 2, A4[1] - 40, str(no))  # the page-number line
        y = A4[1] - 80
        for line in lines:
            size = 16.0 if line in ("东西湖区住房和城乡建设局", "2019 年政府信息公开工作年度报告") else 14.0
            if size == 16.0:
                x = (A4[0] - _width(line, size)) / 2
            else:
                x = 90.0
            for text, bold in fake_bold_runs(line):
                c.setFont(FONT, size)
                for k in range(4 if bold else 1):
                    c.drawString(x + 0.25 * k, y, text)
                x += _width(text, size)
            y -= 28
        c.showPage()
    c.save()
    return buf.getvalue()


@cache
def seed_004_pdf() -> bytes:
    """Seed 004 as its PDF; the text layer carries the wrong characters
    (丌 迚 劢 挃 幵 挄, 不 for 与) exactly as the seed shows them."""
    from reportlab.pdfgen import canvas

    _register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for no, lines in enumerate(pdf_pages(SEED_004), 1):
        y = A4[1] - 72
        for line in lines:
            size = 18.0 if no == 1 and y > A4[1] - 140 else 14.0
            c.setFont(FONT, size)
            c.drawString(72 + 14 * (len(line) - len(line.lstrip())) / 4, y, line.strip())
            y -= 30
        c.setFont(FONT, 9)
        c.drawCentredString(A4[0] / 2, 36, f"- {no} -")
        c.showPage()
    c.save()
    return buf.getvalue()


def report_pdf(blocks: list[tuple[str, object]], title: str) -> bytes:
    """A generated report as a PDF with real ruled tables (reportlab Table + GRID)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, firstLineIndent=22, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=12, firstLineIndent=0)
    ttl = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=9, wordWrap="CJK")
    sign = ParagraphStyle("sign", parent=body, alignment=2)
    story: list[object] = [Paragraph(title.replace("\n", ""), ttl), Spacer(1, 8)]

    def span(rows: Rows, widths: list[float]) -> Table:
        return span_table(rows, widths, lambda text: Paragraph(text, cell))

    for kind, val in blocks:
        if kind == "h":
            story.append(Paragraph(str(val), head))
        elif kind == "p":
            story.append(Paragraph(str(val), body))
        elif kind == "sign":
            story.append(Paragraph(str(val), sign))
        elif kind == "t2":
            story.append(span(table2_rows(val), [130, 120, 120, 120]))  # type: ignore[arg-type]
        elif kind == "t3":
            story.append(span(table3_rows(val), [40, 60, 120] + [38] * 7))  # type: ignore[arg-type]
        elif kind == "t4":
            story.append(span(table4_rows(val), [32] * 15))  # type: ignore[arg-type]
        elif kind == "legacy":
            story.append(span([[(c, 1, 1) for c in r] for r in val], [330, 60, 60]))  # type: ignore[union-attr]
        story.append(Spacer(1, 4))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1, leftMargin=50, rightMargin=50, title="", author="")
    doc.build(story)
    return buf.getvalue()


def span_table(rows: Rows, widths: list[float], cell: Callable[[str], Any], *, rule: float = 0.5,
               pad: float | None = None) -> Any:
    """A ruled reportlab Table from (text, colspan, rowspan) rows; `cell` makes a cell's flowable from its text.

    A rowspan running past the last row stops there; `pad` sets top and bottom padding.
    """
    from reportlab.platypus import Table, TableStyle

    ncols = len(widths)
    grid: list[list[Any]] = [[""] * ncols for _ in rows]
    taken = [[False] * ncols for _ in rows]
    spans = []
    for r, row in enumerate(rows):
        c = 0
        for text, cs, rs in row:
            while taken[r][c]:
                c += 1
            grid[r][c] = cell(text)
            last = min(r + rs, len(rows)) - 1
            for rr in range(r, last + 1):
                for cc in range(c, c + cs):
                    taken[rr][cc] = True
            if cs > 1 or rs > 1:
                spans.append(("SPAN", (c, r), (c + cs - 1, last)))
            c += cs
    padding = [] if pad is None else [("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad)]
    table = Table(grid, colWidths=widths)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), rule, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               *padding, *spans]))
    return table


def corrupt_pdf(key: str) -> bytes:
    """A truncated PDF: a valid header, then garbage (the 'bad' fault site)."""
    rng = rng_for("corrupt", key)
    garbage = bytes(rng.randrange(256) for _ in range(700))
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Typ" + garbage


def _fixed_zip(data: bytes) -> bytes:
    """Re-zip with fixed member dates so the DOCX bytes never change."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def _new_docx():  # type: ignore[no-untyped-def]
    import docx
    from docx.oxml.ns import qn

    d = docx.Document()
    cp = d.core_properties
    cp.author = ""
    cp.last_modified_by = ""
    cp.created = datetime(2020, 1, 1)
    cp.modified = datetime(2020, 1, 1)
    cp.revision = 1
    style = d.styles["Normal"]
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return d


def _save_docx(d) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip(buf.getvalue())


@cache
def seed_003_docx() -> bytes:
    """Seed 003 as its DOCX: paragraphs plus real Word tables holding the seed's
    cells exactly (labels lost in table 三, rows of bare 0s), and 四、结转下年度继续办理
    with its 0 as paragraphs after the table."""
    d = _new_docx()
    for kind, val in seed_003_parts():
        if kind == "p":
            d.add_paragraph(str(val))
        else:
            rows: list[list[str]] = val  # type: ignore[assignment]
            table = d.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
    return _save_docx(d)


def report_docx(blocks: list[tuple[str, object]], title: str) -> bytes:
    """A generated report as DOCX with merged-cell Word tables."""
    d = _new_docx()
    d.add_paragraph(title.replace("\n", ""))
    for kind, val in blocks:
        if kind in ("h", "p", "sign"):
            d.add_paragraph(str(val))
        elif kind in ("t2", "t3", "t4", "legacy"):
            if kind == "t2":
                rows = table2_rows(val)  # type: ignore[arg-type]
            elif kind == "t3":
                rows = table3_rows(val)  # type: ignore[arg-type]
            elif kind == "t4":
                rows = table4_rows(val)  # type: ignore[arg-type]
            else:
                rows = [[(c, 1, 1) for c in r] for r in val]  # type: ignore[union-attr]
            add_span_table(d, rows)
    return _save_docx(d)


def add_span_table(d, rows: Rows) -> None:
    """Append a Word table whose cells are (text, colspan, rowspan), merging cells as HTML spans would."""
    ncols = sum(cs for _, cs, _ in rows[0])
    table = d.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    taken = [[False] * ncols for _ in rows]
    for r, row in enumerate(rows):
        c = 0
        for text, cs, rs in row:
            while taken[r][c]:
                c += 1
            cell = table.cell(r, c)
            if cs > 1 or rs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            cell.text = text
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    taken[rr][cc] = True
            c += cs
