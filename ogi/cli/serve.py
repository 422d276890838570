"""`ogi serve`: the corpus in Datasette, read-only (ogi/serve.py builds and runs the app)."""

from __future__ import annotations

from pathlib import Path

import click

from ogi.cli.common import db_option
from ogi.cli.errors import OgiCommand


@click.command("serve", cls=OgiCommand)
@db_option(type=click.Path(dir_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="interface to listen on")
@click.option("--port", default=8001, show_default=True, type=int, help="port to listen on")
@click.option("--live/--immutable", default=None,
              help="open mode=ro and see a running crawl's new rows (default: immutable unless a WAL is pending)")
@click.option("--open", "open_browser", is_flag=True, help="open the UI in the default browser")
def serve_command(db: Path, host: str, port: int, live: bool | None, open_browser: bool) -> None:
    """Browse and search the corpus in Datasette (read-only): facets, canned queries, completeness, charts."""
    from ogi.serve import serve

    def ready(url: str) -> None:
        click.echo(f"ogi UI for {db} at {url}  (search: {url}-/search, completeness: {url}-/completeness)")

    serve(db, host=host, port=port, live=live, open_browser=open_browser, on_ready=ready)
