"""The export's descriptive files from small hand-made inputs, piece by piece: the panel id and the flags that
concern a number (ogi/export/citation.py), CITATION.cff, datapackage.json's provenance, the codebook rows and
Markdown, the Frictionless schema and resources (ogi/export/package.py), and the figures README.md states
(ogi/export/readme.py). tests/test_export*.py check whole exports; these pin what a mutation run
(scripts/mutation.sh export-meta) found unpinned. Expected values are written out, not recomputed."""

from __future__ import annotations

import hashlib
import json

import pytest

from corpus.export_views import CrawlHistory
from ogi.codebook import KeyInfo
from ogi.export.citation import (
    DATA_LICENSES,
    PANEL_ID_BITS,
    citation_cff,
    number_flags,
    package_provenance,
    panel_id,
)
from ogi.export.package import codebook_md, codebook_rows, datapackage, md_escape, wide_columns
from ogi.export.readme import readme
from ogi.export.spec import PACKAGE_NAME, WIDE_ID_COLUMNS, Col

# --- citation.py -------------------------------------------------------------------------------------

def test_panel_id_is_the_first_52_bits_of_the_hash():
    assert PANEL_ID_BITS == 52
    assert panel_id("甲区教育局", "440703") == int(hashlib.sha256("甲区教育局|440703".encode()).hexdigest()[:13], 16)
    assert panel_id("甲区教育局", "440703") == 4277553580268231
    assert panel_id("甲区教育局", None) == panel_id("甲区教育局", "") == int(
        hashlib.sha256("甲区教育局|".encode()).hexdigest()[:13], 16)
    assert panel_id("甲区教育局", "440704") != panel_id("甲区教育局", "440703")
    assert panel_id(None, "440703") is None and panel_id("", "440703") is None
    assert 0 <= panel_id("x", "1") < 2**52


def test_number_flags_concern_their_key():
    flags = ["sentences disagree on core.requests.new", "document date falls before the end of the report year",
             "text says 12 for core.requests.new: table says 10", "sentences disagree on core.requests.carried"]
    assert number_flags(flags, "core.requests.new") == (
        "sentences disagree on core.requests.new | text says 12 for core.requests.new: table says 10")
    assert number_flags(flags, "core.requests.carried") == "sentences disagree on core.requests.carried"
    assert number_flags(flags, "core.other") == "" and number_flags([], "core.requests.new") == ""


def test_citation_cff_text():
    text = citation_cff('Title "q" \\ x', "abc123", "2024-05-06T07:08:09Z", 3, [2019, 2021, 2022])
    assert text == "\n".join([
        "cff-version: 1.2.0",
        "message: >-",
        "  If you use this dataset, please cite it as below, with its version (a hash of its content:",
        "  the same version means byte-identical files, see SHA256SUMS). Its licence, CC0-1.0, covers the",
        "  numbers, tables, metadata and codebook ogi compiled; the report texts are the agencies' documents,",
        "  not licensed by ogi (README.md, Licence).",
        "type: dataset",
        'title: "Title \\"q\\" \\\\ x"',
        'version: "abc123"',
        "date-released: 2024-05-06",
        "license: CC0-1.0",
        "authors:",
        "  - name: ogi contributors",
        'abstract: "3 government information-disclosure annual reports, report years 2019–2022, with the numbers '
        'read from them (with evidence and provenance) and their texts, collected by the ogi crawler."',
        "keywords:",
        "  - open government information",
        "  - 政府信息公开",
        "  - annual reports",
        "  - China",
        "",
    ])


@pytest.mark.parametrize(("generated", "released"), [
    ("unknown", None), ("2024-05-0", None), ("2024-05-06", "2024-05-06"), ("x024-05-06T00", None),
])
def test_citation_release_date_only_from_a_date(generated, released):
    text = citation_cff("t", "v", generated, 0, [])
    assert ("date-released: " + str(released)) in text if released else "date-released" not in text
    assert 'abstract: "0 government information-disclosure annual reports, with the numbers' in text


