"""extract/stats/grid_tables.read_table4 on hand-made grids: table 四 (行政复议、行政诉讼), cell by cell.

Every review and lawsuit number of a report comes through here; the document tests reach it through whole
reports, and a mutation run (scripts/mutation.sh stats) left most of its decisions unpinned. These grids
follow the 2019/2021 forms' table 四: one header row naming the groups, one naming the measures, one row of
15 numbers.
"""

from __future__ import annotations

import pytest

from extract.stats.base import Collector
from extract.stats.grid_tables import read_table4

GROUPS = ["行政复议"] * 5 + ["行政诉讼"] * 10
SUB = [""] * 5 + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5
MEASURES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
NUMBERS = [str(n) for n in (1, 2, 3, 4, 10, 5, 6, 7, 8, 26, 0, 1, 0, 2, 3)]
KEYS = [f"{g}.{m}" for g in ("review", "litigation_direct", "litigation_after_review")
        for m in ("upheld", "corrected", "other", "pending", "total")]


def read(grid: list[list[str]], verify: bool = False) -> Collector:
    out = Collector()
    read_table4(grid, out, verify=verify)
    return out


def values(out: Collector) -> dict[str, float]:
    return {k: s.value for k, s in out.stats.items()}


def test_standard_table():
    out = read([GROUPS, SUB, MEASURES, NUMBERS])
    assert values(out) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True))
    assert out.flags == []
    stat = out.stats["review.total"]
    assert stat.source == "table" and stat.confidence == "table-label"
    assert stat.evidence == "table 四: review.total | " + " | ".join(NUMBERS)


def test_groups_named_by_their_headers_in_any_order():
    order = list(range(5, 10)) + list(range(10, 15)) + list(range(5))  # 直接起诉, 复议后起诉, 行政复议
    grid = [[row[j] for j in order] for row in (GROUPS, SUB, MEASURES, NUMBERS)]
    out = read(grid)
    assert out.stats["review.total"].value == 10 and out.stats["litigation_direct.total"].value == 26
    assert out.stats["litigation_after_review.pending"].value == 2


def test_unnamed_groups_take_the_form_order():
    out = read([[""] * 15, MEASURES, NUMBERS])
    assert values(out) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True))


def test_headers_below_a_title_row_and_a_numbers_row_after_blank_lines():
    grid = [["四、政府信息公开行政复议、行政诉讼情况"] + [""] * 14, GROUPS, SUB, MEASURES, [""] * 15, NUMBERS]
    assert values(read(grid))["litigation_after_review.total"] == 3


def test_without_headers_fifteen_numbers_are_read_by_position():
    out = read([NUMBERS])
    assert values(out) == dict(zip(KEYS, [int(n) for n in NUMBERS], strict=True))
    assert out.flags == ["table 四: column headers not recognised, columns read by position"]
    assert out.stats["review.upheld"].confidence == "table-position"


@pytest.mark.parametrize(("grid", "flag"), [
    ([NUMBERS[:14]], "table 四 could not be read: column headers not recognised"),
    ([GROUPS, MEASURES, ["1", "2"] + [""] * 13], "table 四 could not be read: no row of numbers"),
])
def test_unreadable_tables_are_flagged(grid, flag):
    out = read(grid)
    assert out.stats == {} and out.flags == [flag]


def test_a_row_of_two_numbers_is_not_the_data_row():
    grid = [GROUPS, SUB, MEASURES, ["1", "2"] + [""] * 13, NUMBERS]
    assert values(read(grid))["review.upheld"] == 1 and values(read(grid))["review.total"] == 10
    three = [GROUPS, SUB, MEASURES, ["7", "8", "9"] + [""] * 12, NUMBERS]
    assert values(read(three)) == {"review.upheld": 7, "review.corrected": 8, "review.other": 9}


def test_text_in_a_number_cell_is_flagged():
    row = NUMBERS[:2] + ["不详"] + NUMBERS[3:]
    out = read([GROUPS, SUB, MEASURES, row])
    assert "review.other" not in out.stats
    assert out.flags == ["table 四: text in a number cell (review.other): '不详'"]


def test_a_short_data_row_reads_what_it_has():
    out = read([GROUPS, SUB, MEASURES, NUMBERS[:12]])
    assert set(values(out)) == set(KEYS[:12])


def test_ocr_tables_must_add_up():
    assert values(read([GROUPS, SUB, MEASURES, NUMBERS], verify=True))["review.total"] == 10
    bad = NUMBERS[:4] + ["11"] + NUMBERS[5:]
    out = read([GROUPS, SUB, MEASURES, bad], verify=True)
    assert out.stats == {} and out.flags == ["table 四 from OCR not read: its groups do not add up"]
    missing = NUMBERS[:14] + [""]
    out = read([GROUPS, SUB, MEASURES, missing], verify=True)
    assert out.stats == {} and out.flags == ["table 四 from OCR not read: its groups do not add up"]
