"""Generated annual reports in the official forms (site-patterns §6).

Numbers come from a seeded RNG keyed by agency and year, so every run
publishes the same report, and they always balance (新收 + 结转 = 办理总计 +
结转下年度, per column), which is what an extractor's consistency checks expect.
The same numbers feed the HTML tables, the PDF tables and the manifest.
"""

from __future__ import annotations

import hashlib
import html
import logging
import random
from dataclasses import dataclass, field

from demosites.seeds import SEED_001, seed_001_parts, seed_text

logger = logging.getLogger(__name__)

APPLICANT_COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

DENIED = [
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
]
UNAVAILABLE = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
REJECTED = [
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
]
OTHER_2021 = [
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
]
THREE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
FOUR_SUB = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


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


def _signed(v: int) -> str:
    """本年增/减 as printed: +162, -3, 0."""
    return f"{v:+d}" if v else "0"


def make_numbers(agency: str, year: int, form: str) -> Numbers:
    """Balanced numbers for one report."""
    rng = rng_for(agency, year, form)
    big = "人民政府" in agency and "镇" not in agency
    n = Numbers(form=form, proactive_items=rng.randint(120, 900) if big else rng.randint(20, 260))
    if form == "form2021":
        made = rng.randint(0, 6)
        n.table2 = {
            "规章": ["0", "0", "0"],
            "行政规范性文件": [str(made), str(rng.randint(0, 2)), str(made + rng.randint(5, 40))],
            "行政许可": [str(rng.randint(0, 3000))],
            "行政处罚": [str(rng.randint(0, 400))],
            "行政强制": [str(rng.randint(0, 30))],
            "行政事业性收费": [f"{rng.randint(0, 9000) / 100:.2f}"],
        }
    else:
        prev = rng.randint(10, 500)
        delta = rng.randint(-20, 80)
        n.table2 = {
            "规章": ["0", "0", "0"],
            "规范性文件": [str(k := rng.randint(0, 6)), str(k), str(k + rng.randint(3, 30))],
            "行政许可": [str(prev), _signed(delta), str(prev + delta)],
            "其他对外管理服务事项": [str(p2 := rng.randint(0, 40)), "0", str(p2)],
            "行政处罚": [str(p3 := rng.randint(0, 200)), _signed(d3 := rng.randint(-5, 20)), str(p3 + d3)],
            "行政强制": ["0", "0", "0"],
            "行政事业性收费": [str(rng.randint(0, 5)), "0"],
            "政府集中采购": [str(rng.randint(0, 30)), f"{rng.randint(0, 50000) / 100:.2f}"],
        }
    keys = ["granted", "partial"] + [f"denied_{i}" for i in range(1, 9)]
    keys += [f"unavailable_{i}" for i in range(1, 4)] + [f"rejected_{i}" for i in range(1, 6)]
    keys += [f"other_{i}" for i in range(1, 4)] if form == "form2021" else ["other"]
    t: dict[str, list[int]] = {k: [0] * 7 for k in ["new", "carried_over", *keys, "handled_total", "carried_forward"]}
    weights = {"granted": 8, "partial": 3, "unavailable_1": 4, "rejected_2": 1, "denied_4": 1, "denied_6": 1}
    for col, scale in enumerate([40, 6, 0, 1, 3, 2] if big else [8, 2, 0, 0, 1, 1]):
        new = rng.randint(0, scale)
        carried = rng.randint(0, 2) if new and scale > 2 else 0
        fwd = rng.randint(0, min(2, new + carried)) if new + carried > 3 else 0
        handled = new + carried - fwd
        t["new"][col], t["carried_over"][col], t["carried_forward"][col] = new, carried, fwd
        t["handled_total"][col] = handled
        pool = [k for k in keys if k in weights] + ([keys[-1]] if col == 0 else [])
        for _ in range(handled):
            k = rng.choices(pool, weights=[weights.get(p, 1) for p in pool])[0]
            t[k][col] += 1
    for row in t.values():
        row[6] = sum(row[:6])
    n.table3 = t
    review = [rng.randint(0, 2) if big else 0, 0, 0, 0]
    direct = [rng.randint(0, 1) if big else 0, 0, 0, 0]
    after = [0, 0, 0, 0]
    n.table4 = [*review, sum(review), *direct, sum(direct), *after, sum(after)]
    if form == "form2021" and t["new"][6] > 12:
        n.fees_yuan = 100 * rng.randint(0, 4)
    return n


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _tr(cells: list[str]) -> str:
    return "<tr>" + "".join(cells) + "</tr>\n"


