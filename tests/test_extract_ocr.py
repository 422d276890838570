"""OCR of scanned reports: image-only PDFs, 图片版 pages' images, the text-layer decision.

The scan is made here: report sentences drawn with reportlab's built-in STSong-Light,
rasterised by pypdfium2 (a CJK system font renders the glyphs: scripts/setup.sh
installs fonts-wqy-microhei) and wrapped as an image-only PDF.
"""

from __future__ import annotations

import io
import os
import re
import time

import pytest

from extract import extract_bytes, limits
from extract.formats import ocr
from extract.formats.ocr import clean_ocr_text, pages_to_ocr, tesseract_problem
from extract.pipeline import Part, extract_report

SENTENCES = [
    "霍山县2023年政府信息公开工作年度报告",
    "一、总体情况",
    "全年受理依申请公开17条，按时办结17条。",
    "本机关主动公开政府信息1234条，其中规范性文件5件。",
    "二、收到和处理政府信息公开申请情况",
    "行政复议2件，行政诉讼1件，均未被纠错。",
]
KEY = "全年受理依申请公开17条"


def _need(problem: str | None, what: str) -> None:
    """Skip where the machine lacks a system package, except in CI, which installs it via setup."""
    if problem:
        msg = f"{what}: {problem}; run scripts/setup.sh (as root) to install it"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


def _text_pdf(lines: list[str], pages: int = 1) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for _ in range(pages):
        c.setFont("STSong-Light", 18)
        c.drawString(90, 760, lines[0])
        c.setFont("STSong-Light", 12)
        for i, ln in enumerate(lines[1:]):
            c.drawString(72, 720 - 24 * i, ln)
        c.showPage()
    c.save()
    return buf.getvalue()


def _scan(pdf: bytes, dpi: int = 200) -> list:  # noqa: ANN401 - PIL images
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
    doc.close()
    ink = sum(images[0].resize((200, 280)).histogram()[:128])  # dark pixels
    _need(None if ink > 50 else "no CJK font renders the test text (apt-get install fonts-wqy-microhei)", "CJK font")
    return images


def _image_pdf(images: list, dpi: int = 200) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buf.getvalue()


def _png(image) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def scanned_pages() -> list:
    _need(tesseract_problem(), "OCR")
    return _scan(_text_pdf(SENTENCES, pages=3))


# ---------------------------------------------------------------- needs tesseract


def test_image_only_pdf_is_read_by_ocr(scanned_pages: list) -> None:
    data = _image_pdf(scanned_pages[:1])
    t0 = time.monotonic()
    rec = extract_bytes(data, filename="report.pdf")
    print(f"OCR: {time.monotonic() - t0:.2f} s for one page (render + tesseract + pipeline)")
    assert KEY in _flat(rec.text), rec.text
    assert rec.text_source == "ocr"
    assert "text from OCR (tesseract chi_sim)" in rec.flags
    assert "needs OCR" not in rec.flags and not rec.errors, rec.errors
    assert rec.report_year == 2023 and rec.is_report
    assert rec.stats_dict().get("core.requests_new") == 17


def test_ocr_page_cap_is_flagged(scanned_pages: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "OCR_MAX_PAGES", 2)
    rec = extract_bytes(_image_pdf(scanned_pages), filename="report.pdf")
    assert "OCR: only the first 2 pages read (of 3 needing OCR)" in rec.flags
    assert rec.text_source == "ocr"
    assert _flat(rec.text).count(KEY) == 2


def test_ocr_time_budget_is_flagged(scanned_pages: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "OCR_SECONDS", 0.5)
    rec = extract_bytes(_image_pdf(scanned_pages), filename="report.pdf")
    assert any(f.startswith("OCR stopped after 0.5 s") for f in rec.flags), rec.flags


def test_text_layer_pdf_is_not_ocrd(monkeypatch: pytest.MonkeyPatch) -> None:
    _need(tesseract_problem(), "OCR")

    def no_ocr(*a: object, **k: object) -> str:
        raise AssertionError("OCR ran on a PDF with a good text layer")

    monkeypatch.setattr(ocr, "ocr_image", no_ocr)
    rec = extract_bytes(_text_pdf(SENTENCES, pages=2), filename="report.pdf")
    assert rec.text_source == "pdf" and KEY in _flat(rec.text)
    assert not any("OCR" in f for f in rec.flags)


def test_picture_version_page_ocrs_its_body_images(scanned_pages: list) -> None:
    page = (
        "<html><head><title>霍山县2023年政府信息公开工作年度报告（图片版）</title></head><body>"
        "<div class='TRS_Editor'><p><img src='./W1.png'></p><p><img src='./W2.png'></p></div></body></html>"
    ).encode()
    from PIL import Image

    icon = Image.new("L", (32, 32), 255)
    parts = [
        Part(page, "http://x.gov.cn/art/2024/1/10/art_1.html", "text/html"),
        Part(_png(icon), "http://x.gov.cn/images/print.png", "image/png"),  # an icon: skipped quietly
        Part(_png(scanned_pages[0]), "http://x.gov.cn/art/W1.png", "image/png"),
        Part(_png(scanned_pages[1].convert("RGB")), "http://x.gov.cn/art/W2.jpg", None),
    ]
    rec = extract_report(parts)
    assert rec.text_source == "ocr"
    assert "text from OCR (tesseract chi_sim)" in rec.flags
    assert _flat(rec.text).count(KEY) == 2
    assert rec.title and rec.title.endswith("（图片版）")
    assert rec.is_report and not rec.errors, rec.errors


def test_png_attachment_alone(scanned_pages: list) -> None:
    rec = extract_bytes(_png(scanned_pages[0]), filename="report.png")
    assert rec.text_source == "ocr" and KEY in _flat(rec.text)


# ---------------------------------------------------------------- without tesseract


def test_missing_tesseract_is_reported_and_the_rest_works(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    ocr.tesseract_problem.cache_clear()
    try:
        blank = _image_pdf([Image.new("L", (800, 1100), 255)])
        rec = extract_bytes(blank, filename="scan.pdf")
        assert "OCR needed but tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)" in rec.errors
        assert "needs OCR" in rec.flags
        good = extract_bytes(_text_pdf(SENTENCES), filename="report.pdf")  # text-layer PDFs unaffected
        assert good.text_source == "pdf" and not good.errors and good.is_report
    finally:
        monkeypatch.undo()
        ocr.tesseract_problem.cache_clear()


def test_pages_to_ocr_decision() -> None:
    body = "全年受理依申请公开17条，按时办结17条，本机关主动公开政府信息1234条，其中规范性文件5件。"
    assert pages_to_ocr([body, body, "霍山县人民政府"]) == []  # a short signature page keeps the layer
    assert pages_to_ocr(["", " 1 ", ""]) == [0, 1, 2]
    assert pages_to_ocr([body, "", "", "- 4 -"]) == [1, 2, 3]  # mostly scanned: OCR the empty pages
    assert pages_to_ocr(["\ue000\ue001\ue002" * 10, body]) == [0]  # private-use mojibake
    assert pages_to_ocr([]) == []


def test_clean_ocr_text_joins_cjk_glyphs() -> None:
    assert clean_ocr_text("全 年 受理 依 申请 公开 17 条 ，\f\n\n\n\nabc def") == "全年受理依申请公开17条，\n\nabc def"
