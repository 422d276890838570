"""The gkmlpt site family (Guangdong 政府信息公开目录平台): golden files and a crawl of the mock sites.

Golden files: tests/fixtures/families/gkmlpt/ holds pages and API answers saved from the mocks in
demosites/gkmlpt_site.py (refresh with ``.venv/bin/python -m tests.test_family_gkmlpt``), each next to
what the hooks must return (checked by hand against the saved bytes).
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, JsonResponse, Request
from scrapy.selector import Selector

from crawler.spiders.gkmlpt import GkmlptFamily, as_date, js_unescape
from tests.family_golden import FIXTURES, hook_results

FAMILY = "gkmlpt"
DIR = FIXTURES / FAMILY

# name: (site, path) — what the capture saves
PAGES = {
    "jhgk_home.html": ("jhgk", "/"),
    "jhgk_index.html": ("jhgk", "/gkmlpt/index"),
    "jhgk_api_1590_page1.json": ("jhgk", "/gkmlpt/api/all/1590?page=1&sid=755126"),
    "jhgk_api_1590_page2.json": ("jhgk", "/gkmlpt/api/all/1590?page=2&sid=755126"),
    "jhqzjj_index.html": ("jhgk", "/jhqzjj/gkmlpt/index"),
    "jhqwsj_api_escaped.json": ("jhgk", "/jhqwsj/gkmlpt/api/all/2102?page=1&sid=755202"),
    "dzgk_api_all_on_page1.json": ("dzgk", "/gkmlpt/api/all/3310?page=1&sid=200167"),
}
DETAILS = {  # detail pages: agency/year picked from the mock, saved under these names
    "jhgk_detail_pdf_in_json.html": ("jhgk", "江海区财政局", 2020),
    "jhgk_detail_docx_in_content.html": ("jhgk", "江海区发展和改革局", 2021),
    "jhqwsj_detail_escaped.html": ("jhgk", "江海区卫生健康局", 2021),
}


def load(name: str):
    body = (DIR / name).read_bytes()
    meta = json.loads((DIR / f"{name}.meta.json").read_text(encoding="utf-8"))
    cls = JsonResponse if name.endswith(".json") else HtmlResponse
    headers = {"Content-Type": meta["content_type"]} if meta.get("content_type") else {}
    return cls(url=meta["url"], body=body, headers=headers, request=Request(meta["url"], meta={"ogi_site": "site"}))


def document_summary(response) -> dict:
    """What extraction is handed for a detail page: the rebuilt document's title, PubDate and block."""
    body, ctype = GkmlptFamily().page_document(response)
    sel = Selector(text=body.decode("utf-8"))
    cells = [" ".join(td.css("::text").getall()).strip() for td in sel.css("table.xxgk-info td")]
    return {
        "content_type": ctype,
        "title": sel.css("title::text").get(),
        "ArticleTitle": sel.xpath("//meta[@name='ArticleTitle']/@content").get(),
        "PubDate": sel.xpath("//meta[@name='PubDate']/@content").get(),
        "ContentSource": sel.xpath("//meta[@name='ContentSource']/@content").get(),
        "SiteIDCode": sel.xpath("//meta[@name='SiteIDCode']/@content").get(),
        "block": dict(zip(cells[::2], cells[1::2], strict=False)),
        "body_tables": len(sel.css("#zoom table")),
    }


SAVED = sorted(p.name for p in DIR.iterdir() if not p.name.endswith(".expected.json") and not p.name.endswith(".meta.json"))


def test_there_are_fixtures():
    assert set(SAVED) == set(PAGES) | set(DETAILS)


