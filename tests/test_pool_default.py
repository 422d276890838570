"""`ogi crawl` extracts in the worker pool by default when the machine has two or more cores, and inline on one
core (where a pool would only add the pipes' cost); OGI_EXTRACT_MODE in the environment chooses either."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import crawl, demo_sites_as_registry

ROOT = Path(__file__).resolve().parents[1]


def _default_mode(cores: set[int] | None, **env: str) -> str:
    """crawler.settings.OGI_EXTRACT_MODE as a fresh process on `cores` (its CPU affinity) sees it."""
    pin = f"os.sched_setaffinity(0, {sorted(cores)!r}); " if cores else ""
    base = {k: v for k, v in os.environ.items() if k != "OGI_EXTRACT_MODE"}
    out = subprocess.run([sys.executable, "-c", f"import os; {pin}import crawler.settings as s; print(s.OGI_EXTRACT_MODE)"],
                         cwd=ROOT, capture_output=True, text=True, check=True, env={**base, **env})
    return out.stdout.strip()


def test_one_core_extracts_inline_more_cores_in_the_pool() -> None:
    assert _default_mode({0}) == "inline"
    assert _default_mode({0}, OGI_EXTRACT_MODE="pool") == "pool"
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core here: the pool default needs two")
    assert _default_mode({0, 1}) == "pool"
    assert _default_mode({0, 1}, OGI_EXTRACT_MODE="inline") == "inline"


@pytest.fixture(scope="module")
def default_crawl(tmp_path_factory):
    """One demo site crawled with the settings `ogi crawl` gives (no OGI_EXTRACT_MODE)."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    if len(os.sched_getaffinity(0)) < 2 or os.environ.get("OGI_EXTRACT_MODE"):
        pytest.skip("one core, or a mode chosen by the environment: the default is not the pool here")
    import scrapy.extensions.remote_control as remote_control

    job_files: list = []  # Scrapy's remote control writes one when it starts (and removes it at a clean stop)
    real = remote_control.write_job_file
    remote_control.write_job_file = lambda *a, **k: job_files.append(a) or real(*a, **k)
    try:
        with DemoPortal() as portal:
            sites = [s for s in demo_sites_as_registry(portal) if s.site_id == "zz"]
            (result,) = crawl([CrawlJob(sites, tmp_path_factory.mktemp("default") / "ogi.db", dict(LOCAL_SETTINGS))])
    finally:
        remote_control.write_job_file = real
    result.job_files = job_files
    return result


def test_a_crawl_without_settings_uses_the_pool(default_crawl) -> None:
    """The reports went through pool workers."""
    result = default_crawl
    assert result.stats["ogi/extract_pool_jobs"] >= 6
    assert result.stats["ogi/extract_pool_replaced"] == 0
    assert result.stats["ogi/extract_pool_nice"] == 10  # OGI_EXTRACT_NICE: the crawl process runs first


def test_a_crawl_opens_no_remote_control_server(default_crawl) -> None:
    """Scrapy 2.19's remote control (an HTTP server that runs Python sent to it) stays off: no job file with
    its token is written (crawler/settings.py REMOTE_CONTROL_ENABLED)."""
    assert default_crawl.job_files == []


def test_pool_settings_from_the_environment_that_are_not_numbers_fall_back_with_a_warning() -> None:
    out = subprocess.run([sys.executable, "-c", "import crawler.settings as s; print(s.OGI_EXTRACT_WORKERS, s.OGI_EXTRACT_TIMEOUT)"],
                         cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "OGI_EXTRACT_WORKERS": "two", "OGI_EXTRACT_TIMEOUT": "1.5"})
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert out.stdout.split() == ["0", "1.5"]
    assert "OGI_EXTRACT_WORKERS='two' is not a number" in out.stderr
