"""extract/stats/keys.py and base.py: the codebook every exported statistic is described by, and the cell
values and collector every reader stores through.

The codebook is built once at import (CODEBOOK = _build()), so a broken _build() would pass every test
that reads CODEBOOK; these tests call _build() and compare entries written out here from the 2019/2021
forms (label·column, gloss, unit, forms). parse_value and Collector.add decide what a cell is worth:
"无" is 0, "—" is absent, "251000元" keeps its unit, a float that is whole becomes an int except for
amounts, and the first source of a key wins.
"""

from __future__ import annotations

import logging

from extract.stats.base import Collector, Value, _parse_str, norm, parse_value
from extract.stats.keys import LEGACY_ROWS, _build, legacy_key_for_label

F19, F21, BOTH = ("form2019",), ("form2021",), ("form2019", "form2021")


def test_codebook_entries():
    book = _build()
    # 26 request rows x 7 columns, 3 appeal groups x 5, 29 proactive cells, the legacy rows, 16 core keys
    assert len(book) == 26 * 7 + 15 + 29 + len(LEGACY_ROWS) + 16
    assert book["requests.granted.commercial"] == ("三（一）予以公开·商业企业", "disclosed in full, commercial enterprises", "件", BOTH)
    assert book["requests.other_misc.total"] == ("三（六）3.其他·总计", "other: miscellaneous, total", "件", F21)
    assert book["review.corrected"] == ("行政复议·结果纠正", "administrative reviews: decision corrected", "件", BOTH)
    assert book["litigation_after_review.total"] == (
        "行政诉讼·复议后起诉·总计", "lawsuits filed after review: total", "件", BOTH)
    assert book["proactive.rules.issued"] == ("规章·本年制发件数", "rules: issued this year", "件", F21)
    assert book["proactive.normative_docs.made"] == (
        "规范性文件·本年新制作数量", "normative documents: made this year", "件", F19)
    assert book["proactive.normative_docs.issued"] == (
        "行政规范性文件·本年制发件数", "normative documents: issued this year", "件", F21)
    assert book["proactive.normative_docs.repealed"][0] == "行政规范性文件·本年废止件数"
    assert book["proactive.normative_docs.in_force"][0] == "行政规范性文件·现行有效件数"
    assert book["proactive.normative_docs.total_published"][0] == "规范性文件·对外公开总数量"
    assert book["proactive.licensing.decisions"] == (
        "行政许可·处理决定数量 / 本年处理决定数量", "administrative licensing: decisions this year", "件", BOTH)
    assert book["proactive.penalty.change"] == ("行政处罚·本年增/减", "administrative penalties: change this year", "项", F19)
    assert book["proactive.other_services.decisions"] == (
        "其他对外管理服务事项·处理决定数量 / 本年处理决定数量",
        "other external management services: decisions this year", "件", F19)
    assert book["proactive.fees.prev_items"] == ("行政事业性收费·上一年项目数量", "administrative fees: items last year", "项", F19)
    assert book["proactive.fees.amount_10k_yuan"] == (
        "行政事业性收费·本年收费金额（单位：万元）", "administrative fees: amount", "万元", F21)
    assert book["proactive.procurement.amount_10k_yuan"] == (
        "政府集中采购·采购总金额", "centralised government procurement: amount", "万元", F19)
    assert book["proactive.procurement.projects"] == (
        "政府集中采购·采购项目数量", "centralised government procurement: procurement projects", "项", F19)
    assert book["legacy.requests_received"] == ("收到申请数", "requests received", "件", ("legacy_table",))
    assert book["legacy.review_corrected"] == ("行政复议·被依法纠错数", "reviews: corrected", "件", ("legacy_table",))
    assert book["legacy.litigation_other"] == ("行政诉讼·其他情形数", "lawsuits: other", "件", ("legacy_table",))
    assert book["legacy.complaints_upheld"] == ("举报投诉·维持具体行政行为数", "complaints: upheld", "件", ("legacy_table",))
    assert book["core.requests_new"] == (
        "本年新收政府信息公开申请数量", "requests received this year", "件",
        ("form2021", "form2019", "legacy_table", "narrative"))


def test_legacy_key_for_label():
    assert legacy_key_for_label("收到申请数") == "legacy.requests_received"
    assert legacy_key_for_label("被依法纠错数") == "legacy.review_corrected"  # the first of the repeated labels
    assert legacy_key_for_label("申请总数") is None  # an alias, not the label
    assert legacy_key_for_label("") is None


def test_norm():
    assert norm(" （一）\u3000予以 公开：\n") == "(一)予以公开:"
    assert norm("１２．５") == "12.5"
    assert norm(None) == "" and norm(12) == "12" and norm(1.5) == "1.5"


def test_parse_value():
    _parse_str.cache_clear()  # what is asserted is the parsing, not what an earlier test left in the cache
    assert parse_value("+162") == Value(162, None) and parse_value("-3") == Value(-3, None)
    assert parse_value("129.59") == Value(129.59, None) and isinstance(parse_value("12").number, int)
    assert parse_value("251000元") == Value(251000, "元") and parse_value("3 (件)") == Value(3, "件")
    assert parse_value("1,234") == Value(1234, None)
    assert parse_value("无") == Value(0, None) and parse_value("〇") == Value(0, None)
    for blank in ("", " ", "—", "-", "/", "——", "×", "x"):
        assert parse_value(blank) is None, blank
    assert parse_value("不详") == "不详" and parse_value("3件左右") == "3件左右"


def test_parse_value_of_cells_that_are_not_text():
    """Spreadsheet and DOCX cells may be numbers: 1, 1.0 and True are equal as dict keys, so they are not
    cached together — each keeps its own type."""
    assert parse_value(3) == Value(3, None) and parse_value(None) is None
    assert parse_value(1) == Value(1, None)
    one = parse_value(1.0)
    assert one == Value(1.0, None) and isinstance(one.number, float)
    assert parse_value(True) is True  # not a number cell: returned as it is
    a, b = parse_value("12"), parse_value("12")
    assert a == b and a is not b  # a fresh Value each time: callers may change what they get


def test_collector_add():
    out = Collector()
    assert out.add("requests.new.total", 3.0, "table", "row") is True
    assert out.stats["requests.new.total"].value == 3 and isinstance(out.stats["requests.new.total"].value, int)
    assert out.stats["requests.new.total"].confidence == "table-label"
    assert out.add("requests.new.total", 4, "text", "sentence") is False  # the first source wins
    assert out.get("requests.new.total") == 3 and out.has("requests.new.total")
    assert out.get("requests.old.total") is None and not out.has("requests.old.total")
    out.add("proactive.fees.amount_10k_yuan", 12.0, "table", "row")
    assert isinstance(out.stats["proactive.fees.amount_10k_yuan"].value, float)  # amounts stay floats
    out.add("core.fees_collected_yuan", 500.0, "text", "x" * 600)
    s = out.stats["core.fees_collected_yuan"]
    assert isinstance(s.value, float) and s.confidence == "text" and s.evidence == "x" * 500
    out.add("core.review_total", 2, "table", "row", "derived")
    assert out.stats["core.review_total"].confidence == "derived"
    assert out.stats["core.review_total"].source == "table"


def test_collector_flags_once(caplog):
    out = Collector()
    with caplog.at_level(logging.DEBUG, logger="extract.stats.base"):
        out.flag("table 三: x")
        out.flag("table 三: x")
        out.flag("table 四: y")
    assert out.flags == ["table 三: x", "table 四: y"]
    assert [r.getMessage() for r in caplog.records] == ["flag: table 三: x", "flag: table 四: y"]
