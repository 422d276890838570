"""pdfplumber's ruled-table finding and cell reading, same results, without its quadratic steps.

Why: once a page's edges and chars come from PDFium (extract.formats.pdf_geometry), most of the time
left is in pdfplumber's table steps: edges snapped and joined as dicts copied per move,
`intersections_to_cells` (each crossing against every later crossing, rebuilding edge sets per test),
`cells_to_tables` (sweeps with list removals), `Table.extract` (every char of the page tested against
every row) and `extract_text` per cell. The functions here keep pdfplumber's rules and order exactly —
tests/test_pdf_fast_lattice.py compares each with pdfplumber's own on the golden corpora and on
generated edges, chars and grids — on tuples (edges, chars) and index instead of scanning: crossings
by column and by row, chars by their centre, tables as cells connected by corners, and a one-word
cell's text joined directly.
"""

from __future__ import annotations

import bisect
import itertools
from operator import itemgetter

from pdfplumber.table import TableSettings
from pdfplumber.utils import extract_text
from pdfplumber.utils.text import LIGATURES

Bbox = tuple[float, float, float, float]
Box = tuple  # a char: (text, x0, x1, top, bottom, size[, pdfplumber's char dict]), see pdf_geometry.Box
_X0 = itemgetter(1)
_TOP, _TOP_X0 = itemgetter(1), itemgetter(1, 0)
Edge = tuple  # (orientation, x0, top, x1, bottom, width, height), see pdf_geometry.Edge
_LATTICE = TableSettings.resolve(None)
X_TOLERANCE = 3  # pdfplumber's extract_text defaults (Table.extract passes none)
Y_TOLERANCE = 3


class Lattice:
    """A ruled table as pdfplumber's `Table` describes it: its cells' bounding box and its rows of cell
    boxes (None where a span covers the slot), ordered as `Table.rows`."""

    __slots__ = ("bbox", "rows")

    def __init__(self, cells: list[Bbox]) -> None:
        self.bbox: Bbox = (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells),
                           max(c[3] for c in cells))
        xs = sorted({c[0] for c in cells})
        self.rows: list[list[Bbox | None]] = []
        for _, row in itertools.groupby(sorted(cells, key=_TOP_X0), _TOP):
            at = {c[0]: c for c in row}
            self.rows.append([at.get(x) for x in xs])


def find_tables(edges: list[Edge]) -> list[Lattice]:
    """`pdfplumber.table.TableFinder(page).tables` for the default ("lines") settings, from the page's edges
    as tuples (extract.formats.pdf_geometry.Edge): same snapping, joining, crossings and cells."""
    s = _LATTICE
    pre = s.edge_min_length_prefilter
    v = [e for e in edges if e[0] == "v" and e[6] >= pre]
    h = [e for e in edges if e[0] == "h" and e[5] >= pre]
    merged = _join(_snap(v, 1, s.snap_x_tolerance), s.join_y_tolerance) + \
        _join(_snap(h, 2, s.snap_y_tolerance), s.join_x_tolerance)
    least = s.edge_min_length
    merged = [e for e in merged if (e[6] if e[0] == "v" else e[5]) >= least]
    crossings = _intersections(merged, s.intersection_x_tolerance, s.intersection_y_tolerance)
    return [Lattice(group) for group in _cells_to_tables(intersections_to_cells(crossings))]


def _snap(edges: list[Edge], at: int, tolerance: float) -> list[Edge]:
    """`pdfplumber.utils.snap_objects` on x0 (at=1, vertical edges) or top (at=2, horizontal): positions
    clustered (chained within `tolerance`), each edge moved by (cluster mean - its position)."""
    if not edges:
        return []
    cluster = _cluster_index([e[at] for e in edges], tolerance)
    groups: dict[int, list[Edge]] = {}
    for e in edges:
        groups.setdefault(cluster[e[at]], []).append(e)
    out: list[Edge] = []
    for k in sorted(groups):
        group = groups[k]
        avg = sum(e[at] for e in group) / len(group)
        for o, x0, top, x1, bottom, width, height in group:
            if at == 1:
                d = avg - x0
                out.append((o, x0 + d, top, x1 + d, bottom, width, height))
            else:
                d = avg - top
                out.append((o, x0, top + d, x1, bottom + d, width, height))
    return out


def _join(edges: list[Edge], tolerance: float) -> list[Edge]:
    """`pdfplumber.table.join_edge_group` for each line of snapped edges (vertical edges by x0, horizontal by
    top): overlapping or nearly touching pieces become one edge, width/height updated as pdfplumber does."""
    if not edges:
        return []
    vertical = edges[0][0] == "v"
    at, lo, hi = (1, 2, 4) if vertical else (2, 1, 3)
    lines: dict[float, list[Edge]] = {}
    for e in edges:
        lines.setdefault(e[at], []).append(e)
    out: list[Edge] = []
    for key in sorted(lines):
        group = sorted(lines[key], key=itemgetter(lo))
        joined = [group[0]]
        for e in group[1:]:
            last = joined[-1]
            if e[lo] <= last[hi] + tolerance:
                if e[hi] > last[hi]:
                    o, x0, top, x1, bottom, width, height = last
                    if vertical:
                        joined[-1] = (o, x0, top, x1, e[hi], width, height + (e[hi] - bottom))
                    else:
                        joined[-1] = (o, x0, top, e[hi], bottom, e[hi] - x0, height)
            else:
                joined.append(e)
        out += joined
    return out


