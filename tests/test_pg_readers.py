"""The read commands on both backends (issue 14): the demo portal crawled by `ogi crawl` into SQLite and into
PostgreSQL (a real server, tests/pgserver.py) gives the same `ogi status`, `ogi completeness`, `ogi search`
and `ogi export`; `ogi snapshot` copies the PostgreSQL corpus into an SQLite file that reads the same; a
wrong URL, an unreachable server or a database that is not ogi's is one `Error:` line without a password.

What legitimately differs between the two crawls, and is left out of the comparisons (each test says which):
- ids (report_id, run_id, capture_id, prev_report_id, nearest_peer, and "(report N)" in cross_year_flags): numbered in the order the crawl's
  concurrent requests happened to finish, different between any two crawls; rows are matched by identity
  (agency, year, adcode) instead;
- times (started_at, finished_at, first_seen, last_seen, fetched_at, generated/created, the HTTP Date in a
  capture's headers): when each crawl ran;
- what hashes or quotes those (the export's version, SHA256SUMS, datapackage hash/bytes, README's times);
- search `score` and the order of hits: SQLite ranks with FTS5's bm25, PostgreSQL with ts_rank (same hits,
  same snippets).
Between the PostgreSQL corpus and its snapshot nothing differs but the score and order of search hits.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ogi.cli import main

QUERIES = ["复议", "行政复议", "信息公开", "住建 2019", "复议 OR 诉讼", '"信息 公开"', "依申请公开 驳回", "财政局",
           "2021", "zzz没有的词", "教育 OR 卫生 2020", "申请 复"]
FILTERS = ([], ["--province", "湖北省"], ["--year", "2021"], ["--agency", "财政"])
IDS = {"report_id", "run_id", "capture_id", "prev_report_id", "nearest_peer", "error_id", "version_id"}
TIMES = {"started_at", "finished_at", "first_seen", "last_seen", "fetched_at", "updated_at", "at", "checked_at",
         "listed_at", "computed_at", "captured_at", "valid_from", "valid_to"}


def ogi(*args: str) -> str:
    """Run an ogi command in-process; its stdout (fails the test with the output on a non-zero exit)."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


def _query(db: str, sql: str) -> list[tuple]:
    """Rows of one query on an ogi database of either backend (opened read-only)."""
    from corpus.readonly import open_readonly

    conn = open_readonly(db)
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


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
    n = len(_query(corpora["sqlite"], "SELECT report_id FROM reports"))
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


def _status(db: str) -> list[dict]:
    health = json.loads(ogi("status", "--json", "--runs", "5", "--db", db))
    for site in health:
        for run in site["runs"]:
            for key in ("run_id", "started_at", "finished_at"):  # ids and times (module docstring)
                run.pop(key)
    return health


def test_status_same_on_both(corpora):
    lite, pg = _status(corpora["sqlite"]), _status(corpora["pg"])
    assert [s["verdict"] for s in pg] == ["ok"] * 5
    assert pg == lite
    assert "site health (postgresql://" in ogi("status", "--db", corpora["pg"])


def test_completeness_same_on_both(corpora):
    def records(db: str) -> list[dict]:
        out = json.loads(ogi("completeness", "--json", "--from", "2015", "--to", "2023", "--db", db))
        for rec in out:
            rec.pop("report_id")  # an id (module docstring); the record keeps agency and year
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
    drop = {"score"} | (set() if keep_ids else {"report_id"})  # module docstring: ranking and ids
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

def _export(db: str, out: Path) -> Path:
    ogi("export", "--db", db, "--out", str(out), "--stata")
    return out


def _identities(out: Path) -> dict[str, tuple]:
    """report_id (as text) -> (agency, year, adcode), from the export's reports.csv."""
    with (out / "reports.csv").open(encoding="utf-8") as f:
        return {r["report_id"]: (r["agency"], r["report_year"], r["adcode"]) for r in csv.DictReader(f)}


