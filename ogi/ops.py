"""Running ogi unattended: the crawl lock, `ogi status` (site health) and `ogi schedule` (cron/systemd).

Nightly crawls fail quietly in other systems (field.md: a redesign silently breaks a scraper; a run
that returns far fewer items than the last one is not flagged). Here every site's last runs get a
verdict a person can act on, a second crawl started by cron while one still runs exits at once with
its own code instead of writing into the same database, and the schedule is one command.

Exit codes of `ogi crawl`: 0 every site crawled cleanly; 3 some site had problems (recorded in the
database); 4 another crawl holds the lock on this database; 2 bad usage; 1 an unexpected failure.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

logger = logging.getLogger(__name__)

EXIT_LOCKED = 4
CRON_MARKER = "# ogi-crawl"  # identifies our crontab line, so --install replaces it instead of adding another
# Redesign signal: the latest run listed fewer than this share of the previous run's report pages ...
REDESIGN_RATIO = 0.5
# ... and the previous run listed at least this many (small sites fluctuate).
REDESIGN_MIN_ITEMS = 5
# crawl_errors kinds that mean the site refused us rather than failed.
BLOCKED_KINDS = ("blocked", "robots_disallowed", "http_403", "http_412", "http_521", "antibot")


# -- lock -----------------------------------------------------------------------------------------------

class CrawlLocked(click.ClickException):
    """Another `ogi crawl` holds the lock on this database (exit code 4)."""

    exit_code = EXIT_LOCKED


def lock_path(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".lock")


@contextmanager
def crawl_lock(db: str | Path) -> Iterator[Path]:
    """Hold an exclusive flock next to the database for the duration of a crawl.

    flock, not a pid file: the kernel releases it when the holder dies (kill -9 included), so a
    crashed crawl never blocks the next one. The file keeps the holder's pid and start time so the
    refusal can say who holds it.
    """
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown process"
            raise CrawlLocked(
                f"another ogi crawl is running on {db} ({holder}); not starting a second one. "
                f"Lock file: {path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_locked(db: str | Path) -> bool:
    """Whether a crawl holds the lock right now (for `ogi status`: a 'running' row is live or stale)."""
    path = lock_path(db)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # no lock file (never crawled here) or one we may not read: no crawl we can see
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


# -- opening a database read-only -----------------------------------------------------------------------
#
# `search`, `status`, `completeness` and `export` only read. They never create, migrate or switch the
# journal mode of a file (opening through `Store` would do all three), and a wrong or damaged file gets
# the same one-sentence message from each of them.

class DatabaseProblem(Exception):
    """A database a read-only command was given cannot be read: missing, a directory, not an ogi
    database, damaged, locked or written by a newer ogi. The message names the file and says which."""


# Tables every ogi database has had since schema version 1.
OGI_TABLES = ("sites", "crawl_runs", "crawl_errors", "captures", "reports", "statistics")
SQLITE_MAGIC = b"SQLite format 3\x00"
# Report years a command accepts as a filter (the first 条例 reports are for 2008).
MIN_YEAR, MAX_YEAR = 1990, 2100
YEAR = click.IntRange(MIN_YEAR, MAX_YEAR)


def database_problem(path: str | Path, exc: BaseException) -> DatabaseProblem:
    """The plain-language DatabaseProblem for an sqlite3 error met while reading `path`."""
    msg = str(exc)
    low = msg.lower()
    if "file is not a database" in low:
        return DatabaseProblem(f"{path} is not an ogi database (not an SQLite database file)")
    if "malformed" in low or "corrupt" in low or "disk i/o error" in low:
        return DatabaseProblem(f"{path} is damaged: {msg}")
    if "locked" in low or "busy" in low:
        return DatabaseProblem(f"{path} is locked by another program ({msg}); try again when it is done")
    if "no such table" in low or "no such column" in low:
        return DatabaseProblem(f"{path} is not an ogi database, or an incomplete one ({msg})")
    return DatabaseProblem(f"cannot read {path}: {msg}")


@contextmanager
def reading(path: str | Path, error: type[Exception] = DatabaseProblem) -> Iterator[None]:
    """Turn an sqlite3 error raised while reading `path` into `error` with the database_problem message."""
    try:
        yield
    except sqlite3.DatabaseError as exc:  # OperationalError is a subclass
        raise error(str(database_problem(path, exc))) from exc


def _ro_uri(path: Path, *, immutable: bool = False) -> str:
    from urllib.parse import quote

    return f"file:{quote(str(path.resolve()))}?" + ("immutable=1" if immutable else "mode=ro")


def _wal_pending(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _check_file(path: Path) -> None:
    """Refuse what is not a readable, complete SQLite file before SQLite sees it."""
    if not path.exists():
        raise DatabaseProblem(f"database not found: {path} does not exist; run `ogi demo` or `ogi crawl` first")
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a directory, not a database file")
    if not path.is_file():
        raise DatabaseProblem(f"{path} is not an ogi database (not a regular file)")
    try:
        with path.open("rb") as f:
            header = f.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise DatabaseProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not header:
        raise DatabaseProblem(f"{path} is not an ogi database (an empty file)")
    if not header.startswith(SQLITE_MAGIC):
        raise DatabaseProblem(f"{path} is not an ogi database (not an SQLite database file)")
    if len(header) < 100:
        raise DatabaseProblem(f"{path} is damaged: only {len(header)} bytes, shorter than an SQLite header")
    # The page count in the header is valid when its version-valid-for number equals the change counter;
    # a file shorter than that was cut off (a copy or download that stopped). With WAL frames pending a
    # checkpoint may be extending the file right now, so only judge a file without them.
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[92:96] == header[24:28] and pages and not _wal_pending(path) and size < pages * page_size:
        raise DatabaseProblem(f"{path} is damaged: the file has {size} bytes, its header says {pages * page_size} "
                              "(truncated copy?)")


def open_readonly(db: str | Path, *, tables: Iterable[str] = OGI_TABLES,
                  error: type[Exception] = DatabaseProblem) -> sqlite3.Connection:
    """An ogi database opened read-only (SQLite `mode=ro`), rows as sqlite3.Row; or `error` saying why not.

    Nothing is created or written: no schema, no migration, no journal-mode switch (only SQLite's own
    -wal/-shm files of a WAL database, as any reader). A WAL database in a directory the user may not
    write to (where SQLite cannot make the -shm file) is read `immutable=1` when no WAL frames are
    pending. `tables`: tables the caller needs; missing ones make it "not an ogi database".
    """
    path = Path(db)
    try:
        if not str(db).strip():
            raise DatabaseProblem("no database file given (--db is empty)")
        _check_file(path)
        conn = _connect_readonly(path)
        try:
            with reading(path):
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            missing = [t for t in (*OGI_TABLES, *tables) if t not in names]
            if missing:
                if not names:
                    what = "an SQLite database without tables"
                elif not names & set(OGI_TABLES):  # a stranger's database: say what it holds instead
                    shown = sorted(names)
                    what = "its tables are " + ", ".join(shown[:5]) + (" ..." if len(shown) > 5 else "")
                else:
                    what = "no " + ", ".join(dict.fromkeys(missing)) + " table"
                raise DatabaseProblem(f"{path} is not an ogi database ({what})")
            from ogi.schema import SCHEMA_VERSION

            if version > SCHEMA_VERSION:
                raise DatabaseProblem(f"{path} was written by a newer ogi (schema version {version}; this ogi reads "
                                      f"up to {SCHEMA_VERSION}): upgrade ogi")
        except BaseException:
            conn.close()
            raise
    except DatabaseProblem as exc:
        if error is DatabaseProblem:
            raise
        raise error(str(exc)) from exc
    conn.row_factory = sqlite3.Row
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(_ro_uri(path), uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        cannot_open = "unable to open" in str(exc) or "readonly" in str(exc)
        if cannot_open and _wal_pending(path):
            raise DatabaseProblem(
                f"cannot read {path}: it has changes pending in {path.name}-wal and SQLite cannot open it read-only "
                f"here ({exc}; is the directory read-only?)") from exc
        if not cannot_open:
            raise database_problem(path, exc) from exc
    # A WAL database whose -shm file cannot be made (read-only directory): with no WAL frames pending,
    # the main file holds everything, so reading it as immutable loses nothing.
    conn = sqlite3.connect(_ro_uri(path, immutable=True), uri=True, check_same_thread=False)
    try:
        with reading(path):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def check_text(value: str | None, what: str) -> str | None:
    """A command-line text that SQLite can take: not bytes that are invalid UTF-8 (surrogate escapes)."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise click.BadParameter(f"{value.encode('utf-8', 'surrogateescape')!r} is not valid UTF-8 text",
                                 param_hint=what) from None
    return value


