"""What an export is: its files, the columns of each (with the bilingual labels the codebook gives
them) and the error it raises. Read by every other module of the package."""

from __future__ import annotations

from dataclasses import dataclass

SEP = " | "  # joins list-valued cells (flags, URLs); never occurs inside a URL or a flag name
BOM = b"\xef\xbb\xbf"
STATA_VERSION = 118  # the first .dta version with Unicode strings

CSV_FILES = ("reports.csv", "statistics_long.csv", "statistics_wide.csv", "year_over_year.csv", "peers.csv")
PARQUET_FILES = ("reports.parquet", "statistics_long.parquet", "statistics_wide.parquet", "year_over_year.parquet",
                 "peers.parquet")
STATA_FILES = ("reports.dta", "statistics_long.dta", "statistics_wide.dta", "year_over_year.dta", "peers.dta")
META_FILES = ("texts.jsonl", "codebook.csv", "codebook.md", "datapackage.json", "README.md", "CITATION.cff",
              "SHA256SUMS")
ALL_FILES = frozenset(CSV_FILES + PARQUET_FILES + STATA_FILES + META_FILES)
PACKAGE_NAME = "ogi-annual-reports"  # datapackage.json `name`: with SHA256SUMS, marks a directory as ogi's export
STAGING_PREFIX = ".ogi-export-"  # the export is built in a directory of this prefix beside DIR, then swapped in whole


# Coded text columns written to Stata as value-labelled integers, with fixed codes (the same in every export).
STATA_CODES: dict[str, tuple[str, ...]] = {
    "form": ("form2021", "form2019", "legacy_table", "narrative"),
    "text_source": ("html", "pdf", "docx", "doc", "text", "ocr", "xls", "xlsx", "wps"),
    "source": ("table", "text"),
}
# Columns written to Stata as Stata dates (%td) from their ISO 8601 text.
STATA_DATES = ("published_at", "document_date")


class ExportError(Exception):
    """A user-facing export problem (bad database, bad filters, refused or unwritable output directory)."""


@dataclass(frozen=True)
class Col:
    """One column of an exported table, with what the codebook says about it."""

    name: str
    type: str  # frictionless type: string | integer | number | date
    label_zh: str
    label_en: str
    unit: str = ""
    description: str = ""


# --- columns ----------------------------------------------------------------------------------------

_ID = Col("report_id", "integer", "报告编号", "report id", description="Report id in this corpus; joins every file.")
_AGENCY = Col("agency", "string", "机关名称", "agency (canonical name)")
_ADCODE = Col("adcode", "string", "行政区划代码", "6-digit GB/T 2260 county code",
              description="Text, not a number: read it as a string (R: colClasses).")
_YEAR = Col("report_year", "integer", "报告年度", "year the report covers (not the year published)")
_REGION = [
    Col("department", "string", "部门类别", "kind of agency (e.g. 住建, 人民政府), if classified"),
    Col("province", "string", "省级行政区", "province"),
    Col("city", "string", "地级行政区", "prefecture-level city"),
    Col("county", "string", "县级行政区", "county-level division"),
]
_FORM = Col("form", "string", "报告格式", "form the report follows",
            description="form2021 (the 2021 form, tables 二–四) | form2019 (the 2019 form) | legacy_table (the "
                        "2008–2018 indicator table) | narrative (no table: numbers from sentences).")
_AGENCY_ID = Col("agency_id", "integer", "机关面板编号", "numeric panel id of the agency (name and county code)",
                 description="The same agency has the same id in every export: the first 52 bits of "
                             "SHA-256(\"agency|adcode\"), exact in a double. Stata: xtset agency_id report_year.")
_N_FLAGS = Col("n_flags", "integer", "检查标记数", "number of failed checks (0 = all checks passed)")

