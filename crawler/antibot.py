"""Recognise anti-bot challenges, record the site as blocked, and stop asking it for anything.

Chinese government sites sit behind 瑞数 (Ruishu: HTTP 412 — or 202/200 — with a ``$_ts`` stub and a
random cookie name ending in ``S``), 知道创宇 加速乐 (jiasule: HTTP 521 with a script that sets
``__jsl_clearance``) and WAF pages titled 安全验证 (site-patterns §5). Solving them means running their
JavaScript, which a polite research crawler does not do. Retrying only hammers the site and risks an IP
ban, so on the first challenge the site is marked ``blocked`` with the reason, and every later request
to it is dropped here (counted) before it reaches the network.

An empty JavaScript shell (an SPA) is not a challenge: the generic family reports it as needing a family
module.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlparse

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.session import session_for

logger = logging.getLogger(__name__)

_RUISHU_TS = re.compile(rb"\$_ts\s*=\s*window\[\s*['\"]\$_ts['\"]\s*\]|\$_ts\.(?:nsd|cd)\s*=")
_RUISHU_COOKIE = re.compile(rb"^\s*[A-Za-z0-9]{8,}S=", re.M)
_JSL = re.compile(rb"__jsl_clearance|__jsluid")
_SECURITY_TITLE_GBK = re.compile("安全验证|安全检查|访问验证|人机验证")
_WZWS = re.compile(rb"wzws_cid|wzwschallenge|wzws_sessionid")
# A challenge page is small: a real page that mentions $_ts in a script is not one.
_MAX_CHALLENGE_BYTES = 64 * 1024


class SiteBlocked(IgnoreRequest):
    """A request not sent (or a response not used) because its site answered with an anti-bot challenge."""


def _set_cookie_names(response: Response) -> list[bytes]:
    return [c.split(b"=", 1)[0].strip() for c in response.headers.getlist(b"Set-Cookie")]


def _title(body: bytes) -> str:
    m = re.search(rb"<title[^>]*>(.*?)</title>", body[:4096], re.I | re.S)
    if not m:
        return ""
    raw = m.group(1)
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def classify_challenge(response: Response) -> str | None:
    """The kind of anti-bot challenge this response is, in words for the run report, or None."""
    body = response.body or b""
    if len(body) > _MAX_CHALLENGE_BYTES:
        return None
    status = response.status
    cookies = _set_cookie_names(response)
    if _RUISHU_TS.search(body) or (status == 412 and any(_RUISHU_COOKIE.match(c + b"=") for c in cookies)):
        return f"Ruishu (瑞数) {status} challenge"
    if status == 521 or (_JSL.search(body) and b"document.cookie" in body):
        return f"jiasule (加速乐) {status} challenge"
    if any(c.startswith(b"__jsl_clearance") for c in cookies):
        return f"jiasule (加速乐) {status} challenge"
    if _WZWS.search(body) or any(c.startswith(b"wzws") for c in cookies):
        return f"WAF (wzws) {status} challenge"
    title = _title(body)
    if title and _SECURITY_TITLE_GBK.search(title):
        return f"安全验证 (security check) page, HTTP {status}"
    return None


def site_of(request, spider) -> str | None:
    site_id = request.meta.get("ogi_site")
    if site_id is None and hasattr(spider, "site_for_url"):
        site = spider.site_for_url(request.url)
        site_id = site.site_id if site else None
    return site_id


class AntiBotMiddleware:
    """Downloader middleware (close to the engine, so the challenge itself is still captured)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.session = session_for(crawler)
        # Blocked sites of the crawl, shared by the detector and the gate.
        self.blocked: dict[str, str] = self.session.blocked.sites  # site_id -> reason
        self.blocked_hosts: dict[str, str] = self.session.blocked.hosts  # netloc -> site_id

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _site(self, request) -> str | None:
        site_id = site_of(request, self.crawler.spider)
        if site_id is None:
            site_id = self.blocked_hosts.get(urlparse(request.url).netloc)
        return site_id

    def process_request(self, request) -> None:
        site_id = self._site(request)
        if site_id in self.blocked:
            self.crawler.stats.inc_value("ogi/blocked_dropped")
            runs = self.session.runs
            if runs is not None:
                runs.count(site_id, "blocked_dropped")
            raise SiteBlocked(f"site {site_id} is blocked ({self.blocked[site_id]}); request not sent")

    def process_response(self, request, response: Response) -> Response:
        reason = classify_challenge(response)
        if reason is None:
            return response
        site_id = self._site(request)
        if site_id is None:
            return response
        first = site_id not in self.blocked
        self.blocked.setdefault(site_id, reason)
        self.blocked_hosts[urlparse(response.url).netloc] = site_id
        self.blocked_hosts[urlparse(request.url).netloc] = site_id
        if first:
            logger.warning("[%s] %s at %s: not crawling this site further", site_id, reason, response.url)
            spider = self.crawler.spider
            if hasattr(spider, "site_blocked"):
                spider.site_blocked(site_id, reason, response.url)
        raise SiteBlocked(f"{reason} at {response.url}")


class BlockedSiteGate(AntiBotMiddleware):
    """The same drop, after RobotsTxtMiddleware: a request that was already past the first check while
    its site's robots.txt was fetched (and challenged) is stopped here. Detects nothing itself."""

    def process_response(self, request, response: Response) -> Response:
        return response
