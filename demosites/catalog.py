"""What each demo county portal publishes: sites, columns, reports and decoys.

A compact spec (agency, year, form, format, title variant) drives a
deterministic generator; only the five seeds are special-cased. Nothing here
knows the port a site will run on — URLs are filled in by `render`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from demosites import binaries
from demosites.forms import blocks_html, make_numbers, report_blocks, rng_for, seed_001_html
from demosites.seeds import seed_002_parts

logger = logging.getLogger(__name__)


@dataclass
class Attachment:
    name: str  # file name as stored on the site (P0….pdf, <32hex>.pdf)
    label: str  # link text / download name
    data: bytes
    js: bool = False  # written by document.write instead of plain HTML
    url: str = ""  # absolute, set by the renderer


@dataclass
class Item:
    key: str
    title: str  # may contain "\n" (a line break inside the title)
    pub: datetime
    source: str  # 发布机构 / ContentSource
    body: str  # HTML of the article body
    agency: str | None = None  # normalized full name; None for decoys
    year: int | None = None
    form: str | None = None
    kind: str = "html"
    decoy: bool = False
    corrupt: bool = False
    stats: dict[str, int] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    seed: str | None = None
    url: str = ""  # absolute, set by the renderer

    @property
    def docid(self) -> int:
        return 400000 + int(hashlib.sha256(self.key.encode()).hexdigest()[:8], 16) % 500000

    @property
    def flat_title(self) -> str:
        return self.title.replace("\n", "")

    def manifest_row(self, site_id: str, column: str, detail_url: str | None = None,
                     attachment_urls: list[str] | None = None) -> dict[str, Any]:
        """This item as a row of a portal's manifest (its ground truth); the URLs default to the item's own."""
        url = self.url if detail_url is None else detail_url
        if self.decoy:
            return {"site_id": site_id, "title": self.flat_title, "detail_url": url, "decoy": True, "column": column}
        return {"site_id": site_id, "agency": self.agency, "report_year": self.year, "form": self.form,
                "title": self.flat_title, "published_at": f"{self.pub:%Y-%m-%d}", "detail_url": url,
                "attachment_urls": [a.url for a in self.attachments] if attachment_urls is None else attachment_urls,
                "kind": self.kind, "column": column, "seed": self.seed, "stats": dict(self.stats)}


@dataclass
class Column:
    name: str
    slug: str  # TRS: directory under the parent; Hanweb: column id
    items: list[Item] = field(default_factory=list)
    page_size: int = 4
    subcolumns: list[tuple[str, Column]] = field(default_factory=list)  # (link text, column)
    claimed_pages: int | None = None  # createPageHTML says this many (the 'bad' site lies)
    unitid: str = ""  # Hanweb jpage unit


@dataclass
class SiteFacts:
    """What a site registry row says of a site."""

    site_id: str
    name: str
    province: str
    city: str
    county: str
    adcode: str
    platform: str  # the family: "trs", "hanweb", … ("" = let the crawler detect it)


@dataclass
class SiteSpec(SiteFacts):
    domain: str
    column: Column
    siteidcode: str = ""
    ext: str = "html"
    absolute_links: bool = False
    robots: bool = True
    gbk: bool = False
    webid: int = 1
    orgcode: str = ""
    news: list[str] = field(default_factory=list)
    broken_item: str | None = None  # key of the list item that carries a stray </TRS_DOCUMENT>
    disclosure_slug: str = "zwgk"

    def __post_init__(self) -> None:
        if not self.siteidcode:
            self.siteidcode = f"{self.adcode}0001"


TITLE_VARIANTS = {
    "std": "{a}{y}年政府信息公开工作年度报告",
    "niandu": "{a}{y}年度政府信息公开工作年度报告",
    "yearfirst": "{y}年{a}政府信息公开工作年度报告",
    "nogongzuo": "{a}{y}年政府信息公开年度报告",
    "break": "{a}{y}年\n政府信息公开工作年度报告",
}


def _pub(agency: str, year: int, month: int | None = None, day: int | None = None) -> datetime:
    rng = rng_for("pub", agency, year)
    return datetime(year + 1, month or rng.choice([1, 1, 1, 2]), day or rng.randint(8, 27), rng.randint(8, 17), rng.choice([0, 15, 30, 46]))


def _sign(pub: datetime) -> str:
    d = pub.date().replace(day=max(1, pub.day - 3))
    return f"{d.year}年{d.month}月{d.day}日"


def _p0(item_key: str, pub: datetime, ext: str) -> str:
    digits = str(int(hashlib.sha256(item_key.encode()).hexdigest()[:14], 16))[-12:].rjust(12, "0")
    return f"P0{pub:%Y%m%d}{digits}.{ext}"


def _hex32(item_key: str) -> str:
    return hashlib.md5(item_key.encode()).hexdigest()


def gen(
    site: str,
    agency: str,
    year: int,
    form: str,
    kind: str = "html",
    *,
    variant: str = "std",
    printed: str | None = None,
    js: bool = False,
    hanweb_attach: bool = False,
    br_headers: bool = False,
    corrupt: bool = False,
) -> Item:
    """One generated report from its spec."""
    key = f"{site}:{agency}:{year}"
    title = TITLE_VARIANTS[variant].format(a=printed or agency, y=year)
    pub = _pub(agency, year)
    n = make_numbers(agency, year, form)
    blocks = report_blocks(agency, year, form, n, _sign(pub))
    item = Item(key=key, title=title, pub=pub, source=agency, body="", agency=agency, year=year, form=form, kind=kind)
    item.stats = n.core() if form in ("form2021", "form2019") else {
        "core.proactive_items": n.proactive_items,
        "core.requests_new": n.table3["new"][6],
    }
    if kind == "html":
        item.body = blocks_html(blocks, br_headers=br_headers)
        return item
    label = title.replace("\n", "")
    item.body = '<p style="text-indent:2em;">详见附件</p>'
    if corrupt:
        item.corrupt = True
        data = binaries.corrupt_pdf(key)
    elif kind == "pdf":
        data = _cached_pdf(key, agency, year, form, title)
    else:
        data = _cached_docx(key, agency, year, form, title)
    name = f"{_hex32(key)}.{kind}" if hanweb_attach else _p0(key, pub, kind)
    item.attachments.append(Attachment(name=name, label=f"{label}.{kind}", data=data, js=js))
    return item


@cache
def _cached_pdf(key: str, agency: str, year: int, form: str, title: str) -> bytes:
    n = make_numbers(agency, year, form)
    return binaries.report_pdf(report_blocks(agency, year, form, n, _sign(_pub(agency, year))), title)


@cache
def _cached_docx(key: str, agency: str, year: int, form: str, title: str) -> bytes:
    n = make_numbers(agency, year, form)
    return binaries.report_docx(report_blocks(agency, year, form, n, _sign(_pub(agency, year))), title)


def decoy(site: str, title: str, pub: datetime, source: str, text: str) -> Item:
    """A page that looks like a report in a list but is not one."""
    body = "".join(f'<p style="text-indent:2em;">{p}</p>' for p in text.split("\n"))
    return Item(key=f"{site}:decoy:{title}", title=title, pub=pub, source=source, body=body, decoy=True)


NOTICE = ("各镇（街道）、区直各部门：\n根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求，"
          "现就做好{y}年政府信息公开工作年度报告编制发布工作通知如下：\n一、各单位应于{n}年1月31日前向社会公布本机关年度报告。\n"
          "二、年度报告应严格按照《中华人民共和国政府信息公开工作年度报告格式》编制，数据应真实准确。")
SUMMARY = ("{y}年，{c}深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，围绕中心工作，"
           "扎实推进决策、执行、管理、服务、结果公开，现将全年政务公开工作总结如下。\n一、主要工作开展情况\n二、下一步工作打算")
HALF_YEAR = "{y}年上半年，共主动公开政府信息{n}条，收到政府信息公开申请{m}件，均已按期答复。"
PERF = "根据预算绩效管理有关规定，现将{a}{y}年度整体支出绩效评价情况报告如下：部门整体支出预算执行率98.6%，绩效目标基本实现。"


def _attached_seed(key: str, title: str, pub: datetime, source: str, agency: str, year: int, form: str, seed: str,
                   file_name: str, data: bytes, body: str = "详见附件") -> Item:
    """A seed published as an attachment (labelled with the title) under a one-line article."""
    kind = file_name.rsplit(".", 1)[1]
    return Item(key=key, title=title, pub=pub, source=source, body=f'<p style="text-indent:2em;">{body}</p>',
                agency=agency, year=year, form=form, kind=kind, seed=seed,
                attachments=[Attachment(name=file_name, label=f"{title}.{kind}", data=data)])


def seed_000() -> Item:
    return _attached_seed("dxh:seed000", "东西湖区住房和城乡建设局2019年政府信息公开工作年度报告", datetime(2020, 1, 14, 10, 30),
                          "东西湖区住房和城乡建设局", "东西湖区住房和城乡建设局", 2019, "narrative", "000_b2e877bf73f80718.txt",
                          "P020200114523871204861.pdf", binaries.seed_000_pdf())


def seed_004() -> Item:
    return _attached_seed("zz:seed004", "长子县住建局2019年度政务信息公开工作报告", datetime(2020, 1, 16, 9, 12),
                          "长子县住房和城乡建设局", "长子县住房和城乡建设局", 2019, "narrative", "004_23bd5336edb556c9.txt",
                          "P020200116391027364518.pdf", binaries.seed_004_pdf())


def seed_003() -> Item:
    return _attached_seed("jh:seed003", "江海区住房和城乡建设局2020年度政府信息公开工作年度报告", datetime(2021, 1, 22, 16, 5),
                          "江门市江海区住房和城乡建设局", "江海区住房和城乡建设局", 2020, "form2019", "003_cbc6ccbd10d2d8f2.txt",
                          "P020210122583017460923.docx", binaries.seed_003_docx(), body="见附件")


def seed_001() -> Item:
    return Item(
        key="zc:seed001", title="周村区住房和城乡建设局2017年度政府信息公开工作年度报告", pub=datetime(2018, 1, 25, 15, 20),
        source="周村区住房和城乡建设局", body=seed_001_html(), agency="周村区住房和城乡建设局", year=2017,
        form="legacy_table", kind="html", seed="001_765f60bd78de7148.txt",
    )


def seed_002() -> Item:
    parts = seed_002_parts()
    body = "\n".join(f"<p>{p}</p>" for p in parts["body"])  # type: ignore[union-attr]
    return Item(
        key="hs:seed002", title=str(parts["title"]), pub=datetime(2021, 1, 11, 10, 46), source="霍山县住建局",
        body=body, agency="霍山县住房和城乡建设局", year=2020, form="narrative", kind="html", seed="002_b2e2d1b32352d163.txt",
    )


def _news(county: str) -> list[str]:
    return [f"{county}召开2023年安全生产工作会议", f"{county}开展汛期应急演练", f"{county}举办政务公开业务培训班",
            f"{county}2023年秋季征兵工作启动"]


@cache
def build_sites(faults: bool = False) -> tuple[SiteSpec, ...]:
    """Every demo site with its content (built once per process)."""
    D = "东西湖区"
    dxh_qzf = Column("区政府年报", "qzf_1234", [
        gen("dxh", "东西湖区人民政府", 2020, "form2019", br_headers=True, printed="东西湖区"),
        gen("dxh", "东西湖区人民政府", 2021, "form2021", variant="yearfirst", printed="东西湖区"),
        decoy("dxh", "东西湖区2019年政务公开工作总结", datetime(2020, 1, 6, 9, 0), "东西湖区人民政府办公室",
              SUMMARY.format(y=2019, c="东西湖区")),
    ], page_size=4)
    dxh_bm = Column("部门年报", "bm_5678", [
        seed_000(),
        gen("dxh", f"{D}教育局", 2020, "form2019", br_headers=True),
        gen("dxh", f"{D}财政局", 2021, "form2021"),
        gen("dxh", f"{D}卫生健康局", 2022, "form2021", variant="niandu"),
        gen("dxh", f"{D}住房和城乡建设局", 2021, "form2021"),
        gen("dxh", f"{D}教育局", 2023, "form2021", variant="nogongzuo"),
        gen("dxh", f"{D}财政局", 2018, "legacy_table"),
        gen("dxh", f"{D}住房和城乡建设局", 2016, "narrative"),
        decoy("dxh", f"{D}财政局2018年度整体支出绩效评价报告", datetime(2019, 6, 20, 10, 0), f"{D}财政局",
              PERF.format(a=f"{D}财政局", y=2018)),
        decoy("dxh", "关于做好2021年政府信息公开工作年度报告编制发布工作的通知", datetime(2021, 12, 15, 9, 30),
              "东西湖区人民政府办公室", NOTICE.format(y=2021, n=2022)),
    ], page_size=4)
    dxh_jd = Column("街道年报", "jd_9012", [
        gen("dxh", f"{D}吴家山街道办事处", 2021, "form2021"),
        gen("dxh", f"{D}将军路街道办事处", 2020, "form2019", variant="nogongzuo"),
    ], page_size=4)
    dxh = SiteSpec(
        "dxh", "东西湖区人民政府", "湖北省", "武汉市", "东西湖区", "420112", "trs", "www.dxh.gov.cn",
        Column("政府信息公开年报", "zfxxgknb", subcolumns=[("区政府年报", dxh_qzf), ("部门年报", dxh_bm), ("街道年报", dxh_jd)]),
        orgcode="011180432", news=_news(D),
    )

    Z = "长子县"
    zz_years = [
        Column("2019年", "2019n", [seed_004(), gen("zz", f"{Z}人民政府", 2019, "form2019", printed=Z)]),
        Column("2020年", "2020n", [gen("zz", f"{Z}教育局", 2020, "form2019"), gen("zz", f"{Z}人民政府", 2020, "form2019", printed=Z)]),
        Column("2021年", "2021n", [
            gen("zz", f"{Z}财政局", 2021, "form2021", "docx", js=True),
            decoy("zz", "关于做好2021年政府信息公开工作年度报告编制发布工作的通知", datetime(2021, 12, 10, 15, 0),
                  "长子县人民政府办公室", NOTICE.format(y=2021, n=2022)),
        ]),
        Column("2022年", "2022n", [gen("zz", f"{Z}丹朱镇人民政府", 2022, "form2021", variant="niandu")]),
    ]
    zz = SiteSpec(
        "zz", "长子县人民政府", "山西省", "长治市", "长子县", "140428", "trs", "www.zhangzi.gov.cn",
        Column("政府信息公开年度报告", "zfxxgknb", subcolumns=[(c.name, c) for c in zz_years]),
        ext="shtml", orgcode="012281645", news=_news(Z), disclosure_slug="xxgk",
    )

    J = "江海区"
    jh = SiteSpec(
        "jh", "江海区人民政府", "广东省", "江门市", "江海区", "440704", "trs", "www.jianghai.gov.cn",
        Column("政府信息公开年报", "zfxxgknb", [
            seed_003(),
            gen("jh", f"{J}人民政府", 2021, "form2021", variant="break", printed=J),
            gen("jh", f"{J}礼乐街道办事处", 2020, "form2019"),
            gen("jh", f"{J}卫生健康局", 2016, "narrative", variant="nogongzuo"),
            gen("jh", f"{J}外海街道办事处", 2023, "form2021"),
            decoy("jh", "2022年上半年政府信息公开数据统计", datetime(2022, 7, 12, 9, 0), "江海区人民政府办公室",
                  HALF_YEAR.format(y=2022, n=1260, m=14)),
        ], page_size=4),
        siteidcode="政府网站标识码", absolute_links=True, orgcode="007017325", news=_news(J), broken_item="jh:seed003",
    )

    C = "周村区"
    zc_items = [
        seed_001(),
        gen("zc", f"{C}人民政府", 2015, "legacy_table", printed=C),
        gen("zc", f"{C}人民政府", 2018, "legacy_table", printed=C),
        gen("zc", f"{C}人民政府", 2019, "form2019", printed=C),
        gen("zc", f"{C}人民政府", 2020, "form2019", printed=C),
        gen("zc", f"{C}人民政府", 2021, "form2021", printed=C),
        gen("zc", f"{C}人民政府", 2022, "form2021", variant="yearfirst", printed=C),
        gen("zc", f"{C}教育局", 2021, "form2021"),
        gen("zc", f"{C}卫生健康局", 2022, "form2021", "pdf", hanweb_attach=True),
        gen("zc", f"{C}财政局", 2020, "form2019", variant="nogongzuo"),
        gen("zc", f"{C}丝绸路街道办事处", 2021, "form2021", variant="niandu"),
        gen("zc", f"{C}王村镇人民政府", 2022, "form2021"),
        decoy("zc", "周村区2020年政务公开工作总结", datetime(2021, 1, 5, 9, 0), "周村区人民政府办公室", SUMMARY.format(y=2020, c=C)),
        decoy("zc", "周村区财政局2019年度整体支出绩效评价报告", datetime(2020, 7, 2, 10, 0), "周村区财政局",
              PERF.format(a="周村区财政局", y=2019)),
        decoy("zc", "2021年上半年政府信息公开数据统计", datetime(2021, 7, 9, 9, 0), "周村区人民政府办公室",
              HALF_YEAR.format(y=2021, n=830, m=9)),
        decoy("zc", "关于做好2022年政府信息公开工作年度报告编制发布工作的通知", datetime(2022, 12, 20, 9, 0),
              "周村区人民政府办公室", NOTICE.format(y=2022, n=2023)),
    ]
    zc = SiteSpec(
        "zc", "周村区人民政府", "山东省", "淄博市", "周村区", "370306", "hanweb", "www.zhoucun.gov.cn",
        Column("政府信息公开年报", "1528", zc_items, page_size=4, unitid="4011"),
        robots=False, webid=12, orgcode="11370306004307321K", news=_news(C),
    )

    H = "霍山县"
    # 部门年报: 19 entries at 2 per page, so the page embeds 6 and the rest needs three dataproxy groups
    # (startrecord 7-12, 13-18, 19-19); the oldest report is only in the last one.
    hs_bm = Column("部门年报", "2094", [
        *(gen("hs", f"{H}{unit}", year, "form2021" if year >= 2021 else "form2019", variant=variant)
          for unit, variant in (("财政局", "std"), ("卫生健康局", "niandu"), ("民政局", "nogongzuo"), ("交通运输局", "std"))
          for year in (2019, 2020, 2021, 2022)),
        decoy("hs", "关于做好2022年政府信息公开工作年度报告编制发布工作的通知", datetime(2022, 12, 16, 9, 0),
              "霍山县人民政府办公室", NOTICE.format(y=2022, n=2023)),
        decoy("hs", f"{H}财政局2021年度整体支出绩效评价报告", datetime(2022, 6, 28, 10, 0), f"{H}财政局",
              PERF.format(a=f"{H}财政局", y=2021)),
        decoy("hs", "霍山县2021年上半年政府信息公开数据统计", datetime(2021, 7, 14, 9, 0), "霍山县人民政府办公室",
              HALF_YEAR.format(y=2021, n=1988, m=5)),
    ], page_size=2, unitid="5723")
    hs = SiteSpec(
        "hs", "霍山县人民政府", "安徽省", "六安市", "霍山县", "341525", "hanweb", "www.ahhuoshan.gov.cn",
        Column("政府信息公开年报", "2093", [
            seed_002(),
            gen("hs", f"{H}人民政府", 2021, "form2021", printed=H),
            gen("hs", f"{H}教育局", 2022, "form2021"),
            gen("hs", f"{H}衡山镇人民政府", 2019, "form2019"),
            decoy("hs", "霍山县2022年上半年政府信息公开数据统计", datetime(2022, 7, 15, 9, 0), "霍山县人民政府办公室",
                  HALF_YEAR.format(y=2022, n=2105, m=6)),
        ], page_size=4, unitid="5722", subcolumns=[("部门年报", hs_bm)]),
        gbk=True, webid=3, orgcode="11341525003094528X", news=_news(H),
    )
    sites = [dxh, zz, jh, zc, hs]
    if faults:
        B = "井陉县"
        bad = SiteSpec(
            "bad", "井陉县人民政府", "河北省", "石家庄市", "井陉县", "130121", "trs", "www.jingxing.gov.cn",
            Column("政府信息公开年度报告", "ndbg", [
                gen("bad", f"{B}人民政府", 2021, "form2021", printed=B),
                gen("bad", f"{B}教育局", 2021, "form2021", "pdf", corrupt=True),
                gen("bad", f"{B}财政局", 2020, "form2019"),
                decoy("bad", "井陉县2020年政务公开工作总结", datetime(2021, 1, 8, 9, 0), "井陉县人民政府办公室",
                      SUMMARY.format(y=2020, c=B)),
                gen("bad", f"{B}卫生健康局", 2022, "form2021"),
                gen("bad", f"{B}人民政府", 2022, "form2021", printed=B),
            ], page_size=4, claimed_pages=3),
            orgcode="000421563", news=_news(B), disclosure_slug="xxgk",
        )
        sites.append(bad)
    for s in sites:
        _sort(s.column)
    return tuple(sites)


def _sort(col: Column) -> None:
    """Lists run newest first, as on every real site."""
    col.items.sort(key=lambda i: i.pub, reverse=True)
    for _, sub in col.subcolumns:
        _sort(sub)
