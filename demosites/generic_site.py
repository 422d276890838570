"""An ASP-era county site with no CMS family: what the generic family must read (site-patterns §1.6).

Imitates a Henan county portal of the classic ASP/ASPX kind: table-based layout, GB2312 pages, a home
page whose 政务公开 link leads to an 信息公开 page that links the 政府信息公开年报 column
``/class.asp?class=1150``; the column lists the county government's reports with a numbered pager
(``class.asp?class=1150&page=2``, 共2页, [1] [2], 下一页, 尾页) and has two sub-columns: 部门年报
``/list.asp?classid=1152`` (a pager with only 上一页/下一页) and 乡镇年报
``/index.aspx?lanmuid=76&sublanmuid=973``. Reports are ``show.asp?id=123`` pages, inline HTML or with
an attachment under ``/uploadfile/2021/0125/…pdf``. A calendar widget on the home page links
``/index.asp?date=2024-01-05`` for every day (an endless trap). Decoys: a 工作总结 and an 编制发布通知 in
the lists, the 指南 column in the navigation.

`PageSite` (a route table of pre-rendered pages) and `county_page` are shared with the obstacle mocks.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from demosites.catalog import NOTICE, SUMMARY, Item, decoy, gen
from demosites.mock import MockRequest, MockResponse, MockSite

logger = logging.getLogger(__name__)

CTYPES = {"pdf": "application/pdf", "doc": "application/msword",
          "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def e(s: object) -> str:
    return html.escape(str(s), quote=True)


def county_page(site: MockSite, title: str, body: str, *, metas: dict[str, str] | None = None,
                charset: str = "gb2312", nav: str = "") -> str:
    """One page of an old table-layout county site (text; the caller encodes it)."""
    tags = {"SiteName": site.name, "SiteIDCode": f"{site.adcode}0001", **(metas or {})}
    meta_html = "".join(f'<meta name="{k}" content="{e(v)}">\n' for k, v in tags.items())
    charset_meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n' if charset else ""
    nav = nav or ('<a href="/index.asp">首页</a> | <a href="/class.asp?class=1001">新闻中心</a> | '
                  '<a href="/zwgk.asp">政务公开</a> | <a href="/hdjl.asp">互动交流</a>')
    return (
        f"<html>\n<head>\n{charset_meta}<title>{e(title)}</title>\n{meta_html}"
        '<link href="/css/style.css" rel="stylesheet" type="text/css">\n</head>\n'
        '<body topmargin="0" leftmargin="0">\n'
        f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">\n'
        f'<tr><td height="120" background="/images/top.jpg"><font size="6">{e(site.name)}</font></td></tr>\n'
        f'<tr><td class="nav" height="32">{nav}</td></tr>\n</table>\n'
        f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">\n{body}\n</table>\n'
        '<table width="980" align="center"><tr><td align="center">'
        f'主办：{e(site.name)}办公室　豫ICP备05012345号　技术支持：某某网络</td></tr></table>\n</body>\n</html>\n'
    )


def detail_body(item: Item, crumb: str, attachments: list[tuple[str, str]]) -> str:
    """A show.asp article: title row, info line, body, attachment links."""
    atts = "".join(f'<p>附件：<a href="{e(href)}" target="_blank">{e(label)}</a></p>' for href, label in attachments)
    return (
        f'<tr><td class="weizhi">当前位置：<a href="/index.asp">首页</a> &gt; {crumb}</td></tr>\n'
        f'<tr><td align="center" class="title"><b>{e(item.title).replace(chr(10), "<br>")}</b></td></tr>\n'
        f'<tr><td align="center">发布时间：{item.pub:%Y-%m-%d}　来源：{e(item.source)}　点击数：{item.docid % 997}</td></tr>\n'
        f'<tr><td class="content">{item.body}\n{atts}</td></tr>'
    )


def list_rows(entries: list[tuple[str, str, datetime]]) -> str:
    """Table rows of a list: (href, title, date)."""
    return "".join(
        f'<tr><td width="20"><img src="/images/dot.gif"></td><td><a href="{e(h)}" target="_blank" title="{e(t)}">'
        f'{e(t)}</a></td><td width="90">{d:%Y-%m-%d}</td></tr>\n' for h, t, d in entries)


@dataclass
class Published:
    """One list entry of a mock site and what a crawler should make of it."""

    item: Item
    path: str  # show.asp?id=… (relative to the site root, with query)
    column: str
    attachment_paths: list[str] = field(default_factory=list)


class PageSite(MockSite):
    """A mock site served from a route table keyed by path with query string (as linked)."""

    charset = "gb2312"  # how pages are encoded
    header_charset: str | None = "gb2312"  # charset named in the Content-Type header (None: none)
    meta_charset: str | None = None  # charset named by <meta http-equiv> (None: same as charset, "": none)

    def __init__(self) -> None:
        self.routes: dict[str, MockResponse] = {}
        self.published: list[Published] = []
        self.hits: list[tuple[float, str]] = []  # (time, raw path) of every request

    def html(self, text: str, status: int = 200) -> MockResponse:
        ctype = f"text/html; charset={self.header_charset}" if self.header_charset else "text/html"
        return MockResponse(status, text.encode(self.charset, errors="xmlcharrefreplace"), ctype)

    def add_page(self, path: str, title: str, body: str, **kw: Any) -> None:
        charset = kw.pop("meta_charset", self.charset if self.meta_charset is None else self.meta_charset)
        self.routes[path] = self.html(county_page(self, title, body, charset=charset, **kw))

    def add_detail(self, path: str, item: Item, column: str, upload_dir: str = "/uploadfile") -> Published:
        atts, paths = [], []
        for att in item.attachments:
            ext = att.name.rsplit(".", 1)[1]
            href = f"{upload_dir}/{item.pub:%Y/%m%d}/{item.pub:%Y%m%d%H%M%S}{item.docid % 1000:03d}.{ext}"
            self.routes[href] = MockResponse(200, att.data, CTYPES[ext])
            atts.append((href, att.label))
            paths.append(href)
        metas = {"ArticleTitle": item.flat_title, "PubDate": f"{item.pub:%Y-%m-%d %H:%M}", "ContentSource": item.source}
        self.add_page(path, item.flat_title, detail_body(item, e(column), atts), metas=metas)
        pub = Published(item, path, column, paths)
        self.published.append(pub)
        return pub

    def handle(self, request: MockRequest) -> MockResponse:
        import time

        self.hits.append((time.monotonic(), request.raw_path))
        resp = self.route(request)
        return resp if resp is not None else MockResponse.not_found()

    def route(self, request: MockRequest) -> MockResponse | None:
        return self.routes.get(request.raw_path) or (self.routes.get(request.path) if not request.query else None)

    def manifest(self) -> list[dict[str, Any]]:
        return [p.item.manifest_row(self.site_id, p.column, f"{self.base_url}{p.path}",
                                    [self.base_url + a for a in p.attachment_paths]) for p in self.published]


def pager(base: str, page: int, pages: int, *, numbers: bool = True, sep: str = "&") -> str:
    """An ASP pager: 共N页 [1] [2] 下一页 尾页 (numbers) or only 上一页/下一页."""
    def href(n: int) -> str:
        return f"{base}{sep}page={n}"

    parts = [f"共{pages}页 第{page}页"] if numbers else []
    if page > 1:
        if numbers:
            parts.append(f'<a href="{href(1)}">首页</a>')
        parts.append(f'<a href="{href(page - 1)}">上一页</a>')
    if numbers:
        parts += [f"[{n}]" if n == page else f'<a href="{href(n)}">[{n}]</a>' for n in range(1, pages + 1)]
    if page < pages:
        parts.append(f'<a href="{href(page + 1)}">下一页</a>')
        if numbers:
            parts.append(f'<a href="{href(pages)}">尾页</a>')
    return '<tr><td align="center" class="pager">' + " ".join(parts) + "</td></tr>"


def calendar(year: int = 2024, month: int = 1) -> str:
    """The home page's date widget: a link per day, each a new URL (a crawler trap)."""
    days = " ".join(f'<a href="/index.asp?date={year}-{month:02d}-{d:02d}">{d}</a>' for d in range(1, 32))
    return (f'<table class="rili"><tr><td><a href="/index.asp?date={year}-{month - 1 or 12:02d}-01">上一月</a> '
            f'{year}年{month}月 <a href="/index.asp?date={year}-{month + 1:02d}-01">下一月</a></td></tr>'
            f"<tr><td>{days}</td></tr></table>")


