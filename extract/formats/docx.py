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

from extract.flags import TABLE_RAW
from extract.record import Document, Grid

logger = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_GRID_SPAN = 63  # Word's own limit on a table's columns
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


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


def _span(tc) -> int:  # noqa: ANN001 - a w:tc element
    el = tc.find(f"{_W}tcPr/{_W}gridSpan")
    try:
        return max(1, min(int(el.get(f"{_W}val")), MAX_GRID_SPAN)) if el is not None else 1
    except (TypeError, ValueError):
        return 1


def _clamp_spans(body) -> None:  # noqa: ANN001 - the w:body element
    """gridSpan values python-docx can expand: an integer from 1 to 63 (fuzzing: one cell spanning
    100,000 columns took 19 s, 10,000,000 lost the whole document to the time limit, and 'x'
    raised ValueError from python-docx, losing it too)."""
    for el in body.iter(f"{_W}gridSpan"):
        tc = el.getparent().getparent() if el.getparent() is not None else None
        if tc is not None:
            el.set(f"{_W}val", str(_span(tc)))


def _raw_table_rows(tbl) -> tuple[Grid, list[str]]:  # noqa: ANN001 - a w:tbl element
    """`_table_rows` read straight from the XML, for a table python-docx cannot walk (a vertical
    merge continuing a cell that is not there, a merge chain too deep): spans as in `_table_rows`,
    a continued vertical merge repeats the text above it."""
    grid: Grid = []
    lines: list[str] = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        above = grid[-1] if grid else []
        row: list[str] = []
        once: list[str] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            paras = ("".join(t.text or "" for t in p.iter(f"{_W}t")).strip() for p in tc.iterchildren(f"{_W}p"))
            text = " ".join(t for t in paras if t)
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue":
                text = above[len(row)] if len(row) < len(above) else ""
            span = _span(tc)
            row.extend([text] * span)
            once.append(text)
        grid.append(row)
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
    body = getattr(d.element, "body", None)  # a plain element when the root is not <w:document>
    if body is None:
        doc.errors.append("docx could not be opened: word/document.xml holds no document body")
        return doc
    _clamp_spans(body)
    for child in body.iterchildren():
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, d).text)
        elif tag == "tbl":
            try:
                grid, rows = _table_rows(Table(child, d))
            except Exception as exc:  # python-docx on a malformed merge: ValueError, RecursionError
                logger.info("docx table read from the XML: %s: %s", type(exc).__name__, exc)
                doc.flag(TABLE_RAW, "docx table with malformed merged cells read from its XML", f"{exc}")
                grid, rows = _raw_table_rows(child)
            doc.tables.append(grid)
            lines.append("")
            lines.extend(rows)
            lines.append("")
    doc.text = "\n".join(lines)
    try:
        title = d.core_properties.title
    except Exception as exc:  # a damaged docProps/core.xml costs the title only
        logger.info("docx core properties unreadable: %s", exc)
        title = None
    if title:
        doc.meta["docx_title"] = title
    return doc
