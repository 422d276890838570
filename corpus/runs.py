"""Sites, crawl runs and crawl errors: what each crawl did, so 'not collected' is never read as 'not published'."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from corpus.db import (
    RUN_STATUSES,
    StoreBase,
    StoreError,
    _json,
    utcnow,
)

logger = logging.getLogger(__name__)


class RunsMixin(StoreBase):
    """Writes and reads of sites, crawl_runs and crawl_errors."""

    def upsert_site(
        self,
        site_id: str,
        name: str | None,
        province: str | None,
        city: str | None,
        county: str | None,
        adcode: str | None,
        entry_urls: list[str],
        platform: str | None,
        verified: bool,
        notes: str = "",
    ) -> None:
        """Insert or update a registry site (first_seen kept)."""
        now = utcnow()
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO sites (site_id, name, province, city, county, adcode, entry_urls, platform,
                                      verified, notes, first_seen, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(site_id) DO UPDATE SET
                     name = excluded.name, province = excluded.province, city = excluded.city,
                     county = excluded.county, adcode = excluded.adcode, entry_urls = excluded.entry_urls,
                     platform = excluded.platform, verified = excluded.verified, notes = excluded.notes,
                     updated_at = excluded.updated_at""",
                (site_id, name, province, city, county, adcode, _json(list(entry_urls)), platform,
                 int(bool(verified)), notes or "", now, now),
            )

    def start_run(self, site_id: str | None) -> int:
        """Open a crawl run (status 'running'); returns run_id."""
        with self.transaction() as conn:
            self._check_fk(site_id)
            cur = conn.execute("INSERT INTO crawl_runs (site_id, started_at) VALUES (?, ?)", (site_id, utcnow()))
            return int(cur.lastrowid)

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        list_pages: int,
        detail_pages: int,
        attachments: int,
        reports: int | None,
        errors: int,
        message: str = "",
        list_items: int | None = None,
        unchanged: int | None = None,
        skipped: int | None = None,
    ) -> None:
        if not status or not isinstance(status, str):
            raise StoreError(f"run status must be a non-empty string, not {status!r}")
        if status not in RUN_STATUSES:
            logger.warning("run %s: unusual status %r (known: %s)", run_id, status, ", ".join(RUN_STATUSES))
        with self.transaction() as conn:
            cur = conn.execute(
                """UPDATE crawl_runs SET finished_at = ?, status = ?, list_pages = ?, detail_pages = ?,
                   attachments = ?, reports = COALESCE(?, reports), errors = ?, message = ?, list_items = ?, unchanged = ?,
                   skipped = ? WHERE run_id = ?""",
                (utcnow(), status, list_pages, detail_pages, attachments, reports, errors, message or "",
                 list_items, unchanged, skipped, run_id),
            )
            if cur.rowcount == 0:
                raise StoreError(f"unknown run_id {run_id!r}")

    def count_run_reports(self, run_id: int | None, n: int = 1) -> None:
        """A report of this run was stored after the crawl handed it on (extraction by a worker): count it.
        `finish_run(reports=None)` leaves this count alone."""
        if run_id is None:
            return
        with self.transaction() as conn:
            conn.execute("UPDATE crawl_runs SET reports = COALESCE(reports, 0) + ? WHERE run_id = ?", (n, run_id))

    def close_stale_runs(self, site_ids: Sequence[str] | None = None) -> int:
        """Mark runs left 'running' by a process that died (kill -9, power loss) as 'interrupted'.

        Called when a crawl starts, under the crawl lock, so no 'running' row of these sites can belong
        to a live process. Returns how many rows were closed.
        """
        where, params = "status = 'running'", []
        if site_ids is not None:
            where += f" AND site_id IN ({','.join('?' * len(site_ids))})"
            params = list(site_ids)
        with self.transaction() as conn:
            cur = conn.execute(
                f"""UPDATE crawl_runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?),
                    message = CASE WHEN message = '' THEN 'the crawl process ended without closing this run'
                                   ELSE message END WHERE {where}""",
                [utcnow(), *params],
            )
            closed = cur.rowcount
        if closed:
            logger.warning("closed %d crawl run(s) left running by an earlier process as 'interrupted'", closed)
        return closed

    def record_error(self, run_id: int | None, site_id: str | None, url: str | None, kind: str, message: str) -> int:
        """Log a crawl problem (unreachable, http_404, blocked, parse, extract, ...)."""
        with self.transaction() as conn:
            self._check_fk(site_id, run_id)
            cur = conn.execute(
                "INSERT INTO crawl_errors (run_id, site_id, url, kind, message, at) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, site_id, url, kind, message or "", utcnow()),
            )
            return int(cur.lastrowid)

    # -- captures and raw bytes ------------------------------------------------------------------

    def has_error(self, run_id: int | None, url: str, kind: str) -> bool:
        """Whether this run recorded a problem of this kind for this URL."""
        return self._scalar(
            "SELECT 1 FROM crawl_errors WHERE run_id IS ? AND url = ? AND kind = ? LIMIT 1", (run_id, url, kind)
        ) is not None
