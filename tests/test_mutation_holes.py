"""Tests for the holes a mutation run found (issue 16), where only an end-to-end test noticed a bug, or
nothing did.

- Hanweb dataproxy paging past the first group: every Hanweb list had fit in one group, so a `return`
  inside the group loop passed every test. Here: lists of 3+ groups with the exact startrecord/endrecord
  sequence (the demo portal's 霍山县 部门年报 column needs three groups end to end: tests/test_crawl_demo.py).
- The 丌/不 repair's 不-word exception in a document that mixes a defective and a sound font.
- "Unchanged bytes are never extracted again": tests/test_no_reextract.py (it crawls; these are unit tests,
  which scripts/mutation.sh runs for every mutant).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import FormRequest, HtmlResponse, Request, Response

from crawler.spiders.hanweb import HanwebFamily
from extract.repair import fix_font_map, has_font_map_defect
from tests.family_golden import _Spider

# ---------------------------------------------------------------- Hanweb dataproxy groups

COLUMN_URL = "http://www.example.gov.cn/col/col1528/index.html"
FIELDS = {"col": "1", "appid": "1", "webid": "12", "path": "/", "columnid": "1528", "sourceContentType": "1",
          "unitid": "4011", "webname": "周村区人民政府", "permissiontype": "0"}


def _column_page(total: int, embedded: int, per_page: int | None = 4, *, nextgroup: str | None = None,
                 total_in_xml: bool = False) -> HtmlResponse:
    records = "".join(f"<record><![CDATA[<li><a href='/art/2023/1/{i % 28 + 1}/art_1528_{i}.html' title='报告{i}'>"
                      f"报告{i}</a><span>2023-01-01</span></li>]]></record>\n" for i in range(1, embedded + 1))
    ng = f"<nextgroup><![CDATA[<a href=\"{nextgroup}\"></a>]]></nextgroup>" if nextgroup else ""
    xml_total = f"<totalrecord>{total}</totalrecord>" if total_in_xml else ""
    param = ("var param_4011={col:1,appid:1,webid:12,path:'/',columnid:1528,sourceContentType:1,"
             "unitid:'4011',webname:'周村区人民政府',permissiontype:0};")
    per = f"perPage:{per_page}," if per_page is not None else ""
    js_total = "" if total_in_xml else f"totalRecord:{total},"
    body = (f'<div id="4011"><script type="text/xml"><datastore>{ng}{xml_total}<recordset>\n{records}'
            f"</recordset></datastore></script></div><script>{param}</script>"
            f"<script>$('#4011').jpage({{dataStore:dataStore,{per}groupSize:3,{js_total}ajaxParam:param_4011}});</script>")
    return HtmlResponse(COLUMN_URL, body=body.encode(), encoding="utf-8",
                        request=Request(COLUMN_URL, meta={"ogi_site": "zc"}))


def _groups(response: HtmlResponse) -> list[tuple[str, int, int, int]]:
    out = []
    spider = _Spider()
    for req in HanwebFamily().more_list_requests(response, spider):
        assert isinstance(req, FormRequest) and req.method == "POST"
        assert req.callback == spider.parse_list and req.errback == spider.on_error
        assert req.meta == {"ogi_site": "zc", "ogi_kind": "list", "ogi_proxy": True}
        assert {k: v[0] for k, v in parse_qs(req.body.decode()).items()} == FIELDS
        parts = urlsplit(req.url)
        q = {k: int(v[0]) for k, v in parse_qs(parts.query).items()}
        assert list(q) == ["startrecord", "endrecord", "perpage"]
        out.append((parts.path, q["startrecord"], q["endrecord"], q["perpage"]))
    return out


PROXY = "/module/web/jpage/dataproxy.jsp"


@pytest.mark.parametrize(("total", "expected"), [
    (40, [(13, 24), (25, 36), (37, 40)]),  # three groups, the last one short
    (37, [(13, 24), (25, 36), (37, 37)]),  # a last group of one record
    (36, [(13, 24), (25, 36)]),  # ends exactly on a group boundary
    (60, [(13, 24), (25, 36), (37, 48), (49, 60)]),
    (13, [(13, 13)]),
    (12, []),  # everything embedded
])
def test_hanweb_proxy_groups_in_sequence(total, expected):
    assert _groups(_column_page(total, 12)) == [(PROXY, a, b, 4) for a, b in expected]


def test_hanweb_groups_follow_the_embedded_count_and_page_size():
    """The first proxy record follows the last embedded one; a group is 3 pages (groupSize) of perPage."""
    assert _groups(_column_page(19, 6, per_page=2)) == [(PROXY, 7, 12, 2), (PROXY, 13, 18, 2), (PROXY, 19, 19, 2)]
    # No perPage in the page: jpage's default of 15, so 45 embedded and groups of 45.
    assert _groups(_column_page(100, 45, per_page=None)) == [(PROXY, 46, 90, 15), (PROXY, 91, 100, 15)]


def test_hanweb_total_from_the_datastore_and_proxy_from_nextgroup():
    page = _column_page(30, 12, nextgroup="/module/jpage/dataproxy.jsp?page=1&columnid=1528", total_in_xml=True)
    assert _groups(page) == [("/module/jpage/dataproxy.jsp", 13, 24, 4), ("/module/jpage/dataproxy.jsp", 25, 30, 4)]


def test_hanweb_no_groups_without_the_form_or_a_total():
    page = _column_page(40, 12)
    no_param = page.replace(body=page.body.replace(b"var param_4011", b"var other_4011"))
    no_total = page.replace(body=page.body.replace(b"totalRecord:40,", b""))
    assert _groups(no_param) == [] and _groups(no_total) == []


# ---------------------------------------------------------------- 丌/不 repair, mixed fonts


def test_font_map_keeps_sound_bu_words_in_a_defective_document():
    """A document whose defective font prints 丌 for 不 (and 不 for 与) but whose other font is sound: a
    printed 不 starting a common 不-word (不断, 不够, 不懈) is a real 不; any other printed 不 is a 与."""
    text = "丌断加强，迚一步推迚。坚持不懈，公开不保密，不断完善，参不其中，不够规范，不其他工作同布置。"
    assert has_font_map_defect(text)
    assert fix_font_map(text) == "不断加强，进一步推进。坚持不懈，公开与保密，不断完善，参与其中，不够规范，与其他工作同布置。"


@pytest.mark.parametrize("word", ["不断", "不够", "不足", "不得", "不公开", "不予", "不能", "不再", "不符合", "不属于",
                                  "不涉及", "不存在", "不到位", "不规范", "不满意", "不一致", "不明确", "不了解"])
def test_font_map_bu_word_exception(word):
    text = f"丌同意；迚行中；{word}；公开不保密"
    assert fix_font_map(text) == f"不同意；进行中；{word}；公开与保密"


def test_font_map_without_bu_glyph_maps_only_the_unambiguous_pairs():
    """No 丌 in the document: 不 is ambiguous, so only 参不 and 不否 become 参与 and 与否."""
    text = "迚一步挃导，公开不保密，参不其中，公开不否，坚持不懈"
    assert fix_font_map(text) == "进一步指导，公开不保密，参与其中，公开与否，坚持不懈"
    assert fix_font_map("挃导迚行。参不") == "指导进行。参不"  # 参不 at the end: nothing follows it
    assert fix_font_map("丌") == "丌"  # a single defect glyph is no evidence of the defect


def test_font_map_bu_at_the_very_end_of_a_defective_document():
    """Nothing follows the last character: a printed 不 there is a shifted 与 (no 不-word can start)."""
    assert fix_font_map("丌断迚行，公开不") == "不断进行，公开与"
    assert fix_font_map("丌断迚行不够") == "不断进行不够"  # the last two characters: 够 still follows 不
    assert fix_font_map("迚行挃导不") == "进行指导不"  # without 丌: left alone


# ---------------------------------------------------------------- Hanweb hooks around the pager


def test_hanweb_groups_when_the_page_embeds_less_than_a_group():
    """Some templates embed fewer records than a group (5 here): the proxy takes over from record 6."""
    assert _groups(_column_page(30, 5)) == [(PROXY, 6, 17, 4), (PROXY, 18, 29, 4), (PROXY, 30, 30, 4)]


def test_hanweb_proxy_answers_never_ask_for_more():
    page = _column_page(40, 12)
    page.meta["ogi_proxy"] = True
    assert HanwebFamily().more_list_requests(page, _Spider()) == []
    assert HanwebFamily().more_list_requests(Response(COLUMN_URL, body=b"%PDF"), _Spider()) == []


def test_hanweb_detect_text_any_marker():
    assert HanwebFamily.detect_text("<script type='text/xml'><datastore></datastore></script>")
    assert HanwebFamily.detect_text("<div>技术支持：大汉网络</div>")
    assert HanwebFamily.detect_text("<a href='/col/col1520/index.html'>信息公开</a>")
    assert HanwebFamily.detect_text('<a href="/art/2023/1/5/art_1_2.html">x</a>')
    assert not HanwebFamily.detect_text("<a href='/zwgk/index.html'>政务公开</a>")


def test_hanweb_list_items_take_the_last_date_of_a_record():
    page = HtmlResponse(COLUMN_URL, encoding="utf-8", body=(
        "<datastore><recordset><record><![CDATA[<li><b>新</b><a href='/art/2023/1/5/art_1528_9.html' title='完整标题'>"
        "短标题…</a><span>2023-01-05</span></li>]]></record>"
        "<record><![CDATA[<li><a href='/art/2022/1/5/art_1528_8.html'>无title属性的<em>标题</em></a>"
        "<span>2022-01-05</span></li>]]></record></recordset></datastore>").encode())
    items = HanwebFamily().list_items(page)
    assert [(i.url, i.title, i.date) for i in items] == [
        ("http://www.example.gov.cn/art/2023/1/5/art_1528_9.html", "完整标题", "2023-01-05"),
        ("http://www.example.gov.cn/art/2022/1/5/art_1528_8.html", "无title属性的标题", "2022-01-05"),
    ]
    assert HanwebFamily().is_list_page(page)
    assert not HanwebFamily().is_list_page(Response(COLUMN_URL, body=b"<datastore>"))
    assert HanwebFamily().list_items(Response(COLUMN_URL, body=b"<datastore>")) == []


def test_hanweb_sub_columns():
    page = HtmlResponse(COLUMN_URL, encoding="utf-8", body=(
        "<ul><li><a href='/col/col1528/index.html'>部门年报</a></li>"  # the page itself
        "<li><a href='/col/col2094/index.html'>部门年报</a></li>"
        "<li><a href='/col/col2095/index.html'>2021年</a></li>"
        "<li><a href='/col/col2096/index.html'>年报编制指南</a></li>"  # not a column of reports
        "<li><a href='/col/col2097/index.html'>新闻动态</a></li>"
        "<li><a href='/art/2023/1/5/art_1528_9.html'>乡镇年报</a></li></ul>").encode())
    assert HanwebFamily().sub_columns(page) == ["http://www.example.gov.cn/col/col2094/index.html",
                                                "http://www.example.gov.cn/col/col2095/index.html"]


def test_hanweb_annual_module_links_make_a_list():
    """A units × years table of annual-report module links is a list page, and each link an item."""
    page = HtmlResponse(COLUMN_URL, encoding="utf-8", body=(
        "<table><tr><td>邹城市教育局</td><td><a href='/module/xxgk/xxgkAnnualReport.jsp?area=11370883004&fbtime=2022'>"
        "2022年</a></td></tr></table>").encode())
    family = HanwebFamily()
    assert family.is_list_page(page)
    items = family.list_items(page)
    assert [(i.url, i.title) for i in items] == [
        ("http://www.example.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11370883004&fbtime=2022", "邹城市教育局2022年")]
