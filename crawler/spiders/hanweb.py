"""Hanweb 大汉 jcms sites (Zhejiang, Jiangsu, Shandong, Jiangxi, Gansu, Liaoning …).

Covers: columns ``/col/col<id>/index.html`` whose list is embedded as XML in
``<script type="text/xml"><datastore>…<record><![CDATA[<li><a href=…>]]></record>…``; only the first
group of pages is embedded, the rest comes from ``POST /module/web/jpage/dataproxy.jsp?startrecord=&
endrecord=&perpage=`` with the page's ``var param_<unitid> = {…}`` fields as the form; article pages
``/art/YYYY/M/D/art_<col>_<id>.html``; attachments through ``/module/download/downfile.jsp?…`` which
answer 302 to ``/attach/…``.

Annual-report module (site-patterns §1.2, §8; seen on 丽水, 微山县, 邹城市, 兖州区):
``/module/xxgk/xxgkAnnualReport.jsp?area=<18-character credit code>&fbtime=<year>`` renders one unit's report
for one year (text + tables); the report year is ``fbtime``. A page that links it (a units × years table, a
list of years) is read as a list, and each unit × year link is fetched as a report page. A year without a
report renders a short "暂无年报" page, which extraction rejects. The module's reader (crawler/spiders/annual_module.py) is
shared with the Shandong family, whose counties expose the same module.

Known quirks: static ``index_1.html`` does not exist (only the proxy paginates); some proxies repeat a
boundary record (Scrapy's duplicate filter drops it); record markup varies (li, table rows).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.selector import Selector

from crawler.spiders.annual_module import annual_report_items, is_annual_report_url
from crawler.spiders.base import NOT_A_COLUMN, SUBCOLUMN_TEXT, ListItem, SiteFamily, clean_text, texts

_DETAIL = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+(?:\.html?)?$")
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_PARAM = re.compile(r"var\s+param_(\w+)\s*=\s*\{(.*?)\}", re.S)
_PAIR = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""")
_TOTAL = re.compile(r"totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_TOTAL_XML = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_PERPAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]+)['\"]", re.S)
_COLUMN = re.compile(r"/col/col\d+/")
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
GROUP_PAGES = 3  # pages per proxy group, as the jpage script asks for


class HanwebFamily(SiteFamily):
    name = "hanweb"
    detect_order = 20

    @classmethod
    def detect_text(cls, text: str) -> bool:
        return "<datastore>" in text or "大汉网络" in text or bool(re.search(r"""href=["']/(?:col/col\d+|art/\d{4}/)""", text))

    def is_detail_url(self, url: str) -> bool:
        return bool(_DETAIL.search(urlparse(url).path)) or is_annual_report_url(url)

    def is_list_page(self, response: Response) -> bool:
        if not isinstance(response, TextResponse):
            return False
        return "<datastore>" in response.text or bool(annual_report_items(response))

    def list_items(self, response: Response) -> list[ListItem]:
        if not isinstance(response, TextResponse):
            return []
        items = []
        for fragment in _RECORD.findall(response.text):
            sel = Selector(text=f"<div>{fragment}</div>")
            for a in sel.css("a[href]"):
                url = response.urljoin(a.attrib["href"].strip())
                title = clean_text(a.attrib.get("title") or " ".join(texts(a)))
                date = clean_text(" ".join(sel.css("span::text, b::text, td:last-child::text").getall()[-1:]))
                items.append(ListItem(url, title, date))
        return items + annual_report_items(response)

    def form_fields(self, text: str) -> dict[str, str]:
        m = _PARAM.search(text)
        if not m:
            return {}
        fields = {}
        for key, q1, q2, bare in _PAIR.findall(m.group(2)):
            fields[key] = q1 or q2 or bare
        return fields

    def more_list_requests(self, response: Response, spider) -> list[scrapy.Request]:
        if not isinstance(response, TextResponse) or "ogi_proxy" in response.meta:
            return []
        text = response.text
        fields = self.form_fields(text)
        total_m, per_m = _TOTAL.search(text) or _TOTAL_XML.search(text), _PERPAGE.search(text)
        if not fields or not total_m:
            return []
        total = int(total_m.group(1))
        per_page = int(per_m.group(1)) if per_m else 15
        embedded = len(_RECORD.findall(text))
        proxy = DEFAULT_PROXY
        ng = _NEXTGROUP.search(text)
        if ng:
            proxy = urlparse(response.urljoin(ng.group(1))).path or DEFAULT_PROXY
        group = per_page * GROUP_PAGES
        site_id = response.meta["ogi_site"]
        requests = []
        for start in range(embedded + 1, total + 1, group):
            end = min(start + group - 1, total)
            url = response.urljoin(f"{proxy}?startrecord={start}&endrecord={end}&perpage={per_page}")
            requests.append(
                scrapy.FormRequest(url, formdata=fields, callback=spider.parse_list, errback=spider.on_error,
                                   meta={"ogi_site": site_id, "ogi_kind": "list", "ogi_proxy": True})
            )
        return requests

    def sub_columns(self, response: Response) -> list[str]:
        out = []
        for url, text in self.links(response):
            if (_COLUMN.search(urlparse(url).path) and url != response.url and SUBCOLUMN_TEXT.match(text)
                    and not NOT_A_COLUMN.search(text)):
                out.append(url)
        return out + super().sub_columns(response)
