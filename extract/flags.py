"""Flags as values: what an extractor noticed about a document, passed on to the pipeline.

A `Flag` has a `code` (what decisions test), a `message` (the words that end up in `Record.flags`,
stored and exported as they always were) and, where there is one, the `evidence` behind it. The
format extractors put flags on `Document.flags`; `extract.pipeline.build_record` turns them into
the record's flag strings.

Two codes are signals rather than notes: `NEEDS_OCR` and `HTML_TRUNCATED` hold for the record when
any part of the report raised them (the detail page, the document read, or an attachment tried and
left), and the pipeline places each message once, at its own place among the record's flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    code: str  # one of the codes below
    message: str  # what Record.flags holds (byte for byte what the exports have always shown)
    evidence: str = ""  # what the flag was read from, when there is more to say than the message


# Notes: copied to the record (once each) from the document read and the detail page.
PAGES_CAPPED = "pages_capped"  # a PDF longer than the page cap: only its first pages read
TABLE_SKIPPED = "table_skipped"  # an HTML table too large to expand, left out
TABLE_RAW = "table_raw"  # a DOCX table python-docx could not walk (malformed merges), read from its XML
OCR_CAPPED = "ocr_capped"  # more pages/images needed OCR than the cap allows
OCR_TIMED_OUT = "ocr_timed_out"  # the OCR time budget ran out
OCR_TEXT = "ocr_text"  # most of the text came from OCR
OCR_SOME_PAGES = "ocr_some_pages"  # some pages came from OCR, most from the text layer

# Signals: hold for the record when any part raised them.
NEEDS_OCR = "needs_ocr"  # a PDF without a usable text layer that OCR did not replace
HTML_TRUNCATED = "html_truncated"  # an HTML page cut at the size cap
SIGNALS = (NEEDS_OCR, HTML_TRUNCATED)


def first(flags: Iterable[Flag], code: str) -> Flag | None:
    """The first flag with this code, or None."""
    return next((f for f in flags if f.code == code), None)
