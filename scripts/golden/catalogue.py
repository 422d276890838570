"""Every golden document: its spec, how it is rendered, and what it is expected to give."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from demosites.binaries import report_docx
from demosites.report_template import esc

from .expected import fill_expected
from .html_doc import HtmlStyle, blank_cells, body_html, page_html
from .pdf import render_pdf, scanned_pdf
from .spec import AG, SEEDS, Spec
from .text import blocks

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- DOCX / DOC


def render_docx(s: Spec) -> bytes:
    """DOCX with merged-cell Word tables (python-docx `merge`)."""
    return report_docx(blocks(s), s.title)


def to_doc(docx_bytes: bytes, target: Path) -> bool:
    """DOCX -> Word 97 .doc through LibreOffice; False (file kept as committed) when soffice is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        logger.warning("soffice not found: keeping the committed %s", target.name)
        return target.exists()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.docx"
        src.write_bytes(docx_bytes)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        "doc:MS Word 97", "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        target.write_bytes((Path(tmp) / "in.doc").read_bytes())
    return True


# ---------------------------------------------------------------- decoys


DECOYS = [
    ("x01_work_summary", "凤阳县人民政府办公室2021年度政务公开工作总结", "fengyang_gov",
     "2021年，县政府办公室认真贯彻落实上级政务公开工作要点，现将全年政务公开工作总结如下。一、主要做法……二、存在不足……三、下一步工作打算。"
     "全年组织政务公开培训3次，推动基层政务公开标准化规范化建设。"),
    ("x02_notice", "关于认真做好2021年政府信息公开工作年度报告编制发布工作的通知", "pingnan_gov",
     "各乡镇人民政府，县直各单位：为做好2021年政府信息公开工作年度报告编制发布工作，根据国办公开办函〔2021〕30号要求，现将有关事项通知如下："
     "一、严格执行年度报告格式。二、按时报送，县直单位于2022年1月31日前在门户网站公开年度报告。三、加强审核把关。"),
    ("x03_half_year", "2022年上半年政府信息公开数据统计", "yangchun_gov",
     "2022年1月至6月，全市主动公开政府信息1203条，收到政府信息公开申请16件，办结14件。本统计为阶段性数据。"),
    ("x04_performance", "临朐县住房和城乡建设局2020年度整体支出绩效评价报告", "linqu_zj",
     "根据县财政局关于开展部门整体支出绩效评价工作的通知要求，我局对2020年度整体支出情况开展了绩效评价。一、部门基本情况。二、绩效目标完成情况。"
     "三、资金使用及管理情况：年度预算资金共计1865.3万元，执行率96.2%。四、存在的问题及改进措施。"),
    ("x05_guide", "醴陵市人民政府政府信息公开指南", "liling_gov",
     "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。一、主动公开：公开范围、公开形式、公开时限。"
     "二、依申请公开：受理机构、申请方式、办理流程。三、监督方式。凡需要获取本指南的公民，可在市政府政务服务中心查阅。"),
]


# ---------------------------------------------------------------- the catalogue


