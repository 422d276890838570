"""Field-level accuracy of ogi's extraction on the golden corpora, gated on wrong numbers and a baseline.

Two corpora: the synthetic one (tests/golden/, built from specs by scripts/build_golden_corpus.py)
and the real one (tests/fixtures/real/, real reports whose gold a person read from the source:
scripts/golden/real_gold.py). A field that does not pass is either **missing** (ogi gave nothing)
or **wrong** (ogi gave another value; for documents whose gold lists every number, a number ogi
emits that the gold does not hold is wrong too). The gate fails on any wrong number in either
corpus — a wrong number in a dataset is worse than a gap — and on a baseline regression.

Why a baseline rather than a fixed threshold: documents whose support has not landed yet
(DOC/WPS conversion, OCR of scanned PDFs) belong in the corpus now and fail honestly; what
must never happen is that a (document, field) pair that passed before fails now. The
baseline (tests/golden/baseline.json) is the set of pairs that pass; a pair in it that
fails is a regression; pairs that pass but are not in it are improvements, recorded with
`--update`.

    .venv/bin/python scripts/accuracy_gate.py            # both corpora; exit 1 on a wrong number or a regression
    .venv/bin/python scripts/accuracy_gate.py --corpus real
    .venv/bin/python scripts/accuracy_gate.py --update   # pin the current passing pairs (synthetic corpus)
    .venv/bin/python scripts/accuracy_gate.py --json     # machine-readable results

Pairs: agency, department, region.{province,city,county,adcode}, report_year,
published_at, document_date, form, is_report, one per text fragment
(`text+:…` must be in the cleaned text, `text-:…` must not; whitespace ignored), and one
per statistic (`stats:<key>`). Stats precision counts every extracted key for documents
whose expected JSON lists every number (`stats_complete`), else only the expected keys.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLDEN = ROOT / "tests" / "golden"
DOCS = GOLDEN / "docs"
EXPECTED = GOLDEN / "expected"
BASELINE = GOLDEN / "baseline.json"
REAL = ROOT / "tests" / "fixtures" / "real"
# corpus -> (directory of the documents, directory of the expected JSON)
CORPORA = {"synthetic": (DOCS, EXPECTED), "real": (REAL, REAL / "expected")}

logger = logging.getLogger(__name__)

SCALAR_FIELDS = ("agency", "department", "report_year", "published_at", "document_date", "form", "is_report")
REGION_FIELDS = ("province", "city", "county", "adcode")
_WS = re.compile(r"\s+")


@dataclass
class DocResult:
    """Every (field -> passed) pair of one document, plus what the stats precision needs."""

    name: str
    fmt: str
    fields: dict[str, bool] = field(default_factory=dict)
    details: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # failing field -> (expected, got)
    stats_extracted: int = 0  # keys considered for precision
    stats_wrong_extra: int = 0  # considered keys that are wrong or not expected
    seconds: float = 0.0
    missing: list[str] = field(default_factory=list)  # failing fields where ogi gave nothing
    wrong: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (expected, got), incl. extras


def load_expected(corpus: str = "synthetic") -> dict[str, dict[str, Any]]:
    """name -> expected JSON, for every document of the corpus."""
    expected = CORPORA[corpus][1]
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(expected.glob("*.json"))}


def doc_format(exp: dict[str, Any]) -> str:
    """Format label used in the report: the file extension, 'scan' for image-only PDFs."""
    ext = exp["file"].rsplit(".", 1)[-1].lower()
    if ext == "pdf" and any("scanned" in f for f in exp.get("features", [])):
        return "pdf-scan"
    return {"htm": "html"}.get(ext, ext)


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(float(expected) - float(got)) < 1e-6
    return expected == got


def compare(name: str, exp: dict[str, Any], rec: dict[str, Any]) -> DocResult:
    """Compare one extraction (Record.to_json()) with its expected JSON, field by field."""
    res = DocResult(name=name, fmt=doc_format(exp))

    def check(key: str, want: Any, got: Any) -> None:
        ok = _same(want, got)
        res.fields[key] = ok
        if not ok:
            res.details[key] = (want, got)
            if got is None or key.startswith("text"):
                res.missing.append(key)
            else:
                res.wrong[key] = (want, got)

    for f in SCALAR_FIELDS:
        if f in exp:
            check(f, exp[f], rec.get(f))
    for f in REGION_FIELDS:
        if f in (exp.get("region") or {}):
            check(f"region.{f}", exp["region"][f], (rec.get("region") or {}).get(f))
    text = _WS.sub("", rec.get("text") or "")
    for frag in exp.get("text_must_contain", []):
        check(f"text+:{frag}", True, _WS.sub("", frag) in text)
    for frag in exp.get("text_must_not_contain", []):
        check(f"text-:{frag}", True, _WS.sub("", frag) not in text)
    want_stats: dict[str, Any] = exp.get("stats", {})
    got_stats: dict[str, Any] = rec.get("stats") or {}
    for key, want in want_stats.items():
        check(f"stats:{key}", want, got_stats.get(key))
    considered = set(got_stats) if exp.get("stats_complete") else set(got_stats) & set(want_stats)
    res.stats_extracted = len(considered)
    res.stats_wrong_extra = sum(1 for k in considered if k not in want_stats or not _same(want_stats[k], got_stats[k]))
    for k in sorted(considered - set(want_stats)):  # a number the document does not state
        res.wrong[f"stats+:{k}"] = (None, got_stats[k])
    return res


def absent_files(corpus: str = "synthetic") -> list[str]:
    """Documents of the corpus whose file is not on disk (real PDFs are kept out of git: see the README)."""
    docs = CORPORA[corpus][0]
    return [n for n, e in load_expected(corpus).items() if not (docs / e["file"]).exists()]


def evaluate(names: list[str] | None = None, corpus: str = "synthetic") -> list[DocResult]:
    """Run `extract.extract_path` over the corpus (or some of it) and compare; absent files are skipped."""
    from extract import extract_path

    docs = CORPORA[corpus][0]
    results = []
    for name, exp in load_expected(corpus).items():
        if names and name not in names:
            continue
        if not (docs / exp["file"]).exists():
            logger.warning("%s: %s is not on disk, skipped", name, exp["file"])
            continue
        t0 = time.perf_counter()
        rec = extract_path(docs / exp["file"]).to_json()
        res = compare(name, exp, rec)
        res.seconds = time.perf_counter() - t0
        results.append(res)
    return results


def field_group(key: str) -> str:
    """Report row of a pair: 'stats:core.x' -> 'stats core', 'stats:requests.…' -> 'stats cells'."""
    if key.startswith("stats:"):
        return "stats core.*" if key.startswith("stats:core.") else "stats table cells"
    if key.startswith("text+:"):
        return "text must contain"
    if key.startswith("text-:"):
        return "text must not contain"
    return key


def _is_number(key: str) -> bool:
    return key.startswith(("stats:", "stats+:"))


def summary(results: list[DocResult]) -> dict[str, Any]:
    """Per field group and per format: correct / wrong / missing / total; numbers' precision and recall."""
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # correct, total, wrong, missing
    formats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    numbers: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # correct, gold, wrong, missing
    for r in results:
        for k, ok in r.fields.items():
            g = groups[field_group(k)]
            g[0] += ok
            g[1] += 1
            g[2] += k in r.wrong
            g[3] += k in r.missing
            fm = formats[r.fmt]
            fm[0] += ok
            fm[1] += 1
            if _is_number(k):
                n = numbers[r.fmt]
                n[0] += ok
                n[1] += 1
                n[2] += k in r.wrong
                n[3] += k in r.missing
        extra = sum(1 for k in r.wrong if k.startswith("stats+:"))
        if extra:
            groups["stats not in the document"][2] += extra
            numbers[r.fmt][2] += extra
    stat_keys = [(k, ok) for r in results for k, ok in r.fields.items() if k.startswith("stats:")]
    correct = sum(ok for _, ok in stat_keys)
    considered = sum(r.stats_extracted for r in results)
    wrong = sum(r.stats_wrong_extra for r in results)
    total = sum(len(r.fields) for r in results)
    passed = sum(sum(r.fields.values()) for r in results)
    return {
        "documents": len(results),
        "fields": {k: {"correct": v[0], "total": v[1], "wrong": v[2], "missing": v[3]} for k, v in sorted(groups.items())},
        "formats": {k: {"correct": v[0], "total": v[1]} for k, v in sorted(formats.items())},
        "numbers": {
            k: {"correct": v[0], "gold": v[1], "wrong": v[2], "missing": v[3],
                "precision": v[0] / (v[0] + v[2]) if v[0] + v[2] else 1.0, "recall": v[0] / v[1] if v[1] else 1.0}
            for k, v in sorted(numbers.items())
        },
        "stats_recall": correct / len(stat_keys) if stat_keys else 1.0,
        "stats_precision": (considered - wrong) / considered if considered else 1.0,
        "wrong_numbers": sum(v[2] for v in numbers.values()),
        "missing_numbers": sum(v[3] for v in numbers.values()),
        "gold_numbers": sum(v[1] for v in numbers.values()),
        "overall": {"correct": passed, "total": total, "accuracy": passed / total if total else 1.0},
    }


