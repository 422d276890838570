"""The codebook: every canonical statistic key with its Chinese label, English gloss, unit and forms.

Keys follow ../shared/spec/metrics.md exactly; `legacy.*` keys are named here. The matchers
(label patterns) live next to the keys so that the table parsers and the codebook cannot drift apart.
"""

from __future__ import annotations

import re

F19 = "form2019"
F21 = "form2021"
LEG = "legacy_table"
NAR = "narrative"
BOTH = (F19, F21)

# --- Table 三 -------------------------------------------------------------------------------------

# column key -> (label, gloss)
REQUEST_COLUMNS: dict[str, tuple[str, str]] = {
    "natural_person": ("自然人", "natural persons"),
    "commercial": ("商业企业", "commercial enterprises"),
    "research": ("科研机构", "research institutions"),
    "public_interest": ("社会公益组织", "public-interest organisations"),
    "legal_service": ("法律服务机构", "legal-service organisations"),
    "other_org": ("其他", "other legal persons or organisations"),
    "total": ("总计", "total"),
}
ORG_COLUMNS = ("commercial", "research", "public_interest", "legal_service", "other_org")

# row key -> (label in the form, gloss, forms). Order = the fixed order of the form's rows.
REQUEST_ROWS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "new": ("一、本年新收政府信息公开申请数量", "requests received this year", BOTH),
    "carried_over": ("二、上年结转政府信息公开申请数量", "requests carried over from last year", BOTH),
    "granted": ("三（一）予以公开", "disclosed in full", BOTH),
    "partial": ("三（二）部分公开", "disclosed in part", BOTH),
    "denied_state_secret": ("三（三）1.属于国家秘密", "refused: state secret", BOTH),
    "denied_prohibited_by_law": (
        "三（三）2.其他法律行政法规禁止公开",
        "refused: prohibited by other laws",
        BOTH,
    ),
    "denied_security_stability": (
        "三（三）3.危及“三安全一稳定”",
        "refused: endangers security/stability",
        BOTH,
    ),
    "denied_third_party": ("三（三）4.保护第三方合法权益", "refused: third-party rights", BOTH),
    "denied_internal_affairs": ("三（三）5.属于三类内部事务信息", "refused: internal affairs", BOTH),
    "denied_process_info": ("三（三）6.属于四类过程性信息", "refused: process information", BOTH),
    "denied_enforcement_file": ("三（三）7.属于行政执法案卷", "refused: enforcement case file", BOTH),
    "denied_admin_query": ("三（三）8.属于行政查询事项", "refused: administrative query matter", BOTH),
    "unavailable_not_held": ("三（四）1.本机关不掌握相关政府信息", "unavailable: not held", BOTH),
    "unavailable_needs_creation": (
        "三（四）2.没有现成信息需要另行制作",
        "unavailable: would need creating",
        BOTH,
    ),
    "unavailable_unclear": ("三（四）3.补正后申请内容仍不明确", "unavailable: still unclear", BOTH),
    "rejected_petition": ("三（五）1.信访举报投诉类申请", "not processed: petition/complaint", BOTH),
    "rejected_duplicate": ("三（五）2.重复申请", "not processed: duplicate", BOTH),
    "rejected_publication": ("三（五）3.要求提供公开出版物", "not processed: asks for publications", BOTH),
    "rejected_excessive": ("三（五）4.无正当理由大量反复申请", "not processed: excessive", BOTH),
    "rejected_confirmation": (
        "三（五）5.要求行政机关确认或重新出具已获取信息",
        "not processed: confirmation",
        BOTH,
    ),
    "other": ("三（六）其他处理", "other handling (2021: sum of the three sub-rows)", BOTH),
    "other_no_correction": (
        "三（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other: applicant did not correct in time",
        (F21,),
    ),
    "other_unpaid_fee": (
        "三（六）2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other: fee not paid",
        (F21,),
    ),
    "other_misc": ("三（六）3.其他", "other: miscellaneous", (F21,)),
    "handled_total": ("三（七）总计", "total handled", BOTH),
    "carried_forward": ("四、结转下年度继续办理", "carried forward to next year", BOTH),
}

