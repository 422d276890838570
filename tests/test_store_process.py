"""corpus.store_process.StoreProcess behind crawler.store_writer.CrawlStore: the crawl's writes in a process of
their own, in order; answers back on the caller's side; a dead writer fails every write clearly, and stops a crawl."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from corpus.store import Store
from corpus.store_process import StoreProcess, StoreWriterGone
from crawler.storage import is_storage_failure
from crawler.store_writer import CrawlStore
from tests.test_store_writer import (  # (module-level: the writer imports _state by name)
    _answer,
    _state,
    a_failing_write_then_another,
)

ROOT = Path(__file__).resolve().parents[1]


def writer_pid(store: Store, n: int) -> tuple[int, int]:
    """A job: the process it ran in (module-level, so it can be sent by reference)."""
    return os.getpid(), n


def slow_state(store: Store, url: str, seconds: float) -> None:
    time.sleep(seconds)
    _state(store, url)


@pytest.fixture(autouse=True)
def _importable(monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the writer imports this module's jobs by name


@pytest.fixture
def writer(tmp_path):
    delivered: queue.SimpleQueue = queue.SimpleQueue()  # (fire, result) as the reactor would get them
    store = Store(tmp_path / "ogi.db")
    crawl = CrawlStore(store, process=StoreProcess(store.db_path, store.raw_dir),
                       deliver=lambda fire, result: delivered.put((fire, result)))
    yield crawl, delivered
    crawl.close()


def test_jobs_run_in_the_writer_process_in_the_order_asked(writer) -> None:
    store, delivered = writer
    results: list = []
    for n in range(50):
        store.later(writer_pid, n).addCallback(results.append)
    for _ in range(50):
        _answer(delivered)
    pids = {pid for pid, _ in results}
    assert [n for _, n in results] == list(range(50))
    assert pids == {store._process.pid} and os.getpid() not in pids


def test_writes_are_read_back_here_and_a_capture_keeps_its_bytes(writer) -> None:
    store, delivered = writer
    ids: list = []
    store.later("record_capture", "http://a/x.html", site_id=None, run_id=None, kind="detail", status=200,
                content_type="text/html", body=b"<p>x</p>").addCallback(ids.append)
    store.later(_state, "http://a/x.html")
    _answer(delivered)
    _answer(delivered)
    assert store.capture(ids[0])["url"] == "http://a/x.html"  # read on this process's connection
    assert store.raw_bytes(store.capture(ids[0])["sha256"]) == b"<p>x</p>"
    assert store.page_state("http://a/x.html")["outcome"] == "report"


def test_a_failing_job_reaches_the_errback_with_where_it_failed_and_the_next_runs(writer) -> None:
    failure = a_failing_write_then_another(*writer)
    assert "in the store's writer process" in "".join(getattr(failure.value, "__notes__", []))


def test_a_job_that_cannot_be_sent_fails_alone(writer) -> None:
    store, delivered = writer
    errors: list = []
    store.later(lambda s: None).addErrback(errors.append)  # a lambda cannot be sent by reference
    _answer(delivered)
    assert errors and errors[0].check(TypeError) and "cannot be sent" in str(errors[0].value)
    with pytest.raises(TypeError):
        store.record_page_state("http://x/", unknown=1)  # a waited-for call raises its exception here
    _state(store, "http://called/")  # not a read: sent, and waited for
    assert store.page_state("http://called/")["outcome"] == "report"
    assert delivered.empty()


def test_close_finishes_every_job_sent(tmp_path) -> None:
    store = Store(tmp_path / "ogi.db")
    crawl = CrawlStore(store, process=StoreProcess(store.db_path), deliver=lambda fire, result: None)
    crawl.later(slow_state, "http://first/", 0.5)
    for n in range(300):
        crawl.later(_state, f"http://x/{n}")
    crawl.close()
    with Store(tmp_path / "ogi.db") as check:
        assert check._scalar("SELECT COUNT(*) FROM page_state") == 301


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "service-stop"])
def test_stopping_signals_are_the_crawls_to_handle(writer, signum) -> None:
    store, delivered = writer
    assert os.getpgid(store._process.pid) != os.getpgid(0)  # not in the terminal's foreground group
    _state(store, "http://before/")  # (started)
    os.kill(store._process.pid, signum)  # nor stopped by one sent to it (systemd signals the whole cgroup)
    time.sleep(0.3)
    _state(store, "http://after-the-signal/")
    assert store.page_state("http://after-the-signal/")["outcome"] == "report"


def test_a_writer_that_dies_fails_what_waits_and_what_comes_after(writer) -> None:
    store, delivered = writer
    waiting: list = []
    store.later(slow_state, "http://never/", 30).addErrback(waiting.append)
    store.later(_state, "http://queued/").addErrback(waiting.append)
    os.kill(store._process.pid, signal.SIGKILL)
    _answer(delivered)  # the slow job's
    _answer(delivered)
    assert len(waiting) == 2 and all(failure.check(StoreWriterGone) for failure in waiting)
    assert "killed by signal 9" in str(waiting[0].value)
    assert is_storage_failure(waiting[0].value)  # a crawl stops, with this message (crawler.storage)
    later: list = []
    store.later(_state, "http://after/").addErrback(later.append)
    _answer(delivered)
    assert later and later[0].check(StoreWriterGone)  # at once: nothing to wait for
    with pytest.raises(StoreWriterGone):
        _state(store, "http://called/")


def test_a_database_that_cannot_be_opened_is_said_as_the_store_says_it(tmp_path) -> None:
    db = tmp_path / "ogi.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    process = StoreProcess(db)  # (the crawl's own connection, opened first, would have said so already)
    answers: queue.SimpleQueue = queue.SimpleQueue()
    process.submit(_state, ("http://x/",), {}, lambda ok, result: answers.put((ok, result)))
    ok, exc = answers.get(timeout=20)
    assert not ok and isinstance(exc, StoreWriterGone)
    assert "could not open the database" in str(exc) and "newer than this ogi" in str(exc)
    process.close()


def test_the_writer_finishes_what_was_sent_when_its_caller_dies(tmp_path) -> None:
    """A crawl process killed without closing: the writer reads the end of its pipe, runs every job it was sent
    (its answers going nowhere), closes the database and exits."""
    import subprocess
    import sys

    db = tmp_path / "ogi.db"
    Store(db).close()
    script = f"""
