"""Fuzz (property) tests of the search query builder: any user string becomes SQL-safe FTS5 or a SearchError.

Properties, over arbitrary unicode (FTS5 syntax characters, NEAR/AND/OR/NOT, CJK, control characters,
NUL, U+2028, lone surrogates, very long strings, thousands of terms):
  * `to_fts_query` returns an expression that SQLite FTS5 accepts (run against a real `reports_fts` table
    of ogi's schema, ranked with bm25 as `search` does) or raises `SearchError` and nothing else;
  * `search(store, query, **filters)` with fuzzed filters returns a list of hits or raises `SearchError`;
  * the work per query is bounded (`corpus.search.MAX_QUERY_CHARS` / `MAX_QUERY_PHRASES`);
  * `ogi search` (click's CliRunner) never prints a traceback.

CI runs a fixed, derandomized budget (a few seconds). A longer local campaign, random each run:
    OGI_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest -q tests/test_fuzz_search.py
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus.search import (
    MAX_QUERY_CHARS,
    MAX_QUERY_PHRASES,
    Hit,
    SearchError,
    parse_query,
    search,
    to_fts_query,
)
from corpus.store import Store
from extract.record import Record, Region

CAMPAIGN = os.environ.get("OGI_FUZZ_EXAMPLES", "").strip()
WORK_SECONDS = 5.0  # one query, built and run on the tiny corpus; 10,000 terms took 12-19 s before the cap


def budget(ci: int, weight: float = 1.0) -> settings:
    """CI: `ci` examples, derandomized (the same inputs every run). Campaign: OGI_FUZZ_EXAMPLES x weight, random."""
    n = max(ci, int(int(CAMPAIGN) * weight)) if CAMPAIGN else ci
    return settings(
        max_examples=n, deadline=None, derandomize=not CAMPAIGN, database=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# ------------------------------------------------------------------------------ a tiny real corpus, once
HUBEI = Region("湖北省", "武汉市", "东西湖区", "420112")
GD = Region("广东省", "广州市", "天河区", "440106")
DOCS = [
    dict(agency="武汉市东西湖区住房和城乡建设局", region=HUBEI, report_year=2022, title="东西湖区住建局2022年政府信息公开工作年度报告",
         text="本机关全年共收到行政复议申请2件，维持1件。住建领域信息主动公开。NEAR AND OR NOT \"引号\" a*b (c) d:e ^f -g"),
    dict(agency="武汉市东西湖区人民政府", region=HUBEI, report_year=2021, title="东西湖区2021年政务公开年度报告",
         text="全年发生行政诉讼3起，均已审结。政府信息依申请办理及时。ＰＤＦ Report 2021"),
    dict(agency="广州市天河区人民政府", region=GD, report_year=2019, title="天河区2019年度报告",
         text="今年我们复印了档案材料，并在会上提出改进建议。𠀀𠀁 〇〇 ß İ ﬀ"),
    dict(agency="广州市天河区住房和建设局", region=GD, report_year=2020, title="天河区住房和建设局年度报告",
         text="没有发生因政府信息公开引起的行政复议和行政诉讼。2020年无收费。\u2028\x00\u3000"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, sqlite3.Connection, set[int], Path]:
    path = tmp_path_factory.mktemp("fuzz_search") / "ogi.db"
    store = Store(path)
    ids = {store.save_report(Record(is_report=True, source_url=f"http://example/{i}.html", text_source="html", **kw),
                             site_id=None, capture_ids=[]) for i, kw in enumerate(DOCS)}
    conn = sqlite3.connect(path)
    yield store, conn, ids, path
    conn.close()
    store.close()


# ------------------------------------------------------------------------------ strategies
SYNTAX = ['"', '""', "*", "(", ")", ":", "^", "-", "+", "{", "}", "[", "]", ",", ".", "'", "\\", "%", "_",
          "NEAR", "NEAR(", "NEAR/3", "AND", "OR", "NOT", "and", "or", "not", "title:", "text:", "-title:", "{title agency}:",
          " ", "  ", "\t", "\n", "\r"]
CJK = list("复议行政诉讼信息公开申请住建年度报告政府天河区") + ["行政复议", "信息公开", "复", "〇", "\U00020000", "\U0002a6d6"]
ODD = ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\u3000", "\ufeff", "\u200b", "\u200d", "ﬀ", "ﷺ", "²",
       "Ⅻ", "ⅷ", "\u0301", "\u0345", "İ", "ß", "ẞ", "ﾞ", "ﾟ", "ｶﾞ", "０１２", "ＡＢＣ", "١٢٣", "🙂", "👍🏽", "\U0010ffff",
       "\ud800", "\udcff", "\udfff"]
WORDS = ["复议", "诉讼", "住建", "2019", "2022", "pdf", "Report", "ab", "x", "复x议", "复", "\"信息 公开\"", "a:b", "NEAR(a b)"]

surrogates = st.characters(codec=None, categories=["Cs"])
any_char = st.characters(codec=None, exclude_categories=[])  # every code point, surrogates included
token = st.one_of(st.sampled_from(SYNTAX + CJK + ODD + WORDS), st.text(any_char, max_size=6), st.text(surrogates, max_size=2))
queries = st.one_of(
    st.lists(token, max_size=40).map("".join),
    st.lists(token, max_size=40).map(" ".join),
    st.text(any_char, max_size=300),
    # many terms and very long strings: the work must stay bounded
    st.builds(lambda words, n, sep: sep.join(words * n), st.lists(st.sampled_from(WORDS + CJK), min_size=1, max_size=4),
              st.integers(1, 3000), st.sampled_from([" ", " OR ", " AND ", "", "\u3000"])),
)
text_filter = st.one_of(st.none(), st.sampled_from(["湖北省", "广东省", "天河区", "住建", "420112", "44", "%", "_", "\\"]),
                        st.text(any_char, max_size=20))
year_filter = st.one_of(st.none(), st.integers(2018, 2023), st.integers(), st.integers(min_value=2**63 - 2),
                        st.integers(max_value=-(2**63) + 2), st.sampled_from(["2022", "２０２２", " 2021 ", "20x", "", "1e3"]))
filters = st.fixed_dictionaries({}, optional=dict(
    province=text_filter, city=text_filter, county=text_filter, adcode=text_filter, agency=text_filter,
    department=text_filter, form=text_filter, year=year_filter))


def n_phrases(expr: str) -> int:
    """Phrases in a built expression: each is one quoted string (quotes never occur inside a token)."""
    return expr.count('"') // 2


# ------------------------------------------------------------------------------ the properties
REGRESSIONS = [
    " ".join(["复"] * 10_000),  # 10,000 prefix terms: 12 s to rank one report before the cap
    " ".join(["ab"] * 10_000),
    " OR ".join(["复议"] * 10_000),  # 10,000 OR-groups: 19 s
    "复" * 1_000_000,  # one phrase of 999,999 bigrams
]


@budget(500)
@given(q=queries)
@example(q='"')
@example(q="NEAR(复议 诉讼)")
@example(q="\x00复\x00议\u2028")
@example(q="\ud800复议\udcff")
@example(q="复x" * 300)  # one term, 600 segments: each lone character would be its own phrase
@example(q=" ".join(["复议"] * 100))  # the same term a hundred times is one term
@example(q=REGRESSIONS[0])
@example(q=REGRESSIONS[1])
@example(q=REGRESSIONS[2])
@example(q=REGRESSIONS[3])
def test_fts_query_is_accepted_by_fts5_or_search_error(corpus, q: str) -> None:
    _, conn, ids, _ = corpus
    t0 = time.monotonic()
    try:
        expr = to_fts_query(q)
    except SearchError as exc:
        assert str(exc)
        return
    assert isinstance(expr, str) and expr
    assert n_phrases(expr) <= MAX_QUERY_PHRASES
    # exactly how search() runs it: MATCH, ranked with weighted bm25
    rows = conn.execute("SELECT rowid, bm25(reports_fts, 10.0, 5.0, 2.0, 1.0) AS rank FROM reports_fts "
                        "WHERE reports_fts MATCH ? ORDER BY rank LIMIT 40", (expr,)).fetchall()
    assert {r[0] for r in rows} <= ids
    assert time.monotonic() - t0 < WORK_SECONDS, f"query of {len(q):,} characters took too long"


@budget(500)
@given(q=queries)
@example(q=REGRESSIONS[0])
@example(q=REGRESSIONS[2])
def test_parse_query_is_bounded(q: str) -> None:
    """The builder refuses (SearchError) rather than build an unbounded amount of FTS work."""
    try:
        groups = parse_query(q)
    except SearchError as exc:
        assert "too long" in str(exc) or "too many" in str(exc), exc
        assert len(q) > MAX_QUERY_CHARS or len(q.split()) > MAX_QUERY_PHRASES // 2 or len(q) > MAX_QUERY_PHRASES
        return
    assert len(q) <= MAX_QUERY_CHARS
    assert sum(t.phrases() for g in groups for t in g) <= MAX_QUERY_PHRASES


@budget(500)
@given(q=queries, f=filters)
@example(q="复议", f=dict(year=10**30))
@example(q="", f=dict(year=-(2**70)))
@example(q="复议", f=dict(province="\ud800"))
@example(q="", f=dict(agency="\x00"))
@example(q="", f=dict(adcode="٤٢"))
@example(q=REGRESSIONS[0], f=dict(province="湖北省"))
@example(q=REGRESSIONS[2], f={})
def test_search_returns_hits_or_search_error(corpus, q: str, f: dict) -> None:
    store, _, ids, _ = corpus
    t0 = time.monotonic()
    try:
        hits = search(store, q, **f)
    except SearchError as exc:
        assert str(exc)
        return
    assert isinstance(hits, list)
    for h in hits:
        assert isinstance(h, Hit) and h.report_id in ids and isinstance(h.snippet, str)
    assert time.monotonic() - t0 < WORK_SECONDS


@budget(40, weight=0.05)
@given(q=queries.filter(lambda s: "\x00" not in s), province=st.one_of(st.none(), st.text(any_char, max_size=10)),
       year=st.one_of(st.none(), st.integers()))
@example(q=REGRESSIONS[0], province=None, year=None)
@example(q="复议", province="\udcff", year=None)
def test_cli_search_never_prints_a_traceback(corpus, q: str, province: str | None, year: int | None) -> None:
    from ogi.cli import main

    *_, path = corpus
    args = ["search", "--db", str(path)]
    if province is not None:
        args += ["--province", province]
    if year is not None:
        args += ["--year", str(year)]
    result = CliRunner().invoke(main, [*args, "--", q], catch_exceptions=True)
    out = result.output
    assert "Traceback" not in out, out
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), (result.exit_code, out)
