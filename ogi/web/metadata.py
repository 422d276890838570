"""Datasette metadata for the ogi database: descriptions, facets and canned queries.

Why generated, not a static JSON file: the table and column descriptions are the comments of
`corpus/schema.py` and the statistic labels come from the codebook, so the UI can never drift from
the schema the store writes or from the keys the extractor uses.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from corpus import schema
from corpus.search import WEIGHTS
from ogi.codebook import KeyInfo, load_codebook
from ogi.web import CODEBOOK_DB, DB_NAME

logger = logging.getLogger(__name__)

_CREATE_RE = re.compile(
    r"^CREATE (?:VIRTUAL )?(TABLE|VIEW) IF NOT EXISTS (\w+)", re.IGNORECASE
)
_CREATE_ANY_RE = re.compile(r"CREATE (?:VIRTUAL )?(?:TABLE|VIEW) IF NOT EXISTS (\w+)", re.IGNORECASE)
_COLUMN_RE = re.compile(r"^\s+(\w+)\s+(?:INTEGER|TEXT|REAL|BLOB|NUMERIC)\b.*?--\s*(.+?)\s*$")

# The core indicators a chart or a canned query shows first (spec/metrics.md `core.*`).
CORE_SHOWN = ("core.requests_new", "core.requests_handled", "core.review_total", "core.litigation_total")

# Columns of the views and the index that the schema comments describe only indirectly.
_EXTRA_COLUMNS = {
    "statistics_long": {
        "capture_url": "URL of the capture the number was read from",
        "capture_sha256": "SHA-256 of that capture's bytes (the raw file under raw/)",
        "captured_at": "when those bytes were first received",
        "source_url": "the detail page the report was found on",
        "source": "table | text: where in the report the number was read",
    },
    "site_latest_run": {
        "run_id": "the site's latest crawl (crawl_runs.run_id); empty if never crawled",
        "status": "status of that crawl: running | ok | partial | failed | unreachable",
        "reports_stored": "reports in the database from this site (all crawls)",
        "message": "summary or failure reason of that crawl",
    },
    "reports_fts": {  # contentless: the columns read empty; search with /-/search
        "title": "report title split into CJK bigrams (indexed only; search with /-/search)",
        "agency": "agency names split into CJK bigrams",
        "meta": "year, province, city, county and department split into CJK bigrams",
        "text": "full text split into CJK bigrams",
        "title_end": "last character of each CJK run of the title (1-character queries)",
        "agency_end": "last character of each CJK run of the agency names",
        "meta_end": "last character of each CJK run of meta",
        "text_end": "last character of each CJK run of the text",
    },
}


# Columns the schema leaves uncommented (ids, obvious names), described by name wherever they occur.
_BY_NAME = {
    "report_id": "the report (reports.report_id)",
    "capture_id": "the capture (captures.capture_id)",
    "run_id": "the crawl (crawl_runs.run_id)",
    "error_id": "row id",
    "site_id": "registry site (sites.site_id)",
    "started_at": "when the crawl started",
    "url": "URL the problem was met at",
    "message": "what happened, in words",
    "city": "地级 name, e.g. 武汉市",
    "county": "县级 name, e.g. 东西湖区",
    "title": "title as published",
}
_VIEW_DESCRIPTIONS = {
    "statistics_long": "Every number with its report's agency, region, year and form and its provenance "
    "(capture URL, SHA-256, time): the tidy long table for pandas, R or Stata.",
    "site_latest_run": "Each registry site with its latest crawl (status, pages read, errors) and the reports "
    "stored from it: tells 'not published' from 'not collected'.",
}


def schema_descriptions(sql: str = schema.SCHEMA_SQL) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(table -> description, table -> column -> description) read from the comments of SCHEMA_SQL."""
    tables: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}
    pending: list[str] = []
    current: str | None = None
    for line in sql.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            pending.append(stripped.lstrip("-").strip())
            continue
        m = _CREATE_RE.match(stripped)
        if m:
            current = m.group(2)
            if pending:
                tables[current] = " ".join(pending)
            columns.setdefault(current, {})
            pending = []
            continue
        if not stripped:
            pending = []
            continue
        if current is not None:
            c = _COLUMN_RE.match(line)
            if c and c.group(1).upper() not in ("PRIMARY", "UNIQUE", "CREATE"):
                columns[current][c.group(1)] = c.group(2)
        if stripped.startswith(");") or stripped.endswith(";"):
            current = None
    for view, extra in _EXTRA_COLUMNS.items():
        columns.setdefault(view, {}).update(extra)
    tables.update(_VIEW_DESCRIPTIONS)
    owner: str | None = None
    for line in sql.splitlines():  # uncommented columns of the tables, by name
        c = _CREATE_ANY_RE.search(line)
        if c:
            owner = c.group(1)
        m = re.match(r"^\s+(\w+)\s+(?:INTEGER|TEXT|REAL)\b", line)
        if owner and m and m.group(1) in _BY_NAME:
            columns.setdefault(owner, {}).setdefault(m.group(1), _BY_NAME[m.group(1)])
    return tables, columns


