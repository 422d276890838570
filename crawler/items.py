"""What the spider hands to the pipeline: one report candidate with all of its parts fetched."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedPart:
    url: str
    body: bytes
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
