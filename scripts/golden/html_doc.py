"""Golden HTML documents: the report template's HTML with one CMS editor's quirks, inside a TRS-style page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from demosites.forms import Numbers, rng_for
from demosites.report_template import blocks_html, esc, html_rows, table3_layout, table4_rows, table_html, td

from .spec import Spec
from .text import blocks

BR_HEADS = {"商业企业": "商业<br />企业", "科研机构": "科研<br />机构", "社会公益组织": "社会公益<br />组织",
            "法律服务机构": "法律服务<br />机构"}


@dataclass
class HtmlStyle:
    """How a CMS editor mangled the tables (site-patterns §6 and field notes)."""

    nbsp: bool = False  # numbers padded with &nbsp;
    span_digits: bool = False  # '1<span>2</span>' numbers split across spans
    br_headers: bool = False  # 本年新<br />制作数量 and 2-line table-三 column heads
    split_labels: bool = False  # Anhui/TRS: table-三 row labels broken over <p>/<br> lines
    blanks: bool = False  # zero cells of three small columns left empty
    junk_rows: bool = False  # label-less rows: an empty spacer row and a bare note row
    th_header: bool = False  # header rows as <th> inside <thead>


def blank_cells(n: Numbers) -> set[tuple[str, int]]:
    """Zero cells of 科研机构/社会公益组织/法律服务机构 that a sloppy editor leaves empty."""
    return {(k, c) for k, v in n.table3.items() for c in (2, 3, 4) if v[c] == 0}


def _num_cell(v: int, st: HtmlStyle, blank: bool, rng: Any) -> str:
    if blank:
        return "<td>&nbsp;</td>" if st.nbsp else "<td></td>"
    text = str(v)
    if st.span_digits and len(text) >= 2:
        text = f'<span style="font-size:12px">{text[0]}</span><span style="font-size:12px">{text[1:]}</span>'
    elif st.span_digits:
        text = f'<span lang="EN-US"><span style="font-family:宋体">{text}</span></span>'
    if st.nbsp and rng.random() < 0.6:
        text = f"&nbsp;{text}&nbsp;"
    return f'<td align="center">{text}</td>'


def _label(text: str, st: HtmlStyle, colspan: int, rowspan: int) -> str:
    body = esc(text)
    if st.split_labels and len(text) > 8:
        cut = len(text) // 2
        body = f"<p>{esc(text[:cut])}</p><p>{esc(text[cut:])}</p>"
    return td(body, colspan, rowspan)


def table3_html(n: Numbers, st: HtmlStyle, blanks: set[tuple[str, int]], seed: str) -> str:
    """Table 三 with the §6 spans, rendered with one editor's quirks."""
    rng = rng_for("t3html", seed)
    tag = "th" if st.th_header else "td"
    heads = BR_HEADS if st.br_headers else {}
    head: list[str] = []
    body: list[str] = []
    for key, cells in table3_layout(n):
        if key is None:
            head.append("<tr>" + "".join(td(heads.get(text, esc(text)), cs, rs, tag) for text, cs, rs in cells) + "</tr>")
            continue
        labels = "".join(_label(text, st, cs, rs) for text, cs, rs in cells)
        nums = "".join(_num_cell(v, st, (key, c) in blanks, rng) for c, v in enumerate(n.table3[key]))
        body.append(f"<tr>{labels}{nums}</tr>")
    if st.junk_rows:
        body.append('<tr><td colspan="3">&nbsp;</td>' + "<td>&nbsp;</td>" * 7 + "</tr>")
        body.append('<tr><td colspan="10">注：本表数据由各承办科室报送，“总计”列为各列之和。</td></tr>')
    if st.th_header:
        return ('<table border="1" class="MsoTableGrid"><thead>\n' + "\n".join(head) + "\n</thead><tbody>\n"
                + "\n".join(body) + "\n</tbody></table>")
    return table_html(head + body, '<table border="1" cellspacing="0" cellpadding="0" class="MsoTableGrid">')


def table4_html(n: Numbers, st: HtmlStyle, seed: str) -> str:
    rng = rng_for("t4html", seed)
    nums = "<tr>" + "".join(_num_cell(v, st, False, rng) for v in n.table4) + "</tr>"
    return table_html([*html_rows(table4_rows(n)[:3]), nums], '<table border="1" cellspacing="0" cellpadding="0">')


def body_html(s: Spec, st: HtmlStyle, blanks: set[tuple[str, int]]) -> str:
    title = f'<p style="text-align:center"><strong>{esc(s.title)}</strong></p>'
    tables = {"t3": lambda n: table3_html(n, st, blanks, s.name), "t4": lambda n: table4_html(n, st, s.name)}
    return title + "\n" + blocks_html(blocks(s), br_headers=st.br_headers, tables=tables)  # type: ignore[dict-item]


def page_html(s: Spec, body: str, *, charset: str = "utf-8", meta_block: bool = True) -> str:
    """A TRS-style detail page: §2 meta tags, breadcrumb, §3 metadata block, body, footer."""
    a = s.agency
    pub = s.published_at or ""
    metas = {"SiteName": a.site_name, "SiteDomain": "www.example.gov.cn", "SiteIDCode": f"{a.adcode}0001",
             "ColumnName": "政府信息公开年报", "ArticleTitle": s.title}
    if pub:
        metas["PubDate"] = f"{pub} 09:30"
    meta_html = "".join(f'<meta name="{k}" content="{esc(v)}">\n' for k, v in metas.items())
    head = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset != "utf-8"
            else '<meta charset="utf-8">')
    block = ""
    if meta_block:
        block = (f'<table class="xxgk_table"><tr><td>索 引 号：</td><td>{a.adcode}001/{s.year + 1}-00{len(s.name)}17</td>'
                 f"<td>发布机构：</td><td>{esc(a.name)}</td></tr>"
                 f"<tr><td>发布日期：</td><td>{pub}</td><td>主题分类：</td><td>政务公开</td></tr></table>")
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{head}\n<title>{esc(s.title)}_{esc(a.site_name)}</title>\n{meta_html}</head>\n<body>\n"
            f'<div class="header"><div class="logo">{esc(a.site_name)}</div><ul class="nav"><li><a href="/">首页</a></li>'
            f'<li><a href="/xxgk/">信息公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>\n'
            f'<div class="crumb">您当前的位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; 政府信息公开年报</div>\n'
            f"{block}\n"
            f'<div class="TRS_Editor"><div class="Custom_UnionStyle">\n{body}\n</div></div>\n'
            f'<div class="footer"><p>主办单位：{esc(a.site_name)}办公室　网站标识码：{a.adcode}0001</p>'
            f"<p>扫一扫在手机打开当前页</p></div>\n</body>\n</html>\n")


