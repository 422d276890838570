"""Snapshot benchmark: how long `ogi snapshot` takes to copy a PostgreSQL corpus into SQLite, and whether its
memory stays flat as the corpus grows (rows are streamed through server-side cursors).

Results: benchmarks/RESULTS-snapshot.md. Starts a throwaway PostgreSQL (tests/pgserver.py), creates the ogi schema (PgStore) and bulk-loads a synthetic
corpus with COPY (benchmarks/synthetic_corpus.py: real-looking report texts; ~170 statistics per report as in
the demo crawl; one site per county) — loading is not what is measured. Then runs `ogi snapshot` as a child
process and reports its wall time, the time of each phase from its log, rows per second and the child's peak
RSS, for each size given.

    .venv/bin/python -m benchmarks.snapshot_bench                      # 2,000 and 10,000 reports
    .venv/bin/python -m benchmarks.snapshot_bench --reports 500        # a quick run
"""

from __future__ import annotations

import argparse
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic_corpus import CorpusGenerator
from corpus.backend import open_store

STATS_PER_REPORT = 170  # the demo crawl: 6,752 statistics for 39 reports


def load(url: str, n: int, raw: Path) -> dict[str, int]:
    """Create the schema and COPY `n` synthetic reports (with sites and statistics) into `url`."""
    store = open_store(url, raw_dir=raw)  # creates the schema
    store.close()
    import psycopg

    gen, rng = CorpusGenerator(), random.Random(7)
    keys = [f"core.k{i:03d}" for i in range(STATS_PER_REPORT)]
    now = "2026-01-01T00:00:00Z"
    sites: dict[str, tuple] = {}
    n_stats = 0
    rows = []
    for i, r in enumerate(gen.reports(n), 1):
        site = f"s{r.adcode}"
        sites.setdefault(site, (site, f"{r.county}人民政府", r.province, r.city, r.county, r.adcode, now, now))
        rows.append((i, r.agency, r.agency_as_printed, r.department, r.province, r.city, r.county, r.adcode,
                     r.report_year, r.title, r.form, r.source_url, r.text, site, now, now, now))
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY sites (site_id, name, province, city, county, adcode, first_seen, updated_at) "
                      "FROM STDIN") as copy:
            for row in sites.values():
                copy.write_row(row)
        with cur.copy("COPY reports (report_id, agency, agency_as_printed, department, province, city, county, "
                      "adcode, report_year, title, form, source_url, text, site_id, first_seen, last_seen, "
                      "updated_at) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cur.copy("COPY statistics (report_id, key, value, source, evidence) FROM STDIN") as copy:
            for i in range(1, n + 1):
                for key in keys:
                    copy.write_row((i, key, float(rng.randint(0, 500)), "table", "第x行"))
                    n_stats += 1
        cur.execute("SELECT setval(pg_get_serial_sequence('reports', 'report_id'), %s)", (n,))
    return {"reports": n, "statistics": n_stats, "sites": len(sites)}


def run_snapshot(url: str, out: Path) -> dict[str, float]:
    """`ogi snapshot` in a child process: wall seconds and the child's peak RSS (MB). The peak is VmHWM of the
    child's own address space, polled: wait4's ru_maxrss would count this process's size at the fork."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ogi.cli", "snapshot", "--db", url, "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    status = Path(f"/proc/{proc.pid}/status")
    peak_kb = 0
    while proc.poll() is None:
        try:
            hwm = [ln for ln in status.read_text().splitlines() if ln.startswith("VmHWM:")]
            peak_kb = max(peak_kb, int(hwm[0].split()[1])) if hwm else peak_kb
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    output = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"ogi snapshot failed: {output}")
    return {"seconds": wall, "peak_rss_mb": peak_kb / 1024, "output": output.strip()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, action="append", help="corpus size (repeatable; default 2000, 10000)")
    args = parser.parse_args(argv)
    sizes = args.reports or [2000, 10000]
    from tests.pgserver import LocalPostgres

    print(f"# ogi snapshot benchmark — {platform.platform()}, Python {platform.python_version()}")
    with LocalPostgres() as pg, tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            url = pg.create_database(f"snap_{n}")
            t0 = time.perf_counter()
            counts = load(url, n, Path(tmp) / "raw")
            loaded = time.perf_counter() - t0
            out = Path(tmp) / f"snap_{n}.db"
            result = run_snapshot(url, out)
            rows = counts["reports"] + counts["statistics"] + counts["sites"]
            print(f"{n} reports ({counts['statistics']} statistics, {counts['sites']} sites; loaded in {loaded:.1f} s): "
                  f"snapshot {result['seconds']:.1f} s = {n / result['seconds']:.0f} reports/s, "
                  f"{rows / result['seconds']:.0f} rows/s; peak RSS {result['peak_rss_mb']:.0f} MB; "
                  f"file {out.stat().st_size / 1e6:.0f} MB")
            print(f"  {result['output'].splitlines()[0]}")
            out.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
