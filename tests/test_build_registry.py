"""scripts/build_registry.py on small cuts of the two public lists (tests/fixtures/registry/, never ../shared):
every county-level division gets a row, the lists are cross-checked, known errors are left out and named,
hand-written rows survive a re-run, and the shipped registry covers the country."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from crawler.registry import load_registry, write_registry

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(__file__).resolve().parent / "fixtures" / "registry"


def _script():
    spec = importlib.util.spec_from_file_location("build_registry", ROOT / "scripts" / "build_registry.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_registry"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build_registry():
    return _script()


@pytest.fixture()
def built(build_registry, tmp_path):
    """A registry with one hand-written seed row and one stale generated row, rebuilt from the fixtures."""
    from crawler.registry import Site

    registry = tmp_path / "sites.csv"
    seed = Site("dongxihu", "东西湖区人民政府", "湖北省", "武汉市", "东西湖区", "420112", ["http://www.dxh.gov.cn/"],
                "trs", True, "checked by hand")
    stale = Site("999999", "旧县人民政府", "某省", "", "旧县", "999999", ["http://old.gov.cn/"],
                 source="laosheng+anyi: an earlier build")
    write_registry(registry, [seed, stale])
    code = build_registry.main(["--sources", str(SOURCES), "--registry", str(registry)])
    assert code == 0
    return {s.site_id: s for s in load_registry(registry)}, registry


def test_every_county_level_division_with_a_url_gets_a_row(capsys, built):
    sites, _path = built
    out = capsys.readouterr().out
    assert "county-level divisions: 21; with >= 1 candidate URL: 19 (90.5%); without: 2" in out
    assert "no URL: 460321 海南省 三沙市 西沙区" in out
    generated = {s.adcode for s in sites.values() if s.source}
    assert len(generated) == 18  # 19 with a URL, less 420112 which the seed row covers
    assert {"110000", "420100", "422800"}.isdisjoint(generated)  # provinces and prefectures are not counties
    lichuan = sites["422802"]
    assert (lichuan.province, lichuan.city, lichuan.county, lichuan.name) == ("湖北省", "恩施土家族苗族自治州", "利川市",
                                                                              "利川市人民政府")
    assert lichuan.entry_urls == ["http://www.lichuan.gov.cn/"] and not lichuan.verified and lichuan.platform == ""
    assert "Laosheng" in lichuan.source and "anyi-econ" in lichuan.source  # both lists credited
    assert sites["110101"].city == "北京市"  # a municipality's districts belong to the city itself
    shz = sites["659001"]  # 兵团: 石河子市／第八师; the first list links an inner page
    assert shz.county == "石河子市" and "第八师" in shz.notes and shz.entry_urls == ["http://www.shz.gov.cn/"]


def test_hand_written_rows_are_kept_and_stale_generated_rows_replaced(built):
    sites, _path = built
    seed = sites["dongxihu"]
    assert seed.verified and seed.platform == "trs" and seed.notes == "checked by hand" and not seed.source
    assert "420112" not in sites  # no second row for the seed's division
    assert "999999" not in sites


def test_known_errors_are_left_out_and_named(built):
    sites, _path = built
    assert sites["510402"].entry_urls == ["http://www.scdongqu.gov.cn/"]  # not Tianjin's tjhd.gov.cn
    assert "Tianjin" in sites["510402"].notes and "tjhd.gov.cn" in sites["510402"].notes
    assert sites["140303"].entry_urls == ["http://www.yqkq.gov.cn/"]
    assert sites["310107"].entry_urls == ["http://www.shpt.gov.cn"] and sites["330903"].entry_urls == [
        "http://www.putuo.gov.cn/"]
    assert sites["511002"].entry_urls == ["http://www.neijiangshizhongqu.gov.cn"]
    assert sites["511102"].entry_urls == ["http://www.lsszq.gov.cn"]
    assert sites["341702"].entry_urls == ["http://www.ahgc.gov.cn"]
    assert "prefecture's portal" in sites["341702"].notes
    assert "350527" not in sites  # 金门县: only 泉州's page about its counties


def test_disagreeing_lists_keep_both_urls(built):
    sites, _path = built
    xiantao = sites["429004"]
    assert xiantao.entry_urls == ["https://www.xiantao.gov.cn/", "https://58.49.42.70/"]
    assert "different hosts: both kept" in xiantao.notes and "inner page" in xiantao.notes
    assert sites["610305"].entry_urls == ["http://www.fengxiang.gov.cn/"]  # renamed 凤翔: matched by its stem
    assert "凤翔区" in sites["610305"].notes


def test_rerun_gives_the_same_file(build_registry, built):
    _sites, path = built
    before = path.read_bytes()
    assert build_registry.main(["--sources", str(SOURCES), "--registry", str(path)]) == 0
    assert path.read_bytes() == before


def test_missing_sources_say_what_is_missing(build_registry, tmp_path):
    with pytest.raises(SystemExit, match="laosheng_qianxian.md not found"):
        build_registry.main(["--sources", str(tmp_path), "--registry", str(tmp_path / "s.csv")])


def test_shipped_registry_covers_every_county():
    sites = load_registry(ROOT / "data" / "sites.csv")
    national = [s for s in sites if s.adcode and s.entry_urls and s.source]
    assert len(national) >= 2800
    assert len({s.adcode for s in national}) == len(national)
    adcodes = {s.adcode for s in sites}
    assert len({a for a in adcodes if a[4:] != "00"}) >= 2830
    seeds = {s.site_id: s for s in sites if not s.source}
    assert {"huoshan", "zhoucun", "zhangzi", "dongxihu", "jianghai"} <= set(seeds)
    assert seeds["huoshan"].verified and seeds["huoshan"].platform == "anhui"
    assert all(not s.verified for s in national)
