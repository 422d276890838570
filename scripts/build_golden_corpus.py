"""Build the golden-file corpus in tests/golden/ (run once; the output is committed).

Why a generator: every expected value is written from the *spec* the document was
rendered from (agency, region, dates, every table number), never from what the
extractor happens to output, so the corpus measures the extractor instead of
mirroring it. Output is deterministic (seeded numbers, reportlab `invariant=1`,
fixed DOCX zip dates); only the DOC/WPS files come from LibreOffice and are kept
as committed when `soffice` is missing.

    .venv/bin/python scripts/build_golden_corpus.py            # (re)build everything
    .venv/bin/python scripts/build_golden_corpus.py --only h01  # some documents

Documents: HTML (rowspan/colspan tables, blank cells, &nbsp;, numbers split across
<span>, header labels over two lines, table 三 labels over lines, label-less junk
rows, page chrome), GBK HTML with the charset only in <meta>, PDFs with ruled
tables (a table 三 continuing on the next page, with and without a repeated
header), fake-bold headings, running headers and page numbers, a scanned PDF,
DOCX with merged cells, a DOC and a WPS, decoys, and the five seeds.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demosites.binaries import (  # noqa: E402
    FONT,
    _fixed_zip,
    _new_docx,
    _register_font,
    _table2_rows,
    add_span_table,
)
from demosites.forms import (  # noqa: E402
    APPLICANT_COLS,
    DENIED,
    FOUR_SUB,
    OTHER_2021,
    REJECTED,
    THREE_NOTE,
    UNAVAILABLE,
    Numbers,
    rng_for,
    table2_html,
    table4_rows,
)

logger = logging.getLogger(__name__)

GOLDEN = ROOT / "tests" / "golden"
DOCS = GOLDEN / "docs"
EXPECTED = GOLDEN / "expected"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"  # the five seed reports and their gold (seeds.json)
ADCODES = ROOT / ".venv/lib/python3.11/site-packages/cpca/resources/adcodes.csv"

COLS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
DENIED_KEYS = ["state_secret", "prohibited_by_law", "security_stability", "third_party", "internal_affairs",
               "process_info", "enforcement_file", "admin_query"]
UNAVAILABLE_KEYS = ["not_held", "needs_creation", "unclear"]
REJECTED_KEYS = ["petition", "duplicate", "publication", "excessive", "confirmation"]
OTHER_KEYS = ["no_correction", "unpaid_fee", "misc"]
FOUR_KEYS = ["upheld", "corrected", "other", "pending", "total"]


def canonical_row(key: str) -> str:
    """The generator's table-三 row key ('denied_1') -> the codebook's ('denied_state_secret')."""
    for prefix, names in (("denied", DENIED_KEYS), ("unavailable", UNAVAILABLE_KEYS),
                          ("rejected", REJECTED_KEYS), ("other", OTHER_KEYS)):
        if key.startswith(prefix + "_"):
            return f"{prefix}_{names[int(key.split('_')[1]) - 1]}"
    return key


# ---------------------------------------------------------------- agencies and regions


def load_regions() -> dict[str, dict[str, str]]:
    """adcode -> province/city/county from cpca's data (municipalities: city = the province)."""
    names: dict[str, str] = {}
    with ADCODES.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names[row["adcode"][:6]] = row["name"]
    out = {}
    for code, name in names.items():
        if code.endswith("00"):
            continue
        prov = names[code[:2] + "0000"]
        city = names.get(code[:4] + "00", prov)
        if city == "市辖区":
            city = prov
        out[code] = {"province": prov, "city": city, "county": name, "adcode": code}
    return out


REGIONS: dict[str, dict[str, str]] = {}


@dataclass
class Agency:
    name: str  # as the title prints it (and as `agency` expects it)
    department: str
    adcode: str
    site_name: str  # the portal's SiteName

    @property
    def region(self) -> dict[str, str]:
        r = REGIONS[self.adcode]
        assert self.name.startswith(r["county"]), (self.name, r)
        return dict(r)


AG = {
    "huoshan": Agency("霍山县人民政府", "人民政府", "341525", "霍山县人民政府"),
    "laifeng": Agency("来凤县人民政府", "人民政府", "422827", "来凤县人民政府"),
    "baokang_ny": Agency("保康县农业农村局", "农业农村局", "420626", "保康县人民政府"),
    "hebao": Agency("荣昌区河包镇人民政府", "镇人民政府", "500153", "重庆市荣昌区人民政府"),
    "erlang": Agency("九龙坡区二郎街道办事处", "街道办事处", "500107", "重庆市九龙坡区人民政府"),
    "daying_xc": Agency("大英县乡村振兴局", "乡村振兴局", "510923", "大英县人民政府"),
    "liangcheng": Agency("微山县两城镇人民政府", "镇人民政府", "370826", "微山县人民政府"),
    "jinan_gov": Agency("晋安区人民政府", "人民政府", "350111", "福州市晋安区人民政府"),
    "chunan_jy": Agency("淳安县教育局", "教育局", "330127", "淳安县人民政府"),
    "yiliang_sj": Agency("宜良县市场监督管理局", "市场监督管理局", "530125", "宜良县人民政府"),
    "liling_gov": Agency("醴陵市人民政府", "人民政府", "430281", "醴陵市人民政府"),
    "gaochun_wj": Agency("高淳区卫生健康委员会", "卫生健康委员会", "320118", "南京市高淳区人民政府"),
    "sunan_gov": Agency("肃南裕固族自治县人民政府", "人民政府", "620721", "肃南裕固族自治县人民政府"),
    "zhifang": Agency("江夏区纸坊街道办事处", "街道办事处", "420115", "武汉市江夏区人民政府"),
    "qingchuan_jt": Agency("青川县交通运输局", "交通运输局", "510822", "青川县人民政府"),
    "fengyang_gov": Agency("凤阳县人民政府", "人民政府", "341126", "凤阳县人民政府"),
    "linqu_zj": Agency("临朐县住房和城乡建设局", "住房和城乡建设局", "370724", "临朐县人民政府"),
    "yangchun_gov": Agency("阳春市人民政府", "人民政府", "441781", "阳春市人民政府"),
    "yangling_fg": Agency("杨陵区发展和改革局", "发展和改革局", "610403", "杨陵区人民政府"),
    "pingnan_gov": Agency("平南县人民政府", "人民政府", "450821", "平南县人民政府"),
    "zhangzi_gov": Agency("长子县人民政府", "人民政府", "140428", "长子县人民政府"),
}


# ---------------------------------------------------------------- numbers


