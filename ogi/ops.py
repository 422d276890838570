"""Running ogi unattended: the crawl lock, `ogi status` (site health) and `ogi schedule` (cron/systemd).

Nightly crawls fail quietly in other systems (field.md: a redesign silently breaks a scraper; a run
that returns far fewer items than the last one is not flagged). Here every site's last runs get a
verdict a person can act on, a second crawl started by cron while one still runs exits at once with
its own code instead of writing into the same database, and the schedule is one command.

Exit codes of `ogi crawl`: 0 every site crawled cleanly; 3 some site had problems (recorded in the
database); 4 another crawl holds the lock on this database; 2 bad usage; 1 an unexpected failure.
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import sys
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

from corpus.lock import is_locked
from corpus.readonly import MAX_YEAR, MIN_YEAR, open_readonly, reading

logger = logging.getLogger(__name__)

CRON_MARKER = "# ogi-crawl"  # identifies our crontab line, so --install replaces it instead of adding another
# Redesign signal: the latest run listed fewer than this share of the previous run's report pages ...
REDESIGN_RATIO = 0.5
# ... and the previous run listed at least this many (small sites fluctuate).
REDESIGN_MIN_ITEMS = 5
# crawl_errors kinds that mean the site refused us rather than failed.
BLOCKED_KINDS = ("blocked", "robots_disallowed", "http_403", "http_412", "http_521", "antibot")

YEAR = click.IntRange(MIN_YEAR, MAX_YEAR)


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
