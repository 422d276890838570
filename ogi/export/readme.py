"""README.md of an export: what it holds, how it was collected, coverage, known problems, how to load
and cite it. Built from the exported rows and the crawl history (corpus.export_views), never the clock."""

from __future__ import annotations

from collections import Counter
from typing import Any

from corpus.export_views import CrawlHistory
from ogi.export.citation import counted, licence_lines, years_phrase
from ogi.export.package import md_escape


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(md_escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(md_escape("" if v is None else v) for v in r) + " |" for r in rows]
    return out


def readme(
    history: CrawlHistory, sites: list[tuple[Any, ...]], reports: list[dict[str, Any]], n_stats: int, version: str,
    generated: str, filters: dict[str, Any], files: list[str], excel: bool, stata: bool, codebook_source: str,
    title: str,
) -> str:
    """README.md's text. `sites`: corpus.export_views.site_rows of the exported reports' sites."""
    years = sorted({r["report_year"] for r in reports if r["report_year"] is not None})
    active = {k: v for k, v in filters.items() if v}
    out = [f"# {title}", "",
           f"Dataset version `{version}` (a hash of the exported content: the same corpus and filters give the "
           "same version and byte-identical files).", "",
           f"Generated from crawls up to {generated} (the latest crawl time in the database)."
           if generated != "unknown" else "Generated from a database with no recorded crawl time.", "",
           f"{counted(len(reports), 'report')}, {counted(n_stats, 'statistic')}{years_phrase(years)}.", ""]
    out.append("Filters: " + ("; ".join(f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}"
                                         for k, v in active.items()) if active else "none (the whole corpus)") + ".")
    out += ["", "## How the data was collected", "",
            "The ogi crawler (Scrapy) reads every list page of each registered county government portal, saves "
            "every response it receives (URL, time, SHA-256 of the bytes) and extracts annual reports from the "
            "detail pages and their attachments (HTML, PDF, DOCX; OCR where needed). Numbers are read from the "
            "standard tables (forms of 2019 and 2021, the 2008–2018 indicator table) or, for narrative reports, "
            "from sentences, and stored under the canonical keys of the codebook with the evidence quoted. "
            "Deterministic checks (e.g. new + carried over = handled + carried forward) are recorded as flags.", ""]
    if history.runs:
        out.append(f"Crawl runs: {history.runs} over {counted(history.sites, 'site')}, from {history.first_started} to "
                   f"{history.last_finished} (UTC); " + ", ".join(f"{s}: {n}" for s, n in history.by_status) + ".")
    else:
        out.append("Crawl runs: none recorded in the database (reports were loaded without a crawl).")
    if sites:
        out += ["", "Sites the exported reports come from:", ""]
        out += _table(["site_id", "name", "province", "platform", "latest crawl"], [list(s) for s in sites])
    # coverage
    out += ["", "## Coverage", ""]
    if not reports:
        out.append("No reports match: this is an empty (but valid) package.")
    else:
        prov = Counter(r["province"] or "(unknown)" for r in reports)
        out += ["Reports by province:", ""]
        out += _table(["province", "reports"], [[p, n] for p, n in sorted(prov.items())])
        forms = Counter(r["form"] or "(unknown)" for r in reports)
        out += ["", "Reports by form:", ""]
        out += _table(["form", "reports"], [[f, n] for f, n in sorted(forms.items())])
        cell = Counter((r["agency"] or "(unknown)", r["report_year"]) for r in reports)
        agencies = sorted({a for a, _ in cell})
        ycols = sorted({y for _, y in cell}, key=lambda y: (y is None, y or 0))
        limit = 300
        out += ["", f"Reports by agency × year ({counted(len(agencies), 'agency', 'agencies')}"
                + (f"; first {limit} shown, all are in reports.csv" if len(agencies) > limit else "") + "):", ""]
        out += _table(["agency", *[str(y) if y is not None else "(no year)" for y in ycols]],
                      [[a, *[cell.get((a, y), "") for y in ycols]] for a in agencies[:limit]])
    # problems
    if not reports:
        out += ["", "`texts.jsonl` is empty and so not listed in datapackage.json (an empty JSON Lines file has no "
                "header)."]
    out += ["", "## Known problems", ""]
    flagged = [r for r in reports if r["n_flags"]]
    kinds = Counter(f for r in reports for f in r["flags_list"])
    out.append(f"{len(flagged)} of {counted(len(reports), 'report')} {'has' if len(flagged) == 1 else 'have'} flags "
               "(failed checks; `flags` in reports.csv, "
               "`--only-passing` exports only reports without).")
    if kinds:
        out += ["", *_table(["flag", "reports"], [[k, n] for k, n in sorted(kinds.items())])]
    with_err = [r for r in reports if r["n_errors"]]
    errs = Counter(e[:120] for r in reports for e in r["errors_list"])
    out += ["", f"{counted(len(with_err), 'report')} {'has' if len(with_err) == 1 else 'have'} extraction errors "
                f"(`errors` in reports.csv)."]
    if errs:
        out += ["", *_table(["extraction error", "count"], [[k, n] for k, n in sorted(errs.items())])]
    if history.error_kinds:
        out += ["", "Crawl errors in the database (whole corpus), by kind: "
                + ", ".join(f"{k}: {n}" for k, n in history.error_kinds) + "."]
    no_cap = sum(1 for r in reports if not r["page_urls"] and not r["attachment_urls"])
    if no_cap:
        out += ["", f"{counted(no_cap, 'report')} {'has' if no_cap == 1 else 'have'} no linked capture (provenance "
                "limited to source_url and sha256)."]
    # files
    out += ["", "## Files", "",
            "- `reports.csv` / `.parquet`: one row per report (metadata, flags, capture URLs and hashes).",
            "- `statistics_long.csv` / `.parquet`: one row per (report, key) with source, evidence and capture.",
            "- `statistics_wide.csv` / `.parquet`: one row per report, one column per `core.*` key (blank = absent).",
            "- `year_over_year.csv` / `.parquet`: per report with a report of the year before, each `core.*` key's "
            "previous and current value and the change.",
            "- `peers.csv` / `.parquet`: per report, requests received and handled, the shares granted, refused and "
            "reviewed, and its rank in its county and province that year.",
            "- `reports.csv` also has `cross_year_flags` and, after `ogi compare --similarity`, `similarity_prev_year`, "
            "`nearest_peer` and `nearest_peer_similarity` (the share of text repeated from the agency's report of the "
            "year before, and the most similar report of another agency of the same county and year).",
            "- `texts.jsonl`: one JSON object per line with each report's full text.",
            "- `codebook.csv`, `codebook.md`: every column and statistic key, in Chinese and English.",
            "- `datapackage.json`: Frictionless Data Package (schemas, keys, CSV dialect, hashes, licences, sources, "
            "contributors).",
            "- `CITATION.cff`: how to cite this dataset (Citation File Format; reference managers read it).",
            "- `agency_id` (reports, statistics_long, statistics_wide): a numeric panel id per agency, the same in "
            "every export; `flags` in statistics_long: the report's failed checks that concern that number.",
            "- `SHA256SUMS`: check with `sha256sum -c SHA256SUMS`."]
    if stata:
        out.append("- `*.dta`: Stata 14+ files (format 118, Unicode); variable names follow Stata rules, "
                   "mapping in codebook.csv (`stata_name`); variable labels in Chinese and English; "
                   "`published_at` and `document_date` are Stata dates (%td); `form`, `text_source` and `source` "
                   "are value-labelled codes (the same codes in every export).")
    out += ["", "CSV: comma-separated, `\"`-quoted where needed, LF line ends, header row, "
            + ("UTF-8 **with BOM** (written with `--excel`) so Excel shows the Chinese text correctly."
               if excel else "UTF-8 without BOM. For Excel, export with `--excel` (adds a UTF-8 BOM) or use "
                             "Data → From Text/CSV and choose UTF-8."),
            "", "Loading:", "", "```python", "import pandas as pd",
            "reports = pd.read_csv('reports.csv', dtype={'adcode': str})",
            "wide = pd.read_csv('statistics_wide.csv', dtype={'adcode': str})", "```", "", "```r",
            "reports <- read.csv('reports.csv', "
            + ("fileEncoding = 'UTF-8-BOM'" if excel else "encoding = 'UTF-8'") + ", colClasses = c(adcode = 'character'))",
            "```",
            *(["", "```stata", "use reports.dta, clear",
               "xtset agency_id report_year  // agency_id: a panel id per agency", "```"] if stata else []),
            "", f"Statistic keys: codebook.csv and codebook.md (ogi's codebook, {codebook_source}).", ""]
    out += ["## Licence", "", *licence_lines(), "", "`datapackage.json` (`licenses`) says the same.", ""]
    # citation
    year = generated[:4] if generated[:4].isdigit() else "n.d."
    out += ["## How to cite", "", "```",
            f"ogi contributors ({year}). {title}. Dataset version {version}, "
            f"generated from crawls up to {generated}. {counted(len(reports), 'report')}.", "```", "", "```bibtex",
            f"@misc{{ogi_{version},", "  author = {{ogi contributors}},", f"  title = {{{title}}},",
            f"  year = {{{year}}},", f"  version = {{{version}}},",
            f"  note = {{Generated from crawls up to {generated}; {counted(len(reports), 'report')}; "
            "verify files with SHA256SUMS}", "}", "```", ""]
    out += ["Files in this package: " + ", ".join(f"`{f}`" for f in files) + ".", ""]
    return "\n".join(out)
