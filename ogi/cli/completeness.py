"""`ogi completeness`: the agency × year matrix (corpus.completeness) as a table, CSV or JSON
(the renderings are in ogi/completeness.py)."""

from __future__ import annotations

import click

from ogi.cli.common import check_site_ids, console, db_option, format_option, report_filter_options
from ogi.cli.errors import OgiCommand


@click.command("completeness", cls=OgiCommand)
@db_option()
@report_filter_options(exclude=("--department", "--form"))
@format_option("one row per agency and year (CSV, JSON) or the matrix (table)")
def completeness_command(db, selection, fmt) -> None:
    """Agency × year matrix: found (with the publication date; late after the legal deadline), not found,
    not collected (site blocked, unreachable or without a family module), not yet due.

    The filters choose the rows (region, site, agency); --year and --from/--to choose the columns."""
    from corpus.completeness import Selection, completeness
    from ogi.completeness import caption, cell_text, to_csv, to_json

    check_site_ids(db, selection)
    matrix = completeness(db, list(selection.years) or None, year_from=selection.year_from,
                          year_to=selection.year_to, selection=Selection(reports=selection))
    if fmt == "csv":
        click.echo(to_csv(matrix), nl=False)
        return
    if fmt == "json":
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
