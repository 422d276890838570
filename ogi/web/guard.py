"""Hostile requests and errors, for the plugin's `asgi_wrapper` and `handle_exception` hooks.

Anything but GET/HEAD is refused with 405 before Datasette sees it (the UI is read-only), so are overlong
query strings and facet floods; errors are answered without Datasette's default handler, which prints a
traceback with every local variable to the terminal for each bad request (and, with rich 15, fails on a
404).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, Request, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

logger = logging.getLogger(__name__)

READ_METHODS = ("GET", "HEAD")
MAX_QUERY_STRING = 16 * 1024  # what uvicorn's h11 accepts for a whole request head anyway
MAX_FACETS = 10  # _facet* parameters of a table page: Datasette runs one query (up to 1 s) for each


async def refuse(send: Any, status: int, message: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = f"{status} {message}\n".encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        *headers]})
    await send({"type": "http.response.body", "body": body})


def refusal(scope: dict[str, Any]) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
    """Why an HTTP request is refused before Datasette sees it (None: it is not)."""
    if scope["method"] not in READ_METHODS:
        return 405, "Method Not Allowed: this server is read-only (GET and HEAD only)", [(b"allow", b"GET, HEAD")]
    query = scope.get("query_string") or b""
    if len(query) > MAX_QUERY_STRING:
        return 414, f"URI Too Long: at most {MAX_QUERY_STRING // 1024} KiB of query string", []
    if sum(k.startswith("_facet") for k, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)) > MAX_FACETS:
        return 400, f"Bad Request: at most {MAX_FACETS} facets at a time", []
    return None


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

