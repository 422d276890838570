"""Hanweb's annual-report module, ``/module/xxgk/xxgkAnnualReport.jsp?area=<credit code>&fbtime=<year>``.

One unit's report for one year. Hanweb sites and Shandong's 政务公开 platform both expose it, so the
reader lives here, shared, and neither family imports the other.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from scrapy.http import Response, TextResponse

from crawler.spiders.base import ListItem, clean_text, texts, usable_href

ANNUAL_REPORT_PATH = "/module/xxgk/xxgkAnnualReport.jsp"


def is_annual_report_url(url: str) -> bool:
    """A link to the annual-report module for one unit (``area``) and one year (``fbtime``)."""
    parsed = urlparse(url)
    if not parsed.path.endswith(ANNUAL_REPORT_PATH):
        return False
    query = parse_qs(parsed.query)
    return bool(query.get("area")) and bool(re.fullmatch(r"(?:19|20)\d{2}", (query.get("fbtime") or [""])[0]))


def annual_report_items(response: Response) -> list[ListItem]:
    """Every unit × year link to the annual-report module on a page, once each.

    The title is the link's title attribute, or the unit named in the first cell of its table row
    (or list item) followed by the link text — a bare "2021年" says nothing on its own.
    """
    if not isinstance(response, TextResponse):
        return []
    items: list[ListItem] = []
    seen: set[str] = set()
    for a in response.css("a[href]"):
        href = a.attrib.get("href") or ""
        if not usable_href(href):
            continue
        url = response.urljoin(href.strip())
        if not is_annual_report_url(url) or url in seen:
            continue
        seen.add(url)
        text = clean_text(" ".join(texts(a)))
        title = clean_text(a.attrib.get("title"))
        if not title:
            unit = clean_text(" ".join(a.xpath("ancestor::tr[1]/*[1]//text()").getall()))
            title = text if not unit or unit == text else unit + text
        items.append(ListItem(url, title, ""))
    return items
