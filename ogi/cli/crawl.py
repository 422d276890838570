"""`ogi crawl` and `ogi demo`: crawl registry sites (or the bundled demo portal) into the database.

Exit codes: 0 every site crawled cleanly, 3 some site had errors or was unreachable or blocked (details
in the summary and the database), 4 another crawl holds the lock on this database (errors.py), 130 the
crawl was interrupted, 2 bad usage, 1 an unexpected failure.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ogi.cli.common import (
    console,
    db_option,
    quiet_option,
    raw_dir_option,
    registry_option,
    shown_db,
    without_dataframe_libraries,
)
from ogi.cli.errors import OgiCommand
from ogi.cli.read import print_hits

EXIT_SITE_PROBLEMS = 3
EXIT_FAILED = 1  # an unexpected failure: the crawl could not start
EXIT_INTERRUPTED = 130


class FamilyName(click.ParamType):
    """A site family's name, checked against the families that registered (crawler.spiders), which are
    imported only when the option is used or the help shown (scrapy is slow to import)."""

    name = "family"

    def _names(self) -> list[str]:
        from crawler.spiders import family_names

        return family_names()

    def get_metavar(self, param, ctx=None) -> str:
        return "[" + "|".join(self._names()) + "]"

    def convert(self, value, param, ctx):
        value = str(value).lower()
        if value not in self._names():
            self.fail(f"{value!r} is not a site family (known: {', '.join(self._names())})", param, ctx)
        return value


def _progress_display(sites):
    """A live table of per-site counters, updated from the crawl's signal handlers."""
    from rich.live import Live
    from rich.table import Table

    rows: dict[str, dict] = {s.site_id: {} for s in sites}

    def render() -> Table:
        table = Table(title="crawling", title_justify="left", expand=False)
        for col in ("site", "lists", "pages", "files", "reports", "skipped", "errors"):
            table.add_column(col, justify="left" if col == "site" else "right")
        for site_id, c in rows.items():
            table.add_row(site_id, str(c.get("list_pages", 0)), str(c.get("detail_pages", 0)),
                          str(c.get("attachments", 0)), str(c.get("reports", 0)), str(c.get("not_reports", 0)),
                          str(c.get("errors", 0)))
        table.caption = "lists: list pages read · pages: report pages · files: attachments · skipped: not reports"
        return table

    live = Live(render(), console=console(), refresh_per_second=8, transient=False)

    def update(site_id: str, counter: str, counts: dict) -> None:
        rows.setdefault(site_id, {}).update(counts)
        live.update(render())

    return live, update


def _run(sites, db: str, settings: dict, quiet: bool, log_file: str | None):
    """Crawl; returns (result or None when stopped before it began, log path). A held lock raises
    corpus.lock.CrawlLocked (exit 4, errors.py)."""
    from corpus.backend import is_postgres_url
    from crawler.run import CrawlJob, run_crawls

    # A PostgreSQL corpus has no directory of its own: its logs go to ./logs on the machine that crawls.
    target = db if is_postgres_url(db) else Path(db)
    log_dir = Path("logs") if is_postgres_url(db) else Path(db).parent / "logs"
    log_path = log_file or str(log_dir / f"crawl-{time.strftime('%Y%m%d-%H%M%S')}.log")
    if quiet:
        results = run_crawls([CrawlJob(sites, target, settings)], log_file=log_path)
    else:
        live, update = _progress_display(sites)
        with live:
            results = run_crawls([CrawlJob(sites, target, settings, progress=update)], log_file=log_path)
    return (results[0] if results else None), log_path


def _check_crawl_db(db: str, raw_dir: str | None) -> dict:
    """A crawl writes to a new file or to an ogi database — never into someone else's SQLite file or
    PostgreSQL database; a PostgreSQL corpus needs its raw-bytes directory. Returns the settings that say
    where raw bytes go (OGI_RAW_DIR)."""
    from corpus.backend import is_postgres_url
    from corpus.readonly import DatabaseProblem, open_readonly

    settings = {"OGI_RAW_DIR": str(Path(raw_dir).resolve())} if raw_dir else {}
    if is_postgres_url(db):
        _check_crawl_pg(db, raw_dir)
        return settings
    path = Path(db)
    if path.is_dir():
        raise click.ClickException(f"{db} is a directory, not a database file")
    if path.exists() and path.stat().st_size > 0:
        try:
            open_readonly(path, tables=()).close()
        except DatabaseProblem as exc:
            raise click.ClickException(f"{exc}; ogi crawl fills a new file or an existing ogi database") from exc
    return settings


