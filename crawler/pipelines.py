"""Turn a fetched report candidate into a record and store it — here ("inline"), in a pool of extraction worker
processes on this machine (OGI_EXTRACT_MODE = "pool": extract.pool, one worker per core; the store writes stay
in the crawl process, SQLite's single writer), or (OGI_EXTRACT_MODE = "deferred") by an extract worker: the
candidate goes to the `extract` job queue (crawler.jobs). In the last two, fetching goes on while reports parse.

Extraction never raises (errors land on the record), and a storage failure is logged and counted for
the site instead of stopping the crawl.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import DropItem

from corpus.bigrams import index_columns
from crawler.extract_job import ExtractRequest, build_record, extract_candidate, finish_record
from crawler.items import ReportItem
from crawler.session import SessionComponent
from crawler.storage import storage_failed
from extract import Part
from extract.pool import ExtractPool, report_stats
from extract.record import SiteContext

logger = logging.getLogger(__name__)


class ReportPipeline(SessionComponent):
    """Item pipeline: extract each report candidate and store it (or hand it to an extract worker)."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        mode = crawler.settings.get("OGI_EXTRACT_MODE", "inline")
        if mode not in ("inline", "pool", "deferred"):
            raise ValueError(f"OGI_EXTRACT_MODE must be 'inline', 'pool' or 'deferred', not {mode!r}")
        if mode == "deferred" and not self.store.multi_writer:
            raise ValueError("OGI_EXTRACT_MODE 'deferred' needs a PostgreSQL corpus (--db postgresql://…)")
        self.deferred = mode == "deferred"
        self.pooled = mode == "pool"
        self.workers = crawler.settings.getint("OGI_EXTRACT_WORKERS", 0) or None
        self.timeout = crawler.settings.getfloat("OGI_EXTRACT_TIMEOUT", 0.0) or None  # per candidate, in a worker
        self._pool: Any = None  # extract.pool.ExtractPool, started with the spider
        self._threads: Any = None  # twisted ThreadPool: one thread per worker waits for its answer

    def _start_pool(self) -> None:
        """Start the workers at the first candidate (a probe or an all-unchanged re-crawl needs none)."""
        from twisted.python.threadpool import ThreadPool

        self._pool = ExtractPool(self.workers)
        self._threads = ThreadPool(minthreads=1, maxthreads=self._pool.size, name="ogi-extract")
        self._threads.start()
        logger.info("extracting in a pool of %d worker processes", self._pool.size)

    def close_spider(self) -> None:
        if self._pool is not None:
            self._threads.stop()
            stats = self._pool.stats()
            self._pool.close()
            self._pool = None
            self.crawler.stats.set_value("ogi/extract_pool_jobs", stats.jobs)
            self.crawler.stats.set_value("ogi/extract_pool_replaced", sum(stats.replaced.values()))
            self.crawler.stats.set_value("ogi/extract_pool_worker_peak_mb", max(stats.worker_peak_mb, default=0.0))
            report_stats(stats)

    def _body(self, part) -> bytes:
        """Attachments are spooled to the raw store while the other files of a report are fetched."""
        if part.body is not None:
            return part.body
        return self.store.raw_bytes(self.store.capture(part.capture_id)["sha256"])

    def process_item(self, item):
        if not isinstance(item, ReportItem):
            return item
        spider = self.crawler.spider
        runs = self.session.runs
        site = spider.site_by_id(item.site_id)
        context = SiteContext(
            name=site.name, province=site.province or None, city=site.city or None,
            county=site.county or None, adcode=site.adcode or None, site_id=site.site_id,
        )
        if self.deferred and None not in [p.capture_id for p in item.parts]:
            return self._defer(item, context)
        try:
            parts = [Part(self._body(p), p.url, p.content_type) for p in item.parts]
        except Exception as exc:  # raw file gone or unreadable: the report cannot be built this run
            logger.error("[%s] could not read the stored bytes of %s: %s", item.site_id, item.url, exc)
            if runs:
                runs.error(item.site_id, item.url, "store", f"stored bytes unreadable: {type(exc).__name__}: {exc}")
            return item
        if self.pooled:
            if self._pool is None:
                self._start_pool()
            return self._pooled(item, parts, context)  # a coroutine: Scrapy goes on fetching while it waits
        return self._save(item, build_record(parts, context, item.url, item.errors, item.flags))

    async def _pooled(self, item: ReportItem, parts: list[Part], context: SiteContext) -> ReportItem:
        """Extract in the pool (a thread waits for the worker's answer), then store here."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, threads

        # The search index's bigrams of the text are computed by the worker too (SQLite's index; not PostgreSQL's).
        text_index = None if self.store.multi_writer else index_columns
        record, prepared = await maybe_deferred_to_future(threads.deferToThreadPool(
            reactor, self._threads, extract_candidate, parts, context, self._pool, self.timeout, text_index))
        return self._save(item, finish_record(record, item.url, item.errors, item.flags), prepared)

    def _save(self, item: ReportItem, record, text_index: tuple | None = None) -> ReportItem:
        """Store an extracted candidate (in the crawl process: the store has one writer); `text_index`: the
        search index's columns of its text, from the worker (Store.save_report)."""
        runs = self.session.runs
        if record.errors and runs:
            for err in record.errors:
                runs.error(item.site_id, item.url, "extract", err)
        if not record.is_report:
            logger.info("[%s] not a report: %s (%s)", item.site_id, item.list_title or item.url, "; ".join(record.flags))
            if runs:
                runs.count(item.site_id, "not_reports")
            return item
        try:
            ids = [p.capture_id for p in item.parts if p.capture_id]
            if text_index is None:
                self.store.save_report(record, site_id=item.site_id, capture_ids=ids)
            else:
                self.store.save_report(record, site_id=item.site_id, capture_ids=ids, text_index=text_index)
        except Exception as exc:
            if storage_failed(self.crawler, exc, f"storing the report {item.url}"):
                # Not stored: no later pipeline may record this page as judged (the next run must build it).
                raise DropItem(f"not stored (storage failed): {item.url}", log_level="DEBUG") from exc
            logger.exception("could not store report %s", item.url)
            if runs:
                runs.error(item.site_id, item.url, "store", f"{type(exc).__name__}: {exc}")
            return item
        if runs:
            runs.count(item.site_id, "reports")
        logger.info("[%s] report: %s %s (%s)", item.site_id, record.agency, record.report_year, record.form)
        return item

    def _defer(self, item: ReportItem, context: SiteContext) -> ReportItem:
        """Queue the candidate for an extract worker; the page's state is written by that worker."""
        from crawler.jobs import defer_extract

        runs = self.session.runs
        request = ExtractRequest.from_item(item, runs.run_id(item.site_id) if runs else None, context)
        try:
            queued = defer_extract(self.store, request)
        except Exception as exc:
            if storage_failed(self.crawler, exc, f"queueing the extraction of {item.url}"):
                raise DropItem(f"not queued (storage failed): {item.url}", log_level="DEBUG") from exc
            raise
        self.crawler.stats.inc_value("ogi/extract_deferred" if queued else "ogi/extract_already_queued")
        item.deferred = True
        return item
