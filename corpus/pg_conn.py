"""An sqlite3-shaped connection over PostgreSQL (psycopg 3), so the store's SQL runs on both backends.

Why a facade and not a second copy of every query: the identity rules, versions and provenance chain live
in one set of SQL statements (corpus/*.py); a copy per backend would drift. The statements stay in the
portable subset of SQL, and what differs is rewritten here, in one place:

- placeholders: `?` -> `%s`, `:name` -> `%(name)s` (outside string literals), literal `%` -> `%%`;
- `x IS ?` (SQLite's null-safe equality) -> `x IS NOT DISTINCT FROM %s`;
- `INSERT OR IGNORE INTO ...` -> `INSERT INTO ... ON CONFLICT DO NOTHING`;
- `BEGIN IMMEDIATE` -> `BEGIN`; `instr(a, b)` -> `strpos(a, b)`; `LIKE` -> `ILIKE` (SQLite's LIKE ignores the
  case of ASCII letters: `--agency abc` finds 'ABC局' on both backends);
- `cursor.lastrowid` after an INSERT into a table with a generated key: the statement gets
  `RETURNING <key>`;
- `PRAGMA user_version` / `PRAGMA table_info(t)` are answered from `ogi_meta` / `information_schema`, and
  so is `sqlite_master` (type, name, tbl_name of tables and views).

Errors come back as `sqlite3.DatabaseError` subclasses (`OperationalError`, `IntegrityError`) chained to
the psycopg error, so the readers' one set of "damaged / locked / not an ogi database" handlers and the
crawler's storage-failure check serve both backends. Rows behave like `sqlite3.Row` (index, name, keys).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

# Tables whose key PostgreSQL generates (BIGINT IDENTITY): an INSERT returns it as lastrowid.
GENERATED_KEYS = {
    "captures": "capture_id",
    "crawl_runs": "run_id",
    "crawl_errors": "error_id",
    "reports": "report_id",
    "report_versions": "version_id",
}

_INSERT_RE = re.compile(r"^\s*INSERT\s+(?:OR\s+IGNORE\s+)?INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_OR_IGNORE_RE = re.compile(r"^(\s*INSERT)\s+OR\s+IGNORE(\s+INTO)", re.IGNORECASE)
_PRAGMA_TABLE_INFO = re.compile(r"^\s*PRAGMA\s+table_info\(\s*\[?\"?([A-Za-z_][A-Za-z0-9_]*)\"?\]?\s*\)\s*$",
                                re.IGNORECASE)
_PRAGMA_USER_VERSION = re.compile(r"^\s*PRAGMA\s+user_version\s*$", re.IGNORECASE)


# What readers ask of SQLite's catalogue ("is there a table named …"), answered from PostgreSQL's.
_SQLITE_MASTER = ("(SELECT CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END AS type, table_name AS name, "
                  "table_name AS tbl_name FROM information_schema.tables "
                  "WHERE table_schema = current_schema()) AS sqlite_master")


def is_postgres_url(db: object) -> bool:
    """Whether `--db` names a PostgreSQL database (a libpq URL) rather than an SQLite file."""
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    url = re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)
    return re.sub(r"([?&]password=)[^&]*", r"\1***", url, flags=re.IGNORECASE)  # libpq takes it here too


def translate(sql: str, named: bool = False, params: bool = True) -> str:
    """SQLite-dialect SQL (see the module docstring) rewritten for psycopg/PostgreSQL.

    `params`: whether the statement is sent with parameters (only then does psycopg read `%` signs)."""
    sql = _OR_IGNORE_RE.sub(r"\1\2", sql) + (" ON CONFLICT DO NOTHING" if _OR_IGNORE_RE.match(sql) else "")
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):  # copy a quoted literal or identifier as it is (doubling the percent signs)
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i : j + 1].replace("%", "%%") if params else sql[i : j + 1])
            i = j + 1
            continue
        if ch == "?":
            out.append("%s")
        elif ch == "%" and params:
            out.append("%%")
        elif named and ch == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_") \
                and (i == 0 or sql[i - 1] != ":"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
            continue
        else:
            out.append(ch)
        i += 1
    text = "".join(out)
    text = re.sub(r"\bIS\s+%s", "IS NOT DISTINCT FROM %s", text, flags=re.IGNORECASE)
    text = re.sub(r"\bIS\s+(%\([A-Za-z0-9_]+\)s)", r"IS NOT DISTINCT FROM \1", text, flags=re.IGNORECASE)
    text = re.sub(r"\binstr\s*\(", "strpos(", text, flags=re.IGNORECASE)
    text = re.sub(r"\bsqlite_master\b", _SQLITE_MASTER, text)
    text = re.sub(r"(?<![\w])LIKE\b", "ILIKE", text)  # SQLite's LIKE ignores ASCII case; PostgreSQL's does not
    text = re.sub(r"^\s*BEGIN\s+IMMEDIATE\s*$", "BEGIN", text, flags=re.IGNORECASE)
    return text


def _plain(value: Any) -> Any:
    """numeric (sum(), count over bigint in some plans) as int or float, like SQLite would give."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class PgRow(tuple):
    """A result row that reads like sqlite3.Row: by position, by column name, `keys()`, `dict(row)`."""

    _names: tuple[str, ...] = ()

    def __new__(cls, values: Iterable[Any], names: tuple[str, ...]) -> PgRow:
        row = super().__new__(cls, (_plain(v) for v in values))
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"no such column: {key}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _wrap_error(exc: Exception) -> sqlite3.DatabaseError:
    import psycopg

    message = str(exc).strip()
    if isinstance(exc, psycopg.errors.UndefinedTable):
        message = f"no such table ({message})"
    elif isinstance(exc, psycopg.errors.UndefinedColumn):
        message = f"no such column ({message})"
    elif isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.DeadlockDetected):
        message = f"database is locked ({message})"
    elif isinstance(exc, psycopg.errors.DiskFull):
        message = f"database or disk is full ({message})"
    elif isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        message = f"attempt to write a readonly database ({message})"
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(message)
    return sqlite3.OperationalError(message)


