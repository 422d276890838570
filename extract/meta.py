"""Metadata of a report: title, agency, department, region, year, dates, form.

Everything here works on plain strings (title, text, tables, meta dict), so
the same rules serve HTML pages, PDFs, DOCX files and text dumps.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter

from extract import gazetteer
from extract.agency_names import NOT_AGENCY as _NOT_AGENCY
from extract.agency_names import expand_abbreviations, full_name_in_text
from extract.cjk import HAN
from extract.dates import CN_DATE, CN_ZERO, DATE_LINE
from extract.record import Grid, Region, SiteContext
from extract.repair import normalize_chars

logger = logging.getLogger(__name__)

_CN_NUM = "一二三四五六七八九十百零〇"

# ---------------------------------------------------------------- helpers


def clean_title(title: str | None) -> str | None:
    """Title without line breaks or spaces (kept only between latin words)."""
    if not title:
        return None
    t = normalize_chars(title)
    # a crawler's or a text dump's label in front of the title: '标题:', markdown '# '
    t = re.sub(r"^\s*(?:#{1,6}\s*)?(?:(?:标\s*题|题\s*目|名\s*称)\s*[:：]\s*)?(?:#{1,6}\s*)?", "", t)
    t = re.sub(r"(?<=[A-Za-z])\s+(?=[A-Za-z])", "\x00", t)
    t = re.sub(r"\s+", "", t).replace("\x00", " ")
    return t or None


_DATE_RE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_CN_DATE_RE = re.compile(CN_DATE)


def _cn_date(m: re.Match[str]) -> tuple[int, int, int] | None:
    """(year, month, day) of a _CN_DATE_RE match, or None when cn2an cannot read a part."""
    import cn2an  # imported here: only dates in Chinese numerals need it

    year, month, day = m.group(1).translate(CN_ZERO), m.group(2), m.group(3)
    month = "一" if month in ("元", "正") else month
    try:
        return int(cn2an.cn2an(year, "smart")), int(cn2an.cn2an(month, "smart")), int(cn2an.cn2an(day, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


# A date with an English month name ('21 January 2021', 'Jan. 21, 2021'), as English versions of portals print.
_EN_DATE_RE = re.compile(r"\b\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}\b|\b[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}\b")


def _en_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of an English-language date, read by dateparser (strict: all three parts named)."""
    import dateparser  # imported here: only English-language dates need it

    when = dateparser.parse(text, languages=["en"],
                            settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]})
    return (when.year, when.month, when.day) if when else None


def iso_date(s: str | None) -> str | None:
    """'2021-01-11 10:46' / '2020年 1月 14日' / '20210111' / '二〇二二年一月十五日' / 'Published: 3 March 2022'
    -> an ISO date, validated (None if not a date: 2021年2月30日 is none)."""
    if not s:
        return None
    s = normalize_chars(s)
    parts: tuple[int, int, int] | None = None
    m = _DATE_RE.search(s)
    if not m:
        m = re.search(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)", s)
    if m:
        parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif cn := _CN_DATE_RE.search(s):
        parts = _cn_date(cn)
    elif en := _EN_DATE_RE.search(s):
        parts = _en_date(en.group(0))
    if parts is None:
        return None
    y, mo, d = parts
    if not 1990 <= y <= 2100:
        return None
    try:  # a day the month has (fuzzing: '2021-02-30' in a URL or PubDate became published_at)
        return datetime.date(y, mo, d).isoformat()
    except ValueError:
        return None


# ---------------------------------------------------------------- metadata block (§3)

# canonical key -> label synonyms (labels may be padded: 索 引 号)
_BLOCK_LABELS = {
    "索引号": ["索引号"],
    "发布机构": ["发布机构", "发文机关", "发布单位", "信息来源", "来源"],
    "成文日期": ["成文日期"],
    "发文日期": ["发文日期"],
    "生成日期": ["生成日期"],
    "发布日期": ["发布日期", "公开日期", "发布时间", "发表时间"],
    "文号": ["发文字号", "文号"],
    "分类": ["主题分类", "组配分类", "体裁分类", "分类"],
    "有效性": ["有效性", "时效", "效力状况"],
    "名称": ["标题", "名称"],
}


