"""Format extractors: bytes -> `Document` (text, tables, title, meta, attachments).

`sniff` decides the format from magic bytes first (servers often send PDFs as
text/html or application/octet-stream), then the content type, then the file
extension. `to_document` never raises: failures become `Document.errors`.
"""

from __future__ import annotations

import importlib
import io
import logging
import re
import zipfile

from extract.record import Document

logger = logging.getLogger(__name__)

_EXT_KIND = {
    ".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "doc", ".htm": "html", ".html": "html",
    ".shtml": "html", ".jsp": "html", ".txt": "text", ".ofd": "ofd", ".xls": "xls", ".xlsx": "xlsx",
    ".rtf": "rtf", ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image", ".bmp": "image",
    ".tif": "image", ".tiff": "image", ".webp": "image",
}
# Parsers of untrusted bytes in C libraries or slow pure Python run in a child process with a
# time and memory limit (extract.limits); small HTML and text pages stay in-process (fast path).
_SANDBOXED = {"pdf", "docx", "image"}
# Imported in the parent before forking, so each child starts with them loaded (pdfplumber alone
# costs ~150 ms to import: paid once per process instead of once per document).
_WARM = {
    "pdf": ("extract.formats.pdf", "extract.formats.ocr", "pypdfium2", "pdfplumber"),
    "docx": ("extract.formats.docx", "docx"),
    "image": ("extract.formats.ocr", "PIL.Image", "PIL.PngImagePlugin", "PIL.JpegImagePlugin"),
    "html": ("extract.formats.html", "extract.tables", "trafilatura"),
    "text": ("extract.formats.text", "extract.tables"),
}


def sniff(data: bytes, content_type: str | None = None, filename: str | None = None) -> str:
    """'pdf', 'docx', 'doc', 'rtf', 'html', 'text', 'xlsx', 'zip', 'ofd', 'image' or 'empty'."""
    if not data or not data.strip():
        return "empty"
    head = data[:1024].lstrip()
    if data[:1024].find(b"%PDF") != -1:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        return "zip"
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return "doc"
    if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[:4] in (b"GIF8",):
        return "image"
    if data[:5] == b"{\\rtf":
        return "rtf"
    ct = (content_type or "").lower()
    if "pdf" in ct:
        return "pdf"
    if "wordprocessingml" in ct:
        return "docx"
    if "msword" in ct:
        return "doc"
    if ct.startswith("image/"):
        return "image"
    low = head[:512].lower()
    if "html" in ct or re.search(rb"<(!doctype html|html|head|body|meta|div|table|p)[\s>]", low):
        return "html"
    name = (filename or "").lower().split("?")[0]
    for ext, kind in _EXT_KIND.items():
        if name.endswith(ext):
            return kind
    return "text"


def to_document(
    data: bytes, kind: str, *, url: str | None = None, content_type: str | None = None
) -> Document:
    """Run the extractor for `kind`, behind limits where the parser is risky; never raises."""
    from extract import limits

    try:
        if len(data) > limits.MAX_INPUT_BYTES:
            return Document(kind=kind, errors=[
                f"{kind} too large: {len(data)} bytes (limit {limits.MAX_INPUT_BYTES // 2**20} MB)"])
        if kind in ("doc", "rtf"):
            from extract.formats.office import extract_office

            return extract_office(data, kind)  # LibreOffice in its own process group, then docx below
        if limits.sandbox_enabled() and (
            kind in _SANDBOXED or (kind in ("html", "text") and len(data) > limits.SANDBOX_MIN_HTML_BYTES)
        ):
            for module in _WARM.get(kind, ()):
                importlib.import_module(module)
            timeout = limits.PARSE_SECONDS + (limits.OCR_SECONDS if kind in ("pdf", "image") else 0)
            try:
                return limits.run_limited(
                    _extract, data, kind, url=url, content_type=content_type, timeout=timeout, what=f"{kind} parser"
                )
            except limits.LimitError as exc:
                logger.warning("%s: %s", url or kind, exc)
                return Document(kind=kind, errors=[f"{kind} extraction stopped: {exc}"])
        return _extract(data, kind, url=url, content_type=content_type)
    except Exception as exc:  # an extractor bug must not stop a crawl
        logger.exception("extractor %s failed", kind)
        return Document(kind=kind, errors=[f"{kind} extraction error: {type(exc).__name__}: {exc}"])


def _extract(data: bytes, kind: str, *, url: str | None = None, content_type: str | None = None) -> Document:
    """The extractor for `kind`, in this process (`to_document` decides where it runs)."""
    try:
        if kind == "html":
            from extract.formats.html import extract_html

            return extract_html(data, url=url, content_type=content_type)
        if kind == "pdf":
            from extract.formats.pdf import extract_pdf

            return extract_pdf(data)
        if kind == "docx":
            from extract.formats.docx import extract_docx

            return extract_docx(data)
        if kind == "text":
            from extract.formats.text import extract_text

            return extract_text(data, content_type=content_type)
        if kind == "image":
            from extract.formats.ocr import extract_image

            return extract_image(data)
        if kind == "empty":
            return Document(kind="empty", errors=["empty document"])
        return Document(kind=kind, errors=[f"unsupported format: {kind}"])
    except Exception as exc:  # an extractor bug must not stop a crawl
        logger.exception("extractor %s failed", kind)
        return Document(kind=kind, errors=[f"{kind} extraction error: {type(exc).__name__}: {exc}"])
