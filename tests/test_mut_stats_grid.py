"""extract/stats/grid_tables: table 二 (read_table2), table 四 (read_table4) and which table a grid is
(classify, appeal_numbers_row), on hand-made grids in the shapes real reports print.

The mutation run (scripts/mutation.sh stats-grid) left these decisions unpinned: a table taken for another,
a column read under the wrong header, an amount in 元 not converted, a row skipped silently. Each test
states what a reader of the printed table would write down; flags and evidence are asserted exactly
because they are what a user sees when a number is questioned.
"""

from __future__ import annotations

from extract.stats.base import Collector
from extract.stats.checks import _fmt, check_document_date
from extract.stats.grid_tables import _appeal_measure, appeal_numbers_row, classify, read_table2, read_table4
from tests.test_table4_units import GROUPS, KEYS, MEASURES, NUMBERS, SUB


def t2(grid: list[list[str]]) -> Collector:
    out = Collector()
    read_table2(grid, out)
    return out


def values(out: Collector) -> dict[str, float]:
    return {k: s.value for k, s in out.stats.items()}


# --- table 二 ------------------------------------------------------------------------------------------

ITEM1 = ["第二十条第（一）项"] * 4
ITEM5 = ["第二十条第（五）项"] * 4
HEAD_2019_DOCS = ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
HEAD_2019_ITEMS = ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]


def test_table2_2019_rows_and_columns_by_their_headers():
    grid = [
        ITEM1, HEAD_2019_DOCS,
        ["规章", "1", "2", "3"],
        ["规范性文件", "4", "5", "21"],
        ITEM5, HEAD_2019_ITEMS,
        ["行政许可", "423", "+162", "585"],
        ["其他对外管理服务事项", "6", "-3", ""],  # blank: absent, and the row goes on
        ["行政处罚", "120", "0", "37"],
    ]
    out = t2(grid)
    assert values(out) == {
        "proactive.rules.made": 1, "proactive.rules.published": 2, "proactive.rules.total_published": 3,
        "proactive.normative_docs.made": 4, "proactive.normative_docs.published": 5,
        "proactive.normative_docs.total_published": 21,
        "proactive.licensing.prev_items": 423, "proactive.licensing.change": 162,
        "proactive.licensing.decisions": 585,
        "proactive.other_services.prev_items": 6, "proactive.other_services.change": -3,
        "proactive.penalty.prev_items": 120, "proactive.penalty.change": 0, "proactive.penalty.decisions": 37,
    }
    assert out.flags == []
    assert out.stats["proactive.licensing.change"].evidence == "table 二: 行政许可 | 423 | +162 | 585"
    assert out.stats["proactive.rules.made"].confidence == "table-label"


def test_table2_item_reference_in_the_label_column():
    """第二十条第（一）项 in a rowspan column before 规章: not part of the label (规章 must start it)."""
    grid = [
        ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["第二十条第（一）项", "规章", "0", "1", "2"],
        ["第二十条第（一）项", "行政规范性文件", "3", "1", "12"],
    ]
    out = t2(grid)
    assert values(out) == {
        "proactive.rules.issued": 0, "proactive.rules.repealed": 1, "proactive.rules.in_force": 2,
        "proactive.normative_docs.issued": 3, "proactive.normative_docs.repealed": 1,
        "proactive.normative_docs.in_force": 12,
    }
    assert out.flags == []
    assert out.stats["proactive.rules.in_force"].evidence == "table 二: 规章 | 第二十条第（一）项 | 0 | 1 | 2"


