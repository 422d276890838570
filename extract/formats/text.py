"""Plain text (.txt dumps such as the seeds): decode, keep the lines as they are."""

from __future__ import annotations

import logging

from extract.formats.encoding import decode_bytes
from extract.record import Document

logger = logging.getLogger(__name__)


def extract_text(data: bytes, *, content_type: str | None = None) -> Document:
    text, enc = decode_bytes(data, content_type=content_type, html=False)
    doc = Document(kind="text", text=text)
    doc.meta["encoding"] = enc
    try:
        from extract.tables import text_tables_to_grids
    except ImportError:  # tables module not there yet
        return doc
    try:
        doc.tables = text_tables_to_grids(text)
    except Exception as exc:
        logger.warning("text tables failed: %s", exc)
        doc.errors.append(f"text tables failed: {exc}")
    return doc