Crossings = dict[tuple[float, float], tuple[set[Bbox], set[Bbox]]]


def _intersections(edges: list[Edge], x_tolerance: float, y_tolerance: float) -> Crossings:
    """`pdfplumber.table.edges_to_intersections`: where a vertical and a horizontal edge meet (within the
    tolerances), the point (v.x0, h.top) and the boxes of the edges through it; horizontal edges are
    bisected by top instead of all tested against each vertical one."""
    hs = sorted((e for e in edges if e[0] == "h"), key=itemgetter(2, 1))
    tops = [e[2] for e in hs]
    out: Crossings = {}
    for v in sorted((e for e in edges if e[0] == "v"), key=itemgetter(1, 2)):
        _, vx, vtop, _, vbottom, _, _ = v
        # a superset by bisection (1 pt margin), then pdfplumber's own test
        for h in hs[bisect.bisect_left(tops, vtop - y_tolerance - 1):bisect.bisect_right(tops, vbottom + y_tolerance + 1)]:
            htop = h[2]
            if vtop <= htop + y_tolerance and vbottom >= htop - y_tolerance and vx >= h[1] - x_tolerance \
                    and vx <= h[3] + x_tolerance:
                point = (vx, htop)
                sets = out.get(point)
                if sets is None:
                    sets = out[point] = (set(), set())
                sets[0].add(v[1:5])
                sets[1].add(h[1:5])
    return out


def _cells_to_tables(cells: list[Bbox]) -> list[list[Bbox]]:
    """`pdfplumber.table.cells_to_tables`: cells sharing a corner, directly or through others, form a table
    (its sweep finds exactly these groups); tables by their top-left cell, single cells dropped."""
    at: dict[tuple[float, float], list[int]] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            if corner in at:
                at[corner].append(i)
            else:
                at[corner] = [i]
    seen = [False] * len(cells)
    tables: list[list[Bbox]] = []
    for i in range(len(cells)):
        if seen[i]:
            continue
        seen[i] = True
        todo, group = [i], []
        while todo:
            x0, top, x1, bottom = cell = cells[todo.pop()]
            group.append(cell)
            for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
                for j in at.pop(corner, ()):  # each corner's cells are looked at once
                    if not seen[j]:
                        seen[j] = True
                        todo.append(j)
        if len(group) > 1:
            tables.append(group)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return tables


def intersections_to_cells(intersections: Crossings) -> list[Bbox]:
    """`pdfplumber.table.intersections_to_cells`: for each crossing (sorted), the smallest cell it opens.

    pdfplumber's `edge_connects` tests a shared vertical edge for points in one column and a shared
    horizontal edge for points in one row; each pair tested here is known to be one or the other, so the
    test is the one set comparison it reduces to."""
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
        cell = _smallest(pt, below, right, intersections)
        if cell:
            cells.append(cell)
    return cells


def _smallest(pt: tuple[float, float], below: list[tuple[float, float]], right: list[tuple[float, float]],
              crossings: Crossings) -> Bbox | None:
    """The first (below, right) pair, in pdfplumber's order, that closes a cell with `pt`."""
    pt_v, pt_h = crossings[pt]
    for below_pt in below:
        b_v, b_h = crossings[below_pt]
        if pt_v.isdisjoint(b_v):
            continue
        for right_pt in right:
            r_v, r_h = crossings[right_pt]
            if pt_h.isdisjoint(r_h):
                continue
            corner = crossings.get((right_pt[0], below_pt[1]))
            if corner is not None and not corner[0].isdisjoint(r_v) and not corner[1].isdisjoint(b_h):
                return (pt[0], pt[1], right_pt[0], below_pt[1])
    return None


