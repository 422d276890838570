"""extract/tables.py: HTML tables to grids (spans, nested and odd markup, the size bound) and text lines to
table rows, on small hand-written inputs whose grids can be read off the markup.

Every table number of an HTML report passes through html_tables_to_grids first: a span expanded one column
off, a header row dropped with its <thead>, or a cell's script text taken as its label moves numbers
between columns before extract.stats sees them. The mutation run (scripts/mutation.sh stats-grid) left
these paths unpinned.
"""

from __future__ import annotations

import logging

from lxml import etree

from extract.tables import (
    _label_line,
    _span,
    html_tables_to_grids,
    line_cells,
    table_too_large,
    text_tables_to_grids,
)


def grid(html: str) -> list[list[str]]:
    (g,) = html_tables_to_grids(html)
    return g


def test_span_attribute_values():
    td = etree.fromstring('<td rowspan="2行" colspan="abc"/>')
    assert _span(td, "rowspan", 500) == 2  # digits only
    assert _span(td, "colspan", 60) == 1  # no digits at all
    assert _span(etree.fromstring('<td rowspan=""/>'), "rowspan", 500) == 1
    assert _span(etree.fromstring("<td/>"), "rowspan", 500) == 1
    assert _span(etree.fromstring('<td rowspan="0"/>'), "rowspan", 500) == 1
    assert _span(etree.fromstring('<td rowspan="9999"/>'), "rowspan", 500) == 500


def test_cell_text_leaves_out_scripts_styles_and_comments():
    html = (
        "<table><tr><td>本年<script>var x = 1;</script>新收<style>p {color: red}</style>数量<!-- 注 -->合计"
        "<script>y()</script></td><td>3</td></tr></table>"
    )
    assert grid(html) == [["本年新收数量合计", "3"]]


def test_thead_tbody_tfoot_and_comments_between_rows_and_cells():
    html = (
        "<table><!-- 表头 --><thead><!-- r --><tr><th>信息内容</th><!-- c --><th>本年制发件数</th></tr></thead>"
        "<tbody><tr><td>规章</td><td>3</td></tr></tbody>"
        "<tfoot><tr><td>合计</td><td>3</td></tr></tfoot></table>"
    )
    assert grid(html) == [["信息内容", "本年制发件数"], ["规章", "3"], ["合计", "3"]]


def test_colspan_moves_the_next_cells_right():
    html = "<table><tr><td colspan='2'>申请人情况</td><td>总计</td><td>备注</td></tr><tr><td>1</td><td>2</td><td>3</td><td></td></tr></table>"
    assert grid(html) == [["申请人情况", "申请人情况", "总计", "备注"], ["1", "2", "3", ""]]  # an empty cell is ""


def test_an_element_given_instead_of_markup():
    div = etree.fromstring("<div><tr><td>不是表格</td></tr><table><tr><td>表格</td></tr></table></div>")
    assert html_tables_to_grids(div) == [[["表格"]]]  # the <div> itself is no table
    table = etree.fromstring("<table><tr><td>表格</td></tr></table>")
    assert html_tables_to_grids(table) == [[["表格"]]]


def test_unparsable_markup_is_no_table(caplog):
    with caplog.at_level(logging.DEBUG, logger="extract.tables"):
        assert html_tables_to_grids("<!-- only a comment -->") == []
    assert [r.getMessage() for r in caplog.records] == ["unparsable html: Document is empty"]


def _rows(n: int, cells: int = 1) -> str:
    return "".join("<tr>" + "<td>1</td>" * cells + "</tr>" for _ in range(n))


def test_a_span_ends_at_the_last_row():
    """rowspan=500 on the last of 100 rows covers that row only (as in browsers), so it costs no budget."""
    last = "<tr>" + "<td rowspan='500' colspan='60'>x</td>" * 5 + "</tr>"
    g = grid("<table>" + _rows(99) + last + "</table>")
    assert len(g) == 100 and len(g[0]) == 300 and g[-1][299] == "x"