# -- status ---------------------------------------------------------------------------------------------

class StatusError(Exception):
    """The database cannot be read for a status report."""


@dataclass
class SiteHealth:
    site_id: str
    name: str | None
    verdict: str  # ok | partial | redesigned | blocked | unreachable | needs_family | budget_exceeded | interrupted | running | never crawled
    reason: str  # why, in a sentence
    runs: list[dict[str, Any]] = field(default_factory=list)  # latest first


def _verdict(runs: list[dict[str, Any]], errors: dict[int, list[dict[str, Any]]], live: bool) -> tuple[str, str]:
    if not runs:
        return "never crawled", "no crawl run recorded"
    last = runs[0]
    status = last["status"]
    if status == "running":
        if live:
            return "running", f"crawl in progress since {last['started_at']}"
        return "interrupted", "the crawl process died; the next run closes it and finishes the job"
    errs = errors.get(last["run_id"], [])
    if status == "needs_family":
        return "needs_family", last["message"] or "no site-family module recognises the site"
    if status == "unreachable":
        why = next((e["message"] for e in errs if e["kind"] == "unreachable"), last["message"])
        return "unreachable", why or "no entry URL could be fetched"
    blocked = [e for e in errs if e["kind"] in BLOCKED_KINDS]
    if status == "blocked" or (blocked and not last["list_items"]):
        why = blocked[0] if blocked else None
        return "blocked", (f"{why['kind']}: {why['message']}" if why else last["message"]) or "blocked"
    if status == "budget_exceeded":
        return "budget_exceeded", last["message"] or "the site used up its crawl budget"
    if len(runs) > 1:
        now, before = _items(last), _items(runs[1])
        if before >= REDESIGN_MIN_ITEMS and now < REDESIGN_RATIO * before:
            return "redesigned", (f"lists showed {now} report pages, {before} in the previous run: "
                                  "the site may have been redesigned (check the family module)")
    if status == "interrupted":
        return "interrupted", last["message"] or "the crawl was stopped before it finished"
    if status in ("partial", "failed"):
        return "partial", f"{last['errors'] or 0} problem(s): " + (last["message"] or "")[:200]
    return "ok", f"{_items(last)} report pages listed, {last['reports'] or 0} reports saved"


