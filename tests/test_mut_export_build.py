"""ogi/export/build.py's pieces on a small hand-made corpus: every column `_read_reports` adds to a report
row (cross-year flags, agency_id, similarity, flags/errors and their counts, alternative URLs, the
statistics count, page and attachment captures), the filter checks and their messages, the README's filter
list, the Stata time stamp. tests/test_export*.py check whole exports; these pin what a mutation run
(scripts/mutation.sh export) found unpinned. Expected values are written out, not recomputed."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from corpus.export_views import Selection
from corpus.readonly import MAX_YEAR, MIN_YEAR
from corpus.store import Store
from extract.record import Record, Region, Stat
from ogi.export import ExportError, export_dataset
from ogi.export.build import _check_filters, _connect, _filters_for_readme, _read_reports, _stamp
from ogi.export.citation import panel_id

PAGE, PDF = b"<html>page</html>", b"%PDF-1.4 x"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Three reports of one agency in three years (the 2022 one published too early, with two captures and
    one capture without a body), one of another agency with no capture; similarity rows for one."""
    db = tmp_path_factory.mktemp("build") / "ogi.db"
    region = Region("湖北省", "武汉市", "甲区", "420101")
    with Store(db) as s:
        s.upsert_site("jia", "甲区人民政府", "湖北省", "武汉市", "甲区", "420101", ["http://a/"], "trs", True)
        run = s.start_run("jia")
        page = s.record_capture("http://a/2022.html", site_id="jia", run_id=run, kind="detail", status=200,
                                content_type="text/html", body=PAGE)
        att = s.record_capture("http://a/2022.pdf", site_id="jia", run_id=run, kind="attachment", status=200,
                               content_type="application/pdf", body=PDF)
        gone = s.record_capture("http://a/2022b.pdf", site_id="jia", run_id=run, kind="attachment", status=None,
                                content_type=None, body=None, error="timeout")
        s.finish_run(run, status="ok", list_pages=1, detail_pages=1, attachments=2, reports=3, errors=0)

        def save(rec: Record, site: str | None, caps: list[int]) -> None:
            rec.is_report = True
            s.save_report(rec, site_id=site, capture_ids=caps)

        save(Record(agency="武汉市甲区教育局", region=region, report_year=2021, title="2021年度报告", form="form2021",
                    published_at="2022-01-20", source_url="http://a/2021.html", text="甲", text_source="html",
                    stats=[Stat("core.requests_new", 3, "table", "3"), Stat("core.requests_carried_forward", 4, "table", "4")]),
             "jia", [])
        save(Record(agency="武汉市甲区教育局", region=region, report_year=2022, title="2022年度报告", form="form2021",
                    published_at="2022-12-01", source_url="http://a/2022.html", sha256=sha(PDF), text="乙",
                    text_source="pdf", flags=["balance_mismatch", "parts_sum"], errors=["pdf: page 3 unreadable"],
                    stats=[Stat("core.requests_new", 12, "table", "12"), Stat("core.requests_carried_over", 5, "table", "5"),
                           Stat("x.extra", 1, "text", "1")]),
             "jia", [page, att, gone])
        save(Record(agency="武汉市甲区财政局", region=Region("湖北省", "武汉市", "甲区", None), report_year=2022,
                    title="财政局年报", form="narrative", source_url="http://a/cz.html", text="丙"), None, [])
    conn = sqlite3.connect(db)
    conn.executescript("""
        UPDATE reports SET alt_source_urls = '["http://a/2022-copy.html", "http://b/2022.html"]'
            WHERE report_year = 2022 AND agency = '武汉市甲区教育局';
        UPDATE reports SET flags = 'not json' WHERE agency = '武汉市甲区财政局';
        UPDATE crawl_runs SET started_at = '2023-03-04T05:00:00Z', finished_at = '2023-03-04T05:06:07Z';
        UPDATE captures SET first_seen = '2023-03-04T05:01:00Z', last_seen = '2023-03-04T05:01:00Z';
        UPDATE reports SET last_seen = '2023-03-04T05:02:00Z';
        INSERT INTO report_similarity (report_id, prev_report_id, similarity_prev_year, nearest_peer,
                                       nearest_peer_similarity, method, computed_at)
            SELECT b.report_id, a.report_id, 0.75, NULL, NULL, 'test', '2024-01-01' FROM reports a, reports b
            WHERE a.report_year = 2021 AND b.report_year = 2022 AND b.agency = a.agency;
    """)
    conn.commit()
    conn.close()
    return db


