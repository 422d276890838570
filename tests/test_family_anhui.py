"""The Anhui 政务公开 platform family: golden files (saved mock pages + what each hook returns) and crawls
of the 霍山县 mock (demosites/anhui_site.py) with the real spider.

Refresh the saved pages with ``.venv/bin/python -m tests.test_family_anhui`` (only when the mock changes
on purpose); the expected JSON next to them was checked by hand against the pages.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.spiders.anhui import AnhuiFamily
from demosites.anhui_site import AnhuiCountySite
from demosites.mock import MockRequest
from tests.family_golden import FIXTURES, _Spider, expected, hook_results, load_response, rel

FAMILY = "anhui"
BASE = "http://www.ahhuoshan.gov.cn"


def _pages(site: AnhuiCountySite) -> dict[str, str]:
    county, zjj = site.units[0], site.by_organ["6597781"]
    pdf_item = next(i for i in zjj.items if i.attachments)
    return {
        "home.html": "/",
        "unit_home.html": site.unit_url(zjj),
        "county_category.html": site.category_url(county, county.cat_id),
        "label_page1.html": site.label_url(county, 1),
        "label_page2.html": site.label_url(county, 2),
        "label_page3_empty.html": site.label_url(county, 3),
        "label_gk_list.html": site.label_url(zjj, 1),
        "detail_pdf.html": site.article_url(zjj, pdf_item),
    }


def _serve(site: AnhuiCountySite, path: str) -> bytes:
    parts = urlsplit(path)
    request = MockRequest("GET", parts.path, parse_qs(parts.query, keep_blank_values=True), {}, raw_path=path)
    response = site.handle(request)
    assert response.status == 200, path
    return response.body


def capture() -> None:
    """Save the pages the golden tests read (run by hand)."""
    site = AnhuiCountySite()
    site.start(BASE)
    out = FIXTURES / FAMILY
    out.mkdir(parents=True, exist_ok=True)
    for name, path in _pages(site).items():
        (out / name).write_bytes(_serve(site, path))
        meta = {"url": BASE + path, "content_type": "text/html; charset=utf-8"}
        (out / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


PAGES = sorted(p.name for p in (FIXTURES / FAMILY).iterdir() if not p.name.endswith(".json"))


def results(name: str) -> dict:
    response = load_response(FAMILY, name)
    got = hook_results(AnhuiFamily, response)
    got["unit_links"] = [rel(u) for u in AnhuiFamily().unit_links(response)]
    return got


def test_there_are_fixtures():
    assert len(PAGES) == 8


@pytest.mark.parametrize("name", PAGES)
def test_hooks_on_saved_page(name):
    assert results(name) == expected(FAMILY, name)


def test_fixtures_are_what_the_mock_serves():
    """The saved pages are captures of the mock, not hand edits (and the mock has not drifted)."""
    site = AnhuiCountySite()
    site.start(BASE)
    for name, path in _pages(site).items():
        assert (FIXTURES / FAMILY / name).read_bytes() == _serve(site, path), name


def test_page_count_drives_the_next_page_until_the_endpoint_says_empty():
    """Page 2 holds 3 of 15: without the page count it is the last page; with pageCount:3 page 3 is asked
    for; the 暂无相关信息 answer for page 3 asks for nothing more."""
    family = AnhuiFamily()
    page2 = load_response(FAMILY, "label_page2.html")
    assert family.more_list_requests(page2, _Spider()) == []
    url, params = family.label_params(load_response(FAMILY, "county_category.html"))
    page2.meta["ogi_anhui"] = {"url": url, "params": {**params, "pageIndex": "2"}, "page_count": 3}
    (nxt,) = family.more_list_requests(page2, _Spider())
    assert parse_qs(urlsplit(nxt.url).query)["pageIndex"] == ["3"]
    assert nxt.meta["ogi_anhui"]["page_count"] == 3
    empty = load_response(FAMILY, "label_page3_empty.html")
    empty.meta["ogi_anhui"] = nxt.meta["ogi_anhui"]
    assert family.list_items(empty) == [] and family.more_list_requests(empty, _Spider()) == []


def test_label_url_comes_from_the_page_with_a_city_platform_prefix():
    site = AnhuiCountySite(path_prefix="/zwgk", label_prefix="/luanzwgk/zwgk")
    site.start(BASE)
    county = site.units[0]
    from scrapy.http import HtmlResponse

    path = site.category_url(county, county.cat_id)
    response = HtmlResponse(BASE + path, body=_serve(site, path), encoding="utf-8")
    url, params = AnhuiFamily().label_params(response)
    assert url == BASE + "/luanzwgk/zwgk/site/label/8888"
    assert (params["organId"], params["catId"], params["siteId"]) == ("6596091", county.cat_id, "6790951")


# ---- crawls ----------------------------------------------------------------------------------------------

H = "霍山县"
EXPECTED_REPORTS = {
    (f"{H}人民政府", y) for y in range(2019, 2024)
} | {(f"{H}佛子岭镇人民政府", y) for y in (2021, 2022, 2023)} | {
    (f"{H}下符桥镇人民政府", y) for y in (2021, 2022, 2023)} | {(f"{H}但家庙镇人民政府", y) for y in (2022, 2023)} | {
    (f"{H}与儿街镇人民政府", y) for y in (2021, 2022, 2023)} | {
    (f"{H}住房和城乡建设局", y) for y in (2020, 2021, 2022, 2023)} | {
    (f"{H}教育局", y) for y in (2019, 2022, 2023)} | {(f"{H}衡山镇人民政府", y) for y in (2021, 2023)}


@pytest.fixture(scope="module")
def anhui_crawls(tmp_path_factory):
    """霍山县 crawled twice into one database (registered as `anhui`), once more as an undetected site
    (platform "") inside a city platform (path prefixes) into another."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from tests.conftest import crawl, demo_sites_as_registry

    base = tmp_path_factory.mktemp("anhui")
    plain = AnhuiCountySite()
    city = AnhuiCountySite(site_id="ahhs_city", platform="", path_prefix="/zwgk", label_prefix="/luanzwgk/zwgk")
    with DemoPortal(core=False, mock_sites=[plain, city]) as portal:
        sites = {s.site_id: s for s in demo_sites_as_registry(portal)}
        marks: list[int] = []

        def mark(_result) -> None:
            marks.append(len(portal.request_log))

        results = crawl([
            CrawlJob([sites["ahhs"]], base / "ahhs.db", dict(LOCAL_SETTINGS), on_finished=mark),
            CrawlJob([sites["ahhs"]], base / "ahhs.db", dict(LOCAL_SETTINGS), on_finished=mark),
            CrawlJob([sites["ahhs_city"]], base / "city.db", dict(LOCAL_SETTINGS)),
        ])
        log = list(portal.request_log)
        manifest = portal.manifest()
    return {"db": base / "ahhs.db", "city_db": base / "city.db", "results": results, "log": log, "marks": marks,
            "manifest": manifest, "site": plain, "city": city}


