"""Compare a report with the same agency's report of the year before, check pairs of years, rank peers.

- `year_over_year`: report Y against Y−1 of one agency (same name and county code, the report identity):
  every core number with its delta, the sections (aligned by the reports' own headings) whose text changed,
  appeared or vanished with the sentences that did (difflib), the flags of both, their stored similarity.
- `cross_year_flags`: checks that need two years, as flags of the later report with both values:
  carried forward (结转下年度继续办理) in Y−1 ≠ carried over (上年结转) in Y; a form that goes back
  (form2021 then form2019); published before the year it reports on was over. Silent when a value is
  absent. They are computed when read — a join over stored numbers, cheap — so they can never be stale
  or disagree with the numbers after a re-crawl; nothing is stored.
- `peer_table`: the agencies of a county or province × one indicator for a year, ranked, with the share
  of requests granted, denied and taken to administrative review.

Read only: every function takes an open sqlite3 connection with rows as sqlite3.Row (corpus.readonly).
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from corpus.similarity import normalize
from extract.stats.keys import CORE

CORE_KEYS = tuple(f"core.{k}" for k in CORE)
FORM_RANK = {"legacy_table": 1, "form2019": 2, "form2021": 3}  # narrative: not a version of the form
SHARES = (("share_granted", "core.requests_granted"), ("share_denied", "core.requests_denied"),
          ("share_reviewed", "core.review_total"))


class CompareError(Exception):
    """A comparison that cannot be made: no such agency or year, or a name that fits several agencies."""


# --- checks across years --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CrossYearFlag:
    """A check of a report against the year before; `value` is this report's, `prior_value` the earlier's."""

    report_id: int
    check: str  # carry_mismatch | form_regression | published_too_early
    message: str
    value: str
    prior_value: str | None = None
    prior_report_id: int | None = None
    evidence: str = ""
    prior_evidence: str = ""

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


_CHECK_SQL = """
SELECT r.report_id, r.report_year, r.form, r.published_at, p.report_id AS prev_id, p.form AS prev_form,
       co.value AS carried_over, co.evidence AS co_evidence, cf.value AS carried_forward, cf.evidence AS cf_evidence
FROM reports r
LEFT JOIN reports p ON p.agency = r.agency AND COALESCE(p.adcode, '') = COALESCE(r.adcode, '')
                   AND p.report_year = r.report_year - 1
LEFT JOIN statistics co ON co.report_id = r.report_id AND co.key = 'core.requests_carried_over'
LEFT JOIN statistics cf ON cf.report_id = p.report_id AND cf.key = 'core.requests_carried_forward'
WHERE r.agency IS NOT NULL AND r.report_year IS NOT NULL AND {where}
ORDER BY r.report_id
"""


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def cross_year_flags(conn: sqlite3.Connection, where: str = "1 = 1",
                     params: list[Any] | tuple[Any, ...] = ()) -> dict[int, list[CrossYearFlag]]:
    """report_id -> its cross-year flags, for the reports `where` selects (a condition on `reports r`)."""
    out: dict[int, list[CrossYearFlag]] = {}
    for row in conn.execute(_CHECK_SQL.format(where=where), list(params)):
        rid, year = row["report_id"], int(row["report_year"])
        flags: list[CrossYearFlag] = []
        co, cf = row["carried_over"], row["carried_forward"]
        if row["prev_id"] is not None and co is not None and cf is not None and float(co) != float(cf):
            flags.append(CrossYearFlag(
                rid, "carry_mismatch",
                f"上年结转 {_num(co)} in {year} ≠ 结转下年度继续办理 {_num(cf)} in {year - 1} "
                f"(report {row['prev_id']})", _num(co), _num(cf), row["prev_id"], row["co_evidence"] or "",
                row["cf_evidence"] or ""))
        form, prev_form = row["form"], row["prev_form"]
        if row["prev_id"] is not None and form in FORM_RANK and prev_form in FORM_RANK \
                and FORM_RANK[form] < FORM_RANK[prev_form]:
            flags.append(CrossYearFlag(rid, "form_regression",
                                       f"{form} in {year} after {prev_form} in {year - 1} (report {row['prev_id']})",
                                       form, prev_form, row["prev_id"]))
        published = row["published_at"] or ""
        if re.fullmatch(r"\d{4}-\d\d-\d\d", published[:10]) and published[:10] < f"{year + 1:04d}-01-01":
            when = "began" if published[:10] < f"{year:04d}-01-01" else "was over"
            flags.append(CrossYearFlag(rid, "published_too_early",
                                       f"published {published[:10]}, before the year it reports on ({year}) {when}",
                                       published[:10], str(year)))
        if flags:
            out[rid] = flags
    return out


# --- sections -------------------------------------------------------------------------------------------

_HEADING_RE = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]\s*(\S.{0,38})$")
_SENTENCE_RE = re.compile(r"(?<=[。；！？])")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Section:
    heading: str  # as printed ('' for the text before the first heading)
    sentences: tuple[str, ...]  # the section's text (table rows left out: the numbers are compared as numbers)

    @property
    def key(self) -> str:
        return normalize(re.sub(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]", "", self.heading))


def split_sections(text: str) -> list[Section]:
    """A report's text cut at its own top-level headings (一、… 二、…); the lines of ogi's tables (`| … |`)
    are left out. A line is a heading when it is short and not a sentence (no 。 at its end)."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in (text or "").splitlines():
        s = line.strip()
        if not s or s.startswith("|"):
            continue
        if _HEADING_RE.match(s) and not s.endswith(("。", "；", "，")):
            sections.append((s, []))
        else:
            sections[-1][1].extend(x.strip() for x in _SENTENCE_RE.split(s) if x.strip())
    return [Section(h, tuple(body)) for h, body in sections if h or body]