def make_report_numbers(key: str, year: int, form: str, *, busy: bool) -> Numbers:
    """Balanced numbers (新收 + 结转 = 办理总计 + 结转下年度 per column) with many non-zero cells."""
    rng = rng_for("golden", key, year, form)
    n = Numbers(form=form, proactive_items=rng.randint(150, 1800) if busy else rng.randint(30, 400))
    if form == "form2021":
        made = rng.randint(0, 8)
        n.table2 = {
            "规章": ["0", "0", "0"],
            "行政规范性文件": [str(made), str(rng.randint(0, 3)), str(made + rng.randint(4, 60))],
            "行政许可": [str(rng.randint(10, 4000))],
            "行政处罚": [str(rng.randint(0, 500))],
            "行政强制": [str(rng.randint(0, 40))],
            "行政事业性收费": [f"{rng.randint(0, 99000) / 100:.2f}"],
        }
    else:
        prev, delta = rng.randint(10, 600), rng.randint(-20, 90)
        p2, p3, d3 = rng.randint(0, 40), rng.randint(0, 300), rng.randint(-5, 30)
        k = rng.randint(0, 6)
        n.table2 = {
            "规章": ["0", "0", "0"],
            "规范性文件": [str(k), str(k), str(k + rng.randint(3, 30))],
            "行政许可": [str(prev), f"{delta:+d}" if delta else "0", str(prev + delta)],
            "其他对外管理服务事项": [str(p2), "0", str(p2)],
            "行政处罚": [str(p3), f"{d3:+d}" if d3 else "0", str(p3 + d3)],
            "行政强制": ["0", "0", "0"],
            "行政事业性收费": [str(rng.randint(0, 8)), "0"],
            "政府集中采购": [str(rng.randint(1, 30)), f"{rng.randint(100, 90000) / 100:.2f}"],
        }
    keys = ["granted", "partial"] + [f"denied_{i}" for i in range(1, 9)]
    keys += [f"unavailable_{i}" for i in range(1, 4)] + [f"rejected_{i}" for i in range(1, 6)]
    keys += [f"other_{i}" for i in range(1, 4)] if form == "form2021" else ["other"]
    t: dict[str, list[int]] = {k: [0] * 7 for k in ["new", "carried_over", *keys, "handled_total", "carried_forward"]}
    weights = {k: 1 for k in keys}
    weights.update({"granted": 10, "partial": 4, "unavailable_1": 5, "rejected_2": 2, "denied_4": 2, "denied_6": 2,
                    "unavailable_3": 2, keys[-1]: 2})
    scales = [60, 12, 2, 3, 4, 5] if busy else [12, 4, 0, 1, 1, 2]
    for col, scale in enumerate(scales):
        new = rng.randint(1 if col == 0 else 0, scale)
        carried = rng.randint(0, 3) if scale >= 4 else 0
        fwd = rng.randint(0, min(3, new + carried)) if new + carried > 4 else 0
        handled = new + carried - fwd
        t["new"][col], t["carried_over"][col], t["carried_forward"][col] = new, carried, fwd
        t["handled_total"][col] = handled
        for _ in range(handled):
            k = rng.choices(keys, weights=[weights[p] for p in keys])[0]
            t[k][col] += 1
    for row in t.values():
        row[6] = sum(row[:6])
    n.table3 = t
    review = [rng.randint(0, 3), rng.randint(0, 1), 0, rng.randint(0, 1)] if busy else [rng.randint(0, 1), 0, 0, 0]
    direct = [rng.randint(0, 2), rng.randint(0, 1), 0, 0] if busy else [0, 0, 0, 0]
    after = [rng.randint(0, 1), 0, 0, 0] if busy else [0, 0, 0, 0]
    n.table4 = [*review, sum(review), *direct, sum(direct), *after, sum(after)]
    if form == "form2021":
        n.fees_yuan = 100 * rng.randint(1, 6) if t["new"][6] > 15 else 0
    return n


def num(v: str) -> float | int:
    """A printed table value as the number the codebook stores ('+12' -> 12, '31.50' -> 31.5)."""
    f = float(v)
    return int(f) if f == int(f) and "." not in v else f


T2_KEYS_2021 = {
    "规章": [("rules", "issued"), ("rules", "repealed"), ("rules", "in_force")],
    "行政规范性文件": [("normative_docs", "issued"), ("normative_docs", "repealed"), ("normative_docs", "in_force")],
    "行政许可": [("licensing", "decisions")],
    "行政处罚": [("penalty", "decisions")],
    "行政强制": [("coercion", "decisions")],
    "行政事业性收费": [("fees", "amount_10k_yuan")],
}
T2_KEYS_2019 = {
    "规章": [("rules", "made"), ("rules", "published"), ("rules", "total_published")],
    "规范性文件": [("normative_docs", "made"), ("normative_docs", "published"), ("normative_docs", "total_published")],
    "行政许可": [("licensing", c) for c in ("prev_items", "change", "decisions")],
    "其他对外管理服务事项": [("other_services", c) for c in ("prev_items", "change", "decisions")],
    "行政处罚": [("penalty", c) for c in ("prev_items", "change", "decisions")],
    "行政强制": [("coercion", c) for c in ("prev_items", "change", "decisions")],
    "行政事业性收费": [("fees", "prev_items"), ("fees", "change")],
    "政府集中采购": [("procurement", "projects"), ("procurement", "amount_10k_yuan")],
}


def table_stats(n: Numbers, blanks: set[tuple[str, int]] = frozenset()) -> dict[str, float | int]:
    """Every number tables 二, 三 and 四 print, under codebook keys, plus the core.* they imply.

    `blanks` are (table-三 row key, column) cells printed empty: absent, not 0.
    """
    s: dict[str, float | int] = {}
    t2keys = T2_KEYS_2021 if n.form == "form2021" else T2_KEYS_2019
    for label, vals in n.table2.items():
        for (row, col), v in zip(t2keys[label], vals, strict=True):
            s[f"proactive.{row}.{col}"] = num(v)
    for key, vals in n.table3.items():
        for c, v in enumerate(vals):
            if (key, c) not in blanks:
                s[f"requests.{canonical_row(key)}.{COLS[c]}"] = v
    if n.form == "form2021":
        for c in range(7):
            if all((f"other_{i}", c) not in blanks for i in (1, 2, 3)):
                s[f"requests.other.{COLS[c]}"] = sum(n.table3[f"other_{i}"][c] for i in (1, 2, 3))
    for g, group in enumerate(("review", "litigation_direct", "litigation_after_review")):
        for c, name in enumerate(FOUR_KEYS):
            s[f"{group}.{name}"] = n.table4[5 * g + c]
    core = {
        "core.proactive_items": n.proactive_items,
        "core.requests_new": n.table3["new"][6],
        "core.requests_carried_over": n.table3["carried_over"][6],
        "core.requests_granted": n.table3["granted"][6],
        "core.requests_partial": n.table3["partial"][6],
        "core.requests_denied": sum(n.table3[f"denied_{i}"][6] for i in range(1, 9)),
        "core.requests_unavailable": sum(n.table3[f"unavailable_{i}"][6] for i in range(1, 4)),
        "core.requests_rejected": sum(n.table3[f"rejected_{i}"][6] for i in range(1, 6)),
        "core.requests_other": sum(v[6] for k, v in n.table3.items() if k.startswith("other")),
        "core.requests_handled": n.table3["handled_total"][6],
        "core.requests_carried_forward": n.table3["carried_forward"][6],
        "core.review_total": n.table4[4],
        "core.review_corrected": n.table4[1],
        "core.litigation_total": n.table4[9] + n.table4[14],
        "core.litigation_corrected": n.table4[6] + n.table4[11],
    }
    if n.form == "form2021":
        core["core.fees_collected_yuan"] = n.fees_yuan
    s.update(core)
    return dict(sorted(s.items()))


