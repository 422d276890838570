"""Issue 12's HTML speed-ups keep every output. The caches give out nothing that another caller or document
can change. The one walk over a page gives the same texts as two walks. The fake-bold repair's str.find
shortcut collapses the same runs as trying every unit size.

Speed is measured in benchmarks/ (extract_bench.py, crawl_bench.py), not here."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from extract.formats.html import _element_texts, element_text
from extract.repair import _collapse_line
from extract.stats.base import Value, parse_value
from extract.tables import _MAX_ROWSPAN, _cell_text, _span, clean_cell


def test_parse_value_cache_gives_each_caller_its_own_value() -> None:
    first = parse_value("12件")
    assert isinstance(first, Value) and (first.number, first.unit) == (12, "件")
    first.number = 99  # a caller that changes what it got must not change the next document's number
    again = parse_value("12件")
    assert (again.number, again.unit) == (12, "件") and again is not first


def test_parse_value_keeps_number_types_apart() -> None:
    # 1 == 1.0 == True as cache keys: a cell's type must still decide the value's type
    assert type(parse_value(1).number) is int
    assert parse_value(True) is True  # not a number cell: given back as it came
    assert type(parse_value(1.0).number) is float
    assert type(parse_value("1").number) is int
    assert type(parse_value("1.0").number) is float
    assert parse_value("无").number == 0 and parse_value("—") is None and parse_value("见附件") == "见附件"


@pytest.mark.parametrize(("attr", "expected"), [
    (None, 1), ("", 1), ("0", 1), ("3", 3), ("２", 2), ("3px", 3), ("2²", 2), ("abc", 1), (" 4 ", 4),
    ("100000", _MAX_ROWSPAN),
])
def test_span_attribute_values(attr: str | None, expected: int) -> None:
    cell = lxml_html.fromstring("<td>x</td>" if attr is None else f'<td rowspan="{attr}">x</td>')
    assert _span(cell, "rowspan", _MAX_ROWSPAN) == expected


def test_cell_text_with_and_without_child_elements() -> None:
    table = lxml_html.fromstring(
        "<table><tr><td> 本年 新\u3000制作 </td><td>本年新<br/>制作<b>数量</b><table><tr><td>内</td></tr></table>尾"
        "<script>x()</script>后</td><td></td></tr></table>")
    plain, nested, empty = table.findall(".//tr")[0].findall("td")
    assert _cell_text(plain) == "本年新制作"
    assert _cell_text(nested) == "本年新制作数量尾后"
    assert _cell_text(empty) == "" and clean_cell(None) == ""


_PAGE = """<html><body><div class="nav">首页 &gt; 信息公开</div><!-- c -->
<div class="TRS_Editor"><p>一、总体情况</p><table><tr><td>申请</td><td> 3 </td></tr></table></div>尾部文字
<script>var s = '<div id="x">脚本</div>';</script><p>版权所有</p></body></html>"""


def test_page_and_container_text_in_one_walk() -> None:
    root = lxml_html.fromstring(_PAGE)
    body = root.find(".//body")
    container = root.xpath("//div[@class='TRS_Editor']")[0]
    page_text, inner = _element_texts(body, container)
    assert page_text == element_text(body)
    assert inner == element_text(container)
    assert "尾部文字" in inner  # the container's tail belongs to its text, as element_text has it
    assert _element_texts(body, body) == (element_text(body), element_text(body))
    script = root.find(".//script")  # skipped, but its tail is text: element_text(script) is that tail
    assert _element_texts(body, script) == (element_text(body), element_text(script))
    hidden = lxml_html.fromstring("<div><noscript><p>里</p><b>藏</b>外</noscript></div>")
    assert _element_texts(hidden, hidden.find(".//b")) == (element_text(hidden), None)  # never walked: None
    other = lxml_html.fromstring("<div><p>别处</p></div>")
    assert _element_texts(body, other) == (element_text(body), None)
    assert _element_texts(body) == (element_text(body), None)


@pytest.mark.parametrize(("line", "expected"), [
    # outputs of the slice-by-slice version this replaced (ca4f8ca..f15346d), kept exactly
    ("一、一、加强组织领导", "一、加强组织领导"),
    ("（一）（一）主动公开", "（一）主动公开"),
    ("（一）（一）", "（一）"),  # the largest size that fits, half the line
    ("加强加强加强组织", "加强组织"),
    ("政府政府政府信息", "政府信息"),
    ("信息公开信息公开信息公开", "信息公开"),
    ("政府x政府x政府x", "政府x"),
    ("一是一是落实", "一是落实"),
    ("1、1、1、总体情况", "1、总体情况"),
    ("一、一、一、概述", "一、概述"),
    ("第一章第一章总则", "第一章总则"),
    ("ab" * 40 + "政府" * 3, "ab" * 40 + "政府"),
    ("哈哈哈哈", "哈哈哈哈"), ("常常", "常常"), ("谢谢谢谢", "谢谢谢谢"), ("公开公开", "公开公开"),
    ("、、、、", "、、、、"), ("政政府府", "政政府府"), ("000000", "000000"),
    ("规章\t0\t0\t0", "规章\t0\t0\t0"),
    ("2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0", "2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0"),
])
def test_fake_bold_units_found_by_their_first_character(line: str, expected: str) -> None:
    assert _collapse_line(line) == expected
