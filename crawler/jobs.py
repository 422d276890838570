"""Crawling and extracting on many machines: jobs in PostgreSQL, run by procrastinate workers.

Why this shape (measured for the scale-out issue; see benchmarks/RESULTS-dist.md):
- **The unit of work is the site.** A `crawl_site` job runs ogi's unchanged spider on one site, in a
  process of its own (crawler.site_job), so robots.txt, Crawl-delay, backoff and anti-bot state stay per
  site. The job's procrastinate `lock` is the site's host: two jobs on one host never run at once, on any
  machine, so per-host politeness holds across the fleet. Its `queueing_lock` is the site id: a site is
  queued at most once. No URL frontier is shared between workers (scrapy-redis lost pages on kill -9 and
  broke per-host delays when measured).
- **Parsing never stalls fetching.** The crawl runs with OGI_EXTRACT_MODE = "deferred": each report
  candidate becomes an `extract` job (queue `extract`, queueing lock = its URL) inserted with the crawl's
  own database connection; an extract worker runs crawler.extract_job.run_extract for each, the extraction
  itself in the same `extract.pool.ExtractPool` that `ogi crawl` uses on one machine (one long-lived,
  memory-limited process per --concurrency; a stuck one killed and replaced, its report extracted inline),
  the store reads and writes in the worker's threads (one connection each).
- **Workers that die are recovered.** Every worker sends heartbeats; each worker also looks, every
  `stalled_check` seconds, for jobs left 'doing' by a worker whose heartbeat stopped, and puts them back
  to 'todo'. A crawl killed with its worker left its run 'running': the retried crawl closes it as
  `interrupted` (it holds the site's lock) and starts a new run.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import logging
import os
import signal
import sqlite3
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import procrastinate
from procrastinate import RetryStrategy
from procrastinate.tasks import configure_task

from corpus import pg_schema
from corpus.backend import open_store, redact
from corpus.store import Store
from crawler.extract_job import ExtractRequest, run_extract
from crawler.registry import Site
from extract.pool import ExtractPool, report_stats

logger = logging.getLogger(__name__)

CRAWL_QUEUE, EXTRACT_QUEUE = "crawl", "extract"
CRAWL_TASK, EXTRACT_TASK = "ogi:crawl_site", "ogi:extract"
# How long a worker may go without a heartbeat before its jobs count as stalled (seconds).
STALLED_AFTER = 60.0


def _connector(db_url: str | None = None):
    from procrastinate import PsycopgConnector

    return PsycopgConnector(conninfo=db_url) if db_url else PsycopgConnector()


# The tasks live on one App that is never opened; each database gets a copy with its own connector
# (`make_app`). (A procrastinate Blueprint renames its tasks when added to an app: adding it to a second
# app queued jobs under names no worker knew.)
tasks = procrastinate.App(connector=_connector())


@dataclass
class WorkerConfig:
    """What a worker's jobs need, handed to them through procrastinate's job context."""

    db: str
    raw_dir: str
    concurrency: int = 1
    settings: dict[str, Any] = field(default_factory=dict)  # Scrapy settings for every crawl of this worker
    log_level: str = "INFO"
    pool: ExtractPool | None = None  # the extraction workers (extract jobs only)
    threads: ThreadPoolExecutor | None = None  # one thread per job at once: reads, waits for the pool, writes
    extract_timeout: float | None = None  # per candidate in a pool worker (None: the parse limits' sum)


def site_host(site: Site) -> str:
    """The host whose politeness a site's crawl must respect (its first entry URL's)."""
    return (urlsplit(site.entry_urls[0]).hostname or site.site_id).lower() if site.entry_urls else site.site_id


def make_app(db_url: str) -> procrastinate.App:
    """The procrastinate App of a PostgreSQL corpus (jobs live in the same database as the corpus)."""
    return tasks.with_connector(_connector(db_url))


def ensure_schema(app: procrastinate.App, db_url: str) -> None:
    """Create procrastinate's tables on first use (under an advisory lock: several workers may start at once)."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('ogi procrastinate schema'))")
        try:
            if conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is None:
                conn.execute(app.schema_manager.get_schema().encode("utf-8"))
                logger.info("created the job tables in %s", redact(db_url))
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('ogi procrastinate schema'))")


# -- queueing ----------------------------------------------------------------------------------------------

def enqueue_sites(db_url: str, sites: list[Site], settings: dict[str, Any] | None = None,
                  priority: int = 0) -> tuple[int, int]:
    """A crawl job per site; returns (queued, already queued). Sites already waiting are not queued twice."""
    app = make_app(db_url)
    ensure_schema(app, db_url)
    pg_schema.ensure_schema(db_url)  # `ogi status` reads the corpus before any worker has opened it
    queued = already = 0
    with app.open():
        for site in sites:
            # Configured by name against this app's job manager (a task object defers through the App it
            # was declared on, which has no connection).
            task = configure_task(name=CRAWL_TASK, job_manager=app.job_manager, queue=CRAWL_QUEUE,
                                  lock=f"host:{site_host(site)}", queueing_lock=f"crawl:{site.site_id}",
                                  priority=priority)
            try:
                task.defer(site=asdict(site), settings=dict(settings or {}))
                queued += 1
            except procrastinate.exceptions.AlreadyEnqueued:
                already += 1
    return queued, already