def _label_re(label: str) -> str:
    return r"[ \u3000]*".join(map(re.escape, label))


_ALL_LABELS = sorted(
    ((canon, syn) for canon, syns in _BLOCK_LABELS.items() for syn in syns), key=lambda cs: -len(cs[1])
)
_LABEL_ANY = "|".join(f"(?:{_label_re(syn)})" for _c, syn in _ALL_LABELS)
_BLOCK_RE = re.compile(rf"(?P<label>{_LABEL_ANY})[ \u3000]*[:：|]?[ \u3000\t|]*")


def parse_metadata_block(text: str, *, max_chars: int = 4000) -> dict[str, str]:
    """Read 索引号 / 发布机构 / 成文日期 / 发布日期 … label-value pairs from page text.

    Works on a flattened metadata table or a page-tools line such as
    '浏览次数: 发表时间:2021-01-11 10:46 信息来源:霍山县住建局 字体:[ ]'.
    Only the head of the text is read, where such blocks live.
    """
    head = normalize_chars(text[:max_chars])
    found: dict[str, str] = {}
    matches = list(_BLOCK_RE.finditer(head))
    for i, m in enumerate(matches):
        label = re.sub(r"[ \u3000]", "", m.group("label"))
        canon = next(c for c, syns in _BLOCK_LABELS.items() if label in syns)
        end = matches[i + 1].start() if i + 1 < len(matches) else len(head)
        value = head[m.end() : end]
        value = value.split("\n")[0]
        value = re.split(r"\s{2,}|\t|\||字体|浏览次数|【|\[", value)[0].strip(" :：|")
        if canon in ("成文日期", "发文日期", "生成日期", "发布日期"):
            value = iso_date(value) or ""
        elif canon == "索引号" and not re.search(r"\d", value):
            value = ""
        if value and len(value) <= 80 and canon not in found:
            found[canon] = value
    return found


# ---------------------------------------------------------------- title

_REPORT_WORDS = re.compile(r"(年度报告|年报|工作报告|年度总结|工作总结|报告|总结)$")
_DISCLOSURE = re.compile(r"(信息公开|政务公开)")
_AGENCY_END = re.compile(r"(局|委|委员会|办公室|政府|办事处|中心|厅|院|所|站|队|处|镇|乡|街道|管委会|公司)$")


_LONG_LINE_TITLE = re.compile(
    r"^([^\s，,。；;《》()（）:：]{2,40}?(?:19|20)\d{2}年度?(?:政府|政务)?信息公开(?:工作)?(?:年度报告|年报|工作报告))"
)
# the opening sentence names the reporting body: '现公布泰州市人民政府2017年政府信息公开工作年度报告'
_OPENING_AGENCY = re.compile(
    r"(?:现(?:予)?公布|现将|编制了?|发布)《?(?P<agency>[^\s，。《》、；:：]{2,30}?)(?:19|20)\d{2}\s*年度?"
    r"(?:政府|政务)?信息公开(?:工作)?(?:年度报告|年报)"
)


def opening_agency(text: str) -> str | None:
    """The body named by the report's opening sentence (for pages whose title is missing)."""
    m = _OPENING_AGENCY.search(normalize_chars(text[:3000]))
    if not m:
        return None
    name = m.group("agency")
    return name if _AGENCY_END.search(name) and not re.search(r"本(?:单位|机关|局|镇|乡)$|^本", name) else None


