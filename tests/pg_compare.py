"""What the PostgreSQL reader tests share: running ogi in-process, and comparing two corpora's outputs.

What legitimately differs between two crawls of the same sites (one into SQLite, one into PostgreSQL), and is
left out of the comparisons:
- ids (report_id, run_id, capture_id, prev_report_id, nearest_peer, and "(report N)" in cross_year_flags): numbered
  in the order the crawl's concurrent requests happened to finish, different between any two crawls; rows are
  matched by identity (agency, year, adcode) instead;
- times (started_at, finished_at, first_seen, last_seen, fetched_at, generated/created, the HTTP Date in a
  capture's headers): when each crawl ran;
- what hashes or quotes those (the export's version, SHA256SUMS, datapackage hash/bytes, README's times);
- search `score` and the order of hits: SQLite ranks with FTS5's bm25, PostgreSQL with ts_rank (same hits,
  same snippets).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from click.testing import CliRunner

from ogi.cli import main

IDS = {"report_id", "run_id", "capture_id", "prev_report_id", "nearest_peer", "error_id", "version_id"}


TIMES = {"started_at", "finished_at", "first_seen", "last_seen", "fetched_at", "updated_at", "at", "checked_at",
         "listed_at", "computed_at", "captured_at", "valid_from", "valid_to"}


def ogi(*args: str) -> str:
    """Run an ogi command in-process; its stdout (fails the test with the output on a non-zero exit)."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


def db_rows(db: str, sql: str) -> list[tuple]:
    """Rows of one query on an ogi database of either backend (opened read-only)."""
    from corpus.readonly import open_readonly

    conn = open_readonly(db)
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


def status_records(db: str) -> list[dict]:
    health = json.loads(ogi("status", "--json", "--runs", "5", "--db", db))
    for site in health:
        for run in site["runs"]:
            for key in ("run_id", "started_at", "finished_at"):  # ids and times (module docstring)
                run.pop(key)
    return health


def export(db: str, out: Path, *options: str) -> Path:
    """`ogi export --stata` of `db` into `out` (with `options`); returns `out`."""
    ogi("export", "--db", db, "--out", str(out), "--stata", *options)
    return out


def identities(out: Path) -> dict[str, tuple]:
    """report_id (as text) -> (agency, year, adcode), from the export's reports.csv."""
    with (out / "reports.csv").open(encoding="utf-8") as f:
        return {r["report_id"]: (r["agency"], r["report_year"], r["adcode"]) for r in csv.DictReader(f)}


def normal_rows(rows: list[dict], ident: dict[str, tuple]) -> list[str]:
    """Rows with ids replaced by the identity they name and times dropped, sorted (the module docstring)."""
    out = []
    for row in rows:
        norm = {}
        for key, value in row.items():
            if key in TIMES or key == "capture_id":  # a capture is named by capture_url + capture_sha256
                continue
            if key in IDS and value not in (None, ""):
                value = ident[str(int(float(value)))]
            elif isinstance(value, str) and "(report " in value:  # cross_year_flags name the other report's id
                value = re.sub(r"\(report (\d+)\)", lambda m: f"(report {ident[m.group(1)]})", value)
            norm[key] = value
        out.append(json.dumps(norm, ensure_ascii=False, sort_keys=True, default=str))
    return sorted(out)


def table_rows(path: Path) -> list[dict]:
    """A data file's rows: CSV as text, JSON Lines, Parquet and Stata as the types they were written with."""
    import pandas as pd

    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_stata(path)
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def readme_shape(path: Path, ident: dict) -> str:
    """README.md without the version hash and times (module docstring)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])", "VERSION", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", "TIME", text)
