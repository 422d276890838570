"""霍山县 (341525) on the Anhui unified 政务公开 platform, as a per-request mock site (site-patterns §1.4, §8).

URL structure (``P`` = optional path prefix of a county on a city platform, ``L`` = label prefix):
- ``/`` home; its 信息公开 link leads to the county government's catalogue.
- ``P/public/column/{organId}?type=4&action=list&nav=3`` — one unit's catalogue: the unit's category tree
  (政府信息公开指南, 制度, 法定主动公开内容, 政府信息公开年报 …) and the list of every unit (县政府, 部门, 乡镇).
- ``P/public/column/{organId}?type=4&action=list&nav=3&catId={catId}`` — a category page: an empty list
  container, the label parameters in a script object and ``pageCount:N`` for the pager.
- ``L/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&siteId=…&pageSize=15&pageIndex=N&…
  &organId=…&catId=…&result=暂无相关信息&file=…`` — the list fragment. ``file=/xxgk/publicInfoList_newest2020``
  renders ``div.xxgk_navli > a + span.date``; ``file=/c2/hsxxgk/publicInfoList_newest_hs`` renders
  ``div.gk_list > ul > li > div > a.title``. Past the last page (or for unknown parameters) it answers the
  ``result`` text, 暂无相关信息.
- ``P/public/{organId}/{articleId}.html`` — a report page in seed 002's chrome (breadcrumb, 浏览次数 /
  发表时间 / 信息来源 / 字体 line); ``/group6/M00/…/<name>.pdf`` — FastDFS attachments.

Verified facts: the URL shapes above, organId 6597781 = 县住建局, the label parameters and both fragment
markups, ``pageCount:N``, ``<meta name="SiteId">``, the page chrome of seed 002. Invented: the other
organIds, catIds and the siteId, the script that carries the parameters, the catalogue page layout.

Content: 县政府's 年报 category gathers the county's and the towns' reports (18 entries, 2 pages of 15,
while its pager claims ``pageCount:5``; a 工作总结 and a 编制通知 decoy); 县住建局 (the gk_list template,
one attachment-only PDF report); 县教育局 and 衡山镇 with a few years each.
"""

from __future__ import annotations

import hashlib
import html
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from demosites.catalog import NOTICE, SUMMARY, Item, decoy, gen
from demosites.mock import MockRequest, MockResponse, MockSite

logger = logging.getLogger(__name__)

COUNTY = "霍山县"
SITE_ID = "6790951"  # the platform's siteId for the county (invented)
NAVLI_FILE = "/xxgk/publicInfoList_newest2020"
GKLIST_FILE = "/c2/hsxxgk/publicInfoList_newest_hs"
EMPTY = "暂无相关信息"
OTHER_CATEGORIES = [("政府信息公开指南", 1), ("政府信息公开制度", 2), ("法定主动公开内容", 3), ("依申请公开", 5)]


def e(s: object) -> str:
    return html.escape(str(s), quote=True)


@dataclass
class Unit:
    organ_id: str
    name: str  # 霍山县住房和城乡建设局
    short: str  # 霍山县住建局 (信息来源, breadcrumb)
    group: str  # 县政府 / 县直部门 / 乡镇
    cat_id: str  # the unit's 政府信息公开年报 category
    items: list[Item] = field(default_factory=list)
    template: str = NAVLI_FILE
    page_size: int = 15
    claimed_pages: int | None = None  # what the pager script says (None = the truth)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.items) / self.page_size))


def article_id(item: Item) -> str:
    return str(30000000 + int(hashlib.sha256(item.key.encode()).hexdigest()[:8], 16) % 9000000)


def fastdfs_path(key: str, ext: str) -> str:
    """A FastDFS-style storage path: /group6/M00/<2 hex>/<2 hex>/<base64-like name>.<ext>."""
    h = hashlib.sha256(key.encode()).hexdigest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    name = "".join(alphabet[int(h[i : i + 2], 16) % 62] for i in range(0, 56, 2))
    return f"/group6/M00/{h[:2].upper()}/{h[2:4].upper()}/{name}.{ext}"


