"""Fuzz (property) tests of extraction: whatever bytes come in, a Record comes out and says what went wrong.

Inputs: (a) random bytes under every claimed type (extension and content type, with and without a
format's magic bytes); (b) mutations of the golden corpus (tests/golden/docs: byte flips, truncations,
insertions, numbers in PDF dictionaries, DOCX zip members and their span attributes, GBK pages);
(c) generated HTML (deep nesting, huge attributes, odd charsets in <meta>/headers/XML declarations,
tables with absurd rowspan/colspan and numbers in every cell); (d) `extract_report` on fuzzed parts;
(e) `ogi extract` through click's CliRunner.

Properties: `extract_path` / `extract_bytes` / `extract_report` never raise; the record is a Record whose
JSON prints as UTF-8; an empty text comes with an error or flag; no internal error was swallowed (no
logged traceback, no 'extraction error: TypeError' and the like in errors/flags: the catch-alls of the
pipeline are a last line of defence, not the way bad input is reported); every example finishes within
the extract layer's own limits (lowered here so that a hang shows up in seconds, not minutes).

CI runs a fixed, derandomized budget (about half a minute). A longer local campaign, random each run:
    OGI_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q tests/test_fuzz_extract.py
(each test runs max(its CI budget, OGI_FUZZ_EXAMPLES x its weight) examples; LibreOffice ones weigh least).
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from extract import Part, extract_bytes, extract_path, extract_report, limits
from extract.formats import sniff
from extract.record import Record

CAMPAIGN = os.environ.get("OGI_FUZZ_EXAMPLES", "").strip()
ROOT = Path(__file__).resolve().parents[1]
GOLDEN = {p.name: p.read_bytes() for p in sorted((ROOT / "tests" / "golden" / "docs").iterdir())}
OFFICE = {"doc", "rtf"}  # LibreOffice conversions: ~1.5 s each, so few examples


def budget(ci: int, weight: float = 1.0) -> settings:
    """CI: `ci` examples, derandomized (the same inputs every run). Campaign: OGI_FUZZ_EXAMPLES x weight, random."""
    n = max(ci, int(int(CAMPAIGN) * weight)) if CAMPAIGN else ci
    return settings(
        max_examples=n, deadline=None, derandomize=not CAMPAIGN, database=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.large_base_example],
    )


# ------------------------------------------------------------------------------ limits and the oracle
PARSE_SECONDS = 20.0  # a parse of these small inputs takes well under a second; a hang is a bug
OCR_SECONDS = 10.0
CONVERT_SECONDS = 40.0
# One extraction may take what the sandbox allows a parse (PDF: plus its OCR budget); a LibreOffice
# conversion adds its own limit. In-process work (HTML and text under 2 MB) has no limit of its own,
# so the same bound is asserted, and a watchdog ends a real hang.
MAX_SECONDS = PARSE_SECONDS + OCR_SECONDS
MAX_OFFICE_SECONDS = CONVERT_SECONDS + MAX_SECONDS
WATCHDOG_SECONDS = 2 * MAX_OFFICE_SECONDS


@pytest.fixture(scope="module", autouse=True)
def small_limits() -> Iterator[None]:
    """The extract layer's limits, lowered so that CI sees a hang in seconds (children inherit them)."""
    saved = {k: getattr(limits, k) for k in ("PARSE_SECONDS", "OCR_SECONDS", "OCR_MAX_PAGES", "OCR_PAGE_SECONDS",
                                             "CONVERT_SECONDS")}
    limits.PARSE_SECONDS, limits.OCR_SECONDS, limits.OCR_MAX_PAGES = PARSE_SECONDS, OCR_SECONDS, 1
    limits.OCR_PAGE_SECONDS, limits.CONVERT_SECONDS = OCR_SECONDS, CONVERT_SECONDS
    yield
    for k, v in saved.items():
        setattr(limits, k, v)
    shutil.rmtree(_TMP, ignore_errors=True)


class Hang(BaseException):
    """Raised by the watchdog; a BaseException so that the pipeline's `except Exception` cannot swallow it."""