def wrong_numbers(results: list[DocResult]) -> list[str]:
    """Every wrong number (a value that differs from the gold, or a number the document does not state)."""
    return [f"{r.name} {k}: expected {w!r}, got {g!r}" for r in results for k, (w, g) in sorted(r.wrong.items())
            if _is_number(k)]


def passing_pairs(results: list[DocResult]) -> dict[str, list[str]]:
    return {r.name: sorted(k for k, ok in r.fields.items() if ok) for r in results}


def load_baseline(path: Path = BASELINE) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["passing"]


def write_baseline(results: list[DocResult], path: Path = BASELINE, unpinned: list[str] | None = None) -> None:
    """Pin the passing pairs; `unpinned` documents are left out (their support is not committed yet)."""
    passing = {k: v for k, v in passing_pairs(results).items() if k not in set(unpinned or [])}
    data = {"_about": "(document, field) pairs that passed when pinned; see scripts/accuracy_gate.py",
            "unpinned": sorted(unpinned or []), "passing": passing}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")


def regressions(results: list[DocResult], baseline: dict[str, list[str]]) -> list[str]:
    """Pairs the baseline says pass and that fail (or vanished) now, with what was expected and got."""
    by_name = {r.name: r for r in results}
    out = []
    for name, keys in sorted(baseline.items()):
        r = by_name.get(name)
        if r is None:
            out.append(f"{name}: document missing from the run")
            continue
        for k in keys:
            if k not in r.fields:
                out.append(f"{name} {k}: no longer checked (expected JSON changed)")
            elif not r.fields[k]:
                want, got = r.details.get(k, (None, None))
                out.append(f"{name} {k}: expected {want!r}, got {got!r}")
    return out


