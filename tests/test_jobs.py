"""Crawl and extract with `ogi worker`s over a real PostgreSQL (crawler.jobs): the same corpus as one inline
crawl, no page fetched twice, and a worker killed with kill -9 loses nothing."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import crawl, demo_sites_as_registry
from tests.test_pg_backend import _reports

ROOT = Path(__file__).resolve().parents[1]


def _ogi(*args: str, log: Path | None = None) -> subprocess.Popen:
    out = log.open("a") if log else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "-m", "ogi.cli", *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def _worker(url: str, raw: Path, log: Path, *extra: str) -> subprocess.Popen:
    return _ogi("worker", "--db", url, "--raw-dir", str(raw), "--allow-network", "127.0.0.1/32",
                "--log-level", os.environ.get("OGI_TEST_WORKER_LOG", "WARNING"), *extra, log=log)


def _wait(procs: list[subprocess.Popen], log: Path, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    for p in procs:
        try:
            p.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            pytest.fail(f"worker did not finish: {log.read_text()[-3000:]}")
        assert p.returncode == 0, log.read_text()[-3000:]


def _jobs(url: str, where: str = "TRUE") -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(f"SELECT id, task_name, status, args FROM procrastinate_jobs WHERE {where} ORDER BY id"
                            ).fetchall()


@pytest.fixture(scope="module")
def portal():
    from demosites import DemoPortal

    with DemoPortal() as p:
        yield p


@pytest.fixture(scope="module")
def inline_corpus(portal, tmp_path_factory):
    """The baseline: the same sites crawled in one process into SQLite."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob

    db = tmp_path_factory.mktemp("inline") / "demo.db"
    crawl([CrawlJob(demo_sites_as_registry(portal), db, dict(LOCAL_SETTINGS))])
    return _reports(db)


def test_two_workers_build_the_same_corpus(portal, inline_corpus, pg_server, tmp_path):
    from crawler.jobs import enqueue_sites, queue_status
    from crawler.run import LOCAL_SETTINGS

    url = pg_server.create_database("ogi_jobs_two")
    sites = demo_sites_as_registry(portal)
    start = len(portal.request_log)
    assert enqueue_sites(url, sites, dict(LOCAL_SETTINGS)) == (len(sites), 0)
    assert enqueue_sites(url, sites, dict(LOCAL_SETTINGS)) == (0, len(sites))  # a site is queued once
    log = tmp_path / "workers.log"
    # One worker that only fetches and one that only parses: extraction runs while the crawls go on.
    workers = [_worker(url, tmp_path / "raw", log, "--queues", "crawl", "--until-empty"),
               _worker(url, tmp_path / "raw", log, "--queues", "extract", "--until-empty", "--concurrency", "2")]
    _wait(workers, log)
    assert _reports(url) == inline_corpus
    requests = collections.Counter((site, method, path) for site, method, path, _status in portal.request_log[start:])
    assert [r for r, n in requests.items() if n > 1] == []  # nothing fetched twice
    jobs = _jobs(url)
    assert {status for _id, _task, status, _args in jobs} == {"succeeded"}
    assert sum(task == "ogi:extract" for _id, task, _s, _a in jobs) >= len(inline_corpus)
    status = queue_status(url)
    assert status["totals"] == {"succeeded": len(jobs)}
    with psycopg.connect(url) as conn:
        runs = conn.execute("SELECT site_id, status, reports FROM crawl_runs ORDER BY site_id").fetchall()
    per_site = collections.Counter(r["site"] for r in inline_corpus.values())
    assert runs == [(s, "ok", per_site[s]) for s in sorted(per_site)]


