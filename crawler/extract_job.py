"""Extraction as a unit of work apart from fetching: one report candidate, named by its captures, turned into a
stored report (or a "not a report" verdict) by whichever process picks it up.

Why: parsing a PDF takes seconds; inside the Scrapy process it stalls fetching. With `OGI_EXTRACT_MODE =
"deferred"` the crawl stores the captures and hands an `ExtractRequest` (JSON, only ids and metadata) to the
`extract` job queue (crawler.jobs); an extract worker loads the bytes from the raw store, extracts, and writes
the report, the page's state and the run's count in one transaction. Running it twice gives the same rows
(save_report is idempotent), so a worker killed mid-way loses nothing: the job is retried.

Built once: every mode extracts through `extract_candidate` — in an `extract.pool.ExtractPool` worker when the
caller has one (`ogi crawl` in pool mode, every `ogi worker` taking extract jobs), else in this process with
extract_report's own forked sandbox. Same limits, same worker reuse, same kill-and-replace of a stuck worker.
(`extract_sealed` is the same, for a pool crawl on SQLite, which hands the record on to its store's writer
unopened.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from corpus.store import Store
from crawler.items import ReportItem
from extract import Part, extract_report
from extract.record import Record, SealedRecord, SiteContext

logger = logging.getLogger(__name__)


class StoredBytesMissing(RuntimeError):
    """The raw bytes a job names are not under this worker's raw directory (shared storage not mounted, a
    different --raw-dir): the job fails, visibly, instead of judging the page from nothing."""


@dataclass
class ExtractRequest:
    """What an extract job needs: the site's context, the page and the captures of its parts."""

    site_id: str
    url: str
    run_id: int | None
    context: dict[str, Any]  # SiteContext fields
    parts: list[dict[str, Any]]  # {capture_id, url, content_type}, page first
    list_title: str = ""
    list_date: str = ""
    errors: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @classmethod
    def from_item(cls, item: ReportItem, run_id: int | None, context: SiteContext) -> ExtractRequest:
        return cls(site_id=item.site_id, url=item.url, run_id=run_id, context=asdict(context),
                   parts=[{"capture_id": p.capture_id, "url": p.url, "content_type": p.content_type}
                          for p in item.parts],
                   list_title=item.list_title, list_date=item.list_date, errors=list(item.errors),
                   flags=list(item.flags))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def extract_candidate(parts: list[Part], context: SiteContext, pool: Any = None,
                      timeout: float | None = None) -> Record:
    """The record of one candidate: in a worker of `pool` (extract.pool.ExtractPool) when given, else here.

    Never raises (errors land on the record). A pool worker that hit a limit (stuck past `timeout`, out of
    memory, crashed) has been killed and replaced; the candidate is then extracted as the inline mode does it —
    each part in its own bounded child — so the record, errors included, is the one inline gives. Thread-safe
    (callers wait on it from threads: Scrapy's pool threads, the job worker's executor)."""
    if pool is None:
        return extract_report(parts, context=context)
    from extract.pool import extract_report_job

    record = _in_pool(pool, timeout, parts, extract_report_job, parts, context)
    return extract_report(parts, context=context) if record is None else record


def extract_sealed(parts: list[Part], context: SiteContext, pool: Any, timeout: float | None,
                   text_index: Callable[[str | None], Any] | None, url: str, errors: list[str],
                   flags: list[str]) -> SealedRecord:
    """`build_record` in `pool`, sealed by the worker with `text_index`'s columns (extract.record.SealedRecord):
    for a crawl that only hands the record on to its store's writer. Never raises; on a worker's limit, as
    `extract_candidate` (the record sealed here, without the columns: the store computes them)."""
    from extract.pool import extract_sealed_job

    sealed = _in_pool(pool, timeout, parts, extract_sealed_job, parts, context, text_index, (url, errors, flags))
    return SealedRecord.seal(build_record(parts, context, url, errors, flags)) if sealed is None else sealed


def _in_pool(pool: Any, timeout: float | None, parts: list[Part], job: Callable[..., Any], *args: Any) -> Any:
    """`job(*args)`'s answer from a pool worker, or None when the worker hit a limit (logged)."""
    from extract import limits

    timeout = timeout or limits.PARSE_SECONDS * max(1, len(parts)) + limits.OCR_SECONDS
    try:
        return pool.run(job, *args, timeout=timeout, what="report extraction")
    except limits.LimitError as exc:
        logger.warning("extraction pool: %s (%s); extracting it part by part in bounded children", exc,
                       parts[0].url if parts else "?")
        return None


def build_record(parts: list[Part], context: SiteContext, url: str, errors: list[str], flags: list[str],
                 pool: Any = None, timeout: float | None = None) -> Record:
    """Extract a candidate (`extract_candidate`) and add what the crawl knew about its bytes (never raises)."""
    return extract_candidate(parts, context, pool, timeout).add_fetch_notes(url, errors, flags)


def run_extract(store: Store, request: ExtractRequest | dict[str, Any], pool: Any = None,
                timeout: float | None = None) -> str:
    """Extract (in `pool` when given: `extract_candidate`) and store one candidate; returns the page's outcome:
    report, not_report or error. StoredBytesMissing when its bytes cannot be read (after recording the error
    and the page's state)."""
    req = request if isinstance(request, ExtractRequest) else ExtractRequest(**request)
    ids = [p["capture_id"] for p in req.parts]
    try:
        parts = []
        for p in req.parts:
            sha = store.capture(p["capture_id"])["sha256"]
            parts.append(Part(store.raw_bytes(sha), p["url"], p["content_type"]))
    except Exception as exc:  # raw file gone or unreadable: the page is built again by the next crawl
        logger.error("[%s] could not read the stored bytes of %s: %s", req.site_id, req.url, exc)
        store.record_error(req.run_id, req.site_id, req.url, "store", f"stored bytes unreadable: {exc}")
        _page_state(store, req, "error", None, ids)
        raise StoredBytesMissing(f"stored bytes of {req.url} unreadable under {store.raw_dir}: {exc}") from exc
    record = build_record(parts, SiteContext(**req.context), req.url, req.errors, req.flags, pool, timeout)
    with store.transaction():
        for err in record.errors:
            store.record_error(req.run_id, req.site_id, req.url, "extract", err)
        if not record.is_report:
            outcome, report_id = ("error" if req.errors or None in ids else "not_report"), None
        else:
            report_id = store.save_report(record, site_id=req.site_id, capture_ids=[i for i in ids if i])
            store.count_run_reports(req.run_id)
            outcome = "error" if req.errors or None in ids else "report"
        _page_state(store, req, outcome, report_id, ids)
    logger.info("[%s] %s: %s %s", req.site_id, outcome, record.agency, record.report_year)
    return outcome


def _page_state(store: Store, req: ExtractRequest, outcome: str, report_id: int | None, ids: list) -> None:
    from crawler.incremental import has_validators

    validators = bool(ids) and all(i is not None and has_validators(store.capture_headers(i)) for i in ids)
    store.record_page_state(req.url, site_id=req.site_id, list_title=req.list_title, list_date=req.list_date,
                            outcome=outcome, report_id=report_id, capture_ids=[i for i in ids if i is not None],
                            validators=validators)
