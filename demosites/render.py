"""Render a site spec into the pages a TRS or Hanweb county portal serves.

The result is a static route table (path -> Response) plus the data the two
dynamic Hanweb endpoints need (dataproxy.jsp, downfile.jsp). Markup follows
site-patterns §1.1/§1.2 (URLs, pagination, list items, body containers),
§2 (meta tags) and §3 (metadata block).
"""

from __future__ import annotations

import html
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime

from demosites.catalog import Column, Item, SiteSpec
from demosites.seeds import seed_002_parts

logger = logging.getLogger(__name__)

CTYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass
class Response:
    status: int
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    location: str | None = None


@dataclass
class HanwebColumn:
    colid: str
    unitid: str
    records: list[str]  # CDATA record markup, newest first


@dataclass
class RenderedSite:
    routes: dict[str, Response] = field(default_factory=dict)
    hanweb: dict[str, HanwebColumn] = field(default_factory=dict)  # columnid -> column
    downloads: dict[str, str] = field(default_factory=dict)  # downfile filename -> /attach path
    items: list[tuple[Item, str]] = field(default_factory=list)  # (item, column name)


def e(s: object) -> str:
    return html.escape(str(s), quote=True)


def short(title: str, n: int = 20) -> str:
    t = title.replace("\n", "")
    return t if len(t) <= n else t[:n] + "…"


