"""A PDF page's ruling edges and character boxes read from PDFium, shaped as pdfplumber's objects.

Why: pdfplumber finds tables well, but it first runs pdfminer's pure-Python content-stream interpreter
over the whole page (~90 % of ogi's PDF time). PDFium, already loaded for the text layer, has parsed the
same page in C. This module reads from it exactly what pdfplumber's table finder consumes — the edges of
painted paths and each character's box and text — with pdfminer's conventions (top-left origin, a path
split into subpaths and classified as line / rect / curve, a char's box from its origin, advance, font
descent and size), so `pdfplumber.table.TableFinder` and `Table.extract` run unchanged on it and give
the same cells (tests/test_pdf_fast_tables.py: boxes agree within 0.02 pt — PDFium works in float32 — except
a right edge up to 0.15 pt wider for some CJK glyphs; cells are compared whole). A page this cannot mirror faithfully (rotated, offset media box, a cropped page,
non-upright text, text with no Unicode) returns None and the caller reads that page with pdfplumber.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pypdfium2.raw as pdfium_c

_PATH = pdfium_c.FPDF_PAGEOBJ_PATH
_FORM = pdfium_c.FPDF_PAGEOBJ_FORM
_MOVETO = pdfium_c.FPDF_SEGMENT_MOVETO
_LINETO = pdfium_c.FPDF_SEGMENT_LINETO
_BEZIER = pdfium_c.FPDF_SEGMENT_BEZIERTO
_MAX_DEPTH = 8  # nested form XObjects followed this deep; deeper ones send the page to pdfplumber


class Unsupported(Exception):
    """This page has something the fast reader does not mirror; read it with pdfplumber."""


Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention: p' = p·m·n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


class FastPage:
    """The slice of `pdfplumber.page.Page` that table finding and `Table.extract` read.

    Chars are read on first use (a page without a table never needs them), so the PDFium page and text
    page it was read from must stay open while it is used; reading them may raise `Unsupported`.
    """

    def __init__(self, width: float, height: float, edges: list[dict[str, Any]], has_ruling: bool,
                 text_raw: Any) -> None:
        self.width = width
        self.height = height
        self.bbox = (0.0, 0.0, width, height)
        self.edges = edges
        self.has_ruling = has_ruling  # pdfminer would report a line or a rect (not only curves)
        self._text_raw = text_raw
        self._chars: list[dict[str, Any]] | None = None
        self._codes: list[int] | None = None

    @property
    def codes(self) -> list[int]:
        """UTF-16 code of each PDFium char index (PDFium's generated spaces and line breaks included)."""
        if self._codes is None:
            self._codes = _codes(self._text_raw)
        return self._codes

    @property
    def chars(self) -> list[dict[str, Any]]:
        if self._chars is None:
            self._chars = _chars(self._text_raw, self.height, self.codes)
        return self._chars

    def has_digit(self) -> bool:
        """Does any char of the page read as a digit (without building the char list)?"""
        return any(chr(c).isdigit() for c in self.codes if 0x30 <= c)

    def extract_words(self, **kwargs: Any) -> list[dict[str, Any]]:
        from pdfplumber.utils import extract_words

        return extract_words(self.chars, **kwargs)


@contextmanager
def open_page(pdf_raw: Any, index: int) -> Iterator[tuple[Any, Any]]:
    """Page `index` of an open `FPDF_DOCUMENT` and its text page, closed on exit."""
    page = pdfium_c.FPDF_LoadPage(pdf_raw, index)
    if not page:
        raise Unsupported("page does not load")
    try:
        text = pdfium_c.FPDFText_LoadPage(page)
        if not text:
            raise Unsupported("no text page")
        try:
            yield page, text
        finally:
            pdfium_c.FPDFText_ClosePage(text)
    finally:
        pdfium_c.FPDF_ClosePage(page)


def read_page(page: Any, text_raw: Any) -> FastPage:
    """Edges (and, on use, chars) of a loaded PDFium page and its text page; `Unsupported` when it cannot
    mirror pdfminer."""
    if pdfium_c.FPDFPage_GetRotation(page) != 0:
        raise Unsupported("rotated page")
    width, height = pdfium_c.FPDF_GetPageWidthF(page), pdfium_c.FPDF_GetPageHeightF(page)
    media = [ctypes.c_float() for _ in range(4)]
    crop = [ctypes.c_float() for _ in range(4)]
    if pdfium_c.FPDFPage_GetMediaBox(page, *[ctypes.byref(v) for v in media]):
        if (media[0].value, media[1].value) != (0.0, 0.0):
            raise Unsupported("media box not at the origin")
        if pdfium_c.FPDFPage_GetCropBox(page, *[ctypes.byref(v) for v in crop]):
            if [v.value for v in crop] != [v.value for v in media]:
                raise Unsupported("cropped page")
    edges: list[dict[str, Any]] = []
    ruling = [False]
    for i in range(pdfium_c.FPDFPage_CountObjects(page)):
        _walk(pdfium_c.FPDFPage_GetObject(page, i), _IDENTITY, height, edges, ruling, 0)
    return FastPage(float(width), float(height), edges, ruling[0], text_raw)


def _matrix(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        raise Unsupported("object without a matrix")
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _walk(obj: Any, outer: Matrix, height: float, edges: list, ruling: list, depth: int) -> None:
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind == _FORM:
        if depth >= _MAX_DEPTH:
            raise Unsupported("deeply nested forms")
        inner = _mul(_matrix(obj), outer)
        for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
            _walk(pdfium_c.FPDFFormObj_GetObject(obj, i), inner, height, edges, ruling, depth + 1)
    elif kind == _PATH:
        _path(obj, _mul(_matrix(obj), outer), height, edges, ruling)


def _path(obj: Any, m: Matrix, height: float, edges: list, ruling: list) -> None:
    """One painted path as pdfminer sees it: subpaths from each moveto, each a line, a rect or a curve."""
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)):
        raise Unsupported("path without a draw mode")
    if not fill.value and not stroke.value:
        return  # pdfminer paints nothing for `n`
    a, b, c, d, e, f = m
    x = ctypes.c_float()
    y = ctypes.c_float()
    sub: list[tuple[str, float, float]] = []  # (op, x, y) in page space, op in m/l/c/h
    bez = 0
    for k in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, k)
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        px, py = x.value, y.value
        pt = (px * a + py * c + e, px * b + py * d + f)
        typ = pdfium_c.FPDFPathSegment_GetType(seg)
        if typ == _MOVETO:
            if sub:
                _subpath(sub, height, edges, ruling)
            sub = [("m", *pt)]
            bez = 0
        elif typ == _LINETO:
            sub.append(("l", *pt))
        elif typ == _BEZIER:
            bez += 1
            if bez % 3 == 0:  # pdfminer keeps a curve segment's end point only
                sub.append(("c", *pt))
        else:
            raise Unsupported("unknown path segment")
        if pdfium_c.FPDFPathSegment_GetClose(seg) and sub:
            sub.append(("h", sub[0][1], sub[0][2]))
    if sub:
        _subpath(sub, height, edges, ruling)


