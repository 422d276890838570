"""The ogi database schema: what each table and column means.

Written for the researcher who opens `ogi.db` in sqlite3, Datasette, pandas or R.
Conventions: times are UTC ISO 8601 (`2024-03-01T08:15:00Z`); JSON lists are
stored as text; `sha256` is the hex digest of the exact bytes received; raw bytes
live outside the database under `raw/<sha[:2]>/<sha>` next to it.

Provenance chain: statistics.capture_id -> captures (URL, time, SHA-256, raw file)
and statistics.evidence (the table row or sentence the number was read from).

The version of this schema is kept in `PRAGMA user_version`; `MIGRATIONS` maps
an old version to the function that upgrades it by one step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlite_utils

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 6

# The convenience views' queries: portable SQL, shared with the PostgreSQL schema (corpus.pg_schema).
STATISTICS_LONG_SQL = """SELECT r.report_id, r.agency, r.department, r.province, r.city, r.county, r.adcode, r.report_year, r.form,
       s.key, s.value, s.source, s.evidence,
       c.url AS capture_url, c.sha256 AS capture_sha256, c.first_seen AS captured_at, r.source_url
FROM statistics s
JOIN reports r ON r.report_id = s.report_id
LEFT JOIN captures c ON c.capture_id = s.capture_id"""

SITE_LATEST_RUN_SQL = """SELECT s.site_id, s.name, s.province, s.city, s.county, s.adcode, s.platform, s.verified,
       cr.run_id, cr.started_at, cr.finished_at, cr.status, cr.list_pages, cr.detail_pages,
       cr.attachments, cr.reports, cr.errors, cr.message,
       (SELECT count(*) FROM reports r WHERE r.site_id = s.site_id) AS reports_stored
FROM sites s
LEFT JOIN crawl_runs cr ON cr.run_id = (
    SELECT max(run_id) FROM crawl_runs WHERE site_id = s.site_id)"""

SCHEMA_SQL = """
-- One row per government website in the registry (data/sites.csv).
CREATE TABLE IF NOT EXISTS sites (
    site_id     TEXT PRIMARY KEY,  -- registry id, e.g. 'hubei-wuhan-dongxihu'
    name        TEXT,              -- government running the site, e.g. 武汉市东西湖区人民政府
    province    TEXT,              -- 省级 name, e.g. 湖北省
    city        TEXT,              -- 地级 name, e.g. 武汉市
    county      TEXT,              -- 县级 name, e.g. 东西湖区
    adcode      TEXT,              -- 6-digit GB/T 2260 code of the county
    entry_urls  TEXT NOT NULL DEFAULT '[]',  -- JSON list: where the crawler starts
    platform    TEXT,              -- CMS family ('trs', 'hanweb', ...) or NULL if unknown
    verified    INTEGER NOT NULL DEFAULT 0,  -- 1 if a person checked the entry URLs
    notes       TEXT NOT NULL DEFAULT '',
    first_seen  TEXT NOT NULL,     -- when the site was first registered here
    updated_at  TEXT NOT NULL      -- when this row last changed
);

-- One row per crawl of one site: lets you tell 'not published' from 'not collected'.
CREATE TABLE IF NOT EXISTS crawl_runs (
    run_id       INTEGER PRIMARY KEY,
    site_id      TEXT REFERENCES sites(site_id),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,             -- NULL while running or if the crawl died
    status       TEXT NOT NULL DEFAULT 'running',  -- running | ok | partial | failed | unreachable | blocked
                                   -- | needs_family | interrupted (the process died or was stopped)
    list_pages   INTEGER,          -- list pages read (all pages of every list)
    detail_pages INTEGER,          -- article pages read
    attachments  INTEGER,          -- PDFs/DOCs downloaded
    reports      INTEGER,          -- annual reports saved in this run
    errors       INTEGER,          -- rows this run added to crawl_errors
    message      TEXT NOT NULL DEFAULT '',  -- human-readable summary or failure reason
    list_items   INTEGER,          -- detail-page links the lists showed (fetched or not): the 'redesigned' signal
    unchanged    INTEGER,          -- report pages found unchanged (HTTP 304 or same bytes): not re-extracted
    skipped      INTEGER           -- listed pages not fetched at all (known, list entry unchanged, no validators)
);
CREATE INDEX IF NOT EXISTS crawl_runs_site ON crawl_runs(site_id, started_at);

