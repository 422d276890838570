"""One completeness model, two renderings: `ogi completeness --json` and the web page `/-/completeness`
show the same matrix of `corpus.completeness` (same states, same default years, same counts, same cells).

Built on the demo crawls: the demo portal crawled twice (every site crawled, reports found on time and
late) and the fault portal (an unreachable site: not collected). Issue 13 saw the web page (2015–2023,
"found 31 · late 8 · missing 213") and the command (2015–2025, "found 39 (late 8) · not found 269") disagree,
and years before an agency's first report counted as missing.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from corpus.completeness import LATE, STATES, UNCOLLECTED_STATUSES, completeness, deadline_for
from ogi.cli.completeness import completeness_command
from ogi.serve import datasette_app


def _page(db: Any, path: str) -> str:
    """GET `path` from the UI of `db` (a fresh event loop in a worker thread: the reactor owns this one)."""
    ds = datasette_app(db)
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run, ds.client.get(path)).result()
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def _web(page: str) -> tuple[list[int], dict[str, int], dict[tuple[str, str, int], tuple[str, bool]]]:
    """Years, counts and cells ((site, agency, year) -> (state, late)) of the completeness page."""
    years = [int(y) for y in re.search(r'data-years="([\d,]*)"', page).group(1).split(",") if y]
    counts = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">[^<\d]*(?:<strong>)?(\d+)', page)}
    cells = {}
    for row in re.finditer(r'<tr data-agency="([^"]+)" data-site="([^"]*)">(.*?)</tr>', page, re.S):
        for y, state, late in re.findall(r'data-year="(\d+)" data-status="(\w+)"( data-late="1")?', row.group(3)):
            cells[(row.group(2), row.group(1), int(y))] = (state, bool(late))
    return years, counts, cells


def _cli(db: Any, *args: str) -> list[dict[str, Any]]:
    res = CliRunner().invoke(completeness_command, ["--db", str(db), "--json", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def _counts(records: list[dict[str, Any]]) -> dict[str, int]:
    states = Counter(r["state"] for r in records)
    return {**{s: states[s] for s in STATES}, LATE: sum(r["late"] for r in records)}


@pytest.mark.parametrize("scenario", ["second", "faults"])
@pytest.mark.parametrize("cli_args, query", [((), ""), (("--from", "2019", "--to", "2021"), "?from=2019&to=2021"),
                                              (("--from", "2020"), "?from=2020")])
def test_cli_and_web_render_the_same_model(demo_crawls, scenario, cli_args, query):
    db = demo_crawls[scenario].db
    lo = int(cli_args[1]) if cli_args else None
    hi = int(cli_args[3]) if len(cli_args) > 2 else None
    model = completeness(db, year_from=lo, year_to=hi)  # built once; both renderings must show exactly it
    records = _cli(db, *cli_args)
    years, counts, cells = _web(_page(db, "/-/completeness" + query))

    # the CLI prints the model's records, and nothing else
    assert records == json.loads(json.dumps(model.records()))
    # same years (the default rule: first report year to last year), same counts, same words
    assert years == model.years == sorted({r["year"] for r in records})
    assert counts == model.counts() == _counts(records)
    assert set(counts) == {"found", "not_found", "not_collected", "not_due", "before_first", "late"}
    # same rows, and per row the same count of each state
    per_row_web = Counter((site, agency, state) for (site, agency, _y), (state, _l) in cells.items())
    per_row_cli = Counter((r["site_id"] or "", r["agency"], r["state"]) for r in records)
    assert per_row_web == per_row_cli
    # same cells
    assert cells == {(r["site_id"] or "", r["agency"], r["year"]): (r["state"], r["late"]) for r in records}
    assert counts["found"] and counts["late"]  # found includes the late ones: both are shown
    if scenario == "faults":
        assert counts["not_collected"]  # the unreachable site


@pytest.mark.parametrize("scenario", ["second", "faults"])
def test_years_before_an_agencys_first_report_are_not_missing(demo_crawls, scenario):
    """The rule, computed here from the reports table itself: a year without a report is missing (not found)
    only from the agency's first report year on; before it, it is `before_first`, on the page and in the CLI."""
    db = demo_crawls[scenario].db
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT site_id, agency, report_year FROM reports "
                              "WHERE agency IS NOT NULL AND report_year IS NOT NULL").fetchall()
        last = dict(conn.execute("SELECT site_id, status FROM crawl_runs WHERE status != 'running' ORDER BY run_id"))
    crawled = {s for s, status in last.items() if status not in UNCOLLECTED_STATUSES}
    have = {(s, a, y) for s, a, y in stored}
    first: dict[tuple[str, str], int] = {}
    for s, a, y in stored:
        first[(s, a)] = min(y, first.get((s, a), y))
    records = _cli(db)
    _years, counts, cells = _web(_page(db, "/-/completeness"))
    before = [r for r in records if r["state"] == "before_first"]
    assert before  # the demo has agencies whose first report is after the first year shown
    expected_missing = 0
    for r in records:
        key = (r["site_id"], r["agency"])
        if (r["site_id"], r["agency"], r["year"]) in have:
            assert r["state"] == "found"
        elif key in first and r["year"] < first[key]:
            assert r["state"] == "before_first", r
        else:
            assert r["state"] != "before_first", r
            gov = r["is_government"]
            if r["site_id"] in crawled and deadline_for(r["year"], is_government=gov) < date.today():
                assert r["state"] == "not_found", r
                expected_missing += 1
    assert counts["not_found"] == expected_missing == sum(r["state"] == "not_found" for r in records)
    assert counts["before_first"] == len(before)
    assert {k: v for k, v in cells.items() if v[0] == "before_first"} == {
        (r["site_id"] or "", r["agency"], r["year"]): ("before_first", False) for r in before}
