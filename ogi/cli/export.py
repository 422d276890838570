"""`ogi export`: the corpus as a citable dataset (the writing is in the ogi.export package)."""

from __future__ import annotations

import click

from ogi.cli.common import db_option, years_option
from ogi.cli.errors import OgiCommand


@click.command("export", cls=OgiCommand)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write.")
@db_option()
@years_option()
@click.option("--province", "provinces", multiple=True, help="Only this province, exact or prefix (repeatable).")
@click.option("--agency", "agencies", multiple=True, help="Only agencies containing this text (repeatable).")
@click.option("--only-passing", is_flag=True, help="Only reports with no flags (every check passed).")
@click.option("--excel", is_flag=True, help="Write CSVs as UTF-8 with BOM so Excel shows Chinese correctly.")
@click.option("--stata", is_flag=True, help="Also write Stata .dta files (format 118, Unicode).")
@click.option("--force", is_flag=True,
              help="Write into a directory holding files ogi export did not write (same-named ones are overwritten).")
def export_command(out_dir: str, db: str, years: tuple[int, ...], provinces: tuple[str, ...],
                   agencies: tuple[str, ...], only_passing: bool, excel: bool, stata: bool, force: bool) -> None:
    """Export the corpus as a citable dataset (CSV, Parquet, JSONL, codebook, data package)."""
    from ogi.export import export_dataset

    result = export_dataset(db, out_dir, years=years or None, provinces=provinces or None,
                            agencies=agencies or None, only_passing=only_passing, excel_bom=excel, stata=stata,
                            force=force)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"{result.n_reports} reports, {result.n_statistics} statistics -> {result.out_dir} "
               f"(version {result.version}, {len(result.files)} files)")
