"""Copied reports: how much of each report's text repeats the same agency's previous report, and the most
similar report of another agency of the same county and year (peer copying: several agencies publishing
one text under different names).

Why this way: a report is compared as a set of 5-character shingles of what its authors wrote. The form's
fixed headings, the table rows ogi stores (`| … |` lines), the tables' labels (the codebook's), numbers,
punctuation and the agency's and region's own names are taken out first, so two reports of the same form
do not look alike for the words the form prescribes, and a copy whose only change is the agency's name
scores 1.0. Sets are compared by MinHash (datasketch, 128 permutations: standard error ≈ 0.03 near 0.9)
and peers are found with MinHash LSH, one index per report year, so the corpus is never compared all pairs
against all pairs (benchmarks/similarity_bench.py: 100,000 reports in minutes). Peers below the LSH
threshold (default 0.5) are not looked for: `nearest_peer` is then NULL, meaning "no other agency of the
county shares that much of its text". The previous report is a known pair, so its similarity is always
computed, however low.

`update_similarity(store)` recomputes the table `report_similarity` as a whole (`ogi compare --similarity`);
the reads are `similarity_rows` (the web page, the export).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

NUM_PERM = 128
SHINGLE = 5  # characters per shingle
THRESHOLD = 0.5  # LSH: peers sharing less than this are not looked for
MIN_CHARS = 40  # fewer comparable characters than this: no signature (nothing to compare)
SEED = 1

# The headings of the official forms (2019/2021, the 2008 tables' reports and the usual narrative outline).
FORM_HEADINGS = (
    "总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况", "其他需要报告的事项", "概述",
    "依申请公开政府信息情况", "依申请公开情况", "政府信息公开的收费及减免情况",
    "因政府信息公开申请行政复议、提起行政诉讼的情况", "因政府信息公开申请行政复议和提起行政诉讼的情况",
    "政府信息公开工作存在的主要问题及改进措施", "存在的问题及改进措施", "需要说明的事项与附表",
    "政府信息公开工作年度报告", "政府信息公开情况统计表", "申请人情况", "法人或其他组织", "本年度办理结果",
    "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
    "本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增减", "处理决定数量",
    "采购项目数量", "采购总金额", "统计指标", "单位", "统计数", "第二十条第一项", "第二十条第五项",
    "第二十条第六项", "第二十条第八项", "第二十条第九项", "未经复议直接起诉", "复议后起诉",
    "本列数据的勾稽关系为第一项加第二项之和等于第三项加第四项之和", "区分处理的只计这一情形不计其他情形",
)

_KEEP_RE = re.compile(r"[^\u3400-\u9fffA-Za-z]+")  # what is not CJK or a letter goes
_TABLE_ROW_RE = re.compile(r"^\s*\|")
_TOKEN_SPLIT_RE = re.compile(r"[\s|]+")
_ENUM_RE = re.compile(r"^(?:[（(]?[一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.．]|\d+[.．、])+")


def normalize(text: str) -> str:
    """CJK characters and letters only: numbers, punctuation and spaces go."""
    return _KEEP_RE.sub("", text)


@cache
def boilerplate() -> frozenset[str]:
    """What the forms print in every report (headings, table labels), normalized: never evidence of copying."""
    from extract.stats.keys import CODEBOOK

    out = {normalize(h) for h in FORM_HEADINGS}
    for label, _gloss, _unit, _forms in CODEBOOK.values():
        for part in re.split(r"[·]", label):
            out.add(normalize(part))
            out.add(normalize(re.sub(r"^[一二三四五六七八九十]+(?:（[一二三四五六七八九十]+）)?", "", part)))
    return frozenset(x for x in out if x)


def comparable_text(text: str, names: Iterable[str | None] = ()) -> str:
    """The part of a report its authors wrote, normalized: no table rows, no line (or whitespace-separated
    cells of one) that is only the form's headings and labels, no numbers or punctuation, and none of `names`
    (the agency's and region's own names, so a copy under another name is the same text)."""
    bp = boilerplate()
    kept: list[str] = []
    for line in text.splitlines():
        if _TABLE_ROW_RE.match(line):
            continue
        cells = [c for c in _TOKEN_SPLIT_RE.split(line.strip()) if normalize(c)]
        if not cells or all(normalize(_ENUM_RE.sub("", c)) in bp for c in cells):
            continue
        if normalize(_ENUM_RE.sub("", line.strip())) in bp:
            continue
        kept.append(normalize(line))
    out = "".join(kept)
    for name in sorted({normalize(n) for n in names if n}, key=len, reverse=True):
        if len(name) >= 2:
            out = out.replace(name, "")
    return out


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """The distinct k-character shingles of `text` as 32-bit hashes (a polynomial hash of the code points,
    vectorized: hashing them one by one in Python would cost more than the MinHash)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(1_000_003) + codes[j : j + n]
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return np.unique(h & np.uint64(0xFFFFFFFF))


