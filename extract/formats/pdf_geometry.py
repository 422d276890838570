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
import re
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat
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
    `boxes` holds them as tuples (text, x0, x1, top, bottom, size) for ogi's own table code; `chars` builds
    pdfplumber's dicts from them for the few callers that need pdfplumber's own functions.
    """

    def __init__(self, width: float, height: float, segments: list[Edge], has_ruling: bool, text_raw: Any) -> None:
        self.width = width
        self.height = height
        self.bbox = (0.0, 0.0, width, height)
        self.segments = segments
        self.has_ruling = has_ruling  # pdfminer would report a line or a rect (not only curves)
        self._text_raw = text_raw
        self._boxes: list[Box] | None = None
        self._chars: list[dict[str, Any]] | None = None
        self._codes: list[int] | None = None

    @property
    def codes(self) -> list[int]:
        """UTF-16 code of each PDFium char index (PDFium's generated spaces and line breaks included)."""
        if self._codes is None:
            self._codes = _codes(self._text_raw)
        return self._codes

    @property
    def boxes(self) -> list[Box]:
        """Each char as (text, x0, x1, top, bottom, size), in PDFium's (content stream) order."""
        if self._boxes is None:
            self._boxes = _boxes(self._text_raw, self.height, self.codes)
        return self._boxes

    @property
    def chars(self) -> list[dict[str, Any]]:
        if self._chars is None:
            self._chars = [box_to_char(b) for b in self.boxes]
        return self._chars

    @property
    def edges(self) -> list[dict[str, Any]]:
        """pdfplumber's edge dicts (the keys its table finder reads), built from `segments`."""
        return [edge_to_dict(e) for e in self.segments]

    def has_digit(self) -> bool:
        """Does any char of the page read as a digit (without building the char list)?"""
        return any(chr(c).isdigit() for c in self.codes if 0x30 <= c)

    def extract_words(self, **kwargs: Any) -> list[dict[str, Any]]:
        from pdfplumber.utils import extract_words

        return extract_words(self.chars, **kwargs)


# an edge as pdfplumber's table finder reads it: orientation ("h", "v" or None for a slanted curve piece),
# x0, top, x1, bottom, width, height (width and height kept apart: pdfplumber updates them on its own terms)
Edge = tuple[str | None, float, float, float, float, float, float]


def edge_to_dict(e: Edge) -> dict[str, Any]:
    orientation, x0, top, x1, bottom, width, height = e
    return {"orientation": orientation, "x0": x0, "top": top, "x1": x1, "bottom": bottom, "doctop": top,
            "width": width, "height": height}


def dict_to_edge(e: dict[str, Any]) -> Edge:
    """pdfplumber's edge dict as a tuple (for pages pdfplumber read)."""
    return (e["orientation"], e["x0"], e["top"], e["x1"], e["bottom"], e["width"], e["height"])


Box = tuple[str, float, float, float, float, float]  # text, x0, x1, top, bottom, size (pdfplumber's keys)


def box_to_char(box: Box) -> dict[str, Any]:
    """A char tuple as pdfplumber's char dict (upright; height = size, the font size on the page)."""
    text, x0, x1, top, bottom, size = box
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "upright": True,
            "width": x1 - x0, "height": size, "size": size}


def char_to_box(char: dict[str, Any]) -> Box:
    """pdfplumber's char dict as a tuple (for pages pdfplumber read)."""
    return (char["text"], char["x0"], char["x1"], char["top"], char["bottom"], char["size"])


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
    edges: list[Edge] = []
    ruling = [False]
    api = _api()
    page_addr = _addr(page)
    objects = list(map(api.FPDFPage_GetObject, repeat(page_addr), range(api.FPDFPage_CountObjects(page_addr))))
    for obj, kind in zip(objects, map(api.FPDFPageObj_GetType, objects), strict=True):
        if kind == _PATH:  # most objects are text: skipped here without a call of their own
            _path(api, obj, _matrix(api, obj), height, edges, ruling)
        elif kind == _FORM:
            _walk(api, obj, _IDENTITY, height, edges, ruling, 0)
    return FastPage(float(width), float(height), edges, ruling[0], text_raw)


def _addr(handle: Any) -> int:
    """A PDFium handle (typed ctypes pointer) as the plain address the fast prototypes take."""
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