def title_from_text(text: str) -> str | None:
    """Find the title in the first lines of a text with no <title>.

    Handles the agency on its own line above the title ('东西湖区住房和城乡建设局'
    / '2019 年政府信息公开工作年度报告') and a title broken over two lines
    ('长子县住建局 2019 年度政务信息公开' / '工作报告').
    """
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()][:12]
    for ln in lines:  # a text dump's own label: '标题: …' is the title, whatever it says
        m = re.match(r"^(?:标\s*题|题\s*目)\s*[:：]\s*(\S.{1,80})$", ln)
        if m:
            return clean_title(m.group(1))
    for i, ln in enumerate(lines):
        if re.match(r"^(?:栏\s*目|来\s*源|发布机构|原文链接|本地目录)\s*[:：]", ln):
            continue  # the crawler's header lines name the column and the site, not the document
        compact = clean_title(ln) or ""
        if len(compact) > 80:
            # the title run into the first paragraph: '清水县人民政府2019年 政府信息公开工作年度报告 一、总体情况…'
            m = _LONG_LINE_TITLE.match(compact)
            if not m:
                continue
            compact = m.group(1)
        if not _DISCLOSURE.search(compact):
            continue
        title = compact
        if not _REPORT_WORDS.search(title) and i + 1 < len(lines):
            nxt = clean_title(lines[i + 1]) or ""
            if len(nxt) <= 10 and _REPORT_WORDS.search(nxt):
                title = title + nxt
        if not _REPORT_WORDS.search(title):
            continue
        if re.match(r"^(\d{4}\s*年度?)", title) or not _agency_prefix(title):
            if i > 0:
                prev = clean_title(lines[i - 1]) or ""
                if 2 < len(prev) <= 30 and not re.search(r"[，。]", prev) and (
                    _AGENCY_END.search(prev) or re.search(r"(?:局|委|政府|办公室|镇|乡|街道)(?:19|20)\d{2}年度?$", prev)
                ):  # '宿州市人民政府2016年' / '政府信息公开工作年度报告'
                    title = prev + title
        return title
    return None


# ---------------------------------------------------------------- agency

_YEAR_IN_TITLE = re.compile(r"(?:19|20)\d{2}\s*年度?")


def _agency_prefix(title: str) -> str | None:
    """The part of a title naming the agency, as printed ('长子县住建局', '县住建局', '宿迁市')."""
    t = clean_title(title) or ""
    t = re.sub(r"^(?:关于)?(?:印发|公布)?", "", t)
    t = re.sub(r"^(?:19|20)\d{2}年度?", "", t)  # year-first titles
    m = _YEAR_IN_TITLE.search(t)
    cut = m.start() if m else None
    d = re.search(r"(?:政府信息公开|政务信息公开|政务公开|信息公开)", t)
    if d and (cut is None or d.start() < cut):
        cut = d.start()
        # '上海市政府信息公开…': 政府 belongs to the disclosure phrase, the agency is the region
    if cut is None or cut == 0:
        return None
    prefix = t[:cut].strip("：: ")
    prefix = re.sub(r"[（(].*?[)）]$", "", prefix)
    return prefix or None


def _is_region_only(name: str) -> bool:
    return bool(re.search(r"(省|市|县|区|旗|盟|州|自治县|自治州|地区)$", name)) and not _AGENCY_END.search(name[-1:])


def _department_of(rest: str) -> str | None:
    """Department type of an agency with the region removed ('二郎街道办事处' -> '街道办事处')."""
    if not rest:
        return None
    m = re.match(rf"^[{HAN}]{{1,8}}?(镇|乡|街道|苏木)(人民政府|办事处|政府)?$", rest)
    if m:
        kind = m.group(1)
        tail = m.group(2) or ("办事处" if kind == "街道" else "人民政府")
        if tail == "政府":
            tail = "人民政府"
        return kind + tail
    rest = re.sub(rf"^[{HAN}]{{1,8}}?(?:高新技术产业开发区|经济技术开发区|高新区|开发区|新区)(?=.)", "", rest)
    return rest


def resolve_agency(
    title: str | None, text: str, context: SiteContext | None = None
) -> tuple[str | None, str | None, str | None, list[str]]:
    """(agency, agency_as_printed, department, region-names) from the title, context and text.

    agency: as the title gives it, abbreviations expanded, parent city dropped;
    a bare '县住建局' takes its county from the site context or from the text
    ('霍山县住建局' in the body).
    """
    printed = _agency_prefix(title) if title else None
    return resolve_agency_name(printed, text, context)


