"""The shared crawl flow and the hooks a site family overrides.

Flow for every site: entry page -> (link text) disclosure pages -> annual-report column -> every list
page of it (and of its sub-columns) -> each detail page -> its attachments -> one ReportItem.

A site family (TRS, Hanweb, ...) is a `SiteFamily` subclass in its own module that overrides only
what its CMS does differently: how to recognise it, where list items are, how lists paginate, where
attachments hide. This module never imports a family; `crawler.spiders.portal.PortalSpider` (spider
name ``ogi``) runs any mix of sites and families in one crawl.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse, urlsplit

from scrapy.http import JsonResponse, Response, TextResponse

if TYPE_CHECKING:
    import scrapy

    from crawler.spiders.portal import PortalSpider

from crawler.scope import ALLOWED_SCHEMES

logger = logging.getLogger(__name__)

# Link texts that lead towards the disclosure section of a portal.
DISCLOSURE_TEXT = re.compile(r"信息公开|政务公开|公开目录|法定主动公开")
# Link texts of an annual-report column (not of one report: those carry a year).
COLUMN_TEXT = re.compile(r"年报|年度报告|年度工作报告")
NOT_A_COLUMN = re.compile(r"指南|制度|规定|通知|格式")
# Link texts of sub-columns inside a report column: per year, per kind of unit.
SUBCOLUMN_TEXT = re.compile(
    r"^(?:(?:19|20)\d{2}年度?(?:年报|年度报告)?"  # per-year columns: 2019年, 2019年度
    r"|.{0,6}(?:政府|部门|乡镇|街道|镇|单位|县直|区直|市直)(?:[（(].{1,4}[)）])?(?:年报|年度报告)?"  # per kind of unit
    r"|.{0,10}(?:年报|年度报告))$"
)
DOC_EXTENSIONS = ("pdf", "doc", "docx", "wps", "rtf")
_EXT_ALT = "|".join(DOC_EXTENSIONS)
_DOC_HREF = re.compile(rf"\.(?:{_EXT_ALT})(?:$|[?#])", re.I)
_SCRIPT_HREF = re.compile(rf"""href\s*=\s*\\?["']([^"'\\]+\.(?:{_EXT_ALT}))\\?["']""", re.I)
_YEAR = re.compile(r"(?:19|20)\d{2}")
# What `attachments` needs to find anything, in the raw bytes: a document extension, downfile.jsp, an appendix
# attribute, or a character reference that could spell one. A page without any is not parsed for links (most
# report pages are the report itself: the parse was ~1/3 of a report page's cost in the crawl process).
# Plain substrings of the lower-cased bytes: 5x faster than one case-insensitive regex over the page (~190 us of a
# 7 KB page, every report page of a crawl, on the crawl's busy main thread).
_ATTACHMENT_HINTS = tuple(f".{ext}".encode() for ext in DOC_EXTENSIONS) + (b"downfile.jsp", b"appendix", b"&#", b"&period")


def _attachment_hint(body: bytes) -> bool:
    low = body.lower()
    return any(hint in low for hint in _ATTACHMENT_HINTS)


@dataclass
class ListItem:
    url: str
    title: str = ""
    date: str = ""


def clean_text(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def texts(selector: Any) -> list[str]:
    """Every text node under a selected element, as `selector.css("::text").getall()` gives them, read from
    the lxml element directly: parsel builds a query per call (~25 µs per anchor against ~4, and a list page
    has hundreds of anchors)."""
    root = selector.root
    if hasattr(root, "itertext"):
        return list(root.itertext())
    return selector.css("::text").getall()


def usable_href(href: str | None) -> bool:
    """False for links that lead nowhere new: empty, in-page anchors, javascript:, mailto:."""
    href = (href or "").strip()
    return bool(href) and not href.startswith(("javascript:", "mailto:", "#", "tel:"))


def is_web_url(url: str) -> bool:
    """Only http(s) links are ever followed (never file:, data:, ftp: ...; crawler/scope.py)."""
    return urlsplit(url).scheme.lower() in ALLOWED_SCHEMES


def unique(urls: Iterable[str]) -> list[str]:
    """Drop repeats, keep the page order."""
    seen: set[str] = set()
    return [u for u in urls if not (u in seen or seen.add(u))]


def is_document_url(url: str) -> bool:
    return bool(_DOC_HREF.search(urlparse(url).path)) or "downfile.jsp" in url


def _ascii_compatible(encoding: str) -> bool:
    """Whether ASCII text is ASCII bytes in this encoding (GBK, UTF-8, ... yes; UTF-16/32 no)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return not name.startswith(("utf-16", "utf-32"))


