"""What the spider hands to the pipeline: one report candidate with all of its parts fetched."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedPart:
    url: str
    body: bytes | None  # None once spooled: the raw store holds the bytes of capture_id
    content_type: str | None
    capture_id: int | None
    role: str  # "page" or "attachment"


@dataclass
class ReportItem:
    site_id: str
    url: str  # the detail page
    list_title: str = ""
    list_date: str = ""
    parts: list[FetchedPart] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # attachments that could not be fetched
    flags: list[str] = field(default_factory=list)  # doubts about the fetched bytes (not failures)
    deferred: bool = False  # handed to an extract worker (crawler.jobs), which records the page's state
