"""Extraction in a pool of worker processes (extract/pool.py, OGI_EXTRACT_MODE = "pool"): the same reports as
inline extraction, a stuck, crashing or memory-hungry job costs its worker (replaced) and never the crawl."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from extract import limits
from extract.pool import ExtractPool
from tests.conftest import crawl, demo_sites_as_registry, query_db

ROOT = Path(__file__).resolve().parent
PDF = ROOT / "golden" / "docs" / "p01_form2021_split_repeat.pdf"


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _hog() -> int:
    return len(bytearray(3 * 2**30))


def test_pool_extracts_like_the_process_itself() -> None:
    from extract import extract_bytes

    data = PDF.read_bytes()
    with ExtractPool(2) as pool:
        record = pool.run(extract_bytes, data)
        assert record.to_json() == extract_bytes(data).to_json()
        stats = pool.stats()
    assert stats.jobs == 1 and len(stats.worker_peak_mb) == 2
    assert 10 < stats.worker_peak_mb[0] < 1000  # the worker's own peak, reported by the worker


def test_workers_run_at_the_niceness_asked_for() -> None:
    """The crawl's workers yield the CPU to the crawl process (OGI_EXTRACT_NICE); a replaced worker too."""
    own = os.nice(0)
    with ExtractPool(1, nice=5) as pool:
        assert pool.run(os.nice, 0) == min(19, own + 5)
        with pytest.raises(limits.ChildCrashed):
            pool.run(_crash)
        assert pool.run(os.nice, 0) == min(19, own + 5)
    with ExtractPool(1) as pool:
        assert pool.run(os.nice, 0) == own


def _echo(value: str) -> str:
    return value


def _pipe_bytes(fd: int) -> int:
    import fcntl

    return fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ)


@pytest.mark.skipif(not Path("/proc/sys/fs/pipe-max-size").exists(), reason="pipe sizes are Linux's")
def test_a_worker_s_pipes_hold_a_record_whole_and_a_replaced_worker_s_too() -> None:
    """Pages in, records out: at the 64 KB default a 100 KB record blocked its worker mid-frame until the crawl's
    thread woke, a context switch per 64 KB on cores the crawl process shares (limits.grow_pipe)."""
    big = "政" * 200_000  # 600 KB each way
    with ExtractPool(1) as pool:
        for _ in range(2):
            worker = pool._all[-1]
            assert [_pipe_bytes(fh.fileno()) for fh in (worker.proc.stdin, worker.proc.stdout)] == [limits.PIPE_BYTES] * 2
            assert pool.run(_echo, big) == big
            with pytest.raises(limits.ChildCrashed):
                pool.run(_crash)


def test_stuck_job_kills_its_worker_and_the_next_job_runs() -> None:
    with ExtractPool(1) as pool:
        t0 = time.monotonic()
        with pytest.raises(limits.TimeLimitExceeded):
            pool.run(time.sleep, 60, timeout=1)
        assert time.monotonic() - t0 < 10
        assert pool.run(len, "abc") == 3  # a fresh worker
        assert pool.stats().replaced == {"timeout": 1}


def test_crash_and_memory_hog_are_typed_and_replaced() -> None:
    with ExtractPool(1, memory=1 * 2**30) as pool:
        with pytest.raises(limits.ChildCrashed):
            pool.run(_crash)
        with pytest.raises(limits.MemoryLimitExceeded):
            pool.run(_hog)
        with pytest.raises(limits.ChildFailed, match="ZeroDivisionError"):
            pool.run(divmod, 1, 0)
        assert pool.run(len, "ab") == 2
        assert pool.stats().replaced == {"crash": 1, "memory": 1}


def _reports(db: Path) -> set[tuple]:
    """What extraction decided (not the bytes hashes: each demo portal writes its own port into its pages)."""
    rows = query_db(db, """SELECT r.site_id, r.agency, r.report_year, r.form, r.text_source, r.title, r.text, r.flags, r.errors,
                                  r.published_at, r.document_date,
                                  (SELECT group_concat(key || '=' || value, ';') FROM
                                     (SELECT key, value FROM statistics s WHERE s.report_id = r.report_id ORDER BY key))
                           FROM reports r""")
    return set(rows)


def _demo_crawl(base: Path, settings: dict, site_ids: tuple[str, ...] | None = None):
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal

    with DemoPortal() as portal:
        sites = [s for s in demo_sites_as_registry(portal) if not site_ids or s.site_id in site_ids]
        db = base / "ogi.db"
        (result,) = crawl([CrawlJob(sites, db, {**LOCAL_SETTINGS, **settings})])
    return db, result


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    """The demo portal crawled with extraction in a pool of two workers."""
    return _demo_crawl(tmp_path_factory.mktemp("pool"), {"OGI_EXTRACT_MODE": "pool", "OGI_EXTRACT_WORKERS": 2})


@pytest.fixture(scope="module")
def stuck(tmp_path_factory):
    """One site crawled with a worker timeout every candidate outlives; the pool's figures from $OGI_POOL_REPORT."""
    base = tmp_path_factory.mktemp("stuck")
    os.environ["OGI_POOL_REPORT"] = str(base / "pool.json")
    try:
        db, result = _demo_crawl(base, {"OGI_EXTRACT_MODE": "pool", "OGI_EXTRACT_WORKERS": 1,
                                        "OGI_EXTRACT_TIMEOUT": 0.001}, site_ids=("zz",))
    finally:
        del os.environ["OGI_POOL_REPORT"]
    return db, result, json.loads((base / "pool.json").read_text())


def test_pool_mode_stores_the_reports_inline_mode_stores(demo_crawls, pooled) -> None:
    db, result = pooled
    pooled_reports, inline = _reports(db), _reports(demo_crawls["first"].db)
    assert len(inline) >= 40
    assert pooled_reports == inline
    assert result.stats["ogi/extract_pool_jobs"] >= len(pooled_reports)
    assert result.stats["ogi/extract_pool_replaced"] == 0
    assert query_db(db, "SELECT SUM(reports) FROM crawl_runs")[0][0] == len(pooled_reports)


def test_stuck_extraction_is_killed_and_the_crawl_goes_on(demo_crawls, stuck) -> None:
    """Every candidate outlives a tiny worker timeout: each worker is killed and replaced, each candidate is
    extracted again as inline mode does, and the site's reports are all there."""
    db, result, stats = stuck
    inline = {r for r in _reports(demo_crawls["first"].db) if r[0] == "zz"}
    assert len(inline) == 6
    assert _reports(db) == inline
    assert stats["replaced"]["timeout"] >= 6
    assert result.finish_reason == "finished"