@pytest.fixture
def rows(corpus) -> dict[tuple[str, int], dict]:
    """Read afresh for every test (function scope): mutmut maps a mutant to the tests that call the mutated
    function, and a module-scoped fixture would call it for the first test only."""
    conn = _connect(corpus)
    try:
        out = _read_reports(conn, Selection())
    finally:
        conn.close()
    return {(r["agency"], r["report_year"]): r for r in out}


def test_the_connection_requires_the_capture_links(tmp_path, corpus):
    db = tmp_path / "no_links.db"
    db.write_bytes(corpus.read_bytes())
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE report_captures")
    conn.commit()
    conn.close()
    with pytest.raises(ExportError, match="report_captures"):
        _connect(db)


def test_the_2022_report_row(rows, corpus):
    r = rows[("武汉市甲区教育局", 2022)]
    prev = rows[("武汉市甲区教育局", 2021)]
    carry = f"上年结转 5 in 2022 ≠ 结转下年度继续办理 4 in 2021 (report {prev['report_id']})"
    early = "published 2022-12-01, before the year it reports on (2022) was over"
    assert r["cross_year_flags"] == f"carry_mismatch: {carry} | published_too_early: {early}"
    assert r["cross_list"] == [carry, early]
    assert r["agency_id"] == panel_id("武汉市甲区教育局", "420101") == 2294591768063961
    assert (r["prev_report_id"], r["similarity_prev_year"]) == (prev["report_id"], 0.75)
    assert (r["flags"], r["n_flags"], r["flags_list"]) == ("balance_mismatch | parts_sum", 2, ["balance_mismatch", "parts_sum"])
    assert (r["errors"], r["n_errors"], r["errors_list"]) == ("pdf: page 3 unreadable", 1, ["pdf: page 3 unreadable"])
    assert r["alt_source_urls"] == "http://a/2022-copy.html | http://b/2022.html"
    assert r["n_statistics"] == 3
    assert (r["page_urls"], r["page_sha256"]) == ("http://a/2022.html", sha(PAGE))
    assert (r["attachment_urls"], r["attachment_sha256"]) == ("http://a/2022.pdf | http://a/2022b.pdf", sha(PDF) + " | ")


def test_the_2021_report_row(rows):
    r = rows[("武汉市甲区教育局", 2021)]
    assert r["cross_year_flags"] == "" and r["cross_list"] == []
    assert r["agency_id"] == rows[("武汉市甲区教育局", 2022)]["agency_id"]
    assert "prev_report_id" not in r and "similarity_prev_year" not in r
    assert (r["flags"], r["n_flags"], r["errors"], r["n_errors"]) == ("", 0, "", 0)
    assert r["alt_source_urls"] == "" and r["n_statistics"] == 2
    assert (r["page_urls"], r["page_sha256"], r["attachment_urls"], r["attachment_sha256"]) == ("", "", "", "")


def test_a_report_without_statistics_code_or_json_flags(rows):
    r = rows[("武汉市甲区财政局", 2022)]
    assert r["n_statistics"] == 0
    assert r["agency_id"] == panel_id("武汉市甲区财政局", None) == panel_id("武汉市甲区财政局", "")
    assert r["agency_id"] != panel_id("武汉市甲区财政局", "420101")
    assert (r["flags"], r["n_flags"], r["flags_list"]) == ("not json", 1, ["not json"])


def test_cross_year_flags_follow_the_selection(corpus):
    conn = _connect(corpus)
    try:
        only_2022 = _read_reports(conn, Selection(years=[2022], agencies=["教育局"]))
    finally:
        conn.close()
    assert [r["report_year"] for r in only_2022] == [2022]
    assert only_2022[0]["cross_year_flags"].startswith("carry_mismatch: 上年结转 5 in 2022")
    assert only_2022[0]["cross_year_flags"].endswith(" | published_too_early: published 2022-12-01, before the year "
                                                     "it reports on (2022) was over")


@pytest.mark.parametrize("year", [MIN_YEAR, MAX_YEAR, str(MIN_YEAR)])
def test_filter_years_at_the_bounds_are_accepted(year):
    _check_filters([year], None, None)


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1])
def test_filter_years_outside_are_refused_with_the_range(year):
    with pytest.raises(ExportError) as err:
        _check_filters([2020, year], None, None)
    assert str(err.value) == f"report year {year} is outside {MIN_YEAR}–{MAX_YEAR}"