def _items(run: dict[str, Any]) -> int:
    """Report pages the lists showed; older runs (no list_items) fall back to pages read."""
    if run.get("list_items") is not None:
        return int(run["list_items"])
    return int(run.get("detail_pages") or 0)


def site_health(db: str | Path, *, runs_per_site: int = 2) -> list[SiteHealth]:
    """Each registered site's latest runs (latest first) and a verdict on its health."""
    path = Path(db)
    with closing(open_readonly(db, error=StatusError)) as conn, reading(path, StatusError):
        sites = [dict(r) for r in conn.execute("SELECT site_id, name FROM sites ORDER BY site_id")]
        cols = {r[1] for r in conn.execute("PRAGMA table_info(crawl_runs)")}
        extra = ", list_items, unchanged, skipped" if "list_items" in cols else ""
        out = []
        live = is_locked(path)
        for site in sites:
            runs = [dict(r) for r in conn.execute(
                f"""SELECT run_id, started_at, finished_at, status, list_pages, detail_pages, attachments, reports,
                           errors, message{extra} FROM crawl_runs WHERE site_id = ? ORDER BY run_id DESC LIMIT ?""",
                (site["site_id"], max(2, runs_per_site)))]
            errors: dict[int, list[dict[str, Any]]] = {}
            if runs:
                for e in conn.execute("SELECT run_id, kind, url, message FROM crawl_errors WHERE run_id = ?",
                                      (runs[0]["run_id"],)):
                    errors.setdefault(e["run_id"], []).append(dict(e))
            verdict, reason = _verdict(runs, errors, live)
            out.append(SiteHealth(site["site_id"], site["name"], verdict, reason, runs[:runs_per_site]))
        return out