def view_columns(table: str, names: list[str], columns: dict[str, dict[str, str]]) -> dict[str, str]:
    """Descriptions for a view's columns: its own first, else the same column of the base tables."""
    own = columns.get(table, {})
    out: dict[str, str] = {}
    for name in names:
        if name in own:
            out[name] = own[name]
            continue
        for base in ("reports", "statistics", "sites", "crawl_runs", "captures"):
            if name in columns.get(base, {}):
                out[name] = columns[base][name]
                break
    return out


def codebook_rows(book: dict[str, KeyInfo] | None = None) -> list[dict[str, Any]]:
    """The codebook as table rows (for the in-memory `codebook` database)."""
    book = book if book is not None else load_codebook()[0]
    return [
        {"key": k.key, "group": k.key.split(".", 1)[0], "label_zh": k.label_zh, "label_en": k.label_en,
         "unit": k.unit, "forms": " ".join(k.forms)}
        for k in sorted(book.values(), key=lambda k: (not k.key.startswith("core."), k.key))
    ]


def _core_table_html(book: dict[str, KeyInfo]) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(k.key)}</code></td><td>{html.escape(k.label_zh)}</td>"
        f"<td>{html.escape(k.label_en)}</td><td>{html.escape(k.unit)}</td></tr>"
        for k in sorted(book.values(), key=lambda k: k.key)
        if k.key.startswith("core.")
    )
    return (
        "<details><summary>The <code>core.*</code> indicators (comparable across every form)</summary>"
        "<table class='ogi-codebook'><tr><th>key</th><th>标签</th><th>meaning</th><th>unit</th></tr>"
        f"{rows}</table></details>"
    )


def _pivot(alias: str, keys: tuple[str, ...]) -> str:
    """SQL columns taking one value per core key from statistics rows joined as `alias`."""
    return ",\n  ".join(
        f"max(case when {alias}.key = '{k}' then {alias}.value end) as {k.split('.', 1)[1]}" for k in keys
    )


# Columns the table page of a table leaves out unless asked (?_col=… / ?_nocol=…): the full text (200
# characters of it in 50 rows made the reports page 66,629 px tall) and hashes. Datasette 0.65 has no
# metadata key for this: the plugin config carries the list and templates/table-ogi-reports.html hides those
# columns by CSS until the request chooses columns (?_col=/?_nocol=); the page's JSON and CSV links keep every
# column. Each report is read whole on /-/report/<id>.
DEFAULT_NOCOL = {"reports": ("text", "sha256", "content_hash", "is_report", "alt_source_urls", "errors",
                             "agency_as_printed", "first_seen", "last_seen")}
# The tables the home page names first, in this order (Datasette would list the five largest).
MAIN_TABLES = ("reports", "statistics_long", "statistics", "sites", "crawl_runs", "report_versions")


# Flags written by extract.stats.checks and the text-vs-table check when numbers disagree.
NUMBER_FLAG_PATTERNS = ("%add up to%", "% != %", "%total says%", "text says % while %")