@pytest.mark.parametrize(("provinces", "agencies", "message"), [
    (["湖北省", "\udcff"], None, "--province b'\\xff' is not valid UTF-8 text"),
    (None, ["甲", "b\udce4d"], "--agency b'b\\xe4d' is not valid UTF-8 text"),
])
def test_filter_texts_must_be_utf8(provinces, agencies, message):
    with pytest.raises(ExportError) as err:
        _check_filters(None, provinces, agencies)
    assert str(err.value) == message


def test_export_dataset_checks_every_filter(corpus, tmp_path):
    for selection in (Selection(years=[MAX_YEAR + 1]), Selection(provinces=["\udcff"]), Selection(agencies=["\udcff"])):
        with pytest.raises(ExportError):
            export_dataset(corpus, tmp_path / "out", selection=selection)
    assert not (tmp_path / "out").exists()


def test_filters_for_the_readme():
    assert _filters_for_readme(Selection()) == {"years": [], "provinces": [], "agencies": [], "only_passing": False}
    sel = Selection(years=[2021, 2022], provinces=["湖北省"], agencies=["教育"], only_passing=True, cities=["武汉市"],
                    counties=["甲区"], adcodes=["4201"], site_ids=["jia"], departments=["教育"], forms=["form2021"],
                    year_from=2019, year_to=2023)
    assert _filters_for_readme(sel) == {
        "years": [2021, 2022], "provinces": ["湖北省"], "agencies": ["教育"], "only_passing": True,
        "cities": ["武汉市"], "counties": ["甲区"], "adcodes": ["4201"], "site_ids": ["jia"], "departments": ["教育"],
        "forms": ["form2021"], "year_from": 2019, "year_to": 2023}
    assert _filters_for_readme(Selection(year_from=0)) == {"years": [], "provinces": [], "agencies": [],
                                                           "only_passing": False, "year_from": 0}
    assert list(_filters_for_readme(Selection(year_to=2020, cities=["x"]))) == [
        "years", "provinces", "agencies", "only_passing", "cities", "year_to"]


def test_stata_stamp():
    assert _stamp("2024-01-02T03:04:05Z") == datetime(2024, 1, 2, 3, 4, 5)
    assert _stamp("2024-01-02T11:04:05+08:00") == datetime(2024, 1, 2, 3, 4, 5)
    assert _stamp("unknown") == datetime(2000, 1, 1)


def test_a_postgres_url_is_shown_without_its_password(tmp_path, monkeypatch):
    import ogi.export.build as build

    seen = {}

    def fake_connect(db_path):
        seen["db"] = db_path
        raise ExportError("stop here")

    monkeypatch.setattr(build, "_connect", fake_connect)
    with pytest.raises(ExportError, match="stop here"):
        export_dataset("postgresql://u:secret@127.0.0.1:1/db", tmp_path / "o")
    assert seen["db"] == "postgresql://u:secret@127.0.0.1:1/db"


def long_rows(out: Path) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO((out / "statistics_long.csv").read_text(encoding="utf-8"))))


def test_statistics_carry_the_agency_id_and_the_flags_that_concern_them(corpus, tmp_path):
    result = export_dataset(corpus, tmp_path / "out")
    assert (result.n_reports, result.n_statistics, result.warnings) == (3, 5, [])
    got = [(r["report_id"], r["key"], r["agency_id"], r["flags"]) for r in long_rows(tmp_path / "out")]
    assert got == [
        ("1", "core.requests_carried_forward", "2294591768063961", ""),
        ("1", "core.requests_new", "2294591768063961", ""),
        ("2", "core.requests_carried_over", "2294591768063961",
         "上年结转 5 in 2022 ≠ 结转下年度继续办理 4 in 2021 (report 1)"),
        ("2", "core.requests_new", "2294591768063961", ""),
        ("2", "x.extra", "2294591768063961", ""),
    ]


def test_an_empty_selection_warns_or_refuses(corpus, tmp_path):
    result = export_dataset(corpus, tmp_path / "a", selection=Selection(years=[2030]))
    assert result.n_reports == 0 and result.warnings == ["no reports match the filters: writing an empty package"]
    with pytest.raises(ExportError) as err:
        export_dataset(corpus, tmp_path / "b", selection=Selection(years=[2030]), allow_empty=False)
    assert str(err.value) == (f"no reports match the filters: nothing written to {tmp_path / 'b'} "
                              "(--allow-empty writes an empty package)")
    assert not (tmp_path / "b").exists()


