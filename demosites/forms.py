"""Generated annual reports in the official forms (site-patterns §6).

Numbers come from a seeded RNG keyed by agency and year, so every run
publishes the same report, and they always balance (新收 + 结转 = 办理总计 +
结转下年度, per column), which is what an extractor's consistency checks expect.
The same numbers feed the HTML tables, the PDF tables and the manifest. The report text and
tables are `demosites.report_template`'s, in the demo's wording.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from demosites import report_template as template
from demosites.report_template import blocks_html, esc, table3_keys
from demosites.seeds import SEED_001, seed_001_parts, seed_text

logger = logging.getLogger(__name__)


def rng_for(*parts: object) -> random.Random:
    """A deterministic RNG (Python's hash() is salted per process, so use sha256)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


@dataclass
class Numbers:
    """Every number one generated report prints."""

    form: str
    proactive_items: int
    table2: dict[str, list[str]] = field(default_factory=dict)  # row label -> values
    table3: dict[str, list[int]] = field(default_factory=dict)  # row key -> 7 values
    table4: list[int] = field(default_factory=list)  # 15 values
    fees_yuan: int = 0

    def core(self) -> dict[str, int]:
        """The codebook's core.* values this report states."""
        t = self.table3

        def tot(keys: list[str]) -> int:
            return sum(t[k][6] for k in keys)

        denied = [f"denied_{i}" for i in range(1, 9)]
        unavailable = [f"unavailable_{i}" for i in range(1, 4)]
        rejected = [f"rejected_{i}" for i in range(1, 6)]
        other = [k for k in t if k.startswith("other")]
        return {
            "core.proactive_items": self.proactive_items,
            "core.requests_new": t["new"][6],
            "core.requests_carried_over": t["carried_over"][6],
            "core.requests_granted": t["granted"][6],
            "core.requests_partial": t["partial"][6],
            "core.requests_denied": tot(denied),
            "core.requests_unavailable": tot(unavailable),
            "core.requests_rejected": tot(rejected),
            "core.requests_other": tot(other),
            "core.requests_handled": t["handled_total"][6],
            "core.requests_carried_forward": t["carried_forward"][6],
            "core.review_total": self.table4[4],
            "core.litigation_total": self.table4[9] + self.table4[14],
        }


def signed(v: int) -> str:
    """本年增/减 as printed: +162, -3, 0."""
    return f"{v:+d}" if v else "0"


# One applicant column of table 三: 新收, 上年结转, 结转下年度, and the outcome rows (with their weights) over
# which the column's 办理总计 is spread.
ApplicantColumn = tuple[int, int, int, list[str], list[int]]
Span = tuple[int, int]  # the (low, high) a number is drawn from


def balanced_table3(form: str, rng: random.Random, columns: Iterable[ApplicantColumn]) -> dict[str, list[int]]:
    """Table 三's numbers, balanced per column (新收 + 结转 = 办理总计 + 结转下年度), from the six applicant
    columns in turn; the 总计 column is their sum."""
    t = {k: [0] * 7 for k in ["new", "carried_over", *table3_keys(form), "handled_total", "carried_forward"]}
    for col, (new, carried, forward, pool, weights) in enumerate(columns):
        handled = new + carried - forward
        t["new"][col], t["carried_over"][col], t["carried_forward"][col] = new, carried, forward
        t["handled_total"][col] = handled
        for _ in range(handled):
            t[rng.choices(pool, weights=weights)[0]][col] += 1
    for row in t.values():
        row[6] = sum(row[:6])
    return t


def table4_numbers(review: list[int], direct: list[int], after: list[int]) -> list[int]:
    """Table 四's 15 numbers: 行政复议, 未经复议直接起诉 and 复议后起诉, each 4 outcomes and their 总计."""
    return [*review, sum(review), *direct, sum(direct), *after, sum(after)]


def table2_form2021(rng: random.Random, *, made: Span, repealed: Span, added: Span, licensing: Span, penalty: Span,
                    coercion: Span, fee_cents: Span) -> dict[str, list[str]]:
    """Table 二 of the 2021 form, each number drawn from its (low, high) span in the order of the arguments;
    现行有效件数 = 本年制发件数 + a number drawn from `added`."""
    issued = rng.randint(*made)
    return {
        "规章": ["0", "0", "0"],
        "行政规范性文件": [str(issued), str(rng.randint(*repealed)), str(issued + rng.randint(*added))],
        "行政许可": [str(rng.randint(*licensing))],
        "行政处罚": [str(rng.randint(*penalty))],
        "行政强制": [str(rng.randint(*coercion))],
        "行政事业性收费": [f"{rng.randint(*fee_cents) / 100:.2f}"],
    }


def make_numbers(agency: str, year: int, form: str) -> Numbers:
    """Balanced numbers for one report."""
    rng = rng_for(agency, year, form)
    big = "人民政府" in agency and "镇" not in agency
    n = Numbers(form=form, proactive_items=rng.randint(120, 900) if big else rng.randint(20, 260))
    if form == "form2021":
        n.table2 = table2_form2021(rng, made=(0, 6), repealed=(0, 2), added=(5, 40), licensing=(0, 3000),
                                   penalty=(0, 400), coercion=(0, 30), fee_cents=(0, 9000))
    else:
        prev = rng.randint(10, 500)
        delta = rng.randint(-20, 80)
        n.table2 = {
            "规章": ["0", "0", "0"],
            "规范性文件": [str(k := rng.randint(0, 6)), str(k), str(k + rng.randint(3, 30))],
            "行政许可": [str(prev), signed(delta), str(prev + delta)],
            "其他对外管理服务事项": [str(p2 := rng.randint(0, 40)), "0", str(p2)],
            "行政处罚": [str(p3 := rng.randint(0, 200)), signed(d3 := rng.randint(-5, 20)), str(p3 + d3)],
            "行政强制": ["0", "0", "0"],
            "行政事业性收费": [str(rng.randint(0, 5)), "0"],
            "政府集中采购": [str(rng.randint(0, 30)), f"{rng.randint(0, 50000) / 100:.2f}"],
        }
    keys = table3_keys(form)
    weights = {"granted": 8, "partial": 3, "unavailable_1": 4, "rejected_2": 1, "denied_4": 1, "denied_6": 1}

    def columns() -> Iterator[ApplicantColumn]:
        for col, scale in enumerate([40, 6, 0, 1, 3, 2] if big else [8, 2, 0, 0, 1, 1]):
            new = rng.randint(0, scale)
            carried = rng.randint(0, 2) if new and scale > 2 else 0
            fwd = rng.randint(0, min(2, new + carried)) if new + carried > 3 else 0
            pool = [k for k in keys if k in weights] + ([keys[-1]] if col == 0 else [])
            yield new, carried, fwd, pool, [weights.get(p, 1) for p in pool]

    n.table3 = t = balanced_table3(form, rng, columns())
    n.table4 = table4_numbers([rng.randint(0, 2) if big else 0, 0, 0, 0], [rng.randint(0, 1) if big else 0, 0, 0, 0],
                              [0, 0, 0, 0])
    if form == "form2021" and t["new"][6] > 12:
        n.fees_yuan = 100 * rng.randint(0, 4)
    return n


def report_blocks(agency: str, year: int, form: str, n: Numbers, sign_date: str) -> list[tuple[str, object]]:
    """A demo report as blocks of the shared template (`demosites.report_template`), in the demo's wording."""
    return template.report_blocks(form, n, agency, year, rng=rng_for("text", agency, year),
                                  signature=[agency, sign_date], wording=DEMO_WORDING)


def legacy_rows(n: Numbers, year: int) -> list[list[str]]:
    """The 2008–2018 indicator table: seed 001's own labels with this report's numbers."""
    _, _, seed_rows = seed_001_parts()
    rng = rng_for("legacy", n.proactive_items, year)
    rows = []
    for label, unit, value in seed_rows:
        key = label.strip("\u3000 \n")
        if not unit or not value.strip():
            rows.append([label, unit, value])
            continue
        if key.startswith("（一）主动公开政府信息数"):
            v = n.proactive_items
        elif "收到申请数" in key or "申请办结数" in key or "按时办结数" in key or "申请答复数" in key:
            v = n.table3["new"][6]
        elif "网络申请数" in key:
            v = n.table3["new"][6]
        elif "同意公开答复数" in key:
            v = n.table3["new"][6]
        elif "政府网站公开政府信息数" in key:
            v = n.proactive_items
        elif "兼职人员数" in key or "从事政府信息公开工作人员数" in key:
            v = 3
        elif "专门机构数" in key:
            v = 1
        elif "规范性文件" in key:
            v = rng.randint(0, 3) if "制发" not in key else 0
        else:
            v = 0
        rows.append([label, unit, f"\u3000{v}"])
    return rows


def seed_001_html() -> str:
    """Seed 001 as its HTML page body: paragraphs, then the statistics table."""
    paras, caption, rows = seed_001_parts()
    out = [f"<p>{esc(p)}</p>" for p in paras]
    out.append('<p align="center"><strong>附件</strong></p>')
    out.append(f'<p align="center"><strong>{esc(caption)}</strong></p>')
    lines = ["<tr>" + "".join(f"<td>{'<br/>'.join(esc(x) for x in c.split(chr(10)))}</td>" for c in r) + "</tr>" for r in rows]
    out.append(template.table_html(lines, '<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable" width="600">'))
    return "\n".join(out)


def seed_title_lines(name: str) -> list[str]:
    """The first non-empty lines of a seed (for titles)."""
    return [ln.strip() for ln in seed_text(name).split("\n") if ln.strip()][:3]


DEMO_WORDING = template.Wording(legacy_table=legacy_rows)

__all__ = ["Numbers", "make_numbers", "report_blocks", "blocks_html", "seed_001_html", "SEED_001"]
