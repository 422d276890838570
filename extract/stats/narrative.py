"""Numbers stated in sentences (narrative reports, and the prose around tables).

Matching runs on a copy of the text with all whitespace removed (PDF text breaks lines inside
sentences and pads numbers with spaces), with an index back into the original so the evidence and
quoted phrases are the report's own words. Every pattern is anchored on the vocabulary of requests,
reviews and lawsuits, so counts of other things (信息 153 条, hotline calls, SMS) are not taken.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_NOT_WS = re.compile(r"[^\s\u00a0\u3000\u200b\ufeff]+")
# Glyphs some PDF fonts map to a neighbouring code point (丌 for 不 …); folded for matching only.
_GLYPHS = str.maketrans("丌迚劢挃幵挄０１２３４５６７８９", "不进动指并按0123456789")
_UNIT = r"(件|条|宗|个|人次|次|份|起|项|例)(?!性)"
_NUM = r"(\d+|[零〇一二两三四五六七八九十]{1,3})"
_CN = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _int(s: str) -> int:
    """`17` or a small number in words (`一`, `十二`, `二十`)."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN.get(tens, 1) if tens else 1) * 10 + (_CN.get(ones, 0) if ones else 0)
    return _CN.get(s, 0) if len(s) == 1 else int("".join(str(_CN.get(c, 0)) for c in s))


_END = "。；;！？!?"


@dataclass
class Found:
    key: str
    value: int | float
    phrase: str  # the matched words, as printed
    sentence: str  # the whole sentence, as printed


class Squeezed:
    """The text without whitespace, and where each of its characters came from."""

    def __init__(self, text: str) -> None:
        self.original = text or ""
        # runs between whitespace, found in C (a character at a time was ~5% of a report's extraction)
        runs = list(_NOT_WS.finditer(self.original))
        self.index = [i for m in runs for i in range(m.start(), m.end())]
        self.text = "".join(m.group() for m in runs).translate(_GLYPHS)

    def quote(self, start: int, end: int) -> str:
        if start >= end or not self.index:
            return ""
        return self.original[self.index[start] : self.index[end - 1] + 1]

    def sentence(self, start: int, end: int) -> str:
        s = start
        while s > 0 and self.text[s - 1] not in _END:
            s -= 1
        e = end
        while e < len(self.text) and self.text[e] not in _END:
            e += 1
        e = min(e + 1, len(self.text))
        lo, hi = self.index[s], self.index[e - 1] + 1
        head = self.original[lo : self.index[start]]
        # a short line before the sentence with no joining punctuation is a heading, not its start
        while "\n" in head:
            first, head = head.split("\n", 1)
            if len(first.strip()) >= 20 or re.search(r"[，、：:,（(]\s*$", first):
                break
            lo += len(first) + 1
        return re.sub(r"\s+", " ", self.original[lo:hi]).strip()

    def clause(self, start: int, end: int) -> str:
        """The squeezed clause (between ，。； marks) around a match."""
        s = start
        while s > 0 and self.text[s - 1] not in _END + "，,":
            s -= 1
        e = end
        while e < len(self.text) and self.text[e] not in _END + "，,":
            e += 1
        return self.text[s:e]


_APPEALS = re.compile(r"复议|诉讼|举报|投诉|咨询|信访|热线|来电|留言|信箱")

