"""Record every fetched URL (and every failed fetch) as a capture, keeping the raw bytes.

A researcher must be able to say which bytes a number came from, and we must be able to re-extract
without re-crawling, so capture happens below the spider, for every response it sees.
"""

from __future__ import annotations

import logging

from crawler.budget import BudgetExceeded
from crawler.scope import OffsiteRequest
from crawler.session import SessionComponent
from crawler.storage import log_failed_write, storage_failed

logger = logging.getLogger(__name__)


class CaptureMiddleware(SessionComponent):
    """Downloader middleware: every response and failed fetch becomes a capture."""

    def _context(self, request) -> tuple[str | None, int | None, str]:
        spider = self.crawler.spider
        site_id = request.meta.get("ogi_site")
        if site_id is None and hasattr(spider, "site_for_url"):
            site = spider.site_for_url(request.url)
            site_id = site.site_id if site else None
        runs = self.session.runs
        run_id = runs.run_id(site_id) if runs and site_id else None
        kind = request.meta.get("ogi_kind") or ("robots" if request.url.endswith("/robots.txt") else "other")
        return site_id, run_id, kind

    async def process_response(self, request, response):
        """The response, once its capture is stored (in the store's writer: the reactor goes on meanwhile);
        the spider then finds the capture's id in request.meta."""
        from scrapy.utils.defer import maybe_deferred_to_future

        site_id, run_id, kind = self._context(request)
        redirects = request.meta.get("redirect_urls") or []
        url = redirects[0] if redirects else request.url
        ctype = response.headers.get(b"Content-Type")
        try:
            capture_id = await maybe_deferred_to_future(self.store.later(
                "record_capture",
                url,
                site_id=site_id,
                run_id=run_id,
                kind=kind,
                status=response.status,
                content_type=ctype.decode("latin-1") if ctype else None,
                body=response.body,
                final_url=response.url if response.url != url else None,
                headers={k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v},
            ))
            request.meta["ogi_capture_id"] = capture_id
        except Exception as exc:  # a capture failure must not lose the page for extraction
            if not storage_failed(self.crawler, exc, f"recording {request.url}"):
                logger.exception("could not record capture of %s", request.url)
        self.crawler.stats.inc_value("ogi/captures")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, (OffsiteRequest, BudgetExceeded)):
            return None  # refused before sending (off-site, over budget): crawl_errors says why
        site_id, run_id, kind = self._context(request)
        written = self.store.later(
            "record_capture",
            request.url,
            site_id=site_id,
            run_id=run_id,
            kind=kind,
            status=None,
            content_type=None,
            body=None,
            error=f"{type(exception).__name__}: {exception}",
        )
        log_failed_write(self.crawler, written, f"the failed fetch of {request.url}", logger)
        return None
