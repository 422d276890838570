"""extract/stats/grid_tables.Table3 on hand-made grids of table 三 (政府信息公开申请情况), cell by cell.

Every request number of a report comes through Table3; the document tests reach it through whole reports,
and the mutation run (scripts/mutation.sh stats-grid) left its placement rules unpinned: which column a
number lands in, which row a label claims, when an unlabelled or misprinted row is placed by the form's row
order, and the exact flag and evidence a reader sees. The grids follow the 2021 form as an HTML table comes
out of extract.tables (rowspan/colspan copied into every slot): three header rows, three label columns,
seven number columns (自然人, five 法人或其他组织 columns, 总计). Numbers are chosen so that every cell differs
from its neighbours (row r: 10+r, 20+r, … 60+r and their sum), so a number in the wrong column shows.
"""

from __future__ import annotations

import pytest

from extract.stats.base import Collector
from extract.stats.grid_tables import (
    Table3,
    _adds_up,
    _canonical_rows,
    _evidence,
    _looks_like_label,
    _match_request_row,
    _near_label,
    _request_colmap,
)
from extract.stats.keys import REQUEST_ROWS

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
H0 = [NOTE] * 3 + ["申请人情况"] * 7
H1 = [NOTE] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"]
H2 = [NOTE] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
HEADER = [H0, H1, H2]
COLS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")
R = "三、本年度办理结果"

