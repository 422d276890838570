"""A TRS county site whose content can change between crawls, with or without HTTP validators.

Incremental crawling must be tested against a site that changes: a report added, a report edited in
place (same URL, new numbers), a list entry re-dated. `MutableCounty` renders its pages with the core
demo's TRS renderer (demosites.render), re-renders after each change, and answers conditional GETs
(ETag + Last-Modified, 304) only when `validators=True` — real county sites differ on that. The
benchmark (benchmarks/crawl_bench.py) serves 200 of them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from demosites.catalog import Column, Item, SiteSpec, gen
from demosites.forms import blocks_html, make_numbers, report_blocks
from demosites.mock import MockRequest, MockResponse, MockSite
from demosites.render import Renderer

logger = logging.getLogger(__name__)


class MutableCounty(MockSite):
    """One county portal: home → 政府信息公开 → 政府信息公开年报 (TRS lists of `page_size`) → reports."""

    platform = "trs"

    def __init__(self, site_id: str, county: str, *, province: str, city: str, adcode: str,
                 reports: list[tuple[str, int, str, str]], validators: bool = True, page_size: int = 4,
                 name: str | None = None) -> None:
        """`reports`: (agency, year, form, kind) with form in form2021/form2019 and kind html/pdf/docx."""
        self.site_id = site_id
        self.county = county
        self.name = name or f"{county}人民政府"
        self.province, self.city, self.adcode = province, city, adcode
        self.validators = validators
        self.page_size = page_size
        self.entry_path = "/"
        self.items: list[Item] = [gen(site_id, a, y, f, k) for a, y, f, k in reports]
        self._list_dates: dict[str, str] = {}  # item key -> date the list shows instead of the publication date
        self._routes: dict[str, Any] = {}
        self._mtimes: dict[str, float] = {}
        self._etags: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- content ------------------------------------------------------------------------------------
    def start(self, base_url: str) -> None:
        super().start(base_url)
        self._render()

    def _render(self) -> None:
        items = sorted(self.items, key=lambda i: i.pub, reverse=True)
        spec = SiteSpec(self.site_id, self.name, self.province, self.city, self.county, self.adcode, "trs",
                        f"www.{self.site_id}.gov.cn", Column("政府信息公开年报", "zfxxgknb", items, self.page_size))
        rendered = Renderer(spec, self.base_url).render()
        routes = {path: resp for path, resp in rendered.routes.items()}
        for key, date in self._list_dates.items():
            item = next(i for i in self.items if i.key == key)
            pattern = re.compile(rf'(_{item.docid}\.html"[^>]*>.*?</a>)<span>[^<]*</span>'.encode(), re.S)
            for path, resp in routes.items():
                if resp.ctype.startswith("text/html") and pattern.search(resp.body):
                    routes[path] = type(resp)(resp.status, pattern.sub(rb"\1<span>" + date.encode() + b"</span>",
                                                                       resp.body), resp.ctype, resp.location)
        now = time.time()
        with self._lock:
            for path, resp in routes.items():
                etag = '"' + hashlib.sha1(resp.body).hexdigest()[:20] + '"'
                if self._etags.get(path) != etag:
                    self._etags[path] = etag
                    self._mtimes[path] = now
            self._routes = routes

    def add_report(self, agency: str, year: int, form: str = "form2021", kind: str = "html") -> Item:
        """Publish a new report (it appears at the top of the list)."""
        item = gen(self.site_id, agency, year, form, kind)
        self.items.append(item)
        self._render()
        return item

    def edit_report(self, agency: str, year: int, *, list_date: str | None = None) -> Item:
        """Replace a published HTML report's numbers in place (same URL); optionally show a new list date."""
        item = next(i for i in self.items if i.agency == agency and i.year == year)
        if item.kind != "html":
            raise ValueError("only HTML reports can be edited in place")
        numbers = make_numbers(f"{agency}（更正）", year, item.form or "form2021")
        item.body = blocks_html(report_blocks(agency, year, item.form or "form2021", numbers,
                                              f"{item.pub.year}年{item.pub.month}月{item.pub.day}日"))
        item.body += '<p style="text-indent:2em;">（本报告于发布后更正部分数据。）</p>'
        item.stats = numbers.core()
        if list_date:
            self._list_dates[item.key] = list_date
        self._render()
        return item

    def remove_reports(self, keep: int) -> None:
        """Keep only the `keep` newest reports (a column that lost most of its items, e.g. after a redesign)."""
        self.items = sorted(self.items, key=lambda i: i.pub, reverse=True)[:keep]
        self._render()

    # -- HTTP ---------------------------------------------------------------------------------------
    def handle(self, request: MockRequest) -> MockResponse:
        with self._lock:
            resp = self._routes.get(request.path)
            etag, mtime = self._etags.get(request.path), self._mtimes.get(request.path, 0.0)
        if resp is None:
            return MockResponse.not_found()
        out = MockResponse(resp.status, resp.body, resp.ctype)
        if resp.location:
            out.headers.append(("Location", resp.location))
        if not self.validators or resp.status != 200 or etag is None:
            return out
        validators = [("ETag", etag), ("Last-Modified", formatdate(mtime, usegmt=True))]
        inm = request.headers.get("if-none-match")
        ims = request.headers.get("if-modified-since")
        fresh = False
        if inm:
            fresh = etag in [t.strip() for t in inm.split(",")]
        elif ims:
            try:
                fresh = parsedate_to_datetime(ims).timestamp() >= int(mtime)
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            return MockResponse(304, b"", "text/html", validators)
        out.headers.extend(validators)
        return out

    def manifest(self) -> list[dict[str, Any]]:
        return [{"site_id": self.site_id, "agency": i.agency, "report_year": i.year, "form": i.form,
                 "title": i.flat_title, "published_at": f"{i.pub:%Y-%m-%d}", "detail_url": i.url,
                 "attachment_urls": [a.url for a in i.attachments], "kind": i.kind, "column": "政府信息公开年报",
                 "stats": dict(i.stats)} for i in self.items]
