"""`ogi demo`, the README's first command, run as a user runs it (a separate process)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys


def test_ogi_demo_end_to_end(tmp_path):
    db = tmp_path / "ogi.db"
    proc = subprocess.run([sys.executable, "-m", "ogi.cli", "demo", "--quiet", "--db", str(db)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "reports found (55)" in out
    for site in ("dxh", "zz", "jh", "zc", "hs"):
        assert site in out
    assert "example search: ogi search 复议" in out and "1. " in out
    assert "Traceback" not in out + proc.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 55
    assert {r[0] for r in conn.execute("SELECT status FROM crawl_runs")} == {"ok"}
    logs = list((tmp_path / "logs").glob("crawl-*.log"))
    assert len(logs) == 1 and "Spider closed (finished)" in logs[0].read_text(encoding="utf-8")
    # A second demo run into the same database adds no report.
    again = subprocess.run([sys.executable, "-m", "ogi.cli", "demo", "--quiet", "--db", str(db)],
                           capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert again.returncode == 0
    assert conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 55
