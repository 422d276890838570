"""DemoPortal(host_per_site=True) — the crawl benchmark's setup — puts each site on a loopback address of its own,
so Scrapy gives each its own download slot as it would real county hosts; the private-address guard still
refuses the sites' addresses unless the crawl allows them (OGI_ALLOWED_PRIVATE_NETWORKS)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import crawl, demo_sites_as_registry, query_db


def _portal():
    from demosites import DemoPortal
    from demosites.mutable import MutableCounty

    sites = [MutableCounty(f"h{i}", county, province="山西省", city="长治市", adcode=code,
                           reports=[(f"{county}人民政府", 2022, "form2021", "html")])
             for i, (county, code) in enumerate([("长子县", "140428"), ("武乡县", "140429"), ("沁县", "140430")])]
    return DemoPortal(core=False, mock_sites=sites, host_per_site=True)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from crawler.run import LOCAL_SETTINGS, CrawlJob

    out = {}
    with _portal() as portal:
        out["hosts"] = [urlsplit(s.entry_url).hostname for s in portal.sites]
        sites = demo_sites_as_registry(portal)
        for label, networks in (("allowed", ["127.0.0.0/8"]), ("default", LOCAL_SETTINGS["OGI_ALLOWED_PRIVATE_NETWORKS"])):
            db = tmp_path_factory.mktemp(label) / "ogi.db"
            crawl([CrawlJob(sites, db, {**LOCAL_SETTINGS, "OGI_ALLOWED_PRIVATE_NETWORKS": networks,
                                        "OGI_EXTRACT_MODE": "inline"})])
            out[label] = db
    return out


def test_each_site_has_its_own_loopback_address_and_is_crawled(crawled) -> None:
    hosts = crawled["hosts"]
    assert len(set(hosts)) == 3 and all(h.startswith("127.") and h != "127.0.0.1" for h in hosts)
    rows = query_db(crawled["allowed"], "SELECT site_id, source_url FROM reports ORDER BY site_id")
    assert [site for site, _ in rows] == ["h0", "h1", "h2"]
    assert [urlsplit(url).hostname for _, url in rows] == hosts  # each report from its own site's address


def test_the_private_address_guard_still_refuses_addresses_not_allowed(crawled) -> None:
    assert query_db(crawled["default"], "SELECT COUNT(*) FROM reports") == [(0,)]
    kinds = {kind for (kind,) in query_db(crawled["default"], "SELECT DISTINCT kind FROM crawl_errors")}
    assert "private_address" in kinds
