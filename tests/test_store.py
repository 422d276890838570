"""Store: identity rules, transactions, raw bytes, WAL."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from corpus.store import Store, StoreError
from extract.record import Record, Region, Stat

TABLES = ("sites", "crawl_runs", "captures", "crawl_errors", "reports", "report_captures", "statistics", "reports_fts")


def make_record(**kw) -> Record:
    base = dict(
        agency="武汉市东西湖区住房和城乡建设局",
        agency_as_printed="东西湖区住房和城乡建设局",
        department="住建",
        region=Region("湖北省", "武汉市", "东西湖区", "420112"),
        report_year=2022,
        title="东西湖区住房和城乡建设局2022年政府信息公开工作年度报告",
        published_at="2023-01-20",
        document_date="2023-01-18",
        form="form2021",
        source_url="http://127.0.0.1/dxh/art/1.html",
        sha256=None,
        text="本年度收到行政复议申请1件，未发生行政诉讼。",
        is_report=True,
        stats=[
            Stat("core.review_total", 1, "text", "本年度收到行政复议申请1件"),
            Stat("core.litigation_total", 0, "text", "未发生行政诉讼"),
        ],
        flags=["narrative_only"],
        text_source="html",
    )
    base.update(kw)
    return Record(**base)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "ogi.db")
    s.upsert_site("dxh", "武汉市东西湖区人民政府", "湖北省", "武汉市", "东西湖区", "420112",
                  ["http://127.0.0.1/dxh/"], "trs", True)
    yield s
    s.close()


def counts(store: Store) -> dict[str, int]:
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_wal_foreign_keys_and_version(store: Store) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] >= 1


def test_reopen_keeps_data_and_newer_schema_refused(tmp_path: Path, store: Store) -> None:
    store.close()
    again = Store(tmp_path / "ogi.db")
    assert again.summary()["sites"] == 1
    again.conn.execute("PRAGMA user_version = 999")
    again.close()
    with pytest.raises(StoreError, match="newer"):
        Store(tmp_path / "ogi.db")


def test_raw_dir_default_and_round_trip(tmp_path: Path, store: Store) -> None:
    body = "<html>政府信息公开</html>".encode()
    run = store.start_run("dxh")
    cid = store.record_capture("http://127.0.0.1/dxh/a.html", site_id="dxh", run_id=run, kind="detail",
                               status=200, content_type="text/html", body=body)
    row = store.capture(cid)
    assert store.raw_dir == tmp_path / "raw"
    assert (tmp_path / "raw" / row["raw_path"]).read_bytes() == body
    assert row["raw_path"] == f"{row['sha256'][:2]}/{row['sha256']}"
    assert store.raw_bytes(row["sha256"]) == body
    assert row["size"] == len(body)
    with pytest.raises(StoreError):
        store.raw_bytes("0" * 64)


def test_identical_capture_one_row_changed_bytes_new_version(tmp_path: Path, store: Store) -> None:
    run = store.start_run("dxh")
    url = "http://127.0.0.1/dxh/a.pdf"
    kw = dict(site_id="dxh", run_id=run, kind="attachment", status=200, content_type="application/pdf")
    a = store.record_capture(url, body=b"%PDF-1 v1", **kw)
    b = store.record_capture(url, body=b"%PDF-1 v1", **kw)
    assert a == b
    row = store.capture(a)
    assert row["fetch_count"] == 2 and row["last_seen"] >= row["first_seen"]
    c = store.record_capture(url, body=b"%PDF-1 v2", **kw)
    assert c != a
    assert store.conn.execute("SELECT count(*) FROM captures WHERE url = ?", (url,)).fetchone()[0] == 2
    files = [p for p in (tmp_path / "raw").rglob("*") if p.is_file()]
    assert len(files) == 2 and not any(p.name.startswith(".tmp") for p in files)


def test_raw_files_directory_removed_truncated_file_and_failed_write(tmp_path: Path, store: Store,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The raw store makes a directory only when a create says it is missing (also one removed mid-crawl),
    rewrites a file of the wrong size (a crash mid-write), keeps one of the right size, and leaves no
    temporary file behind when a write fails."""
    import os
    import shutil

    run = store.start_run("dxh")
    kw = dict(site_id="dxh", run_id=run, kind="detail", status=200, content_type="text/html")
    cid = store.record_capture("http://127.0.0.1/dxh/a.html", body=b"first page", **kw)
    sha = store.capture(cid)["sha256"]
    shutil.rmtree(tmp_path / "raw")
    assert store.raw_bytes(store.capture(store.record_capture("http://127.0.0.1/dxh/b.html", body=b"first page",
                                                               **kw))["sha256"]) == b"first page"
    store.raw_path(sha).write_bytes(b"first")  # a crash left it short
    store.record_capture("http://127.0.0.1/dxh/c.html", body=b"first page", **kw)
    assert store.raw_bytes(sha) == b"first page"
    before = os.stat(store.raw_path(sha)).st_mtime_ns
    store.record_capture("http://127.0.0.1/dxh/d.html", body=b"first page", **kw)
    assert os.stat(store.raw_path(sha)).st_mtime_ns == before  # right size: not written again
    assert oct(os.stat(store.raw_path(sha)).st_mode & 0o777) == "0o600"

    class FullDisk:  # the temporary file's writer: the disk fills half-way
        def __init__(self, fd: int, _mode: str) -> None:
            self.fd = fd

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *_exc: object) -> None:
            os.close(self.fd)

        def write(self, _data: bytes) -> None:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", FullDisk)
    with pytest.raises(OSError, match="No space"):
        store.record_capture("http://127.0.0.1/dxh/e.html", body=b"other bytes", **kw)
    assert not [p for p in (tmp_path / "raw").rglob("*") if p.name.startswith(".tmp")]


