"""The five seed reports: metadata and text repairs must match their gold (tests/fixtures/seeds/seeds.json)."""

from __future__ import annotations

import json
import re

import pytest

from extract import extract_path
from tests.conftest import GOLD_PATH
from tests.conftest import SEEDS as SEEDS_DIR

GOLD = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
SEEDS = sorted(k for k in GOLD if not k.startswith("_"))

_cache: dict = {}


def record(name: str):
    if name not in _cache:
        _cache[name] = extract_path(SEEDS_DIR / name)
    return _cache[name]


def _nows(s: str) -> str:
    return re.sub(r"\s+", "", s)


FIELDS = ["agency", "agency_as_printed", "department", "report_year", "document_date", "published_at", "form"]
# Only the fields the gold gives for each seed ("a key missing here is not asserted either way").
SEED_FIELDS = [(name, field) for name in SEEDS for field in FIELDS if field in GOLD[name]]


@pytest.mark.parametrize("name, field", SEED_FIELDS)
def test_seed_field(name: str, field: str) -> None:
    assert getattr(record(name), field) == GOLD[name][field]


@pytest.mark.parametrize("name", SEEDS)
def test_seed_region(name: str) -> None:
    r = record(name).region
    assert {"province": r.province, "city": r.city, "county": r.county, "adcode": r.adcode} == GOLD[name]["region"]


@pytest.mark.parametrize("name", SEEDS)
def test_seed_text_must_contain(name: str) -> None:
    text = _nows(record(name).text)
    missing = [f for f in GOLD[name].get("text_must_contain", []) if _nows(f) not in text]
    assert not missing


@pytest.mark.parametrize("name", SEEDS)
def test_seed_text_must_not_contain(name: str) -> None:
    text = _nows(record(name).text)
    present = [f for f in GOLD[name].get("text_must_not_contain", []) if _nows(f) in text]
    assert not present


@pytest.mark.parametrize("name", SEEDS)
def test_seed_is_report_and_basics(name: str) -> None:
    rec = record(name)
    assert rec.is_report
    assert rec.text_source == "text"
    assert rec.sha256 and len(rec.sha256) == 64
    assert rec.title and " " not in rec.title and "\n" not in rec.title
    assert not rec.errors