def query(db: Path, sql: str, params=()) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_crawl_stores_exactly_the_published_reports(anhui_crawls):
    stored = set(query(anhui_crawls["db"], "SELECT agency, report_year FROM reports"))
    assert stored == EXPECTED_REPORTS
    published = {(m["agency"], m["report_year"]) for m in anhui_crawls["manifest"]
                 if m["site_id"] == "ahhs" and not m.get("decoy")}
    assert published == EXPECTED_REPORTS


def test_every_list_page_was_requested_and_the_wrong_page_count_stopped_at_the_empty_answer(anhui_crawls):
    site: AnhuiCountySite = anhui_crawls["site"]
    first = [(p, st) for s, _m, p, st in anhui_crawls["log"][: anhui_crawls["marks"][0]] if s == "ahhs"]
    paths = {p for p, st in first if st == 200}
    county = site.units[0]
    wanted = {site.label_url(county, 1), site.label_url(county, 2), site.label_url(county, 3)}
    wanted |= {site.label_url(u, 1) for u in site.units[1:]}
    wanted |= {site.category_url(u, u.cat_id) for u in site.units}
    assert wanted <= paths
    labels = sorted(p for p, _st in first if "/site/label/8888" in p)
    assert len(labels) == len(wanted) - len(site.units)  # nothing else was asked of the label endpoint
    assert site.label_url(county, 4) not in paths  # pageCount:5, but page 3 said 暂无相关信息
    assert site.label_url(site.units[1], 2) not in paths  # a short single page ends its list
    run = query(anhui_crawls["db"], "SELECT status, list_pages, errors FROM crawl_runs ORDER BY run_id LIMIT 1")[0]
    assert run == ("ok", len(wanted), 0)


