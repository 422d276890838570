"""`ogi worker` and `ogi enqueue`: crawl and extract on many machines over one PostgreSQL corpus
(crawler.jobs: one crawl job per site, one extract job per report candidate, procrastinate workers).

A machine runs `ogi worker --db postgresql://… --raw-dir /shared/raw`; someone (or cron, `ogi schedule
--enqueue`) runs `ogi enqueue` to queue the sites. `ogi status --db postgresql://…` shows the queue.
"""

from __future__ import annotations

import click

from ogi.cli.common import registry_option, without_dataframe_libraries
from ogi.cli.crawl import network_settings, select_sites
from ogi.cli.errors import OgiCommand, database_errors


def _pg_url(db: str) -> str:
    from corpus.backend import is_postgres_url

    if not is_postgres_url(db):
        raise click.BadParameter("workers share one PostgreSQL corpus: give --db postgresql://user@host/dbname",
                                 param_hint="--db")
    return db


db_url_option = click.option("--db", required=True, metavar="URL", help="The PostgreSQL corpus: postgresql://…")


@click.command("worker", cls=OgiCommand)
@db_url_option
@click.option("--raw-dir", envvar="OGI_RAW_DIR", required=True, metavar="DIR",
              help="Raw-bytes directory, shared by every machine (env OGI_RAW_DIR).")
@click.option("--queues", default="crawl,extract", show_default=True,
              help="Comma-separated queues this worker takes: crawl, extract or both.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Jobs run at once (crawls in child processes; extractions in a pool of this many processes).")
@click.option("--name", help="Worker name shown by `ogi status` (default: host-pid).")
@click.option("--until-empty", is_flag=True, help="Stop when the queues are empty instead of waiting for jobs.")
@click.option("--stalled-after", type=click.FloatRange(5, 3600), default=60.0, show_default=True,
              help="Seconds without a heartbeat after which another worker's jobs are queued again.")
@click.option("--allow-network", "allow_networks", multiple=True, metavar="CIDR",
              help="Let crawls connect to this private/loopback network (test sites; repeatable).")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]))
def worker_command(db, raw_dir, queues, concurrency, name, until_empty, stalled_after, allow_networks,
                   log_level) -> None:
    """Run crawl and/or extract jobs from the queue of a PostgreSQL corpus until stopped (Ctrl-C)."""
    without_dataframe_libraries()
    import asyncio
    import logging

    from crawler.jobs import CRAWL_QUEUE, EXTRACT_QUEUE, WorkerConfig, run_worker

    db = _pg_url(db)
    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = set(wanted) - {CRAWL_QUEUE, EXTRACT_QUEUE}
    if unknown or not wanted:
        raise click.BadParameter(f"unknown queue(s) {', '.join(sorted(unknown)) or '(none)'}: use crawl, extract",
                                 param_hint="--queues")
    settings = network_settings(allow_networks)
    logging.basicConfig(level=log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    cfg = WorkerConfig(db=db, raw_dir=raw_dir, concurrency=concurrency, settings=settings, log_level=log_level)
    database_errors(lambda: asyncio.run(run_worker(cfg, queues=wanted, name=name, wait=not until_empty,
                                                    stalled_after=stalled_after)))


@click.command("enqueue", cls=OgiCommand)
@db_url_option
@registry_option()
@click.option("--site", "site_ids", multiple=True, help="Only this site id (repeatable).")
@click.option("--province", "provinces", multiple=True, help="Only sites of this province (repeatable).")
@click.option("--city", "cities", multiple=True, help="Only sites of this city (repeatable).")
@click.option("--adcode", "adcodes", multiple=True, help="Only sites whose division code matches, e.g. 4228* "
              "(repeatable).")
@click.option("--delay", type=float, help="Seconds between requests to one site (default 2, with autothrottle).")
def enqueue_command(db, registry, site_ids, provinces, cities, adcodes, delay) -> None:
    """Queue a crawl job per registry site (all, or those chosen) for `ogi worker`s to run."""
    from crawler.jobs import enqueue_sites

    db = _pg_url(db)
    sites = select_sites(registry, site_ids, provinces, cities, adcodes)
    if not sites:
        raise click.ClickException("no sites to queue (check --site/--province/--city/--adcode)")
    settings = {} if delay is None else {"DOWNLOAD_DELAY": delay, "AUTOTHROTTLE_START_DELAY": delay}
    queued, already = database_errors(lambda: enqueue_sites(db, sites, settings))
    click.echo(f"queued {queued} site(s)" + (f"; {already} already queued" if already else ""))