@dataclass(frozen=True)
class SectionChange:
    """One section of the comparison: unchanged | numbers_only | changed | added | removed."""

    heading: str
    status: str
    previous_heading: str | None = None
    kept: float | None = None  # share of sentences the two versions have in common (difflib ratio)
    removed: tuple[str, ...] = ()  # sentences of Y−1 no longer there
    added: tuple[str, ...] = ()  # sentences of Y that are new


def _match(prev: list[Section], cur: list[Section]) -> dict[int, int]:
    """current index -> previous index: the same heading, else the most alike remaining heading (≥ 0.6)."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for i, c in enumerate(cur):
        for j, p in enumerate(prev):
            if j not in used and p.key == c.key:
                pairs[i] = j
                used.add(j)
                break
    for i, c in enumerate(cur):
        if i in pairs or not c.key:
            continue
        scored = [(difflib.SequenceMatcher(None, p.key, c.key).ratio(), -j, j) for j, p in enumerate(prev)
                  if j not in used and p.key]
        if scored and max(scored)[0] >= 0.6:
            j = max(scored)[2]
            pairs[i] = j
            used.add(j)
    return pairs


def _compare(p: Section, c: Section) -> SectionChange:
    if p.sentences == c.sentences:
        return SectionChange(c.heading, "unchanged", p.heading, 1.0)
    masked = (tuple(_NUMBER_RE.sub("#", s) for s in p.sentences), tuple(_NUMBER_RE.sub("#", s) for s in c.sentences))
    sm = difflib.SequenceMatcher(None, p.sentences, c.sentences, autojunk=False)
    removed: list[str] = []
    added: list[str] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op in ("replace", "delete"):
            removed += p.sentences[i1:i2]
        if op in ("replace", "insert"):
            added += c.sentences[j1:j2]
    status = "numbers_only" if masked[0] == masked[1] else "changed"
    return SectionChange(c.heading, status, p.heading, round(sm.ratio(), 3), tuple(removed), tuple(added))


def compare_sections(previous: str, current: str) -> list[SectionChange]:
    """The sections of two texts aligned by heading, in the current report's order; a vanished section
    stands where it stood in the previous report."""
    prev, cur = split_sections(previous), split_sections(current)
    pairs = _match(prev, cur)
    out: list[SectionChange] = []
    emitted: set[int] = set()
    for i, c in enumerate(cur):
        j = pairs.get(i)
        if j is None:
            out.append(SectionChange(c.heading, "added", None, None, (), c.sentences))
            continue
        for k in range(j):
            if k not in emitted and k not in pairs.values():
                out.append(SectionChange(prev[k].heading, "removed", prev[k].heading, None, prev[k].sentences, ()))
                emitted.add(k)
        emitted.add(j)
        out.append(_compare(prev[j], c))
    for k, p in enumerate(prev):
        if k not in emitted and k not in pairs.values():
            out.append(SectionChange(p.heading, "removed", p.heading, None, p.sentences, ()))
    return out


# --- one agency, two years ------------------------------------------------------------------------------

@dataclass(frozen=True)
class NumberChange:
    key: str
    label_zh: str
    label_en: str
    unit: str
    previous: float | None
    current: float | None

    @property
    def delta(self) -> float | None:
        return None if self.previous is None or self.current is None else self.current - self.previous


@dataclass
class Side:
    """One of the two reports."""

    report_id: int
    report_year: int
    title: str | None
    form: str | None
    published_at: str | None
    source_url: str | None
    flags: list[str]
    cross_year_flags: list[str] = field(default_factory=list)


@dataclass
class YearOverYear:
    agency: str
    adcode: str | None
    province: str | None
    county: str | None
    year: int
    current: Side
    previous: Side | None
    numbers: list[NumberChange]
    sections: list[SectionChange]
    similarity_prev_year: float | None = None
    nearest_peer: dict[str, Any] | None = None  # report_id, agency, similarity

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict (deltas included)."""
        from dataclasses import asdict

        d = asdict(self)
        d["numbers"] = [{**asdict(n), "delta": n.delta} for n in self.numbers]
        d["sections"] = [{**asdict(s), "removed": list(s.removed), "added": list(s.added)} for s in self.sections]
        return d


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except json.JSONDecodeError:
        return [str(text)]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_agency(conn: sqlite3.Connection, agency: str, year: int, *, province: str | None = None,
                county: str | None = None) -> tuple[str, str]:
    """(agency, adcode) of the one agency with a report for `year` whose name is `agency` or contains it,
    in the province (exact or prefix) and county (name part or exact code) given; CompareError otherwise."""
    sql = ("SELECT DISTINCT agency, COALESCE(adcode, '') AS adcode, province, county FROM reports r "
           "WHERE report_year = ? AND agency LIKE '%' || ? || '%' ESCAPE '\\'")
    params: list[Any] = [year, _escape(agency)]
    if province:
        sql += " AND (province = ? OR province LIKE ? || '%' ESCAPE '\\')"
        params += [province, _escape(province)]
    if county:
        sql += " AND (county LIKE '%' || ? || '%' ESCAPE '\\' OR adcode = ?)"
        params += [_escape(county), county]
    found = conn.execute(sql + " ORDER BY agency, adcode", params).fetchall()
    exact = [r for r in found if r["agency"] == agency]
    found = exact or found
    if not found:
        raise CompareError(f"no report of an agency named like {agency!r} for {year}"
                           + (" in the province/county given" if province or county else ""))
    if len(found) > 1:
        shown = "; ".join(f"{r['agency']} ({r['county'] or '?'} {r['adcode'] or '-'})" for r in found[:8])
        raise CompareError(f"{len(found)} agencies match {agency!r} for {year}: {shown}"
                           + (" ..." if len(found) > 8 else "") + "; give the full name, --province or --county")
    return found[0]["agency"], found[0]["adcode"]