class _Api:
    """The PDFium functions called per object, segment or char, re-declared with plain addresses.

    Why: pypdfium2's bindings type every handle (`LP_fpdf_textpage_t`, `LP_FS_RECTF`), and ctypes checks and
    converts each typed argument on every call (~0.7 µs); declared as `void *` and called with ints they cost
    less than half. They are the same C functions (`ctypes.cast` of pypdfium2's own symbol); only the
    Python-side declaration differs.
    """

    def __init__(self) -> None:
        for name in _FAST:
            fn = getattr(pdfium_c, name)
            proto = ctypes.CFUNCTYPE(_plain(fn.restype), *(_plain(t) for t in fn.argtypes))
            setattr(self, name, proto(ctypes.cast(fn, ctypes.c_void_p).value))
        # out-parameters, allocated once (ctypes objects cost more to make than the calls that fill them)
        self.matrix = (ctypes.c_float * 6)()  # FS_MATRIX: a, b, c, d, e, f
        self.matrix_at = ctypes.addressof(self.matrix)
        self.modes = (ctypes.c_int * 2)()  # fill mode, stroke
        self.modes_at = ctypes.addressof(self.modes)
        self.point = (ctypes.c_float * 2)()
        self.point_at = ctypes.addressof(self.point)


_FAST = ("FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFPageObj_GetType", "FPDFPageObj_GetMatrix",
         "FPDFFormObj_CountObjects", "FPDFFormObj_GetObject", "FPDFPath_GetDrawMode", "FPDFPath_CountSegments",
         "FPDFPath_GetPathSegment", "FPDFPathSegment_GetPoint", "FPDFPathSegment_GetType",
         "FPDFPathSegment_GetClose", "FPDFText_IsGenerated", "FPDFText_GetLooseCharBox", "FPDFText_GetMatrix",
         "FPDFText_GetFontSize", "FPDFText_HasUnicodeMapError", "FPDFText_GetCharOrigin", "FPDFText_GetTextObject")
_API: _Api | None = None


def _plain(t: Any) -> Any:
    """A pointer type as `void *` (an int on the Python side); other types as they are."""
    return ctypes.c_void_p if isinstance(t, type) and issubclass(t, ctypes._Pointer) else t


def _api() -> _Api:
    global _API
    if _API is None:
        _API = _Api()
    return _API


def _matrix(api: _Api, obj: int) -> Matrix:
    if not api.FPDFPageObj_GetMatrix(obj, api.matrix_at):
        raise Unsupported("object without a matrix")
    return tuple(api.matrix)  # type: ignore[return-value]


def _walk(api: _Api, obj: int, outer: Matrix, height: float, edges: list, ruling: list, depth: int) -> None:
    kind = api.FPDFPageObj_GetType(obj)
    if kind == _PATH:
        _path(api, obj, _mul(_matrix(api, obj), outer), height, edges, ruling)
    elif kind == _FORM:
        if depth >= _MAX_DEPTH:
            raise Unsupported("deeply nested forms")
        inner = _mul(_matrix(api, obj), outer)
        get_object = api.FPDFFormObj_GetObject
        for i in range(api.FPDFFormObj_CountObjects(obj)):
            _walk(api, get_object(obj, i), inner, height, edges, ruling, depth + 1)


def _path(api: _Api, obj: int, m: Matrix, height: float, edges: list, ruling: list) -> None:
    """One painted path as pdfminer sees it: subpaths from each moveto, each a line, a rect or a curve."""
    modes = api.modes
    if not api.FPDFPath_GetDrawMode(obj, api.modes_at, api.modes_at + ctypes.sizeof(ctypes.c_int)):
        raise Unsupported("path without a draw mode")
    if not modes[0] and not modes[1]:
        return  # pdfminer paints nothing for `n`
    a, b, c, d, e, f = m
    xy = api.point
    xa = api.point_at
    ya = xa + ctypes.sizeof(ctypes.c_float)
    get_segment, get_point = api.FPDFPath_GetPathSegment, api.FPDFPathSegment_GetPoint
    get_type, get_close = api.FPDFPathSegment_GetType, api.FPDFPathSegment_GetClose
    sub: list[tuple[str, float, float]] = []  # (op, x, y) in page space, op in m/l/c/h
    bez = 0
    for k in range(api.FPDFPath_CountSegments(obj)):
        seg = get_segment(obj, k)
        get_point(seg, xa, ya)
        px, py = xy
        pt = (px * a + py * c + e, px * b + py * d + f)
        typ = get_type(seg)
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
        if get_close(seg) and sub:
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
        edges.append(("h" if top == bottom else "v", min(x0, x1), top, max(x0, x1), bottom, abs(x1 - x0),
                      bottom - top))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts[:5]
        if pts[0] == last and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                               or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
            ruling[0] = True
            left, right = min(x0, x2), max(x0, x2)
            top, bottom = height - max(y0, y2), height - min(y0, y2)
            w, h = right - left, bottom - top
            edges += (("h", left, top, right, top, w, 0), ("h", left, bottom, right, bottom, w, 0),
                      ("v", left, top, left, bottom, 0, h), ("v", right, top, right, bottom, 0, h))
            return
    # a curve: one edge per consecutive pair of points
    tops = [(px, height - py) for px, py in pts]
    for (ax, ay), (bx, by) in zip(tops, tops[1:], strict=False):
        edges.append(("v" if ax == bx else ("h" if ay == by else None), min(ax, bx), min(ay, by), max(ax, bx),
                      max(ay, by), abs(ax - bx), abs(ay - by)))


