"""The spider's list and pager flow (crawler/spiders/portal.py) called directly on pages built in the test
(a Scrapy crawler object without a reactor: nothing is fetched): which requests a list page yields (report
pages with their list title and date, the family's next pages, the fallback's 下一页 links, sub-columns),
the item cap, which family reads a page, the scope check, entry pages, report pages and their attachments.
The crawl tests cover the same flow end to end under the reactor; these pin what a mutation run
(scripts/mutation.sh fam-portal) can see."""

from __future__ import annotations

import logging

import pytest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.items import ReportItem
from crawler.registry import Site
from crawler.spiders.portal import PendingReport, PortalSpider, looks_cut_short

HOST = "http://x.gov.cn"
TRS_LIST = '<script>createPageHTML(3, 0, "index", "html")</script>'


def spider(platform: str = "trs", settings: dict | None = None, **site) -> PortalSpider:
    crawler = get_crawler(PortalSpider, settings_dict=settings or {})
    s = Site(site_id="s", name="某县", entry_urls=[HOST + "/"], platform=platform, **site)
    sp = PortalSpider.from_crawler(crawler, sites=[s])
    sp.errors = []
    sp.error = lambda *args: sp.errors.append(args)
    return sp


def page(url: str, body: str, status: int = 200, headers: dict | None = None, **meta) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=body.encode("utf-8"), encoding="utf-8", headers=headers,
                        request=Request(url, meta={"ogi_site": "s", **meta}))


def summary(requests) -> list[tuple]:
    return [(r.url, r.meta.get("ogi_kind"), r.callback.__name__) for r in requests]


def test_looks_cut_short():
    assert looks_cut_short(b"<html><body>text")
    assert not looks_cut_short(b"<html><body>text</body>")
    assert not looks_cut_short(b"<HTML><body>text</HTML>")
    assert not looks_cut_short(b"just text")
    assert looks_cut_short(b"<html>" + b"x" * 5000 + b"</html>" + b"y" * 5000)
    assert not looks_cut_short(b"x" * 3000 + b"<html>...")


def test_a_trs_list_yields_reports_then_pages_then_sub_columns():
    sp = spider()
    body = (TRS_LIST + '<a href="./202101/t20210105_1.html" title="2020年报">x</a><span>2021-01-05</span>'
            '<a href="/nb/bm/">部门</a>')
    out = list(sp.parse_list(page(HOST + "/nb/index.html", body)))
    assert summary(out) == [
        (HOST + "/nb/202101/t20210105_1.html", "detail", "parse_detail"),
        (HOST + "/nb/index_1.html", "list", "parse_list"), (HOST + "/nb/index_2.html", "list", "parse_list"),
        (HOST + "/nb/bm/", "list", "parse_list")]
    assert (out[0].meta["ogi_title"], out[0].meta["ogi_date"]) == ("2020年报", "2021-01-05")
    assert {r.meta["ogi_family"] for r in out} == {"trs"} and {r.meta["ogi_site"] for r in out} == {"s"}
    assert out[0].errback.__name__ == "on_error"
    assert sp.served == {"s": {HOST + "/nb/index.html": "trs"}}


def test_the_fallback_pager_is_followed_on_a_list_that_listed_something():
    sp = spider()
    body = '<a href="./202101/t20210105_1.html">r</a><a href="index.html?page=2">下一页</a>'
    out = list(sp.parse_list(page(HOST + "/nb/index.html", body)))
    assert summary(out) == [(HOST + "/nb/202101/t20210105_1.html", "detail", "parse_detail"),
                            (HOST + "/nb/index.html?page=2", "list", "parse_list")]
    # nothing listed: no pager guessing
    assert summary(sp.parse_list(page(HOST + "/nb/index.html", '<a href="index.html?page=2">下一页</a>'))) == []


def test_without_cross_family_reading_no_fallback_pager():
    sp = spider(settings={"OGI_CROSS_FAMILY": False})
    body = '<a href="./202101/t20210105_1.html">r</a><a href="index.html?page=2">下一页</a>'
    assert summary(sp.parse_list(page(HOST + "/nb/index.html", body))) == [
        (HOST + "/nb/202101/t20210105_1.html", "detail", "parse_detail")]


def test_a_list_only_the_fallback_can_read_goes_to_it():
    sp = spider()
    body = '<a href="/show.asp?id=12">2021年度报告全文</a><a href="/list.asp?page=2">下一页</a>'
    out = list(sp.parse_list(page(HOST + "/list.asp", body)))
    assert summary(out) == [(HOST + "/show.asp?id=12", "detail", "parse_detail"),
                            (HOST + "/list.asp?page=2", "list", "parse_list")]
    assert {r.meta["ogi_family"] for r in out} == {"generic"}
    assert sp.served == {"s": {HOST + "/list.asp": "generic"}}
    assert summary(spider(settings={"OGI_CROSS_FAMILY": False}).parse_list(page(HOST + "/list.asp", body))) == []


