"""Datasette plugin for the ogi corpus (loaded with plugins_dir by `ogi serve`): the hooks only.

Why a plugin: Datasette has no view for what ogi needs — CJK bigram search (`ogi_fts(q)`, the conversion
`ogi search` uses), the agency × year completeness matrix and one core indicator over the years. The
pages are in `ogi/web/pages/` (one module each; Datasette would load any .py file of this directory as
a plugin), the guard against hostile requests and the error answers in `ogi/web/guard.py`.

Hostile requests: every parameter of the pages is checked (`ogi.web.params`: 400 with a short message),
every connection gets the limits of `ogi.web.limits` (memory, and function calls that cannot outrun the
SQL time limit), anything but GET/HEAD is refused with 405 before Datasette sees it (the UI is
read-only), and errors are answered without Datasette's default handler (`ogi.web.guard`).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Request
from markupsafe import Markup, escape

from ogi.web import limits
from ogi.web.guard import error_response, refusal, refuse
from ogi.web.metadata import codebook_rows
from ogi.web.pages import BOOK, config
from ogi.web.pages.compare import compare_page, copies_page, peers_page
from ogi.web.pages.completeness import completeness_page
from ogi.web.pages.indicator import indicator_page
from ogi.web.pages.report import report_lookup, report_page
from ogi.web.pages.search import fts_expression, search_page, snippet

logger = logging.getLogger(__name__)


def _book(key: str | None) -> Any:
    return BOOK.get(key) if isinstance(key, str) and len(key) <= 200 else None


def _label(key: str | None) -> str | None:
    info = _book(key)
    return info.label_zh if info else None


def _gloss(key: str | None) -> str | None:
    info = _book(key)
    return info.label_en if info else None


def _unit(key: str | None) -> str | None:
    info = _book(key)
    return info.unit if info else None


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
    name = config(datasette)["codebook"]
    if name not in datasette.databases:
        return None

    async def fill() -> None:
        db = datasette.get_database(name)
        rows = codebook_rows(BOOK)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DROP TABLE IF EXISTS keys")
            conn.execute("CREATE TABLE keys (key TEXT PRIMARY KEY, [group] TEXT, label_zh TEXT, label_en TEXT, "
                         "unit TEXT, forms TEXT)")
            conn.executemany("INSERT INTO keys VALUES (:key, :group, :label_zh, :label_en, :unit, :forms)", rows)
            conn.commit()  # Datasette 0.65 leaves the transaction to us; uncommitted, the table stays locked

        await db.execute_write_fn(write, block=True)
        logger.info("codebook database: %d keys", len(rows))

    return fill


# Tables whose column names a report: its cells link to /-/report/<id>.
_REPORT_LINK = {"statistics": "report_id", "statistics_long": "report_id",
                "report_versions": "report_id", "report_similarity": "report_id", "report_captures": "report_id"}


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Statistic keys shown with their codebook label and unit; report titles and ids link to the report page."""
    if database != config(datasette)["database"]:
        return None
    if table == "reports" and column == "title" and row is not None and "report_id" in row.keys():
        href = datasette.urls.path(f"/-/report/{row['report_id']}")
        return Markup(f'<a class="ogi-read" href="{escape(href)}">{escape(value or "(untitled)")}</a>')
    if _REPORT_LINK.get(table or "") == column and value is not None and str(value).isdigit():
        href = datasette.urls.path(f"/-/report/{value}")
        return Markup(f'{escape(value)} <a class="ogi-read" href="{escape(href)}">read 阅读</a>')
    if column != "key":
        return None
    if table not in ("statistics", "statistics_long") or not isinstance(value, str):
        return None
    info = BOOK.get(value)
    if info is None:
        return None
    return Markup(
        f'<code>{escape(value)}</code><br><span class="ogi-label">{escape(info.label_zh)}</span> '
        f'<span class="ogi-gloss">{escape(info.label_en)} ({escape(info.unit)})</span>'
    )


@hookimpl
def extra_template_vars(datasette: Any) -> dict[str, Any]:
    """The home page's first tables (templates/index.html); the columns a table page hides by default
    (templates/table-ogi-reports.html)."""
    cfg = datasette.plugin_config("ogi") or {}
    return {"ogi_database": cfg.get("database", "ogi"), "ogi_main_tables": cfg.get("main_tables") or [],
            "ogi_default_nocol": cfg.get("default_nocol") or {}}


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/ogi-static/ogi.css")]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    path = datasette.urls.path
    db = config(datasette)["database"]
    return [
        {"href": path("/-/search"), "label": "Search reports"},
        {"href": path(f"/{db}/reports"), "label": "Reports"},
        {"href": path("/-/completeness"), "label": "Completeness (agency × year)"},
        {"href": path("/-/indicator"), "label": "Indicator over the years"},
        {"href": path("/-/compare"), "label": "Compare an agency with the year before"},
        {"href": path("/-/copies"), "label": "Reports that repeat last year's text"},
        {"href": path("/-/peers"), "label": "Peers: agencies of a county ranked"},
        {"href": path(f"/{config(datasette)['codebook']}/keys"), "label": "Codebook"},
    ]


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/search$", search_page),
        (r"^/-/completeness$", completeness_page),
        (r"^/-/indicator$", indicator_page),
        (r"^/-/compare$", compare_page),
        (r"^/-/copies$", copies_page),
        (r"^/-/peers$", peers_page),
        (r"^/-/report/(?P<report_id>[^/]+)$", report_page),
        (r"^/-/report$", report_lookup),
    ]


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Refuse writes (any method but GET/HEAD), overlong query strings and facet floods with one short answer."""

    def wrap(app: Any) -> Any:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            refused = refusal(scope) if scope["type"] == "http" else None
            if refused is not None:
                logger.info("refused %s %s: %d", scope["method"], scope.get("path"), refused[0])
                await refuse(send, *refused)
                return
            await app(scope, receive, send)

        return guarded

    return wrap


@hookimpl(wrapper=True)
def handle_exception(datasette: Any, request: Request, exception: BaseException) -> Any:
    """Answer with `ogi.web.guard.error_response` instead of the other handlers (Datasette's default one
    included).

    The default handler returns a coroutine function that Datasette calls afterwards; dropping it from
    the results means it never runs, so it never prints.
    """
    try:
        yield
    except Exception:  # noqa: BLE001 - another handler failed: ours answers anyway
        pass
    return [error_response(datasette, request, exception)]
