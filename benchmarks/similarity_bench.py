"""Similarity benchmark: `corpus.similarity.update_similarity` over a synthetic corpus (100,000 reports by
default); seconds, peak memory, planted copies found, against the estimate for a naive all-pairs loop.

    nice -n 19 .venv/bin/python -m benchmarks.similarity_bench [--reports 100000] [--db PATH [--reuse]]

Corpus: agencies = real counties (cpca) × the departments of `benchmarks.synthetic_corpus`, each publishing
every year 2019–2024 (form2019 before 2021, form2021 after), so most reports have a previous one. Each text is
the form's headings and tables (which the comparison must ignore) and ~40 sentences: from the seed reports'
sentences, work-topic and random-word sentences (`CorpusGenerator`). Year over year an agency keeps a random
30–70 % of its ~70 sentences. Planted, with known answers: 2 % of reports repeat the previous year's text with
other numbers (similarity_prev_year must be ≥ 0.9) and 1 % copy another agency of the same county and year
under their own name (nearest_peer must be that agency, or another copy of the same text). The similarity
pass runs in a child interpreter whose peak RSS (VmHWM) is its own, not the generator's.

Naive all-pairs: exact Jaccard of the shingle sets (Python sets) timed on a sample of random pairs, times
n(n−1)/2 pairs (and the pairs within each year, all a per-year loop would need).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

from corpus.similarity import SHINGLE, SimilarityRun, comparable_text, shingle_hashes, update_similarity
from corpus.store import Store, utcnow

ROOT = Path(__file__).resolve().parents[1]
YEARS = range(2019, 2025)
SENTENCES = 70  # per report (besides headings and tables)
COLS = ("agency", "agency_as_printed", "department", "province", "city", "county", "adcode", "report_year",
        "title", "form", "source_url", "text", "text_source", "first_seen", "last_seen", "updated_at")
_NUM_RE = re.compile(r"\d+")


def _table(rng: random.Random, labels: list[str], ncols: int) -> str:
    return "\n".join(f"{label} " + " ".join(str(rng.randint(0, 40)) for _ in range(ncols)) for label in labels)


def _renumber(rng: random.Random, text: str) -> str:
    return _NUM_RE.sub(lambda m: str(rng.randint(0, 10 ** len(m.group(0)))), text)


def build(db_path: Path, n: int, seed: int) -> dict[str, Any]:
    """A fresh database of about `n` reports; returns the planted answers."""
    # Imported here, not at the top: the similarity child must not load cpca's gazetteer (~150 MB).
    from benchmarks.synthetic_corpus import (
        DEFAULT_SEEDS,
        DEPARTMENTS,
        SECTIONS_2019,
        SECTIONS_2021,
        TABLE2_2019,
        TABLE2_2021,
        TABLE3,
        TABLE4,
        CorpusGenerator,
    )

    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    gen = CorpusGenerator(seed=seed, seeds_dir=DEFAULT_SEEDS)
    rng = random.Random(seed)
    n_agencies = max(2, n // len(YEARS))
    counties = rng.sample(gen.counties, min(len(gen.counties), n_agencies // len(DEPARTMENTS) + 1))
    agencies = [(c, d) for c in counties for d in DEPARTMENTS][:n_agencies]
    pool = gen.sentences

    def sentence() -> str:
        r = rng.random()
        return gen._topic_sentence() if r < 0.35 else gen._rare_sentence() if r < 0.6 else rng.choice(pool)

    store = Store(db_path)
    sql = f"INSERT INTO reports ({', '.join(COLS)}) VALUES ({', '.join('?' * len(COLS))})"
    now = utcnow()
    planted_prev: list[tuple[str, int]] = []
    planted_peer: list[tuple[str, str, int]] = []  # (copier, source, year)
    origin: dict[tuple[str, int], str] = {}  # whose text a report carries (a copy of a copy: the first one's)
    count = 0
    lengths: list[int] = []
    t0 = time.perf_counter()
    with store.transaction() as conn:
        last: dict[str, list[str]] = {}
        for year in YEARS:
            form = "form2021" if year >= 2021 else "form2019"
            heads = SECTIONS_2021 if form == "form2021" else SECTIONS_2019
            tables = "\n".join([_table(rng, TABLE2_2021 if form == "form2021" else TABLE2_2019, 3),
                                _table(rng, TABLE3, 7), " ".join(TABLE4)])
            texts: dict[str, list[str]] = {}
            by_county: dict[str, list[str]] = defaultdict(list)
            rows = []
            for c, (dept_short, dept_full) in agencies:
                agency = f"{c.city}{c.county}{dept_full}" if c.city != c.county else f"{c.county}{dept_full}"
                before = last.get(agency)
                repeat = bool(before) and rng.random() < 0.02
                if repeat:
                    sentences = [_renumber(rng, s) for s in before or []]
                else:
                    keep = rng.uniform(0.3, 0.7) if before else 0.0
                    sentences = [s for s in (before or []) if rng.random() < keep]
                    while len(sentences) < SENTENCES:
                        sentences.insert(rng.randint(0, len(sentences)), sentence())
                peers = by_county[c.adcode]
                if peers and rng.random() < 0.01:
                    source = rng.choice(peers)
                    sentences = list(texts[source])
                    planted_peer.append((agency, source, year))
                    origin[(agency, year)] = origin[(source, year)]
                else:
                    origin[(agency, year)] = agency
                    if repeat:  # (a repeat overwritten by a peer copy is not one)
                        planted_prev.append((agency, year))
                texts[agency] = sentences
                peers.append(agency)
                rows.append((c, dept_short, agency, sentences))
            for c, dept_short, agency, sentences in rows:
                per = max(1, len(sentences) // len(heads))
                parts = [f"{agency}\n{year}年政府信息公开工作年度报告"]
                for k, h in enumerate(heads):
                    parts += [h, "".join(s.replace("{county}", c.county) for s in sentences[k * per:(k + 1) * per])]
                    if k == 2:
                        parts.append(tables)
                parts.append(f"{agency}\n{year + 1}年1月{rng.randint(10, 31)}日")
                text = "\n".join(parts)
                lengths.append(len(text))
                conn.execute(sql, (agency, agency, dept_short, c.province, c.city, c.county, c.adcode, year,
                                   f"{agency}{year}年政府信息公开工作年度报告", form,
                                   f"http://gov.example/{c.adcode}/{year}/{count}.html", text, "html", now, now, now))
                count += 1
            last = texts
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    print(f"built {count:,} reports of {len(agencies):,} agencies in {len(counties)} counties, "
          f"{len(YEARS)} years (median {sorted(lengths)[len(lengths) // 2]:,} characters), in "
          f"{time.perf_counter() - t0:.1f} s; planted {len(planted_prev)} repeats of the "
          f"previous year, {len(planted_peer)} peer copies", flush=True)
    return {"prev": planted_prev, "peer": planted_peer, "origin": origin, "reports": count}


def _hwm_mb() -> float:
    """This process's peak RSS (VmHWM: per address space, so reset by exec, unlike getrusage's ru_maxrss,
    which a child keeps from the parent it was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _similarity_child(db: str) -> int:
    """`--child DB`: update_similarity alone in a fresh interpreter; prints its figures as JSON."""
    t0 = time.perf_counter()
    with Store(db) as store:
        start_mb = _hwm_mb()  # interpreter, imports, store
        run = update_similarity(store, progress=lambda m: print("  " + m, file=sys.stderr, flush=True))
    print(json.dumps({"seconds": time.perf_counter() - t0, "start_mb": start_mb, "peak_mb": _hwm_mb(),
                      **asdict(run)}))
    return 0


