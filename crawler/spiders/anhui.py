"""Anhui unified 政务公开 platform (ah.gov.cn and its city and county sites; the same shape in parts of
Jiangxi and Qinghai).

Covers (site-patterns §1.4, §8 霍山县):
- per-unit catalogues ``/public/column/{organId}?type=4&action=list&nav=3`` — the county government,
  each department (县住建局 = organId 6597781 on ahhuoshan.gov.cn) and each town has its own organId
  and its own 政府信息公开年报 category ``…&catId={catId}``; a county's 信息公开 page links every unit;
- the category page holds no list: the browser fills it by XHR from the label endpoint
  ``/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&siteId=…&pageSize=15&pageIndex=N
  &action=list&isDate=true&dateFormat=yyyy-MM-dd&length=50&organId=…&type=4&catId=…&cId=
  &result=暂无相关信息&file=/xxgk/publicInfoList_newest2020``, which answers an HTML fragment
  (``div.xxgk_navli > a[title][href]`` + ``span.date``, or ``div.gk_list > ul > li > div > a.title``);
- the page count is written into the page's JavaScript as ``pageCount:N``;
- details ``/public/{organId}/{articleId}.html``; attachments on FastDFS paths ``/group6/M00/…/*.pdf``;
  ``<meta name="SiteId">``; county sites on a city platform put a prefix before the label path
  (``/huangshanzwgk/zwgk/site/label/8888``), so the label URL is taken from the page when it is there.

Known quirks: ``pageCount`` can be larger than the pages that exist — the endpoint then answers
``暂无相关信息`` (the ``result=`` parameter echoed back). Pages are therefore fetched one after the
other: page N+1 only when page N had items and either ``pageCount`` says there is more or page N was
full (so a ``pageCount`` that is too small does not lose a page either). The jQuery cache-buster
``_=<random>`` is left out: the endpoint ignores it and stable URLs keep Scrapy's duplicate filter working.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlencode, urlparse

import scrapy
from scrapy.http import Response, TextResponse

from crawler.spiders.base import ListItem, SiteFamily, clean_text, texts, unique

logger = logging.getLogger(__name__)

_DETAIL = re.compile(r"/public/\d+/\d+\.s?html?$")
_UNIT = re.compile(r"/public/column/(\d+)$")
_LABEL_PATH = re.compile(r"""["']((?:/[\w.-]+)*/site/label/8888)(?:\?|["'])""")
_PAGE_COUNT = re.compile(r"""pageCount\s*[:=]\s*['"]?(\d+)""")
_PARAM_OBJECT = re.compile(r"\{([^{}]*labelName[^{}]*)\}", re.S)
_PAIR = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""")
_SITE_ID_META = "//meta[re:test(@name, '^SiteId$', 'i')]/@content"
EMPTY_LIST = "暂无相关信息"
LABEL = "/site/label/8888"
# The label parameters in the order the platform's own script sends them; defaults are the values
# seen on real requests (§1.4), used only when the page does not name them.
LABEL_DEFAULTS: dict[str, str] = {
    "IsAjax": "1", "dataType": "html", "labelName": "publicInfoList", "siteId": "", "pageSize": "15",
    "pageIndex": "1", "action": "list", "isDate": "true", "dateFormat": "yyyy-MM-dd", "length": "50",
    "organId": "", "type": "4", "catId": "", "cId": "", "result": EMPTY_LIST,
    "file": "/xxgk/publicInfoList_newest2020",
}


class AnhuiFamily(SiteFamily):
    """Unit catalogues, label-endpoint fragments paged by ``pageIndex``, ``/public/{organId}/{id}.html``."""

    name = "anhui"
    detect_order = 50

    @classmethod
    def detect_text(cls, text: str) -> bool:
        return bool(LABEL in text or re.search(r"""href=["'][^"']*/public/column/\d+\?[^"']*type=4""", text)
                    or re.search(r"""href=["'][^"']*/public/\d+/\d+\.html""", text))

    def is_detail_url(self, url: str) -> bool:
        return bool(_DETAIL.search(urlparse(url).path))

    @staticmethod
    def is_label_response(response: Response) -> bool:
        return urlparse(response.url).path.endswith(LABEL)

    @staticmethod
    def catalogue(url: str) -> tuple[str, str] | None:
        """(organId, catId) of a ``/public/column/{organId}?…catId=…`` URL; catId may be ''."""
        parsed = urlparse(url)
        m = _UNIT.search(parsed.path)
        if not m:
            return None
        return m.group(1), (parse_qs(parsed.query).get("catId") or [""])[0]

    # -- discovery -------------------------------------------------------------------------------
    def unit_links(self, response: Response) -> list[str]:
        """Every other unit's catalogue home (a ``/public/column/{organId}`` link without a category)."""
        here = self.catalogue(response.url)
        host = urlparse(response.url).netloc
        out = []
        for url, _text in self.links(response):
            unit = self.catalogue(url)
            if unit and not unit[1] and urlparse(url).netloc == host and (here is None or unit[0] != here[0]):
                out.append(url)
        return unique(out)

    def sub_columns(self, response: Response) -> list[str]:
        # The left tree lists other categories and units under the same path; units come through
        # unit_links and the 年报 category has no children on this platform.
        return []

    # -- lists -----------------------------------------------------------------------------------
    def is_list_page(self, response: Response) -> bool:
        if not isinstance(response, TextResponse):
            return False
        if self.is_label_response(response):
            return True
        found = self.catalogue(response.url)
        return bool(found and found[1] and (LABEL in response.text or _PAGE_COUNT.search(response.text)))

    def list_items(self, response: Response) -> list[ListItem]:
        if not isinstance(response, TextResponse):
            return []
        items: list[ListItem] = []
        anchors = response.css("div.xxgk_navli > a[href], div.gk_list li a.title[href]")
        for a in anchors:
            url = response.urljoin(a.attrib["href"].strip())
            if not self.is_detail_url(url):
                continue
            title = clean_text(a.attrib.get("title") or " ".join(texts(a)))
            date = clean_text(" ".join(a.xpath(
                "ancestor::*[self::li or contains(concat(' ', @class, ' '), ' xxgk_navli ')][1]"
                "//span[contains(concat(' ', @class, ' '), ' date ')]//text()").getall()))
            items.append(ListItem(url, title, date))
        if not anchors:  # a template that renders the list server-side
            items = super().list_items(response)
        seen: set[str] = set()
        return [i for i in items if not (i.url in seen or seen.add(i.url))]

    def label_params(self, response: TextResponse) -> tuple[str, dict[str, str]] | None:
        """The label endpoint's URL and parameters for a category page, read from its script."""
        found = self.catalogue(response.url)
        if not found or not found[1]:
            return None
        organ_id, cat_id = found
        params = dict(LABEL_DEFAULTS)
        m = _PARAM_OBJECT.search(response.text)
        if m:
            for key, q1, q2, bare in _PAIR.findall(m.group(1)):
                if key in params:
                    params[key] = q1 or q2 or bare
        site_id = response.xpath(_SITE_ID_META).get()
        if not params["siteId"] and site_id:
            params["siteId"] = site_id.strip()
        params["organId"] = params["organId"] or organ_id
        params["catId"] = params["catId"] or cat_id
        lm = _LABEL_PATH.search(response.text)
        path = lm.group(1) if lm else urlparse(response.url).path.split("/public/column/")[0] + LABEL
        return response.urljoin(path), params

    def more_list_requests(self, response: Response, spider) -> list[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return []
        site_id = response.meta["ogi_site"]
        state = response.meta.get("ogi_anhui")
        if state is None and self.is_label_response(response):
            # A fragment fetched without the category page's state: its own URL names every
            # parameter; the page count is unknown, so only a full page asks for the next one.
            query = parse_qs(urlparse(response.url).query, keep_blank_values=True)
            params = {**LABEL_DEFAULTS, **{k: v[0] for k, v in query.items()}}
            state = {"url": response.urljoin(urlparse(response.url).path), "params": params, "page_count": 0}
        if state is None:
            found = self.label_params(response)
            if found is None:
                return []
            label_url, params = found
            pm = _PAGE_COUNT.search(response.text)
            state = {"url": label_url, "params": params, "page_count": int(pm.group(1)) if pm else 1}
            return [self._page_request(spider, site_id, state, 1)]
        page = int(state["params"]["pageIndex"])
        count = len(self.list_items(response))
        if count == 0 or EMPTY_LIST in response.text:
            if page <= state["page_count"] and page > 1:
                logger.info("[%s] pageCount %s but page %s is empty: list ends at page %s",
                            site_id, state["page_count"], page, page - 1)
            return []
        full = count >= int(state["params"].get("pageSize") or 15)
        if page < state["page_count"] or full:
            return [self._page_request(spider, site_id, state, page + 1)]
        return []

    @staticmethod
    def _page_request(spider, site_id: str, state: dict, page: int) -> scrapy.Request:
        params = {**state["params"], "pageIndex": str(page)}
        url = f"{state['url']}?{urlencode(params)}"
        request = spider.request(url, site_id, "list", spider.parse_list)
        request.meta["ogi_anhui"] = {**state, "params": params}
        return request
