"""The project's terms (issue 13): the code is MIT (LICENSE, pyproject.toml, CITATION.cff); an export's numbers
and metadata are CC0-1.0, and its report texts are the agencies' documents, which ogi does not license: the
data package's `licenses` and the export's README say so, quoting PRC Copyright Law Art. 5, leaving the judgement
to the user and pointing at the per-report sources. Before, the repository had no LICENSE and the package one
non-committal `other-open-government-information` entry."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_serve import build_corpus

ROOT = Path(__file__).resolve().parents[1]


def test_the_code_is_mit():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) ") and "ogi contributors" in text
    assert "Permission is hereby granted, free of charge" in text
    assert tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"] == "MIT"
    assert "\nlicense: MIT\n" in (ROOT / "CITATION.cff").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    from ogi.cli import main

    tmp = tmp_path_factory.mktemp("licence")
    build_corpus(tmp / "ogi.db")
    res = CliRunner().invoke(main, ["export", "--db", str(tmp / "ogi.db"), "--out", str(tmp / "out")])
    assert res.exit_code == 0, res.output
    return tmp / "out"


def test_datapackage_licenses(export):
    licenses = json.loads((export / "datapackage.json").read_text(encoding="utf-8"))["licenses"]
    assert [lic["name"] for lic in licenses] == ["CC0-1.0", "LicenseRef-PRC-Copyright-Law-Article-5"]
    data, texts = licenses
    assert data["path"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert data["title"].startswith("CC0 1.0 Universal, for the numbers, tables, metadata and codebook")
    assert "except the report texts" in data["title"]
    assert "path" not in texts  # nothing to point at: ogi grants no licence for the texts
    for words in ("texts.jsonl", "not licensed by ogi", "Article 5 of the Copyright Law of the PRC (著作权法 第五条)",
                  "laws, regulations, resolutions, decisions and orders of state organs, other documents of a "
                  "legislative, administrative or judicial nature",
                  "法律、法规，国家机关的决议、决定、命令和其他具有立法、行政、司法性质的文件",
                  "is the user's judgement", "listed per report in reports.csv (source_url"):
        assert words in texts["title"], words


def test_the_package_still_validates(export):
    import frictionless

    report = frictionless.validate(export / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_the_export_readme_states_the_terms(export):
    readme = (export / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Licence\n", 1)[1].split("\n## ", 1)[0]
    assert "CC0 1.0" in section and "CC0-1.0" in section
    assert "著作权法 第五条" in section and "state organs" in section and "is your judgement" in section
    assert "`source_url`" in section and "MIT" in section
    assert readme.index("## Licence") < readme.index("## How to cite")