-- Every HTTP response (or failed fetch) the crawler made, one row per distinct content
-- of a URL: a re-fetch of identical bytes only bumps last_seen/fetch_count; changed
-- bytes add a new row (a new version of that URL).
CREATE TABLE IF NOT EXISTS captures (
    capture_id   INTEGER PRIMARY KEY,
    url          TEXT NOT NULL,    -- URL requested
    final_url    TEXT,             -- URL after redirects, if different
    site_id      TEXT REFERENCES sites(site_id),
    first_seen   TEXT NOT NULL,    -- first time these bytes were received from this URL
    last_seen    TEXT NOT NULL,    -- latest time
    fetch_count  INTEGER NOT NULL DEFAULT 1,  -- how many fetches returned these bytes
    status       INTEGER,          -- HTTP status; NULL when no response (DNS, timeout)
    content_type TEXT,             -- Content-Type header as received
    sha256       TEXT,             -- of the body; NULL when there was no body
    size         INTEGER,          -- body length in bytes
    raw_path     TEXT,             -- body file relative to the raw directory: ab/abcdef...
    error        TEXT,             -- why the fetch failed, if it did
    kind         TEXT NOT NULL,    -- robots | entry | list | detail | attachment | other
    headers      TEXT,             -- JSON object of response headers (latest fetch)
    last_run_id  INTEGER REFERENCES crawl_runs(run_id)  -- run of the latest fetch
);
CREATE UNIQUE INDEX IF NOT EXISTS captures_url_sha ON captures(url, sha256);
CREATE INDEX IF NOT EXISTS captures_sha ON captures(sha256);
CREATE INDEX IF NOT EXISTS captures_site ON captures(site_id, kind);

-- Things that went wrong during a crawl, classified so dead sites are noticed.
CREATE TABLE IF NOT EXISTS crawl_errors (
    error_id  INTEGER PRIMARY KEY,
    run_id    INTEGER REFERENCES crawl_runs(run_id),
    site_id   TEXT REFERENCES sites(site_id),
    url       TEXT,
    kind      TEXT NOT NULL,       -- unreachable | http_404 | http_4xx | http_5xx | blocked | parse | extract | ...
    message   TEXT NOT NULL DEFAULT '',
    at        TEXT NOT NULL        -- when it happened
);
CREATE INDEX IF NOT EXISTS crawl_errors_run ON crawl_errors(run_id);

-- One row per annual report: per (agency, report_year); when the extractor could not tell
-- the agency or the year, the report is identified by its source_url instead.
CREATE TABLE IF NOT EXISTS reports (
    report_id         INTEGER PRIMARY KEY,
    agency            TEXT,        -- canonical agency name, e.g. 武汉市东西湖区住房和城乡建设局
    agency_as_printed TEXT,        -- the name exactly as printed in the report
    department        TEXT,        -- kind of agency (e.g. 住建, 人民政府), if classified
    province          TEXT,        -- region of the agency (registry first, then page metadata, then text)
    city              TEXT,
    county            TEXT,
    adcode            TEXT,        -- 6-digit GB/T 2260 code
    report_year       INTEGER,     -- the year the report covers (not the year it was published)
    title             TEXT,
    published_at      TEXT,        -- ISO date the site posted it
    document_date     TEXT,        -- ISO date printed in the document (signing date)
    form              TEXT,        -- form2021 | form2019 | legacy_table | narrative
    source_url        TEXT,        -- the detail page the report was found on
    sha256            TEXT,        -- of the bytes the text was extracted from
    text              TEXT NOT NULL DEFAULT '',  -- full text after repairs
    text_source       TEXT,        -- html | pdf | docx | doc | text | ocr
    is_report         INTEGER NOT NULL DEFAULT 1,  -- always 1 here: non-reports are not stored
    flags             TEXT NOT NULL DEFAULT '[]',  -- JSON list of check results, e.g. ["balance_mismatch"]
    errors            TEXT NOT NULL DEFAULT '[]',  -- JSON list of extraction problems
    site_id           TEXT REFERENCES sites(site_id),  -- registry site it was crawled from
    alt_source_urls   TEXT NOT NULL DEFAULT '[]',  -- JSON list: other URLs that carried this same report (posted twice)
    content_hash      TEXT,        -- hash of everything above plus statistics; changes when re-extraction changes anything
    first_seen        TEXT NOT NULL,  -- first saved
    last_seen         TEXT NOT NULL,  -- latest save (a re-crawl that found it again)
    updated_at        TEXT NOT NULL   -- latest save that changed the content
);
-- Identity of a report: agency, year and region code (two counties can share a name, e.g. 朝阳区).
CREATE UNIQUE INDEX IF NOT EXISTS reports_identity_v3 ON reports(agency, report_year, COALESCE(adcode, ''))
    WHERE agency IS NOT NULL AND report_year IS NOT NULL;