# How a (whitespace-free) row label is recognised; first match wins, so specific before general.
REQUEST_ROW_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (k, re.compile(p))
    for k, p in [
        ("new", r"本年新收|新收.*申请"),
        ("carried_over", r"上年结转"),
        ("carried_forward", r"结转下年|继续办理"),
        ("denied_state_secret", r"国家秘密"),
        ("denied_prohibited_by_law", r"法律行政法规禁止|法律法规禁止"),
        ("denied_security_stability", r"三安全一稳定|危及"),
        ("denied_third_party", r"第三方"),
        ("denied_internal_affairs", r"内部事务"),
        ("denied_process_info", r"过程性"),
        ("denied_enforcement_file", r"执法案卷"),
        ("denied_admin_query", r"行政查询"),
        ("unavailable_not_held", r"不掌握"),
        ("unavailable_needs_creation", r"另行制作|没有现成"),
        ("unavailable_unclear", r"仍不明确|补正后"),
        ("rejected_petition", r"信访|举报投诉"),
        ("rejected_duplicate", r"重复申请"),
        ("rejected_publication", r"出版物"),
        ("rejected_excessive", r"大量反复"),
        ("rejected_confirmation", r"确认或重新出具|重新出具"),
        ("other_no_correction", r"逾期不补正|不补正"),
        ("other_unpaid_fee", r"缴纳费用|收费通知"),
        ("other_misc", r"其他处理.*(?:\d|[一二三])?[.．、]?其[他它]$"),
        ("partial", r"部分公开"),
        ("granted", r"予以公开"),
        ("other", r"其[他它]处理"),
        ("handled_total", r"总计|合计"),
    ]
]

# --- Table 四 -------------------------------------------------------------------------------------

APPEAL_GROUPS: dict[str, tuple[str, str]] = {
    "review": ("行政复议", "administrative reviews"),
    "litigation_direct": ("行政诉讼·未经复议直接起诉", "lawsuits filed directly"),
    "litigation_after_review": ("行政诉讼·复议后起诉", "lawsuits filed after review"),
}
APPEAL_COLUMNS: dict[str, tuple[str, str]] = {
    "upheld": ("结果维持", "decision upheld"),
    "corrected": ("结果纠正", "decision corrected"),
    "other": ("其他结果", "other outcome"),
    "pending": ("尚未审结", "pending"),
    "total": ("总计", "total"),
}
APPEAL_COLUMN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("upheld", re.compile(r"维持")),
    ("corrected", re.compile(r"纠正|纠错")),
    ("other", re.compile(r"其[他它]结果|其[他它]")),
    ("pending", re.compile(r"尚未审结|未审结")),
    ("total", re.compile(r"总计|合计|小计")),
]

# --- Table 二 -------------------------------------------------------------------------------------

