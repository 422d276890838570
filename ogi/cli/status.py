"""`ogi status` (each site's last runs and a verdict on its health) and `ogi schedule` (the nightly crawl
as a crontab line or systemd units). The logic is in ogi/ops.py."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from ogi.cli.common import console, db_option, format_option, registry_option, shown_db, write_csv
from ogi.cli.errors import OgiCommand

_STYLE = {"ok": "green", "partial": "yellow", "running": "cyan", "interrupted": "yellow"}


EXIT_ALL_UNREACHABLE = 3  # as `ogi crawl`'s "some site had problems": every site's latest run reached nothing
STATUS_COLUMNS = ("site", "verdict", "last run", "listed", "read", "unchanged", "skipped", "reports", "errors", "why")


@click.command("status", cls=OgiCommand)
@db_option()
@click.option("--site", "site_ids", multiple=True, help="Only this site id (repeatable).")
@click.option("--runs", "runs_per_site", type=click.IntRange(1, 50), default=2, show_default=True,
              help="Runs to show per site.")
@click.option("--jobs", "jobs_only", is_flag=True,
              help="PostgreSQL: only the job queue (queued/running/stalled jobs per site and per worker).")
@format_option("each site's health and runs (with --jobs: the job queue)")
def status_command(db, site_ids, runs_per_site, jobs_only, fmt) -> None:
    """Each site's last runs and health: ok, partial, redesigned (far fewer items than the previous
    run), blocked (why), unreachable, needs a family module, interrupted. On PostgreSQL also the job queue
    of `ogi worker`s.

    Exit code 3 when every crawled site is unreachable (nothing answered: for monitoring), else 0."""
    import sys

    from corpus.pg_conn import is_postgres_url
    from ogi.ops import all_unreachable, listed_items, site_health

    if jobs_only:
        if not is_postgres_url(db):
            raise click.BadParameter("the job queue is PostgreSQL's (ogi worker); an SQLite corpus has none",
                                     param_hint="--jobs")
        if fmt == "csv":
            raise click.UsageError("--jobs prints a table or JSON, not CSV")
        _print_jobs(db, fmt == "json")
        return
    health = site_health(db, runs_per_site=runs_per_site)
    if site_ids:
        unknown = sorted(set(site_ids) - {h.site_id for h in health})
        if unknown:
            raise click.BadParameter(f"no site {', '.join(unknown)} in {shown_db(db)}", param_hint="--site")
        health = [h for h in health if h.site_id in site_ids]
    code = EXIT_ALL_UNREACHABLE if all_unreachable(health) else 0
    if fmt == "json":
        click.echo(json.dumps([asdict(h) for h in health], ensure_ascii=False, indent=2))
        sys.exit(code)
    rows = []
    for h in health:
        last = h.runs[0] if h.runs else {}
        history = " ← ".join(str(listed_items(r)) for r in h.runs)
        rows.append([f"{h.site_id} {h.name or ''}".strip(), h.verdict, (last.get("started_at") or "-")[:16],
                     history or "-", *(str(last.get(k) or 0) for k in ("detail_pages", "unchanged", "skipped",
                                                                      "reports", "errors")), h.reason])
    if fmt == "csv":
        write_csv(list(STATUS_COLUMNS), rows)
        sys.exit(code)
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"site health ({shown_db(db)})", title_justify="left")
    for col in STATUS_COLUMNS:
        table.add_column(col, justify="right" if col in ("listed", "read", "unchanged", "skipped", "reports", "errors")
                         else "left")
    for row in rows:
        style = _STYLE.get(row[1], "red")
        table.add_row(escape(row[0]), f"[{style}]{row[1]}[/]", *row[2:9], escape(row[9]))
    console().print(table)
    if is_postgres_url(db):
        _print_jobs(db, False)
    if code:
        click.echo("every site is unreachable: nothing answered (exit 3)", err=True)
    sys.exit(code)


def _print_jobs(db: str, as_json: bool) -> None:
    """The job queue of a PostgreSQL corpus: per site (queued, running, stalled, failed, done) and per worker."""
    from rich.table import Table

    from crawler.jobs import queue_status
    from ogi.cli.errors import database_errors

    status = database_errors(lambda: queue_status(db))
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False, indent=2, default=str))
        return
    totals = ", ".join(f"{n} {s}" for s, n in sorted(status["totals"].items())) or "no jobs"
    table = Table(title=f"job queue ({totals})", title_justify="left")
    cols = ("site_id", "crawl_queued", "crawl_running", "extract_queued", "extract_running", "stalled", "failed", "done")
    for col in cols:
        table.add_column(col.replace("_", " "), justify="left" if col == "site_id" else "right")
    for row in status["sites"]:
        table.add_row(*(str(row[c]) for c in cols))
    console().print(table)
    workers = Table(title="workers", title_justify="left")
    for col in ("worker", "last heartbeat", "running jobs", "state"):
        workers.add_column(col)
    for w in status["workers"]:
        workers.add_row(str(w["worker_id"]), str(w["last_heartbeat"])[:19], str(w["running"]),
                        "[red]stalled[/]" if w["stalled"] else "alive")
    console().print(workers)


def _check_time(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from ogi.ops import parse_time_of_day

    try:
        parse_time_of_day(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@click.command("schedule", cls=OgiCommand)
@click.option("--time", "time_of_day", default="02:30", show_default=True, callback=_check_time,
              help="Daily start time, HH:MM (local).")
@db_option()
@registry_option()
@click.option("--systemd", is_flag=True, help="Write a systemd service + timer instead of a crontab line.")
@click.option("--unit-dir", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: str(Path.home() / ".config" / "systemd" / "user"), show_default="~/.config/systemd/user",
              help="Where --systemd writes the units.")
@click.option("--install", is_flag=True, help="Install the crontab line (crontab -l | … | crontab -).")
@click.option("--dry-run", is_flag=True, help="Only print what would be written or installed.")
def schedule_command(time_of_day, db, registry, systemd, unit_dir, install, dry_run) -> None:
    """Set up the nightly crawl: print (or --install) a crontab line, or write systemd units (--systemd).

    The crawl takes a lock on the database, so an overlong run is never overlapped by the next one."""
    from corpus.pg_conn import is_postgres_url
    from ogi.ops import cron_line, install_cron_line, systemd_units, write_unit

    workdir = Path.cwd()
    if is_postgres_url(db):  # the night's crawl is queued for the workers (ogi enqueue), never run here
        from urllib.parse import urlsplit

        if urlsplit(db).password:
            raise click.ClickException("the crontab line would hold the --db URL's password: put it in ~/.pgpass "
                                       "(or PGPASSFILE) and give the URL without it")
    else:
        db = Path(db).resolve()
    registry = Path(registry).resolve()
    if not registry.exists():
        raise click.BadParameter(f"{registry} does not exist", param_hint="--registry")
    if registry.is_dir():
        raise click.BadParameter(f"{registry} is a directory, not a registry CSV file", param_hint="--registry")
    if isinstance(db, Path) and db.is_dir():
        raise click.BadParameter(f"{db} is a directory, not a database file", param_hint="--db")
    if systemd:
        units = systemd_units(time_of_day, db, registry, workdir)
        for name, text in units.items():
            if dry_run:
                click.echo(f"# {unit_dir / name}\n{text}")
                continue
            click.echo(f"wrote {write_unit(unit_dir, name, text)}")
        click.echo("enable with: systemctl --user daemon-reload && systemctl --user enable --now ogi-crawl.timer")
        return
    line = cron_line(time_of_day, db, registry, workdir)
    if install and not dry_run:
        install_cron_line(line)
        click.echo(f"installed in your crontab:\n{line}")
        return
    click.echo(line)
    if not install:
        click.echo("# add it with: crontab -e   (or run again with --install)", err=True)
