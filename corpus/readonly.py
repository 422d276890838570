"""Opening an ogi database read-only: one opener, one set of messages for every reader.

`search`, `status`, `completeness`, `export` and the web UI only read. They never create, migrate or
switch the journal mode of a file (opening through `Store` would do all three), and a wrong or damaged
file gets the same one-sentence message (`DatabaseProblem`) from each of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


class DatabaseProblem(Exception):
    """A database a read-only command was given cannot be read: missing, a directory, not an ogi
    database, damaged, locked or written by a newer ogi. The message names the file and says which."""


# Tables every ogi database has had since schema version 1.
OGI_TABLES = ("sites", "crawl_runs", "crawl_errors", "captures", "reports", "statistics")
SQLITE_MAGIC = b"SQLite format 3\x00"
# Report years a command accepts as a filter (the first 条例 reports are for 2008).
MIN_YEAR, MAX_YEAR = 1990, 2100


def database_problem(path: str | Path, exc: BaseException) -> DatabaseProblem:
    """The plain-language DatabaseProblem for an sqlite3 error met while reading `path`."""
    msg = str(exc)
    low = msg.lower()
    if "file is not a database" in low:
        return DatabaseProblem(f"{path} is not an ogi database (not an SQLite database file)")
    if "malformed" in low or "corrupt" in low or "disk i/o error" in low:
        return DatabaseProblem(f"{path} is damaged: {msg}")
    if "locked" in low or "busy" in low:
        return DatabaseProblem(f"{path} is locked by another program ({msg}); try again when it is done")
    if "no such table" in low or "no such column" in low:
        return DatabaseProblem(f"{path} is not an ogi database, or an incomplete one ({msg})")
    return DatabaseProblem(f"cannot read {path}: {msg}")


@contextmanager
def reading(path: str | Path, error: type[Exception] = DatabaseProblem) -> Iterator[None]:
    """Turn an sqlite3 error raised while reading `path` into `error` with the database_problem message."""
    try:
        yield
    except sqlite3.DatabaseError as exc:  # OperationalError is a subclass
        raise error(str(database_problem(path, exc))) from exc


def _ro_uri(path: Path, *, immutable: bool = False) -> str:
    from urllib.parse import quote

    return f"file:{quote(str(path.resolve()))}?" + ("immutable=1" if immutable else "mode=ro")


def _wal_pending(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _check_file(path: Path) -> None:
    """Refuse what is not a readable, complete SQLite file before SQLite sees it."""
    if not path.exists():
        raise DatabaseProblem(f"database not found: {path} does not exist; run `ogi demo` or `ogi crawl` first")
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a directory, not a database file")
    if not path.is_file():
        raise DatabaseProblem(f"{path} is not an ogi database (not a regular file)")
    try:
        with path.open("rb") as f:
            header = f.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise DatabaseProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not header:
        raise DatabaseProblem(f"{path} is not an ogi database (an empty file)")
    if not header.startswith(SQLITE_MAGIC):
        raise DatabaseProblem(f"{path} is not an ogi database (not an SQLite database file)")
    if len(header) < 100:
        raise DatabaseProblem(f"{path} is damaged: only {len(header)} bytes, shorter than an SQLite header")
    # The page count in the header is valid when its version-valid-for number equals the change counter;
    # a file shorter than that was cut off (a copy or download that stopped). With WAL frames pending a
    # checkpoint may be extending the file right now, so only judge a file without them.
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[92:96] == header[24:28] and pages and not _wal_pending(path) and size < pages * page_size:
        raise DatabaseProblem(f"{path} is damaged: the file has {size} bytes, its header says {pages * page_size} "
                              "(truncated copy?)")


def open_readonly(db: str | Path, *, tables: Iterable[str] = OGI_TABLES,
                  error: type[Exception] = DatabaseProblem) -> sqlite3.Connection:
    """An ogi database opened read-only (SQLite `mode=ro`), rows as sqlite3.Row; or `error` saying why not.

    Nothing is created or written: no schema, no migration, no journal-mode switch (only SQLite's own
    -wal/-shm files of a WAL database, as any reader). A WAL database in a directory the user may not
    write to (where SQLite cannot make the -shm file) is read `immutable=1` when no WAL frames are
    pending. `tables`: tables the caller needs; missing ones make it "not an ogi database".
    """
    from corpus.pg_conn import is_postgres_url

    if is_postgres_url(str(db)):
        return _open_pg_readonly(str(db), tables, error)  # type: ignore[return-value]
    path = Path(db)
    with _reported_as(error):
        if not str(db).strip():
            raise DatabaseProblem("no database file given (--db is empty)")
        _check_file(path)
        conn = _connect_readonly(path)
        try:
            with reading(path):
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            missing = [t for t in (*OGI_TABLES, *tables) if t not in names]
            if missing:
                if not names:
                    what = "an SQLite database without tables"
                elif not names & set(OGI_TABLES):  # a stranger's database: say what it holds instead
                    shown = sorted(names)
                    what = "its tables are " + ", ".join(shown[:5]) + (" ..." if len(shown) > 5 else "")
                else:
                    what = "no " + ", ".join(dict.fromkeys(missing)) + " table"
                raise DatabaseProblem(f"{path} is not an ogi database ({what})")
            _check_version(path, version)
        except BaseException:
            conn.close()
            raise
    conn.row_factory = sqlite3.Row
    return conn


@contextmanager
def _reported_as(error: type[Exception]) -> Iterator[None]:
    """A DatabaseProblem raised inside, re-raised as the caller's own error class (same message)."""
    try:
        yield
    except DatabaseProblem as exc:
        if error is DatabaseProblem:
            raise
        raise error(str(exc)) from exc


