"""/-/indicator: one core indicator per agency over the years, as an inline SVG chart (no CDN: the UI
must work offline)."""

from __future__ import annotations

from typing import Any

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


def _nice_max(v: float) -> float:
    """A round upper bound for the y axis (1, 2, 5 × 10^n)."""
    if v <= 0:
        return 1.0
    mag = 10 ** (len(str(int(v))) - 1)
    for step in (1, 2, 5, 10):
        if v <= step * mag:
            return float(step * mag)
    return float(10 * mag)


def chart_svg(series: dict[str, dict[int, float]], years: list[int], unit: str) -> Markup:
    """Inline SVG line chart: one line per agency, x = report year, y = value; <title> tooltips."""
    w = CHART_W - MARGIN["left"] - MARGIN["right"]
    h = CHART_H - MARGIN["top"] - MARGIN["bottom"]
    top = _nice_max(max((v for s in series.values() for v in s.values()), default=0))

    def x(year: int) -> float:
        if len(years) == 1:
            return MARGIN["left"] + w / 2
        return MARGIN["left"] + w * (year - years[0]) / (years[-1] - years[0])

    def y(v: float) -> float:
        return MARGIN["top"] + h * (1 - v / top)

    out = [f'<svg class="ogi-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_W} {CHART_H}" '
           f'width="{CHART_W}" height="{CHART_H}" role="img">']
    for i in range(5):
        v = top * i / 4
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
        if len(coords) > 1:
            path = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in coords)
            out.append(f'<polyline class="series" data-agency="{escape(agency)}" fill="none" stroke="{colour}" '
                       f'stroke-width="2" points="{path}"/>')
        for yr, v in coords:
            out.append(f'<circle class="point" cx="{x(yr):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}">'
                       f'<title>{escape(agency)} {yr}: {v:g}</title></circle>')
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
        "svg": chart_svg(shown, years, info.unit) if shown else None,
        "database": cfg["database"],
    }
    return Response.html(await datasette.render_template("ogi_indicator.html", ctx, request=request))