def _side(conn: sqlite3.Connection, row: sqlite3.Row, cross: dict[int, list[CrossYearFlag]]) -> Side:
    return Side(row["report_id"], int(row["report_year"]), row["title"], row["form"], row["published_at"],
                row["source_url"], _json_list(row["flags"]), [str(f) for f in cross.get(row["report_id"], [])])


def _values(conn: sqlite3.Connection, report_id: int | None) -> dict[str, float]:
    if report_id is None:
        return {}
    return {k: float(v) for k, v in conn.execute(
        "SELECT key, value FROM statistics WHERE report_id = ? AND key LIKE 'core.%'", (report_id,))}


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    """Whether the database has this table (report_similarity: schema 4 and later, not read-only older ones)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def year_over_year(conn: sqlite3.Connection, agency: str, year: int, *, province: str | None = None,
                   county: str | None = None) -> YearOverYear:
    """Report `year` of one agency against its report of `year` − 1 (see the module docstring)."""
    from extract.stats.keys import CODEBOOK

    name, adcode = find_agency(conn, agency, year, province=province, county=county)
    rows = {int(r["report_year"]): r for r in conn.execute(
        "SELECT * FROM reports WHERE agency = ? AND COALESCE(adcode, '') = ? AND report_year IN (?, ?)",
        (name, adcode, year, year - 1))}
    cur_row, prev_row = rows[year], rows.get(year - 1)
    ids = [r["report_id"] for r in rows.values()]
    cross = cross_year_flags(conn, f"r.report_id IN ({', '.join('?' * len(ids))})", ids)
    cur_vals, prev_vals = _values(conn, cur_row["report_id"]), _values(conn, prev_row and prev_row["report_id"])
    numbers = [NumberChange(k, CODEBOOK[k][0], CODEBOOK[k][1], CODEBOOK[k][2], prev_vals.get(k), cur_vals.get(k))
               for k in CORE_KEYS]
    sections = compare_sections(prev_row["text"] if prev_row else "", cur_row["text"]) if prev_row else []
    result = YearOverYear(name, adcode or None, cur_row["province"], cur_row["county"], year,
                          _side(conn, cur_row, cross), _side(conn, prev_row, cross) if prev_row else None,
                          numbers, sections)
    if has_table(conn, "report_similarity"):
        sim = conn.execute(
            """SELECT s.similarity_prev_year, s.nearest_peer, s.nearest_peer_similarity, p.agency AS peer_agency
               FROM report_similarity s LEFT JOIN reports p ON p.report_id = s.nearest_peer
               WHERE s.report_id = ?""", (cur_row["report_id"],)).fetchone()
        if sim is not None:
            result.similarity_prev_year = sim["similarity_prev_year"]
            if sim["nearest_peer"] is not None:
                result.nearest_peer = {"report_id": sim["nearest_peer"], "agency": sim["peer_agency"],
                                       "similarity": sim["nearest_peer_similarity"]}
    return result


# --- peers ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeerRow:
    report_id: int
    agency: str
    county: str | None
    adcode: str | None
    value: float | None
    rank: int | None  # 1 = highest value; ties share a rank; None without a value
    share_granted: float | None  # core.requests_granted / core.requests_handled
    share_denied: float | None
    share_reviewed: float | None  # administrative reviews / requests handled


def shares(values: dict[str, float]) -> dict[str, float | None]:
    """The share of handled requests granted, denied and taken to review (None when none were handled)."""
    handled = values.get("core.requests_handled")
    return {name: (round(values[key] / handled, 4) if handled and key in values else None) for name, key in SHARES}


def ranks(values: list[float | None]) -> list[int | None]:
    """Competition ranks, highest first (1, 2, 2, 4); None stays None."""
    present = sorted((v for v in values if v is not None), reverse=True)
    first = {}
    for i, v in enumerate(present, 1):
        first.setdefault(v, i)
    return [None if v is None else first[v] for v in values]


def peer_table(conn: sqlite3.Connection, key: str, year: int, *, province: str | None = None,
               county: str | None = None) -> list[PeerRow]:
    """The agencies with a report for `year` in the county (name part or exact code) and/or province (exact
    or prefix), with `key`'s value, rank and the shares; ranked, agencies without the value last."""
    where = ["r.report_year = ?", "r.agency IS NOT NULL"]
    params: list[Any] = [year]
    if province:
        where.append("(r.province = ? OR r.province LIKE ? || '%' ESCAPE '\\')")
        params += [province, _escape(province)]
    if county:
        where.append("(r.county LIKE '%' || ? || '%' ESCAPE '\\' OR r.adcode = ?)")
        params += [_escape(county), county]
    keys = sorted({key, "core.requests_handled", *(k for _n, k in SHARES)})
    reports = conn.execute(f"SELECT r.report_id, r.agency, r.county, r.adcode FROM reports r "
                           f"WHERE {' AND '.join(where)} ORDER BY r.agency, r.report_id", params).fetchall()
    values: dict[int, dict[str, float]] = {}
    marks = ", ".join("?" * len(keys))
    for rid, k, v in conn.execute(
            f"SELECT s.report_id, s.key, s.value FROM statistics s JOIN reports r ON r.report_id = s.report_id "
            f"WHERE {' AND '.join(where)} AND s.key IN ({marks})", [*params, *keys]):
        values.setdefault(rid, {})[k] = float(v)
    vals = [values.get(r["report_id"], {}).get(key) for r in reports]
    rk = ranks(vals)
    rows = [PeerRow(r["report_id"], r["agency"], r["county"], r["adcode"], v, k,
                    **shares(values.get(r["report_id"], {})))
            for r, v, k in zip(reports, vals, rk, strict=True)]
    return sorted(rows, key=lambda p: (p.rank is None, p.rank or 0, p.agency))


