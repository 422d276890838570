"""Format sniffing and extractors: HTML decoding and metadata, PDF, DOCX, bad input never raising."""

from __future__ import annotations

import io
import zipfile

import pytest

from extract import Part, extract_bytes, extract_report
from extract.formats import sniff
from extract.formats.encoding import decode_bytes
from extract.record import SiteContext

BODY = (
    "<p>一、总体情况</p><p>2020年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "不断健全组织机构，完善工作机制，落实工作责任，政府信息公开工作取得了一定成效。</p>"
    "<p>二、主动公开政府信息情况</p><p>全年主动公开政府信息56条。</p>"
    "<p>三、收到和处理政府信息公开申请情况</p><p>全年受理依申请公开1件。</p>"
    "<p>四、行政复议、行政诉讼情况</p><p>无。</p>"
)


def trs_page(charset_meta: str = '<meta charset="utf-8">', body: str = BODY, extra: str = "") -> str:
    return f"""<!DOCTYPE html><html><head>{charset_meta}
<title>霍山县住房和城乡建设局2020年政府信息公开工作年度报告_霍山县人民政府</title>
<meta name="SiteName" content="霍山县人民政府"><meta name="SiteIDCode" content="3415250001">
<meta name="ArticleTitle" content="霍山县住房和城乡建设局2020年政府信息公开工作年度报告">
<meta name="PubDate" content="2021-01-29 10:46"><meta name="ColumnName" content="政府信息公开年报">
</head><body><div class="nav">首页 &gt; 信息公开 &gt; 年报</div>
<table class="xxgk"><tr><td>索 引 号：</td><td>11341525MB1234567X/2021-00012</td><td>发布机构：</td><td>霍山县住建局</td></tr>
<tr><td>成文日期：</td><td>2021-01-20</td><td>发布日期：</td><td>2021-01-29</td></tr></table>
<div class="TRS_Editor"><div class="Custom_UnionStyle">{body}</div></div>{extra}
<div class="footer">主办单位：霍山县人民政府办公室</div></body></html>"""


def test_html_utf8_page_metadata() -> None:
    rec = extract_bytes(trs_page().encode("utf-8"), url="http://www.hs.gov.cn/zwgk/202101/t20210129_1.html")
    assert rec.title == "霍山县住房和城乡建设局2020年政府信息公开工作年度报告"
    assert rec.is_report
    assert rec.agency == "霍山县住房和城乡建设局"
    assert rec.region.adcode == "341525" and rec.region.city == "六安市"
    assert rec.published_at == "2021-01-29"
    assert rec.document_date == "2021-01-20"  # 成文日期 when there is no signature
    assert rec.report_year == 2020
    assert rec.text_source == "html"
    assert "全年受理依申请公开1件" in rec.text
    assert "主办单位" not in rec.text and "索引号" not in rec.text.replace(" ", "")


def test_html_gbk_charset_only_in_meta() -> None:
    html = trs_page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    data = html.encode("gb18030")
    rec = extract_bytes(data, content_type="text/html")  # header without charset
    assert rec.title == "霍山县住房和城乡建设局2020年政府信息公开工作年度报告"
    assert "依申请公开" in rec.text


def test_html_no_charset_anywhere() -> None:
    html = trs_page("")
    assert extract_bytes(html.encode("gb18030")).title.startswith("霍山县住房和城乡建设局")
    assert extract_bytes(html.encode("utf-8")).title.startswith("霍山县住房和城乡建设局")
    text, enc = decode_bytes("汉字".encode("gbk"), html=True)
    assert (text, enc) == ("汉字", "gb18030")
    assert decode_bytes("\ufeff汉字".encode(), html=True)[0] == "汉字"


def test_html_siteidcode_placeholder_ignored_and_context_first() -> None:
    html = trs_page().replace('content="3415250001"', 'content="政府网站标识码"')
    ctx = SiteContext(name="长子县人民政府", adcode="140428")
    rec = extract_bytes(html.encode(), context=ctx)
    assert rec.region.adcode == "140428"  # registry wins
    rec2 = extract_bytes(html.encode())
    assert rec2.region.adcode == "341525"  # from the agency name