CREATE INDEX IF NOT EXISTS reports_source_url ON reports(source_url);
CREATE INDEX IF NOT EXISTS reports_region ON reports(province, city, county);
CREATE INDEX IF NOT EXISTS reports_adcode ON reports(adcode);
CREATE INDEX IF NOT EXISTS reports_year ON reports(report_year);

-- Which captures a report was built from: its detail page and its attachments (every version).
CREATE TABLE IF NOT EXISTS report_captures (
    report_id  INTEGER NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    capture_id INTEGER NOT NULL REFERENCES captures(capture_id),
    role       TEXT NOT NULL,      -- page | attachment
    PRIMARY KEY (report_id, capture_id)
);

-- Earlier versions of a report: the row and its numbers as they were before a later save changed them.
-- reason 'edited': the same page served different bytes with different content (edited after
-- publication; the report also gets the flag 'edited after publication: content changed on <date>');
-- 're-extracted': same bytes, a newer extractor read them differently; 'other source': another URL.
CREATE TABLE IF NOT EXISTS report_versions (
    version_id    INTEGER PRIMARY KEY,
    report_id     INTEGER NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    reason        TEXT NOT NULL,   -- edited | re-extracted | other source
    valid_from    TEXT NOT NULL,   -- when this version was saved (reports.updated_at then)
    valid_to      TEXT NOT NULL,   -- when a newer version replaced it
    title         TEXT,
    published_at  TEXT,
    document_date TEXT,
    form          TEXT,
    source_url    TEXT,
    sha256        TEXT,            -- of the bytes this version's text came from (raw file still kept)
    text          TEXT NOT NULL DEFAULT '',
    flags         TEXT NOT NULL DEFAULT '[]',
    content_hash  TEXT,
    statistics    TEXT NOT NULL DEFAULT '[]'  -- JSON list of {key, value, source, evidence, capture_id}
);
CREATE INDEX IF NOT EXISTS report_versions_report ON report_versions(report_id);

-- What the crawler knows about each detail page it has judged: lets a later run skip pages whose list
-- entry is unchanged (sites without ETag/Last-Modified) and skip re-extraction of unchanged bytes.
CREATE TABLE IF NOT EXISTS page_state (
    url         TEXT PRIMARY KEY,  -- detail page URL as listed
    site_id     TEXT REFERENCES sites(site_id),
    list_title  TEXT NOT NULL DEFAULT '',  -- title the list showed
    list_date   TEXT NOT NULL DEFAULT '',  -- date the list showed
    outcome     TEXT NOT NULL,     -- report | not_report | error (fetched again next time)
    report_id   INTEGER REFERENCES reports(report_id) ON DELETE SET NULL,
    capture_ids TEXT NOT NULL DEFAULT '[]',  -- JSON: captures (page, attachments) it was judged from
    validators  INTEGER NOT NULL DEFAULT 0,  -- 1 when every part came with ETag or Last-Modified
    checked_at  TEXT NOT NULL,     -- last time it was fetched and judged
    listed_at   TEXT NOT NULL      -- last time a list showed it
);
CREATE INDEX IF NOT EXISTS page_state_site ON page_state(site_id);

