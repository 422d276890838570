"""The contentless search index (schema 6): exact one-character queries, no second copy of the text, rows
replaced and removed exactly (FTS5 'delete' with the indexed values), and the migration from schema 5."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from benchmarks.search_bench import build_corpus, table_sizes
from corpus import schema
from corpus.search import search
from corpus.store import Store
from extract.record import Record, Region

REGION = Region("湖北省", "武汉市", "东西湖区", "420112")


def _save(store: Store, name: str, text: str, title: str = "年度报告", year: int = 2022) -> int:
    rid = store.save_report(Record(is_report=True, source_url=f"http://example/{name}.html", text_source="html",
                                   agency=f"东西湖区{name}局", region=REGION, report_year=year, title=title, text=text),
                            site_id=None, capture_ids=[])
    assert rid is not None
    return rid


def _found(store: Store, query: str) -> set[int]:
    return {h.report_id for h in search(store, query, limit=100)}


def _vocab(conn: sqlite3.Connection) -> list[tuple]:
    """Every (token, rowid, column, offset) the index holds: what two indexes must agree on."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, reports_fts, instance)")
    return conn.execute("SELECT term, doc, col, offset FROM temp.v ORDER BY 1, 2, 3, 4").fetchall()


def _integrity(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO reports_fts (reports_fts) VALUES ('integrity-check')")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "ogi.db")
    yield s
    s.close()


def test_one_character_query_finds_the_last_character_of_a_run(store: Store) -> None:
    """复 only at the end of a run (答复。, 行政复 2): the prefix 复* on bigrams alone missed both."""
    end = _save(store, "a", "已按期答复。其余事项办结。")
    digit = _save(store, "b", "行政复2件")
    start = _save(store, "c", "复议申请。")
    alone = _save(store, "d", "第复条")  # mid-run: a bigram starts with it
    none = _save(store, "e", "没有这个字。")
    assert _found(store, "复") == {end, digit, start, alone}
    assert none not in _found(store, "复")
    # and in the short fields: the title ends with 告, the agency with 局
    assert _found(store, "告") >= {end, digit, start, alone, none}
    assert _found(store, "局") == {end, digit, start, alone, none}


def test_longer_queries_do_not_match_the_run_ends(store: Store) -> None:
    """The run-final characters sit in columns of their own: a phrase never spans into them."""
    a = _save(store, "a", "答复。2019年度")
    assert _found(store, "复2019") == {a}  # punctuation between the parts, as before
    assert _found(store, "答复") == {a}
    assert _found(store, "复年") == set()
    assert _found(store, "2019年") == {a}


def test_the_index_stores_no_text(store: Store) -> None:
    _save(store, "a", "本机关全年共收到行政复议申请2件。")
    names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'reports_fts%'")}
    assert "reports_fts_content" not in names
    assert store.conn.execute("SELECT title, text FROM reports_fts").fetchall() == [(None, None)]
    assert _found(store, "复议") and _found(store, "行政复议")


def test_index_size_is_a_fraction_of_the_text(tmp_path: Path) -> None:
    """At 300 synthetic reports the old index (bigram text kept as content) was 2.6x the reports table; the
    inverted index alone is about 1x."""
    store, *_ = build_corpus(tmp_path / "b.db", 300, seed=5, log=lambda _m: None)
    try:
        _, reports, fts = table_sizes(store.conn)
        assert sum(fts.values()) < 1.3 * reports, fts
    finally:
        store.close()


def test_resave_and_delete_replace_the_row_exactly(store: Store) -> None:
    a = _save(store, "a", "全年收到行政复议申请2件。")
    b = _save(store, "b", "全年发生行政诉讼3起。")
    _save(store, "a", "改为讨论信息公开。")  # same identity: text changed
    assert _found(store, "复议") == set() and _found(store, "信息公开") == {a}
    assert _found(store, "诉讼") == {b}
    store.delete_report(b)
    assert _found(store, "诉讼") == set()
    _integrity(store.conn)
    assert store.conn.execute("SELECT count(*) FROM reports_fts_pending").fetchone()[0] == 0
    before = _vocab(store.conn)
    store.rebuild_search_index()
    assert _vocab(store.conn) == before


def test_a_row_changed_by_hand_is_reindexed_from_its_kept_copy(store: Store, tmp_path: Path) -> None:
    """Another program (sqlite3, Datasette) changes a report: the trigger keeps the indexed values, so the
    next save of that report still removes exactly what was indexed."""
    a = _save(store, "a", "全年收到行政复议申请2件。")
    other = sqlite3.connect(tmp_path / "ogi.db")
    other.execute("UPDATE reports SET text = '手工改过的文字。' WHERE report_id = ?", (a,))
    other.execute("UPDATE reports SET text = '又改了一次。' WHERE report_id = ?", (a,))
    other.commit()
    other.close()
    assert store.conn.execute("SELECT count(*) FROM reports_fts_pending").fetchone()[0] == 1
    _save(store, "a", "最后保存了诉讼。")
    assert _found(store, "复议") == set() and _found(store, "诉讼") == {a}
    _integrity(store.conn)
    before = _vocab(store.conn)
    store.rebuild_search_index()
    assert _vocab(store.conn) == before


def test_rebuild_writes_what_saving_wrote(store: Store) -> None:
    for i, text in enumerate(["行政复议申请2件。", "答复。2019年度", "ＰＤＦ Report 公开"]):
        _save(store, f"r{i}", text, title=f"第{i}份报告")
    before = _vocab(store.conn)
    sizes = store.conn.execute("SELECT * FROM reports_fts_docsize ORDER BY id").fetchall()
    assert len(sizes) == 3 and before
    assert store.rebuild_search_index() == 3
    assert _vocab(store.conn) == before
    assert store.conn.execute("SELECT * FROM reports_fts_docsize ORDER BY id").fetchall() == sizes


def _v5_database(path: Path) -> None:
    """A database as schema 5 wrote it: the FTS5 table with its content (the bigram text) and no triggers."""
    old_fts = """CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(
    title, agency, meta, text, tokenize = 'unicode61'
);"""
    sql = schema.SCHEMA_SQL
    start = sql.index("CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts")
    end = sql.index("-- How much of each report's text repeats")
    conn = sqlite3.connect(path)
    conn.executescript(sql[:start] + old_fts + "\n" + sql[end:])
    conn.execute("""INSERT INTO reports (agency, report_year, title, text, first_seen, last_seen, updated_at)
                    VALUES ('某某局', 2020, '某某局年度报告', '依法予以答复。行政复议1件', 'x', 'x', 'x')""")
    conn.execute("INSERT INTO reports_fts (rowid, title, agency, meta, text) VALUES (1, '某某 某局 年度 度报 报告', "
                 "'某某 某局', '2020', '依法 法予 予以 以答 答复 行政 政复 复议 1')")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()


def test_schema_5_is_migrated_to_the_contentless_index(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _v5_database(db)
    with Store(db) as store:
        assert schema.schema_version(store.db) == 6
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'reports_fts%'")}
        assert "reports_fts_content" not in names and "reports_fts_pending" in names
        assert _found(store, "复议") == {1}
        assert _found(store, "复") == {1}
        assert _found(store, "答复") == {1}
        _integrity(store.conn)


def test_postgresql_index_holds_the_run_ends_too() -> None:
    """The PostgreSQL index (corpus.pg_search) keeps the same run-final characters, so `复` matches the same
    reports on both backends (tests/test_pg_backend.py compares the hit sets)."""
    from corpus.pg_search import ENDS, TEXT, TITLE, index_parts

    parts = {part: literal for part, _weight, literal in index_parts("年度报告", "某某局", "2020", "依法答复。")}
    assert "'复'" in parts[ENDS[TEXT]] and "'告'" in parts[ENDS[TITLE]]
    assert "'答复'" in parts[TEXT] and "'复'" not in parts[TEXT]
