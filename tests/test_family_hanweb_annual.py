"""The Hanweb annual-report module (xxgkAnnualReport.jsp?area=&fbtime=): golden files and a crawl of the
邹城市 mock (a Hanweb column that is a units × years table) with the real spider. The same module inside
the 周村区 /gongkai/ mock is crawled in tests/test_family_shandong.py.

Refresh the saved pages with ``.venv/bin/python -m tests.test_family_hanweb_annual``; the expected JSON was
checked by hand against the pages.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from crawler.spiders.annual_module import annual_report_items, is_annual_report_url
from crawler.spiders.hanweb import HanwebFamily
from demosites.shandong_site import MODULE, HanwebAnnualSite
from tests.family_golden import FIXTURES, expected, hook_results, load_response
from tests.test_family_shandong import serve

FAMILY = "hanweb_annual"
BASE = "http://www.zoucheng.gov.cn"


def _pages(site: HanwebAnnualSite) -> dict[str, str]:
    tangcun, taiping = site.module_units[0], site.module_units[1]
    return {
        "home.html": "/",
        "column_units_years.html": "/col/col1528/index.html",
        "module_report.html": f"{MODULE}?{urlencode({'area': tangcun.area, 'fbtime': 2021})}",
        "module_no_report.html": f"{MODULE}?{urlencode({'area': taiping.area, 'fbtime': 2020})}",
    }


def capture() -> None:
    """Save the pages the golden tests read (run by hand)."""
    site = HanwebAnnualSite()
    site.start(BASE)
    out = FIXTURES / FAMILY
    out.mkdir(parents=True, exist_ok=True)
    for name, path in _pages(site).items():
        (out / name).write_bytes(serve(site, path))
        meta = {"url": BASE + path, "content_type": "text/html; charset=utf-8"}
        (out / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


PAGES = sorted(p.name for p in (FIXTURES / FAMILY).iterdir() if not p.name.endswith(".json"))


def test_there_are_fixtures():
    assert len(PAGES) == 4


@pytest.mark.parametrize("name", PAGES)
def test_hooks_on_saved_page(name):
    assert hook_results(HanwebFamily, load_response(FAMILY, name)) == expected(FAMILY, name)


def test_fixtures_are_what_the_mock_serves():
    site = HanwebAnnualSite()
    site.start(BASE)
    for name, path in _pages(site).items():
        assert (FIXTURES / FAMILY / name).read_bytes() == serve(site, path), name


def test_module_urls_need_a_unit_and_a_year():
    ok = "http://x/module/xxgk/xxgkAnnualReport.jsp?area=11370883004325769B&fbtime=2020"
    assert is_annual_report_url(ok)
    assert HanwebFamily().is_detail_url(ok)
    assert not is_annual_report_url("http://x/module/xxgk/xxgkAnnualReport.jsp?area=11370883004325769B")
    assert not is_annual_report_url("http://x/module/xxgk/xxgkAnnualReport.jsp?area=&fbtime=2020")
    assert not is_annual_report_url("http://x/module/xxgk/xxgkAnnualReport.jsp?area=1&fbtime=all")
    assert not is_annual_report_url("http://x/module/xxgk/search.jsp?area=1&fbtime=2020")


def test_table_links_are_titled_by_their_row():
    items = annual_report_items(load_response(FAMILY, "column_units_years.html"))
    assert [i.title for i in items][:3] == ["唐村镇2022年度", "唐村镇2021年度", "唐村镇2020年度"]
    assert len(items) == len({i.url for i in items}) == 8


# ---- crawl -----------------------------------------------------------------------------------------------

Z = "邹城市"
EXPECTED_REPORTS = ({(f"{Z}唐村镇人民政府", y) for y in (2020, 2021, 2022)}
                    | {(f"{Z}太平镇人民政府", y) for y in (2021, 2022)}
                    | {(f"{Z}钢山街道办事处", 2021)})


@pytest.fixture(scope="module")
def annual_crawls(tmp_path_factory):
    """邹城市 crawled twice (registered as hanweb) and once registered with platform "" (detected)."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from tests.conftest import crawl, demo_sites_as_registry

    base = tmp_path_factory.mktemp("annual")
    known, undetected = HanwebAnnualSite(), HanwebAnnualSite(site_id="hwzc_auto", platform="")
    with DemoPortal(core=False, mock_sites=[known, undetected]) as portal:
        sites = {s.site_id: s for s in demo_sites_as_registry(portal)}
        marks: list[int] = []

        def mark(_result) -> None:
            marks.append(len(portal.request_log))

        crawl([CrawlJob([sites["hwzc"]], base / "hwzc.db", dict(LOCAL_SETTINGS), on_finished=mark),
               CrawlJob([sites["hwzc"]], base / "hwzc.db", dict(LOCAL_SETTINGS), on_finished=mark),
               CrawlJob([sites["hwzc_auto"]], base / "auto.db", dict(LOCAL_SETTINGS))])
        log = list(portal.request_log)
        manifest = portal.manifest()
    return {"db": base / "hwzc.db", "auto_db": base / "auto.db", "log": log, "marks": marks, "manifest": manifest}


