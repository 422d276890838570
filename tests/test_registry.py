"""The site registry: the shipped file loads, and every validation fires with a message naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.registry import RegistryError, load_registry

ROOT = Path(__file__).resolve().parents[1]
HEADER = "site_id,name,province,city,county,adcode,entry_urls,platform,verified,notes\n"


def write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "sites.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_shipped_registry_has_the_seed_counties_and_demo_sites():
    sites = {s.site_id: s for s in load_registry(ROOT / "data" / "sites.csv")}
    adcodes = {s.adcode for s in sites.values()}
    assert {"341525", "370306", "140428", "420112", "440704"} <= adcodes
    unverified = {s.site_id for s in sites.values() if not s.verified}
    assert {"zhangzi", "dongxihu", "jianghai"} <= unverified
    assert {s.platform for s in sites.values() if s.adcode and s.entry_urls[0].startswith("http://127.0.0.1")} == {"trs", "hanweb"}


def test_valid_row_loads_with_several_entry_urls(tmp_path):
    path = write(tmp_path, "x1,某县人民政府,某省,某市,某县,123456,http://a.gov.cn/ https://b.gov.cn/x,trs,yes,\n")
    (site,) = load_registry(path)
    assert site.entry_urls == ["http://a.gov.cn/", "https://b.gov.cn/x"]
    assert site.verified and site.platform == "trs"


@pytest.mark.parametrize(
    "row, message",
    [
        ("x1,某县,,,,12345,http://a.gov.cn/,,,\n", "adcode '12345' is not a 6-digit"),
        ("x1,某县,,,,123456,ftp://a.gov.cn/,,,\n", "is not an http(s) URL"),
        ("x1,某县,,,,123456,,,,\n", "no entry URL"),
        ("x 1,某县,,,,123456,http://a.gov.cn/,,,\n", "site_id 'x 1'"),
        ("x1,,,,,123456,http://a.gov.cn/,,,\n", "name is empty"),
        ("x1,某县,,,,123456,http://a.gov.cn/,wordpress,,\n", "unknown platform 'wordpress'"),
        ("x1,某县,,,,123456,http://a.gov.cn/,,,\nx1,某县,,,,123456,http://b.gov.cn/,,,\n", "duplicate site_id x1"),
    ],
)
def test_bad_rows_are_refused_with_the_line(tmp_path, row, message):
    path = write(tmp_path, row)
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert message in str(err.value)
    assert "sites.csv:" in str(err.value)


def test_missing_file_and_missing_columns(tmp_path):
    with pytest.raises(RegistryError, match="does not exist"):
        load_registry(tmp_path / "nope.csv")
    path = tmp_path / "bad.csv"
    path.write_text("id,url\n1,http://a/\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="missing column"):
        load_registry(path)


def test_blank_and_commented_rows_are_skipped(tmp_path):
    path = write(tmp_path, "\n#old,某县,,,,123456,http://a.gov.cn/,,,\nx2,某县,,,,123456,http://a.gov.cn/,,,\n")
    assert [s.site_id for s in load_registry(path)] == ["x2"]
