"""周村区 (370306) on the Shandong 政务公开 platform, and a Hanweb county with the annual-report module,
as per-request mock sites (site-patterns §8, §1.2, §1.6, §1.7).

`ShandongCountySite` (周村区) URL structure:
- ``/`` home; 政务公开 -> ``/gongkai/``, the county's disclosure page: county-level channels
  (``/gongkai/channel_<24hex>/``: 指南, 制度, 政府信息公开年报) and every unit's sub-site ``/gongkai/site_<unit>/``.
- ``/gongkai/channel_<nb>/`` — the county 年报 channel: 区政府 reports (9 nodes, 5 shown per page by script:
  ``totalCount/perSize/startPage/endPage/logicTotalPage``, nodes after the first page hidden) and a
  镇（街道） × years table linking ``/module/xxgk/xxgkAnnualReport.jsp?area=<credit code>&fbtime=<year>``.
- ``/gongkai/site_<unit>/`` — a unit's sub-site: its channel tree with 政府信息公开年报 at
  ``/gongkai/site_<unit>/channel_<root>_<nb>/`` (the list); documents at
  ``/gongkai/site_<unit>/channel_<nb>/doc_<24hex>.html`` with the 标题/索引号/文号/发文日期/发布机构 block.
- ``/module/xxgk/xxgkAnnualReport.jsp?area=…&fbtime=…`` — one town's report for one year, or "暂无年报".
- ``/gongkai/site_<unit>/attach/<24hex>.docx`` — the one attachment (path invented).

Verified vs invented: the path shapes, the metadata block, the 索引号 form, the client-side slicing variables
and the module URL are from site-patterns (V); the unit slugs follow the 张店区 pattern
(``site_zdqzfhcxjsj``); all ids, credit codes, the list markup, the script and the module page layout are
invented. Ids are ObjectId-like: 8 hex digits of the publication time, then 16 from a hash.

`HanwebAnnualSite` (邹城市 370883): ``/`` -> ``/col/col1520/index.html`` (信息公开) ->
``/col/col1528/index.html`` (政府信息公开年报: a units × years table of module links, no datastore) ->
``/module/xxgk/xxgkAnnualReport.jsp?area=…&fbtime=…``.
"""

from __future__ import annotations

import hashlib
import html
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from demosites.catalog import HALF_YEAR, PERF, SUMMARY, Item, decoy, gen, seed_001
from demosites.forms import rng_for
from demosites.mock import MockRequest, MockResponse, MockSite

logger = logging.getLogger(__name__)

MODULE = "/module/xxgk/xxgkAnnualReport.jsp"
CTYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def e(s: object) -> str:
    return html.escape(str(s), quote=True)


def object_id(key: str, when: datetime) -> str:
    """A MongoDB-style ObjectId: the time in 8 hex digits, then 16 hex digits from the key."""
    return f"{int(when.timestamp()):08x}" + hashlib.sha256(key.encode()).hexdigest()[:16]


def credit_code(adcode: str, name: str) -> str:
    """An 18-character 统一社会信用代码 of a 机关 (``11`` + division code + 9-character org code + check)."""
    rng = rng_for("credit", name)
    org = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice(_CREDIT_CHARS)
    return f"11{adcode}{org}{rng.choice(_CREDIT_CHARS)}"


@dataclass
class ModuleUnit:
    """A unit shown on a units × years page of the annual-report module."""

    name: str  # 周村区王村镇人民政府
    label: str  # 王村镇 (the row header)
    area: str  # credit code
    reports: dict[int, Item] = field(default_factory=dict)
    years: tuple[int, ...] = ()  # every year linked, with or without a report


def module_units(site: str, county: str, adcode: str, towns: list[tuple[str, str, tuple[int, ...], tuple[int, ...]]]
                 ) -> list[ModuleUnit]:
    """(label, full-name suffix, years linked, years with a report) per town."""
    out = []
    for label, suffix, years, with_report in towns:
        name = f"{county}{suffix}"
        unit = ModuleUnit(name, label, credit_code(adcode, name), years=years)
        for y in with_report:
            unit.reports[y] = gen(site, name, y, "form2021" if y >= 2021 else "form2019")
        out.append(unit)
    return out