def extract_cells(rows: list[list[Bbox | None]], chars: list[Box]) -> list[list[str | None]]:
    """`Table.extract()` on a `Lattice`'s rows: a cell holds the chars (tuples, see
    extract.formats.pdf_geometry.Box) whose centre lies in it, in page order.

    Each row's chars are found by bisection on their vertical centre; in a row whose cells do not overlap
    (every row of the corpora) each char goes to the one cell its horizontal centre can fall in."""
    mid_y = [(c[3] + c[4]) / 2 for c in chars]
    mid_x = [(c[1] + c[2]) / 2 for c in chars]
    order = sorted(range(len(chars)), key=mid_y.__getitem__)
    ys = [mid_y[i] for i in order]
    out: list[list[str | None]] = []
    for row in rows:
        present = [c for c in row if c is not None]
        lo = bisect.bisect_left(ys, min(c[1] for c in present))
        hi = bisect.bisect_left(ys, max(c[3] for c in present))
        candidates = sorted(order[lo:hi])  # page order
        inside: list[list[int]] = [[] for _ in present]
        if all(a[2] <= b[0] for a, b in zip(present, present[1:], strict=False)):
            starts = [c[0] for c in present]
            for i in candidates:
                x = mid_x[i]
                k = bisect.bisect_right(starts, x) - 1
                if k >= 0:
                    cx0, ctop, cx1, cbottom = present[k]
                    if x < cx1 and ctop <= mid_y[i] < cbottom:
                        inside[k].append(i)
        else:  # overlapping cells: a char may belong to several
            for k, (cx0, ctop, cx1, cbottom) in enumerate(present):
                inside[k] = [i for i in candidates if cx0 <= mid_x[i] < cx1 and ctop <= mid_y[i] < cbottom]
        texts = iter([cell_text([chars[i] for i in idx]) for idx in inside])
        out.append([None if c is None else next(texts) for c in row])
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


def text_lines(chars: list[Box]) -> list[list[Box]]:
    """pdfplumber's `WordExtractor.iter_chars_to_lines` for upright chars, unsorted: lines by `top` (chained
    within 3 pt), in order of their top, each line's chars in page order (`line_words` sorts them)."""
    line_of = _cluster_index([c[3] for c in chars], Y_TOLERANCE)
    grouped: dict[int, list[Box]] = {}
    for c in chars:
        grouped.setdefault(line_of[c[3]], []).append(c)
    return [grouped[k] for k in sorted(grouped)]


def line_words(line: list[Box]) -> list[tuple[float, float, str]]:
    """pdfplumber's `WordExtractor.iter_chars_to_words` (default settings) on one line from `text_lines`,
    its chars left to right (stable: page order among equal x0): (top, bottom, text) of each word — split
    at whitespace, backward steps, gaps over 3 pt and tops more than 3 pt apart; a char with empty text is
    a word of its own."""
    out: list[tuple[float, float, str]] = []
    current: list[Box] = []

    def flush() -> None:
        if current:
            out.append((min(c[3] for c in current), max(c[4] for c in current),
                        "".join(LIGATURES.get(c[0], c[0]) for c in current)))

    for c in sorted(line, key=_X0):
        text = c[0]
        if text.isspace():
            flush()
            current = []
        elif not text:  # pdfplumber: `"" in split_at_punctuation` ("") is true
            flush()
            current = [c]
            flush()
            current = []
        elif current and (c[1] < current[-1][1] or c[1] > current[-1][2] + X_TOLERANCE
                          or abs(c[3] - current[-1][3]) > Y_TOLERANCE):
            flush()
            current = [c]
        else:
            current.append(c)
    flush()
    return out


def cell_text(chars: list[Box]) -> str:
    """`pdfplumber.utils.extract_text(chars)` with its defaults, for upright chars: lines by `top` (chained
    within 3 pt), each line left to right, words split at whitespace, backward steps and gaps over 3 pt,
    then words regrouped into lines by their own top; a cell with other text (pages pdfplumber read, whose
    tuples carry the char dict) goes to pdfplumber."""
    if not chars:
        return ""
    if len(chars) == 1:
        text = chars[0][0]
        return "" if text.isspace() else LIGATURES.get(text, text or "")
    if len(chars[0]) > 6 and not all(c[6]["upright"] for c in chars):
        return extract_text([c[6] for c in chars])
    tops = {c[3] for c in chars}
    if len(tops) == 1:  # the usual cell: one line of one text object
        row = sorted(chars, key=_X0)
        reach = row[0][2]
        for c in row:  # one word (no space, no gap over 3 pt): its text as it is
            if not c[0] or c[0].isspace() or c[1] > reach + X_TOLERANCE:
                break
            reach = c[2]
        else:
            return "".join([LIGATURES.get(c[0], c[0] or "") for c in row])
        lines: dict[int, list[Box]] = {0: chars}
    else:
        line_of = _cluster_index(list(tops), Y_TOLERANCE)
        lines = {}
        for c in chars:  # grouping keeps the given order within a line, as pdfplumber's stable sort does
            lines.setdefault(line_of[c[3]], []).append(c)
    words: list[tuple[float, str]] = []  # (top, text)
    for key in sorted(lines):
        current: list[str] = []
        top = 0.0
        prev: Box | None = None
        for c in sorted(lines[key], key=_X0):
            text = c[0]
            if text.isspace():
                if current:
                    words.append((top, "".join(current)))
                current, prev = [], None
                continue
            if not text:  # pdfplumber: `"" in split_at_punctuation` ("") is true: a word of its own
                if current:
                    words.append((top, "".join(current)))
                words.append((c[3], ""))
                current, prev = [], None
                continue
            if prev is not None and (c[1] < prev[1] or c[1] > prev[2] + X_TOLERANCE
                                     or abs(c[3] - prev[3]) > Y_TOLERANCE):
                words.append((top, "".join(current)))
                current = []
            if not current:
                top = c[3]
            top = min(top, c[3])
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
