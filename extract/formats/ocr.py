"""OCR for scanned reports: image-only PDFs, 图片版 pages' body images, PNG/JPEG attachments.

Tesseract with the `chi_sim` model (Debian: tesseract-ocr + tesseract-ocr-chi-sim,
installed by scripts/setup.sh) reads page images that pypdfium2 renders at
`limits.OCR_DPI`. OCR is slow (2-4 s per full page of 三号 text here) and never as
exact as a text layer, so it runs only for pages whose text layer is empty or
garbage, at most `limits.OCR_MAX_PAGES` pages and `limits.OCR_SECONDS` per
document, and the record says the text came from OCR. Where Tesseract is missing
the record says so (and how to install it) and everything else still works.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import os
import re
import shutil
import time
from dataclasses import dataclass

from extract import limits
from extract.cjk import CJK_TEXT, HAN_CHAR
from extract.flags import OCR_CAPPED, OCR_SOME_PAGES, OCR_TEXT, OCR_TIMED_OUT
from extract.limits import run_tool
from extract.record import Document

logger = logging.getLogger(__name__)

LANG = "chi_sim"
ENGINE = f"tesseract {LANG}"
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
# Page segmentation: one uniform block. A report page is one column; the automatic mode (3) cut
# tables into column blocks and read their numbers as glyph garbage, mode 6 keeps each row a line.
PSM = "6"
MIN_IMAGE_SIDE = 120  # smaller images are icons, bullets, QR codes: not report text

_CJK = HAN_CHAR
# Tesseract separates CJK glyphs with spaces now and then; they carry no meaning in Chinese.
_CJK_CLASS = CJK_TEXT
_CJK_GAP = re.compile(rf"(?<=[{_CJK_CLASS}])[ \t]+(?=[{_CJK_CLASS}0-9])|(?<=[{_CJK_CLASS}0-9])[ \t]+(?=[{_CJK_CLASS}])")


class OcrError(Exception):
    """Tesseract could not read an image (missing, timed out, failed); the message says which."""


@functools.lru_cache(maxsize=1)
def tesseract_problem() -> str | None:
    """Why OCR cannot run on this machine, or None when tesseract with chi_sim is there."""
    exe = shutil.which("tesseract")
    if not exe:
        return f"tesseract is not installed ({INSTALL_HINT})"
    res = run_tool([exe, "--list-langs"], timeout=30)
    langs = (res.stdout + res.stderr).decode("utf-8", "replace").split()
    if LANG not in langs:
        return f"tesseract has no {LANG} language data (apt-get install tesseract-ocr-chi-sim)"
    return None


def clean_ocr_text(text: str) -> str:
    """Drop the spaces Tesseract puts between Chinese glyphs, form feeds and blank-line runs."""
    text = text.replace("\f", "\n").replace("\r", "")
    lines = [_CJK_GAP.sub("", ln).strip() for ln in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def ocr_image(image: bytes, *, timeout: float = limits.OCR_PAGE_SECONDS, rows: list[list[str]] | None = None) -> str:
    """Text of one image (PNG, JPEG, TIFF, GIF, WebP, PNM bytes); raises `OcrError`.

    Tesseract is asked for its word boxes (TSV), not only its text: the text is rebuilt from the
    boxes line by line, and when `rows` is given it receives the image's table rows — words on
    one visual line, across Tesseract's column blocks, cut into cells at wide gaps — so a table
    of numbers survives OCR as a table (see `word_rows`).
    """
    problem = tesseract_problem()
    if problem:
        raise OcrError(problem)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one thread is faster here than OpenMP's default
    res = run_tool(
        ["tesseract", "stdin", "stdout", "-l", LANG, "--psm", PSM, "tsv"], input=image, timeout=timeout, env=env
    )
    if res.timed_out:
        raise OcrError(f"tesseract took longer than {timeout:g} s (killed)")
    if res.returncode != 0:
        err = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"tesseract failed (exit {res.returncode}): {err[-1] if err else ''}")
    words = tsv_words(res.stdout.decode("utf-8", "replace"))
    if rows is not None:
        rows.extend(word_rows(words))
    return clean_ocr_text(text_from_words(words))


@dataclass
class Word:
    block: int
    par: int
    line: int
    left: int
    top: int
    width: int
    height: int
    text: str


def tsv_words(tsv: str) -> list[Word]:
    """The words (level 5) of Tesseract's TSV output, in its reading order."""
    words: list[Word] = []
    for ln in tsv.splitlines()[1:]:
        f = ln.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        try:
            nums = [int(x) for x in f[2:5] + f[6:10]]
        except ValueError:
            continue
        words.append(Word(*nums, text=f[11].strip()))
    return words


