"""The annual-report template: its text, its three official tables, and their HTML.

One template serves every generator of reports: the demo portal (`demosites.forms`) and the
golden-corpus builder (scripts/build_golden_corpus.py). What they print differently is a `Wording`;
the section structure, the table layouts (site-patterns §6) and the markup are written once here.

A report is a list of blocks, ("h"|"p"|"sign", text) and ("t2"|"t3"|"t4", Numbers) or ("legacy", rows),
which the HTML, PDF and DOCX renderers all consume, so a report reads the same in every format. Tables
are rows of (text, colspan, rowspan) cells.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from demosites.forms import Numbers

Cell = tuple[str, int, int]  # (text, colspan, rowspan)
Rows = list[list[Cell]]

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
TABLE_TAG = '<table border="1" cellspacing="0" cellpadding="0" class="nb-table">'


def table3_keys(form: str) -> list[str]:
    """The outcome rows of table 三 (三、本年度办理结果), as keys of `Numbers.table3`."""
    keys = ["granted", "partial"] + [f"denied_{i}" for i in range(1, 9)]
    keys += [f"unavailable_{i}" for i in range(1, 4)] + [f"rejected_{i}" for i in range(1, 6)]
    return keys + ([f"other_{i}" for i in range(1, 4)] if form == "form2021" else ["other"])


# ---------------------------------------------------------------- the text


@dataclass(frozen=True)
class Wording:
    """The phrases in which two generators' reports differ; the defaults are the demo portal's.

    Phrases are format strings over the report's values: agency, year, proactive, new, carried_over,
    handled, carried_forward, granted, partial, unavailable, and the `*_draws` numbers, each drawn
    from the report's RNG in the order given. The templates below name the phrases as fields too.
    """

    legacy_table: Callable[[Numbers, int], list[list[str]]] | None = None  # the 2008–2018 statistics table
    form_draws: tuple[tuple[str, int, int], ...] = (("interpretations", 3, 40), ("concerns", 1, 20))
    narrative_draws: tuple[tuple[str, int, int], ...] = (("norm_docs", 0, 5),)
    scope: str = ("全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、"
                  "存在的主要问题及改进情况、其他需要报告的事项。")
    contact: str = "如对本报告有疑问，请与{agency}办公室联系。"
    guidance: str = "坚持以习近平新时代中国特色社会主义思想为指导，"
    outcome: str = "，政府信息公开工作取得新成效"
    concern_clause: str = "，回应社会关切{concerns}次"
    requests_period: str = "{year}年"
    handled_clause: str = "已办结{handled}件，"
    management: str = "，及时清理过时信息"
    platform: str = "，提升平台服务能力"
    oversight: str = "，落实社会评议和责任追究制度"
    problems: str = ("一是政策解读形式还不够丰富；二是基层政务公开标准化规范化水平有待提高。下一步，我们将加强业务培训，"
                     "丰富解读形式，推动政务公开工作再上新台阶。")
    narrative_proactive: str = "其中规范性文件{norm_docs}件。"
    narrative_fees: str = "未收取任何费用。"


FORM_TEMPLATE = [
    ("p", "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
          "要求，由{agency}编制。{scope}本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。{contact}"),
    ("h", "一、总体情况"),
    ("p", "{year}年，{agency}{guidance}认真贯彻落实《条例》和上级政务公开工作要点，不断加大主动公开力度，"
          "依法做好依申请公开工作{outcome}。"),
    ("p", "（一）主动公开。全年通过政府门户网站、政务新媒体等渠道主动公开政府信息{proactive}条，"
          "其中政策解读{interpretations}篇{concern_clause}。"),
    ("p", "（二）依申请公开。{requests_period}共收到政府信息公开申请{new}件，上年结转{carried_over}件，"
          "{handled_clause}结转下年度继续办理{carried_forward}件。"),
    ("p", "（三）政府信息管理。严格落实信息发布保密审查制度，动态调整主动公开基本目录{management}。"),
    ("p", "（四）政府信息公开平台建设。持续优化政府信息公开专栏，规范栏目设置{platform}。"),
    ("p", "（五）监督保障。将政务公开工作纳入年度绩效考核，组织业务培训{oversight}。"),
    ("h", "二、主动公开政府信息情况"),
    ("t2", ""),
    ("h", "三、收到和处理政府信息公开申请情况"),
    ("t3", ""),
    ("h", "四、政府信息公开行政复议、行政诉讼情况"),
    ("t4", ""),
    ("h", "{problems_heading}"),
    ("p", "{problems}"),
    ("h", "六、其他需要报告的事项"),
    ("p", "{other_matters}"),
]
LEGACY_TEMPLATE = [
    ("p", "根据《中华人民共和国政府信息公开条例》规定，现公布{agency}{year}年度政府信息公开工作年度报告。"
          "本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"),
    ("h", "一、概述"),
    ("p", "{year}年，我单位认真贯彻落实《条例》，健全工作机制，全年主动公开政府信息{proactive}条。"),
    ("h", "二、依申请公开情况"),
    ("p", "{year}年度，收到政府信息公开申请{new}件，均已按时办结。"),
    ("h", "三、行政复议、行政诉讼情况"),
    ("p", "{year}年度，未发生因政府信息公开引起的行政复议、行政诉讼。"),
    ("h", "四、存在的问题及改进措施"),
    ("p", "信息公开的及时性和全面性仍需加强，下一步将进一步规范工作流程。"),
    ("p", "附件：{year}年度政府信息公开工作情况统计表"),
    ("legacy", ""),
]
NARRATIVE_TEMPLATE = [
    ("p", "{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，现将本年度政府信息公开工作情况报告如下。"),
    ("h", "一、主动公开政府信息情况"),
    ("p", "全年通过门户网站主动公开政府信息{proactive}条，{narrative_proactive}"),
    ("h", "二、依申请公开政府信息情况"),
    ("p", "{requests}"),
    ("h", "三、政府信息公开的收费及减免情况"),
    ("p", "{narrative_fees}"),
    ("h", "四、因政府信息公开申请行政复议、提起行政诉讼的情况"),
    ("p", "本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"),
    ("h", "五、存在的主要问题及改进措施"),
    ("p", "公开内容还不够全面，下一步将加强培训，进一步规范公开工作。"),
]


class _Values(dict):
    """A report's values; a name that is not one is a phrase of the wording, filled in from them."""

    def __init__(self, wording: Wording) -> None:
        super().__init__()
        self.wording = wording

    def __missing__(self, name: str) -> str:
        return getattr(self.wording, name).format_map(self)


