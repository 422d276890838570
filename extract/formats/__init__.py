"""Format extractors: bytes -> `Document` (text, tables, title, meta, attachments).

`sniff` decides the format from magic bytes first (servers often send PDFs as
text/html or application/octet-stream), then the content type, then the file
extension. `to_document` never raises: failures become `Document.errors`.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile

from extract.record import Document

logger = logging.getLogger(__name__)

_EXT_KIND = {
    ".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "doc", ".htm": "html", ".html": "html",
    ".shtml": "html", ".jsp": "html", ".txt": "text", ".ofd": "ofd", ".xls": "xls", ".xlsx": "xlsx",
}


def sniff(data: bytes, content_type: str | None = None, filename: str | None = None) -> str:
    """'pdf', 'docx', 'doc', 'html', 'text', 'xlsx', 'zip', 'ofd', 'image' or 'empty'."""
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
    ct = (content_type or "").lower()
    if "pdf" in ct:
        return "pdf"
    if "wordprocessingml" in ct:
        return "docx"
    if "msword" in ct:
        return "doc"
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
    """Run the extractor for `kind`; never raises."""
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
        if kind == "doc":
            return Document(kind="doc", errors=["DOC/WPS conversion not available yet"])
        if kind == "empty":
            return Document(kind="empty", errors=["empty document"])
        return Document(kind=kind, errors=[f"unsupported format: {kind}"])
    except Exception as exc:  # an extractor bug must not stop a crawl
        logger.exception("extractor %s failed", kind)
        return Document(kind=kind, errors=[f"{kind} extraction error: {type(exc).__name__}: {exc}"])
