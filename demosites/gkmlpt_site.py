"""Mock Guangdong gkmlpt sites (site-patterns §1.5): a Vue catalogue shell, a JSON list API, JSON details.

`jianghai()` — 江海区 (江门, 440704), entry at the portal home page `/` (platform left for detection):
- `/gkmlpt/index` (SID 755126): TREE with 政府信息公开年报 (id 1590, 12 articles → API pages 1 and 2),
  街道 nodes each nested with their own 年报 category (1602 外海街道, 1604 礼乐街道 "年度报告"),
  guide/system categories (not followed), and 部门 nodes whose `jump_url` leads to unit catalogues:
- `/jhqzjj/gkmlpt/index` (住建局, SID 755201): category 2002 "政府信息公开年度报告", API under the prefix.
- `/jhqwsj/gkmlpt/index` (卫健局, SID 755202): titles `%u`-escaped in list and detail JSON.
- details `{prefix}/gkmlpt/content/0/{id // 1000}/post_{id}.html` with `window._CONFIG.DETAIL`;
  attachments `/attachment/0/{n // 1000}/{n}/{id}.{ext}`, one listed only in the JSON, one only linked
  in the content.

`duanzhou()` — 端州区 (肇庆, 441202), entry `/gkmlpt/index`, platform "gkmlpt": the 肇庆 quirk — the API
answers every article on page 1 and 404 for page ≥ 2.

Reports come from `demosites.catalog.gen` (balanced numbers, official forms); decoys (工作总结, 编制发布
通知, 指南) sit in the report categories.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

from demosites.catalog import NOTICE, SUMMARY, Item, decoy, gen
from demosites.mock import MockRequest, MockResponse, MockSite

logger = logging.getLogger(__name__)

CN = timezone(timedelta(hours=8))
CTYPES = {"pdf": "application/pdf",
          "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
GUIDE = ("为进一步做好政府信息公开工作，根据《中华人民共和国政府信息公开条例》，结合实际编制本指南。\n"
         "一、主动公开：主动公开的政府信息通过政府信息公开目录平台发布。\n"
         "二、依申请公开：公民、法人或者其他组织可以通过当面、信函、网络等方式提出申请。")


def js_escape(text: str) -> str:
    """JavaScript `escape()`, as some gkmlpt sites send titles."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in "@*_+-./"):
            out.append(ch)
        elif ord(ch) < 256:
            out.append(f"%{ord(ch):02X}")
        else:
            out.append(f"%u{ord(ch):04X}")
    return "".join(out)


def _ts(when: datetime) -> int:
    return int(when.replace(tzinfo=CN).timestamp())


@dataclass
class Category:
    id: int
    name: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Unit:
    """One catalogue (the district's own, or a department's under a path prefix)."""

    prefix: str  # "" or "/jhqzjj"
    sid: str
    name: str
    orgcode: str  # first part of the 索引号
    tree: list[dict[str, Any]]
    categories: list[Category]
    escape_titles: bool = False
    all_on_page1: bool = False  # the 肇庆 quirk: everything on page 1, 404 for page >= 2