def _check_version(name: str | Path, version: int) -> None:
    """Refuse a database written by a newer ogi (a reader must not misread a layout it does not know)."""
    from corpus.schema import SCHEMA_VERSION

    if version > SCHEMA_VERSION:
        raise DatabaseProblem(f"{name} was written by a newer ogi (schema version {version}; this ogi reads "
                              f"up to {SCHEMA_VERSION}): upgrade ogi")


def _open_pg_readonly(url: str, tables: Iterable[str], error: type[Exception]):
    """A PostgreSQL corpus opened for reading (every transaction read-only): the sqlite3-shaped
    corpus.pg_conn.PgConnection, so the readers' SQL and error handling serve both backends."""
    from corpus.pg_conn import PgConnection, redact
    from corpus.pg_schema import PG_TABLES, schema_version

    sqlite_only = {"reports_fts"}  # the SQLite search table; PostgreSQL's is report_search
    with _reported_as(error):
        try:
            conn = PgConnection(url, read_only=True, application_name="ogi reader")
        except sqlite3.OperationalError as exc:
            raise DatabaseProblem(str(exc)) from exc  # "unable to open database <url without password>: why"
        try:
            names = {r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()}
            wanted = [t for t in (*OGI_TABLES, *tables) if t not in sqlite_only]
            missing = [t for t in dict.fromkeys(wanted) if t not in names and t in (*PG_TABLES, *OGI_TABLES)]
            if missing:
                what = "an empty database" if not names else "no " + ", ".join(missing) + " table"
                raise DatabaseProblem(f"{redact(url)} is not an ogi database ({what})")
            _check_version(redact(url), schema_version(conn))
        except BaseException:
            conn.close()
            raise
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(_ro_uri(path), uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        cannot_open = "unable to open" in str(exc) or "readonly" in str(exc)
        if cannot_open and _wal_pending(path):
            raise DatabaseProblem(
                f"cannot read {path}: it has changes pending in {path.name}-wal and SQLite cannot open it read-only "
                f"here ({exc}; is the directory read-only?)") from exc
        if not cannot_open:
            raise database_problem(path, exc) from exc
    # A WAL database whose -shm file cannot be made (read-only directory): with no WAL frames pending,
    # the main file holds everything, so reading it as immutable loses nothing.
    conn = sqlite3.connect(_ro_uri(path, immutable=True), uri=True, check_same_thread=False)
    try:
        with reading(path):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def invalid_utf8(value: str) -> bytes | None:
    """What to show for a filter text SQLite cannot take (undecodable command-line bytes, a lone surrogate),
    or None when it is valid UTF-8 text."""
    try:
        value.encode("utf-8")
        return None
    except UnicodeEncodeError:
        try:
            return value.encode("utf-8", "surrogateescape")  # undecodable argv bytes, as given
        except UnicodeEncodeError:  # a lone surrogate outside U+DC80-DCFF (fuzzing: province="\ud800")
            return value.encode("utf-8", "backslashreplace")
