"""The search benchmark runs (at 2,000 reports) and its figures are sane; search ranks as the plain query does."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import search_bench
from benchmarks.synthetic_corpus import CorpusGenerator
from corpus.search import RANK_CAP, WEIGHTS, search, to_fts_query

N = 2000


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[search_bench.BenchResult, Path]:
    db = tmp_path_factory.mktemp("bench") / "bench.db"
    res = search_bench.run(N, db, per_set=8, like_per_set=3, check_per_set=3, log=lambda _msg: None)
    return res, db


def test_corpus_is_deterministic_and_realistic() -> None:
    a = [r.text for r in CorpusGenerator(seed=7).reports(30)]
    b = [r.text for r in CorpusGenerator(seed=7).reports(30)]
    assert a == b
    reports = list(CorpusGenerator(seed=7).reports(300))
    lengths = sorted(len(r.text) for r in reports)
    assert 4000 < lengths[150] < 10000 and lengths[0] >= 2500
    assert len({r.province for r in reports}) > 20 and len({r.agency for r in reports}) > 250
    assert {r.report_year for r in reports} <= set(range(2008, 2025))
    r = reports[0]
    assert r.county in r.text and str(r.report_year) in r.text and "政府信息公开" in r.text


def test_benchmark_figures_are_sane(bench: tuple[search_bench.BenchResult, Path]) -> None:
    res, _ = bench
    assert res.reports == N and res.chars_total > N * 3000
    assert res.insert_s > 0 and res.index_build_s > 0
    assert res.fts_bytes["reports_fts_data"] > 0 and res.reports_bytes > 0
    assert res.db_bytes >= res.reports_bytes + sum(res.fts_bytes.values())
    sets = {s.name: s for s in res.sets}
    assert len(sets) == 13
    for s in sets.values():
        assert s.n_fts == 8 and s.n_like == 3
        assert 0 < s.fts_p50_ms <= s.fts_p95_ms and 0 < s.like_p50_ms <= s.like_p95_ms
    for k in (2, 4, 8):
        assert sets[f"{k}-char common"].median_matches > N / 2
        assert 1 <= sets[f"{k}-char rare"].median_matches < N / 10
        assert sets[f"{k}-char absent"].median_matches == 0
    assert sets["2-char + province"].median_matches < sets["2-char common"].median_matches
    # Rare and absent words are where an index pays: it must beat the full scan there.
    assert sets["2-char rare"].ratio_p50 > 3 and sets["4-char absent"].ratio_p50 > 3
    # FTS and LIKE agree, 1-character queries included (the run-final characters are indexed).
    assert res.checked == 13 * 3
    assert res.mismatches == []


def test_search_ranks_like_the_plain_query(bench: tuple[search_bench.BenchResult, Path]) -> None:
    """search() ranks in subqueries without the text, filters first; the order must be the one-query bm25 order
    over the RANK_CAP most recently stored matches (all of them when fewer)."""
    _, db = bench
    w = ", ".join(str(x) for x in WEIGHTS)
    sql = f"""SELECT r.report_id FROM reports_fts JOIN reports r ON r.report_id = reports_fts.rowid
              WHERE reports_fts MATCH ? AND {{where}} AND reports_fts.rowid >= (
                SELECT min(rid) FROM (SELECT reports_fts.rowid AS rid FROM reports_fts JOIN reports r
                ON r.report_id = reports_fts.rowid WHERE reports_fts MATCH ? AND {{where}}
                ORDER BY reports_fts.rowid DESC LIMIT {RANK_CAP}))
              ORDER BY bm25(reports_fts, {w}), r.report_year DESC LIMIT ?"""
    from corpus.store import Store

    with Store(db) as store:
        for q, filters in [("公开", {}), ("行政复议", {}), ("复议", {"year": 2022}), ("信息", {"province": "湖北省"}),
                           ("政府信息公开工作", {}), ("申请", {"agency": "教育局"})]:
            where, params = store.where_clause("r", **filters)
            for limit in (1, 5, 20):
                want = [r[0] for r in store.conn.execute(sql.format(where=where),
                                                          [to_fts_query(q), *params, to_fts_query(q), *params, limit])]
                got = [h.report_id for h in search(store, q, limit=limit, **filters)]
                assert got == want, (q, filters, limit)


def test_main_prints_the_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "r.json"
    assert search_bench.main(["--reports", "300", "--queries", "3", "--like-queries", "1", "--check", "1",
                              "--json", str(out_json)]) == 0
    printed = capsys.readouterr().out
    assert "rebuild_search_index()" in printed and "2-char common" in printed and "LIKE p50" in printed
    assert '"reports": 300' in out_json.read_text(encoding="utf-8")
