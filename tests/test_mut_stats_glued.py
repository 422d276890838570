"""extract/stats/glued.py: tables 三 and 四 whose cells a text dump ran together, read row by row.

The mutation run (scripts/mutation.sh stats-text) found that nothing pinned what these readers store: the
keys, sources, evidence and confidence of each number, their flags, which occurrence of a section heading
is read, the 其他处理 sub-rows, or the cutting search's limits. The texts follow 平潭 2020's text dump (the
real case behind glued.py, tests/test_extract_real_cases.py): the form's labels and the digits of each
row with nothing between them.
"""

from __future__ import annotations

from extract.stats.base import Collector
from extract.stats.glued import (
    _groups_add_up,
    _groups_so_far,
    _row_adds_up,
    _section,
    read_glued_table3,
    read_glued_table4,
    split_digits,
)

COLS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")
HEAD3 = "三、收到和处理政府信息公开申请情况"
BODY3 = (
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"
    "商业企业科研机构社会公益组织法律服务机构其他\n"
    "一、本年新收政府信息公开申请数量\n200 000121"
    "二、上年结转政府信息公开申请数量0000000"
    "三、本年度办理结果（一）予以公开6000017"
    "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开1000001"
    "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请1000001"
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请0000000"
    "3.其他2000002"
    "（七）总计20 0 00 0 121四、结转下年度继续办理 0 0 00 00 0 "
)
HEAD4 = "四、政府信息公开行政复议、行政诉讼情况"
BODY4 = (
    "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
    "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计\n120143010400011"
)
END = "五、存在的主要问题及改进情况"
TEXT = HEAD3 + BODY3 + HEAD4 + BODY4 + END


def row(key: str, nums: list[int]) -> dict[str, int]:
    return {f"requests.{key}.{c}": n for c, n in zip(COLS, nums, strict=True)}


def test_table3_every_row_with_its_evidence():
    out = Collector()
    assert read_glued_table3(TEXT, out) == 10
    assert {k: s.value for k, s in out.stats.items()} == {
        **row("new", [20, 0, 0, 0, 0, 1, 21]),
        **row("carried_over", [0, 0, 0, 0, 0, 0, 0]),
        **row("granted", [6, 0, 0, 0, 0, 1, 7]),
        **row("denied_state_secret", [0, 0, 0, 0, 0, 0, 0]),  # …0000000 2.其他…: the 2 is the next label's
        **row("denied_prohibited_by_law", [1, 0, 0, 0, 0, 0, 1]),
        **row("other_no_correction", [1, 0, 0, 0, 0, 0, 1]),
        **row("other_unpaid_fee", [0, 0, 0, 0, 0, 0, 0]),
        **row("other_misc", [2, 0, 0, 0, 0, 0, 2]),  # 3.其他 under （六）其他处理
        **row("handled_total", [20, 0, 0, 0, 0, 1, 21]),
        **row("carried_forward", [0, 0, 0, 0, 0, 0, 0]),
    }
    assert out.flags == ["table 三: 10 row(s) read from digits run together, cut where each row adds up"]
    s = out.stats["requests.new.other_org"]
    assert (s.source, s.confidence) == ("table", "table-position")
    # the label's last 30 characters (whitespace dropped), then the run as printed
    assert s.evidence == "table 三 (digits run together): 社会公益组织法律服务机构其他一、本年新收政府信息公开申请数量 200 000121"
    assert out.stats["requests.denied_prohibited_by_law.total"].evidence == (
        "table 三 (digits run together): 2.其他法律行政法规禁止公开 1000001"
    )
    assert out.stats["requests.denied_state_secret.total"].evidence == (
        "table 三 (digits run together): .属于国家秘密 00000002"
    )


def test_table3_section_heading_at_the_start_and_a_run_at_the_very_end():
    text = "收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量3000003"
    out = Collector()
    assert read_glued_table3(text, out) == 1
    assert out.stats["requests.new.total"].value == 3
    assert out.stats["requests.new.total"].evidence == "table 三 (digits run together): 一、本年新收政府信息公开申请数量 3000003"


def test_table3_rows_that_cut_more_than_one_way_are_skipped_and_the_rest_read():
    text = (HEAD3 + "一、本年新收政府信息公开申请数量110000011二、上年结转政府信息公开申请数量110000011"
            + "（一）予以公开1000001（三）不予公开0000000" + HEAD4)
    out = Collector()
    assert read_glued_table3(text, out) == 1
    assert {k: s.value for k, s in out.stats.items()} == row("granted", [1, 0, 0, 0, 0, 0, 1])
    assert out.flags == [
        "table 三: 1 row(s) read from digits run together, cut where each row adds up",
        "table 三: 2 row(s) of digits run together could not be cut one way only; skipped",
    ]


def test_table3_without_its_section():
    out = Collector()
    assert read_glued_table3("一、本年新收政府信息公开申请数量3000003", out) == 0
    assert out.stats == {} and out.flags == []


