"""Incremental crawls: a later run re-reads the lists but fetches and re-extracts only what is new or changed.

Three mechanisms, cheapest first:

1. **Skip by list** (`IncrementalState.skip`, called from `PortalSpider.skip_listed` in parse_list): a
   detail page the store has already judged (a report, or not a report), whose list entry shows the same
   title and date, whose site sent no validators (ETag/Last-Modified) for it, and which was checked less
   than ``OGI_RECHECK_DAYS`` ago is not requested at all; neither are its attachments.
2. **Conditional requests** (`ConditionalRequestMiddleware`): for detail pages and attachments the
   store has bytes of, the request carries If-None-Match / If-Modified-Since from the latest capture; a
   304 is turned back into the stored response (so the spider still finds the attachments) and the
   capture's last_seen/fetch_count move, without transferring the body again.
3. **Same bytes** (`UnchangedItemFilter`): a report candidate whose page and attachments resolved to
   exactly the captures it was last judged from is not re-extracted (captures are content-addressed,
   so equal capture ids mean equal bytes). When anything differs, the report is extracted again and
   `Store.save_report` keeps the earlier version in ``report_versions`` and flags the edit.

`PageStateRecorder` (after the store pipeline) writes what each page was judged to be into
``page_state``; because it runs only after the report is stored, a crawl killed at any moment leaves
no page marked done that was not, and the next run simply finishes the job.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from corpus.store import StoreError
from crawler.items import ReportItem
from crawler.session import SessionComponent, session_for
from crawler.storage import log_failed_write

logger = logging.getLogger(__name__)

CONDITIONAL_KINDS = ("detail", "attachment")
DONE_OUTCOMES = ("report", "not_report")


def _header(headers: dict[str, Any], name: str) -> str | None:
    """Case-insensitive look-up in a stored headers dict (Scrapy title-cases names: 'Etag')."""
    want = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == want and value:
            return str(value)
    return None


def has_validators(headers: dict[str, Any]) -> bool:
    return bool(_header(headers, "ETag") or _header(headers, "Last-Modified"))


def _parse_time(value: str) -> datetime:
    return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


class IncrementalState(SessionComponent):
    """Per-crawl decision whether a listed detail page must be requested (see mechanism 1)."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.enabled = crawler.settings.getbool("OGI_INCREMENTAL", True)
        self.conditional = crawler.settings.getbool("OGI_CONDITIONAL_GET", True)
        self.recheck = timedelta(days=crawler.settings.getfloat("OGI_RECHECK_DAYS", 30))
        self._seen: dict[str, set[str]] = {}
        self.fresh_origins: frozenset[str] = frozenset()  # see first_time()

    @classmethod
    def from_crawler(cls, crawler) -> IncrementalState:
        state = cls(crawler)
        crawler.signals.connect(state.spider_opened, signal=signals.spider_opened)
        return state

    def spider_opened(self, spider) -> None:
        self.session.incremental = self
        if self.enabled and not self.store.multi_writer:
            origins = {_origin(url) for site in getattr(spider, "sites", ())
                       for url in [*site.entry_urls, *getattr(site, "column_urls", [])]}
            self.fresh_origins = frozenset(o for o in origins if o and not self.store.origin_seen(o))

    def first_time(self, url: str) -> bool:
        """Nothing under this URL's origin was ever fetched or judged before this crawl (asked once per origin of
        the crawl's sites, when it opens): no page state or earlier capture to look up. A first crawl of a site
        makes no per-URL lookup then (~5,000 reads for 200 sites). SQLite only: on PostgreSQL other machines may
        be crawling the same origins."""
        return bool(self.fresh_origins) and _origin(url) in self.fresh_origins

    def _count(self, site_id: str, counter: str) -> None:
        spider = self.crawler.spider
        if spider is not None and hasattr(spider, "count"):
            spider.count(site_id, counter)

    def skip(self, site_id: str, url: str, title: str = "", date: str = "") -> bool:
        """Count the listed page, and say whether it can be left unrequested this run."""
        seen = self._seen.setdefault(site_id, set())
        if url in seen:
            return False  # listed twice: the duplicate filter handles it, count it once
        seen.add(url)
        self._count(site_id, "list_items")
        if not self.enabled or self.recheck <= timedelta(0) or self.first_time(url):
            return False
        state = self.store.page_state(url)
        if state is None or state["outcome"] not in DONE_OUTCOMES:
            return False
        if state["outcome"] == "report" and state["report_id"] is None:
            return False  # the report was deleted: build it again
        if state["validators"] and self.conditional:
            return False  # a conditional request costs a 304 and catches edits the list does not show
        if (state["list_title"], state["list_date"]) != (title or "", date or ""):
            logger.info("[%s] list entry changed, fetching again: %s", site_id, url)
            return False
        if datetime.now(UTC) - _parse_time(state["checked_at"]) > self.recheck:
            return False
        log_failed_write(self.crawler, self.store.later("touch_page", url), f"the check of {url}", logger)
        self._count(site_id, "skipped")
        return True


