"""Datasette plugin for the ogi corpus (loaded with plugins_dir by `ogi serve`).

Why a plugin: Datasette's own search box would hand the raw query to `reports_fts`, whose text is
split into CJK bigrams, so only 1-2 character queries would match. Here queries go through
`corpus.search.to_fts_query` (the same conversion `ogi search` uses) as the SQL function `ogi_fts(q)`,
and three pages cover what Datasette has no view for: search with facets, the agency × year
completeness matrix, and one core indicator over the years as an inline SVG chart (no CDN: the UI
must work offline).

Hostile requests: every parameter of these pages is checked (`ogi.web.params`: 400 with a short
message), every connection gets the limits of `ogi.web.limits` (memory, and function calls that cannot
outrun the SQL time limit), anything but GET/HEAD is refused with 405 before Datasette sees it (the UI
is read-only), and errors are answered without Datasette's default handler, which prints a traceback
with every local variable to the terminal for each bad request (and, with rich 15, fails on a 404).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, Request, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

from corpus.search import WEIGHTS, SearchError, parse_query, to_fts_query
from ogi.codebook import load_codebook
from ogi.web import CODEBOOK_DB, DB_NAME, limits
from ogi.web.completeness import CompletenessMatrix, completeness_matrix
from ogi.web.metadata import CORE_SHOWN, codebook_rows
from ogi.web.params import (
    MAX_PAGE,
    ParamError,
    corpus_year_bounds,
    int_param,
    text_param,
    year_range,
)

logger = logging.getLogger(__name__)

FACETS = ("province", "report_year", "department", "form")
PAGE_SIZE = 50
_BOOK = load_codebook()[0]

# A MATCH expression that matches nothing, for input with nothing searchable (FTS5 rejects '').
NO_MATCH = '""'


def fts_expression(query: str | None) -> str:
    """`ogi_fts(q)`: the FTS5 MATCH expression of `ogi search` for q; matches nothing if q has no terms.

    Raises QueryTooLong (the SQL statement fails) past the caps of `limits.check_query`.
    """
    limits.check_query(query)
    try:
        return to_fts_query(query or "")
    except SearchError:
        return NO_MATCH


def snippet(text: str | None, query: str | None) -> str:
    """`ogi_snippet(text, q)`: the window of the original text around the first match, terms in [ ].

    One call cannot be interrupted by the SQL time limit: q is checked by `limits.check_query`, only the
    first SNIPPET_SCAN_CHARS of text are read, and the search gives up after SNIPPET_SECONDS.
    """
    limits.check_query(query)
    text = (text or "")[: limits.SNIPPET_SCAN_CHARS]
    terms = [t for g in parse_query(query or "") for t in g]
    found = limits.bounded_snippet(text, terms)
    if found is not None:
        return found
    head = " ".join(text.split())
    return head[:80] + ("…" if len(head) > 80 else "")


def _book(key: str | None) -> Any:
    return _BOOK.get(key) if isinstance(key, str) and len(key) <= 200 else None


def _label(key: str | None) -> str | None:
    info = _book(key)
    return info.label_zh if info else None


def _gloss(key: str | None) -> str | None:
    info = _book(key)
    return info.label_en if info else None


def _unit(key: str | None) -> str | None:
    info = _book(key)
    return info.unit if info else None


def _config(datasette: Any) -> dict[str, str]:
    cfg = datasette.plugin_config("ogi") or {}
    return {"database": cfg.get("database", DB_NAME), "codebook": cfg.get("codebook", CODEBOOK_DB)}


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    limits.prepare_connection(conn)
    conn.create_function("ogi_fts", 1, fts_expression, deterministic=True)
    conn.create_function("ogi_snippet", 2, snippet, deterministic=True)
    conn.create_function("ogi_label", 1, _label, deterministic=True)
    conn.create_function("ogi_gloss", 1, _gloss, deterministic=True)
    conn.create_function("ogi_unit", 1, _unit, deterministic=True)


@hookimpl
def startup(datasette: Any) -> Any:
    """Fill the in-memory codebook database (browsable, facetable, JSON/CSV like any table)."""
    name = _config(datasette)["codebook"]
    if name not in datasette.databases:
        return None

    async def fill() -> None:
        db = datasette.get_database(name)
        rows = codebook_rows(_BOOK)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DROP TABLE IF EXISTS keys")
            conn.execute("CREATE TABLE keys (key TEXT PRIMARY KEY, [group] TEXT, label_zh TEXT, label_en TEXT, "
                         "unit TEXT, forms TEXT)")
            conn.executemany("INSERT INTO keys VALUES (:key, :group, :label_zh, :label_en, :unit, :forms)", rows)
            conn.commit()  # Datasette 0.65 leaves the transaction to us; uncommitted, the table stays locked

        await db.execute_write_fn(write, block=True)
        logger.info("codebook database: %d keys", len(rows))

    return fill


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Statistic keys shown with their codebook label and unit."""
    if database != _config(datasette)["database"] or column != "key":
        return None
    if table not in ("statistics", "statistics_long") or not isinstance(value, str):
        return None
    info = _BOOK.get(value)
    if info is None:
        return None
    return Markup(
        f'<code>{escape(value)}</code><br><span class="ogi-label">{escape(info.label_zh)}</span> '
        f'<span class="ogi-gloss">{escape(info.label_en)} ({escape(info.unit)})</span>'
    )


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/ogi-static/ogi.css")]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    path = datasette.urls.path
    db = _config(datasette)["database"]
    return [
        {"href": path("/-/search"), "label": "Search reports"},
        {"href": path(f"/{db}/reports"), "label": "Reports"},
        {"href": path("/-/completeness"), "label": "Completeness (agency × year)"},
        {"href": path("/-/indicator"), "label": "Indicator over the years"},
        {"href": path(f"/{_config(datasette)['codebook']}/keys"), "label": "Codebook"},
    ]


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/search$", search_page),
        (r"^/-/completeness$", completeness_page),
        (r"^/-/indicator$", indicator_page),
    ]


