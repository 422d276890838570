"""Anhui label-endpoint pager and list reading, unit by unit, on pages built in the test (no crawl, no
reactor): the exact label URL and parameters of each next page, when the pager stops, which anchors are
report items, which links are other units. The golden files (tests/test_family_anhui.py) check whole
saved pages; these pin the rules a mutation run (scripts/mutation.sh families) found unpinned."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse, Request, Response

from crawler.spiders.anhui import EMPTY_LIST, LABEL_DEFAULTS, AnhuiFamily
from tests.family_golden import _Spider, load_response

BASE = "http://www.ah.gov.cn"
CAT = BASE + "/public/column/111?type=4&action=list&nav=3&catId=222"


def page(url: str, body: str, **meta) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8",
                        request=Request(url, meta={"ogi_site": "s", **meta}))


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def fragment(n: int, start: int = 0) -> str:
    return "".join(f'<div class="xxgk_navli"><a href="/public/111/{start + i}.html" title="t{start + i}">x</a>'
                   f'<span class="date">2023-01-0{i % 9 + 1}</span></div>' for i in range(n))


@pytest.mark.parametrize(("text", "found"), [
    ('$.ajax({url: "/site/label/8888"})', True),
    ('<a href="/public/column/6596091?type=4&action=list">u</a>', True),
    ('<a href="/public/column/6596091?type=5&action=list">u</a>', False),
    ('<a href="/public/column/6596091">u</a>', False),
    ("<a href='/public/6597781/30355452.html'>r</a>", True),
    ('<a href="/public/6597781/x.html">r</a>', False),
    ("/site/label/8887", False),
])
def test_fingerprints(text, found):
    assert AnhuiFamily.detect_text(text) is found


@pytest.mark.parametrize(("url", "detail"), [
    (BASE + "/public/1/2.html", True), (BASE + "/public/1/2.shtml", True), (BASE + "/public/1/2.htm", True),
    (BASE + "/public/column/2.html", False), (BASE + "/public/1/2.html/x", False), (BASE + "/public/a/2.html", False),
])
def test_detail_urls(url, detail):
    assert AnhuiFamily().is_detail_url(url) is detail


def test_catalogue_and_label_response():
    assert AnhuiFamily.catalogue(CAT) == ("111", "222")
    assert AnhuiFamily.catalogue(BASE + "/public/column/111?type=4") == ("111", "")
    assert AnhuiFamily.catalogue(BASE + "/public/column/111/x") is None
    assert AnhuiFamily.catalogue(BASE + "/public/111/2.html") is None
    assert AnhuiFamily.is_label_response(page(BASE + "/x/site/label/8888?a=1", ""))
    assert not AnhuiFamily.is_label_response(page(BASE + "/site/label/8888/x", ""))


def test_unit_links_are_other_units_on_this_host_without_a_category():
    body = """<a href="/public/column/111?type=4">me</a>
    <a href="/public/column/333?type=4&amp;action=list">u3</a>
    <a href="/public/column/333?type=4&amp;nav=3">u3 again</a>
    <a href="/public/column/444?type=4&amp;catId=9">a category</a>
    <a href="http://other.gov.cn/public/column/555?type=4">other host</a>
    <a href="/public/column/666?type=4">u6</a>"""
    assert AnhuiFamily().unit_links(page(CAT, body)) == [
        BASE + "/public/column/333?type=4&action=list", BASE + "/public/column/333?type=4&nav=3",
        BASE + "/public/column/666?type=4"]
    # From a page that is no catalogue, every unit is another one.
    assert AnhuiFamily().unit_links(page(BASE + "/", body))[0] == BASE + "/public/column/111?type=4"


def test_no_sub_columns():
    assert AnhuiFamily().sub_columns(page(CAT, '<a href="/public/column/111?catId=3">2021年</a>')) == []


def test_list_page_kinds():
    family = AnhuiFamily()
    assert family.is_list_page(page(BASE + "/site/label/8888?pageIndex=1", "<p>nothing</p>"))
    assert family.is_list_page(page(CAT, '<script>url: "/site/label/8888"</script>'))
    assert family.is_list_page(page(CAT, "<script>{pageCount:3}</script>"))
    assert not family.is_list_page(page(CAT, "<p>no list</p>"))
    assert not family.is_list_page(page(BASE + "/public/column/111?type=4", "/site/label/8888 pageCount:2"))
    assert not family.is_list_page(page(BASE + "/x.html", "/site/label/8888"))
    binary = Response(CAT, body=b"%PDF", request=Request(CAT, meta={"ogi_site": "s"}))
    assert not family.is_list_page(binary)
    assert family.list_items(binary) == [] and family.more_list_requests(binary, _Spider()) == []


def test_list_items_from_both_templates_once_each():
    body = """<div class="xxgk_navli"><a href=" /public/111/1.html " title="2022年 年报">短</a>
      <span class="date"> 2023-01-20 </span></div>
    <div class="xxgk_navli"><a href="/public/111/1.html">dup</a></div>
    <div class="xxgk_navli"><a href="/public/column/111?catId=1">not a report</a></div>
    <div class="gk_list"><ul><li><div><a class="title" href="/public/111/2.html"><b>2021年</b>报告</a></div>
      <span class="other">x</span><span class="date"><b>2022</b>-01-05</span></li></ul></div>
    <a href="/public/111/3.html">outside the list</a>"""
    items = AnhuiFamily().list_items(page(BASE + "/site/label/8888?pageIndex=1", body))
    assert [(i.url, i.title, i.date) for i in items] == [
        (BASE + "/public/111/1.html", "2022年年报", "2023-01-20"), (BASE + "/public/111/2.html", "2021年报告", "2022-01-05")]


def test_list_items_of_a_server_rendered_list():
    body = '<a href="/public/111/7.html">2020年报告</a><a href="/public/111/7.html">again</a><a href="/x.html">x</a>'
    items = AnhuiFamily().list_items(page(BASE + "/public/column/111?catId=1", body))
    assert [(i.url, i.title) for i in items] == [(BASE + "/public/111/7.html", "2020年报告")]


def test_label_params_from_the_page_script_and_meta():
    body = """<meta name="siteid" content=" 999 "><script>
    var p = {labelName:"publicInfoList", pageSize:'20', organId:"", catId:"", result:"none", file:"/a/b", x: 1};
    $.ajax({url: "/pre/fix/site/label/8888", data: p});</script>"""
    url, params = AnhuiFamily().label_params(page(CAT, body))
    assert url == BASE + "/pre/fix/site/label/8888"
    assert params == {**LABEL_DEFAULTS, "pageSize": "20", "organId": "111", "catId": "222", "result": "none",
                      "file": "/a/b", "siteId": "999"}
    assert list(params) == list(LABEL_DEFAULTS)


def test_label_params_without_a_script_use_the_defaults_and_the_path_prefix():
    url, params = AnhuiFamily().label_params(page(BASE + "/zwgk/public/column/111?catId=222", "<p>x</p>"))
    assert url == BASE + "/zwgk/site/label/8888"
    assert params == {**LABEL_DEFAULTS, "organId": "111", "catId": "222"}


def test_label_params_keep_the_scripts_ids():
    body = "<meta name='SiteId' content='1'><script>{labelName:'x', siteId: 77, organId: '5', catId: \"6\"}</script>"
    _url, params = AnhuiFamily().label_params(page(CAT, body))
    assert (params["labelName"], params["siteId"], params["organId"], params["catId"]) == ("x", "77", "5", "6")


def test_label_params_only_on_a_category():
    assert AnhuiFamily().label_params(page(BASE + "/public/column/111?type=4", "/site/label/8888")) is None
    assert AnhuiFamily().label_params(page(BASE + "/", "/site/label/8888")) is None


def test_a_category_page_asks_for_page_one_with_its_page_count():
    body = '<meta name="SiteId" content="9"><script>url: "/site/label/8888"; x.pagination({pageCount:4})</script>'
    (request,) = AnhuiFamily().more_list_requests(page(CAT, body), _Spider())
    assert request.url.split("?")[0] == BASE + "/site/label/8888"
    assert query(request.url) == {**LABEL_DEFAULTS, "siteId": "9", "organId": "111", "catId": "222", "pageIndex": "1"}
    assert list(query(request.url)) == list(LABEL_DEFAULTS)
    state = request.meta["ogi_anhui"]
    assert state == {"url": BASE + "/site/label/8888", "page_count": 4,
                     "params": {**LABEL_DEFAULTS, "siteId": "9", "organId": "111", "catId": "222", "pageIndex": "1"}}
    assert (request.meta["ogi_site"], request.meta["ogi_kind"], request.callback.__name__) == ("s", "list", "parse_list")


def test_a_category_page_without_a_page_count_counts_one():
    (request,) = AnhuiFamily().more_list_requests(page(CAT, "<p>x</p>"), _Spider())
    assert request.meta["ogi_anhui"]["page_count"] == 1


def test_a_page_that_is_no_category_asks_for_nothing():
    assert AnhuiFamily().more_list_requests(page(BASE + "/public/column/111?type=4", "pageCount:3"), _Spider()) == []


def state(page_index: int, page_count: int, size: str = "3") -> dict:
    return {"url": BASE + "/site/label/8888", "page_count": page_count,
            "params": {**LABEL_DEFAULTS, "pageSize": size, "pageIndex": str(page_index)}}


def label_page(n_items: int, st: dict, extra: str = "") -> HtmlResponse:
    url = f"{st['url']}?pageIndex={st['params']['pageIndex']}"
    return page(url, fragment(n_items) + extra, ogi_anhui=st)


@pytest.mark.parametrize(("index", "count", "items", "next_page"), [
    (1, 3, 1, 2),       # short page, but pageCount says there is more
    (2, 3, 1, 3),
    (3, 3, 1, None),    # the last page by pageCount, short
    (3, 3, 3, 4),       # the last page by pageCount but full: a pageCount that is too small loses nothing
    (4, 3, 2, None),
    (1, 1, 2, None),
    (1, 1, 3, 2),
    (1, 1, 4, 2),       # more than pageSize
    (2, 5, 0, None),    # an empty page ends the list whatever pageCount says
])
def test_next_label_page(index, count, items, next_page):
    requests = AnhuiFamily().more_list_requests(label_page(items, state(index, count)), _Spider())
    if next_page is None:
        assert requests == []
        return
    (request,) = requests
    assert query(request.url) == {**LABEL_DEFAULTS, "pageSize": "3", "pageIndex": str(next_page)}
    assert request.meta["ogi_anhui"] == {**state(next_page, count)}
    assert (request.meta["ogi_site"], request.meta["ogi_kind"]) == ("s", "list")


def test_the_empty_answer_ends_the_list_even_with_items(caplog):
    with caplog.at_level(logging.INFO, logger="crawler.spiders.anhui"):
        assert AnhuiFamily().more_list_requests(label_page(3, state(2, 5), EMPTY_LIST), _Spider()) == []
    assert caplog.messages == ["[s] pageCount 5 but page 2 is empty: list ends at page 1"]


@pytest.mark.parametrize(("index", "count", "logged"), [(1, 5, False), (2, 2, True), (3, 2, False), (2, 1, False)])
def test_an_empty_page_is_logged_only_inside_the_page_count(caplog, index, count, logged):
    with caplog.at_level(logging.INFO, logger="crawler.spiders.anhui"):
        assert AnhuiFamily().more_list_requests(label_page(0, state(index, count)), _Spider()) == []
    assert ("is empty" in caplog.text) is logged


def test_page_size_defaults_to_fifteen():
    st = state(1, 1)
    st["params"]["pageSize"] = ""
    assert AnhuiFamily().more_list_requests(label_page(14, st), _Spider()) == []
    assert len(AnhuiFamily().more_list_requests(label_page(15, st), _Spider())) == 1


def test_a_fragment_without_state_reads_its_own_url():
    url = (BASE + "/pre/site/label/8888?pageIndex=2&pageSize=2&organId=5&catId=6&cId=&result=")
    response = page(url, fragment(2))
    (request,) = AnhuiFamily().more_list_requests(response, _Spider())
    assert request.url.split("?")[0] == BASE + "/pre/site/label/8888"
    # a blank parameter stays blank (result= is not the default 暂无相关信息)
    assert query(request.url) == {**LABEL_DEFAULTS, "pageSize": "2", "organId": "5", "catId": "6", "pageIndex": "3",
                                  "result": ""}
    assert request.meta["ogi_anhui"]["page_count"] == 0
    # short: no page count to go on, so it is the last
    assert AnhuiFamily().more_list_requests(page(url, fragment(1)), _Spider()) == []


def test_saved_label_pages_follow_the_page_count():
    family = AnhuiFamily()
    url, params = family.label_params(load_response("anhui", "county_category.html"))
    page1 = load_response("anhui", "label_page1.html")
    page1.meta["ogi_anhui"] = {"url": url, "params": {**params, "pageIndex": "1"}, "page_count": 2}
    (nxt,) = family.more_list_requests(page1, _Spider())
    assert query(nxt.url)["pageIndex"] == "2" and nxt.url.startswith(url + "?IsAjax=1&dataType=html&")
