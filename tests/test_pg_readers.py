"""The read commands on both backends (issue 14): the demo portal crawled by `ogi crawl` into SQLite and into
PostgreSQL (a real server, tests/pgserver.py) gives the same `ogi status`, `ogi completeness`, `ogi search`,
crawl summary and `ogi export`; `ogi snapshot` copies the PostgreSQL corpus into an SQLite file that reads the
same. What legitimately differs between the two crawls is listed in tests/pg_compare.py; between the PostgreSQL
corpus and its snapshot nothing differs but the score and order of search hits.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ogi.cli import main
from tests.pg_compare import (
    TIMES,
    db_rows,
    export,
    identities,
    normal_rows,
    ogi,
    readme_shape,
    status_records,
    table_rows,
)

QUERIES = ["复议", "行政复议", "信息公开", "住建 2019", "复议 OR 诉讼", '"信息 公开"', "依申请公开 驳回", "财政局",
           "2021", "zzz没有的词", "教育 OR 卫生 2020", "申请 复"]
FILTERS = ([], ["--province", "湖北省"], ["--year", "2021"], ["--agency", "财政"])


def _crawl_cli(registry: Path, db: str, cwd: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ogi.cli", "crawl", "--registry", str(registry), "--db", db, "--quiet",
         "--allow-network", "127.0.0.1/32", "--delay", "0", *extra],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"})  # rich wraps its tables to the terminal's width


@pytest.fixture(scope="module")
def corpora(tmp_path_factory, pg_server):
    """The demo portal crawled by `ogi crawl` (two processes at once) into SQLite and into PostgreSQL."""
    from demosites import DemoPortal

    base = tmp_path_factory.mktemp("pgreaders")
    url = pg_server.create_database("ogi_readers")
    with DemoPortal() as portal:
        rows = portal.registry_rows()
        registry = base / "sites.csv"
        with registry.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        procs = [_crawl_cli(registry, str(base / "demo.db"), base),
                 _crawl_cli(registry, url, base, "--raw-dir", str(base / "pgraw"))]
        outputs = [p.communicate(timeout=300)[0] for p in procs]
    for p, out in zip(procs, outputs, strict=True):
        assert p.returncode == 0, out
    return {"sqlite": str(base / "demo.db"), "pg": url, "base": base, "pg_output": outputs[1]}


def test_crawl_into_postgres_from_the_command_line(corpora):
    """`ogi crawl --db postgresql://… --raw-dir DIR`: the summary read back from PostgreSQL (reports by agency and
    year), the database named without '//' folded, raw bytes under DIR, the log under ./logs."""
    out, base = corpora["pg_output"], corpora["base"]
    assert f"database: {corpora['pg']}" in out
    n = len(db_rows(corpora["sqlite"], "SELECT report_id FROM reports"))
    assert n >= 35 and f"reports found ({n}), by agency and year" in out, out
    assert "东西湖区教育局" in out
    assert any((base / "pgraw").rglob("*")), "no raw bytes under --raw-dir"
    assert list((base / "logs").glob("crawl-*.log"))


def test_crawl_summary_same_on_both(corpora):
    from corpus.summary import crawl_summary
    from tests.conftest import query_db

    lite_runs = [r[0] for r in query_db(Path(corpora["sqlite"]), "SELECT run_id FROM crawl_runs")]
    from corpus.readonly import open_readonly

    conn = open_readonly(corpora["pg"])
    pg_runs = [r[0] for r in conn.execute("SELECT run_id FROM crawl_runs").fetchall()]
    conn.close()
    lite, pg = crawl_summary(corpora["sqlite"], lite_runs), crawl_summary(corpora["pg"], pg_runs)
    for s in (lite, pg):
        for run in s["runs"]:
            del run["run_id"]
    assert pg == lite
    assert pg["report_count"] >= 35 and len(pg["reports"]) > 10


def test_status_same_on_both(corpora):
    lite, pg = status_records(corpora["sqlite"]), status_records(corpora["pg"])
    assert [s["verdict"] for s in pg] == ["ok"] * 5
    assert pg == lite
    assert "site health (postgresql://" in ogi("status", "--db", corpora["pg"])


def test_completeness_same_on_both(corpora):
    def records(db: str) -> list[dict]:
        out = json.loads(ogi("completeness", "--json", "--from", "2015", "--to", "2023", "--db", db))
        for rec in out:
            rec.pop("report_id")  # an id (tests/pg_compare.py); the record keeps agency and year
        return out

    lite, pg = records(corpora["sqlite"]), records(corpora["pg"])
    assert sum(r["state"] == "found" for r in pg) >= 35
    assert pg == lite
    csv_lite = ogi("completeness", "--csv", "--site", "dxh", "--site", "zc", "--db", corpora["sqlite"])
    csv_pg = ogi("completeness", "--csv", "--site", "dxh", "--site", "zc", "--db", corpora["pg"])
    strip = [{k: v for k, v in r.items() if k != "report_id"} for r in csv.DictReader(io.StringIO(csv_lite))]
    assert strip == [{k: v for k, v in r.items() if k != "report_id"} for r in csv.DictReader(io.StringIO(csv_pg))]


def _hits(db: str, query: str, filters: list[str], keep_ids: bool = False) -> list[str]:
    hits = json.loads(ogi("search", "--json", "--limit", "1000", "--db", db, *filters, "--", query))
    drop = {"score"} | (set() if keep_ids else {"report_id"})  # ranking and ids (tests/pg_compare.py)
    return sorted(json.dumps({k: v for k, v in h.items() if k not in drop}, ensure_ascii=False) for h in hits)


def test_search_same_on_both(corpora):
    found = 0
    for query in QUERIES:
        for filters in FILTERS:
            lite = _hits(corpora["sqlite"], query, filters)
            assert _hits(corpora["pg"], query, filters) == lite, (query, filters)
            found += bool(lite)
    assert found >= 25


# -- export ------------------------------------------------------------------------------------------------


def test_export_same_on_both(corpora, tmp_path):
    """Every file of `ogi export` of the PostgreSQL corpus equals the SQLite corpus's: data files row by row after
    the normalization of tests/pg_compare.py, with the same column types (Parquet and Stata schemas);
    codebook.csv/.md byte for byte; datapackage.json but for version, created, hash and bytes; README.md but
    for the version and times; SHA256SUMS the same file list."""
    import pandas as pd
    import pyarrow.parquet as pq

    lite, pg = export(corpora["sqlite"], tmp_path / "lite"), export(corpora["pg"], tmp_path / "pg")
    names = sorted(p.name for p in lite.iterdir())
    assert sorted(p.name for p in pg.iterdir()) == names
    assert {"reports.csv", "statistics_long.parquet", "texts.jsonl", "reports.dta"} <= set(names)
    id_lite, id_pg = identities(lite), identities(pg)
    assert len(id_lite) >= 35 and sorted(id_pg.values()) == sorted(id_lite.values())
    for name in names:
        a, b = lite / name, pg / name
        if name.endswith((".csv", ".jsonl", ".parquet", ".dta")) and name != "codebook.csv":
            assert normal_rows(table_rows(b), id_pg) == normal_rows(table_rows(a), id_lite), name
            if name.endswith(".parquet"):
                assert pq.read_schema(b) == pq.read_schema(a), name
            if name.endswith(".dta"):
                assert pd.read_stata(b).dtypes.to_dict() == pd.read_stata(a).dtypes.to_dict(), name
        elif name == "datapackage.json":
            pa, pb = json.loads(a.read_text()), json.loads(b.read_text())
            for package in (pa, pb):
                package.pop("version"), package.pop("created")
                for resource in package["resources"]:
                    resource.pop("hash", None), resource.pop("bytes", None)
            assert pb == pa
        elif name in ("README.md", "CITATION.cff"):  # both name the version (and README the crawl times)
            assert readme_shape(b, id_pg) == readme_shape(a, id_lite), name
        elif name == "SHA256SUMS":
            assert [ln.split()[1] for ln in b.read_text().splitlines()] == \
                [ln.split()[1] for ln in a.read_text().splitlines()]
        else:
            assert b.read_bytes() == a.read_bytes(), name


# -- snapshot ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def snapshot_db(corpora):
    out = corpora["base"] / "snap" / "corpus.db"
    out.parent.mkdir()
    printed = ogi("snapshot", "--db", corpora["pg"], "--out", str(out))
    n = len(db_rows(corpora["sqlite"], "SELECT report_id FROM reports"))
    assert f"{n} reports" in printed and "ogi serve --db" in printed
    return out


def _pg_rows(url: str, table: str) -> list[tuple]:
    from corpus.readonly import open_readonly

    conn = open_readonly(url)
    try:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]
        return cols, sorted(tuple(r) for r in conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall())
    finally:
        conn.close()


def test_snapshot_has_every_row_with_the_same_ids(corpora, snapshot_db):
    from corpus.snapshot import TABLE_ORDER

    lite = sqlite3.connect(snapshot_db)
    try:
        for table in TABLE_ORDER:
            cols, pg_rows = _pg_rows(corpora["pg"], table)
            rows = sorted(tuple(r) for r in lite.execute(f"SELECT {', '.join(cols)} FROM {table}"))
            assert rows == pg_rows, table
            if table in ("reports", "statistics", "captures", "sites"):
                assert rows, table
        assert lite.execute("SELECT count(*) FROM reports_fts").fetchone()[0] == len(_pg_rows(corpora["pg"], "reports")[1])
        assert lite.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        lite.close()
    assert not [p.name for p in snapshot_db.parent.iterdir() if p.name != "corpus.db"]  # no temp or -wal file left


def test_snapshot_same_as_the_sqlite_crawl(corpora, snapshot_db):
    """The snapshot holds what the SQLite crawl holds: every table's rows but ids and times (pg_compare)."""
    from tests.conftest import query_db

    ident = {db: {rid: (a, y, ad) for rid, a, y, ad in query_db(Path(db), "SELECT report_id, agency, report_year, "
                                                                          "adcode FROM reports")}
             for db in (corpora["sqlite"], str(snapshot_db))}
    for table in ("sites", "reports", "statistics", "captures", "report_captures", "crawl_errors", "page_state"):
        assert _sqlite_rows(str(snapshot_db), table, ident) == _sqlite_rows(corpora["sqlite"], table, ident), table


