"""`ogi probe`: check the registry's candidate portal URLs and find each site's annual-report column.

Runs the crawler's discovery only (crawler/probe.py) through the same polite, scoped Scrapy stack as a
crawl, into a probe database of its own (data/probe.db: the fetched pages and one run per site, never mixed
with the corpus), and writes what it learned to the probe file beside the registry (data/sites.probe.csv),
which the next `ogi crawl` reads to start at the columns. Exit codes: 0 every site answered and showed a
column, 3 some did not (the table says which and why), 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ogi.cli.common import console, format_option, quiet_option, registry_option, write_csv
from ogi.cli.crawl import (
    EXIT_INTERRUPTED,
    EXIT_SITE_PROBLEMS,
    _check_crawl_db,
    _run,
    network_settings,
    select_sites,
)
from ogi.cli.errors import OgiCommand

DEFAULT_PROBE_DB = "data/probe.db"


def _print_probes(rows: list[dict[str, str]], out_path: Path, fmt: str = "table") -> int:
    """Print the probe results (`fmt`: table, or json/csv with the probe file's columns, the summary line then
    on stderr so stdout stays parseable); the exit code: 0 if every site showed a report column, else 3."""
    good = sum(1 for r in rows if r["status"] == "ok")
    summary = (f"{good} of {len(rows)} sites answered with a report column; results in {out_path} "
               "(the next ogi crawl starts at these columns)")
    code = 0 if good == len(rows) else EXIT_SITE_PROBLEMS
    if fmt != "table":
        from crawler.probe import PROBE_COLUMNS

        records = [{k: row.get(k, "") for k in PROBE_COLUMNS} for row in rows]
        if fmt == "json":
            click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        else:
            write_csv(PROBE_COLUMNS, ([r[k] for k in PROBE_COLUMNS] for r in records))
        click.echo(summary, err=True)
        return code
    from rich.table import Table

    out = console()
    table = Table(title="probe", title_justify="left")
    for col in ("site", "status", "final URL", "family", "report column(s)"):
        table.add_column(col)
    for row in rows:
        style = "green" if row["status"] == "ok" else ("yellow" if row["reachable"] == "yes" else "red")
        columns = [f"{u} ({f})" for u, f in zip(row["column_urls"].split(), row["column_families"].split(),
                                               strict=False)]
        shown = "\n".join(columns[:3]) + (f"\n… {len(columns) - 3} more" if len(columns) > 3 else "")
        table.add_row(row["site_id"], f"[{style}]{row['status']}[/]", row["final_url"] or "-", row["family"] or "-",
                      shown or (row["message"][:120] or "-"))
    out.print(table)
    click.echo(summary)
    return code


@click.command("probe", cls=OgiCommand)
@registry_option()
@click.option("--site", "site_ids", multiple=True, help="Probe only this site id (repeatable).")
@click.option("--province", "provinces", multiple=True, help="Probe only the sites in this province (repeatable).")
@click.option("--city", "cities", multiple=True, help="Probe only the sites of this city (repeatable).")
@click.option("--adcode", "adcodes", multiple=True, metavar="CODE",
              help="Probe the sites whose division code matches (422802, or a prefix 4228*; repeatable).")
@click.option("--db", default=DEFAULT_PROBE_DB, show_default=True,
              help="Probe database (the pages fetched and a run per site), kept apart from the corpus.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Probe results CSV (default: beside the registry, data/sites.probe.csv).")
@click.option("--delay", type=float, help="Seconds between requests to one site (default 2, with autothrottle).")
@click.option("--log-file", help="Probe log (default: <db dir>/logs/crawl-<time>.log).")
@quiet_option()
@click.option("--allow-network", "allow_networks", multiple=True, metavar="CIDR",
              help="Let the probe connect to this private/loopback network (refused by default).")
@format_option("each site's probe result")
def probe_command(registry, site_ids, provinces, cities, adcodes, db, out_path, delay, log_file, quiet,
                  allow_networks, fmt) -> None:
    """Fetch each registry site's entry page politely: reachable? moved? which family? where is the 年报 column?"""
    from corpus.summary import crawl_summary
    from crawler.probe import probe_path, write_probes

    sites = select_sites(registry, site_ids, provinces, cities, adcodes)
    if not sites:
        raise click.ClickException("no sites to probe")
    out = Path(out_path) if out_path else probe_path(registry)
    if out.exists() and out.is_dir():
        raise click.BadParameter(f"{out} is a directory", param_hint="--out")
    for site in sites:  # probe from the entry URLs, not from the columns an earlier probe found
        site.column_urls, site.column_families = [], []
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    settings = {**_check_crawl_db(db, None), "OGI_PROBE": True, **network_settings(allow_networks)}
    if delay is not None:
        settings.update({"DOWNLOAD_DELAY": delay, "AUTOTHROTTLE_START_DELAY": delay})
    result, _log_path = _run(sites, db, settings, quiet, log_file)
    spider = getattr(result.crawler, "spider", None) if result is not None else None
    findings = getattr(spider, "findings", None)
    if result is None or findings is None or result.finish_reason in ("shutdown", "interrupted"):
        click.echo("probe interrupted: nothing was written", err=True)
        sys.exit(EXIT_INTERRUPTED)
    runs = crawl_summary(db, list(result.run_ids.values()))["runs"]
    rows = findings.rows(runs)
    write_probes(out, rows)
    sys.exit(_print_probes(rows, out, fmt))