def test_failed_fetch_and_errors(store: Store) -> None:
    run = store.start_run("dxh")
    kw = dict(site_id="dxh", run_id=run, kind="entry", status=None, content_type=None, body=None,
              error="DNS lookup failed")
    a = store.record_capture("http://nowhere.invalid/", **kw)
    b = store.record_capture("http://nowhere.invalid/", **kw)
    assert a == b and store.capture(a)["raw_path"] is None
    store.record_error(run, "dxh", "http://nowhere.invalid/", "unreachable", "DNS lookup failed")
    store.finish_run(run, status="unreachable", list_pages=0, detail_pages=0, attachments=0, reports=0, errors=1)
    s = store.summary()
    assert s["errors_by_kind"] == {"unreachable": 1} and s["runs_by_status"] == {"unreachable": 1}
    with pytest.raises(StoreError):
        store.finish_run(run, status="", list_pages=0, detail_pages=0, attachments=0, reports=0, errors=0)
    with pytest.raises(StoreError, match="run_id"):
        store.finish_run(999, status="ok", list_pages=0, detail_pages=0, attachments=0, reports=0, errors=0)
    # States the crawler invents (interrupted, needs_family) are stored, not refused mid-crawl.
    store.finish_run(run, status="interrupted", list_pages=0, detail_pages=0, attachments=0, reports=0, errors=1)
    latest = store.db.execute("SELECT status, errors FROM site_latest_run WHERE site_id = 'dxh'").fetchone()
    assert latest == ("interrupted", 1)


def test_unknown_site_is_a_clear_error(store: Store) -> None:
    with pytest.raises(StoreError, match="upsert_site"):
        store.record_capture("http://x/", site_id="nope", run_id=None, kind="other", status=200,
                             content_type=None, body=b"x")


