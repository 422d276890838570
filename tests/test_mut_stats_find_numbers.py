"""extract/stats/narrative.find_numbers: which sentence figures are taken, which are left out, and why
(the debug log says so), on sentences in the wording of real reports.

The mutation run (scripts/mutation.sh stats-text) left unpinned: that a skipped figure does not stop the
ones after it, the reason logged for each skip, the breakdown by applicant (its phrase and sentence),
the 万元 conversion of fees, and the bounds of the windows that tell a category or a joined outcome from
a count.
"""

from __future__ import annotations

import logging

import pytest

from extract.stats.narrative import Found, find_numbers


def found(text: str) -> list[tuple[str, float, str, str]]:
    return [(f.key, f.value, f.phrase, f.sentence) for f in find_numbers(text)[0]]


@pytest.fixture
def debug(caplog):
    caplog.set_level(logging.DEBUG, logger="extract.stats.narrative")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "extract.stats.narrative"]


def test_service_hall_applications_are_not_requests_and_do_not_stop_the_reading(debug):
    text = "政务服务大厅共受理申请1200件。全年共收到政府信息公开申请15件。"
    assert found(text) == [("core.requests_new", 15, "全年共收到政府信息公开申请15件", "全年共收到政府信息公开申请15件。")]
    assert debug() == ["service-hall applications skipped: 政务服务大厅共受理申请1200件"]


def test_a_total_with_carried_over_requests_is_skipped(debug):
    text = "共收到申请749件（含上年结转36件）。本年度共受理政府信息公开申请20件。"
    assert found(text) == [
        ("core.requests_new", 20, "本年度共受理政府信息公开申请20件", "本年度共受理政府信息公开申请20件。"),
        ("core.requests_carried_over", 36, "上年结转36件", "共收到申请749件（含上年结转36件）。"),
    ]
    assert debug() == ["a total with carried-over requests skipped: 共收到申请749件（含上年结转36件）"]


def test_newly_received_with_carried_over_named_after_it_and_the_breakdown():
    sentence = "本年新收政府信息公开申请713件，上年结转36件，其中自然人700件、企业13件。"
    assert found(sentence) == [
        ("core.requests_new", 713, "本年新收政府信息公开申请713件", sentence),
        ("requests.new.natural_person", 700, "自然人700件", sentence),
        ("requests.new.commercial", 13, "企业13件", sentence),
        ("core.requests_carried_over", 36, "上年结转36件", sentence),
    ]
    f = find_numbers("本年度收到政府信息公开申请\n12件，其中自然人 10 件。")[0]
    assert f[1] == Found("requests.new.natural_person", 10, "自然人 10 件", "本年度收到政府信息公开申请 12件，其中自然人 10 件。")


def test_a_newly_phrase_inside_the_request_figure_is_not_counted_twice():
    assert [k for k, *_ in found("本年度新收政府信息公开申请7件。")] == ["core.requests_new"]


def test_no_requests_received():
    assert found("本年度未收到政府信息公开申请。") == [
        ("core.requests_new", 0, "未收到政府信息公开申请", "本年度未收到政府信息公开申请。")
    ]
    # a denial about requests of one kind is not a denial of all requests
    assert found("未收到因征地拆迁提出的政府信息公开申请。") == []
    assert [k for k, *_ in found("未收到涉及信访的政府信息公开申请。")] == []


def test_joined_outcomes_are_skipped(debug):
    text = "予以公开及部分公开208件，不予公开3件。"
    assert found(text) == [("core.requests_denied", 3, "不予公开3件", text)]
    assert debug() == ["joined outcome count skipped: 予以公开及部分公开208件"]
    text = "同意公开、部分公开共计20件，部分公开5件。"  # the joining word just before the match
    assert [(k, v) for k, v, *_ in found(text)] == [("core.requests_partial", 5)]
    text = "答复申请人予以公开的12件。"  # six characters before: no joining word
    assert [(k, v) for k, v, *_ in found(text)] == [("core.requests_granted", 12)]


