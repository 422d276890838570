"""Golden-file tests of the trs site family: saved demo-portal pages next to what each hook must return.

Fixtures: tests/fixtures/families/trs/ (refresh the pages with scripts/capture_family_fixtures.py; the
expected JSON was checked by hand against the pages).
"""

from __future__ import annotations

import pytest

from crawler.spiders.trs import TRSFamily
from tests.family_golden import FIXTURES, expected, hook_results, load_response

PAGES = sorted(p.name for p in (FIXTURES / "trs").iterdir() if not p.name.endswith(".json"))


def test_there_are_fixtures():
    assert len(PAGES) >= 4


@pytest.mark.parametrize("name", PAGES)
def test_hooks_on_saved_page(name):
    assert hook_results(TRSFamily, load_response("trs", name)) == expected("trs", name)


def test_page_count_from_count_page_variable():
    """`var countPage = N` templates paginate like createPageHTML."""
    from scrapy.http import HtmlResponse, Request

    from tests.family_golden import _Spider

    url = "http://x.gov.cn/xxgk/nb/index.shtml"
    body = b'<script>var countPage = 3;</script><a href="./202101/t20210105_1.shtml">a</a>'
    response = HtmlResponse(url, body=body, encoding="utf-8", request=Request(url, meta={"ogi_site": "s"}))
    urls = [r.url for r in TRSFamily().more_list_requests(response, _Spider())]
    assert urls == ["http://x.gov.cn/xxgk/nb/index_1.shtml", "http://x.gov.cn/xxgk/nb/index_2.shtml"]
