"""corpus/reports.py: report identity, versions and what a save writes, rule by rule.

A silent bug here corrupts the corpus (two rows for one report, an edit not flagged, an old version lost),
and the crawl tests notice only some of it. These pin each rule a mutation run (scripts/mutation.sh store)
showed unpinned; tests/test_store.py covers the rest.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from corpus.search import search
from corpus.store import Store, StoreError
from extract.record import Record, Region, Stat

REGION = Region("湖北省", "武汉市", "甲区", "420101")
URL, URL2, URL3 = "http://a.test/1.html", "http://a.test/2.html", "http://a.test/3.html"


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "ogi.db")
    s.upsert_site("s", "甲区人民政府", "湖北省", "武汉市", "甲区", "420101", ["http://a.test/"], "trs", True)
    yield s
    s.close()


def rec(**kw) -> Record:
    base = dict(agency="甲区教育局", agency_as_printed="甲区教育局（印）", department="教育", region=REGION,
                report_year=2022, title="甲区教育局2022年报", published_at="2023-01-20", document_date="2023-01-15",
                form="form2021", source_url=URL, sha256="a" * 64, text="正文：主动公开信息。", text_source="html",
                flags=["balance_mismatch"], errors=["pdf: page 3 unreadable"], is_report=True,
                stats=[Stat("core.requests_new", 12, "table", "新收 12"), Stat("core.review_total", 1, "text", "复议1件")])
    base.update(kw)
    return Record(**base)


def rows(store: Store, sql: str, params: tuple = ()) -> list[dict]:
    conn = sqlite3.connect(store.db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def versions(store: Store) -> list[dict]:
    return rows(store, "SELECT * FROM report_versions ORDER BY version_id")


# ---------------------------------------------------------------- what a save writes


def test_every_field_is_stored(store):
    rid = store.save_report(rec(), site_id="s", capture_ids=[])
    (row,) = rows(store, "SELECT * FROM reports")
    assert row["report_id"] == rid
    assert {k: row[k] for k in ("agency", "agency_as_printed", "department", "province", "city", "county", "adcode",
                                "report_year", "title", "published_at", "document_date", "form", "source_url",
                                "sha256", "text", "text_source", "is_report", "site_id", "alt_source_urls")} == {
        "agency": "甲区教育局", "agency_as_printed": "甲区教育局（印）", "department": "教育", "province": "湖北省",
        "city": "武汉市", "county": "甲区", "adcode": "420101", "report_year": 2022, "title": "甲区教育局2022年报",
        "published_at": "2023-01-20", "document_date": "2023-01-15", "form": "form2021", "source_url": URL,
        "sha256": "a" * 64, "text": "正文：主动公开信息。", "text_source": "html", "is_report": 1, "site_id": "s",
        "alt_source_urls": "[]"}
    assert json.loads(row["flags"]) == ["balance_mismatch"] and json.loads(row["errors"]) == ["pdf: page 3 unreadable"]
    assert row["first_seen"] == row["last_seen"] == row["updated_at"]


def test_missing_text_is_stored_empty(store):
    store.save_report(rec(text=None), site_id="s", capture_ids=[])
    assert rows(store, "SELECT text FROM reports") == [{"text": ""}]


def test_content_hash_is_stable_across_versions_of_ogi(store):
    """Stored hashes are compared with new ones: a change of the hashed form would make every report of an
    existing corpus look changed on its next crawl."""
    store.save_report(rec(), site_id="s", capture_ids=[])
    assert rows(store, "SELECT content_hash FROM reports") == [
        {"content_hash": "3d1bfdbc29f572727c944221c342587d7f46f7d20db54569d59c1829f6decaa4"}]


def test_unknown_site_is_refused(store):
    with pytest.raises(StoreError):
        store.save_report(rec(), site_id="nope", capture_ids=[])


def test_not_a_report_is_logged_and_not_stored(store, caplog):
    with caplog.at_level(logging.DEBUG, logger="corpus.reports"):
        assert store.save_report(rec(is_report=False), site_id="s", capture_ids=[]) is None
    assert [r.getMessage() for r in caplog.records] == [f"not a report, not stored: {URL}"]
    assert rows(store, "SELECT COUNT(*) AS n FROM reports") == [{"n": 0}]


def test_stats_source_and_evidence_default_to_empty_and_bad_values_are_dropped(store, caplog):
    stats = [Stat("core.requests_new", 3, None, None), Stat("core.review_total", "many", "text", "x"),
             Stat("core.litigation_total", 1, "table", "一"), Stat("core.litigation_total", 2, "table", "二")]
    with caplog.at_level(logging.WARNING, logger="corpus.reports"):
        store.save_report(rec(stats=stats), site_id="s", capture_ids=[])
    assert rows(store, "SELECT key, value, source, evidence FROM statistics ORDER BY key") == [
        {"key": "core.litigation_total", "value": 2.0, "source": "table", "evidence": "二"},
        {"key": "core.requests_new", "value": 3.0, "source": "", "evidence": ""}]
    assert [r.getMessage() for r in caplog.records] == [
        f"dropping stat 'core.review_total' = 'many' of {URL}: not a finite number",
        f"duplicate stat key core.litigation_total in {URL}; the last value wins"]


def _capture(store: Store, url: str, kind: str, body: bytes) -> int:
    return store.record_capture(url, site_id="s", run_id=None, kind=kind, status=200, content_type="x", body=body)


@pytest.mark.parametrize(("text_source", "which"), [("pdf", "attachment"), ("docx", "attachment"), ("html", "page")])
def test_numbers_point_at_the_capture_they_were_read_from(store, text_source, which):
    page = _capture(store, URL, "detail", b"<html>page</html>")
    att = _capture(store, URL + ".pdf", "attachment", b"%PDF file")
    store.save_report(rec(text_source=text_source, sha256="f" * 64), site_id="s", capture_ids=[page, att])
    want = att if which == "attachment" else page
    assert {r["capture_id"] for r in rows(store, "SELECT capture_id FROM statistics")} == {want}
    assert rows(store, "SELECT capture_id, role FROM report_captures ORDER BY capture_id") == [
        {"capture_id": page, "role": "page"}, {"capture_id": att, "role": "attachment"}]


def test_numbers_without_a_capture_get_one_when_the_same_report_comes_with_it(store):
    store.save_report(rec(), site_id="s", capture_ids=[])
    page = _capture(store, URL, "detail", b"<html>page</html>")
    store.save_report(rec(), site_id="s", capture_ids=[page])
    assert {r["capture_id"] for r in rows(store, "SELECT capture_id FROM statistics")} == {page}


# ---------------------------------------------------------------- identity


def test_a_record_without_agency_or_year_is_found_by_url_then_by_hash(store):
    store.save_report(rec(agency=None, report_year=None), site_id="s", capture_ids=[])
    store.save_report(rec(agency=None, report_year=None, text="新正文"), site_id="s", capture_ids=[])
    assert rows(store, "SELECT COUNT(*) AS n FROM reports") == [{"n": 1}]
    store.save_report(rec(agency=None, report_year=None, source_url=None, sha256="b" * 64), site_id="s", capture_ids=[])
    store.save_report(rec(agency=None, report_year=None, source_url=None, sha256="b" * 64, text="x"), site_id="s",
                      capture_ids=[])
    assert rows(store, "SELECT COUNT(*) AS n FROM reports") == [{"n": 2}]


def test_agency_without_year_is_not_an_identity(store):
    """An agency alone does not identify a report: without a year, the URL (or the bytes) does."""
    store.save_report(rec(report_year=None, source_url=None, sha256="c" * 64), site_id="s", capture_ids=[])
    store.save_report(rec(report_year=None, source_url=None, sha256="c" * 64, text="改"), site_id="s", capture_ids=[])
    assert rows(store, "SELECT COUNT(*) AS n, MAX(text) AS t FROM reports") == [{"n": 1, "t": "改"}]


def test_unchanged_resave_makes_no_version_and_moves_only_last_seen(store):
    store.save_report(rec(), site_id="s", capture_ids=[])
    before = rows(store, "SELECT * FROM reports")[0]
    store.save_report(rec(), site_id="s", capture_ids=[])
    after = rows(store, "SELECT * FROM reports")[0]
    assert versions(store) == []
    assert {k: v for k, v in after.items() if k != "last_seen"} == {k: v for k, v in before.items() if k != "last_seen"}


# ---------------------------------------------------------------- versions


def test_same_page_new_bytes_is_an_edit(store, caplog):
    rid = store.save_report(rec(), site_id="s", capture_ids=[])
    with caplog.at_level(logging.WARNING, logger="corpus.reports"):
        store.save_report(rec(sha256="e" * 64, text="更正后的正文", flags=[]), site_id="s", capture_ids=[])
    (v,) = versions(store)
    assert v["reason"] == "edited" and v["report_id"] == rid and v["text"] == "正文：主动公开信息。"
    assert v["sha256"] == "a" * 64 and v["source_url"] == URL and json.loads(v["flags"]) == ["balance_mismatch"]
    assert json.loads(v["statistics"]) == [
        {"key": "core.requests_new", "value": 12.0, "source": "table", "evidence": "新收 12", "capture_id": None},
        {"key": "core.review_total", "value": 1.0, "source": "text", "evidence": "复议1件", "capture_id": None}]
    (row,) = rows(store, "SELECT flags, updated_at FROM reports")
    (flag,) = json.loads(row["flags"])
    assert flag == f"edited after publication: content changed on {row['updated_at'][:10]}"
    assert [r.getMessage() for r in caplog.records] == [
        f"report {rid} (甲区教育局 2022) was edited after publication: {URL}"]
    # The edit flag is carried over by later saves (extraction rebuilds flags), once; other old flags are not.
    store.save_report(rec(sha256="e" * 64, text="再次更正", flags=["parts_sum"]), site_id="s", capture_ids=[])
    assert json.loads(rows(store, "SELECT flags FROM reports")[0]["flags"]) == ["parts_sum", flag]
    store.save_report(rec(sha256="e" * 64, text="三次", flags=[flag]), site_id="s", capture_ids=[])
    assert json.loads(rows(store, "SELECT flags FROM reports")[0]["flags"]) == [flag]


def test_same_page_same_bytes_is_a_re_extraction(store, caplog):
    store.save_report(rec(), site_id="s", capture_ids=[])
    with caplog.at_level(logging.WARNING, logger="corpus.reports"):
        store.save_report(rec(title="甲区教育局2022年度报告"), site_id="s", capture_ids=[])
    assert [v["reason"] for v in versions(store)] == ["re-extracted"]
    assert caplog.records == [] and json.loads(rows(store, "SELECT flags FROM reports")[0]["flags"]) == [
        "balance_mismatch"]


def test_another_page_is_another_source(store):
    store.save_report(rec(), site_id="s", capture_ids=[])
    store.save_report(rec(source_url=URL2, sha256="e" * 64, text="另一页"), site_id="s", capture_ids=[])
    assert [v["reason"] for v in versions(store)] == ["other source"]
    assert "edited" not in rows(store, "SELECT flags FROM reports")[0]["flags"]


@pytest.mark.parametrize("change", [dict(title="新标题"), dict(published_at="2023-02-01"), dict(document_date=None),
                                    dict(form="form2019"), dict(text="新")])
def test_any_versioned_field_makes_a_version(store, change):
    store.save_report(rec(), site_id="s", capture_ids=[])
    store.save_report(rec(**change), site_id="s", capture_ids=[])
    assert len(versions(store)) == 1


def test_other_sources_of_one_report_are_kept(store):
    store.save_report(rec(), site_id="s", capture_ids=[])
    store.save_report(rec(source_url=URL, text="同页重提"), site_id="s", capture_ids=[])  # same page: no alt
    assert json.loads(rows(store, "SELECT alt_source_urls FROM reports")[0]["alt_source_urls"]) == []
    store.save_report(rec(source_url=URL2, text="二"), site_id="s", capture_ids=[])
    store.save_report(rec(source_url=URL3, text="三"), site_id="s", capture_ids=[])
    (row,) = rows(store, "SELECT source_url, alt_source_urls FROM reports")
    assert row["source_url"] == URL3 and json.loads(row["alt_source_urls"]) == [URL, URL2]
    store.save_report(rec(source_url=URL, text="回到一"), site_id="s", capture_ids=[])  # back: leaves the list
    (row,) = rows(store, "SELECT source_url, alt_source_urls FROM reports")
    assert row["source_url"] == URL and json.loads(row["alt_source_urls"]) == [URL2, URL3]


def test_a_save_without_a_site_keeps_the_site(store):
    store.save_report(rec(), site_id="s", capture_ids=[])
    store.save_report(rec(text="重新提取"), site_id=None, capture_ids=[])
    assert rows(store, "SELECT site_id FROM reports") == [{"site_id": "s"}]


def test_the_search_index_follows_a_change(store):
    store.save_report(rec(), site_id="s", capture_ids=[])
    store.save_report(rec(text="行政复议情况说明"), site_id="s", capture_ids=[])
    assert [h.agency for h in search(store, "复议")] == ["甲区教育局"]
    assert search(store, "主动公开") == []


def test_delete_report_removes_everything_but_the_captures(store):
    page = _capture(store, URL, "detail", b"<html>page</html>")
    rid = store.save_report(rec(), site_id="s", capture_ids=[page])
    keep = store.save_report(rec(agency="甲区财政局", text="财政局主动公开"), site_id="s", capture_ids=[page])
    store.delete_report(rid)
    assert [r["report_id"] for r in rows(store, "SELECT report_id FROM reports")] == [keep]
    assert {r["report_id"] for r in rows(store, "SELECT report_id FROM statistics")} == {keep}
    assert [r["report_id"] for r in rows(store, "SELECT report_id FROM report_captures")] == [keep]
    assert rows(store, "SELECT COUNT(*) AS n FROM captures") == [{"n": 1}]
    assert [h.agency for h in search(store, "主动公开")] == ["甲区财政局"]


def test_confidence_is_stored_per_number(store):
    stats = [Stat("core.requests_new", 3, "table", "3", "table-label"), Stat("core.review_total", 1, "text", "1")]
    store.save_report(rec(stats=stats), site_id="s", capture_ids=[])
    assert rows(store, "SELECT key, confidence FROM statistics ORDER BY key") == [
        {"key": "core.requests_new", "confidence": "table-label"}, {"key": "core.review_total", "confidence": ""}]


def test_identity_lock_key():
    """Concurrent writers of one report (PostgreSQL) serialize on this key: agency and year, else the URL,
    else the bytes."""
    from corpus.reports import ReportWriter

    key = ReportWriter._identity_key
    assert key(rec()) == "report|甲区教育局|2022"
    assert key(rec(report_year=None)) == f"report-url|{URL}"
    assert key(rec(agency=None)) == f"report-url|{URL}"
    assert key(rec(agency=None, source_url=None)) == "report-url|" + "a" * 64
    assert key(rec(agency=None, source_url=None, sha256=None)) == "report-url|"
