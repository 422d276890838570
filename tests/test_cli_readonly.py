"""Every read-only command on a file that is not an ogi database: one `Error:` line saying so, exit 1,
and the file's bytes unchanged (no WAL switch, no tables created). Issue 13: `ogi search 复议 --db other.db`
switched a stranger's SQLite file to WAL and created ogi's tables in it; a text file gave a traceback."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {
    "search": ["search", "复议"],
    "search-filter-only": ["search", "--province", "湖北"],
    "status": ["status"],
    "completeness": ["completeness"],
    "export": ["export", "--out", "{tmp}/out"],
    "compare": ["compare", "--check"],
    "serve": ["serve", "--port", "0"],
    "snapshot": ["snapshot", "--out", "{tmp}/snap.db"],
}


def _foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()
    return path


def _text_file(path: Path) -> Path:
    path.write_text("name,value\nnot,a database\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [_foreign_sqlite, _text_file], ids=["foreign-sqlite", "text-file"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_read_only_command_leaves_a_foreign_file_alone(command, make, tmp_path):
    target = make(tmp_path / "other.db")
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    done = subprocess.run([sys.executable, "-m", "ogi.cli", *args, "--db", str(target)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    if command != "snapshot":  # snapshot reads PostgreSQL only: it says so
        assert "not an ogi database" in lines[0], lines[0]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal/-shm/-journal, no output
