"""Search snippets show the passage that says something (the hit beside a number, or in a heading) rather
than the opening paragraph every report copies; `count_matches` gives the total behind a page of hits, on
SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.search import count_matches, make_snippet, parse_query, search
from corpus.store import Store
from extract.record import Record, Region
from ogi.web import limits

OPENING = ("本报告根据《中华人民共和国政府信息公开条例》编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府"
           "信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况。\n")
HEADING = "四、政府信息公开行政复议、行政诉讼情况\n"
NUMBER = "本年度因政府信息公开申请引发行政复议2件，均维持。\n"
FILLER = "一、总体情况\n本机关认真贯彻落实政务公开工作要求，持续推进各项工作。\n" * 3


def _terms(q: str):
    return [t for g in parse_query(q) for t in g]


def test_snippet_prefers_a_number_then_a_heading_over_the_opening() -> None:
    text = OPENING + FILLER + HEADING + NUMBER
    snip = make_snippet(text, _terms("复议"))
    assert "行政[复议]2件" in snip and "本报告" not in snip
    without_number = OPENING + FILLER + HEADING + "本年度未发生相关情况。\n"
    heading = make_snippet(without_number + FILLER, _terms("复议"))
    assert heading.startswith("…四、政府信息公开行政[复议]") and "本报告" not in heading  # from the line's start
    only_opening = OPENING + FILLER
    assert "行政[复议]、行政诉讼情况" in make_snippet(only_opening, _terms("复议"))  # still found when it is all
    assert make_snippet(FILLER, _terms("复议")) is None


def test_the_web_snippet_chooses_the_same_passage(monkeypatch) -> None:
    text = OPENING + FILLER + HEADING + NUMBER
    assert limits.bounded_snippet(text, _terms("复议")) == make_snippet(text, _terms("复议"))
    # over several pieces: the telling passage in a later piece wins over the opening in the first
    monkeypatch.setattr(limits, "SNIPPET_PIECE_CHARS", 200)
    long = OPENING + FILLER * 6 + NUMBER
    assert len(long) > 3 * 200
    assert "行政[复议]2件" in limits.bounded_snippet(long, _terms("复议"))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "ogi.db")
    regions = [Region("湖北省", "武汉市", "东西湖区", "420112"), Region("安徽省", "六安市", "霍山县", "341525")]
    for i in range(6):
        s.save_report(Record(agency=f"第{i}局", region=regions[i % 2], report_year=2019 + i % 3, is_report=True,
                             title=f"第{i}局年度报告", text=OPENING + FILLER + (NUMBER if i % 3 else ""),
                             source_url=f"http://example/{i}.html"), site_id=None, capture_ids=[])
    yield s
    s.close()


def test_count_matches(store: Store, tmp_path: Path) -> None:
    db = tmp_path / "ogi.db"
    assert count_matches(db, "复议") == 6 == len(search(db, "复议", limit=100))
    assert count_matches(db, "复议 均维持") == 4
    assert count_matches(db, "复议", province="安徽省") == 3
    assert count_matches(db, "复议", year=2020) == 2
    assert count_matches(db, "", county="霍山县") == 3  # filters alone list reports
    assert count_matches(db, "没有这个词") == 0
    assert count_matches(store, "复议 OR 没有") == 6


def test_count_matches_postgres(pg_url: str, tmp_path: Path) -> None:
    from corpus.backend import open_store

    pg = open_store(pg_url, raw_dir=tmp_path)
    try:
        for i in range(4):
            pg.save_report(Record(agency=f"第{i}局", region=Region("湖北省"), report_year=2020 + i % 2,
                                  is_report=True, text=OPENING + (NUMBER if i % 2 else FILLER),
                                  source_url=f"http://example/{i}.html"), site_id=None, capture_ids=[])
        assert count_matches(pg, "复议") == 4
        assert count_matches(pg, "复议 均维持", year=2021) == 2
        assert count_matches(pg, "均维持", year=2020) == 0
        assert count_matches(pg, "", province="湖北省") == 4
    finally:
        pg.close()
