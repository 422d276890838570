"""Hostile requests to the web UI (`ogi serve`): each answers 4xx quickly and quietly, in bounded memory.

Security review findings: unbounded page parameters (`/-/completeness?from=1&to=999999`: 24 GB), huge
integers (OverflowError, 500), SQL functions that outrun the SQL time limit (ogi_snippet, and SQLite's own
quadratic trim/instr/replace), unbounded allocations (randomblob(1e9)), and Datasette printing a
traceback with local variables for every bad request. Requests go through Datasette's in-process
client, each bounded by a timeout; one test runs `python -m ogi.cli serve` on 127.0.0.1 to see what the
real server prints and how much memory it takes.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sqlite3
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ogi.serve import datasette_app
from tests.conftest import start_ogi_serve
from tests.test_serve import build_corpus

BUDGET = 60.0  # seconds any one request may take here (they take milliseconds; old code took minutes)


def _get(ds: Any, path: str, *, method: str = "get", timeout: float = BUDGET, **kw: Any) -> Any:
    """One request through the in-process client, on a fresh loop in a worker thread, bounded in time."""
    pool = ThreadPoolExecutor(1)
    try:
        future = pool.submit(asyncio.run, getattr(ds.client, method)(path, **kw))
        return future.result(timeout=timeout)
    finally:
        pool.shutdown(wait=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "corpus.db"
    build_corpus(path)  # reports of 2019-2021
    return path


@pytest.fixture(scope="module")
def ds(db: Path) -> Any:
    return datasette_app(db)


def _status(ds: Any, path: str, **kw: Any) -> tuple[int, str]:
    r = _get(ds, path, **kw)
    return r.status_code, r.text


def _bad(ds: Any, path: str, *words: str) -> str:
    """Assert `path` answers 400 with a short page that says `words`."""
    status, text = _status(ds, path)
    assert status == 400, (path[:120], status, text[:300])
    assert len(text) < 20_000, (path[:120], len(text))
    for w in words:
        assert w in text, (path[:120], w, text[:2000])
    return text


def _sql(ds: Any, sql: str, **params: str) -> tuple[int, Any]:
    r = _get(ds, "/ogi.json?" + urllib.parse.urlencode({"sql": sql, **params, "_shape": "array"}))
    return r.status_code, r.json()


# --- 1. page parameters -------------------------------------------------------------------------------


def test_completeness_years_are_bounded(ds: Any) -> None:
    _bad(ds, "/-/completeness?from=1&to=12000", "from must be from 2014 to 2026")
    _bad(ds, "/-/completeness?from=-99999999999", "from")
    _bad(ds, "/-/completeness?from=99999999999999999999", "from")
    _bad(ds, "/-/completeness?to=abc", "to must be a whole number")
    _bad(ds, "/-/completeness?from=2021&to=2019", "after")
    _bad(ds, "/-/completeness?county=" + "县" * 101, "county is too long")
    assert _status(ds, "/-/completeness?from=2015&to=2026")[0] == 200  # the corpus' years ± 5
    _bad(ds, "/-/completeness?from=1&to=999999", "from")


def test_search_parameters_are_bounded(ds: Any) -> None:
    for page in ("abc", "0", "-1", "10001", "99999999999999999999"):
        _bad(ds, f"/-/search?q=复议&page={page}", "page")
    assert _status(ds, "/-/search?q=复议&page=2")[0] == 200
    _bad(ds, "/-/search?q=复议&report_year=99999999999999999999", "report_year")
    _bad(ds, "/-/search?q=复议&report_year=1", "report_year must be from 2014 to 2026")
    assert _status(ds, "/-/search?q=复议&report_year=2020")[0] == 200
    _bad(ds, "/-/search?q=" + urllib.parse.quote("复议 " * 40), "too long")  # 120 characters
    _bad(ds, "/-/search?q=" + urllib.parse.quote(" ".join("abcdefghijklmnopq")), "too many terms")  # 17 terms
    _bad(ds, "/-/search?q=" + urllib.parse.quote("复a" * 30), "too many search terms")  # 60 FTS5 phrases
    _bad(ds, "/-/search?q=复议&province=" + "省" * 101, "province is too long")


def test_indicator_parameters_are_bounded(ds: Any) -> None:
    _bad(ds, "/-/indicator?key=" + "k" * 101, "key is too long")
    _bad(ds, "/-/indicator?county=" + "县" * 101, "county is too long")
    _bad(ds, "/-/indicator?agency=" + "局" * 101, "agency is too long")
    status, text = _status(ds, "/-/indicator?key=nope")  # a short unknown key: the page explains (as before)
    assert status == 200 and "unknown statistic key" in text


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")  # Datasette, on a bad _facet
def test_datasette_pages_answer_bad_input_with_4xx(ds: Any, capfd: pytest.CaptureFixture[str]) -> None:
    _bad(ds, "/ogi/reports?report_year__gt=99999999999999999999", "too large")
    _bad(ds, "/ogi/reports?_sort=nope", "Cannot sort table by nope")
    _bad(ds, "/ogi/reports?" + "&".join(["_facet=province"] * 11), "facets")
    assert _status(ds, "/ogi/reports?" + "&".join(["_facet=province"] * 3))[0] == 200
    assert _status(ds, "/ogi/reports?x=" + "a" * 17_000)[0] == 414
    assert _status(ds, "/nope")[0] == 404
    assert _status(ds, "/ogi/reports/999999")[0] == 404
    for params in ("_facet=%7B%22bad", "_through=%7B%22table%22:%22x%22%7D", "_facet_array=text"):
        _bad(ds, "/ogi/reports?" + params)
    assert _status(ds, "/ogi.json?sql=select+1&_timelimit=abc")[0] == 400
    assert _status(ds, "/ogi.json?sql=select+nope")[0] == 400
    deep = urllib.parse.urlencode({"sql": "select printf('%.*c', 100000, '[') as j", "_json": "j"})
    assert _status(ds, "/ogi.json?" + deep)[0] == 400  # Python's json: RecursionError
    err = capfd.readouterr().err
    assert "Traceback" not in err and "locals" not in err and "╭" not in err, err[:3000]
    # at most Datasette's one line for a SQL error (select nope, the _facet_array query on text)
    assert all(line.startswith("ERROR: conn=") for line in err.splitlines()), err[:3000]
    assert len(err.splitlines()) <= 2, err[:3000]


def test_writes_are_refused_quietly(ds: Any, db: Path, capfd: pytest.CaptureFixture[str]) -> None:
    before = db.read_bytes()
    for method, path in [("post", "/ogi/reports"), ("post", "/ogi/search"), ("post", "/ogi"),
                         ("post", "/ogi/reports/-/insert"), ("post", "/ogi/reports/1/-/delete"),
                         ("post", "/ogi/reports/-/drop"), ("post", "/_memory/-/create"), ("post", "/-/search"),
                         ("put", "/ogi/reports"), ("delete", "/ogi/reports/1"), ("patch", "/ogi/reports/1")]:
        kw = {"content": b'{"row": {"site_id": "x"}}'} if method != "delete" else {}
        r = _get(ds, path, method=method, **kw)
        assert r.status_code == 405, (method, path, r.status_code, r.text[:300])
        assert r.headers["allow"] == "GET, HEAD" and "read-only" in r.text
    assert db.read_bytes() == before
    err = capfd.readouterr().err
    assert err == "", err[:3000]


# --- 2. SQL functions and memory --------------------------------------------------------------------


def test_ogi_functions_cap_their_input(ds: Any) -> None:
    # 4,000 terms (18.6 s in ogi_snippet before), built in SQL: a URL cannot carry them (414)
    many = "(with recursive c(i) as (select 1 union all select i + 1 from c limit 4000) " \
           "select group_concat('w' || i, ' ') from c)"
    status, body = _sql(ds, f"select ogi_snippet(text, {many}) as s from reports")
    assert status == 400, (status, str(body)[:300])
    assert _get(ds, "/-/search?" + urllib.parse.urlencode({"q": "w1 " * 6000})).status_code == 414
    status, body = _sql(ds, "select ogi_fts(:q) as f", q=" ".join("abcdefghijklmnopq"))  # 17 terms
    assert status == 400, (status, str(body)[:300])
    # a text is read up to the longest text the extractor keeps (1,000,000 characters)
    status, body = _sql(ds, "select ogi_snippet(printf('%.*c', 1100000, 'a') || '复议', '复议') as s")
    assert status == 200 and "[复议]" not in body[0]["s"], (status, str(body)[:300])
    status, body = _sql(ds, "select ogi_snippet('本年度行政复议1件', '复议') as s, ogi_fts('行政复议') as f")
    assert status == 200 and body == [{"s": "本年度行政[复议]1件", "f": '"行政 政复 复议"'}]


@pytest.mark.parametrize("sql", [
    "select length(randomblob(100000000)) as n",
    "select length(zeroblob(100000000)) as n",
    "select length(printf('%.*c', 20000000, 'x')) as n",
    "select length(replace(printf('%.*c', 1000000, 'a'), 'a', printf('%.*c', 100, 'b'))) as n",  # 100 M
    "select length(printf('%.*c', 9000000, 'x') || printf('%.*c', 9000000, 'x')) as n",
])
def test_values_are_bounded(ds: Any, sql: str) -> None:
    status, body = _sql(ds, sql)
    assert status == 400 or body == [{"n": None}], (status, str(body)[:300])
    r = _get(ds, "/_memory.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"}))  # Datasette's scratch db
    assert r.status_code == 400 or r.json() == [{"n": None}], (r.status_code, r.text[:300])
    assert _sql(ds, "select length(randomblob(1000000)) as n") == (200, [{"n": 1_000_000}])


def test_query_results_are_bounded(ds: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ogi.web.limits.MAX_RESULT_CHARS", 5_000_000)
    rows = "with recursive c(x) as (select 1 union all select x + 1 from c limit {n}) select {v} as v from c"
    status, body = _sql(ds, rows.format(n=10, v="zeroblob(1000000)"))
    assert status == 400 and "more than" in body["error"], (status, str(body)[:300])
    status, body = _sql(ds, rows.format(n=10, v="printf('%.*c', 1000000, 'x')"))
    assert status == 400, (status, str(body)[:300])
    assert _sql(ds, rows.format(n=4, v="printf('%.*c', 1000000, 'x')"))[0] == 200


# SQLite's versions take minutes on these (trim: 128 s for 200,000 characters; instr/replace ~100 s here).
QUADRATIC = {
    "trim": "select length(trim(printf('%.*c', 200000, 'a'), printf('%.*c', 200000, 'b') || 'a')) as n",
    "ltrim": "select length(ltrim(printf('%.*c', 200000, 'a'), printf('%.*c', 200000, 'b') || 'a')) as n",
    "instr": "select instr(printf('%.*c', 4000000, 'a'), printf('%.*c', 2000000, 'a') || 'b') as n",
    "replace": "select length(replace(printf('%.*c', 4000000, 'a'), printf('%.*c', 2000000, 'a') || 'b', 'c')) as n",
}


@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_string_functions_cannot_outrun_the_time_limit(ds: Any, name: str) -> None:
    r = _get(ds, "/ogi.json?" + urllib.parse.urlencode({"sql": QUADRATIC[name], "_shape": "array"}), timeout=30)
    assert r.status_code == 200 and r.json()[0]["n"] in (0, 4_000_000), r.text[:300]


def test_printf_repeats_stop_at_the_length_limit(ds: Any) -> None:
    # %c repeats its character `precision` times, in a loop that ran on past the limit: ~30 s each here
    sql = "select length(printf('%.*c%.*c%.*c%.*c', 2147483647, 'x', 2147483647, 'x', 2147483647, 'x', " \
          "2147483647, 'x')) as n, printf('%s%5%%n%*d%.*c', 'a', 3, 4, 2147483647, 'x') as m, " \
          "format('%.2147483647c', 'x') as o, printf(cast('%.*c' as blob), '9e9', 'x') as p"  # '9e9' is 9 to SQLite
    r = _get(ds, "/ogi.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"}), timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert r.json() == [{"n": None, "m": None, "o": None, "p": "x" * 9}], r.text[:300]  # SQLite's answers, sooner
    assert _sql(ds, "select printf('%.*c|%5.1f|%s', 3, 'x', 2.25, 'a') as n") == (200, [{"n": "xxx|  2.3|a"}])


@pytest.mark.parametrize("sql", [
    "select glob('*[' || printf('%.*c', 120, 'b') || ']', printf('%.*c', 8000000, 'a')) as n",  # 1.7 s
    "select length(json_patch(j, j)) as n from (select (select json_group_object('k' || value, 1) from "
    "json_each((select json_group_array(1) from (with recursive c(i) as (select 1 union all select i + 1 "
    "from c limit 20000) select i from c)))) as j)",  # 2 s: every key compared with every key
    "select 'a' like printf('%.*c', 200, '%') as n",  # LIKE: pattern × text
])
def test_quadratic_functions_are_refused(ds: Any, sql: str) -> None:
    status, body = _sql(ds, sql)
    assert status == 400, (status, str(body)[:300])


def test_statements_calling_many_functions_are_refused(ds: Any) -> None:
    # SQLite checks the time limit only between rows: 200 LIKEs over a crafted 8 MB text in one row ran 189 s
    for sql in ("select " + ", ".join(["('a' like 'a')"] * 9) + " as n",
                "select " + ", ".join(["upper('a')"] * 51) + " as n"):
        status, body = _sql(ds, sql)
        assert status == 400 and "too many function calls" in body["error"], (status, str(body)[:300])
    # words in literals, quoted names and comments are not calls
    sql = "select 'like(1) glob(2) " + "f(x) " * 60 + "' as \"like(\" -- like like like like like like like like like"
    assert _sql(ds, sql)[0] == 200


def test_time_limit_is_checked_every_100_instructions(ds: Any) -> None:
    from ogi.web.limits import PROGRESS_OPS, TimeLimitedConnection

    assert PROGRESS_OPS <= 100
    for name in ("ogi", "codebook", "_memory"):
        conn = ds.databases[name].connect()
        assert isinstance(conn, TimeLimitedConnection), name
        conn.close()
    assert "_memory" in _get(ds, "/").text  # the index page as before


def test_string_functions_over_mixed_types_are_capped(ds: Any) -> None:
    # a blob and a text: SQLite's own instr runs (on a private connection) only when that is cheap
    status, body = _sql(ds, "select instr(cast(printf('%.*c', 1000000, 'a') as blob), "
                            "printf('%.*c', 500000, 'a') || 'b') as n")
    assert status == 400, (status, str(body)[:300])
    assert _sql(ds, "select instr(cast('abc' as blob), 'c') as n") == (200, [{"n": 3}])


SAMPLES = ["", "a", "abcabc", "  padded  ", "行政复议行政", "é行é", b"", b"ab\x00c", b"\xe8\xa1\x8c\xe6\x94\xbf",
           0, 12345, -1.5, 1e20, None]


PRINTF = [(), (None,), (12,), ("%d|%5.2f|%s|%q|%Q|%w|%%|%", 1, 2.5, "s", "it's", None, 'a"b'),
          ("%c|%.3c|%.*c|%-4s|%*d|%.*s|%lld|%x|%!.20g|%,d|%z", "xy", "z", 2, "w", "ab", 5, 7, 2, "abcd", 2**40,
           255, 0.1, 1234567, "zz"),
          ("%.*c%.*c", "3", "a", 2.9, "b"), ("%.*c", -3, "q"), ("%5c%-5c|", "a", "b"), ("%T%.*c", 9, "x"),
          ("%n%.*c", 3, "x"), (b"%.2c", "y"), ("%.*c", 2**32 + 2, "x"), ("%.4294967298c", "x"), ("%r %p", 3, 5)]


def test_linear_string_functions_agree_with_sqlite() -> None:
    from ogi.web.limits import install_linear_functions

    plain = sqlite3.connect(":memory:")
    linear = sqlite3.connect(":memory:")
    install_linear_functions(linear)
    calls = [("instr(?, ?)", (a, b)) for a in SAMPLES for b in SAMPLES]
    calls += [(f"{f}(?, ?)", (a, b)) for f in ("trim", "ltrim", "rtrim") for a in SAMPLES for b in SAMPLES]
    calls += [("replace(?, ?, ?)", (a, b, c)) for a in SAMPLES for b in SAMPLES[:8] for c in ("x", "", None, 7)]
    calls += [("glob(?, ?)", (a, b)) for a in ("a*", "*[b-c]*", "?", "", None, 1) for b in SAMPLES]
    calls += [("json_patch(?, ?)", (a, b)) for a in ('{"a":1}', "[]", "x") for b in ('{"a":null,"b":2}', "1")]
    calls += [(f"{f}({', '.join('?' * len(args))})", args) for f in ("printf", "format") for args in PRINTF]
    def outcome(conn: sqlite3.Connection, sql: str, args: tuple) -> Any:
        try:
            return conn.execute(sql, args + args).fetchone()
        except sqlite3.Error:
            return "error"  # the message differs: a Python function's error is "… raised exception"

    for call, args in calls:
        sql = f"select {call}, typeof({call})"
        assert outcome(linear, sql, args) == outcome(plain, sql, args), (call, args)


def test_time_limit_stops_recursive_ctes(ds: Any) -> None:
    """Verification only (this passed before the change too): a CTE runs instructions for every row."""
    status, body = _sql(ds, "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c")
    assert status == 400 and "too long" in body["error"], (status, body)


# --- 3. the real server: what it prints, how much memory it takes ------------------------------------------


def _request(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=BUDGET) as r:
            return r.status, r.read(1_000_000)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(1_000_000)


def _peak_rss(pid: int) -> int:
    """VmHWM of a process, in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's peak memory from /proc")