REPORT_COLUMNS: list[Col] = [
    _ID, _AGENCY, _AGENCY_ID,
    Col("agency_as_printed", "string", "报告所印机关名称", "agency name exactly as printed in the report"),
    *_REGION, _ADCODE, _YEAR,
    Col("title", "string", "标题", "title"),
    Col("published_at", "date", "发布日期", "date the site posted the report (ISO 8601)"),
    Col("document_date", "date", "成文日期", "date printed in the document (signing date, ISO 8601)"),
    _FORM,
    Col("source_url", "string", "来源网址", "detail page the report was found on"),
    Col("alt_source_urls", "string", "其他来源网址", "other URLs that carried the same report",
        description=f"Joined with '{SEP}'."),
    Col("sha256", "string", "来源文件哈希", "SHA-256 of the bytes the text was extracted from"),
    Col("text_source", "string", "文本来源格式", "format the text came from: html | pdf | docx | doc | text | ocr"),
    Col("flags", "string", "检查标记", "failed checks, e.g. balance_mismatch",
        description=f"Joined with '{SEP}'; blank = every check passed."),
    _N_FLAGS,
    Col("errors", "string", "提取问题", "extraction problems", description=f"Joined with '{SEP}'."),
    Col("n_errors", "integer", "提取问题数", "number of extraction problems"),
    Col("n_statistics", "integer", "统计数据项数", "number of statistics read from the report"),
    Col("site_id", "string", "站点编号", "registry site the report was crawled from"),
    Col("first_seen", "string", "首次保存时间", "first saved to the corpus (UTC ISO 8601)"),
    Col("last_seen", "string", "最近保存时间", "latest crawl that found it (UTC ISO 8601)"),
    Col("page_urls", "string", "页面抓取网址", "captured URLs of the detail page (every version)",
        description=f"Joined with '{SEP}', aligned with page_sha256."),
    Col("page_sha256", "string", "页面抓取哈希", "SHA-256 of each captured page version",
        description=f"Joined with '{SEP}', aligned with page_urls; raw bytes are under raw/<sha[:2]>/<sha>."),
    Col("attachment_urls", "string", "附件抓取网址", "captured URLs of the attachments (every version)",
        description=f"Joined with '{SEP}', aligned with attachment_sha256."),
    Col("attachment_sha256", "string", "附件抓取哈希", "SHA-256 of each captured attachment version",
        description=f"Joined with '{SEP}', aligned with attachment_urls."),
    # Compared with other reports (ogi compare; corpus/compare.py, corpus/similarity.py).
    Col("cross_year_flags", "string", "跨年度检查标记", "checks against the agency's report of the year before",
        description=f"Joined with '{SEP}': carry_mismatch (上年结转 ≠ last year's 结转下年度继续办理), form_regression "
                    "(an older form than last year's), published_too_early (before the report year was over); "
                    "each with both values."),
    Col("similarity_prev_year", "number", "与上年报告文本相似度", "share of text repeated from the agency's previous report",
        description="0–1, MinHash estimate over 5-character shingles without the form's headings, tables, numbers and "
                    "names; blank: no previous report, too little text, or `ogi compare --similarity` not run."),
    Col("nearest_peer", "integer", "最相似同县报告编号", "report_id of the most similar report of another agency, same "
        "county and year", description="Blank when no peer shares at least half of the text (MinHash LSH threshold)."),
    Col("nearest_peer_similarity", "number", "与最相似同县报告的相似度", "share of text shared with nearest_peer (0–1)"),
]

