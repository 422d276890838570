"""extract/repair.py rule by rule: the boundaries and branches a mutation run (scripts/mutation.sh repair)
showed no test pinned. tests/test_extract_repair.py shows each repair on realistic text; these pin the
exact limits (a 120-character chrome line, the 80th-percentile wrap width, 4 open lines, 0.7 of the width),
and collapse_fake_bold against a plain re-statement of its rule on generated lines (its fast path skips
positions that cannot start a unit; that must never change the result).
"""

from __future__ import annotations

import logging
import random
import re

import pytest

import extract.repair as repair
from extract.repair import (
    _CN_NUM,
    _HAS_CJK2,
    _MARKER,
    _MAX_UNIT,
    _collapse_line,
    _ends_sentence,
    _primitive,
    _width,
    collapse_fake_bold,
    join_broken_lines,
    looks_hard_wrapped,
    normalize_chars,
    repair_text,
    strip_chrome,
    strip_page_numbers,
    tidy_whitespace,
)

OPEN10 = "一二三四五六七八九十"  # 10 characters, no sentence end
SHUT10 = "一二三四五六七八九。"  # 10 characters, ends a sentence

# ---------------------------------------------------------------- characters


@pytest.mark.parametrize(("raw", "clean"), [
    ("\u2f00\u2fd5", "一龠"),  # first and last Kangxi radical
    ("\uf900", "\u8c48"),  # first CJK compatibility ideograph
    ("\U0002f800", "\u4e3d"),  # first of the supplement
    ("\uff10\uff19", "09"), ("\uff21\uff3a", "AZ"), ("\uff41\uff5a", "az"),
    ("a\u200bb\ufeffc", "abc"),  # zero-width characters vanish
    ("a\u3000b\u00a0c\u2002d\u2003e\u2009f", "a b c d e f"),
    ("a\r\nb\rc\nd", "a\nb\nc\nd"),
    ("\u2e80\uff1a\ufb00", "\u2e80\uff1a\ufb00"),  # no compatibility mapping, or outside the ranges: kept
])
def test_normalize_chars_ranges(raw, clean):
    assert normalize_chars(raw) == clean


# ---------------------------------------------------------------- chrome and page numbers


def test_chrome_lines_up_to_120_characters():
    line = "当前位置：首页 > " + "栏" * 110
    assert len(line) == 120 and strip_chrome(f"正文\n{line}\n正文") == "正文\n正文"
    longer = line + "栏"  # a paragraph that merely starts like a breadcrumb is text
    assert strip_chrome(f"正文\n{longer}\n正文") == f"正文\n{longer}\n正文"


def test_page_number_lines_with_a_tab_are_table_rows():
    assert strip_page_numbers("正文\n- 2 -\t\n正文", bare=False) == "正文\n- 2 -\t\n正文"
    assert strip_page_numbers("正文\n7\t\n正文", bare=True) == "正文\n7\t\n正文"


# ---------------------------------------------------------------- fake bold


def test_undouble_limits():
    assert collapse_fake_bold("加加强强组组织织") == "加强组织"  # 8 characters, 4 of them CJK: the minimum
    assert collapse_fake_bold("11、、加加强强") == "1、加强"
    assert collapse_fake_bold("11、、加加") == "11、、加加"  # too short
    assert collapse_fake_bold("1122、、加加") == "1122、、加加"  # only 2 CJK characters
    assert collapse_fake_bold("加加强强组组织织\n领领导导小小组组") == "加强组织\n领导小组"  # line by line


