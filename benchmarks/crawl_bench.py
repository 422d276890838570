"""Crawl benchmark: 200 local county sites in one run; pages per second, peak memory, database size.

    .venv/bin/python benchmarks/crawl_bench.py [--sites 200] [--reports 5] [--write]

The sites are `demosites.mutable.MutableCounty` TRS portals (real county names from the gazetteer, so
extraction does its normal work), half of them with ETag/Last-Modified and half without. Each crawl
runs in a child process (`--child`) so its peak RSS is measured alone (getrusage(RUSAGE_CHILDREN)),
not mixed with the 200 servers. Passes: (1) first crawl; (2) incremental re-crawl of the same
database (the default); (3) the same re-crawl of a copy of the pass-1 database with OGI_INCREMENTAL
off — the obvious alternative, everything fetched and extracted again.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
logger = logging.getLogger(__name__)

DEPARTMENTS = ("教育局", "财政局", "民政局", "卫生健康局", "水利局", "交通运输局", "自然资源局")


def counties(n: int) -> list[tuple[str, str, str, str]]:
    """(province, city, county, adcode) of the first n county-level units in the gazetteer."""
    from extract.gazetteer import _load

    names = _load().names
    out = []
    for code in sorted(names):
        if code.endswith("00") or not names[code].endswith(("县", "区")) or len(names[code]) < 3:
            continue
        prov, city = names.get(code[:2] + "0000", ""), names.get(code[:4] + "00", "")
        if not prov or not city:
            continue
        out.append((prov, city, names[code], code))
        if len(out) == n:
            break
    return out


def build_sites(n: int, reports: int):
    from demosites.mutable import MutableCounty

    sites = []
    for i, (prov, city, county, code) in enumerate(counties(n)):
        rows = [(f"{county}人民政府", 2022, "form2021", "html")]
        rows += [(f"{county}{DEPARTMENTS[j % len(DEPARTMENTS)]}", 2021 + j % 2, "form2021", "html")
                 for j in range(reports - 1)]
        sites.append(MutableCounty(f"b{i:03d}", county, province=prov, city=city, adcode=code, reports=rows,
                                   validators=i % 2 == 0))
    return sites


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _db_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.suffix != ".lock")


def child(registry: str, db: str, settings_json: str) -> None:
    """Run one crawl of the registry (in its own process, for a clean peak-RSS measurement)."""
    from crawler.registry import load_registry
    from crawler.run import LOCAL_SETTINGS, CrawlJob, run_crawls

    settings = {**LOCAL_SETTINGS, "CONCURRENT_REQUESTS": 32, **json.loads(settings_json)}
    run_crawls([CrawlJob(load_registry(registry), Path(db), settings)], log_file=Path(db).parent / "crawl.log",
               log_level="WARNING")


def run_pass(label: str, portal, registry: Path, db: Path, settings: dict) -> dict:
    start_log = len(portal.request_log)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child", str(registry), str(db), json.dumps(settings)], cwd=ROOT,
                   check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - t0
    log = portal.request_log[start_log:]
    statuses = Counter(status for *_rest, status in log)
    conn = sqlite3.connect(db)
    reports, extracted, unchanged, skipped = conn.execute(
        """SELECT (SELECT COUNT(*) FROM reports), SUM(reports), SUM(unchanged), SUM(skipped) FROM crawl_runs
           WHERE run_id > (SELECT COALESCE(MAX(run_id), 0) - ? FROM crawl_runs)""", (len(portal.sites),)).fetchone()
    conn.close()
    return {"pass": label, "seconds": round(elapsed, 1), "requests": len(log), "pages_per_s": round(len(log) / elapsed, 1),
            "http_200": statuses.get(200, 0), "http_304": statuses.get(304, 0), "reports_in_db": reports,
            "reports_extracted": extracted, "unchanged": unchanged, "skipped": skipped,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "db_mb": round(_db_size(db) / 2**20, 2), "raw_mb": round(_dir_size(db.parent / "raw") / 2**20, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--reports", type=int, default=5, help="reports per site")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ogi-crawl-bench"))
    parser.add_argument("--write", action="store_true", help="append the results to benchmarks/RESULTS-crawl.md")
    parser.add_argument("--child", nargs=3, metavar=("REGISTRY", "DB", "SETTINGS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    logging.basicConfig(level=logging.WARNING)
    from crawler.registry import COLUMNS
    from demosites import DemoPortal

    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    t0 = time.perf_counter()
    sites = build_sites(args.sites, args.reports)
    with DemoPortal(core=False, mock_sites=sites) as portal:
        setup = time.perf_counter() - t0
        registry = args.work / "sites.csv"
        with registry.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in portal.registry_rows():
                writer.writerow(row)
        db = args.work / "a" / "ogi.db"
        results = [run_pass("1 first crawl", portal, registry, db, {})]
        copy = args.work / "b"
        shutil.copytree(db.parent, copy, ignore=shutil.ignore_patterns("*.lock", "logs", "crawl.log"))
        results.append(run_pass("2 re-crawl, incremental", portal, registry, db, {}))
        results.append(run_pass("3 re-crawl, OGI_INCREMENTAL off", portal, registry, copy / "ogi.db",
                                {"OGI_INCREMENTAL": False}))
    cols = list(results[0])
    lines = [f"| {' | '.join(cols)} |", f"|{'---|' * len(cols)}"]
    lines += [f"| {' | '.join(str(r[c]) for c in cols)} |" for r in results]
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"{platform.system()} {platform.release()}")
    text = (f"\n## {time.strftime('%Y-%m-%d %H:%M')} — {args.sites} sites × {args.reports} reports "
            f"(half with ETag/Last-Modified)\n\nMachine: {machine}. Site setup (render + {args.sites} servers): {setup:.1f} s.\n"
            "peak_rss_mb is the largest crawl process so far (getrusage of children).\n\n" + "\n".join(lines) + "\n")
    print(text)
    if args.write:
        out = ROOT / "benchmarks" / "RESULTS-crawl.md"
        if not out.exists():
            out.write_text("# Crawl benchmark results\n\nProduced by `benchmarks/crawl_bench.py --write`.\n",
                           encoding="utf-8")
        with out.open("a", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
