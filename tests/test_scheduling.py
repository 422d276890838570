"""ReportsFirstPriorityQueue (crawler/scheduling.py): among hosts with equally few downloads in flight, the crawl
takes the one whose next request brings a report in, so report pages are fetched from the start of a crawl, not
after every site's home, column and list pages (Scrapy's own queue goes round the idle hosts in turn)."""

from __future__ import annotations

import pytest

from tests.conftest import crawl, demo_sites_as_registry, query_db

COUNTIES = [("长子县", "140428"), ("武乡县", "140429"), ("沁县", "140430"), ("沁源县", "140431"),
            ("潞城市", "140481"), ("襄垣县", "140423")]


def _crawl(tmp_path, queue: str | None):
    """One crawl of six sites; (the sites' request log in order, the database)."""
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from demosites.mutable import MutableCounty

    sites = [MutableCounty(f"q{i}", county, province="山西省", city="长治市", adcode=code,
                           reports=[(f"{county}人民政府", 2022, "form2021", "html"),
                                    (f"{county}教育局", 2021, "form2021", "html")])
             for i, (county, code) in enumerate(COUNTIES)]
    settings = {**LOCAL_SETTINGS, "OGI_ALLOWED_PRIVATE_NETWORKS": ["127.0.0.0/8"], "OGI_EXTRACT_MODE": "inline",
                "CONCURRENT_REQUESTS": 2}  # two at a time: the queue's choice decides the order
    if queue:
        settings["SCHEDULER_PRIORITY_QUEUE"] = queue
    db = tmp_path / "ogi.db"
    with DemoPortal(core=False, mock_sites=sites, host_per_site=True) as portal:
        crawl([CrawlJob(demo_sites_as_registry(portal), db, settings)])
        log = [(site, path) for site, _method, path, _status in portal.request_log]
    return log, db


def _first_report_page_and_last_disclosure_page(log) -> tuple[int, int]:
    """Positions in the log of the first report page and of the last site's disclosure page (/zwgk/, the page
    after the home page: every start request is taken at once, so each site's home page comes first anyway)."""
    first_report = next(i for i, (_site, path) in enumerate(log) if "/t20" in path)  # TRS report pages: .../t2023...
    last_disclosure = max(i for i, (_site, path) in enumerate(log) if path == "/zwgk/index.html")
    return first_report, last_disclosure


SCRAPY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    return {queue: _crawl(tmp_path_factory.mktemp("q"), queue) for queue in (None, SCRAPY_QUEUE)}


@pytest.mark.parametrize("queue", [None, SCRAPY_QUEUE])
def test_report_pages_come_before_the_other_sites_disclosure_pages(crawls, queue) -> None:
    log, db = crawls[queue]
    assert query_db(db, "SELECT COUNT(*) FROM reports") == [(12,)]  # every report either way
    first_report, last_disclosure = _first_report_page_and_last_disclosure_page(log)
    if queue is None:  # ogi's default: ReportsFirstPriorityQueue
        assert first_report < last_disclosure, "\n".join(map(str, log))
    else:  # Scrapy's: every idle host in turn, so every site's disclosure page before any report page
        assert first_report > last_disclosure, "\n".join(map(str, log))


def test_kind_priorities_rank_what_brings_a_report_in_first() -> None:
    from crawler.scheduling import KIND_PRIORITY

    assert KIND_PRIORITY["attachment"] > KIND_PRIORITY["detail"] > KIND_PRIORITY["list"] > KIND_PRIORITY["entry"]