LONG_COLUMNS: list[Col] = [
    _ID, _AGENCY, _AGENCY_ID, _ADCODE, _YEAR,
    Col("key", "string", "指标代码", "canonical statistic key (see the statistic keys in the codebook)"),
    Col("value", "number", "数值", "the number (counts are whole numbers; unit per key in the codebook)"),
    Col("source", "string", "数据位置", "where in the report it was read: table | text"),
    Col("evidence", "string", "原文依据", "the table row or sentence it was read from, verbatim"),
    Col("flags", "string", "本数字的检查标记", "the report's failed checks that concern this number",
        description=f"Joined with '{SEP}'; blank = no check flagged this number (the report may have other flags: "
                    "reports.csv `flags`). E.g. a table 三 row whose columns do not add up flags that row's numbers; "
                    "a sentence contradicting the table flags the table's number."),
    Col("capture_id", "integer", "抓取编号", "capture holding the bytes it was read from"),
    Col("capture_url", "string", "抓取网址", "URL of that capture"),
    Col("capture_sha256", "string", "抓取哈希", "SHA-256 of that capture's bytes"),
    Col("fetched_at", "string", "抓取时间", "when those bytes were first fetched (UTC ISO 8601)"),
]

WIDE_ID_COLUMNS: list[Col] = [_ID, _AGENCY, _AGENCY_ID, *_REGION, _ADCODE, _YEAR, _FORM, _N_FLAGS]

TEXT_COLUMNS: list[Col] = [
    _ID, _AGENCY, _YEAR,
    Col("title", "string", "标题", "title"),
    Col("source_url", "string", "来源网址", "detail page the report was found on"),
    Col("sha256", "string", "来源文件哈希", "SHA-256 of the bytes the text was extracted from"),
    Col("text", "string", "全文", "full text after repairs"),
]

_VALUE = "the core statistic's value in that report (blank = absent)"
YOY_COLUMNS: list[Col] = [
    _ID, Col("prev_report_id", "integer", "上年报告编号", "the same agency's report of the year before"),
    _AGENCY, _ADCODE, _YEAR,
    Col("key", "string", "指标代码", "core statistic key (see the statistic keys in the codebook)"),
    Col("previous", "number", "上年数值", f"previous year: {_VALUE}"),
    Col("current", "number", "本年数值", f"this year: {_VALUE}"),
    Col("delta", "number", "变化", "current − previous (blank when either is absent)"),
]

_SHARE = "of the requests handled (core.requests_handled); blank when none were handled or a value is absent"
PEER_COLUMNS: list[Col] = [
    _ID, _AGENCY, *_REGION[1:], _ADCODE, _YEAR,
    Col("requests_new", "number", "本年新收申请数", "requests received this year (core.requests_new)", "件"),
    Col("requests_handled", "number", "办理总数", "requests handled (core.requests_handled)", "件"),
    Col("share_granted", "number", "予以公开比例", f"share granted in full {_SHARE}"),
    Col("share_denied", "number", "不予公开比例", f"share refused {_SHARE}"),
    Col("share_reviewed", "number", "行政复议比例", f"administrative reviews per request handled {_SHARE}"),
    Col("rank_in_county", "integer", "县内排名", "rank by requests_new among this export's reports of the county and "
        "year (1 = most; ties share a rank)"),
    Col("agencies_in_county", "integer", "县内报告数", "reports of the county and year in this export"),
    Col("rank_in_province", "integer", "省内排名", "rank by requests_new among this export's reports of the province "
        "and year"),
    Col("agencies_in_province", "integer", "省内报告数", "reports of the province and year in this export"),
]

CODEBOOK_COLUMNS: list[Col] = [
    Col("kind", "string", "类别", "column (of a file) or statistic (a key in statistics_long)"),
    Col("file", "string", "文件", "file the column belongs to"),
    Col("name", "string", "名称", "column name or statistic key"),
    Col("stata_name", "string", "Stata变量名", "variable name in the .dta files (Stata naming rules)"),
    Col("label_zh", "string", "中文标签", "Chinese label"),
    Col("label_en", "string", "英文释义", "English gloss"),
    Col("unit", "string", "单位", "unit"),
    Col("type", "string", "类型", "data type: string | integer | number | date"),
    Col("forms", "string", "适用格式", "report forms that have it", description=f"Joined with '{SEP}'."),
    Col("description", "string", "说明", "notes"),
]


