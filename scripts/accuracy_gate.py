"""Field-level accuracy of ogi's extraction on the golden corpus, gated against a pinned baseline.

Why a baseline rather than a fixed threshold: documents whose support has not landed yet
(DOC/WPS conversion, OCR of scanned PDFs) belong in the corpus now and fail honestly; what
must never happen is that a (document, field) pair that passed before fails now. The
baseline (tests/golden/baseline.json) is the set of pairs that pass; a pair in it that
fails is a regression; pairs that pass but are not in it are improvements, recorded with
`--update`.

    .venv/bin/python scripts/accuracy_gate.py            # report; exit 1 on a regression
    .venv/bin/python scripts/accuracy_gate.py --update   # pin the current passing pairs
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


def load_expected() -> dict[str, dict[str, Any]]:
    """name -> expected JSON, for every document of the corpus."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXPECTED.glob("*.json"))}


def doc_format(exp: dict[str, Any]) -> str:
    """Format label used in the report: the file extension, 'scan' for image-only PDFs."""
    ext = exp["file"].rsplit(".", 1)[-1]
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
    return res


def evaluate(names: list[str] | None = None) -> list[DocResult]:
    """Run `extract.extract_path` over the corpus (or some of it) and compare."""
    from extract import extract_path

    results = []
    for name, exp in load_expected().items():
        if names and name not in names:
            continue
        t0 = time.perf_counter()
        rec = extract_path(DOCS / exp["file"]).to_json()
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


def summary(results: list[DocResult]) -> dict[str, Any]:
    """Per field group and per format: correct/total; stats precision and recall; overall."""
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    formats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        for k, ok in r.fields.items():
            g = groups[field_group(k)]
            g[0] += ok
            g[1] += 1
            fm = formats[r.fmt]
            fm[0] += ok
            fm[1] += 1
    stat_keys = [(k, ok) for r in results for k, ok in r.fields.items() if k.startswith("stats:")]
    correct = sum(ok for _, ok in stat_keys)
    considered = sum(r.stats_extracted for r in results)
    wrong = sum(r.stats_wrong_extra for r in results)
    total = sum(len(r.fields) for r in results)
    passed = sum(sum(r.fields.values()) for r in results)
    return {
        "documents": len(results),
        "fields": {k: {"correct": v[0], "total": v[1]} for k, v in sorted(groups.items())},
        "formats": {k: {"correct": v[0], "total": v[1]} for k, v in sorted(formats.items())},
        "stats_recall": correct / len(stat_keys) if stat_keys else 1.0,
        "stats_precision": (considered - wrong) / considered if considered else 1.0,
        "overall": {"correct": passed, "total": total, "accuracy": passed / total if total else 1.0},
    }


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


def format_report(results: list[DocResult], baseline: dict[str, list[str]] | None = None) -> str:
    """The printed accuracy report (what CI shows)."""
    s = summary(results)
    lines = [f"golden corpus: {s['documents']} documents, {s['overall']['total']} checked pairs", "",
             f"{'field':<24}{'correct':>8}{'total':>7}{'acc':>8}"]
    for k, v in s["fields"].items():
        lines.append(f"{k:<24}{v['correct']:>8}{v['total']:>7}{v['correct'] / v['total']:>8.1%}")
    lines += ["", f"{'format':<24}{'correct':>8}{'total':>7}{'acc':>8}"]
    for k, v in s["formats"].items():
        lines.append(f"{k:<24}{v['correct']:>8}{v['total']:>7}{v['correct'] / v['total']:>8.1%}")
    lines += ["", f"stats (cell level): precision {s['stats_precision']:.1%}, recall {s['stats_recall']:.1%}",
              f"overall: {s['overall']['correct']}/{s['overall']['total']} = {s['overall']['accuracy']:.1%}", "",
              "not passing yet (document: failing pairs):"]
    for r in results:
        bad = [k for k, ok in r.fields.items() if not ok]
        if bad:
            shown = ", ".join(bad[:6]) + (f", … ({len(bad)} in all)" if len(bad) > 6 else "")
            lines.append(f"  {r.name}: {shown}")
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
    ap.add_argument("--update", action="store_true", help="pin the currently passing pairs as the baseline")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--unpin", nargs="*", default=[], metavar="NAME",
                    help="with --update: leave these documents out of the baseline")
    ap.add_argument("docs", nargs="*", help="only these documents (names without extension)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    results = evaluate(args.docs or None)
    baseline = load_baseline()
    if args.json:
        print(json.dumps({"summary": summary(results), "regressions": regressions(results, baseline)},
                         ensure_ascii=False, indent=1))
    else:
        print(format_report(results, baseline))
    if args.update:
        if args.docs:
            raise SystemExit("--update needs the whole corpus (no document names)")
        write_baseline(results, unpinned=args.unpin)
        print(f"baseline written: {BASELINE.relative_to(ROOT)}")
        return 0
    return 1 if regressions(results, baseline) else 0


if __name__ == "__main__":
    raise SystemExit(main())