def _codes(tp: Any) -> list[int]:
    n = pdfium_c.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    buf = (ctypes.c_ushort * (n + 1))()
    if pdfium_c.FPDFText_GetText(tp, 0, n, buf) != n + 1:
        raise Unsupported("text and char indices differ")
    return buf[:n]


_NOT_PDFMINER = re.compile("[\x00\ufffe\uffff\ud800-\udfff]")  # no Unicode, or half a surrogate pair


def _boxes(tp: Any, height: float, codes: list[int]) -> list[Box]:
    """Each real (not PDFium-generated) character with pdfminer's box: x from origin and advance, bottom at
    the font's descent, height = the font size on the page.

    The per-char PDFium calls run through `map` over index lists (no Python loop around each call) and the
    boxes land in one array read at once; font size and matrix are read once per text object, also mapped."""
    if _NOT_PDFMINER.search("".join(map(chr, codes))):
        # no Unicode (pdfminer: "(cid:N)") or a surrogate pair (pdfminer has one char)
        raise Unsupported("character without Unicode or outside the BMP")
    api = _api()
    tp = _addr(tp)
    n = len(codes)
    breaks = [i for i, code in enumerate(codes) if code in (0x20, 0x0D, 0x0A)]
    generated = {i for i, g in zip(breaks, map(api.FPDFText_IsGenerated, repeat(tp), breaks), strict=True) if g == 1}
    keep = [i for i in range(n) if i not in generated] if generated else list(range(n))
    # PDFium's own spaces and line breaks (generated) are no chars for pdfminer
    if 1 in map(api.FPDFText_HasUnicodeMapError, repeat(tp), keep):
        raise Unsupported("character without Unicode")
    m = len(keep)
    rects = (ctypes.c_float * (4 * m))()  # FS_RECTF each: left, top, right, bottom
    at = ctypes.addressof(rects)
    if 0 in map(api.FPDFText_GetLooseCharBox, repeat(tp), keep, range(at, at + 16 * m, 16)):
        raise Unsupported("character without a box")
    objects = list(map(api.FPDFText_GetTextObject, repeat(tp), keep))
    values = rects[:]
    # one font size and matrix per text object, read at its first char (a dict keeps the last value given
    # for a key: reversed, that is the first char's); a char without a text object (None) gets its own
    firsts = dict(zip(reversed(objects), reversed(keep), strict=True))
    firsts.pop(None, None)
    sizes = dict(zip(firsts, _sizes(api, tp, list(firsts.values())), strict=True))
    out: list[Box] = []
    append = out.append
    for i, obj, left, rtop, right, low in zip(keep, objects, values[0::4], values[1::4], values[2::4],
                                              values[3::4], strict=True):
        size = sizes[obj] if obj else _sizes(api, tp, [i])[0]
        if right - left > 2 * size + 1 or rtop - low > 3 * size + 1:
            # vertical writing (Identity-V): PDFium's loose box is meaningless (199 pt wide for a 10 pt
            # char), its origin is pdfminer's lower-left corner, and the box is size × size
            left, low = _origin(api, tp, i)
            right = left + size
        bottom = height - low
        append((chr(codes[i]), left, right, bottom - size, bottom, size))
    return out


def _sizes(api: _Api, tp: int, chars: list[int]) -> list[float]:
    """The font size on the page of each of these chars: the Tf size times the text matrix's vertical scale
    (hypot(b, d) with b == 0); `Unsupported` for rotated, mirrored or flipped text."""
    k = len(chars)
    matrices = (ctypes.c_float * (6 * k))()  # FS_MATRIX each: a, b, c, d, e, f
    at = ctypes.addressof(matrices)
    if 0 in map(api.FPDFText_GetMatrix, repeat(tp), chars, range(at, at + 24 * k, 24)):
        raise Unsupported("character without a matrix")
    m = matrices[:]
    out = []
    for fs, a, b, c, d in zip(map(api.FPDFText_GetFontSize, repeat(tp), chars), m[0::6], m[1::6], m[2::6], m[3::6],
                              strict=True):
        if b != 0 or c != 0 or a <= 0 or d <= 0:
            raise Unsupported("rotated or mirrored text")
        if fs * d < 0:  # a negative Tf flips the glyphs; pdfminer's boxes stay upright
            raise Unsupported("negative font size")
        out.append(fs * d)
    return out


def _origin(api: _Api, tp: int, i: int) -> tuple[float, float]:
    origin = (ctypes.c_double * 2)()
    at = ctypes.addressof(origin)
    api.FPDFText_GetCharOrigin(tp, i, at, at + ctypes.sizeof(ctypes.c_double))
    return origin[0], origin[1]
