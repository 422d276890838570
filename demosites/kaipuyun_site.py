"""Mock 开普云 (Ucap) intensive-platform county site (site-patterns §1.3, §2): 辰溪县, Hunan (怀化, 431223).

URL structure (site code ``cxx``; the real portal domain is not verified):
- ``/`` home (3 meta tags) with a news list inside ``<cmspro_documents>`` and a link 政府信息公开 →
  ``/cxx/c114950/zfxxgk.shtml`` (the disclosure page: 指南 detail link, 制度, 政府信息公开年报).
- ``/cxx/c114953/zfxxgk_gknrz.shtml``, ``_2.shtml``, ``_3.shtml``: the 政府信息公开年报 column, 4 items a page
  in ``<cmspro_documents><ul><li>``; ``div#page_div`` links only the neighbouring pages and the last one.
  Every page links two sibling sub-columns:
- ``/cxx/c114954/zfxxgk_gknrz.shtml`` 县直部门年报: no items in the HTML; its script posts
  ``{websiteId, channelId: [..], pageNum, pageSize: 4, title: ""}`` to ``/interface-cms/qryManuscriptByWebsiteId``
  (6 results → pageNum 1 and 2).
- ``/cxx/c114955/zfxxgk_gknrz.shtml`` 乡镇（街道）年报: one page, ``<cmspro_documents><li>`` without ``<ul>``.
- details ``/cxx/c{col}/YYYYMM/<32hex>.shtml`` with the 10 detail meta tags (SiteIDCode 4312230001), the
  索引号 table and ``div#UCAP-CONTENT``; attachments ``…/YYYYMM/<32hex>/files/<32hex>.{pdf,docx}``.
Decoys (工作总结, 编制发布通知, 政府信息公开指南) sit in the report lists.
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import datetime
from html import escape
from typing import Any

from demosites.catalog import NOTICE, SUMMARY, Item, decoy, gen
from demosites.mock import MockRequest, MockResponse, MockSite

logger = logging.getLogger(__name__)

CTYPES = {"pdf": "application/pdf",
          "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
INTERFACE = "/interface-cms/qryManuscriptByWebsiteId"
GUIDE = ("为进一步做好政府信息公开工作，根据《中华人民共和国政府信息公开条例》，结合实际编制本指南。\n"
         "一、主动公开：主动公开的政府信息通过县人民政府门户网站政府信息公开专栏发布。\n"
         "二、依申请公开：公民、法人或者其他组织可以通过当面、信函、网络等方式提出申请。")


def hex32(*parts: object) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()


class Channel:
    def __init__(self, cid: int, name: str, items: list[Item], *, page_size: int = 4, interface: bool = False,
                 bare_li: bool = False) -> None:
        self.cid, self.name, self.page_size, self.interface, self.bare_li = cid, name, page_size, interface, bare_li
        self.items = sorted(items, key=lambda i: i.pub, reverse=True)
        self.channel_id = hex32("channel", cid)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.items) / self.page_size))

    def page_name(self, n: int) -> str:
        return "zfxxgk_gknrz.shtml" if n == 1 else f"zfxxgk_gknrz_{n}.shtml"


class KaipuyunSite(MockSite):
    site_id = "cxkpy"
    name = "辰溪县人民政府"
    province = "湖南省"
    city = "怀化市"
    county = "辰溪县"
    adcode = "431223"
    platform = ""
    entry_path = "/"
    home_paths = ("/", "/index.shtml")
    code = "cxx"
    domain = "www.chenxi.gov.cn"

    def __init__(self) -> None:
        self.siteidcode = f"{self.adcode}0001"
        self.website_id = hex32("website", self.code)
        self.base_url = ""
        C = self.county
        s = self.site_id
        self.report = Channel(114953, "政府信息公开年报", [
            gen(s, f"{C}人民政府", 2019, "form2019", printed=C),
            gen(s, f"{C}人民政府", 2020, "form2019", variant="niandu", printed=C),
            gen(s, f"{C}人民政府", 2021, "form2021", printed=C),
            gen(s, f"{C}人民政府", 2022, "form2021", variant="yearfirst", printed=C),
            gen(s, f"{C}人民政府", 2023, "form2021", printed=C),
            gen(s, f"{C}发展和改革局", 2022, "form2021", "pdf"),
            gen(s, f"{C}统计局", 2021, "form2021", "docx"),
            decoy(s, f"{C}2022年政务公开工作总结", datetime(2023, 1, 4, 9, 0), f"{C}人民政府办公室",
                  SUMMARY.format(y=2022, c=C)),
            decoy(s, "关于做好2021年政府信息公开工作年度报告编制发布工作的通知", datetime(2021, 12, 13, 9, 0),
                  f"{C}人民政府办公室", NOTICE.format(y=2021, n=2022)),
            decoy(s, f"{C}人民政府政府信息公开指南", datetime(2021, 3, 8, 9, 0), f"{C}人民政府办公室", GUIDE),
        ])
        self.departments = Channel(114954, "县直部门年报", [
            gen(s, f"{C}教育局", 2021, "form2021"),
            gen(s, f"{C}教育局", 2022, "form2021", variant="nogongzuo"),
            gen(s, f"{C}财政局", 2022, "form2021"),
            gen(s, f"{C}卫生健康局", 2021, "form2021"),
            gen(s, f"{C}卫生健康局", 2022, "form2021", variant="niandu"),
            gen(s, f"{C}住房和城乡建设局", 2022, "form2021"),
        ], interface=True)
        self.towns = Channel(114955, "乡镇（街道）年报", [
            gen(s, f"{C}辰阳镇人民政府", 2022, "form2021"),
            gen(s, f"{C}孝坪镇人民政府", 2021, "form2021"),
        ], page_size=10, bare_li=True)
        self.channels = [self.report, self.departments, self.towns]
        self.news = [f"{C}召开2023年安全生产工作会议", f"{C}开展政务公开业务培训"]
        self._routes: dict[str, tuple[Channel, Item]] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        for ch in self.channels:
            for item in ch.items:
                self._routes[self.detail_path(ch, item)] = (ch, item)
                for att in item.attachments:
                    ext = att.name.rsplit(".", 1)[1]
                    self._files[self.attachment_path(ch, item, ext)] = (att.data, CTYPES[ext])

    # ---- URLs ----------------------------------------------------------------------
    def column_path(self, ch: Channel, page: int = 1) -> str:
        return f"/{self.code}/c{ch.cid}/{ch.page_name(page)}"

    def detail_path(self, ch: Channel, item: Item) -> str:
        return f"/{self.code}/c{ch.cid}/{item.pub:%Y%m}/{hex32(item.key)}.shtml"

    def attachment_path(self, ch: Channel, item: Item, ext: str) -> str:
        return f"/{self.code}/c{ch.cid}/{item.pub:%Y%m}/{hex32(item.key)}/files/{hex32(item.key, ext)}.{ext}"

    def news_path(self, i: int) -> str:
        return f"/{self.code}/c114901/202309/{hex32('news', i)}.shtml"

    def start(self, base_url: str) -> None:
        super().start(base_url)
        for ch in self.channels:
            for item in ch.items:
                item.url = base_url + self.detail_path(ch, item)
                for att in item.attachments:
                    att.url = base_url + self.attachment_path(ch, item, att.name.rsplit(".", 1)[1])

    # ---- pages ---------------------------------------------------------------------
    def page(self, title: str, body: str, metas: dict[str, str]) -> MockResponse:
        tags = {"SiteName": self.name, "SiteDomain": self.domain, "SiteIDCode": self.siteidcode, **metas}
        meta_html = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in tags.items())
        return MockResponse.html(
            f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n{meta_html}'
            f'<link rel="stylesheet" href="/{self.code}/xhtml/css/common.css">\n</head>\n<body>\n'
            f'<div class="header"><div class="logo">{escape(self.name)}</div><div class="nav"><a href="/">首页</a> '
            f'<a href="/{self.code}/c114950/zfxxgk.shtml">政府信息公开</a> <a href="/{self.code}/c114960/hdjl.shtml">互动交流</a>'
            f'</div></div>\n<div class="main">\n{body}\n</div>\n'
            f'<div class="footer">主办：{escape(self.name)}办公室　网站标识码：{self.siteidcode}</div>\n</body>\n</html>\n')

    def list_metas(self, name: str) -> dict[str, str]:
        return {"ColumnName": name, "ColumnDescription": f"{self.name}{name}栏目", "ColumnKeywords": f"{self.county}，{name}",
                "ColumnType": name}

    def home(self) -> MockResponse:
        lis = "".join(f'<li><a href="{self.news_path(i)}" target="_blank">{escape(t)}</a><span>2023-09-{5 + i:02d}</span></li>'
                      for i, t in enumerate(self.news))
        body = (f'<div class="news"><h3>要闻动态</h3>\n<cmspro_documents><ul>{lis}</ul></cmspro_documents></div>\n'
                f'<div class="zwgk"><a href="/{self.code}/c114950/zfxxgk.shtml">政府信息公开</a></div>')
        return self.page(self.name, body, {})

    def news_page(self, i: int) -> MockResponse:
        title = self.news[i]
        metas = {**self.list_metas("要闻动态"), "ArticleTitle": title, "PubDate": f"2023-09-{5 + i:02d} 09:00",
                 "ContentSource": f"{self.county}融媒体中心"}
        return self.page(title, f'<h1>{escape(title)}</h1><div id="UCAP-CONTENT"><p>近日，{escape(title)}。</p></div>', metas)

    def disclosure(self) -> MockResponse:
        guide = next(i for i in self.report.items if i.decoy and "指南" in i.title)
        links = [("政府信息公开指南", self.detail_path(self.report, guide)),
                 ("政府信息公开制度", f"/{self.code}/c114952/zfxxgk_gknrz.shtml"),
                 ("政府信息公开年报", self.column_path(self.report))]
        body = '<div class="xxgk-nav"><ul>' + "".join(f'<li><a href="{u}">{escape(t)}</a></li>' for t, u in links) + "</ul></div>"
        return self.page(f"政府信息公开_{self.name}", body, self.list_metas("政府信息公开"))

    def sub_links(self) -> str:
        return ('<div class="sub-columns"><ul>' + "".join(
            f'<li><a href="{self.column_path(ch)}">{escape(ch.name)}</a></li>' for ch in (self.departments, self.towns))
            + "</ul></div>")

    def column(self, ch: Channel, page: int) -> MockResponse:
        if ch.interface:
            body = (f'<div class="list"><ul id="doc-list"></ul><div id="page_div"></div></div>\n'
                    f"<script>\nvar pageConfig = {{ websiteId: '{self.website_id}', channelId: '{ch.channel_id}', "
                    f"pageSize: {ch.page_size} }};\n"
                    f"$.ajax({{ url: '{INTERFACE}', type: 'POST', contentType: 'application/json',\n"
                    "  data: JSON.stringify({ websiteId: pageConfig.websiteId, channelId: [pageConfig.channelId], "
                    "pageNum: 1, pageSize: pageConfig.pageSize, title: '' }),\n"
                    "  success: function (res) { renderList(res.results); renderPager(res.total); } });\n</script>")
            return self.page(ch.name, body, self.list_metas(ch.name))
        chunk = ch.items[(page - 1) * ch.page_size : page * ch.page_size]
        lis = "".join(f'<li><a href="{self.detail_path(ch, i)}" title="{escape(i.flat_title)}" target="_blank">'
                      f"{escape(i.flat_title[:24])}</a><span>{i.pub:%Y-%m-%d}</span></li>\n" for i in chunk)
        docs = f"<cmspro_documents>\n{lis}</cmspro_documents>" if ch.bare_li else f"<cmspro_documents><ul>\n{lis}</ul></cmspro_documents>"
        pager = ""
        if ch.pages > 1:
            links = [("首页", 1)] + ([("上一页", page - 1)] if page > 1 else [])
            links += [(str(n), n) for n in (page - 1, page + 1) if 1 <= n <= ch.pages]
            links += ([("下一页", page + 1)] if page < ch.pages else []) + [("尾页", ch.pages)]
            pager = "".join(f'<a href="{ch.page_name(n)}">{t}</a> ' for t, n in links)
            pager += f"<span>共{len(ch.items)}条 第{page}/{ch.pages}页</span>"
        body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政府信息公开 &gt; {escape(ch.name)}</div>\n'
                f'{self.sub_links() if ch is self.report else ""}\n<div class="list">{docs}</div>\n<div id="page_div">{pager}</div>')
        return self.page(ch.name, body, self.list_metas(ch.name))

    def detail(self, ch: Channel, item: Item) -> MockResponse:
        serial = item.docid % 100000
        block = ('<table class="xxgk-info">\n'
                 f"<tr><td>索 引 号：</td><td>11431223006159203C/{item.pub.year}-{serial:05d}</td>"
                 "<td>主题分类：</td><td>综合政务\\政务公开</td></tr>\n"
                 f"<tr><td>发布机构：</td><td>{escape(item.source)}</td><td>成文日期：</td><td>{item.pub:%Y-%m-%d}</td></tr>\n"
                 f'<tr><td>标　　题：</td><td colspan="3">{escape(item.flat_title)}</td></tr>\n</table>')
        atts = "".join(f'<p><a href="{hex32(item.key)}/files/{hex32(item.key, a.name.rsplit(".", 1)[1])}.'
                       f'{a.name.rsplit(".", 1)[1]}">{escape(a.label)}</a></p>' for a in item.attachments)
        body = (f"{block}\n<h1>{escape(item.title).replace(chr(10), '<br/>')}</h1>\n"
                f'<div class="info">发布时间：{item.pub:%Y-%m-%d %H:%M}　来源：{escape(item.source)}</div>\n'
                f'<div id="UCAP-CONTENT">\n{item.body}\n</div>\n<div class="fj">{atts}</div>')
        metas = {**self.list_metas(ch.name), "ArticleTitle": item.flat_title, "PubDate": f"{item.pub:%Y-%m-%d %H:%M}",
                 "ContentSource": item.source}
        return self.page(item.flat_title, body, metas)

    def interface(self, request: MockRequest) -> MockResponse:
        if request.method != "POST":
            return MockResponse(405, b"Method Not Allowed", "text/plain")
        body = request.json() or {}
        channel_ids = body.get("channelId") if isinstance(body, dict) else None
        ch = next((c for c in self.channels if c.interface and isinstance(channel_ids, list) and c.channel_id in channel_ids),
                  None)
        if ch is None or body.get("websiteId") != self.website_id:
            return MockResponse.json({"Status": "fail", "message": "参数错误", "results": [], "total": 0})
        try:
            num, size = int(body.get("pageNum", 1)), int(body.get("pageSize", 10))
        except (TypeError, ValueError):
            return MockResponse.json({"Status": "fail", "message": "参数错误", "results": [], "total": 0})
        chunk = ch.items[(num - 1) * size : num * size] if num >= 1 and size >= 1 else []
        results = [{"manuscriptId": hex32(i.key), "title": i.flat_title, "url": self.detail_path(ch, i),
                    "publishedTime": f"{i.pub:%Y-%m-%d %H:%M:%S}", "channelId": ch.channel_id,
                    "channelName": ch.name, "source": i.source} for i in chunk]
        return MockResponse.json({"Status": "success", "results": results, "total": len(ch.items),
                                  "pageNum": num, "pageSize": size})

    def handle(self, request: MockRequest) -> MockResponse:
        path = request.path
        if (front := self.portal_page(path)) is not None:
            return front
        if path == INTERFACE:
            return self.interface(request)
        if path == f"/{self.code}/c114950/zfxxgk.shtml":
            return self.disclosure()
        if path in self._routes:
            return self.detail(*self._routes[path])
        if path in self._files:
            data, ctype = self._files[path]
            return MockResponse(200, data, ctype)
        for i in range(len(self.news)):
            if path == self.news_path(i):
                return self.news_page(i)
        for ch in self.channels:
            for n in range(1, (1 if ch.interface else ch.pages) + 1):
                if path == self.column_path(ch, n):
                    return self.column(ch, n)
        return MockResponse.not_found()

    # ---- ground truth --------------------------------------------------------------
    def list_requests(self) -> set[tuple[str, str]]:
        """(method, path) of every list page the crawler must read (the interface once per page)."""
        out = set()
        for ch in self.channels:
            out.add(("GET", self.column_path(ch)))
            if ch.interface:
                continue
            out |= {("GET", self.column_path(ch, n)) for n in range(2, ch.pages + 1)}
        return out

    def interface_pages(self) -> int:
        return sum(c.pages for c in self.channels if c.interface)

    def manifest(self) -> list[dict[str, Any]]:
        return [item.manifest_row(self.site_id, ch.name) for ch in self.channels for item in ch.items]


def chenxi() -> KaipuyunSite:
    return KaipuyunSite()
