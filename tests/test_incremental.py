"""Incremental crawls: the second run fetches no unchanged report page or attachment, and picks up a
report added and a report edited in between (both versions kept, the edit flagged) — on a site with
ETag/Last-Modified (conditional requests, 304) and on one without (skip by list entry)."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlsplit

import pytest

from tests.conftest import crawl, demo_sites_as_registry

REPORTS = [
    ("长阳土家族自治县人民政府", 2021, "form2021", "html"),
    ("长阳土家族自治县教育局", 2021, "form2021", "html"),
    ("长阳土家族自治县财政局", 2020, "form2019", "html"),
    ("长阳土家族自治县民政局", 2021, "form2021", "pdf"),
    ("长阳土家族自治县卫生健康局", 2022, "form2021", "html"),
]
EDITED = ("长阳土家族自治县教育局", 2021)
ADDED = ("长阳土家族自治县人民政府", 2022, "form2021", "html")


def _county(validators: bool):
    from demosites.mutable import MutableCounty

    return MutableCounty("cy", "长阳土家族自治县", province="湖北省", city="宜昌市", adcode="420528",
                         reports=list(REPORTS), validators=validators)


def _query(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _paths(urls) -> set[str]:
    return {urlsplit(u).path for u in urls}


@pytest.fixture(scope="module", params=[True, False], ids=["etag", "no-validators"])
def two_runs(request, tmp_path_factory):
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    validators = request.param
    site = _county(validators)
    db = tmp_path_factory.mktemp("inc") / "ogi.db"
    with DemoPortal(core=False, mock_sites=[site]) as portal:
        sites = demo_sites_as_registry(portal)
        crawl([CrawlJob(sites, db, dict(LOCAL_SETTINGS))])
        first_log = list(portal.request_log)
        before = {(a, y): (t, s) for a, y, t, s in _query(
            db, "SELECT agency, report_year, text, (SELECT json_group_object(key, value) FROM statistics s "
                "WHERE s.report_id = r.report_id) FROM reports r")}
        unchanged = [i for i in site.items if (i.agency, i.year) != EDITED]
        site.add_report(*ADDED)
        # A site without validators shows an edit only through its list (here: a new date).
        edited = site.edit_report(*EDITED, list_date=None if validators else "2023-03-15")
        crawl([CrawlJob(sites, db, dict(LOCAL_SETTINGS))])
        second_log = portal.request_log[len(first_log):]
        added = next(i for i in site.items if (i.agency, i.year) == ADDED[:2])
    return {"db": db, "validators": validators, "first": first_log, "second": second_log, "before": before,
            "unchanged": unchanged, "edited": edited, "added": added}


def test_second_run_fetches_only_new_and_changed_pages(two_runs):
    second = two_runs["second"]
    ok = {path for _s, _m, path, status in second if status == 200}
    changed = _paths([two_runs["edited"].url, two_runs["added"].url])
    unchanged_pages = _paths(i.url for i in two_runs["unchanged"])
    unchanged_files = _paths(a.url for i in two_runs["unchanged"] for a in i.attachments)
    assert unchanged_files, "the fixture must have an attachment"
    # Report pages and attachments fetched with a body: exactly the added and the edited one.
    assert ok & (unchanged_pages | unchanged_files) == set()
    assert changed <= ok
    requested = {path for _s, _m, path, _st in second}
    if two_runs["validators"]:
        # Asked conditionally, answered 304 without a body.
        not_modified = {path for _s, _m, path, status in second if status == 304}
        assert unchanged_pages | unchanged_files <= not_modified
    else:
        # Not asked at all: the list entry was unchanged and the site gives no validators.
        assert requested & (unchanged_pages | unchanged_files) == set()
    # The lists were read again.
    assert any(p.endswith("/zfxxgknb/index.html") for p in requested)


def test_added_report_is_stored_and_nothing_is_duplicated(two_runs):
    db = two_runs["db"]
    reports = _query(db, "SELECT agency, report_year FROM reports")
    assert sorted(reports) == sorted([(a, y) for a, y, _f, _k in REPORTS] + [ADDED[:2]])
    dupes = _query(db, "SELECT COUNT(*) FROM (SELECT url, sha256 FROM captures GROUP BY 1, 2 HAVING COUNT(*) > 1)")
    assert dupes == [(0,)]


def test_edited_report_keeps_both_versions_and_is_flagged(two_runs):
    db = two_runs["db"]
    agency, year = EDITED
    (rid, text, flags), = _query(db, "SELECT report_id, text, flags FROM reports WHERE agency = ? AND report_year = ?",
                                 (agency, year))
    assert any(f.startswith("edited after publication: content changed on 20") for f in json.loads(flags))
    assert "更正部分数据" in text
    versions = _query(db, "SELECT reason, text, statistics, sha256 FROM report_versions WHERE report_id = ?", (rid,))
    assert len(versions) == 1
    reason, old_text, old_stats, old_sha = versions[0]
    old_text_before, old_stats_before = two_runs["before"][EDITED]
    assert reason == "edited" and old_text == old_text_before and "更正" not in old_text
    assert {s["key"]: s["value"] for s in json.loads(old_stats)} == json.loads(old_stats_before)
    now_stats = dict(_query(db, "SELECT key, value FROM statistics WHERE report_id = ?", (rid,)))
    assert now_stats != json.loads(old_stats_before)  # the numbers changed, and the old ones are kept
    # The earlier bytes are still there too.
    assert _query(db, "SELECT COUNT(*) FROM captures WHERE sha256 = ?", (old_sha,)) == [(1,)]
    # Nothing else got a version or a flag.
    assert _query(db, "SELECT COUNT(*) FROM report_versions") == [(1,)]
    assert _query(db, "SELECT COUNT(*) FROM reports WHERE flags LIKE '%edited after publication%'") == [(1,)]


def test_run_rows_count_unchanged_and_skipped_pages(two_runs):
    rows = _query(two_runs["db"], "SELECT list_items, unchanged, skipped, reports FROM crawl_runs ORDER BY run_id")
    assert len(rows) == 2
    listed, unchanged, skipped, reports = rows[1]
    n_unchanged = len(two_runs["unchanged"])
    assert listed == len(REPORTS) + 1
    assert reports == 2  # the added and the edited report were (re-)extracted, nothing else
    if two_runs["validators"]:
        assert (unchanged, skipped) == (n_unchanged, 0)
    else:
        assert (unchanged, skipped) == (0, n_unchanged)


@pytest.fixture(scope="module")
def recheck_runs(tmp_path_factory):
    """Crawls run in fixtures: pytest-twisted runs test bodies inside the reactor's greenlet."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    site = _county(validators=False)
    db = tmp_path_factory.mktemp("recheck") / "ogi.db"
    settings = {**LOCAL_SETTINGS, "OGI_RECHECK_DAYS": 0}
    with DemoPortal(core=False, mock_sites=[site]) as portal:
        sites = demo_sites_as_registry(portal)
        crawl([CrawlJob(sites, db, settings), CrawlJob(sites, db, settings)])
        log = portal.request_log
    return site, db, log