def build_units(site: str = "ahhs") -> list[Unit]:
    """Every unit of the mock county with what it publishes, newest first."""
    H = COUNTY
    county = Unit("6596091", f"{H}人民政府", f"{H}人民政府", "县政府", "6717001", [
        gen(site, f"{H}人民政府", 2019, "form2019", printed=H),
        gen(site, f"{H}人民政府", 2020, "form2019", printed=H, variant="niandu"),
        gen(site, f"{H}人民政府", 2021, "form2021", printed=H),
        gen(site, f"{H}人民政府", 2022, "form2021", printed=H, variant="yearfirst"),
        gen(site, f"{H}人民政府", 2023, "form2021", printed=H),
        gen(site, f"{H}佛子岭镇人民政府", 2021, "form2021"),
        gen(site, f"{H}佛子岭镇人民政府", 2022, "form2021"),
        gen(site, f"{H}佛子岭镇人民政府", 2023, "form2021", variant="nogongzuo"),
        gen(site, f"{H}下符桥镇人民政府", 2021, "form2021"),
        gen(site, f"{H}下符桥镇人民政府", 2022, "form2021"),
        gen(site, f"{H}下符桥镇人民政府", 2023, "form2021"),
        gen(site, f"{H}但家庙镇人民政府", 2022, "form2021"),
        gen(site, f"{H}但家庙镇人民政府", 2023, "form2021"),
        gen(site, f"{H}与儿街镇人民政府", 2021, "form2021"),
        gen(site, f"{H}与儿街镇人民政府", 2022, "form2021", variant="niandu"),
        gen(site, f"{H}与儿街镇人民政府", 2023, "form2021"),
        decoy(site, f"{H}2022年政务公开工作总结", datetime(2023, 1, 9, 9, 0), f"{H}人民政府办公室",
              SUMMARY.format(y=2022, c=H)),
        decoy(site, "关于做好2023年政府信息公开工作年度报告编制发布工作的通知", datetime(2023, 12, 18, 9, 30),
              f"{H}人民政府办公室", NOTICE.format(y=2023, n=2024)),
    ], claimed_pages=5)
    zjj = Unit("6597781", f"{H}住房和城乡建设局", f"{H}住建局", "县直部门", "6718321", [
        gen(site, f"{H}住房和城乡建设局", 2020, "form2019"),
        gen(site, f"{H}住房和城乡建设局", 2021, "form2021"),
        gen(site, f"{H}住房和城乡建设局", 2022, "form2021"),
        gen(site, f"{H}住房和城乡建设局", 2023, "form2021", "pdf"),
    ], template=GKLIST_FILE)
    jyj = Unit("6597795", f"{H}教育局", f"{H}教育局", "县直部门", "6718405", [
        gen(site, f"{H}教育局", 2019, "form2019"),
        gen(site, f"{H}教育局", 2022, "form2021"),
        gen(site, f"{H}教育局", 2023, "form2021"),
    ])
    hsz = Unit("6598012", f"{H}衡山镇人民政府", f"{H}衡山镇", "乡镇", "6719120", [
        gen(site, f"{H}衡山镇人民政府", 2021, "form2021"),
        gen(site, f"{H}衡山镇人民政府", 2023, "form2021"),
    ])
    units = [county, zjj, jyj, hsz]
    for unit in units:
        unit.items.sort(key=lambda i: i.pub, reverse=True)
    return units