def test_killed_workers_lose_nothing(portal, inline_corpus, pg_server, tmp_path):
    """kill -9 of the crawl worker mid-crawl, then of the extract worker mid-extraction: a second worker takes
    the stalled jobs over; the corpus equals the baseline and the killed crawl's run reads interrupted, then ok."""
    from crawler.jobs import enqueue_sites
    from crawler.run import LOCAL_SETTINGS

    url = pg_server.create_database("ogi_jobs_kill")
    sites = [s for s in demo_sites_as_registry(portal) if s.site_id in ("dxh", "zc")]
    enqueue_sites(url, sites, {**LOCAL_SETTINGS, "DOWNLOAD_DELAY": 0.2})
    log = tmp_path / "workers.log"
    raw = tmp_path / "raw"
    crawler_ = _worker(url, raw, log, "--queues", "crawl", "--stalled-after", "5")
    deadline = time.monotonic() + 400  # generous: CI machines may be slow and busy
    while not _jobs(url, "task_name = 'ogi:extract'"):  # the first crawl is under way and has queued work
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)
    os.kill(crawler_.pid, signal.SIGKILL)
    crawler_.wait()
    extractor = _worker(url, raw, log, "--queues", "extract", "--stalled-after", "5")
    while not _jobs(url, "task_name = 'ogi:extract' AND status = 'succeeded'"):
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.1)
    os.kill(extractor.pid, signal.SIGKILL)
    extractor.wait()
    # The rescuer: both queues, notices the dead workers' jobs after 5 s without a heartbeat.
    rescuer = _worker(url, raw, log, "--stalled-after", "5", "--until-empty")
    _wait([rescuer], log, seconds=300)
    expected = {k: v for k, v in inline_corpus.items() if v["site"] in ("dxh", "zc")}
    assert _reports(url) == expected
    with psycopg.connect(url) as conn:
        runs = conn.execute("SELECT site_id, status FROM crawl_runs ORDER BY run_id").fetchall()
    killed = runs[0][0]
    assert [s for site, s in runs if site == killed] == ["interrupted", "ok"]
    assert [s for site, s in runs if site != killed] == ["ok"]
    assert {status for _i, _t, status, _a in _jobs(url)} == {"succeeded"}


def test_worker_and_enqueue_refuse_sqlite_and_bad_urls(tmp_path):
    for args in (["enqueue", "--db", str(tmp_path / "x.db")],
                 ["worker", "--db", str(tmp_path / "x.db"), "--raw-dir", str(tmp_path)]):
        out = subprocess.run([sys.executable, "-m", "ogi.cli", *args], cwd=ROOT, capture_output=True, text=True)
        assert out.returncode == 2 and "PostgreSQL" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([sys.executable, "-m", "ogi.cli", "enqueue", "--db",
                          "postgresql://ogi:secret@127.0.0.1:1/nothing", "--registry", "data/sites.csv",
                          "--site", "dxh"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    assert out.stderr.startswith("Error:") and "secret" not in out.stderr and "Traceback" not in out.stderr
    assert "Connection refused" in out.stderr  # it reached the database (the site id is a real one)


def test_enqueue_into_two_databases_from_one_process(pg_server):
    """Every database gets its own App: jobs keep their task name and queue however many were made."""
    from crawler.jobs import CRAWL_QUEUE, CRAWL_TASK, enqueue_sites
    from crawler.registry import Site

    site = Site(site_id="s1", name="x", entry_urls=["http://127.0.0.1:9/"])
    for name in ("ogi_jobs_app_a", "ogi_jobs_app_b"):
        url = pg_server.create_database(name)
        assert enqueue_sites(url, [site]) == (1, 0)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT task_name, queue_name, lock FROM procrastinate_jobs").fetchall() == [
                (CRAWL_TASK, CRAWL_QUEUE, "host:127.0.0.1")]


def test_status_shows_the_job_queue_and_schedule_enqueues(pg_server, tmp_path):
    """`ogi status --jobs` lists queued jobs per site; `ogi schedule --db postgresql://…` queues the night's crawl
    for the workers (and refuses a URL whose password would land in the crontab)."""
    import json

    from click.testing import CliRunner

    from crawler.jobs import enqueue_sites
    from crawler.registry import Site
    from ogi.cli import main

    url = pg_server.create_database("ogi_jobs_status")
    enqueue_sites(url, [Site(site_id=s, name=s, entry_urls=[f"http://{s}.example.gov.cn/"]) for s in ("a1", "b2")])
    out = CliRunner().invoke(main, ["status", "--db", url, "--jobs", "--json"])
    assert out.exit_code == 0, out.output
    status = json.loads(out.output)
    assert [(s["site_id"], s["crawl_queued"], s["crawl_running"]) for s in status["sites"]] == [("a1", 1, 0),
                                                                                               ("b2", 1, 0)]
    assert status["totals"] == {"todo": 2}
    text = CliRunner().invoke(main, ["status", "--db", url])
    assert text.exit_code == 0, text.output
    assert "job queue (2 todo)" in text.output and "a1" in text.output
    sqlite = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "x.db"), "--jobs"])
    assert sqlite.exit_code == 2 and "PostgreSQL" in sqlite.output
    line = CliRunner().invoke(main, ["schedule", "--db", url, "--registry", "data/sites.csv"])
    assert line.exit_code == 0, line.output
    assert " enqueue --registry " in line.output and f"--db {url}" in line.output and " crawl " not in line.output
    secret = CliRunner().invoke(main, ["schedule", "--db", "postgresql://ogi:secret@db/ogi"])
    assert secret.exit_code == 1 and "pgpass" in secret.output and "secret" not in secret.output
