"""Writing reports: identity (agency, year, adcode), versions when a page changes, statistics with provenance, one transaction per report."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from typing import Any

from corpus.db import (
    _ATTACHMENT_SOURCES,
    _VERSIONED,
    EDITED_FLAG,
    StoreBase,
    StoreError,
    _json,
    utcnow,
)
from extract.record import Record, SealedRecord

logger = logging.getLogger(__name__)


def _opened(record: Record | SealedRecord, site_id: str | None, capture_ids: list[int],
            text_index: tuple | None) -> tuple[Record, str | None, list[int], tuple | None]:
    if isinstance(record, SealedRecord):
        record, text_index = record.open()
    return record, site_id, capture_ids, text_index


class ReportWriter(StoreBase):
    """save_report and what it needs; delete_report."""

    def _find_report(self, record: Record) -> dict[str, Any] | None:
        """Identity: (agency, report_year, adcode); else source_url; else sha256.

        The adcode keeps apart same-named agencies of different counties (朝阳区 is in Beijing and in
        Changchun). A row saved before the adcode was known is adopted by the first record that has one.
        """
        if record.agency and record.report_year is not None:
            adcode = record.region.adcode or ""
            row = self._one(
                "SELECT * FROM reports WHERE agency = ? AND report_year = ? AND COALESCE(adcode, '') = ?",
                (record.agency, record.report_year, adcode),
            )
            if row is None and adcode:
                row = self._one(
                    """SELECT * FROM reports WHERE agency = ? AND report_year = ? AND COALESCE(adcode, '') = ''
                       ORDER BY report_id LIMIT 1""",
                    (record.agency, record.report_year),
                )
            if row is not None:
                return row
            # A row saved earlier from the same URL before agency/year were known: adopt it.
            if record.source_url:
                return self._one(
                    """SELECT * FROM reports WHERE source_url = ? AND (agency IS NULL OR report_year IS NULL)
                       ORDER BY report_id LIMIT 1""",
                    (record.source_url,),
                )
            return None
        if record.source_url:
            return self._one(
                """SELECT * FROM reports WHERE source_url = ? AND (agency IS NULL OR report_year IS NULL)
                   ORDER BY report_id LIMIT 1""",
                (record.source_url,),
            )
        if record.sha256:
            return self._one(
                """SELECT * FROM reports WHERE sha256 = ? AND source_url IS NULL
                   AND (agency IS NULL OR report_year IS NULL) ORDER BY report_id LIMIT 1""",
                (record.sha256,),
            )
        return None

    @staticmethod
    def _identity_key(record: Record) -> str:
        """What two concurrent saves of the same report share (the lock key of `_lock_identity`)."""
        if record.agency and record.report_year is not None:
            return f"report|{record.agency}|{record.report_year}"
        return f"report-url|{record.source_url or record.sha256 or ''}"

    @staticmethod
    def _report_fields(record: Record, site_id: str | None) -> dict[str, Any]:
        r = record.region
        return {
            "agency": record.agency,
            "agency_as_printed": record.agency_as_printed,
            "department": record.department,
            "province": r.province,
            "city": r.city,
            "county": r.county,
            "adcode": r.adcode,
            "report_year": record.report_year,
            "title": record.title,
            "published_at": record.published_at,
            "document_date": record.document_date,
            "form": record.form,
            "source_url": record.source_url,
            "sha256": record.sha256,
            "text": record.text or "",
            "text_source": record.text_source,
            "is_report": 1,
            "flags": _json(list(record.flags)),
            "errors": _json(list(record.errors)),
            "site_id": site_id,
        }

    @staticmethod
    def _clean_stats(record: Record) -> list[tuple[str, float, str, str]]:
        """Stats as rows; a non-numeric value is dropped with a warning, a repeated key keeps the last value."""
        by_key: dict[str, tuple[str, float, str, str]] = {}
        for s in record.stats:
            try:
                value = float(s.value)
            except (TypeError, ValueError):
                value = math.nan
            if not s.key or not math.isfinite(value):
                logger.warning("dropping stat %r = %r of %s: not a finite number", s.key, s.value, record.source_url)
                continue
            if s.key in by_key:
                logger.warning("duplicate stat key %s in %s; the last value wins", s.key, record.source_url)
            by_key[s.key] = (s.key, value, s.source or "", s.evidence or "")
        return list(by_key.values())

    def _stat_capture(self, record: Record, captures: list[dict[str, Any]]) -> int | None:
        """The capture the numbers were read from: the one with the record's sha256, else a guess by text_source."""
        if not captures:
            return None
        for c in captures:
            if record.sha256 and c["sha256"] == record.sha256:
                return int(c["capture_id"])
        if record.text_source in _ATTACHMENT_SOURCES:
            for c in captures:
                if c["kind"] == "attachment":
                    return int(c["capture_id"])
        return int(captures[0]["capture_id"])

    def save_report(self, record: Record, *, site_id: str | None, capture_ids: list[int],
                    text_index: tuple[str | None, tuple[str, str]] | None = None) -> int | None:
        """Insert or update a report, its statistics, capture links and search entry, atomically.

        Returns report_id, or None when `record.is_report` is False (nothing stored).
        Saving an unchanged record again only moves last_seen. `text_index`: the search index's columns of the
        record's text computed by an extraction worker (corpus.search_index.index_row; SQLite only).
        """
        if not record.is_report:
            logger.debug("not a report, not stored: %s", record.source_url)
            return None
        fields = self._report_fields(record, site_id)
        stats = self._clean_stats(record)
        now = utcnow()
        with self.transaction() as conn:
            self._check_fk(site_id)
            self._lock_identity(self._identity_key(record))
            captures = []
            for cid in capture_ids:
                row = self._one("SELECT capture_id, sha256, kind FROM captures WHERE capture_id = ?", (cid,))
                if row is None:
                    raise StoreError(f"unknown capture_id {cid!r}")
                captures.append(row)
            stat_capture = self._stat_capture(record, captures)
            existing = self._find_report(record)
            if existing is not None:
                self._keep_old_version(existing, record, fields, stats, now)
            content_hash = hashlib.sha256(
                _json({"fields": fields, "stats": sorted(stats)}).encode("utf-8")
            ).hexdigest()
            if existing is None:
                cols = {**fields, "alt_source_urls": "[]", "content_hash": content_hash,
                        "first_seen": now, "last_seen": now, "updated_at": now}
                cur = conn.execute(
                    f"INSERT INTO reports ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    list(cols.values()),
                )
                report_id = int(cur.lastrowid)
                changed = True
            else:
                report_id = int(existing["report_id"])
                changed = existing["content_hash"] != content_hash
                if changed:
                    alt = json.loads(existing["alt_source_urls"] or "[]")
                    old_url = existing["source_url"]
                    if old_url and old_url != record.source_url and old_url not in alt:
                        alt.append(old_url)
                    if record.source_url in alt:
                        alt.remove(record.source_url)
                    cols = {**fields, "alt_source_urls": _json(alt), "content_hash": content_hash,
                            "last_seen": now, "updated_at": now}
                    if fields["site_id"] is None:
                        cols["site_id"] = existing["site_id"]
                    conn.execute(
                        f"UPDATE reports SET {', '.join(f'{c} = ?' for c in cols)} WHERE report_id = ?",
                        [*cols.values(), report_id],
                    )
                else:
                    conn.execute("UPDATE reports SET last_seen = ? WHERE report_id = ?", (now, report_id))
            for c in captures:
                role = "attachment" if c["kind"] == "attachment" else "page"
                conn.execute(
                    "INSERT OR IGNORE INTO report_captures (report_id, capture_id, role) VALUES (?, ?, ?)",
                    (report_id, c["capture_id"], role),
                )
            if changed:
                conn.execute("DELETE FROM statistics WHERE report_id = ?", (report_id,))
                confidence = {s.key: s.confidence or "" for s in record.stats}
                conn.executemany(
                    """INSERT INTO statistics (report_id, key, value, source, evidence, capture_id, confidence)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [(report_id, k, v, src, ev, stat_capture, confidence.get(k, "")) for k, v, src, ev in stats],
                )
                if text_index is None:
                    self._index_report(report_id)
                else:
                    self._index_report(report_id, text_index)
            elif stat_capture is not None:
                # Same numbers, but point them at the newest matching capture only if they had none.
                conn.execute(
                    "UPDATE statistics SET capture_id = ? WHERE report_id = ? AND capture_id IS NULL",
                    (stat_capture, report_id),
                )
        return report_id

    def save_reports(self, reports: list[tuple[Record | SealedRecord, str | None, list[int], tuple | None]]
                     ) -> list[BaseException | None]:
        """Save (record, site_id, capture_ids, text_index) reports in one transaction; if any fails, roll all back
        and save each in its own, so one bad report costs only itself. Each report's exception, or None.
        A SealedRecord (a pool worker's) is opened here, its text_index with it.

        Why: a crawl saves reports as they come; a transaction per report cost ~5 ms of the crawl process per
        report (commit, FTS5 segment merges), ~2 ms in batches of 16-64 (benchmarks/RESULTS-crawl.md)."""
        reports = [_opened(*report) for report in reports]
        if len(reports) > 1:
            try:
                with self.transaction():
                    for record, site_id, capture_ids, text_index in reports:
                        self.save_report(record, site_id=site_id, capture_ids=capture_ids, text_index=text_index)
                return [None] * len(reports)
            except Exception:
                logger.debug("a batch of %d reports failed; saving them one by one", len(reports), exc_info=True)
                if self.conn.in_transaction:  # a failed COMMIT may leave it open
                    self.conn.execute("ROLLBACK")
        return [self._save_alone(*report) for report in reports]

    def _save_alone(self, record: Record, site_id: str | None, capture_ids: list[int],
                    text_index: tuple | None) -> BaseException | None:
        try:
            self.save_report(record, site_id=site_id, capture_ids=capture_ids, text_index=text_index)
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, which reports it
            return exc
        return None

    @staticmethod
    def _substance(row: dict[str, Any], stats: list[tuple[str, float]]) -> tuple:
        """What a reader of the report sees: a change here is a new version (a new URL or new bytes alone is not)."""
        return (tuple(row.get(c) or "" for c in _VERSIONED), tuple(sorted((k, float(v)) for k, v in stats)))

    def _keep_old_version(self, existing: dict[str, Any], record: Record, fields: dict[str, Any],
                          stats: list[tuple[str, float, str, str]], now: str) -> None:
        """Before a save replaces a report's content: archive the old content in report_versions, and flag an
        edit when the same page now serves different bytes. Earlier edit flags are carried over (extraction
        rebuilds flags from scratch). Modifies `fields["flags"]`; call inside the save transaction."""
        old_flags = json.loads(existing["flags"] or "[]")
        flags = list(record.flags) + [f for f in old_flags if str(f).startswith(EDITED_FLAG) and f not in record.flags]
        old_stats = self._all(
            "SELECT key, value, source, evidence, capture_id FROM statistics WHERE report_id = ? ORDER BY key",
            (existing["report_id"],),
        )
        before = self._substance(existing, [(s["key"], s["value"]) for s in old_stats])
        after = self._substance(fields, [(k, v) for k, v, _src, _ev in stats])
        if before != after:
            same_page = existing["source_url"] == record.source_url
            if same_page and existing["sha256"] != record.sha256:
                reason = "edited"
                flag = f"{EDITED_FLAG}: content changed on {now[:10]}"
                if flag not in flags:
                    flags.append(flag)
                logger.warning("report %s (%s %s) was edited after publication: %s", existing["report_id"],
                               existing["agency"], existing["report_year"], record.source_url)
            else:
                reason = "re-extracted" if same_page else "other source"
            self.conn.execute(
                """INSERT INTO report_versions (report_id, reason, valid_from, valid_to, title, published_at,
                       document_date, form, source_url, sha256, text, flags, content_hash, statistics)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (existing["report_id"], reason, existing["updated_at"], now, existing["title"],
                 existing["published_at"], existing["document_date"], existing["form"], existing["source_url"],
                 existing["sha256"], existing["text"], existing["flags"], existing["content_hash"], _json(old_stats)),
            )
        fields["flags"] = _json(flags)

    def delete_report(self, report_id: int) -> None:
        """Remove a report with its statistics, capture links and search entry (captures stay)."""
        with self.transaction() as conn:
            self._unindex_report(report_id)
            conn.execute("DELETE FROM statistics WHERE report_id = ?", (report_id,))
            conn.execute("DELETE FROM report_captures WHERE report_id = ?", (report_id,))
            conn.execute("DELETE FROM reports WHERE report_id = ?", (report_id,))

    # -- reading -----------------------------------------------------------------------------------
