"""The PostgreSQL corpus (a real server, tests/pgserver.py) against the SQLite one: the same crawl of the demo
portal gives the same reports, numbers and search results, and concurrent writers never duplicate a report."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from tests.conftest import crawl, demo_sites_as_registry

QUERIES = ["复议", "行政复议", "信息公开", "复", "住建 2019", "复议 OR 诉讼", '"信息 公开"', "依申请公开 驳回",
           "财政局", "2021", "zzz没有的词", "教育 OR 卫生 2020", "申请 复"]


@pytest.fixture(scope="module")
def both_corpora(tmp_path_factory, pg_server):
    """The demo portal crawled once into SQLite and once into PostgreSQL (raw bytes in a directory of its own)."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    base = tmp_path_factory.mktemp("pgparity")
    url = pg_server.create_database("ogi_parity")
    with DemoPortal() as portal:
        sites = demo_sites_as_registry(portal)
        results = crawl([
            CrawlJob(sites, base / "demo.db", dict(LOCAL_SETTINGS)),
            CrawlJob(sites, url, {**LOCAL_SETTINGS, "OGI_RAW_DIR": str(base / "pgraw")}),
        ])
    return base / "demo.db", url, base / "pgraw", results


def _reports(db) -> dict[tuple, dict]:
    """Every report by identity, with what must agree: content hash, text hash, form, every number."""
    from corpus.backend import open_store

    store = open_store(db, raw_dir=Path("/nonexistent")) if isinstance(db, str) else open_store(db)
    try:
        out = {}
        for r in store.reports():
            full = store.report(r["report_id"])
            key = (r["agency"], r["report_year"], r["adcode"] or "")
            out[key] = {
                "content_hash": r["content_hash"], "form": r["form"], "site": r["site_id"],
                "text": hashlib.sha256(r["text"].encode()).hexdigest(), "flags": r["flags"],
                "stats": sorted((s["key"], float(s["value"]), s["source"], s["evidence"], s["confidence"])
                                for s in full["stats"]),
                "captures": sorted((c["url"], c["sha256"], c["role"]) for c in full["captures"]),
            }
        return out
    finally:
        store.close()


def test_same_crawl_gives_identical_reports(both_corpora):
    sqlite_db, url, _raw, results = both_corpora
    lite, pg = _reports(sqlite_db), _reports(url)
    assert len(lite) >= 35
    assert sorted(pg) == sorted(lite)
    for key in lite:
        assert pg[key] == lite[key], key
    assert sum(len(r.run_ids) for r in results) == 2 * len(results[0].run_ids)


def test_every_number_keeps_its_confidence_class(both_corpora):
    """How each number was placed (extract's Stat.confidence) is stored beside it, on both backends."""
    sqlite_db, url, _raw, _results = both_corpora
    from corpus.backend import open_store

    for db in (sqlite_db, url):
        store = open_store(db, raw_dir=Path("/nonexistent"))
        try:
            rows = store._all("SELECT confidence, count(*) AS n FROM statistics GROUP BY confidence")
            classes = {r["confidence"]: r["n"] for r in rows}
        finally:
            store.close()
        assert classes.get("table-label", 0) > 100 and classes.get("text", 0) > 0, classes
        assert "" not in classes, classes


def test_same_search_results(both_corpora):
    from corpus.search import search

    sqlite_db, url, _raw, _results = both_corpora
    compared = 0
    for query in QUERIES:
        for filters in ({}, {"province": "湖北省"}, {"year": 2021}):
            lite = {(h.agency, h.report_year) for h in search(sqlite_db, query, limit=500, **filters)}
            pg = {(h.agency, h.report_year) for h in search(url, query, limit=500, **filters)}
            assert pg == lite, (query, filters)
            compared += bool(lite)
    assert compared >= 20  # most queries find something: the comparison is not of empty sets


def test_pg_raw_bytes_are_content_addressed_files(both_corpora):
    _db, url, raw, _results = both_corpora
    from corpus.backend import open_store

    store = open_store(url, raw_dir=raw)
    try:
        rows = store._all("SELECT sha256 FROM captures WHERE sha256 IS NOT NULL")
        assert rows
        for row in rows:
            assert hashlib.sha256(store.raw_bytes(row["sha256"])).hexdigest() == row["sha256"]
    finally:
        store.close()


