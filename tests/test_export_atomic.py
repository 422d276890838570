"""Issue 13's export scenario: a filter matching nothing must not replace a good export with an empty package
(it did, exit 0, the warning printed twice). Now: exit 1, one Error: line, the earlier export byte for byte
as it was; --allow-empty writes the empty package on purpose, with the warning once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_export_files import break_the_swap
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


@pytest.mark.parametrize("fail", ["writing the fifth file", "the swap", "the second of two renames"])
def test_a_failure_half_way_keeps_the_earlier_export(corpus_db, tmp_path, monkeypatch, fail):
    """The new export is written beside the old one and swapped in whole: a failure at any step leaves the old
    export byte for byte, and no temporary directory, inside it or beside it."""
    from ogi.export import files

    out = tmp_path / "dataset"
    assert _export("--db", str(corpus_db), "--out", str(out), "--stata").exit_code == 0
    before = _tree(out)
    if fail == "writing the fifth file":
        real, written = files._write_file, []

        def write(path, data):
            written.append(path)
            if len(written) == 5:
                raise OSError(28, "No space left on device", str(path))
            real(path, data)
        monkeypatch.setattr(files, "_write_file", write)
    else:
        break_the_swap(monkeypatch, "exchange" if fail == "the swap" else "second rename")
    res = _export("--db", str(corpus_db), "--out", str(out))  # without --stata: every file would change
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot write the export to {out}"), res.output
    assert lines[0].endswith("nothing there was changed"), res.output
    assert _tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["dataset"]
    assert not [p for p in out.iterdir() if p.is_dir()]


def test_an_earlier_export_is_swapped_for_the_new_one(corpus_db, tmp_path):
    """A second export into the same directory replaces it whole: the stale .dta files of a --stata export go."""
    out = tmp_path / "dataset"
    assert _export("--db", str(corpus_db), "--out", str(out), "--stata").exit_code == 0
    inode = out.stat().st_ino
    res = _export("--db", str(corpus_db), "--out", str(out), "--site", "t-hb")
    assert res.exit_code == 0, res.output
    assert out.stat().st_ino != inode
    assert not list(out.glob("*.dta")) and "t-hb" in (out / "README.md").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["dataset"]