def _normal_rows(rows: list[dict], ident: dict[str, tuple]) -> list[str]:
    """Rows with ids replaced by the identity they name and times dropped, sorted (the module docstring)."""
    out = []
    for row in rows:
        norm = {}
        for key, value in row.items():
            if key in TIMES or key == "capture_id":  # a capture is named by capture_url + capture_sha256
                continue
            if key in IDS and value not in (None, ""):
                value = ident[str(int(float(value)))]
            elif isinstance(value, str) and "(report " in value:  # cross_year_flags name the other report's id
                value = re.sub(r"\(report (\d+)\)", lambda m: f"(report {ident[m.group(1)]})", value)
            norm[key] = value
        out.append(json.dumps(norm, ensure_ascii=False, sort_keys=True, default=str))
    return sorted(out)


def _table_rows(path: Path) -> list[dict]:
    """A data file's rows: CSV as text, JSON Lines, Parquet and Stata as the types they were written with."""
    import pandas as pd

    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_stata(path)
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def test_export_same_on_both(corpora, tmp_path):
    """Every file of `ogi export` of the PostgreSQL corpus equals the SQLite corpus's: data files row by row after
    the normalization of the module docstring, with the same column types (Parquet and Stata schemas);
    codebook.csv/.md byte for byte; datapackage.json but for version, created, hash and bytes; README.md but
    for the version and times; SHA256SUMS the same file list."""
    import pandas as pd
    import pyarrow.parquet as pq

    lite, pg = _export(corpora["sqlite"], tmp_path / "lite"), _export(corpora["pg"], tmp_path / "pg")
    names = sorted(p.name for p in lite.iterdir())
    assert sorted(p.name for p in pg.iterdir()) == names
    assert {"reports.csv", "statistics_long.parquet", "texts.jsonl", "reports.dta"} <= set(names)
    id_lite, id_pg = _identities(lite), _identities(pg)
    assert len(id_lite) >= 35 and sorted(id_pg.values()) == sorted(id_lite.values())
    for name in names:
        a, b = lite / name, pg / name
        if name.endswith((".csv", ".jsonl", ".parquet", ".dta")) and name != "codebook.csv":
            assert _normal_rows(_table_rows(b), id_pg) == _normal_rows(_table_rows(a), id_lite), name
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
        elif name == "README.md":
            assert _readme_shape(b, id_pg) == _readme_shape(a, id_lite)
        elif name == "SHA256SUMS":
            assert [ln.split()[1] for ln in b.read_text().splitlines()] == \
                [ln.split()[1] for ln in a.read_text().splitlines()]
        else:
            assert b.read_bytes() == a.read_bytes(), name


