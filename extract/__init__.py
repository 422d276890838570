"""ogi document extraction: bytes -> Record.

Public API (see docs/ARCHITECTURE.md):
    extract_bytes(data, *, url=None, content_type=None, filename=None, context=None) -> Record
    extract_path(path, *, url=None, context=None) -> Record
    extract_report(parts, *, context=None) -> Record   # detail page first, then attachments
    Part(data, url, content_type)
None of them raises on bad input; problems land in Record.errors and Record.flags.

The names load the pipeline on first use (PEP 562), so a module that only needs a small helper
(`extract.cjk` for the search index, `extract.limits`) does not pay for the whole extractor at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extract.pipeline import Part, extract_bytes, extract_path, extract_report

__all__ = ["Part", "extract_bytes", "extract_path", "extract_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from extract import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'extract' has no attribute {name!r}")
