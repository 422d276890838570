"""Mock county portals whose home page shows no CMS fingerprint, and portals on one CMS whose 信息公开 platform
runs another — what a new user meets with ``ogi crawl --url <home page>`` (issue 10).

- `TrsNestedSite` 利川市 (TRS behind a plain home page): 政务公开 -> 政府信息公开年报 with sub-columns
  县政府年报 (per year: 2023年度, 2022年度, 2021年度), 部门年报 (three list pages announced only by
  ``createPageHTML(3, 0, "index", "shtml")`` — no pager link in the HTML) and 乡镇年报 (one column per town;
  团堡镇's has a second page linked only by a plain 下一页: a TRS page paged the generic way).
- `HanwebPlatformSite` 婺源县: the 信息公开 platform is Hanweb jcms (``<datastore>`` lists, later records by
  ``POST dataproxy.jsp``, a 乡镇年报 sub-column); the home page is either plain (``home="plain"``) or a TRS
  portal (``home="trs"``: a news list of ``t20240105_N.html`` links and ``createPageHTML``) — the portal on one
  CMS, disclosure on another.
- `PlainHomeSite` puts a plain home page in front of any other mock site (Anhui, Shandong, gkmlpt, 开普云):
  its 政务公开 link is ``/zwgk/``, which redirects to the platform, so nothing on the home page names the family;
  with ``home="trs"`` the home page is a TRS portal's instead (`trs_portal_sites`: portal on TRS, 信息公开 platform
  on Anhui's, Shandong's, gkmlpt or 开普云).
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from demosites.catalog import SUMMARY, Item, decoy, gen
from demosites.generic_site import CTYPES, PageSite
from demosites.mock import MockRequest, MockResponse, MockSite


def e(s: object) -> str:
    return html.escape(str(s), quote=True)


def plain_page(site: MockSite, title: str, body: str, metas: dict[str, str] | None = None) -> str:
    """A county page with no CMS fingerprint: the government meta tags, a nav bar, the body."""
    tags = {"SiteName": site.name, "SiteIDCode": f"{site.adcode}0001", **(metas or {})}
    meta_html = "".join(f'<meta name="{k}" content="{e(v)}">\n' for k, v in tags.items())
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n{meta_html}</head>\n'
            f'<body>\n<div class="top">{e(site.name)}</div>\n<div class="nav"><a href="/">首页</a> '
            '<a href="/xwzx/">新闻中心</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>\n'
            f'<div class="main">\n{body}\n</div>\n<div class="foot">主办：{e(site.name)}办公室</div>\n</body>\n</html>\n')


def plain_home(site: MockSite) -> MockResponse:
    news = "".join(f'<li><a href="/xwzx/{n}/">{e(t)}</a><span>2024-01-0{n}</span></li>'
                   for n, t in ((3, f"{site.county}召开2024年安全生产工作会议"), (5, f"{site.county}开展冬季森林防火演练")))
    body = (f'<div class="banner">{e(site.county)}欢迎您</div>\n<div class="news"><h3>要闻动态</h3><ul>{news}</ul></div>\n'
            '<div class="links"><a href="/zwgk/">政府信息公开</a> <a href="/bsfw/">办事服务</a></div>')
    return MockResponse.html(plain_page(site, site.name, body))


def trs_home(site: MockSite) -> MockResponse:
    """A TRS WCM portal's home page (news as ``t20240105_N.html``, a createPageHTML pager) whose 政府信息公开
    link (``/zwgk/``) leads to a platform on another CMS."""
    news = "".join(f'<li><a href="./xwzx/202401/t2024010{n}_{7000 + n}.html">{e(t)}</a><span>2024-01-0{n}</span></li>'
                   for n, t in ((3, f"{site.county}召开2024年安全生产工作会议"), (5, f"{site.county}开展冬季森林防火演练")))
    body = (f'<div class="news"><h3>要闻动态</h3><ul>{news}</ul>\n'
            '<div class="page"><script>createPageHTML(5, 0, "index", "html");</script></div></div>\n'
            '<div class="links"><a href="/zwgk/">政府信息公开</a></div>')
    return MockResponse.html(plain_page(site, site.name, body))


class TrsNestedSite(PageSite):
    """利川市人民政府 (Hubei, 恩施州): TRS WCM columns behind a home page that shows no TRS marker."""

    site_id = "lcnm"
    name = "利川市人民政府"
    province = "湖北省"
    city = "恩施土家族苗族自治州"
    county = "利川市"
    adcode = "422802"
    platform = ""
    charset = "utf-8"
    header_charset = "utf-8"

    def __init__(self, site_id: str | None = None, platform: str | None = None) -> None:
        super().__init__()
        MockSite.__init__(self, site_id, platform)
        self.hide_column = False  # True: the home page's way in (/zwgk/) is gone; the column itself stays

    def route(self, request: MockRequest) -> MockResponse | None:
        if self.hide_column and request.path == "/zwgk/":
            return None
        return super().route(request)

    NAV = ('<div class="subnav"><a href="/zwgk/nb/xzf/index.shtml">县政府年报</a> '
           '<a href="/zwgk/nb/bm/index.shtml">部门年报</a> <a href="/zwgk/nb/xz/index.shtml">乡镇年报</a></div>')

    def column_page(self, path: str, name: str, items: list[Item], page: int = 0, pages: int = 1,
                    extra: str = "", pager: tuple[str | None, str | None] | None = None) -> None:
        """One TRS list page: items linked ``./YYYYMM/tYYYYMMDD_N.shtml``, the pager written by createPageHTML
        — or, with `pager` (previous, next), plain 上一页/下一页 links."""
        lis = "".join(f'<li><a href="./{i.pub:%Y%m}/t{i.pub:%Y%m%d}_{i.docid}.shtml" title="{e(i.flat_title)}">'
                      f'{e(i.flat_title)}</a><span>{i.pub:%Y-%m-%d}</span></li>' for i in items)
        if pager is None:
            nav = f'<script>createPageHTML({pages}, {page}, "index", "shtml");</script>'
        else:
            nav = " ".join(f'<a href="{href}">{label}</a>' for href, label in zip(pager, ("上一页", "下一页"), strict=True)
                           if href)
        body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; {e(name)}</div>\n'
                f"{self.NAV}\n{extra}\n<ul class=\"list\">{lis}</ul>\n<div class=\"page\">{nav}</div>")
        self.routes[path] = self.html(plain_page(self, f"{name}_{self.name}", body, {"ColumnName": name}))

    def detail(self, col_dir: str, item: Item, column: str) -> None:
        path = f"{col_dir}{item.pub:%Y%m}/t{item.pub:%Y%m%d}_{item.docid}.shtml"
        atts, paths = [], []
        for att in item.attachments:
            href = f"{col_dir}{item.pub:%Y%m}/{att.name}"
            self.routes[href] = MockResponse(200, att.data, CTYPES[att.name.rsplit(".", 1)[1]])
            atts.append(f'<p>附件：<a href="./{e(att.name)}">{e(att.label)}</a></p>')
            paths.append(href)
        metas = {"ColumnName": column, "ArticleTitle": item.flat_title, "PubDate": f"{item.pub:%Y-%m-%d %H:%M}",
                 "ContentSource": item.source}
        body = (f'<h1>{e(item.title).replace(chr(10), "<br>")}</h1>\n<div class="info">发布时间：{item.pub:%Y-%m-%d}　'
                f'来源：{e(item.source)}</div>\n<div class="article">{item.body}</div>\n{"".join(atts)}')
        self.routes[path] = self.html(plain_page(self, item.flat_title, body, metas))
        from demosites.generic_site import Published

        self.published.append(Published(item, path, column, paths))

    def start(self, base_url: str) -> None:
        MockSite.start(self, base_url)
        self.routes.clear()
        self.published.clear()
        c, s = "利川市", self.site_id
        self.routes["/"] = plain_home(self)
        self.routes["/index.shtml"] = self.routes["/"]
        zwgk = ('<ul><li><a href="/zwgk/zn/index.shtml">政府信息公开指南</a></li>'
                '<li><a href="/zwgk/nb/index.shtml">政府信息公开年报</a></li>'
                '<li><a href="/zwgk/fdzdgk/index.shtml">法定主动公开内容</a></li></ul>')
        self.routes["/zwgk/"] = self.html(plain_page(self, f"政务公开_{self.name}", zwgk, {"ColumnName": "政务公开"}))
        # 县政府年报: one column per year
        years = {2023: gen(s, f"{c}人民政府", 2023, "form2021"),
                 2022: gen(s, f"{c}人民政府", 2022, "form2021", kind="pdf"),
                 2021: gen(s, f"{c}人民政府", 2021, "form2021", variant="niandu")}
        per_year = "".join(f'<a href="/zwgk/nb/xzf/{y}/index.shtml">{y}年度</a> ' for y in years)
        for year, item in years.items():
            self.detail(f"/zwgk/nb/xzf/{year}/", item, "县政府年报")
            self.column_page(f"/zwgk/nb/xzf/{year}/index.shtml", f"{year}年度", [item])
        self.column_page("/zwgk/nb/xzf/index.shtml", "县政府年报", [], extra=f'<div class="years">{per_year}</div>')
        # the column itself: a list page with the sub-columns' links only
        self.column_page("/zwgk/nb/index.shtml", "政府信息公开年报", [])
        # 部门年报: three pages, the pager only in createPageHTML
        depts = [gen(s, f"{c}教育局", 2023, "form2021"), gen(s, f"{c}财政局", 2023, "form2021", kind="docx"),
                 gen(s, f"{c}卫生健康局", 2023, "form2021"), gen(s, f"{c}民政局", 2022, "form2021"),
                 decoy(s, f"{c}2022年政务公开工作总结", datetime(2023, 1, 6, 9, 0), f"{c}人民政府办公室",
                       SUMMARY.format(y=2022, c=c)),
                 gen(s, f"{c}交通运输局", 2022, "form2021", kind="pdf"), gen(s, f"{c}农业农村局", 2021, "form2021"),
                 gen(s, f"{c}自然资源和规划局", 2021, "form2021"), gen(s, f"{c}水利局", 2021, "form2021")]
        for item in depts:
            self.detail("/zwgk/nb/bm/", item, "部门年报")
        for page in range(3):
            name = "index.shtml" if page == 0 else f"index_{page}.shtml"
            self.column_page(f"/zwgk/nb/bm/{name}", "部门年报", depts[page * 3: page * 3 + 3], page, 3)
        # 乡镇年报: one column per town
        towns = [("tbz", "团堡镇", gen(s, f"{c}团堡镇人民政府", 2023, "form2021")),
                 ("dtjd", "都亭街道", gen(s, f"{c}都亭街道办事处", 2023, "form2021"))]
        unit_links = "".join(f'<a href="/zwgk/nb/xz/{slug}/index.shtml">{name}</a> ' for slug, name, _i in towns)
        for slug, name, item in towns:
            self.detail(f"/zwgk/nb/xz/{slug}/", item, "乡镇年报")
            self.column_page(f"/zwgk/nb/xz/{slug}/index.shtml", name, [item])
        # 团堡镇's column has a second page, linked by a plain 下一页 (no createPageHTML on this template)
        older = gen(s, f"{c}团堡镇人民政府", 2022, "form2021")
        self.detail("/zwgk/nb/xz/tbz/", older, "乡镇年报")
        self.column_page("/zwgk/nb/xz/tbz/index.shtml", "团堡镇", [towns[0][2]], pager=(None, "index_1.shtml"))
        self.column_page("/zwgk/nb/xz/tbz/index_1.shtml", "团堡镇", [older], pager=("index.shtml", None))
        self.column_page("/zwgk/nb/xz/index.shtml", "乡镇年报", [], extra=f'<div class="units">{unit_links}</div>')
        self.routes["/robots.txt"] = MockResponse(200, b"User-agent: *\nAllow: /\n", "text/plain")


class HanwebPlatformSite(MockSite):
    """婺源县人民政府 (Jiangxi, 上饶): a Hanweb jcms 信息公开 platform behind a plain or a TRS home page."""

    site_id = "wynm"
    name = "婺源县人民政府"
    province = "江西省"
    city = "上饶市"
    county = "婺源县"
    adcode = "361130"
    platform = ""
    PER_PAGE = 3

    def __init__(self, site_id: str | None = None, platform: str | None = None, home: str = "plain") -> None:
        super().__init__(site_id, platform)
        self.home_style = home
        self.pages: dict[str, MockResponse] = {}
        self.records: dict[str, list[str]] = {}
        self.items: list[tuple[Item, str, str, list[str]]] = []  # item, column, path, attachment paths

    def home(self) -> MockResponse:
        return trs_home(self) if self.home_style == "trs" else plain_home(self)

    def column(self, col: str, name: str, items: list[Item], extra: str = "") -> None:
        unitid = f"1{col}"
        records = []
        for item in items:
            path = f"/art/{item.pub.year}/{item.pub.month}/{item.pub.day}/art_{col}_{item.docid}.html"
            atts = []
            for att in item.attachments:
                atts.append(f"/attach/0/{att.name}")
                self.pages[atts[-1]] = MockResponse(200, att.data, CTYPES[att.name.rsplit(".", 1)[1]])
            links = "".join(f'<p>附件：<a href="{a}">{e(att.label)}</a></p>' for a, att in zip(atts, item.attachments, strict=True))
            body = (f'<h1 class="title">{e(item.title).replace(chr(10), "<br/>")}</h1>\n<div class="wzy_info">发布日期：'
                    f'{item.pub:%Y-%m-%d}　信息来源：{e(item.source)}</div>\n<div id="zoom">{item.body}</div>\n{links}')
            metas = {"ColumnName": name, "ArticleTitle": item.flat_title, "PubDate": f"{item.pub:%Y-%m-%d %H:%M}",
                     "ContentSource": item.source}
            self.pages[path] = MockResponse.html(plain_page(self, item.flat_title, body, metas))
            self.items.append((item, name, path, atts))
            records.append(f"<li><a href='{path}' title='{e(item.flat_title)}' target='_blank'>{e(item.flat_title)}</a>"
                           f"<span>{item.pub:%Y-%m-%d}</span></li>")
        self.records[col] = records
        first = records[: 3 * self.PER_PAGE]
        ds = "".join(f"<record><![CDATA[\n{r}\n]]></record>\n" for r in first)
        param = (f"var param_{unitid}={{col:1,appid:1,webid:2,path:'/',columnid:{col},sourceContentType:1,"
                 f"unitid:'{unitid}',webname:'{self.name}',permissiontype:0}};")
        body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/col100/index.html">信息公开</a> &gt; '
                f'{e(name)}</div>\n{extra}\n<div id="{unitid}"><script type="text/xml"><datastore>\n<recordset>\n{ds}'
                f"</recordset>\n</datastore></script></div>\n<script>{param}</script>\n<script>$('#{unitid}').jpage("
                f"{{dataStore:dataStore,proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:{self.PER_PAGE},groupSize:3,"
                f"totalRecord:{len(records)},ajaxParam:param_{unitid}}});</script>")
        self.pages[f"/col/col{col}/index.html"] = MockResponse.html(plain_page(self, name, body, {"ColumnName": name}))

    def start(self, base_url: str) -> None:
        super().start(base_url)
        self.pages.clear()
        self.items.clear()
        c, s = self.county, self.site_id
        county = [gen(s, f"{c}人民政府", y, "form2021") for y in (2023, 2022, 2021)]
        depts = [gen(s, f"{c}{d}", y, "form2021", kind=k) for d, y, k in (
            ("教育体育局", 2023, "html"), ("财政局", 2023, "pdf"), ("民政局", 2023, "html"), ("卫生健康委员会", 2022, "html"),
            ("交通运输局", 2022, "html"), ("文化广电新闻出版旅游局", 2022, "docx"), ("农业农村局", 2021, "html"))]
        summary = decoy(s, f"{c}2023年政务公开工作总结", datetime(2024, 1, 8, 9, 0), f"{c}人民政府办公室",
                        SUMMARY.format(y=2023, c=c))
        self.column("101", "政府信息公开年报", county + depts[:5] + [summary] + depts[5:],
                    extra='<div class="sub"><a href="/col/col102/index.html">乡镇年报</a></div>')
        towns = ("紫阳镇", "江湾镇") if self.county == "婺源县" else ("泗洲镇", "香屯街道")
        self.column("102", "乡镇年报", [gen(s, f"{c}{towns[0]}人民政府", 2023, "form2021"),
                                      gen(s, f"{c}{towns[1]}{'办事处' if towns[1].endswith('街道') else '人民政府'}", 2022,
                                          "form2021")])
        platform = ('<div class="xxgk_nav"><ul><li><a href="/col/col99/index.html">政府信息公开指南</a></li>'
                    '<li><a href="/col/col101/index.html">政府信息公开年报</a></li></ul></div>')
        self.pages["/col/col100/index.html"] = MockResponse.html(
            plain_page(self, f"信息公开_{self.name}", platform, {"ColumnName": "信息公开"}))

    def handle(self, request: MockRequest) -> MockResponse:
        if (front := self.portal_page(request.path)) is not None:
            return front
        if request.path == "/zwgk/":
            return MockResponse.redirect("/col/col100/index.html")
        if request.path == "/module/web/jpage/dataproxy.jsp":
            records = self.records.get(request.arg("columnid"), [])
            start, end = int(request.arg("startrecord", "1") or 1), int(request.arg("endrecord", "0") or 0)
            body = "".join(f"<record><![CDATA[\n{r}\n]]></record>\n" for r in records[max(0, start - 1): end])
            xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>{len(records)}</totalrecord>\n'
                   f"<recordset>\n{body}</recordset>\n</datastore>\n")
            return MockResponse(200, xml.encode("utf-8"), "text/xml;charset=UTF-8")
        return self.pages.get(request.path) or MockResponse.not_found()

    def manifest(self) -> list[dict[str, Any]]:
        return [item.manifest_row(self.site_id, column, self.base_url + path, [self.base_url + a for a in atts])
                for item, column, path, atts in self.items]


class TrsPortalHanwebSite(HanwebPlatformSite):
    """德兴市人民政府: the same Hanweb 信息公开 platform behind a TRS portal home page (another county, so the two
    sites' reports never share an identity in one database)."""

    site_id = "dxtrs"
    name = "德兴市人民政府"
    county = "德兴市"
    adcode = "361181"

    def __init__(self, site_id: str | None = None, platform: str | None = None) -> None:
        super().__init__(site_id, platform, home="trs")


class PlainHomeSite(MockSite):
    """Another mock site behind a home page with no family marker (or, ``home="trs"``, a TRS portal's home page);
    ``/zwgk/`` redirects to ``way_in``."""

    def __init__(self, inner: MockSite, way_in: str, site_id: str, platform: str = "", home: str = "plain") -> None:
        super().__init__(site_id, platform)
        self.home_style = home
        self.inner = inner
        self.way_in = way_in
        for key in ("name", "province", "city", "county", "adcode"):
            setattr(self, key, getattr(inner, key))
        self.home_paths = ("/",) + tuple(p for p in inner.home_paths if p != "/")

    def start(self, base_url: str) -> None:
        super().start(base_url)
        self.inner.start(base_url)

    def home(self) -> MockResponse:
        return trs_home(self) if self.home_style == "trs" else plain_home(self)

    def handle(self, request: MockRequest) -> MockResponse:
        if request.path in self.home_paths:
            return self.home()
        if request.path == "/zwgk/":
            return MockResponse.redirect(self.way_in)
        return self.inner.handle(request)

    def manifest(self) -> list[dict[str, Any]]:
        return [{**row, "site_id": self.site_id} for row in self.inner.manifest()]


def trs_portal_sites() -> dict[str, MockSite]:
    """County portals on TRS whose 信息公开 platform is another family's (Anhui, Shandong, gkmlpt, 开普云)."""
    from demosites.anhui_site import AnhuiCountySite
    from demosites.gkmlpt_site import jianghai
    from demosites.kaipuyun_site import chenxi
    from demosites.shandong_site import ShandongCountySite

    anhui = AnhuiCountySite(site_id="ahtrs")
    kpy = chenxi()
    return {
        "anhui": PlainHomeSite(anhui, anhui.unit_url(anhui.units[0]), "ahtrs", home="trs"),
        "shandong": PlainHomeSite(ShandongCountySite("sdtrs"), "/gongkai/", "sdtrs", home="trs"),
        "gkmlpt": PlainHomeSite(jianghai(), "/gkmlpt/index", "jhtrs", home="trs"),
        "kaipuyun": PlainHomeSite(kpy, f"/{kpy.code}/c114950/zfxxgk.shtml", "kptrs", home="trs"),
    }


def plain_home_sites(platform: str = "") -> dict[str, MockSite]:
    """One mock portal per family, none of whose home pages names the family (the registry's `platform` is
    `platform`: "" to let the crawler find out, or the family's own name when `platform == "own"`)."""
    from demosites.anhui_site import AnhuiCountySite
    from demosites.gkmlpt_site import jianghai
    from demosites.kaipuyun_site import chenxi
    from demosites.shandong_site import ShandongCountySite

    def own(name: str) -> str:
        return name if platform == "own" else platform

    anhui = AnhuiCountySite(site_id="ahnm")
    kpy = chenxi()
    return {
        "trs": TrsNestedSite("lcnm", own("trs")),
        "hanweb": HanwebPlatformSite("wynm", own("hanweb")),
        "anhui": PlainHomeSite(anhui, anhui.unit_url(anhui.units[0]), "ahnm", own("anhui")),
        "shandong": PlainHomeSite(ShandongCountySite("sdnm"), "/gongkai/", "sdnm", own("shandong")),
        "gkmlpt": PlainHomeSite(jianghai(), "/gkmlpt/index", "jhnm", own("gkmlpt")),
        "kaipuyun": PlainHomeSite(kpy, f"/{kpy.code}/c114950/zfxxgk.shtml", "kpnm", own("kaipuyun")),
    }


__all__ = ["HanwebPlatformSite", "PlainHomeSite", "TrsNestedSite", "TrsPortalHanwebSite", "plain_home", "plain_home_sites",
           "plain_page", "trs_home", "trs_portal_sites"]
