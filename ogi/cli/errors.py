"""Library errors -> what the user sees: one `Error: ...` line and an exit code, never a traceback.

The library (crawler/, corpus/, ogi/) raises plain exceptions; every ogi command is an `OgiCommand`,
whose `invoke` turns the ones listed in `_user_errors` into a click exception with the error's
message, so no command body needs a try/except for them. Anything else is a bug and keeps its
traceback (exit 1).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

EXIT_LOCKED = 4  # another crawl holds the lock on this database


class UserError(click.ClickException):
    """A library error shown as `Error: <message>` with its exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@functools.cache
def _user_errors() -> tuple[tuple[type[Exception], int], ...]:
    """(error class, exit code): imported when a command failed, not on every start (corpus.search loads
    the store, ~0.5 s)."""
    from corpus.completeness import CompletenessError
    from corpus.lock import CrawlLocked
    from corpus.readonly import DatabaseProblem
    from corpus.search import SearchError
    from corpus.snapshot import SnapshotError
    from crawler.registry import RegistryError
    from ogi.export import ExportError
    from ogi.ops import ScheduleError, StatusError
    from ogi.serve import ServeError

    return ((CrawlLocked, EXIT_LOCKED), (DatabaseProblem, 1), (SearchError, 1), (RegistryError, 1),
            (CompletenessError, 1), (ExportError, 1), (StatusError, 1), (ScheduleError, 1), (ServeError, 1),
            (SnapshotError, 1))


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
