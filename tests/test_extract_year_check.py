"""The check that a year in the title agrees with the year the body says it covers."""

from __future__ import annotations

from extract import extract_bytes

BODY = """<html><head><meta charset="utf-8"><title>{title}</title></head><body><div id="zoom">
<p>{title}</p>
<p>本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。如对本报告有疑问，请与县政府办公室联系。</p>
<p>一、总体情况</p><p>全年主动公开政府信息120条，收到政府信息公开申请3件。</p>
<p>二、行政复议、行政诉讼情况</p><p>未发生行政复议和行政诉讼。</p></div></body></html>"""


def flags(title: str, year: int) -> list[str]:
    return extract_bytes(BODY.format(title=title, y=year).encode("utf-8"), content_type="text/html").flags


def test_title_year_disagreeing_with_the_reporting_period_is_flagged():
    got = [f for f in flags("某县2021年政府信息公开工作年度报告", 2020) if f.startswith("title says")]
    assert got and got[0].startswith("title says 2021 while the body says 2020 (")


def test_agreeing_years_raise_no_flag():
    assert not [f for f in flags("某县2021年政府信息公开工作年度报告", 2021) if f.startswith("title says")]
