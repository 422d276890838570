"""Precision first: a number only when its words name that quantity; a table beats a sentence.

Each case is a class of wrong numbers seen on real reports (issue 11): the sentence looks like the
quantity but counts something else. The right answer there is no number (or the table's), never
the sentence's figure.
"""

from __future__ import annotations

import pytest

from extract.stats import analyze


def run(text: str, tables: list | None = None, form: str | None = "narrative") -> tuple[dict, list[str]]:
    stats, flags = analyze(text, tables or [], form=form, report_year=2021, document_date=None)
    return {s.key: s.value for s in stats}, flags


def test_service_hall_applications_are_not_disclosure_requests() -> None:
    got, _ = run("县行政服务中心全年受理申请121510件，办结121508件，按时办结率100%。")
    assert "core.requests_new" not in got
    assert "core.requests_handled" not in got


def test_total_with_carried_over_requests_is_not_requests_new() -> None:
    got, _ = run("2021年共收到政府信息公开申请749件（含上年结转36件），其中自然人741件，法人或其他组织8件。")
    assert "core.requests_new" not in got
    assert "requests.new.natural_person" not in got
    assert got["core.requests_carried_over"] == 36


def test_newly_received_named_after_the_total_is_taken() -> None:
    got, _ = run("全年共收到申请749件，其中上年结转36件，本年新收713件。")
    assert got["core.requests_new"] == 713
    assert got["core.requests_carried_over"] == 36


def test_joined_outcomes_are_neither_outcome() -> None:
    got, _ = run("全年受理政府信息公开申请260件，予以公开及部分公开208件，不予公开3件。")
    assert got["core.requests_new"] == 260
    assert "core.requests_partial" not in got
    assert "core.requests_granted" not in got
    assert got["core.requests_denied"] == 3


def test_no_review_lost_is_not_no_review() -> None:
    got, _ = run("本年度未发生因政府信息公开工作被行政复议纠错或行政诉讼败诉的情形。")
    assert "core.review_total" not in got
    assert "core.litigation_total" not in got


def test_table_beats_a_disagreeing_sentence_which_becomes_a_flag() -> None:
    head = ["行政复议", "", "", "", "", "行政诉讼", *[""] * 9]
    groups = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    data = ["30", "5", "10", "10", "55", "10", "2", "5", "3", "20", "6", "1", "4", "3", "14"]
    table4 = [head, ["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""], groups, data]
    got, flags = run("全年发生行政复议 1 件。", [table4], form="form2021")
    assert got["core.review_total"] == 55
    assert any("administrative review" in f and "55" in f for f in flags)


def test_sentences_that_disagree_give_no_number() -> None:
    got, flags = run("全年发生行政复议1件。本年度未收到行政复议申请。")
    assert "core.review_total" not in got
    assert any("disagree" in f and "core.review_total" in f for f in flags)


@pytest.mark.parametrize(
    ("sentence", "fee"),
    [
        ("依申请公开信息处理费 0 元。", 0),
        ("本年度未发生收费情况。", 0),
        ("本机关未发生政府信息公开收费事项。", 0),
        ("政府信息公开申请暂不收费。", 0),
        ("按规定收取信息处理费 3940 元。", 3940),
        ("全年收取政府信息公开信息处理费共计1200元。", 1200),
    ],
)
def test_fee_sentences(sentence: str, fee: int) -> None:
    got, _ = run(sentence)
    assert got["core.fees_collected_yuan"] == fee


def test_carried_over_handled_and_carried_forward_sentence() -> None:
    got, _ = run("本年度新收政府信息公开申请12件，上年结转 2 件，办结 13 件，结转下年度 1 件。")
    assert got["core.requests_new"] == 12
    assert got["core.requests_carried_over"] == 2
    assert got["core.requests_handled"] == 13
    assert got["core.requests_carried_forward"] == 1


def test_review_count_sentence() -> None:
    got, _ = run("全年发生行政复议 1 件，未发生行政诉讼。未发生因政府信息公开被行政复议纠错的情形。")
    assert got["core.review_total"] == 1
    assert got["core.litigation_total"] == 0


def test_every_number_carries_evidence_and_confidence() -> None:
    stats, _ = analyze("全年共收到政府信息公开申请7件。收取信息处理费 0 元。", [], form="narrative")
    assert stats
    for s in stats:
        assert s.evidence and s.confidence == "text"


def test_any_core_sentence_that_disagrees_with_table3_is_a_flag() -> None:
    head = ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    grid = [
        head,
        ["一、本年新收政府信息公开申请数量", "5", "0", "0", "0", "0", "0", "5"],
        ["（一）予以公开", "3", "0", "0", "0", "0", "0", "3"],
        ["（二）部分公开", "2", "0", "0", "0", "0", "0", "2"],
    ]
    got, flags = run("全年予以公开4件。", [grid], form="form2021")
    assert got["core.requests_granted"] == 3
    assert any("text says 4" in f and "core.requests_granted" in f and "says 3" in f for f in flags)
