"""The crawl lock: one crawl per database at a time (cron overlap, a second terminal)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class CrawlLocked(Exception):
    """Another `ogi crawl` holds the lock on this database (the CLI exits with code 4)."""


def lock_path(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".lock")


@contextmanager
def crawl_lock(db: str | Path) -> Iterator[Path]:
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
