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
from corpus.selection import FORMS
from crawler.registry import DEFAULT_REGISTRY  # noqa: F401  (re-exported: one spelling of the default)

# A report year given on the command line (the first 条例 reports are for 2008).
YEAR = click.IntRange(MIN_YEAR, MAX_YEAR)
ENV_RAW_DIR = "OGI_RAW_DIR"  # corpus.backend.ENV_RAW_DIR (the same name; tests/test_pg_readers.py checks)

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def without_dataframe_libraries() -> None:
    """Keep pandas and numpy out of this process (call before anything imports sqlite_utils).

    sqlite_utils imports them when installed (~0.35 s and ~70 MB) only to map their column types; crawling,
    extraction and search never hand it a DataFrame or an array. Commands that export (pandas) must not call it.
    """
    import sys

    if "sqlite_utils" not in sys.modules:
        for module in ("pandas", "numpy"):
            sys.modules.setdefault(module, None)  # type: ignore[arg-type]


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
    """A rich Console for tables (imported only when a command prints one). Not a terminal (a pipe, a
    file): no wrapping at 80 columns, so titles and URLs stay whole for grep and cut."""
    import sys

    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # rich exits 1; a reader that stopped early (| head) is no failure
            self.quiet = True
            reader_gone()

    if sys.stdout.isatty():
        return _Console(highlight=False)
    return _Console(highlight=False, width=100_000, soft_wrap=True)


def reader_gone() -> None:
    """stdout's reader closed the pipe (`ogi search … | head -1`): stop quietly with exit 0, as `cat` would
    want to. stdout goes to /dev/null first, so Python's final flush has nowhere to fail."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(0)


def format_option(what: str) -> Decorator:
    """--format table|json|csv (with --json and --csv as its shorthands), collected into one `fmt` argument."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        import functools

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fmt, as_json, as_csv = kwargs.pop("fmt"), kwargs.pop("as_json"), kwargs.pop("as_csv")
            chosen = {f for f, on in (("json", as_json), ("csv", as_csv), (fmt, fmt is not None)) if on}
            if len(chosen) > 1:
                raise click.UsageError(f"choose one output format, not {' and '.join(sorted(chosen))}")
            return func(*args, fmt=chosen.pop() if chosen else "table", **kwargs)

        out = click.option("--csv", "as_csv", is_flag=True, help="Print CSV (same as --format csv).")(wrapper)
        out = click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON (same as --format json).")(out)
        return click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None,
                            help=f"How to print {what} (default: a table for people).")(out)

    return decorate


def write_csv(header: list[str], rows: Any) -> None:
    """CSV on stdout (LF line ends, None as an empty cell)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if c is None else c for c in r] for r in rows)
    click.echo(buf.getvalue(), nl=False)


# The report filters: (option, Selection field, help). One definition for every command that selects reports;
# what each means is corpus.selection's (one SQL definition for every reader).
_FILTERS = (
    ("--province", "provinces", "Only this province: the name or its beginning (湖北 = 湖北省)."),
    ("--city", "cities", "Only this city: the name or its beginning (武汉 = 武汉市)."),
    ("--county", "counties", "Only this county: part of its name (东西湖) or its 6-digit code."),
    ("--adcode", "adcodes", "Only this division code or its beginning (4201: every county of 武汉市)."),
    ("--site", "site_ids", "Only this site id (see data/sites.csv)."),
    ("--agency", "agencies", "Only agencies whose name contains this."),
    ("--department", "departments", "Only departments whose name contains this (教育局, 街道办事处)."),
    ("--form", "forms", "Only this report form: form2021, form2019, legacy_table or narrative."),
)
REPORT_FILTER_FIELDS = tuple(f for _, f, _ in _FILTERS) + ("years", "year_from", "year_to")


def report_filter_options(*, exclude: tuple[str, ...] = ()) -> Decorator:
    """The report filters (--province --city --county --adcode --site --agency --department --form, each
    repeatable: OR within one, AND across; --year repeatable, --from/--to a range), collected into one
    `selection` argument (a corpus.selection.Selection). `exclude`: options a command cannot apply."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        import functools

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from corpus.readonly import invalid_utf8
            from corpus.selection import Selection

            given = {name: kwargs.pop(name) for name in REPORT_FILTER_FIELDS if name in kwargs}
            if given.get("year_from") is not None and given.get("year_to") is not None \
                    and given["year_from"] > given["year_to"]:
                raise click.UsageError(f"--from {given['year_from']} is after --to {given['year_to']}")
            selection = Selection(**{k: v for k, v in given.items() if v not in (None, ())})
            for name, value in selection.texts():
                if (shown := invalid_utf8(value)) is not None:
                    option = next(o for o, f, _ in _FILTERS if f == name)
                    raise click.UsageError(f"{option} {shown!r} is not valid UTF-8 text")
            return func(*args, selection=selection, **kwargs)

        out: Callable[..., Any] = wrapper
        for option, name, text in reversed(_FILTERS):
            if option in exclude:
                continue
            kind = click.Choice(FORMS) if option == "--form" else None
            out = click.option(option, name, multiple=True, type=kind, help=text + " Repeatable.")(out)
        out = click.option("--to", "year_to", type=YEAR, help="Last report year of a range.")(out)
        out = click.option("--from", "year_from", type=YEAR, help="First report year of a range.")(out)
        return years_option()(out)

    return decorate


def check_site_ids(db: str, selection: Any) -> None:
    """--site names sites the database has: a mistyped id (demo-dxh for dxh) is a usage error, not an empty
    selection. The database is opened read-only (corpus.readonly's messages for a wrong file)."""
    if not selection.site_ids:
        return
    from contextlib import closing

    from corpus.readonly import open_readonly, reading

    with closing(open_readonly(db)) as conn, reading(shown_db(db)):
        marks = ", ".join("?" * len(selection.site_ids))
        known = {r[0] for r in conn.execute(f"SELECT site_id FROM sites WHERE site_id IN ({marks})",
                                            list(selection.site_ids)).fetchall()}
    unknown = [s for s in selection.site_ids if s not in known]
    if unknown:
        raise click.BadParameter(f"no site {', '.join(unknown)} in {shown_db(db)} (`ogi status` lists the sites)",
                                 param_hint="--site")
