"""TRS pager and list reading, unit by unit, on pages built in the test (no crawl, no reactor): the exact
next-page URLs a ``createPageHTML``/``countPage`` page asks for, which links are report items, the
fingerprints. The golden files (tests/test_family_trs.py) check whole saved pages; these pin the rules a
mutation run (scripts/mutation.sh families) found unpinned."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response

from crawler.spiders.trs import TRSFamily
from tests.family_golden import _Spider

COL = "http://x.gov.cn/xxgk/nb/"


def page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=Request(url, meta={"ogi_site": "s"}))


def next_urls(response) -> list[str]:
    return [r.url for r in TRSFamily().more_list_requests(response, _Spider())]


@pytest.mark.parametrize(("text", "found"), [
    ('<script>createPageHTML(3, 0, "index", "html");</script>', True),
    ("<script>var countPage = 2;</script>", True),
    ('<div class="TRS_Editor">x</div>', True),
    ('<div class="trs_editor_view">x</div>', True),
    ('<a href="./202101/t20210105_12.html">a</a>', True),
    ("<a href='/a/t19991231_1.shtml'>a</a>", True),
    ('<a href="./202101/t18210105_12.html">a</a>', False),
    ('<a href="/col/col1/index.html">a</a>', False),
    ("var countpage = 2", False),
])
def test_fingerprints(text, found):
    assert TRSFamily.detect_text(text) is found


@pytest.mark.parametrize(("url", "detail"), [
    ("http://x/a/202101/t20210105_12.html", True), ("http://x/a/t19990101_1.shtml", True),
    ("http://x/a/t20210105_12.htm", True), ("http://x/a/t20210105_12.html?x=1", True),
    ("http://x/a/t2021010_12.html", False), ("http://x/a/t20210105_.html", False),
    ("http://x/a/t20210105_12.pdf", False), ("http://x/a/t18210105_12.html", False),
    ("http://x/a/t20210105_12.html/more", False), ("http://x/a/xt20210105_12.html", False),
])
def test_detail_urls(url, detail):
    assert TRSFamily().is_detail_url(url) is detail


def test_a_binary_response_is_no_list():
    binary = Response(COL + "a.pdf", body=b"%PDF", request=Request(COL + "a.pdf", meta={"ogi_site": "s"}))
    family = TRSFamily()
    assert family.is_list_page(binary) is False
    assert family.list_items(binary) == []
    assert family.more_list_requests(binary, _Spider()) == []


def test_list_page_by_pager_or_by_items():
    family = TRSFamily()
    assert family.is_list_page(page(COL + "index.html", "<script>createPageHTML(2,0,'index','html')</script>"))
    assert family.is_list_page(page(COL + "index.html", "<script>var countPage = 1</script>"))
    assert family.is_list_page(page(COL + "index.html", '<a href="./202101/t20210105_1.html">a</a>'))
    assert not family.is_list_page(page(COL + "index.html", '<a href="./about.html">a</a>'))


def test_list_items_titles_dates_and_what_is_skipped():
    body = """<ul>
      <li><a href=" ./202101/t20210105_1.html#top " title="2020年 年度报告">short</a><span> 2021-01-05 </span></li>
      <li><a href="./202101/t20210105_1.html">again</a><span>x</span></li>
      <li><a href="javascript:void(0)">js</a></li>
      <li><a href="">empty</a></li>
      <li><a href="./index.html">self</a></li>
      <li><a href="http://y.gov.cn/a/202201/t20220101_2.shtml"><b>2021年</b> 报告</a><em>2022-01-01</em></li>
      <li><a href="./about.html">not a report</a></li>
    </ul>"""
    items = TRSFamily().list_items(page(COL + "index.html", body))
    assert [(i.url, i.title, i.date) for i in items] == [
        (COL + "202101/t20210105_1.html", "2020年年度报告", "2021-01-05"),
        ("http://y.gov.cn/a/202201/t20220101_2.shtml", "2021年报告", "2022-01-01"),
    ]


def test_own_url_is_not_an_item():
    url = COL + "202101/t20210105_1.html"
    assert TRSFamily().list_items(page(url, f'<a href="{url}#x">me</a>')) == []
    # the page's own URL with a fragment (or two) is still the page
    assert TRSFamily().list_items(page(url + "#x", '<a href="t20210105_1.html">me</a>')) == []
    assert TRSFamily().list_items(page(url + "#x#y", '<a href="t20210105_1.html">me</a>')) == []


def test_item_urls_lose_their_whole_fragment_and_dates_keep_every_text_node():
    body = '<a href="./202101/t20210105_1.html#a#b">r</a><span><b>2021</b>-01-05</span>'
    (item,) = TRSFamily().list_items(page(COL + "index.html", body))
    assert (item.url, item.date) == (COL + "202101/t20210105_1.html", "2021-01-05")


@pytest.mark.parametrize(("script", "found"), [
    ('createPageHTML(5, 0, "index", "shtml")', (5, "index", "shtml")),
    ("createPageHTML( '12' , '3' , 'list' , 'htm' )", (12, "list", "htm")),
    ('createPageHTML(4,1,"index","html")', (4, "index", "html")),
    ("createPageHTML(4, 1)", None),
    ("nothing here", None),
])
def test_page_count_from_create_page_html(script, found):
    assert TRSFamily().page_count(page(COL + "index.html", f"<script>{script}</script>")) == found


@pytest.mark.parametrize(("url", "script", "found"), [
    (COL + "index.shtml", "var countPage = 7;", (7, "index", "shtml")),
    (COL + "index_3.htm", "var  countPage='4'", (4, "index", "htm")),
    (COL, 'var countPage="2"', (2, "index", "html")),
    (COL + "list.shtml", "var countPage = 2", (2, "index", "html")),
])
def test_page_count_from_count_page(url, script, found):
    assert TRSFamily().page_count(page(url, f"<script>{script}</script>")) == found


def test_create_page_html_wins_over_count_page():
    body = '<script>var countPage = 9; createPageHTML(2, 0, "index", "shtml")</script>'
    assert TRSFamily().page_count(page(COL + "index.html", body)) == (2, "index", "shtml")


def test_next_pages_from_the_first_page():
    body = '<script>createPageHTML(4, 0, "index", "shtml")</script>'
    assert next_urls(page(COL + "index.shtml", body)) == [COL + "index_1.shtml", COL + "index_2.shtml",
                                                          COL + "index_3.shtml"]


def test_next_pages_from_a_later_page_include_the_first():
    body = '<script>createPageHTML(3, 1, "index", "html")</script>'
    requests = TRSFamily().more_list_requests(page(COL + "index_1.html", body), _Spider())
    assert [r.url for r in requests] == [COL + "index.html", COL + "index_2.html"]
    assert {(r.meta["ogi_site"], r.meta["ogi_kind"]) for r in requests} == {("s", "list")}
    assert {r.callback.__name__ for r in requests} == {"parse_list"}


def test_one_page_or_no_pager_asks_for_nothing_more():
    assert next_urls(page(COL + "index.html", '<script>createPageHTML(1, 0, "index", "html")</script>')) == []
    assert next_urls(page(COL + "index.html", '<a href="./202101/t20210105_1.html">a</a>')) == []


def test_count_page_pager_keeps_the_list_file_extension():
    assert next_urls(page(COL + "index_1.shtml", "<script>var countPage = 3</script>")) == [
        COL + "index.shtml", COL + "index_2.shtml"]
