"""The shared family hooks (crawler/spiders/base.py), unit by unit, on pages built in the test (no crawl, no
reactor): which links are report columns, disclosure pages, sub-columns, list items and attachments, and
the helpers under them. Every family falls back on these; the golden files check whole saved pages, these
pin the rules a mutation run (scripts/mutation.sh families) found unpinned."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response

from crawler.spiders.base import (
    ListItem,
    SiteFamily,
    clean_text,
    is_document_url,
    is_web_url,
    texts,
    unique,
    usable_href,
)
from tests.family_golden import _Spider

BASE = "http://www.x.gov.cn"


def page(url: str, body: str, headers: dict | None = None) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", headers=headers,
                        request=Request(url, meta={"ogi_site": "s"}))


@pytest.fixture
def families():
    """Define test families (detail pages /art/N.html …) and take them out of the registry afterwards: a
    family registers itself when defined, and `family_names()` (the --platform choices) must not see them."""
    before = dict(SiteFamily.registry)
    yield
    SiteFamily.registry.clear()
    SiteFamily.registry.update(before)


def details_family() -> SiteFamily:
    class Details(SiteFamily):
        name = "test-mut-details"

        def is_detail_url(self, url: str) -> bool:
            return "/art/" in url

    return Details()


@pytest.fixture
def Details(families):  # noqa: N802 - used like the class it makes
    return type(details_family())


def test_helpers():
    assert clean_text(" a \n b\u3000c ") == "abc" and clean_text(None) == ""
    for href, ok in (("/a", True), (" /a ", True), ("", False), ("   ", False), (None, False), ("#top", False),
                     ("javascript:void(0)", False), (" mailto:a@b", False), ("tel:123", False), ("JavaScript:x", True)):
        assert usable_href(href) is ok, href
    assert is_web_url("http://a/") and is_web_url("HTTPS://a/") and not is_web_url("ftp://a/")
    assert not is_web_url("file:///etc/passwd") and not is_web_url("data:text/html,x")
    assert unique(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    for url, doc in (("/a.pdf", True), ("/a.PDF?x=1", True), ("/a.docx#p", True), ("/a.wps", True), ("/a.rtf", True),
                     ("/a.doc", True), ("/a.pdf.html", False), ("/a.xls", False), ("/downfile.jsp?id=1", True),
                     ("/pdf/a.html", False)):
        assert is_document_url(BASE + url) is doc, url


def test_a_second_family_with_a_taken_name_is_refused(families):
    first = type(details_family())
    with pytest.raises(ValueError, match="two site families are named 'test-mut-details'"):
        type("Again", (SiteFamily,), {"name": "test-mut-details"})
    assert SiteFamily.registry["test-mut-details"] is first


def test_defaults():
    family, response = SiteFamily(), page(BASE + "/", "<p>x</p>")
    assert SiteFamily.detect(response) is False and SiteFamily.detect_url(BASE) is False
    assert family.unit_links(response) == [] and list(family.more_list_requests(response, _Spider())) == []
    assert family.needs_module(response) is None and family.is_detail_url(BASE + "/art/1.html") is False
    assert family.is_list_page(response) is False


def test_detect_by_url_or_text(families):
    class ByUrl(SiteFamily):
        name = "test-mut-by-url"

        @classmethod
        def detect_url(cls, url):
            return "/special/" in url

    class ByText(SiteFamily):
        name = "test-mut-by-text"

        @classmethod
        def detect_text(cls, text):
            return "MARK" in text

    binary = Response(BASE + "/special/a.pdf", body=b"MARK", request=Request(BASE + "/special/a.pdf"))
    assert ByUrl.detect(binary) and not ByText.detect(binary)
    assert ByText.detect(page(BASE + "/", "MARK")) and not ByText.detect(page(BASE + "/", "mark"))


def test_links_prefer_titles_and_skip_what_leads_nowhere():
    body = """<a href=" /a.html#x " title="完整 标题">截断…</a><a href="/b.html"><b>粗</b> 体</a>
    <a href="#top">top</a><a href="javascript:x()">js</a><a>no href</a><a href="/">me</a><a href="/#frag">me too</a>
    <a href="ftp://x.gov.cn/f">ftp</a><a href="mailto:a@b">mail</a>"""
    assert list(SiteFamily().links(page(BASE + "/", body))) == [(BASE + "/a.html", "完整标题"), (BASE + "/b.html", "粗体")]
    binary = Response(BASE + "/", body=b"<a href='/a'>a</a>", request=Request(BASE + "/"))
    assert list(SiteFamily().links(binary)) == []


def test_column_links(Details):
    body = """<a href="/nb/">政府信息公开年报</a><a href="/nb2/">年度报告</a><a href="/nb/">年报</a>
    <a href="/zn/">年报指南</a><a href="/r2021/">2021年年报</a><a href="/f/nb.pdf">年度报告</a>
    <a href="/art/1.html">年度工作报告</a><a href="/news/">新闻</a><a href="/gz/">年报格式</a>"""
    assert Details().column_links(page(BASE + "/", body)) == [BASE + "/nb/", BASE + "/nb2/"]


def test_disclosure_links(Details):
    body = """<a href="/xxgk/">信息公开</a><a href="/zwgk/">政务公开</a><a href="/ml/">公开目录</a><a href="/fd/">法定主动公开</a>
    <a href="http://o.gov.cn/xxgk/">信息公开</a><a href="/art/2.html">政务公开</a><a href="/f/a.pdf">信息公开</a>
    <a href="/zn/">信息公开指南</a><a href="/2021/">2021年政务公开</a><a href="/xxgk/">信息公开</a><a href="/n/">新闻</a>"""
    assert Details().disclosure_links(page(BASE + "/", body)) == [BASE + "/xxgk/", BASE + "/zwgk/", BASE + "/ml/",
                                                                  BASE + "/fd/"]


@pytest.mark.parametrize(("head", "column"), [
    ('<meta name="ColumnName" content="政府信息公开年报">', True), ('<meta name="columntype" content="年度 报告">', True),
    ('<meta name="ColumnKeywords" content="年度工作报告">', True), ('<meta name="ColumnDescription" content="年报">', False),
    ('<meta name="ColumnNames" content="年报">', False), ("<title>2021年 年报_某县</title>", True),
    ("<title>新闻</title>", False), ("", False),
])
def test_report_column_by_meta_or_title(head, column):
    assert SiteFamily().is_report_column(page(BASE + "/nb/", f"<html><head>{head}</head><body></body></html>")) is column


def test_report_column_needs_text():
    binary = Response(BASE + "/", body="<title>年报</title>".encode(), request=Request(BASE + "/"))
    assert SiteFamily().is_report_column(binary) is False and SiteFamily().attachments(binary) == []


def test_list_items_are_detail_links(Details):
    body = '<a href="/art/1.html" title="t1">x</a><a href="/nb/">2021年</a><a href="/art/2.html">t 2</a>'
    response = page(BASE + "/nb/", body)
    assert Details().list_items(response) == [ListItem(BASE + "/art/1.html", "t1"), ListItem(BASE + "/art/2.html", "t2")]
    assert Details().is_list_page(response)


def test_sub_columns_below_the_column(Details):
    body = """<a href="/nb/2021/">2021年</a><a href="/nb/2020nd/">2020年度</a><a href="/nb/bm/">部门</a>
    <a href="/nb/xz/">乡镇年报</a><a href="/nb/jd/">街道（办）</a><a href="/nb/qt/">县直单位年度报告</a>
    <a href="/nb/2021/">2021年</a><a href="/other/2021/">2021年</a><a href="http://o.gov.cn/nb/2022/">2022年</a>
    <a href="/nb/index.html">2023年</a><a href="/nb/art/9.html">2019年</a><a href="/nb/f.pdf">2018年</a>
    <a href="/nb/zn/">年报指南</a><a href="/nb/news/">新闻</a><a href="/nb/long/">这是一个非常长的栏目名称的年度报告</a>"""
    assert Details().sub_columns(page(BASE + "/nb/index.html", body)) == [
        BASE + "/nb/2021/", BASE + "/nb/2020nd/", BASE + "/nb/bm/", BASE + "/nb/xz/", BASE + "/nb/jd/", BASE + "/nb/qt/"]


def test_attachments_from_links_appendix_marks_and_scripts():
    body = """<a href=" /f/a.pdf ">a</a><a href="/f/b.DOCX?x=1">b</a><a href="/down?id=3" appendix="true">c</a>
    <a href="/f/a.pdf">again</a><a href="/page.html">page</a><a href="">empty</a><a href="ftp://x.gov.cn/f.pdf">ftp</a>
    <script>var s = '<a href="/f/c.doc">c</a>'; var t = "href=\\"/f/d.wps\\""; var u = 'href = "/f/e.txt"';</script>"""
    assert SiteFamily().attachments(page(BASE + "/art/1.html", body)) == [
        BASE + "/f/a.pdf", BASE + "/f/b.DOCX?x=1", BASE + "/down?id=3", BASE + "/f/c.doc", BASE + "/f/d.wps"]


def test_page_document_is_the_page_as_fetched():
    response = page(BASE + "/a.html", "<p>x</p>", headers={"Content-Type": "text/html; charset=gbk"})
    assert SiteFamily().page_document(response) == (response.body, "text/html; charset=gbk")
    bare = Response(BASE + "/a.html", body=b"x", request=Request(BASE + "/a.html"))
    assert SiteFamily().page_document(bare) == (b"x", None)


def test_links_after_skipped_ones_and_fragments_on_both_sides():
    body = '<a href="javascript:x()">js</a><a href="/">me</a><a href="/a.html#x#y">a</a>'
    assert list(SiteFamily().links(page(BASE + "/#top", body))) == [(BASE + "/a.html", "a")]
    assert list(SiteFamily().links(page(BASE + "/#a#b", '<a href="/">me</a>'))) == []


def test_sub_columns_after_skipped_links(Details):
    body = '<a href="http://o.gov.cn/nb/2022/">2022年</a><a href="/nb/2021/">2021年</a>'
    assert Details().sub_columns(page(BASE + "/nb/index.html", body)) == [BASE + "/nb/2021/"]
    body = '<a href="/nb/art/1.html">2022年</a><a href="/nb/f.pdf">2020年</a><a href="/nb/2021/">2021年</a>'
    assert Details().sub_columns(page(BASE + "/nb/index.html", body)) == [BASE + "/nb/2021/"]


def test_an_appendix_mark_needs_an_href():
    assert SiteFamily().attachments(page(BASE + "/art/1.html", '<a href="" appendix="true">x</a>')) == []


# The byte pre-check in `attachments`: a page without a hint of an attachment is not parsed, and it never
# changes what is found (each hint alone, character references, other encodings).
HINT_BODIES = [
    '<a href="/f/a.PdF">upper case</a>',
    '<a href="/cms/downfile.jsp?id=3">a download script</a>',
    '<a href="/down?id=3" appendix="true">an appendix mark alone</a>',
    '<a href="/f/a&#46;pdf">a character reference</a>',
    '<a href="/f/a&#x2E;doc">a hex reference</a>',
    '<a href="/f/a&period;wps">a named reference</a>',
    "<script>var s = 'href=\"/f/x.rtf\"';</script>",
    '<a href="/art/2.html">nothing to fetch</a><p>正文</p>',
]


@pytest.mark.parametrize("body", HINT_BODIES)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16", "utf-32"])
def test_the_attachment_precheck_finds_what_a_full_parse_finds(body, encoding, monkeypatch):

    import crawler.spiders.base as base

    def response() -> HtmlResponse:
        url = BASE + "/art/1.html"
        html = f"<html><head><meta charset='{encoding}'></head><body>{body}</body></html>"
        return HtmlResponse(url, body=html.encode(encoding), encoding=encoding, request=Request(url))

    found = SiteFamily().attachments(response())
    monkeypatch.setattr(base, "_attachment_hint", lambda body: True)  # every page parsed
    assert SiteFamily().attachments(response()) == found
    if "正文" not in body:
        assert found, body  # each of these pages links a file


@pytest.mark.parametrize("body", [b"a.PDF", b"x.DocX", b".wps", b"f.Rtf", b"/DOWNFILE.JSP?id=1", b'APPENDIX="true"',
                                  b"&#46;pdf", b"&PERIOD;pdf", b".doc", b"pdf doc wps", b".pd f", b"down file.jsp",
                                  b"appendi x", b"& #", b"", "年报.PDF".encode("gb18030")])
def test_the_attachment_hint_is_the_case_insensitive_pattern(body):
    import re

    from crawler.spiders.base import DOC_EXTENSIONS, _attachment_hint

    pattern = re.compile(rb"\.(?:" + "|".join(DOC_EXTENSIONS).encode() + rb")|downfile\.jsp|appendix|&#|&period", re.I)
    assert _attachment_hint(body) == bool(pattern.search(body))


def test_a_page_without_an_attachment_hint_is_not_parsed():
    response = page(BASE + "/art/1.html", "<p>本机关2023年政府信息公开工作年度报告</p>" * 50)
    assert SiteFamily().attachments(response) == []
    assert getattr(response, "_cached_selector", None) is None  # the lxml tree was never built
    hinted = page(BASE + "/art/1.html", '<p>x</p><a href="/f/a.pdf">附件</a>')
    assert SiteFamily().attachments(hinted) == [BASE + "/f/a.pdf"]
    assert getattr(hinted, "_cached_selector", None) is not None


def test_texts_are_what_parsel_gives_for_every_kind_of_node():
    """`texts` reads lxml directly; it must give parsel's `::text` list: nested tags, comments, script text,
    processing instructions, entities, whitespace-only nodes, an empty anchor — and a selected text node."""
    body = """<a href="/1"> 第1<!--注释-->局<b>20<i>2</i>1</b> <script>var x = 1;</script>年报 &amp; &#38;<br/> </a>
    <a href="/2"><?php echo 1; ?>二<span>  </span></a><a href="/3"></a><a href="/4">纯文本</a>"""
    response = page(BASE + "/", body)
    anchors = response.css("a[href]")
    assert [texts(a) for a in anchors] == [a.css("::text").getall() for a in anchors]
    assert texts(anchors[0])[:3] == [" 第1", "局", "20"]
    node = response.xpath("//a[@href='/4']/text()")[0]  # not an element: parsel's own answer
    assert texts(node) == node.css("::text").getall()
