"""The golden reports' text: the shared report template (demosites.report_template) in the golden wording."""

from __future__ import annotations

from typing import Any

from demosites.forms import Numbers, rng_for
from demosites.report_template import Wording, report_blocks

from .spec import Spec, cn_date

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


# The golden reports say less than the demo's: these phrases are left out.
LEFT_OUT = ("scope", "contact", "guidance", "outcome", "concern_clause", "handled_clause", "management", "platform",
            "oversight")
GOLDEN_WORDING = Wording(
    legacy_table=lambda n, _year: legacy_table_rows(n),
    form_draws=(("interpretations", 3, 40),),
    narrative_draws=(),
    requests_period="全年",
    problems="一是政策解读形式还不够丰富；二是基层政务公开标准化水平有待提高。下一步将加强业务培训，丰富解读形式。",
    narrative_proactive="各科室均配有信息员，及时报送公开信息。",
    narrative_fees="本年度未收取任何费用。",
    **dict.fromkeys(LEFT_OUT, ""),
)


def blocks(s: Spec) -> list[tuple[str, Any]]:
    """The report as ("h"|"p"|"sign"|"t2"|"t3"|"t4"|"legacy", value) blocks, shared by every renderer."""
    assert s.numbers is not None
    signature = [s.agency.name] + ([cn_date(s.sign_date)] if s.sign_date else [])
    return report_blocks(s.form, s.numbers, s.agency.name, s.year, rng=rng_for("text", s.name), signature=signature,
                         wording=GOLDEN_WORDING)
