"""Guangdong 政府信息公开目录平台 ``gkmlpt`` — every Guangdong provincial, city, district and town site.

Covers (site-patterns §1.5): the catalogue ``{prefix}/gkmlpt/index`` is a Vue SPA with no links to
follow; its HTML holds ``window._CONFIG = { SID: '…', TREE: [ {id, name, children, jump_url,
post_count…} ], … }``. The annual-report category is found in TREE by name (政府信息公开年报, 年度报告…,
possibly nested under a unit such as a 街道). Its list is the JSON API
``{prefix}/gkmlpt/api/all/{categoryId}?page={n}&sid={SID}`` → ``{total, classify, articles: [{id, title,
url, post_url, identifier, document_number, publisher, date, created_at, display_publish_time,
attachment: […]}]}``. Detail pages ``{prefix}/gkmlpt/content/0/963/post_963149.html`` carry the document
as JSON in ``window._CONFIG.DETAIL`` (``content`` is ``\\u003C``-escaped HTML); `page_document` turns it
into an ordinary HTML page (title, PubDate, 索引号/发布机构 block, body) for the extractor, while the
capture keeps the bytes as fetched. Attachments ``/attachment/0/88/88389/963149.pdf`` come from the
JSON's attachment list and from links in the content.

Site prefixes: ``/jhqzjj/gkmlpt/…`` (a department sub-site under the district's host) are kept for every
URL built from a page. A TREE node whose ``jump_url`` is another ``…/gkmlpt/index`` on the same host (a
unit's own catalogue) is read like a sub-column.

Known quirks: some sites (肇庆) answer every article on page 1 and 404 for page ≥ 2 — when page 1
already holds ``total`` articles no further page is requested and the run gets a note, not an error;
some sites return titles ``%u``-escaped (JavaScript ``escape()``), which are decoded.

Assumed, not verified: the field holding the attachment list (``attachment`` / ``attachments``, items
with ``url``/``link``/``path``), timestamps as Unix seconds in China time, that a parent category's
``all`` list does not always include its children (matching children are read as well), and that a
district's TREE links unit catalogues by ``jump_url``.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import scrapy
from scrapy.http import Response, TextResponse

from crawler.spiders.base import (
    COLUMN_TEXT,
    NOT_A_COLUMN,
    ListItem,
    SiteFamily,
    clean_text,
    is_document_url,
    unique,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 10  # the platform's usual page size; a page 1 longer than this means "everything at once"
_DETAIL = re.compile(r"/gkmlpt/content/\d+/\d+/post_\d+\.html?$")
_INDEX = re.compile(r"^(?P<prefix>.*?)/gkmlpt/index(?:\.html?)?$")
_API = re.compile(r"/gkmlpt/api/all/(?P<cat>\d+)$")
_SID = re.compile(r"""\bSID\s*:\s*['"]?(\w+)""")
_U_ESCAPE = re.compile(r"%u([0-9A-Fa-f]{4})")
_CN_TZ = timezone(timedelta(hours=8))


def js_unescape(text: str) -> str:
    """Undo JavaScript ``escape()`` (``%u6C5F%u6D77`` and ``%20``) on titles some sites send that way."""
    if not text or not _U_ESCAPE.search(text):
        return text
    return unquote(_U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))


def config_value(text: str, key: str) -> Any:
    """The JSON value of ``key: …`` inside ``window._CONFIG = {…}`` (keys are bare JS identifiers)."""
    start = text.find("window._CONFIG")
    if start < 0:
        return None
    m = re.compile(rf"""(?:^|[{{,\s])['"]?{key}['"]?\s*:\s*""").search(text, start)
    if not m:
        return None
    try:
        value, _end = json.JSONDecoder().raw_decode(text, m.end())
    except ValueError:
        return None
    return value


def as_date(value: Any, with_time: bool = False) -> str:
    """A gkmlpt date field (Unix seconds, or a 'YYYY-MM-DD …' string) as 'YYYY-MM-DD[ HH:MM]'."""
    fmt = "%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d"
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        if seconds <= 0:
            return ""
        return datetime.fromtimestamp(seconds, _CN_TZ).strftime(fmt)
    if isinstance(value, str):
        m = re.match(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}))?", value.strip())
        if m:
            return m.group(1) + (f" {m.group(2)}" if with_time and m.group(2) else "")
    return ""


