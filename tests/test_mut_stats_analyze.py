"""extract/stats/__init__.analyze: the core.* figures filled from tables 三/四 or the legacy table, the
（六）其他处理 sum, text figures as fallback or as flags where they disagree, and bad input as flags.

core.* are the columns researchers use first; the mutation run (scripts/mutation.sh stats-keys) checks
that their sources, evidence and confidence are pinned, not only their values. Tables are the 2021 form
fixture (tests/fixtures/tables/form2021.html, numbers read off the markup) and a legacy grid.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import extract.stats as stats_pkg
from extract.stats import analyze
from extract.tables import html_tables_to_grids
from tests.test_mut_stats_table3 import HEADER, LABELS_2019, LABELS_2021, body

FORM2021 = html_tables_to_grids(
    (Path(__file__).parent / "fixtures" / "tables" / "form2021.html").read_text(encoding="utf-8")
)
LEGACY = [["统计指标", "单位", "统计数"], ["收到申请数", "件", "12"], ["依申请公开信息收取的费用", "万元", "0.05"],
          ["行政复议数量", "件", "1"]]


def run(text: str, tables: list, **kw) -> tuple[dict, list[str]]:
    stats, flags = analyze(text, tables, **kw)
    return {s.key: s for s in stats}, flags


def test_core_from_tables_with_their_sources():
    got, flags = run("", FORM2021, form="form2021", report_year=2021)
    new = got["core.requests_new"]
    assert (new.value, new.source, new.confidence) == (14, "table", "table-label")
    assert new.evidence == "= requests.new.total; table 三: 一、本年新收政府信息公开申请数量 | 10 | 3 | 0 | 0 | 1 | 0 | 14"
    denied = got["core.requests_denied"]
    assert (denied.value, denied.confidence) == (1, "derived")
    assert denied.evidence == "= " + " + ".join(
        f"requests.{r}.total" for r in ("denied_state_secret", "denied_prohibited_by_law", "denied_security_stability",
                                        "denied_third_party", "denied_internal_affairs", "denied_process_info",
                                        "denied_enforcement_file", "denied_admin_query"))
    assert got["core.requests_unavailable"].value == 3 and got["core.requests_rejected"].value == 1
    lit = got["core.litigation_total"]
    assert (lit.value, lit.confidence, lit.evidence) == (
        3, "derived", "= litigation_direct.total + litigation_after_review.total")
    assert got["core.litigation_corrected"].value == 1
    assert (got["core.review_total"].value, got["core.review_corrected"].value) == (3, 1)
    assert got["core.requests_carried_over"].value == 1 and got["core.requests_carried_forward"].value == 1
    assert got["core.requests_granted"].value == 5 and got["core.requests_partial"].value == 2
    assert got["core.requests_handled"].value == 14
    assert flags == []


def test_other_handling_is_the_sum_of_its_sub_rows():
    got, _ = run("", FORM2021, form="form2021", report_year=2021)
    other = got["requests.other.total"]
    assert (other.value, other.source, other.confidence) == (2, "table", "derived")
    assert other.evidence.startswith("sum of （六）其他处理 sub-rows: table 三: ")
    assert other.evidence.count("; table 三: ") == 2  # three sub-rows
    assert got["requests.other.commercial"].value == 1 and got["requests.other.natural_person"].value == 1
    assert got["core.requests_other"].value == 2 and got["core.requests_other"].confidence == "derived"


def test_text_figures_that_disagree_with_the_tables_become_flags():
    text = "本年度共收到政府信息公开申请15件。本年度收到行政复议1件。"
    got, flags = run(text, FORM2021, form="form2021", report_year=2021)
    assert got["core.requests_new"].value == 14 and got["core.review_total"].value == 3  # the tables stay
    assert flags == [
        "text says 15 requests received (本年度共收到政府信息公开申请15件) while table 三 says 14",
        "text says 1 administrative review (行政复议1件) while table 四 says 3",
    ]


def test_text_fills_what_the_tables_lack():
    text = "全年主动公开政府信息2122条，其中区直1509条，乡镇613条。"  # one value is the sum of the others
    got, flags = run(text, FORM2021, form="form2021", report_year=2021)
    s = got["core.proactive_items"]
    assert (s.value, s.source, s.confidence, s.evidence) == (2122, "text", "text", text)
    assert flags == []


def test_sentences_that_disagree_give_nothing():
    got, flags = run("全年收到政府信息公开申请5件。本年度共收到政府信息公开申请7件。", [])
    assert "core.requests_new" not in got
    assert flags == ["sentences disagree on core.requests_new: 5 (全年收到政府信息公开申请5件); 7 (本年度共收到政府信息公开申请7件); not taken"]


def test_legacy_table_fills_core():
    got, flags = run("", [LEGACY], form="legacy_table", report_year=2015)
    assert got["core.requests_new"].evidence == "= legacy.requests_received; legacy table: 收到申请数 | 件 | 12"
    assert got["core.review_total"].value == 1
    fees = got["core.fees_collected_yuan"]
    assert (fees.value, fees.confidence) == (500.0, "derived")
    assert fees.evidence == "= legacy.fees_10k_yuan × 10000; legacy table: 依申请公开信息收取的费用 | 万元 | 0.05"
    assert flags == []


def test_ocr_tables_without_sums_are_not_read():
    got, flags = run("", [LEGACY, [[1, None, 2.5]]], ocr=True)
    assert got == {}
    assert flags == ["table legacy from OCR not read: it has no sums to check its digits against"]


def test_bad_tables_and_failing_readers_become_flags(monkeypatch):
    assert run("", [5]) == ({}, ["a table could not be read: 'int' object is not iterable"])

    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(stats_pkg, "read_table4", boom)
    got, flags = run("", FORM2021, form="form2021", report_year=2021)
    assert "table 四 could not be read: RuntimeError: boom" in flags
    assert got["core.requests_new"].value == 14  # the other tables are still read
    monkeypatch.setattr(stats_pkg, "_analyze", boom)
    assert run("", FORM2021) == ({}, ["numbers could not be read: RuntimeError: boom"])


def test_a_failing_analysis_is_logged(monkeypatch, caplog):
    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(stats_pkg, "_analyze", boom)
    with caplog.at_level(logging.ERROR, logger="extract.stats"):
        run("", [])
    assert [r.getMessage() for r in caplog.records] == ["analyze failed"]


def test_a_table_that_cannot_be_classified_is_flagged(monkeypatch):
    def boom(_grid):
        raise ValueError("odd grid")

    monkeypatch.setattr(stats_pkg, "classify", boom)
    # the grid, a text table and a table 二 one cell per line: none can be classified, each says so once
    text = "本年度共收到政府信息公开申请15件。\n甲\t1\t2\t3\n信息内容\n本年制发件数\n规章\n1"
    got, flags = run(text, FORM2021[:1])
    assert flags == ["a table could not be classified: ValueError: odd grid"]
    assert got["core.requests_new"].value == 15  # the text is still read


def test_the_form_decides_where_an_unlabelled_row_goes():
    rows, _ = body(LABELS_2019)
    rows[20][:3] = [""] * 3  # （六）其他处理 without its label
    got, flags = run("", [HEADER + rows], form="form2019")
    assert got["requests.other.total"].value == sum(n + 20 for n in (10, 20, 30, 40, 50, 60))
    assert flags[0] == "table 三: 1 unlabelled row(s) placed by position (other)"
    got, flags = run("", [HEADER + rows])  # form unknown: four rows could go there
    assert "requests.other.total" not in got
    assert flags[0] == "table 三: 1 unlabelled row(s) with numbers skipped"


def test_fifteen_numbers_are_table_four_only_when_the_text_speaks_of_reviews():
    line = "1 2 3 4 10 5 6 7 8 26 0 1 0 2 3"
    assert run(line, []) == ({}, [])
    got, flags = run("行政复议、行政诉讼情况如下。\n" + line, [])
    assert got["review.total"].value == 10 and got["litigation_after_review.total"].value == 3
    assert flags == ["table 四: column headers not recognised, columns read by position"]
    # other text tables are not taken for table 四 because the text mentions reviews
    assert run("行政复议情况如下。\n甲乙 4 5 6\n丙丁 7 8 9", []) == ({}, [])


def test_numbers_in_flags_are_written_plainly():
    _, flags = run("收取信息处理费12.5元。收取信息处理费1234567元。", [])
    assert flags == ["sentences disagree on core.fees_collected_yuan: 12.5 (收取信息处理费12.5元); "
                     "1234567 (收取信息处理费1234567元); not taken"]


@pytest.mark.parametrize("grid", [[["", "自然人", "商业企业", "总计"], ["一、本年新收政府信息公开申请数量", 3, None, 3]]])
def test_cells_of_other_types_are_read_as_text(grid):
    got, flags = run("", [grid], form="form2021")
    assert got["requests.new.total"].value == 3 and "requests.new.commercial" not in got
    assert flags == []  # None is an empty cell, not the text "None"


def test_a_legacy_table_in_the_text_is_read_as_text():
    got, flags = run("统计指标\t单位\t统计数\n收到申请数\t件\t12\n", [])
    assert got["legacy.requests_received"].evidence == "legacy table (text): 收到申请数 | 件 | 12"
    assert flags == []


def test_table2_one_cell_per_line_only_without_a_table2_grid():
    vertical = "\n".join(["信息内容", "本年处理决定数量", "行政强制", "7"])
    got, _ = run(vertical, FORM2021[:1], form="form2021")
    assert "proactive.coercion.decisions" not in got  # the grid's 行政强制 is blank; the text is not used
    got, _ = run(vertical, [], form="form2021")
    assert got["proactive.coercion.decisions"].value == 7


def test_ocr_tables_must_add_up_and_tables_without_sums_are_skipped():
    t3 = [list(r) for r in FORM2021[1]]
    t3[5][3] = "9"  # (一)予以公开: a misread digit
    t4 = [list(r) for r in FORM2021[2]]
    t4[3][4] = "9"
    got, flags = run("", [FORM2021[0], t3, t4], form="form2021", ocr=True)
    assert flags[:2] == [
        "table 二 from OCR not read: it has no sums to check its digits against",
        "table 三: row 三、本年度办理结果(一)予以公开 does not add up, so its columns (read by position or from OCR)"
        " do not add up; skipped",
    ]
    assert "table 四 from OCR not read: its groups do not add up" in flags
    assert not any(k.startswith(("proactive.", "review.")) for k in got)
    assert "requests.granted.total" not in got and got["requests.new.total"].value == 14


def test_a_continuation_grid_keeps_the_first_grids_columns():
    t3 = FORM2021[1]
    got, flags = run("", [t3[:11], t3[11:]], form="form2021")
    assert flags == []
    assert got["requests.rejected_duplicate.total"].value == 1 and got["requests.carried_forward.total"].value == 1


def test_a_failing_continuation_is_flagged_as_table_three(monkeypatch, caplog):
    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(stats_pkg.Table3, "read", boom)
    with caplog.at_level(logging.DEBUG, logger="extract.stats"):
        _, flags = run("", [FORM2021[1][11:]], form="form2021")
    assert flags == ["table 三 could not be read: RuntimeError: boom"]
    records = [r for r in caplog.records if r.name == "extract.stats"]
    assert [r.getMessage() for r in records] == ["table 三+ failed"]
    assert records[0].exc_info and records[0].exc_info[0] is RuntimeError  # the traceback goes with it


def test_a_failing_legacy_text_reader_is_flagged(monkeypatch):
    def boom(_text):
        raise RuntimeError("boom")

    monkeypatch.setattr(stats_pkg, "read_legacy_text", boom)
    assert run("", [])[1] == ["table legacy could not be read: RuntimeError: boom"]


def test_glued_tables_and_lone_numbers_only_fill_what_the_tables_lack():
    glued = ("三、收到和处理政府信息公开申请情况（一）予以公开6000017四、政府信息公开行政复议、行政诉讼情况"
             "尚未审结总计120143010400011五、存在的主要问题")
    got, flags = run(glued, FORM2021, form="form2021")
    assert flags == [] and got["requests.granted.total"].value == 5 and got["review.total"].value == 3
    got, flags = run(glued, [])
    assert got["requests.granted.total"].value == 7 and got["review.total"].value == 4
    assert run("四、结转下年度继续办理\n5", []) == ({}, [])  # no table 三 at all: a lone line is not one
    assert run("四、结转下年度继续办理\n1 2 3", FORM2021, form="form2021")[1] == []  # the table has the row


@pytest.mark.parametrize(("text", "flag"), [
    ("行政诉讼5件。", "text says 5 lawsuits (行政诉讼5件) while table 四 says 3"),  # a sum of table 四's groups
    ("不予公开3件。", "text says 3 for core.requests_denied (不予公开) (不予公开3件) while table 三 says 1"),
])
def test_disagreements_with_summed_core_figures(text, flag):
    assert run(text, FORM2021, form="form2021")[1] == [flag]


def test_disagreement_with_the_legacy_table():
    _, flags = run("全年共收到政府信息公开申请15件。", [LEGACY], form="legacy_table")
    assert flags == ["text says 15 requests received (全年共收到政府信息公开申请15件) while the statistics table says 12"]


def test_core_copies_keep_the_confidence_of_what_they_copy():
    glued = ("三、收到和处理政府信息公开申请情况（一）予以公开6000017四、政府信息公开行政复议、行政诉讼情况"
             "尚未审结总计120143010400011五、存在的主要问题")
    got, _ = run(glued, [])
    assert got["core.requests_granted"].confidence == "table-position"
    assert got["core.review_total"].confidence == "table-position"


def test_legacy_fees_in_yuan_to_the_fen():
    legacy = [LEGACY[0], LEGACY[1], ["依申请公开信息收取的费用", "万元", "0.0123456"]]
    s = run("", [legacy])[0]["core.fees_collected_yuan"]
    assert (s.value, s.source, s.confidence) == (123.46, "table", "derived")


def test_text_breakdown_of_requests_is_not_used_when_table_three_has_them():
    rows, _ = body(LABELS_2021[:3])
    rows[0][5] = ""  # 本年新收 / 科研机构 blank in the table
    got, flags = run("本年度收到政府信息公开申请15件，其中科研机构2件。主动公开政府信息300条。", [HEADER + rows],
                     form="form2021")
    assert "requests.new.research" not in got  # not filled from a sentence next to the table
    assert got["core.proactive_items"].value == 300  # what follows is still read
    assert flags[0] == "text says 15 requests received (本年度收到政府信息公开申请15件) while table 三 says 210"


def test_disagreeing_sentences_are_not_taken_and_do_not_stop_the_rest():
    got, flags = run("主动公开政府信息300条。全年收到政府信息公开申请5件。本年度共收到政府信息公开申请7件。", [])
    assert {k: s.value for k, s in got.items()} == {"core.proactive_items": 300}
    assert flags == ["sentences disagree on core.requests_new: 5 (全年收到政府信息公开申请5件); "
                     "7 (本年度共收到政府信息公开申请7件); not taken"]


@pytest.mark.parametrize("third", [9, 13])  # 5 + 7 is neither: no total among them
def test_three_values_that_do_not_sum_are_not_taken(third):
    text = f"全年收到政府信息公开申请5件。本年度共收到政府信息公开申请7件。全年共受理政府信息公开申请{third}件。"
    got, flags = run(text, [])
    assert got == {}
    assert flags == [f"sentences disagree on core.requests_new: 5 (全年收到政府信息公开申请5件); "
                     f"7 (本年度共收到政府信息公开申请7件); {third} (全年共受理政府信息公开申请{third}件); not taken"]


def test_at_most_four_disagreeing_values_are_shown():
    _, flags = run("收到申请1件。收到申请2件。收到申请4件。收到申请8件。收到申请16件。", [])
    assert flags == ["sentences disagree on core.requests_new: 1 (收到申请1件); 2 (收到申请2件); 4 (收到申请4件); "
                     "8 (收到申请8件); not taken"]


def test_a_total_among_the_values_keeps_the_other_figures():
    got, _ = run("全年主动公开政府信息2122条，其中区直1509条，乡镇613条。收取信息处理费30元。", FORM2021, form="form2021")
    assert got["core.proactive_items"].value == 2122 and got["core.fees_collected_yuan"].value == 30


def test_split_figures_the_table_has_and_has_not():
    text = "行政诉讼5件。行政诉讼6件。主动公开政府信息100条。主动公开政府信息200条。收取信息处理费30元。"
    got, flags = run(text, FORM2021, form="form2021")
    assert flags == [
        "sentences disagree on core.proactive_items: 100 (主动公开政府信息100条); 200 (主动公开政府信息200条); not taken",
        "text says 5 lawsuits (行政诉讼5件) while table 四 says 3",  # once, for the first of the two
    ]
    assert "core.proactive_items" not in got and got["core.fees_collected_yuan"].value == 30


def test_a_figure_given_once_does_not_stop_the_check_of_the_others():
    got, flags = run("全年收到政府信息公开申请5件。主动公开政府信息100条。主动公开政府信息200条。", [])
    assert {k: s.value for k, s in got.items()} == {"core.requests_new": 5}
    assert flags == ["sentences disagree on core.proactive_items: 100 (主动公开政府信息100条); "
                     "200 (主动公开政府信息200条); not taken"]


PARTS = "全区主动公开政府信息2122条，其中区直部门主动公开政府信息1509条，乡镇主动公开政府信息613条。"


def test_a_total_of_its_parts_is_taken_and_the_other_figures_kept():
    got, flags = run(PARTS + "收取信息处理费30元。", [])
    assert {k: s.value for k, s in got.items()} == {"core.proactive_items": 2122, "core.fees_collected_yuan": 30}
    assert flags == []
    got, flags = run(PARTS + "收取信息处理费30元。收取信息处理费40元。", [])  # a split key after a summed one
    assert {k: s.value for k, s in got.items()} == {"core.proactive_items": 2122}
    assert flags == ["sentences disagree on core.fees_collected_yuan: 30 (收取信息处理费30元); "
                     "40 (收取信息处理费40元); not taken"]