def _check_crawl_pg(url: str, raw_dir: str | None) -> None:
    """The PostgreSQL database answers and is empty (the crawl creates the schema) or an ogi database."""
    import sqlite3

    from corpus.pg_conn import PgConnection
    from corpus.readonly import DatabaseProblem, open_readonly

    if not raw_dir:
        raise click.ClickException(f"a PostgreSQL corpus ({shown_db(url)}) keeps raw bytes in a directory: give "
                                   "--raw-dir DIR (or set OGI_RAW_DIR), the same shared directory on every machine")
    if Path(raw_dir).exists() and not Path(raw_dir).is_dir():
        raise click.BadParameter(f"{raw_dir} is not a directory", param_hint="--raw-dir")
    try:
        conn = PgConnection(url, read_only=True, application_name="ogi crawl check")
    except sqlite3.OperationalError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        empty = conn.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_schema = current_schema()").fetchone()[0] == 0
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"cannot read {shown_db(url)}: {exc}") from exc
    finally:
        conn.close()
    if not empty:
        try:
            open_readonly(url, tables=()).close()
        except DatabaseProblem as exc:
            raise click.ClickException(f"{exc}; ogi crawl fills an empty database or an existing ogi database") \
                from exc


def _finish_crawl(db: str, result, log_path: str) -> int:
    """Print the run summary; the exit code (130 when the crawl was stopped with Ctrl-C, 1 when it could not start)."""
    if result is None:
        click.echo("crawl stopped before it began; nothing was changed", err=True)
        return EXIT_INTERRUPTED
    code = _print_summary(db, result.run_ids, log_path)
    if result.finish_reason in ("shutdown", "interrupted"):
        click.echo("crawl interrupted: unfinished sites are recorded as `interrupted`; run the same command again "
                   "to continue", err=True)
        return EXIT_INTERRUPTED
    if str(result.finish_reason or "").startswith("failed:"):  # the crawl could not even start
        click.echo(f"crawl {result.finish_reason} (log: {log_path})", err=True)
        return EXIT_FAILED
    if result.finish_reason == "storage_failed":
        click.echo(f"crawl stopped: the database or disk is full or failing ({shown_db(db)}); free space and run it "
                   "again",
                   err=True)
        return EXIT_SITE_PROBLEMS
    return code


def _print_summary(db: str, run_ids: dict[str, int], log_path: str | None) -> int:
    from rich.markup import escape
    from rich.table import Table

    from corpus.summary import crawl_summary

    out = console()
    summary = crawl_summary(db, list(run_ids.values()))
    table = Table(title="run summary", title_justify="left")
    for col in ("site", "status", "list pages", "report pages", "attachments", "reports", "errors"):
        table.add_column(col, justify="left" if col in ("site", "status") else "right")
    for run in summary["runs"]:
        style = {"ok": "green", "partial": "yellow"}.get(run["status"], "red")
        table.add_row(f"{run['site_id']} {run['site_name']}", f"[{style}]{run['status']}[/]", str(run["list_pages"]),
                      str(run["detail_pages"]), str(run["attachments"]), str(run["reports"]), str(run["errors"]))
    out.print(table)
    if summary["reports"]:
        rt = Table(title=f"reports found ({summary['report_count']}), by agency and year", title_justify="left")
        rt.add_column("region")
        rt.add_column("agency")
        rt.add_column("years")
        for row in summary["reports"]:
            rt.add_row(row["region"], row["agency"], row["years"])
        out.print(rt)
    if summary["errors"]:
        out.print(f"[bold]problems ({len(summary['errors'])})[/]")
        for err in summary["errors"][:30]:
            where = escape("[" + str(err["site_id"] or "") + "]")
            out.print(f"  [red]{err['kind']}[/] {where} {escape(err['url'] or '')}: {escape(err['message'] or '')}")
        if len(summary["errors"]) > 30:
            out.print(f"  … {len(summary['errors']) - 30} more in the crawl_errors table")
    out.print(f"database: {shown_db(db)}" + (f"   log: {log_path}" if log_path else ""))
    bad = [r for r in summary["runs"] if r["status"] != "ok"]
    return EXIT_SITE_PROBLEMS if bad else 0


