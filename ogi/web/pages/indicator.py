"""/-/indicator: one core indicator per agency over the years, as an inline SVG chart (no CDN: the UI
must work offline)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Request, Response
from markupsafe import Markup, escape

from corpus.indicators import indicator_series
from ogi.web.metadata import CORE_SHOWN
from ogi.web.pages import BOOK, config, read
from ogi.web.params import text_param

CHART_W, CHART_H = 760, 340
MARGIN = {"left": 56, "right": 16, "top": 16, "bottom": 36}
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#7f7f7f", "#bcbd22")
MAX_LINES = len(COLOURS)


def axis_ticks(top_value: float, *, whole: bool) -> list[float]:
    """Ticks from 0 past `top_value` at a round step (1, 2, 5 × 10^n), about four of them; a step of at
    least 1 when every value is a whole number (no 0.5 件 on a count)."""
    if top_value <= 0:
        return [0.0, 1.0]
    raw = top_value / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    if whole:
        step = max(1.0, float(math.ceil(step)))
    n = math.ceil(top_value / step - 1e-9)
    return [round(i * step, 10) for i in range(max(n, 1) + 1)]


def runs(years: list[int]) -> list[list[int]]:
    """Consecutive years in runs ([2015, 2016, 2018] -> [[2015, 2016], [2018]]): a line never crosses a gap."""
    out: list[list[int]] = []
    for yr in years:
        if out and yr == out[-1][-1] + 1:
            out[-1].append(yr)
        else:
            out.append([yr])
    return out


def chart_svg(series: dict[str, dict[int, float]], years: list[int], unit: str,
              href: Callable[[str, int], str] | None = None) -> Markup:
    """Inline SVG line chart: one line per agency and run of consecutive years, x = report year, y = value;
    <title> tooltips; each point links to its report (`href(agency, year)`) when given."""
    w = CHART_W - MARGIN["left"] - MARGIN["right"]
    h = CHART_H - MARGIN["top"] - MARGIN["bottom"]
    values = [v for s in series.values() for v in s.values()]
    ticks = axis_ticks(max(values, default=0), whole=all(float(v).is_integer() for v in values))
    top = ticks[-1]

    def x(year: int) -> float:
        if len(years) == 1:
            return MARGIN["left"] + w / 2
        return MARGIN["left"] + w * (year - years[0]) / (years[-1] - years[0])

    def y(v: float) -> float:
        return MARGIN["top"] + h * (1 - v / top)

    out = [f'<svg class="ogi-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_W} {CHART_H}" '
           f'width="{CHART_W}" height="{CHART_H}" role="img">']
    for v in ticks:
        out.append(f'<line x1="{MARGIN["left"]}" x2="{CHART_W - MARGIN["right"]}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{MARGIN["left"] - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">'
                   f'{v:g}</text>')
    for yr in years:
        out.append(f'<text class="x-label" x="{x(yr):.1f}" y="{CHART_H - 12}" text-anchor="middle" '
                   f'font-size="11">{yr}</text>')
    out.append(f'<text x="8" y="{MARGIN["top"] + 4}" font-size="11">{escape(unit)}</text>')
    for (agency, pts), colour in zip(series.items(), COLOURS, strict=False):
        coords = [(yr, pts[yr]) for yr in years if yr in pts]
        for run in runs([yr for yr, _ in coords]):  # a missing year breaks the line
            if len(run) > 1:
                path = " ".join(f"{x(yr):.1f},{y(pts[yr]):.1f}" for yr in run)
                out.append(f'<polyline class="series" data-agency="{escape(agency)}" fill="none" '
                           f'stroke="{colour}" stroke-width="2" points="{path}"/>')
        for yr, v in coords:
            point = (f'<circle class="point" cx="{x(yr):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}">'
                     f'<title>{escape(agency)} {yr}: {v:g}</title></circle>')
            out.append(f'<a href="{escape(href(agency, yr))}">{point}</a>' if href else point)
    out.append("</svg>")
    return Markup("".join(out))


async def indicator_page(datasette: Any, request: Request) -> Response:
    """/-/indicator?key=core.requests_new&county=…&agency=…: the indicator per agency over the years."""
    cfg = config(datasette)
    db = datasette.get_database(cfg["database"])
    keys = sorted(k for k in BOOK if k.startswith("core."))
    key = text_param(request, "key") or CORE_SHOWN[0]
    county = text_param(request, "county")
    agency = text_param(request, "agency")
    error = None
    if key not in BOOK:
        error = f"unknown statistic key {key!r}; choose one of the codebook's keys"
        key = CORE_SHOWN[0]
    series = await read(db, lambda conn: indicator_series(conn, key, county=county or None, agency=agency or None))
    # The agencies with the longest series first: a line needs two years to be a line.
    ordered = sorted(series, key=lambda a: (-len(series[a]), a))
    shown = {a: series[a] for a in ordered[:MAX_LINES]}
    years = sorted({yr for pts in shown.values() for yr in pts})
    if years:
        years = list(range(years[0], years[-1] + 1))
    info = BOOK[key]
    ctx = {
        "key": key, "keys": [(k, BOOK[k].label_zh, BOOK[k].label_en) for k in keys], "info": info,
        "county": county, "agency": agency, "error": error, "years": years,
        "series": [(a, COLOURS[i], shown[a]) for i, a in enumerate(shown)],
        "hidden": len(series) - len(shown),
        "svg": chart_svg(shown, years, info.unit, href=lambda a, yr: datasette.urls.path("/-/report?")
                         + urlencode({"agency": a, "year": yr})) if shown else None,
        "database": cfg["database"],
    }
    return Response.html(await datasette.render_template("ogi_indicator.html", ctx, request=request))