# --- for the export ----------------------------------------------------------------------------------------

def year_over_year_rows(conn: sqlite3.Connection, where: str = "1 = 1",
                        params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """One row per selected report with a report of the year before and per core key either has: report_id,
    prev_report_id, agency, adcode, report_year, key, previous, current, delta; by report_id and key order."""
    keys = ", ".join(f"({i}, '{k}')" for i, k in enumerate(CORE_KEYS))
    sql = f"""WITH k(ord, key) AS (VALUES {keys})
        SELECT r.report_id, p.report_id AS prev_report_id, r.agency, r.adcode, r.report_year, k.key,
               ps.value AS previous, cs.value AS current
        FROM reports r
        JOIN reports p ON p.agency = r.agency AND COALESCE(p.adcode, '') = COALESCE(r.adcode, '')
                      AND p.report_year = r.report_year - 1
        CROSS JOIN k
        LEFT JOIN statistics cs ON cs.report_id = r.report_id AND cs.key = k.key
        LEFT JOIN statistics ps ON ps.report_id = p.report_id AND ps.key = k.key
        WHERE r.agency IS NOT NULL AND r.report_year IS NOT NULL AND {where}
          AND (cs.value IS NOT NULL OR ps.value IS NOT NULL)
        ORDER BY r.report_id, k.ord"""
    out = []
    for row in conn.execute(sql, list(params)):
        d = dict(row)
        d["delta"] = None if d["previous"] is None or d["current"] is None else d["current"] - d["previous"]
        out.append(d)
    return out


def peer_rows(reports: list[dict[str, Any]], values: dict[int, dict[str, float]],
              key: str = "core.requests_new") -> list[dict[str, Any]]:
    """Per report: `key`'s value and requests handled, the shares, and its rank by `key` among the given
    reports of its county (county code, else name) and of its province in the same year."""
    county_of = {r["report_id"]: (r["report_year"], r["adcode"] or (r["province"], r["city"], r["county"]))
                 for r in reports if r["report_year"] is not None and (r["adcode"] or r["county"])}
    province_of = {r["report_id"]: (r["report_year"], r["province"]) for r in reports
                   if r["report_year"] is not None and r["province"]}
    ranked: dict[str, dict[int, tuple[int | None, int]]] = {}
    for name, group_of in (("county", county_of), ("province", province_of)):
        groups: dict[Any, list[int]] = {}
        for rid, g in group_of.items():
            groups.setdefault(g, []).append(rid)
        ranked[name] = {}
        for ids in groups.values():
            for rid, rank in zip(ids, ranks([values.get(i, {}).get(key) for i in ids]), strict=True):
                ranked[name][rid] = (rank, len(ids))
    out = []
    for r in reports:
        v = values.get(r["report_id"], {})
        rc, rp = ranked["county"].get(r["report_id"], (None, None)), ranked["province"].get(r["report_id"], (None, None))
        out.append({**{c: r[c] for c in ("report_id", "agency", "province", "city", "county", "adcode", "report_year")},
                    "requests_new": v.get("core.requests_new"), "requests_handled": v.get("core.requests_handled"),
                    **shares(v), "rank_in_county": rc[0], "agencies_in_county": rc[1], "rank_in_province": rp[0],
                    "agencies_in_province": rp[1]})
    return out