def _readme_shape(path: Path, ident: dict) -> str:
    """README.md without the version hash and times (module docstring)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])", "VERSION", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", "TIME", text)


# -- snapshot ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def snapshot_db(corpora):
    out = corpora["base"] / "snap" / "corpus.db"
    out.parent.mkdir()
    printed = ogi("snapshot", "--db", corpora["pg"], "--out", str(out))
    n = len(_query(corpora["sqlite"], "SELECT report_id FROM reports"))
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
    """The snapshot holds what the SQLite crawl holds: every table's rows but ids and times (module docstring)."""
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
    snap, pg = _export(str(snapshot_db), tmp_path / "snap"), _export(corpora["pg"], tmp_path / "pg")
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
    assert sorted(r["report_id"] for r in served) == [r[0] for r in _query(str(snapshot_db),
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
    assert _query(str(again), "SELECT report_id FROM reports") == _query(str(snapshot_db), "SELECT report_id FROM reports")
    # --force replaces an ogi database that is not a snapshot; an SQLite --db is refused.
    copy = tmp_path / "copy.db"
    copy.write_bytes(before)
    ogi("snapshot", "--db", url, "--out", str(copy), "--force")
    result = CliRunner().invoke(main, ["snapshot", "--db", str(crawled), "--out", str(tmp_path / "y.db")])
    assert result.exit_code == 1 and "not a postgresql:// URL" in result.output


# -- errors ------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def bad_urls(pg_server):
    """URLs that must each give one clear error line; all carry the password 's3cret', never to be shown."""
    import psycopg

    stranger = pg_server.create_database("not_ogi")
    with psycopg.connect(stranger, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    empty = pg_server.create_database("empty_db")
    with_pw = lambda url: url.replace("postgres@", "postgres:s3cret@")  # noqa: E731 - trust auth ignores it
    return {
        "malformed": ("postgresql://postgres:s3cret@127.0.0.1:notaport/x", "invalid integer value"),
        "unreachable": (f"postgresql://postgres:s3cret@127.0.0.1:{_free_port()}/x", "Connection refused"),
        "no such database": (with_pw(pg_server.url("no_such_db")), 'database "no_such_db" does not exist'),
        "not ogi": (with_pw(stranger), "is not an ogi database"),
        "empty": (with_pw(empty), "is not an ogi database (an empty database)"),
    }


READERS = [["status"], ["status", "--json"], ["completeness"], ["search", "复议"], ["export", "--out", "{tmp}/x"],
           ["snapshot", "--out", "{tmp}/s.db"], ["serve"], ["schedule"]]


@pytest.mark.parametrize("case", ["malformed", "unreachable", "no such database", "not ogi", "empty"])
def test_bad_postgres_url_is_one_error_line(bad_urls, case, tmp_path):
    url, expected = bad_urls[case]
    # An empty database is where a first crawl starts (it creates the schema): not an error for `ogi crawl`.
    commands = [*READERS] + ([] if case == "empty" else [["crawl", "--site", "dxh", "--raw-dir", "{tmp}/raw"]])
    registry = tmp_path / "sites.csv"
    registry.write_text("site_id,name,entry_urls\ndxh,东西湖区人民政府,http://127.0.0.1:9/\n", encoding="utf-8")
    for command in commands:
        args = [a.replace("{tmp}", str(tmp_path)) for a in command] + ["--db", url]
        if command[0] == "crawl":
            args += ["--registry", str(registry)]
        result = CliRunner().invoke(main, args)
        out = result.output
        assert result.exit_code == 1, (command, out, result.exception)
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), command
        assert out.startswith("Error: ") and out.count("\n") == 1, (command, out)
        assert "s3cret" not in out and "Traceback" not in out, (command, out)
        if command[0] not in ("serve", "schedule"):
            assert expected in out, (command, out)
    assert not (tmp_path / "x").exists() and not (tmp_path / "s.db").exists()


def test_crawl_into_postgres_needs_a_raw_dir(pg_url, tmp_path, monkeypatch):
    monkeypatch.delenv("OGI_RAW_DIR", raising=False)
    registry = tmp_path / "sites.csv"
    registry.write_text("site_id,name,entry_urls\ndxh,东西湖区人民政府,http://127.0.0.1:9/\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", "--registry", str(registry), "--db", pg_url])
    assert result.exit_code == 1 and "--raw-dir" in result.output and result.output.count("\n") == 1, result.output


def test_raw_dir_env_name_is_the_backends():
    from corpus import backend
    from ogi.cli import common

    assert common.ENV_RAW_DIR == backend.ENV_RAW_DIR


# -- a live crawl on PostgreSQL ------------------------------------------------------------------------------

def test_status_tells_a_live_crawl_from_a_dead_one_on_postgres(pg_url, tmp_path):
    """A `running` run is live while some session holds the site's crawl lock (advisory, per site), and
    interrupted when none does (SQLite's lock file says nothing about a PostgreSQL corpus)."""
    from corpus.backend import open_store
    from corpus.lock import crawl_lock
    from ogi.ops import site_health

    store = open_store(pg_url, raw_dir=tmp_path)
    try:
        for site in ("a", "b"):
            store.upsert_site(site, f"site {site}", None, None, None, None, [], None, False)
            store.start_run(site)
    finally:
        store.close()
    assert {h.site_id: h.verdict for h in site_health(pg_url)} == {"a": "interrupted", "b": "interrupted"}
    with crawl_lock(pg_url, ["a"]):
        assert {h.site_id: h.verdict for h in site_health(pg_url)} == {"a": "running", "b": "interrupted"}


# -- a server whose collation is not code-point order ----------------------------------------------------------

def test_output_order_does_not_follow_the_servers_collation(pg_server, tmp_path):
    """On a database with an ICU en-US collation ORDER BY puts 'a' < 'a_b' < 'ab' < 'B'; SQLite (and ogi's
    output on both backends) use code points: 'B' < 'a' < 'a_b' < 'ab'. Sites in `ogi status`, agencies in the
    crawl summary, statistics keys and README tables in `ogi export` come out in SQLite's order."""
    import psycopg

    from corpus.backend import open_store
    from corpus.summary import crawl_summary
    from extract.record import Record, Region, Stat

    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS ogi_icu")
        conn.execute("CREATE DATABASE ogi_icu TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' "
                     "LOCALE 'C.UTF-8'")
    url = pg_server.url("ogi_icu")
    sites = ["ab", "a_b", "B", "a"]
    run_ids = {}
    for db in (url, str(tmp_path / "lite.db")):
        store = open_store(db, raw_dir=tmp_path / "raw")
        try:
            run_ids[db] = []
            for n, site in enumerate(sites):
                store.upsert_site(site, f"site {site}", "湖北省", None, None, None, [], None, False)
                run_ids[db].append(store.start_run(site))
                record = Record(agency=f"{site}局", report_year=2021, region=Region(adcode="42011" + str(n)),
                                is_report=True, text="报告", form="form2021", source_url=f"http://x/{site}",
                                stats=[Stat(key=k, value=1, source="table", evidence="x")
                                       for k in ("core.x", "corex", "core.requests_new", "B.k", "a.k")])
                store.save_report(record, site_id=site, capture_ids=[])
                store.finish_run(run_ids[db][-1], status="ok", list_pages=1, detail_pages=1, attachments=0,
                                 reports=1, errors=0)
        finally:
            store.close()
    lite = str(tmp_path / "lite.db")
    assert [s["site_id"] for s in json.loads(ogi("status", "--json", "--db", url))] == ["B", "a", "a_b", "ab"]
    assert _status(url) == _status(lite)
    pg_summary, lite_summary = crawl_summary(url, run_ids[url]), crawl_summary(lite, run_ids[lite])
    assert [r["agency"] for r in pg_summary["reports"]] == [r["agency"] for r in lite_summary["reports"]]
    assert [r["site_id"] for r in pg_summary["runs"]] == ["B", "a", "a_b", "ab"]
    pg_out, lite_out = _export(url, tmp_path / "pg"), _export(lite, tmp_path / "lite")
    keys = [r["key"] for r in _table_rows(pg_out / "statistics_long.csv")][:5]
    assert keys == ["B.k", "a.k", "core.requests_new", "core.x", "corex"]
    id_pg, id_lite = _identities(pg_out), _identities(lite_out)
    for name in ("statistics_long.csv", "reports.csv"):
        rows_pg = [json.dumps(r, ensure_ascii=False) for r in _table_rows(pg_out / name)]
        rows_lite = [json.dumps(r, ensure_ascii=False) for r in _table_rows(lite_out / name)]
        assert len(rows_pg) == len(rows_lite) and _normal_rows(_table_rows(pg_out / name), id_pg) == \
            _normal_rows(_table_rows(lite_out / name), id_lite)
    assert _readme_shape(pg_out / "README.md", id_pg) == _readme_shape(lite_out / "README.md", id_lite)


# -- an export taken while a crawler writes ---------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_export_reads_one_state_of_a_corpus_being_written(backend, pg_url, tmp_path, monkeypatch):
    """A report saved (by another connection, as a crawl worker would) between the export's read of the reports
    and its read of the statistics is in neither file: the export reads one snapshot of the corpus."""
    from corpus.backend import open_store
    from extract.record import Record, Region, Stat
    from ogi.export import build

    db = pg_url if backend == "postgresql" else str(tmp_path / "c.db")

    def save(agency: str) -> None:
        store = open_store(db, raw_dir=tmp_path / "raw")
        try:
            store.upsert_site("s", "site", None, None, None, None, [], None, False)
            store.save_report(Record(agency=agency, report_year=2021, region=Region(adcode="420112"), is_report=True,
                                     text="报告", form="form2021", source_url=f"http://x/{agency}",
                                     stats=[Stat(key="core.requests_new", value=3, source="table", evidence="x")]),
                              site_id="s", capture_ids=[])
        finally:
            store.close()

    save("甲局")
    real = build.selected_statistics

    def meanwhile(conn, selection):
        save("乙局")  # committed by another connection while the export is reading
        return real(conn, selection)

    monkeypatch.setattr(build, "selected_statistics", meanwhile)
    out = _export(db, tmp_path / "out")
    agencies = {r["agency"] for r in _table_rows(out / "reports.csv")}
    assert agencies == {"甲局"}
    assert {r["agency"] for r in _table_rows(out / "statistics_long.csv")} == agencies
    assert len(_query(db, "SELECT report_id FROM reports")) == 2  # the second report was saved meanwhile