@pytest.mark.parametrize("name", SAVED)
def test_hooks_on_saved_page(name):
    response = load(name)
    got = hook_results(GkmlptFamily, response)
    got["is_detail_url"] = GkmlptFamily().is_detail_url(response.url)
    if name in DETAILS:
        got["page_document"] = document_summary(response)
    want = json.loads((DIR / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert got == want


def test_page_document_keeps_the_fetched_bytes_for_other_pages():
    """The default hook: pages that are not gkmlpt details go to extraction as fetched."""
    home = load("jhgk_home.html")
    assert GkmlptFamily().page_document(home) == (home.body, "text/html; charset=utf-8")
    detail = load("jhgk_detail_pdf_in_json.html")
    body, _ctype = GkmlptFamily().page_document(detail)
    assert body != detail.body and b"window._CONFIG" in detail.body and b"window._CONFIG" not in body


def test_rebuilt_detail_extracts_as_a_report():
    from extract import Part, extract_report

    response = load("jhqwsj_detail_escaped.html")
    body, ctype = GkmlptFamily().page_document(response)
    record = extract_report([Part(body, response.url, ctype)])
    assert record.is_report and (record.agency, record.report_year, record.form) == ("江海区卫生健康局", 2021, "form2021")
    assert record.published_at and record.published_at.startswith("2022-")
    # The raw SPA shell alone holds no report text at all.
    raw = extract_report([Part(response.body, response.url, ctype)])
    assert not raw.is_report


def test_helpers():
    assert js_unescape("%u6C5F%u6D77%u533A2021%u5E74") == "江海区2021年"
    assert js_unescape("98.6%的") == "98.6%的"  # not escaped: left alone
    assert as_date(1642644000) == "2022-01-20" and as_date(1642644000000) == "2022-01-20"
    assert as_date("2022-01-20 10:00:00", True) == "2022-01-20 10:00" and as_date(None) == ""


def test_detect_on_catalogue_and_not_on_other_families():
    assert GkmlptFamily.detect(load("jhgk_index.html"))
    trs_page = FIXTURES / "trs" / "dxh_column.html"
    other = HtmlResponse("http://127.0.0.1/zwgk/zfxxgknb/index.html", body=trs_page.read_bytes(), encoding="utf-8")
    assert not GkmlptFamily.detect(other)


# ---- crawl of the mock sites ---------------------------------------------------------------------

EXPECTED = {
    "jhgk": {
        ("江海区人民政府", 2019), ("江海区人民政府", 2020), ("江海区人民政府", 2022), ("江海区人民政府", 2023),
        ("江海区教育局", 2021), ("江海区教育局", 2022), ("江海区财政局", 2020), ("江海区发展和改革局", 2021),
        ("江海区民政局", 2022), ("江海区外海街道办事处", 2021), ("江海区外海街道办事处", 2022),
        ("江海区礼乐街道办事处", 2021), ("江海区住房和城乡建设局", 2021), ("江海区住房和城乡建设局", 2022),
        ("江海区卫生健康局", 2020), ("江海区卫生健康局", 2021),
    },
    "dzgk": {
        ("端州区人民政府", 2019), ("端州区人民政府", 2020), ("端州区人民政府", 2021), ("端州区人民政府", 2022),
        ("端州区教育局", 2021), ("端州区教育局", 2022), ("端州区财政局", 2021), ("端州区卫生健康局", 2022),
        ("端州区城东街道办事处", 2021), ("端州区黄岗街道办事处", 2022),
    },
}
EXPECTED_LISTS = {  # every list request: API pages and the unit catalogues read as sub-columns
    "jhgk": {"/gkmlpt/api/all/1590?page=1&sid=755126", "/gkmlpt/api/all/1590?page=2&sid=755126",
             "/gkmlpt/api/all/1602?page=1&sid=755126", "/gkmlpt/api/all/1604?page=1&sid=755126",
             "/jhqzjj/gkmlpt/index", "/jhqzjj/gkmlpt/api/all/2002?page=1&sid=755201",
             "/jhqwsj/gkmlpt/index", "/jhqwsj/gkmlpt/api/all/2102?page=1&sid=755202"},
    "dzgk": {"/gkmlpt/api/all/3310?page=1&sid=200167"},
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from demosites.gkmlpt_site import duanzhou, jianghai
    from tests.conftest import CrawlScenario, crawl, demo_sites_as_registry

    db = tmp_path_factory.mktemp("gkmlpt") / "gk.db"
    with DemoPortal(core=False, mock_sites=[jianghai(), duanzhou()]) as portal:
        sites = demo_sites_as_registry(portal)
        marks: list[int] = []
        jobs = [CrawlJob(sites, db, dict(LOCAL_SETTINGS), on_finished=lambda _r: marks.append(len(portal.request_log)))
                for _ in range(2)]
        results = crawl(jobs)
        log = portal.request_log
        first = CrawlScenario(db, results[:1], log[: marks[0]], portal.sites, portal.manifest())
        second = CrawlScenario(db, results, log[marks[0] :], portal.sites, portal.manifest())
    return first, second


def test_registry_rows_leave_jianghai_to_detection(crawled):
    first, _ = crawled
    assert {s.site_id: s.platform for s in first.portal_sites} == {"jhgk": "", "dzgk": "gkmlpt"}


def test_crawl_stores_exactly_the_published_reports(crawled):
    first, _ = crawled
    stored: dict[str, set] = {}
    for site, agency, year in first.query("SELECT site_id, agency, report_year FROM reports"):
        stored.setdefault(site, set()).add((agency, year))
    assert stored == EXPECTED
    published = {(m["site_id"], m["agency"], m["report_year"]) for m in first.manifest if not m.get("decoy")}
    assert published == {(s, a, y) for s, rows in EXPECTED.items() for a, y in rows}


def test_every_api_page_and_no_guessed_page_was_requested(crawled):
    first, _ = crawled
    lists: dict[str, set] = {}
    for site, method, path, status in first.request_log:
        assert status != 404 or "/content/post_" not in path, path
        if "/gkmlpt/api/" in path or path.endswith("/gkmlpt/index"):
            assert (method, status) == ("GET", 200), path
            lists.setdefault(site, set()).add(path)
    entry = {"jhgk": {"/gkmlpt/index"}, "dzgk": {"/gkmlpt/index"}}
    assert {s: p - entry[s] for s, p in lists.items()} == EXPECTED_LISTS
    # 肇庆 quirk: page 1 held everything, so page 2 (which answers 404) was never asked for.
    assert not [p for s, _m, p, _st in first.request_log if s == "dzgk" and "page=2" in p]


def test_runs_are_ok_and_the_quirk_is_a_note(crawled):
    first, _ = crawled
    runs = {site: (status, lists, reports, errors, message) for site, status, lists, reports, errors, message in
            first.query("SELECT site_id, status, list_pages, reports, errors, message FROM crawl_runs ORDER BY run_id")[:2]}
    assert runs["jhgk"][:4] == ("ok", len(EXPECTED_LISTS["jhgk"]), len(EXPECTED["jhgk"]), 0)
    assert runs["dzgk"][:4] == ("ok", 1, len(EXPECTED["dzgk"]), 0)
    assert "page 1 holds all 12 articles" in runs["dzgk"][4]
    assert first.query("SELECT COUNT(*) FROM crawl_errors") == [(0,)]


def test_attachments_captured_and_decoys_not_stored(crawled):
    first, _ = crawled
    atts = first.query("SELECT url, size FROM captures WHERE kind = 'attachment'")
    assert sorted(u.rsplit(".", 1)[1] for u, _s in atts) == ["docx", "pdf"]
    assert all(size > 1000 and "/attachment/0/" in u for u, size in atts)
    sources = dict(first.query("SELECT agency || report_year, text_source FROM reports WHERE site_id = 'jhgk'"))
    assert sources["江海区财政局2020"] == "pdf" and sources["江海区发展和改革局2021"] == "docx"
    decoys = [m for m in first.manifest if m.get("decoy")]
    assert len(decoys) == 6  # 工作总结 ×3, 编制发布通知 ×2, 指南
    fetched = {u for (u,) in first.query("SELECT url FROM captures WHERE kind = 'detail'")}
    stored_titles = {t for (t,) in first.query("SELECT title FROM reports")}
    for d in decoys:
        assert d["detail_url"] in fetched and d["title"] not in stored_titles


def test_reports_carry_the_detail_json_metadata(crawled):
    first, _ = crawled
    rows = first.query("SELECT title, published_at, province, adcode FROM reports WHERE agency = '江海区卫生健康局'")
    assert {(t, p[:4], pr, a) for t, p, pr, a in rows} == {
        ("江海区卫生健康局2020年政府信息公开工作年度报告", "2021", "广东省", "440704"),
        ("江海区卫生健康局2021年政府信息公开工作年度报告", "2022", "广东省", "440704")}
    # The capture keeps the page as fetched (the SPA shell with the JSON), not the rebuilt document.
    (raw_path,) = first.query("SELECT c.raw_path FROM captures c JOIN report_captures rc ON rc.capture_id = c.capture_id"
                              " JOIN reports r ON r.report_id = rc.report_id WHERE r.agency = '江海区民政局'"
                              " AND c.kind = 'detail'")[0]
    assert b"window._CONFIG" in (first.db.parent / "raw" / raw_path).read_bytes()


def test_second_crawl_adds_no_rows(crawled):
    _, second = crawled
    assert ("jhgk", "GET", "/gkmlpt/api/all/1590?page=1&sid=755126", 200) in second.request_log  # it did crawl again
    counts = {t: second.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("reports", "report_captures", "statistics")}
    assert counts["reports"] == sum(len(v) for v in EXPECTED.values())
    (dupes,) = second.query("SELECT COUNT(*) FROM (SELECT url, sha256 FROM captures GROUP BY 1, 2 HAVING COUNT(*) > 1)")[0]
    assert dupes == 0
    statuses = [s for (s,) in second.query("SELECT status FROM crawl_runs")]
    assert statuses == ["ok"] * 4


# ---- refreshing the saved pages ------------------------------------------------------------------

def capture() -> None:
    """Save the mocks' pages as fixtures (expected JSON is written by hand, not here)."""
    from demosites import DemoPortal
    from demosites.gkmlpt_site import duanzhou, jianghai

    DIR.mkdir(parents=True, exist_ok=True)
    with DemoPortal(core=False, mock_sites=[jianghai(), duanzhou()]) as portal:
        bases = {s.site_id: s.entry_url.split("/", 3)[:3] for s in portal.sites}
        details = {(m["site_id"], m["agency"], m["report_year"]): m["detail_url"]
                   for m in portal.manifest() if not m.get("decoy")}
        targets = {name: "/".join(bases[site]) + path for name, (site, path) in PAGES.items()}
        targets |= {name: details[key] for name, key in DETAILS.items()}
        for name, url in targets.items():
            with urllib.request.urlopen(url) as resp:
                (DIR / name).write_bytes(resp.read())
                meta = {"url": url, "content_type": resp.headers.get("Content-Type")}
            (DIR / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n")


def write_expected_drafts() -> None:
    """Write what the hooks return now as `.expected.json` drafts, for a person to check line by line."""
    for name in sorted(PAGES) + sorted(DETAILS):
        response = load(name)
        got = hook_results(GkmlptFamily, response)
        got["is_detail_url"] = GkmlptFamily().is_detail_url(response.url)
        if name in DETAILS:
            got["page_document"] = document_summary(response)
        Path(DIR / f"{name}.expected.json").write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    capture()
    if "--drafts" in __import__("sys").argv:
        write_expected_drafts()
