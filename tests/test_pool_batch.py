"""In pool mode on SQLite the crawl process saves reports in batches (one transaction per crawler.pipelines.
BATCH_REPORTS reports or BATCH_SECONDS), not one transaction each; a report whose save fails costs only itself:
the batch is rolled back and each report saved on its own, so the corpus, the errors and the pages' states are
those of an inline crawl with the same failure."""

from __future__ import annotations

import pytest

from tests.conftest import crawl, demo_sites_as_registry, query_db
from tests.test_extract_pool import _reports

FAILING = ("长子县教育局", 2020)  # this report's save raises in both crawls


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """The demo portal crawled inline and in the pool, with one planted save failure; how saves were called."""
    import threading

    from corpus.store import Store
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    real, real_batch = Store.save_report, Store.save_reports
    out = {}
    with DemoPortal() as portal:
        sites = demo_sites_as_registry(portal)
        for mode in ("inline", "pool"):
            in_open_transaction: list[bool] = []
            threads: set[str] = set()
            handed: list[str] = []  # the type of each record the crawl handed to save_reports

            def save_reports(self, reports, _handed=handed):
                _handed += [type(record).__name__ for record, *_ in reports]
                return real_batch(self, reports)

            def save_report(self, record, _seen=in_open_transaction, _threads=threads, **kwargs):
                _seen.append(self.conn.in_transaction)
                _threads.add(threading.current_thread().name)
                if (record.agency, record.report_year) == FAILING:
                    raise RuntimeError("planted save failure")
                return real(self, record, **kwargs)

            db = tmp_path_factory.mktemp(mode) / "ogi.db"
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(Store, "save_report", save_report)
                mp.setattr(Store, "save_reports", save_reports)
                # a writer thread, not the default process: the planted failure is a patch of this process's Store
                crawl([CrawlJob(sites, db, {**LOCAL_SETTINGS, "OGI_EXTRACT_MODE": mode, "OGI_EXTRACT_WORKERS": 2,
                                            "OGI_STORE_WRITER": "thread"})])
            out[mode] = (db, in_open_transaction)
            out[mode, "threads"] = threads
            out[mode, "handed"] = handed
    return out


def _errors_and_states(db) -> tuple[set, set]:
    errors = set(query_db(db, "SELECT site_id, url, kind, message FROM crawl_errors WHERE kind = 'store'"))
    states = set(query_db(db, "SELECT url, outcome, report_id IS NULL FROM page_state"))
    return errors, states


def test_pool_saves_in_batches_and_a_failed_save_costs_only_its_report(crawls) -> None:
    (inline_db, inline_saves), (pool_db, pool_saves) = crawls["inline"], crawls["pool"]
    assert not any(inline_saves)  # inline: each save opens its own transaction
    # pool: saves join a batch's open transaction; the failed batch's reports are saved again, each alone, once
    reports = _reports(pool_db)
    assert sum(pool_saves) and len(pool_saves) - sum(pool_saves) <= len(reports) + 1
    # both save on the store's writer thread (crawler/store_writer.py, OGI_STORE_WRITER=thread), never the reactor's
    assert crawls["inline", "threads"] == crawls["pool", "threads"] == {"ogi-store-writer"}
    assert reports == _reports(inline_db) and len(reports) >= 40
    assert not any(r[1:3] == FAILING for r in reports)  # the failed one is missing from both ...
    errors, states = _errors_and_states(pool_db)
    assert len(errors) == 1 and "planted save failure" in next(iter(errors))[3]  # ... recorded as a store error
    assert (errors, states) == _errors_and_states(inline_db)  # and the pages' states are the same
    assert query_db(pool_db, "SELECT SUM(reports) FROM crawl_runs") == query_db(inline_db, "SELECT SUM(reports) FROM crawl_runs")


def test_a_stat_crosses_a_pipe_as_its_fields() -> None:
    """extract.record.Stat pickles as its five fields (a report's ~220 stats cross two pipes): equal after the
    trip, and without the per-instance dictionary the dataclass default writes."""
    import pickle

    from extract.record import Stat

    stats = [Stat("requests.new.total", 12, "table", "table 三: 本年新收 | 12", "table-label"), Stat("k", 1.5, "text", "")]
    assert pickle.loads(pickle.dumps(stats)) == stats
    assert b"confidence" not in pickle.dumps(stats[0])


