"""Pages of the web UI a researcher meets first: the reports table without its full text and hashes, the
home page without Datasette's scratch database, the indicator chart without lines across missing years
or half-件 ticks."""

from __future__ import annotations

import re

import pytest

from ogi.web.pages.indicator import axis_ticks, chart_svg, runs
from tests.test_serve import UI, build_corpus


@pytest.fixture(scope="module")
def ui(tmp_path_factory) -> UI:
    path = tmp_path_factory.mktemp("pages") / "ogi.db"
    build_corpus(path)
    return UI(path)


def _hidden(page: str) -> set[str]:
    """Columns the page hides while no columns were chosen (its CSS)."""
    if "ogi-default-columns" not in page.split("<body", 1)[1].split(">", 1)[0]:
        return set()
    return set(re.findall(r"body\.ogi-default-columns \.rows-and-columns \.col-(\w+) \{ display: none; \}", page))


def test_reports_table_hides_text_and_hashes(ui: UI) -> None:
    page = ui.html("/ogi/reports")
    assert {"text", "sha256", "content_hash"} <= _hidden(page)
    assert not {"agency", "title", "report_year", "flags"} & _hidden(page)
    assert "show every column" in page
    # the page's own JSON and CSV links give every column
    csv_link = re.search(r'href="(/ogi/reports\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "_nocol" not in csv_link and ",text," in ui.get(csv_link).text.splitlines()[0] + ","
    assert "text" in ui.rows("/ogi/reports.json")[0] and "sha256" in ui.rows("/ogi/reports.json")[0]
    # columns chosen by the request (Datasette's column menu, the "show every column" link): shown as asked
    assert _hidden(ui.html("/ogi/reports?_col=text&_col=title")) == set()
    assert _hidden(ui.html("/ogi/reports?_nocol=flags")) == set()
    assert _hidden(ui.html("/ogi/statistics")) == set()


def test_home_page_lists_reports_first_and_no_scratch_database(ui: UI) -> None:
    page = ui.html("/")
    assert 'href="/_memory"' not in page
    tables = re.findall(r'class="ogi-main-table" href="/ogi/(\w+)"', page)
    assert tables[:3] == ["reports", "statistics_long", "statistics"]
    assert ui.get("/_memory").status_code == 200  # still there for SQL on no table


def test_axis_ticks_are_whole_for_counts() -> None:
    assert axis_ticks(2, whole=True) == [0, 1, 2]
    assert axis_ticks(3, whole=True) == [0, 1, 2, 3]
    assert axis_ticks(37, whole=True) == [0, 10, 20, 30, 40]
    assert axis_ticks(1.2, whole=False) == [0, 0.5, 1.0, 1.5]
    assert axis_ticks(0, whole=True) == [0, 1]


def test_chart_breaks_lines_at_missing_years() -> None:
    assert runs([2015, 2016, 2018, 2019, 2020, 2023]) == [[2015, 2016], [2018, 2019, 2020], [2023]]
    svg = str(chart_svg({"甲局": {2019: 1, 2021: 2}, "乙局": {2019: 1, 2020: 2, 2022: 1}},
                        [2019, 2020, 2021, 2022], "件"))
    lines = re.findall(r'<polyline class="series" data-agency="(\S+)"[^>]*points="([^"]*)"', svg)
    assert [(a, len(p.split())) for a, p in lines] == [("乙局", 2)]  # 甲局: two points, no line
    assert svg.count('class="point"') == 5
    ticks = re.findall(r'text-anchor="end" font-size="11">([^<]+)<', svg)
    assert ticks == ["0", "1", "2"]


def test_indicator_points_open_their_report(ui: UI) -> None:
    page = ui.html("/-/indicator?key=core.requests_new&county=霍山县")
    link = re.search(r'<a href="(/-/report\?agency=[^"]+&amp;year=2020)"><circle', page).group(1)
    r = ui.get(link.replace("&amp;", "&"))
    assert r.status_code == 302 and re.fullmatch(r"/-/report/\d+", r.headers["location"])
    assert 'class="ogi-report-link"' in page
