"""Generic family: the fallback for county sites no family module recognises.

Many county sites run a home-grown or long-dead CMS — classic ASP/ASPX (``/class.asp?class=1150``,
``/index.aspx?lanmuid=76&sublanmuid=973``, ``show.asp?id=123``, ``list.asp?page=2``), table layouts,
GB2312 pages (site-patterns §1.6). Nothing about them is predictable except what a person sees: link
texts (信息公开 → 年报), the government ``<meta>`` tags (ColumnName), article links that carry an id, and
a pager made of 下一页 / page-number links that differ from the current URL only in a page parameter.

This family reads exactly that. It never guesses further: a page that is an empty JavaScript shell, or a
list whose pager it cannot follow (共N页 with only ``javascript:`` links), is reported as needing a family
module rather than read half-way. Pagination stops at the first page that adds no new item, so a pager
that never ends (page N+1 always exists) or a calendar does not trap the crawl.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlparse

import scrapy
from scrapy.http import Response, TextResponse

from crawler.spiders.base import (
    COLUMN_TEXT,
    NOT_A_COLUMN,
    SUBCOLUMN_TEXT,
    ListItem,
    SiteFamily,
    clean_text,
    is_document_url,
    is_markup,
)
from crawler.traps import canonical_url

logger = logging.getLogger(__name__)

# Query keys that name one article: show.asp?id=123, view.aspx?ArticleID=5, content.jsp?infoid=9.
_DETAIL_KEYS = re.compile(r"^(?:id|newsid|articleid|artid|infoid|docid|contentid|aid|nid|fileid|showid|xxid)$", re.I)
_DETAIL_PATH = re.compile(
    r"/(?:show|view|detail|content|article|info|news|readnews|shownews|showinfo)\w*\.(?:aspx?|jsp|php|s?html?)$"
    r"|/(?:content_|art_|t(?:19|20)\d{6}_|post_)\d+\.s?html?$"
    r"|/(?:19|20)\d{2}[-/]?\d{2}[-/]?\d{0,2}/\w*\d{4,}\.s?html?$"
    r"|/\d{5,}\.s?html?$", re.I)
# Query keys of a list's page number (ASP/ASPX/JSP pagers), and list file names numbered per page.
PAGE_KEYS = re.compile(r"^(?:page|p|pg|pageno|pagenum|pageindex|page_index|curpage|currentpage|cpage|pn|pagenow|"
                       r"nowpage|pageid|start|offset)$", re.I)
_NUMBERED_FILE = re.compile(r"(?<=[a-z])[_-]\d{1,4}(?=\.\w+$)", re.I)
PAGER_TEXT = re.compile(r"^(?:下一?页|后一?页|上一?页|前一?页|尾页|末页|最后一?页|\d{1,4}|\[\d{1,4}\]|第\d{1,4}页|"
                        r">|>>|»|›|<|<<|«|‹|next|prev)$", re.I)
_NEXT_TEXT = re.compile(r"^(?:下一?页|后一?页|>|>>|»|›|next)$", re.I)
_PAGE_COUNT = re.compile(r"共\s*(\d{1,4})\s*页|第\s*\d{1,4}\s*/\s*(\d{1,4})\s*页|页次[:：]?\s*\d{1,4}\s*/\s*(\d{1,4})")
_CALENDAR = re.compile(r"(?:^|&)(?:date|day|riqi|rq)=\d{4}-?\d{1,2}-?\d{1,2}(?:&|$)|(?:^|&)(?:year|month)=\d", re.I)
_JS_APP = re.compile(r"<div[^>]+id=[\"'](?:app|root|main-app)[\"']|window\.__INITIAL_STATE__|<noscript>[^<]*(?:JavaScript|启用)",
                     re.I)
MIN_TITLE = 4


def pager_base(url: str) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    """A URL with its page number removed: two pages of one list have the same pager base."""
    parts = urlparse(url)
    path = _NUMBERED_FILE.sub("", parts.path)
    if re.search(r"/(?:index|list|default)\.\w+$", path, re.I):
        path = path.rsplit("/", 1)[0] + "/"  # /col/index.html and /col/ are the same list
    query = tuple(sorted((k.lower(), v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                         if not PAGE_KEYS.match(k)))
    return parts.scheme, parts.netloc.lower(), path.lower(), query


def _visible_text(response: TextResponse) -> str:
    return clean_text(" ".join(response.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)"
                                              " and not(ancestor::noscript)]").getall()))


class GenericFamily(SiteFamily):
    """Link-text and meta-tag driven crawling for sites without a family module (detects anything)."""

    name = "generic"
    detect_order = 100
    fallback = True  # detects anything: tried after every other family

    def __init__(self) -> None:
        self.seen_items: set[str] = set()  # detail URLs already listed on this site

    @classmethod
    def detect(cls, response: Response) -> bool:
        return True

    # -- links -----------------------------------------------------------------------------------
    def links(self, response: Response) -> Iterator[tuple[str, str]]:
        for url, text in super().links(response):
            if _CALENDAR.search(urlparse(url).query):
                continue  # calendar widgets: an endless supply of dates, never content
            yield canonical_url(url), text

    def is_detail_url(self, url: str) -> bool:
        parts = urlparse(url)
        if _DETAIL_PATH.search(parts.path):
            return True
        return any(_DETAIL_KEYS.match(k) and v.strip().isdigit() for k, v in parse_qsl(parts.query))

    def column_links(self, response: Response) -> list[str]:
        here = pager_base(canonical_url(response.url))
        return [canonical_url(u) for u in super().column_links(response) if pager_base(canonical_url(u)) != here]

    # -- lists -----------------------------------------------------------------------------------
    def list_items(self, response: Response) -> list[ListItem]:
        host = urlparse(response.url).netloc
        items, seen = [], set()
        for url, text in self.links(response):
            if url in seen or len(text) < MIN_TITLE or PAGER_TEXT.match(text):
                continue
            if not (self.is_detail_url(url) or is_document_url(url)):
                continue
            if urlparse(url).netloc != host and not is_document_url(url):
                continue
            seen.add(url)
            items.append(ListItem(url, text))
        return items

    def is_report_column(self, response: Response) -> bool:
        if super().is_report_column(response):
            return True
        if not is_markup(response):
            return False
        # No meta tags (old ASP sites): the current-location line or a heading names the column.
        crumbs = response.xpath("//*[contains(@class,'crumb') or contains(@class,'location') or contains(@class,'weizhi')"
                                " or contains(@class,'position') or self::h1 or self::h2]//text()").getall()
        return any(COLUMN_TEXT.search(clean_text(c)) and not NOT_A_COLUMN.search(clean_text(c)) for c in crumbs)

    def pager_links(self, response: Response) -> list[str]:
        """Other pages of this list: pager-text links whose URL differs from this one only in the page."""
        current = canonical_url(response.url)
        here = pager_base(current)
        out = []
        for url, text in self.links(response):
            if url != current and PAGER_TEXT.match(text) and pager_base(url) == here and url not in out:
                out.append(url)
        return out

    def more_list_requests(self, response: Response, spider) -> list[scrapy.Request]:
        if not is_markup(response):
            return []
        site_id = response.meta["ogi_site"]
        urls = {i.url for i in self.list_items(response)}
        new = urls - self.seen_items
        self.seen_items |= urls
        if not new:
            if urls:
                logger.info("[%s] %s adds no new item: not following its pager", site_id, response.url)
            return []
        pages = self.pager_links(response)
        if not pages and self._has_unreadable_pager(response):
            spider.error(site_id, response.url, "unknown_pager",
                         "the list says it has more pages but offers no link the generic family can follow")
            if hasattr(spider, "site_needs_family"):
                spider.site_needs_family(site_id, f"unknown pager on {response.url}: needs a family module")
        return [spider.request(u, site_id, "list", spider.parse_list) for u in pages]

    def _has_unreadable_pager(self, response: TextResponse) -> bool:
        text = _visible_text(response)
        counts = [int(g) for m in _PAGE_COUNT.finditer(text) for g in m.groups() if g]
        if counts and max(counts) > 1:
            return True
        # 下一页 present as a script/onclick control rather than a link
        for a in response.xpath("//a"):
            label = clean_text(" ".join(a.xpath(".//text()").getall()))
            href = (a.attrib.get("href") or "").strip().lower()
            if _NEXT_TEXT.match(label) and (not href or href.startswith(("javascript:", "#"))) and a.attrib.get("onclick"):
                return True
        return False

    def sub_columns(self, response: Response) -> list[str]:
        """Sub-columns (per year, 县政府/部门/乡镇): by link text, anywhere on the host (query-string sites
        keep every column at one path)."""
        host = urlparse(response.url).netloc
        here = pager_base(canonical_url(response.url))
        out = []
        for url, text in self.links(response):
            if urlparse(url).netloc != host or pager_base(url) == here or url in out:
                continue
            if self.is_detail_url(url) or is_document_url(url) or PAGER_TEXT.match(text):
                continue
            if SUBCOLUMN_TEXT.match(text) and not NOT_A_COLUMN.search(text):
                out.append(url)
        return out

    # -- pages the family cannot read ------------------------------------------------------------
    def needs_module(self, response: Response) -> str | None:
        """Why this page needs a family module (an empty JavaScript shell), or None."""
        if not is_markup(response):
            return None
        anchors = [h for h in response.css("a::attr(href)").getall()
                   if h.strip() and not h.strip().lower().startswith(("javascript:", "#"))]
        scripts = response.css("script").getall()
        if len(anchors) <= 2 and scripts and len(_visible_text(response)) < 200:
            kind = "single-page app" if _JS_APP.search(response.text) else "page built by JavaScript"
            return f"empty JavaScript shell ({kind}) at {response.url}: needs a family module that reads its API"
        return None
