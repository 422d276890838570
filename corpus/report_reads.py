"""Reading reports back: one report with its sources and versions, filtered lists, the corpus summary."""

from __future__ import annotations

import json
import logging
from typing import Any

from corpus.db import (
    StoreBase,
    StoreError,
)

logger = logging.getLogger(__name__)


class ReportReader(StoreBase):
    """Reads of reports, versions, sources and the summary."""

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
            "SELECT key, value, source, evidence, capture_id, confidence FROM statistics WHERE report_id = ? "
            "ORDER BY key",
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

    # where_clause's keyword -> the corpus.selection.Selection field it fills (one meaning for every reader)
    _FILTERS = {
        "province": "provinces", "city": "cities", "county": "counties", "adcode": "adcodes", "year": "years",
        "report_year": "years", "agency": "agencies", "department": "departments", "form": "forms",
        "site_id": "site_ids", "source_url": None, "selection": None,
    }

    def where_clause(self, table_alias: str = "", **filters: Any) -> tuple[str, list[Any]]:
        """SQL conditions for report filters (None values ignored), as corpus.selection.Selection means them;
        `selection=` a Selection combined with the others. Shared with corpus.search."""
        import sqlite3

        from corpus.selection import Selection

        binary = isinstance(self.conn, sqlite3.Connection)  # province/city through the index (Selection.where)
        given: dict[str, Any] = {}
        extra, extra_params = [], []
        prefix = f"{table_alias}." if table_alias else ""
        for name, value in filters.items():
            if name not in self._FILTERS:
                raise StoreError(f"unknown filter {name!r}; use one of {sorted(self._FILTERS)}")
            if value is None:
                continue
            if name == "source_url":
                extra.append(f"{prefix}source_url = ?")
                extra_params.append(value)
            elif name == "selection":
                where, params = value.where(table_alias, binary_ranges=binary)
                extra.append(where)
                extra_params += params
            else:
                given[self._FILTERS[name]] = value
        where, params = Selection(**given).where(table_alias, binary_ranges=binary)
        clauses = [c for c in (where, *extra) if c != "1 = 1"]
        return " AND ".join(clauses) or "1 = 1", [*params, *extra_params]

    def reports(self, *, limit: int | None = None, with_text: bool = True, **filters: Any) -> list[dict[str, Any]]:
        """Reports matching filters (where_clause; corpus.selection says what each means)."""
        where, params = self.where_clause(**filters)
        cols = "*" if with_text else ", ".join(
            c for c in self._columns("reports") if c != "text"
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
            "schema_version": self._schema_version(),
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