def report_blocks(form: str, n: Numbers, agency: str, year: int, *, rng: random.Random, signature: list[str],
                  wording: Wording) -> list[tuple[str, object]]:
    """A report of `form` (form2021, form2019, legacy_table, else narrative), signed with `signature` lines."""
    t = n.table3
    v = _Values(wording)
    v.update({
        "agency": agency, "year": year, "proactive": n.proactive_items, "new": t["new"][6],
        "carried_over": t["carried_over"][6], "handled": t["handled_total"][6],
        "carried_forward": t["carried_forward"][6], "granted": t["granted"][6], "partial": t["partial"][6],
        "unavailable": sum(t[f"unavailable_{i}"][6] for i in range(1, 4)),
    })
    if form in ("form2021", "form2019"):
        template, draws = FORM_TEMPLATE, wording.form_draws
        v["problems_heading"] = "五、存在的主要问题及改进情况" if form == "form2021" else "五、政府信息公开工作存在的主要问题及改进情况"
        if form != "form2021":
            v["other_matters"] = "无其他需要报告的事项。"
        elif n.fees_yuan:
            v["other_matters"] = f"依据《政府信息公开信息处理费管理办法》，本年度收取信息处理费共计{n.fees_yuan}元。"
        else:
            v["other_matters"] = "本年度未收取信息处理费。"
    elif form == "legacy_table":
        template, draws = LEGACY_TEMPLATE, ()
    else:
        template, draws = NARRATIVE_TEMPLATE, wording.narrative_draws
        v["requests"] = ("全年共收到政府信息公开申请{new}件，其中予以公开{granted}件，部分公开{partial}件，无法提供{unavailable}件。"
                         if v["new"] else "全年未收到政府信息公开申请。").format_map(v)
    for name, low, high in draws:
        v[name] = rng.randint(low, high)
    b: list[tuple[str, object]] = []
    for kind, text in template:
        if kind in ("h", "p"):
            b.append((kind, text.format_map(v)))
        elif kind == "legacy":
            assert wording.legacy_table is not None, "a legacy_table report needs Wording.legacy_table"
            b.append((kind, wording.legacy_table(n, year)))
        else:
            b.append((kind, n))
    b += [("sign", line) for line in signature]
    return b


# ---------------------------------------------------------------- the tables


def table2_rows(n: Numbers, *, br_headers: bool = False) -> Rows:
    """Table 二 with the exact 2019 or 2021 labels; a row of fewer than 3 values widens its last cell."""
    rows: Rows = []

    def widen(texts: list[str]) -> list[Cell]:
        return [(x, 4 - len(texts) if i == len(texts) - 1 else 1, 1) for i, x in enumerate(texts)]

    def section(item: str, header: list[str], labels: list[str]) -> None:
        rows.append([(f"第二十条第（{item}）项", 4, 1)])
        rows.append([("信息内容", 1, 1), *widen(header)])
        rows.extend([(label, 1, 1), *widen(n.table2[label])] for label in labels)

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
    return rows


