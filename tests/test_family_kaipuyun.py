"""The kaipuyun site family (开普云 intensive platform): golden files and a crawl of the mock county.

Golden files: tests/fixtures/families/kaipuyun/ holds pages and an interface answer saved from the
mock in demosites/kaipuyun_site.py (refresh with ``.venv/bin/python -m tests.test_family_kaipuyun``), each
next to what the hooks must return (checked by hand against the saved bytes).
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from scrapy.http import HtmlResponse, JsonResponse, Request

from crawler.spiders.kaipuyun import KaipuyunFamily
from tests.family_golden import FIXTURES, hook_results

FAMILY = "kaipuyun"
DIR = FIXTURES / FAMILY

PAGES = {  # name: path on the mock
    "cx_home.html": "/",
    "cx_disclosure.shtml": "/cxx/c114950/zfxxgk.shtml",
    "cx_column_page1.shtml": "/cxx/c114953/zfxxgk_gknrz.shtml",
    "cx_column_page3.shtml": "/cxx/c114953/zfxxgk_gknrz_3.shtml",
    "cx_departments_interface.shtml": "/cxx/c114954/zfxxgk_gknrz.shtml",
    "cx_towns_bare_li.shtml": "/cxx/c114955/zfxxgk_gknrz.shtml",
}
DETAILS = {"cx_detail_pdf.shtml": ("辰溪县发展和改革局", 2022)}
INTERFACE_PAGE = "cx_interface_page1.json"


def load(name: str):
    body = (DIR / name).read_bytes()
    meta = json.loads((DIR / f"{name}.meta.json").read_text(encoding="utf-8"))
    cls = JsonResponse if name.endswith(".json") else HtmlResponse
    headers = {"Content-Type": meta["content_type"]} if meta.get("content_type") else {}
    request_meta = {"ogi_site": "site", **({"ogi_interface": meta["request_json"]} if "request_json" in meta else {})}
    return cls(url=meta["url"], body=body, headers=headers, request=Request(meta["url"], meta=request_meta))


def results(name: str) -> dict:
    response = load(name)
    got = hook_results(KaipuyunFamily, response)
    got["is_detail_url"] = KaipuyunFamily().is_detail_url(response.url)
    got["page_document_is_the_page"] = KaipuyunFamily().page_document(response)[0] == response.body
    return got


SAVED = sorted(p.name for p in DIR.iterdir() if not p.name.endswith((".expected.json", ".meta.json")))


def test_there_are_fixtures():
    assert set(SAVED) == set(PAGES) | set(DETAILS) | {INTERFACE_PAGE}


@pytest.mark.parametrize("name", SAVED)
def test_hooks_on_saved_page(name):
    assert results(name) == json.loads((DIR / f"{name}.expected.json").read_text(encoding="utf-8"))


def test_interface_request_is_a_json_post():
    from tests.family_golden import _Spider

    (request,) = KaipuyunFamily().more_list_requests(load("cx_departments_interface.shtml"), _Spider())
    assert request.method == "POST" and request.headers[b"Content-Type"] == b"application/json"
    body = json.loads(request.body)
    assert body["pageNum"] == 1 and body["pageSize"] == 4 and len(body["channelId"]) == 1
    assert request.meta["ogi_interface"] == body and request.meta["ogi_kind"] == "list"


def test_interface_failure_answer_gives_nothing():
    url = "http://127.0.0.1/interface-cms/qryManuscriptByWebsiteId"
    bad = JsonResponse(url, body=b'{"Status": "fail", "results": [{"url": "/x/c1/202201/' + b"a" * 32 + b'.shtml"}]}',
                       request=Request(url, meta={"ogi_site": "s", "ogi_interface": {"pageNum": 1, "pageSize": 4}}))
    assert KaipuyunFamily().list_items(bad) == []


def test_detect_is_not_fooled_by_other_families():
    trs_page = FIXTURES / "trs" / "dxh_column.html"
    other = HtmlResponse("http://127.0.0.1/zwgk/zfxxgknb/index.html", body=trs_page.read_bytes(), encoding="utf-8")
    assert not KaipuyunFamily.detect(other)
    assert KaipuyunFamily.detect(load("cx_departments_interface.shtml"))  # no <cmspro_documents>, only the script


# ---- crawl of the mock site ----------------------------------------------------------------------

C = "辰溪县"
EXPECTED = {
    (f"{C}人民政府", 2019), (f"{C}人民政府", 2020), (f"{C}人民政府", 2021), (f"{C}人民政府", 2022),
    (f"{C}人民政府", 2023), (f"{C}发展和改革局", 2022), (f"{C}统计局", 2021),  # static list, 3 pages
    (f"{C}教育局", 2021), (f"{C}教育局", 2022), (f"{C}财政局", 2022), (f"{C}卫生健康局", 2021),
    (f"{C}卫生健康局", 2022), (f"{C}住房和城乡建设局", 2022),  # interface only, 2 pages
    (f"{C}辰阳镇人民政府", 2022), (f"{C}孝坪镇人民政府", 2021),  # <cmspro_documents><li> without <ul>
}
EXPECTED_GETS = {"/cxx/c114953/zfxxgk_gknrz.shtml", "/cxx/c114953/zfxxgk_gknrz_2.shtml",
                 "/cxx/c114953/zfxxgk_gknrz_3.shtml", "/cxx/c114954/zfxxgk_gknrz.shtml",
                 "/cxx/c114955/zfxxgk_gknrz.shtml"}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from demosites.kaipuyun_site import chenxi
    from tests.conftest import CrawlScenario, crawl, demo_sites_as_registry

    db = tmp_path_factory.mktemp("kaipuyun") / "kp.db"
    site = chenxi()
    with DemoPortal(core=False, mock_sites=[site]) as portal:
        sites = demo_sites_as_registry(portal)
        marks: list[int] = []
        jobs = [CrawlJob(sites, db, dict(LOCAL_SETTINGS), on_finished=lambda _r: marks.append(len(portal.request_log)))
                for _ in range(2)]
        res = crawl(jobs)
        log = portal.request_log
        first = CrawlScenario(db, res[:1], log[: marks[0]], portal.sites, portal.manifest())
        second = CrawlScenario(db, res, log[marks[0] :], portal.sites, portal.manifest())
    return site, first, second


def test_platform_left_to_detection(crawled):
    _site, first, _ = crawled
    assert [(s.site_id, s.platform, s.adcode) for s in first.portal_sites] == [("cxkpy", "", "431223")]


def test_crawl_stores_exactly_the_published_reports(crawled):
    site, first, _ = crawled
    assert set(first.query("SELECT agency, report_year FROM reports")) == EXPECTED
    assert {(m["agency"], m["report_year"]) for m in site.manifest() if not m.get("decoy")} == EXPECTED
    assert set(first.query("SELECT DISTINCT province, county, adcode FROM reports")) == {("湖南省", "辰溪县", "431223")}


def test_every_list_page_and_interface_page_was_read(crawled):
    site, first, _ = crawled
    gets = {p for _s, m, p, st in first.request_log if m == "GET" and st == 200 and "zfxxgk_gknrz" in p}
    assert gets == EXPECTED_GETS == {p for _m, p in site.list_requests()}
    posts = [(p, st) for _s, m, p, st in first.request_log if m == "POST"]
    assert posts == [("/interface-cms/qryManuscriptByWebsiteId", 200)] * 2 == [posts[0]] * site.interface_pages()
    # Both interface answers were captured (same URL, different bodies: pageNum 1 and 2).
    assert first.query("SELECT COUNT(*) FROM captures WHERE url LIKE '%qryManuscriptByWebsiteId'") == [(2,)]
    runs = first.query("SELECT status, list_pages, reports, errors FROM crawl_runs ORDER BY run_id LIMIT 1")
    assert runs == [("ok", len(EXPECTED_GETS) + 2, len(EXPECTED), 0)]


def test_attachments_captured_and_decoys_not_stored(crawled):
    _site, first, _ = crawled
    atts = first.query("SELECT url, size FROM captures WHERE kind = 'attachment'")
    assert sorted(u.rsplit(".", 1)[1] for u, _s in atts) == ["docx", "pdf"]
    assert all("/files/" in u and size > 1000 for u, size in atts)
    sources = dict(first.query("SELECT agency || report_year, text_source FROM reports"))
    assert sources[f"{C}发展和改革局2022"] == "pdf" and sources[f"{C}统计局2021"] == "docx"
    decoys = [m for m in first.manifest if m.get("decoy")]
    assert {d["title"][-4:] for d in decoys} == {"工作总结", "作的通知", "公开指南"}
    fetched = {u for (u,) in first.query("SELECT url FROM captures WHERE kind = 'detail'")}
    titles = {t for (t,) in first.query("SELECT title FROM reports")}
    for d in decoys:
        assert d["detail_url"] in fetched and d["title"] not in titles


def test_second_crawl_adds_no_rows(crawled):
    _site, _first, second = crawled
    assert any(m == "POST" for _s, m, _p, _st in second.request_log)  # it did crawl again
    assert second.query("SELECT COUNT(*) FROM reports") == [(len(EXPECTED),)]
    (dupes,) = second.query("SELECT COUNT(*) FROM (SELECT url, sha256 FROM captures GROUP BY 1, 2 HAVING COUNT(*) > 1)")[0]
    assert dupes == 0
    assert [s for (s,) in second.query("SELECT status FROM crawl_runs")] == ["ok", "ok"]


# ---- refreshing the saved pages ------------------------------------------------------------------

def capture() -> None:
    """Save the mock's pages as fixtures (expected JSON is checked by hand, not written here)."""
    from demosites import DemoPortal
    from demosites.kaipuyun_site import chenxi

    DIR.mkdir(parents=True, exist_ok=True)
    site = chenxi()
    with DemoPortal(core=False, mock_sites=[site]) as portal:
        base = portal.sites[0].entry_url.rstrip("/")
        details = {(m["agency"], m["report_year"]): m["detail_url"] for m in portal.manifest() if not m.get("decoy")}
        targets = {name: (base + path, None) for name, path in PAGES.items()}
        targets |= {name: (details[key], None) for name, key in DETAILS.items()}
        body = {"websiteId": site.website_id, "channelId": [site.departments.channel_id], "pageNum": 1, "pageSize": 4,
                "title": ""}
        targets[INTERFACE_PAGE] = (base + "/interface-cms/qryManuscriptByWebsiteId", body)
        for name, (url, data) in targets.items():
            req = urllib.request.Request(url, data=json.dumps(body).encode() if data else None,
                                         headers={"Content-Type": "application/json"} if data else {})
            with urllib.request.urlopen(req) as resp:
                (DIR / name).write_bytes(resp.read())
                meta = {"url": url, "content_type": resp.headers.get("Content-Type")}
            if data:
                meta |= {"method": "POST", "request_json": data}
            (DIR / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n")


def write_expected_drafts() -> None:
    """What the hooks return now, as `.expected.json` drafts for a person to check line by line."""
    for name in [*PAGES, *DETAILS, INTERFACE_PAGE]:
        (DIR / f"{name}.expected.json").write_text(json.dumps(results(name), ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    capture()
    if "--drafts" in __import__("sys").argv:
        write_expected_drafts()
