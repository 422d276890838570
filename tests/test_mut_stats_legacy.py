"""extract/stats/legacy.py: the 2008–2018 indicator table (统计指标 | 单位 | 统计数) from a grid and from text.

The mutation run (scripts/mutation.sh stats-text) found read_legacy_grid never called by the group's tests
and the label rules unpinned: labels broken over two or three cells, repeated labels (被依法纠错数) told
apart by their section, notes in brackets, the index of labels and aliases. The grid follows the legacy
form's row labels with their numbering as reports print them.
"""

from __future__ import annotations

import logging

from extract.stats.base import Collector
from extract.stats.legacy import (
    _index,
    _section_of,
    _unbalanced,
    legacy_label,
    match_legacy,
    read_legacy_grid,
    read_legacy_text,
)

GRID = [
    ["（一）收到申请数", "件", "37"],
    ["1.当面申请数", "件", "5"],
    ["（二）主动公开政府信息数（不同渠道", "", ""],  # one label broken over three cells,
    ["和方式公开相同信息", "", ""],  # the middle one without a bracket
    ["计1条）", "条", "1520"],
    ["二、回应解读情况", "", ""],
    ["回应公众关注热点或重大舆情数", "次", "6"],  # unnumbered, after a section line: a label of its own
    ["四、行政复议数量", "件", "3"],
    ["（一）维持具体行政行为数", "件", "2"],
    ["（二）被依法纠错数", "件", "1"],
    ["（三）其他情形数", "件", "0"],
    ["五、行政诉讼数量", "件", "2"],
    ["（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "1"],
    ["（二）被依法纠错数", "件", "1"],
    ["六、举报投诉数量", "件", "4"],
    ["（二）被纠错数", "件", "2"],
    ["七、依申请公开信息收取的费用", "万元", "0.05"],
    ["不在表中的指标", "件", "9"],
]


def test_legacy_grid_every_row():
    out = Collector()
    assert read_legacy_grid(GRID, out) == 14
    assert {k: s.value for k, s in out.stats.items()} == {
        "legacy.requests_received": 37,
        "legacy.requests_in_person": 5,
        "legacy.proactive_items": 1520,
        "legacy.hot_topic_responses": 6,
        "legacy.review_count": 3,
        "legacy.review_upheld": 2,
        "legacy.review_corrected": 1,
        "legacy.review_other": 0,
        "legacy.litigation_count": 2,
        "legacy.litigation_upheld": 1,
        "legacy.litigation_corrected": 1,
        "legacy.complaints": 4,
        "legacy.complaints_corrected": 2,
        "legacy.fees_10k_yuan": 0.05,
    }
    assert out.flags == []
    s = out.stats["legacy.proactive_items"]
    assert (s.source, s.confidence) == ("table", "table-label")
    assert s.evidence == "legacy table: (二)主动公开政府信息数(不同渠道和方式公开相同信息计1条) | 条 | 1520"
    assert out.stats["legacy.litigation_corrected"].evidence == "legacy table: (二)被依法纠错数 | 件 | 1"


def test_sections_from_unnumbered_count_rows_and_rows_without_a_unit_or_number():
    out = Collector()
    grid = [["行政复议数", "件", "3"], ["被依法纠错数", "件", "1"], ["收到申请数", "", "12"],
            ["网上申请数", "件", "不详"], ["信函申请数", "件", ""]]
    assert read_legacy_grid(grid, out) == 3
    assert {k: (s.value, s.evidence) for k, s in out.stats.items()} == {
        "legacy.review_count": (3, "legacy table: 行政复议数 | 件 | 3"),
        "legacy.review_corrected": (1, "legacy table: 被依法纠错数 | 件 | 1"),
        "legacy.requests_received": (12, "legacy table: 收到申请数 | 12"),
    }


def test_label_pieces_closed_by_a_half_width_bracket():
    out = Collector()
    read_legacy_grid([["当面申请数", "件", "1"], ["主动公开政府信息数(不同渠道", "", ""], ["计1条)", "条", "8"]], out)
    assert out.stats["legacy.proactive_items"].value == 8


def test_legacy_text_with_its_header():
    text = "二〇一六年政府信息公开工作年度报告\n统计指标 单位 统计数\n（一） 主动公开政府信息数 条 1520\n收到申请数\t件\t12\n"
    assert read_legacy_text(text) == ["（一）主动公开政府信息数", "条", "1520", "收到申请数", "件", "12"]


def test_legacy_text_without_header_takes_exact_indicator_rows_only():
    text = "全年收到申请数 件 12\n收到申请数 件 12\n收到申请数 12\n收到申请数 个人 12\n当面申请数 件 3 4\n"
    assert read_legacy_text(text) == ["收到申请数", "件", "12", "收到申请数", "12"]
    assert read_legacy_text("") == []


def test_legacy_label():
    assert legacy_label("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）") == "主动公开政府信息数"
    assert legacy_label("其中：1.当面申请数") == "当面申请数"
    assert legacy_label("收到申请数：") == "收到申请数"
    assert legacy_label("收到申请数（含（网上（信函）））") == "收到申请数"  # three levels of notes
    assert legacy_label("收到申请数（a（b（c（d））））") == "收到申请数(a)"  # a fourth is left


def test_section_of():
    assert _section_of("行政复议数量") == "review"
    assert _section_of("行政诉讼数量") == "litigation"
    assert _section_of("举报投诉数量") == "complaints" and _section_of("行政申诉数") == "complaints"
    assert _section_of("收到申请数") is None


def test_match_legacy():
    assert match_legacy("被依法纠错数", "litigation") == "legacy.litigation_corrected"
    assert match_legacy("被依法纠错数", "review") == "legacy.review_corrected"
    assert match_legacy("其他形式的申请", None) == "legacy.requests_other_form"  # a four-character prefix
    assert match_legacy("（一）", None) is None
    assert match_legacy("其他", None) is None


def test_unbalanced():
    assert _unbalanced("数（不同") and _unbalanced("数(不同")
    assert not _unbalanced("数（不同）") and not _unbalanced("数(不同)") and not _unbalanced("数（不同)")
    assert _unbalanced("数（（不同）")
    assert not _unbalanced("计1条）")


def test_index_of_labels_and_aliases():
    exact, prefixes = _index()
    assert exact[("收到申请数", None)] == "legacy.requests_received"
    assert exact[("申请总数", None)] == "legacy.requests_received"  # an alias
    assert exact[("被依法纠错数", "litigation")] == "legacy.litigation_corrected"
    assert exact[("被依法纠错数", "complaints")] == "legacy.complaints_corrected"
    assert exact[("维持具体行政行为数", "review")] == "legacy.review_upheld"
    assert len(exact) == len(prefixes)
    lengths = [len(p[0]) for p in prefixes]
    assert lengths == sorted(lengths, reverse=True)  # longest first: the most specific prefix wins
    assert prefixes[0] == ("危及国家安全、公共安全、经济安全和社会稳定", None, "legacy.denied_security_stability")


def read(grid: list[list[str]]) -> dict[str, float]:
    out = Collector()
    read_legacy_grid(grid, out)
    return {k: s.value for k, s in out.stats.items()}


def test_sections_from_headings_and_count_rows():
    # a numbered heading without a count (五、行政诉讼情况) opens its section
    assert read([["五、行政诉讼情况", "", ""], ["（二）被依法纠错数", "件", "1"]]) == {"legacy.litigation_corrected": 1}
    # unnumbered count rows (…数量) open theirs
    assert read([["行政诉讼数量", "件", "2"], ["被依法纠错数", "件", "3"]]) == {
        "legacy.litigation_count": 2, "legacy.litigation_corrected": 3}
    assert read([["举报投诉数量", "件", "4"], ["被纠错数", "件", "5"]]) == {
        "legacy.complaints": 4, "legacy.complaints_corrected": 5}


def test_a_label_closed_by_a_bracket_of_the_other_width():
    out = Collector()
    read_legacy_grid([["主动公开政府信息数（不同渠道)", "", ""], ["计1条）", "条", "8"]], out)
    assert out.stats["legacy.proactive_items"].evidence == "legacy table: 主动公开政府信息数(不同渠道)计1条) | 条 | 8"


def test_a_known_row_without_a_number_does_not_end_the_table():
    assert read([["当面申请数", "件", ""], ["收到申请数", "件", "12"]]) == {"legacy.requests_received": 12}


def test_rows_not_in_the_codebook_are_logged(caplog):
    with caplog.at_level(logging.DEBUG, logger="extract.stats.legacy"):
        read([["不在表中的指标", "件", "9"], ["也不在表中", "件", ""], ["收到申请数", "件", "1"]])
    assert [r.getMessage() for r in caplog.records] == ["legacy row not in the codebook: 不在表中的指标"]


def test_legacy_text_tabs_pipes_and_lines_that_are_not_rows():
    text = "统计指标\n（一） 主动公开政府信息数\t条\t1520\n|收到申请数|件|12|"
    assert read_legacy_text(text) == ["（一） 主动公开政府信息数", "条", "1520", "收到申请数", "件", "12"]
    text = "说明\n收到申请数 件 很多\n收到申请数 2019 12\n收到申请数 件 12"
    assert read_legacy_text(text) == ["收到申请数", "件", "12"]