def test_concurrent_saves_of_one_report_make_one_row(pg_url, tmp_path):
    """Two workers storing the same report at the same moment: one row, never an IntegrityError."""
    from corpus.backend import open_store
    from extract.record import Record, Region, Stat

    stores = [open_store(pg_url, raw_dir=tmp_path) for _ in range(4)]
    stores[0].upsert_site("s", "x", None, None, None, None, [], None, False)
    errors: list[BaseException] = []

    def save(store, n: int, barrier: threading.Barrier) -> None:
        record = Record(agency=f"测试局{n}", report_year=2021, region=Region(adcode="420112"), is_report=True,
                        text="报告", form="form2021", source_url=f"http://a/{n}",
                        stats=[Stat(key="core.requests_new", value=3, source="table", evidence="x")])
        barrier.wait()
        try:
            store.save_report(record, site_id="s", capture_ids=[])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    for n in range(15):
        barrier = threading.Barrier(len(stores))
        threads = [threading.Thread(target=save, args=(s, n, barrier)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert stores[0]._scalar("SELECT count(*) FROM reports") == 15
    assert stores[0]._scalar("SELECT count(*) FROM statistics") == 15
    for s in stores:
        s.close()


def test_pg_schema_has_every_sqlite_table(pg_url, tmp_path):
    """A table added to the SQLite schema must be added to the PostgreSQL one (same schema version)."""
    from corpus.backend import open_store

    lite = open_store(tmp_path / "x.db")
    pg = open_store(pg_url, raw_dir=tmp_path)
    try:
        lite_tables = {r[0] for r in lite.conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'reports_fts%' "
            "AND name NOT LIKE 'sqlite_%'")}
        pg_tables = {r[0] for r in pg.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()}
        assert lite_tables - pg_tables == set()
        for table in lite_tables:
            assert set(lite._columns(table)) <= set(pg._columns(table)), table
    finally:
        lite.close()
        pg.close()


def test_long_report_found_by_a_phrase_near_its_end(pg_url, tmp_path, monkeypatch):
    """A tsvector keeps positions only up to 16,383: the text is indexed in overlapping chunks, so a phrase at
    the end of a 40,000-character report is found, and so is one straddling a chunk boundary."""
    from corpus import pg_search
    from corpus.backend import open_store
    from corpus.search import search
    from extract.record import Record, Region

    filler = "本机关依法主动公开政府信息。" * 2800  # 39,200 characters, ~36,000 bigrams
    text = filler + "行政复议决定书送达完毕" + filler[:200]
    lite = open_store(tmp_path / "l.db")
    pg = open_store(pg_url, raw_dir=tmp_path)
    for store in (lite, pg):
        store.upsert_site("s", "x", None, None, None, None, [], None, False)
        store.save_report(Record(agency="长文局", report_year=2022, region=Region(), is_report=True, text=text,
                                 form="narrative", source_url="http://a/long"), site_id="s", capture_ids=[])
        assert [h.agency for h in search(store, "复议决定书")] == ["长文局"]
        assert search(store, "复议决定书送达 没有这个词") == []
    # A phrase across a chunk boundary: chunks of 300 tokens overlapping by 128.
    monkeypatch.setattr(pg_search, "CHUNK_TOKENS", 300)
    pg.rebuild_search_index()
    assert pg._scalar("SELECT count(*) FROM report_search") > 100
    assert [h.agency for h in search(pg, "复议决定书送达完毕")] == ["长文局"]
    lite.close()
    pg.close()


def test_older_pg_corpus_gets_its_search_index_rebuilt(pg_url, tmp_path):
    """A corpus written before schema 6 lacks the rows that make one-character queries exact: opening it with
    this ogi rebuilds the index, so `复` finds a report whose text ends a run with 复."""
    from corpus.backend import open_store
    from corpus.search import search
    from extract.record import Record, Region

    store = open_store(pg_url, raw_dir=tmp_path)
    store.upsert_site("s", "x", None, None, None, None, [], None, False)
    store.save_report(Record(agency="甲局", report_year=2022, region=Region(), is_report=True, text="申请行政复",
                             form="narrative", source_url="http://a/1"), site_id="s", capture_ids=[])
    # As a schema-5 corpus had it: only the bigram rows (no rows for the last character of a run), version 5.
    store.conn.execute("DELETE FROM report_search WHERE part < 0")
    store.conn.execute("UPDATE ogi_meta SET value = '5' WHERE key = 'schema_version'")
    store.close()
    again = open_store(pg_url, raw_dir=tmp_path)
    try:
        assert [h.agency for h in search(again, "复")] == ["甲局"]
    finally:
        again.close()