def test_save_report_and_resave_changes_nothing_but_last_seen(store: Store) -> None:
    run = store.start_run("dxh")
    page = store.record_capture("http://127.0.0.1/dxh/art/1.html", site_id="dxh", run_id=run, kind="detail",
                                status=200, content_type="text/html", body=b"<html>1</html>")
    rid = store.save_report(make_record(), site_id="dxh", capture_ids=[page])
    before = counts(store)
    row1 = store.report(rid)
    rid2 = store.save_report(make_record(), site_id="dxh", capture_ids=[page])
    rid3 = store.save_report(make_record(), site_id="dxh", capture_ids=[page])
    assert rid == rid2 == rid3
    assert counts(store) == before
    row2 = store.report(rid)
    assert row2["last_seen"] >= row1["last_seen"]
    assert {k: v for k, v in row1.items() if k != "last_seen"} == {k: v for k, v in row2.items() if k != "last_seen"}
    assert before["reports"] == 1 and before["statistics"] == 2 and before["report_captures"] == 1
    assert row2["flags"] == ["narrative_only"]
    assert row2["province"] == "湖北省" and row2["adcode"] == "420112"
    assert row2["stats"][0]["capture_id"] == page and row2["stats"][0]["evidence"]
    assert row2["captures"][0]["role"] == "page"


def test_resave_changed_record_replaces_statistics(store: Store) -> None:
    rid = store.save_report(make_record(), site_id="dxh", capture_ids=[])
    changed = make_record(stats=[Stat("core.review_total", 2, "table", "行政复议 2")], text="新文本 行政复议2件")
    assert store.save_report(changed, site_id="dxh", capture_ids=[]) == rid
    rep = store.report(rid)
    assert [(s["key"], s["value"]) for s in rep["stats"]] == [("core.review_total", 2)]
    assert rep["text"] == "新文本 行政复议2件" and rep["updated_at"] >= rep["first_seen"]
    assert counts(store)["reports"] == 1


def test_identity_by_agency_year_else_source_url(store: Store) -> None:
    a = store.save_report(make_record(), site_id="dxh", capture_ids=[])
    b = store.save_report(make_record(report_year=2021), site_id="dxh", capture_ids=[])
    c = store.save_report(make_record(agency=None, source_url="http://x/1"), site_id=None, capture_ids=[])
    d = store.save_report(make_record(agency=None, source_url="http://x/1", title="改"), site_id=None, capture_ids=[])
    e = store.save_report(make_record(agency=None, source_url="http://x/2"), site_id=None, capture_ids=[])
    assert len({a, b, c, e}) == 4 and c == d
    # The same report found at another URL: still one row, the other URL remembered.
    f = store.save_report(make_record(source_url="http://127.0.0.1/dxh/art/copy.html"), site_id="dxh",
                          capture_ids=[])
    assert f == a
    assert store.report(a)["alt_source_urls"] == ["http://127.0.0.1/dxh/art/1.html"]
    # Once agency/year become known, the URL-identified row is upgraded, not duplicated.
    g = store.save_report(make_record(agency="某局", source_url="http://x/2"), site_id=None, capture_ids=[])
    assert g == e and store.report(g)["agency"] == "某局"


def test_not_a_report_is_not_saved(store: Store) -> None:
    assert store.save_report(make_record(is_report=False), site_id="dxh", capture_ids=[]) is None
    assert counts(store)["reports"] == 0


def test_crash_mid_save_leaves_no_partial_report(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    before = counts(store)

    def boom(self: Store, report_id: int) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Store, "_index_report", boom)  # runs after the report and statistics inserts
    with pytest.raises(RuntimeError):
        store.save_report(make_record(), site_id="dxh", capture_ids=[])
    assert counts(store) == before
    assert not store.conn.in_transaction
    monkeypatch.undo()
    assert store.save_report(make_record(), site_id="dxh", capture_ids=[]) is not None


def test_unknown_capture_rolls_back(store: Store) -> None:
    with pytest.raises(StoreError, match="capture_id"):
        store.save_report(make_record(), site_id="dxh", capture_ids=[12345])
    assert counts(store)["reports"] == 0