def resolve_agency_name(
    printed: str | None, text: str, context: SiteContext | None = None
) -> tuple[str | None, str | None, str | None, list[str]]:
    """Like `resolve_agency`, for a name found elsewhere (signature line, 发布机构, site name)."""
    printed = clean_title(printed)
    if not printed or _NOT_AGENCY.search(printed):
        return None, None, None, []
    if re.match(r"^(县|区|市|旗|镇|乡|街道|本)", printed) and not gazetteer.split_region_prefix(printed)[0]:
        county = _county_for_bare(printed, text, context)
        if county and not printed.startswith(county):  # 市辖区教育局 of the gazetteer's placeholder 市辖区 is not bare
            printed = county + printed[1:] if printed[0] in "县区市旗" else county + printed
    names, rest = gazetteer.split_region_prefix(printed)
    zone = not names and gazetteer.zone_host(printed)
    if zone:  # 平潭综合实验区管委会: the zone is the agency, its host division the region
        agency = expand_abbreviations(printed)
        m = re.match(r"(.+?(?:实验区|开发区|高新区|新区|园区|试验区|示范区|合作区))(.+)$", agency)
        if m:
            agency = m.group(1) + (full_name_in_text(m.group(2), text, m.group(1)) or m.group(2))
        return agency, printed, _department_of(agency), list(zone)
    full_rest = expand_abbreviations(rest) if rest else ""
    if full_rest:
        full_rest = full_name_in_text(full_rest, text, "".join(names[-1:])) or full_rest
    if not full_rest or full_rest == "政府":
        # the title names only a region: the reporting body is its government
        full_rest = "人民政府"
    elif re.search(r"(镇|乡|苏木)$", full_rest):
        full_rest += "人民政府"
    elif full_rest.endswith("街道"):
        full_rest += "办事处"
    elif re.search(r"(镇|乡)政府$", full_rest):
        full_rest = full_rest[:-2] + "人民政府"
    # drop parent divisions: keep only the most specific region name
    agency = "".join(names[-1:]) + full_rest
    department = _department_of(full_rest)
    return agency, printed, department, names


def _county_for_bare(printed: str, text: str, context: SiteContext | None) -> str | None:
    if context and context.county:
        return context.county
    if context and context.adcode:
        r = gazetteer.region_for_code(context.adcode)
        if r and r.county:
            return r.county
    rest = printed[1:] if printed[0] in "县区市旗" else printed
    suffix = printed[0] if printed[0] in "县区市旗" else ""
    # a full form of the same agency in the text: '霍山县住建局'
    for name, _n in gazetteer.counties_in_text(text):
        if (not suffix or name.endswith(suffix)) and (name + rest) in text:
            return name
    for name, _n in gazetteer.counties_in_text(text):
        if not suffix or name.endswith(suffix):
            return name
    return None


# ---------------------------------------------------------------- region


def resolve_region(
    context: SiteContext | None,
    meta: dict[str, str],
    agency_names: list[str],
    text: str,
) -> Region:
    """Region + adcode: site context, then SiteIDCode, then the agency, then the text."""
    if context:
        r = gazetteer.region_for_code(context.adcode) if context.adcode else None
        if r:
            return r
        if context.county:
            r = gazetteer.find_county(context.county, f"{context.province or ''}{context.city or ''}")
            if r:
                return r
        if context.city or context.province:
            r = gazetteer.find_city(context.city or context.province or "", context.province or "")
            if r:
                return r
    code = (meta.get("SiteIDCode") or "").strip()
    if re.fullmatch(r"\d{10}", code):
        r = gazetteer.region_for_code(code[:6])
        if r:
            return r
    if agency_names:
        r = gazetteer.region_from_names(agency_names, text[:5000])
        if r:
            return r
    r = gazetteer.region_from_text(text)
    if r is None:  # a functional zone's report that names no county (平潭综合实验区)
        head = text[:5000]
        host = next((h for z, h in gazetteer.ZONES.items() if z in head), None)
        r = gazetteer.region_from_names(host) if host else None
    return r or Region()


# ---------------------------------------------------------------- year and dates


def report_year(title: str | None, text: str) -> int | None:
    """Report year: the title, else the 统计期限 sentence, else the body (never the URL)."""
    if title:
        t = normalize_chars(title)
        m = re.search(r"((?:19|20)\d{2})\s*年", t)
        if m:
            return int(m.group(1))
    t = normalize_chars(text[:20000])
    m = re.search(r"统计期限.{0,6}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日", t)
    if m:
        return int(m.group(1))
    head = "\n".join(ln for ln in t.split("\n")[:8])
    m = re.search(r"((?:19|20)\d{2})\s*年度?\s*(?:政府|政务)?信息公开", head)
    if m:
        return int(m.group(1))
    m = re.search(r"^\s*((?:19|20)\d{2})\s*年(?:度|以来)?\s*[，,]", t, re.M)
    if m:
        return int(m.group(1))
    years = Counter(
        int(y)
        for y in re.findall(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月\s*\d{1,2}\s*日)", t)
        if 2000 <= int(y) <= 2100
    )
    return years.most_common(1)[0][0] if years else None


