"""Running ogi unattended: site health (`ogi status`) and the nightly crawl's schedule (`ogi schedule`).

Nightly crawls fail quietly in other systems (field.md: a redesign silently breaks a scraper; a run
that returns far fewer items than the last one is not flagged). Here every site's last runs get a
verdict a person can act on, a second crawl started by cron while one still runs exits at once with
its own code instead of writing into the same database (corpus.lock), and the schedule is one command.
The commands themselves are in ogi/cli/status.py.

Exit codes of `ogi crawl`: 0 every site crawled cleanly; 3 some site had problems (recorded in the
database); 4 another crawl holds the lock on this database; 2 bad usage; 1 an unexpected failure.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.lock import is_locked, live_site_ids
from corpus.pg_conn import is_postgres_url, redact
from corpus.readonly import open_readonly, reading
from corpus.status import site_histories

logger = logging.getLogger(__name__)

CRON_MARKER = "# ogi-crawl"  # identifies our crontab line, so --install replaces it instead of adding another
# Redesign signal: the latest run listed fewer than this share of the previous run's report pages ...
REDESIGN_RATIO = 0.5
# ... and the previous run listed at least this many (small sites fluctuate).
REDESIGN_MIN_ITEMS = 5
# crawl_errors kinds that mean the site refused us rather than failed.
BLOCKED_KINDS = ("blocked", "robots_disallowed", "http_403", "http_412", "http_521", "antibot")


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
        now, before = listed_items(last), listed_items(runs[1])
        if before >= REDESIGN_MIN_ITEMS and now < REDESIGN_RATIO * before:
            return "redesigned", (f"lists showed {now} report pages, {before} in the previous run: "
                                  "the site may have been redesigned (check the family module)")
    if status == "interrupted":
        return "interrupted", last["message"] or "the crawl was stopped before it finished"
    if status in ("partial", "failed"):
        if errs and not listed_items(last) and not last.get("detail_pages") and all(map(_connect_failure, errs)):
            return "unreachable", errs[0]["message"] or "no page could be fetched"  # nothing answered at all
        return "partial", f"{last['errors'] or 0} problem(s): " + (last["message"] or "")[:200]
    return "ok", _ok_reason(last)


# What a failed connection (nothing answered: refused, DNS, time-out, TLS) leaves in crawl_errors.message.
CONNECT_FAILURES = ("ConnectionRefused", "ConnectError", "CannotResolveHost", "DNSLookupError", "TimeoutError",
                    "DownloadTimeoutError", "ConnectionLost", "ResponseNeverReceived", "Connection was refused")


def _connect_failure(error: dict[str, Any]) -> bool:
    return error["kind"] == "unreachable" or any(w in (error["message"] or "") for w in CONNECT_FAILURES)


def _ok_reason(run: dict[str, Any]) -> str:
    """An ok run in words; an incremental run that found nothing new says so (not "0 reports saved")."""
    listed, saved, unchanged = listed_items(run), int(run["reports"] or 0), int(run.get("unchanged") or 0)
    if saved:
        return f"{listed} report pages listed, {saved} reports saved"
    if unchanged:
        return f"{listed} report pages listed, {unchanged} unchanged since the last crawl: nothing new to save"
    return f"{listed} report pages listed, no new reports"


def all_unreachable(health: list[SiteHealth]) -> bool:
    """Every crawled site's latest run reached nothing (`ogi status` then exits non-zero, for monitoring)."""
    crawled = [h for h in health if h.verdict != "never crawled"]
    return bool(crawled) and all(h.verdict == "unreachable" for h in crawled)


def listed_items(run: dict[str, Any]) -> int:
    """Report pages the lists showed; older runs (no list_items) fall back to pages read."""
    if run.get("list_items") is not None:
        return int(run["list_items"])
    return int(run.get("detail_pages") or 0)


def site_health(db: str | Path, *, runs_per_site: int = 2) -> list[SiteHealth]:
    """Each registered site's latest runs (latest first) and a verdict on its health.

    Whether a `running` run is live: on SQLite, whether a crawl holds the database's lock file; on
    PostgreSQL (crawls on many machines), whether some session holds that site's crawl lock."""
    pg = is_postgres_url(str(db))
    shown: str | Path = redact(str(db)) if pg else Path(db)
    with closing(open_readonly(db, error=StatusError)) as conn, reading(shown, StatusError):
        histories = site_histories(conn, runs_per_site=max(2, runs_per_site))
        running = [h.site_id for h in histories if h.runs and h.runs[0]["status"] == "running"]
        if pg:
            live = live_site_ids(str(db), running) if running else set()
        else:
            live = set(running) if running and is_locked(Path(db)) else set()
    out = []
    for site in histories:
        errors = {site.runs[0]["run_id"]: site.last_run_errors} if site.last_run_errors else {}
        verdict, reason = _verdict(site.runs, errors, site.site_id in live)
        out.append(SiteHealth(site.site_id, site.name, verdict, reason, site.runs[:runs_per_site]))
    return out


# -- schedule -------------------------------------------------------------------------------------------

class ScheduleError(Exception):
    """The schedule could not be written or installed."""


def parse_time_of_day(value: str) -> tuple[int, int]:
    """'HH:MM' -> (hour, minute); a ValueError saying what is wrong with anything else."""
    try:
        hour, minute = (int(x) for x in value.split(":"))
    except ValueError:
        raise ValueError(f"{value!r} is not HH:MM") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"{value!r} is not a time of day")
    return hour, minute


def crawl_command_line(db: Path | str, registry: Path, python: str | None = None) -> list[str]:
    """The command cron/systemd runs: this interpreter's ogi, absolute paths, no progress table. For a
    PostgreSQL corpus it queues the night's crawl for `ogi worker`s (`ogi enqueue`) instead of crawling."""
    if is_postgres_url(str(db)):
        return [python or sys.executable, "-m", "ogi.cli", "enqueue", "--registry", str(registry), "--db", str(db)]
    return [python or sys.executable, "-m", "ogi.cli", "crawl", "--registry", str(registry), "--db", str(db), "--quiet"]


def _log_dir(db: Path | str, workdir: Path) -> Path:
    return workdir / "data" / "logs" if is_postgres_url(str(db)) else Path(db).parent / "logs"


def cron_line(time_of_day: str, db: Path | str, registry: Path, workdir: Path, python: str | None = None) -> str:
    hour, minute = parse_time_of_day(time_of_day)
    cmd = " ".join(shlex.quote(a) for a in crawl_command_line(db, registry, python))
    # ogi writes its own log under <db dir>/logs; cron's mail gets only what escapes it.
    cron_log = shlex.quote(str(_log_dir(db, workdir) / "cron.log"))
    return f"{minute} {hour} * * * cd {shlex.quote(str(workdir))} && {cmd} >> {cron_log} 2>&1 {CRON_MARKER}"


def systemd_units(time_of_day: str, db: Path | str, registry: Path, workdir: Path,
                  python: str | None = None) -> dict[str, str]:
    """ogi-crawl.service (oneshot) and ogi-crawl.timer (daily, catches up after downtime)."""
    hour, minute = parse_time_of_day(time_of_day)
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


def write_unit(unit_dir: Path, name: str, text: str) -> Path:
    """Write one systemd unit file into unit_dir (made if missing); ScheduleError naming the place if not."""
    target = unit_dir / name
    try:
        unit_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScheduleError(f"cannot write the systemd units to {unit_dir}: "
                            f"{exc.strerror or exc} ({exc.filename or target})") from exc
    return target
