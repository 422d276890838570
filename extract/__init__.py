"""ogi document extraction: bytes -> Record.

Public API (see docs/ARCHITECTURE.md):
    extract_bytes(data, *, url=None, content_type=None, filename=None, context=None) -> Record
    extract_path(path, *, url=None, context=None) -> Record
    extract_report(parts, *, context=None) -> Record   # detail page first, then attachments
    Part(data, url, content_type)
None of them raises on bad input; problems land in Record.errors and Record.flags.
"""

from extract.pipeline import Part, extract_bytes, extract_path, extract_report

__all__ = ["Part", "extract_bytes", "extract_path", "extract_report"]