def canned_queries() -> dict[str, dict[str, Any]]:
    """The common questions, as parameterised SQL (Datasette shows a form for each parameter)."""
    weights = ", ".join(str(w) for w in WEIGHTS)
    flag_match = " or ".join(f"f.value like '{p}'" for p in NUMBER_FLAG_PATTERNS)
    core = _pivot("s", CORE_SHOWN)
    return {
        "search": {
            "title": "Full-text search (same index and query rules as `ogi search`)",
            "description": (
                "Two-character words (复议, 住建) match anywhere, longer phrases exactly; space = AND, OR between "
                "terms, \"quoted phrase\". For facets by province, year, department and form use /-/search."
            ),
            "sql": f"""select r.report_id, r.agency, r.report_year, r.province, r.county, r.department, r.form,
  ogi_snippet(r.text, :q) as snippet, r.title, r.source_url
from reports_fts join reports r on r.report_id = reports_fts.rowid
where reports_fts match ogi_fts(:q)
order by bm25(reports_fts, {weights}), r.report_year desc
limit 200""",
        },
        "agency_over_years": {
            "title": "Reports of one agency over the years",
            "description": "Every report of the agencies whose name contains the text given, oldest first, "
            "with the main core indicators.",
            "sql": f"""select r.report_id, r.agency, r.report_year, r.form, r.published_at, r.title,
  {core},
  r.flags, r.source_url
from reports r left join statistics s on s.report_id = r.report_id and s.key like 'core.%'
where :agency != '' and r.agency like '%' || :agency || '%'
group by r.report_id
order by r.agency, r.report_year""",
        },
        "county_year": {
            "title": "All agencies of one county for one year",
            "description": "The reports of every agency of a county (name, part of it, or 6-digit adcode) for a "
            "year, and the county's other known agencies with no report that year.",
            "sql": f"""with agencies as (
  select agency, min(department) as department, min(county) as county, min(province) as province
  from reports
  where agency is not null and (county like '%' || :county || '%' or adcode = :county) and :county != ''
  group by agency
)
select a.province, a.county, a.agency, a.department, cast(:year as integer) as report_year,
  case when r.report_id is null then 'no report found' else 'found' end as status,
  r.report_id, r.form, r.published_at,
  {core},
  r.title, r.source_url
from agencies a
left join reports r on r.agency = a.agency and r.report_year = :year
left join statistics s on s.report_id = r.report_id and s.key like 'core.%'
group by a.agency
order by status desc, a.department, a.agency""",
        },
        "numbers_do_not_add_up": {
            "title": "Reports whose numbers do not add up",
            "description": "new + carried over ≠ handled + carried forward (recomputed here from the core "
            "indicators), or a failed check recorded by the extractor (table rows or columns that do not sum "
            "to their totals, text that contradicts the table).",
            "sql": f"""with nums as (
  select report_id,
    max(case when key = 'core.requests_new' then value end) as new,
    max(case when key = 'core.requests_carried_over' then value end) as carried_over,
    max(case when key = 'core.requests_handled' then value end) as handled,
    max(case when key = 'core.requests_carried_forward' then value end) as carried_forward
  from statistics where key like 'core.requests_%' group by report_id
), checked as (
  select r.report_id, r.agency, r.report_year, r.form, r.province, r.county,
    case when n.new is not null and n.handled is not null
          and abs(n.new + coalesce(n.carried_over, 0) - n.handled - coalesce(n.carried_forward, 0)) > 0.005
      then printf('%g + %g != %g + %g', n.new, coalesce(n.carried_over, 0), n.handled,
                  coalesce(n.carried_forward, 0)) end as balance,
    (select group_concat(f.value, ' | ') from json_each(r.flags) f where {flag_match}) as check_flags,
    r.source_url
  from reports r left join nums n on n.report_id = r.report_id
)
select * from checked where balance is not null or check_flags is not null
order by province, county, agency, report_year""",
        },
        "no_report_for_year": {
            "title": "Agencies with no report for a year",
            "description": "Every agency with a report × every year from its own first report year to the last "
            "report year in the corpus (or only the year given) for which no report was found: years before an "
            "agency's first report are not missing (the rule of /-/completeness and ogi completeness, which also "
            "tell deadlines not yet passed). site_status tells 'not published' (the site was crawled: ok) from "
            "'not collected' (never crawled, unreachable, failed).",
            "sql": """with recursive years(y) as (
  select min(report_year) from reports
  union all select y + 1 from years where y < (select max(report_year) from reports)
), agencies as (
  select agency, min(province) as province, min(county) as county, min(department) as department,
    min(site_id) as site_id, min(report_year) as first_year, max(report_year) as last_year,
    count(*) as reports
  from reports where agency is not null and report_year is not null group by agency
)
select a.province, a.county, a.agency, a.department, years.y as missing_year,
  a.first_year, a.last_year, a.reports as reports_found,
  coalesce(l.status, 'never crawled') as site_status
from agencies a join years
left join reports r on r.agency = a.agency and r.report_year = years.y
left join site_latest_run l on l.site_id = a.site_id
where r.report_id is null and years.y >= a.first_year and (:year = '' or years.y = cast(:year as integer))
order by a.province, a.county, a.agency, years.y""",
        },
    }


