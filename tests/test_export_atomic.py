"""Issue 13's export scenario: a filter matching nothing must not replace a good export with an empty package
(it did, exit 0, the warning printed twice). Now: exit 1, one Error: line, the earlier export byte for byte
as it was; --allow-empty writes the empty package on purpose, with the warning once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_serve import build_corpus


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("atomic") / "ogi.db"
    build_corpus(db)
    return db


def _tree(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def _export(*args: str):
    from ogi.cli import main

    return CliRunner().invoke(main, ["export", *args], catch_exceptions=False)


def test_empty_selection_keeps_the_earlier_export(corpus_db, tmp_path):
    out = tmp_path / "dataset"
    good = _export("--db", str(corpus_db), "--out", str(out))
    assert good.exit_code == 0 and "6 reports" in good.stdout
    before = _tree(out)

    res = _export("--db", str(corpus_db), "--out", str(out), "--province", "火星")
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: no reports match the filters"), res.output
    assert _tree(out) == before

    res = _export("--db", str(corpus_db), "--out", str(out), "--agency", "不存在的机关", "--allow-empty")
    assert res.exit_code == 0 and "0 reports" in res.stdout
    assert res.output.count("no reports match the filters") == 1, res.output
    assert (out / "reports.csv").read_text(encoding="utf-8").count("\n") == 1  # the header only


def test_filters_are_written_into_the_readme(corpus_db, tmp_path):
    out = tmp_path / "hb"
    res = _export("--db", str(corpus_db), "--out", str(out), "--site", "t-hb", "--from", "2019", "--to", "2020")
    assert res.exit_code == 0 and "1 reports" in res.stdout, res.output
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "t-hb" in readme and "2019" in readme