def test_package_provenance():
    sites = [("s1", "甲县", "广东省", "trs", "2024-01-01"), ("s2", None, None, "", None)]
    assert package_provenance(sites) == {
        "licenses": list(DATA_LICENSES),  # pinned word for word in tests/test_license.py
        "sources": [{"title": "甲县 (广东省), site s1"}, {"title": "s2 (?), site s2"}],
        "contributors": [
            {"title": "ogi contributors", "role": "author"},
            {"title": "the government agencies named in reports.csv (agency), which published the reports",
             "role": "publisher"}],
    }
    assert package_provenance([])["sources"] == [
        {"title": "ogi crawl of government portals (no site recorded for these reports)"}]


# --- package.py --------------------------------------------------------------------------------------

BOOK = {
    "core.requests.new": KeyInfo("core.requests.new", "新收申请", "requests received", "件", ("form2019", "form2021")),
    "extra.x": KeyInfo("extra.x", "其他", "other", "", ("form2021",)),
    "core.b": KeyInfo("core.b", "乙", "b|pipe", "个", ()),
}
COLS = [Col("report_id", "integer", "编号", "id"), Col("core.b", "number", "乙", "b", "个", "d\nline"),
        Col("_1x", "string", "", "")]


def test_codebook_rows():
    rows = codebook_rows({"a.csv": COLS, "b.csv": COLS[:1]}, BOOK, ["core.requests.new", "new.key"], {"a.csv": "a.dta"})
    assert rows[:4] == [
        {"kind": "column", "file": "a.csv", "name": "report_id", "stata_name": "report_id", "label_zh": "编号",
         "label_en": "id", "unit": "", "type": "integer", "forms": "", "description": ""},
        {"kind": "column", "file": "a.csv", "name": "core.b", "stata_name": "core_b", "label_zh": "乙",
         "label_en": "b", "unit": "个", "type": "number", "forms": "", "description": "d\nline"},
        {"kind": "column", "file": "a.csv", "name": "_1x", "stata_name": "_1x", "label_zh": "", "label_en": "",
         "unit": "", "type": "string", "forms": "", "description": ""},
        {"kind": "column", "file": "b.csv", "name": "report_id", "stata_name": "", "label_zh": "编号",
         "label_en": "id", "unit": "", "type": "integer", "forms": "", "description": ""},
    ]
    assert rows[4:] == [
        {"kind": "statistic", "file": "statistics_long.csv", "name": "core.requests.new", "stata_name": "",
         "label_zh": "新收申请", "label_en": "requests received", "unit": "件", "type": "number",
         "forms": "form2019 | form2021", "description": ""},
        {"kind": "statistic", "file": "statistics_long.csv", "name": "new.key", "stata_name": "", "label_zh": "",
         "label_en": "", "unit": "", "type": "number", "forms": "",
         "description": "not in the codebook: a key the extractor added (its evidence in statistics_long.csv says "
                        "what it counts)"},
    ]
    column_in_book = codebook_rows({"a.csv": [Col("core.b", "number", "", "")]}, BOOK, [], {})
    assert column_in_book[0]["forms"] == "" and column_in_book[0]["stata_name"] == ""
    with_forms = codebook_rows({"a.csv": [Col("extra.x", "number", "", "")]}, BOOK, [], {})
    assert with_forms[0]["forms"] == "form2021"


def test_wide_columns_are_the_identity_then_core_keys_in_codebook_order():
    cols = wide_columns(BOOK)
    assert cols[: len(WIDE_ID_COLUMNS)] == list(WIDE_ID_COLUMNS)
    assert cols[len(WIDE_ID_COLUMNS):] == [
        Col("core.requests.new", "number", "新收申请", "requests received", "件",
            "statistic core.requests.new; blank = absent from the report (not 0)"),
        Col("core.b", "number", "乙", "b|pipe", "个", "statistic core.b; blank = absent from the report (not 0)")]


def test_md_escape():
    assert md_escape("a|b\nc") == "a\\|b c" and md_escape(3) == "3"


