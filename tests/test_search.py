"""Search: CJK bigram FTS5 finds 2-character words; user input never breaks FTS5."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from corpus.bigrams import to_index_text, tokens
from corpus.search import SearchError, search, to_fts_query
from corpus.store import Store
from extract.record import Record, Region

HUBEI = Region("湖北省", "武汉市", "东西湖区", "420112")
GD = Region("广东省", "广州市", "天河区", "440106")

DOCS = {
    "review": dict(agency="武汉市东西湖区住房和城乡建设局", region=HUBEI, report_year=2022,
                   title="东西湖区住建局2022年政府信息公开工作年度报告",
                   text="本机关全年共收到行政复议申请2件，维持1件。住建领域信息主动公开。"),
    "lawsuit": dict(agency="武汉市东西湖区人民政府", region=HUBEI, report_year=2021,
                    title="东西湖区2021年政务公开年度报告",
                    text="全年发生行政诉讼3起，均已审结。政府信息依申请办理及时。"),
    "apart": dict(agency="广州市天河区人民政府", region=GD, report_year=2019,
                  title="天河区2019年度报告",
                  text="今年我们复印了档案材料，并在会上提出改进建议。"),
    "both": dict(agency="广州市天河区住房和建设局", region=GD, report_year=2020,
                 title="天河区住房和建设局年度报告",
                 text="没有发生因政府信息公开引起的行政复议和行政诉讼。2020年无收费。"),
    "title_hit": dict(agency="广州市天河区司法局", region=GD, report_year=2021,
                      title="天河区司法局行政复议工作报告",
                      text="本局依法处理案件，全年工作总结如下。" + "其他事项说明。" * 30),
}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "ogi.db")
    ids = {}
    for name, kw in DOCS.items():
        ids[name] = s.save_report(
            Record(is_report=True, source_url=f"http://example/{name}.html", text_source="html", **kw),
            site_id=None, capture_ids=[])
    s.ids = ids  # type: ignore[attr-defined]
    yield s
    s.close()


def names(store: Store, hits) -> set[str]:
    by_id = {v: k for k, v in store.ids.items()}  # type: ignore[attr-defined]
    return {by_id[h.report_id] for h in hits}


def test_bigram_tokens() -> None:
    assert to_index_text("政府信息公开") == "政府 府信 信息 息公 公开"
    assert tokens("复") == ["复"]
    assert tokens("2019年度报告，ＰＤＦ Report") == ["2019", "年度", "度报", "报告", "pdf", "report"]
    assert to_fts_query("行政复议") == '"行政 政复 复议"'
    assert to_fts_query("复") == '"复"*'


def test_naive_unicode61_finds_nothing_for_two_chars() -> None:
    """Why bigrams exist: unicode61 indexes a Chinese sentence as one token."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61')")
    conn.execute("INSERT INTO t VALUES (?)", (DOCS["review"]["text"],))
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH '复议'").fetchone()[0] == 0
    conn.execute("CREATE VIRTUAL TABLE b USING fts5(text, tokenize='unicode61')")
    conn.execute("INSERT INTO b VALUES (?)", (to_index_text(DOCS["review"]["text"]),))
    assert conn.execute("""SELECT count(*) FROM b WHERE b MATCH '"复议"'""").fetchone()[0] == 1


def test_trigram_cannot_match_two_chars() -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='trigram')")
    except sqlite3.OperationalError:
        pytest.skip("no trigram tokenizer")
    conn.execute("INSERT INTO t VALUES (?)", (DOCS["review"]["text"],))
    assert conn.execute("""SELECT count(*) FROM t WHERE t MATCH '"复议"'""").fetchone()[0] == 0


@pytest.mark.parametrize("query, expected", [
    ("复议", {"review", "both", "title_hit"}),
    ("诉讼", {"lawsuit", "both"}),
    ("住建", {"review"}),
    ("公开", {"review", "lawsuit", "both"}),
    ("行政复议", {"review", "both", "title_hit"}),
    ("复议 诉讼", {"both"}),
    ("复议 OR 诉讼", {"review", "lawsuit", "both", "title_hit"}),
    ('"信息公开"', {"review", "both"}),
    ("东西湖区住房和城乡建设局", {"review"}),
    ("2019", {"apart"}),
    ("2020", {"both"}),
    ("复", {"review", "apart", "both", "title_hit"}),
])
def test_queries_find_exactly(store: Store, query: str, expected: set[str]) -> None:
    assert names(store, search(store, query)) == expected


def test_far_apart_chars_do_not_match(store: Store) -> None:
    text = DOCS["apart"]["text"]
    assert "复" in text and "议" in text and "复议" not in text
    assert "apart" not in names(store, search(store, "复议"))


