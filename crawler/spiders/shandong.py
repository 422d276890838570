"""Shandong 政务公开 platform (county ``/gongkai/`` sections: 周村区, 张店区 and their neighbours).

What is verified (V) and what is assumed (A) — site-patterns §8, §1.6, §1.7:
- (V) department sub-sites ``/gongkai/site_<unit>/`` (``site_zdqzfhcxjsj`` = 张店区住建局), channel lists
  ``/gongkai/site_<unit>/channel_<24hex>_<24hex>/`` and documents
  ``/gongkai/site_<unit>/channel_<24hex>/doc_<24hex>.html``; county-level channels ``/gongkai/channel_<24hex>/``.
- (V) a document page carries ``标题 / 索引号 / 文号 / 发文日期 / 发布机构`` above the body; the 索引号 is the
  unit's 18-character credit code, a slash, the year and a serial (``11370303004217127D/2024-5424920``).
- (V, second-hand) Shandong portal lists embed ``totalCount/perSize/startPage/endPage/logicTotalPage`` and
  slice the nodes client-side: the whole list is in the HTML and JavaScript shows one page at a time.
- (V) Shandong counties also expose the Hanweb annual-report module
  (``/module/xxgk/xxgkAnnualReport.jsp?area=<credit code>&fbtime=<year>``); handled with the Hanweb
  reader in crawler/spiders/annual_module.py.
- (A) county-level documents live at ``/gongkai/channel_<24hex>/doc_<24hex>.html``; the 24-hex ids are
  MongoDB-style ObjectIds; the ``政务公开`` page links every unit's sub-site; the list markup (``li > a[title]``
  + date) and where attachments sit (any ``.pdf/.doc(x)`` link on the page).

Crawl: every ``doc_`` node of a list page is read, hidden ones included, and no ``?page=N`` URL is guessed.
When the script's ``totalCount`` is larger than the nodes on the page, the list is incomplete (this
module knows no server-side paging for the platform) and the crawl records a ``list_incomplete`` error
instead of passing silently.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlparse

import scrapy
from scrapy.http import Response, TextResponse

from crawler.spiders.annual_module import annual_report_items, is_annual_report_url
from crawler.spiders.base import ListItem, SiteFamily, clean_text, texts, unique

logger = logging.getLogger(__name__)

_DOC = re.compile(r"/gongkai/(?:site_[\w-]+/)?channel_[0-9a-z_]+/doc_[0-9a-f]{24}\.html?$")
_SITE_HOME = re.compile(r"/gongkai/(site_[\w-]+)/(?:index\.html?)?$")
_SITE = re.compile(r"/gongkai/(site_[\w-]+)/")
_GONGKAI_HREF = re.compile(r"""href=["'][^"']*/gongkai/(?:site_[\w-]+/|channel_[0-9a-f]{24})""")
_TOTAL_COUNT = re.compile(r"totalCount\s*[:=]\s*['\"]?(\d+)")


class ShandongFamily(SiteFamily):
    """``/gongkai/`` unit sub-sites with client-side paged channel lists, plus the Hanweb annual-report module."""

    name = "shandong"
    detect_order = 60

    @classmethod
    def detect_text(cls, text: str) -> bool:
        return bool(_GONGKAI_HREF.search(text))

    def is_detail_url(self, url: str) -> bool:
        return bool(_DOC.search(urlparse(url).path)) or is_annual_report_url(url)

    def unit_links(self, response: Response) -> list[str]:
        """Other units' sub-site homes ``/gongkai/site_<unit>/`` on the same host."""
        host = urlparse(response.url).netloc
        here = _SITE.search(urlparse(response.url).path)
        out = []
        for url, _text in self.links(response):
            parsed = urlparse(url)
            m = _SITE_HOME.search(parsed.path)
            if m and parsed.netloc == host and (here is None or m.group(1) != here.group(1)):
                out.append(url)
        return unique(out)

    def is_list_page(self, response: Response) -> bool:
        return bool(self.list_items(response))

    def list_items(self, response: Response) -> list[ListItem]:
        if not isinstance(response, TextResponse):
            return []
        items: list[ListItem] = []
        seen: set[str] = set()
        for a in response.css("a[href]"):
            url = response.urljoin(a.attrib["href"].strip())
            if not _DOC.search(urlparse(url).path) or url in seen:
                continue
            seen.add(url)
            title = clean_text(a.attrib.get("title") or " ".join(texts(a)))
            date = clean_text(" ".join(a.xpath("following-sibling::span[1]//text()").getall()))
            items.append(ListItem(url, title, date))
        return items + [i for i in annual_report_items(response) if i.url not in seen]

    def more_list_requests(self, response: Response, spider) -> list[scrapy.Request]:
        """None: the page holds the whole list. A ``totalCount`` above the nodes found is reported."""
        if not isinstance(response, TextResponse):
            return []
        m = _TOTAL_COUNT.search(response.text)
        if m:
            nodes = sum(1 for i in self.list_items(response) if _DOC.search(urlparse(i.url).path))
            if int(m.group(1)) > nodes:
                message = f"list says totalCount={m.group(1)} but the page holds {nodes} documents"
                logger.warning("%s: %s", response.url, message)
                if hasattr(spider, "error"):
                    spider.error(response.meta.get("ogi_site"), response.url, "list_incomplete", message)
        return []

    def sub_columns(self, response: Response) -> list[str]:
        # Channel trees link sibling channels (指南, 制度 …), not sub-columns of the 年报 channel.
        return []
