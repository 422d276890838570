"""Generic-family pager and list reading, unit by unit, on pages built in the test (no crawl, no reactor):
which links are pages of the same list (and which are not), when the pager stops (no new item), the
unknown-pager report, which links are report items or sub-columns, the JavaScript-shell check. The golden
files (tests/test_family_generic.py) check whole saved pages; these pin the rules a mutation run
(scripts/mutation.sh families) found unpinned."""

from __future__ import annotations

import logging

import pytest
from scrapy.http import HtmlResponse, Request, Response

from crawler.spiders.generic import MIN_TITLE, GenericFamily, pager_base
from tests.family_golden import _Spider

BASE = "http://www.xh.gov.cn"
LIST = BASE + "/list.asp?classid=1152"


class RecordingSpider(_Spider):
    def __init__(self) -> None:
        self.errors: list[tuple] = []
        self.needs: list[tuple] = []

    def error(self, *args) -> None:
        self.errors.append(args)

    def site_needs_family(self, *args) -> None:
        self.needs.append(args)


def page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=Request(url, meta={"ogi_site": "s"}))


def items_html(*ids: int) -> str:
    return "".join(f'<a href="/show.asp?id={i}">2021年度报告{i}</a>' for i in ids)


@pytest.mark.parametrize(("a", "b", "same"), [
    (LIST + "&page=2", LIST, True), (LIST + "&PageNo=3", LIST + "&p=1", True), (LIST + "&start=20", LIST, True),
    (BASE + "/col/index_3.html", BASE + "/col/index.html", True), (BASE + "/col/index.html", BASE + "/col/", True),
    (BASE + "/col/list-12.htm", BASE + "/col/list.htm", True), (BASE + "/col/Default.aspx", BASE + "/COL/", True),
    (BASE + "/col/2021_3.html", BASE + "/col/2021.html", False),  # digits before: a year, not a page
    (BASE + "/col/a_12345.html", BASE + "/col/a.html", False),  # five digits: an id
    (LIST + "&ClassID2=3", LIST, False), ("https://www.xh.gov.cn/list.asp?classid=1152", LIST, False),
    ("http://WWW.XH.gov.cn/list.asp?classid=1152", LIST, True), (LIST + "&type=", LIST, False),
    (BASE + "/col/news.html", BASE + "/col/", False),
])
def test_pager_base(a, b, same):
    assert (pager_base(a) == pager_base(b)) is same


def test_pager_base_parts():
    assert pager_base("http://X.gov.cn/A/List_2.ASP?B=1&a=2&page=3") == ("http", "x.gov.cn", "/a/", (("a", "2"), ("b", "1")))


@pytest.mark.parametrize(("url", "detail"), [
    (BASE + "/show.asp?id=12", True), (BASE + "/x.aspx?ArticleID=5", True), (BASE + "/c.jsp?infoid=%209", True),
    (BASE + "/x.asp?id=abc", False), (BASE + "/x.asp?newsid=7", True), (BASE + "/x.asp?classid=3", False), (BASE + "/list.asp?page=2", False),
    (BASE + "/showinfo.aspx", True), (BASE + "/ReadNews.asp", True), (BASE + "/content_123.html", True),
    (BASE + "/art_1.shtml", True), (BASE + "/t20210105_1.html", True), (BASE + "/post_9.htm", True),
    (BASE + "/2021-01/05/abc12345.html", True), (BASE + "/202101/a1234.html", True), (BASE + "/12345.html", True),
    (BASE + "/1234.html", False), (BASE + "/index.html", False), (BASE + "/showing/x.html", False),
])
def test_detail_urls(url, detail):
    assert GenericFamily().is_detail_url(url) is detail