class PgCursor:
    """The part of sqlite3.Cursor the store and readers use."""

    def __init__(self, rows: list[PgRow], description: list[tuple] | None, rowcount: int,
                 lastrowid: int | None) -> None:
        self._rows = rows
        self._pos = 0
        self.description = description
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def fetchone(self) -> PgRow | None:
        if self._pos >= len(self._rows):
            return None
        self._pos += 1
        return self._rows[self._pos - 1]

    def fetchall(self) -> list[PgRow]:
        rows, self._pos = self._rows[self._pos :], len(self._rows)
        return rows

    def fetchmany(self, size: int = 1) -> list[PgRow]:
        rows = self._rows[self._pos : self._pos + size]
        self._pos += len(rows)
        return rows

    def __iter__(self) -> Iterator[PgRow]:
        while (row := self.fetchone()) is not None:
            yield row


class PgConnection:
    """One psycopg connection in autocommit mode (transactions are the store's explicit BEGIN/COMMIT)."""

    def __init__(self, url: str, *, read_only: bool = False, application_name: str = "ogi") -> None:
        import psycopg

        self.url = url
        try:
            self.raw = psycopg.connect(url, autocommit=True, application_name=application_name, connect_timeout=10)
        except psycopg.Error as exc:
            why = " ".join(str(exc).split())  # libpq's message has a second, tab-indented line: one line here
            raise sqlite3.OperationalError(f"unable to open database {redact(url)}: {why}") from exc
        if read_only:
            self.raw.execute("SET default_transaction_read_only = on")
        self.row_factory: Any = None  # accepted for sqlite3 compatibility; rows always act like sqlite3.Row

    # -- sqlite3.Connection's surface ---------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> PgCursor:
        special = self._pragma(sql)
        if special is not None:
            return special
        import psycopg

        named = isinstance(params, Mapping)
        text = translate(sql, named=named, params=bool(params) or named)
        table = _INSERT_RE.match(sql)
        key = GENERATED_KEYS.get(table.group(1).lower()) if table else None
        if key and "RETURNING" not in text.upper():
            text += f" RETURNING {key}"
        try:
            cur = self.raw.execute(text, params if (params or named) else None, prepare=False)
            rows: list[PgRow] = []
            description = None
            if cur.description is not None:
                names = tuple(d.name for d in cur.description)
                description = [(name, None, None, None, None, None, None) for name in names]
                rows = [PgRow(r, names) for r in cur.fetchall()]
        except psycopg.Error as exc:
            raise _wrap_error(exc) from exc
        lastrowid = int(rows[0][0]) if key and rows else None
        return PgCursor(rows, description, cur.rowcount, lastrowid)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgCursor:
        import psycopg

        text = translate(sql)
        params = list(seq)
        try:
            with self.raw.cursor() as cur:
                cur.executemany(text, params)
                count = cur.rowcount
        except psycopg.Error as exc:
            raise _wrap_error(exc) from exc
        return PgCursor([], None, count if count >= 0 else len(params), None)

    def executescript(self, sql: str) -> None:
        import psycopg

        try:
            self.raw.execute(sql.encode("utf-8"))  # bytes: no placeholder parsing, several statements
        except psycopg.Error as exc:
            raise _wrap_error(exc) from exc

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- SQLite's PRAGMAs the readers ask -----------------------------------------------------------

    def _pragma(self, sql: str) -> PgCursor | None:
        if _PRAGMA_USER_VERSION.match(sql):
            from corpus.pg_schema import schema_version

            version = schema_version(self)
            return PgCursor([PgRow((version,), ("user_version",))], [("user_version",) + (None,) * 6], 1, None)
        m = _PRAGMA_TABLE_INFO.match(sql)
        if m:
            names = ("cid", "name", "type", "notnull", "dflt_value", "pk")
            cur = self.raw.execute(
                """SELECT ordinal_position - 1, column_name, data_type, is_nullable = 'NO', column_default, 0
                   FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s
                   ORDER BY ordinal_position""", (m.group(1).lower(),))
            rows = [PgRow(r, names) for r in cur.fetchall()]
            return PgCursor(rows, [(n,) + (None,) * 6 for n in names], len(rows), None)
        return None
