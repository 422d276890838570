"""Distributed benchmark: `ogi worker`s over one PostgreSQL corpus (crawler.jobs), measured from the servers' side.

    .venv/bin/python benchmarks/dist_bench.py [--sites 30] [--reports 16] [--delay 0.25] [--write]

Sites: `demosites.mutable.MutableCounty` TRS portals, each on a host of its own (127.0.0.10, .11, …), so
per-host politeness can be checked in the servers' own log (when each request arrived and was answered).
PostgreSQL: a throwaway server started here (tests/pgserver.py). Passes, each into a fresh database:

1. crawl with 1, 2 and 3 crawl workers (`--queues crawl --concurrency 1`): seconds until every crawl job
   succeeded, requests/s, the ratio to 1 worker; per host: requests in flight at once (max), the shortest
   gap between the starts of two requests, duplicate (host, path) fetches;
2. extraction of the queued report candidates by 1, then 2 extract processes (`--queues extract`);
3. kill -9: 3 crawl workers and an extract worker, one crawl worker and the extract worker killed mid-run,
   replacements started; the corpus must equal pass 1's (0 lost, 0 duplicated) and the killed site's runs
   read interrupted, then ok.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class HostServers:
    """One HTTP server per site, each on its own 127.0.0.x host; logs (host, path, start, end) per request."""

    def __init__(self, sites, first_host: int = 10, log_file: Path | None = None) -> None:
        self.sites = sites
        self.first_host = first_host
        self.log_file = log_file.open("a", buffering=1) if log_file else None
        self.log: list[tuple[str, str, float, float]] = []
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self.entries: dict[str, str] = {}

    def __enter__(self) -> HostServers:
        from demosites.mock import MockRequest

        servers = self
        for i, site in enumerate(self.sites):
            host = f"127.0.0.{self.first_host + i}"

            class Handler(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"

                def log_message(self, *args) -> None:
                    pass

                def do_GET(self, site=site, host=host) -> None:
                    start = time.monotonic()
                    parts = urlsplit(self.path)
                    req = MockRequest("GET", parts.path, parse_qs(parts.query),
                                      {k.lower(): v for k, v in self.headers.items()}, b"", self.path)
                    resp = site.handle(req)
                    self.send_response(resp.status)
                    self.send_header("Content-Type", resp.content_type)
                    self.send_header("Content-Length", str(len(resp.body)))
                    for name, value in resp.headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(resp.body)
                    end = time.monotonic()
                    with servers._lock:
                        servers.log.append((host, self.path, start, end))
                        if servers.log_file:
                            servers.log_file.write(f"{host}\t{self.path}\t{start}\t{end}\n")

            server = ThreadingHTTPServer((host, 0), Handler)
            server.daemon_threads = True
            base = f"http://{host}:{server.server_address[1]}"
            site.start(base)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
            self.entries[site.site_id] = base + site.entry_path
        return self

    def __exit__(self, *exc) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()



def build_sites(n: int, reports: int, kind: str = "html"):
    """n MutableCounty TRS portals with `reports` reports each, published as `kind` (html, or pdf attachments)."""
    from benchmarks.crawl_bench import DEPARTMENTS, counties
    from demosites.mutable import MutableCounty

    sites = []
    for i, (prov, city, county, code) in enumerate(counties(n)):
        rows = [(f"{county}人民政府", 2022, "form2021", kind)]
        rows += [(f"{county}{DEPARTMENTS[j % len(DEPARTMENTS)]}", 2021 + j % 2, "form2021", kind)
                 for j in range(reports - 1)]
        sites.append(MutableCounty(f"b{i:03d}", county, province=prov, city=city, adcode=code, reports=rows,
                                   validators=i % 2 == 0))
    return sites


def serve(sites: int, reports: int, kind: str, log_file: Path) -> None:
    """Child process: serve the sites (nothing else runs here, so arrival times are not delayed by the
    benchmark's own work), print their entry URLs as one JSON line, serve until stdin closes."""
    mocks = build_sites(sites, reports, kind)
    with HostServers(mocks, log_file=log_file) as servers:
        facts = [{"site_id": m.site_id, "name": m.name, "province": m.province, "city": m.city,
                  "county": m.county, "adcode": m.adcode, "platform": m.platform,
                  "entry": servers.entries[m.site_id]} for m in mocks]
        print(json.dumps(facts, ensure_ascii=False), flush=True)
        sys.stdin.read()


class ServerLog:
    """The servers' request log (host, path, start, end), read back by time window."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def between(self, t0: float, t1: float) -> list[tuple[str, str, float, float]]:
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            host, path, start, end = line.split("\t")
            if t0 <= float(start) <= t1:
                out.append((host, path, float(start), float(end)))
        return out


def politeness(log: list[tuple[str, str, float, float]]) -> dict:
    """Per host: most requests in flight at once, shortest start-to-start gap; duplicate (host, path)."""
    by_host = defaultdict(list)
    for host, _path, start, end in log:
        by_host[host].append((start, end))
    max_inflight, min_gap = 0, float("inf")
    for spans in by_host.values():
        spans.sort()
        events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda x: (x[0], x[1]))
        level = 0
        for _t, step in events:
            level += step
            max_inflight = max(max_inflight, level)
        for (a, _), (b, _) in zip(spans, spans[1:], strict=False):
            min_gap = min(min_gap, b - a)
    dups = sum(n - 1 for n in Counter((h, p) for h, p, _s, _e in log).values() if n > 1)
    return {"max_in_flight_per_host": max_inflight, "min_gap_ms": round(min_gap * 1000, 1), "duplicate_fetches": dups}


def _worker(url: str, raw: Path, log: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ogi.cli", "worker", "--db", url, "--raw-dir", str(raw),
                             "--allow-network", "127.0.0.0/8", "--log-level", "WARNING", *args],
                            cwd=ROOT, stdout=log.open("a"), stderr=subprocess.STDOUT)


def _q(url: str, sql: str):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def _count(url: str, task: str, status: str) -> int:
    return _q(url, f"SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'ogi:{task}' AND status = '{status}'")[0][0]


def _wait_for(cond, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()


def corpus(url: str) -> dict:
    """Every report by identity with its content hash and numbers (what must survive a kill)."""
    rows = _q(url, """SELECT r.agency, r.report_year, coalesce(r.adcode, ''), r.content_hash,
                             (SELECT count(*) FROM statistics s WHERE s.report_id = r.report_id)
                      FROM reports r""")
    return {(a, y, c): (h, n) for a, y, c, h, n in rows}


def crawl_pass(pg, servers, sites, workers: int, settings: dict, work: Path) -> tuple[dict, str]:
    from crawler.jobs import enqueue_sites

    url = pg.create_database(f"bench_crawl_{workers}")
    raw, log = work / f"raw{workers}", work / f"workers{workers}.log"
    enqueue_sites(url, sites, settings)
    t0 = time.monotonic()
    procs = [_worker(url, raw, log, "--queues", "crawl", "--concurrency", "1") for _ in range(workers)]
    _wait_for(lambda: _count(url, "crawl_site", "succeeded") + _count(url, "crawl_site", "failed") == len(sites),
              3600, "the crawl jobs")
    seconds = time.monotonic() - t0
    _stop(procs)
    window = servers.between(t0, time.monotonic())
    row = {"pass": f"crawl, {workers} worker(s)", "seconds": round(seconds, 1), "requests": len(window),
           "requests_per_s": round(len(window) / seconds, 2), "failed_jobs": _count(url, "crawl_site", "failed"),
           "extract_jobs_queued": _count(url, "extract", "todo"), **politeness(window),
           "load_1min": round(os.getloadavg()[0], 1)}
    return row, url


def extract_pass(url: str, raw: Path, processes: int, work: Path) -> dict:
    todo = _count(url, "extract", "todo")
    t0 = time.monotonic()
    proc = _worker(url, raw, work / "extract.log", "--queues", "extract",
                   "--concurrency", str(processes), "--until-empty")
    proc.wait()
    seconds = time.monotonic() - t0
    # Extraction time proper: first job started to last job finished (the worker's start-up, pool
    # processes importing the extractors, and its idle checks at the end excluded).
    busy = _q(url, """SELECT extract(epoch FROM max(e.at) FILTER (WHERE e.type = 'succeeded')
                                   - min(e.at) FILTER (WHERE e.type = 'started'))
                      FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id
                      WHERE j.task_name = 'ogi:extract'""")[0][0]
    return {"pass": f"extract, {processes} process(es)", "seconds": round(seconds, 1),
            "busy_seconds": round(float(busy), 1), "documents": todo,
            "documents_per_s": round(todo / float(busy), 2), "reports": _q(url, "SELECT count(*) FROM reports")[0][0],
            "load_1min": round(os.getloadavg()[0], 1)}


def _crawling_worker(workers: list[subprocess.Popen], url: str) -> tuple[subprocess.Popen, str]:
    """A worker whose site crawl is under way (its run row reads 'running'), and that site's id."""
    while True:
        running = {s for (s,) in _q(url, "SELECT site_id FROM crawl_runs WHERE status = 'running'")}
        for p in workers:
            found = subprocess.run(["pgrep", "-P", str(p.pid), "-f", "crawler.site_job"], capture_output=True,
                                   text=True).stdout.split()
            for child in found:
                try:
                    spec = json.loads(Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[3])
                except (OSError, IndexError, ValueError):
                    continue
                if spec["site"]["site_id"] in running:
                    return p, spec["site"]["site_id"]
        time.sleep(0.1)


def kill_pass(pg, sites, settings: dict, work: Path, baseline: dict) -> dict:
    from crawler.jobs import enqueue_sites

    url = pg.create_database("bench_kill")
    raw, log = work / "raw_kill", work / "kill.log"
    enqueue_sites(url, sites, settings)
    crawlers = [_worker(url, raw, log, "--queues", "crawl", "--concurrency", "1", "--stalled-after", "10")
                for _ in range(3)]
    extractor = _worker(url, raw, log, "--queues", "extract", "--concurrency", "2", "--stalled-after", "10")
    _wait_for(lambda: _count(url, "crawl_site", "succeeded") >= len(sites) // 3, 3600, "a third of the crawls")
    victim, killed_site = _crawling_worker(crawlers, url)
    os.kill(victim.pid, signal.SIGKILL)
    _wait_for(lambda: _count(url, "extract", "succeeded") >= 5, 3600, "some extractions")
    os.kill(extractor.pid, signal.SIGKILL)
    victim.wait()
    extractor.wait()
    rescuers = [_worker(url, raw, log, "--concurrency", "2", "--stalled-after", "10", "--until-empty")]
    t0 = time.monotonic()
    for p in rescuers:
        p.wait()
    _stop([p for p in crawlers if p is not victim])
    got = corpus(url)
    runs = dict(_q(url, "SELECT site_id, string_agg(status, ' then ' ORDER BY run_id) FROM crawl_runs GROUP BY site_id"))
    interrupted = [f"{s}: {r}" for s, r in runs.items() if "interrupted" in r]
    return {"pass": "kill -9 (1 crawl + 1 extract worker)", "reports": len(got), "baseline": len(baseline),
            "lost": len(set(baseline) - set(got)), "extra": len(set(got) - set(baseline)),
            "changed": sum(1 for k in set(got) & set(baseline) if got[k] != baseline[k]),
            "killed_site_runs": f"{killed_site}: {runs.get(killed_site)}",
            "interrupted_runs": "; ".join(interrupted) or "none", "recovery_s": round(time.monotonic() - t0, 1),
            "jobs_not_succeeded": _q(url, "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'")[0][0]}


def table(rows: list[dict]) -> str:
    cols = list(dict.fromkeys(c for r in rows for c in r))
    lines = [f"| {' | '.join(cols)} |", f"|{'---|' * len(cols)}"]
    lines += [f"| {' | '.join(str(r.get(c, '')) for c in cols)} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--reports", type=int, default=16, help="reports per site")
    parser.add_argument("--delay", type=float, default=0.25, help="DOWNLOAD_DELAY per host (seconds)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ogi-dist-bench"))
    parser.add_argument("--write", action="store_true", help="append the results to benchmarks/RESULTS-dist.md")
    parser.add_argument("--kind", choices=("html", "pdf"), default="html", help="how the reports are published")
    parser.add_argument("--extract-only", action="store_true",
                        help="one crawl, then only the extraction passes (1 and 2 processes)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # child: serve the sites, log to this file
    args = parser.parse_args()
    if args.serve:
        serve(args.sites, args.reports, args.kind, args.serve)
        return
    import shutil

    from crawler.registry import Site
    from crawler.run import LOCAL_SETTINGS
    from tests.pgserver import LocalPostgres

    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    settings = {**LOCAL_SETTINGS, "DOWNLOAD_DELAY": args.delay, "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
                "OGI_ALLOWED_PRIVATE_NETWORKS": ["127.0.0.0/8"]}
    server_log = args.work / "requests.tsv"
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(server_log), "--sites", str(args.sites),
                              "--reports", str(args.reports), "--kind", args.kind], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    facts = json.loads(child.stdout.readline())
    servers = ServerLog(server_log)
    with LocalPostgres() as pg:
        sites = [Site(site_id=f["site_id"], name=f["name"], province=f["province"], city=f["city"],
                      county=f["county"], adcode=f["adcode"], entry_urls=[f["entry"]], platform=f["platform"],
                      verified=True) for f in facts]
        with (args.work / "sites.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([[s.site_id, s.entry_urls[0]] for s in sites])
        rows, urls = [], {}
        for workers in ((1,) if args.extract_only else (1, 2, 3)):
            row, urls[workers] = crawl_pass(pg, servers, sites, workers, settings, args.work)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        for row in rows:
            row["speedup"] = round(row["requests_per_s"] / rows[0]["requests_per_s"], 2)
        if args.extract_only:  # the same queued candidates extracted twice: by 1, then by 2 processes
            import psycopg

            with psycopg.connect(pg.url(), autocommit=True) as conn:
                conn.execute("CREATE DATABASE bench_crawl_2 TEMPLATE bench_crawl_1")
            urls[2] = urls[1].rsplit("/", 1)[0] + "/bench_crawl_2"
            shutil.copytree(args.work / "raw1", args.work / "raw2")
        extract_rows = [extract_pass(urls[1], args.work / "raw1", 1, args.work),
                        extract_pass(urls[2], args.work / "raw2", 2, args.work)]
        extract_rows[1]["speedup"] = round(extract_rows[1]["documents_per_s"] / extract_rows[0]["documents_per_s"], 2)
        for row in extract_rows:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        kill = None
        if not args.extract_only:
            kill = kill_pass(pg, sites, settings, args.work, corpus(urls[1]))
            print(json.dumps(kill, ensure_ascii=False), flush=True)
    child.stdin.close()
    child.wait()
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load_1min is "
               "the machine's load average at the end of each pass (other work on the machine included)")
    text = (f"\n## {time.strftime('%Y-%m-%d %H:%M')} — {args.sites} sites × {args.reports} {args.kind} reports, "
            f"DOWNLOAD_DELAY {args.delay} s, one host per site\n\nMachine: {machine}.\n\n"
            f"{table(rows)}\n\n{table(extract_rows)}\n" + (f"\n{table([kill])}\n" if kill else ""))
    print(text)
    if args.write:
        out = ROOT / "benchmarks" / "RESULTS-dist.md"
        if not out.exists():
            out.write_text("# Distributed crawl benchmark\n\nProduced by `benchmarks/dist_bench.py --write`.\n",
                           encoding="utf-8")
        with out.open("a", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
