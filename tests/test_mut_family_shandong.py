"""Shandong list reading and its incomplete-list report, unit by unit, on pages built in the test (no crawl,
no reactor), with the Hanweb annual-report module reader it shares (crawler/spiders/annual_module.py). The
golden files (tests/test_family_shandong.py) check whole saved pages; these pin the rules a mutation run
(scripts/mutation.sh families) found unpinned."""

from __future__ import annotations

import logging

import pytest
from scrapy.http import HtmlResponse, Request, Response

from crawler.spiders.annual_module import annual_report_items, is_annual_report_url
from crawler.spiders.shandong import ShandongFamily
from tests.family_golden import _Spider

BASE = "http://www.zhoucun.gov.cn"
CH = "channel_" + "a" * 24
DOC = f"/gongkai/site_zcqzjj/{CH}/doc_{'b' * 24}.html"
DOC2 = f"/gongkai/{CH}/doc_{'c' * 24}.html"
MOD = "/module/xxgk/xxgkAnnualReport.jsp"


class ErrorSpider(_Spider):
    def __init__(self) -> None:
        self.errors: list[tuple] = []

    def error(self, *args) -> None:
        self.errors.append(args)


def page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=Request(url, meta={"ogi_site": "s"}))


@pytest.mark.parametrize(("text", "found"), [
    ('<a href="/gongkai/site_zcq/">u</a>', True), (f"<a href='/gongkai/{CH}/'>c</a>", True),
    ('<a href="/gongkai/channel_12/">c</a>', False), ("/gongkai/site_zcq/", False), ('<a href="/gongkai/">g</a>', False),
])
def test_fingerprints(text, found):
    assert ShandongFamily.detect_text(text) is found


@pytest.mark.parametrize(("url", "detail"), [
    (BASE + DOC, True), (BASE + DOC2, True), (BASE + DOC2 + "l", False), (BASE + DOC2.replace(".html", ".htm"), True),
    (BASE + f"/gongkai/{CH}/doc_{'b' * 23}.html", False), (BASE + f"/gongkai/{CH}/doc_{'B' * 24}.html", False),
    (BASE + f"/x/{CH}/doc_{'b' * 24}.html", False),
    (BASE + MOD + "?area=11370303004217127D&fbtime=2021", True), (BASE + MOD + "?area=1&fbtime=1899", False),
    (BASE + MOD + "?area=&fbtime=2021", False), (BASE + MOD + "?area=1", False), (BASE + MOD + "?area=1&fbtime=20211", False),
    (BASE + "/x" + MOD + "?area=1&fbtime=2021", True), (BASE + MOD + "x?area=1&fbtime=2021", False),
])
def test_detail_urls(url, detail):
    assert ShandongFamily().is_detail_url(url) is detail
    if MOD in url:
        assert is_annual_report_url(url) is detail


def test_unit_links_are_other_sub_site_homes_on_this_host():
    body = """<a href="/gongkai/site_zcq/">me</a><a href="/gongkai/site_zcq/index.html">me</a>
    <a href="/gongkai/site_zcqzjj/">u1</a><a href="/gongkai/site_zcqzjj/index.htm">u1 index</a>
    <a href="/gongkai/site_zcqjyj/">u2</a><a href="/gongkai/site_zcqzjj/">u1 again</a>
    <a href="/gongkai/site_zcqmz/list.html">not a home</a><a href="http://o.gov.cn/gongkai/site_x/">other host</a>"""
    assert ShandongFamily().unit_links(page(BASE + "/gongkai/site_zcq/index.html", body)) == [
        BASE + "/gongkai/site_zcqzjj/", BASE + "/gongkai/site_zcqzjj/index.htm", BASE + "/gongkai/site_zcqjyj/"]
    assert ShandongFamily().unit_links(page(BASE + "/gongkai/", body))[0] == BASE + "/gongkai/site_zcq/"


