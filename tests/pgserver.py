"""A real PostgreSQL server for tests and benchmarks, started on 127.0.0.1 at a free port.

Uses the Debian `postgresql` package's binaries (scripts/setup.sh installs it). `initdb` refuses to run as
root, so as root the cluster belongs to the unprivileged user `nobody`. The server runs with fsync off
(throwaway data) and trust authentication on loopback only; `stop()` removes everything.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine, or the server would not start."""


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found: run scripts/setup.sh (installs Debian's postgresql) "
        "or apt-get install postgresql"
    )


def _free_port() -> int:
    from demosites.server import _free_port as free_port  # the one helper for "a port nothing listens on"

    return free_port("127.0.0.1")


class LocalPostgres:
    """One throwaway PostgreSQL cluster; `url(dbname)` gives a libpq URL, `create_database()` a fresh db."""

    def __init__(self) -> None:
        self.bindir = _bindir()
        self.tmp = Path(tempfile.mkdtemp(prefix="ogi-pg-"))
        self.datadir = self.tmp / "data"
        self.port = _free_port()
        self._counter = 0
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "nobody", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> LocalPostgres:
        if self._as_root:
            os.chmod(self.tmp, 0o755)
            shutil.chown(self.tmp, "nobody")
        try:
            self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync")
        except subprocess.CalledProcessError as exc:
            raise PostgresUnavailable(f"initdb failed: {exc.stderr.strip()}") from exc
        opts = (f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        proc = self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.tmp / "server.log"), "-o", opts,
                         "-w", "-t", "60", "start", check=False)
        if proc.returncode != 0:
            log = (self.tmp / "server.log").read_text(errors="replace")[-2000:] if (self.tmp / "server.log").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {proc.stderr.strip()} {log}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        if name is None:
            self._counter += 1
            name = f"ogi_test_{os.getpid()}_{self._counter}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.datadir.exists():
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