def run_similarity(db: Path) -> tuple[float, SimilarityRun, float, float]:
    """update_similarity in a child interpreter (not a fork: it would inherit the generator's memory):
    (seconds, SimilarityRun, the child's peak RSS in MB (VmHWM), its peak before the pass)."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.similarity_bench", "--child", str(db)],
                          cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    seconds, start, peak = figures.pop("seconds"), figures.pop("start_mb"), figures.pop("peak_mb")
    return seconds, SimilarityRun(**figures), peak, start


def check(db: Path, planted: dict[str, Any]) -> dict[str, Any]:
    """Planted copies found, and how many unplanted reports score as copies (false alarms at 0.9)."""
    conn = sqlite3.connect(db)
    ident = {(a, y): rid for rid, a, y in conn.execute("SELECT report_id, agency, report_year FROM reports")}
    agency_of = {rid: a for (a, _y), rid in ident.items()}
    origin = planted["origin"]
    sim = {r[0]: r[1:] for r in conn.execute(
        "SELECT report_id, similarity_prev_year, nearest_peer, nearest_peer_similarity FROM report_similarity")}
    prev_found = sum(1 for a, y in planted["prev"] if (sim[ident[(a, y)]][0] or 0) >= 0.9)
    # Found: the nearest peer carries the same text (the source, or another copy of it: equally similar).
    peer_found = sum(1 for a, _src, y in planted["peer"] if sim[ident[(a, y)]][1] is not None
                     and origin[(agency_of[sim[ident[(a, y)]][1]], y)] == origin[(a, y)]
                     and (sim[ident[(a, y)]][2] or 0) >= 0.9)
    planted_ids = {ident[(a, y)] for a, y in planted["prev"]} | {ident[(a, y)] for a, _s, y in planted["peer"]} | {
        ident[(s, y)] for _a, s, y in planted["peer"]}
    false_prev = sum(1 for rid, (p, _n, _ns) in sim.items() if rid not in planted_ids and (p or 0) >= 0.9)
    false_peer = sum(1 for rid, (_p, _n, ns) in sim.items() if rid not in planted_ids and (ns or 0) >= 0.9)
    prev_values = sorted(p for rid, (p, _n, _ns) in sim.items() if p is not None and rid not in planted_ids)
    conn.close()
    return {"prev_found": prev_found, "peer_found": peer_found, "false_prev": false_prev, "false_peer": false_peer,
            "prev_median": prev_values[len(prev_values) // 2] if prev_values else None}


def naive_estimate(db: Path, sample: int, seed: int) -> dict[str, float]:
    """Seconds per exact pair (Python sets of shingle hashes, built beforehand) on random pairs; the cost of
    building the sets; and the extrapolation to every pair of the corpus and every pair within a year."""
    conn = sqlite3.connect(db)
    rng = random.Random(seed)
    ids = [r[0] for r in conn.execute("SELECT report_id FROM reports")]
    per_year = [r[0] for r in conn.execute("SELECT count(*) FROM reports GROUP BY report_year")]
    pick = rng.sample(ids, min(len(ids), 400))
    t0 = time.perf_counter()
    sets = []
    for rid in pick:
        agency, county, text = conn.execute("SELECT agency, county, text FROM reports WHERE report_id = ?",
                                            (rid,)).fetchone()
        sets.append(set(shingle_hashes(comparable_text(text, [agency, county])).tolist()))
    build_s = (time.perf_counter() - t0) / len(pick)
    pairs = [(rng.randrange(len(sets)), rng.randrange(len(sets))) for _ in range(sample)]
    t0 = time.perf_counter()
    for i, j in pairs:
        a, b = sets[i], sets[j]
        _ = len(a & b) / (len(a | b) or 1)
    per_pair = (time.perf_counter() - t0) / len(pairs)
    n = len(ids)
    conn.close()
    return {"per_pair_s": per_pair, "set_build_s": build_s, "all_pairs": n * (n - 1) / 2,
            "year_pairs": sum(k * (k - 1) / 2 for k in per_year)}


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reports", type=int, default=100_000, help="corpus size (default 100,000)")
    p.add_argument("--db", type=Path, help="database file (default: a temporary file, removed)")
    p.add_argument("--reuse", action="store_true", help="an existing --db built by this script (answers not known)")
    p.add_argument("--seed", type=int, default=20251201)
    p.add_argument("--pairs", type=int, default=20000, help="random pairs timed for the all-pairs estimate")
    p.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        return _similarity_child(a.child)
    with tempfile.TemporaryDirectory(prefix="ogi-simbench-") as tmp:
        db = a.db or Path(tmp) / "sim.db"
        planted = None if a.reuse else build(db, a.reports, a.seed)
        seconds, run, rss, start = run_similarity(db)
        print(f"update_similarity: {run.reports:,} reports in {seconds:.1f} s ({_human(seconds)}), "
              f"{run.reports / seconds:,.0f} reports/s, peak RSS {rss:,.0f} MB ({start:,.0f} MB after imports); "
              f"{run.with_previous:,} with a "
              f"previous report, {run.with_peer:,} with a peer ≥ threshold ({run.method}, shingle {SHINGLE})")
        if planted:
            c = check(db, planted)
            print(f"planted repeats of the previous year found (≥ 0.9): {c['prev_found']} of {len(planted['prev'])}; "
                  f"planted peer copies found (right peer, ≥ 0.9): {c['peer_found']} of {len(planted['peer'])}; "
                  f"unplanted reports ≥ 0.9: {c['false_prev']} vs previous year, {c['false_peer']} vs a peer; "
                  f"median similarity to the previous year (unplanted): {c['prev_median']}")
        est = naive_estimate(db, a.pairs, a.seed)
        all_s = est["all_pairs"] * est["per_pair_s"] + run.reports * est["set_build_s"]
        year_s = est["year_pairs"] * est["per_pair_s"] + run.reports * est["set_build_s"]
        print(f"naive exact Jaccard: {est['per_pair_s'] * 1e6:.1f} µs per pair, {est['set_build_s'] * 1e3:.2f} ms "
              f"per shingle set; all {est['all_pairs']:,.0f} pairs ≈ {_human(all_s)}; the {est['year_pairs']:,.0f} "
              f"pairs within a year ≈ {_human(year_s)} (vs {_human(seconds)} measured)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
