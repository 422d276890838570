"""开普云 (Ucap) intensive-platform sites (集约化平台: Hunan, Sichuan, Gansu, Xinjiang, Tibet county sites …).

Covers (site-patterns §1.3): ``.shtml`` pages under ``/{sitecode}/c{columnid}/``; list pages
``zfxxgk_gknrz.shtml``, ``zfxxgk_gknrz_2.shtml``, ``_3`` … whose items are wrapped in the template's custom
``<cmspro_documents>`` element (``cmspro_documents ul li a`` or ``cmspro_documents > li > a``), the pager in
``div#page_div`` (or ``page-div``); detail pages ``/{site}/c{col}/YYYYMM/<32hex>.shtml`` (or
``…/YYYY/M/D/<32hex>.shtml``); lists that are rendered in the browser from the JSON interface
``POST /interface-cms/qryManuscriptByWebsiteId`` with a JSON body ``{websiteId, channelId: [..], pageNum,
pageSize, title}`` answering ``{Status: "success", results: [{manuscriptId, title, url, publishedTime}],
total}`` — the page then carries ``websiteId``/``channelId`` in a script, and the crawler posts the same
body the page's script would.

Verified (S, second-hand from crawler code and template notes): the ``<cmspro_documents>`` wrapper, the
``page_div`` pager id, the ``/{site}/c{col}/…shtml`` paths and ``_N`` page names, the interface's URL and
body fields and its ``Status``/``results``/``manuscriptId`` answer, the meta tags (3 / 7 / 10 on home /
list / detail pages). Assumed (R): that the interface is the same vendor's, that ``pageNum`` starts at 1,
that the answer has ``total`` and each result a page ``url`` and ``publishedTime`` (results without a
``url`` are skipped and logged), that the pager is plain links, and where attachments live
(``…/<32hex>/files/<name>.pdf`` beside the page; any document link in the page is taken). "ucap" in a URL
does not identify this family (南威 Linewell uses ``com.linewell.ucap``), so it is not a fingerprint here.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import scrapy
from scrapy.http import JsonRequest, JsonResponse, Response, TextResponse

from crawler.spiders.base import NOT_A_COLUMN, SUBCOLUMN_TEXT, ListItem, SiteFamily, clean_text, texts, unique

logger = logging.getLogger(__name__)

INTERFACE = "/interface-cms/qryManuscriptByWebsiteId"
DEFAULT_PAGE_SIZE = 10
_DETAIL = re.compile(r"/c\d+/(?:\d{6}|\d{4}/\d{1,2}/\d{1,2})/[0-9a-f]{32}\.shtml$")
_DETAIL_HREF = re.compile(r"""href=["'][^"']*/c\d+/(?:\d{6}|\d{4}/\d{1,2}/\d{1,2})/[0-9a-f]{32}\.shtml""")
_COLUMN_PAGE = re.compile(r"/c\d+/[^/]+\.shtml$")
_WEBSITE_ID = re.compile(r"""websiteId['"]?\s*[:=]\s*['"]([0-9a-fA-F]{32})['"]""")
_CHANNEL_ID = re.compile(r"""channelId['"]?\s*[:=]\s*\[?\s*['"]([0-9a-fA-F]{32})['"]""")
_PAGE_SIZE = re.compile(r"""pageSize['"]?\s*[:=]\s*['"]?(\d+)""")


class Unreadable:
    """An interface answer that is no JSON object (an array, a cut-off body, an HTML page sent as JSON): the
    site's fault, so the hooks read nothing from it and the pager reports it (never a traceback: a JSON
    answer has no HTML selector)."""

    def __init__(self, why: str) -> None:
        self.why = why


_JSON_KINDS = {list: "a JSON array", str: "a JSON string", int: "a JSON number", float: "a JSON number",
               bool: "a JSON boolean", type(None): "JSON null"}


def _json(response: Response) -> Any:
    """None for an HTML page; the answer's object for an interface answer; Unreadable for an answer that is
    JSON by its Content-Type or its first character but no JSON object."""
    if not isinstance(response, TextResponse):
        return None
    declared = isinstance(response, JsonResponse)
    body = response.text.lstrip()
    if not declared and not body.startswith(("{", "[")):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return Unreadable("not valid JSON") if declared else None  # an HTML page may start with "{"
    return data if isinstance(data, dict) else Unreadable(_JSON_KINDS[type(data)])  # every type json.loads gives


class KaipuyunFamily(SiteFamily):
    name = "kaipuyun"
    detect_order = 40

    @classmethod
    def detect_url(cls, url: str) -> bool:
        """The list interface's own path: its answers are this family's, whatever they hold (so the spider
        does not hand an unreadable answer to the fallback family's HTML readers)."""
        return urlparse(url).path.endswith(INTERFACE)

    @classmethod
    def detect_text(cls, text: str) -> bool:
        return ("<cmspro_documents" in text.lower() or "qryManuscriptByWebsiteId" in text
                or bool(_DETAIL_HREF.search(text)))

    def is_detail_url(self, url: str) -> bool:
        return bool(_DETAIL.search(urlparse(url).path))

    def links(self, response: Response) -> Iterator[tuple[str, str]]:
        if _json(response) is None:  # interface answers have no anchors (and no HTML selector)
            yield from super().links(response)

    def is_report_column(self, response: Response) -> bool:
        return _json(response) is None and super().is_report_column(response)

    # -- lists -----------------------------------------------------------------------------------
    def channel(self, response: Response) -> dict[str, Any] | None:
        """The interface fields a page's script uses to load its list, if it loads one that way."""
        if not isinstance(response, TextResponse) or INTERFACE not in response.text:
            return None
        website, channel = _WEBSITE_ID.search(response.text), _CHANNEL_ID.search(response.text)
        if not website or not channel:
            return None
        size = _PAGE_SIZE.search(response.text)
        return {"websiteId": website.group(1), "channelId": [channel.group(1)],
                "pageSize": int(size.group(1)) if size else DEFAULT_PAGE_SIZE, "title": ""}

    def is_list_page(self, response: Response) -> bool:
        if not isinstance(response, TextResponse):
            return False
        data = _json(response)
        if data is not None:
            return isinstance(data, dict) and isinstance(data.get("results"), list)
        return bool(response.xpath("//cmspro_documents")) or self.channel(response) is not None

    def list_items(self, response: Response) -> list[ListItem]:
        if not isinstance(response, TextResponse):
            return []
        data = _json(response)
        if data is not None:
            return self._interface_items(response, data)
        items = []
        for li in response.xpath("//cmspro_documents//li"):
            a = li.xpath(".//a[@href]")
            if not a:
                continue
            url = response.urljoin(a[0].attrib["href"].strip())
            if not self.is_detail_url(url):
                continue
            title = clean_text(a[0].attrib.get("title") or " ".join(texts(a[0])))
            date = clean_text(" ".join(li.xpath("./span//text()").getall()))
            items.append(ListItem(url, title, date))
        return items

    def _interface_items(self, response: Response, data: Any) -> list[ListItem]:
        if not isinstance(data, dict) or str(data.get("Status", "")).lower() != "success":
            return []
        items = []
        for row in data.get("results") or []:
            if not isinstance(row, dict):
                continue
            href = row.get("url") or row.get("websiteUrl") or row.get("link")
            if not href:
                logger.info("interface result without a page url (manuscriptId %s) on %s", row.get("manuscriptId"),
                            response.url)
                continue
            date = str(row.get("publishedTime") or "")[:10]
            items.append(ListItem(response.urljoin(str(href)), clean_text(str(row.get("title") or "")), date))
        return items

    def more_list_requests(self, response: Response, spider) -> list[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return []
        site_id = response.meta["ogi_site"]
        data = _json(response)
        if isinstance(data, Unreadable):
            message = f"the list interface answered {data.why}, not a JSON object: no items read"
            if hasattr(spider, "error"):  # crawl_errors and the run's error count, like other unreadable lists
                spider.error(site_id, response.url, "unreadable_answer", message)
            else:
                logger.warning("[%s] unreadable_answer %s: %s", site_id, response.url, message)
            return []
        if data is not None:
            return self._interface_pages(response, data, spider)
        requests: list[scrapy.Request] = []
        pager = response.xpath("//div[@id='page_div' or @id='page-div']//a/@href").getall()
        own = response.url.split("#", 1)[0]
        for href in unique(response.urljoin(h.strip()) for h in pager if h.strip() and not h.startswith("javascript")):
            if href != own:
                requests.append(spider.request(href, site_id, "list", spider.parse_list))
        fields = self.channel(response)
        if fields and not self.list_items(response):
            requests.append(self._interface_request(response, spider, fields, 1))
        return requests

    def _interface_request(self, response: Response, spider, fields: dict[str, Any], page: int) -> scrapy.Request:
        body = {"websiteId": fields["websiteId"], "channelId": fields["channelId"], "pageNum": page,
                "pageSize": fields["pageSize"], "title": fields.get("title", "")}
        return JsonRequest(response.urljoin(INTERFACE), data=body, callback=spider.parse_list, errback=spider.on_error,
                           meta={"ogi_site": response.meta["ogi_site"], "ogi_kind": "list", "ogi_interface": body})

    def _interface_pages(self, response: Response, data: Any, spider) -> list[scrapy.Request]:
        """Pages 2… of an interface list, requested once page 1 says how many there are."""
        fields = response.meta.get("ogi_interface")
        if not fields or fields.get("pageNum") != 1 or not isinstance(data, dict):
            return []
        try:
            total = int(data.get("total") or 0)
        except (TypeError, ValueError):
            total = 0
        pages = math.ceil(total / max(1, int(fields["pageSize"])))
        return [self._interface_request(response, spider, fields, n) for n in range(2, pages + 1)]

    def attachments(self, response: Response) -> list[str]:
        return [] if _json(response) is not None else super().attachments(response)

    def sub_columns(self, response: Response) -> list[str]:
        """Sibling columns ``/{site}/c{other}/….shtml`` named per kind of unit or per year."""
        if _json(response) is not None:
            return []
        pager = {response.urljoin(h) for h in response.xpath("//div[@id='page_div' or @id='page-div']//a/@href").getall()}
        out = []
        for url, text in self.links(response):
            path = urlparse(url).path
            if (_COLUMN_PAGE.search(path) and not self.is_detail_url(url) and url not in pager
                    and SUBCOLUMN_TEXT.match(text) and not NOT_A_COLUMN.search(text)):
                out.append(url)
        return unique(out + super().sub_columns(response))
