"""Every flag in words: what a stored flag means, in Chinese and English, and which numbers it concerns.

Why here: the extractor writes flags as short technical English ("table 三 row granted: columns add up to
3, total says 4"); a reader checking a number beside its source needs to know what went wrong and which
cells to look at. The patterns follow the messages of extract/stats/checks.py, extract/stats/__init__.py,
extract/pipeline.py, the format extractors and corpus.compare (cross-year checks); a flag no pattern knows
is shown as stored, with a generic explanation, never dropped. Used by the report page (ogi/web) and by
the export's per-number `flags` column of statistics_long (ogi/export).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# How a number was placed (statistics.confidence, schema 5; extract.stats.base.CONFIDENCE).
CONFIDENCE_WORDS: dict[str, tuple[str, str]] = {
    "table-label": ("按表格行列标签读取", "read from a table cell whose row and column labels are printed as the form has them"),
    "table-position": ("按表格固定位置读取", "read from a table by the form's fixed row/column order or a near-miss "
                       "label: check it against the table"),
    "derived": ("由表格数字计算", "computed from table cells (a sum or a copy); its evidence names the cells"),
    "text": ("从正文句子读取", "read from a sentence of the text, not from a table"),
    "": ("未记录", "how it was placed was not recorded (stored before schema 5)"),
}

_TABLE_PREFIX = {"二": "proactive.", "三": "requests.", "四": ""}
_CORE_GROUP = {"review": ("core.review_",), "litigation_direct": ("core.litigation_",),
               "litigation_after_review": ("core.litigation_",)}
_IDS_RE = re.compile(r"\(([a-z_][a-z0-9_.]*(?:, [a-z_][a-z0-9_.]*)*)\)")
_DISAGREE_WORDS = {"request": "core.requests_new", "administrative review": "core.review_total",
                   "lawsuit": "core.litigation_total"}


@dataclass(frozen=True)
class FlagNote:
    """A stored flag with its explanation and the statistic keys (or key prefixes) it concerns."""

    flag: str
    zh: str
    en: str
    kind: str  # numbers | table | text | date | year | document | version | cross-year | other
    keys: tuple[str, ...] = field(default=())  # exact keys or prefixes ending in '.' or '_'

    def concerns(self, key: str) -> bool:
        """Whether this flag is about the statistic `key`."""
        return any(key == k or (k.endswith((".", "_")) and key.startswith(k)) for k in self.keys)


def _named_rows(m: re.Match[str]) -> tuple[str, ...]:
    """The rows or cells a table note names in parentheses ("placed by position (denied_prohibited_by_law)");
    none when it names none (the note is then shown with its table, not beside single numbers)."""
    prefix = _TABLE_PREFIX[m.group(1)]
    names = [n for g in _IDS_RE.findall(m.string) for n in g.split(", ")]
    return tuple(k for n in names for k in (prefix + n, prefix + n + "."))


def _cols(col: str, rows: tuple[str, ...]) -> tuple[str, ...]:
    keys = tuple(f"requests.{r}.{col}" for r in rows)
    return keys + (tuple(f"core.requests_{r}" for r in rows) if col == "total" else ())


Rule = tuple[re.Pattern[str], str, str, str, Callable[[re.Match[str]], tuple[str, ...]]]
_RULES: list[Rule] = [
    (re.compile(r"^table 三 column (\w+): new \+ carried over"),
     "表三该列：本年新收＋上年结转 ≠ 办理结果总计＋结转下年度，数字不平衡",
     "table 三, this column: new + carried over does not equal handled + carried forward", "numbers",
     lambda m: _cols(m.group(1), ("new", "carried_over", "handled_total", "carried_forward"))
     + (("core.requests_handled",) if m.group(1) == "total" else ())),
    (re.compile(r"^table 三 row (\w+): columns add up"),
     "表三该行：各类申请人之和与总计不符", "table 三, this row: the applicant columns do not add up to its total",
     "numbers", lambda m: (f"requests.{m.group(1)}.", f"core.requests_{m.group(1)}")),
    (re.compile(r"^table 三 column (\w+): outcomes add up"),
     "表三该列：各办理结果之和与“总计”不符", "table 三, this column: the outcomes do not add up to the total handled",
     "numbers", lambda m: (f"requests.handled_total.{m.group(1)}",)
     + (("core.requests_handled",) if m.group(1) == "total" else ())),
    (re.compile(r"^table 三 column (\w+): （六）其他处理"),
     "表三该列：“其他处理”与其分项之和不符", "table 三, this column: （六）其他处理 does not equal its sub-rows",
     "numbers", lambda m: tuple(f"requests.{r}.{m.group(1)}" for r in
                                ("other", "other_no_correction", "other_unpaid_fee", "other_misc"))),
    (re.compile(r"^table 四 (\w+): upheld \+ corrected"),
     "表四该组：维持＋纠正＋其他＋尚未审结 ≠ 总计", "table 四, this group: upheld + corrected + other + pending "
     "does not equal its total", "numbers", lambda m: (f"{m.group(1)}.", *_CORE_GROUP.get(m.group(1), ()))),
    (re.compile(r"^text says (?:[\d.]+ (request|administrative review|lawsuit)s?|[\d.]+ for ([\w.]+))"),
     "正文所述数字与表格不一致：保留表格数字", "the text gives another number than the table; the table's "
     "number is kept", "numbers",
     lambda m: (_DISAGREE_WORDS[m.group(1)],) if m.group(1) else (m.group(2),)),
    (re.compile(r"^sentences disagree on ([\w.]+)"),
     "正文多处对同一数字说法不一：未采用", "sentences of the text give this quantity different values; none "
     "was taken", "numbers", lambda m: (m.group(1),)),
    (re.compile(r"^document date falls before the end of the report year"),
     "成文日期早于报告年度结束：年度或日期可能有误", "the signing date is before the report year ended: the year "
     "or the date is likely wrong", "date", lambda m: ()),
    (re.compile(r"^title says (\d+) while the body says"),
     "标题年度与正文年度不一致", "the title names another year than the body", "year", lambda m: ()),
    (re.compile(r"^table (二|三|四)\b.*(?:digits run together|run together)"),
     "表格数字粘连，已按合计拆分（或无法唯一拆分而跳过）", "digits of this table ran together in the text; they "
     "were cut where the sums hold (or skipped when no single cut did)", "table",
     lambda m: _named_rows(m)),
    (re.compile(r"^table (二|三|四)\b"),
     "表格读取提示：部分行列未按标签识别或被跳过", "a note on reading this table: some rows or columns were not "
     "recognised by their labels, placed by position, or skipped", "table", lambda m: _named_rows(m)),
    (re.compile(r"^(?:a table could not be|table legacy could not be|numbers could not be read|stats failed)"),
     "表格或数字读取失败", "a table or the numbers could not be read", "table", lambda m: ()),
    (re.compile(r"^edited after publication"),
     "发布后内容被修改：见下方历史版本", "the page served different content after it was first stored: see the "
     "versions below", "version", lambda m: ()),
    (re.compile(r"^(?:needs OCR|text from OCR|pages .* from OCR|OCR)"),
     "文字来自图片识别（OCR）或需要识别", "the text is (or would need to be) read from images by OCR: digits may "
     "be misread", "document", lambda m: ()),
    (re.compile(r"^only the first \d+ pages read|^text truncated|^html truncated|^html table skipped"),
     "文件过大，仅读取了部分内容", "the document was larger than the limits: only part of it was read",
     "document", lambda m: ()),
    (re.compile(r"^docx table with malformed merged cells"),
     "Word 表格合并单元格有误，已从 XML 读取", "a Word table with broken merged cells, read from its XML",
     "document", lambda m: ()),
    (re.compile(r"^(?:extraction failed|no text|agency resolution failed|region resolution failed)"),
     "提取失败或信息缺失", "extraction failed or found no usable text or agency", "document", lambda m: ()),
    (re.compile(r"^上年结转 .* ≠ 结转下年度继续办理"),
     "本年“上年结转”与上一年度报告的“结转下年度继续办理”不一致", "this year's carried-over requests differ from "
     "the carried-forward requests of last year's report", "cross-year",
     lambda m: ("core.requests_carried_over", "requests.carried_over.total")),
    (re.compile(r"^\w+ in \d{4} after \w+ in \d{4}"),
     "本年报告格式比上一年度旧", "this year's report uses an older form than last year's", "cross-year",
     lambda m: ()),
    (re.compile(r"^published \S+, before the year it reports on"),
     "发布日期早于报告年度结束", "published before the year it reports on was over", "cross-year", lambda m: ()),
]


def explain(flag: str) -> FlagNote:
    """The explanation of one stored flag (a generic one when no rule knows it)."""
    text = str(flag)
    for rx, zh, en, kind, keys in _RULES:
        m = rx.search(text)
        if m:
            return FlagNote(text, zh, en, kind, keys(m))
    return FlagNote(text, "其他提示", "a note recorded while extracting this report", "other")


def confidence_words(confidence: str | None) -> tuple[str, str]:
    """(Chinese, English) explanation of a confidence class."""
    return CONFIDENCE_WORDS.get(confidence or "", (confidence or "", "unknown placement"))