def test_html_attachments_including_script_links() -> None:
    from extract.formats.html import extract_html

    extra = (
        '<p><a href="./P020210129123456789012.pdf">附件1</a> '
        '<a href="/module/download/downfile.jsp?classid=0&filename=abc.docx">附件2</a>'
        '<a href="other.html">无关</a></p>'
        "<script>var att = '<a href=\"./P020160711317006236449.xlsx\">统计表</a>';"
        "document.write(att);</script>"
    )
    doc = extract_html(trs_page(extra=extra).encode(), url="http://x.gov.cn/a/202101/t20210129_1.html")
    urls = [a.url for a in doc.attachments]
    assert "http://x.gov.cn/a/202101/P020210129123456789012.pdf" in urls
    assert "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=abc.docx" in urls
    assert "http://x.gov.cn/a/202101/P020160711317006236449.xlsx" in urls
    assert not any(u.endswith("other.html") for u in urls)


def test_html_tables_as_grids() -> None:
    table = "<table><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr><tr><td>规章</td><td>0</td><td>0</td><td>3</td></tr></table>"
    rec = extract_bytes(trs_page(body=BODY + table).encode())
    assert rec.form == "form2021"
    assert "规章\t0\t0\t3" in rec.text  # table rows stay readable in the text


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"%PDF-1.4\n garbage garbage", b"PK\x03\x04 not a zip", b"\xd0\xcf\x11\xe0" + b"\0" * 100, bytes(range(256)) * 4],
)
def test_bad_input_never_raises(data: bytes) -> None:
    rec = extract_bytes(data, filename="x.pdf")
    assert rec.errors or rec.text == "" or not rec.is_report
    assert not rec.is_report


def test_corrupt_pdf_error_flag() -> None:
    rec = extract_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer<<>>\n%%EOF")
    assert rec.errors
    assert any(f.startswith("extraction failed:") for f in rec.flags)


def test_broken_doc_wps_says_why() -> None:
    # conversion itself: tests/test_extract_office.py
    rec = extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, filename="report.wps")
    assert any(e.startswith("DOC/WPS conversion") for e in rec.errors), rec.errors


def test_zip_bomb_docx_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<" + b"a" * (50 * 1024 * 1024) + b">")
    rec = extract_bytes(buf.getvalue(), filename="bomb.docx")
    assert any("docx refused" in e for e in rec.errors)
    assert any(f.startswith("extraction failed") for f in rec.flags)


def test_report_page_with_corrupt_pdf_is_still_a_report() -> None:
    page = trs_page(body='<p>附件：<a href="./P0202101.pdf">年度报告.pdf</a></p>').encode()
    rec = extract_report(
        [Part(page, "http://x.gov.cn/a/202101/t20210129_1.html", "text/html"),
         Part(b"%PDF-1.4 broken", "http://x.gov.cn/a/202101/P0202101.pdf", "application/pdf")]
    )
    assert rec.is_report
    assert rec.text == ""
    assert rec.errors and any(f.startswith("extraction failed") for f in rec.flags)
    assert rec.published_at == "2021-01-29"


# ---------------------------------------------------------------- PDF and DOCX made here


def _make_pdf() -> bytes:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    y = 800
    c.drawString(72, y, "某某县住房和城乡建设局2020年政府信息公开工作年度报告")
    y -= 30
    for dx in (0, 0.3, 0.6, 0.9):  # fake bold: the heading drawn four times, slightly shifted
        c.drawString(72 + dx, y, "一、总体情况")
    y -= 24
    c.drawString(72, y, "2020年，我局认真贯彻落实政府信息公开条例，不断健全组织机构，完善工作")
    y -= 18
    c.drawString(72, y, "机制，全年主动公开政府信息56条，受理依申请公开1件。")
    y -= 24
    c.drawString(72, y, "二、依申请公开情况")
    c.drawString(290, 40, "- 1 -")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_reportlab_pdf_fake_bold_and_line_break() -> None:
    data = _make_pdf()
    assert sniff(data) == "pdf"
    rec = extract_bytes(data, filename="r.pdf")
    assert rec.text_source == "pdf"
    assert not rec.errors, rec.errors
    flat = rec.text.replace(" ", "")
    assert "一、总体情况" in flat and "一、一、" not in flat and "总体情况总体情况" not in flat
    assert "完善工作机制" in flat  # the hard line break is joined
    assert "-1-" not in flat
    assert rec.report_year == 2020 and rec.is_report


