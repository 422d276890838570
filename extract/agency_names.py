"""Agency names as printed: common abbreviations of department names, and the full name a document
prints elsewhere for an abbreviation (科委 -> 科学技术委员会), so the agency is never invented."""

from __future__ import annotations

import re
from collections import Counter

from extract.cjk import HAN

_AGENCY_END = re.compile(r"(局|委|委员会|办公室|政府|办事处|中心|厅|院|所|站|队|处|镇|乡|街道|管委会|公司)$")

ABBREVIATIONS = [
    ("住建局", "住房和城乡建设局"),
    ("住建委", "住房和城乡建设委员会"),
    ("住房城乡建设局", "住房和城乡建设局"),
    ("人社局", "人力资源和社会保障局"),
    ("卫健委", "卫生健康委员会"),
    ("卫健局", "卫生健康局"),
    ("卫计局", "卫生和计划生育局"),
    ("卫计委", "卫生和计划生育委员会"),
    ("发改局", "发展和改革局"),
    ("发改委", "发展和改革委员会"),
    ("市监局", "市场监督管理局"),
    ("市场监管局", "市场监督管理局"),
    ("资规局", "自然资源和规划局"),
    ("自然资源规划局", "自然资源和规划局"),
    ("教体局", "教育和体育局"),
    ("文旅局", "文化和旅游局"),
    ("文广旅局", "文化广电和旅游局"),
    ("文广新局", "文化广电新闻出版局"),
    ("环保局", "环境保护局"),
    ("生态环境分局", "生态环境分局"),
    ("交通局", "交通运输局"),
    ("应急局", "应急管理局"),
    ("医保局", "医疗保障局"),
    ("退役军人局", "退役军人事务局"),
    ("城管局", "城市管理局"),
    ("农业农村局", "农业农村局"),
    ("农林局", "农业和林业局"),
    ("水务局", "水务局"),
    ("科技局", "科学技术局"),
    ("工信局", "工业和信息化局"),
    ("经信局", "经济和信息化局"),
    ("商务局", "商务局"),
    ("民宗局", "民族宗教事务局"),
    ("数据局", "数据资源管理局"),
    ("政务服务局", "政务服务管理局"),
    ("行政审批局", "行政审批服务局"),
    ("政府办", "人民政府办公室"),
    ("政府办公室", "人民政府办公室"),
]
_ABBR = sorted(ABBREVIATIONS, key=lambda ab: -len(ab[0]))


def expand_abbreviations(name: str) -> str:
    """住建局 -> 住房和城乡建设局 (only at the end of the name, where the department word sits)."""
    for short, full in _ABBR:
        if name.endswith(short) and not name.endswith(full):
            return name[: -len(short)] + full
    return name



_NOT_HAN = re.compile(f"[^{HAN}]")
_ALL_HAN = re.compile(f"[{HAN}]*")

# names that are a site's column or the site itself, never an agency
NOT_AGENCY = re.compile(r"栏目|专栏|频道|本网|网站|首页|门户")


def full_name_in_text(rest: str, text: str, region: str = "") -> str | None:
    """An abbreviated department ('科委', '管委会') resolved to the full name the document prints
    elsewhere ('科学技术委员会', '…管理委员会'): the printed name must contain the abbreviation's
    characters in order and end the same way; the most frequent such name wins."""
    if not text or not 2 <= len(rest) <= 6 or not _AGENCY_END.search(rest) or rest.endswith("政府"):
        return None
    last = rest[-1]
    text = text[:60000]
    # A class of 20,992 characters costs ~0.5 ms to compile, each time (re's cache holds 512 patterns and every
    # name is its own): when the abbreviation and the region are all Han, match against the text with every
    # other character made NUL and let [^\0] stand for the class — the same matches, at the same places.
    han = "[^\x00]" if _ALL_HAN.fullmatch(rest + region) else f"[{HAN}]"
    searched = _NOT_HAN.sub("\x00", text) if han == "[^\x00]" else text
    pattern = "".join(f"{re.escape(ch)}{han}{{0,5}}?" for ch in rest[:-1]) + re.escape(last)
    rx = re.compile(rf"(?:{re.escape(region)})?({pattern}(?:员会|会)?)") if region else re.compile(f"({pattern}(?:员会|会)?)")
    found: Counter[str] = Counter()
    for m in rx.finditer(searched):
        name = text[m.start(1):m.end(1)]
        if len(name) > len(rest) and _AGENCY_END.search(name) and not re.search(r"[，。、；：\s]", name):
            found[name] += 1
    if not found:
        return None
    best = found.most_common(1)[0][0]
    return best if best[-1] == last or (last == "委" and best.endswith("委员会")) else None


