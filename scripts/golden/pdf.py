"""Golden PDFs: ruled tables with table 三 across a page break, fake-bold headings, running headers, a scan."""

from __future__ import annotations

import io
from typing import Any

from demosites.binaries import FONT, _register_font, span_table
from demosites.forms import Numbers
from demosites.report_template import Rows, esc, table2_rows, table3_layout, table3_rows, table4_rows

from .spec import Spec
from .text import blocks


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, firstLineIndent=22, wordWrap="CJK")
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=26, alignment=1, firstLineIndent=0),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=10, wordWrap="CJK"),
        "sign": ParagraphStyle("sign", parent=body, alignment=2),
    }


def _fake_bold_heading(text: str, size: float = 12.0) -> Any:
    """A heading drawn 4× at +0.3pt offsets, as Word's 'fake bold' PDF export does."""
    from reportlab.platypus import Flowable

    class FakeBold(Flowable):
        def wrap(self, aw: float, ah: float) -> tuple[float, float]:
            return aw, size + 10

        def draw(self) -> None:
            c = self.canv
            c.setFont(FONT, size)
            for k in range(4):
                c.drawString(0.3 * k, 5, text)

    return FakeBold()


def table3_parts(n: Numbers, *, repeat_header: bool) -> tuple[Rows, Rows]:
    """Table 三 cut after （三）不予公开 into the part on one page and its continuation.

    The 三、本年度办理结果 rowspan is cut in two, as Word does at a page break; the
    continuation's first cell is the (blank) rest of that span.
    """
    rows = table3_rows(n)
    keys = [key for key, _ in table3_layout(n)]
    cut, outcome = keys.index("denied_8") + 1, keys.index("granted")
    text, colspan, rowspan = rows[outcome][0]
    rows[outcome][0] = (text, colspan, cut - outcome)
    rows[cut].insert(0, ("", 1, rowspan - (cut - outcome)))
    header = rows[:3]
    return rows[:cut], (header if repeat_header else []) + rows[cut:]


def render_pdf(s: Spec, *, repeat_header: bool = True, running: str | None = None, fake_bold: bool = True,
               page_per_section: bool = False) -> bytes:
    """A report PDF: ruled tables, table 三 across a page break, optional running header + page numbers."""
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    st = _pdf_styles()
    A4 = (595.27, 841.89)
    story: list[Any] = [Paragraph(esc(s.title), st["title"]), Spacer(1, 6)]
    widths3 = [40, 60, 126] + [39] * 7

    def span(rows: Rows, widths: list[float], pad: float = 3) -> Any:
        return span_table(rows, widths, lambda text: Paragraph(esc(text), st["cell"]) if text else "", rule=0.6, pad=pad)

    for kind, val in blocks(s):
        if kind == "h":
            if page_per_section and not val.startswith("一、"):
                story.append(PageBreak())
            story.append(_fake_bold_heading(val) if fake_bold else Paragraph(esc(val), st["body"]))
        elif kind == "p":
            story.append(Paragraph(esc(val), st["body"]))
        elif kind == "sign":
            story.append(Paragraph(esc(val), st["sign"]))
        elif kind == "t2":
            story.append(span(table2_rows(val), [135, 120, 120, 120]))
        elif kind == "t3":
            part1, part2 = table3_parts(val, repeat_header=repeat_header)
            story.append(span(part1, widths3, pad=4))
            story.append(PageBreak())
            story.append(span(part2, widths3, pad=4))
        elif kind == "t4":
            story.append(span(table4_rows(val), [33] * 15))
        elif kind == "legacy":
            story.append(span([[(c, 1, 1) for c in r] for r in val], [330, 60, 80]))
        story.append(Spacer(1, 4))

    def furniture(canvas: Any, doc: Any) -> None:
        if running is None:
            return
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawString(50, A4[1] - 30, running)
        canvas.line(50, A4[1] - 34, A4[0] - 50, A4[1] - 34)
        canvas.drawCentredString(A4[0] / 2, 28, f"— {doc.page} —")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1, leftMargin=50, rightMargin=50, topMargin=56,
                            bottomMargin=56, title="", author="", creator="", producer="")
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buf.getvalue()


def scanned_pdf(src: bytes) -> bytes:
    """Every page of `src` rendered to a 150-dpi grey image, wrapped in an image-only PDF (no text layer)."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = pdfium.PdfDocument(src)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595.27, 841.89), invariant=1)
    try:
        for i in range(len(pdf)):
            img = pdf[i].render(scale=150 / 72, grayscale=True).to_pil()
            png = io.BytesIO()
            img.save(png, format="PNG", optimize=True)
            png.seek(0)
            c.drawImage(ImageReader(png), 0, 0, width=595.27, height=841.89)
            c.showPage()
    finally:
        pdf.close()
    c.save()
    return out.getvalue()