def table3_layout(n: Numbers) -> list[tuple[str | None, list[Cell]]]:
    """Table 三 as (row key, label cells): the three header rows have no key; a keyed row continues
    with the 7 numbers `n.table3[key]`."""
    is21 = n.form == "form2021"
    out: list[tuple[str | None, list[Cell]]] = [
        (None, [(THREE_NOTE, 3, 3), ("申请人情况", 7, 1)]),
        (None, [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)]),
        (None, [(c, 1, 1) for c in APPLICANT_COLS[1:6]]),
        ("new", [("一、本年新收政府信息公开申请数量", 3, 1)]),
        ("carried_over", [("二、上年结转政府信息公开申请数量", 3, 1)]),
        ("granted", [("三、本年度办理结果", 1, 22 if is21 else 20), ("（一）予以公开", 2, 1)]),
        ("partial", [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2, 1)]),
    ]
    groups = [("（三）不予公开", "denied", DENIED), ("（四）无法提供", "unavailable", UNAVAILABLE),
              ("（五）不予处理", "rejected", REJECTED)]
    if is21:
        groups.append(("（六）其他处理", "other", OTHER_2021))
    for head, key, labels in groups:
        for i, label in enumerate(labels, 1):
            lead = [(head, 1, len(labels))] if i == 1 else []
            out.append((f"{key}_{i}", [*lead, (label, 1, 1)]))
    if not is21:
        out.append(("other", [("（六）其他处理", 2, 1)]))
    out.append(("handled_total", [("（七）总计", 2, 1)]))
    out.append(("carried_forward", [("四、结转下年度继续办理", 3, 1)]))
    return out


def table3_rows(n: Numbers) -> Rows:
    """Table 三 with its numbers."""
    return [cells + ([(str(v), 1, 1) for v in n.table3[key]] if key else []) for key, cells in table3_layout(n)]


def table4_rows(n: Numbers) -> Rows:
    """Table 四 (15 numeric columns)."""
    return [
        [("行政复议", 5, 1), ("行政诉讼", 10, 1)],
        [*[(s, 1, 2) for s in FOUR_SUB], ("未经复议直接起诉", 5, 1), ("复议后起诉", 5, 1)],
        [(s, 1, 1) for s in FOUR_SUB * 2],
        [(str(v), 1, 1) for v in n.table4],
    ]


# ---------------------------------------------------------------- HTML


def esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def td(inner: str, colspan: int = 1, rowspan: int = 1, tag: str = "td") -> str:
    """A cell around markup `inner`, with the spans that are more than 1."""
    attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
    return f"<{tag}{attrs}>{inner}</{tag}>"


def html_rows(rows: Rows) -> list[str]:
    """One `<tr>` line a row, text escaped."""
    return ["<tr>" + "".join(td(esc(text), cs, rs) for text, cs, rs in row) + "</tr>" for row in rows]


def table_html(lines: list[str], tag: str = TABLE_TAG) -> str:
    return tag + "\n" + "".join(line + "\n" for line in lines) + "</table>"


def spans_html(rows: Rows) -> str:
    return table_html(html_rows(rows))


def table2_html(n: Numbers, *, br_headers: bool = False) -> str:
    return spans_html(table2_rows(n, br_headers=br_headers)).replace("&lt;br /&gt;", "<br />")


def legacy_html(rows: list[list[str]]) -> str:
    return table_html(html_rows([[(c, 1, 1) for c in r] for r in rows]), '<table border="1" cellspacing="0" class="MsoNormalTable">')


def blocks_html(blocks: list[tuple[str, object]], *, br_headers: bool = False,
                tables: dict[str, Callable[[object], str]] | None = None) -> str:
    """Report blocks as the HTML body a CMS editor would produce; `tables` renders a table kind its own way."""
    render: dict[str, Callable[[object], str]] = {
        "t2": lambda n: table2_html(n, br_headers=br_headers),  # type: ignore[arg-type]
        "t3": lambda n: spans_html(table3_rows(n)),  # type: ignore[arg-type]
        "t4": lambda n: spans_html(table4_rows(n)),  # type: ignore[arg-type]
        "legacy": legacy_html,  # type: ignore[dict-item]
        **(tables or {}),
    }
    out: list[str] = []
    for kind, val in blocks:
        if kind == "h":
            out.append(f'<p style="text-indent:2em;"><strong>{esc(val)}</strong></p>')
        elif kind == "p":
            out.append(f'<p style="text-indent:2em;">{esc(val)}</p>')
        elif kind == "sign":
            out.append(f'<p style="text-align:right;">{esc(val)}</p>')
        else:
            out.append(render[kind](val))
    return "\n".join(out)
