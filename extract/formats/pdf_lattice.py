"""pdfplumber's ruled-table finding and cell reading, same results, without its quadratic steps.

Why: once a page's edges and chars come from PDFium (extract.formats.pdf_geometry), most of the time
left is in three pdfplumber loops that compare everything with everything: `intersections_to_cells`
(each crossing against every later crossing, rebuilding edge sets per test), `Table.extract` (every
char of the page tested against every row) and `extract_text` per cell. The functions here keep
pdfplumber's rules and order exactly — the golden corpora and tests/test_pdf_lattice.py compare them
with pdfplumber's own — and index instead of scanning: crossings by column and by row, chars by
their vertical centre, and a one-line cell's text joined directly (a cell of several lines still goes
through pdfplumber's `extract_text`).
"""

from __future__ import annotations

import bisect
from typing import Any

from pdfplumber.table import (
    Table,
    TableSettings,
    cells_to_tables,
    edges_to_intersections,
    merge_edges,
)
from pdfplumber.utils import extract_text, filter_edges
from pdfplumber.utils.text import LIGATURES

Bbox = tuple[float, float, float, float]
_LATTICE = TableSettings.resolve(None)
X_TOLERANCE = 3  # pdfplumber's extract_text defaults (Table.extract passes none)
Y_TOLERANCE = 3


def find_tables(page: Any) -> list[Table]:
    """`pdfplumber.table.TableFinder(page).tables` for the default ("lines") settings."""
    s = _LATTICE
    v = filter_edges(page.edges, "v", min_length=s.edge_min_length_prefilter)
    h = filter_edges(page.edges, "h", min_length=s.edge_min_length_prefilter)
    edges = merge_edges(list(v) + list(h), snap_x_tolerance=s.snap_x_tolerance, snap_y_tolerance=s.snap_y_tolerance,
                        join_x_tolerance=s.join_x_tolerance, join_y_tolerance=s.join_y_tolerance)
    edges = filter_edges(edges, min_length=s.edge_min_length)
    crossings = edges_to_intersections(edges, s.intersection_x_tolerance, s.intersection_y_tolerance)
    return [Table(page, group) for group in cells_to_tables(intersections_to_cells(crossings))]


def intersections_to_cells(intersections: dict[tuple[float, float], dict[str, list]]) -> list[Bbox]:
    """`pdfplumber.table.intersections_to_cells`: for each crossing (sorted), the smallest cell it opens."""
    vsets = {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["v"]} for p, d in intersections.items()}
    hsets = {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["h"]} for p, d in intersections.items()}

    def connects(p1: tuple[float, float], p2: tuple[float, float]) -> bool:
        if p1[0] == p2[0] and not vsets[p1].isdisjoint(vsets[p2]):
            return True
        return p1[1] == p2[1] and not hsets[p1].isdisjoint(hsets[p2])

    points = sorted(intersections)
    by_x: dict[float, list[tuple[float, float]]] = {}
    by_y: dict[float, list[tuple[float, float]]] = {}
    for p in points:  # sorted by (x, y): each column's list runs down, each row's list runs right
        by_x.setdefault(p[0], []).append(p)
        by_y.setdefault(p[1], []).append(p)
    cells: list[Bbox] = []
    for pt in points[:-1]:
        col, row = by_x[pt[0]], by_y[pt[1]]
        below = col[bisect.bisect_right(col, pt):]
        right = row[bisect.bisect_right(row, pt):]
        cell = _smallest(pt, below, right, intersections, connects)
        if cell:
            cells.append(cell)
    return cells


def _smallest(pt, below, right, intersections, connects) -> Bbox | None:  # noqa: ANN001 - hot inner helper
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        for right_pt in right:
            if not connects(pt, right_pt):
                continue
            corner = (right_pt[0], below_pt[1])
            if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def table_rows(table: Table) -> list[list[Bbox | None]]:
    """`table.rows` as lists of cell boxes (None where a span covers the slot)."""
    return [list(r.cells) for r in table.rows]


