"""Polite defaults for every ogi crawl.

Government sites are slow, fragile and watched by anti-bot systems: crawl slowly, obey robots.txt,
say who we are, and retry only what is worth retrying. `ogi demo` and the tests override the delays
for the local demo portal only.
"""

import os

import corpus
from crawler import registry


def _env_number(name: str, kind: type) -> int | float:
    """A number from the environment; 0 (the default) when unset, or when not a number (with a warning)."""
    raw = os.environ.get(name) or "0"
    try:
        value = kind(raw)
    except ValueError:
        import logging

        logging.getLogger(__name__).warning("%s=%r is not a number; using the default", name, raw)
        return kind(0)
    return value if value >= 0 else kind(0)


def _cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


BOT_NAME = "ogi"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = (
    "ogi/0.1 (research crawler for government information-disclosure annual reports; "
    "+https://github.com/ogi-project/ogi; contact: ogi-crawler@users.noreply.github.com)"
)

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 2.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% random variation of the delay
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Among hosts with equally few downloads in flight, the one whose next request brings a report in (see
# crawler/scheduling.py): reports from the first seconds of a crawl instead of every site's list pages first.
SCHEDULER_PRIORITY_QUEUE = "crawler.scheduling.ReportsFirstPriorityQueue"

DOWNLOAD_TIMEOUT = 45  # domestic sites often take 20-30 s to answer
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10

COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 starts a remote-control HTTP server (runs Python code sent to it) and writes its token to a job file
# under ~/.local/state: no crawl of ogi is steered that way, and a scheduled crawler should not listen at all.
REMOTE_CONTROL_ENABLED = False
HTTPCACHE_ENABLED = False
LOG_LEVEL = "INFO"

# Every response reaches the spider, so a 404 list page is recorded rather than silently dropped.
HTTPERROR_ALLOW_ALL = True

# Only http(s) is ever fetched: Scrapy's file/data/ftp/s3 handlers are off (crawler/scope.py).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
# Names that resolve to loopback/private/link-local addresses are refused (crawler/scope.py); CIDRs
# listed here are let through (the demo portal and tests: 127.0.0.1/32; never set it for the internet).
TWISTED_DNS_RESOLVER = "crawler.scope.GuardedResolver"
OGI_ALLOWED_PRIVATE_NETWORKS: list[str] = []
# A body shorter than its Content-Length is kept and flagged (data_loss), not thrown away.
DOWNLOAD_FAIL_ON_DATALOSS = False

# Budgets (crawler/budget.py): per site, then the site's run ends `budget_exceeded`; per report.
OGI_SITE_MAX_REQUESTS = 20000
OGI_SITE_MAX_BYTES = 2 * 1024**3
OGI_SITE_MAX_SECONDS = 8 * 3600
OGI_PAGE_MAXSIZE = 10 * 1024 * 1024  # entry, list and report pages; attachments: DOWNLOAD_MAXSIZE
OGI_REPORT_MAX_ATTACHMENTS = 30
OGI_REPORT_MAX_BYTES = 200 * 1024 * 1024
OGI_MAX_ITEMS_PER_PAGE = 1000  # list items read from one list page

DOWNLOADER_MIDDLEWARES = {
    # Closest to the engine, before robots.txt: nothing outside the site (scheme, host, address) is sent.
    "crawler.scope.ScopeMiddleware": 50,
    # Then the site's budget of requests, bytes and time; list pages capped when requested.
    "crawler.budget.BudgetMiddleware": 60,
    # Close to the engine: sees each request's final response (after redirects and retries).
    "crawler.middlewares.CaptureMiddleware": 90,
    # Just outside it: conditional requests for stored pages, a 304 turned back into the stored bytes.
    "crawler.incremental.ConditionalRequestMiddleware": 95,
    # Closest to the engine: drops every request to a site once it answered with an anti-bot challenge
    # (the challenge itself is captured first).
    "crawler.antibot.AntiBotMiddleware": 80,
    # After Scrapy's RobotsTxtMiddleware (100): robots.txt Crawl-delay as a per-site gap.
    "crawler.politeness.CrawlDelayMiddleware": 110,
    "crawler.antibot.BlockedSiteGate": 105,
    # Scrapy's retries, with backoff and Retry-After for 429/503.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.politeness.BackoffRetryMiddleware": 550,
    # A list request redirected to the home page is a removed column (seen before RedirectMiddleware, 600,
    # whose request to the already-crawled home page the dupefilter would drop silently).
    "crawler.traps.ColumnMovedMiddleware": 610,
    # Next to Scrapy's MetaRefresh (580) and Redirect (600): script-only location redirects.
    "crawler.traps.JsRedirectMiddleware": 585,
    # Right after the network: decode HTML with the charset its bytes really use.
    "crawler.encoding.EncodingFixMiddleware": 595,
}
ITEM_PIPELINES = {
    "crawler.incremental.UnchangedItemFilter": 250,  # same bytes as last run: no re-extraction
    "crawler.pipelines.ReportPipeline": 300,
    "crawler.incremental.PageStateRecorder": 350,  # remember how each page was judged
}
EXTENSIONS = {
    "crawler.extensions.RunTracker": 500,
    "crawler.incremental.IncrementalState": 510,
}

# Where results go; `ogi crawl --db` and `-s OGI_DB=...` override.
OGI_DB = corpus.DEFAULT_DB
OGI_RAW_DIR = None  # default: <db dir>/raw (a PostgreSQL corpus needs it, or $OGI_RAW_DIR)
# "pool" (the default with two or more cores): extract in a pool of extraction worker processes on this machine
# (extract.pool; one per core, or OGI_EXTRACT_WORKERS), the reports stored by the crawl process; "inline" (the
# default on one core, where a pool only adds the pipes' cost): extract each report in the crawl process;
# "deferred": queue it for `ogi worker --queues extract` (PostgreSQL corpus only; crawler.jobs). In "pool" and
# "deferred" fetching never waits for parsing. OGI_EXTRACT_TIMEOUT (seconds, 0 = the parse limits' sum) bounds a
# candidate in a pool worker (the crawl's or an `ogi worker`'s): past it the worker is killed and replaced, and
# the candidate extracted as "inline" does. The environment may choose them (OGI_EXTRACT_MODE=inline ogi crawl …).
OGI_EXTRACT_MODE = os.environ.get("OGI_EXTRACT_MODE") or ("pool" if _cores() > 1 else "inline")


def extract_mode_problem(mode: object, postgres: bool) -> str | None:
    """What is wrong with an OGI_EXTRACT_MODE for this corpus, or None: asked by `ogi crawl` before it starts
    (a usage error) and by the pipeline for crawls started another way (scrapy crawl, a worker's child)."""
    if mode not in ("inline", "pool", "deferred"):
        return f"OGI_EXTRACT_MODE must be inline, pool or deferred, not {mode!r}"
    if mode == "deferred" and not postgres:
        return "OGI_EXTRACT_MODE=deferred queues extract jobs: it needs --db postgresql://…"
    return None

OGI_EXTRACT_WORKERS = _env_number("OGI_EXTRACT_WORKERS", int)
OGI_EXTRACT_TIMEOUT = _env_number("OGI_EXTRACT_TIMEOUT", float)
# Niceness added to the crawl's pool workers: when the cores are busy the crawl process (one thread that fetches,
# parses list pages and stores; the pool's workers idle part of the time) runs first, so fetching never waits
# for parsing. 0 = the same priority as the crawl.
OGI_EXTRACT_NICE = 10
# SQLite: where the crawl's writes (captures and raw files, reports, page states) run — "process": a writer process
# of their own (corpus/store_process.py), off the crawl process's GIL; "thread": a thread of the crawl process;
# "inline": on the reactor thread. Its reads use a connection of their own (crawler/store_writer.py).
OGI_STORE_WRITER = "process"
STORE_WRITERS = ("process", "thread", "inline")


def store_writer_problem(writer: object) -> str | None:
    """What is wrong with an OGI_STORE_WRITER, or None (asked by `ogi crawl` before it starts, and by the session)."""
    if writer not in STORE_WRITERS:
        return f"OGI_STORE_WRITER must be process, thread or inline, not {writer!r}"
    return None

# Items of one response taken through the pipelines (to extraction) at once. A page yields one report candidate
# (a list page none), and Scrapy starts CONCURRENT_ITEMS asyncio tasks per response whatever it yields: at its
# default (100) that was ~7 % of the crawl process's CPU (cProfile of a 60-site pool crawl). Candidates of
# different pages still go to the pool side by side.
CONCURRENT_ITEMS = 8
OGI_REGISTRY = registry.DEFAULT_REGISTRY
# How many link hops from the entry page to look for the annual-report column.
OGI_DISCOVERY_HOPS = 2
# Families are hints (crawler/spiders/portal.py): each page is read by the family of the page that linked it,
# switching when a page shows another family's fingerprint; False keeps the entry's family for the whole site.
OGI_CROSS_FAMILY = True
# Discovery only (`ogi probe`, crawler/probe.py): read the entry and the first page of each column, no report.
OGI_PROBE = False
# Hard cap of list pages per column, against pagination that never ends.
OGI_MAX_LIST_PAGES = 500
# Incremental crawls (crawler/incremental.py): lists are always read again; report pages and attachments
# only when new or changed. Pages of sites without ETag/Last-Modified whose list entry is unchanged are
# fetched again only after OGI_RECHECK_DAYS (0 = every run).
OGI_INCREMENTAL = True
OGI_CONDITIONAL_GET = True
OGI_RECHECK_DAYS = 30

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# One fingerprint per URL whatever session id (;jsessionid=, ?sid=) it carries.
REQUEST_FINGERPRINTER_CLASS = "crawler.traps.SessionlessRequestFingerprinter"
# 429/503: wait Retry-After (up to OGI_RETRY_AFTER_MAX s, else give up) or OGI_BACKOFF_BASE * 2**retry s.
OGI_BACKOFF_BASE = 5.0
OGI_BACKOFF_MAX = 120.0
OGI_RETRY_AFTER_MAX = 600.0
# robots.txt Crawl-delay is obeyed up to this many seconds.
OGI_MAX_CRAWL_DELAY = 60.0
FEED_EXPORT_ENCODING = "utf-8"
