"""`ogi snapshot`: an SQLite copy of a PostgreSQL corpus, for `ogi serve` (Datasette reads SQLite only) or to
hand on as one file. The logic is in corpus/snapshot.py."""

from __future__ import annotations

import click

from ogi.cli.common import db_option, shown_db
from ogi.cli.errors import OgiCommand


@click.command("snapshot", cls=OgiCommand)
@db_option()
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The SQLite file to write.")
@click.option("--force", is_flag=True,
              help="Replace --out even when it is an ogi database ogi snapshot did not write (never a non-ogi file).")
def snapshot_command(db: str, out: str, force: bool) -> None:
    """Copy a PostgreSQL corpus (--db postgresql://…) into an SQLite file: every table with the same ids, and
    the search index, so `ogi serve --db FILE` shows it. Written to a temporary file and renamed when done."""
    from corpus.snapshot import snapshot

    result = snapshot(db, out, force=force, progress=lambda step: click.echo(f"  {step}", err=True))
    counts = ", ".join(f"{n} {table}" for table, n in result.rows.items() if table in ("reports", "statistics",
                                                                                       "captures", "crawl_runs"))
    click.echo(f"{shown_db(db)} -> {result.out}: {counts}; search index: {result.indexed} reports")
    click.echo(f"serve it with: ogi serve --db {result.out}")