def test_list_items_hidden_ones_included_then_module_links():
    body = f"""<ul><li><a href=" {DOC} " title="2022年 年报">短</a><span> 2023-01-20 </span></li>
    <li style="display:none"><a href="{DOC2}"><b>2021年</b> 报告</a><em>x</em><span><b>2022</b>-01-05</span></li>
    <li><a href="{DOC}">dup</a></li><li><a href="/gongkai/site_zcq/list.html">not a doc</a></li></ul>
    <table><tr><td>周村区住建局</td><td><a href="{MOD}?area=1&amp;fbtime=2021">2021年</a></td></tr></table>"""
    response = page(BASE + f"/gongkai/site_zcqzjj/{CH}/", body)
    items = ShandongFamily().list_items(response)
    assert [(i.url, i.title, i.date) for i in items] == [
        (BASE + DOC, "2022年年报", "2023-01-20"), (BASE + DOC2, "2021年报告", "2022-01-05"),
        (BASE + MOD + "?area=1&fbtime=2021", "周村区住建局2021年", "")]
    assert ShandongFamily().is_list_page(response)
    assert not ShandongFamily().is_list_page(page(BASE + "/", "<a href='/x.html'>x</a>"))
    assert ShandongFamily().sub_columns(response) == []
    binary = Response(BASE + "/a.pdf", body=b"%PDF", request=Request(BASE + "/a.pdf", meta={"ogi_site": "s"}))
    assert ShandongFamily().list_items(binary) == [] and ShandongFamily().more_list_requests(binary, ErrorSpider()) == []
    assert annual_report_items(binary) == []


def test_annual_module_titles():
    body = f"""<table><tr><td> 住建局 </td><td><a href="{MOD}?area=1&amp;fbtime=2021">2021年</a></td></tr>
    <tr><td>2022年</td><td><a href="{MOD}?area=1&amp;fbtime=2022">2022年</a></td></tr>
    <tr><td><a href="{MOD}?area=2&amp;fbtime=2022" title=" 教育局 2022 ">x</a></td></tr></table>
    <a href="{MOD}?area=3&amp;fbtime=2020">2020年</a><a href="{MOD}?area=3&amp;fbtime=2020">again</a>
    <a href="javascript:x('{MOD}?area=4&amp;fbtime=2020')">js</a><a href="{MOD}?area=5&amp;fbtime=abcd">bad</a>"""
    items = annual_report_items(page(BASE + "/gongkai/", body))
    assert [(i.url, i.title, i.date) for i in items] == [
        (BASE + MOD + "?area=1&fbtime=2021", "住建局2021年", ""), (BASE + MOD + "?area=1&fbtime=2022", "2022年", ""),
        (BASE + MOD + "?area=2&fbtime=2022", "教育局2022", ""), (BASE + MOD + "?area=3&fbtime=2020", "2020年", "")]


def test_a_list_holding_all_its_documents_reports_nothing(caplog):
    spider = ErrorSpider()
    body = f'<script>var totalCount = 2;</script><a href="{DOC}">a</a><a href="{DOC2}">b</a>'
    with caplog.at_level(logging.WARNING, logger="crawler.spiders.shandong"):
        assert ShandongFamily().more_list_requests(page(BASE + f"/gongkai/{CH}/", body), spider) == []
    assert spider.errors == [] and caplog.text == ""
    assert ShandongFamily().more_list_requests(page(BASE + f"/gongkai/{CH}/", f'<a href="{DOC}">a</a>'), spider) == []
    assert spider.errors == []


@pytest.mark.parametrize("script", ["totalCount: '3'", "totalCount=3", 'totalCount : "3"'])
def test_a_list_holding_fewer_documents_than_its_total_count_is_reported(caplog, script):
    spider = ErrorSpider()
    url = BASE + f"/gongkai/{CH}/"
    body = (f"<script>var p = {{{script}}};</script><a href='{DOC}'>a</a><a href='{DOC2}'>b</a>"
            f"<a href='{MOD}?area=1&amp;fbtime=2021'>2021年</a><a href='{MOD}?area=1&amp;fbtime=2022'>2022年</a>")
    with caplog.at_level(logging.WARNING, logger="crawler.spiders.shandong"):
        assert ShandongFamily().more_list_requests(page(url, body), spider) == []
    message = "list says totalCount=3 but the page holds 2 documents"
    assert spider.errors == [("s", url, "list_incomplete", message)]
    assert caplog.messages == [f"{url}: {message}"]
    # a spider without error() (the golden helper): logged only
    assert ShandongFamily().more_list_requests(page(url, body), _Spider()) == []


def test_annual_module_links_after_a_skipped_one_and_titles_from_several_text_nodes():
    body = f"""<a href="javascript:void(0)">js</a>
    <table><tr><td><b>住建</b>局</td><td><a href="{MOD}?area=1&amp;fbtime=2021"><b>2021</b>年</a></td></tr></table>
    <a href="{MOD}?area=2&amp;fbtime=2020"><b>2020</b>年</a>"""
    items = annual_report_items(page(BASE + "/gongkai/", body))
    assert [(i.url, i.title) for i in items] == [(BASE + MOD + "?area=1&fbtime=2021", "住建局2021年"),
                                                 (BASE + MOD + "?area=2&fbtime=2020", "2020年")]
