"""The generic family: golden files from the ASP-era county mock, a crawl of it with the exact report
set, and `ogi crawl --url` with no --platform (a separate process, as a user runs it).

Fixtures: tests/fixtures/families/generic/ (pages saved from demosites.generic_site.AspCountySite; the
expected JSON was checked by hand against the pages).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.spiders.generic import GenericFamily, pager_base
from tests.conftest import crawl, demo_sites_as_registry
from tests.family_golden import FIXTURES, expected, hook_results, load_response

PAGES = sorted(p.name for p in (FIXTURES / "generic").iterdir() if not p.name.endswith(".json"))

EXPECTED = {
    ("西华县人民政府", 2019, "form2019", "html"),
    ("西华县人民政府", 2020, "form2019", "html"),
    ("西华县人民政府", 2021, "form2021", "html"),
    ("西华县教育局", 2021, "form2021", "html"),
    ("西华县财政局", 2020, "form2019", "pdf"),  # /uploadfile/… attachment
    ("西华县卫生健康局", 2022, "form2021", "docx"),  # on page 2 of a 上一页/下一页-only pager
    ("西华县址坊镇人民政府", 2021, "form2021", "html"),  # the .aspx 乡镇 sub-column
    ("西华县红花集镇人民政府", 2020, "form2019", "html"),
}
LIST_PAGES = {"/class.asp?class=1150", "/class.asp?class=1150&page=2", "/class.asp?class=1150&page=1",
              "/list.asp?classid=1152", "/list.asp?classid=1152&page=2", "/list.asp?classid=1152&page=1",
              "/index.aspx?lanmuid=76&sublanmuid=973"}


def test_there_are_fixtures():
    assert len(PAGES) >= 6


@pytest.mark.parametrize("name", PAGES)
def test_hooks_on_saved_page(name):
    assert hook_results(GenericFamily, load_response("generic", name)) == expected("generic", name)


def test_pager_base_ignores_only_the_page_number():
    assert pager_base("http://x/list.asp?classid=1152&page=2") == pager_base("http://x/list.asp?classid=1152")
    assert pager_base("http://x/col/index_3.html") == pager_base("http://x/col/index.html")
    assert pager_base("http://x/list.asp?classid=1153") != pager_base("http://x/list.asp?classid=1152")
    assert pager_base("http://x/index.asp?date=2024-01-02") != pager_base("http://x/index.asp")


@pytest.fixture(scope="module")
def generic_crawl(tmp_path_factory):
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from demosites.generic_site import AspCountySite

    site = AspCountySite()
    db = tmp_path_factory.mktemp("generic") / "ogi.db"
    with DemoPortal(core=False, mock_sites=[site]) as portal:
        sites = demo_sites_as_registry(portal)
        assert sites[0].platform == ""  # nobody names the family: detection must fall back
        crawl([CrawlJob(sites, db, dict(LOCAL_SETTINGS))])
        yield db, list(portal.request_log), portal.manifest()


def _q(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_crawl_finds_exactly_the_published_reports(generic_crawl):
    db, _log, manifest = generic_crawl
    assert set(_q(db, "SELECT agency, report_year, form, text_source FROM reports")) == EXPECTED
    published = {(m["agency"], m["report_year"]) for m in manifest if not m.get("decoy")}
    assert published == {(a, y) for a, y, _f, _s in EXPECTED}
    assert _q(db, "SELECT status, list_pages, reports, errors FROM crawl_runs") == [("ok", 7, 8, 0)]


def test_every_query_string_page_was_read_and_no_calendar_day(generic_crawl):
    _db, log, _m = generic_crawl
    paths = [p for _s, _m, p, _st in log]
    assert LIST_PAGES <= set(paths)
    assert not [p for p in paths if "date=" in p]  # the calendar links were never followed
    assert len(paths) == len(set(paths))  # nothing fetched twice


def test_decoys_read_but_not_stored(generic_crawl):
    db, log, manifest = generic_crawl
    decoys = [m for m in manifest if m.get("decoy")]
    assert len(decoys) == 2
    fetched = {p for _s, _m, p, _st in log}
    stored = {u for (u,) in _q(db, "SELECT source_url FROM reports")}
    for d in decoys:
        assert d["detail_url"] not in stored
        assert d["detail_url"].split("/", 3)[3] and "/" + d["detail_url"].split("/", 3)[3] in fetched


def test_attachments_under_uploadfile(generic_crawl):
    db, _log, _m = generic_crawl
    urls = {u for (u,) in _q(db, "SELECT url FROM captures WHERE kind = 'attachment'")}
    assert len(urls) == 2 and all("/uploadfile/20" in u for u in urls)


def test_ogi_crawl_url_without_platform(tmp_path):
    """`ogi crawl --url URL` (no --platform) on the ASP mock: the generic fallback, as a user runs it."""
    from demosites import DemoPortal
    from demosites.generic_site import AspCountySite

    db = tmp_path / "ogi.db"
    with DemoPortal(core=False, mock_sites=[AspCountySite()]) as portal:
        url = portal.sites[0].entry_url
        proc = subprocess.run([sys.executable, "-m", "ogi.cli", "crawl", "--url", url, "--name", "西华县人民政府",
                               "--adcode", "411622", "--db", str(db), "--delay", "0", "--quiet",
                               "--allow-network", "127.0.0.1/32"],
                              capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(_q(db, "SELECT report_id FROM reports")) == len(EXPECTED)
    assert _q(db, "SELECT status FROM crawl_runs") == [("ok",)]
