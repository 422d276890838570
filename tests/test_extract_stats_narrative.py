"""Figures from sentences: anchored on request / review / lawsuit vocabulary, robust to line breaks."""

from __future__ import annotations

import pytest

from extract.stats import analyze


def text_stats(text: str) -> dict:
    stats, _ = analyze(text, [], form="narrative", report_year=2020, document_date=None)
    assert all(s.source == "text" for s in stats)
    return {s.key: s.value for s in stats}


def test_request_sentence_with_breakdown_and_outcomes() -> None:
    text = (
        "全年受理依申请公开 17条，其中自然人 16条，企业 1\n\n条。依法依规予以公开的 11 条，部分公开的 2 条，本单位\n"
        "\n因不掌握相关信息或申请内容不明确无法提供的 4条。"
    )
    assert text_stats(text) == {
        "core.requests_new": 17,
        "requests.new.natural_person": 16,
        "requests.new.commercial": 1,
        "core.requests_granted": 11,
        "core.requests_partial": 2,
        "core.requests_unavailable": 4,
    }


@pytest.mark.parametrize(
    "sentence",
    [
        "2019 年，我局收到和受理依法申请公开政府信息 0 人次。",
        "2017年度，收到政府信息公开申请0件。",
        "本年度未收到政府信息公开申请。",
    ],
)
def test_no_requests(sentence: str) -> None:
    assert text_stats(sentence)["core.requests_new"] == 0


@pytest.mark.parametrize(
    ("sentence", "review", "litigation"),
    [
        ("2019 年，我局没有收到任何申请行政复议，没有引发有关政府信息公开提起的行政诉讼。", 0, 0),
        ("2017年度，尚未收到因政府信息公开工作引发举报、投诉、申请行政复议或提起行政诉讼的情况。", 0, 0),
        ("本年度发生政府信息公开行政复议案件2件，行政诉讼案件1件。", 2, 1),
    ],
)
def test_reviews_and_lawsuits(sentence: str, review: int, litigation: int) -> None:
    got = text_stats(sentence)
    assert got["core.review_total"] == review
    assert got["core.litigation_total"] == litigation


def test_one_number_for_review_and_lawsuit_is_not_taken() -> None:
    got = text_stats("全年受理依申请公开1件,收到行政复议及复议后行政诉讼1件,该案件裁定驳回")
    assert got == {"core.requests_new": 1}


def test_other_counts_are_not_requests() -> None:
    text = (
        "通过区政府网页发布信息 153\n条。全年向建设单位发布信息共 33833条。"
        "2020年以来共受理政府热线1390宗、信访125宗。受理行政许可212项。"
    )
    assert text_stats(text) == {}


def test_proactive_items_and_fees() -> None:
    got = text_stats("我局在“政府信息网”等网站上主劢公开政府信息 56 条。依据规定收取信息处理费共计400元。")
    assert got == {"core.proactive_items": 56, "core.fees_collected_yuan": 400}
    assert text_stats("政府信息公开相关费用全部在行政经费中列支，没有收取申请人任何费用。") == {
        "core.fees_collected_yuan": 0
    }


def test_evidence_is_the_sentence_as_printed() -> None:
    stats, _ = analyze(
        "一、概况\n2020 年，区住建局共受理政府公开申请 1 宗，主要涉及工程。",
        [],
        form=None,
        report_year=None,
        document_date=None,
    )
    s = next(s for s in stats if s.key == "core.requests_new")
    assert s.value == 1
    assert s.evidence.startswith("2020 年，区住建局共受理政府公开申请 1 宗")


@pytest.mark.parametrize(
    ("sentence", "n"),
    [
        ("本年度新收政府信息公开申请12件，均已按时答复。", 12),
        ("全年共收到政府信息公开申请三件。", 3),
        ("2021年依申请公开数量为0件。", 0),
        ("本年度未发生依申请公开事项。", 0),
        ("全年共受理群众申请十二件。", 12),
    ],
)
def test_request_phrasings(sentence: str, n: int) -> None:
    assert text_stats(sentence)["core.requests_new"] == n


@pytest.mark.parametrize(
    "sentence",
    [
        "三、收到和处理政府信息公开申请情况\n2\n件",
        "对群众申请一次性告知所需材料。",
        "依申请公开工作进一步规范。",
        "受理咨询申请 25 件。",
    ],
)
def test_request_lookalikes(sentence: str) -> None:
    assert "core.requests_new" not in text_stats(sentence)