def _json(response: Response) -> Any:
    if not isinstance(response, TextResponse):
        return None
    body = response.text.lstrip()
    if not body.startswith(("{", "[")):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _is_report_category(name: str) -> bool:
    name = clean_text(name)
    return bool(COLUMN_TEXT.search(name)) and not NOT_A_COLUMN.search(name)


class GkmlptFamily(SiteFamily):
    name = "gkmlpt"
    detect_order = 30

    @classmethod
    def detect_url(cls, url: str) -> bool:
        return "/gkmlpt/" in urlparse(url).path

    @classmethod
    def detect_text(cls, text: str) -> bool:
        return ("window._CONFIG" in text and "TREE" in text) or bool(
            re.search(r"""href=["'][^"']*/gkmlpt/index""", text))

    def is_detail_url(self, url: str) -> bool:
        return bool(_DETAIL.search(urlparse(url).path))

    def links(self, response: Response) -> Iterator[tuple[str, str]]:
        if _json(response) is None:  # API answers have no anchors (and no HTML selector)
            yield from super().links(response)

    # -- the catalogue (index) page -------------------------------------------------------------
    def _catalogue(self, response: Response) -> tuple[str, str, list] | None:
        """(prefix, SID, TREE) of a ``…/gkmlpt/index`` page, or None for any other page."""
        if not isinstance(response, TextResponse) or "window._CONFIG" not in response.text:
            return None
        tree = config_value(response.text, "TREE")
        sid = _SID.search(response.text)
        m = _INDEX.match(urlparse(response.url).path)
        if not isinstance(tree, list) or not sid:
            return None
        prefix = m.group("prefix") if m else urlparse(response.url).path.split("/gkmlpt/", 1)[0]
        return prefix, sid.group(1), tree

    def _catalogue_targets(self, response: Response) -> list[str]:
        """API page 1 of every annual-report category in TREE, then unit catalogues it jumps to."""
        found = self._catalogue(response)
        if not found:
            return []
        prefix, sid, tree = found
        host = urlparse(response.url).netloc
        lists: list[str] = []
        units: list[str] = []

        def walk(nodes: list, inside_report: bool) -> None:
            for node in nodes:
                if not isinstance(node, dict):
                    continue
                name = str(node.get("name") or "")
                jump = str(node.get("jump_url") or "").strip()
                if jump:
                    url = response.urljoin(jump).split("#", 1)[0]
                    if urlparse(url).netloc == host and _INDEX.match(urlparse(url).path) and url != response.url:
                        units.append(url)
                    continue
                report = inside_report or _is_report_category(name)
                if report and node.get("id") is not None:
                    lists.append(response.urljoin(f"{prefix}/gkmlpt/api/all/{node['id']}?page=1&sid={sid}"))
                walk(node.get("children") or [], report)

        walk(tree, False)
        return unique(lists + units)

    def column_links(self, response: Response) -> list[str]:
        return self._catalogue_targets(response) or super().column_links(response)

    def disclosure_links(self, response: Response) -> list[str]:
        """Portal pages link the catalogue with varying texts (信息公开, 政府信息公开目录, an image)."""
        host = urlparse(response.url).netloc
        catalogues = [u for u, _t in self.links(response)
                      if urlparse(u).netloc == host and _INDEX.match(urlparse(u).path)]
        # A catalogue link is the way in; news titles that mention 政务公开 are not.
        return unique(catalogues) or super().disclosure_links(response)

    def sub_columns(self, response: Response) -> list[str]:
        if _json(response) is not None:
            return []
        return self._catalogue_targets(response)

    # -- the list API ---------------------------------------------------------------------------
    def is_list_page(self, response: Response) -> bool:
        data = _json(response)
        return (isinstance(data, dict) and isinstance(data.get("articles"), list)) or self._catalogue(response) is not None

    def is_report_column(self, response: Response) -> bool:
        data = _json(response)
        if isinstance(data, dict):
            classify = data.get("classify") or {}
            return _is_report_category(str(classify.get("name", ""))) if isinstance(classify, dict) else False
        return bool(self._catalogue_targets(response)) or super().is_report_column(response)

    def list_items(self, response: Response) -> list[ListItem]:
        data = _json(response)
        if not isinstance(data, dict):
            return []
        items = []
        for art in data.get("articles") or []:
            if not isinstance(art, dict):
                continue
            href = art.get("url") or art.get("post_url")
            if not href:
                continue
            date = as_date(art.get("display_publish_time")) or as_date(art.get("created_at")) or as_date(art.get("date"))
            items.append(ListItem(response.urljoin(str(href)), clean_text(js_unescape(str(art.get("title") or ""))), date))
        return items

    def more_list_requests(self, response: Response, spider) -> list[scrapy.Request]:
        data = _json(response)
        if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
            return []
        query = parse_qs(urlparse(response.url).query)
        if (query.get("page") or ["1"])[0] != "1":
            return []  # pages 2… are all requested from page 1
        try:
            total = int(data.get("total") or 0)
        except (TypeError, ValueError):
            total = 0
        per_page = len(data["articles"])
        site_id = response.meta["ogi_site"]
        if per_page >= total:
            if per_page > PAGE_SIZE and hasattr(spider, "note"):
                spider.note(site_id, f"gkmlpt list {response.url}: page 1 holds all {total} articles; "
                                     "later pages are not requested (this site does not page its API)")
            return []
        pages = math.ceil(total / per_page)
        base = response.url.split("?", 1)[0]
        sid = (query.get("sid") or [""])[0]
        return [spider.request(f"{base}?page={n}&sid={sid}", site_id, "list", spider.parse_list)
                for n in range(2, pages + 1)]

    # -- detail pages ---------------------------------------------------------------------------
    def detail(self, response: Response) -> dict | None:
        if not isinstance(response, TextResponse):
            return None
        value = config_value(response.text, "DETAIL")
        return value if isinstance(value, dict) else None

    def attachments(self, response: Response) -> list[str]:
        if _json(response) is not None:
            return []
        found = list(super().attachments(response))
        detail = self.detail(response)
        if detail:
            for att in detail.get("attachment") or detail.get("attachments") or []:
                href = att if isinstance(att, str) else next(
                    (att.get(k) for k in ("url", "link", "path", "file_url") if isinstance(att, dict) and att.get(k)), None)
                if href:
                    found.append(response.urljoin(str(href)))
            content = str(detail.get("content") or "")
            for href in re.findall(r"""href\s*=\s*["']([^"']+)["']""", content):
                if is_document_url(href):
                    found.append(response.urljoin(html.unescape(href)))
        return unique(found)

    def page_document(self, response: Response) -> tuple[bytes, str | None]:
        """The DETAIL JSON as an HTML page: title, PubDate, the 索引号/发布机构 block and the content."""
        detail = self.detail(response)
        if not detail:
            return super().page_document(response)
        e = html.escape
        title = clean_text(js_unescape(str(detail.get("title") or "")))
        published = (as_date(detail.get("display_publish_time"), True) or as_date(detail.get("created_at"), True)
                     or as_date(detail.get("date"), True))
        written = as_date(detail.get("date"))
        publisher = str(detail.get("publisher") or "")
        site_metas = "".join(
            f'<meta name="{e(m.attrib["name"])}" content="{e(m.attrib.get("content", ""))}">\n'
            for m in response.xpath("//meta[@name]") if m.attrib["name"] not in ("ArticleTitle", "PubDate", "ContentSource"))
        rows = [("索引号", detail.get("identifier")), ("发布机构", publisher), ("文号", detail.get("document_number")),
                ("成文日期", written), ("发布日期", published[:10])]
        block = "".join(f"<tr><td>{label}：</td><td>{e(str(value or ''))}</td></tr>\n" for label, value in rows)
        links = "".join(f'<p><a href="{e(u)}">{e(u.rsplit("/", 1)[-1])}</a></p>' for u in self.attachments(response))
        doc = (
            f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n{site_metas}'
            f'<meta name="ArticleTitle" content="{e(title)}">\n<meta name="PubDate" content="{e(published)}">\n'
            f'<meta name="ContentSource" content="{e(publisher)}">\n</head>\n<body>\n'
            f'<table class="xxgk-info">\n{block}</table>\n<h1>{e(title)}</h1>\n'
            f'<div id="zoom">\n{detail.get("content") or ""}\n</div>\n{links}\n</body>\n</html>\n'
        )
        return doc.encode("utf-8"), "text/html; charset=utf-8"
