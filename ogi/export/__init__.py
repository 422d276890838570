"""`ogi export`: turn the corpus database into a dataset a researcher can take away and cite.

Why it is shaped this way: researchers load the numbers in pandas, R, Stata or Excel, and must be
able to (a) trace every number to the capture it came from, (b) know what every column and key
means (bilingual codebook), (c) check they have the exact files that were published (SHA256SUMS,
a content-hash version) and (d) get the same bytes again from the same corpus. So: no export-run
timestamps anywhere, stable ordering by report_id/key, Parquet without writer-dependent metadata,
and a Frictionless Data Package describing the CSVs.

Files written (see `codebook.md` in an export for every column):
reports.csv, statistics_long.csv, statistics_wide.csv, texts.jsonl, *.parquet, optional *.dta,
codebook.csv, codebook.md, datapackage.json, README.md, SHA256SUMS.

Modules: spec (files, columns, ExportError), build (export_dataset), tables (CSV, JSONL, Parquet, Stata),
package (codebook, datapackage.json), readme (README.md), files (safe writing); the SQL reads are in
corpus/export_views.py and the command in ogi/cli/export.py.
"""

from __future__ import annotations

from ogi.export.build import ExportResult, export_dataset
from ogi.export.spec import BOM, SEP, ExportError
from ogi.export.tables import stata_names

__all__ = ["BOM", "SEP", "ExportError", "ExportResult", "export_dataset", "stata_names"]
