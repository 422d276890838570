"""The ogi spider: crawls the annual-report columns of any mix of sites and site families.

Flow for every site: entry page -> (link text) disclosure pages -> annual-report column -> every list
page of it (and of its sub-columns) -> each detail page -> its attachments (fetched side by side) ->
one ReportItem. What differs between CMSs is asked of the site's `SiteFamily` (crawler/spiders/base.py);
the families themselves are found through `crawler.spiders.family_registry`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlparse

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse

from crawler.antibot import SiteBlocked
from crawler.budget import BudgetExceeded
from crawler.items import FetchedPart, ReportItem
from crawler.outcomes import SiteOutcomes
from crawler.politeness import describe_failure
from crawler.probe import ProbeFindings
from crawler.scheduling import KIND_PRIORITY
from crawler.scope import OffsiteRequest, SiteScope
from crawler.session import session_for
from crawler.spiders import family_registry
from crawler.spiders.base import ListItem, SiteFamily

logger = logging.getLogger(__name__)


@dataclass
class PendingReport:
    """A report page whose attachments are being fetched (all at once); the item goes out with the last."""

    item: ReportItem
    urls: list[str]
    parts: dict[int, FetchedPart] = field(default_factory=dict)  # attachment index -> part, kept in link order
    waiting: int = 0
    bytes: int = 0


def looks_cut_short(body: bytes) -> bool:
    """An HTML document that opens <html> but has neither </body> nor </html> in its last bytes."""
    head, tail = body[:2048].lower(), body[-4096:].lower()
    return b"<html" in head and b"</html" not in tail and b"</body" not in tail


class PortalSpider(SiteOutcomes, scrapy.Spider):
    """Crawl the annual-report columns of the registry's sites (or one ad-hoc URL).

    Arguments (``scrapy crawl ogi -a ...``): ``registry`` (CSV path), ``sites`` (comma-separated ids),
    ``province``, ``city``, ``adcodes`` (comma-separated filters, as ``ogi crawl``'s), or ``url`` with
    ``name``/``adcode``/``platform`` for a site not in the registry.
    """

    name = "ogi"

    def __init__(self, registry: str | None = None, sites=None, url: str | None = None, name: str | None = None,
                 adcode: str | None = None, platform: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        from crawler.registry import DEFAULT_REGISTRY, Site, adhoc_site_id, filter_sites, load_registry

        if isinstance(sites, list):
            chosen = sites
        elif url:
            chosen = [Site(site_id=kwargs.get("site_id") or adhoc_site_id(url), name=name or url,
                           adcode=adcode or "", entry_urls=[url], platform=(platform or "").lower())]
        else:
            all_sites = load_registry(registry or DEFAULT_REGISTRY)
            wanted = {s.strip() for s in (sites or "").split(",") if s.strip()}
            unknown = sorted(wanted - {s.site_id for s in all_sites})
            if unknown:  # a mistyped id (demo-dxh for dxh) must not crawl nothing and exit 0
                from crawler.registry import RegistryError

                raise RegistryError(f"unknown site id(s) in {registry or DEFAULT_REGISTRY}: {', '.join(unknown)} "
                                    f"(-a sites= takes ids of its site_id column, e.g. "
                                    f"{', '.join(s.site_id for s in all_sites[:3])})")
            chosen = [s for s in all_sites if not wanted or s.site_id in wanted]
            # -a province=湖北省 -a city=… -a adcodes=4228*,420112: the filters of `ogi crawl`
            split = [tuple(v.strip() for v in (kwargs.get(k) or "").split(",") if v.strip())
                     for k in ("province", "city", "adcodes")]
            chosen = filter_sites(chosen, *split)
        self.sites = chosen
        self._by_id = {s.site_id: s for s in chosen}
        self._by_host = {urlparse(u).netloc: s for s in chosen for u in s.column_urls + s.entry_urls}
        # Columns an earlier `ogi probe` found were reached from the entry URLs: their hosts are the site's.
        self._scopes = {s.site_id: SiteScope.for_site(s.entry_urls + s.column_urls, s.allowed_hosts,
                                                      s.attachment_hosts) for s in chosen}
        self.findings: ProbeFindings | None = None  # set in probe mode (OGI_PROBE, crawler/probe.py)
        self._over_budget: set[str] = set()
        self._pending: dict[int, PendingReport] = {}  # reports waiting for attachments, by id()
        self._families: dict[str, SiteFamily] = {}  # the family guessed (or named) at each site's entry
        self._page_families: dict[tuple[str, str], SiteFamily] = {}  # (site, family) -> its reader on that site
        self.served: dict[str, dict[str, str]] = {}  # site -> list page URL -> the family that read it
        self._entry_failures: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._report_lost_attachments, signal=signals.spider_idle)
        return spider

    def _report_lost_attachments(self) -> None:
        """When the crawl goes idle no attachment is in flight: a report still waiting lost one (neither an
        answer nor an error reached the spider). Say so rather than lose the report in silence."""
        for pending in list(self._pending.values()):
            if pending.waiting > 0:
                self.error(pending.item.site_id, pending.item.url, "attachment_lost",
                           f"{pending.waiting} of {len(pending.urls)} attachment(s) never answered; "
                           "the report page is not stored this run")
        self._pending.clear()

    # -- helpers used by middlewares and pipelines --------------------------------------------------
    def site_by_id(self, site_id: str):
        return self._by_id[site_id]

    def site_for_url(self, url: str):
        return self._by_host.get(urlparse(url).netloc)

    def scope_check(self, request: scrapy.Request) -> str | None:
        """Why this request leaves its site (crawler/scope.py), or None when it may be sent.

        An entry request redirected to a new host is a moved site (site-patterns §5): that host joins
        the site's scope. Anything else outside the scope is refused, whichever way it got there.
        """
        site_id = request.meta.get("ogi_site")
        site = self._by_id.get(site_id) if site_id else self.site_for_url(request.url)
        if site is None and request.meta.get("dont_obey_robotstxt") and urlparse(request.url).path == "/robots.txt":
            # robots.txt of a sub-domain or attachment host that some site may visit: polite to read it.
            if any(scope.allows(request.url, "attachment") for scope in self._scopes.values()):
                return None
        if site is None:
            return f"{urlparse(request.url).netloc} belongs to no site of this crawl"
        scope = self._scopes[site.site_id]
        kind = request.meta.get("ogi_kind")
        if scope.allows(request.url, kind):
            return None
        redirects = request.meta.get("redirect_urls") or []
        if kind == "entry" and request.meta.get("ogi_hops", 0) == 0 and redirects and scope.allows(redirects[0]):
            scope.add(request.url)
            self._by_host.setdefault(urlparse(request.url).netloc, site)
            return None
        return f"{urlparse(request.url).netloc} is outside site {site.site_id}'s hosts"

    def family_for(self, site, response: Response | None = None) -> SiteFamily | None:
        if site.site_id in self._families:
            return self._families[site.site_id]
        families = family_registry()
        family_cls = families.get(site.platform)
        if family_cls is None and site.platform not in ("", "auto"):
            return None  # a known family without a module yet: say so rather than guess
        if family_cls is None and response is not None:
            # Real families first; a fallback family (generic) detects anything, so it comes last.
            family_cls = next((cls for cls in families.values() if cls.detect(response)), None)
        if family_cls is None:
            return None
        self._families[site.site_id] = family = family_cls()
        return family

    def _family_named(self, site, name: str) -> SiteFamily | None:
        """This site's instance of a family (families keep per-site state, e.g. items already listed)."""
        if self._families.get(site.site_id) is not None and self._families[site.site_id].name == name:
            return self._families[site.site_id]
        key = (site.site_id, name)
        if key not in self._page_families:
            cls = family_registry().get(name)
            if cls is None:
                return None
            self._page_families[key] = cls()
        return self._page_families[key]

    def _fallback(self, site) -> SiteFamily | None:
        """This site's instance of the fallback family (generic): the readers every page may use."""
        return self._family_named(site, next((n for n, c in family_registry().items() if c.fallback), ""))

    def page_family(self, site, response: Response) -> SiteFamily | None:
        """The family that reads this page. Families are hints, not gates: a page is read by the family of
        the page that linked it (or the site's entry guess) unless it shows another family's fingerprint —
        a portal on one CMS often hands its 信息公开 platform or a column to another, and a home page often
        shows none at all — and a list page nothing but the fallback can read (下一页, ?page=N) goes to it.
        ``OGI_CROSS_FAMILY = False`` keeps the entry's family for the whole site (the old behaviour)."""
        base = self.family_for(site, response)
        if base is None or not self.settings.getbool("OGI_CROSS_FAMILY", True):
            return base
        hinted = response.meta.get("ogi_family")
        current = (self._family_named(site, hinted) if hinted else None) or base
        if not current.fallback and current.detect(response):
            return current
        for cls in family_registry().values():
            if not cls.fallback and cls.name != current.name and cls.detect(response):
                return self._family_named(site, cls.name)
        return current

    def _served(self, site, response: Response, family: SiteFamily):
        """Record which family read a list page; say so once per family when it is not the entry's."""
        pages = self.served.setdefault(site.site_id, {})
        entry = self._families.get(site.site_id)
        if entry is not None and family.name != entry.name and family.name not in pages.values():
            self.note(site.site_id, f"{response.url} is read as {family.name} (the entry page as {entry.name})")
        pages[response.url] = family.name

    @staticmethod
    def _tagged(requests, family: SiteFamily):
        """Requests made while reading a page carry its family, the hint for the pages they fetch."""
        for request in requests:
            if isinstance(request, scrapy.Request):
                request.meta.setdefault("ogi_family", family.name)
            yield request

    def skip_listed(self, site_id: str, item: ListItem) -> bool:
        """Count a listed report page; True when an incremental crawl need not fetch it (crawler/incremental.py)."""
        incremental = session_for(self.crawler).incremental
        return bool(incremental and incremental.skip(site_id, item.url, item.title, item.date))

    def request(self, url: str, site_id: str, kind: str, callback, **meta) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.on_error, priority=KIND_PRIORITY.get(kind, 0),
                              meta={"ogi_site": site_id, "ogi_kind": kind, **meta})

    # -- crawl flow ---------------------------------------------------------------------------------
    async def start(self):
        if self.settings.getbool("OGI_PROBE"):
            self.findings = ProbeFindings()
        for site in self.sites:
            if self.findings is None:  # a crawl starts at the columns a probe found, then at the entries
                for url, family in zip(site.column_urls, site.column_families, strict=False):
                    hint = {"ogi_family": family} if family else {}
                    yield self.request(url, site.site_id, "list", self.parse_list, ogi_column=True, **hint)
            for url in site.entry_urls:
                yield self.request(url, site.site_id, "entry", self.parse_entry, ogi_hops=0)

    def parse_entry(self, response: Response):
        site = self.site_by_id(response.meta["ogi_site"])
        if self._unusable(response, site.site_id, "page"):
            if response.meta.get("ogi_hops", 0) == 0:
                self._entry_failed(site)
            return
        family = self.page_family(site, response)
        if family is None:
            if self._runs():
                self._runs().set_status(site.site_id, "needs_family",
                                        f"no site-family module recognises {response.url}")
            logger.warning("[%s] no family module recognises %s", site.site_id, response.url)
            return
        yield from self._tagged(self._read_entry(site, family, response), family)

    def _read_entry(self, site, family: SiteFamily, response: Response):
        self._note_moved_entry(site, response)
        if self.findings is not None and response.meta.get("ogi_hops", 0) == 0:
            first = (response.meta.get("redirect_urls") or [response.meta.get("ogi_failed_entry") or response.url])[0]
            self.findings.entry(site.site_id, first, response.url, family.name)
        why = family.needs_module(response)
        if why:
            self.site_needs_family(site.site_id, why)
            return
        columns = family.column_links(response)
        hops = response.meta.get("ogi_hops", 0)
        if hops < self.settings.getint("OGI_DISCOVERY_HOPS", 2):
            for url in family.unit_links(response):
                yield self.request(url, site.site_id, "entry", self.parse_entry, ogi_hops=hops + 1)
        if not columns and family.is_list_page(response) and family.is_report_column(response):
            # The entry URL (or a page reached from it) is itself a report column.
            yield from self._read_list(site, family, response)
            return
        for url in columns:
            yield self.request(url, site.site_id, "list", self.parse_list, ogi_column=True)
        if not columns and hops < self.settings.getint("OGI_DISCOVERY_HOPS", 2):
            for url in family.disclosure_links(response):
                yield self.request(url, site.site_id, "entry", self.parse_entry, ogi_hops=hops + 1)

    def parse_list(self, response: Response):
        site = self.site_by_id(response.meta["ogi_site"])
        if self._unusable(response, site.site_id, "list page"):
            return
        family = self.page_family(site, response)
        if family is None:
            return
        items = None  # read once: list_items parses the page
        if (not family.fallback and self.settings.getbool("OGI_CROSS_FAMILY", True) and not family.detect(response)
                and not (items := family.list_items(response))):
            # A list the hinted family cannot read and no family recognises: the fallback's readers
            # (item links with ids, 下一页 / ?page=N / index_N pagers) may still read it.
            fallback = self._fallback(site)
            if fallback is not None and (items := fallback.list_items(response)):
                family = fallback
            else:
                items = None
        yield from self._tagged(self._read_list(site, family, response, items), family)

    def _read_list(self, site, family: SiteFamily, response: Response, items: list | None = None):
        self._served(site, response, family)
        self.count(site.site_id, "list_pages")
        if self.findings is not None:  # probing: the column and its family are what we came for
            self.findings.column(site.site_id, response.url, family.name, len(family.list_items(response)))
            return
        if site.site_id in self._over_budget:
            return  # nothing more will be sent to this site: do not fill the scheduler with it
        if items is None:
            items = family.list_items(response)
        cap = self.settings.getint("OGI_MAX_ITEMS_PER_PAGE", 1000)
        if len(items) > cap:  # a real list shows 15-50 reports; a page with 100,000 links is a trap
            self.error(site.site_id, response.url, "too_many_items",
                       f"list page has {len(items):,} items; only the first {cap:,} are read (OGI_MAX_ITEMS_PER_PAGE)")
            items = items[:cap]
        for item in items:
            if self.skip_listed(site.site_id, item):
                continue
            yield self.request(item.url, site.site_id, "detail", self.parse_detail,
                               ogi_title=item.title, ogi_date=item.date)
        yield from family.more_list_requests(response, self)
        if items and not family.fallback and self.settings.getbool("OGI_CROSS_FAMILY", True):
            # Pagers are not a family's alone: 下一页 / page-number / ?page=N / index_N links are followed on
            # any list page that listed something (duplicates of the family's own page requests are dropped).
            fallback = self._fallback(site)
            for url in getattr(fallback, "pager_links", lambda _r: [])(response):
                yield self.request(url, site.site_id, "list", self.parse_list)
        for url in family.sub_columns(response):
            yield self.request(url, site.site_id, "list", self.parse_list)

    def parse_detail(self, response: Response):
        site = self.site_by_id(response.meta["ogi_site"])
        if self._unusable(response, site.site_id, "report page"):
            return
        self.count(site.site_id, "detail_pages")
        family = self.page_family(site, response)
        item = ReportItem(site_id=site.site_id, url=response.url, list_title=response.meta.get("ogi_title", ""),
                          list_date=response.meta.get("ogi_date", ""))
        part = self._part(response, "page")
        if family is not None:
            part.body, part.content_type = family.page_document(response)
        self._note_data_loss(site.site_id, response, item)
        item.parts.append(part)
        attachments = family.attachments(response) if family and isinstance(response, TextResponse) else []
        limit = self.settings.getint("OGI_REPORT_MAX_ATTACHMENTS", 30)
        if len(attachments) > limit:
            msg = (f"report page links {len(attachments)} files; only the first {limit} are fetched "
                   "(OGI_REPORT_MAX_ATTACHMENTS)")
            item.errors.append(msg)
            self.error(site.site_id, response.url, "budget_exceeded", msg)
            attachments = attachments[:limit]
        if not attachments:
            yield item
            return
        # All attachments at once (the per-site concurrency and delays still apply): a slow file no longer
        # holds up the others, and the report goes to the pipeline when the last one is in.
        pending = PendingReport(item, attachments, waiting=len(attachments), bytes=len(part.body or b""))
        self._pending[id(pending)] = pending
        for index, url in enumerate(attachments):
            yield scrapy.Request(url, callback=self.parse_attachment, errback=self.attachment_failed,
                                 priority=KIND_PRIORITY["attachment"],
                                 meta={"ogi_site": item.site_id, "ogi_kind": "attachment", "max_retry_times": 1},
                                 cb_kwargs={"pending": pending, "index": index}, dont_filter=True)

    def _unusable(self, response: Response, site_id: str, what: str) -> bool:
        """An HTTP error, or a redirect that was not followed (to a file:/data: URL, or too many): recorded."""
        if response.status >= 400:
            self.error(site_id, response.url, f"http_{response.status}", f"{what} answered HTTP {response.status}")
            return True
        if 300 <= response.status < 400 and response.status != 304:
            location = response.headers.get(b"Location", b"").decode("latin-1")[:300]
            self.error(site_id, response.url, "bad_redirect",
                       f"{what} answered HTTP {response.status} to {location or 'no Location'}: not followed "
                       "(only http(s) URLs on the site's hosts are fetched)")
            return True
        return False

    def _part(self, response: Response, role: str) -> FetchedPart:
        ctype = response.headers.get(b"Content-Type")
        return FetchedPart(url=response.url, body=response.body,
                           content_type=ctype.decode("latin-1") if ctype else None,
                           capture_id=response.meta.get("ogi_capture_id"), role=role)

    def _note_data_loss(self, site_id: str, response: Response, item: ReportItem) -> None:
        """A body cut short by the server (fewer bytes than Content-Length) is kept, and flagged; so is an
        HTML page that stops before its end (a Content-Length shorter than the page cuts it silently)."""
        if isinstance(response, TextResponse) and looks_cut_short(response.body):
            item.flags.append(f"{response.url}: the page ends before </html> ({len(response.body):,} bytes): "
                              "the server may have declared a shorter Content-Length than it sent")
        if "dataloss" in (response.flags or []):
            msg = (f"{response.url}: the server closed the connection before the whole body was sent "
                   f"({len(response.body):,} bytes received); the text may be incomplete")
            item.errors.append(msg)
            self.error(site_id, response.url, "data_loss", msg)

    def _attachment_done(self, pending: PendingReport):
        pending.waiting -= 1
        if pending.waiting == 0:
            self._pending.pop(id(pending), None)
            pending.item.parts.extend(pending.parts[i] for i in sorted(pending.parts))
            pending.parts.clear()
            yield pending.item

    def parse_attachment(self, response: Response, pending: PendingReport, index: int):
        item = pending.item
        self.count(item.site_id, "attachments")
        max_bytes = self.settings.getint("OGI_REPORT_MAX_BYTES", 200 * 1024 * 1024)
        if response.status >= 400:
            msg = f"attachment {response.url} answered HTTP {response.status}"
            item.errors.append(msg)
            self.error(item.site_id, response.url, f"http_{response.status}", msg)
        elif pending.bytes + len(response.body) > max_bytes:
            msg = (f"attachment {response.url} ({len(response.body):,} bytes) left out: the report's files "
                   f"would exceed {max_bytes:,} bytes (OGI_REPORT_MAX_BYTES)")
            item.errors.append(msg)
            self.error(item.site_id, response.url, "budget_exceeded", msg)
        else:
            pending.bytes += len(response.body)
            self._note_data_loss(item.site_id, response, item)
            part = self._part(response, "attachment")
            if part.capture_id is not None:
                part.body = None  # spooled: the raw store has these bytes; the pipeline reads them back
            pending.parts[index] = part
        yield from self._attachment_done(pending)

    def attachment_failed(self, failure):
        request = failure.request
        pending = request.cb_kwargs["pending"]
        item = pending.item
        if not failure.check(OffsiteRequest, BudgetExceeded, SiteBlocked):  # those were recorded when raised
            kind, reason = describe_failure(failure, "fetch_failed", request.url)
            msg = f"attachment {request.url} could not be fetched: {reason}"
            self.error(item.site_id, request.url, kind, msg)
        else:
            msg = f"attachment {request.url} not fetched: {failure.getErrorMessage()}"
        item.errors.append(msg)
        yield from self._attachment_done(pending)
