"""DOCX: paragraphs and tables in body order.

Tables become grids and also tab-joined rows in the text, so the text reads
in document order. python-docx repeats the cell object of a horizontally merged
cell once per grid column; we keep each cell once per row (dedupe by identity)
so a span does not double its value. Zip bombs are refused before opening.
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


def _table_grid(table) -> Grid:
    grid: Grid = []
    for row in table.rows:
        cells = []
        seen: set[int] = set()
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:
                continue
            seen.add(key)
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        grid.append(cells)
    return grid


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
            grid = _table_grid(Table(child, d))
            doc.tables.append(grid)
            lines.append("")
            lines.extend("\t".join(row) for row in grid)
            lines.append("")
    doc.text = "\n".join(lines)
    props = d.core_properties
    if props.title:
        doc.meta["docx_title"] = props.title
    return doc
