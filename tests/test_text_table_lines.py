"""extract/tables.line_cells: which text lines are table rows, and their cells (tables that came through as
text: tab-separated, markdown pipes, space-aligned PDF/OCR rows). A line taken for a row when it is prose
puts a sentence's number into a statistic; these pin each rule (scripts/mutation.sh stats)."""

from __future__ import annotations

import pytest

from extract.tables import line_cells


@pytest.mark.parametrize(("line", "cells"), [
    ("（一）予以公开\t3\t0\t 1 ", ["（一）予以公开", "3", "0", "1"]),
    ("| 项目 | 自然人 | 合计 |", ["项目", "自然人", "合计"]),
    ("项目 | 自然人 | 合计", ["项目", "自然人", "合计"]),
    ("| 项目 |", ["项目"]),
    ("|---|:---:|", []),
    ("| --- | --- |", []),
    ("（二）部分公开 3 0 0 0 0 0 3", ["（二）部分公开", "3", "0", "0", "0", "0", "0", "3"]),
    ("1.本年新收申请数量 12 0 1", ["1.本年新收申请数量", "12", "0", "1"]),
    ("本年新收申请数量  12", ["本年新收申请数量", "12"]),  # two spaces: aligned columns
    ("（三）不予公开 5", ["（三）不予公开", "5"]),  # a row label with one number
    ("一、主动公开 7", ["一、主动公开", "7"]),
    ("12 0 3", ["12", "0", "3"]),  # numbers only: three or more
    ("维持 — 0 无", ["维持", "—", "0", "无"]),
])
def test_table_rows(line, cells):
    assert line_cells(line) == cells


@pytest.mark.parametrize("line", [
    "全年共收到申请 12",  # a sentence broken by the page, not a row
    "全年共收到申请， 12 3 4",  # ... and one ending in punctuation
    "共收到申请： 12 3",
    "收到申请。共 12 3 4",
    "Total 12 3 4",  # no CJK in the label
    "12 3",  # two numbers alone
    "本年度主动公开政府信息",  # no numbers
    "",
    "|",
])
def test_prose_is_not_a_row(line):
    assert line_cells(line) is None
