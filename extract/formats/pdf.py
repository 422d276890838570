"""PDF: body text from the pypdfium2 text layer, tables by pdfplumber's rules on PDFium's page objects.

Both sit behind small functions (`pdf_page_texts`, `pdf_tables`) so either can
be improved or replaced (OCR, better table finding) without touching callers;
`extract_pdf` reads each page once, for its text and its tables
(extract.formats.pdf_tables.TableReader).
Page furniture is removed per page: page-number lines and running headers or
footers that repeat on most pages.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import TYPE_CHECKING

from extract.cjk import HAN_CHAR
from extract.flags import NEEDS_OCR, PAGES_CAPPED
from extract.record import Document, Grid

if TYPE_CHECKING:
    from extract.formats.pdf_tables import TableReader

logger = logging.getLogger(__name__)

MAX_PAGES = 200
_PAGE_NUM = re.compile(
    r"^\s*(?:[-—–_~]?\s*\d{1,3}\s*[-—–_~]?|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
_CJK = HAN_CHAR


def pdf_page_texts(data: bytes, max_pages: int = MAX_PAGES, tables: TableReader | None = None) -> tuple[list[str], int]:
    """Text of each page (up to `max_pages`) and the document's page count; with `tables`, each page
    loaded here is also handed to it (one PDFium load per page for text and tables)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        n = len(pdf)
        texts = []
        for i in range(min(n, max_pages)):
            page = pdf[i]
            try:
                tp = page.get_textpage()
                try:
                    texts.append(tp.get_text_range())
                    if tables is not None:
                        tables.add_pdfium(i, pdf.raw, page.raw, tp.raw)
                finally:
                    tp.close()
            finally:
                page.close()
        return texts, n
    finally:
        pdf.close()


def pdf_tables(data: bytes, max_pages: int = MAX_PAGES) -> list[Grid]:
    """Tables as grids of cleaned cell strings; a table continued on the next page is one grid
    (see extract.formats.pdf_tables)."""
    from extract.formats.pdf_tables import extract_tables

    return extract_tables(data, max_pages=max_pages)


def _dedupe_fake_bold_chars(text: str) -> str:
    # pdfium sometimes returns each glyph of a fake-bold run twice in a row ("一一、、");
    # handled at line level by extract.repair.collapse_fake_bold, which sees whole units.
    return text


def strip_furniture(pages: list[str]) -> list[str]:
    """Drop page-number lines and header/footer lines repeated on most pages."""
    split = [[ln.rstrip() for ln in p.replace("\r\n", "\n").replace("\r", "\n").split("\n")] for p in pages]
    edge_counts: Counter[str] = Counter()
    for lines in split:
        nonempty = [ln.strip() for ln in lines if ln.strip()]
        for ln in set(nonempty[:2] + nonempty[-2:]):
            edge_counts[re.sub(r"\d+", "#", ln)] += 1
    repeated = {k for k, c in edge_counts.items() if len(split) >= 3 and c >= max(3, 0.6 * len(split))}
    out = []
    for lines in split:
        nonempty_idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(nonempty_idx[:2] + nonempty_idx[-2:])
        kept = []
        for i, ln in enumerate(lines):
            s = ln.strip()
            if i in edges and (_PAGE_NUM.match(s) or re.sub(r"\d+", "#", s) in repeated):
                continue
            kept.append(ln)
        out.append("\n".join(kept))
    return out


def usable_text(text: str) -> bool:
    """A text layer is usable when it holds real CJK text, not empty or mojibake."""
    stripped = re.sub(r"\s+", "", text)
    if len(stripped) < 20:
        return False
    cjk = len(_CJK.findall(stripped))
    bad = stripped.count("\ufffd") + sum(1 for c in stripped if 0xE000 <= ord(c) <= 0xF8FF)
    return cjk >= 0.2 * len(stripped) and bad < 0.05 * len(stripped)


def extract_pdf(data: bytes) -> Document:
    from extract.formats.pdf_tables import TableReader

    doc = Document(kind="pdf")
    tables = TableReader(data)
    try:
        pages, n = pdf_page_texts(data, tables=tables)
    except Exception as exc:
        msg = str(exc) or type(exc).__name__
        if "password" in msg.lower() or "encrypt" in msg.lower():
            # PDFium already tried the empty user password (owner-password-only files open)
            doc.errors.append("encrypted PDF (password required)")
        else:
            doc.errors.append(f"pdf could not be opened: {msg}")
        tables.close()
        return doc
    from extract.formats.ocr import ocr_pdf_pages

    if n > MAX_PAGES:
        doc.flag(PAGES_CAPPED, f"only the first {MAX_PAGES} pages read (of {n})")
    doc.meta["pages"] = str(n)
    pages = ocr_pdf_pages(doc, data, pages)  # OCR fallback: pages whose text layer is empty or garbage
    text = "\n".join(strip_furniture(pages))
    text = _dedupe_fake_bold_chars(text)
    if not usable_text(text):
        doc.errors.append("needs OCR: no usable text layer")
        doc.flag(NEEDS_OCR, "needs OCR", "no usable text layer")
    doc.text = text
    ocr_grids, doc.tables = doc.tables, []  # tables rebuilt from OCR word boxes, if any
    try:
        doc.read_tables("pdf", tables.grids)  # read page by page with the text above
    finally:
        tables.close()
    doc.tables.extend(ocr_grids)
    return doc
