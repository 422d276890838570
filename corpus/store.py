"""`Store`: the one read-write door to an ogi corpus, composed of one part per concern.

- `corpus.db.StoreBase`: the connection (WAL, foreign keys), transactions, migrations on open.
- `corpus.runs.RunsMixin`: sites, crawl runs, crawl errors.
- `corpus.captures.CapturesMixin`: captures, content-addressed raw files, page state.
- `corpus.reports.ReportWriter` / `corpus.report_reads.ReportReader`: reports, versions, statistics.
- `corpus.search_index.SearchIndexMixin`: the CJK bigram full-text index.

Identity rules every writer relies on: captures are unique on (url, sha256), reports on (agency, year,
adcode), statistics on (report_id, key); every report is written in one transaction.
"""

from __future__ import annotations

from corpus.captures import CapturesMixin
from corpus.db import CAPTURE_KINDS, EDITED_FLAG, RUN_STATUSES, StoreBase, StoreError, utcnow
from corpus.report_reads import ReportReader
from corpus.reports import ReportWriter
from corpus.runs import RunsMixin
from corpus.search_index import SearchIndexMixin


class Store(RunsMixin, CapturesMixin, ReportWriter, ReportReader, SearchIndexMixin, StoreBase):
    """One SQLite corpus database plus its raw-bytes directory (see the module docstring)."""


__all__ = ["CAPTURE_KINDS", "EDITED_FLAG", "RUN_STATUSES", "Store", "StoreError", "utcnow"]
