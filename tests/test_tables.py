"""extract.tables: HTML tables and tab-separated text as grids of cell text."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from extract.tables import clean_cell, html_tables_to_grids, text_tables_to_grids

FIXTURES = Path(__file__).parent / "fixtures" / "tables"
SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def test_spans_are_copied_into_every_covered_slot() -> None:
    html = """<table>
      <tr><td rowspan="2">A</td><td colspan="2">B</td></tr>
      <tr><td>1</td><td>2</td></tr>
      <tr><td>x</td><td colspan="2" rowspan="1">C</td></tr>
    </table>"""
    assert html_tables_to_grids(html) == [[["A", "B", "B"], ["A", "1", "2"], ["x", "C", "C"]]]


def test_cell_text_normalised() -> None:
    html = """<table><tr>
      <td>本年新<br />制作数量</td><td>&nbsp;</td><td>1<span>2</span></td>
      <td><p>规\u3000\u3000章</p></td><td>  a&nbsp; b </td><td><span>2</span><span>1</span>元</td>
    </tr></table>"""
    assert html_tables_to_grids(html) == [[["本年新制作数量", "", "12", "规章", "a b", "21元"]]]


def test_nested_tables_are_first_class_and_not_double_counted() -> None:
    html = """<table class="layout"><tr><td>title<table><tr><td>in1</td><td>in2</td></tr></table>after</td></tr>
      <tr><td><table><tr><td>only</td></tr></table></td></tr></table>"""
    grids = html_tables_to_grids(html)
    assert [["in1", "in2"]] in grids
    assert [["only"]] in grids
    outer = [g for g in grids if g[0][0].startswith("title")]
    assert outer == [[["titleafter"], [""]]]  # the inner text is not repeated in the outer grid
    # an outer table that only wraps others (no text of its own) is dropped
    assert html_tables_to_grids("<table><tr><td><table><tr><td>z</td></tr></table></td></tr></table>") == [
        [["z"]]
    ]


def test_accepts_an_element_and_ragged_rows_are_padded() -> None:
    root = lxml_html.fromstring("<div><table><tr><td>a</td></tr><tr><td>b</td><td>c</td></tr></table></div>")
    assert html_tables_to_grids(root) == [[["a", ""], ["b", "c"]]]


def test_bad_input_gives_no_grids() -> None:
    assert html_tables_to_grids("") == []
    assert html_tables_to_grids("<p>no table</p>") == []
    assert (
        html_tables_to_grids('<table><tr><td rowspan="x" colspan="99999">v</td></tr></table>')[0][0][0] == "v"
    )


def test_fixture_form2021_grids() -> None:
    grids = html_tables_to_grids((FIXTURES / "form2021.html").read_text(encoding="utf-8"))
    assert len(grids) == 3
    t3 = grids[1]
    assert t3[0][:4] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3 + [
        "申请人情况"
    ]
    assert t3[2][3:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert t3[3][-1] == "14"  # "1<span>4</span>"
    row = next(r for r in t3 if "1.属于国家秘密" in r)
    assert row[:3] == ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]
    assert row[5] == ""  # &nbsp; -> blank


def test_text_tables_from_seed_003() -> None:
    grids = text_tables_to_grids((SEEDS / "003_cbc6ccbd10d2d8f2.txt").read_text(encoding="utf-8"))
    assert len(grids) == 3
    t2, t3, t4 = grids
    assert t2[2][:4] == ["规章", "0", "0", "0"]
    assert t3[3][0] == "一、本年新收政府信息公开申请数量"
    assert all(len(r) == len(t3[0]) for r in t3)
    assert t4[-1] == ["0"] * 15


def test_text_tables_need_two_lines_or_three_cells() -> None:
    assert text_tables_to_grids("a\tb\nprose\n") == []
    assert text_tables_to_grids("a\tb\tc\n") == [[["a", "b", "c"]]]
    assert text_tables_to_grids("x\n a \t b\nc\td\t\n") == [[["a", "b", ""], ["c", "d", ""]]]


def test_clean_cell() -> None:
    assert clean_cell("\u3000 2 \u00a0") == "2"
    assert clean_cell("行政 许可") == "行政许可"
    assert clean_cell("a  b") == "a b"


def test_encoding_declaration_and_bytes() -> None:
    doc = '<?xml version="1.0" encoding="utf-8"?><html><body><table><tr><td>总计</td></tr></table></body></html>'
    assert html_tables_to_grids(doc) == [[["总计"]]]
    assert html_tables_to_grids(doc.encode("utf-8")) == [[["总计"]]]
