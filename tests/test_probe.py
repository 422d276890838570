"""`ogi probe` on offline mock sites (127.0.0.1 only): a portal whose home page shows no family, a TRS portal
handing its 信息公开 to a Hanweb platform, a gkmlpt catalogue behind a plain home, a site that moved (301 to
another host), one behind an anti-bot challenge and one where nothing listens. The probe records reachability,
the final URL, the entry's family and the report columns with the family that read each; the next crawl starts
at those columns (it finds every report even after the home page lost its way in)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.probe import probe_path, read_probes, write_probes
from crawler.registry import Site, load_registry, write_registry
from tests.conftest import crawl, query_db

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    from demosites import DemoPortal
    from demosites.nomarker_sites import TrsNestedSite, TrsPortalHanwebSite, plain_home_sites
    from demosites.obstacle_sites import ChallengeCounty, MovedSite

    tmp = tmp_path_factory.mktemp("probe")
    trs = TrsNestedSite("lcnm")
    new_home = TrsNestedSite("lcnew")  # where the moved site went (not in the registry)
    homes = plain_home_sites()
    mocks = [trs, TrsPortalHanwebSite(), homes["gkmlpt"], homes["anhui"], new_home, MovedSite("moved", new_home),
             ChallengeCounty("blk", "ruishu412")]
    with DemoPortal(core=False, mock_sites=mocks) as portal:
        sites = [Site(s.site_id, s.name, s.province, s.city, s.county, s.adcode, [s.entry_url]) for s in portal.sites
                 if s.site_id != "lcnew"]
        sites.append(Site("dead", "某县人民政府", "河南省", "", "某县", "411699", [f"http://127.0.0.1:{_free_port()}/"]))
        two = next(s for s in sites if s.site_id == "ahnm")  # two candidate URLs (the lists disagreed): one is dead
        two.entry_urls.insert(0, f"http://127.0.0.1:{_free_port()}/")
        registry = tmp / "sites.csv"
        write_registry(registry, sites)
        proc = subprocess.run(
            [sys.executable, "-m", "ogi.cli", "probe", "--registry", str(registry), "--db", str(tmp / "probe.db"),
             "--allow-network", "127.0.0.1/32", "--delay", "0", "--quiet"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        base = {s.site_id: s.entry_url.rstrip("/") for s in portal.sites}
        # the home page loses its link to the column; the column is where it was
        trs.hide_column = True
        next_crawls = {}
        from crawler.run import LOCAL_SETTINGS, CrawlJob

        for name, with_probe in (("with", True), ("without", False)):
            db = tmp / f"crawl-{name}.db"
            chosen = [s for s in load_registry(registry, probes=with_probe) if s.site_id == "lcnm"]
            crawl([CrawlJob(chosen, db, dict(LOCAL_SETTINGS))])
            next_crawls[name] = db
        yield {"proc": proc, "registry": registry, "probes": read_probes(probe_path(registry)), "base": base,
               "crawls": next_crawls, "manifest": portal.manifest()}


def test_probe_runs_and_says_which_sites_need_attention(probed):
    proc = probed["proc"]
    assert proc.returncode == 3, proc.stderr[-2000:]  # some sites answered without a column, or not at all
    assert "Traceback" not in proc.stderr
    assert "4 of 7 sites answered with a report column" in proc.stdout
    assert probe_path(probed["registry"]).name == "sites.probe.csv"


def test_a_home_page_without_marker_leads_to_a_trs_column(probed):
    row, base = probed["probes"]["lcnm"], probed["base"]["lcnm"]
    assert (row["status"], row["reachable"], row["family"]) == ("ok", "yes", "generic")
    assert row["final_url"] == base + "/"
    assert row["column_urls"].split() == [base + "/zwgk/nb/index.shtml"]
    assert row["column_families"] == "trs"


def test_the_family_that_serves_the_column_is_recorded(probed):
    row, base = probed["probes"]["dxtrs"], probed["base"]["dxtrs"]
    assert (row["status"], row["family"]) == ("ok", "trs")  # the portal's home page is TRS …
    assert row["column_urls"].split() == [base + "/col/col101/index.html"]
    assert row["column_families"] == "hanweb"  # … its 信息公开 platform Hanweb
    gk = probed["probes"]["jhnm"]
    assert gk["status"] == "ok" and gk["family"] == "generic"
    columns = gk["column_urls"].split()  # the 年报 categories (JSON API) and the units' own catalogues
    assert any("/gkmlpt/api/all/" in u for u in columns) and all("/gkmlpt/" in u for u in columns)
    assert set(gk["column_families"].split()) == {"gkmlpt"}


def test_of_two_candidate_urls_the_one_that_answers_is_named(probed):
    row, base = probed["probes"]["ahnm"], probed["base"]["ahnm"]
    assert row["reachable"] == "yes" and row["entry_url"] == base + "/" and row["final_url"] == base + "/"
    assert row["status"] == "partial" and "Connection was refused" in row["message"]  # the other one failed
    assert row["family"] == "generic" and set(row["column_families"].split()) == {"anhui"}
    assert row["column_urls"] and all("/public/column/" in u for u in row["column_urls"].split())


def test_moved_blocked_and_dead_sites(probed):
    probes, base = probed["probes"], probed["base"]
    moved = probes["moved"]
    assert moved["reachable"] == "yes" and moved["entry_url"] == base["moved"] + "/"
    assert moved["final_url"] == base["lcnew"] + "/"  # followed the 301 to the new host
    assert "update the registry" in moved["message"]
    assert moved["column_urls"].split() == [base["lcnew"] + "/zwgk/nb/index.shtml"]
    blocked = probes["blk"]
    assert (blocked["status"], blocked["reachable"], blocked["column_urls"]) == ("blocked", "yes", "")
    assert "瑞数" in blocked["message"] or "412" in blocked["message"]
    dead = probes["dead"]
    assert (dead["status"], dead["reachable"], dead["final_url"], dead["column_urls"]) == ("unreachable", "no", "", "")


def test_the_next_crawl_starts_at_the_probed_column(probed):
    published = {(m["agency"], m["report_year"]) for m in probed["manifest"]
                 if m["site_id"] == "lcnm" and not m.get("decoy")}
    found = set(query_db(probed["crawls"]["with"], "SELECT agency, report_year FROM reports WHERE site_id='lcnm'"))
    assert found == published and len(published) == 14
    # without the probe file the same crawl finds no way from the home page to the column any more
    assert query_db(probed["crawls"]["without"], "SELECT COUNT(*) FROM reports") == [(0,)]


def test_probe_file_merges_and_the_registry_reads_it(tmp_path):
    registry = tmp_path / "sites.csv"
    write_registry(registry, [Site("a", "甲县人民政府", entry_urls=["http://a.gov.cn/"]),
                              Site("b", "乙县人民政府", entry_urls=["http://b.gov.cn/"])])
    path = probe_path(registry)
    write_probes(path, [{"site_id": "a", "status": "ok", "reachable": "yes", "column_urls": "http://a.gov.cn/nb/",
                         "column_families": "trs"},
                        {"site_id": "b", "status": "unreachable", "reachable": "no"}])
    write_probes(path, [{"site_id": "b", "status": "ok", "reachable": "yes",
                         "column_urls": "http://b.gov.cn/nb/ javascript:x()", "column_families": "generic"}])
    sites = {s.site_id: s for s in load_registry(registry)}
    assert sites["a"].column_urls == ["http://a.gov.cn/nb/"] and sites["a"].column_families == ["trs"]
    assert sites["b"].column_urls == ["http://b.gov.cn/nb/"]  # only http(s) columns are taken
    assert load_registry(registry, probes=False)[0].column_urls == []