def test_items_over_the_cap_are_cut_and_reported():
    sp = spider(settings={"OGI_MAX_ITEMS_PER_PAGE": 2})
    body = "".join(f'<a href="./202101/t20210105_{i}.html">r{i}</a>' for i in range(3))
    out = list(sp.parse_list(page(HOST + "/nb/index.html", body)))
    assert [r.url for r in out if r.meta["ogi_kind"] == "detail"] == [
        HOST + "/nb/202101/t20210105_0.html", HOST + "/nb/202101/t20210105_1.html"]
    assert sp.errors == [("s", HOST + "/nb/index.html", "too_many_items",
                          "list page has 3 items; only the first 2 are read (OGI_MAX_ITEMS_PER_PAGE)")]
    exact = spider(settings={"OGI_MAX_ITEMS_PER_PAGE": 3})
    assert len([r for r in exact.parse_list(page(HOST + "/nb/index.html", body))]) == 3 and exact.errors == []


def test_a_site_over_budget_reads_no_more_lists():
    sp = spider()
    sp._over_budget.add("s")
    assert list(sp.parse_list(page(HOST + "/nb/index.html", TRS_LIST + '<a href="./202101/t20210105_1.html">r</a>'))) == []
    assert sp.served == {"s": {HOST + "/nb/index.html": "trs"}}


def test_probe_mode_records_the_column_and_requests_nothing():
    from crawler.probe import ProbeFindings

    sp = spider()
    sp.findings = ProbeFindings()
    calls = []
    sp.findings.column = lambda *args: calls.append(args)
    body = TRS_LIST + '<a href="./202101/t20210105_1.html">r</a><a href="./202101/t20210105_2.html">r</a>'
    assert list(sp.parse_list(page(HOST + "/nb/index.html", body))) == []
    assert calls == [("s", HOST + "/nb/index.html", "trs", 2)]


@pytest.mark.parametrize(("status", "headers", "kind", "message"), [
    (404, None, "http_404", "list page answered HTTP 404"),
    (500, None, "http_500", "list page answered HTTP 500"),
    (302, {"Location": "file:///etc/passwd"}, "bad_redirect",
     "list page answered HTTP 302 to file:///etc/passwd: not followed (only http(s) URLs on the site's hosts are fetched)"),
    (301, None, "bad_redirect",
     "list page answered HTTP 301 to no Location: not followed (only http(s) URLs on the site's hosts are fetched)"),
])
def test_unusable_list_pages_are_recorded(status, headers, kind, message):
    sp = spider()
    assert list(sp.parse_list(page(HOST + "/nb/index.html", TRS_LIST, status=status, headers=headers))) == []
    assert sp.errors == [("s", HOST + "/nb/index.html", kind, message)] and sp.served == {}


@pytest.mark.parametrize("status", [200, 304, 399, 300])
def test_usable_statuses(status):
    sp = spider()
    assert sp._unusable(page(HOST + "/", "", status=status), "s", "page") is (status in (399, 300))


def test_family_for_named_unknown_and_detected():
    assert type(spider("trs").family_for(spider("trs").sites[0])).__name__ == "TRSFamily"
    sp = spider("nosuchfamily")
    assert sp.family_for(sp.sites[0], page(HOST + "/", TRS_LIST)) is None
    auto = spider("")
    assert auto.family_for(auto.sites[0]) is None  # nothing to detect from yet
    found = auto.family_for(auto.sites[0], page(HOST + "/", TRS_LIST))
    assert found.name == "trs" and auto.family_for(auto.sites[0]) is found  # kept for the site
    plain = spider("auto")
    assert plain.family_for(plain.sites[0], page(HOST + "/", "<p>nothing</p>")).name == "generic"


def test_page_family_follows_the_hint_then_fingerprints():
    sp = spider("trs")
    site = sp.sites[0]
    anhui_page = page(HOST + "/public/column/1?catId=2", '<script>url: "/site/label/8888"</script>')
    assert sp.page_family(site, anhui_page).name == "anhui"
    hinted = page(HOST + "/public/column/1?catId=2", "<p>x</p>", ogi_family="anhui")
    assert sp.page_family(site, hinted).name == "anhui"
    assert sp.page_family(site, page(HOST + "/p.html", "<p>x</p>")).name == "trs"
    assert sp.page_family(site, page(HOST + "/p.html", "<p>x</p>", ogi_family="generic")).name == "generic"
    assert sp.page_family(site, page(HOST + "/p.html", "<p>x</p>", ogi_family="nosuch")).name == "trs"
    # one instance per site and family
    assert sp.page_family(site, anhui_page) is sp.page_family(site, hinted)
    off = spider("trs", settings={"OGI_CROSS_FAMILY": False})
    assert off.page_family(off.sites[0], anhui_page).name == "trs"


