"""`ogi serve`: the corpus in Datasette, read-only, with ogi's search, completeness and indicator pages.

Why Datasette: it is the standard browser for SQLite (every table, facets, JSON/CSV for each page,
canned queries), so the UI is mostly configuration: metadata generated from the schema and the
codebook (`ogi.web.metadata`) and one plugin (`ogi/web/plugins/ogi_plugin.py`) for what Datasette
cannot know — CJK bigram search and the pages built on the corpus' structure.

Read-only: the database is opened immutable (SQLite `immutable=1`, no locks, no writes). A database
with a WAL file that has not been checkpointed (a crawl still running, or one that was killed) would
lose that WAL's rows under immutable=1, so it is then opened `mode=ro` instead ("live"): still no
writes, but it sees a running crawl's new reports.
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ogi.web import CODEBOOK_DB, DB_NAME, PLUGINS_DIR, STATIC_DIR, TEMPLATES_DIR

logger = logging.getLogger(__name__)

SETTINGS = {
    "truncate_cells_html": 200,  # report texts: the table view shows the start, the row page all of it
    "default_page_size": 50,
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1000,
    "allow_download": True,
}


class ServeError(Exception):
    """The database cannot be served (missing, not an ogi database)."""


def _columns(path: Path) -> dict[str, list[str]]:
    """Table/view -> column names, read without writing (for view column descriptions)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
        if "reports" not in names:
            raise ServeError(f"{path} is not an ogi database (no reports table); build one with `ogi demo` "
                             "or `ogi crawl`")
        return {n: [c[1] for c in conn.execute(f"PRAGMA table_info([{n}])")] for n in names}
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"cannot read {path}: {exc}") from exc
    finally:
        conn.close()


def has_pending_wal(path: Path) -> bool:
    """True when a WAL file with frames exists: immutable=1 would not see those rows."""
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def datasette_app(db_path: str | Path, *, live: bool | None = None) -> Any:
    """The configured Datasette instance for one ogi database (name `ogi` in URLs, whatever the file).

    `live=None` chooses: immutable unless a WAL file has pending rows.
    """
    from datasette.app import Datasette

    from ogi.web.limits import LimitedDatabase, configure_process
    from ogi.web.metadata import build_metadata

    path = Path(db_path).resolve()
    if not path.exists():
        raise ServeError(f"database {db_path} does not exist; build one with `ogi demo` or `ogi crawl`")
    columns = _columns(path)
    if live is None:
        live = has_pending_wal(path)
        if live:
            logger.warning("%s has a WAL file with pending rows (a crawl running?): opening it mode=ro", path)
    # Process-wide (ogi.web.limits): SQLite's heap limit; no traceback printed when a SQL function refuses.
    configure_process()
    ds = Datasette(
        [],
        metadata=build_metadata(columns),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        static_mounts=[("ogi-static", str(STATIC_DIR))],
        settings=dict(SETTINGS),
    )
    # is_mutable=False -> Datasette connects with ?immutable=1; True -> ?mode=ro (it never writes: no
    # writable canned queries exist and this Datasette has no write API). LimitedDatabase: Datasette's
    # time limit checked every 100 SQLite instructions, not 1,000 (ogi.web.limits).
    ds.add_database(LimitedDatabase(ds, path=str(path), is_mutable=bool(live)), name=DB_NAME)
    # The codebook as a table (filled by the plugin's startup hook); a memory name unique to this instance.
    ds.add_database(LimitedDatabase(ds, memory_name=f"ogi_{CODEBOOK_DB}_{id(ds)}"), name=CODEBOOK_DB)
    # Datasette's scratch database (/_memory: SQL on no tables), in the same place, limited the same way.
    scratch = LimitedDatabase(ds, is_memory=True)
    scratch.name = scratch.route = "_memory"
    ds.databases = {name: scratch if name == "_memory" else db for name, db in ds.databases.items()}
    return ds


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001, live: bool | None = None,
          open_browser: bool = False, on_ready: Callable[[str], None] | None = None) -> None:
    """Run the UI until interrupted (uvicorn, one worker); `on_ready(url)` once it is built, before it listens."""
    import uvicorn

    # A request refused half-way through (a bad _facet) leaves Datasette's other coroutines unawaited:
    # Python would print a warning with a stack line for each, on the terminal, for a client's mistake.
    warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
    ds = datasette_app(db_path, live=live)
    url = f"http://{host}:{port}/"
    if on_ready is not None:
        on_ready(url)
    if open_browser:
        webbrowser.open(url)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