def catalogue() -> list[tuple[Spec, Callable[[Spec], bytes], dict[str, Any]]]:
    """Every generated document: its spec, how it is rendered, and render options."""
    out: list[tuple[Spec, Callable[[Spec], bytes], dict[str, Any]]] = []

    def html_doc(spec: Spec, st: HtmlStyle, *, charset: str = "utf-8") -> None:
        blanks = blank_cells(spec.numbers) if st.blanks and spec.form.startswith("form") else set()
        fill_expected(spec, blanks)
        spec.must_not_contain += ["您当前的位置", "扫一扫在手机打开当前页", "网站标识码"]
        spec.features += [k for k, v in vars(st).items() if v]

        def render(sp: Spec) -> bytes:
            page = page_html(sp, body_html(sp, st, blanks), charset=charset)
            return page.encode("gbk" if charset != "utf-8" else "utf-8")

        out.append((spec, render, {}))

    A = AG
    html_doc(Spec("h01_form2021_county", "html", A["huoshan"], 2021, "form2021", "2022-01-20", "2022-01-18", busy=True,
                  features=["plain §6 spans"]), HtmlStyle())
    html_doc(Spec("h02_form2021_nbsp_spans", "html", A["baokang_ny"], 2021, "form2021", "2022-02-18", "2022-02-16"),
             HtmlStyle(nbsp=True, span_digits=True))
    html_doc(Spec("h03_form2019_town_blank", "html", A["liangcheng"], 2020, "form2019", "2021-01-29", "2021-01-25"),
             HtmlStyle(br_headers=True, blanks=True))
    html_doc(Spec("h04_form2021_street_anhui", "html", A["erlang"], 2022, "form2021", "2023-01-30", "2023-01-28", busy=True),
             HtmlStyle(split_labels=True, junk_rows=True))
    html_doc(Spec("h05_form2019_dept_thead", "html", A["chunan_jy"], 2019, "form2019", "2020-01-21", "2020-01-20"),
             HtmlStyle(th_header=True, br_headers=True, nbsp=True))
    html_doc(Spec("h06_legacy_dept", "html", A["qingchuan_jt"], 2017, "legacy_table", "2018-03-12", "2018-03-10"),
             HtmlStyle())
    html_doc(Spec("h07_narrative_town", "html", A["hebao"], 2018, "narrative", "2019-02-26", "2019-02-20"), HtmlStyle())
    html_doc(Spec("h08_form2021_2023_county", "html", A["liling_gov"], 2023, "form2021", "2024-01-19", "2024-01-16",
                  busy=True), HtmlStyle(nbsp=True, blanks=True, junk_rows=True))
    html_doc(Spec("h09_form2021_town_split", "html", A["zhifang"], 2021, "form2021", "2022-01-27", "2022-01-24"),
             HtmlStyle(split_labels=True, br_headers=True, span_digits=True))
    html_doc(Spec("h10_form2019_county", "html", A["sunan_gov"], 2020, "form2019", "2021-01-26", "2021-01-22", busy=True),
             HtmlStyle(span_digits=True, blanks=True))
    html_doc(Spec("g01_gbk_form2021", "html", A["yiliang_sj"], 2022, "form2021", "2023-01-17", "2023-01-13"),
             HtmlStyle(nbsp=True), charset="gbk")
    html_doc(Spec("g02_gbk_narrative", "html", A["daying_xc"], 2019, "narrative", "2020-01-15", "2020-01-10"),
             HtmlStyle(), charset="gb2312")

    def pdf_doc(spec: Spec, **opts: Any) -> None:
        fill_expected(spec)
        running = opts.get("running")
        if running:
            spec.must_not_contain += [running, "—1—", "—2—"]
            spec.features += ["running header", "page numbers"]
        if opts.get("fake_bold", True):
            heading = "一、总体情况" if spec.form.startswith("form") else ("一、概述" if spec.form == "legacy_table"
                                                                       else "一、主动公开政府信息情况")
            spec.must_not_contain += [heading * 2, "一、一、"]
            spec.features.append("fake-bold headings (4x)")
        if spec.form.startswith("form"):
            spec.features.append("table 三 continues on the next page" +
                                 (" (header repeated)" if opts.get("repeat_header", True) else " (no header)"))
        out.append((spec, lambda sp, o=opts: render_pdf(sp, **o), opts))

    pdf_doc(Spec("p01_form2021_split_repeat", "pdf", A["laifeng"], 2021, "form2021", None, "2022-01-24", busy=True),
            repeat_header=True, running="来凤县人民政府信息公开专栏")
    pdf_doc(Spec("p02_form2019_split_norepeat", "pdf", A["jinan_gov"], 2019, "form2019", None, "2020-01-16", busy=True),
            repeat_header=False, running="晋安区政务公开·年度报告")
    pdf_doc(Spec("p03_narrative_fakebold", "pdf", A["zhangzi_gov"], 2018, "narrative", None, "2019-01-30"),
            running="长子县人民政府办公室主办", page_per_section=True)
    pdf_doc(Spec("p04_legacy_dept", "pdf", A["gaochun_wj"], 2016, "legacy_table", None, "2017-03-20"))
    pdf_doc(Spec("p05_form2021_dept_norepeat", "pdf", A["yangling_fg"], 2022, "form2021", None, "2023-01-12"),
            repeat_header=False, running="杨陵区发展和改革局政务公开专栏")
    pdf_doc(Spec("p06_form2021_town", "pdf", A["hebao"], 2023, "form2021", None, "2024-01-22"), repeat_header=True,
            fake_bold=False)

    scan = Spec("p07_scanned_narrative", "pdf", A["fengyang_gov"], 2019, "narrative", None, "2020-01-20")
    fill_expected(scan)
    scan.features.append("scanned: image-only PDF, needs OCR")
    out.append((scan, lambda sp: scanned_pdf(render_pdf(sp, running=None, fake_bold=False)), {}))

    def docx_doc(spec: Spec, kind: str = "docx") -> None:
        fill_expected(spec)
        spec.features.append("Word tables with merged cells" if spec.form.startswith("form") else "Word paragraphs")
        if kind != "docx":
            spec.features.append(f"binary .{kind} converted by LibreOffice")
        out.append((spec, render_docx, {"convert": kind}))

    docx_doc(Spec("d01_form2021_merged", "docx", A["pingnan_gov"], 2021, "form2021", None, "2022-01-25", busy=True))
    docx_doc(Spec("d02_form2019_merged", "docx", A["gaochun_wj"], 2020, "form2019", None, "2021-01-28"))
    docx_doc(Spec("d03_narrative", "docx", A["linqu_zj"], 2018, "narrative", None, "2019-01-31"))
    docx_doc(Spec("d04_legacy", "docx", A["yangchun_gov"], 2015, "legacy_table", None, "2016-03-25"))
    docx_doc(Spec("w01_form2021_doc", "doc", A["qingchuan_jt"], 2022, "form2021", None, "2023-01-16"), kind="doc")
    docx_doc(Spec("w02_narrative_wps", "wps", A["sunan_gov"], 2018, "narrative", None, "2019-01-28"), kind="wps")
    return out