def test_calendar_links_are_dropped_and_session_ids_removed():
    body = """<a href="/list.asp?date=2024-01-02">2</a><a href="/c.asp?year=2024">年</a><a href="/c.asp?day=20240102">d</a>
    <a href="/show.asp?id=1&amp;jsessionid=abc">2021年度报告</a><a href="/x.asp?yearly=1">y</a>"""
    assert list(GenericFamily().links(page(BASE + "/", body))) == [(BASE + "/show.asp?id=1", "2021年度报告"),
                                                                   (BASE + "/x.asp?yearly=1", "y")]


def test_list_items():
    body = f"""{items_html(1)}<a href="/show.asp?id=1">2021年度报告1 again</a>
    <a href="/show.asp?id=2">短标题</a><a href="/show.asp?id=3">2</a><a href="/show.asp?id=4">下一页</a>
    <a href="/f/report.pdf">2020年报告全文</a><a href="http://o.gov.cn/f/r.pdf">外站报告全文</a>
    <a href="http://o.gov.cn/show.asp?id=9">外站的报告页</a><a href="/about.asp">关于我们的页面</a>"""
    items = GenericFamily().list_items(page(LIST, body))
    assert [(i.url, i.title) for i in items] == [
        (BASE + "/show.asp?id=1", "2021年度报告1"), (BASE + "/f/report.pdf", "2020年报告全文"),
        ("http://o.gov.cn/f/r.pdf", "外站报告全文")]
    assert MIN_TITLE == 4
    assert [i.title for i in GenericFamily().list_items(page(LIST, '<a href="/show.asp?id=5">年报告</a>'))] == []
    assert [i.title for i in GenericFamily().list_items(page(LIST, '<a href="/show.asp?id=5">年度报告</a>'))] == ["年度报告"]


def test_pager_links_are_pager_texts_of_the_same_list():
    body = f"""{items_html(1)}<a href="{LIST}&amp;page=1">1</a><a href="{LIST}&amp;page=2">2</a>
    <a href="{LIST}&amp;page=2">下一页</a><a href="{LIST}&amp;page=3">[3]</a><a href="{LIST}&amp;page=9">尾页</a>
    <a href="{LIST}&amp;page=4">第4页</a><a href="/list.asp?classid=9&amp;page=2">2</a>
    <a href="{LIST}&amp;page=5">更多内容</a><a href="{LIST}&amp;page=6">&gt;&gt;</a><a href="{LIST}&amp;page=7">Next</a>"""
    response = page(LIST + "&page=1", body)
    assert GenericFamily().pager_links(response) == [f"{LIST}&page=2", f"{LIST}&page=3", f"{LIST}&page=9",
                                                     f"{LIST}&page=4", f"{LIST}&page=6", f"{LIST}&page=7"]


def test_the_pager_is_followed_while_pages_add_items_and_stops_at_the_first_that_does_not(caplog):
    family, spider = GenericFamily(), RecordingSpider()
    pager = f'<a href="{LIST}&amp;page=2">2</a><a href="{LIST}&amp;page=3">3</a>'
    first = family.more_list_requests(page(LIST, items_html(1, 2) + pager), spider)
    assert [r.url for r in first] == [f"{LIST}&page=2", f"{LIST}&page=3"]
    assert {(r.meta["ogi_site"], r.meta["ogi_kind"], r.callback.__name__) for r in first} == {("s", "list", "parse_list")}
    second = family.more_list_requests(page(f"{LIST}&page=2", items_html(2, 3) + pager), spider)
    assert [r.url for r in second] == [f"{LIST}&page=3"]
    with caplog.at_level(logging.INFO, logger="crawler.spiders.generic"):
        assert family.more_list_requests(page(f"{LIST}&page=3", items_html(1, 3) + pager), spider) == []
    assert caplog.messages == [f"[s] {LIST}&page=3 adds no new item: not following its pager"]
    assert family.seen_items == {f"{BASE}/show.asp?id={i}" for i in (1, 2, 3)}
    assert spider.errors == [] and spider.needs == []