def build_metadata(column_names: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The metadata dict for Datasette. `column_names` (table -> columns) lets views be described."""
    book, book_source = load_codebook()
    tables, columns = schema_descriptions()
    column_names = column_names or {}
    table_meta: dict[str, dict[str, Any]] = {}
    for name in set(tables) | set(columns):
        cols = columns.get(name, {})
        if name in column_names:
            cols = view_columns(name, column_names[name], columns)
        meta: dict[str, Any] = {"description": tables.get(name, "")}
        if cols:
            meta["columns"] = cols
        table_meta[name] = meta
    stats_help = ("Labels, English glosses and units of every key: the codebook database "
                  f"(/{CODEBOOK_DB}/keys; source: {book_source}).")
    table_meta["reports"].update(
        facets=["province", "report_year", "department", "form"], sort_desc="report_year",
        label_column="title",
    )
    every = column_names.get("reports") or list(columns.get("reports", {}))
    hidden = DEFAULT_NOCOL["reports"]
    show_all = "&".join(f"_col={c}" for c in every if c != "report_id")
    table_meta["reports"]["description_html"] = (
        html.escape(table_meta["reports"]["description"]) + " <br><em>Not shown here: "
        + ", ".join(f"<code>{c}</code>" for c in hidden) + " — <a href='?" + html.escape(show_all)
        + "'>show every column</a>; click a title to read the report with its tables and numbers; the "
        "JSON and CSV links hold every column.</em>")
    table_meta["statistics"].update(facets=["source"], description_html=(
        html.escape(table_meta["statistics"]["description"]) + " " + html.escape(stats_help)
        + _core_table_html(book)
    ))
    table_meta["statistics"]["columns"]["key"] += " — label and unit shown beside it (codebook)"
    if "statistics_long" in table_meta:
        table_meta["statistics_long"].update(facets=["province", "report_year", "key", "source"])
        table_meta["statistics_long"]["description_html"] = (
            html.escape(table_meta["statistics_long"]["description"]) + " " + html.escape(stats_help)
            + _core_table_html(book)
        )
    table_meta["sites"].update(facets=["province", "platform", "verified"], label_column="name")
    table_meta["crawl_runs"].update(facets=["status", "site_id"], sort_desc="run_id")
    table_meta["captures"].update(facets=["kind", "status", "site_id"], label_column="url")
    table_meta["crawl_errors"].update(facets=["kind", "site_id"], sort_desc="error_id")
    for name in ("reports_fts", "reports_fts_pending"):  # the index and its bookkeeping: /-/search reads them
        if name in table_meta:
            table_meta[name]["hidden"] = True
    return {
        "title": "ogi — 政府信息公开工作年度报告",
        "description_html": (
            "China's government information-disclosure annual reports, crawled from county government sites: "
            "every report with its agency, region, year and the numbers of the standard tables. "
            "<a href='/-/search'>Search</a> (two-character words such as 复议 work) · "
            "<a href='/-/completeness'>agency × year completeness</a> · "
            "<a href='/-/indicator'>a core indicator over the years</a> · "
            f"<a href='/{CODEBOOK_DB}/keys'>codebook</a>."
        ),
        "license": "Crawled public government documents; see each report's source_url",
        "source": "ogi crawl of county government portals",
        "databases": {
            DB_NAME: {
                "description": "The corpus (read-only). Tables are described from corpus/schema.py.",
                "tables": table_meta,
                "queries": canned_queries(),
            },
            CODEBOOK_DB: {
                "description": f"Every statistic key with its Chinese label, English gloss, unit and forms "
                f"(source: {book_source}).",
                "tables": {"keys": {
                    "description": "The codebook: canonical keys of the statistics table (spec/metrics.md).",
                    "facets": ["group", "unit"],
                    "columns": {
                        "key": "canonical statistic key, as in statistics.key",
                        "group": "first part of the key: core, requests, review, litigation_*, proactive, legacy",
                        "label_zh": "the Chinese label (as printed in the form)",
                        "label_en": "English gloss",
                        "unit": "unit of the value (件, 条, 元, 万元 ...)",
                        "forms": "report forms the key occurs in: form2021 form2019 legacy_table narrative",
                    },
                }},
            },
        },
        "plugins": {"ogi": {"database": DB_NAME, "codebook": CODEBOOK_DB,
                            "default_nocol": {k: list(v) for k, v in DEFAULT_NOCOL.items()},
                            "main_tables": list(MAIN_TABLES)}},
    }