def test_recheck_window_refetches_but_does_not_re_extract_same_bytes(recheck_runs):
    """OGI_RECHECK_DAYS=0 on a site without validators: every page is fetched again, and the content
    hash (same capture) keeps the unchanged ones from being extracted again."""
    site, db, log = recheck_runs
    detail = _paths(i.url for i in site.items)
    fetched = [p for _s, _m, p, st in log if p in detail and st == 200]
    assert len(fetched) == 2 * len(detail)
    rows = _query(db, "SELECT unchanged, skipped, reports FROM crawl_runs ORDER BY run_id")
    assert rows[1] == (len(REPORTS), 0, 0)
    assert _query(db, "SELECT COUNT(*) FROM report_versions") == [(0,)]


def test_core_demo_second_crawl_answers_304_for_every_report_page_and_attachment(demo_crawls):
    """The core demo sites send ETag/Last-Modified: the session's second crawl got no body for any
    report page or attachment (Hanweb's downfile.jsp still answers its 302 first)."""
    second = demo_crawls["second"]
    rows = [m for m in second.manifest]
    pages = _paths(m["detail_url"] for m in rows)
    files = _paths(u for m in rows for u in m.get("attachment_urls", []))
    statuses = {}
    for _s, _m, path, status in second.request_log:
        statuses.setdefault(urlsplit(path).path, set()).add(status)
    assert pages and files
    fetched_pages = {p for p in pages if p in statuses}
    assert all(statuses[p] == {304} for p in fetched_pages), {p: statuses[p] for p in fetched_pages}
    for f in files:
        assert 200 not in statuses.get(f, set()), f
