"""开普云 pager and list reading, unit by unit, on pages built in the test (no crawl, no reactor): the
exact page links and interface requests (page numbers, JSON bodies) a list asks for, which rows are report
items. The golden files (tests/test_family_kaipuyun.py) check whole saved pages; these pin the rules a
mutation run (scripts/mutation.sh families) found unpinned."""

from __future__ import annotations

import json
import logging

import pytest
from scrapy.http import HtmlResponse, JsonRequest, JsonResponse, Request, Response

from crawler.spiders.kaipuyun import DEFAULT_PAGE_SIZE, INTERFACE, KaipuyunFamily
from tests.family_golden import _Spider

BASE = "http://cx.gov.cn"
COL = BASE + "/cxx/c114953/zfxxgk_gknrz.shtml"
IFACE = BASE + INTERFACE
W, C = "a" * 32, "b" * 32
DOC = "/cxx/c114953/202301/" + "c" * 32 + ".shtml"


def page(url: str, body: str, **meta) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8",
                        request=Request(url, meta={"ogi_site": "s", **meta}))


def answer(data, page_num: int = 1, size: int = 4) -> JsonResponse:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    fields = {"websiteId": W, "channelId": [C], "pageNum": page_num, "pageSize": size, "title": ""}
    return JsonResponse(IFACE, body=body, request=Request(IFACE, meta={"ogi_site": "s", "ogi_interface": fields}))


SCRIPT = (f"<script>var c = {{websiteId: '{W}', channelId: ['{C}'], pageSize: 6}};"
          f"$.ajax({{url: '{INTERFACE}'}})</script>")


@pytest.mark.parametrize(("text", "found"), [
    ("<CMSPRO_DOCUMENTS><li></li></CMSPRO_DOCUMENTS>", True), ("qryManuscriptByWebsiteId", True),
    (f'<a href="{DOC}">r</a>', True), ("<a href='/x/c1/2023/1/5/" + "d" * 32 + ".shtml'>r</a>", True),
    ("qrymanuscriptbywebsiteid", False), ('<a href="/x/c1/202301/abc.shtml">r</a>', False), ("ucap", False),
])
def test_fingerprints(text, found):
    assert KaipuyunFamily.detect_text(text) is found


def test_the_interface_url_is_a_fingerprint():
    assert KaipuyunFamily.detect_url(IFACE) and KaipuyunFamily.detect_url(IFACE.replace(BASE, BASE + "/cxx"))
    assert not KaipuyunFamily.detect_url(IFACE + "/x") and not KaipuyunFamily.detect_url(COL)
    assert not KaipuyunFamily.detect_url(BASE + "/search?u=" + INTERFACE)


@pytest.mark.parametrize(("url", "detail"), [
    (BASE + DOC, True), (BASE + "/x/c1/2023/1/5/" + "d" * 32 + ".shtml", True),
    (BASE + "/x/c1/20230/" + "d" * 32 + ".shtml", False), (BASE + "/x/c1/202301/" + "d" * 31 + ".shtml", False),
    (BASE + "/x/c1/202301/" + "d" * 32 + ".html", False), (BASE + "/x/cc/202301/" + "d" * 32 + ".shtml", False),
])
def test_detail_urls(url, detail):
    assert KaipuyunFamily().is_detail_url(url) is detail


def test_channel_fields_from_the_script():
    family = KaipuyunFamily()
    assert family.channel(page(COL, SCRIPT)) == {"websiteId": W, "channelId": [C], "pageSize": 6, "title": ""}
    no_size = SCRIPT.replace(", pageSize: 6", "")
    assert family.channel(page(COL, no_size))["pageSize"] == DEFAULT_PAGE_SIZE == 10
    quoted = f"<script>x = {{'websiteId': \"{W.upper()}\", \"channelId\": \"{C}\", 'pageSize': '3'}} {INTERFACE}</script>"
    assert family.channel(page(COL, quoted)) == {"websiteId": W.upper(), "channelId": [C], "pageSize": 3, "title": ""}
    assert family.channel(page(COL, SCRIPT.replace(INTERFACE, "/other"))) is None
    assert family.channel(page(COL, SCRIPT.replace(f"websiteId: '{W}', ", ""))) is None
    assert family.channel(page(COL, SCRIPT.replace(f"channelId: ['{C}'], ", ""))) is None
    binary = Response(COL, body=INTERFACE.encode(), request=Request(COL, meta={"ogi_site": "s"}))
    assert family.channel(binary) is None


