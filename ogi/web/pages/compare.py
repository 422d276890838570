"""/-/compare (one agency, year against year before), /-/copies (reports that repeat last year's text or a
peer's) and /-/peers (the agencies of a county or province × one indicator, ranked; CSV download).

The models are `corpus.compare` and `corpus.similarity`, the ones `ogi compare` prints; they run on
Datasette's read-only connection under its SQL time limit (`ogi.web.pages.read`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from datasette.utils.asgi import Request, Response

from corpus.compare import CORE_KEYS, CompareError, peer_table, year_over_year
from corpus.similarity import copies, has_similarity
from ogi.web.pages import BOOK, config, read
from ogi.web.params import ParamError, corpus_year_bounds, int_param, text_param

MAX_COPIES = 500


def _min_param(request: Request) -> float:
    raw = text_param(request, "min", 10) or "0.9"
    try:
        value = float(raw)
    except ValueError:
        raise ParamError(f"min must be a number from 0 to 1, not {raw!r}") from None
    if not 0 <= value <= 1:
        raise ParamError(f"min must be from 0 to 1, not {value:g}")
    return value


async def compare_page(datasette: Any, request: Request) -> Response:
    """/-/compare?agency=…&year=2022&county=…: report `year` against `year` − 1 of one agency."""
    cfg = config(datasette)
    db = datasette.get_database(cfg["database"])
    args = {k: text_param(request, k) for k in ("agency", "county", "province")}
    year = int_param(request, "year", *await corpus_year_bounds(db))
    result, error = None, None
    if args["agency"] and year is not None:
        try:
            result = await read(db, lambda conn: year_over_year(conn, args["agency"], year, county=args["county"] or None,
                                                                province=args["province"] or None))
        except CompareError as exc:
            error = str(exc)
    elif args["agency"]:
        error = "choose the year (the later of the two compared)"
    ctx = {"args": args, "year": year or "", "r": result, "error": error, "database": cfg["database"]}
    return Response.html(await datasette.render_template("ogi_compare.html", ctx, request=request))


async def copies_page(datasette: Any, request: Request) -> Response:
    """/-/copies?against=prev&min=0.9&year=…&county=…: reports repeating last year's text (or a peer's)."""
    cfg = config(datasette)
    db = datasette.get_database(cfg["database"])
    against = text_param(request, "against") or "prev"
    if against not in ("prev", "peer", "any"):
        raise ParamError("against must be prev, peer or any")
    minimum = _min_param(request)
    year = int_param(request, "year", *await corpus_year_bounds(db))
    county = text_param(request, "county")

    def fetch(conn: Any) -> tuple[bool, list[Any]]:
        if not has_similarity(conn):
            return False, []
        return True, copies(conn, min_similarity=minimum, against=against, year=year, county=county or None,
                            limit=MAX_COPIES + 1)

    computed, rows = await read(db, fetch)
    ctx = {"computed": computed, "rows": rows[:MAX_COPIES], "more": len(rows) > MAX_COPIES, "against": against,
           "min": minimum, "year": year or "", "county": county, "database": cfg["database"], "limit": MAX_COPIES}
    return Response.html(await datasette.render_template("ogi_copies.html", ctx, request=request))


def _peers_csv(key: str, rows: list[Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["rank", "agency", "county", "adcode", key, "share_granted", "share_denied", "share_reviewed",
                "report_id"])
    for r in rows:
        w.writerow(["" if v is None else (f"{v:g}" if isinstance(v, float) else v) for v in
                    (r.rank, r.agency, r.county, r.adcode, r.value, r.share_granted, r.share_denied, r.share_reviewed,
                     r.report_id)])
    return buf.getvalue()


async def peers_page(datasette: Any, request: Request) -> Response:
    """/-/peers?key=core.requests_new&year=2022&county=…|province=…[&format=csv]: agencies × one indicator."""
    cfg = config(datasette)
    db = datasette.get_database(cfg["database"])
    key = text_param(request, "key") or CORE_KEYS[1]
    if key not in CORE_KEYS:
        raise ParamError(f"key must be a core indicator ({', '.join(CORE_KEYS)})")
    args = {k: text_param(request, k) for k in ("county", "province")}
    year = int_param(request, "year", *await corpus_year_bounds(db))
    rows: list[Any] = []
    error = None
    if year is None or not (args["county"] or args["province"]):
        error = "choose a year and a county or province" if request.args else None
    else:
        rows = await read(db, lambda conn: peer_table(conn, key, year, county=args["county"] or None,
                                                      province=args["province"] or None))
    if text_param(request, "format") == "csv" and not error:
        return Response(_peers_csv(key, rows), content_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="peers-{key}-{year}.csv"'})
    ctx = {"key": key, "info": BOOK[key], "keys": [(k, BOOK[k].label_zh, BOOK[k].label_en) for k in CORE_KEYS],
           "args": args, "year": year or "", "rows": rows, "error": error, "database": cfg["database"],
           "query": request.query_string}
    return Response.html(await datasette.render_template("ogi_peers.html", ctx, request=request))
