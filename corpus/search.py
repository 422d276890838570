"""Full-text search over reports: CJK bigrams in SQLite FTS5.

The index (`reports_fts`, kept in sync by `Store.save_report`) holds each report's
title, agency, meta (year, region, department) and text rewritten as bigrams by
`corpus.bigrams`. Queries are rewritten the same way and built only from those
tokens, each quoted, so user input never reaches the FTS5 parser raw: FTS syntax
characters (quotes, *, -, ^, :, parentheses) are separators, NEAR/NOT are words.

Query language:
  复议             a word -> phrase of adjacent bigrams "复议"
  行政复议         -> "行政 政复 复议"
  复               one CJK character -> prefix 复* (matches words starting with 复)
  住建 2019        space-separated terms are AND-ed
  "信息 公开"      a quoted phrase: its parts must be adjacent
  复议 OR 诉讼     OR between terms; AND binds tighter: `a b OR c` = (a AND b) OR c
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from corpus.bigrams import Segment, segments
from corpus.pg_conn import PgConnection, is_postgres_url, redact
from corpus.readonly import MAX_YEAR, MIN_YEAR, OGI_TABLES, database_problem, invalid_utf8, open_readonly
from corpus.store import Store

logger = logging.getLogger(__name__)

# FTS5 column weights for bm25: title, agency, meta, text, and their run-final characters (corpus.search_index).
WEIGHTS = (10.0, 5.0, 2.0, 1.0, 10.0, 5.0, 2.0, 1.0)
# The rank of a match (lower is better) and the order of hits: by rank, the newer report first on a tie.
RANK = f"bm25(reports_fts, {', '.join(str(w) for w in WEIGHTS)})"
HIT_ORDER = "rank, r.report_year DESC"
SNIPPET_CHARS = 80
# Bounds on the work of one query. FTS5's bm25 costs grow with the square of the number of phrases
# (fuzzing: 10,000 terms took 12-19 s to rank a single report; 256 terms ~30 s over 500 reports),
# so a query may make at most MAX_QUERY_PHRASES phrases (a repeated term counts once) and hold at
# most MAX_QUERY_CHARS characters; longer ones are refused with a SearchError that says so.
MAX_QUERY_CHARS = 1000
MAX_QUERY_PHRASES = 32
# At most this many matches are ranked by bm25 for one page of hits (`ranked_page_sql`): the most recently
# stored ones. A common word matches nearly every report; ranking all of them was most of its time.
RANK_CAP = 1000


class SearchError(ValueError):
    """The query cannot be searched (nothing searchable in it, bad filter); the message says why."""


@dataclass
class Hit:
    report_id: int
    agency: str | None
    report_year: int | None
    title: str | None
    province: str | None
    county: str | None
    adcode: str | None
    source_url: str | None
    score: float  # higher is better (negated bm25)
    snippet: str  # ~80 characters of the original text around the first match, terms marked
    city: str | None = None


@dataclass
class Term:
    """One query term: a run of segments that must appear adjacent (a phrase)."""

    segs: list[Segment]

    def fts(self) -> str:
        """FTS5 expression for the term. Tokens are quoted; only [CJK, a-z0-9] ever reach here."""
        if len(self.segs) == 1 and self.segs[0].cjk and len(self.segs[0].text) == 1:
            return f'"{self.segs[0].text}"*'
        # A one-character CJK run inside a longer term is a unigram in the query, but in the
        # document it is part of a bigram; a prefix works only at the end of an FTS5 phrase.
        if self._adjacent():
            toks = [t for s in self.segs for t in s.tokens()]
            return '"' + " ".join(toks) + '"' + ("*" if self.segs[-1].cjk and len(self.segs[-1].text) == 1 else "")
        # Otherwise give up adjacency for the lone characters: AND the pieces.
        return "(" + " AND ".join(Term([s]).fts() for s in self.segs) + ")"

    def _adjacent(self) -> bool:
        """Can the term be one phrase (no lone CJK character before its last segment)?"""
        lone = [i for i, s in enumerate(self.segs) if s.cjk and len(s.text) == 1]
        return not lone or lone == [len(self.segs) - 1]

    def phrases(self) -> int:
        """How many FTS5 phrases `fts()` writes: one, or one per segment when adjacency is given up."""
        return 1 if self._adjacent() else len(self.segs)

    def pattern(self) -> str:
        """Regex for the term in the original text (punctuation or spaces allowed between segments)."""
        return r"[\W_]{0,3}".join(re.escape(s.text) for s in self.segs)


_QUERY_RE = re.compile(r'"([^"]*)"?|(\S+)')


def _merge_cjk(segs: list[Segment]) -> list[Segment]:
    """Inside quotes, CJK runs split only by spaces/punctuation are one run: "信息 公开" = 信息公开."""
    out: list[Segment] = []
    for s in segs:
        if out and s.cjk and out[-1].cjk:
            out[-1] = Segment(out[-1].text + s.text, True)
        else:
            out.append(s)
    return out


def parse_query(query: str) -> list[list[Term]]:
    """Parse into OR-groups of AND-ed terms: [[a, b], [c]] means (a AND b) OR c.

    Each whitespace-separated word (or quoted phrase) is one term; characters that
    are not letters, digits or CJK split nothing inside a term but are dropped.
    A term repeated in its group (or a group repeated) counts once. SearchError when the
    query is longer than MAX_QUERY_CHARS or makes more than MAX_QUERY_PHRASES phrases.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"query too long: {len(query):,} characters (at most {MAX_QUERY_CHARS:,})")
    groups: list[list[Term]] = [[]]
    for m in _QUERY_RE.finditer(query):
        phrase, word = m.group(1), m.group(2)
        raw = phrase if phrase is not None else word
        if word is not None and word == "OR":
            if groups[-1]:
                groups.append([])
            continue
        if word is not None and word == "AND":
            continue
        segs = segments(raw)
        if phrase is not None:
            segs = _merge_cjk(segs)
        if segs and Term(segs) not in groups[-1]:  # `a a` is `a`: a repeat adds only work
            groups[-1].append(Term(segs))
    out: list[list[Term]] = []
    for g in groups:
        if g and g not in out:
            out.append(g)
    n = sum(t.phrases() for g in out for t in g)
    if n > MAX_QUERY_PHRASES:
        raise SearchError(f"too many search terms: {n} (at most {MAX_QUERY_PHRASES})")
    return out


