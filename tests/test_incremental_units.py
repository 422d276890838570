"""crawler/incremental.py decision by decision, on a real Store and a Scrapy crawler object, no crawl.

tests/test_incremental.py proves the mechanisms end to end (and tests/test_no_reextract.py with a spy);
these pin each rule of the skip decision, the conditional request and the unchanged-bytes filter, so a
flipped condition fails a fast test that scripts/mutation.sh can run for every mutant.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse, JsonResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.incremental import (
    ConditionalRequestMiddleware,
    IncrementalState,
    PageStateRecorder,
    UnchangedItemFilter,
    _header,
    _parse_time,
    has_validators,
)
from crawler.items import FetchedPart, ReportItem
from extract.record import Record, Region

URL = "http://site.test/art/2023/1/1/art_1_1.html"
PDF = "http://site.test/files/r.pdf"


class Spider:
    def __init__(self) -> None:
        self.counted: list[tuple[str, str]] = []

    def count(self, site_id: str, counter: str) -> None:
        self.counted.append((site_id, counter))


@pytest.fixture
def crawler(tmp_path):
    # The components one by one, with no reactor running: the store writes as it is asked (a crawl's store writer
    # answers through the reactor; tests/test_store_writer.py, test_store_process.py and the crawl tests cover it).
    c = get_crawler(settings_dict={"OGI_DB": str(tmp_path / "ogi.db"), "OGI_STORE_WRITER": "inline"})
    c.spider = Spider()
    store = _store(c)
    store.upsert_site("s", "甲区人民政府", "湖北省", "武汉市", "甲区", "420101", ["http://site.test/"], "trs", True)
    rec = Record(agency="甲区财政局", region=Region("湖北省", "武汉市", "甲区", "420101"), report_year=2021,
                 title="年报", text="正文", is_report=True, source_url="http://site.test/other.html")
    store.save_report(rec, site_id="s", capture_ids=[])
    yield c
    from crawler.session import session_for

    session_for(c).close()


def _set(crawler, **settings) -> None:
    crawler.settings = crawler.settings.copy()
    crawler.settings.frozen = False  # a built crawler's settings are frozen; these tests vary them
    for k, v in settings.items():
        crawler.settings.set(k, v, priority="cmdline")


def _make(crawler, cls, **settings):
    _set(crawler, **settings)
    return cls(crawler)


def _store(crawler):
    from crawler.session import session_for

    return session_for(crawler).store


# report 1 is the one the crawler fixture stored
def _page_state(store, *, outcome="report", report_id=1, validators=False, title="年报", date="2023-01-01",
                capture_ids=(1,), url=URL):
    store.record_page_state(url, site_id="s", list_title=title, list_date=date, outcome=outcome,
                            report_id=report_id, capture_ids=list(capture_ids), validators=validators)


def _age(store, days: float, url=URL) -> None:
    when = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with store.transaction() as conn:
        conn.execute("UPDATE page_state SET checked_at = ?, listed_at = ? WHERE url = ?", (when, when, url))


# ---------------------------------------------------------------- helpers


def test_header_lookup_is_case_insensitive_and_skips_empty_values():
    assert _header({"Etag": '"abc"'}, "ETag") == '"abc"'
    assert _header({"last-modified": "Mon"}, "Last-Modified") == "Mon"
    assert _header({"ETag": ""}, "ETag") is None
    assert _header({}, "ETag") is None and _header(None, "ETag") is None  # type: ignore[arg-type]
    assert _header({"X": 1, "ETag": 7}, "etag") == "7"
    assert has_validators({"ETag": "x"}) and has_validators({"Last-Modified": "y"})
    assert not has_validators({"ETag": "", "Content-Type": "text/html"})


def test_parse_time_reads_the_store_timestamps_as_utc():
    assert _parse_time("2024-03-05T06:07:08.123456Z") == datetime(2024, 3, 5, 6, 7, 8, tzinfo=UTC)


# ---------------------------------------------------------------- skip by list entry


def test_skip_only_a_recently_judged_unchanged_entry_without_validators(crawler):
    state = _make(crawler, IncrementalState)
    store = _store(crawler)
    _page_state(store)
    assert state.skip("s", URL, "年报", "2023-01-01") is True
    assert crawler.spider.counted == [("s", "list_items"), ("s", "skipped")]
    # listed again in the same run: counted once, and left to the duplicate filter
    assert state.skip("s", URL, "年报", "2023-01-01") is False
    assert crawler.spider.counted == [("s", "list_items"), ("s", "skipped")]


def test_skip_moves_listed_at(crawler):
    state = _make(crawler, IncrementalState)
    store = _store(crawler)
    _page_state(store)
    _age(store, 1)
    before = store.page_state(URL)
    assert state.skip("s", URL, "年报", "2023-01-01")
    after = store.page_state(URL)
    assert after["listed_at"] > before["listed_at"] and after["checked_at"] == before["checked_at"]


@pytest.mark.parametrize(("change", "why"), [
    (dict(outcome="error", report_id=None), "the last fetch failed"),
    (dict(outcome="report", report_id=None), "the report was deleted"),
    (dict(validators=True), "a conditional request is cheaper and sees edits"),
    (dict(title="年报（更正）"), "the list title changed"),
    (dict(date="2023-02-01"), "the list date changed"),
])
def test_entries_that_must_be_fetched_again(crawler, change, why):
    state = _make(crawler, IncrementalState)
    _page_state(_store(crawler), **change)
    assert state.skip("s", URL, "年报", "2023-01-01") is False, why
    assert crawler.spider.counted == [("s", "list_items")]


def test_not_report_pages_are_skipped_too(crawler):
    state = _make(crawler, IncrementalState)
    _page_state(_store(crawler), outcome="not_report", report_id=None)
    assert state.skip("s", URL, "年报", "2023-01-01") is True


def test_never_seen_page_is_fetched(crawler):
    assert _make(crawler, IncrementalState).skip("s", URL, "年报", "2023-01-01") is False


def test_empty_title_and_date_compare_as_empty(crawler):
    state = _make(crawler, IncrementalState)
    _page_state(_store(crawler), title="", date="")
    assert state.skip("s", URL) is True


def test_recheck_window(crawler):
    state = _make(crawler, IncrementalState, OGI_RECHECK_DAYS=10)
    store = _store(crawler)
    _page_state(store)
    _age(store, 9.9)
    assert state.skip("s", URL, "年报", "2023-01-01") is True
    _page_state(store, url=URL + "?b")
    _age(store, 10.1, url=URL + "?b")
    assert state.skip("s", URL + "?b", "年报", "2023-01-01") is False


@pytest.mark.parametrize("settings", [{"OGI_INCREMENTAL": False}, {"OGI_RECHECK_DAYS": 0}, {"OGI_RECHECK_DAYS": -1}])
def test_skip_switched_off(crawler, settings):
    state = _make(crawler, IncrementalState, **settings)
    _page_state(_store(crawler))
    assert state.skip("s", URL, "年报", "2023-01-01") is False
    assert crawler.spider.counted == [("s", "list_items")]


def test_validators_do_not_prevent_a_skip_when_conditional_requests_are_off(crawler):
    state = _make(crawler, IncrementalState, OGI_CONDITIONAL_GET=False)
    _page_state(_store(crawler), validators=True)
    assert state.skip("s", URL, "年报", "2023-01-01") is True


# ---------------------------------------------------------------- conditional requests


def _capture(store, url=URL, headers=None, body=b"<html>report</html>", status=200):
    return store.record_capture(url, site_id="s", run_id=None, kind="detail", status=status,
                                content_type="text/html", body=body, headers=headers)


def test_conditional_request_carries_the_stored_validators(crawler):
    mw = _make(crawler, ConditionalRequestMiddleware)
    cid = _capture(_store(crawler), headers={"Etag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})
    req = Request(URL, meta={"ogi_kind": "detail"})
    assert mw.process_request(req) is None
    assert req.headers[b"If-None-Match"] == b'"v1"'
    assert req.headers[b"If-Modified-Since"] == b"Mon, 01 Jan 2024 00:00:00 GMT"
    assert req.meta["ogi_cond_capture"] == cid


def test_only_one_validator_is_sent_when_only_one_is_stored(crawler):
    mw = _make(crawler, ConditionalRequestMiddleware)
    _capture(_store(crawler), headers={"Last-Modified": "Mon"})
    req = Request(URL, meta={"ogi_kind": "attachment"})
    mw.process_request(req)
    assert b"If-None-Match" not in req.headers and req.headers[b"If-Modified-Since"] == b"Mon"


@pytest.mark.parametrize(("request_kwargs", "headers"), [
    ({"meta": {"ogi_kind": "list"}}, {"ETag": "x"}),  # lists are always read again
    ({"method": "POST", "meta": {"ogi_kind": "detail"}}, {"ETag": "x"}),
    ({"meta": {"ogi_kind": "detail", "ogi_no_conditional": True}}, {"ETag": "x"}),
    ({"meta": {"ogi_kind": "detail", "ogi_cond_capture": 99}}, {"ETag": "x"}),  # a retry of a conditional one
    ({"meta": {"ogi_kind": "detail"}}, {"Content-Type": "text/html"}),  # no validators stored
    ({"meta": {"ogi_kind": "detail"}}, None),
])
def test_requests_left_unconditional(crawler, request_kwargs, headers):
    mw = _make(crawler, ConditionalRequestMiddleware)
    _capture(_store(crawler), headers=headers)
    req = Request(URL, **request_kwargs)
    mw.process_request(req)
    assert b"If-None-Match" not in req.headers and b"If-Modified-Since" not in req.headers
    assert req.meta.get("ogi_cond_capture") == request_kwargs["meta"].get("ogi_cond_capture")


def test_never_fetched_url_is_unconditional(crawler):
    mw = _make(crawler, ConditionalRequestMiddleware)
    req = Request(URL, meta={"ogi_kind": "detail"})
    mw.process_request(req)
    assert "ogi_cond_capture" not in req.meta


def test_304_becomes_the_stored_response(crawler):
    mw = _make(crawler, ConditionalRequestMiddleware)
    body = "<html><title>年报</title></html>".encode()
    cid = _capture(_store(crawler), headers={"Etag": '"v1"', "Content-Type": "text/html; charset=utf-8",
                                            "Content-Length": "999"}, body=body)
    req = Request(URL, meta={"ogi_kind": "detail", "ogi_cond_capture": cid})
    resp = mw.process_response(req, Response(URL, status=304, headers={"ETag": '"v2"'}, request=req))
    assert isinstance(resp, HtmlResponse) and resp.status == 200 and resp.body == body
    assert "not_modified" in resp.flags and req.meta["ogi_not_modified"] is True
    assert resp.headers[b"ETag"] == b'"v2"' and b"Content-Length" not in resp.headers
    assert crawler.stats.get_value("ogi/not_modified") == 1


@pytest.mark.parametrize(("status", "conditional"), [(200, True), (304, False), (404, True)])
def test_other_responses_pass_through(crawler, status, conditional):
    mw = _make(crawler, ConditionalRequestMiddleware)
    cid = _capture(_store(crawler), headers={"ETag": "x"})
    req = Request(URL, meta={"ogi_kind": "detail", **({"ogi_cond_capture": cid} if conditional else {})})
    resp = Response(URL, status=status, request=req)
    assert mw.process_response(req, resp) is resp


def test_304_without_the_stored_bytes_asks_again_unconditionally(crawler):
    mw = _make(crawler, ConditionalRequestMiddleware)
    store = _store(crawler)
    cid = _capture(store, headers={"ETag": "x"})
    store.raw_path(store.capture(cid)["sha256"]).unlink()
    req = Request(URL, meta={"ogi_kind": "detail", "ogi_cond_capture": cid},
                  headers={"If-None-Match": "x", "If-Modified-Since": "Mon"})
    retry = mw.process_response(req, Response(URL, status=304, request=req))
    assert isinstance(retry, Request) and retry.dont_filter
    assert b"If-None-Match" not in retry.headers and b"If-Modified-Since" not in retry.headers
    assert "ogi_cond_capture" not in retry.meta and retry.meta["ogi_no_conditional"] is True


@pytest.mark.parametrize("cls", [ConditionalRequestMiddleware, UnchangedItemFilter])
def test_switched_off_with_incremental_crawling(crawler, cls):
    _set(crawler, OGI_INCREMENTAL=False)
    with pytest.raises(NotConfigured):
        cls(crawler)


def test_conditional_requests_can_be_switched_off_alone(crawler):
    _set(crawler, OGI_CONDITIONAL_GET=False)
    with pytest.raises(NotConfigured):
        ConditionalRequestMiddleware(crawler)
    UnchangedItemFilter(crawler)  # the same-bytes filter stays


# ---------------------------------------------------------------- same bytes: no re-extraction


def _item(ids: list[int | None], errors: list[str] | None = None) -> ReportItem:
    parts = [FetchedPart(URL if i == 0 else PDF, None, "text/html", cid, "page" if i == 0 else "attachment")
             for i, cid in enumerate(ids)]
    return ReportItem("s", URL, list_title="年报（新）", list_date="2023-01-02", parts=parts, errors=errors or [])


def test_same_captures_are_dropped_before_extraction(crawler):
    flt = _make(crawler, UnchangedItemFilter)
    store = _store(crawler)
    _page_state(store, capture_ids=(3, 4), validators=True)
    _age(store, 5)
    with pytest.raises(DropItem):
        flt.process_item(_item([3, 4]))
    state = store.page_state(URL)
    # judged again now, under the list entry it has today, with what it was judged before
    assert (state["outcome"], state["report_id"], state["capture_ids"], state["validators"]) == ("report", 1, [3, 4], 1)
    assert (state["list_title"], state["list_date"]) == ("年报（新）", "2023-01-02")
    assert _parse_time(state["checked_at"]) > datetime.now(UTC) - timedelta(hours=1)
    assert crawler.spider.counted == [("s", "unchanged")] and crawler.stats.get_value("ogi/unchanged") == 1


def test_not_report_with_same_captures_is_dropped(crawler):
    flt = _make(crawler, UnchangedItemFilter)
    _page_state(_store(crawler), outcome="not_report", report_id=None, capture_ids=(3,))
    with pytest.raises(DropItem):
        flt.process_item(_item([3]))


@pytest.mark.parametrize(("ids", "errors", "state"), [
    ([3, 5], None, dict(capture_ids=(3, 4))),  # the attachment changed
    ([4, 3], None, dict(capture_ids=(3, 4))),  # order matters: page first
    ([3], None, dict(capture_ids=(3, 4))),  # an attachment went away
    ([3, None], None, dict(capture_ids=(3,))),  # an attachment not captured
    ([3, 4], ["attachment failed"], dict(capture_ids=(3, 4))),
    ([3, 4], None, dict(capture_ids=(3, 4), outcome="error", report_id=None)),
    ([3, 4], None, dict(capture_ids=(3, 4), outcome="report", report_id=None)),  # report deleted
    ([3, 4], None, None),  # never judged
])
def test_changed_or_unjudged_items_go_on_to_extraction(crawler, ids, errors, state):
    flt = _make(crawler, UnchangedItemFilter)
    if state is not None:
        _page_state(_store(crawler), **state)
    item = _item(ids, errors)
    assert flt.process_item(item) is item
    assert crawler.spider.counted == []


def test_other_items_pass(crawler):
    flt = _make(crawler, UnchangedItemFilter)
    assert flt.process_item({"x": 1}) == {"x": 1}


# ---------------------------------------------------------------- page state after the store


def _report(store, cid: int) -> int:
    rec = Record(agency="甲区教育局", region=Region("湖北省", "武汉市", "甲区", "420101"), report_year=2022,
                 title="年报", text="正文", is_report=True, source_url=URL)
    return store.save_report(rec, site_id="s", capture_ids=[cid])


def test_page_state_recorded_after_a_report_is_stored(crawler):
    rec = _make(crawler, PageStateRecorder)
    store = _store(crawler)
    page = _capture(store, headers={"ETag": "x"})
    att = _capture(store, url=PDF, headers={"Last-Modified": "Mon"}, body=b"%PDF")
    rid = _report(store, page)
    item = _item([page, att])
    assert rec.process_item(item) is item
    state = store.page_state(URL)
    assert (state["outcome"], state["report_id"], state["capture_ids"], state["validators"]) == (
        "report", rid, [page, att], 1)
    assert (state["list_title"], state["list_date"], state["site_id"]) == ("年报（新）", "2023-01-02", "s")


def test_validators_need_every_part_to_have_them(crawler):
    rec = _make(crawler, PageStateRecorder)
    store = _store(crawler)
    page = _capture(store, headers={"ETag": "x"})
    att = _capture(store, url=PDF, headers={}, body=b"%PDF")
    rec.process_item(_item([page, att]))
    assert store.page_state(URL)["validators"] == 0


def test_not_a_report_and_errors(crawler):
    rec = _make(crawler, PageStateRecorder)
    store = _store(crawler)
    page = _capture(store)
    rec.process_item(_item([page]))
    assert (store.page_state(URL)["outcome"], store.page_state(URL)["report_id"]) == ("not_report", None)
    rec.process_item(_item([page], errors=["attachment failed"]))
    assert store.page_state(URL)["outcome"] == "error"
    rec.process_item(_item([page, None]))
    assert store.page_state(URL)["outcome"] == "error" and store.page_state(URL)["capture_ids"] == [page]
    rec.process_item(_item([]))
    assert store.page_state(URL)["outcome"] == "error" and store.page_state(URL)["validators"] == 0


def test_a_store_failure_of_this_run_is_an_error_not_a_judgement(crawler):
    rec = _make(crawler, PageStateRecorder)
    store = _store(crawler)
    page = _capture(store)
    run_id = store.start_run("s")

    class Runs:
        def run_id(self, site_id):
            return run_id if site_id == "s" else None

    from crawler.session import session_for

    session_for(crawler).runs = Runs()  # type: ignore[assignment]
    store.record_error(run_id, "s", URL, "store", "disk full")
    rec.process_item(_item([page]))
    assert store.page_state(URL)["outcome"] == "error"
    store.record_error(run_id, "s", URL + "?other", "store", "disk full")
    rec.process_item(ReportItem("s", URL + "?x", parts=[FetchedPart(URL + "?x", None, "text/html", page, "page")]))
    assert store.page_state(URL + "?x")["outcome"] == "not_report"


# ---------------------------------------------------------------- details a mutation run found unpinned


def test_defaults_and_messages(crawler, caplog):
    assert IncrementalState(crawler).recheck == timedelta(days=30)
    crawler.spider = object()  # a spider without counters (another spider class): nothing is counted, no error
    state = IncrementalState(crawler)
    _page_state(_store(crawler), title="旧标题")
    with caplog.at_level(logging.INFO, logger="crawler.incremental"):
        assert state.skip("s", URL, "新标题", "2023-01-01") is False
    assert [r.getMessage() for r in caplog.records] == [f"[s] list entry changed, fetching again: {URL}"]


def test_each_site_counts_its_own_listings(crawler):
    state = _make(crawler, IncrementalState)
    state.skip("a", URL)
    state.skip("b", URL)
    assert crawler.spider.counted == [("a", "list_items"), ("b", "list_items")]


def test_a_recheck_window_under_a_day_still_skips(crawler):
    state = _make(crawler, IncrementalState, OGI_RECHECK_DAYS=0.5)
    _page_state(_store(crawler))
    assert state.skip("s", URL, "年报", "2023-01-01") is True


@pytest.mark.parametrize(("settings", "message"), [
    ({"OGI_INCREMENTAL": False}, "incremental crawling or conditional requests are off"),
    ({"OGI_CONDITIONAL_GET": False}, "incremental crawling or conditional requests are off"),
])
def test_not_configured_says_why(crawler, settings, message):
    _set(crawler, **settings)
    with pytest.raises(NotConfigured) as err:
        ConditionalRequestMiddleware(crawler)
    assert str(err.value) == message
    if "OGI_INCREMENTAL" in settings:
        with pytest.raises(NotConfigured) as err:
            UnchangedItemFilter(crawler)
        assert str(err.value) == "incremental crawling is off"


def test_304_response_type_comes_from_the_stored_headers_then_the_url_then_the_body(crawler):
    mw = _make(crawler, ConditionalRequestMiddleware)
    store = _store(crawler)

    def replay(url: str, headers: dict | None, body: bytes) -> Response:
        cid = _capture(store, url=url, headers=headers, body=body)
        req = Request(url, meta={"ogi_kind": "detail", "ogi_cond_capture": cid})
        resp = mw.process_response(req, Response(url, status=304, request=req))
        assert resp.request is req and resp.status == 200 and resp.body == body
        return resp

    # The stored Content-Type decides first (the headers go in as scrapy Headers: a str-keyed dict was not
    # read by responsetypes, which looks up b"Content-Type"), then the URL, then the body.
    assert type(replay("http://site.test/api/list", {"Content-Type": "application/json"}, b'{"a": 1}')) is JsonResponse
    assert type(replay("http://site.test/f.pdf", {"Content-Type": "text/html"}, b"<html>x</html>")) is HtmlResponse
    kept = replay("http://site.test/a.html", {"Content-Type": "text/html", "X-Stored": "1"}, b"<html>x</html>")
    assert kept.headers[b"X-Stored"] == b"1" and kept.headers[b"Content-Type"] == b"text/html"
    assert type(replay("http://site.test/b.html", {}, b"\x00\x01\x02")) is HtmlResponse
    assert type(replay("http://site.test/c", None, b"<html><body>x</body></html>")) is HtmlResponse


def test_304_retry_with_one_validator_and_a_warning(crawler, caplog):
    mw = _make(crawler, ConditionalRequestMiddleware)
    store = _store(crawler)
    cid = _capture(store, headers={"ETag": "x"})
    store.raw_path(store.capture(cid)["sha256"]).unlink()
    req = Request(URL, meta={"ogi_kind": "detail", "ogi_cond_capture": cid}, headers={"If-None-Match": "x"})
    with caplog.at_level(logging.WARNING, logger="crawler.incremental"):
        retry = mw.process_response(req, Response(URL, status=304, request=req))
    assert isinstance(retry, Request) and b"If-None-Match" not in retry.headers
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith(f"304 for {URL} but the stored bytes are missing (")
    assert message.endswith("); fetching again") and "not found under" in message  # the reason, in brackets


def test_dropped_item_says_why_and_keeps_its_site(crawler):
    flt = _make(crawler, UnchangedItemFilter)
    store = _store(crawler)
    _page_state(store, capture_ids=(3,))
    _age(store, 2)
    before = store.page_state(URL)["listed_at"]
    with store.transaction() as conn:
        conn.execute("UPDATE reports SET last_seen = ? WHERE report_id = 1", (before,))
    with pytest.raises(DropItem) as err:
        flt.process_item(_item([3]))
    assert str(err.value) == f"unchanged since last run: {URL}" and err.value.log_level == "DEBUG"
    state = store.page_state(URL)
    assert state["site_id"] == "s" and state["listed_at"] > before
    # touch_page: the report the page was judged to be was seen again
    assert store._one("SELECT last_seen FROM reports WHERE report_id = 1")["last_seen"] > before
    crawler.spider = object()
    _page_state(store, capture_ids=(3,))
    with pytest.raises(DropItem):
        flt.process_item(_item([3]))


def test_page_state_recorder_passes_other_items_and_reports_write_failures(crawler, monkeypatch, caplog):
    rec = _make(crawler, PageStateRecorder)
    assert rec.process_item({"x": 1}) == {"x": 1}
    store = _store(crawler)
    page = _capture(store)

    def fail(*args, **kwargs):
        raise ValueError("bad state")

    monkeypatch.setattr(store.store, "record_page_state", fail)  # the writing Store
    with caplog.at_level(logging.ERROR, logger="crawler.incremental"):
        item = _item([page])
        assert rec.process_item(item) is item
    assert [r.getMessage() for r in caplog.records] == [f"could not record the state of {URL}"]
    caplog.clear()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    from types import SimpleNamespace

    crawler.engine = SimpleNamespace(spider=None)  # no crawl running: nothing to stop
    monkeypatch.setattr(store.store, "record_page_state", disk_full)
    with caplog.at_level(logging.ERROR):
        rec.process_item(_item([page]))
    (failure,) = caplog.records
    assert failure.name == "crawler.storage" and f"while recording the state of {URL} (" in failure.getMessage()
    assert crawler.stats.get_value("ogi/storage_failed").startswith("OSError")


# ---------------------------------------------------------------- origins never crawled before


def test_a_first_crawl_of_an_origin_looks_nothing_up_and_others_still_do(crawler, monkeypatch):
    from types import SimpleNamespace

    from corpus.store import Store

    store = _store(crawler)
    _capture(store, url="http://old.test/zwgk/a.html")  # fetched by an earlier crawl
    _page_state(store, url="http://judged.test/art/1.html", validators=False)  # judged, its capture gone
    state = _make(crawler, IncrementalState)
    sites = [SimpleNamespace(entry_urls=["http://old.test/"], column_urls=[]),
             SimpleNamespace(entry_urls=["http://new.test/", "https://new.test:8443/index.html"],
                             column_urls=["http://judged.test/col/"])]
    state.spider_opened(SimpleNamespace(sites=sites))
    assert state.fresh_origins == {"http://new.test", "https://new.test:8443"}
    # a prefix of a seen origin's host is not that origin
    assert state.first_time("http://new.test/a") and not state.first_time("http://new.test.old/a")

    lookups: list[str] = []
    for name in ("page_state", "latest_capture"):
        real = getattr(Store, name)
        monkeypatch.setattr(Store, name, lambda self, url, _real=real: lookups.append(url) or _real(self, url))
    mw = _make(crawler, ConditionalRequestMiddleware)
    unchanged = _make(crawler, UnchangedItemFilter)
    for url in ("http://new.test/art/1.html", "https://new.test:8443/art/2.html"):
        assert not state.skip("s", url, "年报", "2023-01-01")
        assert mw.process_request(Request(url, meta={"ogi_kind": "detail"})) is None
    item = _item([1])
    item.url = "http://new.test/art/1.html"
    assert unchanged.process_item(item) is item
    assert lookups == []  # nothing under a fresh origin was looked up
    state.skip("s", "http://judged.test/art/1.html", "年报", "2023-01-01")
    mw.process_request(Request("http://old.test/zwgk/a.html", meta={"ogi_kind": "detail"}))
    assert lookups == ["http://judged.test/art/1.html", "http://old.test/zwgk/a.html"]  # seen origins: as before