def test_a_list_read_by_another_family_is_noted_once(caplog):
    sp = spider("trs")
    sp.family_for(sp.sites[0])
    body = ('<script>url: "/site/label/8888"</script><div class="xxgk_navli">'
            '<a href="/public/1/2.html" title="t">t</a></div>')
    with caplog.at_level(logging.INFO):
        list(sp.parse_list(page(HOST + "/public/column/1?catId=2", body)))
        list(sp.parse_list(page(HOST + "/public/column/1?catId=3", body)))
    notes = [m for m in caplog.messages if "is read as" in m]
    assert notes == [f"[s] {HOST}/public/column/1?catId=2 is read as anhui (the entry page as trs)"]
    assert sp.served["s"] == {HOST + "/public/column/1?catId=2": "anhui", HOST + "/public/column/1?catId=3": "anhui"}


def test_scope_check():
    sp = spider("trs", attachment_hosts=["files.x.gov.cn"])
    assert sp.scope_check(Request(HOST + "/a.html", meta={"ogi_site": "s", "ogi_kind": "list"})) is None
    assert sp.scope_check(Request("http://o.gov.cn/a.html", meta={"ogi_site": "s", "ogi_kind": "list"})) == \
        "o.gov.cn is outside site s's hosts"
    assert sp.scope_check(Request("http://o.gov.cn/a.html")) == "o.gov.cn belongs to no site of this crawl"
    assert sp.scope_check(Request(HOST + "/a.html")) is None  # found by host
    robots = Request("http://files.x.gov.cn/robots.txt", meta={"dont_obey_robotstxt": True})
    assert sp.scope_check(robots) is None
    other_robots = Request("http://o.gov.cn/robots.txt", meta={"dont_obey_robotstxt": True})
    assert sp.scope_check(other_robots) == "o.gov.cn belongs to no site of this crawl"
    assert sp.scope_check(Request("http://files.x.gov.cn/robots.txt")) == \
        "files.x.gov.cn belongs to no site of this crawl"
    moved = Request("http://new.gov.cn/", meta={"ogi_site": "s", "ogi_kind": "entry", "ogi_hops": 0,
                                                "redirect_urls": [HOST + "/"]})
    assert sp.scope_check(moved) is None
    assert sp.site_for_url("http://new.gov.cn/x") is sp.sites[0]
    assert sp.scope_check(Request("http://new.gov.cn/a", meta={"ogi_site": "s", "ogi_kind": "list"})) is None
    deep = Request("http://newer.gov.cn/", meta={"ogi_site": "s", "ogi_kind": "entry", "ogi_hops": 1,
                                                 "redirect_urls": [HOST + "/"]})
    assert sp.scope_check(deep) == "newer.gov.cn is outside site s's hosts"
    foreign = Request("http://newest.gov.cn/", meta={"ogi_site": "s", "ogi_kind": "entry", "ogi_hops": 0,
                                                     "redirect_urls": ["http://o.gov.cn/"]})
    assert sp.scope_check(foreign) == "newest.gov.cn is outside site s's hosts"


def test_an_entry_page_with_report_columns():
    sp = spider("trs")
    body = '<a href="/nb/">政府信息公开年报</a><a href="/xxgk/">信息公开</a>'
    out = list(sp.parse_entry(page(HOST + "/", body, ogi_hops=0)))
    assert summary(out) == [(HOST + "/nb/", "list", "parse_list")]
    assert out[0].meta["ogi_column"] is True and out[0].meta["ogi_family"] == "trs"


def test_an_entry_page_without_columns_follows_disclosure_links_up_to_the_hop_limit():
    body = '<a href="/xxgk/">信息公开</a>'
    out = list(spider("trs").parse_entry(page(HOST + "/", body, ogi_hops=1)))
    assert summary(out) == [(HOST + "/xxgk/", "entry", "parse_entry")] and out[0].meta["ogi_hops"] == 2
    assert list(spider("trs").parse_entry(page(HOST + "/", body, ogi_hops=2))) == []
    assert len(list(spider("trs", settings={"OGI_DISCOVERY_HOPS": 3}).parse_entry(page(HOST + "/", body, ogi_hops=2)))) == 1


def test_an_entry_page_that_is_a_report_column_is_read_as_a_list():
    body = ("<title>政府信息公开年报</title>" + TRS_LIST + '<a href="./202101/t20210105_1.html">r</a>')
    out = list(spider("trs").parse_entry(page(HOST + "/nb/index.html", body, ogi_hops=0)))
    assert [r.meta["ogi_kind"] for r in out] == ["detail", "list", "list"]


