"""gkmlpt pager and catalogue reading, unit by unit, on pages built in the test (no crawl, no reactor): the
exact API pages page 1 asks for, which TREE nodes are report categories or unit catalogues, how list
items, dates and escaped titles are read. The golden files (tests/test_family_gkmlpt.py) check whole
saved pages; these pin the rules a mutation run (scripts/mutation.sh families) found unpinned."""

from __future__ import annotations

import json

import pytest
from scrapy.http import HtmlResponse, JsonResponse, Request, Response

from crawler.spiders.gkmlpt import PAGE_SIZE, GkmlptFamily, as_date, config_value, js_unescape
from tests.family_golden import _Spider

BASE = "http://www.jianghai.gov.cn"
API = BASE + "/gkmlpt/api/all/1590"


class NotingSpider(_Spider):
    def __init__(self) -> None:
        self.notes: list[tuple[str, str]] = []

    def note(self, site_id: str, message: str) -> None:
        self.notes.append((site_id, message))


def page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=Request(url, meta={"ogi_site": "s"}))


def api(data, url: str = API + "?page=1&sid=755126") -> JsonResponse:
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8")
    return JsonResponse(url, body=body, request=Request(url, meta={"ogi_site": "s"}))


def articles(n: int) -> list[dict]:
    return [{"id": i, "title": f"t{i}", "url": f"/gkmlpt/content/0/1/post_{i}.html"} for i in range(n)]


def catalogue(tree, url: str = BASE + "/gkmlpt/index", sid: str = "SID: '755126',") -> HtmlResponse:
    return page(url, f"<script>window._CONFIG = {{ {sid} TREE: {json.dumps(tree, ensure_ascii=False)} }};</script>")


@pytest.mark.parametrize(("text", "value"), [
    ("%u6C5F%u6D77%20区", "江海 区"), ("plain%20text", "plain%20text"), ("", ""), ("%u00e9", "é"),
])
def test_js_unescape(text, value):
    assert js_unescape(text) == value


@pytest.mark.parametrize(("value", "with_time", "text"), [
    (1642644000, False, "2022-01-20"), (1642644000, True, "2022-01-20 10:00"), ("1642644000", False, "2022-01-20"),
    (1642644000000, True, "2022-01-20 10:00"), (1642644000.0, False, "2022-01-20"), (100000000000, False, "5138-11-16"),
    (100000000001, False, "1973-03-03"), (0, False, ""), (-5, False, ""),
    ("2022-01-20 10:00:00", False, "2022-01-20"), (" 2022-01-20T10:00", True, "2022-01-20 10:00"),
    ("2022-01-20", True, "2022-01-20"), ("2022/01/20", False, ""), (None, False, ""), ([1], False, ""),
])
def test_as_date(value, with_time, text):
    assert as_date(value, with_time) == text


def test_as_date_is_china_time():
    assert as_date(1642608000) == "2022-01-20"  # 2022-01-19 16:00 UTC
    assert as_date(1642607999, True) == "2022-01-19 23:59"


def test_config_value():
    text = "var a = {TREE: 1}; window._CONFIG = { SID: '1', 'TREE' : [1, 2], \"DETAIL\": {\"a\": 1}, X:bad };"
    assert config_value(text, "TREE") == [1, 2]
    assert config_value(text, "DETAIL") == {"a": 1}
    assert config_value(text, "X") is None and config_value(text, "NONE") is None
    assert config_value("TREE: [1]", "TREE") is None
    assert config_value("window._CONFIG = {MYTREE: [1], TREE: [2]}", "TREE") == [2]


def test_urls():
    family = GkmlptFamily()
    assert GkmlptFamily.detect_url(BASE + "/x/gkmlpt/index") and not GkmlptFamily.detect_url(BASE + "/gkmlpt")
    assert GkmlptFamily.detect_text("window._CONFIG = {TREE: []}") and not GkmlptFamily.detect_text("window._CONFIG")
    assert GkmlptFamily.detect_text("<a href='/x/gkmlpt/index'>") and not GkmlptFamily.detect_text("TREE")
    assert family.is_detail_url(BASE + "/gkmlpt/content/0/963/post_963149.html")
    assert family.is_detail_url(BASE + "/gkmlpt/content/0/963/post_963149.htm")
    assert not family.is_detail_url(BASE + "/gkmlpt/content/0/963/post_.html")
    assert not family.is_detail_url(BASE + "/gkmlpt/content/0/post_963149.html")


