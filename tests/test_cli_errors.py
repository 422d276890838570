"""A user's mistake gets a one-line message and a non-zero exit, never a traceback, and loses nothing.

Read-only commands (search, status, completeness, export) never create or change a database: a damaged
file, a file that is not an ogi database, a directory or an absurd year is refused with the same message
on every command. `ogi export` never overwrites files it did not write, and a failed export (unwritable
place, disk full) leaves the output directory as it was.

Cases needing a read-only directory run a subprocess; as root the subprocess drops CAP_DAC_OVERRIDE
(setpriv) so that permissions apply to it as to any user.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus.store import Store
from extract.record import Record, Region, Stat
from ogi.cli import main

ROOT = Path(__file__).resolve().parents[1]


# -- helpers ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    """A small ogi database (WAL mode, closed cleanly): one site, one run, 60 reports with statistics."""
    db = tmp_path_factory.mktemp("real") / "ogi.db"
    with Store(db) as store:
        store.upsert_site("s1", "东西湖区人民政府", "湖北省", "武汉市", "东西湖区", "420112", ["http://x/"], "trs", True)
        run = store.start_run("s1")
        store.finish_run(run, status="ok", list_pages=1, detail_pages=60, attachments=0, reports=60, errors=0)
        for i in range(60):
            store.save_report(Record(
                agency=f"东西湖区第{i}局", department="局", region=Region("湖北省", "武汉市", "东西湖区", "420112"),
                report_year=2019 + i % 3, title=f"第{i}局政府信息公开工作年度报告", is_report=True, form="narrative",
                text="本年度没有收到行政复议申请，未发生行政诉讼。" * 50, source_url=f"http://x/{i}.html",
                stats=[Stat("core.requests_new", i, "text", f"全年受理依申请公开{i}条")]), site_id="s1", capture_ids=[])
    assert not Path(f"{db}-wal").exists()
    return db


def snapshot(path: Path) -> dict[str, tuple]:
    """Every file under (or at) `path`: relative name -> (sha256, size, mtime_ns, mode). Missing -> {}."""
    if not path.exists():
        return {}
    files = [path] if not path.is_dir() else sorted(path.rglob("*"))
    out: dict[str, tuple] = {".": (stat.S_IFMT(path.stat().st_mode),)}
    for f in files:
        st = f.stat()
        digest = hashlib.sha256(f.read_bytes()).hexdigest() if f.is_file() else "dir"
        out[str(f.relative_to(path)) if f != path else f.name] = (digest, st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def error_line(result) -> str:
    """The command failed cleanly: non-zero exit, no exception escaped, no traceback, one `Error:` line."""
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{output}")
    assert result.exit_code not in (0, None), output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, output
    if result.exit_code == 1:  # not a usage error: the message is all there is
        assert [line for line in output.splitlines() if line.strip()] == errors, output
    return errors[0]


def read_only_commands(db: Path, out: Path) -> dict[str, list[str]]:
    return {
        "search": ["search", "复议", "--db", str(db)],
        "status": ["status", "--db", str(db)],
        "completeness": ["completeness", "--db", str(db)],
        "export": ["export", "--db", str(db), "--out", str(out)],
    }


def assert_refused_everywhere(db: Path, tmp_path: Path, *fragments: str) -> str:
    """Every read-only command refuses `db` with the same one-line message and changes nothing."""
    watched = db.parent
    before = snapshot(watched)
    out = tmp_path / "export-out"
    messages = {}
    for name, args in read_only_commands(db, out).items():
        messages[name] = error_line(invoke(*args))
        assert snapshot(watched) == before, f"`ogi {name}` changed {watched}"
        assert not out.exists(), f"`ogi {name}` created {out}"
    assert len(set(messages.values())) == 1, messages
    message = next(iter(messages.values()))
    for fragment in fragments:
        assert fragment in message, message
    return message


def _unprivileged() -> list[str]:
    """Command prefix making permissions apply to a subprocess (root drops CAP_DAC_OVERRIDE)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a directory read-only for the test")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable"]


def run_ogi(*args: str, prefix: list[str] | None = None, preexec=None, timeout: float = 180):
    done = subprocess.run([*(prefix or []), sys.executable, "-m", "ogi.cli", *[str(a) for a in args]], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec,
                          env={**os.environ, "COLUMNS": "200"})
    return done


def subprocess_error(done) -> str:
    """Same checks as error_line for a subprocess: non-zero, no traceback, one line on stderr."""
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, done.stderr
    if done.returncode == 1:
        assert lines == errors, done.stderr
    return errors[0]