def test_table2_amounts_in_yuan_become_10k_yuan():
    grid = [
        ["信息内容", "采购项目数量", "采购总金额（元）"],
        ["政府集中采购", "3", "251000"],
        ["信息内容", "上一年项目数量", "本年增/减", "本年收费金额"],
        ["行政事业性收费", "2", "0", "251000元"],  # the unit in the cell itself
    ]
    out = t2(grid)
    assert values(out) == {
        "proactive.procurement.projects": 3, "proactive.procurement.amount_10k_yuan": 25.1,
        "proactive.fees.prev_items": 2, "proactive.fees.change": 0, "proactive.fees.amount_10k_yuan": 25.1,
    }
    assert out.flags == []
    grid = [["信息内容", "采购项目数量", "采购总金额（万元）"], ["政府集中采购", "4", "12.5"]]
    assert values(t2(grid))["proactive.procurement.amount_10k_yuan"] == 12.5
    grid = [["信息内容", "采购项目数量", "采购总金额（元）"], ["政府集中采购", "4", "1234.5678"]]
    assert values(t2(grid))["proactive.procurement.amount_10k_yuan"] == 0.123457  # to 0.01 元 (six places of 万元)
    grid = [["信息内容", "采购项目数量", "采购总金额"], ["政府集中采购", "4", "12.5"]]  # no unit: the form's 万元
    assert values(t2(grid))["proactive.procurement.amount_10k_yuan"] == 12.5


def test_table2_columns_a_row_does_not_have_are_not_read():
    """A row under a header that is not its own (the header was not repeated): only the cells the form
    has for that row are taken — 行政许可 has no 新制作数量."""
    grid = [["信息内容", "本年新制作数量", "处理决定数量"], ["行政许可", "9", "585"]]
    out = t2(grid)
    assert values(out) == {"proactive.licensing.decisions": 585}
    assert out.flags == []


def test_table2_text_in_a_number_cell_and_rows_not_recognised():
    grid = [
        HEAD_2019_ITEMS,
        ["行政许可", "见附件", "", "585"],
        ["合计", "1", "2", "3"],
        ["", "7", "8", "9"],
        ["行政处罚", "120", "0", "37"],
    ]
    out = t2(grid)
    assert values(out) == {
        "proactive.licensing.decisions": 585,
        "proactive.penalty.prev_items": 120, "proactive.penalty.change": 0, "proactive.penalty.decisions": 37,
    }
    assert out.flags == [
        "table 二: text in a number cell (licensing.prev_items): '见附件'",
        "table 二: row not recognised: 合计",
        "table 二: row not recognised: (no label)",
    ]
    assert out.stats["proactive.licensing.decisions"].evidence == "table 二: 行政许可 | 见附件 | 585"


def test_table2_rows_before_any_header_and_a_ragged_header():
    assert t2([["规章", "3", "1"]]).stats == {}  # numbers without a header: nothing to name them
    grid = [["第二十条第（五）项"], HEAD_2019_ITEMS, ["行政许可", "1", "2"]]  # a short title row, a short data row
    assert values(t2(grid)) == {"proactive.licensing.prev_items": 1, "proactive.licensing.change": 2}


# --- table 四 ------------------------------------------------------------------------------------------

# The 2021 form's table 四 header rows and one numbers row, as in tests/test_table4_units.py.


def t4(grid: list[list[str]], **kw: bool) -> Collector:
    out = Collector()
    read_table4(grid, out, **kw)
    return out


def test_table4_is_not_verified_unless_asked():
    bad = NUMBERS[:4] + ["11"] + NUMBERS[5:]  # 1+2+3+4 is not 11, as printed
    assert values(t4([GROUPS, SUB, MEASURES, bad]))["review.total"] == 11


def test_table4_a_note_below_the_numbers_is_not_a_header():
    out = t4([GROUPS, SUB, MEASURES, NUMBERS, ["注：本表数据截至12月31日"] + [""] * 14])
    assert values(out) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True)) and out.flags == []


def test_table4_headers_without_numbers():
    out = t4([GROUPS, SUB, MEASURES])
    assert out.stats == {} and out.flags == ["table 四 could not be read: no row of numbers"]