def test_codebook_md():
    rows = codebook_rows({"a.csv": COLS[:2]}, BOOK, ["core.b"], {})
    assert codebook_md(rows, "src.py", {"a.csv": COLS[:2], "none.csv": []}) == "\n".join([
        "# Codebook / 编码手册", "",
        "Every column of every file and every statistic key. 每个文件的每一列及每个统计指标。", "",
        "Statistic keys: the table at the end of this file (ogi's codebook, src.py).", "",
        "Missing values are blank (CSV) or null (Parquet, JSON); a blank statistic is *absent* from the report, "
        "not 0. In Stata files blank strings are \"\" and blank numbers are `.`.", "",
        "## a.csv", "", "| name | Stata name | 中文 | English | type | unit | notes |", "|---|---|---|---|---|---|---|",
        "| report_id |  | 编号 | id | integer |  |  |",
        "| core.b |  | 乙 | b | number | 个 | d line |", "",
        "## none.csv", "", "| name | Stata name | 中文 | English | type | unit | notes |", "|---|---|---|---|---|---|---|",
        "",
        "## Statistic keys (statistics_long.csv `key`)", "",
        "| key | 中文 | English | unit | forms | notes |", "|---|---|---|---|---|---|",
        "| core.b | 乙 | b\\|pipe | 个 |  |  |", ""])


def test_datapackage():
    tables = {"reports.csv": COLS[:2], "statistics_long.csv": COLS[:1], "texts.jsonl": COLS[:1],
              "codebook.csv": [Col("kind", "string", "", "")]}
    blobs = {"reports.csv": b"a\n", "statistics_long.csv": b"bb\n", "texts.jsonl": b"{}\n", "codebook.csv": b""}
    package = datapackage(tables, blobs, "v1", "utf-8-sig", "2024-01-01T00:00:00Z", "T")
    assert {k: v for k, v in package.items() if k != "resources"} == {
        "profile": "tabular-data-package", "name": PACKAGE_NAME, "title": "T", "version": "v1",
        "description": ("Government information-disclosure annual reports (政府信息公开工作年度报告) collected by "
                        "ogi: one row per report, the numbers read from them with provenance, and their texts. "
                        "The .parquet and .dta files are copies of the CSV tables in other formats; see README.md."),
        "created": "2024-01-01T00:00:00Z"}
    assert list(package) == ["profile", "name", "title", "version", "description", "created", "resources"]
    reports, long, texts, codebook = package["resources"]
    fk = [{"fields": ["report_id"], "reference": {"resource": "reports", "fields": ["report_id"]}}]
    assert reports == {
        "name": "reports", "path": "reports.csv", "profile": "tabular-data-resource", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True, "header": True},
        "hash": "sha256:" + hashlib.sha256(b"a\n").hexdigest(), "bytes": 2,
        "schema": {"fields": [
            {"name": "report_id", "type": "integer", "title": "编号", "description": "编号 / id"},
            {"name": "core.b", "type": "number", "title": "乙", "description": "乙 / b (个). d\nline"}],
            "missingValues": [""], "primaryKey": ["report_id"]}}
    assert long["schema"]["primaryKey"] == ["report_id", "key"] and long["schema"]["foreignKeys"] == fk
    assert long["bytes"] == 3 and long["encoding"] == "utf-8-sig"
    assert texts == {
        "name": "texts", "path": "texts.jsonl", "profile": "tabular-data-resource", "format": "jsonl",
        "mediatype": "application/jsonl", "encoding": "utf-8", "hash": "sha256:" + hashlib.sha256(b"{}\n").hexdigest(),
        "bytes": 3, "schema": {"fields": [{"name": "report_id", "type": "integer", "title": "编号",
                                           "description": "编号 / id"}],
                               "missingValues": [""], "primaryKey": ["report_id"], "foreignKeys": fk}}
    assert codebook["schema"]["primaryKey"] == ["kind", "file", "name"] and "foreignKeys" not in codebook["schema"]
    assert codebook["bytes"] == 0


@pytest.mark.parametrize(("file", "pk"), [("statistics_wide.csv", ["report_id"]), ("year_over_year.csv", ["report_id", "key"]),
                                          ("peers.csv", ["report_id"])])
def test_datapackage_keys(file, pk):
    (res,) = datapackage({file: COLS[:1]}, {file: b"x"}, "v", "utf-8", "unknown", "T")["resources"]
    assert res["schema"]["primaryKey"] == pk and res["schema"]["foreignKeys"][0]["reference"]["resource"] == "reports"


