"""Plain text (.txt dumps such as the seeds): decode, keep the lines as they are."""

from __future__ import annotations

import logging

from extract.formats.encoding import decode_bytes
from extract.record import Document
from extract.tables import text_tables_to_grids

logger = logging.getLogger(__name__)


def extract_text(data: bytes, *, content_type: str | None = None) -> Document:
    text, enc = decode_bytes(data, content_type=content_type, html=False)
    doc = Document(kind="text", text=text)
    doc.meta["encoding"] = enc
    doc.read_tables("text", lambda: text_tables_to_grids(text))
    return doc
