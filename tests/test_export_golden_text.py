"""The export's prose, byte for byte: README.md, CITATION.cff and datapackage.json's licences, sources and
contributors for fixed hand-made inputs (those of tests/test_mut_export_meta.py), compared with reviewed
golden files in tests/golden/export/.

Why: test_mut_export_meta pins the figures the README states; a mutation run (scripts/mutation.sh
export-meta) showed that nothing pinned its sentences or the licence terms, so a typo, a dropped clause or
a licence statement that contradicts datapackage.json would ship unnoticed. A golden file is read once by a
person (as a researcher would read the export) and then guards every word.

A deliberate wording change is one command and a reviewed diff:

    OGI_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_export_golden_text.py
    git diff tests/golden/export/      # read it as a researcher would, then commit it with the change

With OGI_UPDATE_GOLDEN=1 the tests write the files instead of comparing (and pass).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus.export_views import CrawlHistory
from ogi.export.citation import citation_cff, package_provenance
from ogi.export.readme import readme
from tests.test_mut_export_meta import make, report

GOLDEN = Path(__file__).parent / "golden" / "export"
SITES = [("gd-jx", "甲县人民政府", "广东省", "trs", "2024-01-03T00:00:00Z"),
         ("hn-yx", "乙县人民政府", "湖南省", "kaipuyun", None)]


def check(name: str, text: str) -> None:
    """`text` equals tests/golden/export/`name` byte for byte (or is written there with OGI_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    data = text.encode("utf-8")
    if os.environ.get("OGI_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"{path} is missing: OGI_UPDATE_GOLDEN=1 writes it (then review it)"
    assert text == path.read_bytes().decode("utf-8"), (
        f"{name} differs from {path}; if the change is deliberate: OGI_UPDATE_GOLDEN=1 .venv/bin/python -m pytest "
        f"{Path(__file__).name}, then review `git diff {GOLDEN.relative_to(GOLDEN.parents[2])}`")


def test_readme_full():
    """Every optional part: sites, filters, flags, errors, crawl errors, reports without capture or year,
    Stata files and the Excel BOM."""
    reports = [report(1, n_flags=2, flags_list=["sum_mismatch", "year_mismatch"], n_errors=1,
                      errors_list=["table 3 unreadable: 12 columns, expected 9"]),
               report(2, report_year=2022, page_urls="", attachment_urls=""),
               report(3, province="湖南省", form="form2019", report_year=None, n_flags=1,
                      flags_list=["sum_mismatch"], page_urls="", attachment_urls="")]
    check("README-full.md", make(reports=reports, sites=SITES, excel=True, stata=True,
                                 filters={"years": [2021, 2022], "provinces": ["广东省", "湖南省"],
                                          "only_passing": False}))


def test_readme_plain():
    """The defaults: no filters, no Stata, CSV without BOM, nothing flagged."""
    check("README-plain.md", make())


def test_readme_one_of_everything():
    """Singulars: one report, one statistic, one agency, one year, one flagged report without capture."""
    one = report(1, n_flags=1, flags_list=["sum_mismatch"], page_urls="", attachment_urls="")
    check("README-one.md", readme(CrawlHistory(1, "2024-01-01", "2024-01-01", 1, [("ok", 1)], []), SITES[:1], [one],
                                  1, "v1", "2024-01-01T00:00:00Z", {"agencies": ["机关1"]}, ["reports.csv"], False,
                                  False, "keys.py", "One"))


def test_readme_empty():
    """An empty package from a database without crawls."""
    check("README-empty.md", make(reports=[], history=CrawlHistory(0, None, None, 0, [], []), generated="unknown"))


def test_citation_cff():
    check("CITATION.cff", citation_cff("ogi export: 政府信息公开工作年度报告", "3f9a2c1d0b7e",
                                       "2024-01-03T00:00:00Z", 3, [2021, 2022]))


def test_citation_cff_undated():
    check("CITATION-undated.cff", citation_cff("ogi export", "0000", "unknown", 1, [2023]))
    assert 'abstract: "0 government information-disclosure annual reports, with' in citation_cff(
        "t", "v", "unknown", 0, [])


def test_datapackage_provenance():
    check("datapackage-provenance.json",
          json.dumps(package_provenance(SITES), ensure_ascii=False, indent=2) + "\n")


def test_datapackage_provenance_without_sites():
    assert package_provenance([])["licenses"] == package_provenance(SITES)["licenses"]
    check("datapackage-provenance-nosites.json",
          json.dumps(package_provenance([]), ensure_ascii=False, indent=2) + "\n")


@pytest.mark.parametrize("name", ["README-full.md", "README-plain.md", "README-one.md", "README-empty.md"])
def test_readme_golden_files_agree_with_the_citation_and_licences(name):
    """The README's Licence section names the same licences as datapackage.json, and the code's (MIT)."""
    if os.environ.get("OGI_UPDATE_GOLDEN") == "1":
        pytest.skip("writing golden files")
    text = (GOLDEN / name).read_text(encoding="utf-8")
    section = text.split("## Licence\n", 1)[1].split("\n## ", 1)[0]
    licences = json.loads((GOLDEN / "datapackage-provenance.json").read_text(encoding="utf-8"))["licenses"]
    assert licences[0]["name"] == "CC0-1.0" and licences[0]["path"] in section
    assert "MIT-licensed" in section  # LICENSE itself: tests/test_license.py


def test_citation_golden_file_is_yaml_with_the_data_licence():
    """CITATION.cff's `license` (SPDX ids only in CFF 1.2) is the data's, as in datapackage.json."""
    import yaml

    if os.environ.get("OGI_UPDATE_GOLDEN") == "1":
        pytest.skip("writing golden files")
    cff = yaml.safe_load((GOLDEN / "CITATION.cff").read_text(encoding="utf-8"))
    licences = json.loads((GOLDEN / "datapackage-provenance.json").read_text(encoding="utf-8"))["licenses"]
    assert cff["license"] == licences[0]["name"] == "CC0-1.0" and cff["type"] == "dataset"
    assert "not licensed by ogi" in cff["message"] and "\n" not in cff["message"]
