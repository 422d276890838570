"""Crawl benchmark: 200 local county sites in one run; pages per second, peak memory, database size.

    .venv/bin/python benchmarks/crawl_bench.py [--sites 200] [--reports 5] [--write]
    OGI_CRAWL_PROFILE=/tmp/crawl.prof .venv/bin/python benchmarks/crawl_bench.py --modes pool   # where it goes
    .venv/bin/python benchmarks/crawl_bench.py --modes pool --before /tmp/ogi-old --rounds 4   # side by side
    OGI_BENCH_LOG_LEVEL=INFO ...   # the crawl's log with milliseconds, and when the last request came
    OGI_BENCH_EXTRA='{"CONCURRENT_REQUESTS": 64}' ...   # Scrapy/ogi settings added to every crawl's (A/B runs)

The sites are `demosites.mutable.MutableCounty` TRS portals (real county names from the gazetteer, so
extraction does its normal work), half of them with ETag/Last-Modified and half without. Each crawl
runs in a child process (`--child`) so its peak RSS is measured alone (getrusage(RUSAGE_CHILDREN)),
not mixed with the 200 servers. Each site listens on its own loopback address (127.0.0.2, 127.0.0.3, ...),
as real county sites are on their own hosts: Scrapy keeps one download slot per host name, so on one address
(`--one-host`, the figures before 2026-12-02) the 200 sites shared one slot and the whole crawl had at most
CONCURRENT_REQUESTS_PER_DOMAIN (8) requests in flight. Passes: (1) first crawl; (2) incremental re-crawl of the same
database (the default); (3) the same re-crawl of a copy of the pass-1 database with OGI_INCREMENTAL
off — the obvious alternative, everything fetched and extracted again. Side by side (`--modes`), each timed crawl
follows an untimed crawl of one site with the same code (`_warm_up`; `--cold` skips it).
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
import statistics
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
        # 市辖区 is the gazetteer's placeholder for a city's districts, not a county that publishes reports
        if code.endswith("00") or not names[code].endswith(("县", "区")) or len(names[code]) < 3 or names[code] == "市辖区":
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
    """Run one crawl of the registry (in its own process, for a clean peak-RSS measurement); its own peak RSS
    (getrusage(RUSAGE_SELF): not its children's) goes to <db dir>/crawl-rss.json."""
    # As `ogi crawl` does, when this checkout's ogi crawl does it (an older one compared side by side may not).
    if "def without_dataframe_libraries" in (Path.cwd() / "ogi" / "cli" / "common.py").read_text(encoding="utf-8"):
        from ogi.cli.common import without_dataframe_libraries

        without_dataframe_libraries()
    from crawler.registry import load_registry
    from crawler.run import LOCAL_SETTINGS, CrawlJob, run_crawls

    # 127.0.0.0/8: the sites' own loopback addresses (one per site, see the module's docstring)
    settings = {**LOCAL_SETTINGS, "CONCURRENT_REQUESTS": 32, "OGI_ALLOWED_PRIVATE_NETWORKS": ["127.0.0.0/8"],
                **json.loads(settings_json), **json.loads(os.environ.get("OGI_BENCH_EXTRA") or "{}")}
    if os.environ.get("OGI_BENCH_LOG_LEVEL"):  # where the time goes, to the millisecond
        settings["LOG_FORMAT"] = "%(asctime)s.%(msecs)03d [%(name)s] %(levelname)s: %(message)s"
    profile = os.environ.get("OGI_CRAWL_PROFILE")  # a cProfile of the crawl process's main thread, to this file
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    run_crawls([CrawlJob(load_registry(registry), Path(db), settings)], log_file=Path(db).parent / "crawl.log",
               log_level=os.environ.get("OGI_BENCH_LOG_LEVEL", "WARNING"))
    if os.environ.get("OGI_BENCH_LOG_LEVEL"):
        print("child: run_crawls returned at perf_counter", time.perf_counter(), flush=True)
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # extraction workers, forked parsers, tools (all waited)
    (Path(db).parent / "crawl-rss.json").write_text(json.dumps({
        "crawl_process_peak_mb": own.ru_maxrss / 1024, "crawl_cpu_s": own.ru_utime + own.ru_stime,
        "children_cpu_s": kids.ru_utime + kids.ru_stime}))


def run_pass(label: str, portal, registry: Path, db: Path, settings: dict, code: Path = ROOT) -> dict:
    """One crawl in a child process importing the crawler from `code` (this checkout, or an older commit's
    worktree for side-by-side figures)."""
    start_log = len(portal.request_log)
    db.parent.mkdir(parents=True, exist_ok=True)
    pool_report = db.parent / "pool.json"
    env = {**os.environ, "PYTHONPATH": str(code), "OGI_POOL_REPORT": str(pool_report),
           "OGI_STORE_REPORT": str(db.parent / "store.json")}
    t0 = time.perf_counter()
    servers0 = resource.getrusage(resource.RUSAGE_SELF)  # this process only serves the sites while the child runs
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(registry), str(db),
                    json.dumps(settings)], cwd=code, check=True, env=env)
    elapsed = time.perf_counter() - t0
    if os.environ.get("OGI_BENCH_LOG_LEVEL"):
        print("last request at", round(portal.request_times[-1] - t0, 3), "s; child ended at", round(elapsed, 3),
              "s; t0 =", t0)
    servers1 = resource.getrusage(resource.RUSAGE_SELF)
    servers_cpu = (servers1.ru_utime + servers1.ru_stime) - (servers0.ru_utime + servers0.ru_stime)
    log = portal.request_log[start_log:]
    times = portal.request_times[start_log:]
    # Steady rate: requests between the first and the last one the servers saw, without the process's start-up
    # and shutdown (a national crawl runs for hours and pays those once).
    steady = round((len(times) - 1) / (times[-1] - times[0]), 1) if len(times) > 1 and times[-1] > times[0] else ""
    statuses = Counter(status for *_rest, status in log)
    conn = sqlite3.connect(db)
    reports, extracted, unchanged, skipped = conn.execute(
        """SELECT (SELECT COUNT(*) FROM reports), SUM(reports), SUM(unchanged), SUM(skipped) FROM crawl_runs
           WHERE run_id > (SELECT COALESCE(MAX(run_id), 0) - ? FROM crawl_runs)""", (len(portal.sites),)).fetchone()
    conn.close()
    return {"pass": label, "seconds": round(elapsed, 1), "requests": len(log), "pages_per_s": round(len(log) / elapsed, 1),
            "steady_pages_per_s": steady, "first_request_after_s": round(times[0] - t0, 1) if times else "",
            "http_200": statuses.get(200, 0), "http_304": statuses.get(304, 0), "reports_in_db": reports,
            "reports_extracted": extracted, "unchanged": unchanged, "skipped": skipped,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "servers_cpu_s": round(servers_cpu, 1), "db_mb": round(_db_size(db) / 2**20, 2), "raw_mb": round(_dir_size(db.parent / "raw") / 2**20, 2),
            **_own_peaks(db.parent)}