def test_an_empty_corpus_warns_or_refuses(tmp_path):
    db = tmp_path / "empty.db"
    with Store(db):
        pass
    result = export_dataset(db, tmp_path / "a")
    assert result.warnings == ["the corpus has no reports: writing an empty package"]
    with pytest.raises(ExportError) as err:
        export_dataset(db, tmp_path / "b", allow_empty=False)
    assert str(err.value) == (f"the corpus has no reports: nothing written to {tmp_path / 'b'} "
                              "(--allow-empty writes an empty package)")


def test_a_database_error_while_reading_names_the_database(corpus, tmp_path, monkeypatch):
    import ogi.export.build as build

    def broken(*_args, **_kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(build, "_build", broken)
    with pytest.raises(ExportError) as err:
        export_dataset(corpus, tmp_path / "o")
    assert str(err.value) == f"{corpus} is damaged: database disk image is malformed"
    # a PostgreSQL URL is named without its password (and not folded like a path)
    monkeypatch.setattr(build, "_connect", lambda _db: sqlite3.connect(corpus))
    with pytest.raises(ExportError) as err:
        export_dataset("postgresql://u:secret@127.0.0.1:1/db", tmp_path / "o")
    assert str(err.value) == "postgresql://u:***@127.0.0.1:1/db is damaged: database disk image is malformed"


def test_a_report_without_statistics_counts_zero(corpus):
    conn = _connect(corpus)
    try:
        got = {r["agency"]: r["n_statistics"] for r in _read_reports(conn, Selection(years=[2022]))}
    finally:
        conn.close()
    assert got == {"武汉市甲区教育局": 3, "武汉市甲区财政局": 0}


def test_peers_and_year_over_year_files(corpus, tmp_path):
    export_dataset(corpus, tmp_path / "all")
    assert (tmp_path / "all" / "peers.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "1,武汉市甲区教育局,湖北省,武汉市,甲区,420101,2021,3,,,,,1,1,1,1",
        "2,武汉市甲区教育局,湖北省,武汉市,甲区,420101,2022,12,,,,,1,1,1,2",
        "3,武汉市甲区财政局,湖北省,武汉市,甲区,,2022,,,,,,,1,,2"]
    assert (tmp_path / "all" / "year_over_year.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "2,1,武汉市甲区教育局,420101,2022,core.requests_new,3,12,9",
        "2,1,武汉市甲区教育局,420101,2022,core.requests_carried_over,,5,",
        "2,1,武汉市甲区教育局,420101,2022,core.requests_carried_forward,4,,"]
    # the year-over-year rows follow the selection (2021 has no year before it in the corpus)
    export_dataset(corpus, tmp_path / "y2021", selection=Selection(years=[2021]))
    assert (tmp_path / "y2021" / "year_over_year.csv").read_text(encoding="utf-8").splitlines()[1:] == []


def test_version_hashes_the_content_files_and_no_stata_without_stata(corpus, tmp_path):
    from ogi.codebook import load_codebook
    from ogi.export.spec import CSV_FILES

    result = export_dataset(corpus, tmp_path / "o")
    out = tmp_path / "o"
    digests = b"".join(hashlib.sha256((out / f).read_bytes()).digest() for f in (*CSV_FILES, "texts.jsonl"))
    assert result.version == hashlib.sha256(digests).hexdigest()[:12]
    assert not list(out.glob("*.dta"))
    assert f"(ogi's codebook, {load_codebook()[1]})" in (out / "codebook.md").read_text(encoding="utf-8")


def test_keys_outside_the_codebook_are_logged(tmp_path, caplog):
    import logging

    db = tmp_path / "k.db"
    with Store(db) as s:
        rec = Record(agency="甲局", region=Region("湖北省", "武汉市", "甲区", "420101"), report_year=2021, title="t",
                     source_url="http://a/k.html", text="k",
                     stats=[Stat(f"x.k{i:02d}", i, "text", str(i)) for i in range(12)])
        rec.is_report = True
        s.save_report(rec, site_id=None, capture_ids=[])
    with caplog.at_level(logging.INFO, logger="ogi.export.build"):
        export_dataset(db, tmp_path / "o")
    assert ("12 statistic keys are not in the codebook: " + ", ".join(f"x.k{i:02d}" for i in range(10))) in caplog.messages


TITLE = "China government information-disclosure annual reports (政府信息公开工作年度报告), ogi export"


def test_the_package_files_of_a_stata_and_excel_export(corpus, tmp_path):
    import json

    import pandas as pd

    out = tmp_path / "o"
    result = export_dataset(corpus, out, stata=True, excel_bom=True)
    text = (out / "datapackage.json").read_text(encoding="utf-8")
    package = json.loads(text)
    assert text == json.dumps(package, ensure_ascii=False, indent=2) + "\n" and "政府信息公开" in text
    assert package["title"] == TITLE and package["version"] == result.version
    assert {r["encoding"] for r in package["resources"] if r["path"].endswith(".csv")} == {"utf-8-sig"}
    cff = (out / "CITATION.cff").read_text(encoding="utf-8")
    assert f'title: "{TITLE}"' in cff and f'version: "{result.version}"' in cff
    assert 'abstract: "3 government information-disclosure annual reports, report years 2021–2022, with' in cff
    assert result.files == sorted(p.name for p in out.iterdir())
    assert "README.md" in result.files and "SHA256SUMS" in result.files and "reports.dta" in result.files
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {TITLE}\n") and "3 reports, 5 statistics, report years 2021–2022." in readme
    assert "| jia | 甲区人民政府 | 湖北省 | trs |" in readme and "use reports.dta, clear" in readme
    assert "UTF-8 **with BOM**" in readme
    assert readme.rstrip().endswith("Files in this package: " + ", ".join(f"`{f}`" for f in result.files) + ".")
    with pd.io.stata.StataReader(out / "reports.dta") as reader:
        assert package["created"] == "2023-03-04T05:06:07Z" and reader.time_stamp == "04 Mar 2023 05:06"
        assert reader.data_label == f"ogi reports.csv {result.version}"
    plain = export_dataset(corpus, tmp_path / "p")
    package = json.loads((tmp_path / "p" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["encoding"] for r in package["resources"] if r["path"].endswith(".csv")} == {"utf-8"}
    assert plain.version == result.version  # --excel and --stata do not change the version


@pytest.mark.parametrize("n_others", [2, 5, 6])
def test_force_writes_beside_other_files_and_says_which(corpus, tmp_path, caplog, n_others):
    import logging

    out = tmp_path / "o"
    out.mkdir()
    names = [f"mine{i}.txt" for i in range(n_others)]
    for name in names:
        (out / name).write_text("x", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="ogi.export.build"):
        result = export_dataset(corpus, out, force=True)
    shown = ", ".join(sorted(names)[:5]) + (" ..." if n_others > 5 else "")
    msg = f"--force: wrote beside {n_others} files ogi export did not write ({shown}); same-named ones were overwritten"
    assert result.warnings == [msg] and msg in caplog.messages
    assert result.out_dir == out and (out / "mine0.txt").exists()
    assert (f"exported 3 reports, 5 statistics to {out} (version {result.version})") in caplog.messages


def test_no_stata_names_in_the_codebook_without_stata(corpus, tmp_path):
    import csv
    import io

    export_dataset(corpus, tmp_path / "plain")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "plain" / "codebook.csv").read_text(encoding="utf-8"))))
    assert {r["stata_name"] for r in rows} == {""}
    export_dataset(corpus, tmp_path / "stata", stata=True)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "stata" / "codebook.csv").read_text(encoding="utf-8"))))
    assert {r["stata_name"] for r in rows if r["kind"] == "column" and r["file"] == "reports.csv"} != {""}


def test_the_log_counts_one_report_and_one_statistic_in_the_singular(tmp_path, caplog):
    import logging

    db = tmp_path / "one.db"
    with Store(db) as store:
        store.save_report(Record(is_report=True, agency="某某县人民政府", report_year=2020, text="收到申请3件",
                                 source_url="http://example/1.html", text_source="html",
                                 stats=[Stat("requests.new.total", 3, "text", "收到申请3件")]),
                          site_id=None, capture_ids=[])
    out = tmp_path / "export"
    with caplog.at_level(logging.INFO, logger="ogi.export.build"):
        result = export_dataset(db, out)
    assert f"exported 1 report, 1 statistic to {out} (version {result.version})" in caplog.messages
