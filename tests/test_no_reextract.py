"""Unchanged bytes are never extracted again (crawler/incremental.py, mechanism 3), seen by a spy.

The incremental tests saw this only through run counters (issue 16): here every extraction of a re-crawl of
an unchanged site is counted, and must be zero — with the pages fetched again (a 304 turned back into the
stored response, or OGI_RECHECK_DAYS=0 without validators). Every mode extracts through
crawler.extract_job.extract_candidate (in the crawl process, or handing the candidate to a pool worker) or, in a
pool crawl on SQLite, extract_sealed, so the spy sits on both; in pool mode the workers' own count (the pool's
jobs) must agree with it.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import pytest


class ExtractSpy:
    """Counts extract_candidate and extract_sealed calls wherever the crawler imported them (the pipeline, an
    extract job)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import crawler.extract_job

        self.calls: list[list[str]] = []
        for name in ("extract_candidate", "extract_sealed"):
            real = getattr(crawler.extract_job, name)
            for module in list(sys.modules.values()):
                if getattr(module, name, None) is real and module.__name__.split(".")[0] in (
                        "crawler", "extract", "corpus", "ogi"):
                    monkeypatch.setattr(module, name, self._spy(real))

    def _spy(self, real):
        def spy(parts, *args, **kwargs):
            self.calls.append([p.url for p in parts])
            return real(parts, *args, **kwargs)

        return spy


@pytest.fixture(scope="module", params=[True, False], ids=["etag-304", "no-validators-recheck"])
def recrawl(request, tmp_path_factory):
    """Two crawls of an unchanged site; every page fetched again in the second (304s, or OGI_RECHECK_DAYS=0)."""
    import crawler.pipelines  # noqa: F401  (imported before the spy is installed, so its binding is patched)
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from tests.conftest import crawl, demo_sites_as_registry
    from tests.test_incremental import _county

    validators = request.param
    site = _county(validators)
    db = tmp_path_factory.mktemp("spy") / "ogi.db"
    settings = {**LOCAL_SETTINGS, "OGI_RECHECK_DAYS": 0}
    calls, pooled = [], []
    with DemoPortal(core=False, mock_sites=[site]) as portal:
        sites = demo_sites_as_registry(portal)
        for _ in range(2):
            with pytest.MonkeyPatch.context() as mp:
                spy = ExtractSpy(mp)
                (result,) = crawl([CrawlJob(sites, db, dict(settings))])
                calls.append(spy.calls)
                pooled.append(result.stats.get("ogi/extract_pool_jobs"))
        log = portal.request_log
    return site, calls, log, pooled


def test_unchanged_captures_are_never_extracted_again(recrawl):
    site, (first, second), log, (pooled_first, pooled_second) = recrawl
    detail_paths = {urlsplit(i.url).path for i in site.items}
    # The spy sees the first crawl's extractions (one per report page) ...
    assert {urlsplit(urls[0]).path for urls in first} == detail_paths
    # ... and every report page was requested again in the second crawl ...
    requested = [p for _s, _m, p, _st in log if p in detail_paths]
    assert len(requested) == 2 * len(detail_paths)
    # ... but nothing was extracted again: the bytes were the same.
    assert second == []
    from crawler.settings import OGI_EXTRACT_MODE

    if OGI_EXTRACT_MODE == "pool":  # the default on two or more cores: the workers saw the same
        assert pooled_first == len(first)
        assert pooled_second is None  # no candidate: the pool was never even started