class ConditionalRequestMiddleware(SessionComponent):
    """Downloader middleware (mechanism 2). Sits just outside CaptureMiddleware, so the capture of a
    304 is recorded as another fetch of the stored bytes, not as a new empty version."""

    def __init__(self, crawler) -> None:
        if not (crawler.settings.getbool("OGI_INCREMENTAL", True) and crawler.settings.getbool("OGI_CONDITIONAL_GET", True)):
            raise NotConfigured("incremental crawling or conditional requests are off")
        super().__init__(crawler)

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or request.meta.get("ogi_kind") not in CONDITIONAL_KINDS:
            return None
        if "ogi_cond_capture" in request.meta or request.meta.get("ogi_no_conditional"):
            return None  # a retry or redirect of a request already made conditional
        incremental = self.session.incremental
        if incremental is not None and incremental.first_time(request.url):
            return None
        capture = self.store.latest_capture(request.url)
        if capture is None:
            return None
        etag = _header(capture["headers"], "ETag")
        modified = _header(capture["headers"], "Last-Modified")
        if not (etag or modified):
            return None
        if etag:
            request.headers["If-None-Match"] = etag
        if modified:
            request.headers["If-Modified-Since"] = modified
        request.meta["ogi_cond_capture"] = capture["capture_id"]
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        capture_id = request.meta.get("ogi_cond_capture")
        if response.status != 304 or capture_id is None:
            return response
        try:
            capture = self.store.capture(capture_id)
            body = self.store.raw_bytes(capture["sha256"])
        except StoreError as exc:  # raw file gone: ask again, unconditionally
            logger.warning("304 for %s but the stored bytes are missing (%s); fetching again", request.url, exc)
            retry = request.replace(dont_filter=True)
            for name in (b"If-None-Match", b"If-Modified-Since"):
                retry.headers.pop(name, None)
            retry.meta.pop("ogi_cond_capture", None)
            retry.meta["ogi_no_conditional"] = True
            return retry
        headers = json.loads(capture["headers"]) if capture.get("headers") else {}
        for name, values in response.headers.items():  # a 304 carries the current validators
            if values:
                headers[name.decode("latin-1")] = values[0].decode("latin-1")
        headers.pop("Content-Length", None)
        # Headers(), not the dict: Scrapy looks the type up as b'Content-Type' (a str-keyed dict hid it, so a
        # replayed 304 was typed from its URL and body alone).
        cls = responsetypes.from_args(headers=Headers(headers), url=response.url, body=body)
        request.meta["ogi_not_modified"] = True
        self.crawler.stats.inc_value("ogi/not_modified")
        return cls(url=response.url, status=200, headers=headers, body=body, request=request,
                   flags=[*response.flags, "not_modified"])


def _origin(url: str) -> str:
    """'http://host:port' of a URL ('' when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _parts_ids(item: ReportItem) -> list[int | None]:
    return [p.capture_id for p in item.parts]


class UnchangedItemFilter(SessionComponent):
    """Item pipeline before extraction (mechanism 3): drop candidates built from the same bytes as last time."""

    def __init__(self, crawler) -> None:
        if not crawler.settings.getbool("OGI_INCREMENTAL", True):
            raise NotConfigured("incremental crawling is off")
        super().__init__(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportItem) or item.errors:
            return item
        ids = _parts_ids(item)
        incremental = self.session.incremental
        if incremental is not None and incremental.first_time(item.url):
            return item
        state = self.store.page_state(item.url)
        if None in ids or state is None or state["outcome"] not in DONE_OUTCOMES or state["capture_ids"] != ids:
            return item
        if state["outcome"] == "report" and state["report_id"] is None:
            return item
        log_failed_write(self.crawler, self.store.later(
            "record_page_state", item.url, site_id=item.site_id, list_title=item.list_title,
            list_date=item.list_date, outcome=state["outcome"], report_id=state["report_id"], capture_ids=ids,
            validators=bool(state["validators"])), f"the state of {item.url}", logger)
        log_failed_write(self.crawler, self.store.later("touch_page", item.url), f"the check of {item.url}", logger)
        spider = self.crawler.spider
        if spider is not None and hasattr(spider, "count"):
            spider.count(item.site_id, "unchanged")
        self.crawler.stats.inc_value("ogi/unchanged")
        raise DropItem(f"unchanged since last run: {item.url}", log_level="DEBUG")


class PageStateRecorder(SessionComponent):
    """Item pipeline after the store: remember how each page was judged (report, not a report, error)."""

    def _outcome(self, item: ReportItem, ids: list[int | None]) -> tuple[str, int | None]:
        if item.errors or None in ids or not ids:
            return "error", None  # a missing attachment: try the whole page again next run
        report_id = self.store.report_for_capture(ids[0])
        if report_id is not None:
            return "report", report_id
        runs = session_for(self.crawler).runs
        run_id = runs.run_id(item.site_id) if runs else None
        failed = self.store.has_error(run_id, item.url, "store")
        return ("error", None) if failed else ("not_report", None)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportItem) or item.deferred:
            return item
        ids = _parts_ids(item)
        outcome, report_id = self._outcome(item, ids)
        validators = all(
            cid is not None and has_validators(self.store.capture_headers(cid)) for cid in ids) if ids else False
        log_failed_write(self.crawler, self.store.later(
            "record_page_state", item.url, site_id=item.site_id, list_title=item.list_title,
            list_date=item.list_date, outcome=outcome, report_id=report_id,
            capture_ids=[c for c in ids if c is not None], validators=validators), f"the state of {item.url}", logger)
        return item
