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

LICENSE_NOTE = ("Public government information published under the Regulations of the PRC on Open Government "
                "Information (政府信息公开条例) by the agencies named in reports.csv; ogi claims no rights in the "
                "documents and adds the tables, numbers and codebook with no further restriction. Check each "
                "report's source site (source_url) for its own terms before redistributing the texts.")


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


def citation_cff(title: str, version: str, generated: str, n_reports: int, years: list[int]) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for this export: the dataset, its version and date."""
    released = generated[:10] if len(generated) >= 10 and generated[:4].isdigit() else None
    span = f", report years {years[0]}–{years[-1]}" if years else ""
    lines = [
        "cff-version: 1.2.0",
        "message: >-",
        "  If you use this dataset, please cite it as below, with its version (a hash of its content:",
        "  the same version means byte-identical files, see SHA256SUMS).",
        "type: dataset",
        f"title: {_yaml(title)}",
        f"version: {_yaml(version)}",
        *([f"date-released: {released}"] if released else []),
        "authors:",
        "  - name: ogi contributors",
        f"abstract: {_yaml(f'{n_reports} government information-disclosure annual reports{span}, with the numbers read from them (with evidence and provenance) and their texts, collected by the ogi crawler.')}",
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
        "licenses": [{"name": "other-open-government-information", "title": LICENSE_NOTE}],
        "sources": sources or [{"title": "ogi crawl of government portals (no site recorded for these reports)"}],
        "contributors": [
            {"title": "ogi contributors", "role": "author"},
            {"title": "the government agencies named in reports.csv (agency), which published the reports",
             "role": "publisher"},
        ],
    }
