"""One crawl's shared state, in one typed object reached through one function: `session_for(crawler)`.

Scrapy builds the middlewares, pipelines and extensions of a crawl separately, each from the
`Crawler`. What they share lives here, created with the first component that asks and dropped with
the crawler:

- `store`: the crawl's Store (one per crawl, opened on first use, closed by `CrawlSession.close`, which
  `crawler.run` calls when the crawl is over): a `crawler.store_writer.CrawlStore`, whose writes run in a
  process of their own on SQLite (`OGI_STORE_WRITER`);
- `runs`: the `RunTracker` (crawler/extensions.py) once the spider is open, else None;
- `incremental`: the `IncrementalState` (crawler/incremental.py) once the spider is open, else None;
- `blocked`: the sites and hosts that answered with an anti-bot challenge (crawler/antibot.py);
- `storage_failure`: the first storage failure of the crawl, once the disk filled (crawler/storage.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scrapy.settings import BaseSettings

from corpus import backend
from corpus.store import Store
from corpus.store_process import StoreProcess
from crawler.settings import store_writer_problem
from crawler.store_writer import CrawlStore

if TYPE_CHECKING:
    from crawler.extensions import RunTracker
    from crawler.incremental import IncrementalState


@dataclass
class BlockedSites:
    """Sites that answered with an anti-bot challenge, shared by the detector and the gate."""

    sites: dict[str, str] = field(default_factory=dict)  # site_id -> reason
    hosts: dict[str, str] = field(default_factory=dict)  # netloc -> site_id (robots.txt requests carry no site)


@dataclass
class StorageFailure:
    """The storage failure that stopped the crawl (the first one) and how many writes failed."""

    first: str
    count: int = 0


def open_store(settings: BaseSettings) -> Store:
    """The Store of the database (an SQLite path or a postgresql:// URL) and raw directory the settings name."""
    return backend.open_store(settings.get("OGI_DB"), raw_dir=settings.get("OGI_RAW_DIR") or None)


@dataclass
class CrawlSession:
    """The shared state of one crawl (one `Crawler`); see the module docstring for each part."""

    settings: BaseSettings
    runs: RunTracker | None = None
    incremental: IncrementalState | None = None
    blocked: BlockedSites = field(default_factory=BlockedSites)
    storage_failure: StorageFailure | None = None
    _store: CrawlStore | None = field(default=None, repr=False)

    @property
    def store(self) -> CrawlStore:
        """The crawl's Store, opened on first use (a database that cannot be opened raises here)."""
        if self._store is None:
            writer = self.settings.get("OGI_STORE_WRITER", "process")
            problem = store_writer_problem(writer)
            if problem:
                raise ValueError(problem)
            store = open_store(self.settings)
            if store.multi_writer or writer == "inline":
                self._store = CrawlStore(store)
            elif writer == "process":  # SQLite: writes in a process of their own, reads on this connection
                try:
                    process = StoreProcess(store.db_path, store.raw_dir)
                except BaseException:
                    store.close()
                    raise
                self._store = CrawlStore(store, process=process)
            else:  # "thread": writes on a thread of their own, reads on a second connection
                try:
                    reader = open_store(self.settings)
                except BaseException:
                    store.close()
                    raise
                store.checkpoint_in_background()  # nor does the writer wait for a checkpoint's fsyncs
                self._store = CrawlStore(store, reader, threaded=True)
        return self._store

    def close(self) -> None:
        """Close the Store, if it was opened (after the crawl: nothing writes any more)."""
        if self._store is not None:
            self._store.close()
            self._store = None


def session_for(crawler) -> CrawlSession:
    """The session of this crawl, created on first call. The only place that touches the crawler's
    `ogi_session` attribute: everything else asks here."""
    session: CrawlSession | None = getattr(crawler, "ogi_session", None)
    if session is None:
        session = CrawlSession(crawler.settings)
        crawler.ogi_session = session
    return session


class SessionComponent:
    """Base of the crawl's Scrapy components (middlewares, pipelines, extensions): built from the
    crawler, holding the crawl session and its store. A subclass may refuse to load by raising
    NotConfigured in `__init__` before calling this one."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.session = session_for(crawler)
        self.store = self.session.store

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
