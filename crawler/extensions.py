"""Per-site crawl runs: what was read, found and what failed, so "not collected" is never mistaken
for "not published".

One `crawl_runs` row per site per crawl, opened when the spider starts and closed with counts and a
status when it stops. Counts also go to Scrapy's stats as `ogi/<site>/<counter>`.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict

from scrapy import signals

from crawler.session import SessionComponent
from crawler.storage import storage_failed

logger = logging.getLogger(__name__)

COUNTERS = ("list_pages", "detail_pages", "attachments", "reports", "not_reports", "errors")


class RunTracker(SessionComponent):
    """Extension: one crawl_runs row per site, opened at start and closed with counts and a status."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.closed = False
        self.runs: dict[str, int] = {}
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.notes: dict[str, list[str]] = defaultdict(list)
        self.status_override: dict[str, str] = {}
        self.progress = crawler.settings.get("OGI_PROGRESS")  # optional callback(site_id, counter, counts)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        self.session.runs = self
        self.closed = False
        try:
            self._open_runs(spider)
        except Exception as exc:
            if not storage_failed(self.crawler, exc, "opening the crawl runs"):
                raise

    def _open_runs(self, spider) -> None:
        # Runs left 'running' by a killed process are closed. SQLite: every site's, not only this crawl's (the
        # crawl lock covers the whole database). PostgreSQL: this crawl's sites only (it holds their locks;
        # other sites may be crawled by other workers right now).
        sites = [site.site_id for site in getattr(spider, "sites", [])]
        self.store.close_stale_runs(sites if self.store.multi_writer else None)
        for site in getattr(spider, "sites", []):
            self.store.upsert_site(
                site.site_id,
                site.name,
                site.province,
                site.city,
                site.county,
                site.adcode,
                entry_urls=site.entry_urls,
                platform=site.platform or None,
                verified=site.verified,
                notes=site.notes,
            )
            self.runs[site.site_id] = self.store.start_run(site.site_id)

    def run_id(self, site_id: str) -> int | None:
        return self.runs.get(site_id)

    def count(self, site_id: str, counter: str, n: int = 1) -> None:
        self.counts[site_id][counter] += n
        self.crawler.stats.inc_value(f"ogi/{site_id}/{counter}", n)
        self.crawler.stats.inc_value(f"ogi/{counter}", n)
        if self.progress:
            self.progress(site_id, counter, self.counts[site_id])

    def error(self, site_id: str, url: str, kind: str, message: str) -> None:
        """Record a failure: in crawl_errors, the run's counts, and the log."""
        logger.warning("[%s] %s %s: %s", site_id, kind, url, message)
        self.count(site_id, "errors")
        self.notes[site_id].append(f"{kind}: {url}: {message}")
        try:
            self.store.record_error(self.runs.get(site_id), site_id, url, kind, message)
        except Exception as exc:
            if not storage_failed(self.crawler, exc, f"recording an error for {url}"):
                logger.exception("could not record error for %s", url)

    def set_status(self, site_id: str, status: str, note: str = "") -> None:
        """Statuses: ok, partial, interrupted, unreachable, needs_family, and blocked (anti-bot challenge or
        robots.txt; the note gives the reason). A blocked site stays blocked whatever else happens."""
        if self.status_override.get(site_id) != "blocked":
            self.status_override[site_id] = status
        if note:
            self.notes[site_id].append(note)

    def spider_closed(self, spider, reason: str) -> None:
        """Close every run of this crawl with its counts and status (also called, with reason
        "interrupted", when the process is stopped before Scrapy could close the spider)."""
        if self.closed:
            return
        self.closed = True
        for site_id, run_id in self.runs.items():
            counts = self.counts[site_id]
            status = self.status_override.get(site_id)
            outcome = getattr(spider, "site_outcome", lambda *_: None)(site_id, counts)
            if status is None and outcome and reason == "finished":
                status = outcome[0]
                self.notes[site_id].append(outcome[1])
            if reason == "storage_failed":
                self.notes[site_id].insert(0, "stopped: the database or disk is full (or failing); run the crawl again")
            if status is None:
                if reason != "finished":
                    status = "interrupted"
                elif counts["errors"]:
                    status = "partial"
                else:
                    status = "ok"
            message = "; ".join(self.notes[site_id][:20])
            if len(self.notes[site_id]) > 20:
                message += f"; … and {len(self.notes[site_id]) - 20} more"
            try:
                self._finish(run_id, status, counts, message)
            except Exception as exc:
                if not storage_failed(self.crawler, exc, f"closing the run of {site_id}"):
                    logger.exception("could not close the run of %s", site_id)

    def _finish(self, run_id: int, status: str, counts: Counter, message: str) -> None:
        self.store.finish_run(
            run_id,
            status=status,
            list_pages=counts["list_pages"],
            detail_pages=counts["detail_pages"],
            attachments=counts["attachments"],
            # Deferred extraction: extract workers count the reports they store (Store.count_run_reports).
            reports=None if self.crawler.settings.get("OGI_EXTRACT_MODE") == "deferred" else counts["reports"],
            errors=counts["errors"],
            message=message,
            list_items=counts["list_items"],
            unchanged=counts["unchanged"],
            skipped=counts["skipped"],
        )
