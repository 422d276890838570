"""Being a good citizen beyond Scrapy's defaults: robots.txt Crawl-delay, backoff on 429/503, and
failures named so the run report says why a file is missing.

- Scrapy obeys robots.txt Allow/Disallow but ignores ``Crawl-delay``. `CrawlDelayMiddleware` reads it
  from the parsed robots.txt (Protego exposes it) and spaces the requests to that site (host:port) at
  least that far apart. It waits with the reactor's timer, never by sleeping.
- It also keeps DOWNLOAD_DELAY as the server sees it. Scrapy spaces requests from the moment it hands
  one to the network; a request that then reaches the server late (a new connection, a starved reactor
  on a busy machine) is followed by the next one early — measured server-side, 363 ms between two
  requests under a 500 ms delay. So every host's next request also waits for the delay after the last
  *answer* from that host (``DOWNLOAD_DELAY × (1 − DOWNLOAD_DELAY_JITTER)``, as Crawl-delay does).
- A robots.txt that answers 401/403 is treated as Scrapy treats it (no rules: allow all); the run
  notes say so, because some crawlers refuse such hosts.
- Scrapy retries 429/503 at once. `BackoffRetryMiddleware` waits ``Retry-After`` (seconds or an HTTP
  date) or an exponential backoff first, and gives up when the server asks for longer than
  ``OGI_RETRY_AFTER_MAX``.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse, urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler.antibot import site_of
from crawler.session import session_for

logger = logging.getLogger(__name__)

BACKOFF_CODES = (429, 503)


async def _wait(seconds: float) -> None:
    """Wait without blocking the reactor (asyncio or plain Twisted)."""
    if seconds <= 0:
        return
    from twisted.internet import reactor

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class CrawlDelayMiddleware:
    """Apply robots.txt ``Crawl-delay`` as a per-site minimum gap between requests.

    Must sit after Scrapy's RobotsTxtMiddleware (order > 100): the robots.txt of a site is parsed while
    its first request passes that middleware, and the delay applies from the next one on.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.delays: dict[str, float] = {}  # netloc -> seconds
        self.next_slot: dict[str, float] = {}  # netloc -> earliest monotonic time of the next request
        self.last_response: dict[str, float] = {}  # netloc -> monotonic time of the last response
        self.max_delay = crawler.settings.getfloat("OGI_MAX_CRAWL_DELAY", 60.0)
        jitter = min(max(crawler.settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.0), 0.0), 1.0)
        self.floor = crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0) * (1 - jitter)
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT") or "*"

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        return mw

    def robots_parsed(self, robotparser, request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay is None:
            return
        netloc = urlparse(request.url).netloc
        applied = min(float(delay), self.max_delay)
        self.delays[netloc] = applied
        logger.info("robots.txt of %s asks for Crawl-delay %s s: applied %s s", netloc, delay, applied)
        site_id = site_of(request, self.crawler.spider)
        if session_for(self.crawler).runs is not None and site_id:
            self.crawler.spider.note(site_id, f"robots.txt Crawl-delay {delay:g} s applied")

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        netloc = urlparse(request.url).netloc
        crawl_delay = self.delays.get(netloc, 0.0)
        delay = max(crawl_delay, self.floor)
        if not delay:
            return
        while True:  # coroutines resume one by one, so each waiter sees the slot the previous one took
            now = time.monotonic()
            ready = self.last_response.get(netloc, -delay) + delay
            if crawl_delay:  # Crawl-delay: also spaced from the last request let through
                ready = max(ready, self.next_slot.get(netloc, 0.0))
            if now >= ready:
                break
            await _wait(ready - now)
        self.next_slot[netloc] = now + delay

    def process_response(self, request: Request, response: Response) -> Response:
        # The reactor may send a request late (a new connection, a busy machine): count the gap from the
        # last answer too (every host: robots.txt's answer counts for the first page).
        self.last_response[urlparse(request.url).netloc] = time.monotonic()
        if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt") and response.status in (401, 403):
            site_id = site_of(request, self.crawler.spider)
            if session_for(self.crawler).runs is not None and site_id:
                self.crawler.spider.note(site_id, f"robots.txt answered HTTP {response.status}: treated as allow-all, as Scrapy does")
        return response


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or HTTP-date), None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, but 429/503 wait (Retry-After or exponential backoff) before retrying."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("OGI_BACKOFF_BASE", 5.0)
        self.cap = settings.getfloat("OGI_BACKOFF_MAX", 120.0)
        self.retry_after_max = settings.getfloat("OGI_RETRY_AFTER_MAX", 600.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in BACKOFF_CODES or request.meta.get("dont_retry", False):
            return super().process_response(request, response)
        retries = request.meta.get("retry_times", 0)
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            logger.warning("%s: Retry-After %.0f s is longer than we wait (%.0f s); giving up", request.url, wait,
                           self.retry_after_max)
            return response
        if wait is None:
            wait = min(self.cap, self.base * (2 ** retries))
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        logger.info("%s answered %s: retrying in %.1f s", request.url, response.status, wait)
        self.crawler.stats.inc_value("ogi/backoff_waits")
        await _wait(wait)
        return retry


_SIZE_WORDS = ("max size", "larger than the download max size", "maxsize", "exceeded DOWNLOAD_MAXSIZE")


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _inner_reasons(exception: BaseException) -> list[BaseException]:
    """Twisted's ResponseFailed/RequestTransmissionFailed carry a list of Failures: their exceptions
    (Scrapy >= 2.13 wraps those in DownloadFailedError, with the original as its cause)."""
    seen = 0
    while exception is not None and seen < 5:
        reasons = getattr(exception, "reasons", None)
        if isinstance(reasons, list):
            return [getattr(r, "value", r) for r in reasons if isinstance(getattr(r, "value", r), BaseException)]
        exception = exception.__cause__ or exception.__context__
        seen += 1
    return []


def describe_failure(failure, default: str = "fetch_failed", url: str | None = None) -> tuple[str, str]:
    """(crawl_errors kind, one readable line) for a failed fetch — never a Failure's repr.

    Kinds: robots_disallowed, too_large (size cap, also a decompression bomb), data_loss, timeout,
    private_address, dns, bad_response (a reply that is not valid HTTP), else `default`.
    """
    from scrapy.exceptions import IgnoreRequest
    from twisted.internet import error as terr

    from crawler.scope import REFUSED_NAMES, PrivateAddressError

    exc = getattr(failure, "value", failure)
    name = type(exc).__name__
    text = _one_line(str(exc)) or name
    if isinstance(exc, IgnoreRequest) and "Forbidden by robots.txt" in text:
        return "robots_disallowed", "robots.txt forbids this URL"
    if isinstance(exc, (IgnoreRequest, DownloadCancelledError)) and any(w in text for w in _SIZE_WORDS):
        if "decompressed" in text:
            return "too_large", f"the compressed body expands beyond the size limit (a decompression bomb?): {text}"
        return "too_large", f"the body is larger than the size limit: {text}"
    if isinstance(exc, PrivateAddressError):
        return "private_address", text
    if "DataLoss" in name:
        return "data_loss", "the server closed the connection before sending the whole body (fewer bytes than its Content-Length)"
    if isinstance(exc, terr.TimeoutError) or "Timeout" in name:
        return "timeout", f"no complete answer in time ({text})"
    if isinstance(exc, terr.DNSLookupError) or name == "CannotResolveHostError":
        host = urlsplit(url).hostname if url else None
        if host and host in REFUSED_NAMES:
            return "private_address", f"{host} resolves to {REFUSED_NAMES[host]}; not connecting"
        return "dns", text
    inner = _inner_reasons(exc)
    if inner:
        parts = [f"{type(i).__name__}: {_one_line(str(i), 120)}".rstrip(": ") for i in inner]
        joined = "; ".join(dict.fromkeys(parts))
        if any("DataLoss" in type(i).__name__ for i in inner):
            return "data_loss", ("the server closed the connection before sending the whole body "
                                 f"(fewer bytes than its Content-Length): {joined}")
        return "bad_response", f"the server's reply is not valid HTTP ({joined})"
    if not str(exc).strip():
        return default, name
    return default, f"{name}: {text}"


__all__ = ["BackoffRetryMiddleware", "CrawlDelayMiddleware", "describe_failure", "retry_after_seconds"]