def reference_collapse(line: str) -> str:
    """collapse_fake_bold's rule (its docstring), position by position with no shortcut."""
    out, i, n = [], 0, len(line)
    while i < n:
        for size in range(2, min(_MAX_UNIT, (n - i) // 2) + 1):
            unit = line[i : i + size]
            if line[i + size : i + 2 * size] != unit or not _primitive(unit) or unit.strip() != unit:
                continue
            k = 2
            while line[i + k * size : i + (k + 1) * size] == unit:
                k += 1
            marker = bool(_MARKER.match(unit))
            starts_marker = bool(re.match(rf"^(?:[{_CN_NUM}]+、|[（(][{_CN_NUM}\d]+[）)])", unit))
            cjk2 = bool(_HAS_CJK2.search(unit))
            if (marker and k >= 2) or (k >= 3 and cjk2) or (k >= 2 and starts_marker and len(unit) >= 4 and i == 0):
                out.append(unit)
                i += k * size
                break
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


PIECES = ["一、", "（一）", "(二)", "1、", "2.", "一是", "第三章", "加强组织领导", "政务公开", "哈哈", "常常", "xy", "x",
          "000", " ", "。", "，", "ab", "十、", "（十二）", "公开", "信息"]


def _lines(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 6)):
            piece = rng.choice(PIECES)
            if rng.random() < 0.15:
                piece = rng.choice("xa0 ") * rng.randint(20, 130)  # a long run far from any signal
            parts.append(piece * rng.choice([1, 1, 2, 2, 3, 4]))
        lines.append("".join(parts))
    return lines


def test_collapse_matches_the_rule_on_generated_lines():
    for line in _lines(16, 700):
        assert _collapse_line(line) == reference_collapse(line), line


@pytest.mark.parametrize(("line", "collapsed"), [
    ("一、一、加强领导", "一、加强领导"),  # a marker twice
    ("加强领导加强领导加强领导", "加强领导"),  # a CJK unit three times
    ("加强领导加强领导", "加强领导加强领导"),  # ... twice is not enough
    ("一、加强一、加强正文", "一、加强正文"),  # a heading-led unit twice at the start of a line
    ("正文一、加强一、加强", "正文一、加强一、加强"),  # ... not inside one
    ("（一）工作（一）工作", "（一）工作"),
    ("一、加一、加", "一、加一、加"),  # heading-led but shorter than 4
    ("哈哈哈哈哈哈", "哈哈哈哈哈哈"), ("abab", "abab"), ("x" * 300 + "加强领导" * 3, "x" * 300 + "加强领导"),
    ("一、", "一、"), ("一、一", "一、一"),
], ids=lambda v: v if len(v) < 20 else f"{v[:8]}…{len(v)}")
def test_collapse_examples(line, collapsed):
    assert _collapse_line(line) == collapsed == reference_collapse(line)


# ---------------------------------------------------------------- sentence ends and wrapping


@pytest.mark.parametrize(("line", "ends"), [
    ("结束。", True), ("结束。  ", True), ("结束。”", True), ("结束？）】", True), ("。”", True), ("。", True),
    ("结束”", False), ("”", False), ("）", False), ("结束；", False), ("", False), ("  ", False), ("结束", False),
])
def test_ends_sentence(line, ends):
    assert _ends_sentence(line) is ends


def test_wrap_width_is_the_80th_percentile():
    assert _width(["字" * n for n in range(1, 11)]) == 8.0
    assert _width(["字" * 5]) == 5.0
    assert _width([]) == 0.0


def _text(*lines: str) -> str:
    return "\n".join(lines)


def test_hard_wrapped_needs_six_lines_and_a_width_of_ten():
    assert looks_hard_wrapped(_text(*[OPEN10] * 6))
    assert not looks_hard_wrapped(_text(*[OPEN10] * 5))
    assert not looks_hard_wrapped(_text(*[OPEN10] * 5, "", "", "", "\t"))  # blank and table lines do not count
    assert not looks_hard_wrapped(_text(*[OPEN10[:9]] * 6))
    assert not looks_hard_wrapped(_text(*["一二三四五 六七八九十"] * 5))  # spaces do not split lines


def test_hard_wrapped_ignores_table_rows():
    rows = ["1\t2\t3"] * 2
    assert not looks_hard_wrapped(_text(*[OPEN10] * 4, *rows))


def test_hard_wrapped_counts_open_lines_among_long_ones():
    assert looks_hard_wrapped(_text(*[OPEN10] * 4, *[SHUT10] * 2))  # exactly 4 open of 6
    assert looks_hard_wrapped(_text(*[OPEN10] * 4, *[SHUT10] * 4))  # exactly half
    assert not looks_hard_wrapped(_text(*[OPEN10] * 3, *[SHUT10] * 3))  # fewer than 4
    assert not looks_hard_wrapped(_text(*[OPEN10] * 4, *[SHUT10] * 6))  # fewer than half
    # lines of exactly 0.7 of the width are long: 5 open 7-character lines against 5 closed full ones
    assert looks_hard_wrapped(_text(*[OPEN10[:7]] * 5, *[SHUT10] * 5))
    # short open lines are not counted
    assert not looks_hard_wrapped(_text(*[OPEN10[:3]] * 5, *[SHUT10] * 5))


def test_join_width_ignores_tables_and_blank_lines():
    rows = ["表" * 20 + "\t" + "格" * 20] * 3
    assert join_broken_lines(_text(OPEN10, OPEN10, *rows), force=True) == _text(OPEN10 + OPEN10, *rows)


def test_join_never_continues_a_table_row():
    assert join_broken_lines(_text(OPEN10, "1\t2", OPEN10, OPEN10), force=True) == _text(OPEN10, "1\t2",
                                                                                        OPEN10 + OPEN10)


def test_join_a_line_of_exactly_seven_tenths_of_the_width():
    text = _text(*[SHUT10] * 4, OPEN10[:7], "续行")
    assert join_broken_lines(text, force=True) == _text(*[SHUT10] * 4, OPEN10[:7] + "续行")
    shorter = _text(*[SHUT10] * 4, OPEN10[:6], "续行")
    assert join_broken_lines(shorter, force=True) == shorter


# ---------------------------------------------------------------- whitespace


@pytest.mark.parametrize(("raw", "tidy"), [
    ("a\n\n\n\nb", "a\n\nb"),
    ("\n\na\n\nb\n\n", "a\n\nb"),
    ("a b\nc", "a b\nc"),
    ("  a  \n  b", "a\nb"),
    ("  x\ty   \nb", "  x\ty\nb"),  # table rows keep their leading spaces, lose trailing ones
    ("\tb\nc", "\tb\nc"),
    ("Xa\nbX", "Xa\nbX"),
])
def test_tidy_whitespace(raw, tidy):
    assert tidy_whitespace(raw) == tidy


# ---------------------------------------------------------------- the whole pipeline


def test_repair_text_names_each_repair_that_changed_the_text():
    text = "当前位置：首页\n\uff12\uff10\uff12\uff10年\n- 2 -\n一、一、一、加强领导\n丌断迚行，公开不保密"
    out, applied = repair_text(text)
    assert applied == ["normalize_chars", "strip_chrome", "strip_page_numbers", "collapse_fake_bold", "fix_font_map"]
    assert out == "2020年\n一、加强领导\n不断进行，公开与保密"


def test_repair_text_joins_lines_of_a_pdf_only():
    text = _text(OPEN10, OPEN10, "完。")
    assert repair_text(text, kind="pdf") == (OPEN10 * 2 + "完。", ["join_broken_lines"])
    assert repair_text(text, kind="html") == (text, [])


def test_a_failing_repair_is_skipped_and_logged(monkeypatch, caplog):
    def boom(text):
        raise ValueError("boom")

    monkeypatch.setattr(repair, "strip_chrome", boom)
    with caplog.at_level(logging.WARNING, logger="extract.repair"):
        out, applied = repair_text("当前位置：首页\n- 2 -\n正文")
    assert out == "当前位置：首页\n正文" and applied == ["strip_page_numbers"]
    assert [r.getMessage() for r in caplog.records] == ["repair strip_chrome failed: boom"]