def decoy_specs() -> list[tuple[Spec, bytes]]:
    out = []
    for name, title, ag, text in DECOYS:
        spec = Spec(name, "html", AG[ag], 2021, "decoy", "2022-03-01", None, title=title, is_report=False)
        body = f'<p style="text-align:center"><strong>{esc(title)}</strong></p>\n<p>{esc(text)}</p>'
        spec.features.append("decoy: not an annual report")
        out.append((spec, page_html(spec, body).encode("utf-8")))
    return out


def seed_documents() -> list[tuple[str, bytes, dict[str, Any]]]:
    """The five seeds as text documents, with the shared gold's fields (copied: the corpus is self-contained)."""
    gold = json.loads((SEEDS / "seeds.json").read_text(encoding="utf-8"))
    out = []
    for i, (fname, g) in enumerate(sorted((k, v) for k, v in gold.items() if not k.startswith("_"))):
        name = f"s{i:02d}_seed_{fname.split('_')[0]}"
        exp = {"file": f"{name}.txt", "features": [f"seed {fname}: {g.get('source_kind', '')}"], "is_report": True}
        for k in ("agency", "department", "region", "report_year", "published_at", "document_date", "form",
                  "text_must_contain", "text_must_not_contain", "stats"):
            if k in g:
                exp[k] = g[k]
        exp["stats_complete"] = False
        out.append((name, (SEEDS / fname).read_bytes(), exp))
    return out