class GkmlptSite(MockSite):
    """One Guangdong government host serving one or more gkmlpt catalogues."""

    page_size = 10
    home_paths = ("/", "/index.html")

    def __init__(self, site_id: str, name: str, province: str, city: str, county: str, adcode: str, domain: str,
                 units: list[Unit], *, platform: str = "", entry_path: str = "/") -> None:
        self.site_id, self.name, self.province, self.city, self.county, self.adcode = (
            site_id, name, province, city, county, adcode)
        self.platform, self.entry_path, self.domain, self.units = platform, entry_path, domain, units
        self.siteidcode = f"{adcode}0001"
        self.base_url = ""
        self._posts: dict[str, tuple[Unit, Category, Item]] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        for unit in units:
            for cat in unit.categories:
                for item in cat.items:
                    self._posts[self.post_path(unit, item)] = (unit, cat, item)
                    for att in item.attachments:
                        ext = att.name.rsplit(".", 1)[1]
                        self._files[self.attachment_path(item, ext)] = (att.data, CTYPES[ext])

    # ---- URLs ----------------------------------------------------------------------
    @staticmethod
    def post_path(unit: Unit, item: Item) -> str:
        return f"{unit.prefix}/gkmlpt/content/0/{item.docid // 1000}/post_{item.docid}.html"

    @staticmethod
    def attachment_path(item: Item, ext: str) -> str:
        n = 80000 + item.docid % 20000
        return f"/attachment/0/{n // 1000}/{n}/{item.docid}.{ext}"

    def start(self, base_url: str) -> None:
        super().start(base_url)
        for unit in self.units:
            for cat in unit.categories:
                for item in cat.items:
                    item.url = base_url + self.post_path(unit, item)
                    for att in item.attachments:
                        att.url = base_url + self.attachment_path(item, att.name.rsplit(".", 1)[1])

    # ---- pages ---------------------------------------------------------------------
    def metas(self, extra: dict[str, str] | None = None) -> str:
        tags = {"SiteName": self.name, "SiteDomain": self.domain, "SiteIDCode": self.siteidcode, **(extra or {})}
        return "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in tags.items())

    def shell(self, title: str, config: str, extra: dict[str, str] | None = None) -> MockResponse:
        """The Vue SPA shell every gkmlpt page is: no content in the HTML, only window._CONFIG."""
        return MockResponse.html(
            f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f'{self.metas(extra)}<link rel="stylesheet" href="/gkmlpt/static/css/app.css">\n</head>\n<body>\n'
            f'<div id="app"></div>\n<script>\nwindow._CONFIG = {{\n{config}\n}};\n</script>\n'
            '<script src="/gkmlpt/static/js/app.js"></script>\n</body>\n</html>\n')

    @staticmethod
    def _js_json(value: Any) -> str:
        """JSON as the platform prints it into a script: '<' and '>' escaped as \\u003C / \\u003E."""
        return json.dumps(value, ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")

    def home(self) -> MockResponse:
        news = [("召开2023年防汛防风工作会议", 2811201), ("开展政务公开业务培训", 2811240)]
        links = "".join(f'<li><a href="/{self.site_id}/content/post_{n}.html">{escape(self.county + t)}</a></li>'
                        for t, n in news)
        return MockResponse.html(
            f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{escape(self.name)}</title>\n'
            f'{self.metas()}</head>\n<body>\n<div class="nav"><a href="/">首页</a> '
            '<a href="/gkmlpt/index">政府信息公开</a> <a href="/hdjl/">互动交流</a></div>\n'
            f'<div class="news"><ul>{links}</ul></div>\n</body>\n</html>\n')

    def news(self, path: str) -> MockResponse:
        """An ordinary portal article (`/…/content/post_N.html`), outside the catalogue."""
        return MockResponse.html(
            f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>要闻动态_{escape(self.name)}</title>\n'
            f'{self.metas({"ColumnName": "要闻动态"})}</head>\n<body>\n<div class="article-content"><p>近日，'
            f'{escape(self.county)}召开专题会议，部署近期重点工作。</p></div>\n</body>\n</html>\n')

    def index(self, unit: Unit) -> MockResponse:
        config = (f"    SID: '{unit.sid}',\n    TREE: {self._js_json(unit.tree)},\n"
                  f"    SERVICE_AREA_ID: 1,\n    NAME: {self._js_json(unit.name)}")
        return self.shell(f"政府信息公开_{unit.name}", config, {"ColumnName": "政府信息公开目录"})

    def title(self, unit: Unit, item: Item) -> str:
        return js_escape(item.flat_title) if unit.escape_titles else item.flat_title

    def article(self, unit: Unit, cat: Category, item: Item) -> dict[str, Any]:
        serial = item.docid % 100000
        data: dict[str, Any] = {
            "id": item.docid, "title": self.title(unit, item), "url": item.url,
            "post_url": self.post_path(unit, item),
            "identifier": f"{unit.orgcode}/{item.pub.year}-{serial:05d}", "document_number": "",
            "publisher": item.source, "keywords": "", "date": _ts(item.pub - timedelta(days=3)),
            "created_at": f"{item.pub:%Y-%m-%d %H:%M:%S}", "display_publish_time": _ts(item.pub),
            "abstract": "", "classify_main_name": cat.name, "classify_genre_name": "报告",
            "classify_theme_name": "综合政务", "is_expired": False, "is_abolished": False,
            "attachment": [], "relation": [],
        }
        for att in item.attachments:
            ext = att.name.rsplit(".", 1)[1]
            if ext == "pdf":  # the PDF is listed only in the JSON; the DOCX only linked in the content
                data["attachment"].append({"name": att.label, "url": att.url, "ext": ext})
        return data

    def api(self, unit: Unit, cat: Category, request: MockRequest) -> MockResponse:
        if request.arg("sid") != unit.sid:
            return MockResponse.json({"total": 0, "classify": {}, "articles": []})
        try:
            page = int(request.arg("page", "1"))
        except ValueError:
            page = 1
        arts = [self.article(unit, cat, i) for i in cat.items]
        if unit.all_on_page1:
            if page >= 2:
                return MockResponse.not_found()
            chunk = arts
        else:
            chunk = arts[(page - 1) * self.page_size : page * self.page_size]
        classify = {"id": cat.id, "name": cat.name, "post_count": len(arts)}
        return MockResponse.json({"total": len(arts), "classify": classify, "articles": chunk})

    def detail(self, unit: Unit, cat: Category, item: Item) -> MockResponse:
        content = item.body
        docx = [a for a in item.attachments if a.name.endswith(".docx")]
        if docx:
            content += f'<p>附件：<a href="{docx[0].url}">{escape(docx[0].label)}</a></p>'
        detail = {**self.article(unit, cat, item), "content": content}
        config = f"    SID: '{unit.sid}',\n    DETAIL: {self._js_json(detail)}"
        return self.shell(self.name, config, {"ColumnName": cat.name, "ColumnType": cat.name})

    def handle(self, request: MockRequest) -> MockResponse:
        path = request.path
        if (front := self.portal_page(path)) is not None:
            return front
        if path.startswith(f"/{self.site_id}/content/post_"):
            return self.news(path)
        if path in self._files:
            data, ctype = self._files[path]
            return MockResponse(200, data, ctype)
        if path in self._posts:
            return self.detail(*self._posts[path])
        for unit in self.units:
            if path in (f"{unit.prefix}/gkmlpt/index", f"{unit.prefix}/gkmlpt/index.html"):
                return self.index(unit)
            for cat in unit.categories:
                if path == f"{unit.prefix}/gkmlpt/api/all/{cat.id}":
                    return self.api(unit, cat, request)
            if path.startswith(f"{unit.prefix}/gkmlpt/api/all/"):
                return MockResponse.json({"total": 0, "classify": {}, "articles": []})
        return MockResponse.not_found()

    # ---- ground truth --------------------------------------------------------------
    def list_paths(self) -> set[str]:
        """Every list request the crawler must make (API pages, with their query strings)."""
        out = set()
        for unit in self.units:
            for cat in unit.categories:
                pages = 1 if unit.all_on_page1 else max(1, math.ceil(len(cat.items) / self.page_size))
                out |= {f"{unit.prefix}/gkmlpt/api/all/{cat.id}?page={p}&sid={unit.sid}" for p in range(1, pages + 1)}
        return out

    def manifest(self) -> list[dict[str, Any]]:
        return [item.manifest_row(self.site_id, cat.name) for unit in self.units for cat in unit.categories
                for item in cat.items]


def _newest_first(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: i.pub, reverse=True)


def jianghai() -> GkmlptSite:
    """江海区: district catalogue with nested 街道 categories and two department sub-sites."""
    s, J = "jhgk", "江海区"
    district = Category(1590, "政府信息公开年报", _newest_first([
        gen(s, f"{J}人民政府", 2019, "form2019", printed=J),
        gen(s, f"{J}人民政府", 2020, "form2019", variant="niandu", printed=J),
        gen(s, f"{J}人民政府", 2022, "form2021", variant="yearfirst", printed=J),
        gen(s, f"{J}人民政府", 2023, "form2021", printed=J),
        gen(s, f"{J}教育局", 2021, "form2021"),
        gen(s, f"{J}教育局", 2022, "form2021", variant="nogongzuo"),
        gen(s, f"{J}财政局", 2020, "form2019", "pdf"),
        gen(s, f"{J}发展和改革局", 2021, "form2021", "docx"),
        gen(s, f"{J}民政局", 2022, "form2021"),
        decoy(s, f"{J}2021年政务公开工作总结", datetime(2022, 1, 6, 9, 0), f"{J}人民政府办公室",
              SUMMARY.format(y=2021, c=J)),
        decoy(s, "关于做好2022年政府信息公开工作年度报告编制发布工作的通知", datetime(2022, 12, 16, 9, 30),
              f"{J}人民政府办公室", NOTICE.format(y=2022, n=2023)),
        decoy(s, f"{J}人民政府政府信息公开指南", datetime(2021, 3, 2, 9, 0), f"{J}人民政府办公室", GUIDE),
    ]))
    waihai = Category(1602, "政府信息公开年报", _newest_first([
        gen(s, f"{J}外海街道办事处", 2021, "form2021"), gen(s, f"{J}外海街道办事处", 2022, "form2021")]))
    lile = Category(1604, "年度报告", [gen(s, f"{J}礼乐街道办事处", 2021, "form2021", variant="niandu")])
    tree = [
        {"id": 1571, "name": "政府信息公开指南", "children": [], "jump_url": "", "post_count": 1},
        {"id": 1572, "name": "政府信息公开制度", "children": [], "jump_url": "", "post_count": 3},
        {"id": 1580, "name": "法定主动公开内容", "jump_url": "", "post_count": 40, "children": [
            {"id": 1581, "name": "机构职能", "children": [], "jump_url": "", "post_count": 12},
            {"id": 1582, "name": "政策文件", "children": [], "jump_url": "", "post_count": 28}]},
        {"id": 1590, "name": "政府信息公开年报", "children": [], "jump_url": "", "post_count": len(district.items)},
        {"id": 1600, "name": "镇（街道）", "jump_url": "", "post_count": 3, "children": [
            {"id": 1601, "name": "外海街道", "jump_url": "", "post_count": 2, "children": [
                {"id": 1602, "name": "政府信息公开年报", "children": [], "jump_url": "", "post_count": 2}]},
            {"id": 1603, "name": "礼乐街道", "jump_url": "", "post_count": 1, "children": [
                {"id": 1604, "name": "年度报告", "children": [], "jump_url": "", "post_count": 1}]}]},
        {"id": 1700, "name": "部门", "jump_url": "", "post_count": 0, "children": [
            {"id": 1701, "name": "区住房和城乡建设局", "children": [], "jump_url": "/jhqzjj/gkmlpt/index", "post_count": 0},
            {"id": 1702, "name": "区卫生健康局", "children": [], "jump_url": "/jhqwsj/gkmlpt/index", "post_count": 0},
            {"id": 1703, "name": "江门市政府门户网站", "children": [], "jump_url": "http://www.jiangmen.gov.cn/",
             "post_count": 0}]},
    ]
    zjj = Category(2002, "政府信息公开年度报告", _newest_first([
        gen(s, f"{J}住房和城乡建设局", 2021, "form2021"), gen(s, f"{J}住房和城乡建设局", 2022, "form2021", variant="niandu"),
        decoy(s, f"{J}住房和城乡建设局2022年政务公开工作总结", datetime(2023, 1, 9, 10, 0), f"{J}住房和城乡建设局",
              SUMMARY.format(y=2022, c=f"{J}住房和城乡建设局"))]))
    zjj_tree = [{"id": 2001, "name": "政府信息公开指南", "children": [], "jump_url": "", "post_count": 1},
                {"id": 2002, "name": "政府信息公开年度报告", "children": [], "jump_url": "", "post_count": len(zjj.items)}]
    wsj = Category(2102, "政府信息公开年报", _newest_first([
        gen(s, f"{J}卫生健康局", 2020, "form2019"), gen(s, f"{J}卫生健康局", 2021, "form2021")]))
    wsj_tree = [{"id": 2101, "name": "机构职能", "children": [], "jump_url": "", "post_count": 2},
                {"id": 2102, "name": "政府信息公开年报", "children": [], "jump_url": "", "post_count": len(wsj.items)}]
    units = [
        Unit("", "755126", "江门市江海区人民政府", "11440704007017325Y", tree, [district, waihai, lile]),
        Unit("/jhqzjj", "755201", "江门市江海区住房和城乡建设局", "11440704MB2C90451K", zjj_tree, [zjj]),
        Unit("/jhqwsj", "755202", "江门市江海区卫生健康局", "11440704MB2C90478B", wsj_tree, [wsj], escape_titles=True),
    ]
    return GkmlptSite("jhgk", "江门市江海区人民政府", "广东省", "江门市", J, "440704", "www.jianghai.gov.cn", units)


def duanzhou() -> GkmlptSite:
    """端州区 (肇庆): one catalogue whose API answers everything on page 1 and 404 for page >= 2."""
    s, D = "dzgk", "端州区"
    cat = Category(3310, "政府信息公开年报", _newest_first([
        gen(s, f"{D}人民政府", 2019, "form2019", printed=D),
        gen(s, f"{D}人民政府", 2020, "form2019", printed=D),
        gen(s, f"{D}人民政府", 2021, "form2021", printed=D),
        gen(s, f"{D}人民政府", 2022, "form2021", variant="yearfirst", printed=D),
        gen(s, f"{D}教育局", 2021, "form2021"),
        gen(s, f"{D}教育局", 2022, "form2021"),
        gen(s, f"{D}财政局", 2021, "form2021", variant="nogongzuo"),
        gen(s, f"{D}卫生健康局", 2022, "form2021"),
        gen(s, f"{D}城东街道办事处", 2021, "form2021"),
        gen(s, f"{D}黄岗街道办事处", 2022, "form2021", variant="niandu"),
        decoy(s, f"{D}2022年政务公开工作总结", datetime(2023, 1, 5, 9, 0), f"{D}人民政府办公室",
              SUMMARY.format(y=2022, c=D)),
        decoy(s, "关于做好2021年政府信息公开工作年度报告编制发布工作的通知", datetime(2021, 12, 14, 9, 0),
              f"{D}人民政府办公室", NOTICE.format(y=2021, n=2022)),
    ]))
    tree = [{"id": 3301, "name": "政府信息公开指南", "children": [], "jump_url": "", "post_count": 1},
            {"id": 3310, "name": "政府信息公开年报", "children": [], "jump_url": "", "post_count": len(cat.items)}]
    unit = Unit("", "200167", "肇庆市端州区人民政府", "11441202007157806E", tree, [cat], all_on_page1=True)
    return GkmlptSite("dzgk", "肇庆市端州区人民政府", "广东省", "肇庆市", D, "441202", "www.zqdz.gov.cn", [unit],
                      platform="gkmlpt", entry_path="/gkmlpt/index")
