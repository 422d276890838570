"""Full-text search on PostgreSQL with ogi's own CJK bigrams: the same query language and the same matches as
the SQLite FTS5 index (corpus.search), in `tsvector`/`tsquery` with a GIN index.

Why not PostgreSQL's parsers or pg_trgm: the tsvector is built here from `corpus.bigrams.tokens`, the token
stream the SQLite index sees, and queries are written as tsquery literals from the same parsed terms, so
both backends agree on what matches (pg_trgm cannot match 2-character words fast: 225 ms against 0.07 ms
for a tsvector lookup at 50k rows, measured for the scale-out issue).

Semantics kept from FTS5: a phrase matches inside one field (title, agency, meta or text); the terms of an
AND group may match in different fields. A report's text is indexed in chunks of CHUNK_TOKENS tokens that
overlap by CHUNK_OVERLAP (a tsvector keeps positions only up to 16,383 and 256 per word), and an AND group
is an INTERSECT of per-term matches over the whole report, so chunking never splits a match of separate
terms. A phrase longer than CHUNK_OVERLAP tokens that straddles a chunk boundary is the one thing missed.
Ranking is ts_rank summed over the matching fields with title > agency > meta > text (close to, not the same
as, FTS5's bm25: hits are the same set, their order can differ).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from corpus.bigrams import index_columns, to_index_ends, tokens

if TYPE_CHECKING:
    from corpus.search import Term

CHUNK_TOKENS = 2000
CHUNK_OVERLAP = 128
MAX_POSITIONS = 256  # PostgreSQL keeps at most 256 positions of one word per tsvector
# Parts of a report in report_search, with the ts_rank weight letter of each.
TITLE, AGENCY, META, TEXT = 0, 1, 2, 3
WEIGHT = {TITLE: "A", AGENCY: "B", META: "C"}  # text chunks: D
# The last character of every CJK run of each field (corpus.bigrams.to_index_ends; what a one-character
# query's prefix needs besides the bigrams, as in the SQLite index's *_end columns): part -1 - field.
ENDS = {TITLE: -1, AGENCY: -2, META: -3, TEXT: -4}


def tsvector_literal(toks: Iterable[str]) -> str:
    """`'政府':1 '府信':2 ...` for a token stream (positions from 1)."""
    positions: dict[str, list[int]] = defaultdict(list)
    for pos, tok in enumerate(toks, start=1):
        if len(positions[tok]) < MAX_POSITIONS:
            positions[tok].append(pos)
    return " ".join(f"'{tok}':{','.join(map(str, ps))}" for tok, ps in positions.items())


def index_parts(title: str | None, agencies: str, meta: str, text: str | None) -> list[tuple[int, str, str]]:
    """(part, weight letter, tsvector literal) rows for one report; empty fields make no row."""
    rows = []
    for part, value in ((TITLE, title), (AGENCY, agencies), (META, meta)):
        toks = tokens(value or "")
        if toks:
            rows.append((part, WEIGHT[part], tsvector_literal(toks)))
        if ends := to_index_ends(value):
            rows.append((ENDS[part], WEIGHT[part], tsvector_literal(ends.split())))
    body, body_ends = index_columns(text)
    if body_ends:
        rows.append((ENDS[TEXT], "D", tsvector_literal(body_ends.split())))
    toks = body.split()
    step = CHUNK_TOKENS - CHUNK_OVERLAP
    for n, start in enumerate(range(0, max(len(toks) - CHUNK_OVERLAP, 1), step)):
        chunk = toks[start : start + CHUNK_TOKENS]
        if chunk:
            rows.append((TEXT + n, "D", tsvector_literal(chunk)))
    return rows


def _quote(token: str) -> str:
    return "'" + token.replace("'", "''").replace("\\", "\\\\") + "'"


def term_tsqueries(term: Term) -> list[str]:
    """tsquery literals whose AND (over the whole report) is the term: one phrase, or one per segment when
    the term's lone CJK characters cannot be adjacent in a bigram phrase (as `Term.fts` gives up adjacency)."""
    from corpus.search import Term

    segs = term.segs
    if len(segs) == 1 and segs[0].cjk and len(segs[0].text) == 1:
        return [_quote(segs[0].text) + ":*"]
    if term._adjacent():
        toks = [t for s in segs for t in s.tokens()]
        if segs[-1].cjk and len(segs[-1].text) == 1:
            toks[-1] = _quote(toks[-1]) + ":*"
            return [" <-> ".join([*map(_quote, toks[:-1]), toks[-1]])]
        return [" <-> ".join(map(_quote, toks))]
    return [q for s in segs for q in term_tsqueries(Term([s]))]


def match_sql(groups: list[list[Term]]) -> tuple[str, list[str]]:
    """SQL selecting the report_ids matching OR-groups of AND-ed terms, and its parameters."""
    selects, params = [], []
    for group in groups:
        queries = list(dict.fromkeys(q for t in group for q in term_tsqueries(t)))
        parts = ["SELECT report_id FROM report_search WHERE doc @@ ?::tsquery" for _ in queries]
        selects.append("(" + " INTERSECT ".join(parts) + ")")
        params += queries
    return " UNION ".join(selects), params


def any_tsquery(groups: list[list[Term]]) -> str:
    """One tsquery matching a field that holds any term (for ranking the fields of a matched report)."""
    queries = dict.fromkeys(q for g in groups for t in g for q in term_tsqueries(t))
    return " | ".join(f"({q})" for q in queries)


def ranked_sql(groups: list[list[Term]], where: str, cols: str) -> tuple[str, list[Any]]:
    """The hits query: matched reports passing `where` (on `reports r`), best first, then newer first.
    Parameters: those returned, then `where`'s, then the LIMIT."""
    matched, params = match_sql(groups)
    sql = f"""WITH m AS ({matched}),
              scored AS (
                SELECT s.report_id, sum(ts_rank(s.doc, ?::tsquery)) AS score
                FROM report_search s JOIN m ON m.report_id = s.report_id
                GROUP BY s.report_id)
              SELECT {cols}, -scored.score AS rank FROM scored JOIN reports r ON r.report_id = scored.report_id
              WHERE {where} ORDER BY scored.score DESC, r.report_year DESC, r.report_id LIMIT ?"""
    return sql, [*params, any_tsquery(groups)]