def body_year(text: str) -> tuple[int, str] | None:
    """The year the body itself says it covers, with the words that say so.

    Only explicit statements count — the 统计期限 sentence, or an opening "2020年，…" — so that the
    check of the title's year against the body does not fire on years merely mentioned in passing.
    """
    t = normalize_chars(text[:20000])
    m = re.search(r"统计期限.{0,6}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日.{0,6}?((?:19|20)\d{2})\s*年\s*12\s*月", t)
    if m and m.group(1) == m.group(2):
        return int(m.group(1)), m.group(0)
    paragraphs = [ln.strip() for ln in t.split("\n") if len(ln.strip()) > 15][:4]
    for para in paragraphs[1:]:  # the first line is usually the heading, which repeats the title
        m = re.match(r"((?:19|20)\d{2})\s*年度?\s*[，,]", para)
        if m:
            return int(m.group(1)), para[:30]
    return None


def signing_date(text: str) -> str | None:
    """The date at the end of the document, on a line of its own (the signature)."""
    lines = [ln.strip() for ln in normalize_chars(text).split("\n") if ln.strip()]
    for ln in reversed(lines[-15:]):
        if re.fullmatch(DATE_LINE, ln):
            return iso_date(ln)
    return None


def signature_agency(text: str) -> str | None:
    """The issuing body printed just above the signing date at the end of the text."""
    lines = [ln.strip() for ln in normalize_chars(text).split("\n") if ln.strip()]
    tail = lines[-15:]
    for i in range(len(tail) - 1, 0, -1):
        if re.fullmatch(DATE_LINE, tail[i]):
            prev = re.sub(r"\s+", "", tail[i - 1])
            if 3 <= len(prev) <= 40 and _AGENCY_END.search(prev) and not re.search(r"[，。；：,;:]", prev):
                return prev
            return None
    return None


def url_date(url: str | None) -> str | None:
    """TRS detail URLs carry the publication date: …/202101/t20210111_123.html."""
    if not url:
        return None
    m = re.search(r"/t((?:19|20)\d{6})_\d+", url)
    if m:
        return iso_date(m.group(1))
    m = re.search(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/art_", url)
    if m:
        return iso_date("-".join(m.groups()))
    return None


def published_at(meta: dict[str, str], block: dict[str, str], url: str | None) -> str | None:
    for value in (meta.get("PubDate"), meta.get("publishdate"), block.get("发布日期"),
                  block.get("发文日期"), block.get("生成日期")):
        d = iso_date(value)
        if d:
            return d
    return url_date(url)


# ---------------------------------------------------------------- form

_F2021 = ["本年制发件数", "本年废止件数", "现行有效件数", "逾期不补正", "逾期未按收费通知要求缴纳费用"]
_F2019 = ["本年新制作数量", "本年新公开数量", "对外公开总数", "上一年项目数量", "本年增/减", "本年增减"]
_LEGACY = ["收到申请数", "主动公开政府信息数", "申请办结数", "同意公开答复数", "行政复议数量", "行政诉讼数量",
           "不同意公开答复数", "政府信息公开专项经费", "同意部分公开答复数", "不予公开答复数", "对申请的答复总数",
           "政府信息公开情况统计表"]


def detect_form(text: str, tables: list[Grid]) -> str:
    """Which report form the document follows (see spec/metrics.md)."""
    flat = "\n".join("\t".join(row) for grid in tables for row in grid)
    blob = re.sub(r"\s+", "", normalize_chars(text + "\n" + flat))
    n21 = sum(1 for k in _F2021 if k in blob)
    n19 = sum(1 for k in _F2019 if k in blob)
    if n21 >= 2:
        return "form2021"
    if n19 >= 2:
        return "form2019"
    if ("统计指标" in blob and "统计数" in blob) or sum(1 for k in _LEGACY if k in blob) >= 3:
        return "legacy_table"
    return "narrative"
