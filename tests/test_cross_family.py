"""Families are hints, not gates (issue 10): for every family, a portal whose home page shows no family marker
(demosites/nomarker_sites.py) is crawled from its home page alone and must give exactly the reports the crawl
told the right --platform gives — every published report, no decoy — with nested sub-columns (县政府 per year,
部门 over createPageHTML pages, 乡镇 per unit) and, on 婺源, a 信息公开 platform on another CMS than the portal.
So do TRS portals whose 信息公开 platform is Anhui's, Shandong's, gkmlpt or 开普云.
The same crawl with OGI_CROSS_FAMILY=False (the family guessed at the home page kept for the whole site, as
before) misses reports on every one of them: that is what the tests would catch."""

from __future__ import annotations

import pytest

from tests.conftest import crawl, demo_sites_as_registry, query_db

FAMILIES = ["trs", "hanweb", "anhui", "shandong", "gkmlpt", "kaipuyun"]


def _run(tmp_path_factory, name: str, platform: str, cross_family: bool = True, trs_portals: bool = False):
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from demosites.nomarker_sites import TrsPortalHanwebSite, plain_home_sites, trs_portal_sites

    if trs_portals:  # portals on TRS whose 信息公开 platform is Anhui's, Shandong's, gkmlpt or 开普云
        mocks = trs_portal_sites()
    else:
        mocks = plain_home_sites(platform)
        mocks["hanweb-trs-portal"] = TrsPortalHanwebSite()  # the portal on TRS, its 信息公开 platform on Hanweb
    db = tmp_path_factory.mktemp(name) / "ogi.db"
    settings = {**LOCAL_SETTINGS, "OGI_CROSS_FAMILY": cross_family}
    with DemoPortal(core=False, mock_sites=list(mocks.values())) as portal:
        sites = demo_sites_as_registry(portal)
        crawl([CrawlJob(sites, db, settings)])
        manifest = portal.manifest()
    return {"db": db, "manifest": manifest, "ids": {k: m.site_id for k, m in mocks.items()},
            "platforms": {s.site_id: s.platform for s in sites}}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return {"detect": _run(tmp_path_factory, "detect", ""), "told": _run(tmp_path_factory, "told", "own"),
            "off": _run(tmp_path_factory, "off", "", cross_family=False),
            "trs": _run(tmp_path_factory, "trs", "", trs_portals=True),
            "trs-off": _run(tmp_path_factory, "trs-off", "", cross_family=False, trs_portals=True)}


def published(run, site_id) -> set[tuple[str, int]]:
    return {(m["agency"], m["report_year"]) for m in run["manifest"] if m["site_id"] == site_id and not m.get("decoy")}


def found(run, site_id) -> set[tuple[str, int]]:
    rows = query_db(run["db"], "SELECT agency, report_year FROM reports WHERE site_id = ?", (site_id,))
    assert len(rows) == len(set(rows))
    return set(rows)


def decoys_stored(run, site_id) -> int:
    titles = [m["title"] for m in run["manifest"] if m["site_id"] == site_id and m.get("decoy")]
    urls = [m["detail_url"] for m in run["manifest"] if m["site_id"] == site_id and m.get("decoy")]
    rows = query_db(run["db"], "SELECT title, source_url FROM reports WHERE site_id = ?", (site_id,))
    return sum(1 for title, url in rows if title in titles or url in urls)


@pytest.mark.parametrize("family", FAMILIES + ["hanweb-trs-portal"])
def test_home_page_only_finds_what_the_right_platform_finds(runs, family):
    detect, told = runs["detect"], runs["told"]
    site_id = detect["ids"][family]
    assert detect["platforms"][site_id] == ""  # nobody named the family
    expected = published(detect, site_id)
    assert len(expected) >= 4
    assert found(detect, site_id) == expected
    assert decoys_stored(detect, site_id) == 0
    if family in FAMILIES:
        assert told["platforms"][site_id] == family
        assert found(told, site_id) == expected
        assert decoys_stored(told, site_id) == 0


@pytest.mark.parametrize("family", FAMILIES + ["hanweb-trs-portal"])
def test_without_cross_family_reading_reports_are_missed(runs, family):
    off = runs["off"]
    site_id = off["ids"][family]
    assert found(off, site_id) < published(off, site_id)


@pytest.mark.parametrize("family", ["anhui", "shandong", "gkmlpt", "kaipuyun"])
def test_a_trs_portal_with_another_familys_platform(runs, family):
    """The entry page is TRS (detected as such), the 信息公开 platform another family's: all its reports, no decoy;
    with the entry's family kept for the whole site, reports are missed."""
    run, off = runs["trs"], runs["trs-off"]
    site_id = run["ids"][family]
    assert found(run, site_id) == published(run, site_id) and len(published(run, site_id)) >= 4
    assert decoys_stored(run, site_id) == 0
    messages = dict(query_db(run["db"], "SELECT site_id, message FROM crawl_runs"))
    assert f"read as {family} (the entry page as trs)" in messages[site_id]
    assert found(off, site_id) < published(off, site_id)


def test_the_nested_trs_site_reads_every_createpagehtml_page(runs):
    """The issue's case: 部门年报 pages index_1/index_2 exist only in createPageHTML(3, 0, "index", "shtml")."""
    detect, off = runs["detect"], runs["off"]
    site_id = detect["ids"]["trs"]
    depts = {(a, y) for a, y in published(detect, site_id) if not a.endswith(("人民政府", "办事处"))}
    assert len(depts) == 8 and depts <= found(detect, site_id)
    missed = published(off, site_id) - found(off, site_id)
    assert missed and missed <= depts  # only what stood behind the JavaScript pager


def test_which_family_read_the_columns_is_recorded(runs):
    detect = runs["detect"]
    messages = dict(query_db(detect["db"], "SELECT site_id, message FROM crawl_runs"))
    assert "read as trs (the entry page as generic)" in messages[detect["ids"]["trs"]]
    assert "read as hanweb (the entry page as trs)" in messages[detect["ids"]["hanweb-trs-portal"]]
    assert "read as gkmlpt" in messages[detect["ids"]["gkmlpt"]]


def test_every_pager_fingerprint_names_its_family():
    """The pagers a list page can show, each recognised whichever family was guessed at the entry."""
    from crawler.spiders import family_registry

    pages = {
        "trs": ['<script>createPageHTML(3, 0, "index", "shtml");</script>', "<script>var countPage = 3;</script>"],
        "hanweb": ["<script type='text/xml'><datastore><recordset></recordset></datastore></script>"],
        "anhui": ['<script>$.ajax({url: "/site/label/8888", data: {pageIndex: 1}});</script>'],
        "shandong": ['<a href="/gongkai/site_zdqzfhcxjsj/">住建局</a>'],
        "kaipuyun": ["<cmspro_documents><ul><li>x</li></ul></cmspro_documents>"],
        "gkmlpt": ["<script>window._CONFIG = { SID: 'x', TREE: [] };</script>"],
    }
    families = family_registry()
    for family, texts in pages.items():
        for text in texts:
            detected = [name for name, cls in families.items() if not cls.fallback and cls.detect_text(text)]
            assert detected == [family], (family, text)
