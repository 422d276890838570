"""`python -m crawler.site_job SPEC_JSON`: crawl one site in a process of its own (what a crawl job runs).

Why a process per site: Twisted's reactor runs once per process, and a crawl that a worker must abandon
(kill -9, shutdown) dies with its process — the worker starts it with the parent-death signal set, so a
killed worker leaves no orphan crawl behind holding the site's lock.

SPEC_JSON: {"site": {Site fields}, "db": URL, "raw_dir": DIR, "settings": {...}, "log_level": "INFO"}.
Exit codes: 0 the crawl ran (its run row says how it went); 4 another crawl holds this site's lock;
2 a bad spec; 1 the crawl could not run.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from corpus.lock import CrawlLocked
from crawler.registry import Site
from crawler.run import CrawlJob, run_crawls

EXIT_LOCKED = 4


def crawl_site(spec: dict[str, Any]) -> dict[str, Any]:
    """Crawl the site of `spec`; returns {run_id, finish_reason}."""
    site = Site(**spec["site"])
    settings = {**spec.get("settings", {}), "OGI_EXTRACT_MODE": spec.get("extract_mode", "deferred")}
    if spec.get("raw_dir"):
        settings["OGI_RAW_DIR"] = spec["raw_dir"]
    results = run_crawls([CrawlJob([site], spec["db"], settings)], log_level=spec.get("log_level", "INFO"))
    result = results[0] if results else None
    return {"run_id": result.run_ids.get(site.site_id) if result else None,
            "finish_reason": result.finish_reason if result else "not started"}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        spec = json.loads(args[0])
        Site(**spec["site"])
        spec["db"]  # noqa: B018 - required
    except (IndexError, ValueError, KeyError, TypeError) as exc:
        print(f"crawler.site_job: bad spec: {exc}", file=sys.stderr)
        return 2
    try:
        outcome = crawl_site(spec)
    except CrawlLocked as exc:
        print(f"crawler.site_job: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
