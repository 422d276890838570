"""Search benchmark: does CJK-bigram FTS5 search stay fast and exact at 100,000 reports?

Builds a synthetic corpus (benchmarks/synthetic_corpus.py) in a fresh database with the real
schema: reports are bulk-inserted (Store.save_report would spend most of the time on
identity checks and content hashes, which are not what is measured here) and the
search index is built with the real `Store.rebuild_search_index()`. Then it times
`corpus.search.search()` for sets of 1-, 2-, 4- and 8-character queries (common, rare,
absent) and with filters, against a plain `LIKE '%q%'` scan of reports.text in the
same run, reports index size and build time, and checks on a sample that the FTS
match set equals the LIKE match set.

    .venv/bin/python -m benchmarks.search_bench                 # 100,000 reports
    .venv/bin/python -m benchmarks.search_bench --reports 2000  # a quick run
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.synthetic_corpus import DEFAULT_SEEDS, CorpusGenerator
from corpus.search import search, to_fts_query
from corpus.store import Store, utcnow

logger = logging.getLogger(__name__)

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_INSERT_COLS = ("agency", "agency_as_printed", "department", "province", "city", "county", "adcode",
                "report_year", "title", "form", "source_url", "text", "text_source", "first_seen", "last_seen",
                "updated_at")


@dataclass
class QuerySet:
    """Queries timed together; `filters` are passed to search() and applied to the LIKE scan."""

    name: str
    queries: list[str]
    filters: list[dict[str, Any]] = field(default_factory=list)

    def filter(self, i: int) -> dict[str, Any]:
        return self.filters[i] if self.filters else {}


@dataclass
class SetResult:
    name: str
    n_fts: int
    fts_p50_ms: float
    fts_p95_ms: float
    n_like: int
    like_p50_ms: float
    like_p95_ms: float
    ratio_p50: float  # LIKE p50 / FTS p50: how many times faster the index is
    median_matches: float  # LIKE match count (full set), median over the LIKE sample


@dataclass
class Mismatch:
    query: str
    filters: dict[str, Any]
    fts_only: int
    like_only: int
    example: str  # context of one differing report, to explain it


@dataclass
class BenchResult:
    reports: int
    chars_total: int
    chars_p50: int
    chars_p95: int
    insert_s: float
    index_build_s: float
    db_bytes: int
    reports_bytes: int
    fts_bytes: dict[str, int]
    sets: list[SetResult]
    checked: int
    mismatches: list[Mismatch]
    sqlite: str
    machine: str
    date: str
    load: str = ""  # 1-minute load average before and after the timing (the machine may be shared)


def pct(values: Sequence[float], p: float) -> float:
    """Percentile by nearest rank (p in 0..100); what 'p95 over 50 queries' means here."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def build_corpus(db_path: Path, n: int, seed: int, seeds_dir: Path = DEFAULT_SEEDS,
                 log: Callable[[str], None] = print) -> tuple[Store, float, float, list[int]]:
    """Fresh database with n synthetic reports; returns (store, insert seconds, index seconds, text lengths)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    store = Store(db_path)
    gen = CorpusGenerator(seed=seed, seeds_dir=seeds_dir)
    now = utcnow()
    lengths: list[int] = []
    t0 = time.perf_counter()
    sql = f"INSERT INTO reports ({', '.join(_INSERT_COLS)}) VALUES ({', '.join('?' * len(_INSERT_COLS))})"
    batch: list[tuple[Any, ...]] = []
    with store.transaction() as conn:
        for r in gen.reports(n):
            lengths.append(len(r.text))
            batch.append((r.agency, r.agency_as_printed, r.department, r.province, r.city, r.county, r.adcode,
                          r.report_year, r.title, r.form, r.source_url, r.text, "html", now, now, now))
            if len(batch) >= 2000:
                conn.executemany(sql, batch)
                batch.clear()
                if len(lengths) % 20000 == 0:
                    log(f"  generated and inserted {len(lengths):,} reports")
        conn.executemany(sql, batch)
    insert_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.rebuild_search_index()
    index_s = time.perf_counter() - t0
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("ANALYZE")
    return store, insert_s, index_s, lengths


def table_sizes(conn: sqlite3.Connection) -> tuple[int, int, dict[str, int]]:
    """(database bytes, reports table + its indexes, each reports_fts shadow table) from dbstat."""
    sizes = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    idx = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'reports' AND type = 'index'")}
    reports = sizes.get("reports", 0) + sum(v for k, v in sizes.items() if k in idx)
    fts = {k: v for k, v in sizes.items() if k.startswith("reports_fts")}
    return sum(sizes.values()), reports, fts


def _ngram_df(texts: list[str], k: int) -> Counter[str]:
    """Document frequency of every k-character CJK substring in `texts` (k=1: characters)."""
    df: Counter[str] = Counter()
    for t in texts:
        grams = set()
        for run in _CJK_RUN.findall(t):
            grams.update(run[i : i + k] for i in range(len(run) - k + 1))
        df.update(grams)
    return df


def make_query_sets(conn: sqlite3.Connection, per_set: int, seed: int, sample: int = 400) -> list[QuerySet]:
    """Query sets drawn from a sample of the corpus: common (in most reports), rare (in one sampled
    report), absent (common words glued into a string no sampled report contains), and with filters."""
    rng = random.Random(seed)
    n = conn.execute("SELECT max(report_id) FROM reports").fetchone()[0] or 0
    step = max(1, n // sample)
    texts = [r[0] for r in conn.execute("SELECT text FROM reports WHERE report_id % ? = 0 LIMIT ?", (step, sample))]
    sets: list[QuerySet] = []
    dfs = {k: _ngram_df(texts, k) for k in (1, 2, 4, 8)}

    def most_common(df: Counter[str], n: int) -> list[tuple[str, int]]:
        # Ties broken by the string: Counter.most_common follows set order, which varies with PYTHONHASHSEED.
        return sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    for k in (2, 4, 8):
        df = dfs[k]
        common = [g for g, c in most_common(df, per_set * 3) if c >= len(texts) * 0.3]
        rare = sorted(g for g, c in df.items() if c == 1)
        sets.append(QuerySet(f"{k}-char common", _pick(rng, common, per_set)))
        sets.append(QuerySet(f"{k}-char rare", _pick(rng, rare, per_set)))
        half = [g for g, _ in most_common(dfs[k // 2] if k > 2 else dfs[1], 200 if k > 2 else 60)]
        absent: list[str] = []
        seen = set(df)
        for _ in range(per_set * 200):
            q = rng.choice(half) + rng.choice(half)
            if q not in seen and q not in absent and not any(q in t for t in texts):
                absent.append(q)
            if len(absent) >= per_set:
                break
        sets.append(QuerySet(f"{k}-char absent", absent))
    sets.append(QuerySet("1-char", _pick(rng, [g for g, _ in most_common(dfs[1], per_set * 2)], per_set)))
    common2 = [g for g, _ in most_common(dfs[2], per_set)]
    provinces = [r[0] for r in conn.execute("SELECT DISTINCT province FROM reports ORDER BY province")]
    years = [r[0] for r in conn.execute("SELECT DISTINCT report_year FROM reports ORDER BY report_year")]
    agencies = ["教育局", "住房和城乡建设局", "人民政府", "财政局", "卫生健康委员会", "司法局", "民政局", "应急管理局"]
    for name, key, values in (("2-char + province", "province", provinces), ("2-char + year", "year", years),
                              ("2-char + agency", "agency", agencies)):
        qs = [rng.choice(common2) for _ in range(per_set)]
        sets.append(QuerySet(name, qs, [{key: rng.choice(values)} for _ in range(per_set)]))
    return sets


def _pick(rng: random.Random, pool: list[str], k: int) -> list[str]:
    if len(pool) <= k:
        return list(pool)
    return rng.sample(pool, k)


def like_ids(store: Store, query: str, filters: dict[str, Any]) -> list[int]:
    """The naive search: filters, then a full scan of reports.text with LIKE '%q%'."""
    where, params = store.where_clause("", **filters)
    esc = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sql = f"SELECT report_id FROM reports WHERE {where} AND text LIKE ? ESCAPE '\\'"
    return [r[0] for r in store.conn.execute(sql, [*params, f"%{esc}%"])]


def fts_text_ids(store: Store, query: str, filters: dict[str, Any]) -> list[int]:
    """Every report whose text column matches the FTS query (the whole match set, not ranked)."""
    where, params = store.where_clause("r", **filters)
    sql = f"""SELECT r.report_id FROM reports_fts JOIN reports r ON r.report_id = reports_fts.rowid
              WHERE reports_fts MATCH ? AND {where}"""
    return [r[0] for r in store.conn.execute(sql, [f"{{text text_end}} : ({to_fts_query(query)})", *params])]


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return (time.perf_counter() - t0) * 1000, out


def _explain(store: Store, query: str, rid: int) -> str:
    text = store.conn.execute("SELECT text FROM reports WHERE report_id = ?", (rid,)).fetchone()[0]
    chars = [c for c in query if _CJK_RUN.match(c)]
    i = text.find(query)
    if i < 0 and chars:
        # Where the FTS match comes from: the first characters of the query in order, maybe split.
        i = text.find(chars[0])
    ctx = text[max(0, i - 8) : i + len(query) + 8] if i >= 0 else text[:30]
    return f"report {rid}: …{ctx}…".replace("\n", "⏎")


def run_queries(store: Store, sets: list[QuerySet], like_per_set: int, check_per_set: int,
                log: Callable[[str], None] = print) -> tuple[list[SetResult], int, list[Mismatch]]:
    """Time search() on every query and LIKE on the first `like_per_set`; compare match sets on the LIKE ones."""
    results, mismatches, checked = [], [], 0
    for qs in sets:
        if not qs.queries:
            continue
        fts_ms = []
        for i, q in enumerate(qs.queries):
            ms, _ = _timed(search, store, q, **qs.filter(i))
            fts_ms.append(ms)
        like_ms, counts = [], []
        for i, q in enumerate(qs.queries[:like_per_set]):
            ms, ids = _timed(like_ids, store, q, qs.filter(i))
            like_ms.append(ms)
            counts.append(len(ids))
            if i < check_per_set:
                checked += 1
                fts = set(fts_text_ids(store, q, qs.filter(i)))
                like = set(ids)
                if fts != like:
                    diff = sorted(fts ^ like)
                    mismatches.append(Mismatch(q, qs.filter(i), len(fts - like), len(like - fts),
                                               _explain(store, q, diff[0])))
        f50, l50 = pct(fts_ms, 50), pct(like_ms, 50)
        res = SetResult(qs.name, len(fts_ms), round(f50, 2), round(pct(fts_ms, 95), 2), len(like_ms),
                        round(l50, 1), round(pct(like_ms, 95), 1), round(l50 / f50, 1) if f50 else float("inf"),
                        statistics.median(counts) if counts else float("nan"))
        log(f"  {res.name:<20} FTS p50 {res.fts_p50_ms:8.2f} ms  p95 {res.fts_p95_ms:8.2f} ms  |  LIKE p50 "
            f"{res.like_p50_ms:9.1f} ms  p95 {res.like_p95_ms:9.1f} ms  |  x{res.ratio_p50:<8} "
            f"matches ~{res.median_matches:g}")
        results.append(res)
    return results, checked, mismatches


def run(n: int, db_path: Path, *, per_set: int = 50, like_per_set: int = 10, check_per_set: int = 10,
        seed: int = 20240601, seeds_dir: Path = DEFAULT_SEEDS, reuse: bool = False,
        log: Callable[[str], None] = print) -> BenchResult:
    """Build the corpus, time the query sets, check correctness; prints as it goes and returns the figures."""
    if reuse and db_path.exists():
        store = Store(db_path)
        lengths = [r[0] for r in store.conn.execute("SELECT length(text) FROM reports")]
        insert_s = index_s = float("nan")
        log(f"reusing {len(lengths):,} reports in {db_path} (build not timed)")
    else:
        log(f"building {n:,} synthetic reports in {db_path}")
        store, insert_s, index_s, lengths = build_corpus(db_path, n, seed, seeds_dir, log)
    try:
        db_bytes, reports_bytes, fts = table_sizes(store.conn)
        log(f"  text: {sum(lengths):,} characters, p50 {pct(lengths, 50):,} p95 {pct(lengths, 95):,} per report")
        log(f"  generate + bulk insert {insert_s:.1f} s; rebuild_search_index() {index_s:.1f} s")
        log(f"  database {db_bytes / 1e6:,.1f} MB: reports table + indexes {reports_bytes / 1e6:,.1f} MB, "
            f"reports_fts {sum(fts.values()) / 1e6:,.1f} MB "
            f"({', '.join(f'{k} {v / 1e6:,.1f}' for k, v in fts.items())})")
        sets = make_query_sets(store.conn, per_set, seed)
        for s in sets:  # warm the page cache the way a running server would be
            search(store, s.queries[0], **s.filter(0)) if s.queries else None
        log(f"timing {sum(len(s.queries) for s in sets)} searches, LIKE on {like_per_set} per set")
        load_before = os.getloadavg()[0]
        results, checked, mismatches = run_queries(store, sets, like_per_set, check_per_set, log)
        load = f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}"
        log(f"load average (1 min) {load} on {os.cpu_count()} cores")
        log(f"correctness: {checked} queries compared (FTS text-column matches vs LIKE), "
            f"{len(mismatches)} mismatches")
        for m in mismatches:
            log(f"  {m.query!r} {m.filters or ''}: FTS-only {m.fts_only}, LIKE-only {m.like_only}; {m.example}")
        return BenchResult(
            reports=n, chars_total=sum(lengths), chars_p50=pct(lengths, 50), chars_p95=pct(lengths, 95),
            insert_s=round(insert_s, 1), index_build_s=round(index_s, 1), db_bytes=db_bytes,
            reports_bytes=reports_bytes, fts_bytes=fts, sets=results, checked=checked, mismatches=mismatches,
            sqlite=sqlite3.sqlite_version, machine=_machine(), date=datetime.now(UTC).strftime("%Y-%m-%d"),
            load=load,
        )
    finally:
        store.close()


def _machine() -> str:
    mem = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reports", type=int, default=100_000, help="corpus size (default 100,000)")
    p.add_argument("--queries", type=int, default=50, help="queries per set timed through search()")
    p.add_argument("--like-queries", type=int, default=10, help="of those, how many also run as a LIKE scan")
    p.add_argument("--check", type=int, default=10, help="of those, how many have their match sets compared")
    p.add_argument("--db", type=Path, help="database file (default: a temporary file, removed)")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--seeds-dir", type=Path, default=DEFAULT_SEEDS, help="seed report texts (vocabulary)")
    p.add_argument("--reuse", action="store_true", help="query an existing --db instead of building it again")
    p.add_argument("--json", type=Path, help="also write the figures as JSON here")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ogi-bench-") as tmp:
        db = a.db or Path(tmp) / "bench.db"
        res = run(a.reports, db, per_set=a.queries, like_per_set=a.like_queries, check_per_set=a.check,
                  seed=a.seed, seeds_dir=a.seeds_dir, reuse=a.reuse)
    print(f"{res.date}; {res.machine}; SQLite {res.sqlite}")
    if a.json:
        a.json.write_text(json.dumps(asdict(res), ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
