"""The search index's bigrams of a report's text are computed by the extraction worker that read the report
(extract.pool.extract_report_job with corpus.bigrams.index_columns), not by the crawl process that stores it;
the index is the one the crawl process would have built: same rows, found by the same queries, deletable."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.bigrams import index_columns
from corpus.search import search
from corpus.store import Store
from tests.conftest import crawl, demo_sites_as_registry, query_db
from tests.test_store import make_record


def _index(db: Path) -> set[tuple]:
    """Each report's indexed token counts per column (FTS5's docsize: what a contentless delete must match)."""
    return set(query_db(db, """SELECT r.agency, r.report_year, d.sz FROM reports r
                               JOIN reports_fts_docsize d ON d.id = r.report_id"""))


def test_prepared_text_index_is_used_only_for_its_own_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "ogi.db")
    try:
        text = make_record().text
        rid = store.save_report(make_record(), site_id=None, capture_ids=[], text_index=(text, index_columns(text)))
        assert [h.report_id for h in search(store, "行政复议")] == [rid]
        # A prepared index of some other text is not used: the row is indexed from the stored text.
        other = "完全不同的文字内容"
        rid2 = store.save_report(make_record(agency="另一个局", source_url="http://127.0.0.1/x.html"), site_id=None,
                                 capture_ids=[], text_index=(other, index_columns(other)))
        assert search(store, "不同的文字") == []
        assert sorted(h.report_id for h in search(store, "行政复议")) == sorted([rid, rid2])
        for r in (rid, rid2):  # deletable: the index row holds the values recomputed from the stored row
            store.delete_report(r)
        assert query_db(tmp_path / "ogi.db", "SELECT COUNT(*) FROM reports_fts_docsize") == [(0,)]
        assert search(store, "行政复议") == []
    finally:
        store.close()


class _Counter:
    """Counts calls of corpus.search_index's index_columns (the body's bigrams) in this process."""

    def __init__(self) -> None:
        import corpus.search_index

        self.real, self.calls = corpus.search_index.index_columns, 0

    def __call__(self, text):
        self.calls += 1
        return self.real(text)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """The site zz crawled inline and in the pool, counting the bigram computations of the crawl process."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    out = {}
    with DemoPortal() as portal:
        sites = [s for s in demo_sites_as_registry(portal) if s.site_id == "zz"]
        for mode in ("inline", "pool"):
            db = tmp_path_factory.mktemp(mode) / "ogi.db"
            counter = _Counter()
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr("corpus.search_index.index_columns", counter)
                # the store's writer as a thread: the counter counts this process's calls
                crawl([CrawlJob(sites, db, {**LOCAL_SETTINGS, "OGI_EXTRACT_MODE": mode, "OGI_STORE_WRITER": "thread"})])
            out[mode] = (db, counter.calls)
    return out


def test_pool_workers_compute_the_bigrams_and_the_index_is_the_same(crawls) -> None:
    (inline_db, inline_calls), (pool_db, pool_calls) = crawls["inline"], crawls["pool"]
    assert inline_calls == 6  # one per stored report, in the crawl process
    assert pool_calls == 0  # none: every report's bigrams came back from its worker
    assert _index(pool_db) == _index(inline_db) and len(_index(pool_db)) == 6
    for query in ("长子县", "政府信息公开", "行政复议", "年度报告"):
        found = {(h.agency, h.report_year) for h in search(str(pool_db), query, limit=100)}
        assert found == {(h.agency, h.report_year) for h in search(str(inline_db), query, limit=100)}
    store = Store(pool_db)
    try:  # every row deletable with the values recomputed from the stored report
        for (rid,) in query_db(pool_db, "SELECT report_id FROM reports"):
            store.delete_report(rid)
    finally:
        store.close()
    assert query_db(pool_db, "SELECT COUNT(*) FROM reports_fts_docsize") == [(0,)]
