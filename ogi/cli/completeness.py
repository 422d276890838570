"""`ogi completeness`: the agency × year matrix (corpus.completeness) as a table, CSV or JSON
(the renderings are in ogi/completeness.py)."""

from __future__ import annotations

import click

from ogi.cli.common import YEAR, console, db_option, json_option, years_option
from ogi.cli.errors import OgiCommand


@click.command("completeness", cls=OgiCommand)
@db_option()
@years_option()
@click.option("--from", "year_from", type=YEAR, help="First report year.")
@click.option("--to", "year_to", type=YEAR, help="Last report year.")
@click.option("--site", "site_ids", multiple=True, help="Only this site id (repeatable).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one line per agency and year).")
@json_option("one object per agency and year")
def completeness_command(db, years, year_from, year_to, site_ids, as_csv, as_json) -> None:
    """Agency × year matrix: found (with the publication date; late after the legal deadline), not found,
    not collected (site blocked, unreachable or without a family module), not yet due."""
    from corpus.completeness import completeness
    from ogi.completeness import caption, cell_text, to_csv, to_json

    if year_from is not None and year_to is not None and year_from > year_to:
        raise click.UsageError(f"--from {year_from} is after --to {year_to}")
    matrix = completeness(db, list(years) or None, year_from=year_from, year_to=year_to,
                          site_ids=list(site_ids) or None)
    if as_csv:
        click.echo(to_csv(matrix), nl=False)
        return
    if as_json:
        click.echo(to_json(matrix))
        return
    from rich.table import Table

    table = Table(title=f"completeness (as of {matrix.as_of})", title_justify="left")
    table.add_column("site")
    table.add_column("agency")
    for y in matrix.years:
        table.add_column(str(y), justify="center")
    for row in matrix.rows:
        table.add_row(row.site_id or "", row.agency + (" *" if row.is_government else ""),
                      *(cell_text(row.cells[y]) for y in matrix.years))
    table.caption = caption(matrix.counts())
    console().print(table)
