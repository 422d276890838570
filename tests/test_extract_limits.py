"""Bad input ends with a clear message in bounded time and memory, never a hang or a crash.

The inputs are built here (reportlab PDFs, zip bombs, a 50 MB page); the wall-clock
bounds are generous on purpose: the point is that extraction ends, not its speed.
"""

from __future__ import annotations

import faulthandler
import io
import os
import signal
import time
import zipfile

import pytest

from extract import extract_bytes, limits
from extract.limits import (
    ChildCrashed,
    ChildFailed,
    MemoryLimitExceeded,
    TimeLimitExceeded,
    run_limited,
    run_tool,
)

BOUND = 30.0  # seconds: "ends", with room for a slow CI machine


# ---------------------------------------------------------------- the child process itself (module-level: picklable)


def _add(a: int, b: int) -> int:
    return a + b


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _allocate(n_bytes: int) -> int:
    block = bytearray(n_bytes)
    return len(block)


def _segfault() -> None:
    faulthandler.disable()  # pytest's handler would print the child's stack: expected here
    os.kill(os.getpid(), signal.SIGSEGV)


def _raise() -> None:
    raise ValueError("bad cell")


def test_child_returns_the_result() -> None:
    assert run_limited(_add, 2, 3, timeout=10) == 5


def test_child_timeout_kills_and_says_so() -> None:
    t0 = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match="did not finish within 1 s"):
        run_limited(_sleep, 60, timeout=1, what="sleeper")
    assert time.monotonic() - t0 < 10


def test_child_memory_limit() -> None:
    t0 = time.monotonic()
    with pytest.raises((MemoryLimitExceeded, ChildCrashed)) as info:
        run_limited(_allocate, 4 * 1024**3, timeout=20, memory=256 * 1024**2)
    assert "MiB" in str(info.value) or "memory" in str(info.value)
    assert time.monotonic() - t0 < BOUND
    # below the limit the same work succeeds: the limit is relative to what the fork already maps
    assert run_limited(_allocate, 64 * 1024**2, timeout=20, memory=256 * 1024**2) == 64 * 1024**2


def test_child_crash_and_exception_are_errors_not_crashes() -> None:
    with pytest.raises(ChildCrashed, match="signal 11"):
        run_limited(_segfault, timeout=10)
    with pytest.raises(ChildFailed, match="ValueError: bad cell"):
        run_limited(_raise, timeout=10)


def test_child_overhead_is_small() -> None:
    """Measured, not just asserted: the per-document cost of the child process."""
    run_limited(_add, 1, 1)
    n = 20
    t0 = time.monotonic()
    for _ in range(n):
        run_limited(_add, 1, 1)
    per_call = (time.monotonic() - t0) / n
    print(f"child process overhead: {per_call * 1000:.1f} ms per call")
    assert per_call < 0.5


def test_sandbox_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGI_SANDBOX", "0")
    assert run_limited(os.getpid) == os.getpid()  # ran in-process


def test_tool_timeout_kills_the_whole_process_group() -> None:
    t0 = time.monotonic()
    # the shell starts a grandchild (like soffice starts soffice.bin) and waits for it
    res = run_tool(["sh", "-c", "sleep 47 & echo $!; wait"], timeout=1)
    assert res.timed_out
    assert time.monotonic() - t0 < 10
    grandchild = int(res.stdout.split()[0])
    time.sleep(0.2)
    try:
        with open(f"/proc/{grandchild}/status") as fh:
            state = next(ln for ln in fh if ln.startswith("State:"))
        assert "Z" in state  # killed, waiting to be reaped
    except FileNotFoundError:
        pass  # killed and reaped


# ---------------------------------------------------------------- bad documents through the real entry point


def _pdf(pages: int = 1, *, encrypt: object = None, text: str = "某某县2023年政府信息公开工作年度报告") -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for p in range(pages):
        c.setFont("STSong-Light", 12)
        if p == 0:
            c.drawString(72, 760, text)
        # a different character on each page, or the line would be dropped as a running header
        c.drawString(72, 740, f"第{p + 1}页{chr(0x4E00 + 37 * p)}：全年受理依申请公开17条，按时办结17条，主动公开1234条。")
        c.showPage()
    c.save()
    return buf.getvalue()


