"""analyze() on the five seed reports must give every number in their gold (tests/fixtures/seeds/seeds.json)."""

from __future__ import annotations

import json

import pytest

from extract.stats import CODEBOOK, analyze
from extract.tables import text_tables_to_grids
from tests.conftest import GOLD_PATH
from tests.conftest import SEEDS as SEEDS_DIR

GOLD = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
SEEDS = sorted(k for k in GOLD if not k.startswith("_"))


def run(name: str, *, with_grids: bool = False):
    gold = GOLD[name]
    text = (SEEDS_DIR / name).read_text(encoding="utf-8")
    tables = text_tables_to_grids(text) if with_grids else []
    stats, flags = analyze(
        text,
        tables,
        form=gold.get("form"),
        report_year=gold.get("report_year"),
        document_date=gold.get("document_date"),
    )
    return {s.key: s for s in stats}, flags


@pytest.mark.parametrize("with_grids", [False, True], ids=["text-only", "text-grids"])
@pytest.mark.parametrize("name", SEEDS)
def test_gold_stats(name: str, with_grids: bool) -> None:
    stats, _ = run(name, with_grids=with_grids)
    got = {k: s.value for k, s in stats.items()}
    for key, value in GOLD[name].get("stats", {}).items():
        assert key in CODEBOOK, key
        assert got.get(key) == value, (key, value, got.get(key))


@pytest.mark.parametrize("name", SEEDS)
def test_gold_legacy_labels(name: str) -> None:
    stats, _ = run(name)
    for label, value in GOLD[name].get("legacy_labels", {}).items():
        keys = [k for k, entry in CODEBOOK.items() if k.startswith("legacy.") and entry[0] == label]
        assert len(keys) == 1, (label, keys)
        assert keys[0] in stats, label
        assert stats[keys[0]].value == value
        assert stats[keys[0]].source == "table"


@pytest.mark.parametrize("name", SEEDS)
def test_gold_flags(name: str) -> None:
    _, flags = run(name)
    for flag in GOLD[name].get("expected_flags", []):
        assert flag in flags


@pytest.mark.parametrize("name", SEEDS)
def test_every_stat_is_canonical_with_evidence(name: str) -> None:
    stats, _ = run(name)
    for key, s in stats.items():
        assert key in CODEBOOK, key
        assert s.source in ("table", "text")
        assert s.evidence.strip()


def test_seed_003_table_and_text_sources() -> None:
    stats, flags = run("003_cbc6ccbd10d2d8f2.txt")
    assert stats["requests.new.total"].source == "table"
    assert "一、本年新收政府信息公开申请数量" in stats["requests.new.total"].evidence
    # carried forward comes from the lone number line after the table
    assert stats["requests.carried_forward.total"].value == 0
    # the label-less rows of zeros are not data: no natural-person cells appear in rows they follow
    assert "requests.granted.natural_person" not in stats
    assert "requests.partial.natural_person" not in stats
    assert not any("unlabelled" in f for f in flags)
    # checks hold on this table
    assert not any(f.startswith("table 三") for f in flags), flags


def test_seed_000_other_counts_are_not_requests() -> None:
    stats, _ = run("000_b2e877bf73f80718.txt")
    values = {s.value for k, s in stats.items() if k.startswith(("core.requests", "requests."))}
    assert not values & {153, 33833, 100, 260, 1500}
    assert stats["core.requests_new"].source == "text"
    assert "全年受理依申请公开" in stats["core.requests_new"].evidence


def test_seed_002_ambiguous_review_not_invented() -> None:
    stats, _ = run("002_b2e2d1b32352d163.txt")
    assert "core.review_total" not in stats
    assert "core.litigation_total" not in stats


def test_seed_004_zero_in_words() -> None:
    stats, _ = run("004_23bd5336edb556c9.txt")
    assert stats["core.review_total"].value == 0
    assert "没有收到任何申请行政复议" in stats["core.review_total"].evidence.replace(" ", "")
    assert stats["core.litigation_total"].value == 0


def test_seed_001_core_from_legacy_table() -> None:
    stats, _ = run("001_765f60bd78de7148.txt")
    assert stats["core.requests_new"].source == "table"
    assert stats["legacy.budget_10k_yuan"].value == 0  # label broken over two lines
    assert stats["legacy.review_corrected"].value == 0
    assert stats["legacy.complaints_corrected"].value == 0
