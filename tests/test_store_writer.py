"""crawler.store_writer.CrawlStore: the crawl's writes on a thread of their own, in order; reads on a second
connection that never waits for the writer; every write asked for is done when it closes."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from corpus.store import Store
from crawler.store_writer import CrawlStore


def _state(store, url: str, outcome: str = "report") -> None:
    store.record_page_state(url, site_id=None, list_title="t", list_date="", outcome=outcome, report_id=None,
                            capture_ids=[], validators=False)


@pytest.fixture
def threaded(tmp_path):
    delivered: queue.SimpleQueue = queue.SimpleQueue()  # (fire, result) as the reactor would get them
    store = CrawlStore(Store(tmp_path / "ogi.db"), Store(tmp_path / "ogi.db"), threaded=True,
                       deliver=lambda fire, result: delivered.put((fire, result)))
    yield store, delivered
    store.close()


def _answer(delivered: queue.SimpleQueue):
    fire, result = delivered.get(timeout=10)
    fire(result)
    return result


def test_writes_run_on_the_writer_thread_in_the_order_asked(threaded) -> None:
    store, delivered = threaded
    seen: list[tuple[str, int]] = []
    results: list = []
    for n in range(50):
        store.later(lambda s, n=n: seen.append((threading.current_thread().name, n)) or n).addCallback(results.append)
    for _ in range(50):
        _answer(delivered)
    assert seen == [("ogi-store-writer", n) for n in range(50)]
    assert results == list(range(50))  # each Deferred fired with its own result


def a_failing_write_then_another(store, delivered: queue.SimpleQueue):
    """A write that raises, then one that works: the first's Failure reaches its errback (returned), the second is
    done. (Also run against the writer process, tests/test_store_process.py.)"""
    errors: list = []
    store.later("record_page_state", "http://a/", site_id=None, list_title="t", list_date="", outcome="report",
                report_id=None, capture_ids=[], validators=False, unknown=1).addErrback(errors.append)
    store.later(_state, "http://b/")
    _answer(delivered)
    _answer(delivered)
    assert len(errors) == 1 and errors[0].check(TypeError)
    assert store.page_state("http://b/")["outcome"] == "report"  # read back on the reading connection
    return errors[0]


def test_a_failing_write_reaches_the_errback_and_the_next_write_runs(threaded) -> None:
    a_failing_write_then_another(*threaded)


def test_reads_do_not_wait_for_a_writer_holding_its_transaction(threaded) -> None:
    store, delivered = threaded
    _state(store.store, "http://old/")
    holding = threading.Event()

    def long_write(s) -> None:
        with s.transaction():
            _state(s, "http://new/")
            holding.set()
            time.sleep(1.0)

    store.later(long_write)
    assert holding.wait(10)
    t0 = time.perf_counter()
    assert store.page_state("http://old/")["outcome"] == "report"  # committed before: seen at once
    assert store.page_state("http://new/") is None  # not committed yet: not seen
    assert time.perf_counter() - t0 < 0.5
    _answer(delivered)
    assert store.page_state("http://new/")["outcome"] == "report"  # once its Deferred fired, it is


def test_close_finishes_every_write_asked_for(tmp_path) -> None:
    store = CrawlStore(Store(tmp_path / "ogi.db"), Store(tmp_path / "ogi.db"), threaded=True,
                       deliver=lambda fire, result: None)  # a reactor that has stopped
    for n in range(300):
        store.later(_state, f"http://x/{n}")
    store.close()
    with Store(tmp_path / "ogi.db") as check:
        assert check._scalar("SELECT COUNT(*) FROM page_state") == 300


def test_without_a_thread_writes_happen_when_asked(tmp_path) -> None:
    store = CrawlStore(Store(tmp_path / "ogi.db"))
    fired: list = []
    store.later(_state, "http://a/").addCallback(fired.append)
    assert fired == [None] and store.page_state("http://a/")["outcome"] == "report"
    assert store.reader is store.store and not store.threaded
    store.close()


def test_other_store_methods_wait_their_turn_on_the_writer_thread(threaded, monkeypatch) -> None:
    store, delivered = threaded
    order: list[str] = []
    real = Store.record_page_state

    def record(self, url, **kwargs):
        order.append(f"{url} on {threading.current_thread().name}")
        return real(self, url, **kwargs)

    monkeypatch.setattr(Store, "record_page_state", record)
    store.later(lambda s: (time.sleep(0.3), _state(s, "http://queued/")))
    _state(store, "http://called/")  # not a read: through the queue, after the write asked before it
    assert order == ["http://queued/ on ogi-store-writer", "http://called/ on ogi-store-writer"]
    with pytest.raises(TypeError):
        store.record_page_state("http://x/", unknown=1)  # its exception, raised here
    assert store.raw_path("ab" * 32) == store.store.raw_path("ab" * 32)  # helpers are used as they are
    _answer(delivered)
