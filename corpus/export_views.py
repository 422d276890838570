"""The reads `ogi export` makes of the corpus: the selected reports with their statistics and captures,
and the crawl history its README describes.

Read only, on a connection from `corpus.readonly.open_readonly` (rows as sqlite3.Row); sqlite3 errors
propagate (the caller turns them into its message with `corpus.readonly.reading`). Every list is in a
stable order (report_id, key, capture_id, site_id), so the same corpus gives the same export.

Text is sorted in Python, not by ORDER BY, where its order reaches the output: Python compares code points,
as SQLite's BINARY collation does, while PostgreSQL sorts by the database's locale (en_US.UTF-8 ignores
punctuation at first and folds case), so both backends give the same export.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from corpus.selection import Selection  # noqa: F401  (re-exported: the one meaning of the report filters)

CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on bound parameters


@dataclass(frozen=True)
class CrawlHistory:
    """The crawl runs of the whole corpus, for the export's README."""

    runs: int
    first_started: str | None
    last_finished: str | None
    sites: int
    by_status: list[tuple[str, int]]  # (status, runs), by status
    error_kinds: list[tuple[str, int]]  # (crawl_errors kind, count), by kind


@contextmanager
def one_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Every read inside sees one state of the corpus, so an export taken while crawlers write never has
    statistics of a report it does not list: one read transaction on SQLite (WAL keeps its snapshot), one
    REPEATABLE READ read-only transaction on PostgreSQL (the facade connection, autocommit otherwise)."""
    pg = not isinstance(conn, sqlite3.Connection)
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if pg else "BEGIN")
    try:
        yield
    except BaseException:
        with suppress(sqlite3.Error):  # a broken connection: the first error is the one to tell
            conn.execute("ROLLBACK")
        raise
    conn.execute("ROLLBACK")  # nothing was written; ends the snapshot


def _chunks(items: list[Any], n: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def selected_reports(conn: sqlite3.Connection, selection: Selection) -> list[dict[str, Any]]:
    """Every column of the selected reports, by report_id (flags, errors, alt_source_urls as stored: JSON)."""
    where, params = selection.where_on(conn)
    return [dict(r) for r in conn.execute(f"SELECT r.* FROM reports r WHERE {where} ORDER BY r.report_id", params)]


def statistic_counts(conn: sqlite3.Connection, report_ids: list[int]) -> dict[int, int]:
    """report_id -> how many statistics it has (reports without any are absent)."""
    out: dict[int, int] = {}
    for chunk in _chunks(report_ids):
        marks = ", ".join("?" * len(chunk))
        for rid, n in conn.execute(
            f"SELECT report_id, count(*) FROM statistics WHERE report_id IN ({marks}) GROUP BY report_id", chunk
        ):
            out[rid] = n
    return out


def report_captures(conn: sqlite3.Connection, report_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """report_id -> its captures (role, url, sha256), by capture_id."""
    out: dict[int, list[dict[str, Any]]] = {}
    for chunk in _chunks(report_ids):
        marks = ", ".join("?" * len(chunk))
        for c in conn.execute(
            f"""SELECT rc.report_id, rc.role, c.url, c.sha256 FROM report_captures rc
                JOIN captures c USING (capture_id) WHERE rc.report_id IN ({marks})
                ORDER BY rc.report_id, c.capture_id""",
            chunk,
        ):
            out.setdefault(c["report_id"], []).append(dict(c))
    return out


def selected_statistics(conn: sqlite3.Connection, selection: Selection) -> list[dict[str, Any]]:
    """The statistics of the selected reports, by (report_id, key), with the report's agency, adcode and
    year and the capture each was read from (capture_url, capture_sha256, fetched_at)."""
    where, params = selection.where_on(conn)
    sql = f"""SELECT s.report_id, r.agency, r.adcode, r.report_year, s.key, s.value, s.source, s.evidence,
                     s.capture_id, c.url AS capture_url, c.sha256 AS capture_sha256, c.first_seen AS fetched_at
              FROM statistics s JOIN reports r ON r.report_id = s.report_id
              LEFT JOIN captures c ON c.capture_id = s.capture_id
              WHERE {where}"""
    rows = [dict(r) for r in conn.execute(sql, params)]
    rows.sort(key=lambda r: (r["report_id"], r["key"]))  # code-point order (module docstring)
    return rows


def latest_crawl_time(conn: sqlite3.Connection) -> str | None:
    """The latest time anything was crawled or saved (runs, captures, reports); None for an empty corpus."""
    row = conn.execute(
        """SELECT max(t) FROM (SELECT max(coalesce(finished_at, started_at)) AS t FROM crawl_runs
                               UNION ALL SELECT max(last_seen) FROM captures
                               UNION ALL SELECT max(last_seen) FROM reports) AS times"""
    ).fetchone()
    return row[0]


def crawl_history(conn: sqlite3.Connection) -> CrawlHistory:
    """Counts and time span of all crawl runs, runs by status, crawl errors by kind."""
    runs = conn.execute(
        """SELECT count(*), min(started_at), max(coalesce(finished_at, started_at)), count(DISTINCT site_id)
           FROM crawl_runs"""
    ).fetchone()
    by_status = sorted(tuple(r) for r in conn.execute("SELECT status, count(*) FROM crawl_runs GROUP BY status"))
    kinds = sorted(tuple(r) for r in conn.execute("SELECT kind, count(*) FROM crawl_errors GROUP BY kind"))
    return CrawlHistory(runs[0], runs[1], runs[2], runs[3], by_status, kinds)


def site_rows(conn: sqlite3.Connection, site_ids: list[str]) -> list[tuple[Any, ...]]:
    """(site_id, name, province, platform, latest crawl time) of these sites, by site_id."""
    out: list[tuple[Any, ...]] = []
    for chunk in _chunks(site_ids):
        out += [tuple(r) for r in conn.execute(
            f"""SELECT s.site_id, s.name, s.province, s.platform,
                       (SELECT max(coalesce(finished_at, started_at)) FROM crawl_runs cr WHERE cr.site_id = s.site_id)
                FROM sites s WHERE s.site_id IN ({', '.join('?' * len(chunk))})""",
            chunk,
        )]
    return sorted(out, key=lambda r: r[0])