def _identity(value: int) -> int:
    return value


@cache
def _permutations() -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


def signature(text: str, names: Iterable[str | None] = ()) -> Any | None:
    """The MinHash (datasketch LeanMinHash) of a report's comparable text; None when too little is left."""
    from datasketch import LeanMinHash, MinHash

    comparable = comparable_text(text or "", names)
    if len(comparable) < MIN_CHARS:
        return None
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity, permutations=_permutations(), scheme="affine32")
    m.update_batch(shingle_hashes(comparable).tolist())
    return LeanMinHash(m)


def similarity(a: str, b: str, names_a: Iterable[str | None] = (), names_b: Iterable[str | None] = ()) -> float | None:
    """Estimated share of shingles two texts have in common (Jaccard, 0..1); None when one has too little text."""
    sa, sb = signature(a, names_a), signature(b, names_b)
    if sa is None or sb is None:
        return None
    return round(float(sa.jaccard(sb)), 3)


# --- the corpus ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SimilarityRow:
    """One row of report_similarity."""

    report_id: int
    prev_report_id: int | None
    similarity_prev_year: float | None
    nearest_peer: int | None
    nearest_peer_similarity: float | None
    content_hash: str | None


@dataclass(frozen=True)
class SimilarityRun:
    """What `update_similarity` did."""

    reports: int  # rows written
    with_previous: int
    with_peer: int
    method: str


def method_name(threshold: float = THRESHOLD) -> str:
    return f"minhash{NUM_PERM}-char{SHINGLE}-lsh{threshold:g}"


_COLUMNS = "report_id, agency, agency_as_printed, province, city, county, adcode, report_year, text, content_hash"


def _place(row: sqlite3.Row | dict[str, Any]) -> tuple[str, ...] | None:
    """Where a report's peers are: its county code, else its named county; None when neither is known."""
    if row["adcode"]:
        return ("adcode", str(row["adcode"]))
    if row["county"]:
        return ("name", row["province"] or "", row["city"] or "", row["county"])
    return None


def _names(row: sqlite3.Row | dict[str, Any]) -> list[str | None]:
    return [row["agency"], row["agency_as_printed"], row["county"], row["city"], row["province"]]


