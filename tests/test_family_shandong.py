"""The Shandong /gongkai/ platform family: golden files (saved mock pages + what each hook returns) and
crawls of the 周村区 mock (demosites/shandong_site.py) with the real spider.

Refresh the saved pages with ``.venv/bin/python -m tests.test_family_shandong`` (only when the mock changes
on purpose); the expected JSON next to them was checked by hand against the pages.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse

from crawler.spiders.shandong import ShandongFamily
from demosites.mock import MockRequest, MockSite
from demosites.shandong_site import ShandongCountySite
from tests.family_golden import FIXTURES, _Spider, expected, hook_results, load_response, rel

FAMILY = "shandong"
BASE = "http://www.zhoucun.gov.cn"


def serve(site: MockSite, path: str) -> bytes:
    parts = urlsplit(path)
    response = site.handle(MockRequest("GET", parts.path, parse_qs(parts.query, keep_blank_values=True), {},
                                       raw_path=path))
    assert response.status == 200, path
    return response.body


def _pages(site: ShandongCountySite) -> dict[str, str]:
    wjj = site.units[2]
    docx_item = next(i for i in wjj.items if i.attachments)
    return {
        "home.html": "/",
        "gongkai.html": "/gongkai/",
        "unit_home.html": f"/gongkai/{wjj.slug}/",
        "county_channel.html": site.county_channel.list_path,
        "unit_channel.html": wjj.list_path,
        "doc_attachment.html": wjj.doc_path(docx_item),
    }


def capture() -> None:
    """Save the pages the golden tests read (run by hand)."""
    site = ShandongCountySite()
    site.start(BASE)
    out = FIXTURES / FAMILY
    out.mkdir(parents=True, exist_ok=True)
    for name, path in _pages(site).items():
        (out / name).write_bytes(serve(site, path))
        meta = {"url": BASE + path, "content_type": "text/html; charset=utf-8"}
        (out / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


PAGES = sorted(p.name for p in (FIXTURES / FAMILY).iterdir() if not p.name.endswith(".json"))


def results(name: str) -> dict:
    response = load_response(FAMILY, name)
    got = hook_results(ShandongFamily, response)
    got["unit_links"] = [rel(u) for u in ShandongFamily().unit_links(response)]
    return got


def test_there_are_fixtures():
    assert len(PAGES) == 6


@pytest.mark.parametrize("name", PAGES)
def test_hooks_on_saved_page(name):
    assert results(name) == expected(FAMILY, name)


def test_fixtures_are_what_the_mock_serves():
    site = ShandongCountySite()
    site.start(BASE)
    for name, path in _pages(site).items():
        assert (FIXTURES / FAMILY / name).read_bytes() == serve(site, path), name


def test_hidden_nodes_are_read_and_a_short_page_is_reported():
    """All 9 nodes of the county channel are items though the script shows 5; when totalCount says more
    nodes than the page holds, the crawl records list_incomplete rather than passing silently."""
    page = load_response(FAMILY, "county_channel.html")
    docs = [i for i in ShandongFamily().list_items(page) if "/doc_" in i.url]
    assert len(docs) == 9
    assert 'style="display:none"' in page.text and "perSize = 5" in page.text
    errors: list[tuple] = []

    class Spider(_Spider):
        def error(self, *args):
            errors.append(args)

    assert ShandongFamily().more_list_requests(page, Spider()) == []
    assert errors == []
    short = page.replace(body=page.body.replace(b"totalCount = 9", b"totalCount = 40"))
    assert ShandongFamily().more_list_requests(short, Spider()) == []
    ((_site, url, kind, message),) = errors
    assert kind == "list_incomplete" and url == page.url and "totalCount=40" in message and "9 documents" in message


def test_document_block_has_the_verified_fields():
    page = load_response(FAMILY, "doc_attachment.html")
    labels = [t.strip() for t in page.css("table.gk_info th::text").getall()]
    assert labels == ["标题", "索引号", "文号", "发文日期", "发布机构"]
    index_no = page.css("table.gk_info tr:nth-child(2) td::text").get()
    code, _, serial = index_no.partition("/")
    assert len(code) == 18 and code.startswith("11370306") and serial.startswith("2023-")


# ---- crawls ----------------------------------------------------------------------------------------------

C = "周村区"
EXPECTED_REPORTS = (
    {(f"{C}人民政府", y) for y in (2016, 2018, 2019, 2020, 2021, 2022, 2023)}
    | {(f"{C}住房和城乡建设局", y) for y in (2017, 2021, 2023)}
    | {(f"{C}教育局", y) for y in (2020, 2022, 2023)}
    | {(f"{C}卫生健康局", y) for y in (2021, 2022, 2023)}
    # through the Hanweb annual-report module (year = fbtime); 南郊镇 2021 and 萌水镇 2022 say 暂无年报
    | {(f"{C}王村镇人民政府", y) for y in (2021, 2022, 2023)}
    | {(f"{C}南郊镇人民政府", y) for y in (2022, 2023)}
    | {(f"{C}萌水镇人民政府", y) for y in (2021, 2023)}
    | {(f"{C}丝绸路街道办事处", y) for y in (2022, 2023)}
)


@pytest.fixture(scope="module")
def shandong_crawls(tmp_path_factory):
    """周村区 crawled twice into one database, registered with platform "" (the family is detected)."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from tests.conftest import crawl, demo_sites_as_registry

    db = tmp_path_factory.mktemp("shandong") / "sdzc.db"
    site = ShandongCountySite(platform="")
    with DemoPortal(core=False, mock_sites=[site]) as portal:
        sites = demo_sites_as_registry(portal)
        marks: list[int] = []

        def mark(_result) -> None:
            marks.append(len(portal.request_log))

        crawl([CrawlJob(sites, db, dict(LOCAL_SETTINGS), on_finished=mark),
               CrawlJob(sites, db, dict(LOCAL_SETTINGS), on_finished=mark)])
        log = list(portal.request_log)
        manifest = portal.manifest()
    return {"db": db, "log": log, "marks": marks, "manifest": manifest, "site": site}