def _sqlite_rows(db: str, table: str, ident: dict) -> list[str]:
    """A table's rows without ids and times, report_id as the report's identity, sorted."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        out = []
        for r in conn.execute(f"SELECT * FROM {table}"):
            d = {k: r[k] for k in r.keys()
                 if k not in TIMES and k not in ("capture_id", "capture_ids", "run_id", "last_run_id", "headers")}
            if d.get("report_id") is not None:
                d["report_id"] = ident[db][d["report_id"]]
            out.append(json.dumps(d, ensure_ascii=False, sort_keys=True))
        return sorted(out)
    finally:
        conn.close()


def test_snapshot_reads_like_postgres(corpora, snapshot_db, tmp_path):
    """Search on the snapshot finds what PostgreSQL finds, same report ids and snippets; its export is the
    PostgreSQL corpus's export byte for byte (same ids, times and types)."""
    for query in QUERIES:
        for filters in FILTERS[:3]:
            assert _hits(str(snapshot_db), query, filters, keep_ids=True) == \
                _hits(corpora["pg"], query, filters, keep_ids=True), (query, filters)
    snap, pg = export(str(snapshot_db), tmp_path / "snap"), export(corpora["pg"], tmp_path / "pg")
    for path in sorted(pg.iterdir()):
        assert (snap / path.name).read_bytes() == path.read_bytes(), path.name
    assert sorted(p.name for p in snap.iterdir()) == sorted(p.name for p in pg.iterdir())


