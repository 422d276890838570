"""/-/completeness: the agency × year matrix of `ogi.web.completeness`."""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Request, Response

from ogi.web.completeness import CompletenessMatrix, completeness_matrix
from ogi.web.pages import config
from ogi.web.params import corpus_year_bounds, text_param, year_range


async def completeness_page(datasette: Any, request: Request) -> Response:
    """/-/completeness?county=…&from=2019&to=2023: agency × year, found / late / missing / not collected."""
    cfg = config(datasette)
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