def test_list_items_and_their_dates():
    data = {"total": 3, "articles": [
        {"title": "%u6C5F%u6D77 2021年报", "url": "/gkmlpt/content/0/1/post_1.html", "display_publish_time": 1642644000,
         "created_at": 1, "date": 2},
        {"title": "b", "post_url": "http://o.gov.cn/p.html", "created_at": "2022-02-02 10:00", "date": 3},
        {"title": None, "url": "/c.html", "date": "2021-12-31"},
        {"title": "no url"}, "not a dict"]}
    items = GkmlptFamily().list_items(api(data))
    assert [(i.url, i.title, i.date) for i in items] == [
        (BASE + "/gkmlpt/content/0/1/post_1.html", "江海2021年报", "2022-01-20"), ("http://o.gov.cn/p.html", "b", "2022-02-02"),
        (BASE + "/c.html", "", "2021-12-31")]
    assert GkmlptFamily().list_items(api({"total": 1})) == []
    assert GkmlptFamily().list_items(page(BASE + "/gkmlpt/index", "<a href='/gkmlpt/content/0/1/post_1.html'>x</a>")) == []
    assert GkmlptFamily().list_items(api(b"[1, 2]")) == []


@pytest.mark.parametrize(("total", "n", "pages"), [
    (25, 10, [2, 3]), (20, 10, [2]), (21, 10, [2, 3]), (11, 10, [2]), ("30", 10, [2, 3]), (7, 3, [2, 3]),
])
def test_page_one_asks_for_every_other_page(total, n, pages):
    requests = GkmlptFamily().more_list_requests(api({"total": total, "articles": articles(n)}), NotingSpider())
    assert [r.url for r in requests] == [f"{API}?page={p}&sid=755126" for p in pages]
    assert {(r.meta["ogi_site"], r.meta["ogi_kind"], r.callback.__name__) for r in requests} <= {("s", "list", "parse_list")}


def test_page_one_without_a_page_number_or_sid():
    requests = GkmlptFamily().more_list_requests(api({"total": 3, "articles": articles(2)}, url=API), NotingSpider())
    assert [r.url for r in requests] == [API + "?page=2&sid="]


@pytest.mark.parametrize("total", [10, 9, 0, None, "x", [1]])
def test_a_page_holding_everything_asks_for_nothing(total):
    spider = NotingSpider()
    assert GkmlptFamily().more_list_requests(api({"total": total, "articles": articles(10)}), spider) == []
    assert spider.notes == []  # ten is the usual page size: nothing unusual


def test_a_long_page_one_holding_everything_is_a_note():
    spider = NotingSpider()
    n = PAGE_SIZE + 1
    assert GkmlptFamily().more_list_requests(api({"total": n, "articles": articles(n)}), spider) == []
    assert spider.notes == [("s", f"gkmlpt list {API}?page=1&sid=755126: page 1 holds all {n} articles; "
                                  "later pages are not requested (this site does not page its API)")]
    # a spider without notes (the golden helper) is fine too
    assert GkmlptFamily().more_list_requests(api({"total": n, "articles": articles(n)}), _Spider()) == []


def test_later_pages_and_other_answers_ask_for_nothing():
    family = GkmlptFamily()
    assert family.more_list_requests(api({"total": 50, "articles": articles(10)}, API + "?page=2&sid=1"), _Spider()) == []
    assert family.more_list_requests(api({"total": 50, "articles": {}}), _Spider()) == []
    assert family.more_list_requests(api({"total": 50}), _Spider()) == []
    assert family.more_list_requests(page(BASE + "/gkmlpt/index", "{}"), _Spider()) == []