# --- hostile requests ---------------------------------------------------------------------------------

READ_METHODS = ("GET", "HEAD")
MAX_QUERY_STRING = 16 * 1024  # what uvicorn's h11 accepts for a whole request head anyway
MAX_FACETS = 10  # _facet* parameters of a table page: Datasette runs one query (up to 1 s) for each


async def _refuse(send: Any, status: int, message: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = f"{status} {message}\n".encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        *headers]})
    await send({"type": "http.response.body", "body": body})


def _refusal(scope: dict[str, Any]) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
    """Why an HTTP request is refused before Datasette sees it (None: it is not)."""
    if scope["method"] not in READ_METHODS:
        return 405, "Method Not Allowed: this server is read-only (GET and HEAD only)", [(b"allow", b"GET, HEAD")]
    query = scope.get("query_string") or b""
    if len(query) > MAX_QUERY_STRING:
        return 414, f"URI Too Long: at most {MAX_QUERY_STRING // 1024} KiB of query string", []
    if sum(k.startswith("_facet") for k, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)) > MAX_FACETS:
        return 400, f"Bad Request: at most {MAX_FACETS} facets at a time", []
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Refuse writes (any method but GET/HEAD), overlong query strings and facet floods with one short answer."""

    def wrap(app: Any) -> Any:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            refusal = _refusal(scope) if scope["type"] == "http" else None
            if refusal is not None:
                logger.info("refused %s %s: %d", scope["method"], scope.get("path"), refusal[0])
                await _refuse(send, *refusal)
                return
            await app(scope, receive, send)

        return guarded

    return wrap


def _classify(exception: BaseException) -> tuple[int, str, str | None, dict[str, Any]]:
    """HTTP status, message, title and extra JSON fields for an exception raised while answering."""
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0]) if exception.args else "", None, {}
    if isinstance(exception, DatasetteError):
        # Datasette raises it without a status (500) for bad parameters: _sort=nope, a bad _where
        # fragment, invalid _col. On a read-only database the request is what is wrong.
        message = Markup(exception.message) if exception.message_is_html else exception.message
        return min(exception.status, 400), message, exception.title, dict(exception.error_dict or {})
    if isinstance(exception, OverflowError):
        return 400, "a number in the request is too large", None, {}
    if isinstance(exception, MemoryError):  # SQLite's heap limit (SQLITE_NOMEM), see ogi.web.limits
        return 400, "the query needs more memory than this server allows", None, {}
    if isinstance(exception, sqlite3.DataError):  # string or blob too big (SQLITE_LIMIT_LENGTH)
        return 400, str(exception), None, {}
    if isinstance(exception, RecursionError):  # ?_json=col on '[[[[…': Python's json gives up
        return 400, "a value is nested too deeply", None, {}
    if isinstance(exception, ValueError | KeyError):  # Datasette reading a parameter: _facet={bad JSON,
        # _through={} without its keys, _timelimit=abc
        return 400, f"bad request parameter ({type(exception).__name__}: {str(exception)[:100]})", None, {}
    return 500, f"internal error ({type(exception).__name__})", None, {}


async def error_response(datasette: Any, request: Request, exception: BaseException) -> Response:
    """The error page (or JSON) of Datasette's default handler, without its traceback on the terminal.

    4xx: nothing printed (the client's mistake; DEBUG logs it). 5xx: one log line; the traceback only
    at DEBUG level, and never the local variables.
    """
    status, message, title, info = _classify(exception)
    where = f"{request.method} {request.path}"
    if status >= 500:
        logger.error("%s: %s: %s", where, type(exception).__name__, str(exception)[:200])
        logger.debug("traceback of the error on %s", where, exc_info=exception)
    else:
        logger.debug("%s: %d %s", where, status, str(message)[:200])
    info.update({"ok": False, "error": message, "status": status, "title": title})
    headers: dict[str, str] = {}
    if datasette.cors:
        add_cors_headers(headers)
    if request.path.split("?")[0].endswith(".json"):
        return Response.json(info, status=status, headers=headers)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    html = await template.render_async(dict(info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(),
                                            menu_links=lambda: []))
    return Response.html(html, status=status, headers=headers)


@hookimpl(wrapper=True)
def handle_exception(datasette: Any, request: Request, exception: BaseException) -> Any:
    """Answer with `error_response` instead of the other handlers (Datasette's default one included).

    The default handler returns a coroutine function that Datasette calls afterwards; dropping it from
    the results means it never runs, so it never prints.
    """
    try:
        yield
    except Exception:  # noqa: BLE001 - another handler failed: ours answers anyway
        pass
    return [error_response(datasette, request, exception)]


# --- search -------------------------------------------------------------------------------------


async def _filters(request: Request, db: Any) -> dict[str, Any]:
    """The facet filters given: texts length-capped, report_year a year of the corpus (± a margin)."""
    filters: dict[str, Any] = {}
    for f in FACETS:
        if f == "report_year":
            if (request.args.get(f) or "").strip():
                filters[f] = int_param(request, f, *await corpus_year_bounds(db))
        elif value := text_param(request, f):
            filters[f] = value
    return filters


def _where(filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    clauses = [f"r.{f} = :f_{f}" for f in filters]
    params = {f"f_{f}": v for f, v in filters.items()}
    return (" AND ".join(clauses) or "1"), params


async def search_page(datasette: Any, request: Request) -> Response:
    """/-/search?q=复议&province=…&report_year=…: ranked hits with snippets and facet counts."""
    cfg = _config(datasette)
    db = datasette.get_database(cfg["database"])
    q = text_param(request, "q", limits.MAX_QUERY_CHARS)
    try:
        limits.check_query(q)
    except limits.QueryTooLong as exc:
        raise ParamError(str(exc)) from None
    filters = await _filters(request, db)
    page = int_param(request, "page", 1, MAX_PAGE, default=1)
    ctx: dict[str, Any] = {"q": q, "filters": filters, "hits": [], "facets": [], "total": 0, "error": None,
                           "database": cfg["database"], "page": page, "page_size": PAGE_SIZE}
    if q:
        try:
            match = to_fts_query(q)
        except SearchError as exc:
            ctx["error"] = str(exc)
        else:
            ctx.update(await _search(db, q, match, filters, page))
            ctx["fts"] = match
    base = {"q": q, **filters}
    ctx["remove_links"] = {f: "?" + urlencode({k: v for k, v in base.items() if k != f}) for f in filters}
    for facet in ctx["facets"]:
        for item in facet["values"]:
            item["href"] = "?" + urlencode({**base, facet["name"]: item["value"]})
    if page > 1:
        ctx["prev_href"] = "?" + urlencode({**base, "page": page - 1})
    if page * PAGE_SIZE < ctx["total"]:
        ctx["next_href"] = "?" + urlencode({**base, "page": page + 1})
    if 0 < ctx["total"] <= 500:
        ctx["table_href"] = datasette.urls.table(cfg["database"], "reports") + "?" + urlencode(
            {"report_id__in": ",".join(str(i) for i in ctx["all_ids"])})
    return Response.html(await datasette.render_template("ogi_search.html", ctx, request=request))


async def _search(db: Any, q: str, match: str, filters: dict[str, str], page: int) -> dict[str, Any]:
    """Hits of one page (ranked like corpus.search.search), every matching id, and the facet counts."""
    where, params = _where(filters)
    params["match"] = match
    base = f"FROM reports_fts JOIN reports r ON r.report_id = reports_fts.rowid WHERE reports_fts MATCH :match " \
           f"AND {where}"
    weights = ", ".join(str(w) for w in WEIGHTS)
    ranked = await db.execute(
        f"SELECT r.report_id, bm25(reports_fts, {weights}) AS rank {base} ORDER BY rank, r.report_year DESC",
        params, custom_time_limit=5000,
    )
    all_ids = [row["report_id"] for row in ranked.rows]
    shown = all_ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    terms = [t for g in parse_query(q) for t in g]
    hits = []
    if shown:
        marks = ",".join("?" for _ in shown)
        rows = await db.execute(
            "SELECT report_id, agency, report_year, title, province, city, county, department, form, "
            f"published_at, source_url, text FROM reports WHERE report_id IN ({marks})", shown,
        )
        by_id = {row["report_id"]: dict(row) for row in rows.rows}
        for rid in shown:
            row = by_id[rid]
            text = row.pop("text") or ""
            snip = limits.bounded_snippet(text, terms, start="\x01", end="\x02") or limits.bounded_snippet(
                row["title"] or "", terms, start="\x01", end="\x02") or " ".join(text.split())[:80]
            row["snippet"] = Markup(str(escape(snip)).replace("\x01", "<mark>").replace("\x02", "</mark>"))
            hits.append(row)
    facets = []
    for f in FACETS:
        counts = await db.execute(
            f"SELECT r.{f} AS value, count(*) AS n {base} GROUP BY r.{f} ORDER BY n DESC, value LIMIT 30",
            params, custom_time_limit=5000,
        )
        facets.append({"name": f, "values": [{"value": row["value"], "count": row["n"]} for row in counts.rows
                                              if row["value"] is not None]})
    return {"hits": hits, "facets": facets, "total": len(all_ids), "all_ids": all_ids}


# --- completeness -----------------------------------------------------------------------------------


async def completeness_page(datasette: Any, request: Request) -> Response:
    """/-/completeness?county=…&from=2019&to=2023: agency × year, found / late / missing / not collected."""
    cfg = _config(datasette)
    db = datasette.get_database(cfg["database"])
    args = {k: text_param(request, k) for k in ("province", "county", "from", "to")}
    years = year_range(request, await corpus_year_bounds(db))
    matrix: CompletenessMatrix = await db.execute_fn(
        lambda conn: completeness_matrix(conn, years=years, province=args["province"] or None,
                                         county=args["county"] or None)
    )
    counties = await db.execute("SELECT DISTINCT province, county FROM reports WHERE county IS NOT NULL "
                                "ORDER BY province, county")
    ctx = {"m": matrix, "args": args, "database": cfg["database"],
           "counties": [dict(r) for r in counties.rows]}
    return Response.html(await datasette.render_template("ogi_completeness.html", ctx, request=request))


# --- indicator chart --------------------------------------------------------------------------------

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
    cfg = _config(datasette)
    db = datasette.get_database(cfg["database"])
    keys = sorted(k for k in _BOOK if k.startswith("core."))
    key = text_param(request, "key") or CORE_SHOWN[0]
    county = text_param(request, "county")
    agency = text_param(request, "agency")
    error = None
    if key not in _BOOK:
        error = f"unknown statistic key {key!r}; choose one of the codebook's keys"
        key = CORE_SHOWN[0]
    sql = ("SELECT r.agency, r.report_year, s.value FROM statistics s JOIN reports r ON r.report_id = s.report_id "
           "WHERE s.key = :key AND r.agency IS NOT NULL AND r.report_year IS NOT NULL")
    params: dict[str, Any] = {"key": key}
    if county:
        sql += " AND (r.county LIKE '%' || :county || '%' OR r.adcode = :county)"
        params["county"] = county
    if agency:
        sql += " AND r.agency LIKE '%' || :agency || '%'"
        params["agency"] = agency
    rows = (await db.execute(sql + " ORDER BY r.agency, r.report_year", params)).rows
    series: dict[str, dict[int, float]] = {}
    for row in rows:
        series.setdefault(row["agency"], {})[int(row["report_year"])] = float(row["value"])
    # The agencies with the longest series first: a line needs two years to be a line.
    ordered = sorted(series, key=lambda a: (-len(series[a]), a))
    shown = {a: series[a] for a in ordered[:MAX_LINES]}
    years = sorted({yr for pts in shown.values() for yr in pts})
    if years:
        years = list(range(years[0], years[-1] + 1))
    info = _BOOK[key]
    ctx = {
        "key": key, "keys": [(k, _BOOK[k].label_zh, _BOOK[k].label_en) for k in keys], "info": info,
        "county": county, "agency": agency, "error": error, "years": years,
        "series": [(a, COLOURS[i], shown[a]) for i, a in enumerate(shown)],
        "hidden": len(series) - len(shown),
        "svg": chart_svg(shown, years, info.unit) if shown else None,
        "database": cfg["database"],
    }
    return Response.html(await datasette.render_template("ogi_indicator.html", ctx, request=request))