# ---------------------------------------------------------------- report content


@dataclass
class Spec:
    """One golden document: what it is, and therefore what a correct extraction gives."""

    name: str  # file stem
    ext: str
    agency: Agency
    year: int
    form: str  # form2021 / form2019 / legacy_table / narrative
    published_at: str | None = None
    sign_date: str | None = None  # ISO; printed at the end -> document_date
    busy: bool = False
    features: list[str] = field(default_factory=list)
    must_contain: list[str] = field(default_factory=list)
    must_not_contain: list[str] = field(default_factory=list)
    numbers: Numbers | None = None
    stats: dict[str, float | int] = field(default_factory=dict)
    stats_complete: bool = False  # stats lists every number the document states
    is_report: bool = True
    title: str = ""

    def __post_init__(self) -> None:
        if not self.title:
            self.title = f"{self.agency.name}{self.year}年政府信息公开工作年度报告"
        if self.form in ("form2021", "form2019", "legacy_table", "narrative"):
            self.numbers = make_report_numbers(self.name, self.year, self.form if self.form.startswith("form") else "form2019",
                                               busy=self.busy)


def cn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{y}年{int(m)}月{int(d)}日"


def blocks(s: Spec) -> list[tuple[str, Any]]:
    """The report as ("h"|"p"|"sign"|"t2"|"t3"|"t4"|"legacy", value) blocks, shared by every renderer."""
    n = s.numbers
    assert n is not None
    a, y, t = s.agency.name, s.year, n.table3
    rng = rng_for("text", s.name)
    b: list[tuple[str, Any]] = []
    if s.form in ("form2021", "form2019"):
        b.append(("p", f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》要求，"
                  f"由{a}编制。本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"))
        b.append(("h", "一、总体情况"))
        b.append(("p", f"{y}年，{a}认真贯彻落实《条例》和上级政务公开工作要点，不断加大主动公开力度，依法做好依申请公开工作。"))
        b.append(("p", f"（一）主动公开。全年通过政府门户网站、政务新媒体等渠道主动公开政府信息{n.proactive_items}条，"
                  f"其中政策解读{rng.randint(3, 40)}篇。"))
        b.append(("p", f"（二）依申请公开。全年共收到政府信息公开申请{t['new'][6]}件，上年结转{t['carried_over'][6]}件，"
                  f"结转下年度继续办理{t['carried_forward'][6]}件。"))
        b.append(("p", "（三）政府信息管理。严格落实信息发布保密审查制度，动态调整主动公开基本目录。"))
        b.append(("p", "（四）政府信息公开平台建设。持续优化政府信息公开专栏，规范栏目设置。"))
        b.append(("p", "（五）监督保障。将政务公开工作纳入年度绩效考核，组织业务培训。"))
        b.append(("h", "二、主动公开政府信息情况"))
        b.append(("t2", n))
        b.append(("h", "三、收到和处理政府信息公开申请情况"))
        b.append(("t3", n))
        b.append(("h", "四、政府信息公开行政复议、行政诉讼情况"))
        b.append(("t4", n))
        b.append(("h", "五、存在的主要问题及改进情况" if s.form == "form2021" else "五、政府信息公开工作存在的主要问题及改进情况"))
        b.append(("p", "一是政策解读形式还不够丰富；二是基层政务公开标准化水平有待提高。下一步将加强业务培训，丰富解读形式。"))
        b.append(("h", "六、其他需要报告的事项"))
        if s.form == "form2021":
            b.append(("p", f"依据《政府信息公开信息处理费管理办法》，本年度收取信息处理费共计{n.fees_yuan}元。"
                      if n.fees_yuan else "本年度未收取信息处理费。"))
        else:
            b.append(("p", "无其他需要报告的事项。"))
    elif s.form == "legacy_table":
        b.append(("p", f"根据《中华人民共和国政府信息公开条例》规定，现公布{a}{y}年度政府信息公开工作年度报告。"
                  f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"))
        b.append(("h", "一、概述"))
        b.append(("p", f"{y}年，我单位认真贯彻落实《条例》，健全工作机制，全年主动公开政府信息{n.proactive_items}条。"))
        b.append(("h", "二、依申请公开情况"))
        b.append(("p", f"{y}年度，收到政府信息公开申请{t['new'][6]}件，均已按时办结。"))
        b.append(("h", "三、行政复议、行政诉讼情况"))
        b.append(("p", f"{y}年度，未发生因政府信息公开引起的行政复议、行政诉讼。"))
        b.append(("h", "四、存在的问题及改进措施"))
        b.append(("p", "信息公开的及时性和全面性仍需加强，下一步将进一步规范工作流程。"))
        b.append(("p", f"附件：{y}年度政府信息公开工作情况统计表"))
        b.append(("legacy", legacy_table_rows(n)))
    else:
        new = t["new"][6]
        b.append(("p", f"{y}年，{a}认真贯彻落实《中华人民共和国政府信息公开条例》，现将本年度政府信息公开工作情况报告如下。"))
        b.append(("h", "一、主动公开政府信息情况"))
        b.append(("p", f"全年通过门户网站主动公开政府信息{n.proactive_items}条，各科室均配有信息员，及时报送公开信息。"))
        b.append(("h", "二、依申请公开政府信息情况"))
        b.append(("p", f"全年共收到政府信息公开申请{new}件，其中予以公开{t['granted'][6]}件，部分公开{t['partial'][6]}件，"
                  f"无法提供{sum(t[f'unavailable_{i}'][6] for i in range(1, 4))}件。"))
        b.append(("h", "三、政府信息公开的收费及减免情况"))
        b.append(("p", "本年度未收取任何费用。"))
        b.append(("h", "四、因政府信息公开申请行政复议、提起行政诉讼的情况"))
        b.append(("p", "本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"))
        b.append(("h", "五、存在的主要问题及改进措施"))
        b.append(("p", "公开内容还不够全面，下一步将加强培训，进一步规范公开工作。"))
    b.append(("sign", s.agency.name))
    if s.sign_date:
        b.append(("sign", cn_date(s.sign_date)))
    return b


LEGACY_LABELS = [
    ("统计指标", "单位", "统计数"),
    ("一、主动公开情况", "", ""),
    ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "proactive"),
    ("其中：主动公开规范性文件数", "条", "norm"),
    ("制发规范性文件总数", "件", "norm"),
    ("（二）通过不同渠道和方式公开政府信息的情况", "", ""),
    ("2.政府网站公开政府信息数", "条", "proactive"),
    ("三、依申请公开情况", "", ""),
    ("（一）收到申请数", "件", "new"),
    ("（三）申请答复数", "件", "new"),
    ("2.同意公开答复数", "件", "new"),
    ("3.同意部分公开答复数", "件", "0"),
    ("四、行政复议数量", "件", "0"),
    ("五、行政诉讼数量", "件", "0"),
    ("六、举报投诉数量", "件", "0"),
    ("（三）从事政府信息公开工作人员数", "人", "3"),
]


def legacy_table_rows(n: Numbers) -> list[list[str]]:
    """The 2008–2018 indicator table (统计指标 | 单位 | 统计数) with this report's numbers."""
    norm = rng_for("norm", n.proactive_items).randint(0, 4)
    vals = {"proactive": n.proactive_items, "norm": norm, "new": n.table3["new"][6]}
    rows = []
    for label, unit, v in LEGACY_LABELS:
        rows.append([label, unit, str(vals.get(v, v)) if v not in ("统计数", "") else v])
    return rows


def narrative_stats(s: Spec) -> dict[str, float | int]:
    """The numbers a narrative report's sentences state."""
    n = s.numbers
    assert n is not None
    t = n.table3
    return {
        "core.proactive_items": n.proactive_items,
        "core.requests_new": t["new"][6],
        "core.requests_granted": t["granted"][6],
        "core.requests_partial": t["partial"][6],
        "core.requests_unavailable": sum(t[f"unavailable_{i}"][6] for i in range(1, 4)),
        "core.review_total": 0,
        "core.litigation_total": 0,
    }


def legacy_stats(s: Spec) -> dict[str, float | int]:
    n = s.numbers
    assert n is not None
    new = n.table3["new"][6]
    return {"core.proactive_items": n.proactive_items, "core.requests_new": new, "core.requests_granted": new,
            "core.requests_partial": 0, "core.review_total": 0, "core.litigation_total": 0}


def fill_expected(s: Spec, blanks: set[tuple[str, int]] = frozenset()) -> None:
    """Stats and text fragments that follow from the spec (called once the variant is known)."""
    if s.form.startswith("form"):
        s.stats = table_stats(s.numbers, blanks)  # type: ignore[arg-type]
        s.stats_complete = True
        s.must_contain = ["一、总体情况", "三、收到和处理政府信息公开申请情况", *s.must_contain]
    elif s.form == "legacy_table":
        s.stats = legacy_stats(s)
        s.must_contain = ["一、概述", f"收到政府信息公开申请{s.numbers.table3['new'][6]}件", *s.must_contain]
    else:
        s.stats = narrative_stats(s)
        s.must_contain = ["一、主动公开政府信息情况", "各科室均配有信息员", *s.must_contain]


# ---------------------------------------------------------------- HTML


def e(x: object) -> str:
    return html.escape(str(x), quote=True)


@dataclass
class HtmlStyle:
    """How a CMS editor mangled the tables (site-patterns §6 and field notes)."""

    nbsp: bool = False  # numbers padded with &nbsp;
    span_digits: bool = False  # '1<span>2</span>' numbers split across spans
    br_headers: bool = False  # 本年新<br />制作数量 and 2-line table-三 column heads
    split_labels: bool = False  # Anhui/TRS: table-三 row labels broken over <p>/<br> lines
    blanks: bool = False  # zero cells of three small columns left empty
    junk_rows: bool = False  # label-less rows: an empty spacer row and a bare note row
    th_header: bool = False  # header rows as <th> inside <thead>


def blank_cells(n: Numbers) -> set[tuple[str, int]]:
    """Zero cells of 科研机构/社会公益组织/法律服务机构 that a sloppy editor leaves empty."""
    return {(k, c) for k, v in n.table3.items() for c in (2, 3, 4) if v[c] == 0}


def _num_cell(v: int, st: HtmlStyle, blank: bool, rng: Any) -> str:
    if blank:
        return "<td>&nbsp;</td>" if st.nbsp else "<td></td>"
    text = str(v)
    if st.span_digits and len(text) >= 2:
        text = f'<span style="font-size:12px">{text[0]}</span><span style="font-size:12px">{text[1:]}</span>'
    elif st.span_digits:
        text = f'<span lang="EN-US"><span style="font-family:宋体">{text}</span></span>'
    if st.nbsp and rng.random() < 0.6:
        text = f"&nbsp;{text}&nbsp;"
    return f'<td align="center">{text}</td>'


def _label(text: str, st: HtmlStyle, **attrs: int) -> str:
    a = "".join(f' {k}="{v}"' for k, v in attrs.items() if v > 1)
    body = e(text)
    if st.split_labels and len(text) > 8:
        cut = len(text) // 2
        body = f"<p>{e(text[:cut])}</p><p>{e(text[cut:])}</p>"
    return f"<td{a}>{body}</td>"


def table3_html(n: Numbers, st: HtmlStyle, blanks: set[tuple[str, int]], seed: str) -> str:
    """Table 三 with the §6 spans, rendered with one editor's quirks."""
    rng = rng_for("t3html", seed)
    t = n.table3
    is21 = n.form == "form2021"
    tag = "th" if st.th_header else "td"
    heads = ["自然人", "商业<br />企业", "科研<br />机构", "社会公益<br />组织", "法律服务<br />机构", "其他", "总计"] if st.br_headers \
        else [e(c) for c in APPLICANT_COLS]
    rows = [
        f'<tr><{tag} colspan="3" rowspan="3">{e(THREE_NOTE)}</{tag}><{tag} colspan="7">申请人情况</{tag}></tr>',
        f'<tr><{tag} rowspan="2">{heads[0]}</{tag}><{tag} colspan="5">法人或其他组织</{tag}><{tag} rowspan="2">{heads[6]}</{tag}></tr>',
        "<tr>" + "".join(f"<{tag}>{h}</{tag}>" for h in heads[1:6]) + "</tr>",
    ]
    head = "\n".join(rows)
    body: list[str] = []

    def nums(key: str) -> str:
        return "".join(_num_cell(v, st, (key, c) in blanks, rng) for c, v in enumerate(t[key]))

    body.append(f"<tr>{_label('一、本年新收政府信息公开申请数量', st, colspan=3)}{nums('new')}</tr>")
    body.append(f"<tr>{_label('二、上年结转政府信息公开申请数量', st, colspan=3)}{nums('carried_over')}</tr>")
    body.append(f"<tr>{_label('三、本年度办理结果', st, rowspan=22 if is21 else 20)}"
                f"{_label('（一）予以公开', st, colspan=2)}{nums('granted')}</tr>")
    body.append(f"<tr>{_label('（二）部分公开（区分处理的，只计这一情形，不计其他情形）', st, colspan=2)}{nums('partial')}</tr>")
    groups = [("（三）不予公开", "denied", DENIED), ("（四）无法提供", "unavailable", UNAVAILABLE),
              ("（五）不予处理", "rejected", REJECTED)]
    if is21:
        groups.append(("（六）其他处理", "other", OTHER_2021))
    for head_label, key, labels in groups:
        for i, label in enumerate(labels, 1):
            lead = _label(head_label, st, rowspan=len(labels)) if i == 1 else ""
            body.append(f"<tr>{lead}{_label(label, st)}{nums(f'{key}_{i}')}</tr>")
    if not is21:
        body.append(f"<tr>{_label('（六）其他处理', st, colspan=2)}{nums('other')}</tr>")
    body.append(f"<tr>{_label('（七）总计', st, colspan=2)}{nums('handled_total')}</tr>")
    body.append(f"<tr>{_label('四、结转下年度继续办理', st, colspan=3)}{nums('carried_forward')}</tr>")
    if st.junk_rows:
        body.append('<tr><td colspan="3">&nbsp;</td>' + "<td>&nbsp;</td>" * 7 + "</tr>")
        body.append('<tr><td colspan="10">注：本表数据由各承办科室报送，“总计”列为各列之和。</td></tr>')
    if st.th_header:
        return f'<table border="1" class="MsoTableGrid"><thead>\n{head}\n</thead><tbody>\n' + "\n".join(body) + "\n</tbody></table>"
    return '<table border="1" cellspacing="0" cellpadding="0" class="MsoTableGrid">\n' + head + "\n" + "\n".join(body) + "\n</table>"


def table4_html(n: Numbers, st: HtmlStyle, seed: str) -> str:
    rng = rng_for("t4html", seed)
    sub = FOUR_SUB
    rows = [
        '<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>',
        "<tr>" + "".join(f'<td rowspan="2">{s}</td>' for s in sub) + '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>',
        "<tr>" + "".join(f"<td>{s}</td>" for s in sub * 2) + "</tr>",
        "<tr>" + "".join(_num_cell(v, st, False, rng) for v in n.table4) + "</tr>",
    ]
    return '<table border="1" cellspacing="0" cellpadding="0">\n' + "\n".join(rows) + "\n</table>"


def legacy_html(rows: list[list[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>\n" for r in rows)
    return '<table border="1" cellspacing="0" class="MsoNormalTable">\n' + body + "</table>"


def body_html(s: Spec, st: HtmlStyle, blanks: set[tuple[str, int]]) -> str:
    out = [f'<p style="text-align:center"><strong>{e(s.title)}</strong></p>']
    for kind, val in blocks(s):
        if kind == "h":
            out.append(f'<p style="text-indent:2em;"><strong>{e(val)}</strong></p>')
        elif kind == "p":
            out.append(f'<p style="text-indent:2em;">{e(val)}</p>')
        elif kind == "sign":
            out.append(f'<p style="text-align:right;">{e(val)}</p>')
        elif kind == "t2":
            out.append(table2_html(val, br_headers=st.br_headers))
        elif kind == "t3":
            out.append(table3_html(val, st, blanks, s.name))
        elif kind == "t4":
            out.append(table4_html(val, st, s.name))
        elif kind == "legacy":
            out.append(legacy_html(val))
    return "\n".join(out)


def page_html(s: Spec, body: str, *, charset: str = "utf-8", meta_block: bool = True) -> str:
    """A TRS-style detail page: §2 meta tags, breadcrumb, §3 metadata block, body, footer."""
    a = s.agency
    pub = s.published_at or ""
    metas = {"SiteName": a.site_name, "SiteDomain": "www.example.gov.cn", "SiteIDCode": f"{a.adcode}0001",
             "ColumnName": "政府信息公开年报", "ArticleTitle": s.title}
    if pub:
        metas["PubDate"] = f"{pub} 09:30"
    meta_html = "".join(f'<meta name="{k}" content="{e(v)}">\n' for k, v in metas.items())
    head = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset != "utf-8"
            else '<meta charset="utf-8">')
    block = ""
    if meta_block:
        block = (f'<table class="xxgk_table"><tr><td>索 引 号：</td><td>{a.adcode}001/{s.year + 1}-00{len(s.name)}17</td>'
                 f"<td>发布机构：</td><td>{e(a.name)}</td></tr>"
                 f"<tr><td>发布日期：</td><td>{pub}</td><td>主题分类：</td><td>政务公开</td></tr></table>")
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{head}\n<title>{e(s.title)}_{e(a.site_name)}</title>\n{meta_html}</head>\n<body>\n"
            f'<div class="header"><div class="logo">{e(a.site_name)}</div><ul class="nav"><li><a href="/">首页</a></li>'
            f'<li><a href="/xxgk/">信息公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>\n'
            f'<div class="crumb">您当前的位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; 政府信息公开年报</div>\n'
            f"{block}\n"
            f'<div class="TRS_Editor"><div class="Custom_UnionStyle">\n{body}\n</div></div>\n'
            f'<div class="footer"><p>主办单位：{e(a.site_name)}办公室　网站标识码：{a.adcode}0001</p>'
            f"<p>扫一扫在手机打开当前页</p></div>\n</body>\n</html>\n")


# ---------------------------------------------------------------- PDF


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, firstLineIndent=22, wordWrap="CJK")
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=26, alignment=1, firstLineIndent=0),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=10, wordWrap="CJK"),
        "sign": ParagraphStyle("sign", parent=body, alignment=2),
    }


