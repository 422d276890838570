"""The record every extractor produces and the corpus stores.

One shape for `ogi extract --json`, the crawl pipeline and the database, so a
number can always be traced back to the document (and capture) it came from.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from extract.flags import Flag

# The forms a report can follow (see the codebook).
FORMS = ("form2021", "form2019", "legacy_table", "narrative")

Grid = list[list[str]]  # one table: rows of cell texts, spans already expanded


@dataclass
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None  # 6-digit GB/T 2260 code


@dataclass
class SiteContext:
    """What the site registry knows about where a document was found.

    The registry is the most trusted source of region and adcode, so the
    crawler passes it in; `ogi extract` on a lone file has none.
    """

    name: str | None = None  # government or agency running the site
    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None
    site_id: str | None = None


@dataclass
class Stat:
    key: str  # canonical key, e.g. "requests.new.total" or "core.requests_new"
    value: float | int
    source: str  # "table" or "text"
    evidence: str  # the table row / sentence the number was read from
    # how the number was placed (extract.stats.base.CONFIDENCE): "table-label" (row and column
    # labels as printed), "table-position" (row or columns placed by the form's fixed order or a
    # near-miss label), "derived" (sum or copy of table cells), "text" (a sentence naming it)
    confidence: str = ""

    def __reduce__(self) -> tuple:
        """Pickled as its fields: a report's ~220 stats cross two pipes (worker → crawl → store writer), and a
        dataclass's default (its __dict__, key by key) took 1.7× as long to dump and 2.9× as long to load."""
        return type(self), (self.key, self.value, self.source, self.evidence, self.confidence)


@dataclass
class Link:
    url: str
    text: str = ""


@dataclass
class Document:
    """What a format extractor (HTML, PDF, DOCX, text) hands to the pipeline.

    `text` is the main text before repairs; `tables` are grids parsed from real
    table structure (HTML <table>, PDF ruling lines, DOCX tables); `flags` what the
    extractor noticed (limits, OCR), as values (extract/flags.py).
    """

    kind: str  # "html", "pdf", "docx", "doc", "text", "ocr"
    text: str = ""
    tables: list[Grid] = field(default_factory=list)
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # <meta> tags and 索引号/发文日期-style blocks
    attachments: list[Link] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def flag(self, code: str, message: str, evidence: str = "") -> None:
        """Note a flag (once: a second one with the same message is dropped)."""
        if all(f.message != message for f in self.flags):
            self.flags.append(Flag(code, message, evidence))

    def has_flag(self, code: str) -> bool:
        return any(f.code == code for f in self.flags)

    def read_tables(self, what: str, build: Callable[[], list[Grid]]) -> None:
        """Tables are a bonus over the text: a table parser that fails leaves the document usable and
        says why in `errors` (prefixed "<what> tables failed")."""
        try:
            self.tables = build()
        except Exception as exc:
            logging.getLogger(__name__).info("%s tables failed: %s", what, exc)
            self.errors.append(f"{what} tables failed: {type(exc).__name__}: {exc}")


@dataclass
class Record:
    agency: str | None = None
    agency_as_printed: str | None = None
    department: str | None = None
    region: Region = field(default_factory=Region)
    report_year: int | None = None
    title: str | None = None
    published_at: str | None = None  # ISO date
    document_date: str | None = None  # the document's own signing date, ISO
    form: str | None = None  # one of FORMS
    source_url: str | None = None
    sha256: str | None = None
    text: str = ""
    is_report: bool = False
    stats: list[Stat] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    text_source: str | None = None  # "html", "pdf", "docx", "text", "ocr", ...
    errors: list[str] = field(default_factory=list)  # what went wrong while extracting

    def add_fetch_notes(self, url: str, errors: list[str], flags: list[str]) -> Record:
        """What the crawl knew about the bytes (their URL, attachments it could not fetch, doubts about what it
        fetched), added to the record extracted from them, wherever that ran. Returns the record."""
        if not self.source_url:
            self.source_url = url
        for err in errors:
            self.errors.append(err)
            self.flags.append(err)
        self.flags.extend(flags)
        return self

    def stats_dict(self) -> dict[str, float | int]:
        return {s.key: s.value for s in self.stats}

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape (`ogi extract --json`)."""
        data = asdict(self)
        data["stats"] = self.stats_dict()
        data["stat_evidence"] = [asdict(s) for s in self.stats]
        return data


@dataclass
class SealedRecord:
    """A record and its search-index columns, pickled where they were extracted (an extraction pool's worker),
    with the few fields the crawl reads of it. Why: the crawl process only hands a record on to the store's
    writer; opening it there and pickling it again cost ~0.8 ms of the crawl process's CPU, and of its GIL, per
    report (~36 KB: ~220 statistics). The store opens it (`open`)."""

    blob: bytes
    is_report: bool
    errors: list[str]
    flags: list[str]
    agency: str | None
    report_year: int | None
    form: str | None
    source_url: str | None

    @classmethod
    def seal(cls, record: Record, text_index: Any = None) -> SealedRecord:
        return cls(pickle.dumps((record, text_index), protocol=pickle.HIGHEST_PROTOCOL), record.is_report,
                   list(record.errors), list(record.flags), record.agency, record.report_year, record.form,
                   record.source_url)

    def open(self) -> tuple[Record, Any]:
        """(record, text_index) as sealed."""
        return pickle.loads(self.blob)