def _own_peaks(work: Path) -> dict:
    """The crawl process's own peak RSS, each extraction worker's and the store's writer process's (VmHWM, reported
    by each), MB."""
    out: dict = {}
    rss = work / "crawl-rss.json"
    if rss.exists():
        own = json.loads(rss.read_text())
        out["crawl_own_peak_mb"] = round(own["crawl_process_peak_mb"], 1)
        out["cpu_s_crawl+children"] = f"{own['crawl_cpu_s']:.1f}+{own['children_cpu_s']:.1f}"
        out["_cpu"] = (own["crawl_cpu_s"], own["children_cpu_s"])
    pool = work / "pool.json"
    if pool.exists():
        stats = json.loads(pool.read_text())
        out["worker_peaks_mb"] = "/".join(str(round(m)) for m in stats["worker_peak_mb"])
        out["worker_jobs"] = stats["jobs"]
    store = work / "store.json"
    if store.exists():
        writer = json.loads(store.read_text())
        out["writer_peak_mb"] = round(writer["peak_mb"])
        out["writer_cpu_s"] = writer.get("cpu_s", "")
    return out


def _reports_digest(db: Path) -> list[tuple]:
    """What extraction decided, per report (not ids, times or byte hashes)."""
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute(
            """SELECT site_id, agency, report_year, form, text_source, title, length(text), flags, errors,
                      (SELECT group_concat(key || '=' || value, ';') FROM (SELECT key, value FROM statistics s
                       WHERE s.report_id = r.report_id ORDER BY key)) FROM reports r""").fetchall(),
            key=repr)
    finally:
        conn.close()