def test_table4_ragged_header_rows():
    """Header rows shorter than the table (a PDF grid): the missing cells are blank."""
    grid = [["行政复议"], ["", "", "", "", "", "未经复议直接起诉"] + [""] * 4 + ["复议后起诉"], MEASURES, NUMBERS]
    assert values(t4(grid)) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True))


def test_table4_group_name_split_over_two_header_rows():
    """复议后 / 起诉 broken over two header rows, its group printed first: the name is read across rows."""
    order = list(range(10, 15)) + list(range(5)) + list(range(5, 10))  # 复议后起诉, 行政复议, 直接起诉
    top = ["行政诉讼复议"] * 5 + ["行政复议"] * 5 + ["行政诉讼未经复议"] * 5
    mid = ["后起诉"] * 5 + [""] * 5 + ["直接起诉"] * 5
    grid = [top, mid, [MEASURES[j] for j in order], [NUMBERS[j] for j in order]]
    assert values(t4(grid)) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True))


def test_table4_headerless_takes_the_first_row_of_fifteen():
    second = [str(n) for n in range(20, 35)]
    out = t4([NUMBERS, second])
    assert values(out) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True))


def test_table4_a_group_without_its_upheld_column():
    """行政复议 printed without 结果维持: the next group starts at its own 结果维持 all the same."""
    grid = [GROUPS[1:], SUB[1:], MEASURES[1:], NUMBERS[1:]]
    out = t4(grid)
    assert values(out) == {k: int(n) for k, n in zip(KEYS[1:], NUMBERS[1:], strict=True)}
    assert out.flags == []


def test_table4_a_group_missing_a_middle_measure_still_splits_where_measures_repeat():
    keep = [j for j in range(15) if j != 5]  # 直接起诉 without 结果维持
    grid = [[row[j] for j in keep] for row in (GROUPS, SUB, MEASURES, NUMBERS)]
    out = t4(grid)
    assert values(out) == {KEYS[j]: int(NUMBERS[j]) for j in keep}


def test_table4_a_fourth_group_cannot_be_named():
    grid = [GROUPS + ["合计"] * 5, SUB + [""] * 5, MEASURES * 1 + MEASURES[:5], NUMBERS + ["9"] * 5]
    out = t4(grid)
    assert values(out) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True))
    assert out.flags == ["table 四: a group of columns could not be named; skipped"]


def test_table4_an_unnamed_group_between_named_ones_is_skipped_alone():
    """行政复议, a group named 其他, then 未经复议直接起诉: the middle group's slot in the form's order
    (直接起诉) is taken by the third, so the middle one is skipped and the third still read."""
    grid = [
        GROUPS[:5] + ["其他"] * 5 + GROUPS[5:10],
        SUB[:5] + [""] * 5 + SUB[5:10],
        MEASURES[:5] + MEASURES[:5] + MEASURES[5:10],
        NUMBERS[:5] + ["9"] * 5 + NUMBERS[5:10],
    ]
    out = t4(grid)
    assert values(out) == {KEYS[j]: int(NUMBERS[j]) for j in range(10)}
    assert out.flags == ["table 四: a group of columns could not be named; skipped"]


def test_table4_headers_below_the_sixth_row_are_not_looked_for():
    notes = [["注"] + [""] * 14] * 4
    out = t4(notes + [GROUPS, SUB, MEASURES, NUMBERS])
    assert values(out) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True))
    assert out.flags == ["table 四: column headers not recognised, columns read by position"]


def test_table4_a_named_group_keeps_its_name_when_another_is_unnamed():
    """复议后起诉, 行政复议, then a group without a name: the third slot of the form's order
    (复议后起诉) is taken, so the unnamed group is skipped — the named ones are not renamed."""
    order = list(range(10, 15)) + list(range(5))
    grid = [
        [GROUPS[j] for j in order] + ["其他"] * 5,
        [SUB[j] for j in order] + [""] * 5,
        [MEASURES[j] for j in order] + MEASURES[:5],
        [NUMBERS[j] for j in order] + ["5"] * 5,
    ]
    out = t4(grid)
    assert values(out) == {KEYS[j]: int(NUMBERS[j]) for j in order}
    assert out.flags == ["table 四: a group of columns could not be named; skipped"]