TREE = [
    {"id": 1, "name": "政府信息公开指南", "children": [{"id": 11, "name": "年报"}]},
    {"id": 2, "name": "政府信息公开年报", "children": [{"id": 21, "name": "2021年"}, {"id": 22, "name": "2022年"}]},
    {"id": 3, "name": "外海街道", "children": [{"id": 31, "name": "年度报告"}, {"id": 32, "name": "工作动态"}]},
    {"id": 4, "name": "区教育局", "jump_url": "/jhqjyj/gkmlpt/index#x"},
    {"id": 5, "name": "年度报告制度"},
    {"id": 6, "name": "外站", "jump_url": "http://other.gov.cn/gkmlpt/index"},
    {"id": 7, "name": "旧站", "jump_url": "/old/index.html"},
    {"id": 8, "name": "自己", "jump_url": "/gkmlpt/index"},
    {"name": "年报 without id", "children": [{"id": 91, "name": "x"}]},
    "not a node",
]


def test_catalogue_targets_are_report_categories_then_unit_catalogues():
    got = GkmlptFamily().column_links(catalogue(TREE))
    api_url = BASE + "/gkmlpt/api/all/{}?page=1&sid=755126"
    assert got == [api_url.format(11), api_url.format(2), api_url.format(21), api_url.format(22), api_url.format(31), api_url.format(91),
                   BASE + "/jhqjyj/gkmlpt/index"]
    response = catalogue(TREE)
    assert GkmlptFamily().sub_columns(response) == got and GkmlptFamily().is_report_column(response)
    assert GkmlptFamily().is_list_page(response)


def test_catalogue_of_a_sub_site_keeps_its_prefix():
    got = GkmlptFamily().sub_columns(catalogue([{"id": 9, "name": "年报"}], BASE + "/jhqzjj/gkmlpt/index.html",
                                               'SID : "7",'))
    assert got == [BASE + "/jhqzjj/gkmlpt/api/all/9?page=1&sid=7"]
    got = GkmlptFamily().sub_columns(catalogue([{"id": 9, "name": "年报"}], BASE + "/x/gkmlpt/mindex"))
    assert got == [BASE + "/x/gkmlpt/api/all/9?page=1&sid=755126"]


def test_no_catalogue_without_tree_or_sid():
    family = GkmlptFamily()
    assert family.sub_columns(catalogue(TREE, sid="")) == []
    assert family.sub_columns(page(BASE + "/gkmlpt/index", "<script>window._CONFIG = {SID: '1', TREE: {}}</script>")) == []
    assert family.sub_columns(page(BASE + "/gkmlpt/index", "<script>var c = {SID: '1', TREE: []}</script>")) == []
    assert not family.is_list_page(page(BASE + "/gkmlpt/index", "<p>x</p>"))
    binary = Response(BASE + "/a.pdf", body=b"window._CONFIG", request=Request(BASE + "/a.pdf", meta={"ogi_site": "s"}))
    assert family.sub_columns(binary) == [] and family.list_items(binary) == [] and family.attachments(binary) == []


def test_a_portal_without_catalogue_uses_link_texts():
    body = '<a href="/zwgk/nb/">政府信息公开年报</a>'
    assert GkmlptFamily().column_links(page(BASE + "/", body)) == [BASE + "/zwgk/nb/"]


def test_disclosure_links_prefer_the_catalogue():
    body = """<a href="/news/1.html">政务公开要闻</a><a href="/jhq/gkmlpt/index"><img></a>
    <a href="http://o.gov.cn/gkmlpt/index">其他</a><a href="/jhq/gkmlpt/index">again</a>"""
    assert GkmlptFamily().disclosure_links(page(BASE + "/", body)) == [BASE + "/jhq/gkmlpt/index"]
    assert GkmlptFamily().disclosure_links(page(BASE + "/", '<a href="/zwgk/">政务公开</a>')) == [BASE + "/zwgk/"]