def query(db, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_every_unit_year_link_is_fetched_and_exactly_the_reports_are_stored(annual_crawls):
    db = annual_crawls["db"]
    assert set(query(db, "SELECT agency, report_year FROM reports")) == EXPECTED_REPORTS
    manifest = [m for m in annual_crawls["manifest"] if m["site_id"] == "hwzc"]
    assert {(m["agency"], m["report_year"]) for m in manifest if not m.get("decoy")} == EXPECTED_REPORTS
    fetched = {u for (u,) in query(db, "SELECT url FROM captures WHERE kind = 'detail'")}
    assert {m["detail_url"] for m in manifest} == fetched  # 8 links: 6 reports, 2 暂无年报 pages
    empty = {m["detail_url"] for m in manifest if m.get("decoy")}
    assert len(empty) == 2 and not empty & {u for (u,) in query(db, "SELECT source_url FROM reports")}


def test_report_year_is_fbtime(annual_crawls):
    for url, year in query(annual_crawls["db"], "SELECT source_url, report_year FROM reports"):
        assert parse_qs(urlsplit(url).query)["fbtime"] == [str(year)]


def test_list_page_read_and_runs_ok(annual_crawls):
    first = [(s, p, st) for s, _m, p, st in annual_crawls["log"][: annual_crawls["marks"][0]]]
    assert ("hwzc", "/col/col1528/index.html", 200) in first
    assert not [p for _s, p, _st in first if "dataproxy" in p or "index_1" in p]
    db = annual_crawls["db"]
    assert query(db, "SELECT status, list_pages, errors FROM crawl_runs ORDER BY run_id") == [("ok", 1, 0), ("ok", 1, 0)]
    assert query(db, "SELECT COUNT(*) FROM reports")[0][0] == len(EXPECTED_REPORTS)  # second crawl added nothing
    (dupes,) = query(db, "SELECT COUNT(*) FROM (SELECT url, sha256 FROM captures GROUP BY 1, 2 HAVING COUNT(*) > 1)")[0]
    assert dupes == 0


def test_site_without_platform_is_detected_as_hanweb_and_crawled(annual_crawls):
    from crawler.spiders import family_registry

    home = load_response(FAMILY, "home.html")
    assert [k for k, cls in family_registry().items() if not cls.fallback and cls.detect(home)] == ["hanweb"]
    db = annual_crawls["auto_db"]
    assert set(query(db, "SELECT agency, report_year FROM reports")) == EXPECTED_REPORTS
    assert query(db, "SELECT status FROM crawl_runs") == [("ok",)]


if __name__ == "__main__":
    capture()
    sys.exit(0)
