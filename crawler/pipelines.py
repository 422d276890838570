"""Turn a fetched report candidate into a record and store it — here ("inline"), in a pool of extraction worker
processes on this machine (OGI_EXTRACT_MODE = "pool": extract.pool, one worker per core; the records come back
to be stored by the crawl's one store writer, crawler/store_writer.py), or (OGI_EXTRACT_MODE = "deferred") by an extract worker: the
candidate goes to the `extract` job queue (crawler.jobs). In the last two, fetching goes on while reports parse.

Extraction never raises (errors land on the record), and a storage failure is logged and counted for
the site instead of stopping the crawl.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import DropItem

from corpus.bigrams import index_columns
from crawler.extract_job import ExtractRequest, build_record, extract_sealed
from crawler.items import ReportItem
from crawler.session import SessionComponent
from crawler.settings import extract_mode_problem
from crawler.storage import storage_failed
from extract import Part
from extract.pool import ExtractPool, report_stats
from extract.record import SiteContext

logger = logging.getLogger(__name__)

# Pool mode on SQLite: reports saved in one transaction, at most this many, at most this long after the first
# (and sooner when the pages they hold fill half of what Scrapy lets wait: _pages_piling_up).
BATCH_REPORTS = 128
BATCH_SECONDS = 1.0


class ReportPipeline(SessionComponent):
    """Item pipeline: extract each report candidate and store it (or hand it to an extract worker)."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        mode = crawler.settings.get("OGI_EXTRACT_MODE", "inline")
        problem = extract_mode_problem(mode, postgres=self.store.multi_writer)
        if problem:
            raise ValueError(problem)
        self.deferred = mode == "deferred"
        self.pooled = mode == "pool"
        self.workers = crawler.settings.getint("OGI_EXTRACT_WORKERS", 0) or None
        self.timeout = crawler.settings.getfloat("OGI_EXTRACT_TIMEOUT", 0.0) or None  # per candidate, in a worker
        self._pool: Any = None  # extract.pool.ExtractPool, started with the spider
        self._threads: Any = None  # twisted ThreadPool: one thread per worker waits for its answer
        self._batch: list[tuple] = []  # (item, record, Deferred) waiting to be saved together
        self._flush_call: Any = None  # the reactor's delayed call of _flush
        self._extracting = 0  # candidates in the pool now

    def _start_pool(self) -> None:
        """Start the workers at the first candidate (a probe or an all-unchanged re-crawl needs none)."""
        from twisted.python.threadpool import ThreadPool

        self._pool = ExtractPool(self.workers, nice=self.crawler.settings.getint("OGI_EXTRACT_NICE", 10))
        self._threads = ThreadPool(minthreads=1, maxthreads=self._pool.size, name="ogi-extract")
        self._threads.start()
        logger.info("extracting in a pool of %d worker processes", self._pool.size)

    def close_spider(self):
        """Save what waits (a Deferred when it does: Scrapy closes the spider once it fired), stop the pool."""
        flushed = self._flush()
        if flushed is not None:
            return flushed.addBoth(lambda result: self._close_pool())
        self._close_pool()
        return None

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._threads.stop()
            stats = self._pool.stats()
            nice = self._pool.nice
            self._pool.close()
            self._pool = None
            self.crawler.stats.set_value("ogi/extract_pool_jobs", stats.jobs)
            self.crawler.stats.set_value("ogi/extract_pool_replaced", sum(stats.replaced.values()))
            self.crawler.stats.set_value("ogi/extract_pool_worker_peak_mb", max(stats.worker_peak_mb, default=0.0))
            self.crawler.stats.set_value("ogi/extract_pool_nice", nice)
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
        """Extract in the pool (a thread waits for the worker's answer), then store here, in batches."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, threads

        self._extracting += 1
        try:
            if self.store.multi_writer:  # PostgreSQL: the record is saved from here
                record = await maybe_deferred_to_future(threads.deferToThreadPool(
                    reactor, self._threads, build_record, parts, context, item.url, item.errors, item.flags,
                    self._pool, self.timeout))
            else:  # SQLite: sealed by the worker with the search index's bigrams, opened by the store's writer
                record = await maybe_deferred_to_future(threads.deferToThreadPool(
                    reactor, self._threads, extract_sealed, parts, context, self._pool, self.timeout,
                    index_columns, item.url, item.errors, item.flags))
        finally:
            self._extracting -= 1
        if not self._judged(item, record):
            return item
        if self.store.multi_writer:  # PostgreSQL: per-report transactions under per-identity locks
            return await maybe_deferred_to_future(self._save_one(item, record))
        return await maybe_deferred_to_future(self._batched(item, record))

    async def _save(self, item: ReportItem, record) -> ReportItem:
        """Store an extracted candidate (inline mode: in its own transaction)."""
        from scrapy.utils.defer import maybe_deferred_to_future

        if not self._judged(item, record):
            return item
        return await maybe_deferred_to_future(self._save_one(item, record))

    def _judged(self, item: ReportItem, record) -> bool:
        """Count the record's extraction errors; False (counted, logged) when it is not a report."""
        runs = self.session.runs
        if record.errors and runs:
            for err in record.errors:
                runs.error(item.site_id, item.url, "extract", err)
        if not record.is_report:
            logger.info("[%s] not a report: %s (%s)", item.site_id, item.list_title or item.url, "; ".join(record.flags))
            if runs:
                runs.count(item.site_id, "not_reports")
            return False
        return True

    def _save_one(self, item: ReportItem, record):
        """A Deferred fired with the item once its report is saved in its own transaction (in the store's
        writer)."""
        from twisted.internet import defer

        done: defer.Deferred = defer.Deferred()
        self._write([(item, record, done)])
        return done

    def _not_saved(self, item: ReportItem, exc: BaseException) -> ReportItem:
        """A report the store refused: DropItem when the storage itself failed (the crawl stops), else logged
        and counted as the site's error."""
        if storage_failed(self.crawler, exc, f"storing the report {item.url}"):
            # Not stored: no later pipeline may record this page as judged (the next run must build it).
            raise DropItem(f"not stored (storage failed): {item.url}", log_level="DEBUG") from exc
        logger.error("could not store report %s", item.url, exc_info=(type(exc), exc, exc.__traceback__))
        runs = self.session.runs
        if runs:
            runs.error(item.site_id, item.url, "store", f"{type(exc).__name__}: {exc}")
        return item

    def _stored(self, item: ReportItem, record) -> None:
        if self.session.runs:
            self.session.runs.count(item.site_id, "reports")
        logger.info("[%s] report: %s %s (%s)", item.site_id, record.agency, record.report_year, record.form)

    def _batched(self, item: ReportItem, record):
        """A Deferred fired with the item once its report is saved with others in one transaction (SQLite).

        Why: a transaction per report cost ~5 ms of the crawl process per report (commit, FTS5 segment merges),
        ~2 ms in batches of 16-64 (benchmarks/RESULTS-crawl.md); and the writer's saves, mostly statistics inserts,
        cost ~25-30 % less CPU in batches of 128 than of ~20 (the key index's pages are written once a transaction).
        The batch is written after BATCH_REPORTS reports or BATCH_SECONDS; the page's state is recorded
        (PageStateRecorder) only after its report's batch, so a crawl killed in between fetches those pages again
        next run."""
        from twisted.internet import defer, reactor

        done: defer.Deferred = defer.Deferred()
        self._batch.append((item, record, done))
        if len(self._batch) >= BATCH_REPORTS or self._nothing_coming() or self._pages_piling_up():
            self._flush()
        elif self._flush_call is None:
            self._flush_call = reactor.callLater(BATCH_SECONDS, self._flush)
        return done

    def _nothing_coming(self) -> bool:
        """No other report can join this batch soon: no extraction running, nothing downloading or scheduled
        (the end of a crawl, or of a burst: saving now spares the wait for the batch timer)."""
        engine = getattr(self.crawler, "engine", None)
        try:
            return (self._extracting == 0 and not engine.downloader.active
                    and not engine._slot.scheduler.has_pending_requests())  # Scrapy's own idle test reads these
        except AttributeError:  # another Scrapy: wait for the timer
            return False

    def _pages_piling_up(self) -> bool:
        """The responses waiting for their reports' batch fill half of what Scrapy holds before it stops fetching
        (SCRAPER_SLOT_MAX_ACTIVE_SIZE): save now rather than let a batch of large pages pause the crawl."""
        try:
            slot = self.crawler.engine.scraper.slot
            return slot.active_size * 2 > slot.max_active_size
        except AttributeError:  # another Scrapy: the count and the timer still bound the batch
            return False

    def _flush(self):
        """Save the waiting reports in one transaction, in the store's writer (`Store.save_reports`); a Deferred
        fired once each waiting item has its answer (None when nothing waited)."""
        if self._flush_call is not None and self._flush_call.active():
            self._flush_call.cancel()
        self._flush_call = None
        batch, self._batch = self._batch, []
        return self._write(batch) if batch else None

    def _write(self, batch: list[tuple]):
        """Save (item, record, Deferred) reports in the store's writer (`Store.save_reports`: a record may be a
        worker's SealedRecord); each Deferred fires with its item (or DropItem when the storage failed)."""
        saved = self.store.later("save_reports", [
            (record, item.site_id, [p.capture_id for p in item.parts if p.capture_id], None)
            for item, record, _ in batch])
        # (save_reports catches each report's failure; anything else fails the whole batch, report by report)
        return saved.addCallbacks(self._saved, lambda failure: self._saved([failure.value] * len(batch), batch),
                                  callbackArgs=(batch,))

    def _saved(self, failures: list[BaseException | None], batch: list[tuple]) -> None:
        for (item, record, done), exc in zip(batch, failures, strict=True):
            try:
                result = self._not_saved(item, exc) if exc is not None else item
            except Exception as dropped:  # DropItem (storage failed)
                if not done.called:  # (cancelled by a crawl stopping: nobody waits for it)
                    done.errback(dropped)
                continue
            if exc is None:
                self._stored(item, record)
            if not done.called:
                done.callback(result)

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