def module_table(units: list[ModuleUnit], caption: str) -> str:
    years = sorted({y for u in units for y in u.years}, reverse=True)
    head = "".join(f"<th>{y}年</th>" for y in years)
    rows = []
    for u in units:
        cells = []
        for y in years:
            if y in u.years:
                href = f"{MODULE}?{urlencode({'area': u.area, 'fbtime': y})}"
                cells.append(f'<td><a href="{e(href)}" target="_blank">{y}年度</a></td>')
            else:
                cells.append("<td>—</td>")
        rows.append(f"<tr><td>{e(u.label)}</td>{''.join(cells)}</tr>")
    return (f'<div class="ndbg_table"><h3>{e(caption)}</h3><table class="xxgk_nb" width="100%">\n'
            f"<tr><th>单位</th>{head}</tr>\n" + "\n".join(rows) + "\n</table></div>")


def module_page(units: list[ModuleUnit], request: MockRequest) -> MockResponse:
    """The annual-report module: one unit's report for one year, or 暂无年报."""
    unit = next((u for u in units if u.area == request.arg("area")), None)
    try:
        year = int(request.arg("fbtime"))
    except ValueError:
        year = 0
    item = unit.reports.get(year) if unit else None
    head = ('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>政府信息公开年报</title>\n'
            '<link rel="stylesheet" href="/module/xxgk/css/xxgk.css">\n</head>\n<body>\n')
    if item is None:
        body = '<div class="annual_report"><p class="nodata" style="text-align:center">暂无年报</p></div>'
    else:
        body = (f'<div class="annual_report">\n<h1 style="text-align:center">{e(item.flat_title)}</h1>\n'
                f'<div class="bt_content" id="zoom">\n{item.body}\n</div>\n</div>')
    return MockResponse.html(f"{head}{body}\n</body>\n</html>\n")