def _td(text: object, **attrs: object) -> str:
    a = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<td{a}>{_e(text)}</td>"


def table2_html(n: Numbers, *, br_headers: bool = False) -> str:
    """Table 二 with the exact 2019 or 2021 labels."""
    rows: list[str] = []
    t2 = n.table2

    def section(item: str, header: list[str], labels: list[str]) -> None:
        rows.append(_tr([_td(f"第二十条第（{item}）项", colspan=4)]))
        head = [_td("信息内容")]
        if len(header) == 1:
            head.append(_td(header[0], colspan=3))
        else:
            head += [_td(h) for h in header]
            if len(header) < 3:
                head[-1] = head[-1].replace("<td>", f'<td colspan="{4 - len(header)}">', 1)
        rows.append(_tr(head).replace("&lt;br /&gt;", "<br />"))
        for label in labels:
            vals = t2[label]
            cells = [_td(label)]
            if len(vals) == 1:
                cells.append(_td(vals[0], colspan=3))
            else:
                cells += [_td(v) for v in vals]
                if len(vals) < 3:
                    cells[-1] = cells[-1].replace("<td>", f'<td colspan="{4 - len(vals)}">', 1)
            rows.append(_tr(cells))

    if n.form == "form2021":
        section("一", ["本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "行政规范性文件"])
        section("五", ["本年处理决定数量"], ["行政许可"])
        section("六", ["本年处理决定数量"], ["行政处罚", "行政强制"])
        section("八", ["本年收费金额（单位：万元）"], ["行政事业性收费"])
    else:
        new_h = ["本年新<br />制作数量", "本年新<br />公开数量"] if br_headers else ["本年新制作数量", "本年新公开数量"]
        section("一", [*new_h, "对外公开总数量"], ["规章", "规范性文件"])
        section("五", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "其他对外管理服务事项"])
        section("六", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政处罚", "行政强制"])
        section("八", ["上一年项目数量", "本年增/减"], ["行政事业性收费"])
        section("九", ["采购项目数量", "采购总金额"], ["政府集中采购"])
    return '<table border="1" cellspacing="0" cellpadding="0" class="nb-table">\n' + "".join(rows) + "</table>"


def table3_rows(n: Numbers) -> list[list[tuple[str, int, int]]]:
    """Table 三 as rows of (text, colspan, rowspan) cells — shared by HTML and PDF."""
    t = n.table3

    def nums(key: str) -> list[tuple[str, int, int]]:
        return [(str(v), 1, 1) for v in t[key]]

    is21 = n.form == "form2021"
    rows: list[list[tuple[str, int, int]]] = [
        [(THREE_NOTE, 3, 3), ("申请人情况", 7, 1)],
        [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)],
        [(c, 1, 1) for c in APPLICANT_COLS[1:6]],
        [("一、本年新收政府信息公开申请数量", 3, 1), *nums("new")],
        [("二、上年结转政府信息公开申请数量", 3, 1), *nums("carried_over")],
        [("三、本年度办理结果", 1, 22 if is21 else 20), ("（一）予以公开", 2, 1), *nums("granted")],
        [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2, 1), *nums("partial")],
    ]
    groups = [("（三）不予公开", "denied", DENIED), ("（四）无法提供", "unavailable", UNAVAILABLE), ("（五）不予处理", "rejected", REJECTED)]
    if is21:
        groups.append(("（六）其他处理", "other", OTHER_2021))
    for head, key, labels in groups:
        for i, label in enumerate(labels, 1):
            lead = [(head, 1, len(labels))] if i == 1 else []
            rows.append([*lead, (label, 1, 1), *nums(f"{key}_{i}")])
    if not is21:
        rows.append([("（六）其他处理", 2, 1), *nums("other")])
    rows.append([("（七）总计", 2, 1), *nums("handled_total")])
    rows.append([("四、结转下年度继续办理", 3, 1), *nums("carried_forward")])
    return rows