_STYLE = {"ok": "green", "partial": "yellow", "running": "cyan", "interrupted": "yellow"}


@click.command("status")
@click.option("--db", default="data/ogi.db", show_default=True, help="SQLite database.")
@click.option("--runs", "runs_per_site", type=click.IntRange(1, 50), default=2, show_default=True,
              help="Runs to show per site.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status_command(db, runs_per_site, as_json) -> None:
    """Each site's last runs and health: ok, partial, redesigned (far fewer items than the previous
    run), blocked (why), unreachable, needs a family module, interrupted."""
    try:
        health = site_health(db, runs_per_site=runs_per_site)
    except StatusError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([asdict(h) for h in health], ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"site health ({db})", title_justify="left")
    for col in ("site", "verdict", "last run", "listed", "read", "unchanged", "skipped", "reports", "errors", "why"):
        table.add_column(col, justify="right" if col in ("listed", "read", "unchanged", "skipped", "reports", "errors")
                         else "left")
    for h in health:
        last = h.runs[0] if h.runs else {}
        style = _STYLE.get(h.verdict, "red")
        history = " ← ".join(str(_items(r)) for r in h.runs)
        table.add_row(f"{h.site_id} {h.name or ''}", f"[{style}]{h.verdict}[/]", (last.get("started_at") or "-")[:16],
                      history or "-", str(last.get("detail_pages") or 0), str(last.get("unchanged") or 0),
                      str(last.get("skipped") or 0), str(last.get("reports") or 0), str(last.get("errors") or 0),
                      escape(h.reason))
    Console(highlight=False).print(table)


# -- schedule -------------------------------------------------------------------------------------------

class ScheduleError(click.ClickException):
    """The schedule could not be written or installed."""


def _hhmm(value: str) -> tuple[int, int]:
    try:
        hour, minute = (int(x) for x in value.split(":"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not HH:MM") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise click.BadParameter(f"{value!r} is not a time of day")
    return hour, minute


def crawl_command_line(db: Path, registry: Path, python: str | None = None) -> list[str]:
    """The command cron/systemd runs: this interpreter's ogi, absolute paths, no progress table."""
    return [python or sys.executable, "-m", "ogi.cli", "crawl", "--registry", str(registry), "--db", str(db), "--quiet"]


def cron_line(time_of_day: str, db: Path, registry: Path, workdir: Path, python: str | None = None) -> str:
    hour, minute = _hhmm(time_of_day)
    cmd = " ".join(shlex.quote(a) for a in crawl_command_line(db, registry, python))
    # ogi writes its own log under <db dir>/logs; cron's mail gets only what escapes it.
    cron_log = shlex.quote(str(db.parent / "logs" / "cron.log"))
    return f"{minute} {hour} * * * cd {shlex.quote(str(workdir))} && {cmd} >> {cron_log} 2>&1 {CRON_MARKER}"


def systemd_units(time_of_day: str, db: Path, registry: Path, workdir: Path, python: str | None = None) -> dict[str, str]:
    """ogi-crawl.service (oneshot) and ogi-crawl.timer (daily, catches up after downtime)."""
    hour, minute = _hhmm(time_of_day)
    cmd = " ".join(shlex.quote(a) for a in crawl_command_line(db, registry, python))
    service = (
        "[Unit]\nDescription=ogi: crawl government information-disclosure annual reports\n"
        "After=network-online.target\nWants=network-online.target\n\n"
        "[Service]\nType=oneshot\n"
        f"WorkingDirectory={workdir}\nExecStart={cmd}\n"
        "# 3 = some site had problems (recorded in the database): not a unit failure\n"
        "SuccessExitStatus=3\nNice=10\n"
    )
    timer = (
        "[Unit]\nDescription=ogi: nightly crawl\n\n"
        f"[Timer]\nOnCalendar=*-*-* {hour:02d}:{minute:02d}:00\nPersistent=true\nRandomizedDelaySec=600\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    return {"ogi-crawl.service": service, "ogi-crawl.timer": timer}


def install_cron_line(line: str) -> str:
    """Put our line in the user's crontab, replacing an earlier ogi line; returns the new crontab."""
    try:
        current = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise ScheduleError("crontab is not installed; use --systemd or add the line by hand") from exc
    existing = current.stdout if current.returncode == 0 else ""  # 1 = no crontab yet
    kept = [ln for ln in existing.splitlines() if not ln.rstrip().endswith(CRON_MARKER)]
    new = "\n".join([*kept, line]) + "\n"
    done = subprocess.run(["crontab", "-"], input=new, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ScheduleError(f"crontab refused the new table: {done.stderr.strip()}")
    return new


def _check_time(ctx: click.Context, param: click.Parameter, value: str) -> str:
    _hhmm(value)
    return value


@click.command("schedule")
@click.option("--time", "time_of_day", default="02:30", show_default=True, callback=_check_time,
              help="Daily start time, HH:MM (local).")
@click.option("--db", default="data/ogi.db", show_default=True, type=click.Path(path_type=Path))
@click.option("--registry", default="data/sites.csv", show_default=True, type=click.Path(path_type=Path))
@click.option("--systemd", is_flag=True, help="Write a systemd service + timer instead of a crontab line.")
@click.option("--unit-dir", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: str(Path.home() / ".config" / "systemd" / "user"), show_default="~/.config/systemd/user",
              help="Where --systemd writes the units.")
@click.option("--install", is_flag=True, help="Install the crontab line (crontab -l | … | crontab -).")
@click.option("--dry-run", is_flag=True, help="Only print what would be written or installed.")
def schedule_command(time_of_day, db, registry, systemd, unit_dir, install, dry_run) -> None:
    """Set up the nightly crawl: print (or --install) a crontab line, or write systemd units (--systemd).

    The crawl takes a lock on the database, so an overlong run is never overlapped by the next one."""
    workdir = Path.cwd()
    db, registry = db.resolve(), registry.resolve()
    if not registry.exists():
        raise click.BadParameter(f"{registry} does not exist", param_hint="--registry")
    if registry.is_dir():
        raise click.BadParameter(f"{registry} is a directory, not a registry CSV file", param_hint="--registry")
    if db.is_dir():
        raise click.BadParameter(f"{db} is a directory, not a database file", param_hint="--db")
    if systemd:
        units = systemd_units(time_of_day, db, registry, workdir)
        for name, text in units.items():
            target = unit_dir / name
            if dry_run:
                click.echo(f"# {target}\n{text}")
                continue
            try:
                unit_dir.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise ScheduleError(f"cannot write the systemd units to {unit_dir}: "
                                    f"{exc.strerror or exc} ({exc.filename or target})") from exc
            click.echo(f"wrote {target}")
        click.echo("enable with: systemctl --user daemon-reload && systemctl --user enable --now ogi-crawl.timer")
        return
    line = cron_line(time_of_day, db, registry, workdir)
    if install and not dry_run:
        install_cron_line(line)
        click.echo(f"installed in your crontab:\n{line}")
        return
    click.echo(line)
    if not install:
        click.echo("# add it with: crontab -e   (or run again with --install)", err=True)
