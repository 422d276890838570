"""Tables that arrive as text: markdown pipe rows, space-aligned rows (PDF text layers without ruling
lines, OCR), a misprinted row label, table 四 as a bare row of numbers, flattened 2008–2018 rows."""

from __future__ import annotations

from extract.stats import analyze
from extract.tables import text_tables_to_grids

ROWS21 = [
    ("一、本年新收政府信息公开申请数量", [3746, 63, 0, 0, 19, 2, 3830]),
    ("二、上年结转政府信息公开申请数量", [30, 1, 0, 0, 0, 0, 31]),
    ("（一）予以公开", [1000, 20, 0, 0, 5, 1, 1026]),
    ("（二）部分公开", [200, 5, 0, 0, 3, 0, 208]),
    ("1.属于国家秘密", [0, 0, 0, 0, 0, 0, 0]),
    ("2.其他法律行政止公开", [4, 0, 0, 0, 0, 0, 4]),  # misprint of 其他法律行政法规禁止公开
    ("3.危及“三安全一稳定”", [1, 0, 0, 0, 0, 0, 1]),
]


def stats_of(text: str, form: str = "form2021") -> tuple[dict, list[str], dict]:
    stats, flags = analyze(text, [], form=form, report_year=2021, document_date=None)
    return {s.key: s.value for s in stats}, flags, {s.key: s.confidence for s in stats}


def markdown_table() -> str:
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |",
        "|---|---|---|---|---|---|---|---|",
        "| | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |",
    ]
    for label, nums in ROWS21:
        lines.append("| " + label + " | " + " | ".join(map(str, nums)) + " |")
    return "\n".join(lines) + "\n\n四、政府信息公开行政复议、行政诉讼情况\n"


def test_markdown_pipe_table() -> None:
    got, _, conf = stats_of(markdown_table())
    assert got["requests.new.total"] == 3830
    assert got["requests.new.natural_person"] == 3746
    assert got["requests.partial.total"] == 208
    assert got["core.requests_new"] == 3830
    assert conf["requests.new.total"] == "table-label"


def test_misprinted_row_label_is_placed_by_the_forms_row_set() -> None:
    got, flags, conf = stats_of(markdown_table())
    assert got["requests.denied_prohibited_by_law.total"] == 4
    assert got["requests.denied_security_stability.total"] == 1
    assert conf["requests.denied_prohibited_by_law.total"] == "table-position"
    assert any("misprinted" in f for f in flags)


def test_space_aligned_rows_without_headers() -> None:
    text = "三、收到和处理政府信息公开申请情况\n" + "\n".join(
        f"{label}  " + "  ".join(map(str, nums)) for label, nums in ROWS21
    )
    got, flags, conf = stats_of(text)
    assert got["requests.new.total"] == 3830
    assert got["requests.carried_over.natural_person"] == 30
    assert got["requests.partial.total"] == 208
    assert conf["requests.new.total"] == "table-position"
    assert any("by position" in f for f in flags)


def test_space_aligned_row_that_does_not_add_up_is_not_read() -> None:
    text = "一、本年新收政府信息公开申请数量 5 0 0 0 0 0 3\n二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"
    got, flags, _ = stats_of(text)
    assert "requests.new.total" not in got
    assert any("do not add up" in f for f in flags)


def test_table4_as_a_bare_row_of_numbers() -> None:
    text = (
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n"
        "| 30 | 5 | 10 | 10 | 55 | 10 | 2 | 5 | 3 | 20 | 6 | 1 | 4 | 3 | 14 |\n"
        "五、存在的主要问题及改进情况\n"
    )
    got, _, conf = stats_of(text)
    assert got["review.total"] == 55
    assert got["litigation_after_review.total"] == 14
    assert got["core.litigation_total"] == 34
    assert conf["review.total"] == "table-position"


def test_flattened_legacy_rows_with_spaces() -> None:
    text = (
        "二〇一六年政府信息公开工作年度报告\n统计指标 单位 统计数\n"
        "一、主动公开情况\n（一）主动公开政府信息数 条 1520\n"
        "二、回应解读情况\n三、依申请公开情况\n（一）收到申请数 件 12\n"
        "（二）申请答复数 件 12\n四、行政复议数量 件 1\n五、行政诉讼数量 件 0\n"
    )
    got, _, _ = stats_of(text, form="legacy_table")
    assert got["legacy.proactive_items"] == 1520
    assert got["legacy.requests_received"] == 12
    assert got["core.requests_new"] == 12
    assert got["core.review_total"] == 1


def test_prose_is_not_a_table() -> None:
    assert text_tables_to_grids("全年共收到申请 12\n件，均已答复。\n2021 年 12 月 31 日\n") == []


def _lineless_pdf() -> bytes:
    """A table 三 drawn as text at column positions, with no ruling lines (as many county PDFs are)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from demosites.binaries import FONT, _register_font

    _register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(FONT, 14)
    c.drawString(120, 800, "某县人民政府2021年政府信息公开工作年度报告")
    c.setFont(FONT, 10)
    c.drawString(60, 770, "三、收到和处理政府信息公开申请情况")
    for j, h in enumerate(["自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"]):
        c.drawString(240 + j * 42, 740, h)
    y = 740
    for label, nums in [*ROWS21[:4], ("（七）总计", [1210, 26, 0, 0, 8, 1, 1245]), ("四、结转下年度继续办理", [7, 0, 0, 0, 0, 0, 7])]:
        y -= 20
        c.drawString(40, y, label)
        for j, n in enumerate(nums):
            c.drawRightString(270 + j * 42, y, str(n))
    c.drawString(60, y - 40, "四、政府信息公开行政复议、行政诉讼情况")
    c.save()
    return buf.getvalue()


def test_pdf_table_without_ruling_lines() -> None:
    from extract import extract_bytes

    rec = extract_bytes(_lineless_pdf(), filename="lineless.pdf")
    got = rec.stats_dict()
    assert got["requests.new.total"] == 3830
    assert got["requests.partial.total"] == 208
    assert got["requests.handled_total.total"] == 1245  # not claimed by the header row's 总计
    assert got["requests.carried_forward.total"] == 7


def test_scanned_table_read_from_ocr_word_boxes() -> None:
    """An image-only PDF of the same table: rows rebuilt from Tesseract's word boxes, each row's sum
    checked (a misread digit breaks it), so the numbers come through the scan."""
    import io
    import shutil

    import pypdfium2 as pdfium
    import pytest

    from extract import extract_bytes
    from extract.formats.ocr import tesseract_problem

    if shutil.which("tesseract") is None or tesseract_problem():
        pytest.skip(f"OCR unavailable: {tesseract_problem()}")
    img = pdfium.PdfDocument(_lineless_pdf())[0].render(scale=200 / 72).to_pil().convert("L")
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=200)
    rec = extract_bytes(buf.getvalue(), filename="scan.pdf")
    assert rec.text_source == "ocr" or any("OCR" in f for f in rec.flags)
    got = rec.stats_dict()
    assert got["requests.new.total"] == 3830
    assert got["requests.new.natural_person"] == 3746
    assert got["requests.handled_total.total"] == 1245
    assert {s.confidence for s in rec.stats if s.key.startswith("requests.")} == {"table-position"}