def _fake_bold_heading(text: str, size: float = 12.0) -> Any:
    """A heading drawn 4× at +0.3pt offsets, as Word's 'fake bold' PDF export does."""
    from reportlab.platypus import Flowable

    class FakeBold(Flowable):
        def wrap(self, aw: float, ah: float) -> tuple[float, float]:
            return aw, size + 10

        def draw(self) -> None:
            c = self.canv
            c.setFont(FONT, size)
            for k in range(4):
                c.drawString(0.3 * k, 5, text)

    return FakeBold()


def _span_table(rows: list[list[tuple[str, int, int]]], widths: list[float], style: Any, pad: float = 3) -> Any:
    """A ruled reportlab Table from (text, colspan, rowspan) rows."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    ncols = len(widths)
    grid: list[list[Any]] = [[""] * ncols for _ in rows]
    taken = [[False] * ncols for _ in rows]
    spans = []
    for r, row in enumerate(rows):
        c = 0
        for text, cs, rs in row:
            while taken[r][c]:
                c += 1
            grid[r][c] = Paragraph(e(text), style) if text else ""
            for rr in range(r, min(r + rs, len(rows))):
                for cc in range(c, c + cs):
                    taken[rr][cc] = True
            if cs > 1 or rs > 1:
                spans.append(("SPAN", (c, r), (c + cs - 1, min(r + rs, len(rows)) - 1)))
            c += cs
    t = Table(grid, colWidths=widths)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad), *spans]))
    return t


def table3_parts(n: Numbers, *, repeat_header: bool) -> tuple[list, list]:
    """Table 三 cut after （三）不予公开 into the part on one page and its continuation.

    The 三、本年度办理结果 rowspan is cut in two, as Word does at a page break; the
    continuation's first cell is the (blank) rest of that span.
    """
    t = n.table3
    is21 = n.form == "form2021"

    def nums(key: str) -> list[tuple[str, int, int]]:
        return [(str(v), 1, 1) for v in t[key]]

    header = [
        [(THREE_NOTE, 3, 3), ("申请人情况", 7, 1)],
        [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)],
        [(c, 1, 1) for c in APPLICANT_COLS[1:6]],
    ]
    first = [
        [("一、本年新收政府信息公开申请数量", 3, 1), *nums("new")],
        [("二、上年结转政府信息公开申请数量", 3, 1), *nums("carried_over")],
        [("三、本年度办理结果", 1, 10), ("（一）予以公开", 2, 1), *nums("granted")],
        [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2, 1), *nums("partial")],
    ]
    for i, label in enumerate(DENIED, 1):
        first.append([*([("（三）不予公开", 1, 8)] if i == 1 else []), (label, 1, 1), *nums(f"denied_{i}")])
    rest_rows = 12 if is21 else 10
    second: list[list[tuple[str, int, int]]] = []
    groups = [("（四）无法提供", "unavailable", UNAVAILABLE), ("（五）不予处理", "rejected", REJECTED)]
    if is21:
        groups.append(("（六）其他处理", "other", OTHER_2021))
    for g, (head_label, key, labels) in enumerate(groups):
        for i, label in enumerate(labels, 1):
            lead = [("", 1, rest_rows)] if g == 0 and i == 1 else []
            second.append([*lead, *([(head_label, 1, len(labels))] if i == 1 else []), (label, 1, 1), *nums(f"{key}_{i}")])
    if not is21:
        second.append([("（六）其他处理", 2, 1), *nums("other")])
    second.append([("（七）总计", 2, 1), *nums("handled_total")])
    second.append([("四、结转下年度继续办理", 3, 1), *nums("carried_forward")])
    return header + first, (header if repeat_header else []) + second


def render_pdf(s: Spec, *, repeat_header: bool = True, running: str | None = None, fake_bold: bool = True,
               page_per_section: bool = False) -> bytes:
    """A report PDF: ruled tables, table 三 across a page break, optional running header + page numbers."""
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    st = _pdf_styles()
    A4 = (595.27, 841.89)
    story: list[Any] = [Paragraph(e(s.title), st["title"]), Spacer(1, 6)]
    widths3 = [40, 60, 126] + [39] * 7
    for kind, val in blocks(s):
        if kind == "h":
            if page_per_section and not val.startswith("一、"):
                story.append(PageBreak())
            story.append(_fake_bold_heading(val) if fake_bold else Paragraph(e(val), st["body"]))
        elif kind == "p":
            story.append(Paragraph(e(val), st["body"]))
        elif kind == "sign":
            story.append(Paragraph(e(val), st["sign"]))
        elif kind == "t2":
            story.append(_span_table(_table2_rows(val), [135, 120, 120, 120], st["cell"]))
        elif kind == "t3":
            part1, part2 = table3_parts(val, repeat_header=repeat_header)
            story.append(_span_table(part1, widths3, st["cell"], pad=4))
            story.append(PageBreak())
            story.append(_span_table(part2, widths3, st["cell"], pad=4))
        elif kind == "t4":
            story.append(_span_table(table4_rows(val), [33] * 15, st["cell"]))
        elif kind == "legacy":
            story.append(_span_table([[(c, 1, 1) for c in r] for r in val], [330, 60, 80], st["cell"]))
        story.append(Spacer(1, 4))

    def furniture(canvas: Any, doc: Any) -> None:
        if running is None:
            return
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawString(50, A4[1] - 30, running)
        canvas.line(50, A4[1] - 34, A4[0] - 50, A4[1] - 34)
        canvas.drawCentredString(A4[0] / 2, 28, f"— {doc.page} —")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1, leftMargin=50, rightMargin=50, topMargin=56,
                            bottomMargin=56, title="", author="", creator="", producer="")
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buf.getvalue()


def scanned_pdf(src: bytes) -> bytes:
    """Every page of `src` rendered to a 150-dpi grey image, wrapped in an image-only PDF (no text layer)."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = pdfium.PdfDocument(src)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595.27, 841.89), invariant=1)
    try:
        for i in range(len(pdf)):
            img = pdf[i].render(scale=150 / 72, grayscale=True).to_pil()
            png = io.BytesIO()
            img.save(png, format="PNG", optimize=True)
            png.seek(0)
            c.drawImage(ImageReader(png), 0, 0, width=595.27, height=841.89)
            c.showPage()
    finally:
        pdf.close()
    c.save()
    return out.getvalue()


