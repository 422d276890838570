"""Library errors -> what the user sees: one `Error: ...` line and an exit code, never a traceback.

The library (crawler/, corpus/, ogi/) raises plain exceptions; every ogi command is an `OgiCommand`,
whose `invoke` turns the ones listed in `_user_errors` into a click exception with the error's
message, so no command body needs a try/except for them. Anything else is a bug and keeps its
traceback (exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

EXIT_LOCKED = 4  # another crawl holds the lock on this database


class UserError(click.ClickException):
    """A library error shown as `Error: <message>` with its exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# (module, error class, exit code). Only modules already imported are looked at: an error of a module
# nobody imported cannot have been raised, and importing them here would load the store, the exporter
# and numpy on a failing `ogi search` (which runs without numpy: ogi/cli/read.py).
_USER_ERRORS = (
    ("corpus.lock", "CrawlLocked", EXIT_LOCKED), ("corpus.readonly", "DatabaseProblem", 1),
    ("corpus.search", "SearchError", 1), ("crawler.registry", "RegistryError", 1),
    ("corpus.completeness", "CompletenessError", 1), ("ogi.export.spec", "ExportError", 1),
    ("ogi.export", "ExportError", 1), ("ogi.ops", "StatusError", 1), ("ogi.ops", "ScheduleError", 1),
    ("ogi.serve", "ServeError", 1), ("corpus.snapshot", "SnapshotError", 1),
)


def _user_errors() -> tuple[tuple[type[Exception], int], ...]:
    """(error class, exit code) of the modules imported so far (see _USER_ERRORS)."""
    import sys

    out = []
    for module, name, code in _USER_ERRORS:
        error = getattr(sys.modules.get(module), name, None)
        if isinstance(error, type):
            out.append((error, code))
    return tuple(out)


class OgiCommand(click.Command):
    """A click command whose library errors become `UserError`s (see the module docstring)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            for error, code in _user_errors():
                if isinstance(exc, error):
                    raise UserError(str(exc), code) from exc
            raise


def database_errors(action: Callable[[], Any]) -> Any:
    """Run `action`, turning an unreachable or refusing PostgreSQL into one `Error:` line."""
    import sqlite3

    import psycopg

    from corpus.backend import redact
    from corpus.store import StoreError

    try:
        return action()
    except (psycopg.Error, sqlite3.DatabaseError, StoreError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(redact(message)) from exc
