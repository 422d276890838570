"""Dates in reports: written in Chinese numerals (二〇二二年一月十五日, read with cn2an) and validated (2021年2月30日
is no date) — in the metadata block, the signature at the end and the line repairs of PDF text."""

from __future__ import annotations

import pytest

from extract.meta import iso_date, parse_metadata_block, signature_agency, signing_date
from extract.pipeline import extract_bytes
from extract.repair import repair_text

BODY = "<p>本年度本机关主动公开政府信息100条，收到政府信息公开申请3件，均已按时办结。</p>" * 8


def _page(signature_date: str, block_date: str = "") -> bytes:
    block = f"<p>成文日期：{block_date}</p>" if block_date else ""
    return (f"<html><head><title>霍山县财政局2021年政府信息公开工作年度报告</title></head><body>"
            f"<h1>霍山县财政局2021年政府信息公开工作年度报告</h1>{block}{BODY}"
            f"<p>霍山县财政局</p><p>{signature_date}</p></body></html>").encode()


@pytest.mark.parametrize(("text", "iso"), [
    ("二〇二二年一月十五日", "2022-01-15"),
    ("二○二一年十二月三十一日", "2021-12-31"),  # a circle for zero
    ("二零二零年二月二十九日", "2020-02-29"),
    ("二〇二二年元月五日", "2022-01-05"),
    ("2021年2月30日", None),  # no such day
    ("二〇二一年二月二十九日", None),  # 2021 is no leap year
    ("二〇二二年十三月一日", None),
    ("2022年1月15日", "2022-01-15"),
])
def test_iso_date(text: str, iso: str | None) -> None:
    assert iso_date(text) == iso


def test_signature_in_chinese_numerals() -> None:
    text = "正文……\n霍山县财政局\n二〇二二年一月十五日"
    assert signing_date(text) == "2022-01-15"
    assert signature_agency(text) == "霍山县财政局"
    assert parse_metadata_block("成文日期：二〇二二年一月十五日\n发布日期：2022-01-20") == {
        "成文日期": "2022-01-15", "发布日期": "2022-01-20"}


def test_report_dates_end_to_end() -> None:
    rec = extract_bytes(_page("二〇二二年一月十五日"), url="http://example.test/a.html")
    assert rec.is_report and rec.document_date == "2022-01-15" and rec.agency == "霍山县财政局"
    bad = extract_bytes(_page("2021年2月30日", block_date="2021年2月30日"), url="http://example.test/b.html")
    assert bad.document_date is None  # never '2021-02-30'


def test_pdf_lines_keep_a_chinese_date_on_its_own_line() -> None:
    wide = "本机关认真贯彻落实政府信息公开条例的各项要求，持续推进政务公开工作，取得了明显的成效并不断改进"
    text = "\n".join([wide, wide, wide, "二〇二二年一月十五日"])  # an open paragraph just above the date
    repaired, _ = repair_text(text, kind="pdf")
    assert repaired.splitlines()[-1] == "二〇二二年一月十五日"


@pytest.mark.parametrize("text, expected", [
    ("Published: 3 March 2022", "2022-03-03"),
    ("Jan. 21, 2021", "2021-01-21"),
    ("Date: 30 February 2021", None),  # not a day of that month
    ("Chapter 3 of 2021", None),
])
def test_english_month_names_read_by_dateparser(text, expected):
    from extract.meta import iso_date

    assert iso_date(text) == expected