def test_stat_capture_prefers_matching_sha(store: Store) -> None:
    run = store.start_run("dxh")
    page = store.record_capture("http://p/1.html", site_id="dxh", run_id=run, kind="detail", status=200,
                                content_type="text/html", body=b"page")
    pdf = store.record_capture("http://p/1.pdf", site_id="dxh", run_id=run, kind="attachment", status=200,
                               content_type="application/pdf", body=b"%PDF")
    sha = store.capture(pdf)["sha256"]
    rid = store.save_report(make_record(sha256=sha, text_source="pdf"), site_id="dxh", capture_ids=[page, pdf])
    rep = store.report(rid)
    assert {s["capture_id"] for s in rep["stats"]} == {pdf}
    assert {c["role"] for c in rep["captures"]} == {"page", "attachment"}


def test_reports_filters_and_summary(store: Store) -> None:
    store.save_report(make_record(), site_id="dxh", capture_ids=[])
    store.save_report(make_record(agency="广州市天河区人民政府", region=Region("广东省", "广州市", "天河区", "440106"),
                                  report_year=2021, source_url="http://gz/1"), site_id=None, capture_ids=[])
    assert len(store.reports()) == 2
    assert [r["agency"] for r in store.reports(province="广东省")] == ["广州市天河区人民政府"]
    assert len(store.reports(agency="住房")) == 1 and len(store.reports(adcode="4201")) == 1
    assert store.reports(agency="%") == []
    assert len(store.reports(year=2021)) == 1
    with pytest.raises(StoreError):
        store.reports(colour="red")
    s = store.summary()
    assert s["reports"] == 2 and s["reports_by_year"] == {2021: 1, 2022: 1} and s["sites"] == 1
    assert s["statistics"] == 4


def test_database_readable_by_plain_sqlite(tmp_path: Path, store: Store) -> None:
    store.save_report(make_record(), site_id="dxh", capture_ids=[])
    conn = sqlite3.connect(tmp_path / "ogi.db")
    assert conn.execute("SELECT agency, report_year FROM reports").fetchall() == [("武汉市东西湖区住房和城乡建设局", 2022)]
    conn.close()


def test_bad_stat_values_dropped_duplicates_last_wins(store: Store) -> None:
    rec = make_record(stats=[Stat("a", float("nan"), "text", ""), Stat("b", 1, "table", "x"),
                             Stat("b", 2, "table", "y"), Stat("c", None, "text", "")])  # type: ignore[arg-type]
    rep = store.report(store.save_report(rec, site_id="dxh", capture_ids=[]))
    assert [(s["key"], s["value"], s["evidence"]) for s in rep["stats"]] == [("b", 2, "y")]


def test_statistics_long_view_carries_provenance(store: Store) -> None:
    run = store.start_run("dxh")
    page = store.record_capture("http://127.0.0.1/dxh/art/1.html", site_id="dxh", run_id=run, kind="detail",
                                status=200, content_type="text/html", body=b"<html>1</html>")
    store.save_report(make_record(), site_id="dxh", capture_ids=[page])
    rows = list(store.db.query("SELECT * FROM statistics_long ORDER BY key"))
    assert [r["key"] for r in rows] == ["core.litigation_total", "core.review_total"]
    assert rows[1]["capture_url"] == "http://127.0.0.1/dxh/art/1.html" and rows[1]["capture_sha256"]
    assert rows[1]["evidence"] == "本年度收到行政复议申请1件"


def test_migration_hook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus import schema

    Store(tmp_path / "m.db").close()
    calls = []
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1, lambda db: calls.append(db))
    s = Store(tmp_path / "m.db")
    assert len(calls) == 1 and s.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    s.close()