import os, signal
from corpus.store_process import StoreProcess
from tests.test_store_process import slow_state, _state
process = StoreProcess({str(db)!r})
process.submit(slow_state, ("http://slow/", 1.0), {{}}, lambda ok, result: None)
for n in range(20):
    process.submit(_state, (f"http://x/{{n}}",), {{}}, lambda ok, result: None)
print(process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    caller = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert caller.returncode == -signal.SIGKILL, caller.stderr
    writer = int(caller.stdout.split()[0])
    deadline = time.monotonic() + 30
    while _running(writer) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(writer)
    with Store(db) as check:
        assert check._scalar("SELECT COUNT(*) FROM page_state") == 21


def _running(pid: int) -> bool:
    """Whether a process that is not our child still runs (a zombie has ended: init may not reap it at once)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_writers_log_records_are_logged_by_the_caller(writer, caplog) -> None:
    store, delivered = writer
    with caplog.at_level("WARNING", logger="corpus"):
        store.later("record_capture", "http://a/odd", site_id=None, run_id=None, kind="oddity", status=200,
                    content_type=None, body=b"x")
        _answer(delivered)
    assert [(r.name, r.levelname) for r in caplog.records if "unusual kind" in r.getMessage()] == [
        ("corpus.captures", "WARNING")]


def test_records_logged_while_the_writer_opens_the_database_are_kept(tmp_path, caplog) -> None:
    """A database one schema version behind is migrated by the writer, which logs the step (INFO) before its
    first answer."""
    from corpus.schema import SCHEMA_VERSION

    db = tmp_path / "ogi.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    with caplog.at_level("INFO", logger="corpus"):
        process = StoreProcess(db)
        answers: queue.SimpleQueue = queue.SimpleQueue()
        process.submit(_state, ("http://x/",), {}, lambda ok, result: answers.put(ok))
        assert answers.get(timeout=20) is True
        process.close()
    steps = [r.getMessage() for r in caplog.records if r.getMessage().startswith("migrating database schema")]
    assert steps == [f"migrating database schema {SCHEMA_VERSION - 1} -> {SCHEMA_VERSION}"]
    assert process.stats["jobs"] == 1
