"""Run crawls from Python: the one entry point used by `ogi crawl`, `ogi demo` and the tests.

Twisted's reactor can run only once per process, so several crawls (for example a crawl and its
re-run) are chained inside one reactor run instead of starting a process each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor, is_reactor_installed

from crawler.registry import Site
from crawler.spiders.base import PortalSpider
from crawler.storage import forget_stores

logger = logging.getLogger(__name__)

# Settings for crawling the bundled demo portal on 127.0.0.1: no politeness delays needed there.
LOCAL_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY_JITTER": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 20,
}


@dataclass
class CrawlJob:
    sites: list[Site]
    db: Path
    settings: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[str, str, dict], None] | None = None
    on_finished: Callable[[CrawlResult], None] | None = None  # called when this job's crawl ends


@dataclass
class CrawlResult:
    job: CrawlJob
    stats: dict[str, Any] = field(default_factory=dict)
    run_ids: dict[str, int] = field(default_factory=dict)
    finish_reason: str = ""


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


def run_crawls(jobs: list[CrawlJob], *, log_file: str | Path | None = None, log_level: str = "INFO") -> list[CrawlResult]:
    """Run the jobs one after another in one reactor run; return what each did."""
    base: dict[str, Any] = {"LOG_LEVEL": log_level}
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        base["LOG_FILE"] = str(log_file)
        base["LOG_FILE_APPEND"] = True
    # The process gets only what all jobs share: Scrapy merges the runner's settings into each
    # Crawler at equal priority, so a job's own values (OGI_DB…) must not be in the runner's.
    first = Settings()
    first.setmodule("crawler.settings", priority="project")
    first.setdict(base, priority="cmdline")
    first.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    # We create the Crawlers ourselves, so install the reactor the settings ask for before anything
    # imports twisted.internet.reactor (which would install the default one).
    if first.get("TWISTED_REACTOR") and not is_reactor_installed():
        install_reactor(first["TWISTED_REACTOR"], first.get("ASYNCIO_EVENT_LOOP"))
    process = CrawlerProcess(first)
    results: list[CrawlResult] = []

    def run_next(_: Any = None, index: int = 0):
        if index >= len(jobs):
            from twisted.internet import reactor

            reactor.callLater(0, reactor.stop)
            return None
        job = jobs[index]
        crawler = Crawler(PortalSpider, build_settings(job, base))
        result = CrawlResult(job)
        results.append(result)
        deferred = process.crawl(crawler, sites=job.sites)

        def finished(outcome: Any) -> Any:
            result.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
            result.finish_reason = str(result.stats.get("finish_reason", ""))
            spider = crawler.spider
            runs = getattr(spider, "ogi_runs", None) if spider else None
            if runs is not None:
                result.run_ids = dict(runs.runs)
            if hasattr(outcome, "printTraceback"):
                logger.error("crawl failed: %s", outcome.getErrorMessage())
            if job.on_finished is not None:
                job.on_finished(result)
            return run_next(index=index + 1)

        deferred.addBoth(finished)
        return deferred

    from twisted.internet import reactor

    reactor.callWhenRunning(run_next)
    process.start(stop_after_crawl=False)
    forget_stores()
    return results