def table4_rows(n: Numbers) -> list[list[tuple[str, int, int]]]:
    """Table 四 (15 numeric columns) as (text, colspan, rowspan) cells."""
    return [
        [("行政复议", 5, 1), ("行政诉讼", 10, 1)],
        [*[(s, 1, 2) for s in FOUR_SUB], ("未经复议直接起诉", 5, 1), ("复议后起诉", 5, 1)],
        [(s, 1, 1) for s in FOUR_SUB * 2],
        [(str(v), 1, 1) for v in n.table4],
    ]


def spans_html(rows: list[list[tuple[str, int, int]]]) -> str:
    out = []
    for row in rows:
        cells = []
        for text, cs, rs in row:
            attrs: dict[str, object] = {}
            if cs > 1:
                attrs["colspan"] = cs
            if rs > 1:
                attrs["rowspan"] = rs
            cells.append(_td(text, **attrs))
        out.append(_tr(cells))
    return '<table border="1" cellspacing="0" cellpadding="0" class="nb-table">\n' + "".join(out) + "</table>"


def _county_short(agency: str) -> str:
    return agency


def report_blocks(agency: str, year: int, form: str, n: Numbers, sign_date: str) -> list[tuple[str, object]]:
    """A report as ("h", text) / ("p", text) / ("t2"|"t3"|"t4"|"legacy", data) blocks.

    HTML, PDF and DOCX renderers all consume this, so a report reads the same
    in every format.
    """
    rng = rng_for("text", agency, year)
    t = n.table3
    b: list[tuple[str, object]] = []
    if form in ("form2021", "form2019"):
        b.append(("p", f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》要求，由{agency}编制。"
                  f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
                  f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与{agency}办公室联系。"))
        b.append(("h", "一、总体情况"))
        b.append(("p", f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级政务公开工作要点，"
                  f"不断加大主动公开力度，依法做好依申请公开工作，政府信息公开工作取得新成效。"))
        b.append(("p", f"（一）主动公开。全年通过政府门户网站、政务新媒体等渠道主动公开政府信息{n.proactive_items}条，"
                  f"其中政策解读{rng.randint(3, 40)}篇，回应社会关切{rng.randint(1, 20)}次。"))
        b.append(("p", f"（二）依申请公开。{year}年共收到政府信息公开申请{t['new'][6]}件，上年结转{t['carried_over'][6]}件，"
                  f"已办结{t['handled_total'][6]}件，结转下年度继续办理{t['carried_forward'][6]}件。"))
        b.append(("p", "（三）政府信息管理。严格落实信息发布保密审查制度，动态调整主动公开基本目录，及时清理过时信息。"))
        b.append(("p", "（四）政府信息公开平台建设。持续优化政府信息公开专栏，规范栏目设置，提升平台服务能力。"))
        b.append(("p", "（五）监督保障。将政务公开工作纳入年度绩效考核，组织业务培训，落实社会评议和责任追究制度。"))
        b.append(("h", "二、主动公开政府信息情况"))
        b.append(("t2", n))
        b.append(("h", "三、收到和处理政府信息公开申请情况"))
        b.append(("t3", n))
        b.append(("h", "四、政府信息公开行政复议、行政诉讼情况"))
        b.append(("t4", n))
        b.append(("h", "五、存在的主要问题及改进情况" if form == "form2021" else "五、政府信息公开工作存在的主要问题及改进情况"))
        b.append(("p", "一是政策解读形式还不够丰富；二是基层政务公开标准化规范化水平有待提高。下一步，我们将加强业务培训，"
                  "丰富解读形式，推动政务公开工作再上新台阶。"))
        b.append(("h", "六、其他需要报告的事项"))
        if form == "form2021":
            fee = f"依据《政府信息公开信息处理费管理办法》，本年度收取信息处理费共计{n.fees_yuan}元。" if n.fees_yuan else "本年度未收取信息处理费。"
            b.append(("p", fee))
        else:
            b.append(("p", "无其他需要报告的事项。"))
    elif form == "legacy_table":
        b.append(("p", f"根据《中华人民共和国政府信息公开条例》规定，现公布{agency}{year}年度政府信息公开工作年度报告。"
                  f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"))
        b.append(("h", "一、概述"))
        b.append(("p", f"{year}年，我单位认真贯彻落实《条例》，健全工作机制，全年主动公开政府信息{n.proactive_items}条。"))
        b.append(("h", "二、依申请公开情况"))
        b.append(("p", f"{year}年度，收到政府信息公开申请{t['new'][6]}件，均已按时办结。"))
        b.append(("h", "三、行政复议、行政诉讼情况"))
        b.append(("p", f"{year}年度，未发生因政府信息公开引起的行政复议、行政诉讼。"))
        b.append(("h", "四、存在的问题及改进措施"))
        b.append(("p", "信息公开的及时性和全面性仍需加强，下一步将进一步规范工作流程。"))
        b.append(("p", f"附件：{year}年度政府信息公开工作情况统计表"))
        b.append(("legacy", legacy_rows(n, year)))
    else:  # narrative
        b.append(("p", f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，现将本年度政府信息公开工作情况报告如下。"))
        b.append(("h", "一、主动公开政府信息情况"))
        b.append(("p", f"全年通过门户网站主动公开政府信息{n.proactive_items}条，其中规范性文件{rng.randint(0, 5)}件。"))
        b.append(("h", "二、依申请公开政府信息情况"))
        if t["new"][6]:
            b.append(("p", f"全年共收到政府信息公开申请{t['new'][6]}件，其中予以公开{t['granted'][6]}件，部分公开{t['partial'][6]}件，"
                      f"无法提供{sum(t[f'unavailable_{i}'][6] for i in range(1, 4))}件。"))
        else:
            b.append(("p", "全年未收到政府信息公开申请。"))
        b.append(("h", "三、政府信息公开的收费及减免情况"))
        b.append(("p", "未收取任何费用。"))
        b.append(("h", "四、因政府信息公开申请行政复议、提起行政诉讼的情况"))
        b.append(("p", "本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"))
        b.append(("h", "五、存在的主要问题及改进措施"))
        b.append(("p", "公开内容还不够全面，下一步将加强培训，进一步规范公开工作。"))
    b.append(("sign", agency))
    b.append(("sign", sign_date))
    return b


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


def blocks_html(blocks: list[tuple[str, object]], *, br_headers: bool = False) -> str:
    """Report blocks as the HTML body a CMS editor would produce."""
    out: list[str] = []
    for kind, val in blocks:
        if kind == "h":
            out.append(f'<p style="text-indent:2em;"><strong>{_e(val)}</strong></p>')
        elif kind == "p":
            out.append(f'<p style="text-indent:2em;">{_e(val)}</p>')
        elif kind == "sign":
            out.append(f'<p style="text-align:right;">{_e(val)}</p>')
        elif kind == "t2":
            out.append(table2_html(val, br_headers=br_headers))  # type: ignore[arg-type]
        elif kind == "t3":
            out.append(spans_html(table3_rows(val)))  # type: ignore[arg-type]
        elif kind == "t4":
            out.append(spans_html(table4_rows(val)))  # type: ignore[arg-type]
        elif kind == "legacy":
            rows = val  # type: ignore[assignment]
            body = "".join(_tr([_td(c) for c in r]) for r in rows)  # type: ignore[union-attr]
            out.append('<table border="1" cellspacing="0" class="MsoNormalTable">\n' + body + "</table>")
    return "\n".join(out)


def seed_001_html() -> str:
    """Seed 001 as its HTML page body: paragraphs, then the statistics table."""
    paras, caption, rows = seed_001_parts()
    out = [f"<p>{_e(p)}</p>" for p in paras]
    out.append('<p align="center"><strong>附件</strong></p>')
    out.append(f'<p align="center"><strong>{_e(caption)}</strong></p>')
    body = "".join(
        _tr([f"<td>{'<br/>'.join(_e(x) for x in c.split(chr(10)))}</td>" for c in r]) for r in rows
    )
    out.append('<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable" width="600">\n' + body + "</table>")
    return "\n".join(out)


def seed_title_lines(name: str) -> list[str]:
    """The first non-empty lines of a seed (for titles)."""
    return [ln.strip() for ln in seed_text(name).split("\n") if ln.strip()][:3]


__all__ = ["Numbers", "make_numbers", "report_blocks", "blocks_html", "seed_001_html", "SEED_001"]