_REQUESTS_NEW = re.compile(
    r"(?:共|全年|累计|本年度?|今年)?(?:共|累计)?(?:收到|受理|接到|接收|办理|新收)(?:和受理|和收到|并办理|及办理|和办理)?"
    r"(?P<mid>[^" + _END + r"\d]{0,25}?申请[^" + _END + r"\d]{0,8}?)(?:共计|共|合计|总计)?" + _NUM + _UNIT
)
_REQUESTS_NONE = re.compile(
    r"(?:未|没有|尚未|无)(?:收到|受理|接到|发生|有)(?:任何)?(?P<mid>[^" + _END + r"\d，]{0,15}?)"
    r"(?:(?:政府信息公开|依申请公开|公开政府信息|信息公开)(?:的)?申请|依申请公开(?!工作))"
)
_REQUESTS_BARE = re.compile(
    r"依申请公开(?:政府信息|信息|事项|申请)?(?:共计|共|数量为|数量|为)?" + _NUM + _UNIT
)
_BREAKDOWN = [
    ("requests.new.natural_person", re.compile(r"(?:自然人|公民|个人)(?:申请)?(?:的)?" + _NUM + _UNIT)),
    (
        "requests.new.commercial",
        re.compile(r"(?<!法人或其他组织)(?:商业企业|企业)(?:申请)?(?:的)?" + _NUM + _UNIT),
    ),
    ("requests.new.research", re.compile(r"科研机构(?:申请)?(?:的)?" + _NUM + _UNIT)),
    ("requests.new.public_interest", re.compile(r"社会公益组织(?:申请)?(?:的)?" + _NUM + _UNIT)),
    ("requests.new.legal_service", re.compile(r"法律服务机构(?:申请)?(?:的)?" + _NUM + _UNIT)),
]
_OUTCOMES = [
    (
        "core.requests_granted",
        re.compile(r"(?<!不)(?<!部分)(?:予以公开|同意公开|全部公开)(?:的)?(?:答复)?(?:共)?" + _NUM + _UNIT),
    ),
    ("core.requests_partial", re.compile(r"部分公开(?:的)?(?:答复)?(?:共)?" + _NUM + _UNIT)),
    ("core.requests_denied", re.compile(r"(?<!部分)不予(?:以)?公开(?:的)?(?:共)?" + _NUM + _UNIT)),
    ("core.requests_unavailable", re.compile(r"无法提供(?:的)?(?:共)?" + _NUM + _UNIT)),
    ("core.requests_rejected", re.compile(r"不予(?:以)?处理(?:的)?(?:共)?" + _NUM + _UNIT)),
]
_PROACTIVE = re.compile(
    r"主动(?:公开|发布)(?:了)?(?:的)?(?:各类)?(?:政府|政务)?信息(?:共计|共|累计|总计)?" + _NUM + r"(条|件|项|篇)"
)
# a running total since the start, not this year's count
_CUMULATIVE = re.compile(r"累计|截至|截止|历年")
_NEG = r"(?:没有|未(?!经)|尚未|未曾|无(?=因|涉|发生|收到|任何|政府信息|被|申请))"
_REVIEW_NONE = re.compile(_NEG + r"(?:收到|发生|引发|出现|接到|产生|因)?[^" + _END + r"\d，,]{0,40}?行政复议")
_LITIGATION_NONE = re.compile(
    _NEG + r"(?:收到|发生|引发|出现|接到|产生|因|提起)?[^" + _END + r"\d，,]{0,40}?行政诉讼"
)
_REVIEW_ZERO = re.compile(r"行政复议(?:案件|申请)?(?:数量|数)?(?:为|共|均为)?(?:0|零)(?:件|起|宗|次|个)")
_LITIGATION_ZERO = re.compile(r"行政诉讼(?:案件)?(?:数量|数)?(?:为|共|均为)?(?:0|零)(?:件|起|宗|次|个)")
_REVIEW_N = re.compile(r"行政复议(?:案件|申请)?(?:共|为)?" + _NUM + r"(件|起|宗|次|个)")
_LITIGATION_N = re.compile(r"(?<!复议后)行政诉讼(?:案件)?(?:共|为)?" + _NUM + r"(件|起|宗|次|个)")
_FEES_NONE = re.compile(
    r"(?:没有|未|不|无)(?:向[^" + _END + r"\d，,按缴]{0,12}?)?(?:收取|收)[^" + _END + r"\d]{0,20}?(?:费用|信息处理费|处理费)"
    r"|无(?:政府信息公开)?收费"
)


