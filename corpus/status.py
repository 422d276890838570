"""The crawl history `ogi status` judges: each registered site, its latest runs and the last run's errors.

Read only, on a connection from `corpus.readonly.open_readonly`; sqlite3 errors propagate (the caller
turns them into its message with `corpus.readonly.reading`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

# Columns of crawl_runs every schema version has; list_items/unchanged/skipped came later (schema.py).
_RUN_COLUMNS = "run_id, started_at, finished_at, status, list_pages, detail_pages, attachments, reports, errors, message"
_LATER_RUN_COLUMNS = ", list_items, unchanged, skipped"


@dataclass
class SiteHistory:
    """One registered site: its latest runs (latest first) and the errors of the latest one."""

    site_id: str
    name: str | None
    runs: list[dict[str, Any]] = field(default_factory=list)
    last_run_errors: list[dict[str, Any]] = field(default_factory=list)  # run_id, kind, url, message


def site_histories(conn: sqlite3.Connection, *, runs_per_site: int) -> list[SiteHistory]:
    """Every site in the registry table (by site_id) with at most `runs_per_site` latest runs."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(crawl_runs)")}
    columns = _RUN_COLUMNS + (_LATER_RUN_COLUMNS if "list_items" in cols else "")
    out = []
    # Sites sorted here: code-point order whatever a PostgreSQL server's collation would do with ORDER BY.
    for site_id, name in sorted(conn.execute("SELECT site_id, name FROM sites").fetchall(), key=lambda r: r[0]):
        runs = [dict(r) for r in conn.execute(
            f"SELECT {columns} FROM crawl_runs WHERE site_id = ? ORDER BY run_id DESC LIMIT ?",
            (site_id, runs_per_site))]
        errors = []
        if runs:
            errors = [dict(e) for e in conn.execute(
                "SELECT run_id, kind, url, message FROM crawl_errors WHERE run_id = ? ORDER BY error_id",
                (runs[0]["run_id"],))]
        out.append(SiteHistory(site_id, name, runs, errors))
    return out