def to_fts_query(query: str) -> str:
    """The FTS5 MATCH expression for a user query; SearchError if nothing in it is searchable."""
    groups = parse_query(query)
    if not groups:
        raise SearchError(
            f"nothing to search for in {query!r}: use Chinese characters, letters or digits "
            "(punctuation and FTS operators are ignored)"
        )
    parts = [" AND ".join(t.fts() for t in g) for g in groups]
    if len(parts) == 1:
        return parts[0]
    return " OR ".join(f"({p})" for p in parts)


# Snippet choice: among the matches of a text (the first MAX_SNIPPET_CANDIDATES), the one that says most —
# next to a number (行政复议1件), or in a heading (四、政府信息公开行政复议、行政诉讼情况) — over boilerplate
# (the opening paragraph every report copies: 全文包括…行政复议、行政诉讼情况…). Ties: the earliest.
MAX_SNIPPET_CANDIDATES = 200
_NEAR_CHARS = 12  # a digit this close to the match, on its line, counts as "with numbers"
_DIGIT_RE = re.compile(r"[0-9０-９]")
_HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]{1,3}[章节部分])")
_BOILERPLATE_RE = re.compile(r"本报告|本年度报告|《中华人民共和国政府信息公开条例》|年度报告格式")


def terms_regex(terms: list[Term]) -> re.Pattern[str] | None:
    """One regex matching any term in the original text (longest first); None without terms."""
    if not terms:
        return None
    pats = sorted({t.pattern() for t in terms}, key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)