def test_entry_unit_links_are_entries_one_hop_further():
    body = '<a href="/public/column/3?type=4">单位</a><a href="/nb/">政府信息公开年报</a>'
    out = list(spider("anhui").parse_entry(page(HOST + "/public/column/1?type=4", body, ogi_hops=0)))
    assert summary(out) == [(HOST + "/public/column/3?type=4", "entry", "parse_entry"),
                            (HOST + "/nb/", "list", "parse_list")]
    assert out[0].meta["ogi_hops"] == 1
    assert summary(spider("anhui").parse_entry(page(HOST + "/public/column/1?type=4", body, ogi_hops=2))) == [
        (HOST + "/nb/", "list", "parse_list")]


def test_an_entry_no_family_reads_is_recorded(caplog):
    sp = spider("nosuchfamily")
    with caplog.at_level(logging.WARNING):
        assert list(sp.parse_entry(page(HOST + "/", "<p>x</p>", ogi_hops=0))) == []
    assert f"[s] no family module recognises {HOST}/" in caplog.messages


def test_a_javascript_shell_entry_needs_a_family():
    sp = spider("")
    calls = []
    sp.site_needs_family = lambda *args: calls.append(args)
    shell = '<div id="app"></div><script src="/a.js"></script>'
    assert list(sp.parse_entry(page(HOST + "/", shell, ogi_hops=0))) == []
    assert calls == [("s", f"empty JavaScript shell (single-page app) at {HOST}/: needs a family module that reads its API")]


def test_a_report_page_without_attachments_is_an_item_at_once():
    sp = spider("trs")
    (item,) = sp.parse_detail(page(HOST + "/nb/t20210105_1.html", "<html><body>报告</body></html>",
                                   headers={"Content-Type": "text/html"}, ogi_title="t", ogi_date="d"))
    assert isinstance(item, ReportItem) and (item.site_id, item.url, item.list_title, item.list_date) == (
        "s", HOST + "/nb/t20210105_1.html", "t", "d")
    assert [(p.url, p.role, p.content_type) for p in item.parts] == [
        (HOST + "/nb/t20210105_1.html", "page", "text/html")]
    assert item.flags == [] and item.errors == []


def test_a_report_page_asks_for_its_attachments_all_at_once():
    sp = spider("trs", settings={"OGI_REPORT_MAX_ATTACHMENTS": 2})
    body = '<a href="/f/a.pdf">a</a><a href="/f/b.pdf">b</a><a href="/f/c.pdf">c</a>'
    out = list(sp.parse_detail(page(HOST + "/nb/t20210105_1.html", body)))
    assert [(r.url, r.meta["ogi_kind"], r.meta["max_retry_times"], r.cb_kwargs["index"], r.dont_filter)
            for r in out] == [(HOST + "/f/a.pdf", "attachment", 1, 0, True), (HOST + "/f/b.pdf", "attachment", 1, 1, True)]
    assert out[0].callback.__name__ == "parse_attachment" and out[0].errback.__name__ == "attachment_failed"
    pending = out[0].cb_kwargs["pending"]
    msg = "report page links 3 files; only the first 2 are fetched (OGI_REPORT_MAX_ATTACHMENTS)"
    assert pending.waiting == 2 and pending.item.errors == [msg]
    assert sp.errors == [("s", HOST + "/nb/t20210105_1.html", "budget_exceeded", msg)]
    assert pending.bytes == len(body.encode())
    # the item goes out with the last attachment, parts in link order
    b = Response(HOST + "/f/b.pdf", body=b"%PDF-b", request=out[1])
    a = Response(HOST + "/f/a.pdf", body=b"%PDF-a", request=out[0])
    assert list(sp.parse_attachment(b, pending, 1)) == []
    (item,) = sp.parse_attachment(a, pending, 0)
    assert [(p.url, p.role) for p in item.parts] == [(HOST + "/nb/t20210105_1.html", "page"),
                                                     (HOST + "/f/a.pdf", "attachment"), (HOST + "/f/b.pdf", "attachment")]
    assert sp._pending == {} and pending.bytes == len(body.encode()) + 12


def test_attachments_over_the_byte_budget_or_failing_are_errors():
    sp = spider("trs", settings={"OGI_REPORT_MAX_BYTES": 10})
    item = ReportItem(site_id="s", url=HOST + "/r.html")
    pending = PendingReport(item, ["u1", "u2", "u3"], waiting=3, bytes=4)
    big = Response(HOST + "/f/a.pdf", body=b"x" * 7, request=Request(HOST + "/f/a.pdf"))
    assert list(sp.parse_attachment(big, pending, 0)) == []
    gone = Response(HOST + "/f/b.pdf", status=404, body=b"", request=Request(HOST + "/f/b.pdf"))
    assert list(sp.parse_attachment(gone, pending, 1)) == []
    fits = Response(HOST + "/f/c.pdf", body=b"x" * 6, request=Request(HOST + "/f/c.pdf"))
    (done,) = sp.parse_attachment(fits, pending, 2)
    assert done.errors == [
        f"attachment {HOST}/f/a.pdf (7 bytes) left out: the report's files would exceed 10 bytes (OGI_REPORT_MAX_BYTES)",
        f"attachment {HOST}/f/b.pdf answered HTTP 404"]
    assert [p.url for p in done.parts] == [HOST + "/f/c.pdf"]
    assert [e[2] for e in sp.errors] == ["budget_exceeded", "http_404"]