def extract_cells(rows: list[list[Bbox | None]], chars: list[dict[str, Any]]) -> list[list[str | None]]:
    """`Table.extract()` on rows from `table_rows`: a cell holds the chars whose centre lies in it,
    in page order."""
    keyed = sorted(((c["top"] + c["bottom"]) / 2, i) for i, c in enumerate(chars))
    mids = [k[0] for k in keyed]
    out: list[list[str | None]] = []
    for row in rows:
        present = [c for c in row if c is not None]
        top = min(c[1] for c in present)
        bottom = max(c[3] for c in present)
        x0 = min(c[0] for c in present)
        x1 = max(c[2] for c in present)
        lo, hi = bisect.bisect_left(mids, top), bisect.bisect_left(mids, bottom)
        # the row's chars by horizontal centre (then page order), to cut each cell's slice out of them
        across = sorted(((chars[i]["x0"] + chars[i]["x1"]) / 2, i, mid) for mid, i in keyed[lo:hi])
        across = [a for a in across if x0 <= a[0] < x1]
        centres = [a[0] for a in across]
        line: list[str | None] = []
        for cell in row:
            if cell is None:
                line.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            a, b = bisect.bisect_left(centres, cx0), bisect.bisect_left(centres, cx1)
            inside = sorted(i for _, i, mid in across[a:b] if ctop <= mid < cbottom)
            line.append(cell_text([chars[i] for i in inside]))
        out.append(line)
    return out


def _cluster_index(values: list[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's `make_cluster_dict`: sorted distinct values chained while each is within `tolerance` of
    the previous one; value -> cluster number."""
    out: dict[float, int] = {}
    group, last = -1, None
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            group += 1
        out[v] = group
        last = v
    return out


def cell_text(chars: list[dict[str, Any]]) -> str:
    """`pdfplumber.utils.extract_text(chars)` with its defaults, for upright chars: lines by `top` (chained
    within 3 pt), each line left to right, words split at whitespace, backward steps and gaps over 3 pt,
    then words regrouped into lines by their own top; other text goes to pdfplumber."""
    if not chars:
        return ""
    if len(chars) == 1:
        text = chars[0]["text"]
        return "" if text.isspace() else LIGATURES.get(text, text or "")
    if not all(c["upright"] for c in chars):
        return extract_text(chars)
    tops = {c["top"] for c in chars}
    if len(tops) == 1:  # the usual cell: one line of one text object
        lines: dict[int, list[dict[str, Any]]] = {0: chars}
    else:
        line_of = _cluster_index(list(tops), Y_TOLERANCE)
        lines = {}
        for c in chars:  # grouping keeps the given order within a line, as pdfplumber's stable sort does
            lines.setdefault(line_of[c["top"]], []).append(c)
    words: list[tuple[float, str]] = []  # (top, text)
    for key in sorted(lines):
        current: list[str] = []
        top = 0.0
        prev: dict[str, Any] | None = None
        for c in sorted(lines[key], key=lambda c: c["x0"]):
            text = c["text"]
            if text.isspace():
                if current:
                    words.append((top, "".join(current)))
                current, prev = [], None
                continue
            if prev is not None and (c["x0"] < prev["x0"] or c["x0"] > prev["x1"] + X_TOLERANCE
                                     or abs(c["top"] - prev["top"]) > Y_TOLERANCE):
                words.append((top, "".join(current)))
                current = []
            if not current:
                top = c["top"]
            top = min(top, c["top"])
            current.append(LIGATURES.get(text, text or ""))
            prev = c
        if current:
            words.append((top, "".join(current)))
    if len(lines) == 1 and len(tops) == 1:
        return " ".join(w[1] for w in words)
    word_line = _cluster_index([w[0] for w in words], Y_TOLERANCE)
    out: dict[int, list[str]] = {}
    for top, text in words:
        out.setdefault(word_line[top], []).append(text)
    return "\n".join(" ".join(out[k]) for k in sorted(out))