def test_threads_share_one_store(store: Store) -> None:
    import threading

    run = store.start_run("dxh")
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                store.record_capture(f"http://t/{n}/{i}", site_id="dxh", run_id=run, kind="list", status=200,
                                     content_type="text/html", body=f"{n}-{i}".encode())
                store.summary()
        except Exception as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and store.summary()["captures"] == 80


def test_report_sources_for_reextraction(store: Store) -> None:
    run = store.start_run("dxh")
    kw = dict(site_id="dxh", run_id=run, status=200)
    page = store.record_capture("http://p/1.html", kind="detail", content_type="text/html", body=b"page", **kw)
    old = store.record_capture("http://p/1.pdf", kind="attachment", content_type="application/pdf", body=b"v1", **kw)
    rid = store.save_report(make_record(), site_id="dxh", capture_ids=[page, old])
    new = store.record_capture("http://p/1.pdf", kind="attachment", content_type="application/pdf", body=b"v2", **kw)
    store.save_report(make_record(), site_id="dxh", capture_ids=[page, new])
    src = store.report_sources(rid)
    assert [(s["role"], s["url"], s["body"]) for s in src] == [("page", "http://p/1.html", b"page"),
                                                                 ("attachment", "http://p/1.pdf", b"v2")]
    assert len(store.report(rid)["captures"]) == 3  # every version stays linked


def test_same_named_agencies_of_two_counties_stay_apart(tmp_path):
    """朝阳区 is in Beijing (110105) and in Changchun (220104): same agency name, two reports."""
    from extract.record import Record, Region

    store = Store(tmp_path / "ogi.db")
    for adcode, province in (("110105", "北京市"), ("220104", "吉林省")):
        store.save_report(Record(agency="朝阳区教育局", report_year=2021, region=Region(province, None, "朝阳区", adcode),
                                 text=f"{province}的报告", is_report=True), site_id=None, capture_ids=[])
    assert store.conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 2
    # A record saved before its region was known is adopted by the first one that knows it.
    store.save_report(Record(agency="西湖区教育局", report_year=2021, text="a", is_report=True), site_id=None,
                      capture_ids=[])
    store.save_report(Record(agency="西湖区教育局", report_year=2021, region=Region("浙江省", "杭州市", "西湖区", "330106"),
                             text="a", is_report=True), site_id=None, capture_ids=[])
    rows = store.conn.execute("SELECT adcode FROM reports WHERE agency='西湖区教育局'").fetchall()
    assert rows == [("330106",)]


def test_v2_database_migrates_to_adcode_identity(tmp_path):
    import sqlite3

    from corpus import schema

    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX reports_identity_v3")
    conn.execute("""CREATE UNIQUE INDEX reports_identity ON reports(agency, report_year)
                    WHERE agency IS NOT NULL AND report_year IS NOT NULL""")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    store = Store(path)
    names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "reports_identity_v3" in names and "reports_identity" not in names
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION


def _write_sites_and_wait_for_the_file(store, db: Path) -> int:
    """Commit 50 sites; wait (10 s at most) for the database file to grow past the size it had: in WAL mode only
    a checkpoint writes it. The size before."""
    size = db.stat().st_size
    for n in range(50):
        store.upsert_site(f"s{n}", f"某县{n}" * 50, None, None, None, "411500", ["http://x.gov.cn/"], None, True)
    deadline = time.monotonic() + 10
    while db.stat().st_size == size and time.monotonic() < deadline:
        time.sleep(0.05)
    return size


def test_checkpoints_in_a_thread_of_their_own(tmp_path: Path) -> None:
    """A crawl's store copies the log into the database from its own thread (the writer's COMMITs no longer
    checkpoint): the database file grows while the writer only commits, and close ends the log."""

    db = tmp_path / "ckpt.db"
    store = Store(db)
    store.checkpoint_in_background(every=0.05)
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    size = _write_sites_and_wait_for_the_file(store, db)
    assert db.stat().st_size > size  # only a checkpoint writes the database file in WAL mode
    thread = store._checkpointer[0]
    store.close()
    assert not thread.is_alive()
    assert not Path(f"{db}-wal").exists()
    assert Store(db).summary()["sites"] == 50