PROACTIVE_ROWS: dict[str, tuple[str, str]] = {
    "rules": ("规章", "rules"),
    "normative_docs": ("规范性文件 / 行政规范性文件", "normative documents"),
    "licensing": ("行政许可", "administrative licensing"),
    "other_services": ("其他对外管理服务事项", "other external management services"),
    "penalty": ("行政处罚", "administrative penalties"),
    "coercion": ("行政强制", "administrative coercion"),
    "fees": ("行政事业性收费", "administrative fees"),
    "procurement": ("政府集中采购", "centralised government procurement"),
}
PROACTIVE_ROW_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("normative_docs", re.compile(r"规范性文件")),
    ("rules", re.compile(r"^规章")),
    ("licensing", re.compile(r"行政许可")),
    ("other_services", re.compile(r"对外管理服务")),
    ("penalty", re.compile(r"行政处罚")),
    ("coercion", re.compile(r"行政强制")),
    ("fees", re.compile(r"事业性收费|行政收费")),
    ("procurement", re.compile(r"集中采购|政府采购")),
]
# column key -> (label, gloss, unit, forms)
PROACTIVE_COLUMNS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "made": ("本年新制作数量", "made this year", "件", (F19,)),
    "published": ("本年新公开数量", "newly published this year", "件", (F19,)),
    "total_published": ("对外公开总数量", "total published", "件", (F19,)),
    "issued": ("本年制发件数", "issued this year", "件", (F21,)),
    "repealed": ("本年废止件数", "repealed this year", "件", (F21,)),
    "in_force": ("现行有效件数", "in force", "件", (F21,)),
    "prev_items": ("上一年项目数量", "items last year", "项", (F19,)),
    "change": ("本年增/减", "change this year", "项", (F19,)),
    "decisions": ("处理决定数量 / 本年处理决定数量", "decisions this year", "件", BOTH),
    "projects": ("采购项目数量", "procurement projects", "项", (F19,)),
    "amount_10k_yuan": ("采购总金额 / 本年收费金额（单位：万元）", "amount", "万元", BOTH),
}
PROACTIVE_COLUMN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("made", re.compile(r"新制作")),
    ("published", re.compile(r"新公开")),
    ("total_published", re.compile(r"公开总数")),
    ("issued", re.compile(r"制发")),
    ("repealed", re.compile(r"废止")),
    ("in_force", re.compile(r"现行有效")),
    ("prev_items", re.compile(r"上一?年.*项目")),
    ("change", re.compile(r"增.?减")),
    ("decisions", re.compile(r"处理决定")),
    ("projects", re.compile(r"采购项目")),
    ("amount_10k_yuan", re.compile(r"金额")),
]
# which (row, column) pairs exist, per form (from metrics.md)
PROACTIVE_CELLS: dict[str, tuple[str, ...]] = {
    "rules": ("made", "published", "total_published", "issued", "repealed", "in_force"),
    "normative_docs": ("made", "published", "total_published", "issued", "repealed", "in_force"),
    "licensing": ("prev_items", "change", "decisions"),
    "other_services": ("prev_items", "change", "decisions"),
    "penalty": ("prev_items", "change", "decisions"),
    "coercion": ("prev_items", "change", "decisions"),
    "fees": ("prev_items", "change", "amount_10k_yuan"),
    "procurement": ("projects", "amount_10k_yuan"),
}

# --- legacy 2008–2018 indicator table -------------------------------------------------------------

