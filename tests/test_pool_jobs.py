"""The PostgreSQL job path extracts in the same worker pool as `ogi crawl` on one machine (extract.pool, through
crawler.extract_job.extract_candidate): `ogi worker`'s extract jobs run in long-lived, memory-limited pool
processes, and a candidate that outlives its time limit has its worker killed and replaced and is extracted
inline — the same handling, and the same reports, as the crawl's pool (tests/test_extract_pool.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import crawl, demo_sites_as_registry
from tests.test_jobs import _wait
from tests.test_pg_backend import _reports

ROOT = Path(__file__).resolve().parents[1]
SITE = "zz"  # 长子县: six reports, one with a JS-written attachment


@pytest.fixture(scope="module")
def portal():
    from demosites import DemoPortal

    with DemoPortal() as p:
        yield p


@pytest.fixture(scope="module")
def inline_reports(portal, tmp_path_factory):
    """The baseline: the site crawled in one process into SQLite, extracted inline."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob

    db = tmp_path_factory.mktemp("inline") / "demo.db"
    sites = [s for s in demo_sites_as_registry(portal) if s.site_id == SITE]
    crawl([CrawlJob(sites, db, {**LOCAL_SETTINGS, "OGI_EXTRACT_MODE": "inline"})])
    return _reports(db)


def _crawl_with_worker(portal, pg_server, tmp_path: Path, name: str, **env: str) -> tuple[dict, dict]:
    """Queue the site, run one `ogi worker` (both queues) until the queues are empty; (reports, pool figures)."""
    from crawler.jobs import enqueue_sites
    from crawler.run import LOCAL_SETTINGS

    url = pg_server.create_database(name)
    enqueue_sites(url, [s for s in demo_sites_as_registry(portal) if s.site_id == SITE], dict(LOCAL_SETTINGS))
    log, figures = tmp_path / "worker.log", tmp_path / "pool.json"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ogi.cli", "worker", "--db", url, "--raw-dir", str(tmp_path / "raw"),
             "--allow-network", "127.0.0.1/32", "--log-level", "WARNING", "--concurrency", "1", "--until-empty"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "OGI_POOL_REPORT": str(figures), **env})
    _wait([proc], log)
    assert figures.exists(), f"the worker wrote no pool figures: {log.read_text()[-3000:]}"
    return _reports(url), json.loads(figures.read_text())


def test_extract_jobs_run_in_the_shared_pool(portal, inline_reports, pg_server, tmp_path) -> None:
    reports, pool = _crawl_with_worker(portal, pg_server, tmp_path, "ogi_pool_jobs")
    assert len(inline_reports) == 6
    assert reports == inline_reports
    assert pool["jobs"] >= len(inline_reports)  # every candidate went to a pool worker ...
    assert pool["replaced"] == {}  # ... which lived through all of them (reused, not forked per document)
    assert len(pool["worker_peak_mb"]) == 1 and 10 < pool["worker_peak_mb"][0] < 1000


def test_stuck_extract_job_is_handled_as_in_the_crawl_pool(portal, inline_reports, pg_server, tmp_path) -> None:
    """Every candidate outlives a tiny limit: its worker is killed and replaced, the candidate extracted inline
    (as the crawl's pool does, tests/test_extract_pool.py::test_stuck_extraction_is_killed_and_the_crawl_goes_on),
    and the corpus is the same."""
    reports, pool = _crawl_with_worker(portal, pg_server, tmp_path, "ogi_pool_jobs_stuck", OGI_EXTRACT_TIMEOUT="0.001")
    assert reports == inline_reports
    assert pool["replaced"]["timeout"] >= len(inline_reports)
    assert len(pool["worker_peak_mb"]) == 1 + pool["replaced"]["timeout"]  # each replacement a fresh process
