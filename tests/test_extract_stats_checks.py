"""The consistency checks: each fires on inconsistent numbers and stays silent on consistent ones."""

from __future__ import annotations

import copy
from pathlib import Path

from extract.stats import analyze
from extract.tables import html_tables_to_grids

FIXTURES = Path(__file__).parent / "fixtures" / "tables"
GRIDS = html_tables_to_grids((FIXTURES / "form2021.html").read_text(encoding="utf-8"))
T2, T3, T4 = GRIDS


def flags_for(tables, text: str = "", year: int = 2021, date: str | None = None) -> list[str]:
    return analyze(text, tables, form="form2021", report_year=year, document_date=date)[1]


def set_cell(grid, label: str, col: int, value: str):
    g = copy.deepcopy(grid)
    row = next(r for r in g if any(label in c for c in r))
    row[col] = value
    return g


def test_consistent_tables_are_silent() -> None:
    assert flags_for([T2, T3, T4]) == []


def test_balance_per_column() -> None:
    # carried forward total 1 -> 4: new + carried over (14+1) != handled + carried forward (14+4)
    flags = flags_for([set_cell(T3, "四、结转下年度继续办理", 9, "4")])
    assert (
        "table 三 column total: new + carried over (14+1) != handled total + carried forward (14+4)" in flags
    )


def test_row_parts_sum_to_total() -> None:
    flags = flags_for([set_cell(T3, "（一）予以公开", 3, "6")])  # natural person 4 -> 6
    assert "table 三 row granted: columns add up to 7, total says 5" in flags


def test_outcomes_sum_to_handled_total() -> None:
    flags = flags_for([set_cell(T3, "2.重复申请", 9, "2")])
    assert "table 三 column total: outcomes add up to 15, total handled says 14" in flags


def test_table4_totals() -> None:
    bad = copy.deepcopy(T4)
    bad[-1][4] = "5"  # review total 3 -> 5
    flags = flags_for([bad])
    assert "table 四 review: upheld + corrected + other + pending = 3, total says 5" in flags
    assert not any("litigation" in f for f in flags)


def test_text_disagreeing_with_table() -> None:
    flags = flags_for([T3], text="2021年，本机关共收到政府信息公开申请 12 件。")
    assert "text says 12 requests received (共收到政府信息公开申请 12 件) while table 三 says 14" in flags
    assert flags_for([T3], text="2021年，本机关共收到政府信息公开申请 14 件。") == []
    flags = flags_for([T3, T4], text="本年度未发生政府信息公开行政复议案件。")
    assert any(f.startswith("text says 0 administrative reviews") and "table 四 says 3" in f for f in flags)


def test_document_date() -> None:
    msg = "document date falls before the end of the report year"
    assert msg in flags_for([], date="2021-06-30")
    assert msg not in flags_for([], date="2022-01-15")
    assert msg not in flags_for([], date=None)
