"""The five seed reports, read from the package's own copy (never from ../shared).

The seeds are extracted text; these helpers turn them back into the shapes the
original documents had (PDF lines, HTML paragraphs, table rows) so the demo
sites publish them the way the real sites did.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from importlib import resources

logger = logging.getLogger(__name__)

SEED_000 = "000_b2e877bf73f80718.txt"  # 东西湖区住建局 2019, PDF with fake-bold headings
SEED_001 = "001_765f60bd78de7148.txt"  # 周村区住建局 2017, HTML + legacy table
SEED_002 = "002_b2e2d1b32352d163.txt"  # 霍山县住建局 2020, GBK HTML page with chrome
SEED_003 = "003_cbc6ccbd10d2d8f2.txt"  # 江海区住建局 2020, DOCX with tables
SEED_004 = "004_23bd5336edb556c9.txt"  # 长子县住建局 2019, PDF with wrong font mapping


@cache
def seed_text(name: str) -> str:
    """The seed text exactly as stored in the package."""
    return resources.files("demosites").joinpath("content", "seeds", name).read_text(encoding="utf-8")


def pdf_pages(name: str) -> list[list[str]]:
    """Seed 000/004 as PDF pages of lines: one seed line = one PDF line.

    Both seeds were pdftotext output with a blank line after every line.
    A page break shows as a run of several blank lines (004) or as a line
    starting with a space (000, where the new page's first line was indented).
    """
    text = seed_text(name)
    pages: list[list[str]] = [[]]
    blank_run, spacer = 0, False
    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip():
            blank_run += 1
            spacer = spacer or bool(raw)  # a whitespace-only line is layout, not a page gap
            continue
        new_page = False
        if pages[-1] and blank_run >= 3 and not spacer:
            new_page = True
        if name == SEED_000 and pages[-1] and raw.startswith(" ") and not raw.startswith("  "):
            new_page = True
        if new_page:
            pages.append([])
        blank_run, spacer = 0, False
        pages[-1].append(line.strip() if name == SEED_000 else line.rstrip())
    return [p for p in pages if p]


def seed_002_parts() -> dict[str, object]:
    """Seed 002 split into page chrome and body paragraphs."""
    lines = [ln.strip() for ln in seed_text(SEED_002).split("\n") if ln.strip()]
    breadcrumb, title, info = lines[0], lines[1], lines[2]
    end = lines.index("政策咨询")
    return {
        "breadcrumb": breadcrumb,
        "title": title,
        "info": info,
        "body": lines[3:end],
        "widgets": lines[end:],
    }


def seed_001_parts() -> tuple[list[str], str, list[list[str]]]:
    """Seed 001: (body paragraphs, table caption, table rows of 3 cells)."""
    text = seed_text(SEED_001)
    head, _, tail = text.partition("附件：2017年度政府信息公开工作情况统计表")
    paras = [ln.strip() for ln in head.split("\n") if ln.strip()]
    paras.append("附件：2017年度政府信息公开工作情况统计表")
    caption = "2017年度政府信息公开工作情况统计表"
    tail = tail.split(caption, 1)[1]
    cells: list[str] = []
    for raw in tail.split("\n"):
        if raw.startswith("\t"):
            cells.append(raw[1:])
        elif raw.strip() and cells:
            cells[-1] += "\n" + raw  # a cell written over two lines
    rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    return paras, caption, rows


def seed_003_parts() -> list[tuple[str, object]]:
    """Seed 003 as a sequence of ("p", text) paragraphs and ("table", rows) tables.

    A run of lines containing tabs is one table; each line is a row and each
    tab-separated field a cell, exactly as the seed shows them (lost labels,
    rows holding only 0s and all).
    """
    blocks: list[tuple[str, object]] = []
    rows: list[list[str]] = []
    for raw in seed_text(SEED_003).split("\n"):
        if "\t" in raw:
            rows.append(raw.rstrip("\n").split("\t"))
            continue
        if not raw.strip():
            continue
        if rows:
            blocks.append(("table", rows))
            rows = []
        blocks.append(("p", raw.strip()))
    if rows:
        blocks.append(("table", rows))
    out: list[tuple[str, object]] = []
    for kind, val in blocks:
        if kind == "table":
            table = [list(r) for r in val]  # type: ignore[union-attr]
            while all(r and r[-1] == "" for r in table):
                for r in table:
                    r.pop()
            width = max(len(r) for r in table)
            out.append(("table", [r + [""] * (width - len(r)) for r in table]))
        else:
            out.append((kind, val))
    return out


_BOLD_RE_MAX = 12


def fake_bold_runs(line: str) -> list[tuple[str, bool]]:
    """Split a seed 000 line into (text, bold) runs.

    pdftotext printed each fake-bold run four times in a row
    (`一、一、一、一、`), so a unit repeated 4× is one bold run drawn 4 times.
    """
    runs: list[tuple[str, bool]] = []
    i, plain = 0, ""
    while i < len(line):
        hit = 0
        for size in range(1, _BOLD_RE_MAX + 1):
            unit = line[i : i + size]
            if len(unit) == size and line[i : i + 4 * size] == unit * 4:
                hit = size
                break
        if hit:
            if plain:
                runs.append((plain, False))
                plain = ""
            runs.append((line[i : i + hit], True))
            i += 4 * hit
        else:
            plain += line[i]
            i += 1
    if plain:
        runs.append((plain, False))
    return runs


def squash(text: str) -> str:
    """Whitespace-free text, for comparisons."""
    return re.sub(r"\s+", "", text)
