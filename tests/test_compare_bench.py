"""benchmarks/similarity_bench.py at a small size: the corpus it builds has the answers it claims (every
planted copy found by `update_similarity`, no false alarm), so its figures at 100,000 reports mean something."""

from __future__ import annotations

from benchmarks.similarity_bench import build, check, naive_estimate
from corpus.similarity import update_similarity
from corpus.store import Store


def test_small_bench_finds_every_planted_copy(tmp_path):
    db = tmp_path / "bench.db"
    planted = build(db, 600, seed=7)
    assert planted["reports"] == 600 and planted["prev"] and planted["peer"]
    with Store(db) as store:
        run = update_similarity(store)
    assert run.reports == 600
    c = check(db, planted)
    assert (c["prev_found"], c["peer_found"]) == (len(planted["prev"]), len(planted["peer"]))
    assert c["false_prev"] == 0 and c["false_peer"] == 0 and 0.1 < c["prev_median"] < 0.7
    est = naive_estimate(db, 200, seed=7)
    assert est["all_pairs"] == 600 * 599 / 2 and est["per_pair_s"] > 0