# ---------------------------------------------------------------- DOCX / DOC


def render_docx(s: Spec) -> bytes:
    """DOCX with merged-cell Word tables (python-docx `merge`)."""
    from demosites.forms import table3_rows

    d = _new_docx()
    d.add_paragraph(s.title)
    for kind, val in blocks(s):
        if kind in ("h", "p", "sign"):
            d.add_paragraph(str(val))
            continue
        if kind == "t2":
            rows = _table2_rows(val)
        elif kind == "t3":
            rows = table3_rows(val)
        elif kind == "t4":
            rows = table4_rows(val)
        else:
            rows = [[(c, 1, 1) for c in r] for r in val]
        add_span_table(d, rows)
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip(buf.getvalue())


def to_doc(docx_bytes: bytes, target: Path) -> bool:
    """DOCX -> Word 97 .doc through LibreOffice; False (file kept as committed) when soffice is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        logger.warning("soffice not found: keeping the committed %s", target.name)
        return target.exists()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.docx"
        src.write_bytes(docx_bytes)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        "doc:MS Word 97", "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        target.write_bytes((Path(tmp) / "in.doc").read_bytes())
    return True


# ---------------------------------------------------------------- decoys


DECOYS = [
    ("x01_work_summary", "凤阳县人民政府办公室2021年度政务公开工作总结", "fengyang_gov",
     "2021年，县政府办公室认真贯彻落实上级政务公开工作要点，现将全年政务公开工作总结如下。一、主要做法……二、存在不足……三、下一步工作打算。"
     "全年组织政务公开培训3次，推动基层政务公开标准化规范化建设。"),
    ("x02_notice", "关于认真做好2021年政府信息公开工作年度报告编制发布工作的通知", "pingnan_gov",
     "各乡镇人民政府，县直各单位：为做好2021年政府信息公开工作年度报告编制发布工作，根据国办公开办函〔2021〕30号要求，现将有关事项通知如下："
     "一、严格执行年度报告格式。二、按时报送，县直单位于2022年1月31日前在门户网站公开年度报告。三、加强审核把关。"),
    ("x03_half_year", "2022年上半年政府信息公开数据统计", "yangchun_gov",
     "2022年1月至6月，全市主动公开政府信息1203条，收到政府信息公开申请16件，办结14件。本统计为阶段性数据。"),
    ("x04_performance", "临朐县住房和城乡建设局2020年度整体支出绩效评价报告", "linqu_zj",
     "根据县财政局关于开展部门整体支出绩效评价工作的通知要求，我局对2020年度整体支出情况开展了绩效评价。一、部门基本情况。二、绩效目标完成情况。"
     "三、资金使用及管理情况：年度预算资金共计1865.3万元，执行率96.2%。四、存在的问题及改进措施。"),
    ("x05_guide", "醴陵市人民政府政府信息公开指南", "liling_gov",
     "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。一、主动公开：公开范围、公开形式、公开时限。"
     "二、依申请公开：受理机构、申请方式、办理流程。三、监督方式。凡需要获取本指南的公民，可在市政府政务服务中心查阅。"),
]


# ---------------------------------------------------------------- the catalogue


def catalogue() -> list[tuple[Spec, Callable[[Spec], bytes], dict[str, Any]]]:
    """Every generated document: its spec, how it is rendered, and render options."""
    out: list[tuple[Spec, Callable[[Spec], bytes], dict[str, Any]]] = []

    def html_doc(spec: Spec, st: HtmlStyle, *, charset: str = "utf-8") -> None:
        blanks = blank_cells(spec.numbers) if st.blanks and spec.form.startswith("form") else set()
        fill_expected(spec, blanks)
        spec.must_not_contain += ["您当前的位置", "扫一扫在手机打开当前页", "网站标识码"]
        spec.features += [k for k, v in vars(st).items() if v]

        def render(sp: Spec) -> bytes:
            page = page_html(sp, body_html(sp, st, blanks), charset=charset)
            return page.encode("gbk" if charset != "utf-8" else "utf-8")

        out.append((spec, render, {}))

    A = AG
    html_doc(Spec("h01_form2021_county", "html", A["huoshan"], 2021, "form2021", "2022-01-20", "2022-01-18", busy=True,
                  features=["plain §6 spans"]), HtmlStyle())
    html_doc(Spec("h02_form2021_nbsp_spans", "html", A["baokang_ny"], 2021, "form2021", "2022-02-18", "2022-02-16"),
             HtmlStyle(nbsp=True, span_digits=True))
    html_doc(Spec("h03_form2019_town_blank", "html", A["liangcheng"], 2020, "form2019", "2021-01-29", "2021-01-25"),
             HtmlStyle(br_headers=True, blanks=True))
    html_doc(Spec("h04_form2021_street_anhui", "html", A["erlang"], 2022, "form2021", "2023-01-30", "2023-01-28", busy=True),
             HtmlStyle(split_labels=True, junk_rows=True))
    html_doc(Spec("h05_form2019_dept_thead", "html", A["chunan_jy"], 2019, "form2019", "2020-01-21", "2020-01-20"),
             HtmlStyle(th_header=True, br_headers=True, nbsp=True))
    html_doc(Spec("h06_legacy_dept", "html", A["qingchuan_jt"], 2017, "legacy_table", "2018-03-12", "2018-03-10"),
             HtmlStyle())
    html_doc(Spec("h07_narrative_town", "html", A["hebao"], 2018, "narrative", "2019-02-26", "2019-02-20"), HtmlStyle())
    html_doc(Spec("h08_form2021_2023_county", "html", A["liling_gov"], 2023, "form2021", "2024-01-19", "2024-01-16",
                  busy=True), HtmlStyle(nbsp=True, blanks=True, junk_rows=True))
    html_doc(Spec("h09_form2021_town_split", "html", A["zhifang"], 2021, "form2021", "2022-01-27", "2022-01-24"),
             HtmlStyle(split_labels=True, br_headers=True, span_digits=True))
    html_doc(Spec("h10_form2019_county", "html", A["sunan_gov"], 2020, "form2019", "2021-01-26", "2021-01-22", busy=True),
             HtmlStyle(span_digits=True, blanks=True))
    html_doc(Spec("g01_gbk_form2021", "html", A["yiliang_sj"], 2022, "form2021", "2023-01-17", "2023-01-13"),
             HtmlStyle(nbsp=True), charset="gbk")
    html_doc(Spec("g02_gbk_narrative", "html", A["daying_xc"], 2019, "narrative", "2020-01-15", "2020-01-10"),
             HtmlStyle(), charset="gb2312")

    def pdf_doc(spec: Spec, **opts: Any) -> None:
        fill_expected(spec)
        running = opts.get("running")
        if running:
            spec.must_not_contain += [running, "—1—", "—2—"]
            spec.features += ["running header", "page numbers"]
        if opts.get("fake_bold", True):
            heading = "一、总体情况" if spec.form.startswith("form") else ("一、概述" if spec.form == "legacy_table"
                                                                       else "一、主动公开政府信息情况")
            spec.must_not_contain += [heading * 2, "一、一、"]
            spec.features.append("fake-bold headings (4x)")
        if spec.form.startswith("form"):
            spec.features.append("table 三 continues on the next page" +
                                 (" (header repeated)" if opts.get("repeat_header", True) else " (no header)"))
        out.append((spec, lambda sp, o=opts: render_pdf(sp, **o), opts))

    pdf_doc(Spec("p01_form2021_split_repeat", "pdf", A["laifeng"], 2021, "form2021", None, "2022-01-24", busy=True),
            repeat_header=True, running="来凤县人民政府信息公开专栏")
    pdf_doc(Spec("p02_form2019_split_norepeat", "pdf", A["jinan_gov"], 2019, "form2019", None, "2020-01-16", busy=True),
            repeat_header=False, running="晋安区政务公开·年度报告")
    pdf_doc(Spec("p03_narrative_fakebold", "pdf", A["zhangzi_gov"], 2018, "narrative", None, "2019-01-30"),
            running="长子县人民政府办公室主办", page_per_section=True)
    pdf_doc(Spec("p04_legacy_dept", "pdf", A["gaochun_wj"], 2016, "legacy_table", None, "2017-03-20"))
    pdf_doc(Spec("p05_form2021_dept_norepeat", "pdf", A["yangling_fg"], 2022, "form2021", None, "2023-01-12"),
            repeat_header=False, running="杨陵区发展和改革局政务公开专栏")
    pdf_doc(Spec("p06_form2021_town", "pdf", A["hebao"], 2023, "form2021", None, "2024-01-22"), repeat_header=True,
            fake_bold=False)

    scan = Spec("p07_scanned_narrative", "pdf", A["fengyang_gov"], 2019, "narrative", None, "2020-01-20")
    fill_expected(scan)
    scan.features.append("scanned: image-only PDF, needs OCR")
    out.append((scan, lambda sp: scanned_pdf(render_pdf(sp, running=None, fake_bold=False)), {}))

    def docx_doc(spec: Spec, kind: str = "docx") -> None:
        fill_expected(spec)
        spec.features.append("Word tables with merged cells" if spec.form.startswith("form") else "Word paragraphs")
        if kind != "docx":
            spec.features.append(f"binary .{kind} converted by LibreOffice")
        out.append((spec, render_docx, {"convert": kind}))

    docx_doc(Spec("d01_form2021_merged", "docx", A["pingnan_gov"], 2021, "form2021", None, "2022-01-25", busy=True))
    docx_doc(Spec("d02_form2019_merged", "docx", A["gaochun_wj"], 2020, "form2019", None, "2021-01-28"))
    docx_doc(Spec("d03_narrative", "docx", A["linqu_zj"], 2018, "narrative", None, "2019-01-31"))
    docx_doc(Spec("d04_legacy", "docx", A["yangchun_gov"], 2015, "legacy_table", None, "2016-03-25"))
    docx_doc(Spec("w01_form2021_doc", "doc", A["qingchuan_jt"], 2022, "form2021", None, "2023-01-16"), kind="doc")
    docx_doc(Spec("w02_narrative_wps", "wps", A["sunan_gov"], 2018, "narrative", None, "2019-01-28"), kind="wps")
    return out


def decoy_specs() -> list[tuple[Spec, bytes]]:
    out = []
    for name, title, ag, text in DECOYS:
        spec = Spec(name, "html", AG[ag], 2021, "decoy", "2022-03-01", None, title=title, is_report=False)
        body = f'<p style="text-align:center"><strong>{e(title)}</strong></p>\n<p>{e(text)}</p>'
        spec.features.append("decoy: not an annual report")
        out.append((spec, page_html(spec, body).encode("utf-8")))
    return out


def expected_json(s: Spec) -> dict[str, Any]:
    d: dict[str, Any] = {
        "file": f"{s.name}.{s.ext}",
        "features": s.features,
        "is_report": s.is_report,
        "agency": s.agency.name if s.is_report else None,
    }
    if not s.is_report:
        d.pop("agency")
        return d
    d.update({"department": s.agency.department, "region": s.agency.region, "report_year": s.year, "form": s.form})
    if s.published_at:
        d["published_at"] = s.published_at
    if s.sign_date:
        d["document_date"] = s.sign_date
    d["text_must_contain"] = s.must_contain
    d["text_must_not_contain"] = s.must_not_contain
    d["stats_complete"] = s.stats_complete
    d["stats"] = s.stats
    return d


def seed_documents() -> list[tuple[str, bytes, dict[str, Any]]]:
    """The five seeds as text documents, with the shared gold's fields (copied: the corpus is self-contained)."""
    gold = json.loads((SEEDS / "seeds.json").read_text(encoding="utf-8"))
    out = []
    for i, (fname, g) in enumerate(sorted((k, v) for k, v in gold.items() if not k.startswith("_"))):
        name = f"s{i:02d}_seed_{fname.split('_')[0]}"
        exp = {"file": f"{name}.txt", "features": [f"seed {fname}: {g.get('source_kind', '')}"], "is_report": True}
        for k in ("agency", "department", "region", "report_year", "published_at", "document_date", "form",
                  "text_must_contain", "text_must_not_contain", "stats"):
            if k in g:
                exp[k] = g[k]
        exp["stats_complete"] = False
        out.append((name, (SEEDS / fname).read_bytes(), exp))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", help="name prefixes to (re)build")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    REGIONS.update(load_regions())
    DOCS.mkdir(parents=True, exist_ok=True)
    EXPECTED.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        return not args.only or any(name.startswith(p) for p in args.only)

    def write(name: str, fname: str, data: bytes | None, exp: dict[str, Any]) -> None:
        if data is not None:
            (DOCS / fname).write_bytes(data)
        (EXPECTED / f"{name}.json").write_text(json.dumps(exp, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        logger.info("%-32s %s", fname, f"{len(data)} bytes" if data is not None else "(written by LibreOffice)")

    for spec, render, opts in catalogue():
        if not wanted(spec.name):
            continue
        data = render(spec)
        fname = f"{spec.name}.{spec.ext}"
        if opts.get("convert") in ("doc", "wps"):
            ok = to_doc(data, DOCS / fname)
            if not ok:
                raise SystemExit(f"cannot build {fname}: LibreOffice (soffice) is needed")
            write(spec.name, fname, None, expected_json(spec))
            continue
        write(spec.name, fname, data, expected_json(spec))
    for spec, data in decoy_specs():
        if wanted(spec.name):
            write(spec.name, f"{spec.name}.html", data, expected_json(spec))
    for name, data, exp in seed_documents():
        if wanted(name):
            write(name, exp["file"], data, exp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