def test_a_cut_short_report_page_is_flagged():
    sp = spider("trs")
    (item,) = sp.parse_detail(page(HOST + "/nb/t20210105_1.html", "<html><body>报告"))
    assert item.flags == [f"{HOST}/nb/t20210105_1.html: the page ends before </html> (18 bytes): the server may "
                          "have declared a shorter Content-Length than it sent"]


def test_looks_cut_short_windows():
    assert not looks_cut_short(b"x" * 2044 + b"<html><body>")  # "<html" only in the first 2049 bytes
    assert looks_cut_short(b"<html>" + b"</html" + b"y" * 4091)  # "</html" just before the last 4096 bytes


@pytest.mark.parametrize(("status", "unusable"), [(400, True), (401, True), (399, True), (304, False)])
def test_usable_status_edges(status, unusable):
    assert spider()._unusable(page(HOST + "/", "", status=status), "s", "page") is unusable


def test_a_long_location_is_cut_to_300_characters():
    sp = spider()
    target = "http://y.gov.cn/" + "a" * 400
    sp._unusable(page(HOST + "/", "", status=302, headers={"Location": target}), "s", "page")
    assert sp.errors[0][3].startswith(f"page answered HTTP 302 to {target[:300]}: not followed")


def test_attachment_hosts_only_for_attachments():
    sp = spider("trs", attachment_hosts=["cdn.example.com"])
    att = Request("http://cdn.example.com/a.pdf", meta={"ogi_site": "s", "ogi_kind": "attachment"})
    assert sp.scope_check(att) is None
    lst = Request("http://cdn.example.com/a.html", meta={"ogi_site": "s", "ogi_kind": "list"})
    assert sp.scope_check(lst) == "cdn.example.com is outside site s's hosts"
    robots = Request("http://cdn.example.com/robots.txt", meta={"dont_obey_robotstxt": True})
    assert sp.scope_check(robots) is None  # an attachment host's robots.txt may be read
    moved = Request("http://new.gov.cn/", meta={"ogi_site": "s", "ogi_kind": "entry", "redirect_urls": [HOST + "/"]})
    assert sp.scope_check(moved) is None  # no ogi_hops: an entry request


def test_the_entry_family_is_the_sites_own_instance():
    sp = spider("trs")
    site = sp.sites[0]
    entry = sp.family_for(site)
    assert sp._family_named(site, "trs") is entry
    assert sp._family_named(site, "anhui") is not entry and sp._family_named(site, "nosuch") is None


def test_a_page_the_current_family_detects_stays_with_it_even_if_another_does_too():
    sp = spider("trs")
    both = page(HOST + "/nb/index.html", TRS_LIST + '<script>url: "/site/label/8888"</script>', ogi_family="trs")
    assert sp.page_family(sp.sites[0], both).name == "trs"


def test_a_hinted_family_that_lists_nothing_keeps_the_page_when_the_fallback_lists_nothing_either():
    sp = spider("trs")
    out = list(sp.parse_list(page(HOST + "/public/column/1?catId=2", "<p>x</p>", ogi_family="anhui")))
    assert [r.url.split("?")[0] for r in out] == [HOST + "/site/label/8888"]
    assert sp.served == {"s": {HOST + "/public/column/1?catId=2": "anhui"}}


class _Incremental:
    def __init__(self, skip: set[str]) -> None:
        self.calls: list[tuple] = []
        self._skip = skip

    def skip(self, site_id, url, title, date) -> bool:
        self.calls.append((site_id, url, title, date))
        return url in self._skip


def test_listed_reports_an_incremental_crawl_need_not_fetch_are_skipped():
    from crawler.session import session_for

    sp = spider()
    skip = HOST + "/nb/202101/t20210105_0.html"
    incremental = _Incremental({skip})
    session_for(sp.crawler).incremental = incremental
    counted = []
    sp.count = lambda *args: counted.append(args)
    body = ('<a href="./202101/t20210105_0.html" title="t0">x</a><span>d0</span>'
            '<a href="./202101/t20210105_1.html" title="t1">x</a><span>d1</span>')
    out = list(sp.parse_list(page(HOST + "/nb/index.html", body)))
    assert [r.url for r in out] == [HOST + "/nb/202101/t20210105_1.html"]
    assert incremental.calls == [("s", skip, "t0", "d0"), ("s", HOST + "/nb/202101/t20210105_1.html", "t1", "d1")]
    assert counted == [("s", "list_pages")]
    assert sp.skip_listed("s", __import__("crawler.spiders.base", fromlist=["ListItem"]).ListItem(skip)) is True