def query(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_site_registered_without_platform_is_detected_as_shandong():
    from crawler.spiders import family_registry

    for name in ("home.html", "gongkai.html"):
        page = load_response(FAMILY, name)
        assert [k for k, cls in family_registry().items() if not cls.fallback and cls.detect(page)] == ["shandong"]
    assert not ShandongFamily.detect(HtmlResponse("http://x/", body=b"<html><a href='/col/col1/index.html'>x</a></html>"))


def test_crawl_stores_exactly_the_published_reports(shandong_crawls):
    stored = set(query(shandong_crawls["db"], "SELECT agency, report_year FROM reports"))
    assert stored == EXPECTED_REPORTS
    published = {(m["agency"], m["report_year"]) for m in shandong_crawls["manifest"] if not m.get("decoy")}
    assert published == EXPECTED_REPORTS


def test_every_list_was_read_once_and_no_page_was_guessed(shandong_crawls):
    site: ShandongCountySite = shandong_crawls["site"]
    first = [p for s, _m, p, st in shandong_crawls["log"][: shandong_crawls["marks"][0]] if st == 200]
    lists = [site.county_channel.list_path] + [u.list_path for u in site.units]
    assert sorted(p for p in first if p in lists) == sorted(lists)
    assert not [p for p in first if "page=" in p or "index_" in p]
    # Every document node was fetched, those the script hides included.
    docs = {ch.doc_path(i) for ch in [site.county_channel, *site.units] for i in ch.items}
    assert docs <= set(first)
    run = query(shandong_crawls["db"], "SELECT status, list_pages, errors FROM crawl_runs ORDER BY run_id LIMIT 1")[0]
    assert run == ("ok", len(lists), 0)


def test_attachment_captured_and_decoys_not_stored(shandong_crawls):
    db = shandong_crawls["db"]
    ((url, size),) = query(db, "SELECT url, size FROM captures WHERE kind = 'attachment'")
    assert url.endswith(".docx") and "/gongkai/site_zcqwsjkj/attach/" in url and size > 1000
    assert query(db, "SELECT text_source FROM reports WHERE agency = ? AND report_year = 2022",
                 (f"{C}卫生健康局",)) == [("docx",)]
    fetched = {u for (u,) in query(db, "SELECT url FROM captures WHERE kind = 'detail'")}
    stored = {u for (u,) in query(db, "SELECT source_url FROM reports")}
    decoys = [m for m in shandong_crawls["manifest"] if m.get("decoy")]
    assert len(decoys) == 5  # 工作总结, 上半年数据统计, 绩效评价报告, two 暂无年报 pages
    for d in decoys:
        assert d["detail_url"] in fetched and d["detail_url"] not in stored


def test_module_reports_take_their_year_from_fbtime(shandong_crawls):
    rows = query(shandong_crawls["db"], "SELECT source_url, report_year FROM reports WHERE source_url LIKE ?",
                 ("%xxgkAnnualReport.jsp%",))
    assert len(rows) == 9
    for url, year in rows:
        assert parse_qs(urlsplit(url).query)["fbtime"] == [str(year)]


def test_second_crawl_adds_no_rows(shandong_crawls):
    db = shandong_crawls["db"]
    assert query(db, "SELECT COUNT(*) FROM reports")[0][0] == len(EXPECTED_REPORTS)
    assert query(db, "SELECT status FROM crawl_runs ORDER BY run_id") == [("ok",), ("ok",)]
    (dupes,) = query(db, "SELECT COUNT(*) FROM (SELECT url, sha256 FROM captures GROUP BY 1, 2 HAVING COUNT(*) > 1)")[0]
    assert dupes == 0 and query(db, "SELECT COUNT(*) FROM crawl_errors")[0][0] == 0
    site: ShandongCountySite = shandong_crawls["site"]
    second = {p for _s, _m, p, st in shandong_crawls["log"][shandong_crawls["marks"][0]:] if st == 200}
    assert site.county_channel.list_path in second  # lists are read again


if __name__ == "__main__":
    capture()
    sys.exit(0)
