"""Where a crawl may go: http(s) only, the site's own hosts, never a private address.

A crawled page is written by someone else. Without these rules one hostile (or hacked) county page
could make the crawler read the machine it runs on (``file:///etc/passwd`` as an "attachment"), hang
it on a FIFO, fill it from ``file:///dev/zero``, send it to the cloud metadata service
(``http://169.254.169.254/``) or an intranet host, or store another site's pages under this
county's division code. So:

- **Schemes**: only ``http``/``https`` are ever requested. Scrapy's file/data/ftp/s3 handlers are
  switched off in settings, and `ScopeMiddleware` refuses any other scheme before the download layer
  (belt and braces: a handler switched back on by a user setting still gets nothing).
- **Hosts**: each site has a `SiteScope`: its entry hosts, the hosts the registry lists
  (``allowed_hosts``), every host under the same registrable domain (``*.county.gov.cn`` department
  sub-sites; decided by the public-suffix list tldextract ships, no network), and — for attachment
  requests only — the registry's ``attachment_hosts``. An IP-literal host has no registrable domain,
  so only the exact host and port count. An entry page that redirects to a new host (a domain
  migration, site-patterns §5) adds that host; any other request to a host outside the scope, by a
  link, a 3xx, a meta refresh or a ``location.href`` script, is dropped and recorded as ``offsite``.
- **Addresses**: `GuardedResolver` refuses names that resolve to loopback, private, link-local,
  multicast or reserved addresses, and `ScopeMiddleware` refuses such IP literals, unless a network
  is listed in ``OGI_ALLOWED_PRIVATE_NETWORKS`` (the demo and the tests list 127.0.0.1/32 only).
  The resolver checks the address the connection will actually use, so a DNS answer that changes
  between check and connect (rebinding) cannot slip past it.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import error as twisted_error

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")  # the handlers of every other scheme are off (DOWNLOAD_HANDLERS in settings)


class OffsiteRequest(IgnoreRequest):
    """A request outside its site's scope (scheme, host or address); recorded, never sent."""

    def __init__(self, message: str, kind: str = "offsite") -> None:
        super().__init__(message)
        self.kind = kind


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    # The bundled public-suffix snapshot only: a crawl never fetches the list from the network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def split_host(netloc_or_url: str) -> tuple[str, int | None]:
    """(lower-case host without brackets, explicit port or None) of a URL or a netloc."""
    text = netloc_or_url if "//" in netloc_or_url else f"//{netloc_or_url}"
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "").rstrip(".").lower(), port


@lru_cache(maxsize=4096)
def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `host` spells, or None (a name). Cached: asked several times per request (scope, the
    politeness slot, the site key), and a name is only known not to be an address once both parsers failed."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str | None:
    """``zjj.hbxg.gov.cn`` -> ``hbxg.gov.cn``; None for IP literals and hosts without a public suffix."""
    if not host or ip_literal(host) is not None:
        return None
    result = _extractor()(host)
    if not result.suffix or not result.domain:
        return None
    return f"{result.domain}.{result.suffix}"


def _host_key(host: str, port: int | None) -> str:
    """IP literals are kept with their port (an address has no domain to stand for the site)."""
    if port is None or ip_literal(host) is None:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _normal_host(spec: str) -> str:
    spec = spec.strip().lower()
    if spec.startswith("*."):
        return spec
    return _host_key(*split_host(spec))


@dataclass
class SiteScope:
    """The hosts one site's requests may go to (see the module docstring for the rules)."""

    hosts: set[str] = field(default_factory=set)  # exact hosts ("host" or "ip:port" for IP literals)
    domains: set[str] = field(default_factory=set)  # registrable domains: any host under them
    attachment_hosts: set[str] = field(default_factory=set)
    attachment_domains: set[str] = field(default_factory=set)

    @classmethod
    def for_site(cls, entry_urls: Iterable[str], allowed_hosts: Iterable[str] = (),
                 attachment_hosts: Iterable[str] = ()) -> SiteScope:
        scope = cls()
        for url in entry_urls:
            scope.add(url)
        for spec in allowed_hosts:
            scope.add(spec)
        for spec in attachment_hosts:
            spec = _normal_host(spec)
            if spec.startswith("*."):
                scope.attachment_domains.add(spec[2:])
            elif spec:
                scope.attachment_hosts.add(spec)
        return scope

    def add(self, url_or_host: str) -> None:
        """Admit a host (and its registrable domain); ``*.example.gov.cn`` admits the whole domain."""
        spec = _normal_host(url_or_host)
        if spec.startswith("*."):
            self.domains.add(spec[2:])
            return
        if not spec:
            return
        self.hosts.add(spec)
        domain = registrable_domain(split_host(url_or_host)[0])
        if domain:
            self.domains.add(domain)

    def _match(self, url: str, hosts: set[str], domains: set[str]) -> bool:
        host, port = split_host(url)
        if not host:
            return False
        if ip_literal(host) is not None:
            default = 443 if url.lower().startswith("https:") else 80
            return _host_key(host, port or default) in hosts or (port is None and host in hosts)
        if host in hosts:
            return True
        return any(host == d or host.endswith("." + d) for d in domains)

    def allows(self, url: str, kind: str | None = None) -> bool:
        if self._match(url, self.hosts, self.domains):
            return True
        return kind == "attachment" and self._match(url, self.attachment_hosts, self.attachment_domains)


