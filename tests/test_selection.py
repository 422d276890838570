"""corpus.selection: the SQLite form of "the name or its beginning" (a BINARY range, read through the
reports_region index) selects exactly the names that start with the value: wildcards are plain characters
and case counts, as on PostgreSQL (where corpus.pg_conn turns instr into strpos); SQLite's LIKE folds ASCII
case, so it is not used for beginnings."""

from __future__ import annotations

import sqlite3

import pytest

from corpus.selection import Selection

NAMES = ["湖北省", "湖北", "湖南省", "湖", "湖北省武汉", "北京市", "a%b", "a_b", "axb", "A%B", "a\\b", "", None,
         "湖北\U0010fffe", "湖北省\U0001f600"]


@pytest.fixture()
def conn():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE reports (report_id INTEGER PRIMARY KEY, province TEXT, city TEXT, county TEXT)")
    conn.execute("CREATE INDEX reports_region ON reports(province, city, county)")
    conn.executemany("INSERT INTO reports (province) VALUES (?)", [(n,) for n in NAMES])
    yield conn
    conn.close()


@pytest.mark.parametrize("value", ["湖北", "湖北省", "湖", "a%", "a_", "a\\", "A", "北京市", "湖北\U0010fffe", "x"])
def test_ranges_select_what_like_selects(conn, value):
    def ids(binary: bool) -> set[int]:
        where, params = Selection(provinces=[value]).where("r", binary_ranges=binary)
        return {r[0] for r in conn.execute(f"SELECT report_id FROM reports r WHERE {where}", params)}

    expected = {i + 1 for i, n in enumerate(NAMES) if n is not None and n.startswith(value)}
    assert ids(True) == expected
    if value.lower() == value.upper():  # the LIKE form (PostgreSQL's) differs on SQLite only by ASCII case
        assert ids(False) == expected


def test_the_sqlite_form_reads_the_index(conn):
    where, params = Selection(provinces=["湖北"]).where("r", binary_ranges=True)
    plan = " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN SELECT report_id FROM reports r WHERE {where}",
                                               params))
    assert "SEARCH" in plan and "reports_region" in plan, plan
