"""/-/search, and the SQL functions `ogi_fts(q)` and `ogi_snippet(text, q)` Datasette's own pages use.

Why: Datasette's own search box would hand the raw query to `reports_fts`, whose text is split into CJK
bigrams, so only 1-2 character queries would match. Here queries go through `corpus.search.to_fts_query`
(the same conversion `ogi search` uses). The page shows ranked hits with snippets and facet counts, read by
`corpus.search_facets` (the ranking of `ogi search`): the page itself writes no SQL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Request, Response
from markupsafe import Markup, escape

from corpus.search import SearchError, parse_query, to_fts_query
from corpus.search_facets import FACETS, facet_counts, hit_rows, ranked_ids
from ogi.web import limits
from ogi.web.pages import config, read
from ogi.web.params import MAX_PAGE, ParamError, corpus_year_bounds, int_param, text_param

PAGE_SIZE = 50
SEARCH_TIME_LIMIT_MS = 5000  # the ranking and each facet count (Datasette's sql_time_limit_ms when lower)

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


async def search_page(datasette: Any, request: Request) -> Response:
    """/-/search?q=复议&province=…&report_year=…: ranked hits with snippets and facet counts."""
    cfg = config(datasette)
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
            ctx.update(await _search(db, q, filters, page))
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


async def _search(db: Any, q: str, filters: dict[str, Any], page: int) -> dict[str, Any]:
    """Hits of one page (ranked like corpus.search.search), every matching id, and the facet counts: the
    reads of corpus.search_facets, each under a time limit of SEARCH_TIME_LIMIT_MS (or Datasette's, lower)."""
    all_ids = await read(db, lambda conn: ranked_ids(conn, q, filters), SEARCH_TIME_LIMIT_MS)
    shown = all_ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    terms = [t for g in parse_query(q) for t in g]
    hits = []
    for row in await read(db, lambda conn: hit_rows(conn, shown)):
        text = row.pop("text") or ""
        snip = limits.bounded_snippet(text, terms, start="\x01", end="\x02") or limits.bounded_snippet(
            row["title"] or "", terms, start="\x01", end="\x02") or " ".join(text.split())[:80]
        row["snippet"] = Markup(str(escape(snip)).replace("\x01", "<mark>").replace("\x02", "</mark>"))
        hits.append(row)
    facets = []
    for f in FACETS:
        counts = await read(db, lambda conn, f=f: facet_counts(conn, q, f, filters), SEARCH_TIME_LIMIT_MS)
        facets.append({"name": f, "values": [{"value": c.value, "count": c.count} for c in counts]})
    return {"hits": hits, "facets": facets, "total": len(all_ids), "all_ids": all_ids}