def test_a_page_without_items_asks_for_nothing_and_says_nothing(caplog):
    with caplog.at_level(logging.INFO, logger="crawler.spiders.generic"):
        assert GenericFamily().more_list_requests(page(LIST, f'<a href="{LIST}&amp;page=2">2</a>'), RecordingSpider()) == []
    assert caplog.text == ""


@pytest.mark.parametrize(("pager", "unreadable"), [
    ("<p>共 3 页</p>", True), ("<p>共1页</p>", False), ("<p>共2页</p>", True), ("<p>共<b>3</b>页</p>", True),
    ('<a onclick="go(2)"><span>下一</span>页</a>', True), ("<p>第 2/5 页</p>", True), ("<p>页次：1/4</p>", True),
    ("<p>页次1/1</p>", False), ("<p>共3条</p>", False),
    ('<a onclick="go(2)">下一页</a>', True), ('<a href="javascript:go(2)" onclick="go(2)">下页</a>', True),
    ('<a href="#" onclick="go(2)">&gt;</a>', True), ('<a href="javascript:go(2)">下一页</a>', False),
    ('<a href="/x" onclick="go(2)">下一页</a>', False), ('<a onclick="go(2)">更多</a>', False),
    ("<script>document.write('共 3 页')</script>", False),
])
def test_an_unreadable_pager_is_reported(pager, unreadable):
    spider = RecordingSpider()
    assert GenericFamily().more_list_requests(page(LIST, items_html(1) + pager), spider) == []
    if unreadable:
        msg = "the list says it has more pages but offers no link the generic family can follow"
        assert spider.errors == [("s", LIST, "unknown_pager", msg)]
        assert spider.needs == [("s", f"unknown pager on {LIST}: needs a family module")]
    else:
        assert spider.errors == [] and spider.needs == []


def test_an_unreadable_pager_with_a_spider_that_cannot_mark_the_site():
    class Plain(_Spider):
        errors: list = []

        def error(self, *args) -> None:
            self.errors.append(args)

    assert GenericFamily().more_list_requests(page(LIST, items_html(1) + "<p>共 3 页</p>"), Plain()) == []
    assert len(Plain.errors) == 1


def test_a_readable_pager_is_no_unknown_pager():
    spider = RecordingSpider()
    body = items_html(1) + f'<p>共 3 页</p><a href="{LIST}&amp;page=2">下一页</a>'
    assert [r.url for r in GenericFamily().more_list_requests(page(LIST, body), spider)] == [f"{LIST}&page=2"]
    assert spider.errors == []


def test_binary_responses():
    binary = Response(LIST, body=b"%PDF", request=Request(LIST, meta={"ogi_site": "s"}))
    family = GenericFamily()
    assert family.more_list_requests(binary, RecordingSpider()) == []
    assert family.is_report_column(binary) is False and family.needs_module(binary) is None


@pytest.mark.parametrize("body", [b"[]", b"{}", b'{"data": []}', b"null"])
def test_json_answers_are_not_read_as_html(body):
    """An interface answer (application/json) that lists nothing reaches the fallback family's readers; Scrapy's
    JsonResponse raises ValueError on css/xpath, which was a crash in the list callback."""
    from scrapy.http import JsonResponse

    answer = JsonResponse(LIST, body=body, request=Request(LIST, meta={"ogi_site": "s"}))
    family = GenericFamily()
    assert family.list_items(answer) == [] and family.more_list_requests(answer, RecordingSpider()) == []
    assert family.is_report_column(answer) is False and family.needs_module(answer) is None
    assert family.attachments(answer) == [] and list(family.links(answer)) == []


