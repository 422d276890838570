"""Is this document a government information-disclosure annual report?

Report lists on county sites mix the reports with look-alikes: 政务公开工作总结,
notices about compiling the report (…编制发布工作的通知), the report *format*,
half-year statistics, 统计制度, 绩效评价报告, 政府信息公开指南/目录. The title
decides when there is one; the body's section headings support it, and decide
alone for a document without a title.
"""

from __future__ import annotations

import logging
import re

from extract.repair import normalize_chars

logger = logging.getLogger(__name__)

_REPORT_TITLE = re.compile(
    r"(政府信息公开|政务信息公开|信息公开|政务公开信息).{0,12}?(年度报告|年报|工作报告|年度总结|工作情况报告|情况报告)"
)
# (pattern, reason) — checked before the positive pattern
_DECOYS = [
    (re.compile(r"通知$|的通知|通知[（(]|公告$|函$"), "通知"),
    (re.compile(r"报告格式|年度报告模板|格式[（(]试行[)）]"), "年度报告格式"),
    (re.compile(r"上半年|下半年|[一二三四1-4]季度|\d{1,2}月份"), "上半年/季度统计"),
    (re.compile(r"统计制度"), "统计制度"),
    (re.compile(r"绩效评价|绩效自评|支出绩效"), "绩效评价报告"),
    (re.compile(r"(信息公开|政务公开)(指南|目录)"), "政府信息公开指南/目录"),
    (re.compile(r"政务公开工作总结|政务公开.{0,6}总结"), "工作总结"),
    (re.compile(r"(意见|方案|要点|办法|规定|制度|细则)(?:[（(][^）)]{0,8}[)）])?$"), "政策文件"),
    (re.compile(r"(要点|任务|工作)[^，。]{0,8}落实情况|落实情况的(函|报告)"), "工作要点落实情况"),
    (re.compile(r"范文|模板|模版|样本|样例|写法|怎么写|如何写"), "年度报告范文"),
    (re.compile(r"年度报告制度|年报制度|报告制度"), "年度报告制度"),
]
# The standard opening of a report (its first paragraph, with or without the title above it).
_OPENING = re.compile(
    r"本(?:年度)?报告(?:是)?(?:根据|依据|按照|由)|本报告(?:中)?所列数据的?统计期限|"
    r"(?:政府信息公开|政务公开)(?:工作)?年度报告(?:是)?(?:根据|依据|按照|由)"
)
# What a report's opening never says: letters, notices, forum posts and rule texts
_NOT_OPENING = re.compile(r"的函|现将.{0,20}(?:函告|报告如下|通知如下)|各(?:乡镇|街道|部门|单位)[，,：:]|第[一二三四五六七八九十]+条")
_BODY_HEADINGS = [
    "主动公开", "依申请公开", "行政复议", "行政诉讼", "存在的主要问题", "改进情况", "改进措施",
    "收到和处理政府信息公开申请", "政府信息管理", "平台建设", "监督保障", "总体情况",
]


def body_score(text: str) -> int:
    """How many of the report's usual section topics the body mentions."""
    head = normalize_chars(text[:30000])
    return sum(1 for h in _BODY_HEADINGS if h in head)


def classify(title: str | None, text: str) -> tuple[bool, str]:
    """(is_report, reason). The reason names the decoy kind when not a report."""
    t = re.sub(r"\s+", "", normalize_chars(title or ""))
    score = body_score(text)
    if t:
        for pattern, reason in _DECOYS:
            if pattern.search(t):
                return False, f"not a report: {reason}"
        if _REPORT_TITLE.search(t):
            if not re.search(r"(19|20)\d{2}", t) and text.strip() and score < 2:
                # '政府信息公开年报' with no year and no report body is a column page
                return False, "not a report: column page (no year, no report sections)"
            return True, "title names an information-disclosure annual report"
        if re.search(r"(信息公开|政务公开)", t) and re.search(r"(报告|年报)", t) and score >= 2:
            return True, "title and body sections of an annual report"
        if score >= 4 and re.search(r"(信息公开|政务公开|年报|年度报告)", t):
            return True, "body sections of an annual report"
        return False, "not a report: title is not an annual report"
    # no title: judge from the first lines and the body
    first = re.sub(r"\s+", "", normalize_chars("\n".join(text.strip().split("\n")[:6])))
    head = re.sub(r"\s+", "", normalize_chars(text[:1500]))
    if _NOT_OPENING.search(head[:600]):
        return False, "not a report: a letter, notice or rule text"
    m = _REPORT_TITLE.search(first)
    if m is None or m.start() < 30:  # a heading at the top names what the page is
        for pattern, reason in _DECOYS:
            if pattern.search(first[: (m.end() + 4) if m else 60]):
                return False, f"not a report: {reason}"
    opening = _OPENING.search(head)
    if opening and opening.start() < 200:  # the page starts with the report's first paragraph
        return True, "the standard opening of an annual report"
    if _REPORT_TITLE.search(first) and score >= 1:
        return True, "first lines name an annual report"
    if opening:
        return True, "the standard opening of an annual report"
    if score >= 4:
        return True, "body sections of an annual report"
    return False, "not a report: no annual-report title or sections"
