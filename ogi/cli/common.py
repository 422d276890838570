"""What several commands share: one definition (name, default, help) per option that means the same thing
on every command (sqlite-utils style), the report-year type and the console."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from corpus import DEFAULT_DB
from corpus.pg_conn import redact  # not corpus.backend: it loads the store (~0.7 s) on every command's start
from corpus.readonly import MAX_YEAR, MIN_YEAR
from crawler.registry import DEFAULT_REGISTRY  # noqa: F401  (re-exported: one spelling of the default)

# A report year given on the command line (the first 条例 reports are for 2008).
YEAR = click.IntRange(MIN_YEAR, MAX_YEAR)
ENV_RAW_DIR = "OGI_RAW_DIR"  # corpus.backend.ENV_RAW_DIR (the same name; tests/test_pg_readers.py checks)

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def db_option(**overrides: Any) -> Decorator:
    """--db: the ogi database a command reads or fills: an SQLite file, or a postgresql:// URL (kept as the text
    given: a Path would fold the URL's '//'). `overrides` only for a stricter click type."""
    return click.option("--db", default=DEFAULT_DB, show_default=True,
                        help="The ogi database: an SQLite file, or a postgresql://user@host/dbname URL.", **overrides)


def raw_dir_option() -> Decorator:
    """--raw-dir (or $OGI_RAW_DIR): where raw bytes are kept (the `raw_dir` argument, None = the default:
    `raw/` beside an SQLite file; a PostgreSQL corpus has no file to put it beside, so it must be given)."""
    return click.option("--raw-dir", envvar=ENV_RAW_DIR, type=click.Path(file_okay=False), default=None,
                        help="Directory of the raw fetched bytes (default: raw/ beside an SQLite database; "
                             f"required with a PostgreSQL --db; env {ENV_RAW_DIR}). Share it between machines.")


def shown_db(db: str | Path) -> str:
    """--db as messages show it: a path as given, a URL without its password."""
    return redact(str(db))


def json_option(what: str) -> Decorator:
    """--json: print `what` as JSON on stdout instead of the text for people (the `as_json` argument)."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON.")


def registry_option() -> Decorator:
    """--registry: the site registry CSV (data/sites.csv)."""
    return click.option("--registry", default=DEFAULT_REGISTRY, show_default=True, help="Site registry CSV.")


def quiet_option() -> Decorator:
    """--quiet: no live progress table during a crawl."""
    return click.option("--quiet", is_flag=True, help="No live progress table.")


def years_option() -> Decorator:
    """--year, repeatable: only reports for these years (the `years` argument, a tuple)."""
    return click.option("--year", "years", multiple=True, type=YEAR, help="Only this report year (repeatable).")


def console() -> Any:
    """A rich Console for tables (imported only when a command prints one)."""
    from rich.console import Console

    return Console(highlight=False)