def test_list_page_kinds():
    family = KaipuyunFamily()
    assert family.is_list_page(page(COL, "<cmspro_documents></cmspro_documents>"))
    assert family.is_list_page(page(COL, SCRIPT))
    assert not family.is_list_page(page(COL, "<ul><li>x</li></ul>"))
    assert family.is_list_page(answer({"results": []}))
    assert not family.is_list_page(answer({"results": {}}))
    assert not family.is_list_page(answer({"rows": []}))
    binary = Response(COL, body=b"{}", request=Request(COL, meta={"ogi_site": "s"}))
    assert not family.is_list_page(binary)
    assert family.list_items(binary) == [] and family.more_list_requests(binary, _Spider()) == []


def test_list_items_from_the_cmspro_list():
    body = f"""<cmspro_documents><ul>
      <li><a href=" {DOC} " title="2022年 年报">短</a><span> 2023-01-20 </span></li>
      <li><span>no link</span></li>
      <li><a href="/cxx/c114953/about.shtml">not a report</a><span>x</span></li>
      <li><a href="/cxx/c1/2023/1/5/{"e" * 32}.shtml"><b>2021年</b> 报告</a><em>x</em><span><b>2023</b>-01-05</span></li>
    </ul></cmspro_documents><a href="{DOC}">outside</a>"""
    items = KaipuyunFamily().list_items(page(COL, body))
    assert [(i.url, i.title, i.date) for i in items] == [
        (BASE + DOC, "2022年年报", "2023-01-20"), (BASE + f"/cxx/c1/2023/1/5/{'e' * 32}.shtml", "2021年报告", "2023-01-05")]


def test_interface_items(caplog):
    data = {"Status": "SUCCESS", "total": 3, "results": [
        "not a row",
        {"title": "no url", "manuscriptId": "m9"},
        {"title": " 2022年 报告", "url": DOC, "publishedTime": "2023-01-26 15:00:00"},
        {"title": "b", "websiteUrl": "/w.shtml", "publishedTime": 20230101},
        {"title": None, "link": "http://o.gov.cn/l.shtml"},
    ]}
    with caplog.at_level(logging.INFO, logger="crawler.spiders.kaipuyun"):
        items = KaipuyunFamily().list_items(answer(data))
    assert [(i.url, i.title, i.date) for i in items] == [
        (BASE + DOC, "2022年报告", "2023-01-26"), (BASE + "/w.shtml", "b", "20230101"), ("http://o.gov.cn/l.shtml", "", "")]
    assert caplog.messages == [f"interface result without a page url (manuscriptId m9) on {IFACE}"]


@pytest.mark.parametrize("data", [{"Status": "fail", "results": [{"url": DOC}]}, {"results": [{"url": DOC}]},
                                  {"Status": "success", "results": None}, {"Status": None, "results": [{"url": DOC}]}])
def test_interface_items_need_a_successful_answer(data):
    assert KaipuyunFamily().list_items(answer(data)) == []


def test_pager_links_are_requested_once_each_without_the_own_page():
    body = f"""<cmspro_documents><li><a href="{DOC}">r</a></li></cmspro_documents>
    <div id="page_div"><a href="zfxxgk_gknrz.shtml">1</a><a href=" zfxxgk_gknrz_2.shtml ">2</a>
      <a href="zfxxgk_gknrz_2.shtml">下一页</a><a href="javascript:go(3)">3</a><a href="">x</a>
      <a href="zfxxgk_gknrz_3.shtml">3</a></div>
    <div id="page-div"><a href="zfxxgk_gknrz_4.shtml">4</a></div>
    <div id="other"><a href="zfxxgk_gknrz_9.shtml">9</a></div>"""
    requests = KaipuyunFamily().more_list_requests(page(COL + "#top", body), _Spider())
    assert [r.url for r in requests] == [BASE + "/cxx/c114953/zfxxgk_gknrz_2.shtml",
                                         BASE + "/cxx/c114953/zfxxgk_gknrz_3.shtml",
                                         BASE + "/cxx/c114953/zfxxgk_gknrz_4.shtml"]
    assert {(r.meta["ogi_site"], r.meta["ogi_kind"], r.callback.__name__) for r in requests} == {("s", "list", "parse_list")}


def test_a_script_list_asks_the_interface_for_page_one():
    (request,) = KaipuyunFamily().more_list_requests(page(COL, SCRIPT), _Spider())
    assert isinstance(request, JsonRequest) and request.method == "POST" and request.url == IFACE
    body = {"websiteId": W, "channelId": [C], "pageNum": 1, "pageSize": 6, "title": ""}
    assert json.loads(request.body) == body
    assert request.meta == {"ogi_site": "s", "ogi_kind": "list", "ogi_interface": body}
    assert request.callback.__name__ == "parse_list" and request.errback.__name__ == "on_error"


