"""What a crawl did, read back from the database (so the summary and the record can never disagree).
A read view: `ogi crawl` and `ogi demo` print it after a crawl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.readonly import open_readonly


def _none_first(value: Any) -> tuple[bool, Any]:
    """A sort key that orders like SQLite's ORDER BY: NULL before every value."""
    return (value is not None, value if value is not None else 0)


def crawl_summary(db_path: str | Path, run_ids: list[int]) -> dict[str, Any]:
    """Runs, reports by agency and year, and problems of the given crawl runs."""
    conn = open_readonly(db_path)
    try:
        marks = ",".join("?" * len(run_ids)) or "NULL"
        runs = [dict(r) for r in conn.execute(
            f"""SELECT r.run_id, r.site_id, COALESCE(s.name, r.site_id) AS site_name, r.status,
                       COALESCE(r.list_pages, 0) AS list_pages, COALESCE(r.detail_pages, 0) AS detail_pages,
                       COALESCE(r.attachments, 0) AS attachments, COALESCE(r.reports, 0) AS reports,
                       COALESCE(r.errors, 0) AS errors, r.message
                FROM crawl_runs r LEFT JOIN sites s ON s.site_id = r.site_id
                WHERE r.run_id IN ({marks})""", run_ids)]
        runs.sort(key=lambda r: r["site_id"] or "")  # in Python: code-point order on both backends
        site_ids = [r["site_id"] for r in runs]
        site_marks = ",".join("?" * len(site_ids)) or "NULL"
        # Grouped here, not with GROUP_CONCAT (SQLite's; PostgreSQL has string_agg): one SQL for both backends,
        # and the order is Python's (code points, None first), the same whatever the server's collation.
        grouped: dict[tuple, list[int | None]] = {}
        for r in conn.execute(
            f"SELECT province, county, agency, report_year FROM reports WHERE site_id IN ({site_marks})", site_ids
        ).fetchall():
            grouped.setdefault((r["province"], r["county"], r["agency"]), []).append(r["report_year"])
        reports = [
            {"region": f"{province or ''} {county or ''}".strip(), "agency": agency,
             "years": " ".join(str(y) for y in sorted(years, key=_none_first) if y is not None) or None,
             "n": len(years)}
            for (province, county, agency), years in sorted(grouped.items(),
                                                            key=lambda kv: tuple(map(_none_first, kv[0])))
        ]
        report_count = conn.execute(
            f"SELECT COUNT(*) FROM reports WHERE site_id IN ({site_marks})", site_ids).fetchone()[0]
        errors = [dict(r) for r in conn.execute(
            f"""SELECT site_id, url, kind, message FROM crawl_errors WHERE run_id IN ({marks})
                ORDER BY error_id""", run_ids)]
    finally:
        conn.close()
    return {"runs": runs, "reports": reports, "report_count": report_count, "errors": errors}
