"""The codebook as the export needs it: every statistic key with label, gloss, unit and forms.

Why a module of its own: the canonical table lives in `extract.stats.keys.CODEBOOK` (owned by the
extract side, whose shape may still change), and the export must not break when it moves or is
missing. `load_codebook()` adapts whatever shape it finds and, if it cannot, falls back to a table
derived here from `spec/metrics.md` (core, table 二/三/四 keys; no `legacy.*` names).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

ALL_FORMS = ("form2021", "form2019", "legacy_table", "narrative")
_BOTH = ("form2019", "form2021")


@dataclass(frozen=True)
class KeyInfo:
    """One statistic key of the codebook."""

    key: str
    label_zh: str
    label_en: str
    unit: str
    forms: tuple[str, ...]


def _entry(key: str, value: Any) -> KeyInfo | None:
    """Read one CODEBOOK value: a (label, gloss, unit, forms) tuple, a mapping or an object."""
    if isinstance(value, (tuple, list)) and len(value) >= 4:
        label, gloss, unit, forms = value[:4]
    elif isinstance(value, Mapping):
        label = value.get("label") or value.get("label_zh") or value.get("zh")
        gloss = value.get("gloss") or value.get("label_en") or value.get("en")
        unit, forms = value.get("unit"), value.get("forms")
    elif hasattr(value, "unit"):
        label = getattr(value, "label", None) or getattr(value, "label_zh", None)
        gloss = getattr(value, "gloss", None) or getattr(value, "label_en", None)
        unit, forms = value.unit, getattr(value, "forms", None)
    else:
        return None
    if label is None and gloss is None:
        return None
    if isinstance(forms, str):
        forms = (forms,)
    return KeyInfo(key, str(label or ""), str(gloss or ""), str(unit or ""), tuple(forms or ()))


def load_codebook() -> tuple[dict[str, KeyInfo], str]:
    """The codebook keyed by statistic key, and where it came from (for the README)."""
    try:
        from extract.stats.keys import CODEBOOK
    except Exception as exc:  # missing or broken module: the export still works
        logger.warning("extract.stats.keys.CODEBOOK not importable (%s); using the built-in table", exc)
        return fallback_codebook(), "built-in table derived from spec/metrics.md (extract.stats.keys unavailable)"
    book: dict[str, KeyInfo] = {}
    if isinstance(CODEBOOK, Mapping):
        for key, value in CODEBOOK.items():
            info = _entry(str(key), value)
            if info is not None:
                book[str(key)] = info
    if not book or not any(k.startswith("core.") for k in book):
        logger.warning("extract.stats.keys.CODEBOOK has an unexpected shape; using the built-in table")
        return fallback_codebook(), "built-in table derived from spec/metrics.md (CODEBOOK shape not recognised)"
    return book, "extract.stats.keys.CODEBOOK"


# --- fallback, transcribed from spec/metrics.md -----------------------------------------------------

_REQ_COLUMNS = {
    "natural_person": ("自然人", "natural persons"),
    "commercial": ("商业企业", "commercial enterprises"),
    "research": ("科研机构", "research institutions"),
    "public_interest": ("社会公益组织", "public-interest organisations"),
    "legal_service": ("法律服务机构", "legal-service organisations"),
    "other_org": ("其他", "other organisations"),
    "total": ("总计", "total"),
}
_REQ_ROWS = {
    "new": ("一、本年新收政府信息公开申请数量", "requests received this year"),
    "carried_over": ("二、上年结转政府信息公开申请数量", "requests carried over from last year"),
    "granted": ("三（一）予以公开", "disclosed in full"),
    "partial": ("三（二）部分公开", "disclosed in part"),
    "denied_state_secret": ("三（三）1.属于国家秘密", "refused: state secret"),
    "denied_prohibited_by_law": ("三（三）2.其他法律行政法规禁止公开", "refused: prohibited by law"),
    "denied_security_stability": ("三（三）3.危及“三安全一稳定”", "refused: security/stability"),
    "denied_third_party": ("三（三）4.保护第三方合法权益", "refused: third-party rights"),
    "denied_internal_affairs": ("三（三）5.属于三类内部事务信息", "refused: internal affairs"),
    "denied_process_info": ("三（三）6.属于四类过程性信息", "refused: process information"),
    "denied_enforcement_file": ("三（三）7.属于行政执法案卷", "refused: enforcement file"),
    "denied_admin_query": ("三（三）8.属于行政查询事项", "refused: administrative query"),
    "unavailable_not_held": ("三（四）1.本机关不掌握相关政府信息", "unavailable: not held"),
    "unavailable_needs_creation": ("三（四）2.没有现成信息需要另行制作", "unavailable: needs creation"),
    "unavailable_unclear": ("三（四）3.补正后申请内容仍不明确", "unavailable: unclear"),
    "rejected_petition": ("三（五）1.信访举报投诉类申请", "not processed: petition"),
    "rejected_duplicate": ("三（五）2.重复申请", "not processed: duplicate"),
    "rejected_publication": ("三（五）3.要求提供公开出版物", "not processed: publications"),
    "rejected_excessive": ("三（五）4.无正当理由大量反复申请", "not processed: excessive"),
    "rejected_confirmation": ("三（五）5.要求行政机关确认或重新出具已获取信息", "not processed: confirmation"),
    "other": ("三（六）其他处理", "other handling"),
    "other_no_correction": ("三（六）1.逾期不补正", "other: not corrected in time"),
    "other_unpaid_fee": ("三（六）2.逾期未缴纳费用", "other: fee not paid"),
    "other_misc": ("三（六）3.其他", "other: miscellaneous"),
    "handled_total": ("三（七）总计", "total handled"),
    "carried_forward": ("四、结转下年度继续办理", "carried forward"),
}
_APPEAL_GROUPS = {
    "review": ("行政复议", "administrative reviews"),
    "litigation_direct": ("行政诉讼·未经复议直接起诉", "lawsuits filed directly"),
    "litigation_after_review": ("行政诉讼·复议后起诉", "lawsuits after review"),
}
_APPEAL_COLUMNS = {
    "upheld": ("结果维持", "upheld"),
    "corrected": ("结果纠正", "corrected"),
    "other": ("其他结果", "other outcome"),
    "pending": ("尚未审结", "pending"),
    "total": ("总计", "total"),
}
_CORE = {
    "proactive_items": ("主动公开政府信息数", "government information proactively disclosed this year", "条"),
    "requests_new": ("本年新收政府信息公开申请数量", "requests received this year", "件"),
    "requests_carried_over": ("上年结转政府信息公开申请数量", "requests carried over from last year", "件"),
    "requests_granted": ("予以公开", "disclosed in full", "件"),
    "requests_partial": ("部分公开", "disclosed in part", "件"),
    "requests_denied": ("不予公开", "refused (all reasons)", "件"),
    "requests_unavailable": ("无法提供", "could not be provided", "件"),
    "requests_rejected": ("不予处理", "not processed", "件"),
    "requests_other": ("其他处理", "other handling", "件"),
    "requests_handled": ("总计", "total handled", "件"),
    "requests_carried_forward": ("结转下年度继续办理", "carried to next year", "件"),
    "review_total": ("行政复议总计", "administrative reviews about disclosure", "件"),
    "review_corrected": ("行政复议结果纠正", "reviews that corrected the agency", "件"),
    "litigation_total": ("行政诉讼总计", "lawsuits about disclosure", "件"),
    "litigation_corrected": ("行政诉讼结果纠正", "lawsuits that corrected the agency", "件"),
    "fees_collected_yuan": ("信息处理费", "information processing fees collected", "元"),
}


def fallback_codebook() -> dict[str, KeyInfo]:
    """The keys of spec/metrics.md (without the project-named `legacy.*` keys)."""
    book: dict[str, KeyInfo] = {}
    only21 = {"other_no_correction", "other_unpaid_fee", "other_misc"}
    for row, (rl, rg) in _REQ_ROWS.items():
        for col, (cl, cg) in _REQ_COLUMNS.items():
            key = f"requests.{row}.{col}"
            book[key] = KeyInfo(key, f"{rl}·{cl}", f"{rg}, {cg}", "件", ("form2021",) if row in only21 else _BOTH)
    for grp, (gl, gg) in _APPEAL_GROUPS.items():
        for col, (cl, cg) in _APPEAL_COLUMNS.items():
            key = f"{grp}.{col}"
            book[key] = KeyInfo(key, f"{gl}·{cl}", f"{gg}: {cg}", "件", _BOTH)
    proactive = [
        ("rules", "规章", ("issued", "repealed", "in_force"), ("form2021",)),
        ("normative_docs", "行政规范性文件", ("issued", "repealed", "in_force"), ("form2021",)),
        ("rules", "规章", ("made", "published", "total_published"), ("form2019",)),
        ("normative_docs", "规范性文件", ("made", "published", "total_published"), ("form2019",)),
        ("licensing", "行政许可", ("decisions",), _BOTH),
        ("penalty", "行政处罚", ("decisions",), _BOTH),
        ("coercion", "行政强制", ("decisions",), _BOTH),
        ("fees", "行政事业性收费", ("amount_10k_yuan",), ("form2021",)),
        ("licensing", "行政许可", ("prev_items", "change"), ("form2019",)),
        ("other_services", "其他对外管理服务事项", ("prev_items", "change", "decisions"), ("form2019",)),
        ("penalty", "行政处罚", ("prev_items", "change"), ("form2019",)),
        ("coercion", "行政强制", ("prev_items", "change"), ("form2019",)),
        ("fees", "行政事业性收费", ("prev_items", "change"), ("form2019",)),
        ("procurement", "政府集中采购", ("projects", "amount_10k_yuan"), ("form2019",)),
    ]
    for row, rl, cols, forms in proactive:
        for col in cols:
            key = f"proactive.{row}.{col}"
            unit = "万元" if col.endswith("10k_yuan") else ("项" if col in ("prev_items", "change", "projects") else "件")
            book[key] = KeyInfo(key, f"{rl}·{col}", f"{row.replace('_', ' ')}: {col.replace('_', ' ')}", unit, forms)
    for name, (label, gloss, unit) in _CORE.items():
        key = f"core.{name}"
        book[key] = KeyInfo(key, label, gloss, unit, ALL_FORMS)
    return book
