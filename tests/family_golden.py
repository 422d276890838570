"""Run a site family's hooks over a saved page: the shared part of the family golden-file tests.

`tests/fixtures/families/<family>/<page>` holds the page bytes, `<page>.meta.json` the URL it was
served at, and `<page>.expected.json` what each hook must return (URLs relative to the site root).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "families"


class _Spider:
    """The parts of PortalSpider a family calls while building requests."""

    def request(self, url, site_id, kind, callback, **meta):
        return Request(url, callback=callback, meta={"ogi_site": site_id, "ogi_kind": kind, **meta})

    def parse_list(self, response):  # pragma: no cover - only referenced
        return None

    def on_error(self, failure):  # pragma: no cover - only referenced
        return None


def load_response(family: str, name: str) -> TextResponse:
    body = (FIXTURES / family / name).read_bytes()
    meta = json.loads((FIXTURES / family / f"{name}.meta.json").read_text(encoding="utf-8"))
    cls = XmlResponse if name.endswith(".xml") else HtmlResponse
    headers = {"Content-Type": meta["content_type"]} if meta.get("content_type") else {}
    request = Request(meta["url"], meta={"ogi_site": "site"})
    return cls(url=meta["url"], body=body, headers=headers, request=request)


def rel(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def hook_results(family_cls, response: TextResponse) -> dict:
    family = family_cls()
    requests = list(family.more_list_requests(response, _Spider()))
    return {
        "detect": family_cls.detect(response),
        "is_list_page": family.is_list_page(response),
        "is_report_column": family.is_report_column(response),
        "column_links": [rel(u) for u in family.column_links(response)],
        "disclosure_links": [rel(u) for u in family.disclosure_links(response)],
        "list_items": [[rel(i.url), i.title, i.date] for i in family.list_items(response)],
        "more_list_requests": [[r.method, rel(r.url), r.body.decode("utf-8")] for r in requests],
        "sub_columns": [rel(u) for u in family.sub_columns(response)],
        "attachments": [rel(u) for u in family.attachments(response)],
    }


def expected(family: str, name: str) -> dict:
    return json.loads((FIXTURES / family / f"{name}.expected.json").read_text(encoding="utf-8"))