def test_a_script_page_that_lists_items_itself_asks_no_interface():
    body = SCRIPT + f'<cmspro_documents><li><a href="{DOC}">r</a></li></cmspro_documents>'
    assert KaipuyunFamily().more_list_requests(page(COL, body), _Spider()) == []


@pytest.mark.parametrize(("total", "size", "pages"), [
    (9, 4, [2, 3]), (8, 4, [2]), (4, 4, []), (3, 4, []), (0, 4, []), (None, 4, []), ("x", 4, []), ("12", 5, [2, 3]),
    (5, 0, [2, 3, 4, 5]),
])
def test_interface_pages_from_page_one(total, size, pages):
    requests = KaipuyunFamily().more_list_requests(answer({"Status": "success", "results": [], "total": total},
                                                          size=size), _Spider())
    assert [json.loads(r.body)["pageNum"] for r in requests] == pages
    for r in requests:
        assert json.loads(r.body) == {"websiteId": W, "channelId": [C], "pageNum": json.loads(r.body)["pageNum"],
                                      "pageSize": size, "title": ""}
        assert r.url == IFACE and r.meta["ogi_interface"] == json.loads(r.body)


def test_later_interface_pages_ask_for_nothing():
    assert KaipuyunFamily().more_list_requests(answer({"Status": "success", "results": [], "total": 40}, page_num=2),
                                               _Spider()) == []
    no_fields = JsonResponse(IFACE, body=b'{"total": 40, "results": []}', request=Request(IFACE, meta={"ogi_site": "s"}))
    assert KaipuyunFamily().more_list_requests(no_fields, _Spider()) == []


def test_interface_answers_have_no_links_columns_or_attachments():
    family = KaipuyunFamily()
    data = answer({"Status": "success", "results": [], "href": f'<a href="{DOC}">x.pdf</a>'})
    assert list(family.links(data)) == [] and family.attachments(data) == [] and family.sub_columns(data) == []
    assert family.is_report_column(data) is False
    assert family.is_report_column(page(COL, "<title>政府信息公开年报</title>"))
    assert family.attachments(page(COL, '<a href="/f/a.pdf">a</a>')) == [BASE + "/f/a.pdf"]


def test_sub_columns_are_sibling_columns_named_per_unit_or_year_but_not_the_pager():
    body = f"""<a href="/cxx/c114954/zfxxgk_gknrz.shtml">县直部门</a>
    <a href="/cxx/c114955/zfxxgk_gknrz.shtml">2021年</a>
    <a href="/cxx/c114956/zfxxgk_gknrz.shtml">年报制度</a>
    <a href="/cxx/c114957/zfxxgk_gknrz.shtml">新闻动态</a>
    <a href="{DOC}">2021年</a>
    <a href="/cxx/c114958/a/b.shtml">2020年</a>
    <div id="page_div"><a href="/cxx/c114959/zfxxgk_gknrz.shtml">2019年</a></div>
    <a href="/cxx/c114954/zfxxgk_gknrz.shtml">县直部门</a>"""
    assert KaipuyunFamily().sub_columns(page(COL, body)) == [BASE + "/cxx/c114954/zfxxgk_gknrz.shtml",
                                                             BASE + "/cxx/c114955/zfxxgk_gknrz.shtml"]


def test_json_sniffing_edges():
    family = KaipuyunFamily()
    assert family.is_list_page(answer(b'  \n {"Status": "success", "results": []}'))
    binary = Response(COL, body=b"{}", request=Request(COL, meta={"ogi_site": "s"}))
    assert family.attachments(binary) == [] and list(family.links(binary)) == []


def test_a_page_url_with_fragments_is_not_its_own_next_page():
    body = '<div id="page_div"><a href="zfxxgk_gknrz.shtml">1</a><a href="zfxxgk_gknrz_2.shtml">2</a></div>'
    requests = KaipuyunFamily().more_list_requests(page(COL + "#a#b", body), _Spider())
    assert [r.url for r in requests] == [BASE + "/cxx/c114953/zfxxgk_gknrz_2.shtml"]


