"""The crawl process under faults: a full disk and a double Ctrl-C end with a message, not tracebacks,
and the next start leaves no run 'running' and loses nothing (kill -9: tests/test_resume.py).

Each test runs `ogi crawl` in a subprocess against a hostile server on loopback; bounded by timeouts.
"""

from __future__ import annotations

import csv
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import query_db
from tests.hostile import pages
from tests.hostile.server import HostileServer, Raw, Request

ROOT = Path(__file__).resolve().parents[1]
FILLER = "本机关严格按照条例要求，认真做好政府信息公开工作，持续推进决策、执行、管理、服务、结果公开。" * 400


def _registry(path: Path, site_id: str, server: HostileServer) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["site_id", "name", "adcode", "entry_urls", "platform", "verified"])
        writer.writerow([site_id, f"{site_id}县人民政府", "411500", server.url("/"), "generic", "yes"])
    return path


def _cmd(registry: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "ogi.cli", "crawl", "--registry", str(registry), "--db", str(db), "--quiet",
            "--delay", "0", "--allow-network", "127.0.0.1/32"]


def _routes(count: int, trickle: float = 0.0, county: str = "壬县") -> dict:
    """A site with `count` long reports (about 60 KB of text each); pages trickle when asked to."""
    def report(r: Request) -> Raw | None:
        if not r.route.startswith("/ndbg/content_"):
            return None
        n = int(r.route.rsplit("_", 1)[1].split(".")[0])
        body = pages.report(f"{county}第{n}局", 2023, extra=f"<p>{FILLER}{n}</p>").encode("utf-8")
        return Raw(body=body, trickle=trickle, chunk=max(1, len(body) // 4))

    links = [(f"/ndbg/content_{n}.html", pages.report_title(f"{county}第{n}局", 2023)) for n in range(count)]
    return {"/": lambda r: Raw.html(pages.home("壬")), "/ndbg/": lambda r: Raw.html(pages.column(links)),
            "*": report}


def _runs(db: Path) -> list[tuple[str, str]]:
    return query_db(db, "SELECT site_id, status FROM crawl_runs ORDER BY run_id")


def _reports(db: Path) -> set[str]:
    return {t for (t,) in query_db(db, "SELECT title FROM reports")}


def _logs(db: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (db.parent / "logs").glob("*.log"))


def _interrupted_crawl(tmp_path: Path, interrupt, new_session: bool) -> tuple[subprocess.Popen, str, str, Path]:
    """Start a crawl of a slow site, wait until it asks for a report page, `interrupt(proc)`; the finished crawl's
    process, stdout, stderr and database."""
    db = tmp_path / "ogi.db"
    with HostileServer(_routes(12, trickle=0.5), max_requests=500) as server:
        registry = _registry(tmp_path / "sites.csv", "slowsite", server)
        proc = subprocess.Popen(_cmd(registry, db), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=new_session)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # wait until the crawl is under way
                if db.exists() and any("/ndbg/content_" in p for p in server.paths()):
                    break
                time.sleep(0.2)
            interrupt(proc)
            out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return proc, out, err, db


@pytest.mark.parametrize("to_group", [False, True], ids=["to-the-crawl", "to-its-process-group"])
def test_double_ctrl_c_leaves_no_run_running(tmp_path, to_group):
    """A terminal's Ctrl-C reaches its whole foreground process group: the crawl's helper processes (the store's
    writer, the extraction workers) must leave the stopping to the crawl."""

    def twice(proc: subprocess.Popen) -> None:
        for _ in range(2):
            if to_group:
                os.killpg(proc.pid, signal.SIGINT)
            else:
                proc.send_signal(signal.SIGINT)
            time.sleep(0.5)

    proc, out, err, db = _interrupted_crawl(tmp_path, twice, new_session=to_group)
    assert "Traceback" not in out + err, out + err
    assert proc.returncode == 130, (proc.returncode, out, err)
    assert "interrupted" in err
    assert _runs(db) and all(status != "running" for _s, status in _runs(db)), _runs(db)


def test_disk_full_stops_the_crawl_with_one_message_and_loses_nothing(tmp_path):
    db = tmp_path / "ogi.db"
    with HostileServer(_routes(2, county="癸县"), max_requests=500) as first, HostileServer(_routes(40), max_requests=500) as big:
        done = subprocess.run(_cmd(_registry(tmp_path / "first.csv", "first", first), db), cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        before = _reports(db)
        assert len(before) == 2
        limit = db.stat().st_size + 256 * 1024  # no file of the crawl may grow past this

        def small_disk() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        registry = _registry(tmp_path / "big.csv", "big", big)
        full = subprocess.run(_cmd(registry, db), cwd=ROOT, capture_output=True, text=True, timeout=300,
                              preexec_fn=small_disk)
        output = full.stdout + full.stderr
        assert "Traceback" not in output, output
        assert full.returncode == 3, (full.returncode, output)
        assert "database or disk is full" in output
        logs = _logs(db)
        assert "Traceback" not in logs
        assert logs.count("storage failed while") == 1

        assert _reports(db) >= before  # what was stored before is still there
        again = subprocess.run(_cmd(registry, db), cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stdout + again.stderr
    runs = _runs(db)
    assert all(status != "running" for _s, status in runs), runs
    assert [s for _site, s in runs if _site == "big"][-1] == "ok"
    assert len(_reports(db)) == 42
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_fsize_limit_really_limits(tmp_path):
    """The disk-full test's premise: a write past RLIMIT_FSIZE fails with EFBIG (SIGXFSZ ignored)."""
    code = ("import os, resource, signal\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
            f"fd = os.open({str(tmp_path / 'f')!r}, os.O_WRONLY | os.O_CREAT)\n"
            "os.write(fd, b'x' * 1000)\n"
            "try:\n"
            "    os.write(fd, b'x' * 1000)\n"
            "except OSError as exc:\n"
            "    print(exc.errno)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30).stdout.strip()
    assert out == str(__import__("errno").EFBIG)
    assert os.path.getsize(tmp_path / "f") <= 1000


def test_a_service_stop_lets_the_crawl_close_its_runs(tmp_path):
    """systemd's stop sends SIGTERM to every process of the service at once: the crawl stops as on one Ctrl-C,
    and its store writer, which outlives the signal, records the end of every run."""

    def service_stop(proc: subprocess.Popen) -> None:
        for pid in _session_pids(proc.pid):  # the whole control group, as systemd does
            os.kill(pid, signal.SIGTERM)

    proc, out, err, db = _interrupted_crawl(tmp_path, service_stop, new_session=True)
    assert "Traceback" not in out + err, out + err
    assert "storage failed" not in err, err
    assert proc.returncode == 130 and "interrupted" in err, (proc.returncode, out, err)  # as one Ctrl-C
    assert _runs(db) and all(status != "running" for _s, status in _runs(db)), _runs(db)


def _session_pids(leader: int) -> list[int]:
    """The crawl process and every process it started (in its session or in sessions of their own)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout.split()
    children: dict[int, list[int]] = {}
    for pid, ppid in zip(out[::2], out[1::2], strict=True):
        children.setdefault(int(ppid), []).append(int(pid))
    found, todo = [], [leader]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found