def compute_similarity(conn: sqlite3.Connection, *, threshold: float = THRESHOLD,
                       progress: Callable[[str], None] | None = None) -> Iterator[SimilarityRow]:
    """One row per report with a year, year by year (only two years of signatures in memory at a time)."""
    from datasketch import MinHashLSH

    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
    years = [y for (y,) in conn.execute(
        "SELECT DISTINCT report_year FROM reports WHERE report_year IS NOT NULL ORDER BY report_year")]
    prev: dict[tuple[str, str], tuple[int, Any]] = {}
    prev_year: int | None = None
    for year in years:
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        rows: list[tuple[int, Any, Any, tuple[str, ...] | None, tuple[str, str] | None, str | None]] = []
        cur = conn.execute(f"SELECT {_COLUMNS} FROM reports WHERE report_year = ? ORDER BY report_id", (year,))
        for row in cur:
            sig = signature(row["text"], _names(row))
            ident = (row["agency"], row["adcode"] or "") if row["agency"] else None
            if sig is not None:
                lsh.insert(row["report_id"], sig, check_duplication=False)
            rows.append((row["report_id"], sig, row["agency"], _place(row), ident, row["content_hash"]))
        by_id = {rid: (sig, agency, place) for rid, sig, agency, place, _i, _h in rows}
        current: dict[tuple[str, str], tuple[int, Any]] = {}
        for rid, sig, agency, place, ident, chash in rows:
            prev_id = sim_prev = peer = peer_sim = None
            if ident is not None:
                if sig is not None:
                    current[ident] = (rid, sig)
                if prev_year == year - 1 and ident in prev:
                    prev_id, prev_sig = prev[ident]
                    if sig is not None:
                        sim_prev = round(float(sig.jaccard(prev_sig)), 3)
            if sig is not None and place is not None:
                best: tuple[float, int] | None = None
                for other in lsh.query(sig):
                    if other == rid:
                        continue
                    osig, oagency, oplace = by_id[other]
                    if oplace != place or (agency and oagency == agency):
                        continue
                    s = round(float(sig.jaccard(osig)), 3)
                    if s >= threshold and (best is None or (s, -other) > (best[0], -best[1])):
                        best = (s, other)
                if best is not None:
                    peer_sim, peer = best
            yield SimilarityRow(rid, prev_id, sim_prev, peer, peer_sim, chash)
        if progress:
            progress(f"{year}: {len(rows)} reports")
        prev, prev_year = current, year


def _read_all(store: Any, threshold: float, progress: Callable[[str], None] | None) -> list[SimilarityRow]:
    """compute_similarity over the store's corpus. An SQLite file is read on a read-only connection of its
    own, so the store's lock is not held for minutes; otherwise (PostgreSQL, :memory:) on the store's."""
    path = getattr(store, "db_path", None)
    if isinstance(store.conn, sqlite3.Connection):
        if path is not None and str(path) != ":memory:":
            from urllib.parse import quote

            reader = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
            reader.row_factory = sqlite3.Row
            try:
                return list(compute_similarity(reader, threshold=threshold, progress=progress))
            finally:
                reader.close()
        store.conn.row_factory = sqlite3.Row
        try:
            return list(compute_similarity(store.conn, threshold=threshold, progress=progress))
        finally:
            store.conn.row_factory = None
    return list(compute_similarity(store.conn, threshold=threshold, progress=progress))  # rows by name already


