"""`ogi serve`: the corpus in Datasette, read-only (ogi/serve.py builds and runs the app)."""

from __future__ import annotations

from pathlib import Path

import click

from ogi.cli.common import db_option, shown_db
from ogi.cli.errors import OgiCommand


@click.command("serve", cls=OgiCommand)
@db_option(type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="interface to listen on")
@click.option("--port", default=8001, show_default=True, type=int, help="port to listen on")
@click.option("--live/--immutable", default=None,
              help="open mode=ro and see a running crawl's new rows (default: immutable unless a WAL is pending)")
@click.option("--open", "open_browser", is_flag=True, help="open the UI in the default browser")
def serve_command(db: str, host: str, port: int, live: bool | None, open_browser: bool) -> None:
    """Browse and search the corpus in Datasette (read-only): facets, canned queries, completeness, charts."""
    from corpus.pg_conn import is_postgres_url
    from ogi.serve import serve

    if is_postgres_url(db):  # Datasette reads SQLite files only
        raise click.ClickException(f"ogi serve shows an SQLite file; {shown_db(db)} is PostgreSQL: copy it first with "
                                   "`ogi snapshot --db URL --out corpus.db`, then `ogi serve --db corpus.db`")
    path = Path(db)
    from corpus.readonly import open_readonly

    open_readonly(path).close()  # a foreign or broken file: the message every read-only command gives

    def ready(url: str) -> None:
        click.echo(f"ogi UI for {path} at {url}  (search: {url}-/search, completeness: {url}-/completeness)")

    serve(path, host=host, port=port, live=live, open_browser=open_browser, on_ready=ready)