def parse_networks(values: Iterable[str] | str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    if not values:
        return []
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


def address_refusal(address: str, allowed: list) -> str | None:
    """Why a crawler must not connect to this IP address, or None when it may."""
    ip = ip_literal(address)
    if ip is None:
        return None
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed):
        return None
    if ip.is_global and not ip.is_multicast:
        return None
    what = ("loopback" if ip.is_loopback else "link-local" if ip.is_link_local else
            "private" if ip.is_private else "multicast" if ip.is_multicast else "non-public")
    return f"{address} is a {what} address"


def scheme_refusal(url: str) -> str | None:
    scheme = urlsplit(url).scheme.lower()
    if scheme in ALLOWED_SCHEMES:
        return None
    return f"only http and https URLs are fetched, not {scheme or 'scheme-less'!s}: URLs"


# Host names the resolver refused, and why: Twisted reports any failed lookup as "no results", so the
# spider looks the reason up here to tell the user (bounded; one entry per refused name).
REFUSED_NAMES: dict[str, str] = {}


class PrivateAddressError(twisted_error.DNSLookupError):
    """The host name resolved to an address the crawler must not connect to."""


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses non-public answers (checked on every lookup, cached or not).

    The HTTP client connects to the address this returns, so the check holds at connect time.
    ``OGI_ALLOWED_PRIVATE_NETWORKS`` (CIDRs) are let through: the demo portal and tests on 127.0.0.1.
    """

    allowed: list = []

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.allowed = parse_networks(crawler.settings.get("OGI_ALLOWED_PRIVATE_NETWORKS"))
        return resolver

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's interface
        d = super().getHostByName(name, timeout)
        d.addCallback(self._check, name)
        return d

    def _check(self, address: str, name: str) -> str:
        why = address_refusal(address, self.allowed)
        if why:
            logger.warning("refusing to connect to %s: %s", name, why)
            if len(REFUSED_NAMES) < 10000:
                REFUSED_NAMES[name.lower()] = why
            raise PrivateAddressError(f"{name} resolves to {why}; not connecting")
        return address


def install_resolver(settings) -> None:
    """Put a GuardedResolver with these settings on the running reactor (each crawl job, tests included:
    Scrapy itself installs the resolver only when a CrawlerProcess starts)."""
    from twisted.internet import reactor

    class _Settings:
        def __init__(self, s) -> None:
            self.settings = s

    resolver = GuardedResolver.from_crawler(_Settings(settings), reactor)
    resolver.install_on_reactor()


class ScopeMiddleware:
    """Downloader middleware (before robots.txt, so nothing off-site is fetched even for robots):
    refuse non-http(s) schemes, hosts outside the site's scope, and non-public IP literals."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.allowed_networks = parse_networks(crawler.settings.get("OGI_ALLOWED_PRIVATE_NETWORKS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request) -> None:
        spider = self.crawler.spider
        why = scheme_refusal(request.url)
        kind = "bad_scheme"
        if why is None:
            host, _port = split_host(request.url)
            why = address_refusal(host, self.allowed_networks)
            kind = "private_address"
        if why is None and hasattr(spider, "scope_check"):
            why = spider.scope_check(request)
            kind = "offsite"
        if why is None:
            return None
        self.crawler.stats.inc_value(f"ogi/refused/{kind}")
        site_id = request.meta.get("ogi_site")
        if site_id is None and hasattr(spider, "site_for_url"):
            site = spider.site_for_url(request.url)
            site_id = site.site_id if site else None
        first = (request.meta.get("redirect_urls") or [None])[0]
        via = f" (redirected from {first})" if first else ""
        message = f"{why}{via}; not fetched"
        if site_id and hasattr(spider, "error"):
            spider.error(site_id, request.url, kind, message)
            if request.meta.get("ogi_kind") == "entry" and request.meta.get("ogi_hops", 0) == 0:
                spider.entry_refused(site_id, message)
        else:
            logger.warning("%s %s: %s", kind, request.url, message)
        raise OffsiteRequest(message, kind)


__all__ = ["GuardedResolver", "OffsiteRequest", "ScopeMiddleware", "SiteScope",
           "address_refusal", "install_resolver", "registrable_domain", "scheme_refusal"]