def test_spans_beyond_the_bound_are_skipped_with_the_reason(caplog):
    big = ("<table><tr><td rowspan='500' colspan='60'>a</td><td rowspan='500' colspan='60'>b</td></tr>"
           + "<tr></tr>" * 499 + "</table>")
    small = "<table><tr><td>规章</td><td>3</td></tr></table>"
    skipped: list[str] = []
    with caplog.at_level(logging.INFO, logger="extract.tables"):
        assert html_tables_to_grids(big + small, skipped) == [[["规章", "3"]]]  # the next table is still read
    assert skipped == ["table of 500 rows with spans over more than 50,000 cells"]
    assert [r.getMessage() for r in caplog.records] == [
        "html table skipped: table of 500 rows with spans over more than 50,000 cells"
    ]
    assert html_tables_to_grids(big) == []  # no list given: skipped all the same
    assert table_too_large(etree.fromstring(big)) is True
    assert table_too_large(etree.fromstring(small)) is False


def test_exactly_the_bound_is_allowed():
    html = ("<table><tr><td rowspan='500' colspan='60'>a</td><td rowspan='500' colspan='40'>b</td></tr>"
            + "<tr></tr>" * 499 + "</table>")
    g = grid(html)
    assert len(g) == 500 and len(g[0]) == 100


def test_a_ragged_table_too_wide_for_the_bound():
    html = "<table>" + _rows(1, 1000) + _rows(60) + "</table>"
    skipped: list[str] = []
    assert html_tables_to_grids(html, skipped) == []
    assert skipped == ["table of 61 rows x 1000 columns"]


# --- text lines -------------------------------------------------------------------------------------


def test_pipe_rows_without_spaces():
    assert line_cells("|一、本年新收|3|") == ["一、本年新收", "3"]
    assert line_cells("|a|b|") == ["a", "b"]
    assert line_cells("a|b|c") == ["a", "b", "c"]


def test_label_line():
    assert _label_line("（三）不予公开")
    assert _label_line("甲")
    assert not _label_line("   ")
    assert _label_line("甲" * 30) and not _label_line("甲" * 31)
    assert not _label_line("说明：")  # ends like prose
    assert not _label_line("二、主动公开政府信息情况")  # a section heading ends a table
    assert not _label_line("其中。申请")


def test_a_label_on_its_own_line_joins_the_numbers_below():
    text = "（一）予以公开 1 0 0 0 0 0 1\n（二）部分公开\n2 0 0 0 0 0 2\n（七）总计 3 0 0 0 0 0 3"
    assert text_tables_to_grids(text) == [[
        ["（一）予以公开", "1", "0", "0", "0", "0", "0", "1"],
        ["（二）部分公开", "2", "0", "0", "0", "0", "0", "2"],
        ["（七）总计", "3", "0", "0", "0", "0", "0", "3"],
    ]]


def test_a_held_label_stays_a_row_of_its_own_before_tab_pipe_or_labelled_rows():
    tab = "（一）予以公开\t1\t1\n（三）不予公开\n1\t1\t1"
    assert text_tables_to_grids(tab) == [[["（一）予以公开", "1", "1"], ["（三）不予公开", "", ""], ["1", "1", "1"]]]
    pipe = "|（一）予以公开|1|1|\n（三）不予公开\n|1|1|1|"
    assert text_tables_to_grids(pipe) == [[["（一）予以公开", "1", "1"], ["（三）不予公开", "", ""], ["1", "1", "1"]]]
    spaced = "（一）予以公开 1 0 1\n（三）不予公开\n1.属于国家秘密 0 0 0"
    assert text_tables_to_grids(spaced) == [
        [["（一）予以公开", "1", "0", "1"], ["（三）不予公开", "", "", ""], ["1.属于国家秘密", "0", "0", "0"]]
    ]


def test_at_most_three_label_lines_are_held():
    text = "（一）予以公开 1 0 1\n甲\n乙\n丙\n3 0 3"  # the last held label takes the numbers below
    assert text_tables_to_grids(text) == [
        [["（一）予以公开", "1", "0", "1"], ["甲", "", "", ""], ["乙", "", "", ""], ["丙", "3", "0", "3"]]
    ]
    four = "（一）予以公开 1 0 1\n甲\n乙\n丙\n丁\n（二）部分公开 2 0 2"
    # a fourth label line ends the table: what follows is a new run (a lone row of four cells)
    assert text_tables_to_grids(four) == [[["（一）予以公开", "1", "0", "1"]], [["（二）部分公开", "2", "0", "2"]]]