def _subpath(path: list[tuple[str, float, float]], height: float, edges: list, ruling: list) -> None:
    """pdfminer's `PDFLayoutAnalyzer.paint_path` for one subpath, then pdfplumber's `*_to_edge(s)`."""
    shape = "".join(p[0] for p in path)
    pts = [(p[1], p[2]) for p in path]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop(-2)
    if shape in ("mlh", "ml"):
        (x0, y0), (x1, y1) = pts[0], pts[1]
        ruling[0] = True
        top, bottom = height - max(y0, y1), height - min(y0, y1)
        edges.append({"object_type": "line", "x0": min(x0, x1), "x1": max(x0, x1), "top": top, "bottom": bottom,
                      "doctop": top, "width": abs(x1 - x0), "height": bottom - top,
                      "orientation": "h" if top == bottom else "v"})
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts[:5]
        if pts[0] == last and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                               or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
            ruling[0] = True
            left, right = min(x0, x2), max(x0, x2)
            top, bottom = height - max(y0, y2), height - min(y0, y2)
            w, h = right - left, bottom - top
            base = {"object_type": "rect_edge", "x0": left, "x1": right, "top": top, "bottom": bottom,
                    "doctop": top, "width": w, "height": h}
            edges.append({**base, "height": 0, "bottom": top, "orientation": "h"})
            edges.append({**base, "height": 0, "top": bottom, "doctop": bottom, "orientation": "h"})
            edges.append({**base, "width": 0, "x1": left, "orientation": "v"})
            edges.append({**base, "width": 0, "x0": right, "orientation": "v"})
            return
    # a curve: one edge per consecutive pair of points
    tops = [(px, height - py) for px, py in pts]
    for (ax, ay), (bx, by) in zip(tops, tops[1:], strict=False):
        top = min(ay, by)
        edges.append({"object_type": "curve_edge", "x0": min(ax, bx), "x1": max(ax, bx), "top": top,
                      "doctop": top, "bottom": max(ay, by), "width": abs(ax - bx), "height": abs(ay - by),
                      "orientation": "v" if ax == bx else ("h" if ay == by else None)})


