"""Run crawls from Python: the one entry point used by `ogi crawl`, `ogi demo` and the tests.

Twisted's reactor can run only once per process: `run_crawls` starts it (the CLI), while
`crawl_on_running_reactor` uses one that already runs (the tests, under pytest-twisted). Both run
several jobs one after another through `crawl_jobs`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess, CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from twisted.internet.defer import inlineCallbacks

from corpus.lock import crawl_lock
from crawler.registry import Site
from crawler.scope import install_resolver
from crawler.session import session_for
from crawler.spiders.portal import PortalSpider

logger = logging.getLogger(__name__)

# Settings for crawling the bundled demo portal on 127.0.0.1: no politeness delays needed there.
LOCAL_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY_JITTER": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 20,
    # The demo portal and the tests' mock sites listen on 127.0.0.1; every other private address stays refused.
    "OGI_ALLOWED_PRIVATE_NETWORKS": ["127.0.0.1/32"],
}


@dataclass
class CrawlJob:
    sites: list[Site]
    db: Path | str  # an SQLite file, or a postgresql:// URL
    settings: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[str, str, dict], None] | None = None
    on_finished: Callable[[CrawlResult], None] | None = None  # called when this job's crawl ends


@dataclass
class CrawlResult:
    job: CrawlJob
    stats: dict[str, Any] = field(default_factory=dict)
    run_ids: dict[str, int] = field(default_factory=dict)
    finish_reason: str = ""
    crawler: Crawler | None = None

    def collect(self) -> None:
        """Take the stats and run ids from the crawler (after it ended, or when it was cut short)."""
        crawler = self.crawler
        if crawler is None:
            return
        self.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
        self.finish_reason = self.finish_reason or str(self.stats.get("finish_reason", ""))
        runs = session_for(crawler).runs
        if runs is not None:
            self.run_ids = dict(runs.runs)

    def close_interrupted(self) -> None:
        """The process is stopping before Scrapy closed the spider (a second Ctrl-C): close this crawl's
        runs as interrupted now, so none is left 'running' (then its Store is closed)."""
        crawler = self.crawler
        runs = session_for(crawler).runs if crawler is not None else None
        if runs is not None and not runs.closed:
            runs.spider_closed(crawler.spider, "interrupted")
        self.finish_reason = self.finish_reason or "interrupted"
        self.collect()
        if crawler is not None:
            session_for(crawler).close()


def build_settings(job: CrawlJob, base: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in (base or {}).items():
        settings.set(key, value, priority="cmdline")
    for key, value in job.settings.items():
        settings.set(key, value, priority="cmdline")
    settings.set("OGI_DB", str(job.db), priority="cmdline")
    if job.progress is not None:
        settings.set("OGI_PROGRESS", job.progress, priority="cmdline")
    return settings


def _runner_settings(base: dict[str, Any]) -> Settings:
    """What all jobs share. Scrapy merges the runner's settings into each Crawler at equal priority,
    so a job's own values (OGI_DB…) must not be in here."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(base, priority="cmdline")
    return settings


@inlineCallbacks
def crawl_jobs(runner: CrawlerRunner | CrawlerProcess, jobs: list[CrawlJob], base: dict[str, Any] | None = None,
               results: list[CrawlResult] | None = None):
    """Run the jobs one after another on a running reactor; the Deferred fires with their results
    (`results`, when given, is filled as they go: the caller sees them even if the reactor stops early)."""
    results = [] if results is None else results
    for job in jobs:
        settings = build_settings(job, base)
        crawler = Crawler(PortalSpider, settings)
        install_resolver(settings)  # this job's address policy (Scrapy installs a resolver per process only)
        result = CrawlResult(job, crawler=crawler)
        results.append(result)
        # One crawl per database at a time (cron overlap): CrawlLocked (exit code 4) stops everything.
        with crawl_lock(job.db, [site.site_id for site in job.sites]):
            try:
                yield runner.crawl(crawler, sites=job.sites)
            except Exception as exc:  # a crawl that could not even start: say so, go on with the next job
                logger.error("crawl failed: %s: %s", type(exc).__name__, exc)
                result.finish_reason = f"failed: {exc}"
        result.collect()
        session_for(crawler).close()  # one Store per crawl, closed when it is over
        if job.on_finished is not None:
            job.on_finished(result)
    return results


def _stop_reactor() -> None:
    """Stop the reactor unless a signal's graceful stop (Scrapy's, on one Ctrl-C or SIGTERM) already did: the
    second stop raised ReactorNotRunning, a traceback at the end of every interrupted crawl."""
    from twisted.internet import error, reactor

    with contextlib.suppress(error.ReactorNotRunning):
        reactor.stop()


def run_crawls(jobs: list[CrawlJob], *, log_file: str | Path | None = None, log_level: str = "INFO") -> list[CrawlResult]:
    """Run the jobs in this process, starting and stopping Twisted's reactor (once per process)."""
    base: dict[str, Any] = {"LOG_LEVEL": log_level}
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        base["LOG_FILE"] = str(log_file)
        base["LOG_FILE_APPEND"] = True
    settings = _runner_settings(base)
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    # We create the Crawlers ourselves, so install the reactor the settings ask for before anything
    # imports twisted.internet.reactor (which would install the default one).
    if settings.get("TWISTED_REACTOR") and not is_reactor_installed():
        install_reactor(settings["TWISTED_REACTOR"], settings.get("ASYNCIO_EVENT_LOOP"))
    process = CrawlerProcess(settings)
    from twisted.internet import reactor

    outcome: dict[str, Any] = {}
    results: list[CrawlResult] = []

    def go() -> None:
        d = crawl_jobs(process, jobs, base, results)
        d.addCallback(lambda results: outcome.setdefault("results", results))
        d.addErrback(lambda failure: outcome.setdefault("error", failure))
        d.addBoth(lambda _: reactor.callLater(0, _stop_reactor))

    reactor.callWhenRunning(go)
    process.start(stop_after_crawl=False)
    if "error" in outcome:
        outcome["error"].raiseException()
    if "results" not in outcome:  # the reactor stopped first (Ctrl-C twice): nothing may stay 'running'
        for result in results:
            result.close_interrupted()
    return results


def crawl_on_running_reactor(jobs: list[CrawlJob], log_level: str = "INFO"):
    """For code that already runs a reactor (tests under pytest-twisted): a Deferred of the results."""
    base = {"LOG_LEVEL": log_level}
    return crawl_jobs(CrawlerRunner(_runner_settings(base)), jobs, base)
