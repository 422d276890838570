"""TRS WCM (拓尔思) sites — the most common CMS of county portals (Chongqing, Guizhou, Hubei, Fujian…).

Covers: column directories with static list pages ``index.html``, ``index_1.html`` … whose page count
comes from an inline ``createPageHTML(total, current, "index", "html")`` call (or ``var countPage = N``);
``.html``/``.shtml``/``.htm`` variants; detail pages ``./YYYYMM/tYYYYMMDD_<id>.html`` (the date is the
publication date, not the report year); attachments ``./P0<digits>.pdf`` beside the page, also when a
template writes them with JavaScript (``var att = '<a href=…>'``).

Known quirks: list items sometimes carry a stray ``</TRS_DOCUMENT>``; lists may use absolute links; a
page count larger than the pages that exist (the missing page answers 404 and is recorded).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import scrapy
from scrapy.http import Response, TextResponse

from crawler.spiders.base import ListItem, SiteFamily, clean_text, texts, usable_href

_DETAIL = re.compile(r"/t(?:19|20)\d{6}_\d+\.s?html?$")
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")
_LIST_FILE = re.compile(r"/(index)(?:_\d+)?\.(s?html?)$")


class TRSFamily(SiteFamily):
    """Static TRS WCM columns: ``index.html`` + ``index_N.html`` pages announced by createPageHTML/countPage."""

    name = "trs"
    detect_order = 10

    @classmethod
    def detect_text(cls, text: str) -> bool:
        return bool(
            "createPageHTML" in text
            or _COUNT_PAGE.search(text)  # the other TRS pager: var countPage = N (and index_N pages)
            or "TRS_Editor" in text
            or "trs_editor_view" in text
            or re.search(r"""href=["'][^"']*t(?:19|20)\d{6}_\d+\.s?html?""", text)
        )

    def is_detail_url(self, url: str) -> bool:
        return bool(_DETAIL.search(urlparse(url).path))

    def is_list_page(self, response: Response) -> bool:
        if not isinstance(response, TextResponse):
            return False
        return "createPageHTML" in response.text or bool(_COUNT_PAGE.search(response.text)) or super().is_list_page(response)

    def list_items(self, response: Response) -> list[ListItem]:
        if not isinstance(response, TextResponse):
            return []
        items, seen = [], set()
        own_url = response.url.split("#", 1)[0]
        for a in response.css("a[href]"):
            if not usable_href(a.attrib.get("href")):
                continue
            url = response.urljoin(a.attrib["href"].strip()).split("#", 1)[0]
            if url == own_url or url in seen or not self.is_detail_url(url):
                continue
            seen.add(url)
            title = clean_text(a.attrib.get("title") or " ".join(texts(a)))
            date = clean_text(" ".join(a.xpath("following-sibling::*[1]//text()").getall()))
            items.append(ListItem(url, title, date))
        return items

    def page_count(self, response: TextResponse) -> tuple[int, str, str] | None:
        m = _CREATE_PAGE.search(response.text)
        if m:
            return int(m.group(1)), m.group(3), m.group(4)
        m = _COUNT_PAGE.search(response.text)
        if m:
            lm = _LIST_FILE.search(urlparse(response.url).path)
            return int(m.group(1)), "index", lm.group(2) if lm else "html"
        return None

    def more_list_requests(self, response: Response, spider) -> list[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return []
        found = self.page_count(response)
        if not found:
            return []
        total, prefix, ext = found
        site_id = response.meta["ogi_site"]
        # Page N+1 is index_N; the first page is index.<ext>. Duplicates are filtered by Scrapy.
        urls = [response.urljoin(f"{prefix}.{ext}")] + [response.urljoin(f"{prefix}_{i}.{ext}") for i in range(1, total)]
        return [spider.request(u, site_id, "list", spider.parse_list) for u in urls if u != response.url]
