"""Every read-only opener refuses writes: SQLite's own refusal, not file permissions.

`search`, `status`, `completeness`, `export`, the run summary and `ogi serve` promise never to change a
corpus. A chmod test proves nothing when the tests run as root, so each reader here runs with
`sqlite3.connect` wrapped: every connection it opens is kept (its `close()` is deferred) and, after
the reader is done, a write is attempted through it — SQLite must answer "attempt to write a readonly
database". The database file's bytes must be unchanged too. Opening any of them read-write (issue 16:
the export connection or serve's column reader opened plainly passed every test) fails here.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_serve import build_corpus

WRITES = ("CREATE TABLE ogi_write_probe (x)", "UPDATE reports SET title = 'changed'", "DELETE FROM sites")


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("ro") / "ogi.db"
    build_corpus(db)
    for suffix in ("-wal", "-shm"):  # Store closed cleanly: everything is in the main file
        assert not db.with_name(db.name + suffix).exists() or db.with_name(db.name + suffix).stat().st_size == 0
    return db


@pytest.fixture
def db(corpus_db: Path, tmp_path: Path) -> Path:
    """A private copy per test: a reader that did write cannot spoil the next test."""
    copy = tmp_path / "ogi.db"
    shutil.copyfile(corpus_db, copy)
    return copy


class Opened:
    """The connections opened while the spy is installed, kept open for the write probe."""

    def __init__(self) -> None:
        self.connections: list[sqlite3.Connection] = []
        self.closed_by_reader: list[bool] = []

    def on(self, db: Path) -> list[sqlite3.Connection]:
        """The connections to the file `db` (Datasette also opens in-memory databases of its own)."""
        def main_file(conn: sqlite3.Connection) -> str:
            return next(r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main")

        return [c for c in self.connections if main_file(c) and Path(main_file(c)).resolve() == db.resolve()]

    def probe_all(self, db: Path) -> list[str]:
        """The error of each write attempted through each connection to `db` (all must be refusals)."""
        connections = self.on(db)
        assert connections, "the reader opened no sqlite3 connection to the corpus (the spy missed it?)"
        answers = []
        for conn in connections:
            for sql in WRITES:
                with pytest.raises(sqlite3.OperationalError) as err:
                    conn.execute(sql)
                    conn.commit()
                answers.append(str(err.value))
        return answers


@pytest.fixture
def opened(monkeypatch) -> Iterator[Opened]:
    real_connect = sqlite3.connect
    record = Opened()
    subclasses: dict[type, type] = {}

    def spy(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        base = kwargs.get("factory", sqlite3.Connection)
        if base not in subclasses:
            def close(self) -> None:  # the reader is done with it; the test closes it after the probe
                record.closed_by_reader[record.connections.index(self)] = True

            subclasses[base] = type(f"Probe{base.__name__}", (base,), {"close": close})
        conn = real_connect(*args, **{**kwargs, "factory": subclasses[base]})
        record.connections.append(conn)
        record.closed_by_reader.append(False)
        return conn

    monkeypatch.setattr(sqlite3, "connect", spy)
    yield record
    monkeypatch.undo()
    for conn in record.connections:
        sqlite3.Connection.close(conn)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_read_only(db: Path, opened: Opened, reader: Callable[[], Any]) -> Any:
    before = _sha(db)
    result = reader()
    answers = opened.probe_all(db)
    assert all("readonly" in a for a in answers), answers
    assert _sha(db) == before, "the database file changed"
    return result


def test_open_readonly(db, opened):
    from corpus.readonly import open_readonly

    conn = _assert_read_only(db, opened, lambda: open_readonly(db))
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 6


def test_open_readonly_immutable_fallback_uri(db, opened):
    """The fallback for a WAL database in a read-only directory (immutable=1) is read-only too."""
    from corpus.readonly import _ro_uri

    uri = _ro_uri(db, immutable=True)
    assert uri.endswith("?immutable=1")
    _assert_read_only(db, opened, lambda: sqlite3.connect(uri, uri=True).execute("SELECT 1").fetchone())


def test_export_connection(db, opened, tmp_path):
    from ogi.export import export_dataset

    result = _assert_read_only(db, opened, lambda: export_dataset(db, tmp_path / "out"))
    assert result.n_reports == 6
    assert all(opened.closed_by_reader), "the export left a connection open"


def test_serve_column_reader(db, opened):
    from ogi.serve import _columns

    columns = _assert_read_only(db, opened, lambda: _columns(db))
    assert "report_id" in columns["reports"]
    assert all(opened.closed_by_reader)


def test_serve_datasette_connection(db, opened):
    """Datasette's own connection to the corpus, immutable and --live alike."""
    from ogi.serve import datasette_app

    for live in (False, True):
        ds = datasette_app(db, live=live)
        _assert_read_only(db, opened, lambda ds=ds: ds.get_database("ogi").connect().execute("SELECT 1").fetchone())


def test_search_store(db, opened):
    from corpus.search import search

    hits = _assert_read_only(db, opened, lambda: search(db, "申请"))
    assert hits


def test_status_reader(db, opened):
    from ogi.ops import site_health

    health = _assert_read_only(db, opened, lambda: site_health(db))
    assert {h.site_id for h in health} == {"t-ah", "t-hb"}
    assert all(opened.closed_by_reader)


def test_completeness_reader(db, opened):
    from corpus.completeness import completeness

    matrix = _assert_read_only(db, opened, lambda: completeness(db, year_from=2019, year_to=2021))
    assert matrix.rows
    assert all(opened.closed_by_reader)


def test_crawl_summary_reader(db, opened):
    from corpus.summary import crawl_summary

    summary = _assert_read_only(db, opened, lambda: crawl_summary(db, [1]))
    assert summary["runs"][0]["site_id"] == "t-ah"
    assert all(opened.closed_by_reader)


def test_the_probe_sees_a_writable_connection(db, opened):
    """The harness itself: a connection opened read-write is not mistaken for a read-only one."""
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE ogi_write_probe (x)")
    with pytest.raises(pytest.fail.Exception):
        opened.probe_all(db)
    sqlite3.Connection.close(conn)
