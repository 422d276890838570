"""analyze() on tables in real markup: the 2021 form (二, 三, 四) and the 2019 table 二."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from extract.stats import CODEBOOK, analyze
from extract.tables import html_tables_to_grids

FIXTURES = Path(__file__).parent / "fixtures" / "tables"
COLS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")


def grids(name: str):
    return html_tables_to_grids((FIXTURES / name).read_text(encoding="utf-8"))


def run(tables, text: str = "", form: str | None = "form2021", **kw):
    stats, flags = analyze(
        text, tables, form=form, report_year=kw.get("year", 2021), document_date=kw.get("date")
    )
    return {s.key: s for s in stats}, flags


def values(stats) -> dict:
    return {k: s.value for k, s in stats.items()}


EXPECTED_2021_ROWS = {
    "new": [10, 3, 0, 0, 1, 0, 14],
    "carried_over": [1, 0, 0, 0, 0, 0, 1],
    "granted": [4, 1, 0, 0, 0, 0, 5],
    "partial": [1, 1, 0, 0, 0, 0, 2],
    "denied_state_secret": [0, 0, None, 0, 0, 0, 0],
    "denied_third_party": [1, 0, None, 0, 0, 0, 1],
    "denied_admin_query": [0, 0, None, 0, 0, 0, 0],
    "unavailable_not_held": [2, 0, 0, 0, 1, 0, 3],
    "unavailable_unclear": [0, 0, 0, 0, 0, 0, 0],
    "rejected_duplicate": [1, 0, 0, 0, 0, 0, 1],
    "rejected_confirmation": [0, 0, 0, 0, 0, 0, 0],
    "other_no_correction": [1, 0, 0, 0, 0, 0, 1],
    "other_unpaid_fee": [0, 0, 0, 0, 0, 0, 0],
    "other_misc": [0, 1, 0, 0, 0, 0, 1],
    "other": [1, 1, 0, 0, 0, 0, 2],  # form2021: the sum of the three sub-rows
    "handled_total": [10, 3, 0, 0, 1, 0, 14],
    "carried_forward": [1, 0, 0, 0, 0, 0, 1],
}


def test_form2021_table3_every_cell() -> None:
    stats, flags = run(grids("form2021.html"))
    got = values(stats)
    for row, vals in EXPECTED_2021_ROWS.items():
        for col, v in zip(COLS, vals, strict=True):
            key = f"requests.{row}.{col}"
            if v is None:
                assert key not in got, key  # blank (&nbsp;) cell = absent, not 0
            else:
                assert got.get(key) == v, (key, v, got.get(key))
    assert flags == []
    assert stats["requests.denied_third_party.natural_person"].source == "table"
    assert "4.保护第三方合法权益" in stats["requests.denied_third_party.natural_person"].evidence


def test_form2021_core_table4_and_table2() -> None:
    got = values(run(grids("form2021.html"))[0])
    assert {k: v for k, v in got.items() if k.startswith("core.")} == {
        "core.requests_new": 14,
        "core.requests_carried_over": 1,
        "core.requests_granted": 5,
        "core.requests_partial": 2,
        "core.requests_denied": 1,
        "core.requests_unavailable": 3,
        "core.requests_rejected": 1,
        "core.requests_other": 2,
        "core.requests_handled": 14,
        "core.requests_carried_forward": 1,
        "core.review_total": 3,
        "core.review_corrected": 1,
        "core.litigation_total": 3,
        "core.litigation_corrected": 1,
    }
    expected4 = {
        "review": [1, 1, 0, 1, 3],
        "litigation_direct": [0, 1, 0, 0, 1],
        "litigation_after_review": [2, 0, 0, 0, 2],
    }
    for grp, vals in expected4.items():
        for col, v in zip(("upheld", "corrected", "other", "pending", "total"), vals, strict=True):
            assert got[f"{grp}.{col}"] == v, (grp, col)
    proactive = {k: v for k, v in got.items() if k.startswith("proactive.")}
    assert proactive == {
        "proactive.rules.issued": 0,
        "proactive.rules.repealed": 0,
        "proactive.rules.in_force": 2,
        "proactive.normative_docs.issued": 3,
        "proactive.normative_docs.repealed": 1,
        "proactive.normative_docs.in_force": 12,
        "proactive.licensing.decisions": 585,
        "proactive.penalty.decisions": 37,
        "proactive.fees.amount_10k_yuan": 12.5,
    }  # 行政强制 left blank: absent
    assert all(k in CODEBOOK for k in got)


def test_form2019_table2() -> None:
    stats, flags = run(grids("form2019_table2.html"), form="form2019", year=2020)
    got = values(stats)
    assert got == {
        "proactive.rules.made": 0,
        "proactive.rules.published": 0,
        "proactive.rules.total_published": 0,
        "proactive.normative_docs.made": 4,
        "proactive.normative_docs.published": 4,
        "proactive.normative_docs.total_published": 21,
        "proactive.licensing.prev_items": 423,
        "proactive.licensing.change": 162,
        "proactive.licensing.decisions": 585,
        "proactive.other_services.prev_items": 6,
        "proactive.other_services.change": -3,
        "proactive.penalty.prev_items": 120,
        "proactive.penalty.change": 0,
        "proactive.penalty.decisions": 37,
        "proactive.coercion.prev_items": 5,
        "proactive.coercion.change": 0,
        "proactive.fees.prev_items": 2,
        "proactive.fees.change": 0,
        "proactive.procurement.projects": 3,
        "proactive.procurement.amount_10k_yuan": 25.1,  # 251000元 -> 万元
    }
    assert flags == []
    assert "本年新制作数量" in CODEBOOK["proactive.rules.made"][0]


def test_form2019_table3_other_is_one_row() -> None:
    html = """<table>
    <tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>
    <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
    <tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
    <tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>3</td><td></td><td></td><td></td><td></td><td></td><td>3</td></tr>
    <tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（六）其他处理</td><td>3</td><td></td><td></td><td></td><td></td><td></td><td>3</td></tr>
    <tr><td colspan="2">（七）总计</td><td>3</td><td></td><td></td><td></td><td></td><td></td><td>3</td></tr>
    </table>"""
    got = values(run(html_tables_to_grids(html), form="form2019", year=2020)[0])
    assert got["requests.other.total"] == 3
    assert got["core.requests_other"] == 3
    assert "requests.new.commercial" not in got
    assert not any(k.startswith("requests.other_") for k in got)


def test_labels_in_other_columns_and_unlabelled_rows() -> None:
    """Text-table shape: sub-labels in the 自然人 column; label-less zero rows are skipped."""
    header = [
        ["（本列数据的勾稽关系）", "申请人情况", "", "", "", "", "", "总计"],
        ["", "自然人", "法人或其他组织", "", "", "", "", ""],
        ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
    ]
    body = [
        ["一、本年新收政府信息公开申请数量", "2", "", "", "", "", "", "2"],
        ["(一) 予以公开", "", "", "", "", "", "", "1"],
        ["", "", "", "", "", "", "", "0"],
        ["", "", "", "", "", "", "", "0"],
        ["(三) 不予公开", "1. 属于国家秘密", "", "", "", "", "", "0"],
        ["", "2. 其他法律行政法规禁止公开", "", "", "", "", "", "1"],
        ["(七) 总计", "2", "", "", "", "", "", "2"],
    ]
    stats, flags = run([header + body], form="form2019", year=2020)
    got = values(stats)
    assert got["requests.granted.total"] == 1
    assert got["requests.denied_state_secret.total"] == 0
    assert got["requests.denied_prohibited_by_law.total"] == 1
    assert got["requests.handled_total.natural_person"] == 2
    assert "requests.partial.total" not in got  # the zero rows after 予以公开 are not 部分公开
    assert flags == []


def test_unlabelled_rows_with_numbers_are_flagged_or_placed() -> None:
    header = [["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]
    lab = [""] * 0
    rows = [
        ["一、本年新收政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"],
        ["（一）予以公开", "1", "0", "0", "0", "0", "0", "1"],
        ["", "0", "0", "0", "0", "0", "2", "2"],  # exactly one row missing between -> placed
        ["（三）不予公开 1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0"],
    ]
    grid = [[""] + header[0]] + [lab + r for r in rows]
    got, flags = run([grid], form="form2019")
    assert values(got)["requests.partial.other_org"] == 2
    assert any("placed by position (partial)" in f for f in flags)
    rows.insert(2, ["", "0", "0", "0", "0", "0", "3", "3"])  # now two rows for one slot
    grid = [[""] + header[0]] + rows
    got, flags = run([grid], form="form2019")
    assert "requests.partial.total" not in values(got)
    assert any("unlabelled row(s) with numbers skipped" in f for f in flags)


@pytest.mark.parametrize(
    "bad",
    [
        [],
        [[]],
        [["自然人"], ["予以公开"]],
        [["自然人", "总计"], ["（一）予以公开", "abc", "1"], ["（二）部分公开"]],
        [["行政复议", "结果维持"], ["x"]],
        [["信息内容", "本年制发件数"], ["规章", "三件"]],
        [["统计指标", "单位", "统计数"], ["收到申请数", "件", "很多"]],
        [["自然人", "总计"], ["一、本年新收政府信息公开申请数量", 3, 3], [None, None, None]],
    ],
)
def test_malformed_tables_never_raise(bad) -> None:
    stats, flags = analyze("", [bad], form="form2021", report_year=2021, document_date=None)
    assert isinstance(stats, list) and isinstance(flags, list)


def test_ragged_rows_and_text_in_number_cells_flagged() -> None:
    t3 = copy.deepcopy(grids("form2021.html")[1])
    t3[3] = t3[3][:6]  # ragged: 一、本年新收 row cut short
    granted = next(r for r in t3 if "（一）予以公开" in r)
    granted[5] = "见附件"
    stats, flags = run([t3])
    got = values(stats)
    assert got["requests.new.natural_person"] == 10 and "requests.new.total" not in got
    assert "requests.granted.research" not in got
    assert any("text in a number cell (research)" in f for f in flags)
    t4 = [["行政复议", "行政诉讼"], ["结果维持", "总计"], ["n/a", "x", "y"]]
    _, flags = run([t4])
    assert any(f.startswith("table 四 could not be read") for f in flags)


def test_form_tables_from_grids_precede_text() -> None:
    stats, flags = run(
        grids("form2021.html"), text="本年度共收到政府信息公开申请14件。主动公开政府信息120条。"
    )
    assert stats["core.requests_new"].source == "table"
    assert stats["core.proactive_items"].source == "text"
    assert stats["core.proactive_items"].value == 120
    assert flags == []


def _unspan(grid):
    """Blank the copies of spanned text cells, as PDF table extraction leaves them (None → "")."""
    out = [list(r) for r in grid]
    for i, row in enumerate(grid):
        for j, c in enumerate(row):
            if not c or c.isdigit():
                continue
            if (j and row[j - 1] == c) or (i and j < len(grid[i - 1]) and grid[i - 1][j] == c):
                out[i][j] = ""
    return out


def test_pdf_style_grids_with_blank_span_slots() -> None:
    t2, t3, t4 = grids("form2021.html")
    stats, flags = run([_unspan(t2), _unspan(t3), _unspan(t4)])
    full = values(run([t2, t3, t4])[0])
    assert values(stats) == full
    assert flags == []


def test_table2_header_split_over_two_rows() -> None:
    grid = [
        ["第二十条第（一）项", "", "", ""],
        ["信息内容", "本年新", "本年新", "对外公开总数量"],
        ["", "制作数量", "公开数量", ""],
        ["规章", "1", "2", "3"],
        ["规范性文件", "4", "5", "６"],
        ["第二十条第（九）项", "", "", ""],
        ["信息内容", "采购项目数量", "采购总金额（元）", ""],
        ["政府集中采购", "2", "129590", ""],
    ]
    got = values(run([grid], form="form2019", year=2020)[0])
    assert got == {
        "proactive.rules.made": 1,
        "proactive.rules.published": 2,
        "proactive.rules.total_published": 3,
        "proactive.normative_docs.made": 4,
        "proactive.normative_docs.published": 5,
        "proactive.normative_docs.total_published": 6,
        "proactive.procurement.projects": 2,
        "proactive.procurement.amount_10k_yuan": 12.959,
    }