def test_interface_pages_keep_the_title_filter():
    fields = {"websiteId": W, "channelId": [C], "pageNum": 1, "pageSize": 2, "title": "年报"}
    response = JsonResponse(IFACE, body=b'{"Status": "success", "results": [], "total": 3}',
                            request=Request(IFACE, meta={"ogi_site": "s", "ogi_interface": fields}))
    (request,) = KaipuyunFamily().more_list_requests(response, _Spider())
    assert json.loads(request.body) == {**fields, "pageNum": 2}
    untitled = {k: v for k, v in fields.items() if k != "title"}
    response = JsonResponse(IFACE, body=b'{"Status": "success", "results": [], "total": 3}',
                            request=Request(IFACE, meta={"ogi_site": "s", "ogi_interface": untitled}))
    (request,) = KaipuyunFamily().more_list_requests(response, _Spider())
    assert json.loads(request.body)["title"] == ""


class _ReportingSpider(_Spider):
    """_Spider that records spider.error() as PortalSpider does (crawl_errors, the run's error count)."""

    def __init__(self):
        self.errors = []

    def error(self, site_id, url, kind, message):
        self.errors.append((site_id, url, kind, message))


@pytest.mark.parametrize(("body", "why"), [
    (b'[{"url": "/cxx/c1/202301/' + b"c" * 32 + b'.shtml"}]', "a JSON array"),
    (b'"busy"', "a JSON string"), (b"null", "JSON null"), (b"3", "a JSON number"),
    (b'{"Status": "success", "results": [', "not valid JSON"), (b"", "not valid JSON"),
    (b"<html>busy</html>", "not valid JSON"),
])
def test_an_interface_answer_that_is_no_json_object_is_an_unreadable_answer(body, why):
    """A site's fault (an array, a cut-off body, an HTML page sent as JSON) is reported, never a traceback:
    the hooks read nothing from it and the pager reports it once as an unreadable answer."""
    family, response = KaipuyunFamily(), answer(body)
    assert family.is_list_page(response) is False and family.list_items(response) == []
    assert list(family.links(response)) == [] and family.is_report_column(response) is False
    assert family.attachments(response) == [] and family.sub_columns(response) == []
    spider = _ReportingSpider()
    assert family.more_list_requests(response, spider) == []
    assert spider.errors == [("s", IFACE, "unreadable_answer",
                              f"the list interface answered {why}, not a JSON object: no items read")]


def test_an_unreadable_answer_without_the_spider_error_hook_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="crawler.spiders.kaipuyun"):
        assert KaipuyunFamily().more_list_requests(answer(b"[]"), _Spider()) == []
    assert caplog.messages == [f"[s] unreadable_answer {IFACE}: the list interface answered a JSON array, not a JSON "
                               "object: no items read"]


def test_an_html_page_that_starts_like_json_is_still_read_as_html():
    body = '{x} <cmspro_documents><li><a href="' + DOC + '" title="t">t</a><span>2023-01-05</span></li></cmspro_documents>'
    family = KaipuyunFamily()
    assert [i.url for i in family.list_items(page(COL, body))] == [BASE + DOC]
    spider = _ReportingSpider()
    assert family.more_list_requests(page(COL, "[1, 2] <p>x</p>"), spider) == [] and spider.errors == []


def test_json_served_as_html_is_still_an_interface_answer():
    """Sniffed by its first character after white space when the Content-Type does not say JSON."""
    family, spider = KaipuyunFamily(), _ReportingSpider()
    listed = page(IFACE, ' \n {"Status": "success", "results": [{"url": "' + DOC + '", "title": "t"}]}')
    assert family.is_list_page(listed) and [i.url for i in family.list_items(listed)] == [BASE + DOC]
    assert family.more_list_requests(page(IFACE, ' [{"url": "' + DOC + '"}]'), spider) == []
    assert [e[2:] for e in spider.errors] == [
        ("unreadable_answer", "the list interface answered a JSON array, not a JSON object: no items read")]


def test_the_spider_reports_an_array_answer_instead_of_raising():
    from scrapy.utils.test import get_crawler

    from crawler.registry import Site
    from crawler.spiders.portal import PortalSpider

    sp = PortalSpider.from_crawler(get_crawler(PortalSpider, settings_dict={}),
                                   sites=[Site(site_id="s", name="某县", entry_urls=[COL], platform="kaipuyun")])
    sp.errors = []
    sp.error = lambda *args: sp.errors.append(args)
    assert list(sp.parse_list(answer(b'[{"title": "x"}]'))) == []
    assert [e[2] for e in sp.errors] == ["unreadable_answer"]
    # answers that list nothing are the interface's too: not handed to the fallback's HTML readers
    for body in (b'{"Status": "success", "results": [], "total": 0}', b'{"Status": "fail"}'):
        assert list(sp.parse_list(answer(body))) == []
    assert len(sp.errors) == 1