def is_markup(response: Response) -> bool:
    """Whether the HTML readers (css/xpath) may query this page: text, and not a JSON answer — Scrapy's
    JsonResponse raises ValueError on css/xpath, and an interface answer that lists nothing reaches the
    fallback family's readers."""
    return isinstance(response, TextResponse) and not isinstance(response, JsonResponse)


_last_page_links: tuple[Response, tuple[tuple[str, str], ...]] | None = None


def page_links(response: Response) -> tuple[tuple[str, str], ...]:
    """(absolute url, link text) of every anchor of a page, title attribute preferred for truncated texts.

    Kept for the last page asked about: reading one page, the families ask for its links 5–8 times (columns,
    sub-columns, pagers, items; the page's own family and the fallback's), and each pass cost a CSS query and a
    URL join per anchor (~1.8 s of a 2,000-page crawl's 10 CPU-s). Keyed by the response object itself, which
    the cache holds, so it cannot be a different page."""
    global _last_page_links
    if _last_page_links is not None and _last_page_links[0] is response:
        return _last_page_links[1]
    found: list[tuple[str, str]] = []
    if is_markup(response):
        own_url = response.url.split("#", 1)[0]
        for a in response.css("a[href]"):
            href = a.attrib.get("href")
            if not usable_href(href):
                continue
            url = response.urljoin(href.strip()).split("#", 1)[0]
            if url == own_url or not is_web_url(url):
                continue
            found.append((url, clean_text(a.attrib.get("title") or " ".join(texts(a)))))
    _last_page_links = (response, tuple(found))
    return _last_page_links[1]