class Renderer:
    """Builds every page of one site for one base URL."""

    def __init__(self, spec: SiteSpec, base: str) -> None:
        self.s = spec
        self.base = base.rstrip("/")
        self.out = RenderedSite()

    # ---- common chrome -------------------------------------------------------------
    def page(self, title: str, body: str, metas: dict[str, str]) -> bytes:
        s = self.s
        charset = "gb2312" if s.gbk else "utf-8"
        meta_head = (
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            if s.gbk
            else '<meta charset="utf-8">\n'
        )
        tags = {"SiteName": s.name, "SiteDomain": s.domain, "SiteIDCode": s.siteidcode, **metas}
        meta_html = "".join(f'<meta name="{k}" content="{e(v)}">\n' for k, v in tags.items())
        doc = (
            f"<!DOCTYPE html>\n<html>\n<head>\n{meta_head}<title>{e(title)}</title>\n{meta_html}"
            f'<link rel="stylesheet" href="/images/style.css">\n</head>\n<body>\n'
            f'<div class="header"><div class="logo">{e(s.name)}</div>\n{self.nav()}</div>\n'
            f'<div class="main">\n{body}\n</div>\n'
            f'<div class="footer">主办：{e(s.name)}办公室　网站标识码：{e(s.siteidcode)}　'
            f'<a href="http://beian.miit.gov.cn/">备案号</a></div>\n</body>\n</html>\n'
        )
        return doc.encode("gbk", errors="xmlcharrefreplace") if s.gbk else doc.encode("utf-8")

    def html_response(self, data: bytes) -> Response:
        # GBK site: no charset in the header, only in <meta http-equiv> (site-patterns §5)
        return Response(200, data, "text/html" if self.s.gbk else "text/html; charset=utf-8")

    def nav(self) -> str:
        return (
            '<div class="nav"><a href="/">首页</a> <a href="/xwzx/">新闻中心</a> '
            f'<a href="{self.disclosure_path()}">政府信息公开</a> '
            f'<a href="{self.guide_path()}">政府信息公开指南</a> <a href="/hdjl/">互动交流</a></div>'
        )

    def disclosure_path(self) -> str:
        if self.s.platform == "hanweb":
            return "/col/col1520/index.html"
        return f"/{self.s.disclosure_slug}/index.{self.s.ext}"

    def guide_path(self) -> str:
        if self.s.platform == "hanweb":
            return "/col/col1521/index.html"
        return f"/{self.s.disclosure_slug}/zfxxgkzn/index.{self.s.ext}"

    def add(self, path: str, resp: Response) -> None:
        self.out.routes[path] = resp
        if path.endswith(f"/index.{self.s.ext}") or path.endswith("/index.html"):
            self.out.routes[path.rsplit("/", 1)[0] + "/"] = resp

    # ---- whole site ----------------------------------------------------------------
    def render(self) -> RenderedSite:
        s = self.s
        if s.robots:
            self.out.routes["/robots.txt"] = Response(200, b"User-agent: *\nAllow: /\n", "text/plain")
        self.home()
        self.disclosure()
        self.guide()
        self.hdjl()
        if s.platform == "trs":
            self.trs_column(s.column, f"/{s.disclosure_slug}/{s.column.slug}/", [s.column.name])
        else:
            self.hanweb_column(s.column)
        return self.out

    def home(self) -> None:
        news = self.news_links()
        body = (
            '<div class="banner">政务公开 · 阳光政府</div>\n<div class="news"><h3>要闻动态</h3><ul>\n'
            + "".join(f'<li><a href="{u}" target="_blank">{e(t)}</a><span>{d}</span></li>\n' for t, u, d in news)
            + "</ul></div>\n"
            f'<div class="zwgk"><h3><a href="{self.disclosure_path()}">政府信息公开</a></h3></div>'
        )
        self.add("/index.html", self.html_response(self.page(self.s.name, body, {})))
        self.out.routes["/"] = self.out.routes["/index.html"]

    def news_links(self) -> list[tuple[str, str, str]]:
        """News items: linked from the home page only, each with a detail page."""
        out = []
        for i, title in enumerate(self.s.news):
            day = 3 + 5 * i
            if self.s.platform == "hanweb":
                path = f"/art/2023/9/{day}/art_1490_{88100 + i}.html"
            else:
                path = f"/xwzx/202309/t202309{day:02d}_{770100 + i}.{self.s.ext}"
            body = (f'<h1 class="title">{e(title)}</h1>\n<div class="TRS_Editor"><p>近日，{e(title)}。'
                    "会议强调，要坚持以人民为中心，扎实做好各项工作。</p></div>")
            metas = {"ColumnName": "要闻动态", "ColumnType": "要闻动态", "ArticleTitle": title,
                     "PubDate": f"2023-09-{day:02d} 09:00", "ContentSource": f"{self.s.county}融媒体中心"}
            self.add(path, self.html_response(self.page(title, body, metas)))
            out.append((title, path, f"2023-09-{day:02d}"))
        news_list = "".join(f'<li><a href="{u}">{e(t)}</a><span>{d}</span></li>' for t, u, d in out)
        self.add("/xwzx/index.html", self.html_response(self.page("新闻中心", f"<ul>{news_list}</ul>", {"ColumnName": "新闻中心", "ColumnType": "新闻中心"})))
        return out

    def hdjl(self) -> None:
        self.add("/hdjl/index.html", self.html_response(self.page("互动交流", "<p>县长信箱　在线访谈　征集调查</p>",
                                                                  {"ColumnName": "互动交流", "ColumnType": "互动交流"})))

    def disclosure(self) -> None:
        s = self.s
        if s.platform == "hanweb":
            annual = f"/col/col{s.column.slug}/index.html"
            system, fdzd = "/col/col1522/index.html", "/col/col1523/index.html"
        else:
            annual = f"/{s.disclosure_slug}/{s.column.slug}/index.{s.ext}"
            system = f"/{s.disclosure_slug}/zfxxgkzd/index.{s.ext}"
            fdzd = f"/{s.disclosure_slug}/fdzdgknr/index.{s.ext}"
        links = [("政府信息公开指南", self.guide_path()), ("政府信息公开制度", system), ("法定主动公开内容", fdzd),
                 (s.column.name, annual)]
        body = '<div class="xxgk-nav"><ul>\n' + "".join(f'<li><a href="{u}">{e(t)}</a></li>\n' for t, u in links) + "</ul></div>"
        metas = {"ColumnName": "政府信息公开", "ColumnDescription": f"{s.name}政府信息公开平台", "ColumnKeywords": f"{s.county}，信息公开",
                 "ColumnType": "政府信息公开"}
        self.add(self.disclosure_path(), self.html_response(self.page(f"政府信息公开_{s.name}", body, metas)))
        for name, path in (("政府信息公开制度", system), ("法定主动公开内容", fdzd)):
            self.add(path, self.html_response(self.page(name, '<ul class="list"></ul><p>暂无信息</p>',
                                                        {"ColumnName": name, "ColumnType": name})))

    def guide(self) -> None:
        """The 政府信息公开指南 page: linked next to the reports, not a report (decoy)."""
        s = self.s
        text = (f"为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。"
                f"一、主动公开：{s.name}主动公开的政府信息通过门户网站“政府信息公开”专栏发布。"
                "二、依申请公开：公民、法人或者其他组织可以通过当面、信函、网络等方式提出申请。"
                "三、年度报告：每年1月31日前公布上一年度政府信息公开工作年度报告。")
        body = f'<h1 class="title">政府信息公开指南</h1>\n<div id="zoom"><p>{e(text)}</p></div>'
        metas = {"ColumnName": "政府信息公开指南", "ColumnType": "政府信息公开指南", "ArticleTitle": "政府信息公开指南",
                 "PubDate": "2020-03-02 09:00", "ContentSource": f"{s.name}办公室"}
        self.add(self.guide_path(), self.html_response(self.page("政府信息公开指南", body, metas)))
        guide = Item(key=f"{s.site_id}:guide", title="政府信息公开指南", pub=datetime(2020, 3, 2, 9, 0),
                     source=s.name, body="", decoy=True)
        guide.url = self.base + self.guide_path()
        self.out.items.append((guide, "政府信息公开指南"))

    # ---- TRS -----------------------------------------------------------------------
    def list_metas(self, col: Column) -> dict[str, str]:
        return {"ColumnName": col.name, "ColumnDescription": f"{self.s.name}{col.name}栏目",
                "ColumnKeywords": f"{self.s.county}，{col.name}", "ColumnType": col.name}

    def trs_column(self, col: Column, dirpath: str, crumbs: list[str]) -> None:
        s = self.s
        ext = s.ext
        crumb = '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{}">政府信息公开</a> &gt; {}</div>'.format(
            self.disclosure_path(), " &gt; ".join(e(c) for c in crumbs))
        if col.subcolumns:
            links = "".join(f'<li><a href="./{sub.slug}/index.{ext}">{e(text)}</a></li>\n' for text, sub in col.subcolumns)
            body = f'{crumb}\n<div class="sub-columns"><ul>\n{links}</ul></div>'
            self.add(f"{dirpath}index.{ext}", self.html_response(self.page(col.name, body, self.list_metas(col))))
            for text, sub in col.subcolumns:
                self.trs_column(sub, f"{dirpath}{sub.slug}/", [*crumbs, text])
            return
        for item in col.items:
            self.trs_detail(item, col, dirpath, crumb)
        npages = max(1, math.ceil(len(col.items) / col.page_size))
        claimed = col.claimed_pages or npages
        for p in range(npages):
            chunk = col.items[p * col.page_size : (p + 1) * col.page_size]
            lis = []
            for item in chunk:
                href = item.url if s.absolute_links else "./" + item.url.split(dirpath, 1)[1]
                stray = "</TRS_DOCUMENT>" if item.key == s.broken_item else ""
                lis.append(f'<li><a href="{e(href)}" title="{e(item.title)}" target="_blank">{e(short(item.title))}{stray}</a>'
                           f"<span>{item.pub:%Y-%m-%d}</span></li>\n")
            body = (f'{crumb}\n<div class="list"><ul>\n{"".join(lis)}</ul></div>\n'
                    f'<div class="page"><script>createPageHTML({claimed}, {p}, "index", "{ext}")</script></div>')
            name = f"index.{ext}" if p == 0 else f"index_{p}.{ext}"
            self.add(f"{dirpath}{name}", self.html_response(self.page(col.name, body, self.list_metas(col))))

    def trs_detail(self, item: Item, col: Column, dirpath: str, crumb: str) -> None:
        s = self.s
        folder = f"{dirpath}{item.pub:%Y%m}/"
        path = f"{folder}t{item.pub:%Y%m%d}_{item.docid}.{s.ext}"
        item.url = self.base + path
        for att in item.attachments:
            att.url = self.base + folder + att.name
            ext = att.name.rsplit(".", 1)[1]
            self.out.routes[folder + att.name] = Response(200, att.data, CTYPES[ext])
        serial = item.docid % 100000
        meta_block = (
            '<table class="xxgk-info" width="100%">\n'
            f'<tr><td>索 引 号：</td><td>{s.orgcode}/{item.pub.year}-{serial:05d}</td><td>主题分类：</td><td>综合政务\\政务公开</td></tr>\n'
            f'<tr><td>发布机构：</td><td>{e(item.source)}</td><td>成文日期：</td><td>{item.pub:%Y-%m-%d}</td></tr>\n'
            f'<tr><td>标　　题：</td><td colspan="3">{e(item.flat_title)}</td></tr>\n'
            f'<tr><td>发文字号：</td><td></td><td>发布日期：</td><td>{item.pub:%Y-%m-%d}</td></tr>\n</table>'
        )
        h1 = e(item.title).replace("\n", "<br/>")
        atts = ""
        plain = [a for a in item.attachments if not a.js]
        scripted = [a for a in item.attachments if a.js]
        if plain:
            atts += '<div class="fj">附件：<br/>' + "".join(
                f'<p><a appendix="true" data-appendix="true" needdownload="true" href="./{a.name}" title="{e(a.label)}" '
                f'download="{e(a.label)}">{e(a.label)}</a></p>' for a in plain) + "</div>"
        if scripted:
            a = scripted[0]
            atts += (f"<script>\nvar att = '<a href=\"./{a.name}\">{e(a.label)}</a>';\n"
                     "if (att != '') {\n  document.write('附件：<br/><p>'+att+'</p>');\n}\n</script>")
        body = (f"{crumb}\n{meta_block}\n<h1 class=\"title\">{h1}</h1>\n"
                f'<div class="info">发布时间：{item.pub:%Y-%m-%d %H:%M}　来源：{e(item.source)}　'
                '字号：[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>]</div>\n'
                f'<div class="TRS_Editor"><div class="Custom_UnionStyle">\n{item.body}\n</div></div>\n{atts}')
        metas = {"ColumnName": col.name, "ColumnType": col.name, "ArticleTitle": item.flat_title,
                 "PubDate": f"{item.pub:%Y-%m-%d %H:%M}", "ContentSource": item.source, "Keywords": "", "Author": "",
                 "Url": item.url}
        self.add(path, self.html_response(self.page(item.flat_title, body, metas)))
        self.out.items.append((item, col.name))

    # ---- Hanweb --------------------------------------------------------------------
    def hanweb_column(self, col: Column) -> None:
        s = self.s
        records = []
        for item in col.items:
            self.hanweb_detail(item, col)
            path = item.url[len(self.base):]
            records.append(f"<li><a href='{path}' title='{e(item.title)}' target='_blank'>{e(short(item.title))}</a>"
                           f"<span>{item.pub:%Y-%m-%d}</span></li>")
        self.out.hanweb[col.slug] = HanwebColumn(col.slug, col.unitid, records)
        subs = ""
        for text, sub in col.subcolumns:  # per-unit columns, each a jpage list of its own
            self.hanweb_column(sub)
            subs += f'<li><a href="/col/col{sub.slug}/index.html">{e(text)}</a></li>'
        first = records[: 3 * col.page_size]
        ds = "".join(f"<record><![CDATA[\n{r}\n]]></record>\n" for r in first)
        nextgroup = (f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={s.webid}&path=/&columnid={col.slug}'
                     f'&unitid={col.unitid}&webname={s.name}&permissiontype=0"></a>')
        param = (f"var param_{col.unitid}={{col:1,appid:1,webid:{s.webid},path:'/',columnid:{col.slug},sourceContentType:1,"
                 f"unitid:'{col.unitid}',webname:'{s.name}',permissiontype:0}};")
        body = (
            f'<div class="crumb">您当前的位置：<a href="/">首页</a> &gt; <a href="{self.disclosure_path()}">信息公开</a> &gt; {e(col.name)}</div>\n'
            + (f'<ul class="subcol">{subs}</ul>\n' if subs else "")
            + f'<div class="list" id="{col.unitid}"><script type="text/xml"><datastore>\n'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{ds}</recordset>\n</datastore></script></div>\n"
            f"<script>{param}</script>\n"
            '<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>\n'
            f"<script>$(document).ready(function(){{ $('#{col.unitid}').jpage({{dataStore:dataStore,dataBefore:'<ul>',"
            f"dataAfter:'</ul>',proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:{col.page_size},groupSize:3,"
            f"totalRecord:{len(records)},barPosition:'bottom',ajaxParam:param_{col.unitid}}}); }});</script>"
        )
        self.add(f"/col/col{col.slug}/index.html", self.html_response(self.page(col.name, body, self.list_metas(col))))

    def hanweb_detail(self, item: Item, col: Column) -> None:
        s = self.s
        path = f"/art/{item.pub.year}/{item.pub.month}/{item.pub.day}/art_{col.slug}_{item.docid}.html"
        item.url = self.base + path
        links = []
        for att in item.attachments:
            att.url = f"{self.base}/module/download/downfile.jsp?classid=0&filename={att.name}"
            self.out.downloads[att.name] = f"/attach/0/{att.name}"
            self.out.routes[f"/attach/0/{att.name}"] = Response(200, att.data, CTYPES[att.name.rsplit(".", 1)[1]])
            links.append(f'<p>附件：<a href="/module/download/downfile.jsp?classid=0&amp;filename={att.name}" '
                         f'target="_blank">{e(att.label)}</a></p>')
        serial = item.docid % 100000
        meta_block = (
            '<table class="xxgk_table" width="100%">\n'
            f'<tr><td>索 引 号</td><td>{s.orgcode}/{item.pub.year}-{serial:05d}</td><td>分 类</td><td>政府信息公开年报 综合政务 报告</td></tr>\n'
            f'<tr><td>发布机构</td><td>{e(item.source)}</td><td>发文日期</td><td>{item.pub:%Y-%m-%d}</td></tr>\n'
            '<tr><td>文 号</td><td></td><td>有 效 性</td><td></td></tr>\n</table>'
        )
        if item.seed == "002_b2e2d1b32352d163.txt":
            parts = seed_002_parts()
            crumb = f'<div class="wzy_position">{e(parts["breadcrumb"])}</div>'
            info = (f'<div class="wzy_info">浏览次数:<span id="hits"></span> 发表时间:{item.pub:%Y-%m-%d %H:%M}&emsp;'
                    f'信息来源:{e(item.source)}&emsp; 字体:[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>]</div>')
            widgets = ('<div class="zczx"><h4>政策咨询</h4><p>如果您对该政策文件有疑问,可以拨打标题上方的电话咨询相关部门。</p></div>\n'
                       '<div class="ewm"><img src="/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div>')
        else:
            crumb = (f'<div class="wzy_position">您当前的位置:<a href="/">首页</a> &gt; <a href="{self.disclosure_path()}">信息公开</a>'
                     f" &gt; {e(col.name)}</div>")
            info = (f'<div class="wzy_info">发布日期：{item.pub:%Y-%m-%d}　信息来源：{e(item.source)}　'
                    '【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</div>')
            widgets = '<div class="ewm"><p>扫一扫在手机打开当前页</p></div>'
        h1 = e(item.title).replace("\n", "<br/>")
        body = (f"{crumb}\n{meta_block}\n<h1 class=\"title\">{h1}</h1>\n{info}\n"
                '<table width="100%"><tr><td class="bt_content">'
                '<div id="zoom"><!--<$[信息内容]>begin--><meta name="ContentStart">\n'
                f'{item.body}\n<meta name="ContentEnd"><!--<$[信息内容]>end--></div>'
                f"</td></tr></table>\n{''.join(links)}\n{widgets}")
        metas = {"ColumnName": col.name, "ColumnType": col.name, "ArticleTitle": item.flat_title,
                 "PubDate": f"{item.pub:%Y-%m-%d %H:%M}", "ContentSource": item.source}
        self.add(path, self.html_response(self.page(item.flat_title, body, metas)))
        self.out.items.append((item, col.name))


def dataproxy_xml(col: HanwebColumn, start: int, end: int) -> bytes:
    """A Hanweb jpage proxy answer: records start..end (1-based, inclusive)."""
    recs = col.records[max(0, start - 1) : max(0, end)]
    body = "".join(f"<record><![CDATA[\n{r}\n]]></record>\n" for r in recs)
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>{len(col.records)}</totalrecord>\n'
           f"<recordset>\n{body}</recordset>\n</datastore>\n")
    return xml.encode("utf-8")


def empty_dataproxy() -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>0</totalrecord>\n<recordset>\n</recordset>\n</datastore>\n'