def select_sites(registry: str, site_ids, provinces, cities, adcodes) -> list:
    """The registry's sites chosen by --site, --province, --city and --adcode (all of them when none is given)."""
    from crawler.registry import filter_sites, load_registry

    sites = load_registry(registry)
    if site_ids:
        unknown = set(site_ids) - {s.site_id for s in sites}
        if unknown:
            raise click.ClickException(f"unknown site id(s) in {registry}: {', '.join(sorted(unknown))}")
        sites = [s for s in sites if s.site_id in site_ids]
    sites = filter_sites(sites, tuple(provinces), tuple(cities), tuple(adcodes))
    if not sites and (provinces or cities or adcodes):
        raise click.ClickException(f"no site of {registry} matches --province/--city/--adcode "
                                   f"({', '.join((*provinces, *cities, *adcodes))})")
    return sites


# Settings `-s` may not set: where the results go and what is crawled have options of their own.
_OWN_OPTIONS = {"OGI_DB": "--db", "OGI_RAW_DIR": "--raw-dir", "OGI_REGISTRY": "--registry",
                "OGI_ALLOWED_PRIVATE_NETWORKS": "--allow-network", "LOG_FILE": "--log-file"}


def scrapy_settings(pairs) -> dict:
    """-s KEY=VALUE, checked: KEY must be a setting ogi or Scrapy knows (a typo is an error, not ignored), and
    VALUE is read as the default's type (7 for an int, true/false for a bool, 1.5 for a float, JSON for a list
    or dict)."""
    import json

    from scrapy.settings import Settings

    known = Settings()  # Scrapy's defaults, then ogi's (crawler/settings.py)
    known.setmodule("crawler.settings", priority="project")
    out: dict = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="-s")
        if key in _OWN_OPTIONS:
            raise click.BadParameter(f"{key} is set with {_OWN_OPTIONS[key]}", param_hint="-s")
        if key not in known:
            import difflib

            close = difflib.get_close_matches(key, list(known), n=3)
            raise click.BadParameter(f"{key} is not a Scrapy or ogi setting"
                                     + (f" (did you mean {', '.join(close)}?)" if close else ""), param_hint="-s")
        default = known[key]
        try:
            if isinstance(default, bool):
                if text.strip().lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(text)
                value = text.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                value = int(text)
            elif isinstance(default, float):
                value = float(text)
            elif isinstance(default, list | dict | tuple):
                value = json.loads(text)
                if not isinstance(value, list | dict):
                    raise ValueError(text)
            else:
                value = text
        except ValueError:
            expected = {bool: "true or false", int: "a whole number", float: "a number"}.get(type(default),
                                                                                            "a JSON list or object")
            raise click.BadParameter(f"{key}={text!r}: expected {expected}", param_hint="-s") from None
        out[key] = value
    return out


def network_settings(allow_networks) -> dict:
    """--allow-network, checked: the private networks a crawl may reach on purpose."""
    if not allow_networks:
        return {}
    from crawler.scope import parse_networks

    try:
        parse_networks(list(allow_networks))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--allow-network") from exc
    return {"OGI_ALLOWED_PRIVATE_NETWORKS": list(allow_networks)}


@click.command("crawl", cls=OgiCommand)
@registry_option()
@click.option("--site", "site_ids", multiple=True, help="Crawl only this site id (repeatable).")
@click.option("--province", "provinces", multiple=True,
              help="Crawl only the registry's sites in this province (湖北省, or a prefix: 湖北; repeatable).")
@click.option("--city", "cities", multiple=True, help="Crawl only the sites of this city (恩施土家族苗族自治州; repeatable).")
@click.option("--adcode", "adcodes", multiple=True, metavar="CODE",
              help="Registry sites whose division code matches (422802, or a prefix 4228*; repeatable). "
                   "With --url: the 6-digit code of that site.")
@click.option("--url", help="Crawl one ad-hoc site from this entry URL instead of the registry.")
@click.option("--name", help="Government or agency name of the --url site.")
@click.option("--platform", type=FamilyName(),
              help="Site family of the --url site (default: detected, else the generic family).")
@db_option()
@raw_dir_option()
@click.option("--delay", type=float, help="Seconds between requests to one site (default 2, with autothrottle).")
@click.option("--log-file", help="Crawl log (default: <db dir>/logs/crawl-<time>.log).")
@quiet_option()
@click.option("--allow-network", "allow_networks", multiple=True, metavar="CIDR",
              help="Let the crawler connect to this private/loopback network (e.g. 127.0.0.1/32 for a local "
                   "test site; repeatable). By default every non-public address is refused.")