def test_api_answers_are_report_columns_by_their_classify_name():
    family = GkmlptFamily()
    assert family.is_report_column(api({"classify": {"name": "政府信息公开年报"}, "articles": []}))
    assert not family.is_report_column(api({"classify": {"name": "年报制度"}, "articles": []}))
    assert not family.is_report_column(api({"classify": "年报", "articles": []}))
    assert not family.is_report_column(api({"articles": []}))
    assert family.is_list_page(api({"articles": []})) and not family.is_list_page(api({"articles": 1}))
    assert family.sub_columns(api({"articles": []})) == [] and list(family.links(api({"a": 1}))) == []
    assert family.attachments(api({"articles": []})) == []


def test_attachments_from_the_detail_json_and_its_content():
    detail = {"title": "t", "attachment": [{"url": "/attachment/1.pdf"}, {"link": "/attachment/2.doc"},
                                           "/attachment/3.pdf", {"name": "no link"}, {"file_url": "/attachment/4.pdf"}],
              "content": '<a href="/a/5.pdf?x=1&amp;y=2">5</a><a href="/a/6.html">6</a><a href=\'/attachment/1.pdf\'>1</a>'}
    body = (f"<script>window._CONFIG = {{DETAIL: {json.dumps(detail)}}};</script>"
            '<a href="/top.pdf">t</a>')
    url = BASE + "/gkmlpt/content/0/1/post_1.html"
    assert GkmlptFamily().attachments(page(url, body)) == [
        BASE + "/top.pdf", BASE + "/attachment/1.pdf", BASE + "/attachment/2.doc", BASE + "/attachment/3.pdf",
        BASE + "/attachment/4.pdf", BASE + "/a/5.pdf?x=1&y=2"]
    plural = {"attachments": [{"path": "/p.pdf"}]}
    assert GkmlptFamily().attachments(page(url, f"<script>window._CONFIG = {{DETAIL: {json.dumps(plural)}}}</script>")) \
        == [BASE + "/p.pdf"]


def detail_page(detail: dict, metas: str = "") -> HtmlResponse:
    return page(BASE + "/gkmlpt/content/0/1/post_1.html",
                f"{metas}<script>window._CONFIG = {{DETAIL: {json.dumps(detail, ensure_ascii=False)}}};</script>")


def test_page_document_rebuilds_the_detail_as_html():
    detail = {"title": "%u6C5F%u6D77 2021年 <报告>", "display_publish_time": 1642644000, "created_at": 1,
              "date": 1642500000, "publisher": '江海区"教育局"', "identifier": "007/2022-1", "document_number": None,
              "attachment": [{"url": "/attachment/0/1/a b.pdf"}, "/attachment/0/1/c.doc"],
              "content": "<p>正文 &amp; 表</p>"}
    metas = ('<meta name="SiteName" content="江海区"><meta name="ArticleTitle" content="old">'
             '<meta name="PubDate" content="old"><meta name="ContentSource" content="old">'
             '<meta name="Key&amp;" content="a&quot;b"><meta name="Empty">')
    doc, ctype = GkmlptFamily().page_document(detail_page(detail, metas))
    assert ctype == "text/html; charset=utf-8"
    assert doc.decode("utf-8") == """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>江海2021年&lt;报告&gt;</title>
<meta name="SiteName" content="江海区">
<meta name="Key&amp;" content="a&quot;b">
<meta name="Empty" content="">
<meta name="ArticleTitle" content="江海2021年&lt;报告&gt;">
<meta name="PubDate" content="2022-01-20 10:00">
<meta name="ContentSource" content="江海区&quot;教育局&quot;">
</head>
<body>
<table class="xxgk-info">
<tr><td>索引号：</td><td>007/2022-1</td></tr>
<tr><td>发布机构：</td><td>江海区&quot;教育局&quot;</td></tr>
<tr><td>文号：</td><td></td></tr>
<tr><td>成文日期：</td><td>2022-01-18</td></tr>
<tr><td>发布日期：</td><td>2022-01-20</td></tr>
</table>
<h1>江海2021年&lt;报告&gt;</h1>
<div id="zoom">
<p>正文 &amp; 表</p>
</div>
<p><a href="http://www.jianghai.gov.cn/attachment/0/1/a b.pdf">a b.pdf</a></p><p><a href="http://www.jianghai.gov.cn/attachment/0/1/c.doc">c.doc</a></p>
</body>
</html>
"""