class SiteFamily:
    """Hooks for one CMS family. The defaults work on plain HTML sites.

    A subclass registers itself under its `name` when its module is imported (the modules are listed
    once, in crawler/spiders/__init__.py); `fallback = True` marks a family tried after all others.
    """

    name = "base"
    detect_order = 50  # lower: `detect` tried earlier (fingerprints of more specific CMSs first)
    fallback = False
    registry: dict[str, type[SiteFamily]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if SiteFamily.registry.get(cls.name, cls) is not cls:
            raise ValueError(f"two site families are named {cls.name!r}")
        SiteFamily.registry[cls.name] = cls

    @classmethod
    def detect(cls, response: Response) -> bool:
        """True when the page shows this family's fingerprints (its URL, or its HTML)."""
        if cls.detect_url(response.url):
            return True
        return isinstance(response, TextResponse) and cls.detect_text(response.text)

    @classmethod
    def detect_url(cls, url: str) -> bool:
        """A fingerprint in the URL alone (a family's own path, e.g. /gkmlpt/)."""
        return False

    @classmethod
    def detect_text(cls, text: str) -> bool:
        """A fingerprint in the page's HTML: what a family overrides."""
        return False

    # -- discovery -------------------------------------------------------------------------------
    def links(self, response: Response) -> Iterator[tuple[str, str]]:
        """(absolute url, link text) of every anchor, title attribute preferred for truncated texts."""
        return iter(page_links(response))

    def column_links(self, response: Response) -> list[str]:
        """Links to annual-report columns on a portal or disclosure page."""
        out = []
        for url, text in self.links(response):
            if COLUMN_TEXT.search(text) and not NOT_A_COLUMN.search(text) and not _YEAR.search(text):
                if not is_document_url(url) and not self.is_detail_url(url):
                    out.append(url)
        return unique(out)

    def disclosure_links(self, response: Response) -> list[str]:
        """Links that may lead to the report column (followed a limited number of hops)."""
        host = urlparse(response.url).netloc
        out = []
        for url, text in self.links(response):
            if urlparse(url).netloc != host or self.is_detail_url(url) or is_document_url(url):
                continue
            if DISCLOSURE_TEXT.search(text) and not NOT_A_COLUMN.search(text) and not _YEAR.search(text):
                out.append(url)
        return unique(out)

    # -- lists -----------------------------------------------------------------------------------
    def is_list_page(self, response: Response) -> bool:
        return bool(self.list_items(response))

    def is_detail_url(self, url: str) -> bool:
        return False

    def is_report_column(self, response: Response) -> bool:
        """Whether a list page is an annual-report column (not a news list on a home page)."""
        if not is_markup(response):
            return False
        names = response.xpath(
            "//meta[re:test(@name, '^(ColumnName|ColumnType|ColumnKeywords)$', 'i')]/@content"
            " | //title/text()").getall()
        return any(COLUMN_TEXT.search(clean_text(n)) for n in names)

    def list_items(self, response: Response) -> list[ListItem]:
        return [ListItem(url, text) for url, text in self.links(response) if self.is_detail_url(url)]

    def unit_links(self, response: Response) -> list[str]:
        """Disclosure pages of other publishing units (部门, 乡镇) that keep their own report column.

        Followed as entry pages even when this page has a report column of its own, because on
        unit-catalogue platforms (Anhui ``/public/column/{organId}``, Shandong ``/gongkai/site_<unit>/``)
        each unit's reports live only under that unit. Plain sites have none.
        """
        return []

    def more_list_requests(self, response: Response, spider: PortalSpider) -> Iterable[scrapy.Request]:
        """Requests for the other pages of this list (pagination)."""
        return []

    def sub_columns(self, response: Response) -> list[str]:
        """Sub-columns of a report column: per year or per kind of unit, below the column's path."""
        base = urlparse(response.url)
        base_dir = base.path.rsplit("/", 1)[0] + "/"
        out = []
        for url, text in self.links(response):
            parsed = urlparse(url)
            if parsed.netloc != base.netloc or not parsed.path.startswith(base_dir) or parsed.path == base.path:
                continue
            if self.is_detail_url(url) or is_document_url(url):
                continue
            if SUBCOLUMN_TEXT.match(text) and not NOT_A_COLUMN.search(text):
                out.append(url)
        return unique(out)

    # -- details ---------------------------------------------------------------------------------
    def attachments(self, response: Response) -> list[str]:
        """Report files linked from a detail page, including links written by JavaScript."""
        if not is_markup(response):
            return []
        if _ascii_compatible(response.encoding) and not _attachment_hint(response.body):
            return []
        found: list[str] = []
        for a in response.css("a[href]"):
            href = (a.attrib.get("href") or "").strip()
            if href and (is_document_url(href) or a.attrib.get("appendix") == "true"):
                found.append(response.urljoin(href))
        for script in response.css("script::text").getall():
            for href in _SCRIPT_HREF.findall(script):
                found.append(response.urljoin(href))
        return unique(u for u in found if is_web_url(u))

    def page_document(self, response: Response) -> tuple[bytes, str | None]:
        """The bytes and content type extraction reads for a detail page.

        Most pages are the document itself; a family whose pages carry the report inside a script
        (gkmlpt's JSON in ``window._CONFIG.DETAIL``) rebuilds an HTML document here. The raw capture
        always keeps the bytes as fetched.
        """
        ctype = response.headers.get(b"Content-Type")
        return response.body, ctype.decode("latin-1") if ctype else None


    def needs_module(self, response: Response) -> str | None:
        """Why this page cannot be read without a dedicated family module (e.g. an empty JS shell)."""
        return None
