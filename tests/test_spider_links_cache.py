"""crawler.spiders.base.page_links keeps the last page's links: the families ask for them several times per page,
and a cached answer must never be another page's, even one fetched again from the same URL."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from crawler.spiders.base import SiteFamily, page_links


def _page(url: str, *anchors: str) -> HtmlResponse:
    body = "".join(f'<a href="{href}">{text}</a>' for href, text in (a.split("|") for a in anchors))
    return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")


def test_each_page_gets_its_own_links_and_one_pass_per_page() -> None:
    first = _page("http://x.gov.cn/a/", "/nb/2023.html|2023年报", "#top|顶部", "javascript:void(0)|无")
    again = _page("http://x.gov.cn/a/", "/nb/2024.html|2024年报")  # the same URL fetched again, other links
    assert page_links(first) == (("http://x.gov.cn/nb/2023.html", "2023年报"),)
    assert page_links(first) is page_links(first)  # asked again: the same answer, not a second pass
    assert page_links(again) == (("http://x.gov.cn/nb/2024.html", "2024年报"),)
    assert page_links(first) == (("http://x.gov.cn/nb/2023.html", "2023年报"),)
    assert list(SiteFamily().links(again)) == [("http://x.gov.cn/nb/2024.html", "2024年报")]
