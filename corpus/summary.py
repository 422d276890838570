"""What a crawl did, read back from the database (so the summary and the record can never disagree).
A read view: `ogi crawl` and `ogi demo` print it after a crawl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.readonly import open_readonly


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
                WHERE r.run_id IN ({marks}) ORDER BY r.site_id""", run_ids)]
        site_ids = [r["site_id"] for r in runs]
        site_marks = ",".join("?" * len(site_ids)) or "NULL"
        reports = [dict(r) for r in conn.execute(
            f"""SELECT TRIM(COALESCE(province, '') || ' ' || COALESCE(county, '')) AS region, agency,
                       GROUP_CONCAT(report_year, ' ') AS years, COUNT(*) AS n
                FROM (SELECT * FROM reports WHERE site_id IN ({site_marks}) ORDER BY report_year)
                GROUP BY province, county, agency ORDER BY province, county, agency""", site_ids)]
        report_count = conn.execute(
            f"SELECT COUNT(*) FROM reports WHERE site_id IN ({site_marks})", site_ids).fetchone()[0]
        errors = [dict(r) for r in conn.execute(
            f"""SELECT site_id, url, kind, message FROM crawl_errors WHERE run_id IN ({marks})
                ORDER BY error_id""", run_ids)]
    finally:
        conn.close()
    return {"runs": runs, "reports": reports, "report_count": report_count, "errors": errors}