# (key, exact Chinese label, gloss, unit, section or None, extra aliases)
# `section` disambiguates rows whose label repeats under 行政复议 / 行政诉讼 / 举报投诉.
LEGACY_ROWS: list[tuple[str, str, str, str, str | None, tuple[str, ...]]] = [
    (
        "proactive_items",
        "主动公开政府信息数",
        "information proactively disclosed",
        "条",
        None,
        ("主动公开信息数",),
    ),
    ("proactive_normative_docs", "主动公开规范性文件数", "normative documents disclosed", "条", None, ()),
    (
        "normative_docs_issued",
        "制发规范性文件总数",
        "normative documents issued",
        "件",
        None,
        ("新增的行政规范性文件数",),
    ),
    ("proactive_gazette", "政府公报公开政府信息数", "disclosed via the gazette", "条", None, ()),
    ("proactive_website", "政府网站公开政府信息数", "disclosed via the website", "条", None, ()),
    ("proactive_weibo", "政务微博公开政府信息数", "disclosed via Weibo", "条", None, ()),
    ("proactive_wechat", "政务微信公开政府信息数", "disclosed via WeChat", "条", None, ()),
    ("proactive_other_channels", "其他方式公开政府信息数", "disclosed via other channels", "条", None, ()),
    ("hot_topic_responses", "回应公众关注热点或重大舆情数", "responses to public concerns", "次", None, ()),
    ("press_conferences", "参加或举办新闻发布会总次数", "press conferences", "次", None, ()),
    (
        "press_conferences_leaders",
        "主要负责同志参加新闻发布会次数",
        "press conferences with leaders",
        "次",
        None,
        (),
    ),
    ("online_interviews", "政府网站在线访谈次数", "online interviews", "次", None, ()),
    (
        "online_interviews_leaders",
        "主要负责同志参加政府网站在线访谈次数",
        "online interviews with leaders",
        "次",
        None,
        (),
    ),
    ("policy_interpretations", "政策解读稿件发布数", "policy interpretations published", "篇", None, ()),
    ("social_media_responses", "微博微信回应事件数", "responses via Weibo/WeChat", "次", None, ()),
    ("other_responses", "其他方式回应事件数", "responses via other channels", "次", None, ()),
    ("requests_received", "收到申请数", "requests received", "件", None, ("申请总数", "收到总申请数")),
    ("requests_in_person", "当面申请数", "requests in person", "件", None, ()),
    ("requests_fax", "传真申请数", "requests by fax", "件", None, ()),
    ("requests_online", "网络申请数", "requests online", "件", None, ("网上申请数", "电子邮件申请数")),
    ("requests_letter", "信函申请数", "requests by letter", "件", None, ()),
    ("requests_other_form", "其他形式", "requests in other forms", "件", None, ("其他形式申请数",)),
    ("requests_closed", "申请办结数", "requests closed", "件", None, ()),
    ("requests_closed_on_time", "按时办结数", "closed on time", "件", None, ()),
    ("requests_closed_extended", "延期办结数", "closed after extension", "件", None, ()),
    ("requests_answered", "申请答复数", "requests answered", "件", None, ("对申请的答复总数",)),
    ("answer_already_public", "属于已主动公开范围数", "already public", "件", None, ()),
    ("answer_granted", "同意公开答复数", "granted", "件", None, ()),
    ("answer_partial", "同意部分公开答复数", "partly granted", "件", None, ()),
    ("answer_denied", "不同意公开答复数", "refused", "件", None, ("否决公开答复总数",)),
    ("denied_state_secret", "涉及国家秘密", "refused: state secret", "件", None, ()),
    ("denied_commercial_secret", "涉及商业秘密", "refused: commercial secret", "件", None, ()),
    ("denied_privacy", "涉及个人隐私", "refused: privacy", "件", None, ()),
    (
        "denied_security_stability",
        "危及国家安全、公共安全、经济安全和社会稳定",
        "refused: security/stability",
        "件",
        None,
        (),
    ),
    (
        "denied_not_gov_info",
        "不是《条例》所指政府信息",
        "refused: not government information",
        "件",
        None,
        (),
    ),
    ("denied_other_legal", "法律法规规定的其他情形", "refused: other legal grounds", "件", None, ()),
    (
        "answer_not_this_agency",
        "不属于本行政机关公开数",
        "not this agency's information",
        "件",
        None,
        ("非本部门掌握",),
    ),
    ("answer_not_exist", "申请信息不存在数", "information does not exist", "件", None, ("信息不存在数",)),
    ("answer_told_to_amend", "告知作出更改补充数", "asked to amend", "件", None, ()),
    ("answer_told_other_channel", "告知通过其他途径办理数", "referred to other channels", "件", None, ()),
    ("review_count", "行政复议数量", "administrative reviews", "件", None, ("行政复议数",)),
    ("review_upheld", "维持具体行政行为数", "reviews: upheld", "件", "review", ()),
    ("review_corrected", "被依法纠错数", "reviews: corrected", "件", "review", ("被纠错数",)),
    ("review_other", "其他情形数", "reviews: other", "件", "review", ()),
    ("litigation_count", "行政诉讼数量", "lawsuits", "件", None, ("行政诉讼数",)),
    (
        "litigation_upheld",
        "维持具体行政行为或者驳回原告诉讼请求数",
        "lawsuits: upheld",
        "件",
        "litigation",
        ("维持具体行政行为数",),
    ),
    ("litigation_corrected", "被依法纠错数", "lawsuits: corrected", "件", "litigation", ("被纠错数",)),
    ("litigation_other", "其他情形数", "lawsuits: other", "件", "litigation", ()),
    ("complaints", "举报投诉数量", "complaints", "件", None, ("被举报投诉数量", "行政申诉数")),
    ("complaints_upheld", "维持具体行政行为数", "complaints: upheld", "件", "complaints", ()),
    ("complaints_corrected", "被纠错数", "complaints: corrected", "件", "complaints", ("被依法纠错数",)),
    ("complaints_other", "其他情形数", "complaints: other", "件", "complaints", ()),
    ("fees_10k_yuan", "依申请公开信息收取的费用", "fees collected", "万元", None, ()),
    ("fees_waived", "依申请公开信息减免的费用", "fees waived", "万元", None, ()),
    (
        "library_submissions",
        "向图书馆、档案馆等查阅场所报送信息数",
        "items sent to libraries/archives",
        "条",
        None,
        (),
    ),
    ("library_paper_docs", "纸质文件数", "paper documents sent", "条", None, ()),
    ("library_electronic_docs", "电子文件数", "electronic documents sent", "条", None, ()),
    ("dedicated_offices", "政府信息公开工作专门机构数", "dedicated offices", "个", None, ()),
    ("reading_points", "设置政府信息公开查阅点数", "public reading points", "个", None, ()),
    (
        "reading_point_visitors",
        "查阅点接待人数",
        "visitors at reading points",
        "人次",
        None,
        ("现场接待人数",),
    ),
    ("staff_total", "从事政府信息公开工作人员数", "staff working on disclosure", "人", None, ()),
    ("staff_full_time", "专职人员数", "full-time staff", "人", None, ()),
    ("staff_part_time", "兼职人员数", "part-time staff", "人", None, ()),
    ("budget_10k_yuan", "政府信息公开专项经费", "dedicated budget", "万元", None, ()),
    ("meetings", "召开政府信息公开工作会议或专题会议数", "meetings held", "次", None, ()),
    ("training_sessions", "举办各类培训班数", "training sessions", "次", None, ()),
    ("trainees", "接受培训人员数", "people trained", "人次", None, ()),
]