# Words of other business counted in 申请: a service hall's applications are not disclosure requests.
_SERVICE = re.compile(r"服务中心|政务服务|服务大厅|大厅|窗口|办件|审批|行政许可|许可事项|业务|登记|事项办理|一网通办")
_DISCLOSURE_WORDS = re.compile(r"公开|信息")
# the figure counts last year's carried-over requests too (共收到申请749件（含上年结转36件）)
_INCLUDES_CARRIED = re.compile(r"上年(?:度)?结转|含结转|包括结转|上一年度?结转")
_NEWLY = re.compile(
    r"(?:本年度?|今年|当年)?新收(?:到)?(?:政府信息公开|依申请公开|信息公开)?(?:申请)?(?:共计|共)?" + _NUM + _UNIT
)
_CARRIED_OVER = re.compile(
    r"上(?:一)?年(?:度)?结转(?:的)?(?:政府信息公开|依申请公开)?(?:申请)?(?:共计|共)?" + _NUM + _UNIT
)
_CARRIED_FORWARD = re.compile(
    r"结转(?:至|到)?下(?:一)?年(?:度)?(?:继续办理|办理)?(?:的)?(?:申请)?(?:共计|共)?" + _NUM + _UNIT
)
_HANDLED = re.compile(r"(?:共|全部|已|均已|累计)?办结(?:申请)?(?:共计|共)?" + _NUM + _UNIT)
# an outcome count joined to another outcome (予以公开及部分公开208件) names neither alone
_JOINED_OUTCOME = re.compile(r"(?:公开|提供|处理)(?:及|和|与|、|或|以及)$")
# review/lawsuit words about outcomes (被纠错, 败诉): a denial of those is not a denial of any review
_OUTCOME_WORDS = re.compile(r"纠错|纠正|败诉|撤销|确认违法|不利")
_FEES_ZERO = re.compile(
    r"(?:信息)?处理费(?:为|共计|共|合计)?(?:0|零)(?:\.0+)?元"
    r"|(?:未|没有|无)(?:发生|产生)[^" + _END + r"\d，,]{0,20}?收费(?:情况|事项|行为|现象)"
    r"|暂不收费|暂未收费|(?:未|没有|不)收取(?:任何)?(?:费用|处理费|信息处理费)"
)
_FEES_ANY = re.compile(
    r"收取(?:了)?[^" + _END + r"\d，,]{0,12}?(?:信息处理费|处理费|费用)(?:共计|共|合计|总计|为)?(\d+(?:\.\d+)?)(万元|元)"
    r"|(?:信息)?处理费(?:收入|收取)?(?:为|共计|共|合计)?(\d+(?:\.\d+)?)(万元|元)"
)


def _first(value: str) -> int | float:
    return float(value) if "." in value else int(value)


def _sentence_after(t: str, end: int) -> str:
    e = end
    while e < len(t) and t[e] not in _END:
        e += 1
    return t[end:e]


def _sentence_before(t: str, start: int) -> str:
    s = start
    while s > 0 and t[s - 1] not in _END:
        s -= 1
    return t[s:start]


