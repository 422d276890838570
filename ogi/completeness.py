"""`ogi completeness`: the agency × year matrix of `corpus.completeness`, as a table, CSV or JSON.

The model (states, default years, deadlines, counts) is `corpus.completeness`; the web page
`/-/completeness` renders the same one. This module only renders it for the terminal.
"""

from __future__ import annotations

import csv
import io
import json

import click

from corpus.completeness import (
    FOUND,
    LABELS,
    LATE,
    NOT_COLLECTED,
    NOT_DUE,
    NOT_FOUND,
    RECORD_FIELDS,
    Cell,
    CompletenessError,
    CompletenessMatrix,
    completeness,
)
from corpus.readonly import MAX_YEAR, MIN_YEAR

YEAR = click.IntRange(MIN_YEAR, MAX_YEAR)


def to_csv(matrix: CompletenessMatrix) -> str:
    """The matrix in long form: one line per agency × year."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=RECORD_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(matrix.records())
    return buf.getvalue()


def to_json(matrix: CompletenessMatrix) -> str:
    """The matrix in long form: one object per agency × year."""
    return json.dumps(matrix.records(), ensure_ascii=False, indent=2)


def _cell_text(cell: Cell) -> str:
    if cell.state == FOUND:
        text = f"[red]late {cell.published_at[5:]}[/]" if cell.late else f"[green]✓ {(cell.published_at or '')[5:]}[/]"
        return text + ("[magenta]✎[/]" if cell.edited else "")
    return {NOT_FOUND: "[yellow]—[/]", NOT_COLLECTED: "[dim]n/c[/]", NOT_DUE: "[dim]…[/]"}[cell.state]


def caption(counts: dict[str, int]) -> str:
    """The table's legend with the counts, in the model's words."""
    return (f"✓ {LABELS[FOUND]} {counts[FOUND]} ({LABELS[LATE]} {counts[LATE]}) · — {LABELS[NOT_FOUND]} "
            f"{counts[NOT_FOUND]} · n/c {LABELS[NOT_COLLECTED]} {counts[NOT_COLLECTED]} · … {LABELS[NOT_DUE]} "
            f"{counts[NOT_DUE]} · ✎ edited after publication · * the government itself (deadline 31 March)")


@click.command("completeness")
@click.option("--db", default="data/ogi.db", show_default=True, help="SQLite database.")
@click.option("--year", "years", type=YEAR, multiple=True, help="Only this report year (repeatable).")
@click.option("--from", "year_from", type=YEAR, help="First report year.")
@click.option("--to", "year_to", type=YEAR, help="Last report year.")
@click.option("--site", "site_ids", multiple=True, help="Only this site id (repeatable).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one line per agency and year).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per agency and year).")
def completeness_command(db, years, year_from, year_to, site_ids, as_csv, as_json) -> None:
    """Agency × year matrix: found (with the publication date; late after the legal deadline), not found,
    not collected (site blocked, unreachable or without a family module), not yet due."""
    if year_from is not None and year_to is not None and year_from > year_to:
        raise click.UsageError(f"--from {year_from} is after --to {year_to}")
    try:
        matrix = completeness(db, list(years) or None, year_from=year_from, year_to=year_to,
                              site_ids=list(site_ids) or None)
    except CompletenessError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_csv:
        click.echo(to_csv(matrix), nl=False)
        return
    if as_json:
        click.echo(to_json(matrix))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"completeness (as of {matrix.as_of})", title_justify="left")
    table.add_column("site")
    table.add_column("agency")
    for y in matrix.years:
        table.add_column(str(y), justify="center")
    for row in matrix.rows:
        table.add_row(row.site_id or "", row.agency + (" *" if row.is_government else ""),
                      *(_cell_text(row.cells[y]) for y in matrix.years))
    table.caption = caption(matrix.counts())
    Console(highlight=False).print(table)
