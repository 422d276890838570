"""A page whose <title> is only the column name takes the document's own heading as its title."""

from __future__ import annotations

from extract import extract_bytes

PAGE = """<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<div id="zoom"><h1>唐村镇人民政府2021年政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>2021年，唐村镇认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息120条。</p>
<p>二、收到和处理政府信息公开申请情况</p><p>全年共收到政府信息公开申请3件。</p>
<p>三、政府信息公开行政复议、行政诉讼情况</p><p>未发生行政复议和行政诉讼。</p></div></body></html>"""


def test_column_name_title_gives_way_to_the_heading():
    record = extract_bytes(PAGE.encode("utf-8"), url="http://x.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=1&fbtime=2021",
                           content_type="text/html; charset=utf-8")
    assert record.title == "唐村镇人民政府2021年政府信息公开工作年度报告"
    assert record.report_year == 2021 and record.is_report


def test_a_title_with_its_year_is_kept():
    page = PAGE.replace("<title>政府信息公开年报</title>", "<title>唐村镇2021年政府信息公开年度报告</title>")
    assert extract_bytes(page.encode("utf-8"), content_type="text/html").title == "唐村镇2021年政府信息公开年度报告"
