"""/-/completeness: the agency × year matrix of `corpus.completeness`, the model `ogi completeness` prints.

Same states, words, default years, deadlines and counts as the command; the page adds a county choice
and a year range (`from`/`to`, bounded by `ogi.web.params.year_range`: a bad one is a 400). The matrix is
read on Datasette's read-only connection, so it has that connection's limits.
"""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Request, Response

from corpus.completeness import (
    LABELS,
    LATE,
    STATES,
    CompletenessError,
    Selection,
    counties,
    read_matrix,
)
from ogi.web.pages import config
from ogi.web.params import ParamError, corpus_year_bounds, text_param, year_range


async def completeness_page(datasette: Any, request: Request) -> Response:
    """/-/completeness?county=…&from=2019&to=2023: agency × year, found (late) / not found / not collected /
    not yet due."""
    cfg = config(datasette)
    db = datasette.get_database(cfg["database"])
    args = {k: text_param(request, k) for k in ("province", "county", "from", "to")}
    year_from, year_to = year_range(request, await corpus_year_bounds(db)) or (None, None)
    selection = Selection(province=args["province"] or None, county=args["county"] or None)

    def read(conn: Any) -> tuple[Any, list[dict[str, Any]]]:
        return read_matrix(conn, year_from=year_from, year_to=year_to, selection=selection), counties(conn)

    try:
        matrix, county_list = await db.execute_fn(read)
    except CompletenessError as exc:
        raise ParamError(str(exc)) from None
    ctx = {"m": matrix, "counts": matrix.counts(), "per_year": matrix.per_year(), "states": STATES,
           "late": LATE, "labels": LABELS, "args": args, "database": cfg["database"], "counties": county_list}
    return Response.html(await datasette.render_template("ogi_completeness.html", ctx, request=request))