def test_an_empty_texts_file_is_not_a_resource_and_unknown_time_is_no_created():
    package = datapackage({"texts.jsonl": COLS[:1], "reports.csv": COLS[:1]}, {"texts.jsonl": b"", "reports.csv": b""},
                          "v", "utf-8", "unknown", "T")
    assert [r["path"] for r in package["resources"]] == ["reports.csv"] and "created" not in package


# --- readme.py: the figures it states ----------------------------------------------------------------

def report(i: int, **kw) -> dict:
    base = {"report_year": 2021, "province": "广东省", "form": "form2021", "agency": f"机关{i}", "n_flags": 0,
            "flags_list": [], "n_errors": 0, "errors_list": [], "page_urls": "u", "attachment_urls": ""}
    return {**base, **kw}


HISTORY = CrawlHistory(runs=3, first_started="2024-01-01", last_finished="2024-01-03", sites=2,
                       by_status=[("ok", 2), ("failed", 1)], error_kinds=[("http_404", 5), ("timeout", 1)])


def make(reports=None, history=HISTORY, filters=None, excel=False, stata=False, generated="2024-01-03T00:00:00Z",
         sites=None) -> str:
    reports = [report(1), report(2, report_year=2022)] if reports is None else reports
    return readme(history, sites or [], reports, 7, "v123", generated, filters or {}, ["a.csv", "README.md"], excel,
                  stata, "keys.py", "Title")


def test_readme_head_counts_and_filters():
    lines = make(filters={"years": [2021, 2022], "provinces": [], "only_passing": True, "agencies": ["甲"]}).split("\n")
    assert lines[:9] == [
        "# Title", "",
        "Dataset version `v123` (a hash of the exported content: the same corpus and filters give the same version "
        "and byte-identical files).", "",
        "Generated from crawls up to 2024-01-03T00:00:00Z (the latest crawl time in the database).", "",
        "2 reports, 7 statistics, report years 2021–2022.", "",
        "Filters: years = 2021, 2022; only_passing = True; agencies = 甲."]
    unknown = make(reports=[report(1, report_year=None)], generated="unknown")
    assert "Generated from a database with no recorded crawl time." in unknown and "1 report, 7 statistics." in unknown
    assert "Filters: none (the whole corpus)." in make()


def test_readme_crawl_runs_and_sites():
    text = make(sites=[("s1", "甲|县", "广东省", "trs", None)])
    assert "Crawl runs: 3 over 2 sites, from 2024-01-01 to 2024-01-03 (UTC); ok: 2, failed: 1." in text
    assert ("Sites the exported reports come from:\n\n| site_id | name | province | platform | latest crawl |\n"
            "|---|---|---|---|---|\n| s1 | 甲\\|县 | 广东省 | trs |  |") in text
    none = make(history=CrawlHistory(0, None, None, 0, [], []))
    assert "Crawl runs: none recorded in the database (reports were loaded without a crawl)." in none
    assert "Sites the exported reports come from" not in none and "Crawl errors" not in none
    assert "Crawl errors in the database (whole corpus), by kind: http_404: 5, timeout: 1." in text


def test_readme_coverage_tables():
    reports = [report(1), report(1, report_year=2022), report(2, province=None, form=None, agency=None, report_year=None),
               report(3, province="湖南省", report_year=2022)]
    text = make(reports=reports)
    assert ("Reports by province:\n\n| province | reports |\n|---|---|\n| (unknown) | 1 |\n| 广东省 | 2 |\n"
            "| 湖南省 | 1 |") in text
    assert "Reports by form:\n\n| form | reports |\n|---|---|\n| (unknown) | 1 |\n| form2021 | 3 |" in text
    assert ("Reports by agency × year (3 agencies):\n\n| agency | 2021 | 2022 | (no year) |\n|---|---|---|---|\n"
            "| (unknown) |  |  | 1 |\n| 机关1 | 1 | 1 |  |\n| 机关3 |  | 1 |  |") in text


def test_readme_agency_table_is_cut_at_300():
    many = make(reports=[report(i) for i in range(301)])
    assert "(301 agencies; first 300 shown, all are in reports.csv)" in many
    assert "| 机关99 | 1 |" not in many and "| 机关299 | 1 |" in many  # names sorted as text: 机关99 is the last
    rows = [line for line in many.split("\n") if line.startswith("| 机关")]
    assert len(rows) == 300
    assert "(300 agencies):" in make(reports=[report(i) for i in range(300)])