def _timed(data: bytes, filename: str):  # noqa: ANN202 - (Record, seconds)
    t0 = time.monotonic()
    rec = extract_bytes(data, filename=filename)
    return rec, time.monotonic() - t0


def test_corrupt_pdf_ends_with_a_message() -> None:
    good = _pdf(3)
    rec, secs = _timed(good[: len(good) // 3] + b"\x00garbage" * 100, "r.pdf")
    assert secs < BOUND
    assert rec.errors and not rec.is_report
    assert any(f.startswith("extraction failed") for f in rec.flags)


def test_encrypted_pdf_needs_a_password() -> None:
    rec, secs = _timed(_pdf(encrypt="secret"), "r.pdf")
    assert secs < BOUND
    assert "encrypted PDF (password required)" in rec.errors
    assert "extraction failed: encrypted PDF (password required)" in rec.flags


def test_owner_password_only_pdf_opens_with_the_empty_password() -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    rec, _ = _timed(_pdf(encrypt=StandardEncryption("", ownerPassword="owner", canPrint=0)), "r.pdf")
    assert not rec.errors, rec.errors
    assert "全年受理依申请公开17条" in rec.text.replace(" ", "")


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4\n%%EOF\n"])
def test_empty_pdf_ends_with_a_message(data: bytes) -> None:
    rec, secs = _timed(data, "r.pdf")
    assert secs < BOUND
    assert rec.errors and not rec.is_report


def test_long_pdf_is_read_up_to_the_page_cap() -> None:
    from extract.formats.pdf import MAX_PAGES

    pages = MAX_PAGES + 10
    rec, secs = _timed(_pdf(pages), "r.pdf")
    print(f"{pages}-page PDF: {secs:.1f} s")
    assert secs < 2 * BOUND
    assert f"only the first {MAX_PAGES} pages read (of {pages})" in rec.flags
    assert f"第{MAX_PAGES}页" in rec.text and f"第{MAX_PAGES + 1}页" not in rec.text


def test_zip_bomb_docx_is_refused_without_expanding() -> None:
    buf = io.BytesIO()
    chunk = b"<w:t>" + b"0" * (1024 * 1024) + b"</w:t>"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:  # streamed: the test itself stays small
            for _ in range(300):
                fh.write(chunk)
    assert len(buf.getvalue()) < 2 * 1024 * 1024
    rec, secs = _timed(buf.getvalue(), "bomb.docx")
    assert secs < BOUND
    assert any(e.startswith("docx refused:") for e in rec.errors), rec.errors
    assert any(f.startswith("extraction failed: docx refused") for f in rec.flags)


def test_50_mb_html_page_is_truncated_in_bounded_time() -> None:
    para = "<p>全年受理依申请公开17条，按时办结17条，本机关主动公开政府信息1234条。</p>\n".encode()
    head = "<html><head><title>某某县2023年政府信息公开工作年度报告</title></head><body><div class='TRS_Editor'>".encode()
    data = head + para * (50 * 1024 * 1024 // len(para)) + b"</div></body></html>"
    assert len(data) > 49 * 1024 * 1024
    rec, secs = _timed(data, "page.html")
    print(f"50 MB HTML: {secs:.1f} s")
    assert secs < 2 * BOUND
    assert "html truncated" in rec.flags
    assert any("truncated" in e for e in rec.errors)
    assert any(f.startswith("text truncated at") for f in rec.flags)


def test_oversized_input_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 1000)
    rec = extract_bytes(_pdf(1), filename="r.pdf")
    assert any(e.startswith("pdf too large") for e in rec.errors)


def test_parser_timeout_becomes_a_record_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser that hangs (here: made to sleep) is killed and the record says so."""
    import extract.formats as formats

    monkeypatch.setattr(limits, "PARSE_SECONDS", 1.0)
    monkeypatch.setattr(limits, "OCR_SECONDS", 0.0)
    monkeypatch.setattr(formats, "_extract", lambda *a, **k: _sleep(60))
    t0 = time.monotonic()
    rec = extract_bytes(_pdf(1), filename="r.pdf")
    assert time.monotonic() - t0 < 10
    assert any("pdf extraction stopped: pdf parser did not finish within 1 s" in e for e in rec.errors), rec.errors