def update_similarity(store: Any, *, threshold: float = THRESHOLD,
                      progress: Callable[[str], None] | None = None) -> SimilarityRun:
    """Recompute report_similarity for the whole corpus of `store` (a corpus Store, SQLite or PostgreSQL) and
    replace the table in one transaction: readers see the old rows or the new ones, never a mix."""
    from corpus.db import utcnow

    method = method_name(threshold)
    rows = _read_all(store, threshold, progress)
    now = utcnow()
    with store.transaction() as wconn:
        wconn.execute("DELETE FROM report_similarity")
        wconn.executemany(
            """INSERT INTO report_similarity (report_id, prev_report_id, similarity_prev_year, nearest_peer,
                   nearest_peer_similarity, content_hash, method, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [(r.report_id, r.prev_report_id, r.similarity_prev_year, r.nearest_peer, r.nearest_peer_similarity,
              r.content_hash, method, now) for r in rows])
    run = SimilarityRun(len(rows), sum(1 for r in rows if r.similarity_prev_year is not None),
                        sum(1 for r in rows if r.nearest_peer is not None), method)
    logger.info("report_similarity: %d reports, %d with a previous report, %d with a peer (%s)",
                run.reports, run.with_previous, run.with_peer, method)
    return run


# --- reads ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Copy:
    """A report whose text repeats its previous report's or a peer's (a row of `copies`)."""

    report_id: int
    agency: str | None
    province: str | None
    county: str | None
    report_year: int | None
    similarity_prev_year: float | None
    prev_report_id: int | None
    nearest_peer: int | None
    nearest_peer_agency: str | None
    nearest_peer_similarity: float | None
    stale: bool  # the report changed since its similarity was computed


def has_similarity(conn: sqlite3.Connection) -> bool:
    """Whether report_similarity exists and holds rows (`ogi compare --similarity` has run)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_similarity'").fetchone() is None:
        return False
    return conn.execute("SELECT 1 FROM report_similarity LIMIT 1").fetchone() is not None


def copies(conn: sqlite3.Connection, *, min_similarity: float = 0.9, against: str = "any",
           year: int | None = None, province: str | None = None, county: str | None = None,
           limit: int | None = None) -> list[Copy]:
    """Reports repeating at least `min_similarity` of their text from the previous year (`against`='prev'),
    a peer ('peer') or either ('any'), most similar first."""
    conds = {"prev": "s.similarity_prev_year >= :m", "peer": "s.nearest_peer_similarity >= :m",
             "any": "(s.similarity_prev_year >= :m OR s.nearest_peer_similarity >= :m)"}
    if against not in conds:
        raise ValueError(f"against must be one of {', '.join(conds)}, not {against!r}")
    where = [conds[against]]
    params: dict[str, Any] = {"m": min_similarity}
    if year is not None:
        where.append("r.report_year = :year")
        params["year"] = year
    if province:
        where.append("(r.province = :province OR r.province LIKE :province || '%')")
        params["province"] = province
    if county:
        where.append("(r.county LIKE '%' || :county || '%' OR r.adcode = :county)")
        params["county"] = county
    order = {"prev": "s.similarity_prev_year", "peer": "s.nearest_peer_similarity"}.get(
        against, """CASE WHEN coalesce(s.similarity_prev_year, 0) >= coalesce(s.nearest_peer_similarity, 0)
                    THEN coalesce(s.similarity_prev_year, 0) ELSE coalesce(s.nearest_peer_similarity, 0) END""")
        # (the larger of the two in portable SQL: SQLite's max(a, b) is GREATEST on PostgreSQL)
    sql = f"""SELECT r.report_id, r.agency, r.province, r.county, r.report_year, s.similarity_prev_year,
                     s.prev_report_id, s.nearest_peer, p.agency AS peer_agency, s.nearest_peer_similarity,
                     coalesce(s.content_hash, '') != coalesce(r.content_hash, '') AS stale
              FROM report_similarity s JOIN reports r ON r.report_id = s.report_id
              LEFT JOIN reports p ON p.report_id = s.nearest_peer
              WHERE {' AND '.join(where)} ORDER BY {order} DESC, r.report_id"""
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [Copy(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], bool(r[10]))
            for r in conn.execute(sql, params)]


def similarity_by_report(conn: sqlite3.Connection, report_ids: list[int]) -> dict[int, dict[str, Any]]:
    """report_id -> its report_similarity row (for the export; {} before `ogi compare --similarity`)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_similarity'").fetchone() is None:
        return {}
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(report_ids), 500):
        chunk = report_ids[i:i + 500]
        cur = conn.execute(
            f"""SELECT report_id, prev_report_id, similarity_prev_year, nearest_peer, nearest_peer_similarity
                FROM report_similarity WHERE report_id IN ({', '.join('?' * len(chunk))})""", chunk)
        for row in cur:
            out[row[0]] = {"prev_report_id": row[1], "similarity_prev_year": row[2], "nearest_peer": row[3],
                           "nearest_peer_similarity": row[4]}
    return out
