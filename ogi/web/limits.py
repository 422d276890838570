"""Bounds on what one SQL query of the web UI may cost: memory, and the run time of single function calls.

Why: Datasette runs any read-only SQL a visitor types (the SQL editor, canned queries, table filters) and
stops it after `sql_time_limit_ms` with SQLite's progress handler, which runs between virtual-machine
instructions (every 1,000 of them). A function call is one instruction, so a slow call is never
interrupted: `ogi_snippet` with a 4,000-term query took 18.6 s, and SQLite's own functions can be worse:
trim/ltrim/rtrim with a set of characters, instr and replace are quadratic in their arguments (trim of
two 200,000-character strings: 128 s; instr of 1,000,000 and 500,000 characters: 6.6 s), so are glob
with a [class] and json_patch, and printf('%.*c', 1e9, 'x') loops 15 s for a NULL. Each such call holds
one of Datasette's three SQL threads. Nothing bounded memory either: randomblob(1e9) allocated 1.2 GB.

So every connection Datasette opens gets (`prepare_connection`):
- SQLite limits: a value is at most MAX_VALUE_BYTES (randomblob, zeroblob, printf, replace and ||
  blow-ups fail with "string or blob too big"), a statement MAX_SQL_BYTES, a LIKE/GLOB pattern
  MAX_LIKE_PATTERN_BYTES;
- a budget on what one query hands to Python (MAX_RESULT_CHARS): many rows of large values cannot
  pile up between two checks of the time limit;
- trim/ltrim/rtrim (with a set), instr and replace replaced by versions linear in their input (Python's
  str methods, a character-class regex), which call SQLite's own function on a private connection only
  for the argument types Python does not cover (numbers, blobs) and only when that call is cheap; glob
  and json_patch refused when too expensive; printf/format answering NULL without the %c loop;
and, through `LimitedDatabase`, the time limit checked every PROGRESS_OPS instructions (in loops). The process
(`configure_process`, called by `ogi.serve`) gets a hard limit on SQLite's heap, which also bounds one
row of many large values, and no traceback on the terminal when a function refuses.

The ogi functions (`ogi_fts`, `ogi_snippet`) check their query with `check_query`; `bounded_snippet`
reads at most SNIPPET_SCAN_CHARS of a text and gives up after SNIPPET_SECONDS. A recursive CTE needs
nothing here: it runs instructions for every row, so the time limit stops it.

SQLite runs the progress handler only at the bottom of a loop, so the calls of one row are never
interrupted: `check_statement` refuses a statement with more than MAX_CALLS function calls, MAX_LIKES of
them LIKE/GLOB (every query Datasette runs goes through a `LimitedCursor`).

Left: LIKE is still pattern × text (~1 s for a crafted 8 MB text: MAX_LIKES of them ~8-9 s), and so is
an FTS5 MATCH expression built in SQL (NEAR of hundreds of phrases over a large index: tens of seconds,
unbounded by anything here). Only a separate process per query, killed at the limit, would bound those.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import time
import weakref
from collections.abc import Callable
from typing import Any

from datasette.database import Database

from corpus.search import SNIPPET_CHARS, SearchError, Term, best_match, parse_query, snippet_at, terms_regex
from extract.limits import MAX_TEXT_CHARS

logger = logging.getLogger(__name__)

# A report text is at most MAX_TEXT_CHARS (1,000,000) characters, 3 MB of UTF-8 for Chinese (4 MB at
# most); reports_fts is contentless (schema 6) and holds no copy of the text to read. A value of up to
# 8 MB (the text with room to spare) keeps linear functions (upper, printf, randomblob …) at ~10-30 ms a call.
MAX_VALUE_BYTES = 8 * 2**20
# Datasette's own statements and the canned queries are a few KB; a URL cannot carry more than ~16 KB.
MAX_SQL_BYTES = 100_000
# LIKE compares the pattern at every position of the text: ~1 ns × pattern × text (0.7 s for 100 bytes
# against 8 MB of 'aaa…'). 100 bytes: '%' + an agency name or a title of 32 Chinese characters + '%'.
MAX_LIKE_PATTERN_BYTES = 100
# Datasette checks its time limit in SQLite's progress handler every 1,000 virtual-machine instructions;
# a function call is about three, so ~300 calls ran between two checks. Every 100 instructions instead
# (~10% slower on a tight scan, nothing on a page): ~30 calls. SQLite runs the handler only at the
# bottom of a loop, though: the calls of one row are never interrupted (200 LIKEs over a crafted 8 MB
# text in one row ran 189 s). So a statement may call at most MAX_CALLS functions, MAX_LIKES of them
# LIKE/GLOB (the canned queries call at most 12 and 5; counted in the SQL text, see `check_statement`).
PROGRESS_OPS = 100
MAX_CALLS = 50
MAX_LIKES = 8
# Characters (text) and bytes (blobs) one query may return to Python: a page of 1,000 reports with their
# texts (the largest page Datasette serves) is ~50 M characters for reports of average length.
MAX_RESULT_CHARS = 256 * 2**20
# SQLite's heap, process-wide: legitimate queries (FTS5 doclists, sorts) use tens of MB.
HEAP_BYTES = 512 * 2**20

# Search queries: what a person types in a search box, with room to spare.
MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 16
MAX_TERM_CHARS = 200  # characters of all terms after NFKC normalization (a few characters expand)
# ogi_snippet scans at most this much of a text: the longest text the extractor keeps.
SNIPPET_SCAN_CHARS = MAX_TEXT_CHARS
# A snippet is looked for piece by piece, and given up (the text's start is shown) after SNIPPET_SECONDS:
# a regex of terms runs in len(text) × len(pattern) on text that keeps almost matching ('a-a-a-…').
SNIPPET_PIECE_CHARS = 32_768
SNIPPET_SECONDS = 0.05
_PIECE_OVERLAP = 4 * MAX_TERM_CHARS  # longer than any match: a term's characters and separators

# SQLite's instr/replace compare needle and haystack with memcmp at every position (~1e-11 s per
# byte pair measured); trim compares every character with every character of the set (~3e-9 s per pair),
# glob every character with a [class] (~2e-9 s), json_patch every key with every key (~5e-9 s per pair,
# ~1e-10 per byte pair). Calls handed to SQLite must stay under ~0.1 s.
MAX_MEMCMP_PAIRS = 10**10
MAX_TRIM_PAIRS = 3 * 10**7
MAX_TRIM_SET = 1000  # distinct characters in trim's second argument
MAX_GLOB_PAIRS = 5 * 10**7
MAX_JSON_PATCH_PAIRS = 10**9


class QueryTooLong(ValueError):
    """A search query over the caps; the message says which."""


def check_query(query: str | None) -> None:
    """Raise QueryTooLong unless `query` is within MAX_QUERY_CHARS / MAX_QUERY_TERMS / MAX_TERM_CHARS."""
    query = query or ""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"the query is too long: at most {MAX_QUERY_CHARS} characters")
    try:
        terms = [t for g in parse_query(query) for t in g]
    except SearchError as exc:  # corpus.search's own bounds (FTS5 phrases)
        raise QueryTooLong(str(exc)) from None
    if len(terms) > MAX_QUERY_TERMS:
        raise QueryTooLong(f"the query has too many terms: at most {MAX_QUERY_TERMS}")
    if sum(len(s.text) for t in terms for s in t.segs) > MAX_TERM_CHARS:
        raise QueryTooLong(f"the query is too long: at most {MAX_TERM_CHARS} characters of terms")


def configure_process() -> None:
    """The process-wide part: SQLite's heap limit, and no traceback printed when a SQL function raises.

    Datasette turns sqlite3's callback tracebacks on when imported: every call of a function refused
    here (a client's query) would print a traceback to the terminal. The client sees the SQL error.
    """
    limit_process_heap()
    sqlite3.enable_callback_tracebacks(False)


def bounded_snippet(text: str, terms: list[Term], *, start: str = "[", end: str = "]",
                    width: int = SNIPPET_CHARS) -> str | None:
    """`corpus.search.make_snippet`, searching SNIPPET_PIECE_CHARS at a time until SNIPPET_SECONDS.

    The most telling match (corpus.search.best_match) of the pieces read in time is shown; None (as for no
    match) when the time runs out before any match. Pieces overlap by more than a match is long, and a
    match is scored on the piece it was found in, with _PIECE_OVERLAP characters of context after it.
    """
    text = text[:SNIPPET_SCAN_CHARS]
    rx = terms_regex(terms)
    if not text or rx is None:
        return None
    deadline = time.monotonic() + SNIPPET_SECONDS
    best: tuple[int, int, int] | None = None
    for at in range(0, len(text), SNIPPET_PIECE_CHARS):
        lo = max(0, at - width)
        found = best_match(text[lo : at + SNIPPET_PIECE_CHARS + _PIECE_OVERLAP], rx)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], found[1] + lo, found[2] + lo)
        if time.monotonic() > deadline:
            logger.debug("snippet search stopped after %d characters", at + SNIPPET_PIECE_CHARS)
            break
    if best is None:
        return None
    return snippet_at(text, rx, best[1], start=start, end=end, width=width)


def limit_process_heap(limit: int = HEAP_BYTES) -> int:
    """Set SQLite's hard heap limit for this process (never raising one already lower); returns it.

    Process-wide (sqlite3_hard_heap_limit64): an allocation past it fails with SQLITE_NOMEM, which
    Python's sqlite3 raises as MemoryError (the UI answers 400).
    """
    conn = sqlite3.connect(":memory:")
    try:
        current = conn.execute("PRAGMA hard_heap_limit").fetchone()[0]
        if current == 0 or current > limit:
            conn.execute(f"PRAGMA hard_heap_limit={int(limit)}")
        return conn.execute("PRAGMA hard_heap_limit").fetchone()[0]
    finally:
        conn.close()


class ResultTooLarge(sqlite3.OperationalError):
    """One query returned more than MAX_RESULT_CHARS (an OperationalError: Datasette reports it as a SQL error)."""


class ResultBudget:
    """Row factory: sqlite3.Row (what Datasette uses), counting the characters/bytes of each query's rows."""

    def __init__(self) -> None:
        self._cursor: weakref.ref | None = None
        self.used = 0

    def __call__(self, cursor: sqlite3.Cursor, row: tuple) -> sqlite3.Row:
        if self._cursor is None or self._cursor() is not cursor:
            self._cursor = weakref.ref(cursor)
            self.used = 0
        self.used += sum(len(v) for v in row if isinstance(v, str | bytes))
        if self.used > MAX_RESULT_CHARS:
            raise ResultTooLarge(f"the query returns more than {MAX_RESULT_CHARS // 2**20} MiB: ask for fewer "
                                 "rows or columns")
        return sqlite3.Row(cursor, row)


# --- SQLite's quadratic string functions, linear -------------------------------------------------------


class _SQLite:
    """SQLite's own functions on a private connection, for argument types the Python versions do not cover."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)

    def call(self, name: str, *args: Any) -> Any:
        marks = ", ".join("?" for _ in args)
        return self.conn.execute(f"SELECT {name}({marks})", args).fetchone()[0]


def _size(v: Any) -> int:
    return len(v) if isinstance(v, str | bytes) else 32  # a number as text is at most ~25 characters


class CallTooExpensive(ValueError):
    """A function call whose arguments would make it run past the time limit."""


def _fallback(sqlite: _SQLite, name: str, args: tuple, pairs: int, budget: int) -> Any:
    if pairs > budget:
        raise CallTooExpensive(f"{name}(): arguments too long for this server")
    return sqlite.call(name, *args)


def _instr(sqlite: _SQLite) -> Callable[[Any, Any], Any]:
    def instr(haystack: Any, needle: Any) -> Any:
        if haystack is None or needle is None:
            return None
        if isinstance(haystack, str) and isinstance(needle, str) or (
                isinstance(haystack, bytes) and isinstance(needle, bytes)):
            return haystack.find(needle) + 1  # type: ignore[arg-type]  # CPython's find: linear (two-way)
        return _fallback(sqlite, "instr", (haystack, needle), _size(haystack) * _size(needle), MAX_MEMCMP_PAIRS)

    return instr


def _replace(sqlite: _SQLite) -> Callable[[Any, Any, Any], Any]:
    def replace(text: Any, old: Any, new: Any) -> Any:
        if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
            if not old:
                return text
            # In characters, a lower bound of the UTF-8 bytes: SQLite refuses what is still too long.
            if len(text) + text.count(old) * (len(new) - len(old)) > MAX_VALUE_BYTES:
                raise CallTooExpensive("replace(): the result would be too long")
            return text.replace(old, new)
        return _fallback(sqlite, "replace", (text, old, new), _size(text) * _size(old), MAX_MEMCMP_PAIRS)

    return replace


@functools.lru_cache(maxsize=64)
def _trim_class(chars: str) -> re.Pattern[str]:
    """`[chars]*` for distinct, sorted `chars` (a character class: one step per character of the text)."""
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]*")


def _trim(sqlite: _SQLite, name: str) -> Callable[[Any, Any], Any]:
    def trim(text: Any, chars: Any) -> Any:
        if text is None or chars is None:
            return None
        if isinstance(text, str) and isinstance(chars, str):
            distinct = set(chars)
            if len(distinct) > MAX_TRIM_SET:
                raise CallTooExpensive(f"{name}(): at most {MAX_TRIM_SET} different characters to trim")
            if not distinct:
                return text
            cls = _trim_class("".join(sorted(distinct)))
            lo = cls.match(text).end() if name != "rtrim" else 0  # type: ignore[union-attr]
            hi = len(text) - (cls.match(text[::-1]).end() if name != "ltrim" else 0)  # type: ignore[union-attr]
            return text[lo:max(lo, hi)]
        return _fallback(sqlite, name, (text, chars), _size(text) * _size(chars), MAX_TRIM_PAIRS)

    return trim


def _guarded(sqlite: _SQLite, name: str, budget: int) -> Callable[[Any, Any], Any]:
    """SQLite's own 2-argument `name`, refused when len(arg 1) × len(arg 2) is over `budget`."""

    def call(a: Any, b: Any) -> Any:
        return _fallback(sqlite, name, (a, b), _size(a) * _size(b), budget)

    return call


# printf's conversions: flags, width, precision, length, type (SQLite's printf.c); %c repeats its
# character `precision` times in a loop that keeps running after the result has grown too long
# (printf('%.*c', 1e9, 'x'): 15 s for NULL).
_PRINTF_SPEC = re.compile(r"%[-+ #!0,]*(\*|\d+)?(?:\.(\*|\d*))?l{0,2}(.)?", re.S)
_PRINTF_TYPES = frozenset("dsgzqQwcouxXfeEGinpr%")  # SQL's printf stops at any other (or an internal one)


def _mod32(digits: str | None) -> int:
    """int(digits) % 2**32, for any number of digits (Python refuses int() of more than 4,300)."""
    value = 0
    for i in range(0, len(digits or ""), 1000):
        chunk = digits[i : i + 1000]  # type: ignore[index]
        value = (value * 10 ** len(chunk) + int(chunk)) % 2**32
    return value


def _c_repeats(fmt: str, args: tuple, as_int: Callable[[Any], int]) -> int:
    """How many characters the %c conversions of `fmt` repeat in all (an upper bound)."""
    total, used = 0, 0
    for m in _PRINTF_SPEC.finditer(fmt):
        width, precision, kind = m.groups()
        if width == "*":
            used += 1
        if precision == "*":
            value = as_int(args[used]) if used < len(args) else 0
            used += 1
            value = (value + 2**31) % 2**32 - 2**31  # SQLite keeps an int
            precision_n = abs(value) if value != -(2**31) else 1
        else:  # digits, read into an unsigned 32-bit int as SQLite does
            precision_n = _mod32(precision) & 0x7FFFFFFF
        if kind not in _PRINTF_TYPES:
            break
        if kind == "c":
            total += precision_n
        if kind not in ("%", "n"):
            used += 1
    return total


def _printf(sqlite: _SQLite, name: str) -> Callable[..., Any]:
    def as_int(v: Any) -> int:  # SQLite's conversion of a printf argument to an integer, exactly
        return int(sqlite.call("printf", "%lld", v))

    def printf(*args: Any) -> Any:
        fmt = args[0] if args else None
        if isinstance(fmt, bytes):
            fmt = fmt.decode("utf-8", "replace")
        if isinstance(fmt, str) and "c" in fmt and _c_repeats(fmt, args[1:], as_int) > MAX_VALUE_BYTES:
            return None  # SQLite's answer for a result over the length limit, without its loop
        return sqlite.call(name, *args)

    return printf


def install_linear_functions(conn: sqlite3.Connection) -> None:
    """Replace SQLite's functions whose one call can run for minutes on `conn` (see the module docstring).

    trim/ltrim/rtrim (2 arguments; one-argument trims stay), instr and replace: linear versions;
    glob and json_patch: refused when too expensive; printf/format: without the %c loop past the limit.
    """
    sqlite = _SQLite()
    conn.create_function("instr", 2, _instr(sqlite), deterministic=True)
    conn.create_function("replace", 3, _replace(sqlite), deterministic=True)
    for name in ("trim", "ltrim", "rtrim"):
        conn.create_function(name, 2, _trim(sqlite, name), deterministic=True)
    conn.create_function("glob", 2, _guarded(sqlite, "glob", MAX_GLOB_PAIRS), deterministic=True)
    conn.create_function("json_patch", 2, _guarded(sqlite, "json_patch", MAX_JSON_PATCH_PAIRS),
                         deterministic=True)
    for name in ("printf", "format"):
        conn.create_function(name, -1, _printf(sqlite, name), deterministic=True)


# What is not code in a statement: comments, string literals, quoted identifiers.
_SQL_NOISE = re.compile(r"--[^\n]*|/\*.*?(?:\*/|$)|'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?|\[[^\]]*\]?|`[^`]*`?", re.S)
_SQL_CALL = re.compile(r"\b([a-z_][a-z0-9_$]*)\s*\(", re.I)
_SQL_LIKE = re.compile(r"\b(?:like|glob)\b", re.I)
# Words before "(" that are not function calls.
_NOT_CALLS = frozenset("""as in exists values over filter using on from join where and or not when then else
    case by into select with table check key references default primary unique""".split())


def check_statement(sql: str) -> None:
    """OperationalError when `sql` calls more than MAX_CALLS functions or MAX_LIKES LIKE/GLOB (text counts)."""
    code = _SQL_NOISE.sub(" ", sql)
    likes = len(_SQL_LIKE.findall(code))
    calls = sum(m.group(1).lower() not in _NOT_CALLS for m in _SQL_CALL.finditer(code))
    if calls > MAX_CALLS or likes > MAX_LIKES:
        raise sqlite3.OperationalError(
            f"too many function calls in one statement ({calls} calls, {likes} LIKE/GLOB): at most {MAX_CALLS} "
            f"and {MAX_LIKES} (SQLite cannot stop the calls of one row at the time limit)")


class LimitedCursor(sqlite3.Cursor):
    """A cursor that refuses statements over `check_statement` (Datasette runs every query on one)."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        check_statement(sql)
        return super().execute(sql, parameters)


class TimeLimitedConnection(sqlite3.Connection):
    """A connection on which Datasette's time-limit handler runs every PROGRESS_OPS instructions (not 1,000),
    whose cursors are LimitedCursors."""

    def set_progress_handler(self, handler: Any, n: int) -> None:
        super().set_progress_handler(handler, min(n, PROGRESS_OPS))

    def cursor(self, factory: Any = LimitedCursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)


class LimitedDatabase(Database):
    """Datasette's Database, connecting with TimeLimitedConnection (Database.connect of Datasette 0.65)."""

    def connect(self, write: bool = False) -> sqlite3.Connection:
        if self.memory_name:
            conn = sqlite3.connect(f"file:{self.memory_name}?mode=memory&cache=shared", uri=True,
                                   check_same_thread=False, factory=TimeLimitedConnection)
            if not write:
                conn.execute("PRAGMA query_only=1")
            return conn
        if self.is_memory:
            return sqlite3.connect(":memory:", uri=True, factory=TimeLimitedConnection)
        qs = ("?mode=ro" + ("&nolock=1" if self.ds.nolock else "")) if self.is_mutable else "?immutable=1"
        assert not (write and not self.is_mutable)
        conn = sqlite3.connect(f"file:{self.path}{'' if write else qs}", uri=True, check_same_thread=False,
                               factory=TimeLimitedConnection)
        self._all_file_connections.append(conn)
        return conn


def prepare_connection(conn: sqlite3.Connection) -> None:
    """The limits of this module on one connection Datasette opened (after Datasette set its row factory)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN_BYTES)
    conn.row_factory = ResultBudget()
    install_linear_functions(conn)