def test_sub_columns_by_text_anywhere_on_the_host():
    body = """<a href="/list.asp?classid=2001">2021年</a><a href="/list.asp?classid=2002">部门年报</a>
    <a href="/list.asp?classid=2001">2021年</a><a href="/list.asp?classid=1152&amp;page=2">2</a>
    <a href="/list.asp?classid=1152&amp;x=1">乡镇</a><a href="http://o.gov.cn/list.asp?classid=1">2020年</a>
    <a href="/show.asp?id=5">2019年</a><a href="/f/2018.pdf">2018年</a><a href="/list.asp?classid=2003">年报制度</a>
    <a href="/list.asp?classid=2004">新闻中心</a><a href="/list.asp?classid=2005">1</a>"""
    assert GenericFamily().sub_columns(page(LIST, body)) == [
        BASE + "/list.asp?classid=2001", BASE + "/list.asp?classid=2002", BASE + "/list.asp?classid=1152&x=1"]


def test_column_links_leave_out_this_list():
    body = """<a href="/list.asp?classid=1152&amp;page=2">政府信息公开年报</a>
    <a href="/list.asp?classid=1160#top">政府信息公开年报</a>"""
    assert GenericFamily().column_links(page(LIST, body)) == [BASE + "/list.asp?classid=1160"]


@pytest.mark.parametrize(("body", "column"), [
    ('<div class="crumb">首页 > 政府信息公开年报</div>', True), ('<div class="location">年度报告</div>', True),
    ('<span class="weizhi"><b>年报</b></span>', True), ('<div class="position">年报</div>', True),
    ("<h1>政府信息公开年报</h1>", True), ("<h2>年度报告</h2>", True), ("<h3>年度报告</h3>", False),
    ('<div class="crumb">年报格式</div>', False), ("<p>年度报告</p>", False),
    ("<title>政府信息公开年报</title>", True),
])
def test_report_column_by_crumbs_or_headings(body, column):
    assert GenericFamily().is_report_column(page(LIST, f"<html><head></head><body>{body}</body></html>")) is column


@pytest.mark.parametrize(("body", "why"), [
    ('<div id="app"></div><script src="/a.js"></script>', "single-page app"),
    ("<div id='root'></div><script>x</script><a href='/a'>a</a><a href='/b'>b</a>", "single-page app"),
    ('<script>window.__INITIAL_STATE__={}</script>', "single-page app"),
    ("<noscript>请启用 JavaScript</noscript><script>x</script>", "single-page app"),
    ("<div>loading</div><script>x</script><a href='javascript:x'>a</a><a href='#'>b</a><a href='/c'>c</a>",
     "page built by JavaScript"),
    ("<div>loading</div><script>x</script><a href='/a'>a</a><a href='/b'>b</a><a href='/c'>c</a>", None),
    ("<div>x</div><script>x</script><a href='javascript:a'>a</a><a href=' JavaScript:b'>b</a><a href='/c'>c</a>",
     "page built by JavaScript"),
    ("<div>x</div><script>x</script><a href='#a'>a</a><a href='#b'>b</a><a href='/c'>c</a>", "page built by JavaScript"),
    ("<div>loading</div>", None),
    ("<div>" + "字" * 200 + "</div><script>x</script>", None),
    ("<div>" + "字" * 199 + "</div><script>x</script>", "page built by JavaScript"),
])
def test_needs_module(body, why):
    found = GenericFamily().needs_module(page(BASE + "/", f"<html><body>{body}</body></html>"))
    if why is None:
        assert found is None
    else:
        assert found == f"empty JavaScript shell ({why}) at {BASE}/: needs a family module that reads its API"


def test_skipped_links_do_not_end_the_list_or_the_sub_columns():
    body = """<a href="http://o.gov.cn/show.asp?id=9">外站的报告页</a><a href="/show.asp?id=1">2021年度报告</a>"""
    assert [i.url for i in GenericFamily().list_items(page(LIST, body))] == [BASE + "/show.asp?id=1"]
    body = """<a href="/show.asp?id=5">2019年</a><a href="/list.asp?classid=1152&amp;page=3">2021年</a>
    <a href="/list.asp?classid=2001">2020年</a>"""
    assert GenericFamily().sub_columns(page(LIST, body)) == [BASE + "/list.asp?classid=2001"]