def test_a_batch_is_saved_before_its_pages_would_pause_the_crawl() -> None:
    """Reports wait for their batch holding their responses, which count against what Scrapy lets wait before it
    stops fetching (its scraper slot's active size): past half of it, the batch is saved at once."""
    from types import SimpleNamespace

    from scrapy.core.scraper import Slot

    from crawler.pipelines import ReportPipeline

    slot = Slot(max_active_size=5_000_000)
    pipeline = SimpleNamespace(crawler=SimpleNamespace(engine=SimpleNamespace(scraper=SimpleNamespace(slot=slot))))
    piling_up = ReportPipeline._pages_piling_up
    slot.active_size = 2_500_000
    assert not piling_up(pipeline)
    slot.active_size = 2_500_001
    assert piling_up(pipeline)
    assert not piling_up(SimpleNamespace(crawler=SimpleNamespace(engine=None)))  # no engine yet: count and timer


def test_the_pool_s_records_reach_the_store_sealed(crawls) -> None:
    """In pool mode the crawl process hands the store each record as its worker sealed it (extract.record.
    SealedRecord: not opened and pickled again on the way), with the crawl's notes on the bytes inside."""
    assert set(crawls["pool", "handed"]) == {"SealedRecord"} and len(crawls["pool", "handed"]) >= 40
    assert set(crawls["inline", "handed"]) <= {"Record"}


def test_a_sealed_record_opens_as_the_record_with_the_crawl_s_notes() -> None:
    import pickle

    from extract.record import Record, SealedRecord, Stat

    record = Record(agency="某县教育局", report_year=2022, form="form2021", text="正文", is_report=True,
                    stats=[Stat("requests.new.total", 3, "table", "本年新收 | 3")], flags=["extracted"])
    record.add_fetch_notes("http://x.gov.cn/a.html", ["attachment b.pdf: HTTP 404"], ["bytes look truncated"])
    sealed = pickle.loads(pickle.dumps(SealedRecord.seal(record, ("正文", ("正文", "文")))))
    assert sealed.open() == (record, ("正文", ("正文", "文")))
    assert (sealed.is_report, sealed.agency, sealed.report_year, sealed.form, sealed.source_url) == (
        True, "某县教育局", 2022, "form2021", "http://x.gov.cn/a.html")
    assert sealed.errors == ["attachment b.pdf: HTTP 404"]
    assert sealed.flags == ["extracted", "attachment b.pdf: HTTP 404", "bytes look truncated"]
    kept = Record(source_url="http://x.gov.cn/own.html").add_fetch_notes("http://x.gov.cn/a.html", [], [])
    assert kept.source_url == "http://x.gov.cn/own.html"  # the record's own URL wins
    assert SealedRecord.seal(kept).open() == (kept, None)


def test_a_record_the_pool_could_not_extract_is_sealed_with_the_crawl_s_notes() -> None:
    """A worker that hit a limit: the candidate is extracted here (as inline does) and sealed, with the crawl's
    notes on its bytes and without index columns (the store computes them)."""
    from crawler.extract_job import build_record, extract_sealed
    from extract import Part, limits
    from extract.record import SiteContext

    class StuckPool:  # every job runs past its time limit
        def run(self, *args, **kwargs):
            raise limits.TimeLimitExceeded("stuck past its time limit")

    page = "<html><body><h1>某县教育局2022年政府信息公开工作年度报告</h1><p>本年新收政府信息公开申请3件。</p></body></html>"
    parts = [Part(page.encode("utf-8"), "http://x.gov.cn/a.html", "text/html")]
    notes = ("http://x.gov.cn/a.html", ["attachment b.pdf: HTTP 404"], ["bytes look truncated"])
    sealed = extract_sealed(parts, SiteContext(), StuckPool(), 1.0, str.upper, *notes)
    record, text_index = sealed.open()
    assert text_index is None
    assert record == build_record(parts, SiteContext(), *notes)
    assert "attachment b.pdf: HTTP 404" in record.errors and "bytes look truncated" in record.flags
    assert (sealed.errors, sealed.flags) == (record.errors, record.flags)
