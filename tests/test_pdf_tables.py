"""PDF tables across page breaks: stitched into one grid, repeated headers dropped, separate tables kept apart."""

from __future__ import annotations

import io

import pytest

from extract.formats.pdf_tables import clean_cell, extract_tables

FONT = "STSong-Light"


def _pdf(pages: list[list[tuple[str, object]]], running: str | None = "某某县人民政府信息公开专栏") -> bytes:
    """Pages of ("table", rows) / ("text", str) items, ruled tables, a running header and page number."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    style = ParagraphStyle("b", fontName=FONT, fontSize=10, leading=14)
    story: list[object] = []
    for i, items in enumerate(pages):
        if i:
            story.append(PageBreak())
        for kind, val in items:
            if kind == "text":
                story.append(Paragraph(str(val), style))
            else:
                widths = [200, 80, 80] if kind == "table" else [180, 180]
                t = Table([[Paragraph(c, style) for c in r] for r in val], colWidths=widths)  # type: ignore[union-attr]
                t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
                story.append(t)

    def furniture(c, doc) -> None:  # type: ignore[no-untyped-def]
        if running:
            c.setFont(FONT, 9)
            c.drawString(60, 810, running)
            c.drawCentredString(297, 30, f"- {doc.page} -")

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=(595.27, 841.89), invariant=1).build(story, onFirstPage=furniture,
                                                                          onLaterPages=furniture)
    return buf.getvalue()


HEAD = [["项目", "自然人", "总计"]]
ROWS1 = [[f"第{i}行", str(i), str(i * 2)] for i in range(1, 6)]
ROWS2 = [[f"第{i}行", str(i), str(i * 2)] for i in range(6, 10)]


def test_table_continued_on_next_page_is_one_grid() -> None:
    data = _pdf([[("text", "三、收到和处理政府信息公开申请情况"), ("table", HEAD + ROWS1)], [("table", ROWS2)]])
    grids = extract_tables(data)
    assert grids == [HEAD + ROWS1 + ROWS2]


def test_repeated_header_is_dropped() -> None:
    data = _pdf([[("table", HEAD + ROWS1)], [("table", HEAD + ROWS2)]])
    assert extract_tables(data) == [HEAD + ROWS1 + ROWS2]


def test_title_between_keeps_tables_apart() -> None:
    data = _pdf([[("table", HEAD + ROWS1)], [("text", "四、政府信息公开行政复议、行政诉讼情况"), ("table", HEAD + ROWS2)]])
    assert extract_tables(data) == [HEAD + ROWS1, HEAD + ROWS2]


def test_text_after_table_keeps_tables_apart() -> None:
    data = _pdf([[("table", HEAD + ROWS1), ("text", "表后说明文字。")], [("table", ROWS2)]])
    assert len(extract_tables(data)) == 2


def test_different_columns_are_not_stitched() -> None:
    other = [["行政复议", "行政诉讼"], ["1", "2"]]
    data = _pdf([[("table", HEAD + ROWS1)], [("table2", other)]])
    assert extract_tables(data) == [HEAD + ROWS1, other]


def test_stitches_without_running_header() -> None:
    data = _pdf([[("table", HEAD + ROWS1)], [("table", ROWS2)]], running=None)
    assert extract_tables(data) == [HEAD + ROWS1 + ROWS2]


@pytest.mark.parametrize(
    ("raw", "want"),
    [(None, ""), ("本年新\n制作数量", "本年新制作数量"), ("Total\nitems", "Total items"), ("12\n34", "1234"),
     ("  （一）予以\n公开 ", "（一）予以公开"), ("自 然 人", "自然人")],
)
def test_clean_cell(raw: str | None, want: str) -> None:
    assert clean_cell(raw) == want
