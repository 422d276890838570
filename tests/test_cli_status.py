"""`ogi status` for monitoring (issue 13): exit 3 when every crawled site is unreachable (it exited 0), a run in
which only connections failed is `unreachable` (not `partial`), an unchanged incremental run does not read like
a failure ("0 reports saved"), and --site / --format csv."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

COUNTS = dict(list_pages=0, detail_pages=0, attachments=0, reports=0)
REFUSED = "DownloadConnectionRefusedError: Connection was refused by other side: 111: Connection refused."


def _db(path, runs):
    """runs: site_id -> (status, [(kind, message)], counts) of its only run."""
    from corpus.store import Store

    with Store(path) as store:
        for sid, (status, errors, counts) in runs.items():
            store.upsert_site(sid, f"{sid}县人民政府", None, None, None, None, ["http://x/"], None, False)
            run = store.start_run(sid)
            for kind, message in errors:
                store.record_error(run, sid, "http://x/", kind, message)
            store.finish_run(run, status=status, errors=len(errors), **counts)
    return path


def _status(db, *args):
    from ogi.cli import main

    return CliRunner().invoke(main, ["status", "--db", str(db), *args], catch_exceptions=False)


def test_every_site_unreachable_exits_3(tmp_path):
    db = _db(tmp_path / "down.db", {
        "a": ("unreachable", [("unreachable", REFUSED)], COUNTS),
        # only connections failed (an incremental run's list pages refused): nothing answered at all
        "b": ("partial", [("fetch", REFUSED), ("fetch", "TimeoutError: User timeout caused connection failure")],
              COUNTS),
    })
    res = _status(db, "--format", "csv")
    assert res.exit_code == 3, res.output
    verdicts = {r["site"].split()[0]: r["verdict"] for r in csv.DictReader(io.StringIO(res.stdout))}
    assert verdicts == {"a": "unreachable", "b": "unreachable"}
    assert _status(db, "--json").exit_code == 3
    assert "every site is unreachable" in _status(db).output


@pytest.mark.parametrize("other", ["ok", "partial-http"])
def test_one_site_answering_exits_0(tmp_path, other):
    second = ("ok", [], {**COUNTS, "reports": 2}) if other == "ok" else \
        ("partial", [("http_500", "HTTP 500 on a list page")], {**COUNTS, "detail_pages": 3})
    db = _db(tmp_path / "mixed.db", {"a": ("unreachable", [("unreachable", REFUSED)], COUNTS), "b": second})
    res = _status(db, "--format", "csv")
    assert res.exit_code == 0, res.output
    assert {r["site"].split()[0]: r["verdict"] for r in csv.DictReader(io.StringIO(res.stdout))}["b"] == \
        ("ok" if other == "ok" else "partial")
    res = _status(db, "--site", "a", "--format", "csv")
    assert res.exit_code == 3 and res.stdout.count("\n") == 2  # header and site a: all of the selection is down
    assert _status(db, "--site", "zz").exit_code == 2


def test_unchanged_incremental_run_is_not_a_failure(tmp_path):
    from ogi.ops import site_health

    db = _db(tmp_path / "same.db", {"a": ("ok", [], {**COUNTS, "list_pages": 2, "detail_pages": 0})})
    from corpus.store import Store

    with Store(db) as store:  # the run found 12 report pages, every one unchanged since the last crawl
        store.conn.execute("UPDATE crawl_runs SET list_items = 12, unchanged = 12")
        store.conn.commit()
    reason = site_health(db)[0].reason
    assert "0 reports saved" not in reason and "12 unchanged since the last crawl" in reason, reason
