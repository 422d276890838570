"""`ogi export`: the corpus as a citable dataset (the writing is in the ogi.export package)."""

from __future__ import annotations

import click

from ogi.cli.common import check_site_ids, db_option, report_filter_options
from ogi.cli.errors import OgiCommand


@click.command("export", cls=OgiCommand)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write.")
@db_option()
@report_filter_options()
@click.option("--only-passing", is_flag=True, help="Only reports with no flags (every check passed).")
@click.option("--allow-empty", is_flag=True,
              help="Write an empty package when no report matches (default: refuse, exit 1, nothing written).")
@click.option("--excel", is_flag=True, help="Write CSVs as UTF-8 with BOM so Excel shows Chinese correctly.")
@click.option("--stata", is_flag=True, help="Also write Stata .dta files (format 118, Unicode).")
@click.option("--force", is_flag=True,
              help="Write into a directory holding files ogi export did not write (same-named ones are overwritten).")
def export_command(out_dir: str, db: str, selection, only_passing: bool, allow_empty: bool, excel: bool,
                   stata: bool, force: bool) -> None:
    """Export the corpus as a citable dataset (CSV, Parquet, JSONL, codebook, data package).

    The export is written into a new directory beside DIR and swapped in for it when complete, so a failure
    leaves an earlier export as it was. A DIR holding anything but an earlier ogi export is refused (with
    --force the files are written beside the others, one by one)."""
    import dataclasses
    import logging

    from ogi.export import export_dataset

    # the warnings are printed below, once; without a handler Python's last resort would print them too
    logging.getLogger("ogi.export").addHandler(logging.NullHandler())
    check_site_ids(db, selection)
    selection = dataclasses.replace(selection, only_passing=only_passing)
    result = export_dataset(db, out_dir, selection=selection, excel_bom=excel, stata=stata, force=force,
                            allow_empty=allow_empty)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"{result.n_reports} reports, {result.n_statistics} statistics -> {result.out_dir} "
               f"(version {result.version}, {len(result.files)} files)")