def test_proactive_items_not_a_category_or_a_running_total():
    assert found("其他应主动公开政府信息1053条。主动公开政府信息2602条。") == [
        ("core.proactive_items", 2602, "主动公开政府信息2602条", "主动公开政府信息2602条。")
    ]
    assert [v for _k, v, *_ in found("累计主动公开政府信息9000条。主动公开政府信息300条。")] == [300]
    assert [v for _k, v, *_ in found("公开应主动公开政府信息50条。")] == []
    assert [v for _k, v, *_ in found("全部主动公开政府信息50条。")] == [50]


def test_denial_of_an_outcome_is_not_a_denial_of_reviews(debug):
    text = "未发生行政复议被纠错的情况，未发生行政复议案件。"
    assert found(text) == [("core.review_total", 0, "未发生行政复议", text)]
    assert debug() == ["denial of an outcome, not of a review: 未发生行政复议被纠错的情况"]


def test_no_reviews_and_no_lawsuits():
    assert found("本年度未发生行政复议、行政诉讼。") == [
        ("core.review_total", 0, "未发生行政复议", "本年度未发生行政复议、行政诉讼。"),
        ("core.litigation_total", 0, "未发生行政复议、行政诉讼", "本年度未发生行政复议、行政诉讼。"),
    ]


def test_one_number_for_reviews_and_lawsuits_is_not_taken(debug):
    text = "收到行政复议和行政诉讼1件。行政复议3件、行政诉讼2件。"
    assert [(k, v) for k, v, *_ in found(text)] == [("core.review_total", 3), ("core.litigation_total", 2)]
    assert debug() == ["ambiguous review/litigation figure skipped: 收到行政复议和行政诉讼1件"]
    # two numbers in the clause: each is its own
    assert [(k, v) for k, v, *_ in found("行政复议3件和行政诉讼2件。")] == [
        ("core.review_total", 3), ("core.litigation_total", 2)]


def test_fees():
    assert found("收取信息处理费0.05万元。") == [
        ("core.fees_collected_yuan", 500.0, "收取信息处理费0.05万元", "收取信息处理费0.05万元。")
    ]
    assert [v for _k, v, *_ in found("信息处理费共计200元。")] == [200]
    assert [v for _k, v, *_ in found("收取费用30元。")] == [30]
    assert [v for _k, v, *_ in found("未收取任何费用。")] == [0, 0]


def test_empty_text():
    f, sq = find_numbers("")
    assert f == [] and sq.original == "" and sq.text == ""


def test_appeal_requests_do_not_stop_the_request_figures():
    assert [(k, v) for k, v, *_ in found("收到行政复议申请2件。全年共收到政府信息公开申请15件。")] == [
        ("core.requests_new", 15), ("core.review_total", 2)]


def test_newly_received_figures_outside_the_request_sentence():
    assert [(k, v) for k, v, *_ in found("本年新收政府信息公开申请7件。新收3件。")] == [
        ("core.requests_new", 7), ("core.requests_new", 3)]
    assert [(k, v) for k, v, *_ in found("全年共收到政府信息公开申请5件新收申请3件")] == [
        ("core.requests_new", 5), ("core.requests_new", 3)]


def test_the_breakdown_sentence_after_an_earlier_sentence():
    sentence = "本年度收到政府信息公开申请12件，其中自然人10件，企业2件，科研机构0件。"
    got = found("上年结转3件。" + sentence)
    assert [(k, v, s) for k, v, _p, s in got[:4]] == [
        ("core.requests_new", 12, sentence), ("requests.new.natural_person", 10, sentence),
        ("requests.new.commercial", 2, sentence), ("requests.new.research", 0, sentence)]


def test_windows_at_the_start_of_the_text():
    assert found("公开及部分公开208件。") == []  # the joining word right at the start
    assert found("应主动公开政府信息50条。") == []  # 应主动公开 at the start: a category
    assert [(k, v) for k, v, *_ in found("予以公开及部分公开208件，部分公开5件。")] == [("core.requests_partial", 5)]


def test_zero_reviews_and_lawsuits_in_figures():
    assert found("本年度行政复议0件，行政诉讼数量为0起。") == [
        ("core.review_total", 0, "行政复议0件", "本年度行政复议0件，行政诉讼数量为0起。"),
        ("core.review_total", 0, "行政复议0件", "本年度行政复议0件，行政诉讼数量为0起。"),
        ("core.litigation_total", 0, "行政诉讼数量为0起", "本年度行政复议0件，行政诉讼数量为0起。"),
    ]