_TEXT_OBJECT = None


def _text_object_fn() -> Any:
    """FPDFText_GetTextObject returning a plain address (int), usable as a cache key without a cast per char."""
    global _TEXT_OBJECT
    if _TEXT_OBJECT is None:
        addr = ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
        _TEXT_OBJECT = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(addr)
    return _TEXT_OBJECT


def _codes(tp: Any) -> list[int]:
    n = pdfium_c.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    buf = (ctypes.c_ushort * (n + 1))()
    if pdfium_c.FPDFText_GetText(tp, 0, n, buf) != n + 1:
        raise Unsupported("text and char indices differ")
    return list(buf)[:n]


def _chars(tp: Any, height: float, codes: list[int]) -> list[dict[str, Any]]:
    """Each real (not PDFium-generated) character with pdfminer's box: x from origin and advance, bottom at
    the font's descent, height = the font size on the page."""
    n = len(codes)
    out: list[dict[str, Any]] = []
    rect = pdfium_c.FS_RECTF()
    mat = pdfium_c.FS_MATRIX()
    rect_ref, mat_ref = ctypes.byref(rect), ctypes.byref(mat)
    is_generated = pdfium_c.FPDFText_IsGenerated
    loose, get_matrix, font_size = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetMatrix, \
        pdfium_c.FPDFText_GetFontSize
    map_error, get_origin = pdfium_c.FPDFText_HasUnicodeMapError, pdfium_c.FPDFText_GetCharOrigin
    text_object = _text_object_fn()
    tp_addr = ctypes.cast(tp, ctypes.c_void_p).value
    ox, oy = ctypes.c_double(), ctypes.c_double()
    ox_ref, oy_ref = ctypes.byref(ox), ctypes.byref(oy)
    sizes: dict[int, float] = {}  # text object -> font size on the page (one Tf and matrix per object)
    for i in range(n):
        code = codes[i]
        if code in (0x20, 0x0D, 0x0A) and is_generated(tp, i) == 1:
            continue  # PDFium's own spaces and line breaks; pdfminer has none
        if code in (0, 0xFFFE, 0xFFFF) or map_error(tp, i) == 1:
            raise Unsupported("character without Unicode")
        if 0xD800 <= code <= 0xDFFF:  # a surrogate pair: pdfminer has one char
            raise Unsupported("character outside the BMP")
        if not loose(tp, i, rect_ref):
            raise Unsupported("character without a box")
        obj = text_object(tp_addr, i) or 0
        size = sizes.get(obj) if obj else None
        if size is None:
            if not get_matrix(tp, i, mat_ref):
                raise Unsupported("character without a matrix")
            if mat.b != 0 or mat.c != 0 or mat.a <= 0 or mat.d <= 0:
                raise Unsupported("rotated or mirrored text")
            size = font_size(tp, i) * math.hypot(mat.b, mat.d)
            if obj:
                sizes[obj] = size
        left, right, low = rect.left, rect.right, rect.bottom
        if right - left > 2 * size + 1 or rect.top - low > 3 * size + 1:
            # vertical writing (Identity-V): PDFium's loose box is meaningless (199 pt wide for a 10 pt
            # char), its origin is pdfminer's lower-left corner, and the box is size × size
            get_origin(tp, i, ox_ref, oy_ref)
            left, right, low = ox.value, ox.value + size, oy.value
        bottom = height - low
        top = bottom - size
        out.append({"text": chr(code), "x0": left, "x1": right, "top": top, "bottom": bottom,
                    "doctop": top, "upright": True, "width": right - left, "height": size, "size": size})
    return out
