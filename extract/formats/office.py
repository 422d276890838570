"""DOC, WPS and RTF: converted to DOCX by LibreOffice (headless), then read as DOCX.

Old binary Word files (and Kingsoft WPS files, which are mostly the same OLE
container) are common on county sites and no pure-Python reader gets their tables
right. LibreOffice does: `soffice --headless --convert-to docx` runs in a private
temporary directory with its own user profile (`-env:UserInstallation`), so
parallel conversions never share a profile or lock, under a time limit that kills
the whole process group (soffice starts soffice.bin under it). Where LibreOffice is
missing the record says so and how to install it (scripts/setup.sh does).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from pathlib import Path

from extract import limits
from extract.limits import run_tool
from extract.record import Document

logger = logging.getLogger(__name__)

INSTALL_HINT = "apt-get install libreoffice-writer-nogui"
_LABEL = {"doc": "DOC/WPS", "rtf": "RTF"}


class ConversionError(Exception):
    """LibreOffice could not turn the file into DOCX (missing, timed out, refused); the message says which."""


@functools.lru_cache(maxsize=1)
def soffice_path() -> str | None:
    """Path of LibreOffice's `soffice` (or `libreoffice`), None when it is not installed."""
    override = os.environ.get("OGI_SOFFICE")
    if override:
        return shutil.which(override)
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(data: bytes, ext: str = "doc", *, timeout: float = limits.CONVERT_SECONDS) -> bytes:
    """DOCX bytes of a DOC/WPS/RTF file (any format LibreOffice Writer opens); raises `ConversionError`."""
    exe = soffice_path()
    if not exe:
        raise ConversionError(f"LibreOffice is not installed ({INSTALL_HINT})")
    work = Path(tempfile.mkdtemp(prefix="ogi-soffice-"))
    try:
        src = work / f"input.{ext}"
        src.write_bytes(data)
        outdir = work / "out"
        profile = work / "profile"
        cmd = [
            exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--norestore",
            "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
            "--outdir", str(outdir), str(src),
        ]
        env = dict(os.environ, HOME=str(work), TMPDIR=str(work))
        res = run_tool(cmd, timeout=timeout, env=env, cwd=str(work))
        if res.timed_out:
            raise ConversionError(f"LibreOffice took longer than {timeout:g} s (killed)")
        out = outdir / "input.docx"
        if not out.exists() or out.stat().st_size == 0:
            lines = [ln for ln in res.stderr.decode("utf-8", "replace").splitlines() if ln and "javaldx" not in ln]
            detail = lines[-1] if lines else f"exit code {res.returncode}"
            raise ConversionError(f"LibreOffice could not convert the file: {detail}")
        logger.debug("converted %s (%d bytes) in %.2f s", ext, len(data), res.seconds)
        return out.read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def extract_office(data: bytes, kind: str = "doc") -> Document:
    """Convert a DOC/WPS (`kind="doc"`) or RTF (`kind="rtf"`) file and extract it as DOCX; never raises."""
    label = _LABEL.get(kind, kind.upper())
    if not soffice_path():
        return Document(kind=kind, errors=[f"{label} conversion needed but LibreOffice is not installed ({INSTALL_HINT})"])
    try:
        docx_bytes = convert_to_docx(data, "rtf" if kind == "rtf" else "doc")
    except ConversionError as exc:
        return Document(kind=kind, errors=[f"{label} conversion failed: {exc}"])
    except OSError as exc:  # temp dir or process could not be made
        return Document(kind=kind, errors=[f"{label} conversion failed: {type(exc).__name__}: {exc}"])
    from extract.formats import to_document

    doc = to_document(docx_bytes, "docx")
    doc.kind = kind
    doc.meta["converted_by"] = "LibreOffice"
    return doc