def test_the_default_item_cap_is_1000():
    sp = spider()
    body = "".join(f'<a href="./202101/t20210105_{i}.html">r</a>' for i in range(1001))
    details = [r for r in sp.parse_list(page(HOST + "/nb/index.html", body)) if r.meta["ogi_kind"] == "detail"]
    assert len(details) == 1000 and sp.errors[0][2] == "too_many_items"


def test_fallback_pager_requests_belong_to_the_site():
    sp = spider()
    body = '<a href="./202101/t20210105_1.html">r</a><a href="index.html?page=2">下一页</a>'
    out = list(sp.parse_list(page(HOST + "/nb/index.html", body)))
    assert (out[1].meta["ogi_site"], out[1].errback.__name__) == ("s", "on_error")


def test_start_requests_columns_then_entries_or_entries_only_when_probing():
    def drain(agen) -> list:
        """The items of an async generator that never waits (start() awaits nothing): no event loop needed,
        so the test also runs where pytest-twisted's loop is already running."""
        out = []
        while True:
            step = agen.__anext__()
            try:
                step.send(None)
            except StopIteration as done:
                out.append(done.value)
            except StopAsyncIteration:
                return out

    def collect(sp) -> list[tuple]:
        return [(r.url, r.meta["ogi_kind"], r.meta.get("ogi_family"), r.meta.get("ogi_column"), r.meta.get("ogi_hops"),
                 r.callback.__name__) for r in drain(sp.start())]

    sp = spider("trs", column_urls=[HOST + "/nb/", HOST + "/nb2/"], column_families=["anhui", ""])
    assert collect(sp) == [(HOST + "/nb/", "list", "anhui", True, None, "parse_list"),
                           (HOST + "/nb2/", "list", None, True, None, "parse_list"),
                           (HOST + "/", "entry", None, None, 0, "parse_entry")]
    probe = spider("trs", settings={"OGI_PROBE": True}, column_urls=[HOST + "/nb/"], column_families=[""])
    assert collect(probe) == [(HOST + "/", "entry", None, None, 0, "parse_entry")] and probe.findings is not None


def test_a_failed_attachment_is_an_error_and_the_report_still_goes_out():
    from twisted.python.failure import Failure

    from crawler.scope import OffsiteRequest

    sp = spider("trs")
    item = ReportItem(site_id="s", url=HOST + "/r.html")
    pending = PendingReport(item, ["a", "b"], waiting=2)
    sp._pending[id(pending)] = pending

    def failure(exc: Exception, url: str) -> Failure:
        f = Failure(exc)
        f.request = Request(url, cb_kwargs={"pending": pending, "index": 0})
        return f

    assert list(sp.attachment_failed(failure(TimeoutError("took too long"), HOST + "/f/a.pdf"))) == []
    (done,) = sp.attachment_failed(failure(OffsiteRequest("off site"), "http://o.gov.cn/b.pdf"))
    assert done is item and sp._pending == {}
    assert item.errors[0].startswith(f"attachment {HOST}/f/a.pdf could not be fetched: ")
    assert item.errors[1] == "attachment http://o.gov.cn/b.pdf not fetched: off site"
    assert len(sp.errors) == 1 and sp.errors[0][:2] == ("s", HOST + "/f/a.pdf")


class _Runs:
    def __init__(self) -> None:
        self.statuses: list[tuple] = []
        self.counts: list[tuple] = []

    def set_status(self, *args) -> None:
        self.statuses.append(args)

    def count(self, *args) -> None:
        self.counts.append(args)


@pytest.mark.parametrize(("meta", "failed"), [({"ogi_hops": 0}, True), ({}, True), ({"ogi_hops": 1}, False)])
def test_an_unusable_entry_page_counts_as_a_failed_entry_only_at_hop_zero(meta, failed):
    sp = spider("trs")
    calls = []
    sp._entry_failed = lambda site: calls.append(site.site_id)
    assert list(sp.parse_entry(page(HOST + "/", "", status=404, **meta))) == []
    assert calls == (["s"] if failed else [])
    assert sp.errors == [("s", HOST + "/", "http_404", "page answered HTTP 404")]


def test_an_entry_no_family_reads_sets_the_site_status():
    sp = spider("nosuchfamily")
    runs = _Runs()
    sp._runs = lambda: runs
    assert list(sp.parse_entry(page(HOST + "/", "<p>x</p>", ogi_hops=0))) == []
    assert runs.statuses == [("s", "needs_family", f"no site-family module recognises {HOST}/")]


