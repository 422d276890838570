"""One filter set, one meaning, on every command that selects reports (issue 13): `ogi search`, `ogi export`,
`ogi completeness` and `ogi compare --check` given the same filters select the same reports of the demo corpus, and that selection
is what the README says each filter means (checked here against the rows themselves, in Python).

Before: `search --province 湖北` found nothing while `export --province 湖北` gave 12 reports; `search --year 2020
--year 2021` kept only 2021; completeness had no --province, export no --site."""

from __future__ import annotations

import csv
import json
import sqlite3
import string

import pytest
from click.testing import CliRunner

from ogi.cli import main
from tests.conftest import crawl, demo_sites_as_registry

# Each case: the command-line filters, and the rule they stand for (a report row -> selected?).
CASES = {
    "province-prefix": (["--province", "湖北"], lambda r: r["province"].startswith("湖北")),
    "province-or": (["--province", "湖北省", "--province", "山西"],
                    lambda r: r["province"] in ("湖北省", "山西省")),
    "city-prefix": (["--city", "武汉"], lambda r: r["city"].startswith("武汉")),
    "county-part": (["--county", "东西湖"], lambda r: "东西湖" in r["county"]),
    "county-code": (["--county", "140428"], lambda r: r["adcode"] == "140428"),
    "adcode-prefix": (["--adcode", "4201"], lambda r: r["adcode"].startswith("4201")),
    "site": (["--site", "hs"], lambda r: r["site_id"] == "hs"),
    "agency": (["--agency", "财政局"], lambda r: "财政局" in r["agency"]),
    "department": (["--department", "街道"], lambda r: "街道" in (r["department"] or "")),
    "years": (["--year", "2020", "--year", "2021"], lambda r: r["report_year"] in (2020, 2021)),
    "year-range": (["--from", "2021", "--to", "2022"], lambda r: 2021 <= r["report_year"] <= 2022),
    "year-from": (["--from", "2022"], lambda r: r["report_year"] >= 2022),
    "year-and-range": (["--year", "2016", "--from", "2022", "--to", "2023"],
                       lambda r: r["report_year"] == 2016 or 2022 <= r["report_year"] <= 2023),
    "form": (["--form", "narrative"], lambda r: r["form"] == "narrative"),
    "combined": (["--province", "安徽", "--year", "2022", "--agency", "局"],
                 lambda r: r["province"].startswith("安徽") and r["report_year"] == 2022 and "局" in r["agency"]),
}
# Completeness rows are agencies (years are its columns): the report-level filters do not apply.
NOT_FOR_COMPLETENESS = ("department", "form")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The demo portal crawled once (as conftest's demo_crawls does), for every case of this module."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    db = tmp_path_factory.mktemp("filters") / "demo.db"
    with DemoPortal() as portal:
        crawl([CrawlJob(demo_sites_as_registry(portal), db, dict(LOCAL_SETTINGS))])
    return db


@pytest.fixture(scope="module")
def rows(demo_db):
    conn = sqlite3.connect(demo_db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM reports WHERE report_year IS NOT NULL")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def all_flags(demo_db):
    """The cross-year flags of the whole corpus, (report_id, check) — what `compare --check` lists."""
    return {(f["report_id"], f["check"]) for f in json.loads(_run("compare", "--check", "--json", "--db",
                                                                     str(demo_db)))}


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("case", list(CASES))
def test_every_command_selects_the_same_reports(case, demo_db, rows, all_flags, tmp_path):
    args, rule = CASES[case]
    expected = {r["report_id"] for r in rows if rule(r)}
    assert expected and len(expected) < len(rows), "a case must select some reports, not all"

    hits = json.loads(_run("search", *args, "--limit", "1000", "--format", "json", "--db", str(demo_db)))
    assert {h["report_id"] for h in hits} == expected, "search"

    _run("export", *args, "--out", str(tmp_path / "out"), "--db", str(demo_db))
    with (tmp_path / "out" / "reports.csv").open(encoding="utf-8") as f:
        assert {int(r["report_id"]) for r in csv.DictReader(f)} == expected, "export"

    if case.split("-")[0] not in NOT_FOR_COMPLETENESS:
        cells = json.loads(_run("completeness", *args, "--format", "json", "--db", str(demo_db)))
        found = {(c["agency"], c["year"]) for c in cells if c["state"] == "found"}
        assert found == {(r["agency"], r["report_year"]) for r in rows if r["report_id"] in expected}, "completeness"

    flags = json.loads(_run("compare", "--check", *args, "--format", "json", "--db", str(demo_db)))
    assert {(f["report_id"], f["check"]) for f in flags} == {f for f in all_flags if f[0] in expected}, "compare"


def test_search_total_count_and_text_query_with_filters(demo_db, rows):
    """A query and filters together; the people's output ends with how many reports match in all."""
    out = _run("search", "复议", "--province", "湖北", "--year", "2020", "--year", "2021", "--limit", "1",
               "--db", str(demo_db))
    hits = json.loads(_run("search", "复议", "--province", "湖北", "--year", "2020", "--year", "2021", "--limit",
                           "1000", "--json", "--db", str(demo_db)))
    assert {h["report_year"] for h in hits} == {2020, 2021}
    assert out.rstrip().splitlines()[-1] == f"{len(hits)} matching reports; 1 shown (raise --limit for more)"


def test_bad_filters_are_usage_errors(demo_db):
    for args, word in ((["--from", "2022", "--to", "2020"], "after"), (["--form", "pdf"], "pdf")):
        result = CliRunner().invoke(main, ["search", *args, "--db", str(demo_db)])
        assert result.exit_code == 2 and word in result.output, result.output
    result = CliRunner().invoke(main, ["search", "--db", str(demo_db)])
    assert result.exit_code == 2 and "QUERY or at least one filter" in result.output


@pytest.mark.parametrize("command", [["search", "复议"], ["export", "--out", "{tmp}/out"], ["completeness"],
                                     ["compare", "--check"]])
def test_unknown_site_id_is_an_error(command, demo_db, tmp_path):
    """A mistyped site id (demo-dxh for dxh) is a usage error, not an empty selection (an empty export)."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = CliRunner().invoke(main, [*args, "--site", "demo-dxh", "--site", "dxh", "--db", str(demo_db)])
    assert result.exit_code == 2 and "no site demo-dxh in" in result.output, result.output
    assert not (tmp_path / "out").exists()


# -- case: one rule on both backends ---------------------------------------------------------------------------
# A part of a name (--agency, --department, --county) ignores the case of ASCII letters (A-Z) and of nothing else:
# SQLite's LIKE does that, while pg_conn's ILIKE also folded other letters (full-width ＡＢＣ). A beginning
# (--province, --city) is exact: SQLite read it as a BINARY range (case counts), PostgreSQL as an ILIKE (not).
CASE_NAMES = ["ABC局", "abc局", "AbC街道", "x%y局", "x_y局", "xay局", "教育局", "ＡＢＣ局", "ａｂｃ局", "Ébc局", None]
CASE_VALUES = ["abc", "ABC", "AbC", "b", "B", "%", "_", "x_y", "局", "教育", "ａｂｃ", "ＡＢＣ", "ébc", "Éb"]
_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _case_table(conn) -> None:
    conn.execute("CREATE TABLE reports (report_id INTEGER PRIMARY KEY, province TEXT, city TEXT, county TEXT, "
                 "adcode TEXT, site_id TEXT, agency TEXT, department TEXT, form TEXT, flags TEXT, report_year INTEGER)")
    conn.executemany("INSERT INTO reports (report_id, province, city, county, agency, department) "
                     "VALUES (?, ?, ?, ?, ?, ?)", [(i + 1, n, n, n, n, n) for i, n in enumerate(CASE_NAMES)])


def _case_selects(conn) -> dict[tuple[str, str], set[int]]:
    from corpus.selection import Selection

    out = {}
    for field in ("agencies", "departments", "counties", "provinces", "cities"):
        for value in CASE_VALUES:
            where, params = Selection(**{field: [value]}).where_on(conn)
            out[(field, value)] = {int(r[0]) for r in conn.execute(f"SELECT report_id FROM reports r WHERE {where}",
                                                                   params)}
    return out


def _case_expected() -> dict[tuple[str, str], set[int]]:
    def ids(test) -> set[int]:
        return {i + 1 for i, n in enumerate(CASE_NAMES) if n is not None and test(n)}

    part = {(field, value): ids(lambda n, v=value: v.translate(_ASCII_FOLD) in n.translate(_ASCII_FOLD))
            for field in ("agencies", "departments", "counties") for value in CASE_VALUES}
    start = {(field, value): ids(lambda n, v=value: n.startswith(v))
             for field in ("provinces", "cities") for value in CASE_VALUES}
    return {**part, **start}


def test_text_filters_follow_one_case_rule_on_sqlite():
    conn = sqlite3.connect(":memory:")
    _case_table(conn)
    assert _case_selects(conn) == _case_expected()


def test_text_filters_follow_one_case_rule_on_postgresql(pg_url):
    from corpus.pg_conn import PgConnection

    conn = PgConnection(pg_url)
    try:
        _case_table(conn)
        assert _case_selects(conn) == _case_expected()
    finally:
        conn.raw.close()