class AspCountySite(PageSite):
    """西华县人民政府 (Henan, 周口): an ASP/ASPX site with query-string columns and pagers."""

    site_id = "xh"
    name = "西华县人民政府"
    province = "河南省"
    city = "周口市"
    county = "西华县"
    adcode = "411622"
    platform = ""  # nobody told the crawler; it must fall back to the generic family
    entry_path = "/"

    def start(self, base_url: str) -> None:
        super().start(base_url)
        self.routes.clear()
        self.published.clear()
        c = "西华县"
        col = "政府信息公开年报"
        ids = iter(range(120, 200))

        def show(item: Item, column: str) -> Published:
            return self.add_detail(f"/show.asp?id={next(ids)}", item, column)

        # the column itself: county government reports, two per page, numbered pager
        gov = [show(gen("xh", f"{c}人民政府", 2021, "form2021"), col),
               show(gen("xh", f"{c}人民政府", 2020, "form2019", variant="niandu"), col),
               show(gen("xh", f"{c}人民政府", 2019, "form2019"), col),
               show(decoy("xh", f"{c}2021年政务公开工作总结", datetime(2022, 1, 6, 9, 0), f"{c}人民政府办公室",
                          SUMMARY.format(y=2021, c=c)), col)]
        side = ('<tr><td class="left"><a href="/list.asp?classid=1152">部门年报</a><br>'
                '<a href="/index.aspx?lanmuid=76&amp;sublanmuid=973">乡镇年报</a></td></tr>')
        for page in (1, 2):
            rows = [(p.path.lstrip("/"), p.item.flat_title, p.item.pub) for p in gov[(page - 1) * 2: page * 2]]
            body = (f'<tr><td class="weizhi">当前位置：<a href="/index.asp">首页</a> &gt; 政务公开 &gt; {col}</td></tr>\n'
                    f"{side}\n<tr><td><table width=\"100%\">{list_rows(rows)}</table></td></tr>\n"
                    f"{pager('class.asp?class=1150', page, 2)}")
            path = "/class.asp?class=1150" + (f"&page={page}" if page > 1 else "")
            self.add_page(path, f"{col}_{self.name}", body)
        self.routes["/class.asp?class=1150&page=1"] = self.routes["/class.asp?class=1150"]

        # 部门年报: only 上一页/下一页
        dept = "部门年报"
        depts = [show(gen("xh", f"{c}教育局", 2021, "form2021"), dept),
                 show(gen("xh", f"{c}财政局", 2020, "form2019", kind="pdf"), dept),
                 show(gen("xh", f"{c}卫生健康局", 2022, "form2021", kind="docx"), dept),
                 show(decoy("xh", "关于做好2022年政府信息公开工作年度报告编制发布工作的通知", datetime(2022, 12, 12, 10, 0),
                            f"{c}人民政府办公室", NOTICE.format(y=2022, n=2023)), dept)]
        for page in (1, 2):
            rows = [(f"show.asp?id={p.path.split('=')[1]}", p.item.flat_title, p.item.pub)
                    for p in depts[(page - 1) * 2: page * 2]]
            body = (f'<tr><td class="weizhi">当前位置：首页 &gt; {col} &gt; {dept}</td></tr>\n'
                    f"<tr><td><table>{list_rows(rows)}</table></td></tr>\n"
                    f"{pager('list.asp?classid=1152', page, 2, numbers=False)}")
            self.add_page("/list.asp?classid=1152" + (f"&page={page}" if page > 1 else ""), f"{dept}_{self.name}", body)
        self.routes["/list.asp?classid=1152&page=1"] = self.routes["/list.asp?classid=1152"]

        # 乡镇年报: an ASPX page, one page
        town = "乡镇年报"
        towns = [show(gen("xh", f"{c}址坊镇人民政府", 2021, "form2021"), town),
                 show(gen("xh", f"{c}红花集镇人民政府", 2020, "form2019"), town)]
        rows = [(f"/show.asp?id={p.path.split('=')[1]}", p.item.flat_title, p.item.pub) for p in towns]
        self.add_page("/index.aspx?lanmuid=76&sublanmuid=973", f"{town}-{self.name}",
                      f'<tr><td class="weizhi">当前位置：首页 &gt; {town}</td></tr>\n<tr><td><table>{list_rows(rows)}'
                      "</table></td></tr>")

        # news (not reports, never fetched as such), home, 信息公开 page, guide
        news = [(f"show.asp?id={n}", t, datetime(2024, 1, 3 + n % 20))
                for n, t in ((11, f"{c}召开2024年安全生产工作会议"), (12, f"{c}开展冬季森林防火演练"))]
        for href, title, when in news:
            self.add_page("/" + href, title, f'<tr><td class="title">{e(title)}</td></tr><tr><td>{when:%Y-%m-%d}</td></tr>')
        home = (f'<tr><td><table width="100%"><tr><td width="70%"><b>要闻动态</b><table>{list_rows(news)}</table></td>'
                f'<td width="30%">{calendar()}</td></tr></table></td></tr>')
        self.add_page("/index.asp", self.name, home)
        self.routes["/"] = self.routes["/index.asp"]
        zwgk = ('<tr><td class="weizhi">当前位置：首页 &gt; 政务公开</td></tr>\n<tr><td>'
                '<a href="/class.asp?class=1140">政府信息公开指南</a><br>'
                '<a href="/class.asp?class=1141">政府信息公开制度</a><br>'
                f'<a href="/class.asp?class=1150">{col}</a><br>'
                '<a href="/class.asp?class=1160">法定主动公开内容</a></td></tr>')
        self.add_page("/zwgk.asp", f"政务公开_{self.name}", zwgk)
        self.add_page("/class.asp?class=1140", f"政府信息公开指南_{self.name}",
                      '<tr><td><a href="show.asp?id=900">西华县人民政府信息公开指南</a></td></tr>')
        self.routes["/robots.txt"] = MockResponse(200, b"User-agent: *\nDisallow: /admin/\n", "text/plain")

    def route(self, request: MockRequest) -> MockResponse | None:
        if request.path in ("/", "/index.asp") and "date" in request.query:
            return self.routes["/index.asp"]  # every date of the calendar answers
        return super().route(request)


__all__ = ["AspCountySite", "PageSite", "Published", "calendar", "county_page", "detail_body", "list_rows", "pager"]