def test_served_bad_requests_are_quiet_and_bounded(db: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "serve.log"
    proc, base = start_ogi_serve(db, log_path)
    port = int(base.rsplit(":", 1)[1])
    try:
        started = log_path.read_text()
        assert _request(base + "/-/search?q=" + urllib.parse.quote("复议"))[0] == 200
        wide = "select " + ", ".join(["zeroblob(8000000)"] * 80)  # 640 MB in one row: over SQLite's heap limit
        bad = [
            ("POST", "/ogi/reports", b"x=1", 405),
            ("POST", "/ogi/search", b"q=1", 405),
            ("GET", "/nope", None, 404),
            ("GET", "/-/completeness?from=99999999999999999999", None, 400),
            ("GET", "/ogi/reports?report_year__gt=99999999999999999999", None, 400),
            ("GET", "/ogi/reports?_facet=%7B%22bad", None, 400),
            ("GET", "/ogi.json?" + urllib.parse.urlencode({"sql": wide}), None, 400),
            ("GET", "/ogi.json?" + urllib.parse.urlencode({"sql": "select randomblob(1000000000)"}), None, 400),
        ]
        for method, path, data, expected in bad:
            status, body = _request(base + path, method, data)
            assert status == expected, (method, path[:100], status, body[:300])
        with socket.create_connection(("127.0.0.1", port), timeout=BUDGET) as s:  # not HTTP at all
            s.sendall(b"\x00\x01 garbage\r\n\r\n")
            s.recv(1000)
        assert _request(base + "/ogi/reports.json?_col=agency")[0] == 200  # still serving
        peak = _peak_rss(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    printed = log_path.read_text()[len(started):]
    assert "Traceback" not in printed and "locals" not in printed and "╭" not in printed, printed[:3000]
    lines = [line for line in printed.splitlines() if line.strip()]
    assert len(lines) <= len(bad) + 1, printed[:3000]  # at most a line per bad request
    assert peak < 1.5 * 2**30, f"peak RSS {peak / 2**20:.0f} MiB"  # ~0.7 GiB: 512 MiB of SQLite heap at most


def test_json_error_bodies(ds: Any) -> None:
    r = _get(ds, "/ogi/reports.json?report_year__gt=99999999999999999999")
    assert r.status_code == 400 and json.loads(r.text)["error"] == "a number in the request is too large"