def improvements(results: list[DocResult], baseline: dict[str, list[str]]) -> list[str]:
    return [f"{r.name} {k}" for r in results for k, ok in sorted(r.fields.items())
            if ok and k not in set(baseline.get(r.name, []))]


def format_report(results: list[DocResult], baseline: dict[str, list[str]] | None = None, corpus: str = "synthetic") -> str:
    """The printed accuracy report (what CI shows)."""
    s = summary(results)
    lines = [f"{corpus} corpus: {s['documents']} documents, {s['overall']['total']} checked pairs", "",
             f"{'field':<26}{'correct':>8}{'wrong':>7}{'missing':>8}{'total':>7}{'acc':>8}"]
    for k, v in s["fields"].items():
        acc = f"{v['correct'] / v['total']:>8.1%}" if v["total"] else f"{'':>8}"
        lines.append(f"{k:<26}{v['correct']:>8}{v['wrong']:>7}{v['missing']:>8}{v['total']:>7}{acc}")
    lines += ["", f"{'numbers by format':<26}{'gold':>7}{'correct':>8}{'wrong':>7}{'missing':>8}{'precision':>10}{'recall':>8}"]
    for k, v in s["numbers"].items():
        lines.append(f"{k:<26}{v['gold']:>7}{v['correct']:>8}{v['wrong']:>7}{v['missing']:>8}"
                     f"{v['precision']:>10.1%}{v['recall']:>8.1%}")
    gold = s["gold_numbers"]
    lines += ["", f"numbers: {gold} in the gold, {s['wrong_numbers']} wrong, {s['missing_numbers']} missing"
                  f" ({s['missing_numbers'] / gold if gold else 0:.1%})",
              f"overall: {s['overall']['correct']}/{s['overall']['total']} = {s['overall']['accuracy']:.1%}", "",
              "not passing yet (document: failing pairs):"]
    for r in results:
        bad = [k for k, ok in r.fields.items() if not ok] + [k for k in r.wrong if k.startswith("stats+:")]
        if bad:
            shown = ", ".join(bad[:6]) + (f", … ({len(bad)} in all)" if len(bad) > 6 else "")
            lines.append(f"  {r.name}: {shown}")
    wrong = wrong_numbers(results)
    lines += ["", f"wrong numbers: {len(wrong)}", *[f"  {x}" for x in wrong[:50]]]
    if baseline is not None:
        reg = regressions(results, baseline)
        new = improvements(results, baseline)
        lines += ["", f"regressions against the baseline: {len(reg)}", *[f"  {x}" for x in reg[:50]],
                  f"newly passing (not in the baseline): {len(new)}", *[f"  {x}" for x in new[:20]]]
        if new:
            lines.append("  pin them with: .venv/bin/python scripts/accuracy_gate.py --update")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="golden-corpus accuracy gate")
    ap.add_argument("--corpus", choices=("synthetic", "real", "all"), default="all")
    ap.add_argument("--update", action="store_true", help="pin the currently passing pairs as the baseline (synthetic)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--unpin", nargs="*", default=[], metavar="NAME",
                    help="with --update: leave these documents out of the baseline")
    ap.add_argument("docs", nargs="*", help="only these documents (names without extension)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    corpora = ("synthetic", "real") if args.corpus == "all" else (args.corpus,)
    failed = False
    out: dict[str, Any] = {}
    for corpus in corpora:
        results = evaluate(args.docs or None, corpus)
        baseline = load_baseline() if corpus == "synthetic" and not args.docs else None
        reg = regressions(results, baseline) if baseline is not None else []
        wrong = wrong_numbers(results)
        failed |= bool(reg or wrong)
        if args.json:
            out[corpus] = {"summary": summary(results), "regressions": reg, "wrong_numbers": wrong,
                           "absent_files": absent_files(corpus)}
        else:
            print(format_report(results, baseline, corpus))
            absent = absent_files(corpus)
            if absent:
                print(f"\nnot on disk, skipped: {', '.join(absent)} (see {CORPORA[corpus][0].relative_to(ROOT)}/README.md)")
            print()
        if args.update and corpus == "synthetic":
            if args.docs:
                raise SystemExit("--update needs the whole corpus (no document names)")
            write_baseline(results, unpinned=args.unpin)
            print(f"baseline written: {BASELINE.relative_to(ROOT)}")
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.update:
        return 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