def test_pdf_without_text_layer_needs_ocr() -> None:
    pytest.importorskip("reportlab")
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 200, 200, fill=1)
    c.showPage()
    c.save()
    rec = extract_bytes(buf.getvalue())
    assert any(e.startswith("needs OCR") for e in rec.errors)
    assert "needs OCR" in rec.flags


def test_docx_paragraphs_tables_merged_cells() -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("某某县2020年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    t = d.add_table(rows=2, cols=3)
    a = t.cell(0, 0).merge(t.cell(0, 1))
    a.text = "申请人情况"
    t.cell(0, 2).text = "总计"
    t.cell(1, 0).text = "自然人"
    t.cell(1, 1).text = "1"
    t.cell(1, 2).text = "1"
    d.add_paragraph("二、主动公开情况")
    buf = io.BytesIO()
    d.save(buf)
    from extract.formats.docx import extract_docx

    doc = extract_docx(buf.getvalue())
    # grids keep merged text in every covered column (aligned like HTML spans); the text lists it once
    assert doc.tables == [[["申请人情况", "申请人情况", "总计"], ["自然人", "1", "1"]]]
    lines = doc.text.split("\n")
    assert lines.index("一、总体情况") < lines.index("申请人情况\t总计") < lines.index("二、主动公开情况")
    rec = extract_bytes(buf.getvalue(), filename="r.docx")
    assert rec.text_source == "docx" and rec.report_year == 2020


def test_hanweb_content_markers_and_site_title() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>周村区人民政府</title>
<meta name="SiteIDCode" content="3703060001"><meta name="PubDate" content="2018-01-30 09:00">
</head><body><div class="menu">网站首页 政务公开 互动交流</div>
<table><tr><td>索引号：</td><td>11370306004321/2018-00042</td><td>发文日期：</td><td>2018-01-30</td></tr></table>
<td class="bt_content"><meta name="ContentStart"><p>周村区住房和城乡建设局2017年度政府信息公开工作年度报告</p>{BODY}
<meta name="ContentEnd"></td><div>打印本页 关闭窗口</div></body></html>"""
    rec = extract_bytes(page.encode(), url="http://www.zhoucun.gov.cn/art/2018/1/30/art_123_456.html")
    assert rec.title == "周村区住房和城乡建设局2017年度政府信息公开工作年度报告"  # not the site name
    assert rec.agency == "周村区住房和城乡建设局" and rec.region.adcode == "370306"
    assert rec.report_year == 2017 and rec.published_at == "2018-01-30"
    assert "网站首页" not in rec.text and "打印本页" not in rec.text


def test_page_without_known_container_uses_trafilatura() -> None:
    paras = "".join(f"<p>{s}</p>" for s in [
        "一、总体情况。2021年，我县认真贯彻落实政府信息公开条例，不断加强组织领导，完善工作机制，推进重点领域信息公开。",
        "二、主动公开政府信息情况。全年主动公开政府信息1200条，其中政策文件56件，政策解读23篇，回应关切15次。",
        "三、收到和处理政府信息公开申请情况。全年收到申请32件，均已按期答复，无逾期情况发生。",
        "四、政府信息公开行政复议、行政诉讼情况。全年未发生因政府信息公开引起的行政复议和行政诉讼。",
        "五、存在的主要问题及改进情况。公开内容的及时性有待提高，下一步将加强培训，提升公开质量。",
    ])
    page = f"""<html><head><meta charset="utf-8"><title>某某县2021年政府信息公开工作年度报告_某某县人民政府</title></head>
<body><header><a href="/">首页</a> <a href="/zwgk/">政务公开</a></header><main><article><h1>某某县2021年政府信息公开工作年度报告</h1>
{paras}</article></main><footer>版权所有：某某县人民政府 网站标识码 1234560001</footer></body></html>"""
    rec = extract_bytes(page.encode())
    assert rec.title == "某某县2021年政府信息公开工作年度报告"
    assert "全年收到申请32件" in rec.text
    assert "版权所有" not in rec.text
    assert rec.is_report and rec.report_year == 2021