@pytest.mark.parametrize(("meta", "first"), [
    ({}, HOST + "/"), ({"ogi_hops": 0, "redirect_urls": ["http://old.gov.cn/", "http://mid.gov.cn/"]}, "http://old.gov.cn/"),
    ({"ogi_hops": 0, "ogi_failed_entry": "https://x.gov.cn/"}, "https://x.gov.cn/"),
])
def test_probing_records_the_entry_as_first_requested(meta, first):
    from crawler.probe import ProbeFindings

    sp = spider("trs")
    sp.findings = ProbeFindings()
    calls = []
    sp.findings.entry = lambda *args: calls.append(args)
    list(sp.parse_entry(page(HOST + "/", "<p>x</p>", **meta)))
    assert calls == [("s", first, HOST + "/", "trs")]
    calls.clear()
    list(sp.parse_entry(page(HOST + "/", "<p>x</p>", ogi_hops=1)))
    assert calls == []


def test_entry_requests_belong_to_the_site_and_count_hops_from_zero():
    body = '<a href="/public/column/3?type=4">单位</a><a href="/xxgk/">信息公开</a>'
    out = list(spider("anhui").parse_entry(page(HOST + "/public/column/1?type=4", body)))
    assert [(r.url, r.meta["ogi_site"], r.meta["ogi_hops"]) for r in out] == [
        (HOST + "/public/column/3?type=4", "s", 1), (HOST + "/xxgk/", "s", 1)]
    columns = list(spider("trs").parse_entry(page(HOST + "/", '<a href="/nb/">政府信息公开年报</a>')))
    assert columns[0].meta["ogi_site"] == "s"
    one_hop = spider("anhui", settings={"OGI_DISCOVERY_HOPS": 1})
    assert list(one_hop.parse_entry(page(HOST + "/public/column/1?type=4", body, ogi_hops=1))) == []


def test_an_entry_with_columns_is_not_read_as_a_list_even_if_it_looks_like_a_report_column():
    body = "<title>政府信息公开年报</title>" + '<a href="/nb/">政府信息公开年报</a><a href="./202101/t20210105_1.html">r</a>'
    out = list(spider("trs").parse_entry(page(HOST + "/", body, ogi_hops=0)))
    assert summary(out) == [(HOST + "/nb/", "list", "parse_list")]


def test_report_page_parts_keep_type_capture_and_body_and_data_loss_is_an_error():
    sp = spider("trs")
    response = HtmlResponse(HOST + "/nb/t1.html", body="<html><body>报告</body></html>".encode(), encoding="utf-8",
                            headers={"Content-Type": "text/html; charset=utf-8"}, flags=["dataloss"],
                            request=Request(HOST + "/nb/t1.html", meta={"ogi_site": "s", "ogi_capture_id": 42}))
    (item,) = sp.parse_detail(response)
    (part,) = item.parts
    assert (part.url, part.body, part.content_type, part.capture_id, part.role) == (
        HOST + "/nb/t1.html", response.body, "text/html; charset=utf-8", 42, "page")
    msg = (f"{HOST}/nb/t1.html: the server closed the connection before the whole body was sent "
           f"({len(response.body):,} bytes received); the text may be incomplete")
    assert item.errors == [msg] and sp.errors == [("s", HOST + "/nb/t1.html", "data_loss", msg)]


def test_an_adhoc_site_from_a_url():
    (site,) = PortalSpider(url="http://www.x.gov.cn/", name="某县", adcode="420101", platform="TRS").sites
    assert (site.site_id, site.name, site.adcode, site.entry_urls, site.platform) == (
        site.site_id, "某县", "420101", ["http://www.x.gov.cn/"], "trs")
    assert site.site_id and site.site_id != "None"
    (bare,) = PortalSpider(url="http://www.x.gov.cn/").sites
    assert (bare.name, bare.adcode, bare.platform) == ("http://www.x.gov.cn/", "", "")
    (named,) = PortalSpider(url="http://www.x.gov.cn/", site_id="mine").sites
    assert named.site_id == "mine"
    assert bare.site_id == PortalSpider(url="http://www.x.gov.cn/").sites[0].site_id != "mine"


def test_registry_sites_by_id_and_by_region():
    from pathlib import Path

    from crawler.registry import RegistryError

    registry = str(Path(__file__).resolve().parent.parent / "data" / "sites.csv")
    chosen = PortalSpider(registry=registry, sites=" huoshan , zhoucun ,").sites
    assert [s.site_id for s in chosen] == ["huoshan", "zhoucun"]
    assert [s.site_id for s in PortalSpider(registry=registry, sites="huoshan", province="山东省").sites] == []
    by_city = PortalSpider(registry=registry, city="淄博市").sites
    assert by_city and {s.city for s in by_city} == {"淄博市"}
    with pytest.raises(RegistryError) as err:
        PortalSpider(registry=registry, sites="huoshan,nope,nada")
    import csv

    with open(registry, encoding="utf-8") as f:
        first3 = [row["site_id"] for row in csv.DictReader(f)][:3]
    assert str(err.value) == (f"unknown site id(s) in {registry}: nada, nope (-a sites= takes ids of its site_id "
                              f"column, e.g. {', '.join(first3)})")


