"""`--format table|json|csv` on every command that prints rows, with one meaning (issue 13): json is a document
that parses, csv has a header line then one line per row, --json and --csv are the same as --format json/csv,
and two formats at once are a usage error. search, status, completeness and compare had it; probe and extract
did not (extract had only --json, probe only its table).

The read commands run on the small corpus of tests/test_serve.py; probe on one offline mock site (127.0.0.1).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_serve import ZF, build_corpus

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seeds" / "000_b2e877bf73f80718.txt"


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("format") / "ogi.db"
    build_corpus(db)
    return db


def _commands(db: Path) -> dict[str, list[str]]:
    return {
        "search": ["search", "复议", "--db", str(db)],
        "status": ["status", "--db", str(db)],
        "completeness": ["completeness", "--db", str(db)],
        "compare --check": ["compare", "--check", "--db", str(db)],
        "compare AGENCY": ["compare", ZF, "--year", "2021", "--db", str(db)],
        "compare --peers": ["compare", "--peers", "core.requests_new", "--year", "2021", "--county", "霍山县",
                            "--db", str(db)],
        "extract": ["extract", str(SEED)],
    }


def _run(args: list[str]):
    from ogi.cli import main

    return CliRunner().invoke(main, args, catch_exceptions=False)


def _csv_rows(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows and rows[0] and all(h and not h[0].isdigit() for h in rows[0]), text[:300]  # a header of names
    assert len({len(r) for r in rows}) == 1, "every line has the header's columns"
    return rows


@pytest.mark.parametrize("command", list(_commands(Path("x"))))
def test_json_parses_csv_has_a_header_and_the_shorthands_agree(corpus_db, command):
    args = _commands(corpus_db)[command]
    as_json = _run([*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data, f"{command} printed an empty JSON document"
    as_csv = _run([*args, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = _csv_rows(as_csv.stdout)
    assert len(rows) > 1, f"{command}: a header and no rows"
    assert _run([*args, "--json"]).stdout == as_json.stdout
    assert _run([*args, "--csv"]).stdout == as_csv.stdout
    table = _run([*args, "--format", "table"])
    assert table.exit_code == 0 and table.stdout.strip() and table.stdout != as_json.stdout
    both = _run([*args, "--json", "--format", "csv"])
    assert both.exit_code == 2 and "choose one output format" in both.output


def test_extract_csv_is_one_row_per_statistic(corpus_db):
    record = json.loads(_run(["extract", str(SEED), "--format", "json"]).stdout)
    rows = _csv_rows(_run(["extract", str(SEED), "--format", "csv"]).stdout)
    assert rows[0] == ["key", "value", "source", "confidence", "evidence"]
    assert [(r[0], float(r[1])) for r in rows[1:]] == [(s["key"], float(s["value"])) for s in record["stat_evidence"]]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_probe_prints_json_or_csv_with_the_probe_files_columns(tmp_path):
    from crawler.probe import PROBE_COLUMNS
    from crawler.registry import Site, write_registry
    from demosites import DemoPortal
    from demosites.nomarker_sites import TrsNestedSite

    with DemoPortal(core=False, mock_sites=[TrsNestedSite("lcnm")]) as portal:
        sites = [Site(s.site_id, s.name, s.province, s.city, s.county, s.adcode, [s.entry_url]) for s in portal.sites]
        sites.append(Site("dead", "某县人民政府", "河南省", "", "某县", "411699", [f"http://127.0.0.1:{_free_port()}/"]))
        registry = tmp_path / "sites.csv"
        write_registry(registry, sites)
        out = {}
        for fmt in ("json", "csv"):
            out[fmt] = subprocess.run(
                [sys.executable, "-m", "ogi.cli", "probe", "--registry", str(registry), "--db", str(tmp_path / "p.db"),
                 "--allow-network", "127.0.0.1/32", "--delay", "0", "--quiet", "--format", fmt],
                cwd=ROOT, capture_output=True, text=True, timeout=300)
    for fmt, proc in out.items():
        assert proc.returncode == 3, (fmt, proc.stderr[-2000:])  # the dead site: same exit code as the table
        assert "1 of 2 sites answered with a report column" in proc.stderr  # the summary is not in the data
    records = json.loads(out["json"].stdout)
    assert [r["site_id"] for r in records] == ["dead", "lcnm"] or [r["site_id"] for r in records] == ["lcnm", "dead"]
    assert all(list(r) == PROBE_COLUMNS for r in records)
    assert {r["site_id"]: r["status"] == "ok" for r in records} == {"lcnm": True, "dead": False}
    rows = _csv_rows(out["csv"].stdout)
    assert rows[0] == PROBE_COLUMNS and sorted(r[0] for r in rows[1:]) == ["dead", "lcnm"]
