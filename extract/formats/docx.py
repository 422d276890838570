"""DOCX: paragraphs and tables in body order.

Tables become grids and also tab-joined rows in the text, so the text reads
in document order. python-docx repeats the cell of a merged region once per
grid column; grids keep that expansion (columns stay aligned, as for HTML
spans) while the text lists a horizontally merged cell once. Zip bombs are refused before opening.
"""

from __future__ import annotations

import io
import logging
import zipfile

from extract.record import Document, Grid

logger = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


def check_zip(data: bytes) -> str | None:
    """Reason to refuse the archive, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 * 1024 * 1024:
                    return f"zip member {info.filename} expands {info.file_size // max(info.compress_size, 1)}x"
            if total > MAX_UNCOMPRESSED:
                return f"uncompressed size {total} bytes exceeds {MAX_UNCOMPRESSED}"
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"bad zip: {exc}"
    return None


def _cell_text(cell) -> str:
    return " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())


def _table_rows(table) -> tuple[Grid, list[str]]:
    """(grid, text lines) of a table.

    The grid keeps every grid column (a merged cell's text in each slot it
    covers, like `extract.tables` does for HTML spans), so columns line up with
    their headers. The text line lists a horizontally merged cell once: python-docx
    hands back the same <w:tc> for each covered column, compared by identity
    (the element objects are kept alive in `row_tcs` so identity is meaningful).
    """
    grid: Grid = []
    lines: list[str] = []
    for row in table.rows:
        cells = list(row.cells)
        row_tcs = [c._tc for c in cells]
        texts = [_cell_text(c) for c in cells]
        grid.append(texts)
        once = [t for i, t in enumerate(texts) if i == 0 or row_tcs[i] is not row_tcs[i - 1]]
        lines.append("\t".join(once))
    return grid, lines


def extract_docx(data: bytes) -> Document:
    doc = Document(kind="docx")
    problem = check_zip(data)
    if problem:
        doc.errors.append(f"docx refused: {problem}")
        return doc
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as exc:
        doc.errors.append(f"docx could not be opened: {type(exc).__name__}: {exc}")
        return doc
    lines: list[str] = []
    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, d).text)
        elif tag == "tbl":
            grid, rows = _table_rows(Table(child, d))
            doc.tables.append(grid)
            lines.append("")
            lines.extend(rows)
            lines.append("")
    doc.text = "\n".join(lines)
    props = d.core_properties
    if props.title:
        doc.meta["docx_title"] = props.title
    return doc
