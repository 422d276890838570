"""Pages of a plain county site for the hostile servers: a home page, a 年报 column, report pages.

Report pages carry a real form-2021 report body (the demo's report generator), so extraction
accepts them as reports and a test can see which ones were stored.
"""

from __future__ import annotations

from html import escape

from demosites.forms import blocks_html, make_numbers, report_blocks


def page(title: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>{head}</head>'
            f"<body>{body}</body></html>")


def home(county: str, column_href: str = "/ndbg/", extra: str = "") -> str:
    return page(f"{county}人民政府", f'<h1>{county}人民政府</h1><a href="/zwgk/">政务公开</a>'
                                   f'<a href="{column_href}">政府信息公开年报</a>{extra}')


def column(links: list[tuple[str, str]], extra: str = "") -> str:
    items = "".join(f'<li><a href="{escape(href)}">{escape(text)}</a><span>2024-01-20</span></li>'
                    for href, text in links)
    return page("政府信息公开年报", f'<div class="location">首页 > 政府信息公开年报</div><ul>{items}</ul>{extra}',
                head='<meta name="ColumnName" content="政府信息公开年报">')


def report(agency: str, year: int, extra: str = "", head: str = "") -> str:
    numbers = make_numbers(agency, year, "form2021")
    body = blocks_html(report_blocks(agency, year, "form2021", numbers, f"{year + 1}年1月20日"))
    title = f"{agency}{year}年政府信息公开工作年度报告"
    return page(title, f"<h1>{escape(title)}</h1>{body}{extra}", head=head)


def report_title(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


def report_links(county: str, agencies: list[str], year: int = 2023) -> list[tuple[str, str]]:
    """Column entries ``/ndbg/content_<n>.html`` (n from 1) titled with each agency's report."""
    return [(f"/ndbg/content_{n}.html", report_title(county + agency, year)) for n, agency in enumerate(agencies, 1)]