@pytest.fixture()
def read_only_dir(tmp_path):
    """A directory nobody may write to (restored afterwards so pytest can clean it up)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    yield ro
    for p in [ro, *ro.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)


# -- 1. read-only commands on a database that is not (or no longer) an ogi database ------------------------

def test_random_bytes_are_not_an_ogi_database(tmp_path):
    db = tmp_path / "db" / "random.db"
    db.parent.mkdir()
    db.write_bytes(hashlib.sha256(b"seed").digest() * 2000)
    assert_refused_everywhere(db, tmp_path, str(db), "is not an ogi database")


def test_truncated_database_is_damaged(real_db, tmp_path):
    db = tmp_path / "db" / "ogi.db"
    db.parent.mkdir()
    db.write_bytes(real_db.read_bytes()[: real_db.stat().st_size // 2])
    assert_refused_everywhere(db, tmp_path, str(db), "is damaged")


def test_empty_file_is_not_initialised(tmp_path):
    db = tmp_path / "db" / "ogi.db"
    db.parent.mkdir()
    db.touch()
    assert_refused_everywhere(db, tmp_path, str(db), "is not an ogi database")
    assert db.stat().st_size == 0


def test_unrelated_sqlite_database_is_left_alone(tmp_path):
    db = tmp_path / "db" / "notes.db"
    db.parent.mkdir()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    assert_refused_everywhere(db, tmp_path, str(db), "is not an ogi database")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]
    conn.close()


def test_directory_given_as_database(tmp_path):
    db = tmp_path / "db" / "ogi.db"
    db.mkdir(parents=True)
    assert_refused_everywhere(db, tmp_path, str(db), "is a directory")


def test_missing_database_same_message_everywhere(tmp_path):
    db = tmp_path / "db" / "ogi.db"
    db.parent.mkdir()
    assert_refused_everywhere(db, tmp_path, str(db), "does not exist")
    assert not db.exists()


def test_database_in_read_only_directory_is_read(real_db, read_only_dir, tmp_path):
    db = read_only_dir / "ogi.db"
    shutil.copy(real_db, db)
    read_only_dir.chmod(0o555)
    before = snapshot(read_only_dir)
    prefix = _unprivileged()
    out = tmp_path / "export"
    for args in read_only_commands(db, out).values():
        done = run_ogi(*args, prefix=prefix)
        assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr
        assert snapshot(read_only_dir) == before
    assert "东西湖区" in run_ogi("search", "复议", "--db", db, prefix=prefix).stdout
    assert (out / "reports.csv").read_text(encoding="utf-8").count("\n") == 61


def test_absurd_years_are_usage_errors(real_db, tmp_path):
    before = snapshot(real_db.parent)
    for args in (["search", "复议", "--year", "99999999999999999999"],
                 ["search", "复议", "--year", "1000"],
                 ["completeness", "--year", "99999999999999999999"],
                 ["completeness", "--from", "1", "--to", "2020"],
                 ["completeness", "--from", "2019", "--to", "99999999"],
                 ["export", "--year", "99999999999999999999", "--out", str(tmp_path / "out")]):
        res = invoke(*args, "--db", str(real_db))
        line = error_line(res)
        assert res.exit_code == 2, res.output
        assert "1990" in line and "2100" in line, line
    assert snapshot(real_db.parent) == before
    assert not (tmp_path / "out").exists()


def test_undecodable_filter_text(real_db, tmp_path):
    """A filter argument with bytes that are not UTF-8 (Python hands them over as surrogates)."""
    before = snapshot(real_db.parent)
    for args in (["search", "复议", "--province", "\udcff"], ["search", "复议", "--agency", "\udcfe局"],
                 ["export", "--province", "\udcff", "--out", str(tmp_path / "out")]):
        line = error_line(invoke(*args, "--db", str(real_db)))
        assert "UTF-8" in line, line
    assert snapshot(real_db.parent) == before


# -- 2. export never overwrites what it did not write --------------------------------------------------------

@pytest.mark.parametrize("name", ["README.md", "reports.csv"])
def test_export_refuses_to_overwrite_a_users_file(real_db, tmp_path, name):
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text("my own notes, not an export\n", encoding="utf-8")
    before = snapshot(out)
    line = error_line(invoke("export", "--db", str(real_db), "--out", str(out)))
    assert name in line and "--force" in line, line
    assert snapshot(out) == before
    # asked for explicitly: written, nothing else of the user's removed
    res = invoke("export", "--db", str(real_db), "--out", str(out), "--force")
    assert res.exit_code == 0, res.output
    assert (out / "SHA256SUMS").exists()


def test_export_refuses_to_overwrite_an_edited_export(real_db, tmp_path):
    out = tmp_path / "exp"
    assert invoke("export", "--db", str(real_db), "--out", str(out)).exit_code == 0
    again = invoke("export", "--db", str(real_db), "--out", str(out))  # its own output: replaced
    assert again.exit_code == 0, again.output
    with (out / "reports.csv").open("a", encoding="utf-8") as f:
        f.write("999,my correction\n")
    before = snapshot(out)
    line = error_line(invoke("export", "--db", str(real_db), "--out", str(out)))
    assert "reports.csv" in line and "--force" in line, line
    assert snapshot(out) == before


def test_export_force_with_a_directory_in_the_way(real_db, tmp_path):
    out = tmp_path / "mine"
    (out / "reports.csv").mkdir(parents=True)
    (out / "reports.csv" / "keep.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out)
    line = error_line(invoke("export", "--db", str(real_db), "--out", str(out), "--force"))
    assert "reports.csv" in line, line
    assert snapshot(out) == before


# -- 3. other places a user can go wrong ----------------------------------------------------------------------

def test_export_out_below_a_file(real_db, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("mine", encoding="utf-8")
    before = snapshot(tmp_path)
    line = error_line(invoke("export", "--db", str(real_db), "--out", str(blocker / "sub")))
    assert str(blocker / "sub") in line, line
    assert snapshot(tmp_path) == before


def test_export_into_read_only_directory(real_db, read_only_dir):
    (read_only_dir / "keep.txt").write_text("mine", encoding="utf-8")
    read_only_dir.chmod(0o555)
    before = snapshot(read_only_dir)
    prefix = _unprivileged()
    line = subprocess_error(run_ogi("export", "--db", real_db, "--out", read_only_dir / "new", prefix=prefix))
    assert "cannot" in line and str(read_only_dir / "new") in line, line
    line = subprocess_error(run_ogi("export", "--db", real_db, "--out", read_only_dir, "--force", prefix=prefix))
    assert "cannot" in line and str(read_only_dir) in line, line
    assert snapshot(read_only_dir) == before


def _file_size_limit(nbytes: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return limit


def test_export_disk_full_keeps_the_previous_export(real_db, tmp_path):
    prev = tmp_path / "prev"
    assert invoke("export", "--db", str(real_db), "--out", str(prev)).exit_code == 0
    assert (prev / "texts.jsonl").stat().st_size > 100_000
    before = snapshot(prev)
    done = run_ogi("export", "--db", real_db, "--out", prev, preexec=_file_size_limit(64 * 1024))
    line = subprocess_error(done)
    assert "cannot write" in line and str(prev) in line, line
    assert snapshot(prev) == before
    new = tmp_path / "new" / "export"
    subprocess_error(run_ogi("export", "--db", real_db, "--out", new, preexec=_file_size_limit(64 * 1024)))
    assert not (tmp_path / "new").exists()


def test_extract_a_fifo_is_refused_not_read_forever(tmp_path):
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    try:
        done = run_ogi("extract", fifo, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("ogi extract blocked reading a FIFO")
    line = subprocess_error(done)
    assert "not a regular file" in line, line


def test_schedule_bad_paths(tmp_path):
    registry = tmp_path / "sites.csv"
    registry.write_text("site_id\n", encoding="utf-8")
    blocker = tmp_path / "file.txt"
    blocker.write_text("mine", encoding="utf-8")
    (tmp_path / "dir.db").mkdir()
    before = snapshot(tmp_path)
    for args, fragment in (
        (["--registry", str(tmp_path)], "is a directory"),
        (["--registry", str(registry), "--db", str(tmp_path / "dir.db")], "is a directory"),
        (["--registry", str(registry), "--systemd", "--unit-dir", str(blocker / "units")], str(blocker / "units")),
    ):
        line = error_line(invoke("schedule", "--dry-run", *args) if "--systemd" not in args
                          else invoke("schedule", *args))
        assert fragment in line, line
        assert snapshot(tmp_path) == before


def test_schedule_unit_dir_read_only(tmp_path, read_only_dir):
    registry = tmp_path / "sites.csv"
    registry.write_text("site_id\n", encoding="utf-8")
    read_only_dir.chmod(0o555)
    before = snapshot(read_only_dir)
    line = subprocess_error(run_ogi("schedule", "--systemd", "--unit-dir", read_only_dir / "units",
                                    "--registry", registry, prefix=_unprivileged()))
    assert "cannot write" in line and str(read_only_dir / "units") in line, line
    assert snapshot(read_only_dir) == before


# -- ogi crawl writes only into a new file or an ogi database --------------------------------------------

@pytest.mark.parametrize("kind", ["random", "stranger", "directory"])
def test_crawl_refuses_a_database_that_is_not_ogis(tmp_path, kind):
    registry = tmp_path / "sites.csv"
    registry.write_text("site_id,name,entry_urls\ns1,某县人民政府,http://127.0.0.1:9/\n", encoding="utf-8")
    db = tmp_path / "target.db"
    if kind == "random":
        db.write_bytes(os.urandom(8192))
    elif kind == "stranger":
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
        conn.commit()
        conn.close()
    else:
        db.mkdir()
    before = snapshot(db)
    result = CliRunner().invoke(main, ["crawl", "--registry", str(registry), "--db", str(db), "--quiet"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert ("not an ogi database" in result.output) or ("is a directory" in result.output), result.output
    assert snapshot(db) == before


def test_crawl_registry_that_is_a_directory(tmp_path):
    result = CliRunner().invoke(main, ["crawl", "--registry", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "is not a file" in result.output, result.output
    assert not (tmp_path / "x.db").exists()


def test_export_filter_with_a_lone_surrogate_is_a_message_not_a_traceback():
    """The twin of the search fuzz find (province="\\ud800"): one check serves search and export."""
    from ogi.export.build import _check_filters
    from ogi.export.spec import ExportError

    with pytest.raises(ExportError, match="is not valid UTF-8 text"):
        _check_filters(None, ["\ud800"], None)