def test_table4_ocr_tolerance_and_short_rows():
    near = NUMBERS[:4] + ["10.005"] + NUMBERS[5:]
    assert t4([GROUPS, SUB, MEASURES, near], verify=True).stats == {}
    edge = ["0"] * 4 + ["0.005"] + NUMBERS[5:]  # 0.005 off: still within the tolerance
    assert t4([GROUPS, SUB, MEASURES, edge], verify=True).stats["review.total"].value == 0.005
    out = t4([GROUPS, SUB, MEASURES, NUMBERS[:10]], verify=True)  # 复议后起诉 cut off: cannot be checked
    assert out.stats == {} and out.flags == ["table 四 from OCR not read: its groups do not add up"]


def test_appeal_measure():
    assert _appeal_measure("结果维持") == "upheld" and _appeal_measure("总计") == "total"
    assert _appeal_measure("行政复议总计") is None  # a group's name, not a measure
    assert _appeal_measure("行政诉讼合计") is None and _appeal_measure("起诉其他") is None
    assert _appeal_measure("") is None


# --- which table -------------------------------------------------------------------------------------


def test_classify_each_table():
    assert classify([["统计指标", "单位", "统计数"], ["收到申请数", "件", "3"]]) == "legacy"
    assert classify([["统计指标", "单位", "统计数"], ["主动公开规范性文件数", "条", "3"]]) == "legacy"
    assert classify([["", "自然人", "总计"], ["（一）予以公开", "1", "1"]]) == "三"
    assert classify([GROUPS, MEASURES, NUMBERS]) == "四"
    assert classify([["信息内容", "本年制发件数"], ["规章", "1"]]) == "二"
    assert classify([["规章", "3"], ["行政许可", "5"]]) == "二"  # without 信息内容: 规章 and 行政许可 together
    assert classify([["（三）不予公开", "1"], ["（四）无法提供", "0"]]) == "三+"
    assert classify([["本年新收", "3"], ["上年结转", "1"]]) == "三+"
    assert classify([[""], [" "]]) is None


def test_classify_needs_both_halves_of_each_signature():
    assert classify([["自然人", "5"]]) is None  # 自然人 alone is not table 三
    assert classify([["", "自然人"], ["予以公开", "1"]]) == "三"
    assert classify([["行政复议", "3"]]) is None  # 行政复议 alone is not table 四
    assert classify([["规范性文件", "3"]]) is None
    assert classify([["行政许可", "3"]]) is None
    assert classify([["（三）不予公开", "1"]]) is None  # one outcome row is not a continuation
    assert classify([["本年新收", "3"]]) is None


def test_appeal_numbers_row():
    ok = [str(n) for n in NUMBERS]
    assert appeal_numbers_row([ok])
    assert appeal_numbers_row([["1", "2", "3"], ok])  # not the first row
    assert not appeal_numbers_row([ok[:4] + ["11"] + ok[5:]])
    assert not appeal_numbers_row([ok[:4] + ["10.005"] + ok[5:]])
    assert not appeal_numbers_row([["0.005", "0", "0", "0", "0"] + ok[5:]])  # strictly within 0.005
    assert not appeal_numbers_row([ok + ["4"]])  # sixteen numbers
    assert not appeal_numbers_row([ok[:14] + ["不详"]])
    assert not appeal_numbers_row([["行政复议"]])


def test_check_helpers():
    assert _fmt(1234567) == "1234567" and _fmt(2.5) == "2.5"
    out = Collector()
    check_document_date("2021-12-31T08:00", 2021, out)
    assert out.flags == []  # the last day of the year is not before its end