def test_allowed_hosts_join_the_site_scope():
    sp = spider("trs", allowed_hosts=["other.example.org"])
    assert sp.scope_check(Request("http://other.example.org/a", meta={"ogi_site": "s", "ogi_kind": "list"})) is None


def test_report_page_counting_defaults_and_unusable_pages():
    sp = spider("trs")
    counted = []
    sp.count = lambda *args: counted.append(args)
    (item,) = sp.parse_detail(page(HOST + "/nb/t1.html", "<html><body>x</body></html>"))
    assert counted == [("s", "detail_pages")] and (item.list_title, item.list_date) == ("", "")
    assert list(sp.parse_detail(page(HOST + "/nb/t2.html", "", status=410))) == []
    assert sp.errors == [("s", HOST + "/nb/t2.html", "http_410", "report page answered HTTP 410")]
    assert counted == [("s", "detail_pages")]


@pytest.mark.parametrize(("n", "fetched"), [(30, 30), (31, 30)])
def test_the_default_attachment_limit_is_30(n, fetched):
    sp = spider("trs")
    body = "".join(f'<a href="/f/{i}.pdf">{i}</a>' for i in range(n))
    out = list(sp.parse_detail(page(HOST + "/nb/t1.html", body)))
    assert len(out) == fetched and out[0].meta["ogi_site"] == "s"
    pending = out[0].cb_kwargs["pending"]
    assert pending.urls == [HOST + f"/f/{i}.pdf" for i in range(fetched)] and sp._pending == {id(pending): pending}
    assert (len(sp.errors) == 1) is (n > 30)


def test_a_binary_report_page_asks_for_no_attachments():
    sp = spider("trs")
    response = Response(HOST + "/f/r.pdf", body=b"%PDF-1.4 /f/a.pdf", request=Request(HOST + "/f/r.pdf",
                                                                                    meta={"ogi_site": "s"}))
    (item,) = sp.parse_detail(response)
    assert [p.role for p in item.parts] == ["page"]


def test_attachments_count_and_the_default_byte_budget():
    sp = spider("trs")
    counted = []
    sp.count = lambda *args: counted.append(args)
    limit = 200 * 1024 * 1024
    item = ReportItem(site_id="s", url=HOST + "/r.html")
    pending = PendingReport(item, ["a", "b", "c"], waiting=3, bytes=limit - 5)
    fits = Response(HOST + "/f/a.pdf", body=b"12345", request=Request(HOST + "/f/a.pdf", meta={"ogi_capture_id": 7}))
    assert list(sp.parse_attachment(fits, pending, 0)) == []
    over = Response(HOST + "/f/b.pdf", body=b"1", request=Request(HOST + "/f/b.pdf"))
    assert list(sp.parse_attachment(over, pending, 1)) == []
    bad = Response(HOST + "/f/c.pdf", status=400, body=b"", request=Request(HOST + "/f/c.pdf"))
    (done,) = sp.parse_attachment(bad, pending, 2)
    assert counted == [("s", "attachments")] * 3
    assert [(p.url, p.body, p.capture_id) for p in done.parts] == [(HOST + "/f/a.pdf", None, 7)]  # spooled
    over_msg = (f"attachment {HOST}/f/b.pdf (1 bytes) left out: the report's files would exceed {limit:,} bytes "
                "(OGI_REPORT_MAX_BYTES)")
    bad_msg = f"attachment {HOST}/f/c.pdf answered HTTP 400"
    assert done.errors == [over_msg, bad_msg]
    assert sp.errors == [("s", HOST + "/f/b.pdf", "budget_exceeded", over_msg), ("s", HOST + "/f/c.pdf", "http_400", bad_msg)]


def test_an_attachment_without_a_capture_keeps_its_body_and_data_loss_is_noted():
    sp = spider("trs")
    item = ReportItem(site_id="s", url=HOST + "/r.html")
    pending = PendingReport(item, ["a"], waiting=1)
    response = Response(HOST + "/f/a.pdf", body=b"%PDF", flags=["dataloss"], request=Request(HOST + "/f/a.pdf"))
    (done,) = sp.parse_attachment(response, pending, 0)
    assert done.parts[0].body == b"%PDF" and len(done.errors) == 1 and sp.errors[0][:3] == ("s", HOST + "/f/a.pdf",
                                                                                             "data_loss")