def test_attachment_only_report_comes_from_its_pdf(anhui_crawls):
    rows = query(anhui_crawls["db"], "SELECT c.url, c.size FROM captures c WHERE c.kind = 'attachment'")
    (url, size), = rows
    assert "/group6/M00/" in url and url.endswith(".pdf") and size > 1000
    (source, text), = query(anhui_crawls["db"], "SELECT text_source, text FROM reports WHERE agency = ? AND "
                            "report_year = 2023", (f"{H}住房和城乡建设局",))
    assert source == "pdf" and "依申请" in text


def test_decoys_were_read_but_not_stored(anhui_crawls):
    decoys = [m for m in anhui_crawls["manifest"] if m["site_id"] == "ahhs" and m.get("decoy")]
    assert {d["title"] for d in decoys} == {"霍山县2022年政务公开工作总结",
                                            "关于做好2023年政府信息公开工作年度报告编制发布工作的通知"}
    fetched = {u for (u,) in query(anhui_crawls["db"], "SELECT url FROM captures WHERE kind = 'detail'")}
    stored = {u for (u,) in query(anhui_crawls["db"], "SELECT source_url FROM reports")}
    for d in decoys:
        assert d["detail_url"] in fetched and d["detail_url"] not in stored


def test_page_chrome_is_not_report_text(anhui_crawls):
    (text,) = query(anhui_crawls["db"], "SELECT text FROM reports WHERE agency = ? AND report_year = 2021",
                    (f"{H}人民政府",))[0]
    assert "浏览次数" not in text and "政策咨询" not in text and "总体情况" in text


def test_second_crawl_adds_no_rows(anhui_crawls):
    db = anhui_crawls["db"]
    assert query(db, "SELECT COUNT(*) FROM reports")[0][0] == len(EXPECTED_REPORTS)
    assert query(db, "SELECT status FROM crawl_runs ORDER BY run_id") == [("ok",), ("ok",)]
    (dupes,) = query(db, "SELECT COUNT(*) FROM (SELECT url, sha256 FROM captures GROUP BY 1, 2 HAVING COUNT(*) > 1)")[0]
    assert dupes == 0
    assert query(db, "SELECT COUNT(*) FROM crawl_errors")[0][0] == 0
    # The second crawl read every list again (report pages it already has may be skipped: incremental).
    site: AnhuiCountySite = anhui_crawls["site"]
    second = {p for s, _m, p, st in anhui_crawls["log"][anhui_crawls["marks"][0]:anhui_crawls["marks"][1]]
              if s == "ahhs" and st == 200}
    assert {site.label_url(site.units[0], n) for n in (1, 2, 3)} <= second


def test_undetected_site_on_a_city_platform_is_recognised_and_crawled(anhui_crawls):
    """platform "" -> detect() picks the Anhui family; the label path prefix comes from the page."""
    from scrapy.http import HtmlResponse

    from crawler.spiders import family_registry

    home = load_response(FAMILY, "home.html")
    assert [k for k, cls in family_registry().items() if not cls.fallback and cls.detect(home)] == ["anhui"]
    assert not AnhuiFamily.detect(HtmlResponse("http://x/", body=b"<html><a href='/col/col1/index.html'>x</a></html>"))
    db = anhui_crawls["city_db"]
    assert set(query(db, "SELECT agency, report_year FROM reports")) == EXPECTED_REPORTS
    assert query(db, "SELECT status FROM crawl_runs") == [("ok",)]
    city_paths = {p for s, _m, p, st in anhui_crawls["log"] if s == "ahhs_city" and st == 200}
    assert any(p.startswith("/luanzwgk/zwgk/site/label/8888?") for p in city_paths)
    assert any(p.startswith("/zwgk/public/6597781/") for p in city_paths)


if __name__ == "__main__":
    capture()
    sys.exit(0)
