"""A crawl killed with SIGKILL at any moment can be run again and finishes with nothing lost and
nothing duplicated: the corpus equals that of an uninterrupted crawl."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _write_registry(portal, path: Path) -> None:
    from crawler.registry import COLUMNS

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in portal.registry_rows():
            writer.writerow(row)


def _crawl_cmd(registry: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "ogi.cli", "crawl", "--registry", str(registry), "--db", str(db), "--quiet",
            "--delay", "0", "--allow-network", "127.0.0.1/32"]


def _corpus(db: Path) -> dict[str, list]:
    conn = sqlite3.connect(db)
    try:
        q = lambda sql: sorted(conn.execute(sql).fetchall())  # noqa: E731
        return {
            "reports": q("""SELECT agency, report_year, title, published_at, form, source_url, sha256, text, flags,
                                   errors, alt_source_urls, content_hash FROM reports"""),
            "statistics": q("""SELECT r.agency, r.report_year, s.key, s.value, s.source, s.evidence
                               FROM statistics s JOIN reports r USING (report_id)"""),
            "captures": q("SELECT url, sha256, kind, status FROM captures"),
            "report_captures": q("""SELECT r.agency, r.report_year, c.url, c.sha256, rc.role FROM report_captures rc
                                    JOIN reports r USING (report_id) JOIN captures c USING (capture_id)"""),
            "versions": q("SELECT report_id FROM report_versions"),
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    from demosites import DemoPortal

    base = tmp_path_factory.mktemp("resume")
    registry = base / "sites.csv"
    out: dict = {}
    with DemoPortal() as portal:
        _write_registry(portal, registry)
        clean = base / "clean" / "ogi.db"
        done = subprocess.run(_crawl_cmd(registry, clean), cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        total = len(portal.request_log)
        out["clean"] = _corpus(clean)
        out["total"] = total
        for kill_after in (total // 4, (2 * total) // 3):
            db = base / f"killed-{kill_after}" / "ogi.db"
            start = len(portal.request_log)
            proc = subprocess.Popen(_crawl_cmd(registry, db), cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while len(portal.request_log) - start < kill_after and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            finished_before_kill = proc.poll() is not None
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            conn = sqlite3.connect(db)
            running = conn.execute("SELECT COUNT(*) FROM crawl_runs WHERE status = 'running'").fetchone()[0]
            conn.close()
            rerun = subprocess.run(_crawl_cmd(registry, db), cwd=ROOT, capture_output=True, text=True, timeout=300)
            out[kill_after] = {"finished_before_kill": finished_before_kill, "running_after_kill": running,
                               "rerun_code": rerun.returncode, "rerun_output": rerun.stdout + rerun.stderr,
                               "corpus": _corpus(db), "db": db}
    return out


def _killed(resumed):
    return [v for k, v in resumed.items() if isinstance(k, int) and k != resumed["total"]]


def test_the_kill_happened_mid_run(resumed):
    for run in _killed(resumed):
        assert not run["finished_before_kill"]
        assert run["running_after_kill"] == 5  # every site's run was left 'running' by the dead process


def test_rerun_after_kill_gives_the_same_corpus_as_an_uninterrupted_run(resumed):
    clean = resumed["clean"]
    assert len(clean["reports"]) == 55 and clean["statistics"] and clean["captures"]
    for run in _killed(resumed):
        assert run["rerun_code"] == 0, run["rerun_output"]
        for table, rows in clean.items():
            assert run["corpus"][table] == rows, table


def test_killed_runs_are_closed_as_interrupted(resumed):
    for run in _killed(resumed):
        conn = sqlite3.connect(run["db"])
        statuses = conn.execute("SELECT status, COUNT(*) FROM crawl_runs GROUP BY status").fetchall()
        conn.close()
        assert dict(statuses) == {"interrupted": 5, "ok": 5}