def compare(args: argparse.Namespace, portal, registry: Path) -> str:
    """First crawls side by side: the older checkout (inline), this one in each mode; `--rounds` times, the order
    reversed every other round (A B, B A, ...) so a machine that slows down or speeds up favours no side."""
    variants: list[tuple[str, Path, dict]] = []
    if args.before:
        variants.append(("before (inline)", args.before, {}))
    for mode in args.modes.split(","):
        variants.append((f"now ({mode})", ROOT, {"OGI_EXTRACT_MODE": mode}))
    results: list[dict] = []
    digests: dict[str, list] = {}
    for round_no in range(1, args.rounds + 1):
        order = variants if round_no % 2 else variants[::-1]
        rows = {}
        for label, code, settings in order:
            db = args.work / f"r{round_no}-{variants.index((label, code, settings))}" / "ogi.db"
            if not args.cold:
                _warm_up(portal, registry, args.work, settings, code)
            load = os.getloadavg()[0]
            row = {"round": round_no, **run_pass(label, portal, registry, db, settings, code)}
            row["load_1min"] = f"{load:.1f}→{os.getloadavg()[0]:.1f}"
            for key in ("http_304", "unchanged", "skipped", "reports_extracted", "peak_rss_mb"):
                row.pop(key, None)
            digests.setdefault(label, _reports_digest(db))
            rows[label] = row
        results += [_with_ratios(rows[label], rows[variants[0][0]]) for label, _c, _s in variants]
    first = variants[0][0]
    for row in results:
        row["same_reports_as_first"] = digests[row["pass"]] == digests[first]
    cols = list(dict.fromkeys(c for r in results for c in r))
    lines = [f"| {' | '.join(cols)} |", f"|{'---|' * len(cols)}"]
    lines += [f"| {' | '.join(str(r.get(c, '')) for c in cols)} |" for r in results]
    for label, _code, _settings in variants[1:]:
        whole = sorted(float(r["speed_vs_first"][:-1]) for r in results if r["pass"] == label)
        steady = sorted(float(r["steady_vs_first"][:-1]) for r in results if r["pass"] == label and "steady_vs_first" in r)
        lines.append(f"\n{label} vs {first}, {len(whole)} rounds: whole run median {statistics.median(whole):.2f}x "
                     f"(min {whole[0]:.2f}x, max {whole[-1]:.2f}x)"
                     + (f"; steady median {statistics.median(steady):.2f}x (min {steady[0]:.2f}x, max {steady[-1]:.2f}x)"
                        if steady else ""))
    return "\n".join(lines)


def _warm_up(portal, registry: Path, work: Path, settings: dict, code: Path) -> None:
    """Crawl the registry's first site with this code, untimed: the files a crawl reads (Python's, the
    libraries') are then in the page cache for the timed one. Why: this host's kernel reclaims cold page cache
    (DAMON), and a crawl that started cold spent up to 9 s in I/O wait before its first request, in either
    column at random (first_request_after_s 0.9-8.9 s)."""
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    warm = work / "warm-up"
    shutil.rmtree(warm, ignore_errors=True)
    warm.mkdir(parents=True)
    (warm / "sites.csv").write_text("".join(lines[:2]), encoding="utf-8")
    run_pass("warm-up", portal, warm / "sites.csv", warm / "ogi.db", settings, code)


