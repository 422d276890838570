"""What a golden document is: its agency and region, its numbers, its form (the `Spec`)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from demosites.forms import (
    ApplicantColumn,
    Numbers,
    balanced_table3,
    rng_for,
    signed,
    table2_form2021,
    table4_numbers,
)
from demosites.report_template import table3_keys

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
DOCS = GOLDEN / "docs"
EXPECTED = GOLDEN / "expected"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"  # the five seed reports and their gold (seeds.json)
ADCODES = ROOT / ".venv/lib/python3.11/site-packages/cpca/resources/adcodes.csv"


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
        n.table2 = table2_form2021(rng, made=(0, 8), repealed=(0, 3), added=(4, 60), licensing=(10, 4000),
                                   penalty=(0, 500), coercion=(0, 40), fee_cents=(0, 99000))
    else:
        prev, delta = rng.randint(10, 600), rng.randint(-20, 90)
        p2, p3, d3 = rng.randint(0, 40), rng.randint(0, 300), rng.randint(-5, 30)
        k = rng.randint(0, 6)
        n.table2 = {
            "规章": ["0", "0", "0"],
            "规范性文件": [str(k), str(k), str(k + rng.randint(3, 30))],
            "行政许可": [str(prev), signed(delta), str(prev + delta)],
            "其他对外管理服务事项": [str(p2), "0", str(p2)],
            "行政处罚": [str(p3), signed(d3), str(p3 + d3)],
            "行政强制": ["0", "0", "0"],
            "行政事业性收费": [str(rng.randint(0, 8)), "0"],
            "政府集中采购": [str(rng.randint(1, 30)), f"{rng.randint(100, 90000) / 100:.2f}"],
        }
    keys = table3_keys(form)
    weights = {k: 1 for k in keys}
    weights.update({"granted": 10, "partial": 4, "unavailable_1": 5, "rejected_2": 2, "denied_4": 2, "denied_6": 2,
                    "unavailable_3": 2, keys[-1]: 2})

    def columns() -> Iterator[ApplicantColumn]:
        for col, scale in enumerate([60, 12, 2, 3, 4, 5] if busy else [12, 4, 0, 1, 1, 2]):
            new = rng.randint(1 if col == 0 else 0, scale)
            carried = rng.randint(0, 3) if scale >= 4 else 0
            fwd = rng.randint(0, min(3, new + carried)) if new + carried > 4 else 0
            yield new, carried, fwd, keys, [weights[p] for p in keys]

    n.table3 = t = balanced_table3(form, rng, columns())
    review = [rng.randint(0, 3), rng.randint(0, 1), 0, rng.randint(0, 1)] if busy else [rng.randint(0, 1), 0, 0, 0]
    direct = [rng.randint(0, 2), rng.randint(0, 1), 0, 0] if busy else [0, 0, 0, 0]
    after = [rng.randint(0, 1), 0, 0, 0] if busy else [0, 0, 0, 0]
    n.table4 = table4_numbers(review, direct, after)
    if form == "form2021":
        n.fees_yuan = 100 * rng.randint(1, 6) if t["new"][6] > 15 else 0
    return n


# ---------------------------------------------------------------- documents


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
