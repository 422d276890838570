"""Choosing part of the registry (`ogi crawl --province/--city/--adcode`) and the ids of ad-hoc sites."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.registry import RegistryError, adhoc_site_id, filter_sites, load_registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped():
    return load_registry(ROOT / "data" / "sites.csv")


def test_a_province(shipped):
    hubei = filter_sites(shipped, provinces=("湖北省",))
    assert len(hubei) > 100 and {s.province for s in hubei} == {"湖北省"}
    assert filter_sites(shipped, provinces=("湖北",)) == hubei  # a prefix names it too
    assert {"dongxihu", "dxh"} <= {s.site_id for s in hubei}  # the seed and demo rows belong to it


def test_a_city_and_a_code_range(shipped):
    enshi = filter_sites(shipped, cities=("恩施土家族苗族自治州",))
    by_code = filter_sites(shipped, adcodes=("4228*",))
    assert sorted(s.adcode for s in enshi) == sorted(s.adcode for s in by_code)
    assert len(by_code) == 8 and all(s.adcode.startswith("4228") for s in by_code)
    assert [s.county for s in filter_sites(shipped, adcodes=("422802",))] == ["利川市"]
    # kinds combine with AND, values of one kind with OR
    assert filter_sites(shipped, provinces=("湖北省",), adcodes=("3415*",)) == []
    both = filter_sites(shipped, adcodes=("422802", "422801"))
    assert {s.county for s in both} == {"恩施市", "利川市"}


@pytest.mark.parametrize("bad", ["42a8", "4228**", "", "1234567"])
def test_bad_code_filter_is_refused(shipped, bad):
    with pytest.raises(RegistryError, match="adcode filter"):
        filter_sites(shipped, adcodes=(bad,))


@pytest.mark.parametrize("url, site_id", [
    ("http://www.dxh.gov.cn/zwgk/", "dxh.gov.cn"),
    ("https://WWW.Lichuan.gov.cn", "lichuan.gov.cn"),
    ("http://127.0.0.1:18601/", "127.0.0.1_18601"),
    ("http://xxgk.es.gov.cn:8080/a?b=1", "xxgk.es.gov.cn_8080"),
    ("http://www/", "www"),  # a bare host keeps its name
])
def test_adhoc_sites_are_named_after_their_host(url, site_id):
    assert adhoc_site_id(url) == site_id


def test_cli_refuses_a_filter_that_matches_nothing(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ogi.cli", "crawl", "--province", "火星省", "--db",
                           str(tmp_path / "x.db"), "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "no site of data/sites.csv matches" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "ogi.cli", "crawl", "--adcode", "42x", "--db",
                           str(tmp_path / "x.db"), "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "adcode filter '42x'" in proc.stderr and "Traceback" not in proc.stderr


def test_two_adhoc_crawls_stay_two_sites(tmp_path):
    """`ogi crawl --url` of two sites into one database: two sites in ogi status, not one 'adhoc' overwritten."""
    import json

    from demosites import DemoPortal
    from demosites.nomarker_sites import TrsNestedSite, TrsPortalHanwebSite

    db = tmp_path / "ogi.db"
    with DemoPortal(core=False, mock_sites=[TrsNestedSite(), TrsPortalHanwebSite()]) as portal:
        for site in portal.sites:
            proc = subprocess.run([sys.executable, "-m", "ogi.cli", "crawl", "--url", site.entry_url, "--name", site.name,
                                   "--adcode", site.adcode, "--db", str(db), "--allow-network", "127.0.0.1/32",
                                   "--delay", "0", "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        expected = {adhoc_site_id(s.entry_url) for s in portal.sites}
    status = subprocess.run([sys.executable, "-m", "ogi.cli", "status", "--db", str(db), "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    assert len(expected) == 2 and all(i.startswith("127.0.0.1_") for i in expected)
    assert {h["site_id"] for h in json.loads(status.stdout)} == expected


def test_scrapy_crawl_takes_the_same_filters():
    from crawler.spiders.portal import PortalSpider

    spider = PortalSpider(registry=str(ROOT / "data" / "sites.csv"), adcodes="4228*,420112", province="湖北省")
    assert {s.adcode for s in spider.sites} >= {"422801", "422802", "420112"}
    assert all(s.adcode.startswith(("4228", "420112")) for s in spider.sites)
