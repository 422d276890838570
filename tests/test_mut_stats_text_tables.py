"""extract/stats/text_tables.py: 四、结转下年度继续办理 whose numbers sit on a later line (seed 003), and table
二 flattened one cell per line — on short texts in those shapes.

The mutation run (scripts/mutation.sh stats-text) left unpinned: where the numbers may be (the next three
non-blank lines), seven numbers on one line placed per column (or a flag for any other count), and how a
flattened table 二 is cut into rows and its broken header lines joined into columns.
"""

from __future__ import annotations

from extract.stats.base import Collector
from extract.stats.text_tables import _column_groups, _is_row, lone_carried_forward, vertical_grids

COLS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")


def carried(text: str) -> Collector:
    out = Collector()
    lone_carried_forward(text, out)
    return out


def test_seven_numbers_on_the_next_line_go_one_per_column():
    out = carried("（七）总计 9 0 0 0 0 1 10\n四、结转下年度继续办理\n2 0 0 0 0 1 3\n")
    assert {k: s.value for k, s in out.stats.items()} == {
        f"requests.carried_forward.{c}": n for c, n in zip(COLS, [2, 0, 0, 0, 0, 1, 3], strict=True)
    }
    s = out.stats["requests.carried_forward.total"]
    assert (s.source, s.confidence) == ("table", "table-label")
    assert s.evidence == "text after table 三: 四、结转下年度继续办理 | 2 0 0 0 0 1 3"
    assert out.flags == []


def test_one_number_is_the_total():
    out = carried("四、结转下年度继续办理\n\n　\n5")  # two blank lines between: still within reach
    assert {k: s.value for k, s in out.stats.items()} == {"requests.carried_forward.total": 5}
    assert out.stats["requests.carried_forward.total"].evidence == "text after table 三: 四、结转下年度继续办理 | 5"


def test_only_the_next_three_lines_are_looked_at():
    assert carried("四、结转下年度继续办理\n \n \n \n5").stats == {}
    assert carried("四、结转下年度继续办理\n5").stats["requests.carried_forward.total"].value == 5


def test_a_tab_inside_the_label():
    out = carried("四、结转下年度\t继续办理\n5")
    assert out.stats["requests.carried_forward.total"].value == 5


def test_another_count_of_numbers_is_flagged_not_placed():
    out = carried("四、结转下年度继续办理\n1 2 3")
    assert out.stats == {}
    assert out.flags == ["table 三: 3 numbers after 四、结转下年度继续办理; not placed"]


def test_the_next_line_is_not_numbers():
    out = carried("四、结转下年度继续办理\n五、存在的主要问题\n5")
    assert out.stats == {} and out.flags == []


def test_numbers_separated_by_ideographic_spaces():
    out = carried("四、结转下年度继续办理\n2\u30000\u30000\u30000\u30000\u30001\u30003")
    assert out.stats["requests.carried_forward.other_org"].value == 1
    assert out.stats["requests.carried_forward.total"].value == 3


# --- table 二 one cell per line -------------------------------------------------------------------------


def test_vertical_table_at_the_start_and_end_of_the_text():
    text = "\n".join(["信息内容", "本年新制作数量", "本年新", "公开数量", "对外公开", "总数量", "规章", "0", "1", "2",
                      "规范性文件", "3", "4", "5"])
    assert vertical_grids(text) == [
        [["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "0", "1", "2"],
         ["规范性文件", "3", "4", "5"]]
    ]


def test_vertical_table_stops_at_a_row_of_another_width():
    text = "\n".join(["信息内容", "上一年项目数量", "本年增/减", "处理决定数量", "行政许可", "423", "+162", "585",
                      "行政处罚", "120", "0", "信息内容", "本年制发件数", "规章", "7"])
    assert vertical_grids(text) == [
        [["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "423", "+162", "585"]],
        [["信息内容", "本年制发件数"], ["规章", "7"]],
    ]


def test_vertical_table_a_row_without_numbers_ends_it():
    text = "\n".join(["信息内容", "本年制发件数", "规章", "7", "行政规范性文件", "说明"])
    assert vertical_grids(text) == [[["信息内容", "本年制发件数"], ["规章", "7"]]]


def test_vertical_header_without_rows_or_with_numbers_first():
    assert vertical_grids("信息内容\n本年制发件数") == []
    assert vertical_grids("信息内容\n3\n规章\n1") == []
    assert vertical_grids("信息内容\n本年\n3\n制发件数\n规章\n1") == []  # a number line ends the header
    assert vertical_grids("") == []


def test_column_groups():
    assert _column_groups(["本年", "新制作数量", "本年新", "公开数量"], 2) == ["本年新制作数量", "本年新公开数量"]
    assert _column_groups(["本年新制作数量", "本年新公开数量"], 3) is None  # fewer columns than numbers
    assert _column_groups(["本年新制作数量", "说明"], 1) is None  # a fragment left over


def test_is_row():
    assert _is_row("行政许可") and not _is_row("说明")
    assert _is_row("行政许可" + "甲" * 16) and not _is_row("行政许可" + "甲" * 17)  # at most 20 characters