def defer_extract(store: Store, request: ExtractRequest) -> bool:
    """Queue one extraction with the crawl's own connection; False when that page is already queued."""
    payload = json.dumps({"request": request.to_json()}, ensure_ascii=False)
    try:
        with store.transaction() as conn:
            conn.execute(
                """SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(?, ?, 0, NULL, ?, ?::jsonb, NULL)
                   ::procrastinate_job_to_defer_v1])""",
                (EXTRACT_QUEUE, EXTRACT_TASK, f"extract:{request.url}", payload))
    except sqlite3.IntegrityError as exc:  # the facade's name for a unique violation
        if "queueing_lock" in str(exc):
            return False
        raise
    return True


# -- the jobs ----------------------------------------------------------------------------------------------

def _die_with_parent() -> None:
    """In the crawl's child process: receive SIGKILL when the worker dies (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


@tasks.task(name=CRAWL_TASK, queue=CRAWL_QUEUE, pass_context=True,
            retry=RetryStrategy(max_attempts=3, wait=60, retry_exceptions={RuntimeError}))
async def crawl_site(context: procrastinate.JobContext, site: dict[str, Any], settings: dict[str, Any]) -> dict:
    """Crawl one site in a child process (crawler.site_job) with deferred extraction."""
    cfg: WorkerConfig = context.additional_context["ogi"]
    spec = {"site": site, "db": cfg.db, "raw_dir": cfg.raw_dir, "settings": {**cfg.settings, **settings},
            "log_level": cfg.log_level, "extract_mode": "deferred"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "crawler.site_job", json.dumps(spec, ensure_ascii=False),
        stdout=asyncio.subprocess.PIPE, preexec_fn=_die_with_parent)
    try:
        out, _ = await proc.communicate()
    except asyncio.CancelledError:  # the worker is shutting down: stop the crawl (its run closes as interrupted)
        proc.send_signal(signal.SIGINT)
        await proc.wait()
        raise
    if proc.returncode == 4:
        raise RuntimeError(f"site {site['site_id']} is being crawled by another process; retrying later")
    if proc.returncode != 0:
        raise RuntimeError(f"crawl of {site['site_id']} exited with code {proc.returncode}")
    lines = out.decode("utf-8", "replace").strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


_LOCAL = threading.local()  # each executor thread's own Store (one database connection per thread)
_OPENED: list[Store] = []  # every thread's Store, closed when the worker stops


def _extract_in_thread(cfg: WorkerConfig, request: dict[str, Any]) -> str:
    """Runs in one of the worker's threads: this thread's Store, the extraction in the shared pool."""
    store = getattr(_LOCAL, "store", None)
    if store is None:
        store = _LOCAL.store = open_store(cfg.db, raw_dir=cfg.raw_dir)
        _OPENED.append(store)
    return run_extract(store, request, pool=cfg.pool, timeout=cfg.extract_timeout)


@tasks.task(name=EXTRACT_TASK, queue=EXTRACT_QUEUE, pass_context=True, retry=RetryStrategy(max_attempts=3, wait=5))
async def extract(context: procrastinate.JobContext, request: dict[str, Any]) -> str:
    """Extract one report candidate in the worker's extraction pool and store it."""
    cfg: WorkerConfig = context.additional_context["ogi"]
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(cfg.threads, _extract_in_thread, cfg, request)


# -- the worker --------------------------------------------------------------------------------------------

# Succeeded jobs are kept this long (for `ogi status` and the benchmarks' timings), then deleted.
KEEP_DONE_HOURS = 7 * 24


async def _housekeeping(app: procrastinate.App, every: float, stalled_after: float) -> None:
    """Put back to 'todo' the jobs of workers whose heartbeat stopped (killed, machine lost); now and then
    delete succeeded jobs older than KEEP_DONE_HOURS (a national pass makes over a million)."""
    rounds = 0
    while True:
        await asyncio.sleep(every)
        rounds += 1
        try:
            if rounds % max(1, int(600 / every)) == 0:
                await app.job_manager.delete_old_jobs(nb_hours=KEEP_DONE_HOURS)
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
                logger.warning("job %s (%s) was left running by a dead worker; queued again", job.id, job.task_name)
                await app.job_manager.retry_job(job)
            await app.job_manager.prune_stalled_workers(seconds_since_heartbeat=stalled_after)
        except Exception as exc:  # the database away for a moment: try again next round
            logger.warning("stalled-job check failed: %s", exc)


