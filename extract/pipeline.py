"""bytes -> Record: format extraction, metadata read before cleaning, repairs, classification, numbers.

Order matters: page chrome holds facts (发表时间 -> published_at, 霍山县住建局 in
a breadcrumb) that the repairs strip, so metadata is read from the raw text
first and the cleaned text is built after.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from extract import limits
from extract import meta as M
from extract.cjk import HAN_CHAR
from extract.classify import body_score, classify
from extract.flags import HTML_TRUNCATED, NEEDS_OCR, SIGNALS, Flag, first
from extract.formats import sniff, to_document
from extract.record import Document, Record, SiteContext
from extract.repair import repair_text

logger = logging.getLogger(__name__)

_CJK = HAN_CHAR
_BLOCK_START = re.compile(r"索[ \u3000]*引[ \u3000]*号|发布机构|发文机关|成文日期|发布日期|发表时间|发布时间|生成日期")


@dataclass
class Part:
    """One fetched piece of a report: the detail page, or one of its attachments."""

    data: bytes
    url: str
    content_type: str | None = None


def _block_source(doc: Document) -> str:
    page = doc.meta.get("_page_text") or doc.text
    m = _BLOCK_START.search(page)
    if m:
        return page[max(0, m.start() - 100) :]
    return page


def _analyze(record: Record, tables: list, ocr_tables: bool = False) -> None:
    try:
        from extract.stats import analyze
    except (ImportError, AttributeError):
        return
    try:
        stats, flags = analyze(
            record.text,
            tables,
            form=record.form,
            report_year=record.report_year,
            document_date=record.document_date,
            ocr=ocr_tables,
        )
        record.stats = list(stats or [])
        record.flags.extend(f for f in (flags or []) if f not in record.flags)
    except Exception as exc:  # the numbers must never cost us the record
        logger.exception("stats.analyze failed")
        record.flags.append(f"stats failed: {type(exc).__name__}: {exc}")


def _failure_flag(errors: list[str]) -> str | None:
    serious = [e for e in errors if not e.startswith(("html tables failed", "pdf tables failed", "text tables failed"))]
    return f"extraction failed: {serious[0]}" if serious else None


def build_record(
    doc: Document,
    *,
    data: bytes,
    url: str | None = None,
    context: SiteContext | None = None,
    meta_doc: Document | None = None,
    extra_errors: list[str] | None = None,
    extra_flags: list[Flag] | None = None,
) -> Record:
    """Assemble a Record from an extracted Document.

    `meta_doc` is the detail page when the text comes from an attachment: title,
    <meta> tags and the metadata block are read from it. `extra_errors` and
    `extra_flags` come from the attachments tried: of their flags only the signals
    (needs OCR, html truncated) reach the record, as their errors do.
    """
    page = meta_doc or doc
    rec = Record(source_url=url, sha256=hashlib.sha256(data).hexdigest(), text_source=doc.kind)
    rec.errors = list(dict.fromkeys((extra_errors or []) + page.errors + (doc.errors if doc is not page else [])))
    raw = doc.text or ""
    if len(raw) > limits.MAX_TEXT_CHARS:  # repairs and number finding are linear but not cheap: bound them
        raw = raw[: limits.MAX_TEXT_CHARS]
        rec.flags.append(f"text truncated at {limits.MAX_TEXT_CHARS:,} characters")
    block = M.parse_metadata_block(_block_source(page))
    if page is not doc and not block:
        block = M.parse_metadata_block(raw)
    if doc.kind != "html" and page is doc:
        block = M.parse_metadata_block(raw)

    text, repairs = repair_text(raw, kind="pdf" if doc.kind == "ocr" else doc.kind)  # OCR lines wrap like PDF
    rec.text = text
    if repairs:
        logger.debug("repairs applied: %s", repairs)

    title = M.clean_title(page.title)
    if not title or not re.search(r"(报告|总结|年报|公开|通知|统计)", title):
        # <title> holding only the site name: the document's own heading is better
        title = M.title_from_text(text) or M.title_from_text(raw) or title
    elif not re.search(r"(19|20)\d{2}", title):
        # <title> holding only the column name (政府信息公开年报 on module pages): a heading that
        # names the year is the document's own title
        heading = M.title_from_text(text)
        if heading and re.search(r"(19|20)\d{2}", heading) and re.search(r"(报告|总结|年报)", heading):
            title = heading
    if page is not doc and not title:
        title = M.title_from_text(page.text)
    rec.title = title

    context_text = "\n".join(x for x in (text, page.meta.get("_page_text", ""), raw) if x)
    try:
        agency, printed, department, names = M.resolve_agency(title, context_text, context)
    except Exception as exc:
        logger.exception("agency resolution failed")
        agency, printed, department, names = None, None, None, []
        rec.flags.append(f"agency resolution failed: {exc}")
    if agency is None:
        # the title names no agency ('2020年政府信息公开工作年度报告'): the signature, the
        # metadata block's 发布机构, then the site's own government
        for candidate in (
            M.opening_agency(text),
            M.signature_agency(text),
            block.get("发布机构"),
            context.name if context else None,
        ):
            if not candidate:
                continue
            try:
                agency, printed, department, names = M.resolve_agency_name(candidate, context_text, context)
            except Exception:
                logger.exception("agency resolution failed for %r", candidate)
                continue
            if agency:
                break
    rec.agency, rec.agency_as_printed, rec.department = agency, printed, department
    try:
        rec.region = M.resolve_region(context, page.meta, names, context_text)
    except Exception as exc:
        logger.exception("region resolution failed")
        rec.flags.append(f"region resolution failed: {exc}")

    rec.report_year = M.report_year(title, text)
    title_year = M.report_year(title, "") if title else None
    stated = M.body_year(text)
    if title_year and stated and stated[0] != title_year:
        rec.flags.append(f"title says {title_year} while the body says {stated[0]} ({stated[1]})")
    rec.document_date = M.signing_date(text) or block.get("成文日期")
    rec.published_at = M.published_at(page.meta, block, url)
    rec.form = M.detect_form(text, doc.tables)

    is_report, reason = classify(title, text)
    rec.is_report = is_report
    if not is_report:
        rec.flags.append(reason)
    noted = [f for d in ((doc, page) if page is not doc else (doc,)) for f in d.flags]
    for f in noted:  # limits and OCR notes ("text from OCR (tesseract chi_sim)", "only the first N pages read")
        if f.code not in SIGNALS and f.message not in rec.flags:
            rec.flags.append(f.message)
    signals = noted + (extra_flags or [])  # needs OCR, html truncated: from any part of the report
    if needs_ocr := first(signals, NEEDS_OCR):
        rec.flags.append(needs_ocr.message)
    fail = _failure_flag(rec.errors) if not text.strip() else None
    if fail:
        rec.flags.append(fail)
    elif not text.strip():  # a page with a title and an empty body said nothing at all (found by fuzzing)
        rec.flags.append("no text: the document holds no readable text")
    if truncated := first(signals, HTML_TRUNCATED):
        rec.flags.append(truncated.message)
    if text.strip() and rec.is_report:  # a look-alike's figures are nobody's report numbers
        _analyze(rec, doc.tables, ocr_tables=bool(doc.meta.get("ocr_tables")))
    return rec


def _filename_from(url: str | None) -> str | None:
    if not url:
        return None
    return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or None


def extract_bytes(
    data: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    filename: str | None = None,
    context: SiteContext | None = None,
) -> Record:
    """Extract one document (HTML page, PDF, DOCX, DOC/WPS, text) into a Record; never raises."""
    data = data or b""
    try:
        kind = sniff(data, content_type, filename or _filename_from(url))
        doc = to_document(data, kind, url=url, content_type=content_type)
        return build_record(doc, data=data, url=url, context=context)
    except Exception as exc:  # last line of defence
        logger.exception("extraction failed for %s", url or filename)
        rec = Record(source_url=url, sha256=hashlib.sha256(data).hexdigest())
        rec.errors.append(f"{type(exc).__name__}: {exc}")
        rec.flags.append(f"extraction failed: {type(exc).__name__}: {exc}")
        return rec


def extract_path(path: str | Path, *, url: str | None = None, context: SiteContext | None = None) -> Record:
    """Extract a file on disk; the file name's extension helps sniffing."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        rec = Record(source_url=url)
        rec.errors.append(f"cannot read {p}: {exc}")
        rec.flags.append(f"extraction failed: cannot read file: {exc.strerror or exc}")
        return rec
    return extract_bytes(data, url=url, filename=p.name, context=context)