-- The numbers read from each report, under the canonical keys of the codebook (spec/metrics.md).
-- Replaced as a whole when the report is re-extracted.
CREATE TABLE IF NOT EXISTS statistics (
    report_id  INTEGER NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    key        TEXT NOT NULL,      -- e.g. requests.new.total, core.review_total
    value      REAL NOT NULL,      -- the number (counts are whole numbers)
    source     TEXT NOT NULL,      -- table | text: where in the report it was read
    evidence   TEXT NOT NULL DEFAULT '',  -- the table row or sentence, verbatim
    capture_id INTEGER REFERENCES captures(capture_id),  -- the capture holding those bytes
    -- how the number was placed: table-label (row and column labels as printed), table-position (by the
    -- form's fixed row/column order or a near-miss label), derived (sum or copy of cells), text (a sentence)
    confidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, key)
);
CREATE INDEX IF NOT EXISTS statistics_key ON statistics(key);

-- Convenience views (for pandas/R/Datasette): the tidy long table of numbers with their
-- provenance, and each site's latest crawl.
CREATE VIEW IF NOT EXISTS statistics_long AS
{statistics_long};

CREATE VIEW IF NOT EXISTS site_latest_run AS
{site_latest_run};

-- Full-text search index (corpus.search, corpus.search_index). Not the text itself: each report's fields
-- pre-split into CJK bigrams (政府信息 -> '政府 府信 信息') so 2-character words match, and in the *_end columns
-- the last character of every CJK run (so a 1-character query also finds 复 in 答复。). rowid = reports.report_id;
-- meta = year, region and department. Contentless (content=''): the inverted index only — its columns read as
-- NULL; the bigram text is not stored a second time (it was 2/3 of the index). A row is removed by the FTS5
-- 'delete' command with the very values it was indexed with, recomputed from the reports row (or from
-- reports_fts_pending when that row has changed since). Rebuild: Store.rebuild_search_index().
CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(
    title, agency, meta, text, title_end, agency_end, meta_end, text_end, tokenize = 'unicode61', content = ''
);

-- The indexed columns of a report as they were when its search-index row was written, kept by the triggers
-- below when the reports row changes or goes (by ogi or by hand) until the index row is replaced: the
-- contentless index can only drop a row given its old values. Empty at rest.
CREATE TABLE IF NOT EXISTS reports_fts_pending (
    report_id INTEGER PRIMARY KEY, title, agency, agency_as_printed, department, province, city, county,
    report_year, text
);
CREATE TRIGGER IF NOT EXISTS reports_fts_keep_update
BEFORE UPDATE OF title, agency, agency_as_printed, department, province, city, county, report_year, text ON reports
WHEN (old.title IS NOT new.title OR old.agency IS NOT new.agency OR old.agency_as_printed IS NOT new.agency_as_printed
      OR old.department IS NOT new.department OR old.province IS NOT new.province OR old.city IS NOT new.city
      OR old.county IS NOT new.county OR old.report_year IS NOT new.report_year OR old.text IS NOT new.text)
     AND EXISTS (SELECT 1 FROM reports_fts_docsize WHERE id = old.report_id)
BEGIN
    INSERT OR IGNORE INTO reports_fts_pending VALUES (old.report_id, old.title, old.agency, old.agency_as_printed,
        old.department, old.province, old.city, old.county, old.report_year, old.text);
END;
CREATE TRIGGER IF NOT EXISTS reports_fts_keep_delete BEFORE DELETE ON reports
WHEN EXISTS (SELECT 1 FROM reports_fts_docsize WHERE id = old.report_id)
BEGIN
    INSERT OR IGNORE INTO reports_fts_pending VALUES (old.report_id, old.title, old.agency, old.agency_as_printed,
        old.department, old.province, old.city, old.county, old.report_year, old.text);
END;