@click.option("-s", "--set", "setting_pairs", multiple=True, metavar="KEY=VALUE",
              help="Tune the crawl with a Scrapy or ogi setting (OGI_RECHECK_DAYS=7, CONCURRENT_REQUESTS=4, "
                   "OGI_SITE_MAX_REQUESTS=2000; crawler/settings.py; repeatable). Unknown keys are an error.")
def crawl(registry, site_ids, provinces, cities, adcodes, url, name, platform, db, raw_dir, delay, log_file, quiet,
          allow_networks, setting_pairs) -> None:
    """Crawl registry sites (all, some ids, a province, city or range of division codes; or one --url)."""
    without_dataframe_libraries()
    from crawler.registry import Site, adhoc_site_id, site_from_row

    if url:
        if provinces or cities or len(adcodes) > 1 or site_ids:
            raise click.UsageError("--url crawls one site: --site, --province and --city choose registry sites")
        # Each ad-hoc site is its own site in the database, named after its host (dxh.gov.cn).
        row = {"site_id": adhoc_site_id(url), "name": name or url, "adcode": adcodes[0] if adcodes else "",
               "entry_urls": url, "platform": platform or ""}
        sites = [site_from_row(row, where="--url: ")]
    else:
        sites = select_sites(registry, site_ids, provinces, cities, adcodes)
    if not sites:
        raise click.ClickException("no sites to crawl")
    tuned = scrapy_settings(setting_pairs)
    _check_modes(tuned, db)
    settings = _check_crawl_db(db, raw_dir)
    assert all(isinstance(s, Site) for s in sites)
    if delay is not None:
        settings.update({"DOWNLOAD_DELAY": delay, "AUTOTHROTTLE_START_DELAY": delay})
    settings.update(network_settings(allow_networks))
    settings.update(tuned)
    result, log_path = _run(sites, db, settings, quiet, log_file)
    sys.exit(_finish_crawl(db, result, log_path))


def _check_modes(settings: dict, db: str) -> None:
    """OGI_EXTRACT_MODE (from -s or the environment) and OGI_STORE_WRITER checked before the crawl starts: a typo
    or "deferred" on SQLite is a usage error, not a failed crawl with the reason only in its log."""
    import crawler.settings as defaults
    from corpus.backend import is_postgres_url

    problem = defaults.extract_mode_problem(settings.get("OGI_EXTRACT_MODE", defaults.OGI_EXTRACT_MODE),
                                            postgres=is_postgres_url(db)) or defaults.store_writer_problem(
        settings.get("OGI_STORE_WRITER", defaults.OGI_STORE_WRITER))
    if problem:
        raise click.UsageError(problem)


@click.command("demo", cls=OgiCommand)
@db_option()
@raw_dir_option()
@click.option("--serve", is_flag=True, help="Keep the demo portal running after the crawl (Ctrl-C to stop).")
@quiet_option()
def demo(db, raw_dir, serve, quiet) -> None:
    """Serve the bundled offline demo portal on 127.0.0.1, crawl it, and search the result."""
    from corpus.search import search
    from crawler.run import LOCAL_SETTINGS
    from demosites import DemoPortal

    settings = {**LOCAL_SETTINGS, **_check_crawl_db(db, raw_dir)}
    out = console()
    with DemoPortal(fixed_ports=True) as portal:
        from crawler.registry import site_from_row

        sites = [site_from_row(row, where="demo portal: ") for row in portal.registry_rows()]
        out.print(f"demo portal: {len(sites)} county sites on 127.0.0.1")
        for s in sites:
            out.print(f"  {s.site_id:4} {s.name} ({s.platform})  {s.entry_urls[0]}")
        result, log_path = _run(sites, db, settings, quiet, None)
        code = _finish_crawl(db, result, log_path)
        if code == EXIT_INTERRUPTED:
            sys.exit(code)
        out.print()
        out.print("[bold]example search:[/] ogi search 复议 --limit 5")
        print_hits(search(db, "复议", limit=5, marks=("\x02", "\x03")))
        if serve:
            out.print("portal still serving; Ctrl-C to stop")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    sys.exit(code)
