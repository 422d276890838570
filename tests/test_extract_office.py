"""DOC, WPS and RTF through LibreOffice headless, then read as DOCX.

Fixtures: tests/fixtures/extract/report.doc was made from `report_docx()` below by
`python tests/test_extract_office.py` (LibreOffice 7.4, "MS Word 97" filter);
report.wps is the same bytes under a .wps name, which is what most WPS files on
these sites are (Kingsoft WPS saves the Word 97 OLE format by default).
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from extract import extract_bytes, extract_path
from extract.formats import office, sniff
from extract.formats.office import ConversionError, convert_to_docx

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
KEY = "全年受理依申请公开17条"
ROW = ["新收政府信息公开申请数量", "17", "17"]


def report_docx() -> bytes:
    """A small report with a sentence and a statistics table (the source of the .doc fixture)."""
    import docx

    d = docx.Document()
    d.add_paragraph("霍山县2023年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    d.add_paragraph("全年受理依申请公开17条，按时办结17条。本机关主动公开政府信息1234条。")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = d.add_table(rows=2, cols=3)
    for i, row in enumerate([["申请人情况", "自然人", "总计"], ROW]):
        for j, v in enumerate(row):
            t.cell(i, j).text = v
    d.add_paragraph("霍山县人民政府办公室")
    d.add_paragraph("2024年1月20日")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _need_soffice() -> None:
    if office.soffice_path():
        return
    msg = f"LibreOffice is not installed ({office.INSTALL_HINT}); run scripts/setup.sh (as root)"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.mark.parametrize("name", ["report.doc", "report.wps"])
def test_doc_and_wps_fixtures(name: str) -> None:
    _need_soffice()
    path = FIXTURES / name
    assert sniff(path.read_bytes(), None, name) == "doc"
    t0 = time.monotonic()
    rec = extract_path(path)
    print(f"{name}: {time.monotonic() - t0:.2f} s (LibreOffice conversion + DOCX extraction)")
    assert not rec.errors, rec.errors
    assert rec.text_source == "doc"
    assert KEY in rec.text.replace(" ", "")
    assert rec.report_year == 2023 and rec.is_report
    assert rec.stats_dict().get("core.requests_new") == 17


def test_doc_table_survives_conversion() -> None:
    _need_soffice()
    from extract.formats import to_document

    doc = to_document((FIXTURES / "report.doc").read_bytes(), "doc")
    assert doc.kind == "doc" and doc.meta["converted_by"] == "LibreOffice"
    assert ROW in doc.tables[0], doc.tables


def test_rtf_is_converted() -> None:
    _need_soffice()
    esc = "".join(f"\\u{ord(c)}?" if ord(c) > 127 else c for c in "霍山县2023年政府信息公开工作年度报告")
    body = "".join(f"\\u{ord(c)}?" if ord(c) > 127 else c for c in "全年受理依申请公开17条，按时办结17条。")
    data = ("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 SimSun;}}\\f0 " + esc + "\\par " + body + "\\par }").encode()
    assert sniff(data) == "rtf"
    rec = extract_bytes(data, filename="report.rtf")
    assert rec.text_source == "rtf" and not rec.errors, rec.errors
    assert KEY in rec.text.replace(" ", "")


def test_conversion_timeout_is_an_error() -> None:
    _need_soffice()
    t0 = time.monotonic()
    with pytest.raises(ConversionError, match="took longer than 0.3 s"):
        convert_to_docx((FIXTURES / "report.doc").read_bytes(), timeout=0.3)
    assert time.monotonic() - t0 < 15


def test_unreadable_doc_says_why() -> None:
    _need_soffice()
    rec = extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, filename="broken.doc")
    assert any(e.startswith("DOC/WPS conversion failed: LibreOffice could not convert") for e in rec.errors), rec.errors
    assert not rec.is_report


def test_missing_libreoffice_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "soffice_path", lambda: None)
    rec = extract_path(FIXTURES / "report.wps")
    assert rec.errors == [
        "DOC/WPS conversion needed but LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"
    ]
    assert any(f.startswith("extraction failed: DOC/WPS conversion needed") for f in rec.flags)
    assert extract_bytes(report_docx(), filename="r.docx").is_report  # DOCX needs no converter


if __name__ == "__main__":  # regenerate the fixtures
    FIXTURES.mkdir(parents=True, exist_ok=True)
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "report.docx"
        src.write_bytes(report_docx())
        subprocess.run(
            ["soffice", f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
             "--convert-to", "doc:MS Word 97", "--outdir", tmp, str(src)],
            check=True, capture_output=True, timeout=120,
        )
        shutil.copy(Path(tmp) / "report.doc", FIXTURES / "report.doc")
        shutil.copy(Path(tmp) / "report.doc", FIXTURES / "report.wps")
    print("wrote", FIXTURES / "report.doc", FIXTURES / "report.wps")