CORE: dict[str, tuple[str, str, str]] = {
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
ALL_FORMS = (F21, F19, LEG, NAR)


def _build() -> dict[str, tuple[str, str, str, tuple[str, ...]]]:
    book: dict[str, tuple[str, str, str, tuple[str, ...]]] = {}
    for row, (rlabel, rgloss, forms) in REQUEST_ROWS.items():
        for col, (clabel, cgloss) in REQUEST_COLUMNS.items():
            book[f"requests.{row}.{col}"] = (f"{rlabel}·{clabel}", f"{rgloss}, {cgloss}", "件", forms)
    for grp, (glabel, ggloss) in APPEAL_GROUPS.items():
        for col, (clabel, cgloss) in APPEAL_COLUMNS.items():
            book[f"{grp}.{col}"] = (f"{glabel}·{clabel}", f"{ggloss}: {cgloss}", "件", BOTH)
    for row, cols in PROACTIVE_CELLS.items():
        rlabel, rgloss = PROACTIVE_ROWS[row]
        for col in cols:
            clabel, cgloss, unit, forms = PROACTIVE_COLUMNS[col]  # decisions: both forms; the rest: 2019 only
            if row == "fees" and col == "amount_10k_yuan":
                forms, clabel = (F21,), "本年收费金额（单位：万元）"
            elif row == "procurement" and col == "amount_10k_yuan":
                forms, clabel = (F19,), "采购总金额"
            elif row == "other_services":
                forms = (F19,)
            if row == "normative_docs" and col in ("issued", "repealed", "in_force"):
                rlabel = "行政规范性文件"
            elif row == "normative_docs":
                rlabel = "规范性文件"
            book[f"proactive.{row}.{col}"] = (f"{rlabel}·{clabel}", f"{rgloss}: {cgloss}", unit, forms)
    for key, label, gloss, unit, section, _aliases in LEGACY_ROWS:
        where = {"review": "行政复议·", "litigation": "行政诉讼·", "complaints": "举报投诉·"}.get(section, "")
        book[f"legacy.{key}"] = (f"{where}{label}", gloss, unit, (LEG,))
    for key, (label, gloss, unit) in CORE.items():
        book[f"core.{key}"] = (label, gloss, unit, ALL_FORMS)
    return book


CODEBOOK: dict[str, tuple[str, str, str, tuple[str, ...]]] = _build()


def legacy_key_for_label(label: str) -> str | None:
    """The `legacy.*` key whose exact Chinese label (without a section prefix) is `label`."""
    for key, lab, _g, _u, _s, _a in LEGACY_ROWS:
        if lab == label:
            return f"legacy.{key}"
    return None
