"""PostgreSQL on the command line (issue 14): a wrong URL, an unreachable server or a database that is not ogi's
is one `Error:` line without the password; a PostgreSQL crawl needs --raw-dir; `ogi status` tells a live crawl
by its site lock; output order does not follow the server's collation; an export reads one state of a corpus
being written.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from demosites.server import _free_port
from ogi.cli import main
from tests.pg_compare import (
    db_rows,
    export,
    identities,
    normal_rows,
    ogi,
    readme_shape,
    status_records,
    table_rows,
)

# -- errors ------------------------------------------------------------------------------------------------

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
        "unreachable": (f"postgresql://postgres:s3cret@127.0.0.1:{_free_port('127.0.0.1')}/x", "Connection refused"),
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
    assert status_records(url) == status_records(lite)
    pg_summary, lite_summary = crawl_summary(url, run_ids[url]), crawl_summary(lite, run_ids[lite])
    assert [r["agency"] for r in pg_summary["reports"]] == [r["agency"] for r in lite_summary["reports"]]
    assert [r["site_id"] for r in pg_summary["runs"]] == ["B", "a", "a_b", "ab"]
    pg_out, lite_out = export(url, tmp_path / "pg"), export(lite, tmp_path / "lite")
    keys = [r["key"] for r in table_rows(pg_out / "statistics_long.csv")][:5]
    assert keys == ["B.k", "a.k", "core.requests_new", "core.x", "corex"]
    id_pg, id_lite = identities(pg_out), identities(lite_out)
    for name in ("statistics_long.csv", "reports.csv"):
        rows_pg = [json.dumps(r, ensure_ascii=False) for r in table_rows(pg_out / name)]
        rows_lite = [json.dumps(r, ensure_ascii=False) for r in table_rows(lite_out / name)]
        assert len(rows_pg) == len(rows_lite) and normal_rows(table_rows(pg_out / name), id_pg) == \
            normal_rows(table_rows(lite_out / name), id_lite)
    assert readme_shape(pg_out / "README.md", id_pg) == readme_shape(lite_out / "README.md", id_lite)


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
    out = export(db, tmp_path / "out")
    agencies = {r["agency"] for r in table_rows(out / "reports.csv")}
    assert agencies == {"甲局"}
    assert {r["agency"] for r in table_rows(out / "statistics_long.csv")} == agencies
    assert len(db_rows(db, "SELECT report_id FROM reports")) == 2  # the second report was saved meanwhile


def test_text_filters_ignore_ascii_case_on_both(pg_url, tmp_path):
    """SQLite's LIKE ignores the case of ASCII letters, so `ogi export --agency` and `ogi search --agency` do; on
    PostgreSQL too (the facade reads LIKE as ILIKE), else `--agency abc` would find 'ABC开发区管委会' in one only."""
    from corpus.backend import open_store
    from extract.record import Record, Region, Stat

    for db in (pg_url, str(tmp_path / "c.db")):
        store = open_store(db, raw_dir=tmp_path / "raw")
        try:
            store.upsert_site("s", "site", None, None, None, None, [], None, False)
            store.save_report(Record(agency="ABC开发区管委会", report_year=2021, region=Region(adcode="420112"),
                                     is_report=True, text="行政复议 报告", form="form2021", source_url="http://x/1",
                                     stats=[Stat(key="core.requests_new", value=3, source="table", evidence="x")]),
                              site_id="s", capture_ids=[])
        finally:
            store.close()
        out = export(db, tmp_path / f"out{len(db)}", "--agency", "abc")
        assert [r["agency"] for r in table_rows(out / "reports.csv")] == ["ABC开发区管委会"], db
        hits = json.loads(ogi("search", "复议", "--agency", "abc开发", "--json", "--db", db))
        assert [h["agency"] for h in hits] == ["ABC开发区管委会"], db