def text_from_words(words: list[Word]) -> str:
    """Tesseract's own text layout from its boxes: a line per (block, paragraph, line), a blank line
    between paragraphs."""
    out: list[str] = []
    prev: tuple[int, int, int] | None = None
    for w in words:
        key = (w.block, w.par, w.line)
        if prev is None:
            out.append(w.text)
        elif key == prev:
            out[-1] += " " + w.text
        else:
            out.append(("\n" if key[:2] != prev[:2] else "") + w.text)
        prev = key
    return "\n".join(out)


_NUMBER_WORD = re.compile(r"^[+\-]?\d[\d,]*(?:\.\d+)?$")


def word_rows(words: list[Word]) -> list[list[str]]:
    """Rows of a table from word boxes: Tesseract's lines whose vertical centres align (a row's
    cells often land in different blocks) are merged, their words sorted left to right and cut into
    cells where the gap is wider than a glyph. Only rows holding at least two number cells are kept;
    between runs of such rows an empty row marks where a table ends."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        lines.setdefault((w.block, w.par, w.line), []).append(w)
    boxes = []
    for ws in lines.values():
        top = min(w.top for w in ws)
        bottom = max(w.top + w.height for w in ws)
        boxes.append([top, bottom, ws])
    boxes.sort(key=lambda b: (b[0] + b[1]) / 2)
    clusters: list[list] = []
    for top, bottom, ws in boxes:
        mid, h = (top + bottom) / 2, max(bottom - top, 1)
        if clusters:
            c = clusters[-1]
            cmid, ch = (c[0] + c[1]) / 2, max(c[1] - c[0], 1)
            if abs(mid - cmid) <= 0.5 * min(h, ch):
                c[0], c[1] = min(c[0], top), max(c[1], bottom)
                c[2].extend(ws)
                continue
        clusters.append([top, bottom, list(ws)])
    rows: list[list[str]] = []
    for _top, _bottom, ws in clusters:
        ws.sort(key=lambda w: w.left)
        glyph = sorted(w.height for w in ws)[len(ws) // 2] or 1
        cells: list[str] = []
        right = None
        for w in ws:
            if right is None or w.left - right > 0.9 * glyph or _NUMBER_WORD.match(w.text) or (
                cells and _NUMBER_WORD.match(cells[-1])
            ):
                cells.append(w.text)
            else:
                cells[-1] += w.text
            right = w.left + w.width
        if sum(1 for c in cells if _NUMBER_WORD.match(c)) >= 2:
            first = next(i for i, c in enumerate(cells) if _NUMBER_WORD.match(c))
            label = "".join(cells[:first])  # '(一)' and '予以公开' are one label
            rows.append(([label] if label else []) + cells[first:])
        elif rows and rows[-1]:
            rows.append([])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _png(img) -> bytes:  # noqa: ANN001 - a PIL image
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def render_page(pdf, index: int, dpi: int = limits.OCR_DPI) -> bytes:  # noqa: ANN001 - a PdfDocument
    """One PDF page as a grayscale PNG, scaled down when it would exceed `OCR_MAX_PIXELS`."""
    page = pdf[index]
    try:
        w, h = page.get_size()
        scale = dpi / 72
        if w * h * scale * scale > limits.OCR_MAX_PIXELS:
            scale = math.sqrt(limits.OCR_MAX_PIXELS / max(w * h, 1.0))
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return _png(bitmap.to_pil())
        finally:
            bitmap.close()
    finally:
        page.close()


def _weak(text: str) -> bool:
    from extract.formats.pdf import usable_text

    return not usable_text(text)


def pages_to_ocr(page_texts: list[str]) -> list[int]:
    """Pages whose text layer should be replaced by OCR (empty list: the text layer is fine).

    A document whose text layer is usable overall, with at most half its pages weak
    (a signature page, a page with only a table of numbers), keeps its text layer.
    Otherwise the weak pages (empty, mojibake, only a page number) are OCR'd.
    """
    if not page_texts:
        return []
    weak = [i for i, t in enumerate(page_texts) if _weak(t)]
    if not weak:
        return []
    if not _weak("\n".join(page_texts)) and len(weak) * 2 <= len(page_texts):
        return []
    return weak


def ocr_pdf_pages(doc: Document, data: bytes, page_texts: list[str]) -> list[str]:
    """The text-layer fallback for `extract_pdf`: OCR the weak pages, return the page texts to use.

    Sets `doc.kind = "ocr"` and the flag "text from OCR (tesseract chi_sim)" when OCR
    supplied most of the text; a missing engine, the page cap and the time budget are
    reported in `doc.errors` / flags. `page_texts` holds the pages read (at most the PDF
    page cap), already in order.
    """
    todo = pages_to_ocr(page_texts)
    if not todo:
        return page_texts
    problem = tesseract_problem()
    if problem:
        doc.errors.append(f"OCR needed but {problem}")
        return page_texts
    if len(todo) > limits.OCR_MAX_PAGES:
        doc.flag(OCR_CAPPED, f"OCR: only the first {limits.OCR_MAX_PAGES} pages read (of {len(todo)} needing OCR)")
        todo = todo[: limits.OCR_MAX_PAGES]
    import pypdfium2 as pdfium

    out = list(page_texts)
    done: list[int] = []
    page_rows: dict[int, list[list[str]]] = {}
    t0 = time.monotonic()
    deadline = t0 + limits.OCR_SECONDS
    pdf = pdfium.PdfDocument(data)
    try:
        for i in todo:
            left = deadline - time.monotonic()
            if left <= 1:
                doc.flag(OCR_TIMED_OUT, f"OCR stopped after {limits.OCR_SECONDS:g} s: {len(done)} of {len(todo)} pages read")
                break
            rows: list[list[str]] = []
            try:
                text = ocr_image(render_page(pdf, i), timeout=min(limits.OCR_PAGE_SECONDS, left), rows=rows)
            except OcrError as exc:
                doc.errors.append(f"OCR of page {i + 1} failed: {exc}")
                continue
            if len(_CJK.findall(text)) > len(_CJK.findall(out[i])):
                out[i] = text
                done.append(i)
                page_rows[i] = rows
    finally:
        pdf.close()
    secs = time.monotonic() - t0
    logger.info("OCR: %d pages in %.1f s", len(done), secs)
    doc.meta["ocr_pages"] = str(len(done))
    doc.meta["ocr_seconds"] = f"{secs:.1f}"
    add_ocr_tables(doc, [page_rows[i] for i in sorted(page_rows)])
    if done:
        ocr_chars = sum(len(_CJK.findall(out[i])) for i in done)
        if ocr_chars * 2 >= sum(len(_CJK.findall(t)) for t in out):
            doc.kind = "ocr"
            doc.flag(OCR_TEXT, f"text from OCR ({ENGINE})")
        else:
            doc.flag(OCR_SOME_PAGES, f"pages {', '.join(str(i + 1) for i in done)} from OCR ({ENGINE})")
    return out


def add_ocr_tables(doc: Document, pages: list[list[list[str]]]) -> None:
    """Grids from the OCR'd pages' table rows, added to `doc.tables` and counted in
    `doc.meta["ocr_tables"]` (their numbers are read only where the table's own arithmetic holds)."""
    from extract.tables import text_tables_to_grids

    lines: list[str] = []
    for rows in pages:
        lines.extend("\t".join(r) if r else "—" for r in rows)
        lines.append("—")
    grids = text_tables_to_grids("\n".join(lines))
    if grids:
        doc.tables.extend(grids)
        doc.meta["ocr_tables"] = str(len(grids))


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the image header, without decoding the pixels; None if unreadable."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except Exception:  # any decoder complaint means: not an image we can read
        return None


def extract_image(data: bytes) -> Document:
    """A PNG/JPEG/GIF attachment or body image of a 图片版 page, read by OCR."""
    doc = Document(kind="ocr")
    size = image_size(data)
    if size is None:
        doc.errors.append("image could not be read")
        return doc
    w, h = size
    if w * h > 6 * limits.OCR_MAX_PIXELS:
        doc.errors.append(f"image too large to OCR ({w}x{h} pixels)")
        return doc
    if min(w, h) < MIN_IMAGE_SIDE:
        doc.errors.append(f"image too small to hold report text ({w}x{h})")
        return doc
    image = data
    if w * h > limits.OCR_MAX_PIXELS or not data.startswith((b"\x89PNG", b"\xff\xd8\xff")):
        image = _normalised(data)  # huge or an odd format: grayscale PNG within the pixel cap
    rows: list[list[str]] = []
    try:
        doc.text = ocr_image(image, rows=rows)
        add_ocr_tables(doc, [rows])
    except OcrError as exc:
        doc.errors.append(f"OCR needed but {exc}" if tesseract_problem() else f"OCR failed: {exc}")
        return doc
    doc.flag(OCR_TEXT, f"text from OCR ({ENGINE})")
    return doc


def _normalised(data: bytes) -> bytes:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # we scale down ourselves; the size was checked from the header
    with Image.open(io.BytesIO(data)) as im:
        im.draft("L", (8000, 8000))  # JPEG: decode at a reduced size straight away
        im = im.convert("L")
        w, h = im.size
        if w * h > limits.OCR_MAX_PIXELS:
            f = math.sqrt(limits.OCR_MAX_PIXELS / (w * h))
            im = im.resize((max(1, int(w * f)), max(1, int(h * f))))
        return _png(im)


def ocr_image_parts(images: list[bytes]) -> Document:
    """One Document from the body images of a 图片版 page (in page order), each OCR'd behind limits.

    Icons and other small images are skipped quietly; at most `OCR_MAX_PAGES` images and
    `OCR_SECONDS` in all, with a flag when either cap cuts the page short.
    """
    from extract.formats import to_document

    out = Document(kind="ocr")
    problem = tesseract_problem()
    if problem:
        out.errors.append(f"OCR needed but {problem}")
        return out
    big = [d for d in images if (size := image_size(d)) is None or min(size) >= MIN_IMAGE_SIDE]
    if len(big) > limits.OCR_MAX_PAGES:
        out.flag(OCR_CAPPED, f"OCR: only the first {limits.OCR_MAX_PAGES} images read (of {len(big)})")
        big = big[: limits.OCR_MAX_PAGES]
    texts: list[str] = []
    deadline = time.monotonic() + limits.OCR_SECONDS
    for n, data in enumerate(big):
        if time.monotonic() > deadline:
            out.flag(OCR_TIMED_OUT, f"OCR stopped after {limits.OCR_SECONDS:g} s: {n} of {len(big)} images read")
            break
        d = to_document(data, "image")
        out.errors.extend(f"image {n + 1}: {e}" for e in d.errors)
        if d.text.strip():
            texts.append(d.text)
        if d.tables:
            out.tables.extend(d.tables)
            out.meta["ocr_tables"] = str(len(out.tables))
    out.text = "\n".join(texts)
    if texts:
        out.flag(OCR_TEXT, f"text from OCR ({ENGINE})")
    return out
