"""What makes an export citable and usable as a panel: CITATION.cff, the licences, sources and contributors
of datapackage.json, a numeric panel id per agency, and the flags that concern each number.

Why: a researcher cites a dataset from its CITATION.cff (GitHub, Zenodo and reference managers read it),
checks its terms and origin in datapackage.json, `xtset`s a panel in Stata on a numeric id, and filters
statistics_long on the checks a number failed without parsing the report's flags by hand.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ogi.export.spec import SEP
from ogi.flag_words import explain

PANEL_ID_BITS = 52  # exact in a double (Stata, R, JavaScript); collisions negligible below ~10^6 agencies

# The terms of an export, decided for the project (issue 13): ogi's code is MIT (LICENSE); what ogi makes of the
# reports (numbers, tables, metadata, codebook: facts) is CC0-1.0; the report texts are the agencies' documents,
# which ogi cannot license: PRC Copyright Law Art. 5 may exclude them from protection, a judgement left to the user.
COPYRIGHT_ART5_ZH = ("法律、法规，国家机关的决议、决定、命令和其他具有立法、行政、司法性质的文件，及其官方正式译文")
COPYRIGHT_ART5_EN = ("laws, regulations, resolutions, decisions and orders of state organs, other documents of a "
                     "legislative, administrative or judicial nature, and their official translations")
DATA_LICENSE = {
    "name": "CC0-1.0",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
    "title": "CC0 1.0 Universal, for the numbers, tables, metadata and codebook ogi extracted and compiled from the "
             "reports (facts): every file of this package except the report texts",
}
TEXTS_LICENSE = {
    "name": "LicenseRef-PRC-Copyright-Law-Article-5",
    "title": "Report texts (texts.jsonl; titles and quoted evidence elsewhere): official documents of the state organs "
             "named in reports.csv, not licensed by ogi. Article 5 of the Copyright Law of the PRC (著作权法 第五条) "
             f"excludes from its protection \"{COPYRIGHT_ART5_EN}\" ({COPYRIGHT_ART5_ZH}); whether a government "
             "information-disclosure annual report falls under it is the user's judgement. Each report's source is "
             "listed per report in reports.csv (source_url, page_urls, attachment_urls).",
}
DATA_LICENSES = (DATA_LICENSE, TEXTS_LICENSE)  # datapackage.json `licenses`, in this order


def licence_lines() -> list[str]:
    """The terms in words, for the export's README.md (its "Licence" section)."""
    return [
        "- Numbers, tables, metadata and codebook (every file except the report texts): what ogi extracted and "
        "compiled from the reports, facts, dedicated to the public domain under "
        "[CC0 1.0](https://creativecommons.org/publicdomain/zero/1.0/) (CC0-1.0).",
        "- Report texts (`texts.jsonl`, and the titles and evidence quoted in the other files): official documents "
        "of the state organs that published them, not licensed by ogi. Article 5 of the Copyright Law of the PRC "
        f"(著作权法 第五条) excludes from protection \"{COPYRIGHT_ART5_EN}\" ({COPYRIGHT_ART5_ZH}). Whether an "
        "annual report falls under it is your judgement.",
        "- Sources: each report's source page and attachments are listed per report in `reports.csv` "
        "(`source_url`, `page_urls`, `attachment_urls`), its publisher in `agency`.",
        "- The ogi software that made this package is MIT-licensed.",
    ]


def panel_id(agency: str | None, adcode: str | None) -> int | None:
    """A numeric id for one agency (name and county code), the same in every export: the first 52 bits of
    SHA-256("agency|adcode"). None without an agency."""
    if not agency:
        return None
    digest = hashlib.sha256(f"{agency}|{adcode or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - PANEL_ID_BITS)


def number_flags(flags: list[str], key: str) -> str:
    """The report's flags that concern statistic `key` (ogi.flag_words), joined with SEP; '' for none."""
    return SEP.join(f for f in flags if explain(f).concerns(key))


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """"1 report", "2 reports": a count with its noun (the export's texts and its log)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def years_phrase(years: list[int]) -> str:
    """", report year 2021" or ", report years 2019–2023" for sorted, distinct years; "" for none."""
    if not years:
        return ""
    return f", report year {years[0]}" if years[0] == years[-1] else f", report years {years[0]}–{years[-1]}"


def citation_cff(title: str, version: str, generated: str, n_reports: int, years: list[int]) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for this export: the dataset, its version and date."""
    released = generated[:10] if len(generated) >= 10 and generated[:4].isdigit() else None
    span = years_phrase(years)
    noun, it, its = ("annual report", "it", "its text") if n_reports == 1 else ("annual reports", "them", "their texts")
    abstract = (f"{n_reports} government information-disclosure {noun}{span}, with the numbers read from {it} (with "
                f"evidence and provenance) and {its}, collected by the ogi crawler.")
    lines = [
        "cff-version: 1.2.0",
        "message: >-",
        "  If you use this dataset, please cite it as below, with its version (a hash of its content:",
        "  the same version means byte-identical files, see SHA256SUMS). Its licence, CC0-1.0, covers the",
        "  numbers, tables, metadata and codebook ogi compiled; the report texts are the agencies' documents,",
        "  not licensed by ogi (README.md, Licence).",
        "type: dataset",
        f"title: {_yaml(title)}",
        f"version: {_yaml(version)}",
        *([f"date-released: {released}"] if released else []),
        f"license: {DATA_LICENSE['name']}",  # CFF takes SPDX ids only: the texts' terms are in the message
        "authors:",
        "  - name: ogi contributors",
        f"abstract: {_yaml(abstract)}",
        "keywords:",
        "  - open government information",
        "  - 政府信息公开",
        "  - annual reports",
        "  - China",
        "",
    ]
    return "\n".join(lines)


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def package_provenance(sites: list[tuple[Any, ...]]) -> dict[str, Any]:
    """datapackage.json's `licenses`, `sources` (every site the exported reports come from) and `contributors`.

    `sites`: corpus.export_views.site_rows (site_id, name, province, platform, latest crawl).
    """
    sources = [{"title": f"{name or site_id} ({province or '?'}), site {site_id}"}  # crawl times: README.md
               for site_id, name, province, _platform, _latest in sites]
    return {
        "licenses": [dict(lic) for lic in DATA_LICENSES],
        "sources": sources or [{"title": "ogi crawl of government portals (no site recorded for these reports)"}],
        "contributors": [
            {"title": "ogi contributors", "role": "author"},
            {"title": "the government agencies named in reports.csv (agency), which published the reports",
             "role": "publisher"},
        ],
    }