def find_numbers(text: str) -> tuple[list[Found], Squeezed]:
    """Every recognised figure in the text, in order; the caller decides precedence over tables.

    A figure is taken only when its words name the quantity: a service hall's 受理申请, a total that
    includes last year's carried-over requests, or an outcome count joined to another outcome
    (予以公开及部分公开) is left out.
    """
    sq = Squeezed(text)
    t = sq.text
    found: list[Found] = []

    def add(key: str, value: int | float, m: re.Match[str], start: int | None = None) -> None:
        s = m.start() if start is None else start
        found.append(Found(key, value, sq.quote(s, m.end()), sq.sentence(s, m.end())))

    new_spans: list[tuple[int, int]] = []
    for m in _REQUESTS_NEW.finditer(t):
        mid = m.group("mid")
        if _APPEALS.search(mid) or "情况" in mid:
            continue
        sentence = _sentence_before(t, m.start()) + m.group(0) + _sentence_after(t, m.end())
        if not _DISCLOSURE_WORDS.search(mid) and _SERVICE.search(sentence):
            logger.debug("service-hall applications skipped: %s", sentence)
            continue
        after = _sentence_after(t, m.end())
        if "新收" not in m.group(0) and (
            _INCLUDES_CARRIED.search(mid) or _INCLUDES_CARRIED.search(after[:30])
        ):
            logger.debug("a total with carried-over requests skipped: %s", sentence)
            continue
        new_spans.append((m.start(), m.end()))
        add("core.requests_new", _int(m.group(2)), m)
        # the sentence's breakdown by applicant ("其中自然人16条，企业1条")
        e = m.end() + len(after)
        tail = after
        for key, rx in _BREAKDOWN:
            bm = rx.search(tail)
            if bm:
                found.append(
                    Found(
                        key,
                        _int(bm.group(1)),
                        sq.quote(m.end() + bm.start(), m.end() + bm.end()),
                        sq.sentence(m.start(), e),
                    )
                )
    for m in _NEWLY.finditer(t):
        if any(a <= m.start() < b for a, b in new_spans):
            continue
        if not _APPEALS.search(sq.clause(m.start(), m.end())):
            add("core.requests_new", _int(m.group(1)), m)
    for m in _REQUESTS_NONE.finditer(t):
        # "未发生因政府信息公开申请引发的行政复议" denies a review, not every request
        if not _APPEALS.search(m.group("mid") + sq.clause(m.start(), m.end())) and "因" not in m.group("mid"):
            add("core.requests_new", 0, m)
    for m in _REQUESTS_BARE.finditer(t):
        if not _APPEALS.search(sq.clause(m.start(), m.end())):
            add("core.requests_new", _int(m.group(1)), m)
    for key, rx in _OUTCOMES:
        for m in rx.finditer(t):
            if _JOINED_OUTCOME.search(t[max(0, m.start() - 6) : m.start()]):
                logger.debug("joined outcome count skipped: %s", sq.clause(m.start(), m.end()))
                continue
            if not _APPEALS.search(sq.clause(m.start(), m.end())):
                add(key, _int(m.group(1)), m)
    for key, rx in (
        ("core.requests_carried_over", _CARRIED_OVER),
        ("core.requests_carried_forward", _CARRIED_FORWARD),
    ):
        for m in rx.finditer(t):
            if not _APPEALS.search(sq.clause(m.start(), m.end())):
                add(key, _int(m.group(1)), m)
    for m in _HANDLED.finditer(t):  # 办结 only in a sentence about requests carried over or forward
        sentence = _sentence_before(t, m.start()) + _sentence_after(t, m.start())
        if re.search(r"结转", sentence) and not _APPEALS.search(sq.clause(m.start(), m.end())):
            add("core.requests_handled", _int(m.group(1)), m)
    for m in _PROACTIVE.finditer(t):
        if _CUMULATIVE.search(_sentence_before(t, m.start())[-30:] + t[m.start() : m.end()]):
            continue
        if re.search(r"(?:应|其他|其它)$", t[max(0, m.start() - 4) : m.start()]):
            continue  # 其他应主动公开政府信息1053条: one category of the year's items, not their number
        add("core.proactive_items", _int(m.group(1)), m)
    for key, none_rx, zero_rx, n_rx in (
        ("core.review_total", _REVIEW_NONE, _REVIEW_ZERO, _REVIEW_N),
        ("core.litigation_total", _LITIGATION_NONE, _LITIGATION_ZERO, _LITIGATION_N),
    ):
        for m in none_rx.finditer(t):
            if _OUTCOME_WORDS.search(t[m.start() : m.end() + 8]):
                logger.debug("denial of an outcome, not of a review: %s", sq.clause(m.start(), m.end()))
                continue
            add(key, 0, m)
        for m in zero_rx.finditer(t):
            add(key, 0, m)
        for m in n_rx.finditer(t):
            clause = sq.clause(m.start(), m.end())
            # "收到行政复议及复议后行政诉讼1件": one number for two things — not taken
            if "复议" in clause and "诉讼" in clause and len(re.findall(r"\d+", clause)) < 2:
                logger.debug("ambiguous review/litigation figure skipped: %s", clause)
                continue
            if _OUTCOME_WORDS.search(t[m.start() : m.end()]):
                continue
            add(key, _int(m.group(1)), m)
    for m in _FEES_ANY.finditer(t):
        digits, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        v = _first(digits)
        add("core.fees_collected_yuan", v * 10000 if unit == "万元" else v, m)
    for rx in (_FEES_NONE, _FEES_ZERO):
        for m in rx.finditer(t):
            add("core.fees_collected_yuan", 0, m)
    return found, sq
