"""Turn a fetched report candidate into a record and store it.

Extraction never raises (errors land on the record), and a storage failure is logged and counted for
the site instead of stopping the crawl.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from crawler.items import ReportItem
from crawler.session import SessionComponent
from crawler.storage import storage_failed
from extract import Part, extract_report
from extract.record import SiteContext

logger = logging.getLogger(__name__)


class ReportPipeline(SessionComponent):
    """Item pipeline: extract each report candidate and store it."""

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
        try:
            parts = [Part(self._body(p), p.url, p.content_type) for p in item.parts]
        except Exception as exc:  # raw file gone or unreadable: the report cannot be built this run
            logger.error("[%s] could not read the stored bytes of %s: %s", item.site_id, item.url, exc)
            if runs:
                runs.error(item.site_id, item.url, "store", f"stored bytes unreadable: {type(exc).__name__}: {exc}")
            return item
        record = extract_report(parts, context=context)
        if not record.source_url:
            record.source_url = item.url
        for err in item.errors:
            record.errors.append(err)
            record.flags.append(err)
        record.flags.extend(item.flags)
        if record.errors and runs:
            for err in record.errors:
                runs.error(item.site_id, item.url, "extract", err)
        if not record.is_report:
            logger.info("[%s] not a report: %s (%s)", item.site_id, item.list_title or item.url, "; ".join(record.flags))
            if runs:
                runs.count(item.site_id, "not_reports")
            return item
        try:
            self.store.save_report(record, site_id=item.site_id, capture_ids=[p.capture_id for p in item.parts if p.capture_id])
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
