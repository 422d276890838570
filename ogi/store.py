"""The corpus database: a typed API over sqlite-utils (schema in `ogi.schema`).

Why a wrapper: the crawler, the extract pipeline and the CLI must agree on
identity rules (captures unique on (url, sha256), reports on (agency, year),
statistics on (report_id, key)) so that re-running a crawl never duplicates a
row, and every report is written in one transaction so a crash cannot leave
half a report. Raw bytes are kept content-addressed on disk so any record can
be re-extracted without re-crawling.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from extract.record import Record
from ogi import schema
from ogi.bigrams import to_index_text

logger = logging.getLogger(__name__)

# Known values; others are stored as given with a warning (a new crawler state must not crash a crawl).
CAPTURE_KINDS = ("robots", "entry", "list", "detail", "attachment", "other")
RUN_STATUSES = ("ok", "partial", "failed", "unreachable", "interrupted", "blocked", "needs_family",
                "budget_exceeded")
# text_source values meaning the text came from an attachment, not the page itself.
_ATTACHMENT_SOURCES = ("pdf", "docx", "doc", "ocr", "xls", "xlsx", "wps")
# Flag prefix of a report whose page served different content after it was first stored.
EDITED_FLAG = "edited after publication"
# Report columns whose change makes a new version (with the statistics).
_VERSIONED = ("title", "published_at", "document_date", "form", "text", "report_year", "agency")


class StoreError(Exception):
    """A store operation was refused or failed (bad argument, unknown id, broken database)."""


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Store:
    """One SQLite database (WAL, foreign keys on) plus its raw-bytes directory.

    One connection for the process (`check_same_thread=False` so Scrapy's
    thread pool may call it); writes are serialized by a lock.
    """

    def __init__(self, db_path: str | Path, raw_dir: str | Path | None = None) -> None:
        self.db_path = Path(db_path)
        if str(db_path) != ":memory:":
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.raw_dir = Path(raw_dir) if raw_dir is not None else self.db_path.parent / "raw"
        self._lock = threading.RLock()
        conn = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        found = schema.schema_version(self.db)
        if found > schema.SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{db_path} has schema version {found}, newer than this ogi ({schema.SCHEMA_VERSION}); upgrade ogi"
            )
        try:
            schema.migrate(self.db)
        except RuntimeError as exc:
            raise StoreError(str(exc)) from exc

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (nests as a no-op)."""
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # Reads take the lock too: one connection is shared, and a cursor must not interleave with a write.
    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        with self._lock:
            cur = self.conn.execute(sql, params)
            row = cur.fetchone()
            if row is None:
                return None
            return dict(zip([d[0] for d in cur.description], row, strict=True))

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cur = self.conn.execute(sql, params)
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            row = self.conn.execute(sql, params).fetchone()
            return row[0] if row else None

    def _check_fk(self, site_id: str | None, run_id: int | None = None) -> None:
        """Turn a foreign-key violation into a message that says what to call first."""
        if site_id is not None and self._scalar("SELECT 1 FROM sites WHERE site_id = ?", (site_id,)) is None:
            raise StoreError(f"unknown site_id {site_id!r}: call upsert_site() first")
        if run_id is not None and self._scalar("SELECT 1 FROM crawl_runs WHERE run_id = ?", (run_id,)) is None:
            raise StoreError(f"unknown run_id {run_id!r}: call start_run() first")

    # -- sites and runs -----------------------------------------------------------------------

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
        reports: int,
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
                   attachments = ?, reports = ?, errors = ?, message = ?, list_items = ?, unchanged = ?,
                   skipped = ? WHERE run_id = ?""",
                (utcnow(), status, list_pages, detail_pages, attachments, reports, errors, message or "",
                 list_items, unchanged, skipped, run_id),
            )
            if cur.rowcount == 0:
                raise StoreError(f"unknown run_id {run_id!r}")

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

    def raw_path(self, sha256: str) -> Path:
        return self.raw_dir / sha256[:2] / sha256

    def _write_raw(self, sha256: str, body: bytes) -> str:
        """Write bytes content-addressed (temp file + rename, so readers never see half a file)."""
        path = self.raw_path(sha256)
        if path.exists() and path.stat().st_size == len(body):
            return f"{sha256[:2]}/{sha256}"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return f"{sha256[:2]}/{sha256}"

    def record_capture(
        self,
        url: str,
        *,
        site_id: str | None,
        run_id: int | None,
        kind: str,
        status: int | None,
        content_type: str | None,
        body: bytes | None,
        error: str | None = None,
        final_url: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> int:
        """Store one fetch; returns capture_id (the existing one when these bytes were seen before)."""
        if not kind or not isinstance(kind, str):
            raise StoreError(f"capture kind must be a non-empty string, not {kind!r}")
        if kind not in CAPTURE_KINDS:
            logger.warning("capture of %s: unusual kind %r (known: %s)", url, kind, ", ".join(CAPTURE_KINDS))
        sha = hashlib.sha256(body).hexdigest() if body is not None else None
        raw_rel = self._write_raw(sha, body) if sha is not None and body is not None else None
        now = utcnow()
        headers_json = _json(headers) if headers is not None else None
        with self.transaction() as conn:
            self._check_fk(site_id, run_id)
            existing = self._one("SELECT capture_id FROM captures WHERE url = ? AND sha256 IS ?", (url, sha))
            if existing is not None:
                cid = int(existing["capture_id"])
                conn.execute(
                    """UPDATE captures SET last_seen = ?, fetch_count = fetch_count + 1, status = ?,
                       content_type = COALESCE(?, content_type), error = ?, final_url = COALESCE(?, final_url),
                       headers = COALESCE(?, headers), last_run_id = COALESCE(?, last_run_id),
                       site_id = COALESCE(site_id, ?) WHERE capture_id = ?""",
                    (now, status, content_type, error, final_url, headers_json, run_id, site_id, cid),
                )
                return cid
            cur = conn.execute(
                """INSERT INTO captures (url, final_url, site_id, first_seen, last_seen, fetch_count, status,
                   content_type, sha256, size, raw_path, error, kind, headers, last_run_id)
                   VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (url, final_url, site_id, now, now, status, content_type, sha,
                 len(body) if body is not None else None, raw_rel, error, kind, headers_json, run_id),
            )
            return int(cur.lastrowid)

    def capture(self, capture_id: int) -> dict[str, Any]:
        row = self._one("SELECT * FROM captures WHERE capture_id = ?", (capture_id,))
        if row is None:
            raise StoreError(f"unknown capture_id {capture_id!r}")
        return row

    def latest_capture(self, url: str) -> dict[str, Any] | None:
        """The newest successful capture (HTTP 2xx with a body) of a URL, headers decoded; None if never fetched."""
        row = self._one(
            """SELECT * FROM captures WHERE url = ? AND sha256 IS NOT NULL AND status BETWEEN 200 AND 299
               ORDER BY last_seen DESC, capture_id DESC LIMIT 1""",
            (url,),
        )
        if row is not None:
            row["headers"] = json.loads(row["headers"]) if row.get("headers") else {}
        return row

    def capture_headers(self, capture_id: int) -> dict[str, Any]:
        """Response headers of a capture's latest fetch ({} when none were kept)."""
        raw = self._scalar("SELECT headers FROM captures WHERE capture_id = ?", (capture_id,))
        return json.loads(raw) if raw else {}

    def has_error(self, run_id: int | None, url: str, kind: str) -> bool:
        """Whether this run recorded a problem of this kind for this URL."""
        return self._scalar(
            "SELECT 1 FROM crawl_errors WHERE run_id IS ? AND url = ? AND kind = ? LIMIT 1", (run_id, url, kind)
        ) is not None

    def page_state(self, url: str) -> dict[str, Any] | None:
        """What the last judged fetch of a detail page concluded (see schema: page_state)."""
        row = self._one("SELECT * FROM page_state WHERE url = ?", (url,))
        if row is not None:
            row["capture_ids"] = json.loads(row["capture_ids"] or "[]")
        return row

    def record_page_state(
        self,
        url: str,
        *,
        site_id: str | None,
        list_title: str,
        list_date: str,
        outcome: str,
        report_id: int | None,
        capture_ids: list[int],
        validators: bool,
    ) -> None:
        """Remember how a detail page (with its attachments) was judged, for the next run's skip decision."""
        now = utcnow()
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO page_state (url, site_id, list_title, list_date, outcome, report_id, capture_ids,
                                            validators, checked_at, listed_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET site_id = excluded.site_id, list_title = excluded.list_title,
                     list_date = excluded.list_date, outcome = excluded.outcome, report_id = excluded.report_id,
                     capture_ids = excluded.capture_ids, validators = excluded.validators,
                     checked_at = excluded.checked_at, listed_at = excluded.listed_at""",
                (url, site_id, list_title or "", list_date or "", outcome, report_id, _json(list(capture_ids)),
                 int(bool(validators)), now, now),
            )

    def touch_page(self, url: str) -> None:
        """A list showed this page again (not fetched): move listed_at and the report's last_seen."""
        now = utcnow()
        with self.transaction() as conn:
            conn.execute("UPDATE page_state SET listed_at = ? WHERE url = ?", (now, url))
            conn.execute(
                "UPDATE reports SET last_seen = ? WHERE report_id = (SELECT report_id FROM page_state WHERE url = ?)",
                (now, url),
            )

    def report_for_capture(self, capture_id: int) -> int | None:
        """The report built from this capture (its page or an attachment), if any."""
        rid = self._scalar(
            "SELECT report_id FROM report_captures WHERE capture_id = ? ORDER BY report_id DESC LIMIT 1",
            (capture_id,),
        )
        return int(rid) if rid is not None else None

    def report_versions(self, report_id: int) -> list[dict[str, Any]]:
        """Earlier versions of a report, oldest first, with flags and statistics decoded."""
        rows = self._all("SELECT * FROM report_versions WHERE report_id = ? ORDER BY version_id", (report_id,))
        for row in rows:
            row["flags"] = json.loads(row["flags"] or "[]")
            row["statistics"] = json.loads(row["statistics"] or "[]")
        return rows

    def raw_bytes(self, sha256: str) -> bytes:
        """The exact bytes of a capture, for re-extraction without re-crawling."""
        sha256 = sha256.lower()
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise StoreError(f"not a sha256 hex digest: {sha256!r}")
        path = self.raw_path(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise StoreError(f"raw bytes {sha256} not found under {self.raw_dir}") from exc

    def report_sources(self, report_id: int) -> list[dict[str, Any]]:
        """The stored bytes a report was built from, page first then attachments, for re-extraction.

        One entry per URL (its newest version): url, final_url, content_type, role, capture_id, sha256, body.
        Entries whose bytes are missing (failed fetch, raw dir moved) have body None.
        """
        rows = self._all(
            """SELECT rc.role, c.capture_id, c.url, c.final_url, c.content_type, c.sha256, c.first_seen
               FROM report_captures rc JOIN captures c USING (capture_id)
               WHERE rc.report_id = ? ORDER BY rc.role = 'attachment', c.first_seen DESC, c.capture_id DESC""",
            (report_id,),
        )
        out, seen = [], set()
        for row in rows:
            if row["url"] in seen:
                continue
            seen.add(row["url"])
            body = None
            if row["sha256"]:
                try:
                    body = self.raw_bytes(row["sha256"])
                except StoreError:
                    logger.warning("raw bytes of capture %s (%s) missing", row["capture_id"], row["url"])
            out.append({**row, "body": body})
        order = {r["url"]: i for i, r in enumerate(sorted(rows, key=lambda r: r["capture_id"]))}
        return sorted(out, key=lambda r: (r["role"] == "attachment", order[r["url"]]))

    # -- reports ---------------------------------------------------------------------------------

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

    def save_report(self, record: Record, *, site_id: str | None, capture_ids: list[int]) -> int | None:
        """Insert or update a report, its statistics, capture links and search entry, atomically.

        Returns report_id, or None when `record.is_report` is False (nothing stored).
        Saving an unchanged record again only moves last_seen.
        """
        if not record.is_report:
            logger.debug("not a report, not stored: %s", record.source_url)
            return None
        fields = self._report_fields(record, site_id)
        stats = self._clean_stats(record)
        now = utcnow()
        with self.transaction() as conn:
            self._check_fk(site_id)
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
                conn.executemany(
                    """INSERT INTO statistics (report_id, key, value, source, evidence, capture_id)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    [(report_id, k, v, src, ev, stat_capture) for k, v, src, ev in stats],
                )
                self._index_report(report_id)
            elif stat_capture is not None:
                # Same numbers, but point them at the newest matching capture only if they had none.
                conn.execute(
                    "UPDATE statistics SET capture_id = ? WHERE report_id = ? AND capture_id IS NULL",
                    (stat_capture, report_id),
                )
        return report_id

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

    _INDEX_COLS = "report_id, title, agency, agency_as_printed, department, province, city, county, report_year, text"

    @staticmethod
    def _index_row(row: Sequence[Any]) -> tuple[Any, ...]:
        """(rowid, title, agency, meta, text) for reports_fts from a row of _INDEX_COLS."""
        rid, title, agency, printed, department, province, city, county, year, text = row
        agencies = " ".join(dict.fromkeys(x for x in (agency, printed) if x))
        meta = " ".join(str(x) for x in (year, province, city, county, department) if x)
        return (rid, to_index_text(title), to_index_text(agencies), to_index_text(meta), to_index_text(text))

    def _index_report(self, report_id: int) -> None:
        """Replace the search-index row of one report (call inside a transaction)."""
        row = self.conn.execute(f"SELECT {self._INDEX_COLS} FROM reports WHERE report_id = ?", (report_id,)).fetchone()
        self.conn.execute("DELETE FROM reports_fts WHERE rowid = ?", (report_id,))
        if row is None:
            return
        self.conn.execute("INSERT INTO reports_fts (rowid, title, agency, meta, text) VALUES (?, ?, ?, ?, ?)",
                          self._index_row(row))

    def rebuild_search_index(self) -> int:
        """Re-create the search index from the reports table (after a tokenizer change); returns rows indexed.

        One streaming pass (no per-report lookup and delete on an index just emptied): at 100,000
        reports the rebuild is dominated by tokenizing and FTS5 itself (benchmarks/RESULTS-search.md).
        """
        with self.transaction() as conn:
            conn.execute("DELETE FROM reports_fts")
            rows = conn.execute(f"SELECT {self._INDEX_COLS} FROM reports ORDER BY report_id")
            cur = conn.executemany("INSERT INTO reports_fts (rowid, title, agency, meta, text) VALUES (?, ?, ?, ?, ?)",
                                   map(self._index_row, rows))
            n = cur.rowcount
        logger.info("search index rebuilt: %d reports", n)
        return n

    def delete_report(self, report_id: int) -> None:
        """Remove a report with its statistics, capture links and search entry (captures stay)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM reports_fts WHERE rowid = ?", (report_id,))
            conn.execute("DELETE FROM statistics WHERE report_id = ?", (report_id,))
            conn.execute("DELETE FROM report_captures WHERE report_id = ?", (report_id,))
            conn.execute("DELETE FROM reports WHERE report_id = ?", (report_id,))

    # -- reading -----------------------------------------------------------------------------------

    @staticmethod
    def _decode_report(row: dict[str, Any]) -> dict[str, Any]:
        for col in ("flags", "errors", "alt_source_urls"):
            if isinstance(row.get(col), str):
                row[col] = json.loads(row[col])
        if "is_report" in row:
            row["is_report"] = bool(row["is_report"])
        return row

    def report(self, report_id: int) -> dict[str, Any]:
        """A report row with flags/errors decoded, plus `stats` (with evidence and capture) and `captures`."""
        row = self._one("SELECT * FROM reports WHERE report_id = ?", (report_id,))
        if row is None:
            raise StoreError(f"unknown report_id {report_id!r}")
        row = self._decode_report(row)
        row["stats"] = self._all(
            "SELECT key, value, source, evidence, capture_id FROM statistics WHERE report_id = ? ORDER BY key",
            (report_id,),
        )
        for s in row["stats"]:
            if float(s["value"]).is_integer():
                s["value"] = int(s["value"])
        row["captures"] = self._all(
            """SELECT rc.role, c.capture_id, c.url, c.final_url, c.kind, c.status, c.content_type, c.sha256,
                      c.size, c.raw_path, c.first_seen, c.last_seen
               FROM report_captures rc JOIN captures c USING (capture_id)
               WHERE rc.report_id = ? ORDER BY c.capture_id""",
            (report_id,),
        )
        return row

    _FILTERS = {
        "province": "province = ?",
        "city": "city = ?",
        "county": "county = ?",
        "adcode": "adcode LIKE ? || '%'",
        "year": "report_year = ?",
        "report_year": "report_year = ?",
        "agency": "agency LIKE '%' || ? || '%' ESCAPE '\\'",
        "department": "department LIKE '%' || ? || '%' ESCAPE '\\'",
        "form": "form = ?",
        "site_id": "site_id = ?",
        "source_url": "source_url = ?",
    }

    def where_clause(self, table_alias: str = "", **filters: Any) -> tuple[str, list[Any]]:
        """SQL conditions for report filters (None values ignored); shared with ogi.search."""
        clauses, params = [], []
        prefix = f"{table_alias}." if table_alias else ""
        for name, value in filters.items():
            if name not in self._FILTERS:
                raise StoreError(f"unknown filter {name!r}; use one of {sorted(self._FILTERS)}")
            if value is None:
                continue
            clause = self._FILTERS[name]
            if "LIKE '%'" in clause:
                value = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            elif name == "adcode":
                value = "".join(ch for ch in str(value) if ch.isdigit())
            clauses.append(prefix + clause)
            params.append(value)
        return " AND ".join(clauses) or "1", params

    def reports(self, *, limit: int | None = None, with_text: bool = True, **filters: Any) -> list[dict[str, Any]]:
        """Reports matching filters (province/city/county exact, adcode prefix, year exact, agency substring...)."""
        where, params = self.where_clause(**filters)
        cols = "*" if with_text else ", ".join(
            c for c in self.db["reports"].columns_dict if c != "text"
        )
        sql = f"SELECT {cols} FROM reports WHERE {where} ORDER BY province, city, county, agency, report_year"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [self._decode_report(r) for r in self._all(sql, params)]

    def summary(self) -> dict[str, Any]:
        """Counts for a status line: sites, runs, captures, reports by agency/year, errors."""
        def grouped(sql: str) -> dict[Any, int]:
            return {k: int(n) for k, n in self.conn.execute(sql).fetchall()}

        return {
            "schema_version": schema.schema_version(self.db),
            "sites": self._scalar("SELECT count(*) FROM sites"),
            "runs": self._scalar("SELECT count(*) FROM crawl_runs"),
            "runs_by_status": grouped("SELECT status, count(*) FROM crawl_runs GROUP BY status ORDER BY status"),
            "captures": self._scalar("SELECT count(*) FROM captures"),
            "captures_by_kind": grouped("SELECT kind, count(*) FROM captures GROUP BY kind ORDER BY kind"),
            "raw_bytes": self._scalar("SELECT coalesce(sum(size), 0) FROM captures"),
            "reports": self._scalar("SELECT count(*) FROM reports"),
            "reports_by_year": grouped(
                "SELECT report_year, count(*) FROM reports GROUP BY report_year ORDER BY report_year"
            ),
            "reports_by_agency": grouped(
                "SELECT agency, count(*) FROM reports GROUP BY agency ORDER BY count(*) DESC, agency"
            ),
            "statistics": self._scalar("SELECT count(*) FROM statistics"),
            "errors": self._scalar("SELECT count(*) FROM crawl_errors"),
            "errors_by_kind": grouped("SELECT kind, count(*) FROM crawl_errors GROUP BY kind ORDER BY kind"),
        }
