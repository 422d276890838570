"""The golden corpus (tests/golden/) and its accuracy gate.

The corpus is built once by scripts/build_golden_corpus.py from specs, so every
expected value is the truth of the document, not a copy of the extractor's output.
The gate fails when a (document, field) pair pinned in tests/golden/baseline.json
stops passing; it prints the field-level accuracy report either way (pytest -s).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import logging
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"

logger = logging.getLogger(__name__)


def _load_gate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accuracy_gate", ROOT / "scripts" / "accuracy_gate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["accuracy_gate"] = mod
    spec.loader.exec_module(mod)
    return mod


gate = _load_gate()
EXPECTED = gate.load_expected()


@pytest.fixture(scope="module")
def results() -> list:
    return gate.evaluate()


def test_corpus_composition() -> None:
    """≥30 documents covering every format, form, decoys, seeds, and a file for each expectation."""
    assert len(EXPECTED) >= 30
    files = {e["file"] for e in EXPECTED.values()}
    assert files == {p.name for p in (GOLDEN / "docs").iterdir()}
    exts = {f.rsplit(".", 1)[-1] for f in files}
    assert {"html", "pdf", "docx", "doc", "wps", "txt"} <= exts
    forms = {e.get("form") for e in EXPECTED.values() if e["is_report"]}
    assert {"form2021", "form2019", "legacy_table", "narrative"} <= forms
    feats = " ".join(f for e in EXPECTED.values() for f in e.get("features", []))
    for feature in ("scanned", "continues on the next page (header repeated)", "continues on the next page (no header)",
                    "fake-bold", "running header", "span_digits", "split_labels", "blanks", "junk_rows", "br_headers",
                    "nbsp", "merged cells", "decoy", "seed"):
        assert feature in feats, feature
    assert sum(1 for e in EXPECTED.values() if not e["is_report"]) >= 5
    gbk = [p for p in (GOLDEN / "docs").glob("g*.html")]
    assert gbk and all(b"charset=utf" not in p.read_bytes().lower() for p in gbk)
    for p in gbk:
        p.read_bytes().decode("gbk")  # really GBK bytes, not UTF-8


def test_expected_values_are_consistent() -> None:
    """The expectations obey the form's own arithmetic and name real regions (cpca data)."""
    codes = {}
    with open(Path(__import__("cpca").__file__).parent / "resources" / "adcodes.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            codes[row["adcode"][:6]] = row["name"]
    cols = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
    checked = 0
    for name, exp in EXPECTED.items():
        if exp.get("region"):
            assert codes.get(exp["region"]["adcode"]) == exp["region"]["county"], name
        s = exp.get("stats", {})
        for c in cols:
            keys = [f"requests.{r}.{c}" for r in ("new", "carried_over", "handled_total", "carried_forward")]
            if all(k in s for k in keys):
                assert s[keys[0]] + s[keys[1]] == s[keys[2]] + s[keys[3]], (name, c)
                checked += 1
        if "requests.new.total" in s and exp.get("stats_complete"):
            assert s["core.requests_new"] == s["requests.new.total"]
            assert s["core.review_total"] == s["review.total"]
    assert checked >= 80


def test_accuracy_gate(results: list) -> None:
    """No pair pinned in the baseline may fail (documents awaiting OCR/DOC support are simply not pinned)."""
    baseline = gate.load_baseline()
    print("\n" + gate.format_report(results, baseline))
    assert baseline, "tests/golden/baseline.json missing: run scripts/accuracy_gate.py --update"
    reg = gate.regressions(results, baseline)
    assert not reg, "accuracy regressions against tests/golden/baseline.json:\n" + "\n".join(reg)


def test_gate_flags_a_regression(results: list) -> None:
    """The gate itself: a pinned pair that now fails is listed with what was expected and got."""
    r = next(x for x in results if x.name.startswith("h01"))
    broken = gate.DocResult(name=r.name, fmt=r.fmt, fields=dict(r.fields))
    broken.fields["stats:core.requests_new"] = False
    broken.details["stats:core.requests_new"] = (5, 4)
    reg = gate.regressions([broken], {r.name: ["stats:core.requests_new", "agency"]})
    assert reg == [f"{r.name} stats:core.requests_new: expected 5, got 4"]
    assert gate.regressions([r], {r.name: ["agency"], "gone": ["agency"]}) == ["gone: document missing from the run"]


def test_compare_counts_precision_on_complete_documents() -> None:
    """An extra extracted cell counts against precision only where the expectation is complete."""
    exp = {"file": "x.html", "stats": {"core.requests_new": 3}, "stats_complete": True}
    rec = {"stats": {"core.requests_new": 3, "requests.new.research": 0}, "text": ""}
    res = gate.compare("x", exp, rec)
    assert res.fields == {"stats:core.requests_new": True}
    assert (res.stats_extracted, res.stats_wrong_extra) == (2, 1)
    res = gate.compare("x", {**exp, "stats_complete": False}, rec)
    assert (res.stats_extracted, res.stats_wrong_extra) == (1, 0)


def test_summary_shape(results: list) -> None:
    s = gate.summary(results)
    assert s["documents"] == len(EXPECTED)
    assert {"agency", "region.adcode", "stats core.*", "stats table cells"} <= set(s["fields"])
    assert 0.0 <= s["stats_precision"] <= 1.0 and 0.0 <= s["stats_recall"] <= 1.0
    json.dumps(s)


# --- the real-document corpus (tests/fixtures/real/) ---------------------------------------------

REAL = gate.load_expected("real")


@pytest.fixture(scope="module")
def real_results() -> list:
    return gate.evaluate(corpus="real")


def test_real_corpus_composition() -> None:
    """≥20 real documents from ≥8 provinces, all four forms, look-alikes, ≥5 PDFs listed in the README."""
    assert len(REAL) >= 20
    provinces = {e["region"]["province"] for e in REAL.values() if e.get("region")}
    assert len(provinces) >= 8, provinces
    assert {"form2021", "form2019", "legacy_table", "narrative"} <= {e.get("form") for e in REAL.values()}
    assert sum(1 for e in REAL.values() if not e["is_report"]) >= 3
    readme = (gate.REAL / "README.md").read_text(encoding="utf-8")
    for e in REAL.values():
        assert e["file"] in readme and e["source"], e["file"]
    assert sum(1 for e in REAL.values() if e["file"].endswith(".pdf")) >= 5


def test_real_corpus_has_no_wrong_number(real_results: list) -> None:
    """Precision first: on real documents no number may be wrong (missing ones are reported, not failed)."""
    print("\n" + gate.format_report(real_results, None, "real"))
    absent = gate.absent_files("real")
    if absent:
        print("not on disk (kept out of git, see tests/fixtures/real/README.md):", ", ".join(absent))
    assert len(real_results) + len(absent) == len(REAL)
    wrong = gate.wrong_numbers(real_results)
    assert not wrong, "wrong numbers on real documents:\n" + "\n".join(wrong)
    s = gate.summary(real_results)
    assert s["missing_numbers"] <= 0.02 * s["gold_numbers"], s["numbers"]


def test_gate_counts_wrong_and_missing_apart() -> None:
    """A number ogi did not give is missing; another value, or a number the document does not state, is wrong."""
    exp = {"file": "x.txt", "stats": {"core.requests_new": 3, "core.review_total": 0}, "stats_complete": True}
    rec = {"stats": {"core.requests_new": 4, "core.litigation_total": 0}, "text": ""}
    res = gate.compare("x", exp, rec)
    assert res.missing == ["stats:core.review_total"]
    assert res.wrong == {"stats:core.requests_new": (3, 4), "stats+:core.litigation_total": (None, 0)}
    assert gate.wrong_numbers([res]) == [
        "x stats+:core.litigation_total: expected None, got 0",
        "x stats:core.requests_new: expected 3, got 4",
    ]
    s = gate.summary([res])
    assert (s["wrong_numbers"], s["missing_numbers"], s["gold_numbers"]) == (2, 1, 2)
