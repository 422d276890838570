"""The crawl lock: one crawl per database at a time (cron overlap, a second terminal).

On PostgreSQL, where crawl workers on many machines write to one database at once, the lock is per site:
a session-level advisory lock on each site the crawl covers, released by the server when the holder's
connection ends (kill -9 included), so two crawls of one site never overlap and crawls of other sites go on.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class CrawlLocked(Exception):
    """Another `ogi crawl` holds the lock on this database (the CLI exits with code 4)."""


def lock_path(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".lock")


def site_lock_key(site_id: str) -> str:
    """The text whose hash is the advisory-lock key of a site's crawl (PostgreSQL)."""
    return f"ogi crawl|{site_id}"


@contextmanager
def _pg_site_locks(url: str, site_ids: Sequence[str]) -> Iterator[str]:
    from corpus.pg_conn import PgConnection, redact

    conn = PgConnection(url, application_name="ogi crawl lock")
    try:
        for site_id in site_ids:
            got = conn.execute("SELECT pg_try_advisory_lock(hashtextextended(?, 0))",
                               (site_lock_key(site_id),)).fetchone()[0]
            if not got:
                raise CrawlLocked(f"another ogi crawl is running site {site_id} on {redact(url)}; "
                                  "not starting a second one")
        yield url
    finally:
        conn.close()  # the server releases every advisory lock of the session


def live_site_ids(url: str, site_ids: Sequence[str]) -> set[str]:
    """The sites among `site_ids` whose crawl lock some session holds right now (PostgreSQL)."""
    from corpus.pg_conn import PgConnection

    conn = PgConnection(url, application_name="ogi status")
    try:
        live = set()
        for site_id in site_ids:
            row = conn.execute(
                """SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(?, 0))""",
                (site_lock_key(site_id),)).fetchone()
            if row[0]:
                live.add(site_id)
        return live
    finally:
        conn.close()


@contextmanager
def crawl_lock(db: str | Path, site_ids: Sequence[str] = ()) -> Iterator[Path | str]:
    """The lock of a crawl of `site_ids` into `db`: the whole SQLite file, or each site on PostgreSQL."""
    from corpus.pg_conn import is_postgres_url

    if is_postgres_url(str(db)):
        with _pg_site_locks(str(db), site_ids) as held:
            yield held
        return
    with _file_lock(db) as path:
        yield path


@contextmanager
def _file_lock(db: str | Path) -> Iterator[Path]:
    """Hold an exclusive flock next to the database for the duration of a crawl.

    flock, not a pid file: the kernel releases it when the holder dies (kill -9 included), so a
    crashed crawl never blocks the next one. The file keeps the holder's pid and start time so the
    refusal can say who holds it.
    """
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown process"
            raise CrawlLocked(
                f"another ogi crawl is running on {db} ({holder}); not starting a second one. "
                f"Lock file: {path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_locked(db: str | Path) -> bool:
    """Whether a crawl holds the lock right now (for `ogi status`: a 'running' row is live or stale)."""
    path = lock_path(db)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # no lock file (never crawled here) or one we may not read: no crawl we can see
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
