"""Shared fixtures. Crawls run in-process on the reactor pytest-twisted runs for the whole session
(`--reactor=asyncio` in pyproject.toml): any test calls `crawl(jobs)` and gets the results."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# The five seed reports and their gold (seeds.json), the repository's own copy: see fixtures/seeds/README.md.
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
GOLD_PATH = SEEDS / "seeds.json"


@dataclass
class CrawlScenario:
    db: Path
    results: list  # CrawlResult per run, in order
    request_log: list  # (site_id, method, path, status) seen by the portal during these runs
    portal_sites: list
    manifest: list

    def query(self, sql: str, params=()) -> list[tuple]:
        return query_db(self.db, sql, params)


def demo_sites_as_registry(portal):
    from crawler.registry import Site

    return [
        Site(site_id=s.site_id, name=s.name, province=s.province, city=s.city, county=s.county, adcode=s.adcode,
             entry_urls=[s.entry_url], platform=s.platform, verified=True)
        for s in portal.sites
    ]


def crawl(jobs, log_level: str = "INFO"):
    """Run crawl jobs on pytest-twisted's reactor and wait for them (any test may call this)."""
    import pytest_twisted

    from crawler.run import crawl_on_running_reactor

    return pytest_twisted.blockon(crawl_on_running_reactor(jobs, log_level=log_level))


@pytest.fixture(scope="session")
def demo_crawls(tmp_path_factory):
    """Crawl the demo portal twice into one database, and the fault portal once into another."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    base = tmp_path_factory.mktemp("crawls")
    with DemoPortal() as portal, DemoPortal(faults=True) as faulty:
        sites = demo_sites_as_registry(portal)
        fault_sites = demo_sites_as_registry(faulty)
        db = base / "demo.db"
        fault_db = base / "faults.db"
        marks: list[int] = []

        def mark(_result) -> None:
            marks.append(len(portal.request_log))

        jobs = [
            CrawlJob(sites, db, dict(LOCAL_SETTINGS), on_finished=mark),
            CrawlJob(sites, db, dict(LOCAL_SETTINGS), on_finished=mark),
            CrawlJob(fault_sites, fault_db, dict(LOCAL_SETTINGS)),
        ]
        results = crawl(jobs)
        log = list(portal.request_log)
        scenarios = {
            "first": CrawlScenario(db, results[:1], log[: marks[0]], portal.sites, portal.manifest()),
            "second": CrawlScenario(db, results[:2], log[marks[0] : marks[1]], portal.sites, portal.manifest()),
            "faults": CrawlScenario(fault_db, results[2:], list(faulty.request_log), faulty.sites, faulty.manifest()),
        }
    return scenarios


def query_db(db: Path, sql: str, params=()) -> list[tuple]:
    """Rows of one query on a test database (a connection of its own, closed after)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def start_ogi_serve(db: Path, log_path: Path, seconds: float = 30) -> tuple[subprocess.Popen, str]:
    """`python -m ogi.cli serve` on a free port with its output in `log_path`. Returns (process, base URL) once it
    accepts connections; fails with the start of its log if it exits or takes longer than `seconds`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "ogi.cli", "serve", "--db", str(db), "--port", str(port)],
                                cwd=Path(__file__).resolve().parents[1], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"ogi serve did not start: {log_path.read_text()[:3000]}") from None
            time.sleep(0.2)


@pytest.fixture(scope="session")
def pg_server():
    """One real PostgreSQL server for the session (tests/pgserver.py), stopped at the end."""
    from tests.pgserver import LocalPostgres

    server = LocalPostgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty PostgreSQL database for one test: its postgresql:// URL."""
    return pg_server.create_database()