@contextmanager
def watchdog(seconds: float = WATCHDOG_SECONDS) -> Iterator[None]:
    def on_alarm(signum, frame):  # noqa: ANN001
        raise Hang(f"extraction still running after {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def extract_logs() -> Iterator[list[logging.LogRecord]]:
    handler = _Records()
    logger = logging.getLogger("extract")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


# What a swallowed bug looks like in a record: a Python exception type from our own code caught by a
# catch-all. Failures of third-party parsers on corrupt files are reported by name and allowed below.
_PY_ERRORS = (r"TypeError|AttributeError|IndexError|KeyError|ZeroDivisionError|RecursionError|UnboundLocalError|"
              r"NameError|AssertionError|OverflowError|StopIteration|UnicodeError|UnicodeEncodeError|"
              r"UnicodeDecodeError|NotImplementedError|ValueError|TimeoutError|MemoryError|LookupError")
_BUG = re.compile(
    rf"extraction error: |extraction failed: (?:{_PY_ERRORS})\b|numbers could not be read|could not be classified"
    rf"|table \S+ could not be read: (?:{_PY_ERRORS})\b|a table could not be read|resolution failed|stats failed"
    r"|html tables failed|text tables failed|did not finish within|parser failed: "
)
# Errors that name a broken input, whatever exception a third-party parser used to say so.
_INPUT_PROBLEM = re.compile(
    r"^(?:[^:]*: )?(?:docx could not be opened|pdf could not be opened|docx refused|encrypted PDF|pdf tables failed"
    r"|(?:DOC/WPS|RTF) conversion failed|OCR of page \d+ failed|image could not be read|OCR needed but)"
)


def check_record(rec: Record, logs: list[logging.LogRecord], what: str) -> None:
    """The properties every extraction result must have."""
    assert isinstance(rec, Record), what
    for rec_list in (rec.errors, rec.flags):
        assert isinstance(rec_list, list)
        assert all(isinstance(x, str) and x.strip() for x in rec_list), rec_list
    # what `ogi extract --json` prints must be printable as UTF-8
    json.dumps(rec.to_json(), ensure_ascii=False).encode("utf-8")
    if not rec.text.strip():
        assert rec.errors or rec.flags, f"{what}: no text and nothing says why"
    for name in ("published_at", "document_date"):  # ISO dates that exist (exports parse them)
        value = getattr(rec, name)
        assert value is None or datetime.date.fromisoformat(value), f"{what}: {name} {value!r}"
    assert rec.report_year is None or 1900 <= rec.report_year <= 2100, f"{what}: report_year {rec.report_year}"
    tracebacks = [r for r in logs if r.exc_info or r.levelno >= logging.ERROR]
    assert not tracebacks, f"{what}: logged " + "; ".join(
        f"{r.name}: {r.getMessage()} ({r.exc_info[0].__name__ if r.exc_info else ''})" for r in tracebacks)
    repairs = [r.getMessage() for r in logs if r.name == "extract.repair"]
    assert not repairs, f"{what}: {repairs}"
    for msg in rec.errors + rec.flags:
        if _INPUT_PROBLEM.search(msg.removeprefix("extraction failed: ")):
            continue
        assert not _BUG.search(msg), f"{what}: {msg}"


def run_extract(fn, *args, what: str, max_seconds: float = MAX_SECONDS, **kwargs) -> Record:  # noqa: ANN001
    with extract_logs() as logs, watchdog():
        t0 = time.monotonic()
        rec = fn(*args, **kwargs)
        elapsed = time.monotonic() - t0
    check_record(rec, logs, what)
    assert elapsed < max_seconds, f"{what}: took {elapsed:.1f} s (limit {max_seconds:g} s)"
    return rec


_TMP = Path(tempfile.mkdtemp(prefix="ogi-fuzz-"))


def as_file(data: bytes, ext: str) -> Path:
    path = _TMP / f"fuzz{ext}"
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------ (a) random bytes, any claimed type
EXTS = [".html", ".htm", ".shtml", ".jsp", ".pdf", ".docx", ".txt", ".xls", ".xlsx", ".ofd", ".zip", ".png", ".jpg", ""]
OFFICE_EXTS = [".doc", ".wps", ".rtf"]
CONTENT_TYPES = [None, "text/html", "text/html; charset=gbk", "text/html; charset=utf-8", "text/html; charset=punycode",
                 "text/html; charset=utf-16", "text/html; charset=x-unknown", "text/plain", "text/plain; charset=gb2312",
                 "application/pdf", "application/octet-stream", "application/zip", "image/png", "image/jpeg",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""]
OFFICE_TYPES = ["application/msword", "application/rtf", "application/kswps", None]
MAGIC = [b"", b"", b"%PDF-1.7\n", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
         b"PK\x03\x04", b"<html>", b"<!DOCTYPE html><html><head><meta charset=\"gbk\"></head><body><table><tr><td>",
         b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"BM",
         "本年新收政府信息公开申请数量\t12\t3\n".encode(), "行政复议\t".encode("gb18030")]
OFFICE_MAGIC = [b"", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1\\ansi ", b"{\\rtf1{\\*\\generator x;}"]


@budget(200, weight=0.5)
@given(magic=st.sampled_from(MAGIC), body=st.binary(max_size=3000), ext=st.sampled_from(EXTS),
       content_type=st.sampled_from(CONTENT_TYPES), via_path=st.booleans())
@example(magic=b"<html>", body=b'<meta charset="punycode"><body>x</body>', ext=".html", content_type=None,
         via_path=True)  # found: UnicodeError (not UnicodeDecodeError) from the punycode codec -> traceback
@example(magic=b"<html>", body=b"<body>\x80abc</body>", ext=".html", content_type="text/html; charset=idna",
         via_path=False)
def test_random_bytes_under_any_claimed_type(magic: bytes, body: bytes, ext: str, content_type: str | None,
                                             via_path: bool) -> None:
    data = magic + body
    assume(sniff(data, content_type, f"x{ext}") not in OFFICE)
    what = f"{len(data)} bytes as {ext or '(no extension)'} / {content_type}"
    if via_path:
        run_extract(extract_path, as_file(data, ext), what=what)
    else:
        run_extract(extract_bytes, data, content_type=content_type, filename=f"x{ext}",
                    url=f"http://example.gov.cn/a/x{ext}", what=what)


@budget(3, weight=0.01)
@given(magic=st.sampled_from(OFFICE_MAGIC), body=st.binary(max_size=2000), ext=st.sampled_from(OFFICE_EXTS),
       content_type=st.sampled_from(OFFICE_TYPES))
def test_random_bytes_as_doc_wps_rtf(magic: bytes, body: bytes, ext: str, content_type: str | None) -> None:
    data = magic + body
    run_extract(extract_bytes, data, content_type=content_type, filename=f"x{ext}", what=f"{len(data)} bytes as {ext}",
                max_seconds=MAX_OFFICE_SECONDS)


# ------------------------------------------------------------------------------ (b) mutations of the golden corpus
def _clip(pos: int, n: int) -> int:
    return pos % (n + 1)


def apply_ops(data: bytes, ops: list[tuple[str, int, bytes]]) -> bytes:
    """Byte-level mutations: flip, truncate, insert, delete, duplicate, overwrite with a number."""
    buf = bytearray(data)
    for op, pos, payload in ops:
        i = _clip(pos, len(buf))
        if op == "flip" and buf:
            i = min(i, len(buf) - 1)
            buf[i] ^= payload[0] if payload and payload[0] else 0xFF
        elif op == "truncate":
            del buf[i:]
        elif op == "insert":
            buf[i:i] = payload
        elif op == "delete":
            del buf[i : i + 1 + (payload[0] if payload else 64)]
        elif op == "duplicate":
            buf[i:i] = buf[i : i + 1 + (payload[0] * 16 if payload else 256)]
        elif op == "number":
            buf[i : i + len(payload)] = str(int.from_bytes(payload[:8] or b"\xff", "big")).encode()
    return bytes(buf)


_PDF_NUM = re.compile(rb"/(Count|Length|Size|W|Index|Prev|First|N|Rotate|MediaBox|Kids|Root|Pages|Parent)(\s*\[?\s*)(-?\d+)")
_DOCX_VAL = re.compile(rb'(w:(?:gridSpan|vMerge|gridCol|w|val|sz|tblW|tcW)[^=>]*=")([^"]*)(")')


def mutate_numbers(data: bytes, pattern: re.Pattern, values: list[bytes], which: int) -> bytes:
    """Replace the value of the `which`-th numeric key (PDF dictionaries, DOCX span attributes)."""
    hits = list(pattern.finditer(data))
    if not hits:
        return data
    m = hits[which % len(hits)]
    value = values[which % len(values)]
    return data[: m.start(3 if pattern is _PDF_NUM else 2)] + value + data[m.end(3 if pattern is _PDF_NUM else 2):]


NUMBERS = [b"0", b"-1", b"1", b"2", b"99999999", b"2147483648", b"18446744073709551617", b"1e400", b"NaN", b"x", b"",
           b"100000", b"restart", b"-2147483649", b"3.5"]


# Structural edits of document.xml: elements renamed, moved, merged cells where they cannot be.
DOCX_EDITS = [
    (b"<w:document ", b"<w:documenx "), (b"<w:body>", b"<w:bodx>"), (b"<w:body>", b"<w:body><!-- c --><?pi x?>"),
    (b"<w:tc>", b"<w:tc><w:tcPr><w:vMerge/></w:tcPr>"), (b"<w:tc>", b'<w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>'),
    (b"<w:tr>", b"<w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"99\"/></w:tcPr><w:p/></w:tc>"), (b"<w:tr>", b"<w:tX>"),
    (b"</w:tr>", b""), (b"<w:tbl>", b"<w:tbl><w:tbl>"), (b"<w:p>", b"<w:p><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>"),
    (b"<w:t>", b"<w:t>\x00"), (b"<w:t>", b"<w:t>&#xFFFF;"), (b"w:val=", b"w:vaI="), (b"<w:tblGrid>", b"<w:tblGrid/><x>"),
]


def mutate_zip(data: bytes, member_ops: list[tuple[str, int, bytes]], number_edits: list[int],
               edits: list[tuple[bytes, bytes, int]] = ()) -> bytes:
    """Rewrite a DOCX with its document.xml (or another member) mutated: gets past the zip layer."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        members = [(i, zin.read(i)) for i in zin.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zipfile.LargeZipFile):
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, body in members:
            if info.filename == "word/document.xml":
                for old, new, count in edits:
                    body = body.replace(old, new, count)
                for k in number_edits:
                    body = mutate_numbers(body, _DOCX_VAL, NUMBERS, k)
                body = apply_ops(body, member_ops)
            elif member_ops and info.filename.endswith(".xml") and member_ops[0][1] % 7 == 0:
                body = apply_ops(body, member_ops[:1])
            zout.writestr(info.filename, body)
    return out.getvalue()


def docx_with(old: bytes, new: bytes, name: str = "d01_form2021_merged.docx", count: int = -1) -> tuple[str, bytes]:
    """A golden DOCX with `old` replaced by `new` in word/document.xml (regression examples)."""
    zin = zipfile.ZipFile(io.BytesIO(GOLDEN[name]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "word/document.xml":
                assert old in body, old
                body = body.replace(old, new, count)
            zout.writestr(info.filename, body)
    return name, out.getvalue()


OPS = st.lists(st.tuples(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate", "number"]),
                         st.integers(0, 2**20), st.binary(max_size=24)), min_size=1, max_size=4)
NON_OFFICE_GOLDEN = sorted(n for n in GOLDEN if not n.endswith((".doc", ".wps")))
OFFICE_GOLDEN = sorted(n for n in GOLDEN if n.endswith((".doc", ".wps")))


@st.composite
def mutated_golden(draw, names: list[str]) -> tuple[str, bytes]:
    name = draw(st.sampled_from(names))
    data = GOLDEN[name]
    if name.endswith(".docx") and draw(st.booleans()):
        data = mutate_zip(data, draw(st.lists(OPS.map(lambda o: o[0]), max_size=3)),
                          draw(st.lists(st.integers(0, 10_000), max_size=4)),
                          draw(st.lists(st.builds(lambda e, n: (*e, n), st.sampled_from(DOCX_EDITS),
                                                  st.sampled_from([1, 2, -1])), max_size=3)))
    elif name.endswith(".pdf") and draw(st.booleans()):
        for k in draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=3)):
            data = mutate_numbers(data, _PDF_NUM, NUMBERS, k)
    else:
        data = apply_ops(data, draw(OPS))
    return name, data


@budget(120, weight=0.4)
@given(doc=mutated_golden(NON_OFFICE_GOLDEN), keep_name=st.booleans())
@example(doc=("h01_form2021_county.html", GOLDEN["h01_form2021_county.html"]), keep_name=True)
# found (campaign): DOCX whose root element is not <w:document> -> AttributeError, document lost
@example(doc=docx_with(b"<w:document ", b"<w:documenx ", count=1), keep_name=True)
@example(doc=docx_with(b"<w:body>", b"<w:bodx>"), keep_name=True)  # no body: AttributeError on None
@example(doc=docx_with(b"<w:body>", b"<w:body><!-- c --><?pi x?>"), keep_name=True)  # comment: AttributeError
@example(doc=docx_with(b'w:gridSpan w:val="4"', b'w:gridSpan w:val="x"'), keep_name=True)  # ValueError in python-docx
@example(doc=docx_with(b"<w:tc>", b"<w:tc><w:tcPr><w:vMerge/></w:tcPr>", count=1), keep_name=True)  # no tr above
# one cell spanning 10,000,000 columns: the whole document lost to the parse time limit (100,000: 17 s)
@example(doc=docx_with(b'w:gridSpan w:val="4"', b'w:gridSpan w:val="10000000"'), keep_name=True)
def test_mutated_golden_documents(doc: tuple[str, bytes], keep_name: bool) -> None:
    name, data = doc
    ext = "." + name.rsplit(".", 1)[-1] if keep_name else ""
    run_extract(extract_path, as_file(data, ext), what=f"mutated {name} ({len(data)} bytes)")


@budget(2, weight=0.01)
@given(doc=mutated_golden(OFFICE_GOLDEN))
def test_mutated_golden_doc_wps(doc: tuple[str, bytes]) -> None:
    name, data = doc
    run_extract(extract_path, as_file(data, "." + name.rsplit(".", 1)[-1]), what=f"mutated {name} ({len(data)} bytes)",
                max_seconds=MAX_OFFICE_SECONDS)


# ------------------------------------------------------------------------------ (c) generated HTML
def _golden_labels() -> list[str]:
    """Row and column labels of the golden HTML tables: the words the numbers extractor looks for."""
    labels: set[str] = set()
    for name, data in GOLDEN.items():
        if name.endswith(".html"):
            text = data.decode("gb18030" if name.startswith("g") else "utf-8", "replace")
            labels.update(m.strip() for m in re.findall(r"<t[dh][^>]*>([^<]{1,40})<", text) if re.search(r"[\u4e00-\u9fff]", m))
    return sorted(labels)


LABELS = _golden_labels()
CHARSETS = ["utf-8", "gbk", "gb2312", "GB18030", "big5", "utf-16", "utf-16le", "utf-32", "utf-7", "punycode", "idna",
            "rot13", "base64", "hex", "zip", "bz2", "uu", "undefined", "unicode_escape", "raw_unicode_escape",
            "x-user-defined", "hz-gb-2312", "iso-2022-cn", "shift_jis", "koi8-r", "latin-1", "cp1252", "mac-roman",
            "no-such-charset", "", "utf-8\x00", "../../etc/passwd"]
HREFS = ["a.pdf", "/u/a.docx?x=1", "http://[abc/a.pdf", "//[/a.doc", "http://[::1]x/a.pdf", "http://a.gov.cn:99999/a.pdf",
         "http://%zz/a.pdf", "javascript:open('a.pdf')", "file:///etc/a.pdf", "download.jsp?filename=a.pdf", "\\\\x\\a.pdf",
         "http://a\tb/a.xls", "data:application/pdf;base64,AAAA", "a.pdf#\u2028", "HTTP://EXAMPLE.GOV.CN/A.PDF"]
SPANS = ["1", "2", "3", "0", "-1", "100000", "2147483648", "99999999999999999999", "abc", "3x", "", "1e9", "٣"]
CELLS = st.one_of(
    st.integers(-10**6, 10**6).map(str), st.integers().map(str), st.sampled_from(
        ["0", "—", "-", "/", "", "1e400", "１２", "12件", "3.5", "NaN", "-0", "1,234", "（1）", "12%", "合计", "总计"]),
    st.sampled_from(LABELS), st.text(max_size=8))


@st.composite
def tables(draw) -> str:
    rows = []
    for _ in range(draw(st.integers(1, 25))):
        cells = []
        for _ in range(draw(st.integers(1, 12))):
            attrs = ""
            if draw(st.integers(0, 3)) == 0:
                attrs += f' rowspan="{draw(st.sampled_from(SPANS))}"'
            if draw(st.integers(0, 3)) == 0:
                attrs += f' colspan="{draw(st.sampled_from(SPANS))}"'
            tag = draw(st.sampled_from(["td", "td", "th"]))
            cells.append(f"<{tag}{attrs}>{draw(CELLS)}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = draw(st.sampled_from(["", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
                                 "二、主动公开政府信息情况"]))
    return f"<p>{head}</p><table border=1>{''.join(rows)}</table>"


@st.composite
def html_pages(draw) -> tuple[bytes, str | None]:
    charset = draw(st.sampled_from(CHARSETS))
    where = draw(st.sampled_from(["meta", "http-equiv", "header", "xml", "none"]))
    depth = draw(st.one_of(st.just(0), st.integers(0, 50), st.integers(0, 20_000)))
    tag = draw(st.sampled_from(["div", "table", "span", "b", "p", "li", "td", "font", "tr", "a"]))
    huge = draw(st.sampled_from([0, 0, 1000, 200_000]))
    body = "".join(draw(st.lists(tables(), min_size=0, max_size=3)))
    title = draw(st.sampled_from(["某某县人民政府2021年政府信息公开工作年度报告", "", "x" * 5000, "<>&", "2019年度报告"]))
    container = draw(st.sampled_from(['<div class="TRS_Editor">', '<div id="zoom">', "<div>",
                                      '<meta name="ContentStart"><div>']))
    text = draw(st.text(max_size=200))
    links = "".join(f'<a href="{h}">附件{i}</a>' for i, h in enumerate(draw(st.lists(st.one_of(
        st.sampled_from(HREFS), st.text(max_size=30).map(lambda t: t.replace('"', "") + ".pdf")), max_size=3))))
    text += links
    head = f"<title>{title}</title>"
    if where == "meta":
        head = f'<meta charset="{charset}">' + head
    elif where == "http-equiv":
        head = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' + head
    attr = f' data-x="{"a" * huge}"' if huge else ""
    page = (f"<html><head>{head}</head><body{attr}>{container}" + f"<{tag}>" * depth
            + f"<p>{title}</p><p>{text}</p>{body}" + f"</{tag}>" * draw(st.integers(0, depth))
            + "</div><!-- end --></body></html>")
    if where == "xml":
        page = f'<?xml version="1.0" encoding="{charset}"?>' + page
    enc = draw(st.sampled_from(["utf-8", "gb18030", "utf-16", "big5", "latin-1"]))
    data = page.encode(enc, errors="replace")
    content_type = f"text/html; charset={charset}" if where == "header" else draw(st.sampled_from([None, "text/html"]))
    return data, content_type


def _span_table(rows: int, cells: int, span: str = "100000") -> bytes:
    return ("<html><body><table>" + (f'<tr>{f"<td colspan={span} rowspan={span}>5</td>" * cells}</tr>' * rows)
            + "</table></body></html>").encode()


@budget(120, weight=0.4)
@given(page=html_pages())
# found: 10 rows of 5 cells with rowspan=colspan=100000 (2 KB) took 46 s; 20 x 100 (90 KB) over 5 minutes
@example(page=(_span_table(50, 10), None))
@example(page=(_span_table(100, 20), "text/html"))
@example(page=(b'<html><head><meta charset="punycode"></head><body>\xe8\xa1\x8c</body></html>', None))
@example(page=(b"<html><body>" + b"<div>" * 100_000 + "行政复议".encode() + b"</div>" * 100_000, None))
# found: the body under 300 unclosed <div>s was dropped by libxml2 (depth > 255) without any error
@example(page=(("<html><head><title>某某县人民政府2021年政府信息公开工作年度报告</title></head><body>"
                "<div class=\"TRS_Editor\">" + "<div>" * 300 + "<p>本机关全年共收到政府信息公开申请12件。</p>"
                "</body></html>").encode(), None))
# found: one line of 5,000 x took 6 s in the fake-bold repair (quadratic); 20,000 took minutes
@example(page=(b"<html><head><title>" + b"x" * 5000 + b"</title></head><body><p>" + b"x" * 20_000 + b"</p></body></html>",
               None))
# found: a report title over an empty body gave an empty report with no flag or error
@example(page=(("<html><head><title>某某县人民政府2021年政府信息公开工作年度报告</title></head>"
                "<body><div id=zoom> </div></body></html>").encode(), "text/html"))
# found: 2021-02-30 from a URL (or a PubDate meta, or a 成文日期) became published_at, a date that does not exist
@example(page=(b'<html><head><meta name="PubDate" content="2021-02-30"></head><body><p>x</p></body></html>', None))
# found: one attachment link with an invalid IPv6 host made urljoin raise ValueError: the whole page lost
@example(page=(("<html><head><title>某某县人民政府2021年政府信息公开工作年度报告</title></head><body><div id=zoom>"
                "<p>本机关全年共收到政府信息公开申请十二件，办结十二件。</p><a href=\"http://[abc/a.pdf\">附件</a>"
                "</div></body></html>").encode(), None))
def test_generated_html(page: tuple[bytes, str | None]) -> None:
    data, content_type = page
    run_extract(extract_bytes, data, content_type=content_type, url="http://example.gov.cn/art/2022/1/1/art_1.html",
                what=f"generated html ({len(data)} bytes, {content_type})")


@budget(80, weight=0.2)
@given(url=st.one_of(st.text(max_size=60), st.builds("http://example.gov.cn/art/{}/{}/{}/art_1.html".format,
                     st.integers(1980, 2110), st.integers(0, 13), st.integers(0, 32)),
                     st.builds("http://example.gov.cn/{}/t{:04d}{:02d}{:02d}_1.html".format, st.integers(0, 9),
                               st.integers(1980, 2110), st.integers(0, 13), st.integers(0, 32))),
       page=st.sampled_from([b"<html><body><p>x</p></body></html>", GOLDEN["h07_narrative_town.html"]]))
@example(url="http://example.gov.cn/art/2021/2/30/art_1.html", page=b"<html><body><p>x</p></body></html>")
@example(url="http://[abc/a.html", page=b"<html><body><a href='a.pdf'>a</a></body></html>")
def test_any_source_url(url: str, page: bytes) -> None:
    """The source URL feeds the publication date, the file name for sniffing and attachment links."""
    run_extract(extract_bytes, page, url=url, what=f"page from {url!r}")


# ------------------------------------------------------------------------------ (d) extract_report on fuzzed parts
ATTACH_NAMES = ["a.pdf", "a.docx", "a.txt", "a.html", "a.png", "a.xls", "a.ofd", "download?filename=a.pdf", "a"]


@st.composite
def report_parts(draw) -> list[Part]:
    page, content_type = draw(html_pages())
    parts = [Part(page, "http://example.gov.cn/art/2022/1/1/art_1.html", content_type)]
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            name, data = draw(mutated_golden(NON_OFFICE_GOLDEN))
        else:
            name, data = "x", draw(st.sampled_from(MAGIC)) + draw(st.binary(max_size=2000))
        url_name = draw(st.sampled_from([name, *ATTACH_NAMES]))
        parts.append(Part(data, f"http://example.gov.cn/att/{url_name}", draw(st.sampled_from(CONTENT_TYPES))))
    assume(all(sniff(p.data, p.content_type, p.url.rsplit("/", 1)[-1]) not in OFFICE for p in parts))
    return parts


@budget(50, weight=0.2)
@given(parts=report_parts())
@example(parts=[])
@example(parts=[Part(b"", "", None), Part(b"", "", None)])
def test_extract_report_on_fuzzed_parts(parts: list[Part]) -> None:
    run_extract(extract_report, parts, what=f"report of {len(parts)} parts")


# ------------------------------------------------------------------------------ (e) the CLI
@budget(8, weight=0.03)
@given(doc=st.one_of(mutated_golden(NON_OFFICE_GOLDEN),
                     st.tuples(st.sampled_from(["x.html", "x.pdf", "x.txt", "x.docx", "x"]),
                               st.builds(lambda m, b: m + b, st.sampled_from(MAGIC), st.binary(max_size=2000)))),
       as_json=st.booleans())
@example(doc=("x.html", b'<html><head><meta charset="punycode"></head><body>x</body></html>'), as_json=False)
def test_cli_extract_prints_no_traceback(doc: tuple[str, bytes], as_json: bool) -> None:
    from ogi.cli import main

    name, data = doc
    assume(sniff(data, None, name) not in OFFICE)
    path = as_file(data, "." + name.rsplit(".", 1)[-1] if "." in name else "")
    with extract_logs() as logs, watchdog():
        result = CliRunner().invoke(main, ["extract", str(path), *(["--json"] if as_json else [])])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    if as_json:
        rec = json.loads(result.output)
        assert isinstance(rec["errors"], list) and isinstance(rec["flags"], list)
    assert not [r for r in logs if r.exc_info], [r.getMessage() for r in logs]