@pytest.mark.parametrize(("times", "published"), [
    ({"created_at": "2022-02-03 04:05:06", "date": "2021-12-31"}, "2022-02-03 04:05"),
    ({"date": "2021-12-31 08:00"}, "2021-12-31 08:00"),
    ({}, ""),
])
def test_page_document_publication_time_falls_back(times, published):
    doc = GkmlptFamily().page_document(detail_page({"title": "t", **times}))[0].decode("utf-8")
    assert f'<meta name="PubDate" content="{published}">' in doc
    assert f"<tr><td>发布日期：</td><td>{published[:10]}</td></tr>" in doc
    assert f"<tr><td>成文日期：</td><td>{(times.get('date') or '')[:10]}</td></tr>" in doc
    assert '<meta name="ContentSource" content="">' in doc and "<title>t</title>" in doc
    assert '<div id="zoom">\n\n</div>\n\n</body>' in doc  # no content, no attachments


def test_a_detail_that_is_not_an_object_is_no_detail():
    response = detail_page([1, 2])  # type: ignore[arg-type]
    assert GkmlptFamily().detail(response) is None
    assert GkmlptFamily().attachments(response) == []
    assert GkmlptFamily().page_document(response) == (response.body, None)


def test_more_helper_edges():
    assert as_date(1) == "1970-01-01"
    text = "window._CONFIG = {TREE: [1]}; window._CONFIG.more = {TREE: [2]}"
    assert config_value(text, "TREE") == [1]
    padded = api(b'  \n {"total": 1, "articles": []}')
    assert GkmlptFamily().is_list_page(padded)
    listed = api(b"[1, 2]")
    assert GkmlptFamily().attachments(listed) == [] and GkmlptFamily().sub_columns(listed) == []
    assert list(GkmlptFamily().links(listed)) == []


@pytest.mark.parametrize("total", [None, "x"])
def test_an_empty_page_one_without_a_total_asks_for_nothing(total):
    assert GkmlptFamily().more_list_requests(api({"total": total, "articles": []}), _Spider()) == []


def test_the_next_pages_keep_the_path_before_the_first_question_mark():
    url = API + "?page=1&sid=7&q=a?b"
    requests = GkmlptFamily().more_list_requests(api({"total": 3, "articles": articles(2)}, url=url), _Spider())
    assert [r.url for r in requests] == [API + "?page=2&sid=7"]


def test_skipped_nodes_and_articles_do_not_end_the_walk():
    tree = ["not a node", {"name": "年报"}, {"id": 5, "name": "年报", "jump_url": "/u/gkmlpt/index#x#y"},
            {"id": 6, "name": "年报"}]
    assert GkmlptFamily().sub_columns(catalogue(tree)) == [BASE + "/gkmlpt/api/all/6?page=1&sid=755126",
                                                          BASE + "/u/gkmlpt/index"]
    data = {"articles": ["x", {"title": "no url"}, {"title": "t", "url": "/gkmlpt/content/0/1/post_1.html"}]}
    assert [i.title for i in GkmlptFamily().list_items(api(data))] == ["t"]


def test_the_prefix_is_what_precedes_gkmlpt_index():
    tree = [{"id": 9, "name": "年报"}]
    assert GkmlptFamily().sub_columns(catalogue(tree, BASE + "/a/gkmlpt/b/gkmlpt/index")) == [
        BASE + "/a/gkmlpt/b/gkmlpt/api/all/9?page=1&sid=755126"]
    assert GkmlptFamily().sub_columns(catalogue(tree, BASE + "/a/gkmlpt/b/gkmlpt/other")) == [
        BASE + "/a/gkmlpt/api/all/9?page=1&sid=755126"]


def test_page_document_document_number_and_a_missing_title():
    doc = GkmlptFamily().page_document(detail_page({"document_number": "江府〔2022〕1号"}))[0].decode("utf-8")
    assert "<tr><td>文号：</td><td>江府〔2022〕1号</td></tr>" in doc
    assert "<title></title>" in doc and "<h1></h1>" in doc and '<meta name="ArticleTitle" content="">' in doc
