"""Output into a pipe (issue 13): not hard-wrapped at 80 columns (titles, URLs and table rows stay whole for
grep and cut), and a reader that stops early (`ogi search … | head -1`) is no failure: exit 0, nothing on
stderr (click and rich exited 1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_serve import build_corpus

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("pipes") / "ogi.db"
    build_corpus(db)
    return db


def _ogi(*args: str) -> list[str]:
    return [sys.executable, "-m", "ogi.cli", *args]


@pytest.mark.parametrize("args", [["search", "复议"], ["search", "复议", "--format", "csv"], ["status"],
                                  ["completeness"], ["completeness", "--json"]])
def test_closed_pipe_exits_0(corpus_db, args):
    proc = subprocess.Popen(_ogi(*args, "--db", str(corpus_db)), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"})
    proc.stdout.close()  # the reader is gone before the first line: every write meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""


def test_piped_tables_are_not_wrapped(corpus_db):
    done = subprocess.run(_ogi("status", "--db", str(corpus_db)), cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    header = next(ln for ln in done.stdout.splitlines() if "verdict" in ln)
    assert "site" in header and "why" in header, done.stdout  # one line, not cut at 80 columns
    row = next(ln for ln in done.stdout.splitlines() if "t-ah" in ln)
    assert "5 report pages listed, 5 reports saved" in row
    done = subprocess.run(_ogi("search", "复议", "--db", str(corpus_db)), cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert done.stdout.rstrip().splitlines()[-1].endswith("shown")