class AnhuiCountySite(MockSite):
    """霍山县's 政务公开 platform; `path_prefix`/`label_prefix` imitate a county inside a city platform."""

    name = "霍山县人民政府"
    province = "安徽省"
    city = "六安市"
    county = COUNTY
    adcode = "341525"
    platform = "anhui"
    domain = "www.ahhuoshan.gov.cn"

    def __init__(self, site_id: str = "ahhs", platform: str = "anhui", path_prefix: str = "",
                 label_prefix: str = "") -> None:
        super().__init__(site_id, platform)
        self.prefix = path_prefix
        self.label_path = f"{label_prefix}/site/label/8888"
        self.units = build_units(site_id)
        self.by_organ = {u.organ_id: u for u in self.units}
        self.articles: dict[str, tuple[Unit, Item]] = {}
        self.files: dict[str, bytes] = {}
        for unit in self.units:
            for item in unit.items:
                self.articles[f"{self.prefix}/public/{unit.organ_id}/{article_id(item)}.html"] = (unit, item)
                for att in item.attachments:
                    path = fastdfs_path(item.key + att.name, att.name.rsplit(".", 1)[1])
                    att.name = path  # the link the page prints
                    self.files[path] = att.data

    # ---- URLs ----------------------------------------------------------------------
    def unit_url(self, unit: Unit) -> str:
        return f"{self.prefix}/public/column/{unit.organ_id}?type=4&action=list&nav=3"

    def category_url(self, unit: Unit, cat_id: str) -> str:
        return f"{self.unit_url(unit)}&catId={cat_id}"

    def article_url(self, unit: Unit, item: Item) -> str:
        return f"{self.prefix}/public/{unit.organ_id}/{article_id(item)}.html"

    # ---- chrome --------------------------------------------------------------------
    def page(self, title: str, body: str, metas: dict[str, str]) -> str:
        tags = {"SiteName": self.name, "SiteDomain": self.domain, "SiteIDCode": f"{self.adcode}0001", "SiteId": SITE_ID,
                **metas}
        meta_html = "".join(f'<meta name="{k}" content="{e(v)}">\n' for k, v in tags.items())
        county_unit = self.units[0]
        return (
            f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n{meta_html}'
            '<link rel="stylesheet" href="/site/tpl/6311/css/style.css">\n</head>\n<body>\n'
            f'<div class="header"><div class="logo">{e(self.name)}</div>\n<div class="nav"><a href="/">首页</a> '
            '<a href="/site/tpl/6321">走进霍山</a> '
            f'<a href="{self.unit_url(county_unit)}">信息公开</a> <a href="/site/tpl/6331">政务服务</a> '
            '<a href="/site/tpl/6341">互动交流</a></div></div>\n'
            f'<div class="main">\n{body}\n</div>\n'
            f'<div class="footer">主办：{e(self.name)}办公室　网站标识码：{self.adcode}0001　'
            '<a href="http://beian.miit.gov.cn/">皖ICP备05001234号</a></div>\n</body>\n</html>\n'
        )

    def unit_nav(self) -> str:
        groups: dict[str, list[Unit]] = {}
        for unit in self.units:
            groups.setdefault(unit.group, []).append(unit)
        out = ['<div class="xxgk_unit_nav">']
        for group, units in groups.items():
            links = "".join(f'<li><a href="{e(self.unit_url(u))}" title="{e(u.name)}">{e(u.short)}</a></li>' for u in units)
            out.append(f"<h3>{e(group)}</h3><ul>{links}</ul>")
        out.append("</div>")
        return "\n".join(out)

    def tree(self, unit: Unit) -> str:
        cats = [(name, f"{unit.cat_id[:-1]}{n}") for name, n in OTHER_CATEGORIES]
        cats.insert(3, ("政府信息公开年报", unit.cat_id))
        lis = "".join(f'<li><a href="{e(self.category_url(unit, c))}">{e(name)}</a></li>' for name, c in cats)
        return f'<div class="xxgk_tree"><h3>{e(unit.short)}</h3><ul>{lis}</ul></div>'

    def crumb(self, unit: Unit, last: str = "") -> str:
        tail = f" &gt; {e(last)}" if last else ""
        return (f'<div class="wzy_position">您当前的位置:<a href="/">首页</a> &gt; '
                f'<a href="{e(self.unit_url(self.units[0]))}">信息公开</a> &gt; '
                f'<a href="{e(self.unit_url(unit))}">{e(unit.short)}</a>{tail}</div>')

    # ---- pages ---------------------------------------------------------------------
    def home(self) -> MockResponse:
        news = "".join(f'<li><a href="/site/tpl/6351?id={i}">{e(t)}</a></li>' for i, t in enumerate([
            f"{COUNTY}召开2023年安全生产工作会议", f"{COUNTY}开展汛期应急演练", f"{COUNTY}举办政务公开业务培训班"]))
        body = f'<div class="banner">政务公开 · 阳光政府</div>\n<div class="news"><h3>要闻动态</h3><ul>{news}</ul></div>'
        return MockResponse.html(self.page(self.name, body, {}))

    def unit_home(self, unit: Unit) -> str:
        body = (f"{self.crumb(unit)}\n<div class=\"xxgk_left\">{self.tree(unit)}\n{self.unit_nav()}</div>\n"
                f'<div class="xxgk_right"><h2>{e(unit.name)}信息公开</h2><p>机构名称：{e(unit.name)}</p></div>')
        return self.page(f"{unit.short}_信息公开", body, {"ColumnName": "信息公开", "ColumnType": "信息公开"})

    def category(self, unit: Unit, cat_id: str) -> str:
        name = "政府信息公开年报" if cat_id == unit.cat_id else "信息公开目录"
        pages = (unit.claimed_pages or unit.pages) if cat_id == unit.cat_id else 1
        params = {"labelName": "publicInfoList", "siteId": SITE_ID, "pageSize": str(unit.page_size), "action": "list",
                  "isDate": "true", "dateFormat": "yyyy-MM-dd", "length": "50", "organId": unit.organ_id, "type": "4",
                  "catId": cat_id, "cId": "", "result": EMPTY, "file": unit.template}
        obj = ", ".join(f'{k}:"{v}"' for k, v in params.items())
        script = (
            "<script type=\"text/javascript\">\n"
            f"var publicInfoParam = {{{obj}}};\n"
            "function getPublicInfo(pageIndex) {\n"
            f'  $.ajax({{url: "{self.label_path}", type: "GET", '
            'data: $.extend({IsAjax: 1, dataType: "html", _: Math.random(), pageIndex: pageIndex}, publicInfoParam),\n'
            '    success: function (html) { $("#public_info_list").html(html); }});\n}\n'
            "$(function () {\n  getPublicInfo(1);\n"
            f'  $("#page_public_info").pagination({{pageCount:{pages}, current:1, jump:true, coping:true, '
            "callback: function (api) { getPublicInfo(api.getCurrent()); }});\n});\n</script>"
        )
        body = (f"{self.crumb(unit, name)}\n<div class=\"xxgk_left\">{self.tree(unit)}\n{self.unit_nav()}</div>\n"
                f'<div class="xxgk_right"><div class="xxgk_lmcon"><h2>{e(name)}</h2>'
                '<div class="xxgk_lm_list" id="public_info_list"></div><div class="page" id="page_public_info"></div>'
                f"</div></div>\n{script}")
        return self.page(f"{name}_{unit.short}", body, {"ColumnName": name, "ColumnType": name,
                                                        "ColumnKeywords": f"{COUNTY}，{name}"})

    def fragment(self, request: MockRequest) -> str:
        result = request.arg("result") or EMPTY
        unit = self.by_organ.get(request.arg("organId"))
        ok = (request.arg("labelName") == "publicInfoList" and request.arg("IsAjax") == "1"
              and request.arg("siteId") == SITE_ID and unit is not None and request.arg("catId") == unit.cat_id)
        try:
            page, size = int(request.arg("pageIndex", "1")), int(request.arg("pageSize", "15"))
        except ValueError:
            ok = False
        if not ok or unit is None or page < 1 or size < 1:
            return f'<div class="xxgk_nav_con"><p class="no-data">{e(result)}</p></div>'
        chunk = unit.items[(page - 1) * size : page * size]
        if not chunk:
            return f'<div class="xxgk_nav_con"><p class="no-data">{e(result)}</p></div>'
        rows = []
        for item in chunk:
            url, title = self.article_url(unit, item), item.flat_title
            if request.arg("file") == GKLIST_FILE:
                rows.append(f'<li><div class="gk_title"><a class="title" href="{e(url)}" title="{e(title)}" '
                            f'target="_blank">{e(title)}</a></div><span class="date">{item.pub:%Y-%m-%d}</span></li>')
            else:
                rows.append(f'<div class="xxgk_navli"><a href="{e(url)}" title="{e(title)}" target="_blank">{e(title)}</a>'
                            f'<span class="date">{item.pub:%Y-%m-%d}</span></div>')
        if request.arg("file") == GKLIST_FILE:
            return '<div class="gk_list"><ul>\n' + "\n".join(rows) + "\n</ul></div>"
        return '<div class="xxgk_nav_con">\n' + "\n".join(rows) + "\n</div>"

    def article(self, unit: Unit, item: Item) -> str:
        serial = int(article_id(item)) % 100000
        table = (
            '<table class="xxgk_table" width="100%">\n'
            f'<tr><th>索引号：</th><td>{unit.organ_id}/{item.pub.year}-{serial:05d}</td><th>信息分类：</th><td>政府信息公开年报</td></tr>\n'
            f'<tr><th>发布机构：</th><td>{e(unit.name)}</td><th>生成日期：</th><td>{item.pub:%Y-%m-%d}</td></tr>\n'
            f'<tr><th>信息名称：</th><td colspan="3">{e(item.flat_title)}</td></tr>\n</table>'
        )
        atts = "".join(f'<p><a href="{e(a.name)}" target="_blank">{e(a.label)}</a></p>' for a in item.attachments)
        files = f'<div class="fjxz"><span>附件下载：</span>{atts}</div>' if atts else ""
        body = (
            f"{self.crumb(unit, '政府信息公开年报')}\n{table}\n"
            f'<h1 class="wzy_title">{e(item.title).replace(chr(10), "<br/>")}</h1>\n'
            f'<div class="wzy_info">浏览次数:<span id="hits"></span> 发表时间:{item.pub:%Y-%m-%d %H:%M}&emsp;'
            f'信息来源:{e(unit.short)}&emsp; 字体:[<a href="javascript:doZoom(16)">大</a> '
            '<a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>]</div>\n'
            f'<div class="wzy_content" id="zoom">\n{item.body}\n</div>\n{files}\n'
            '<div class="zczx"><h4>政策咨询</h4><p>如果您对该政策文件有疑问,可以拨打标题上方的电话咨询相关部门。</p></div>'
        )
        metas = {"ColumnName": "政府信息公开年报", "ColumnType": "政府信息公开年报", "ArticleTitle": item.flat_title,
                 "PubDate": f"{item.pub:%Y-%m-%d %H:%M}", "ContentSource": unit.short}
        return self.page(item.flat_title, body, metas)

    # ---- HTTP ----------------------------------------------------------------------
    def handle(self, request: MockRequest) -> MockResponse:
        path = request.path
        if (front := self.portal_page(path)) is not None:
            return front
        if path == self.label_path:
            return MockResponse.html(self.fragment(request))
        if path.startswith(f"{self.prefix}/public/column/"):
            unit = self.by_organ.get(path.rsplit("/", 1)[1])
            if unit is None:
                return MockResponse.not_found()
            cat_id = request.arg("catId")
            return MockResponse.html(self.category(unit, cat_id) if cat_id else self.unit_home(unit))
        if path in self.articles:
            return MockResponse.html(self.article(*self.articles[path]))
        if path in self.files:
            return MockResponse(200, self.files[path], "application/pdf")
        if path.startswith("/site/tpl/") and not path.endswith(".css"):  # news and other template pages
            return MockResponse.html(self.page(self.name, '<div class="article">本栏目信息</div>', {}))
        return MockResponse.not_found()

    def label_url(self, unit: Unit, page: int) -> str:
        """The label request the county's own script sends for a page of a unit's 年报 list."""
        params = {"IsAjax": "1", "dataType": "html", "labelName": "publicInfoList", "siteId": SITE_ID,
                  "pageSize": str(unit.page_size), "pageIndex": str(page), "action": "list", "isDate": "true",
                  "dateFormat": "yyyy-MM-dd", "length": "50", "organId": unit.organ_id, "type": "4",
                  "catId": unit.cat_id, "cId": "", "result": EMPTY, "file": unit.template}
        return f"{self.label_path}?{urlencode(params)}"

    def manifest(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for unit in self.units:
            for item in unit.items:
                row: dict[str, Any] = {"site_id": self.site_id, "title": item.flat_title, "column": unit.name,
                                       "detail_url": self.base_url + self.article_url(unit, item)}
                if item.decoy:
                    row["decoy"] = True
                else:
                    row.update(agency=item.agency, report_year=item.year, form=item.form, kind=item.kind,
                               published_at=f"{item.pub:%Y-%m-%d}", stats=dict(item.stats),
                               attachment_urls=[self.base_url + a.name for a in item.attachments])
                out.append(row)
        return out