# (label cells, row key) in the 2021 form's order
LABELS_2021 = [
    (["一、本年新收政府信息公开申请数量"] * 3, "new"),
    (["二、上年结转政府信息公开申请数量"] * 3, "carried_over"),
    ([R, "（一）予以公开", "（一）予以公开"], "granted"),
    ([R, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] * 1 + ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"], "partial"),
    ([R, "（三）不予公开", "1.属于国家秘密"], "denied_state_secret"),
    ([R, "（三）不予公开", "2.其他法律行政法规禁止公开"], "denied_prohibited_by_law"),
    ([R, "（三）不予公开", "3.危及“三安全一稳定”"], "denied_security_stability"),
    ([R, "（三）不予公开", "4.保护第三方合法权益"], "denied_third_party"),
    ([R, "（三）不予公开", "5.属于三类内部事务信息"], "denied_internal_affairs"),
    ([R, "（三）不予公开", "6.属于四类过程性信息"], "denied_process_info"),
    ([R, "（三）不予公开", "7.属于行政执法案卷"], "denied_enforcement_file"),
    ([R, "（三）不予公开", "8.属于行政查询事项"], "denied_admin_query"),
    ([R, "（四）无法提供", "1.本机关不掌握相关政府信息"], "unavailable_not_held"),
    ([R, "（四）无法提供", "2.没有现成信息需要另行制作"], "unavailable_needs_creation"),
    ([R, "（四）无法提供", "3.补正后申请内容仍不明确"], "unavailable_unclear"),
    ([R, "（五）不予处理", "1.信访举报投诉类申请"], "rejected_petition"),
    ([R, "（五）不予处理", "2.重复申请"], "rejected_duplicate"),
    ([R, "（五）不予处理", "3.要求提供公开出版物"], "rejected_publication"),
    ([R, "（五）不予处理", "4.无正当理由大量反复申请"], "rejected_excessive"),
    ([R, "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"], "rejected_confirmation"),
    ([R, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"], "other_no_correction"),
    ([R, "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"], "other_unpaid_fee"),
    ([R, "（六）其他处理", "3.其他"], "other_misc"),
    ([R, "（七）总计", "（七）总计"], "handled_total"),
    (["四、结转下年度继续办理"] * 3, "carried_forward"),
]
# the 2019 form: （六）其他处理 is one row
LABELS_2019 = [x for x in LABELS_2021 if not x[1].startswith("other_")]
LABELS_2019.insert(20, ([R, "（六）其他处理", "（六）其他处理"], "other"))


def numbers(r: int) -> list[int]:
    parts = [10 + r, 20 + r, 30 + r, 40 + r, 50 + r, 60 + r]
    return [*parts, sum(parts)]


def body(labels: list[tuple[list[str], str]]) -> tuple[list[list[str]], dict[str, int]]:
    rows, gold = [], {}
    for r, (cells, key) in enumerate(labels):
        nums = numbers(r)
        rows.append(cells + [str(n) for n in nums])
        gold.update({f"requests.{key}.{c}": n for c, n in zip(COLS, nums, strict=True)})
    return rows, gold


def read(grid: list[list[str]], form: str | None = "form2021", **kw: bool) -> tuple[Collector, Table3]:
    out = Collector()
    t3 = Table3(out, form, **kw)
    t3.read(grid)
    return out, t3


def values(out: Collector) -> dict[str, float]:
    return {k: s.value for k, s in out.stats.items()}


# --- whole tables -----------------------------------------------------------------------------------


def test_form2021_every_cell_by_label():
    rows, gold = body(LABELS_2021)
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == []
    s = out.stats["requests.granted.commercial"]
    assert (s.source, s.confidence) == ("table", "table-label")
    # the label cells (already in the label) are left out of the evidence, the numbers stay
    assert s.evidence == "table 三: 三、本年度办理结果(一)予以公开 | 12 | 22 | 32 | 42 | 52 | 62 | 222"
    assert {s.confidence for s in out.stats.values()} == {"table-label"}


def test_form2019_other_is_one_row():
    rows, gold = body(LABELS_2019)
    out, _ = read(HEADER + rows, form="form2019")
    assert values(out) == gold
    assert out.flags == []


def test_blank_cells_and_blank_rows_inside_the_table():
    rows, gold = body(LABELS_2021[:6])
    rows[4][5] = "—"  # 国家秘密 / 科研机构: a dash, so absent (not 0), and the row goes on
    del gold["requests.denied_state_secret.research"]
    rows.insert(3, [""] * 10)  # an empty row in the middle ends nothing
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == []


def test_a_continuation_grid_uses_the_first_pages_columns():
    rows, gold = body(LABELS_2021)
    out = Collector()
    t3 = Table3(out, "form2021")
    t3.read(HEADER + rows[:8])
    t3.read(rows[8:], continuation=True)  # the next PDF page: no header
    assert values(out) == gold
    assert out.flags == []
    assert t3.positional is False


def test_a_continuation_without_any_header_is_read_by_position_only_where_rows_add_up():
    rows, gold = body(LABELS_2021[:4])
    rows[1][-1] = "999"  # 上年结转: the total does not add up
    out = Collector()
    t3 = Table3(out, "form2021")
    t3.read(rows, continuation=True)
    want = {k: v for k, v in gold.items() if ".carried_over." not in k}
    assert values(out) == want
    assert out.flags == [
        "table 三: no column headers, columns read by position",
        "table 三: row 二、上年结转政府信息公开申请数量 does not add up, so its columns (read by position or from OCR)"
        " do not add up; skipped",
    ]
    assert {s.confidence for s in out.stats.values()} == {"table-position"}
    t3.read(rows[2:3], continuation=True)  # a second page keeps the columns found
    assert out.flags[-1].endswith("skipped")


def test_a_narrow_continuation_without_header_is_not_read():
    out = Collector()
    Table3(out, "form2021").read([["（一）予以公开", "1", "0", "0", "0", "0", "1"]], continuation=True)
    assert out.stats == {}
    assert out.flags == ["table 三 could not be read: a continuation without column headers"]


def test_unrecognised_headers_fall_back_to_position():
    """No header names a column; a complete row that does not add up keeps the form's order from being
    proven, so columns are taken by position and only rows that add up are read."""
    rows, gold = body(LABELS_2021[:5])
    rows[1][-1] = "1"
    gold = {k: v for k, v in gold.items() if ".carried_over." not in k}
    out, t3 = read([[NOTE] * 3 + ["申请人情况"] * 7] + rows)
    assert values(out) == gold
    assert out.flags == [
        "table 三: column headers not recognised, columns read by position",
        "table 三: row 二、上年结转政府信息公开申请数量 does not add up, so its columns (read by position or from OCR)"
        " do not add up; skipped",
    ]
    assert t3.positional is True and {s.confidence for s in out.stats.values()} == {"table-position"}


def test_unrecognised_headers_of_a_narrow_table_are_not_read():
    grid = [["", "甲", "乙"], ["（一）予以公开", "1", "1"]]
    out, _ = read(grid)
    assert out.stats == {} and out.flags == ["table 三 could not be read: column headers not recognised"]


def test_two_recognised_columns_are_enough():
    """自然人 / 法人或其他组织 / 总计 only: two columns known by their headers, read by label."""
    grid = [
        ["", "自然人", "法人或其他组织", "总计"],
        ["一、本年新收政府信息公开申请数量", "7", "2", "9"],
        ["（一）予以公开", "5", "1", "6"],
    ]
    out, t3 = read(grid)
    assert values(out) == {
        "requests.new.natural_person": 7,
        "requests.new.total": 9,
        "requests.granted.natural_person": 5,
        "requests.granted.total": 6,
    }
    assert out.flags == [] and t3.positional is False


# --- rows: labels, text in number cells, repeated headers, duplicates ---------------------------------


def test_text_in_a_number_cell_is_flagged_and_the_rest_of_the_row_read():
    rows, gold = body(LABELS_2021[2:4])
    rows[0][3] = "见说明"  # before any number: not a label, so a number cell holding text
    rows[1][4] = "（三）不予公开"  # after a number: the next row's label spilled into a number cell
    del gold["requests.granted.natural_person"], gold["requests.partial.commercial"]
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == [
        "table 三: text in a number cell (natural_person): '见说明'",
        "table 三: text in a number cell (commercial): '（三）不予公开'",
    ]


def test_a_label_spilled_after_a_number_does_not_change_the_row():
    rows, gold = body(LABELS_2021[2:3])
    rows[0][4] = "（二）部分公开"  # taken into the label it would make this row 部分公开
    del gold["requests.granted.commercial"]
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert "requests.partial.total" not in out.stats


def test_a_repeated_header_row_claims_no_row_and_does_not_end_the_table():
    rows, gold = body(LABELS_2021[:14])
    rows[11][:3] = [""] * 3  # 8.属于行政查询事项 lost its label
    rows.insert(12, H2)  # the column header repeated (page break) just after it
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == ["table 三: 1 unlabelled row(s) placed by position (denied_admin_query)"]


def test_a_label_only_row_ends_a_run_of_unlabelled_rows():
    """二、上年结转 printed alone, its numbers on the next (unlabelled) line: the lines before are not
    taken for it, the line after fills the one gap left (上年结转)."""
    rows, gold = body(LABELS_2021[:3])
    nums = rows[1][3:]
    rows[1:2] = [[""] * 3 + [str(n) for n in numbers(7)], ["二、上年结转政府信息公开申请数量"] * 3 + [""] * 7,
                 [""] * 3 + nums]
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == [
        "table 三: 1 unlabelled row(s) with numbers skipped",
        "table 三: 1 unlabelled row(s) placed by position (carried_over)",
    ]


def test_a_row_printed_twice():
    rows, gold = body(LABELS_2021[2:4])
    same = list(rows[0])
    other = list(rows[0][:3]) + [str(n) for n in numbers(9)]
    out, _ = read(HEADER + rows[:1] + [same] + rows[1:])
    assert values(out) == gold and out.flags == []  # the same numbers twice: nothing to say
    out, _ = read(HEADER + rows[:1] + [other] + rows[1:])
    assert values(out) == gold  # the first one is kept, and the rows after it are read
    assert out.flags == ["table 三: row 三、本年度办理结果(一)予以公开 appears twice; the first one is kept"]


def test_other_after_the_total_is_not_a_sub_row():
    """（六）… 3.其他 is other_misc only inside （六）其他处理; after （七）总计 a row 其他 is not recognised."""
    rows, gold = body(LABELS_2021[20:24])
    rows.append(["其他"] * 3 + [str(n) for n in numbers(30)])
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == ["table 三: row not recognised: 其他"]


# --- rows placed by the form's order ------------------------------------------------------------------


@pytest.mark.parametrize("lost", [0, 24])  # the first row, the last row
def test_an_unlabelled_first_or_last_row_is_placed(lost):
    rows, gold = body(LABELS_2021)
    rows[lost][:3] = [""] * 3
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    key = LABELS_2021[lost][1]
    assert out.flags == [f"table 三: 1 unlabelled row(s) placed by position ({key})"]
    s = out.stats[f"requests.{key}.total"]
    assert (s.source, s.confidence) == ("table", "table-position")
    nums = " | ".join(str(n) for n in numbers(lost))
    assert s.evidence == f"table 三: [{key}, by position] | {nums}"


def test_a_misprinted_label_is_placed_when_it_is_a_near_miss():
    rows, gold = body(LABELS_2021[4:7])
    # 洪泽 2023's misprint of 其他法律行政法规禁止公开, behind the section labels an HTML rowspan copies in
    # (before the fix in _near_label, only the bare label of a text table was recognised as a near miss)
    rows[1][2] = "2.其他法律行政止公开"
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == ["table 三: 1 row(s) with a misprinted label placed by position (denied_prohibited_by_law)"]
    s = out.stats["requests.denied_prohibited_by_law.natural_person"]
    assert s.evidence == (
        "table 三: 三、本年度办理结果(三)不予公开2.其他法律行政止公开 [denied_prohibited_by_law, by position]"
        " | 11 | 21 | 31 | 41 | 51 | 61 | 216"
    )


def test_a_misprinted_label_that_is_no_near_miss_is_not_placed():
    rows, gold = body(LABELS_2021[4:7])
    rows[1][2] = "2.另见附件"
    out, _ = read(HEADER + rows)
    assert values(out) == {k: v for k, v in gold.items() if "prohibited" not in k}
    assert out.flags == ["table 三: row not recognised: 三、本年度办理结果(三)不予公开2.另见附件"]


def test_two_misprinted_rows_for_one_gap_are_named_in_the_flag():
    rows, gold = body(LABELS_2021[2:5])
    rows[1][1:3] = ["（二）部分", "（二）部分"]
    rows.insert(2, ["", "另见附件", "另见附件"] + [str(n) for n in numbers(8)])
    out, _ = read(HEADER + rows)
    assert out.flags == ["table 三: row not recognised: 三、本年度办理结果(二)部分, 另见附件"]


def test_a_placed_row_printed_again_with_its_label():
    rows, gold = body(LABELS_2021[2:5])
    again = list(rows[1])
    rows[1][:3] = [""] * 3  # 部分公开 without its label: placed by position …
    rows.append(again)  # … and the same row again, labelled, after the table: nothing to say
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == ["table 三: 1 unlabelled row(s) placed by position (partial)"]


def test_two_unlabelled_rows_for_one_gap_are_skipped():
    rows, gold = body(LABELS_2021[2:5])
    rows[1][:3] = [""] * 3
    rows.insert(2, [""] * 3 + [str(n) for n in numbers(8)])
    out, _ = read(HEADER + rows)
    assert values(out) == {k: v for k, v in gold.items() if ".partial." not in k}
    assert out.flags == ["table 三: 2 unlabelled row(s) with numbers skipped"]


def test_unlabelled_zero_rows_are_layout_debris():
    rows, gold = body(LABELS_2021[2:4])
    rows.insert(1, [""] * 3 + ["0"] * 7)
    out, _ = read(HEADER + rows)
    assert values(out) == gold and out.flags == []


@pytest.mark.parametrize(
    ("form", "placed"),
    [
        ("form2019", ["other"]),
        ("form2021", ["other_no_correction", "other_unpaid_fee", "other_misc"]),
    ],
)
def test_the_forms_row_order_decides_what_fills_a_gap(form, placed):
    """Between 5.要求…确认 and （七）总计 the 2019 form has one row (其他处理), the 2021 form three."""
    labels = [LABELS_2021[19]] + [([""] * 3, k) for k in placed] + [LABELS_2021[23]]
    rows, gold = body(labels)
    out, _ = read(HEADER + rows, form=form)
    assert values(out) == gold
    assert out.flags == [f"table 三: {len(placed)} unlabelled row(s) placed by position ({', '.join(placed)})"]
    labels = [LABELS_2021[19]] + [([""] * 3, "other")] + [LABELS_2021[23]]
    rows, _ = body(labels)
    out, _ = read(HEADER + rows, form=None)  # form unknown: four rows in that gap, one given: not placed
    assert out.flags == ["table 三: 1 unlabelled row(s) with numbers skipped"]


def test_two_separate_gaps_are_filled_each():
    rows, gold = body(LABELS_2021[:6])
    rows[1][:3] = [""] * 3
    rows[4][:3] = [""] * 3
    out, _ = read(HEADER + rows)
    assert values(out) == gold
    assert out.flags == [
        "table 三: 1 unlabelled row(s) placed by position (carried_over)",
        "table 三: 1 unlabelled row(s) placed by position (denied_state_secret)",
    ]


def test_ocr_rows_that_do_not_add_up_are_skipped():
    rows, gold = body(LABELS_2021[:3])
    rows[2][4] = "8"  # a misread digit
    out, _ = read(HEADER + rows, verify_rows=True)
    assert values(out) == {k: v for k, v in gold.items() if ".granted." not in k}
    assert out.flags == [
        "table 三: row 三、本年度办理结果(一)予以公开 does not add up, so its columns (read by position or from OCR)"
        " do not add up; skipped"
    ]
    out, _ = read(HEADER + rows)  # not OCR, headers read: the printed numbers are taken as they are
    assert out.stats["requests.granted.commercial"].value == 8


def test_an_unlabelled_row_that_does_not_add_up_is_named_by_a_question_mark():
    rows, _ = body(LABELS_2021[:2])
    rows[1][:3] = [""] * 3
    rows[1][3] = "1"
    out = Collector()
    Table3(out, "form2021").read(rows, continuation=True)
    assert out.flags[-1] == (
        "table 三: row ? does not add up, so its columns (read by position or from OCR) do not add up; skipped"
    )


# --- columns: headers that do not line up with the numbers -------------------------------------------

LINELESS_HEADER = [
    ["", "", "申请人情况", "", "", "", "", ""],
    ["", "自然人", "法人或其他组织", "", "", "", "", "总计"],
    ["", "", "", "商业企业科研机", "构社会公", "益组织法律服", "务机构其他", ""],
]


def lineless(rows: list[list[str]]) -> list[list[str]]:
    return LINELESS_HEADER + rows


def test_broken_headers_give_way_to_the_forms_column_order():
    """A PDF without ruling lines: header pieces in the wrong columns; the seven number columns add up
    in the form's order, so that order wins (and says so)."""
    rows = [
        ["一、本年新收政府信息公开申请数量", "5", "1", "2", "0", "0", "3", "11"],
        ["（一）予以公开", "3", "1", "0", "0", "0", "2", "6"],
        ["（三）不予公开"],  # a label-only line, shorter than the table
        ["（七）总计", "5", "1", "", "0", "0", "", ""],  # an incomplete row is not checked
    ]
    out, t3 = read(lineless(rows))
    assert values(out) == {
        **{f"requests.new.{c}": v for c, v in zip(COLS, [5, 1, 2, 0, 0, 3, 11], strict=True)},
        **{f"requests.granted.{c}": v for c, v in zip(COLS, [3, 1, 0, 0, 0, 2, 6], strict=True)},
    }
    assert out.flags == [
        "table 三: column headers do not line up with the seven number columns; read in the form's order",
        "table 三: row (七)总计 does not add up, so its columns (read by position or from OCR) do not add up;"
        " skipped",
    ]
    assert t3.positional is True
    assert {s.confidence for s in out.stats.values()} == {"table-position"}


def test_broken_headers_are_kept_when_a_complete_row_does_not_add_up():
    rows = [
        ["一、本年新收政府信息公开申请数量", "5", "1", "2", "0", "0", "3", "11"],
        ["（一）予以公开", "3", "1", "0", "0", "0", "2", "7"],
    ]
    out, t3 = read(lineless(rows))
    assert "column headers do not line up" not in " ".join(out.flags)
    assert out.stats["requests.new.natural_person"].value == 5 and t3.positional is False
    assert "requests.new.total" in out.stats


def test_broken_headers_are_kept_without_a_complete_row():
    # seven number columns between them, but no row has all seven: nothing proves the form's order
    rows = [["一、本年新收政府信息公开申请数量", "5", "1", "2", "", "0", "3", "11"],
            ["（一）予以公开", "3", "", "0", "0", "0", "2", "5"]]
    out, t3 = read(lineless(rows))
    assert "column headers do not line up" not in " ".join(out.flags) and t3.positional is False


def _numbered(marked: int) -> list[list[str]]:
    """Six complete rows that add up; a stray number column (a sub-row's numbering split off) holds a
    number on `marked` of them."""
    rows = []
    for r in range(6):
        parts = [r + 1, 2, 3, 0, 1, r]
        rows.append(["（一）予以公开" if r == 0 else f"{r}.重复申请", str(r + 1) if r < marked else "",
                     *map(str, parts), str(sum(parts))])
    return [["", "", "", "申请人情况", "", "", "", "", ""],
            ["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
            ["", "", "", "", "商业企业科研机", "构社会公", "益组织法律服", "务机构其他", ""]] + rows


def test_a_number_column_on_half_of_the_rows_counts_as_a_column():
    # eight number columns (the stray one is on 3 of 6 rows): not the form's seven, headers kept
    out, t3 = read(_numbered(3))
    assert t3.positional is False and not any("line up" in f for f in out.flags)


def test_a_number_column_on_a_third_of_the_rows_does_not():
    out, t3 = read(_numbered(2))
    assert t3.positional is True
    assert out.flags[0] == "table 三: column headers do not line up with the seven number columns; read in the form's order"
    assert out.stats["requests.granted.natural_person"].value == 1
    assert out.stats["requests.granted.total"].value == 7


# --- helpers ------------------------------------------------------------------------------------------


def test_request_colmap():
    assert _request_colmap([["（一）予以公开", "1", "1"]]) == ({}, 0)  # no header at all
    assert _request_colmap([["自然人", "总计"], ["1", "1"]]) == ({0: "natural_person", 1: "total"}, 1)
    # the header row must be among the first eight rows
    assert _request_colmap([["说明"]] * 8 + [["", "自然人", "总计"]]) == ({}, 0)
    assert _request_colmap([["说明"]] * 7 + [["", "自然人", "总计"]]) == ({1: "natural_person", 2: "total"}, 8)
    # a short header row (ragged grid); a last row labelled 总计 is no column header
    grid = [["申请人情况"], ["", "自然人", "其他", "总计", "备注"], ["总计", "1", "0", "1", ""]]
    assert _request_colmap(grid) == ({1: "natural_person", 2: "other_org", 3: "total"}, 2)
    # the group header (法人或其他组织) and subtotals name no column, even merged with a column's name
    grid = [["", "自然人", "法人或其他组织商业企业", "小计科研机构", "总计"], ["（一）予以公开", "1", "0", "0", "1"]]
    assert _request_colmap(grid) == ({1: "natural_person", 4: "total"}, 1)


def test_canonical_rows_per_form():
    every = list(REQUEST_ROWS)
    assert _canonical_rows(None) == every
    assert _canonical_rows("form2019") == [r for r in every if r not in (
        "other_no_correction", "other_unpaid_fee", "other_misc")]
    assert _canonical_rows("form2021") == [r for r in every if r != "other"]
    assert len(_canonical_rows("form2021")) == 25 and len(_canonical_rows("form2019")) == 23


def test_adds_up():
    full = dict(zip(COLS, [1, 2, 3, 0, 0, 4, 10], strict=True))
    assert _adds_up(full)
    assert not _adds_up({**full, "total": 11})
    assert not _adds_up({**full, "total": 10.005})
    assert _adds_up({**full, "total": 10.004})
    zeros = dict.fromkeys(COLS, 0)
    assert not _adds_up({**zeros, "natural_person": 0.005})  # strictly within 0.005: 0.005 off is off
    assert not _adds_up({k: v for k, v in full.items() if k != "total"})  # no total: six numbers do not add up
    assert _adds_up({}) and _adds_up({"total": 3})  # nothing (or one number) to check
    assert not _adds_up({"natural_person": 3, "total": 3})  # a row with columns missing


def test_looks_like_label():
    assert _looks_like_label("（八）")  # numbering alone
    assert _looks_like_label("予以公开")  # a row label without numbering
    assert _looks_like_label("3.")
    assert not _looks_like_label("见说明")


def test_evidence_leaves_out_what_the_label_holds():
    assert _evidence("三", "（一）予以公开", ["（一）予以公开", "4", "", "12"]) == "table 三: （一）予以公开 | 4 | 12"


def test_evidence_keeps_numbers_whose_digits_are_in_the_label():
    """Row 1.申请人无正当理由逾期不补正… with a 1 in two cells: all seven numbers are shown (the 1s were
    dropped as part of the label before)."""
    label = "三、本年度办理结果（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    row = ["三、本年度办理结果", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
           "1", "0", "0", "0", "0", "0", "1"]
    assert _evidence("三", label, row) == f"table 三: {label} | 1 | 0 | 0 | 0 | 0 | 0 | 1"


def test_match_request_row():
    assert _match_request_row("3.其他", "other") == "other_misc"
    assert _match_request_row("3.其他", None) is None
    assert _match_request_row("其他说明", "other") is None
    assert _match_request_row("（七）总计", "other") == "handled_total"


def test_near_label():
    assert _near_label("2.其他法律行政止公开", "denied_prohibited_by_law")
    assert _near_label("（一）予以公示", "granted")
    assert not _near_label("2.合计", "denied_prohibited_by_law")
    assert not _near_label("3.其他", "denied_prohibited_by_law")
    # 0.6 is enough: 2·3 / (4 + 6) — three of 予以公开's four characters in a six-character label
    assert _near_label("予以公告告告", "granted")
    assert not _near_label("予以告告告告告", "granted")
    # the form's label without its numbering (1.属于国家秘密 -> 属于国家秘密): four of six characters
    assert _near_label("国家秘密事项", "denied_state_secret")
    # the form's label after its last 、 (…不补正、行政机关不再处理其政府信息公开申请)
    assert _near_label("行政机关不再处理", "other_no_correction")
    # the section label before it ((三)不予公开) is not part of the printed label
    assert _near_label("(三)不予公开1.国家秘密", "denied_state_secret")
