"""Captures (every fetch, unique on url + sha256) with their raw bytes on disk, and the per-page state incremental crawls keep."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from corpus.db import (
    CAPTURE_KINDS,
    StoreBase,
    StoreError,
    _json,
    utcnow,
)

logger = logging.getLogger(__name__)
# Temporary raw-file names: unique per host (the token), process, thread and write; several machines may share
# the raw directory (scale-out on PostgreSQL).
_TEMP_TOKEN = secrets.token_hex(6)
_TEMP_NAMES = itertools.count()


class CapturesMixin(StoreBase):
    """Captures, content-addressed raw files and page_state."""

    def raw_path(self, sha256: str) -> Path:
        return self.raw_dir / sha256[:2] / sha256

    def _write_raw(self, sha256: str, body: bytes) -> str:
        """Write bytes content-addressed (temp file + rename, so readers never see half a file).

        One stat, one create, one rename per new file (a crawl writes one per page): a directory is made only
        when the create says it is missing, and the temporary name is unique without mkstemp's retries."""
        path = self.raw_path(sha256)
        try:
            if os.stat(path).st_size == len(body):
                return f"{sha256[:2]}/{sha256}"
        except FileNotFoundError:
            pass
        parent = path.parent
        tmp = parent / f".tmp-{_TEMP_TOKEN}-{os.getpid()}-{threading.get_ident()}-{next(_TEMP_NAMES)}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(tmp, flags, 0o600)
        except FileNotFoundError:  # the first file of this directory (or the directory was removed)
            parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, flags, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
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
            self._lock_identity(f"capture|{url}")
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

    def origin_seen(self, origin: str) -> bool:
        """Whether any capture or page state has a URL under `origin` ('http://host:port'): a range of the URL
        indexes (BINARY collation: SQLite's; PostgreSQL's collations may not order URLs so)."""
        low = origin.rstrip("/") + "/"
        high = low[:-1] + "0"  # the character after '/'
        return any(self._one(f"SELECT 1 AS found FROM {table} WHERE url >= ? AND url < ? LIMIT 1", (low, high))
                   for table in ("captures", "page_state"))

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