def test_table3_read_up_to_the_review_table_only():
    """The section ends at 行政复议: table 四's run (…尚未审结总计 + 15 digits) is not a row of table 三."""
    text = HEAD3 + "（七）总计1000001" + HEAD4 + "尚未审结总计1000101000000000"
    out = Collector()
    assert read_glued_table3(text, out) == 1
    assert out.flags == ["table 三: 1 row(s) read from digits run together, cut where each row adds up"]


def test_table3_the_section_with_the_table_not_its_mentions():
    """The opening paragraph names the sections (and 行政复议) before the table; a closing line names
    the section again after it: the occurrence holding the table's digit runs is read."""
    opening = "本报告包括：收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况等。"
    closing = "以上收到和处理政府信息公开申请情况均已核实。"
    text = opening + HEAD3 + "（一）予以公开6000017" + HEAD4 + closing
    out = Collector()
    assert read_glued_table3(text, out) == 1
    assert out.stats["requests.granted.total"].value == 7


def test_table4_fifteen_numbers():
    out = Collector()
    assert read_glued_table4(TEXT, out) is True
    nums = [1, 2, 0, 1, 4, 3, 0, 1, 0, 4, 0, 0, 0, 1, 1]
    keys = [f"{g}.{m}" for g in ("review", "litigation_direct", "litigation_after_review")
            for m in ("upheld", "corrected", "other", "pending", "total")]
    assert {k: s.value for k, s in out.stats.items()} == dict(zip(keys, nums, strict=True))
    s = out.stats["litigation_direct.upheld"]
    assert (s.source, s.confidence, s.evidence) == (
        "table", "table-position", "table 四 (digits run together): 120143010400011"
    )
    assert out.flags == ["table 四 read from digits run together, cut where each group adds up"]


def test_table4_two_digit_cells_need_the_pruned_search():
    text = HEAD4 + "尚未审结总计\n121310114621301512781011121346" + END
    out = Collector()
    assert read_glued_table4(text, out) is True
    assert [out.stats[k].value for k in ("review.total", "litigation_direct.total", "litigation_after_review.total")] == [46, 78, 46]


def test_table4_that_cannot_be_cut_or_is_missing():
    out = Collector()
    assert read_glued_table4(HEAD4 + "尚未审结总计111111111111111" + END, out) is False
    assert out.stats == {}
    assert out.flags == ["table 四: digits run together could not be cut one way only; skipped"]
    out = Collector()
    assert read_glued_table4(HEAD4 + "没有行政复议" + END, out) is False
    assert read_glued_table4("", out) is False
    assert out.flags == [] and out.stats == {}


def test_section():
    assert _section("没有标题", "收到和处理政府信息公开申请情况", "行政复议") == ""
    assert _section("A一二B", "A", "B") == ""  # no run of seven digits: no table here
    assert _section("A1234567B", "A", "B") == "1234567"
    assert _section("A1234567", "A", "B") == "1234567"  # no end: up to the end of the text
    # mentions before and after the table; the end marker also before it
    text = "B A说明 B A12345678B A1234567甲0000000乙1111111B A结束"
    assert _section(text, "A", "B") == "1234567甲0000000乙1111111"
    assert _section("BA1234567B", "A", "B") == "1234567"


def test_split_digits_limits():
    anything = lambda nums: True  # noqa: E731
    assert split_digits("101", 2, anything) == [10, 1]  # no number starts with 0 (1|01)
    assert split_digits("100000", 1, anything) == [100000]  # six digits: the widest cell
    assert split_digits("1000000", 1, anything) is None
    assert split_digits("100000100000", 2, anything) == [100000, 100000]
    assert split_digits("10000001", 2, lambda n: n[1] == 1) is None  # 1000000|1 would need seven digits
    assert split_digits("1234", 2, lambda n: False) is None


def test_row_and_group_sums():
    assert _row_adds_up([1, 2, 0, 0, 0, 3, 6]) and not _row_adds_up([1, 2, 0, 0, 0, 3, 7])
    good = [1, 1, 1, 1, 4, 2, 2, 2, 2, 8, 0, 0, 0, 1, 1]
    assert _groups_add_up(good)
    assert not _groups_add_up(good[:14] + [2])
    assert _groups_so_far(good[:5]) and _groups_so_far(good[:9]) and _groups_so_far(good)
    assert not _groups_so_far([1, 1, 1, 1, 5])  # a finished first group that does not add up
    assert not _groups_so_far(good[:10] + [0, 0, 0, 1, 2])
    assert not _groups_so_far(good[:5] + [2, 2, 2, 2, 9])


def test_split_digits_step_budget():
    """Five-digit cells make the search long: these rows are cut within the step budget (one of them in
    some 127,000 steps), and a run with no answer gives up at the budget instead of searching on."""
    assert split_digits("250567891567892556789170643", 7, _row_adds_up) == [250, 56789, 1, 56789, 25, 56789, 170643]
    assert split_digits("1234125255678956789114863", 7, _row_adds_up) == [1234, 1, 25, 25, 56789, 56789, 114863]
    assert split_digits("9" * 80, 15, lambda nums: False) is None