def _with_ratios(row: dict, base: dict) -> dict:
    """A row with its speed relative to the same round's first variant, and its CPU figures."""
    cores = os.cpu_count() or 1
    row["speed_vs_first"] = f"{row['pages_per_s'] / base['pages_per_s']:.2f}x"
    if base["steady_pages_per_s"] and row["steady_pages_per_s"]:
        row["steady_vs_first"] = f"{row['steady_pages_per_s'] / base['steady_pages_per_s']:.2f}x"
    crawl_cpu, kids_cpu = row.pop("_cpu", (0.0, 0.0))
    pages = max(1, row["requests"])
    row["cpu_ms_per_page_crawl+children"] = f"{1000 * crawl_cpu / pages:.1f}+{1000 * kids_cpu / pages:.1f}"
    # The idle-machine ceiling: the crawl process runs on one core at most, everything on `cores` cores.
    bound = max(crawl_cpu, (crawl_cpu + kids_cpu) / cores)
    row[f"ceiling_pages_s_{cores}_idle_cores"] = round(pages / bound, 1) if bound else ""
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--reports", type=int, default=5, help="reports per site")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ogi-crawl-bench"))
    parser.add_argument("--write", action="store_true", help="append the results to benchmarks/RESULTS-crawl.md")
    parser.add_argument("--modes", help="first crawls only, one per OGI_EXTRACT_MODE (e.g. inline,pool), side by side")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="with --modes: first a crawl by this checkout (a git worktree of an older commit)")
    parser.add_argument("--one-host", action="store_true",
                        help="every site on 127.0.0.1 (one Scrapy download slot for the whole crawl), as before 2026-12-02")
    parser.add_argument("--cold", action="store_true",
                        help="side by side: no untimed one-site crawl before each timed one (the page cache as it is)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --modes: crawl every variant this many times, alternating the order")
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
    with DemoPortal(core=False, mock_sites=sites, host_per_site=not args.one_host) as portal:
        setup = time.perf_counter() - t0
        registry = args.work / "sites.csv"
        with registry.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in portal.registry_rows():
                writer.writerow(row)
        if args.modes:
            table = compare(args, portal, registry)
            machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                       f"{platform.system()} {platform.release()}")
            hosts = "all on 127.0.0.1" if args.one_host else "each on its own loopback address"
            text = (f"\n## {time.strftime('%Y-%m-%d %H:%M')} — first crawls side by side, {args.sites} sites × "
                    f"{args.reports} reports ({hosts})\n\nMachine: {machine} (shared; load_1min = 1-minute load average "
                    f"before→after). crawl_own_peak_mb: the crawl process's own peak RSS; worker_peaks_mb: each "
                    f"extraction worker's own VmHWM; writer_peak_mb, writer_cpu_s: the store's writer process's (its CPU is in the children's).\n\n{table}\n")
            print(text)
            if args.write:
                with (ROOT / "benchmarks" / "RESULTS-crawl.md").open("a", encoding="utf-8") as fh:
                    fh.write(text)
            return
        db = args.work / "a" / "ogi.db"
        results = [run_pass("1 first crawl", portal, registry, db, {})]
        copy = args.work / "b"
        shutil.copytree(db.parent, copy, ignore=shutil.ignore_patterns("*.lock", "logs", "crawl.log"))
        results.append(run_pass("2 re-crawl, incremental", portal, registry, db, {}))
        results.append(run_pass("3 re-crawl, OGI_INCREMENTAL off", portal, registry, copy / "ogi.db",
                                {"OGI_INCREMENTAL": False}))
    for r in results:
        r.pop("_cpu", None)
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