-- How much of each report's text repeats another report (corpus/similarity.py; `ogi compare --similarity`
-- recomputes it as a whole): MinHash estimates of the Jaccard similarity of 5-character shingles, after the
-- form's fixed headings, table rows and labels, numbers and the agency's and region's own names are removed.
CREATE TABLE IF NOT EXISTS report_similarity (
    report_id               INTEGER PRIMARY KEY REFERENCES reports(report_id) ON DELETE CASCADE,
    prev_report_id          INTEGER REFERENCES reports(report_id) ON DELETE SET NULL,  -- same agency, year before
    similarity_prev_year    REAL,  -- 0..1 against prev_report_id; NULL without a previous report or text
    nearest_peer            INTEGER REFERENCES reports(report_id) ON DELETE SET NULL,  -- most similar report of another agency, same county and year
    nearest_peer_similarity REAL,  -- 0..1; NULL when no peer shares at least the threshold (method)
    content_hash            TEXT,  -- reports.content_hash when computed: a different one now means stale
    method                  TEXT NOT NULL,  -- e.g. minhash128-char5-lsh0.5: permutations, shingle, LSH threshold
    computed_at             TEXT NOT NULL   -- when this row was computed
);
CREATE INDEX IF NOT EXISTS report_similarity_prev ON report_similarity(similarity_prev_year);
CREATE INDEX IF NOT EXISTS report_similarity_peer ON report_similarity(nearest_peer_similarity);
""".replace("{statistics_long}", STATISTICS_LONG_SQL).replace("{site_latest_run}", SITE_LATEST_RUN_SQL)

# version -> function upgrading a database from that version to version + 1.
Migration = Callable[[sqlite_utils.Database], None]


def _v1_to_v2(db: sqlite_utils.Database) -> None:
    """Incremental crawling: run counters for listed/unchanged/skipped pages (the new tables
    report_versions and page_state come from SCHEMA_SQL, run after every migration)."""
    have = {row[1] for row in db.conn.execute("PRAGMA table_info(crawl_runs)")}
    for column in ("list_items", "unchanged", "skipped"):
        if column not in have:
            db.conn.execute(f"ALTER TABLE crawl_runs ADD COLUMN {column} INTEGER")


def _v2_to_v3(db: sqlite_utils.Database) -> None:
    """Report identity gains the adcode; SCHEMA_SQL then creates the new unique index."""
    db.conn.execute("DROP INDEX IF EXISTS reports_identity")


def _v3_to_v4(db: sqlite_utils.Database) -> None:
    """Copied reports (issue 15): the new table report_similarity comes from SCHEMA_SQL."""


def _v4_to_v5(db: sqlite_utils.Database) -> None:
    """Each number's confidence class (issue 11): how it was placed in the table or read from text."""
    have = {row[1] for row in db.conn.execute("PRAGMA table_info(statistics)")}
    if "confidence" not in have:
        db.conn.execute("ALTER TABLE statistics ADD COLUMN confidence TEXT NOT NULL DEFAULT ''")


def _v5_to_v6(db: sqlite_utils.Database) -> None:
    """A contentless search index with the run-final characters (issue 12): the old table kept the bigram text
    a second time (2/3 of its size) and missed a 1-character query's character at the end of a run. Rebuilt from
    the reports; the file keeps its size until VACUUM returns the old table's pages."""
    from corpus.search_index import write_index

    db.conn.execute("DROP TABLE IF EXISTS reports_fts")
    db.conn.executescript(SCHEMA_SQL)
    n = write_index(db.conn)
    logger.info("search index rebuilt for schema 6: %d reports (VACUUM returns the old index's space)", n)


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5, 5: _v5_to_v6}


def create_schema(db: sqlite_utils.Database) -> None:
    """Create every table and index (idempotent) and stamp the schema version."""
    db.conn.executescript(SCHEMA_SQL)
    db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database) -> int:
    """Bring an existing database to SCHEMA_VERSION; returns the version found.

    Version 0 with no tables is a new database. A version newer than this code
    is refused by the caller rather than silently written with an old layout.
    """
    found = schema_version(db)
    version = found
    if version == 0:
        create_schema(db)
        return found
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise RuntimeError(f"no migration from schema version {version}")
        logger.info("migrating database schema %d -> %d", version, version + 1)
        step(db)
        version += 1
        db.conn.execute(f"PRAGMA user_version = {version}")
    db.conn.executescript(SCHEMA_SQL)  # new indexes added to SCHEMA_SQL
    return found
