"""Budgets: how much one site may cost a crawl, so a hostile or broken site cannot hold it forever.

A site that invents new list items and query strings on every page never runs out of URLs; one
with a thousand attachments per page, or attachments that trickle in at a byte a second, never
runs out of work. Each site gets a budget of requests, bytes and wall time
(``OGI_SITE_MAX_REQUESTS``, ``OGI_SITE_MAX_BYTES``, ``OGI_SITE_MAX_SECONDS``); when one is spent
the site's run ends with status ``budget_exceeded`` and the reason, every further request to the
site is dropped unsent, and the other sites go on. List pages are capped when they are *requested*
(``OGI_MAX_LIST_PAGES``), not after they were downloaded. Pages (entry, list, report pages,
robots.txt) may be at most ``OGI_PAGE_MAXSIZE`` bytes, also after decompression; attachments up to
``DOWNLOAD_MAXSIZE``. Per-report limits
(attachments, bytes) are applied by the spider, which knows which report a file belongs to.

The defaults fit a real county portal with plenty of room (30–80 agencies × ~15 years of reports is
a few thousand requests); the demo and tests set small ones to see them fire.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from scrapy.exceptions import IgnoreRequest

from crawler.antibot import site_of

logger = logging.getLogger(__name__)

class BudgetExceeded(IgnoreRequest):
    """A request dropped because its site's budget is spent (recorded once per site)."""


@dataclass
class SiteSpend:
    requests: int = 0
    list_requests: int = 0
    bytes: int = 0
    started: float | None = None
    exhausted: str | None = None  # why the budget is spent
    list_cap_noted: bool = False


class BudgetMiddleware:
    """Downloader middleware: count each site's requests, bytes and time; drop what is over budget."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        s = crawler.settings
        self.max_requests = s.getint("OGI_SITE_MAX_REQUESTS", 20000)
        self.max_bytes = s.getint("OGI_SITE_MAX_BYTES", 2 * 1024**3)
        self.max_seconds = s.getfloat("OGI_SITE_MAX_SECONDS", 8 * 3600)
        self.max_list_pages = s.getint("OGI_MAX_LIST_PAGES", 500)
        self.page_maxsize = s.getint("OGI_PAGE_MAXSIZE", 10 * 1024 * 1024)
        self.download_timeout = s.getfloat("DOWNLOAD_TIMEOUT", 180)
        self.spend: dict[str, SiteSpend] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _spent(self, site_id: str, spend: SiteSpend, reason: str, url: str) -> None:
        if spend.exhausted:
            return
        spend.exhausted = reason
        logger.warning("[%s] budget exceeded (%s): no further requests to this site", site_id, reason)
        self.crawler.stats.inc_value("ogi/budget_exceeded")
        spider = self.crawler.spider
        if hasattr(spider, "site_budget_exceeded"):
            spider.site_budget_exceeded(site_id, reason, url)

    def process_request(self, request) -> None:
        site_id = site_of(request, self.crawler.spider)
        if site_id is None:
            return None
        spend = self.spend.setdefault(site_id, SiteSpend())
        now = time.monotonic()
        if spend.started is None:
            spend.started = now
        elapsed = now - spend.started
        if not spend.exhausted:
            if spend.requests >= self.max_requests:
                self._spent(site_id, spend, f"{spend.requests} requests (OGI_SITE_MAX_REQUESTS)", request.url)
            elif elapsed >= self.max_seconds:
                self._spent(site_id, spend, f"{elapsed:.0f} s of crawling (OGI_SITE_MAX_SECONDS)", request.url)
        if spend.exhausted:
            self.crawler.stats.inc_value("ogi/budget_dropped")
            raise BudgetExceeded(f"site {site_id} is over its budget ({spend.exhausted}); not sent")
        kind = request.meta.get("ogi_kind")
        if kind == "list" and not request.meta.get("redirect_urls") and not request.meta.get("retry_times"):
            if spend.list_requests >= self.max_list_pages:
                if not spend.list_cap_noted:
                    spend.list_cap_noted = True
                    spider = self.crawler.spider
                    if hasattr(spider, "error"):
                        spider.error(site_id, request.url, "too_many_pages",
                                     f"list page limit ({self.max_list_pages}, OGI_MAX_LIST_PAGES) reached; "
                                     "pagination may not end, further list pages not requested")
                self.crawler.stats.inc_value("ogi/list_pages_dropped")
                raise BudgetExceeded(f"list page limit of site {site_id} reached; not sent")
            spend.list_requests += 1
        spend.requests += 1
        if kind != "attachment" and "download_maxsize" not in request.meta:
            # Pages, robots.txt and anything else that is not a report file: a page-sized cap.
            request.meta["download_maxsize"] = self.page_maxsize
        # A request may not run past the site's time budget (a trickling server holds a slot otherwise).
        left = self.max_seconds - elapsed
        if left < self.download_timeout and "download_timeout" not in request.meta:
            request.meta["download_timeout"] = max(1.0, left)
        return None

    def process_response(self, request, response):
        site_id = site_of(request, self.crawler.spider)
        if site_id is None:
            return response
        spend = self.spend.setdefault(site_id, SiteSpend())
        spend.bytes += len(response.body)
        if spend.bytes > self.max_bytes:
            self._spent(site_id, spend, f"{spend.bytes:,} bytes downloaded (OGI_SITE_MAX_BYTES)", response.url)
        return response


__all__ = ["BudgetExceeded", "BudgetMiddleware"]