def test_readme_empty_package():
    text = make(reports=[])
    assert "0 reports, 7 statistics." in text
    assert "No reports match: this is an empty (but valid) package." in text
    assert "`texts.jsonl` is empty and so not listed in datapackage.json" in text
    assert "0 of 0 reports have flags" in text and "Reports by province" not in text


def test_readme_problems():
    long_error = "e" * 130
    reports = [report(1, n_flags=2, flags_list=["f1", "f2"], n_errors=1, errors_list=[long_error]),
               report(2, n_flags=1, flags_list=["f1"], page_urls="", attachment_urls=""),
               report(3, attachment_urls="a", page_urls=""), report(4, page_urls="", attachment_urls="")]
    text = make(reports=reports)
    assert ("2 of 4 reports have flags (failed checks; `flags` in reports.csv, `--only-passing` exports only reports "
            "without).\n\n| flag | reports |\n|---|---|\n| f1 | 2 |\n| f2 | 1 |") in text
    assert ("1 report has extraction errors (`errors` in reports.csv).\n\n| extraction error | count |\n|---|---|\n"
            f"| {'e' * 120} | 1 |") in text
    assert "2 reports have no linked capture (provenance limited to source_url and sha256)." in text
    clean = make()
    assert "| flag | reports |" not in clean and "| extraction error |" not in clean
    assert "no linked capture" not in clean and "0 reports have extraction errors" in clean


def test_readme_formats_and_citation():
    plain, both = make(), make(excel=True, stata=True)
    assert "UTF-8 without BOM. For Excel, export with `--excel`" in plain and "**with BOM**" not in plain
    assert "UTF-8 **with BOM** (written with `--excel`)" in both
    assert "- `*.dta`: Stata 14+ files (format 118, Unicode)" in both and "*.dta" not in plain
    assert "```stata\nuse reports.dta, clear\nxtset agency_id report_year" in both and "xtset" not in plain
    assert ("ogi contributors (2024). Title. Dataset version v123, generated from crawls up to 2024-01-03T00:00:00Z. "
            "2 reports.") in plain
    assert ("@misc{ogi_v123,\n  author = {{ogi contributors}},\n  title = {Title},\n  year = {2024},\n"
            "  version = {v123},\n  note = {Generated from crawls up to 2024-01-03T00:00:00Z; 2 reports; "
            "verify files with SHA256SUMS}\n}") in plain
    assert "ogi contributors (n.d.)." in make(generated="unknown")
    assert plain.endswith("Files in this package: `a.csv`, `README.md`.\n")
    assert "Statistic keys: codebook.csv and codebook.md (ogi's codebook, keys.py)." in plain


def test_readme_is_json_free_text():
    assert json.dumps(make(), ensure_ascii=False)  # plain text, no bytes or objects leaked in


def test_readme_sections_and_the_code_a_reader_copies():
    text = make(stata=True)
    assert [line for line in text.split("\n") if line.startswith("## ")][:3] == [
        "## How the data was collected", "## Coverage", "## Known problems"]
    headings = [line for line in text.split("\n") if line.startswith("## ")]
    assert headings.index("## Files") < headings.index("## How to cite") == len(headings) - 1
    assert ("Loading:\n\n```python\nimport pandas as pd\nreports = pd.read_csv('reports.csv', dtype={'adcode': str})\n"
            "wide = pd.read_csv('statistics_wide.csv', dtype={'adcode': str})\n```\n\n```r\n"
            "reports <- read.csv('reports.csv', encoding = 'UTF-8', colClasses = c(adcode = 'character'))\n```") in text
    assert "- `SHA256SUMS`: check with `sha256sum -c SHA256SUMS`." in text


def test_readme_years_in_order_across_a_set_boundary():
    """2024 hashes before 2023 in a set (2024 % 8 == 0): the columns and the span are still in year order."""
    text = make(reports=[report(1, report_year=2024), report(1, report_year=2023), report(2, report_year=2022)])
    assert "3 reports, 7 statistics, report years 2022–2024." in text
    assert "| agency | 2022 | 2023 | 2024 |\n|---|---|---|---|\n| 机关1 |  | 1 | 1 |\n| 机关2 | 1 |  |  |" in text