async def _stop_when_empty(app: procrastinate.App, queues: list[str], worker: asyncio.Task, every: float = 2.0) -> None:
    """Cancel the worker (a graceful stop) once no queue of ogi has had a waiting or running job for two checks
    in a row. Every queue, not only the worker's own: an extract-only worker must not stop while crawls that
    will queue more extractions are still running. A job waiting for its host's lock or a retry counts."""
    idle = 0
    while idle < 2:
        await asyncio.sleep(every)
        row = await app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
            "AND queue_name = ANY(%(queues)s)", queues=queues)
        idle = idle + 1 if row["n"] == 0 else 0
    worker.cancel()


async def run_worker(cfg: WorkerConfig, queues: list[str] | None = None, name: str | None = None,
                     wait: bool = True, stalled_after: float = STALLED_AFTER) -> None:
    """Run a worker until stopped (SIGINT/SIGTERM: running jobs finish or go back to the queue), or, when
    `wait` is False, until its queues are empty."""
    queues = list(queues or [CRAWL_QUEUE, EXTRACT_QUEUE])
    app = make_app(cfg.db)
    ensure_schema(app, cfg.db)
    open_store(cfg.db, raw_dir=cfg.raw_dir).close()  # create or check the corpus schema before any job
    if EXTRACT_QUEUE in queues:
        cfg.pool = ExtractPool(cfg.concurrency)
        cfg.threads = ThreadPoolExecutor(max_workers=cfg.concurrency, thread_name_prefix="ogi-extract")
        if cfg.extract_timeout is None:
            from crawler.settings import _env_number

            cfg.extract_timeout = _env_number("OGI_EXTRACT_TIMEOUT", float) or None
    heartbeat = max(1.0, min(10.0, stalled_after / 4))
    async with app.open_async():
        worker = asyncio.create_task(app.run_worker_async(
            queues=queues, name=name or f"{os.uname().nodename}-{os.getpid()}", concurrency=cfg.concurrency,
            wait=True, additional_context={"ogi": cfg}, update_heartbeat_interval=heartbeat,
            stalled_worker_timeout=stalled_after, fetch_job_polling_interval=1.0, delete_jobs="never",
            install_signal_handlers=True))
        helpers = [asyncio.create_task(_housekeeping(app, heartbeat, stalled_after))]
        if not wait:
            helpers.append(asyncio.create_task(_stop_when_empty(app, [CRAWL_QUEUE, EXTRACT_QUEUE], worker)))
        try:
            await worker
        except asyncio.CancelledError:
            if wait:
                raise
        finally:
            for task in helpers:
                task.cancel()
            if cfg.threads is not None:
                cfg.threads.shutdown(wait=True, cancel_futures=True)
                while _OPENED:
                    _OPENED.pop().close()
            if cfg.pool is not None:
                report_stats(cfg.pool.stats())
                cfg.pool.close()


def queue_status(db_url: str, stalled_after: float = STALLED_AFTER) -> dict[str, Any]:
    """Jobs per site and per worker, for `ogi status`: queued, running, stalled, failed, done."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is None:
            return {"sites": [], "workers": [], "totals": {}}
        stale = f"now() - make_interval(secs => {float(stalled_after)})"
        sites = conn.execute(f"""
            SELECT coalesce(j.args->'site'->>'site_id', j.args->'request'->>'site_id') AS site_id,
                   count(*) FILTER (WHERE j.status = 'todo' AND j.task_name = %s) AS crawl_queued,
                   count(*) FILTER (WHERE j.status = 'doing' AND j.task_name = %s) AS crawl_running,
                   count(*) FILTER (WHERE j.status = 'todo' AND j.task_name = %s) AS extract_queued,
                   count(*) FILTER (WHERE j.status = 'doing' AND j.task_name = %s) AS extract_running,
                   count(*) FILTER (WHERE j.status = 'doing' AND (w.id IS NULL OR w.last_heartbeat < {stale}))
                       AS stalled,
                   count(*) FILTER (WHERE j.status = 'failed') AS failed,
                   count(*) FILTER (WHERE j.status = 'succeeded') AS done
            FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id
            GROUP BY 1 ORDER BY 1""", (CRAWL_TASK, CRAWL_TASK, EXTRACT_TASK, EXTRACT_TASK)).fetchall()
        names = ("site_id", "crawl_queued", "crawl_running", "extract_queued", "extract_running", "stalled",
                 "failed", "done")
        workers = conn.execute(f"""
            SELECT w.id, w.last_heartbeat::text, w.last_heartbeat < {stale} AS stalled,
                   count(j.id) FILTER (WHERE j.status = 'doing') AS running
            FROM procrastinate_workers w LEFT JOIN procrastinate_jobs j ON j.worker_id = w.id
            GROUP BY w.id ORDER BY w.id""").fetchall()
        totals = dict(conn.execute("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1").fetchall())
    return {"sites": [dict(zip(names, r, strict=True)) for r in sites],
            "workers": [dict(zip(("worker_id", "last_heartbeat", "stalled", "running"), r, strict=True))
                        for r in workers],
            "totals": totals}