def test_filters_narrow(store: Store) -> None:
    assert names(store, search(store, "复议", province="广东省")) == {"both", "title_hit"}
    assert names(store, search(store, "复议", year=2022)) == {"review"}
    assert names(store, search(store, "复议", agency="司法局")) == {"title_hit"}
    assert names(store, search(store, "公开", adcode="420112")) == {"review", "lawsuit"}
    assert names(store, search(store, "复议", county="东西湖区")) == {"review"}
    assert search(store, "复议", province="西藏自治区") == []
    assert names(store, search(store, "", year=2019)) == {"apart"}
    assert len(search(store, "复议", limit=1)) == 1


def test_title_match_ranks_first(store: Store) -> None:
    hits = search(store, "行政复议")
    assert hits[0].report_id == store.ids["title_hit"]  # type: ignore[attr-defined]
    assert hits[0].score >= hits[-1].score


def test_agency_name_query_ranks_own_reports_first(store: Store) -> None:
    hits = search(store, "天河区住房和建设局")
    assert hits[0].report_id == store.ids["both"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("query", [
    '"复议', "(住建", "-", "*", "^", ":", "复议*", "-复议", "NEAR(复议 诉讼)", "复议 AND", "OR 复议", "OR",
    'text:复议', '""', "()", "复议)", "诉讼 NOT 复议", "'", "  ", "", "\\", "%", "复^议", "{复议}", "a\"b",
])
def test_syntax_characters_never_traceback(store: Store, query: str) -> None:
    try:
        hits = search(store, query)
    except SearchError as exc:
        assert str(exc)
    else:
        assert isinstance(hits, list)


def test_syntax_queries_still_search_the_words(store: Store) -> None:
    assert names(store, search(store, '"复议')) == {"review", "both", "title_hit"}
    assert names(store, search(store, "(住建")) == {"review"}
    with pytest.raises(SearchError, match="nothing to search"):
        search(store, "-")
    with pytest.raises(SearchError):
        search(store, "")


def test_snippet_marks_the_original_text(store: Store) -> None:
    hit = next(h for h in search(store, "复议") if h.report_id == store.ids["review"])  # type: ignore[attr-defined]
    assert "[复议]" in hit.snippet and "行政[复议]申请" in hit.snippet
    assert len(hit.snippet) <= 100
    bold = search(store, "诉讼", mark_start="<b>", mark_end="</b>")
    assert all("<b>诉讼</b>" in h.snippet for h in bold)
    ctl = search(store, "住建", marks=("\x02", "\x03"))
    assert "\x02住建\x03" in ctl[0].snippet
    long = search(store, "总结")[0].snippet
    assert "[总结]" in long and long.endswith("…")


def test_rebuild_index_and_resave_keep_one_fts_row(store: Store) -> None:
    n = store.conn.execute("SELECT count(*) FROM reports_fts").fetchone()[0]
    kw = DOCS["review"]
    store.save_report(Record(is_report=True, source_url="http://example/review.html", **{**kw, "text": "改为讨论诉讼"}),
                      site_id=None, capture_ids=[])
    assert store.conn.execute("SELECT count(*) FROM reports_fts").fetchone()[0] == n
    assert "review" in names(store, search(store, "诉讼"))
    assert "review" not in names(store, search(store, "维持"))
    assert store.rebuild_search_index() == n
    assert "review" in names(store, search(store, "诉讼"))


def test_search_by_path_or_database(tmp_path: Path, store: Store) -> None:
    assert names(store, search(tmp_path / "ogi.db", "住建")) == {"review"}
    assert names(store, search(str(tmp_path / "ogi.db"), "住建")) == {"review"}
    assert names(store, search(store.db, "住建")) == {"review"}
    with pytest.raises(SearchError, match="does not exist"):
        search(tmp_path / "missing.db", "住建")


@pytest.mark.parametrize("text", [
    "政府信息公开", "复", "2019年度报告，ＰＤＦ Report", "a复b议c", "⼀⽂件（一）", "𠀀𠀁字 x_y 复议。诉讼",
    "", "   ", "第二十条第（一）项 规章 0 1 2", DOCS["title_hit"]["text"],
])
def test_index_text_is_the_token_stream(text: str) -> None:
    """to_index_text is a fast path; it must stay exactly the tokens() stream the queries are built from."""
    assert to_index_text(text) == " ".join(tokens(text))


def test_ranking_work_is_capped_to_the_newest_matches(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past RANK_CAP matches, bm25 ranks only the most recently stored ones (a common word matched every
    report and ranking them all was most of its time); the count stays exact and a filter ranks within it."""
    import corpus.search as cs

    assert names(store, search(store, "公开")) == {"review", "lawsuit", "both"}
    monkeypatch.setattr(cs, "RANK_CAP", 2)
    assert names(store, search(store, "公开")) == {"lawsuit", "both"}
    assert cs.count_matches(store, "公开") == 3
    assert names(store, search(store, "公开", province="湖北省")) == {"review", "lawsuit"}