@pytest.mark.parametrize("writer", ["process", "thread"])
def test_a_crawl_sessions_sqlite_store_checkpoints_in_the_background(tmp_path: Path, writer: str) -> None:
    from scrapy.settings import Settings

    from crawler.session import CrawlSession

    db = tmp_path / "ogi.db"
    session = CrawlSession(Settings({"OGI_DB": str(db), "OGI_STORE_WRITER": writer}))
    store = session.store
    size = _write_sites_and_wait_for_the_file(store, db)
    assert db.stat().st_size > size  # only a checkpoint writes the database file in WAL mode, and nothing closed
    session.close()


def test_save_reports_saves_a_batch_and_a_failing_report_costs_only_itself(tmp_path: Path, caplog) -> None:
    """Store.save_reports: one transaction for the batch; when one report fails, the others are saved each on
    its own (said at DEBUG, with the failure) and the failing one's exception comes back in its place."""
    import logging

    store = Store(tmp_path / "ogi.db")
    store.upsert_site("s1", "某县", None, None, None, "411500", ["http://x.gov.cn/"], None, True)
    fallbacks = lambda: [r for r in caplog.records if "reports failed; saving them one by one" in r.getMessage()]  # noqa: E731
    try:
        a, b, c = (make_record(agency=f"某县{n}局", source_url=f"http://127.0.0.1/{n}.html") for n in "abc")
        with caplog.at_level(logging.DEBUG, logger="corpus"):
            assert store.save_reports([(a, "s1", [], None), (b, "s1", [], None)]) == [None, None]
            assert fallbacks() == []  # the batch went through whole
            assert store.save_reports([(c, "s1", [], None), (make_record(agency="某县d局"), None, [999], None)]
                                      )[0] is None
            assert [r.getMessage() for r in fallbacks()] == ["a batch of 2 reports failed; saving them one by one"]
            assert fallbacks()[0].exc_info[0] is StoreError  # with the failure that sent it there
            caplog.clear()
            alone = store.save_reports([(make_record(agency="某县e局"), None, [998], None)])
            assert fallbacks() == []  # a report alone is saved alone: no batch to fall back from
        assert len(alone) == 1 and isinstance(alone[0], StoreError) and "unknown capture_id 998" in str(alone[0])
        rows = sorted(store.conn.execute("SELECT agency, site_id FROM reports"))
        assert rows == [("某县a局", "s1"), ("某县b局", "s1"), ("某县c局", "s1")]
        assert not store.conn.in_transaction
    finally:
        store.close()


def test_save_reports_opens_a_pool_worker_s_sealed_records(tmp_path: Path, monkeypatch) -> None:
    """A pool crawl hands save_reports the records as its workers sealed them (extract.record.SealedRecord):
    each is opened and saved, with the search-index columns sealed with it (not computed again here)."""
    from corpus.search import search
    from extract.record import SealedRecord
    from tests.test_pool_index import _Counter

    counter = _Counter()
    monkeypatch.setattr("corpus.search_index.index_columns", counter)
    store = Store(tmp_path / "ogi.db")
    try:
        with_columns, without = make_record(), make_record(agency="另一个局", source_url="http://127.0.0.1/x.html")
        sealed = [SealedRecord.seal(with_columns, (with_columns.text, counter.real(with_columns.text))),
                  SealedRecord.seal(without)]
        assert store.save_reports([(s, None, [], None) for s in sealed]) == [None, None]
        assert counter.calls == 1  # only the record sealed without its columns had them computed here
        assert sorted(store.conn.execute("SELECT agency, report_year FROM reports")) == sorted(
            [(with_columns.agency, with_columns.report_year), ("另一个局", without.report_year)])
        assert len(search(store, "行政复议")) == 2
    finally:
        store.close()