def match_score(text: str, start: int, end: int) -> int:
    """How telling the passage around text[start:end] is: +3 with a number beside it on its line, +2 in a
    heading (a numbered or short line without a full stop), -2 in boilerplate (the paragraph that says
    what the report contains), -1 in the text's first 200 characters."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    score = 0
    if _DIGIT_RE.search(text, max(line_start, start - _NEAR_CHARS), min(line_end, end + _NEAR_CHARS)):
        score += 3
    stripped = line.strip()
    if _HEADING_RE.match(stripped) and len(stripped) <= 40 or (len(stripped) <= 25 and "。" not in stripped):
        score += 2
    if _BOILERPLATE_RE.search(line):
        score -= 2
    if start < 200:
        score -= 1
    return score


def best_match(text: str, rx: re.Pattern[str]) -> tuple[int, int, int] | None:
    """(score, start, end) of the most telling of the first MAX_SNIPPET_CANDIDATES matches; None if none."""
    best: tuple[int, int, int] | None = None
    for n, m in enumerate(rx.finditer(text)):
        if n >= MAX_SNIPPET_CANDIDATES:
            break
        if not m.group(0):
            continue
        score = match_score(text, m.start(), m.end())
        if best is None or score > best[0]:
            best = (score, m.start(), m.end())
    return best


def snippet_at(text: str, rx: re.Pattern[str], at: int, *, start: str = "[", end: str = "]",
               width: int = SNIPPET_CHARS) -> str:
    """The window of `width` characters of `text` around position `at` (from the start of its line when that
    is nearer than a third of the width), every term occurrence marked."""
    lo = max(0, at - width // 3, text.rfind("\n", 0, at) + 1)
    hi = min(len(text), lo + width)
    lo = max(0, min(lo, hi - width))
    window = text[lo:hi]
    out, pos = [], 0
    for m in rx.finditer(window):
        if not m.group(0):
            continue
        out.append(window[pos : m.start()])
        out.append(f"{start}{m.group(0)}{end}")
        pos = m.end()
    out.append(window[pos:])
    body = " ".join("".join(out).split())
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def make_snippet(
    text: str, terms: list[Term], *, start: str = "[", end: str = "]", width: int = SNIPPET_CHARS
) -> str | None:
    """A window of `text` around its most telling match (`best_match`: beside a number or in a heading rather
    than in boilerplate; the first on a tie) with every term occurrence marked; None if no term occurs."""
    rx = terms_regex(terms)
    if not text or rx is None:
        return None
    best = best_match(text, rx)
    if best is None:
        return None
    return snippet_at(text, rx, best[1], start=start, end=end, width=width)


def count_matches(
    store_or_db: Store | sqlite_utils.Database | str | Path, query: str, **filters: Any
) -> int:
    """How many reports match `query` and the filters (`search`'s, without limit): the total behind a page
    of hits. SQLite: a count over the FTS5 MATCH; PostgreSQL: over corpus.pg_search's match condition."""
    filters = {k: v for k, v in filters.items() if v is not None}
    if "year" in filters:
        try:
            filters["year"] = int(filters["year"])
        except (TypeError, ValueError) as exc:
            raise SearchError(f"year must be a number, not {filters['year']!r}") from exc
    _check_filters(filters)
    store, owned = _open(store_or_db)
    try:
        where, params = store.where_clause("r", **filters)
        groups = parse_query(query or "")
        if not groups:
            if not filters:
                to_fts_query(query or "")  # raises the explanatory SearchError
            return int(store._scalar(f"SELECT count(*) FROM reports r WHERE {where}", params))
        match = to_fts_query(query)
        if isinstance(store.conn, PgConnection):
            from corpus.pg_search import match_sql

            matched, match_params = match_sql(groups)
            return int(store._scalar(f"SELECT count(*) FROM reports r WHERE r.report_id IN ({matched}) AND {where}",
                                     [*match_params, *params]))
        return int(store._scalar(
            "SELECT count(*) FROM reports_fts JOIN reports r ON r.report_id = reports_fts.rowid "
            f"WHERE reports_fts MATCH ? AND {where}", [match, *params]))
    except sqlite3.DatabaseError as exc:
        raise SearchError(str(database_problem(store.db_path, exc))) from exc
    finally:
        if owned:
            store.close()


def ranked_matches_sql(where: str) -> str:
    """SELECT rid, rank of the reports matching `MATCH ?` and the conditions `where` on `reports r`, best first.

    The ranking of `search` (and of the web search page, corpus.search_facets); parameters: the MATCH
    expression of `to_fts_query`, then those of `where`."""
    return f"""SELECT reports_fts.rowid AS rid, {RANK} AS rank
               FROM reports_fts JOIN reports r ON r.report_id = reports_fts.rowid
               WHERE reports_fts MATCH ? AND {where}
               ORDER BY {HIT_ORDER}"""


class _ReadOnlyStore(Store):
    """A Store over a read-only connection (corpus.readonly.open_readonly): search only reads.

    Store() itself would create a missing schema, migrate an old one and switch the file to WAL: a
    search must not write to a damaged file, a stranger's SQLite database or an empty file."""

    def __init__(self, conn: sqlite3.Connection, db_path: str | Path) -> None:  # no super(): it writes
        self._lock = threading.RLock()
        self.conn = conn
        if is_postgres_url(str(db_path)):
            self.db_path = redact(str(db_path))  # type: ignore[assignment]  # for messages only
            self.raw_dir = Path(".")
            self.db = None  # type: ignore[assignment]
        else:
            self.db_path = Path(db_path)
            self.raw_dir = self.db_path.parent / "raw"
            self.db = sqlite_utils.Database(conn)


def _open(store_or_db: Store | sqlite_utils.Database | sqlite3.Connection | str | Path) -> tuple[Store, bool]:
    """A Store to search, and whether we opened it (and must close it). Paths are opened read-only."""
    if isinstance(store_or_db, Store):
        return store_or_db, False
    if isinstance(store_or_db, sqlite_utils.Database | sqlite3.Connection):
        conn = store_or_db.conn if isinstance(store_or_db, sqlite_utils.Database) else store_or_db
        path = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
        if not path:
            raise SearchError("search() needs a database file, not an in-memory database")
        store_or_db = path
    if isinstance(store_or_db, str | Path):
        if str(store_or_db) == ":memory:":
            return Store(store_or_db), True
        conn = open_readonly(store_or_db, tables=(*OGI_TABLES, "reports_fts"), error=SearchError)
        conn.row_factory = None  # Store's readers build dicts from plain tuples
        return _ReadOnlyStore(conn, store_or_db), True
    raise SearchError(f"search() needs a Store or a database path, not {type(store_or_db).__name__}")


def _check_filters(filters: dict[str, Any]) -> None:
    """Filters SQLite can take: a year in range, text that is valid UTF-8 (not undecodable argv bytes)."""
    year = filters.get("year")
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise SearchError(f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    for name, value in filters.items():
        if isinstance(value, str) and (shown := invalid_utf8(value)) is not None:
            raise SearchError(f"--{name} {shown!r} is not valid UTF-8 text")


def _fts_rows(store: Store, query: str, match: str, where: str, params: list[Any], cols: str,
              limit: int) -> list[dict[str, Any]]:
    """The hits of an FTS5 MATCH on SQLite, best first: `ranked_page_sql`, then the rows of the page."""
    # The page is cut before the text is read: only its reports' texts (for snippets) leave the disk.
    sql = f"""WITH top AS ({ranked_page_sql(where if params else None)}),
              page AS (SELECT top.rid, top.rank FROM top JOIN reports r ON r.report_id = top.rid
                       ORDER BY top.rank, r.report_year DESC LIMIT ?)
              SELECT {cols}, page.rank FROM page JOIN reports r ON r.report_id = page.rid
              ORDER BY page.rank, r.report_year DESC"""
    # `limit` spare rows in the ranking, so that the year tie-break still applies to reports tied at the cut.
    args = [*params, match, match] if params else [match, match]
    try:
        return store._all(sql, [*args, 2 * limit, limit])
    except sqlite3.OperationalError as exc:  # should not happen: the query is built from quoted tokens
        logger.error("fts query failed: %r -> %s: %s", query, match, exc)
        raise SearchError(f"cannot search for {query!r}: {exc}") from exc


def ranked_page_sql(where: str | None) -> str:
    """SELECT rid, rank of the best matches of `MATCH ?` (passing `where` on `reports r`, if given), LIMIT ?.

    Why not `ranked_matches_sql` + LIMIT: FTS5 computes bm25 for every match before it sorts (0.75 µs a
    report: 75 ms for a word in all of 100,000 reports), and joining each match to its reports row to test a
    filter costs as much again. Here (benchmarks/RESULTS-search.md):
    - a filter picks its reports first (`ids`, through the reports indexes), and the index is read against
      that list (an in-memory lookup per match instead of a reports row);
    - the ranking is capped: bm25 ranks the RANK_CAP most recently stored matches (highest report_id), found
      by walking the index backwards. A query matching more reports shows the best of the newest RANK_CAP;
      `count_matches` still counts them all, and a filter narrows what is ranked.
    Parameters: `where`'s (if given), the MATCH expression twice, the LIMIT."""
    if where is None:
        ids, src = "", "reports_fts"
    else:
        ids = f"ids(id) AS MATERIALIZED (SELECT r.report_id FROM reports r WHERE {where}), "
        src = "reports_fts CROSS JOIN ids ON ids.id = reports_fts.rowid"
    return f"""WITH {ids}
               newest AS (SELECT reports_fts.rowid AS rid FROM {src} WHERE reports_fts MATCH ?
                          ORDER BY reports_fts.rowid DESC LIMIT {RANK_CAP})
               SELECT reports_fts.rowid AS rid, {RANK} AS rank FROM {src}
               WHERE reports_fts MATCH ? AND reports_fts.rowid >= (SELECT min(rid) FROM newest)
               ORDER BY rank LIMIT ?"""


def search(
    store_or_db: Store | sqlite_utils.Database | str | Path,
    query: str,
    *,
    province: str | None = None,
    city: str | None = None,
    county: str | None = None,
    adcode: str | None = None,
    year: int | None = None,
    agency: str | None = None,
    department: str | None = None,
    form: str | None = None,
    selection: Any = None,
    limit: int = 20,
    mark_start: str = "[",
    mark_end: str = "]",
    marks: tuple[str, str] | None = None,
) -> list[Hit]:
    """Search reports; best first (bm25 with title and agency weighted above the body).

    An empty query with at least one filter lists the matching reports (newest year first).
    `marks=(start, end)` is shorthand for mark_start/mark_end (the CLI passes control characters).
    `selection`: a corpus.selection.Selection (the command line's filters), combined with the others.
    """
    if marks is not None:
        mark_start, mark_end = marks
    query = query or ""
    filters = dict(province=province, city=city, county=county, adcode=adcode, year=year,
                   agency=agency, department=department, form=form, selection=selection)
    if year is not None:
        try:
            filters["year"] = int(year)
        except (TypeError, ValueError) as exc:
            raise SearchError(f"year must be a number, not {year!r}") from exc
    _check_filters(filters)
    store, owned = _open(store_or_db)
    try:
        where, params = store.where_clause("r", **filters)
        groups = parse_query(query)
        terms = [t for g in groups for t in g]
        cols = "r.report_id, r.agency, r.report_year, r.title, r.province, r.city, r.county, r.adcode, " \
               "r.source_url, r.text"
        if not groups:
            if not any(v is not None for v in filters.values()):
                if not query.strip():
                    raise SearchError("empty query: give a search term or at least one filter")
                to_fts_query(query)  # raises the explanatory SearchError
            sql = f"SELECT {cols}, 0.0 AS rank FROM reports r WHERE {where} " \
                  "ORDER BY r.report_year DESC, r.agency LIMIT ?"
            rows = store._all(sql, [*params, int(limit)])
        else:
            match = to_fts_query(query)
            logger.debug("fts query %r -> %s", query, match)
            # Rank without the text column, then read the text of the returned rows only: selecting
            # r.text in the ranking query made SQLite carry every match's full text through the sorter
            # (benchmarks/RESULTS-search.md); the SQLite ranking itself: ranked_page_sql.
            if isinstance(store.conn, PgConnection):  # PostgreSQL: tsvector index, same matches (corpus.pg_search)
                from corpus.pg_search import ranked_sql

                sql, match_params = ranked_sql(groups, where, cols)
                rows = store._all(sql, [*match_params, *params, int(limit)])
            else:
                rows = _fts_rows(store, query, match, where, params, cols, int(limit))
        hits = []
        for r in rows:
            snippet = make_snippet(r["text"] or "", terms, start=mark_start, end=mark_end)
            if snippet is None:
                snippet = make_snippet(r["title"] or "", terms, start=mark_start, end=mark_end)
            if snippet is None:
                head = " ".join((r["text"] or "").split())
                snippet = head[:SNIPPET_CHARS] + ("…" if len(head) > SNIPPET_CHARS else "")
            hits.append(Hit(
                report_id=r["report_id"], agency=r["agency"], report_year=r["report_year"], title=r["title"],
                province=r["province"], county=r["county"], adcode=r["adcode"], source_url=r["source_url"],
                score=-float(r["rank"]) if r["rank"] else 0.0, snippet=snippet, city=r["city"],
            ))
        return hits
    except sqlite3.DatabaseError as exc:  # a damaged or locked file: the same words as every other command
        raise SearchError(str(database_problem(store.db_path, exc))) from exc
    finally:
        if owned:
            store.close()


def search_dicts(store_or_db: Store | str | Path, query: str, **kwargs: Any) -> list[dict[str, Any]]:
    """`search` as plain dicts (for --json output)."""
    from dataclasses import asdict

    return [asdict(h) for h in search(store_or_db, query, **kwargs)]
