"""Extraction benchmark: documents per second and peak memory per format, ogi vs the obvious alternative.

Why: ogi does more than a bare parser (metadata, repairs, classification, every table
number, PDF tables stitched across pages), and this shows what that costs, in the same
run, on the same machine, on the golden corpus (tests/golden/docs).

Each (format, tool) is measured in a fresh child process (`python -m benchmarks.extract_bench
--child …`): the child imports what it needs, extracts every document once to warm up, then
times `--reps` passes over the documents of that format. It reports
  * docs/s            — documents extracted per second over the timed passes (wall clock);
  * CPU ms/doc        — user + system CPU per document over the same passes, forked parsers included
                        (steadier than docs/s on a shared machine; "CPU ratio" compares these);
  * tracemalloc peak  — peak Python-heap allocation during one more, untimed pass (C libraries such
                        as PDFium, lxml and Tesseract allocate outside it, so this undercounts);
  * maxrss            — the child's peak resident set size (whole process: interpreter, imported
                        libraries and C allocations included);
  * sub maxrss        — the largest peak RSS among the processes *it* started and waited for:
                        ogi parses risky formats in forked workers (extract/limits.py), and
                        LibreOffice/Tesseract run as programs, so for ogi the real parsing
                        memory is here, not in maxrss or tracemalloc.
Alternatives: pdf -> pdfplumber alone (page.extract_text + page.extract_tables);
html -> trafilatura.extract alone; docx -> python-docx alone (paragraphs + table cells);
txt -> bytes.decode. `ogi-inproc` is ogi with OGI_SANDBOX=0 (no forked worker per risky
parse), to show what the sandbox costs. DOC/WPS and scanned PDFs have no single-library alternative here.

    .venv/bin/python -m benchmarks.extract_bench            # default repetitions (~1 minute)
    .venv/bin/python -m benchmarks.extract_bench --reps 1   # quick
    .venv/bin/python -m benchmarks.extract_bench --before DIR --same-documents   # same Document per PDF?
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "tests" / "golden" / "docs"

logger = logging.getLogger(__name__)

# format -> (file selector, repetitions factor); slow formats run once
FORMATS: dict[str, tuple[Callable[[Path], bool], float]] = {
    "html": (lambda p: p.suffix == ".html", 1.0),
    "pdf": (lambda p: p.suffix == ".pdf" and "scanned" not in p.name, 1.0),
    "docx": (lambda p: p.suffix == ".docx", 1.0),
    "txt": (lambda p: p.suffix == ".txt", 1.0),
    "doc/wps": (lambda p: p.suffix in (".doc", ".wps"), 0.0),
    "pdf-scan": (lambda p: p.suffix == ".pdf" and "scanned" in p.name, 0.0),
}
ALTERNATIVE = {"pdf": "pdfplumber", "html": "trafilatura", "docx": "python-docx", "txt": "decode"}


def files_for(fmt: str) -> list[Path]:
    select, _ = FORMATS[fmt]
    return sorted(p for p in DOCS.iterdir() if select(p))


def _ogi(data: bytes, name: str) -> object:
    from extract import extract_bytes

    return extract_bytes(data, filename=name)


def _pdfplumber(data: bytes, name: str) -> object:
    import pdfplumber

    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            out.append((page.extract_text(), page.extract_tables()))
            page.flush_cache()
    return out


def _tables(data: bytes, name: str) -> object:
    from extract.formats.pdf_tables import extract_tables

    return extract_tables(data)


def _trafilatura(data: bytes, name: str) -> object:
    import trafilatura

    return trafilatura.extract(data, include_tables=True)


def _python_docx(data: bytes, name: str) -> object:
    import docx

    d = docx.Document(io.BytesIO(data))
    return [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]


def _decode(data: bytes, name: str) -> object:
    return data.decode("utf-8", errors="replace")


TOOLS: dict[str, Callable[[bytes, str], object]] = {
    "ogi": _ogi, "ogi-inproc": _ogi, "ogi-tables": _tables, "pdfplumber": _pdfplumber, "trafilatura": _trafilatura, "python-docx": _python_docx, "decode": _decode,
}


def child(fmt: str, tool: str, reps: int) -> dict[str, float | int]:
    """Measure one (format, tool) in this process; see the module docstring for what each figure means."""
    logging.disable(logging.WARNING)
    fn = TOOLS[tool]
    docs = [(p.read_bytes(), p.name) for p in files_for(fmt)]
    for data, name in docs:  # warm-up: imports, caches (gazetteer, fonts)
        fn(data, name)
    c0 = _cpu()
    t0 = time.perf_counter()
    for _ in range(reps):
        for data, name in docs:
            fn(data, name)
    elapsed = time.perf_counter() - t0
    cpu = _cpu() - c0
    # the heap peak in a pass of its own: tracemalloc slows every allocation 2-5x, so timing under it
    # (as this benchmark did until 2026-12-01) understated every Python-heavy tool's speed
    tracemalloc.start()
    for data, name in docs:
        fn(data, name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = reps * len(docs)
    return {"docs": len(docs), "reps": reps, "seconds": elapsed, "docs_per_s": n / elapsed if elapsed else 0.0,
            "cpu_ms_per_doc": 1000 * cpu / n,
            "tracemalloc_peak_mb": peak / 2**20, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


REAL_PDFS = ROOT / "tests" / "fixtures" / "real" / "pdf"  # git-ignored: present where they were fetched


def document_digests() -> dict[str, str]:
    """Every PDF of both golden corpora -> a digest of its extracted Document (OCR timing left out), with
    the sandbox off so that one process runs the code under test."""
    import hashlib
    import re

    os.environ["OGI_SANDBOX"] = "0"
    logging.disable(logging.WARNING)
    from extract import extract_bytes

    out = {}
    for path in sorted([*DOCS.glob("*.pdf"), *REAL_PDFS.glob("*.pdf")]):
        text = re.sub(r"'ocr_seconds': '[0-9.]+'", "", repr(extract_bytes(path.read_bytes(), filename=path.name)))
        out[path.name] = hashlib.sha256(text.encode()).hexdigest()
    return out


def same_documents(before: Path) -> int:
    """Compare `document_digests` of this checkout and of `before`, PDF by PDF; 0 when all are equal."""
    digests = []
    for code in (before, ROOT):
        env = {**os.environ, "PYTHONPATH": str(code)}
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--digests"], cwd=code,
                             capture_output=True, text=True, check=True, timeout=1200, env=env)
        digests.append(json.loads(out.stdout.strip().splitlines()[-1]))
    old, new = digests
    differ = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    print(f"{len(old)} PDFs before, {len(new)} now; different Documents: {differ or 'none'}")
    return 1 if differ else 0


def _ratio(a: float, b: float) -> str:
    """a / b as "1.23x"; blank when b is 0 (os.times counts in clock ticks: a fast, short row can read 0)."""
    return f"{a / b:.3g}x" if b else ""


def _cpu() -> float:
    """User + system CPU seconds of this process and of the children it waited for (the forked parsers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_child(fmt: str, tool: str, reps: int, code: Path = ROOT) -> dict[str, float | int]:
    """One (format, tool) in a fresh process; `code` is the checkout whose `extract` it imports (an older
    commit's `git worktree` for side-by-side figures; the documents are always this checkout's)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    if tool == "ogi-inproc":
        env["OGI_SANDBOX"] = "0"  # parse in-process: shows what the forked, bounded workers cost
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", fmt, tool, str(reps)],
                         cwd=code, capture_output=True, text=True, check=True, timeout=600, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    return (f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{platform.processor() or platform.machine()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="extraction benchmark (ogi vs single-library alternatives)")
    ap.add_argument("--reps", type=int, default=2, help="timed passes over each fast format's documents")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats to run (default: all)")
    ap.add_argument("--before", type=Path, metavar="DIR",
                    help="also run ogi from this checkout (e.g. a git worktree of an older commit), row by row")
    ap.add_argument("--same-documents", action="store_true",
                    help="with --before: only check that every golden PDF gives the same Document in both")
    ap.add_argument("--child", nargs=3, metavar=("FORMAT", "TOOL", "REPS"), help=argparse.SUPPRESS)
    ap.add_argument("--digests", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.digests:
        print(json.dumps(document_digests()))
        return 0
    if args.same_documents:
        if not args.before:
            ap.error("--same-documents needs --before DIR")
        return same_documents(args.before)
    if args.child:
        fmt, tool, reps = args.child
        print(json.dumps(child(fmt, tool, int(reps))))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(f"machine: {machine()}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"corpus: {DOCS.relative_to(ROOT)} ({sum(1 for _ in DOCS.iterdir())} files); each row a fresh child process\n")
    head = (f"{'format':<9}{'tool':<19}{'docs':>5}{'reps':>5}{'docs/s':>10}{'CPU ms/doc':>12}{'tracemalloc MB':>16}"
            f"{'maxrss MB':>11}{'sub maxrss MB':>15}{'speed ratio':>17}{'CPU ratio':>11}")
    print(head)
    print("-" * len(head))
    t_all = time.perf_counter()
    for fmt, (_, factor) in FORMATS.items():
        if not files_for(fmt) or fmt not in args.formats.split(","):
            continue
        reps = max(1, round(args.reps * factor))
        rows = []
        ours = ["ogi"] + (["ogi-inproc"] if fmt in ("html", "pdf", "docx") else []) + (["ogi-tables"] if fmt == "pdf" else [])
        for tool in ours:
            if args.before:
                rows.append((f"{tool} before", run_child(fmt, tool, reps, args.before)))
            rows.append((tool, run_child(fmt, tool, reps)))
        if fmt in ALTERNATIVE:
            rows.append((ALTERNATIVE[fmt], run_child(fmt, ALTERNATIVE[fmt], reps)))
        ogi_row = next(r for t, r in rows if t == "ogi")
        for tool, r in rows:
            ratio = cpu_ratio = ""
            if tool in ALTERNATIVE.values():
                ratio = f"{ogi_row['docs_per_s'] / r['docs_per_s']:.3g}x"
                cpu_ratio = _ratio(r["cpu_ms_per_doc"], ogi_row["cpu_ms_per_doc"])
            elif args.before and not tool.endswith(" before"):
                before = next(b for t, b in rows if t == f"{tool} before")
                ratio = f"{r['docs_per_s'] / before['docs_per_s']:.3g}x before"
                cpu_ratio = _ratio(before["cpu_ms_per_doc"], r["cpu_ms_per_doc"])
            print(f"{fmt:<9}{tool:<19}{r['docs']:>5}{r['reps']:>5}{r['docs_per_s']:>10.1f}{r['cpu_ms_per_doc']:>12.2f}"
                  f"{r['tracemalloc_peak_mb']:>16.1f}{r['maxrss_mb']:>11.0f}{r['children_maxrss_mb']:>15.0f}{ratio:>17}"
                  f"{cpu_ratio:>11}", flush=True)
    print(f"\ntotal benchmark time: {time.perf_counter() - t_all:.0f} s; load average at the end "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
