"""A report's tables for the report page: re-read from the stored raw bytes, headers found, numbers placed.

Why re-read: the database keeps the text and the numbers, not the tables' grids (`ogi extract --json` does
not print them either). The grids come from the same format extractor the crawl used
(`extract.formats.to_document` on the capture the text came from: the page for an HTML report, the PDF or
DOCX attachment otherwise), so a table on the page is the table the numbers were read from. It is fast
(the demo's PDF: 0.4 s, an HTML page: 10 ms) and bounded by extract.limits (page caps, table caps); the
page gives it TABLES_SECONDS and says so when it runs out, and OCR is never re-run for a page view.
Results are cached by the bytes' SHA-256 (the same bytes always give the same tables).

Numbers are placed on rows by their evidence ("table 三: 一、本年新收… | 1 | 0 | …"): the row whose label
cells match, or — for evidence naming a key instead of a label (table 四) — the row with the same numbers
in the grid the other rows of that table were found in.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

Grid = list[list[str]]

TABLES_SECONDS = 20.0  # the page waits this long for the tables, then shows the report without them
CACHE_SIZE = 64
MAX_HEADER_ROWS = 4

_PIECE_RE = re.compile(r"table\s+(\S+?):\s*([^|;]*?)\s*((?:\|\s*[^|;]*?\s*)+)(?=;|$)")
_NUM_RE = re.compile(r"^[-+]?\d+(?:[.,]\d+)*%?$")
_STRIP_RE = re.compile(r"[\s\u3000()（）、,，.．:：;；\"“”'‘’\-—_]+")
_KEYLIKE_RE = re.compile(r"^[a-z_][a-z0-9_.]*$")

_cache: OrderedDict[str, tuple[list[Grid], str | None]] = OrderedDict()
_cache_lock = threading.Lock()
# At most this many documents re-read at once: page views of many distinct reports queue rather than
# occupying every core (a request waiting past TABLES_SECONDS is answered without tables).
MAX_CONCURRENT_READS = 2
_slots = threading.BoundedSemaphore(MAX_CONCURRENT_READS)


def _norm(text: str) -> str:
    return _STRIP_RE.sub("", text or "")


def is_number(cell: str) -> bool:
    return bool(_NUM_RE.match((cell or "").strip()))


def choose_source(sources: list[dict[str, Any]], text_source: str | None) -> dict[str, Any] | None:
    """The capture the report's text (and its numbers) came from: the page for html/text, else the first
    attachment of that kind (the pipeline's choice), else the first attachment with bytes."""
    with_body = [s for s in sources if s.get("body")]
    if not with_body:
        return None
    if text_source in (None, "html", "text"):
        return next((s for s in with_body if s.get("role") != "attachment"), with_body[0])
    from extract.formats import sniff

    attachments = [s for s in with_body if s.get("role") == "attachment"]
    for s in attachments:
        name = (s.get("url") or "").split("?")[0].rsplit("/", 1)[-1] or None
        if sniff(s["body"], s.get("content_type"), name) == text_source:
            return s
    return attachments[0] if attachments else with_body[0]


def read_grids(source: dict[str, Any]) -> tuple[list[Grid], str | None]:
    """(grids, note) of one stored capture through the format extractor; cached by its SHA-256.

    Images are not OCR'd again for a page view (note says so); an extractor error is a note too.
    """
    from extract.formats import sniff, to_document

    sha = source.get("sha256") or ""
    with _cache_lock:
        if sha in _cache:
            _cache.move_to_end(sha)
            return _cache[sha]
    with _slots:
        result, lasting = _extract_grids(source, sniff, to_document)
    if lasting:  # a parse stopped by a limit on a busy machine may succeed next time: not cached
        with _cache_lock:
            _cache[sha] = result
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return result


def _extract_grids(source: dict[str, Any], sniff: Any,
                   to_document: Any) -> tuple[tuple[list[Grid], str | None], bool]:
    """((grids, note), whether the answer will be the same next time)."""
    name = (source.get("url") or "").split("?")[0].rsplit("/", 1)[-1] or None
    kind = sniff(source["body"], source.get("content_type"), name)
    if kind in ("image", "ocr"):
        return ([], "the report was read by OCR from images: its tables are not re-read for this page"), True
    try:
        doc = to_document(source["body"], kind, url=source.get("url"), content_type=source.get("content_type"))
    except Exception as exc:  # noqa: BLE001 - a page without tables is still a page
        return ([], f"the tables could not be re-read ({type(exc).__name__})"), False
    grids = [g for g in doc.tables if g and any(any(c.strip() for c in r) for r in g)]
    note = None if grids or not doc.errors else f"the tables could not be re-read: {doc.errors[0][:200]}"
    return (grids, note), not doc.errors


def header_rows(grid: Grid) -> int:
    """How many leading rows are headers: rows without a number cell (at most MAX_HEADER_ROWS), provided
    some row below holds numbers (a table of words has no header rows)."""
    n = 0
    for row in grid[:MAX_HEADER_ROWS]:
        if any(is_number(c) for c in row):
            break
        n += 1
    if n == len(grid) or not any(any(is_number(c) for c in r) for r in grid[n:]):
        return 0
    return n


def merged(row: list[str]) -> list[tuple[str, int]]:
    """Header cells with the repeats of an expanded span merged back into (text, colspan)."""
    out: list[tuple[str, int]] = []
    for cell in row:
        if out and cell and cell == out[-1][0]:
            out[-1] = (cell, out[-1][1] + 1)
        else:
            out.append((cell, 1))
    return out


def body_cells(row: list[str]) -> list[tuple[str, int]]:
    """A body row as (text, colspan): before its first number, a label cell takes the empty or repeated
    cells after it (a span the extractor expanded), so the label reads as one cell as printed."""
    out: list[tuple[str, int]] = []
    numbers = False
    for cell in row:
        numbers = numbers or is_number(cell)
        if not numbers and out and out[-1][0] and (not cell.strip() or cell == out[-1][0]):
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((cell, 1))
    return out


def _row_label(row: list[str]) -> str:
    cells: list[str] = []
    for c in row:
        if c.strip() and not is_number(c) and (not cells or cells[-1] != c):
            cells.append(c)
    return _norm("".join(cells))


def _row_numbers(row: list[str]) -> list[str]:
    return [c.strip() for c in row if is_number(c)]


@dataclass
class Piece:
    """One row an evidence string cites: the table's name as the extractor calls it, label, numbers."""

    table: str
    label: str
    numbers: list[str]


def evidence_pieces(evidence: str) -> list[Piece]:
    """The table rows cited in a statistic's evidence ("table 三: label | 1 | 2; table 三: …")."""
    out = []
    for m in _PIECE_RE.finditer(evidence or ""):
        nums = [x.strip() for x in m.group(3).split("|") if x.strip()]
        label = re.sub(r"\s*\[[^\]]*\]", "", m.group(2)).strip()  # "[row, by position]": the extractor's note
        out.append(Piece(m.group(1), label, nums))
    return out


@dataclass
class Placed:
    """Where the numbers sit: grid index -> row index -> keys; keys per grid; the table names found."""

    rows: dict[int, dict[int, list[str]]] = field(default_factory=dict)
    by_grid: dict[int, list[str]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)


def _label_match(label: str, row: str) -> bool:
    return len(label) >= 2 and len(row) >= 2 and (label == row or row.endswith(label) or label.endswith(row)
                                                  or (len(label) >= 6 and label in row))


def place_numbers(grids: list[Grid], stats: list[dict[str, Any]]) -> Placed:
    """Place each statistic read from a table on the grid row(s) its evidence cites."""
    labels = [[_row_label(r) for r in g] for g in grids]
    numbers = [[_row_numbers(r) for r in g] for g in grids]
    pieces = {s["key"]: evidence_pieces(s.get("evidence") or "") for s in stats if s.get("source") == "table"}
    votes: dict[str, Counter[int]] = {}
    hits: list[tuple[str, int, int]] = []
    for key, ps in pieces.items():
        for p in ps:
            if _KEYLIKE_RE.match(p.label):
                continue
            lab = _norm(p.label)
            for gi, g_labels in enumerate(labels):
                for ri, row in enumerate(g_labels):
                    if _label_match(lab, row) and (not p.numbers or numbers[gi][ri] == p.numbers):
                        votes.setdefault(p.table, Counter())[gi] += 1
                        hits.append((key, gi, ri))
    table_grid = {t: c.most_common(1)[0][0] for t, c in votes.items()}
    taken = set(table_grid.values())
    for key, ps in pieces.items():  # key-named rows (table 四): the same numbers, in that table's grid
        for p in ps:
            if not _KEYLIKE_RE.match(p.label) or not p.numbers:
                continue
            candidates = [table_grid[p.table]] if p.table in table_grid else [
                gi for gi in range(len(grids)) if gi not in taken]
            for gi in candidates:
                rows = [ri for ri, nums in enumerate(numbers[gi]) if nums == p.numbers]
                if rows:
                    table_grid.setdefault(p.table, gi)
                    hits.append((key, gi, rows[0]))
                    break
    placed = Placed(names={gi: t for t, gi in table_grid.items()})
    for key, gi, ri in sorted(hits, key=lambda h: (h[1], h[2])):  # numbers in the order of the rows
        if gi != table_grid.get(next((p.table for p in pieces[key]), ""), gi):
            continue
        row_keys = placed.rows.setdefault(gi, {}).setdefault(ri, [])
        if key not in row_keys:
            row_keys.append(key)
        grid_keys = placed.by_grid.setdefault(gi, [])
        if key not in grid_keys:
            grid_keys.append(key)
    return placed
