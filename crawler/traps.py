"""Crawler traps and misleading pages: session ids in URLs, JavaScript redirects, columns that were
removed and now redirect to the home page, and hosts that answer on one scheme only.

- Session ids (``;jsessionid=…``, ``?sid=…``) make every visit's links new URLs, so the duplicate filter
  never fires and a site is crawled again and again. `canonical_url` strips them; the request
  fingerprinter uses it, and the generic family requests the clean URL.
- Old county sites redirect with a page whose only content is ``<script>location.href="…"</script>``;
  Scrapy follows HTTP and ``<meta refresh>`` redirects but not these, so `JsRedirectMiddleware` does.
- A report column that a redesign removed often answers 301/302 to the home page (site-patterns §5).
  Reading the home page as the column would find nothing and say nothing; `ColumnMovedMiddleware`
  records ``column_moved`` instead.
- Some hosts answer only http or only https (§5); `alternative_scheme` gives the other one to try.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse, urlunparse

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.request import RequestFingerprinter

from crawler.antibot import classify_challenge, site_of

logger = logging.getLogger(__name__)

SESSION_PARAMS = re.compile(
    r"^(?:jsessionid|sid|sessionid|session_id|phpsessid|aspsessionid\w*|cfid|cftoken|wzws_sid)$", re.I)
_PATH_SESSION = re.compile(r";(?:jsessionid|sid|phpsessid)=[^/?#;]*", re.I)
_JS_LOCATION = re.compile(
    r"""(?:window\.|top\.|self\.|parent\.|document\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']"""
    r"""|location\.(?:replace|assign)\(\s*["']([^"']+)["']\s*\)""")
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")
_HOME_PATHS = re.compile(r"^/(?:(?:index|default|main|home)\.(?:s?html?|aspx?|jsp|php))?$", re.I)
MAX_JS_REDIRECT_BYTES = 4096


class ColumnMoved(IgnoreRequest):
    """A list page that redirected to the home page: the column was removed or the site redesigned."""


def canonical_url(url: str) -> str:
    """The URL without session ids (in the path or the query) and without a fragment."""
    parts = urlparse(url)
    path = _PATH_SESSION.sub("", parts.path)
    params = _PATH_SESSION.sub("", ";" + parts.params)[1:] if parts.params else ""
    if params.lower().startswith(("jsessionid=", "sid=", "phpsessid=")):
        params = ""
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not SESSION_PARAMS.match(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunparse((parts.scheme, parts.netloc, path, params, query, ""))


class SessionlessRequestFingerprinter:
    """Scrapy's default fingerprint of the URL with session ids removed, so the dupefilter sees one URL."""

    def __init__(self, crawler=None) -> None:
        self._inner = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        clean = canonical_url(request.url)
        if clean != request.url.split("#", 1)[0]:
            request = request.replace(url=clean)
        return self._inner.fingerprint(request)


def js_redirect_target(response: Response) -> str | None:
    """Where a page whose only content is a ``location`` script sends the browser, or None."""
    if not isinstance(response, TextResponse) or len(response.body) > MAX_JS_REDIRECT_BYTES:
        return None
    text = response.text
    m = _JS_LOCATION.search(text)
    if not m:
        return None
    visible = _TAGS.sub("", _SCRIPT.sub("", re.sub(r"<title\b.*?</title>", "", text, flags=re.S | re.I)))
    if len(re.sub(r"\s+", "", visible)) > 40:  # a real page that happens to have a script: leave it
        return None
    target = (m.group(1) or m.group(2)).strip()
    if target.lower().startswith(("javascript:", "#")):
        return None
    return urljoin(response.url, target)


class JsRedirectMiddleware:
    """Follow JavaScript ``location`` redirect pages like HTTP redirects (same limits and meta)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES", 10)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_redirect") or response.status != 200 or classify_challenge(response):
            return response
        target = js_redirect_target(response)
        if not target or target == response.url or urlparse(target).scheme not in ("http", "https"):
            return response
        times = request.meta.get("redirect_times", 0) + 1
        if times > self.max_times:
            logger.warning("%s: too many redirects, not following the script to %s", response.url, target)
            return response
        logger.info("%s is a JavaScript redirect to %s", response.url, target)
        self.crawler.stats.inc_value("ogi/js_redirects")
        redirected = request.replace(url=target)
        redirected.meta["redirect_times"] = times
        redirected.meta["redirect_urls"] = [*request.meta.get("redirect_urls", []), request.url]
        redirected.meta["redirect_reasons"] = [*request.meta.get("redirect_reasons", []), "javascript"]
        return redirected


def _is_home(url: str) -> bool:
    parts = urlparse(url)
    return bool(_HOME_PATHS.match(parts.path or "/")) and not parts.query


def moved_home_target(request: Request, response: Response) -> str | None:
    """The home page a list request is being sent to (a 3xx whose Location is a home page) or has
    landed on (after redirects), or None. A list URL that is itself a home page does not count."""
    start = (request.meta.get("redirect_urls") or [request.url])[0]
    if _is_home(start):
        return None
    if 300 <= response.status < 400 and b"Location" in response.headers:
        target = urljoin(response.url, response.headers[b"Location"].decode("latin-1"))
        return target if _is_home(target) else None
    if request.meta.get("redirect_urls") and _is_home(response.url):
        return response.url
    return None


class ColumnMovedMiddleware:
    """Record ``column_moved`` when a list/column request ends on the home page, and drop it."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        home = moved_home_target(request, response) if request.meta.get("ogi_kind") == "list" else None
        if home is None:
            return response
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        site_id = site_of(request, self.crawler.spider)
        message = (f"column {original} now redirects to the home page {home}: "
                   "the column was removed or the site redesigned")
        spider = self.crawler.spider
        if site_id and hasattr(spider, "error"):
            spider.error(site_id, original, "column_moved", message)
        self.crawler.stats.inc_value("ogi/column_moved")
        raise ColumnMoved(message)


def alternative_scheme(url: str) -> str | None:
    """The same URL on the other scheme (http <-> https); an explicit port is kept."""
    parts = urlparse(url)
    other = {"http": "https", "https": "http"}.get(parts.scheme)
    return urlunparse(parts._replace(scheme=other)) if other else None


def is_connect_failure(failure) -> bool:
    """True when nothing answered on this scheme/port (refused, DNS, timeout, TLS), not an HTTP error."""
    from scrapy import exceptions as sx
    from twisted.internet import error
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    types: list[type] = [error.ConnectError, error.TimeoutError, error.ConnectionLost, ResponseNeverReceived,
                         ResponseFailed]
    # Scrapy >= 2.13 wraps download failures in its own exceptions.
    for name in ("DownloadConnectionRefusedError", "CannotResolveHostError", "DownloadTimeoutError",
                 "DownloadFailedError"):
        if hasattr(sx, name):
            types.append(getattr(sx, name))
    try:
        from OpenSSL import SSL

        types.append(SSL.Error)
    except ImportError:  # pragma: no cover - Scrapy depends on pyOpenSSL
        pass
    return failure.check(*types) is not None