def test_snapshot_is_served_by_ogi_serve(snapshot_db, tmp_path):
    """What the snapshot is for: Datasette (`ogi serve`) shows it, its search page included."""
    import urllib.parse
    import urllib.request

    from tests.conftest import start_ogi_serve

    proc, base = start_ogi_serve(snapshot_db, tmp_path / "serve.log")
    try:
        with urllib.request.urlopen(f"{base}/-/search?q={urllib.parse.quote('复议')}", timeout=30) as resp:
            page = resp.read().decode("utf-8")
        with urllib.request.urlopen(f"{base}/ogi/reports.json?_shape=array&_size=max", timeout=30) as resp:
            served = json.loads(resp.read())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "年度报告" in page
    assert sorted(r["report_id"] for r in served) == [r[0] for r in db_rows(str(snapshot_db),
                                                                        "SELECT report_id FROM reports ORDER BY 1")]


def test_snapshot_replaces_only_its_own_files(corpora, snapshot_db, tmp_path):
    url = corpora["pg"]
    stranger = tmp_path / "notes.db"
    stranger.write_text("my notes, not a database")
    crawled = Path(corpora["sqlite"])
    before = crawled.read_bytes()
    for target, why, code in ((stranger, "not an ogi database", 1), (crawled, "ogi snapshot did not write", 1),
                              (tmp_path, "is a directory", 2), (tmp_path / "missing" / "x.db", "does not exist", 1)):
        result = CliRunner().invoke(main, ["snapshot", "--db", url, "--out", str(target)])
        assert result.exit_code == code and why in result.output and "Traceback" not in result.output, result.output
    assert stranger.read_text() == "my notes, not a database"
    assert crawled.read_bytes() == before
    # An earlier snapshot is replaced (a -wal left beside it is folded in first, never replayed onto the new one).
    again = tmp_path / "again.db"
    ogi("snapshot", "--db", url, "--out", str(again))
    sqlite3.connect(again).execute("PRAGMA journal_mode = WAL").fetchone()
    ogi("snapshot", "--db", url, "--out", str(again))
    assert db_rows(str(again), "SELECT report_id FROM reports") == db_rows(str(snapshot_db), "SELECT report_id FROM reports")
    # --force replaces an ogi database that is not a snapshot; an SQLite --db is refused.
    copy = tmp_path / "copy.db"
    copy.write_bytes(before)
    ogi("snapshot", "--db", url, "--out", str(copy), "--force")
    result = CliRunner().invoke(main, ["snapshot", "--db", str(crawled), "--out", str(tmp_path / "y.db")])
    assert result.exit_code == 1 and "not a postgresql:// URL" in result.output
