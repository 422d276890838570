"""`ogi probe`: check the registry's candidate URLs and find each site's annual-report column.

A probe is a crawl of the discovery part only (PortalSpider with ``OGI_PROBE = True``): the entry pages are
fetched through the same Scrapy stack as a crawl — robots.txt, delays, http(s) only, the site's own hosts, no
private addresses, budgets, anti-bot detection — redirects are followed, and the 信息公开 links are followed
to the annual-report column, whose first page is read (to learn which family serves it) but no report page
is fetched. What it learns goes to a CSV next to the registry (``data/sites.probe.csv`` for
``data/sites.csv``): reachability, the final URL, the family of the entry page, the column URLs and the
family that read each. `crawler.registry.load_registry` reads that file, so the next crawl of a site starts
at its columns as well as its home page.

The registry itself is left as a person wrote it; a probe row is replaced by the next probe of the site.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

PROBE_COLUMNS = ["site_id", "probed_at", "status", "reachable", "entry_url", "final_url", "family", "column_urls",
                 "column_families", "message"]


def probe_path(registry: str | Path) -> Path:
    """Where the probe results of a registry live: ``sites.csv`` -> ``sites.probe.csv``, beside it."""
    registry = Path(registry)
    return registry.with_name(f"{registry.stem}.probe.csv")


def read_probes(path: str | Path) -> dict[str, dict[str, str]]:
    """site_id -> its latest probe row; {} when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["site_id"]: {k: (v or "") for k, v in row.items()} for row in csv.DictReader(fh)
                if row.get("site_id")}


def write_probes(path: str | Path, rows: list[dict[str, str]]) -> None:
    """Merge `rows` into the probe file: these sites' rows replaced, every other site's kept (sorted by id)."""
    path = Path(path)
    merged = read_probes(path)
    for row in rows:
        merged[row["site_id"]] = {k: row.get(k, "") for k in PROBE_COLUMNS}
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=PROBE_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for site_id in sorted(merged):
            writer.writerow(merged[site_id])
    tmp.replace(path)


class ProbeFindings:
    """What the spider learns about each site while probing (filled by PortalSpider in probe mode)."""

    def __init__(self) -> None:
        self.sites: dict[str, dict[str, Any]] = {}

    def _site(self, site_id: str) -> dict[str, Any]:
        return self.sites.setdefault(site_id, {"entries": {}, "family": "", "columns": {}})

    def entry(self, site_id: str, requested: str, final: str, family: str) -> None:
        """An entry page that answered: what was asked, where it ended up; the family of the first one."""
        found = self._site(site_id)
        found["entries"].setdefault(requested, final)
        found["family"] = found["family"] or family

    def column(self, site_id: str, url: str, family: str, items: int) -> None:
        self._site(site_id)["columns"].setdefault(url, (family, items))

    def rows(self, runs: list[dict[str, Any]]) -> list[dict[str, str]]:
        """Probe rows from these findings and the probe crawl's runs (site_id, status, message)."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        out = []
        for run in runs:
            found = self.sites.get(run["site_id"], {})
            columns, entries = found.get("columns", {}), found.get("entries", {})
            status = run.get("status") or ""
            if status == "ok" and not columns:
                status = "no_column"
            out.append({
                "site_id": run["site_id"], "probed_at": now, "status": status,
                # blocked: the site answered, with a challenge (or a robots.txt that shuts us out)
                "reachable": "yes" if entries or status == "blocked" else "no",
                # the candidate URLs that answered (of several, when the sources disagreed), and where each led
                "entry_url": " ".join(entries), "final_url": " ".join(entries.values()),
                "family": found.get("family", ""), "column_urls": " ".join(columns),
                "column_families": " ".join(f for f, _n in columns.values()),
                "message": (run.get("message") or "")[:500],
            })
        return out