def module_manifest(site_id: str, base_url: str, units: list[ModuleUnit]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for u in units:
        for y in u.years:
            url = f"{base_url}{MODULE}?{urlencode({'area': u.area, 'fbtime': y})}"
            item = u.reports.get(y)
            if item is None:
                out.append({"site_id": site_id, "title": f"{u.label}{y}年度（暂无年报）", "detail_url": url, "decoy": True})
            else:
                out.append({"site_id": site_id, "agency": item.agency, "report_year": y, "form": item.form,
                            "title": item.flat_title, "detail_url": url, "kind": item.kind, "attachment_urls": [],
                            "stats": dict(item.stats), "column": "年报模块"})
    return out


@dataclass
class Channel:
    """A 政府信息公开年报 channel: every node of it is in the HTML, the script shows `per_size` at a time."""

    slug: str  # site_<unit> ('' = county level)
    name: str  # unit name
    short: str
    area: str  # the unit's credit code (索引号 prefix)
    root: str  # 24-hex id of the unit's root channel
    nb: str  # 24-hex id of the 年报 channel
    items: list[Item] = field(default_factory=list)
    per_size: int = 10

    @property
    def list_path(self) -> str:
        if not self.slug:
            return f"/gongkai/channel_{self.nb}/"
        return f"/gongkai/{self.slug}/channel_{self.root}_{self.nb}/"

    def doc_path(self, item: Item) -> str:
        site = f"{self.slug}/" if self.slug else ""
        return f"/gongkai/{site}channel_{self.nb}/doc_{object_id(item.key, item.pub)}.html"


class ShandongCountySite(MockSite):
    """周村区's ``/gongkai/`` platform with three department sub-sites and the annual-report module."""

    name = "周村区人民政府"
    province = "山东省"
    city = "淄博市"
    county = "周村区"
    adcode = "370306"
    domain = "www.zhoucun.gov.cn"

    def __init__(self, site_id: str = "sdzc", platform: str = "shandong") -> None:
        super().__init__(site_id, platform)
        C, s = self.county, site_id
        t0 = datetime(2020, 11, 2, 9, 0)

        def chan(slug: str, name: str, short: str, items: list[Item], per_size: int = 10) -> Channel:
            items.sort(key=lambda i: i.pub, reverse=True)
            return Channel(slug, name, short, credit_code(self.adcode, name), object_id(f"{s}:{slug}:root", t0),
                           object_id(f"{s}:{slug}:nb", t0), items, per_size)

        self.county_channel = chan("", f"{C}人民政府", f"{C}人民政府", [
            gen(s, f"{C}人民政府", 2016, "legacy_table", printed=C),
            gen(s, f"{C}人民政府", 2018, "legacy_table", printed=C),
            gen(s, f"{C}人民政府", 2019, "form2019", printed=C),
            gen(s, f"{C}人民政府", 2020, "form2019", printed=C, variant="niandu"),
            gen(s, f"{C}人民政府", 2021, "form2021", printed=C),
            gen(s, f"{C}人民政府", 2022, "form2021", printed=C, variant="yearfirst"),
            gen(s, f"{C}人民政府", 2023, "form2021", printed=C),
            decoy(s, f"{C}2022年政务公开工作总结", datetime(2023, 1, 6, 9, 0), f"{C}人民政府办公室",
                  SUMMARY.format(y=2022, c=C)),
            decoy(s, "2023年上半年政府信息公开数据统计", datetime(2023, 7, 11, 9, 0), f"{C}人民政府办公室",
                  HALF_YEAR.format(y=2023, n=910, m=11)),
        ], per_size=5)
        zjj_seed = seed_001()  # the real 周村区住建局 2017 report (seed 001), on its real platform
        self.units = [
            chan("site_zcqzfhcxjsj", f"{C}住房和城乡建设局", f"{C}住建局", [
                zjj_seed,
                gen(s, f"{C}住房和城乡建设局", 2021, "form2021"),
                gen(s, f"{C}住房和城乡建设局", 2023, "form2021", variant="nogongzuo"),
            ]),
            chan("site_zcqjyj", f"{C}教育局", f"{C}教育局", [
                gen(s, f"{C}教育局", 2020, "form2019"),
                gen(s, f"{C}教育局", 2022, "form2021"),
                gen(s, f"{C}教育局", 2023, "form2021"),
                decoy(s, f"{C}教育局2022年度整体支出绩效评价报告", datetime(2023, 6, 20, 10, 0), f"{C}教育局",
                      PERF.format(a=f"{C}教育局", y=2022)),
            ]),
            chan("site_zcqwsjkj", f"{C}卫生健康局", f"{C}卫健局", [
                gen(s, f"{C}卫生健康局", 2021, "form2021"),
                gen(s, f"{C}卫生健康局", 2022, "form2021", "docx"),
                gen(s, f"{C}卫生健康局", 2023, "form2021"),
            ]),
        ]
        self.module_units = module_units(s, C, self.adcode, [
            ("王村镇", "王村镇人民政府", (2021, 2022, 2023), (2021, 2022, 2023)),
            ("南郊镇", "南郊镇人民政府", (2021, 2022, 2023), (2022, 2023)),
            ("萌水镇", "萌水镇人民政府", (2021, 2022, 2023), (2021, 2023)),
            ("丝绸路街道", "丝绸路街道办事处", (2022, 2023), (2022, 2023)),
        ])
        self.docs: dict[str, tuple[Channel, Item]] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        for ch in [self.county_channel, *self.units]:
            for item in ch.items:
                self.docs[ch.doc_path(item)] = (ch, item)
                for att in item.attachments:
                    ext = att.name.rsplit(".", 1)[1]
                    att.name = f"/gongkai/{ch.slug}/attach/{object_id(att.name, item.pub)}.{ext}"
                    self.files[att.name] = (att.data, CTYPES[ext])
        self.lists = {ch.list_path: ch for ch in [self.county_channel, *self.units]}
        self.homes = {f"/gongkai/{ch.slug}/": ch for ch in self.units}
        notice_channel = object_id(f"{s}:tzgg", t0)
        self.notices = {  # the home page's 最新公开 block: the platform's documents, not reports
            f"/gongkai/channel_{notice_channel}/doc_{object_id(f'{s}:n:{i}', when)}.html": title
            for i, (title, when) in enumerate([
                (f"关于{C}2024年春季森林防火工作的通告", datetime(2024, 3, 4, 10, 0)),
                (f"{C}2024年重点民生实事项目公示", datetime(2024, 2, 26, 9, 0))])}

    # ---- chrome --------------------------------------------------------------------
    def page(self, title: str, body: str, metas: dict[str, str]) -> str:
        tags = {"SiteName": self.name, "SiteDomain": self.domain, "SiteIDCode": f"{self.adcode}0001", **metas}
        meta_html = "".join(f'<meta name="{k}" content="{e(v)}">\n' for k, v in tags.items())
        return (
            f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n{meta_html}'
            '<link rel="stylesheet" href="/gongkai/static/css/gk.css">\n</head>\n<body>\n'
            f'<div class="header"><div class="logo">{e(self.name)}</div>\n<div class="nav"><a href="/">首页</a> '
            '<a href="/gongkai/">政务公开</a> <a href="/hdjl/">互动交流</a></div></div>\n'
            f'<div class="main">\n{body}\n</div>\n<div class="footer">主办：{e(self.name)}办公室　'
            f'网站标识码：{self.adcode}0001</div>\n</body>\n</html>\n'
        )

    def channel_tree(self, ch: Channel) -> str:
        site = f"{ch.slug}/" if ch.slug else ""
        others = [("政府信息公开指南", "zn"), ("政府信息公开制度", "zd"), ("法定主动公开内容", "fd")]
        links = [f'<li><a href="/gongkai/{site}channel_{object_id(f"{ch.nb}:{k}", datetime(2020, 11, 2))}/">{e(n)}</a></li>'
                 for n, k in others]
        links.insert(2, f'<li><a href="{e(ch.list_path)}">政府信息公开年报</a></li>')
        return f'<div class="channel_tree"><h3>{e(ch.short)}</h3><ul>{"".join(links)}</ul></div>'

    def gongkai_home(self) -> str:
        units = "".join(f'<li><a href="/gongkai/{u.slug}/" title="{e(u.name)}">{e(u.short)}</a></li>' for u in self.units)
        body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务公开</div>\n{self.channel_tree(self.county_channel)}\n'
                f'<div class="bm_list"><h3>部门</h3><ul>{units}</ul></div>')
        return self.page("政务公开", body, {"ColumnName": "政务公开", "ColumnType": "政务公开"})

    def unit_home(self, ch: Channel) -> str:
        body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gongkai/">政务公开</a> &gt; {e(ch.short)}</div>\n'
                f'{self.channel_tree(ch)}\n<div class="unit_info"><h2>{e(ch.name)}</h2></div>')
        return self.page(f"{ch.short}_政务公开", body, {"ColumnName": "政务公开", "ColumnType": "政务公开"})

    def channel_page(self, ch: Channel) -> str:
        nodes = []
        for i, item in enumerate(ch.items):
            hidden = ' style="display:none"' if i >= ch.per_size else ""
            nodes.append(f'<li{hidden}><a href="{e(ch.doc_path(item))}" title="{e(item.flat_title)}" target="_blank">'
                         f'{e(item.flat_title)}</a><span class="date">{item.pub:%Y-%m-%d}</span></li>')
        total = len(ch.items)
        pages = max(1, -(-total // ch.per_size))
        script = (
            "<script type=\"text/javascript\">\n"
            f"var totalCount = {total}, perSize = {ch.per_size}, startPage = 1, endPage = {pages}, logicTotalPage = {pages};\n"
            "function showPage(p) {\n  var nodes = document.getElementById('doclist').getElementsByTagName('li');\n"
            "  for (var i = 0; i < nodes.length; i++) {\n"
            "    nodes[i].style.display = (i >= (p - 1) * perSize && i < p * perSize) ? '' : 'none';\n  }\n"
            "  renderPager('pager', p, logicTotalPage, showPage);\n}\nshowPage(startPage);\n</script>"
        )
        table = module_table(self.module_units, "镇（街道）政府信息公开工作年度报告") if not ch.slug else ""
        crumb_unit = f' &gt; <a href="/gongkai/{ch.slug}/">{e(ch.short)}</a>' if ch.slug else ""
        body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gongkai/">政务公开</a>{crumb_unit} &gt; '
                f'政府信息公开年报</div>\n{self.channel_tree(ch)}\n<div class="list_box"><h2>政府信息公开年报</h2>\n'
                f'<ul class="doc_list" id="doclist">\n' + "\n".join(nodes) + '\n</ul>\n<div class="pager" id="pager"></div>\n'
                f"</div>\n{table}\n{script}")
        return self.page(f"政府信息公开年报_{ch.short}", body, {"ColumnName": "政府信息公开年报", "ColumnType": "政府信息公开年报"})

    def doc_page(self, ch: Channel, item: Item) -> str:
        serial = int(hashlib.sha256(item.key.encode()).hexdigest()[:8], 16) % 9000000 + 1000000
        atts = "".join(f'<p>附件：<a href="{e(a.name)}" target="_blank">{e(a.label)}</a></p>' for a in item.attachments)
        body = (
            f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gongkai/">政务公开</a> &gt; '
            f'<a href="{e(ch.list_path)}">政府信息公开年报</a></div>\n'
            '<table class="gk_info" width="100%">\n'
            f'<tr><th>标题</th><td colspan="3">{e(item.flat_title)}</td></tr>\n'
            f'<tr><th>索引号</th><td>{ch.area}/{item.pub.year}-{serial}</td><th>文号</th><td></td></tr>\n'
            f'<tr><th>发文日期</th><td>{item.pub:%Y-%m-%d}</td><th>发布机构</th><td>{e(ch.name)}</td></tr>\n</table>\n'
            f'<div class="doc_title"><h1>{e(item.title).replace(chr(10), "<br/>")}</h1></div>\n'
            f'<div class="doc_content" id="zoom">\n{item.body}\n</div>\n{atts}'
        )
        metas = {"ColumnName": "政府信息公开年报", "ColumnType": "政府信息公开年报", "ArticleTitle": item.flat_title,
                 "PubDate": f"{item.pub:%Y-%m-%d %H:%M}", "ContentSource": ch.name}
        return self.page(item.flat_title, body, metas)

    def home(self) -> MockResponse:
        news = "".join(f'<li><a href="/news/{i}.html">{e(t)}</a></li>' for i, t in enumerate(
            [f"{self.county}召开2023年安全生产工作会议", f"{self.county}开展汛期应急演练"]))
        notices = "".join(f'<li><a href="{e(path)}" title="{e(title)}">{e(title)}</a></li>'
                          for path, title in self.notices.items())
        return MockResponse.html(self.page(self.name, f'<div class="news"><h3>要闻动态</h3><ul>{news}</ul></div>\n'
                                                      f'<div class="gk_new"><h3>最新公开</h3><ul>{notices}</ul></div>', {}))

    def notice_page(self, title: str) -> str:
        body = (f'<div class="doc_title"><h1>{e(title)}</h1></div>\n<div class="doc_content" id="zoom">'
                f'<p>{e(title)}，详见正文。</p></div>')
        return self.page(title, body, {"ColumnName": "通知公告", "ArticleTitle": title})

    # ---- HTTP ----------------------------------------------------------------------
    def handle(self, request: MockRequest) -> MockResponse:
        path = request.path
        if (front := self.portal_page(path)) is not None:
            return front
        if path == "/gongkai/":
            return MockResponse.html(self.gongkai_home())
        if path == MODULE:
            return module_page(self.module_units, request)
        if path in self.homes:
            return MockResponse.html(self.unit_home(self.homes[path]))
        if path in self.lists:
            return MockResponse.html(self.channel_page(self.lists[path]))
        if path in self.docs:
            return MockResponse.html(self.doc_page(*self.docs[path]))
        if path in self.notices:
            return MockResponse.html(self.notice_page(self.notices[path]))
        if path in self.files:
            data, ctype = self.files[path]
            return MockResponse(200, data, ctype)
        return MockResponse.not_found()

    def manifest(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for ch in [self.county_channel, *self.units]:
            for item in ch.items:
                row: dict[str, Any] = {"site_id": self.site_id, "title": item.flat_title, "column": ch.name,
                                       "detail_url": self.base_url + ch.doc_path(item)}
                if item.decoy:
                    row["decoy"] = True
                else:
                    row.update(agency=item.agency, report_year=item.year, form=item.form, kind=item.kind,
                               stats=dict(item.stats), attachment_urls=[self.base_url + a.name for a in item.attachments])
                out.append(row)
        return out + module_manifest(self.site_id, self.base_url, self.module_units)


class HanwebAnnualSite(MockSite):
    """邹城市: a Hanweb portal whose 政府信息公开年报 column is a units × years table of module links."""

    site_id = "hwzc"
    platform = "hanweb"
    name = "邹城市人民政府"
    province = "山东省"
    city = "济宁市"
    county = "邹城市"
    adcode = "370883"
    towns = [  # (label, name after the county, years linked, years with a report), as module_units() takes them
        ("唐村镇", "唐村镇人民政府", (2020, 2021, 2022), (2020, 2021, 2022)),
        ("太平镇", "太平镇人民政府", (2020, 2021, 2022), (2021, 2022)),
        ("钢山街道", "钢山街道办事处", (2021, 2022), (2021,)),
    ]

    @cached_property
    def module_units(self) -> list[ModuleUnit]:
        return module_units(self.site_id, self.county, self.adcode, self.towns)

    def page(self, title: str, body: str) -> str:
        return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n'
                f'<meta name="SiteName" content="{e(self.name)}">\n<meta name="SiteIDCode" content="{self.adcode}0001">\n'
                f'<meta name="ColumnName" content="{e(title)}">\n</head>\n<body>\n<div class="nav"><a href="/">首页</a> '
                '<a href="/col/col1520/index.html">信息公开</a></div>\n'
                f'<div class="main">\n{body}\n</div>\n<div class="footer">Produced By 大汉网络 大汉版通发布系统</div>\n</body>\n</html>\n')

    def handle(self, request: MockRequest) -> MockResponse:
        path = request.path
        if path == "/":
            return MockResponse.html(self.page(self.name, '<div class="banner">邹城市人民政府</div>'))
        if path in ("/col/col1520/index.html", "/col/col1520/"):
            body = ('<ul class="xxgk_menu"><li><a href="/col/col1521/index.html">政府信息公开指南</a></li>'
                    '<li><a href="/col/col1528/index.html">政府信息公开年报</a></li></ul>')
            return MockResponse.html(self.page("信息公开", body))
        if path in ("/col/col1528/index.html", "/col/col1528/"):
            return MockResponse.html(self.page("政府信息公开年报", module_table(self.module_units, "镇（街道）政府信息公开年报")))
        if path == MODULE:
            return module_page(self.module_units, request)
        return MockResponse.not_found()

    def manifest(self) -> list[dict[str, Any]]:
        return module_manifest(self.site_id, self.base_url, self.module_units)