def _substantive(doc: Document) -> bool:
    """Does the page body itself hold the report (rather than just pointing to attachments)?"""
    n = len(_CJK.findall(doc.text or ""))
    return n >= 400 or (n >= 150 and body_score(doc.text) >= 2)


def extract_report(parts: list[Part], *, context: SiteContext | None = None) -> Record:
    """One report from its detail page (first) and attachments (then).

    Metadata comes from the page; the text from the page body, or — when the
    body only points to attachments — from the first attachment with usable text.
    """
    if not parts:
        rec = Record()
        rec.errors.append("no parts given")
        rec.flags.append("extraction failed: no parts given")
        return rec
    primary = parts[0]
    try:
        kind = sniff(primary.data, primary.content_type, _filename_from(primary.url))
        page = to_document(primary.data, kind, url=primary.url, content_type=primary.content_type)
        if len(parts) == 1 or _substantive(page):
            return build_record(page, data=primary.data, url=primary.url, context=context)
        errors: list[str] = []
        tried: list[Flag] = []  # flags of the attachments read (their signals count for the record)
        chosen: Document | None = None
        images: list[Part] = []  # body images of a 图片版 page, image attachments: OCR'd last, together
        for part in parts[1:]:
            k = sniff(part.data, part.content_type, _filename_from(part.url))
            if k == "image":
                images.append(part)
                continue
            att = to_document(part.data, k, url=part.url, content_type=part.content_type)
            errors.extend(f"{_filename_from(part.url) or part.url}: {e}" for e in att.errors)
            tried.extend(att.flags)
            if len(_CJK.findall(att.text or "")) >= 50 and not att.has_flag(NEEDS_OCR):
                chosen = att
                break
        if chosen is None and images:
            from extract.formats.ocr import ocr_image_parts

            att = ocr_image_parts([p.data for p in images])
            errors.extend(att.errors)
            tried.extend(att.flags)
            if len(_CJK.findall(att.text or "")) >= 50:
                chosen = att
        if chosen is None:
            # keep the page's metadata; no usable text anywhere
            empty = Document(kind=page.kind, text="", tables=[], title=page.title, meta=page.meta,
                             attachments=page.attachments, errors=[])
            if not errors:
                errors.append("no attachment with usable text")
            rec = build_record(empty, data=primary.data, url=primary.url, context=context, meta_doc=page,
                               extra_errors=errors, extra_flags=tried)
            return rec
        return build_record(chosen, data=primary.data, url=primary.url, context=context, meta_doc=page,
                            extra_errors=errors, extra_flags=tried)
    except Exception as exc:
        logger.exception("extract_report failed for %s", primary.url)
        rec = Record(source_url=primary.url, sha256=hashlib.sha256(primary.data or b"").hexdigest())
        rec.errors.append(f"{type(exc).__name__}: {exc}")
        rec.flags.append(f"extraction failed: {type(exc).__name__}: {exc}")
        return rec
