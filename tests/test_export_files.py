"""ogi/export/files.py: where an export may write, and writing all or nothing — each rule and message.

An export must never overwrite a researcher's own files nor leave a half-written dataset; the export tests
cover the main paths, these pin the rest (scripts/mutation.sh export left them unpinned): an earlier export
is replaced whole by a directory written beside it, except beside other files (--force). Failures are
injected by monkeypatching (root ignores file permissions, so chmod cannot make a directory unwritable).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ogi.export import files
from ogi.export.files import check_out_dir, write_files
from ogi.export.spec import PACKAGE_NAME, STAGING_PREFIX, ExportError


def _export_dir(tmp_path: Path, extra: dict[str, bytes] | None = None, stata: bool = False) -> Path:
    """A directory as an earlier export left it: datapackage.json, reports.csv (and reports.dta) and their
    SHA256SUMS; `extra`: files of the user's beside them."""
    out = tmp_path / "out"
    out.mkdir()
    blobs = {"datapackage.json": json.dumps({"name": PACKAGE_NAME}).encode(), "reports.csv": b"report_id\n1\n"}
    if stata:
        blobs["reports.dta"] = b"stale"
    for name, data in blobs.items():
        (out / name).write_bytes(data)
    sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(blobs.items()))
    (out / "SHA256SUMS").write_text(sums, encoding="utf-8")
    for name, data in (extra or {}).items():
        (out / name).write_bytes(data)
    return out


def test_new_empty_or_earlier_export_directories_are_fine(tmp_path):
    assert check_out_dir(tmp_path / "new", force=False) == ([], [])
    assert check_out_dir(tmp_path, force=False) == ([], [])
    out = _export_dir(tmp_path)
    (out / f"{STAGING_PREFIX}abc").mkdir()  # a killed export's staging directory: ignored
    assert check_out_dir(out, force=False) == (["SHA256SUMS", "datapackage.json", "reports.csv"], [])


def test_a_file_is_not_a_directory(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ExportError, match=r"f exists and is not a directory$"):
        check_out_dir(tmp_path / "f", force=False)


def test_other_files_refuse_the_export_and_say_which(tmp_path):
    out = _export_dir(tmp_path, {"notes.txt": b"mine", "README.md": b"my readme"})
    (out / "reports.csv").write_bytes(b"edited")
    with pytest.raises(ExportError) as err:
        check_out_dir(out, force=False)
    assert str(err.value) == (
        f"{out} already holds other files that ogi export did not write (README.md, notes.txt, reports.csv "
        "(changed since ogi exported it)); choose a new or empty directory, or add --force to write beside them "
        "(--force overwrites README.md, reports.csv)")
    assert check_out_dir(out, force=True) == (["SHA256SUMS", "datapackage.json"],
                                             ["README.md", "notes.txt", "reports.csv (changed since ogi exported it)"])


def test_many_other_files_are_shown_five_and_an_ellipsis(tmp_path):
    for i in range(6):
        (tmp_path / f"f{i}.txt").write_text("x")
    with pytest.raises(ExportError) as err:
        check_out_dir(tmp_path, force=False)
    assert "(f0.txt, f1.txt, f2.txt, f3.txt, f4.txt ...); choose" in str(err.value)
    assert "--force overwrites" not in str(err.value)
    (tmp_path / "f5.txt").unlink()
    with pytest.raises(ExportError) as err:
        check_out_dir(tmp_path, force=False)
    assert "(f0.txt, f1.txt, f2.txt, f3.txt, f4.txt); choose" in str(err.value)


def test_a_directory_named_like_an_export_file_is_refused_even_with_force(tmp_path):
    (tmp_path / "reports.csv").mkdir()
    (tmp_path / "codebook.md").mkdir()
    (tmp_path / "other").mkdir()
    with pytest.raises(ExportError) as err:
        check_out_dir(tmp_path, force=True)
    assert str(err.value) == (f"{tmp_path} holds a directory named like an export file (codebook.md, reports.csv); "
                              "choose another output directory")


def test_an_unreadable_directory_is_a_message(tmp_path, monkeypatch):
    def boom(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", boom)
    with pytest.raises(ExportError) as err:
        check_out_dir(tmp_path, force=False)
    assert str(err.value) == f"cannot read the output directory {tmp_path}: Permission denied"


@pytest.mark.parametrize(("sums", "package"), [
    ("{h}  notes.txt\n", {"name": PACKAGE_NAME}),  # a file no export writes
    ("{h}  reports.csv\n", {"name": PACKAGE_NAME}),  # datapackage.json not listed
    ("{h}  reports.csv\n{h}  datapackage.json\n", {"name": "someone-else"}),
    ("{h}  reports.csv\n{h}  datapackage.json\n", ["not", "a", "dict"]),
    ("not a line\n", {"name": PACKAGE_NAME}),
])
def test_only_ogis_own_sha256sums_marks_an_earlier_export(tmp_path, sums, package):
    (tmp_path / "SHA256SUMS").write_text(sums.format(h="a" * 64), encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    assert files._previous_export(tmp_path) == {}


def test_an_earlier_export_is_replaced_whole(tmp_path):
    out = _export_dir(tmp_path, stata=True)
    out.chmod(0o750)
    inode = out.stat().st_ino
    replaces, others = check_out_dir(out, force=False)
    assert others == [] and "reports.dta" in replaces
    write_files(out, {"SHA256SUMS": b"sums", "reports.csv": b"new"}, replaces)
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "reports.csv"]  # the stale .dta went with it
    assert (out / "reports.csv").read_bytes() == b"new"
    assert out.stat().st_ino != inode  # a new directory took the old one's place
    assert out.stat().st_mode & 0o777 == 0o750  # with the old one's permissions
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing left beside it


def test_files_are_written_beside_the_directory_not_into_it(tmp_path, monkeypatch):
    out = _export_dir(tmp_path)
    where: list[Path] = []
    real = files._write_file

    def spy(path, data):
        where.append(path.parent)
        assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "datapackage.json", "reports.csv"]
        real(path, data)

    monkeypatch.setattr(files, "_write_file", spy)
    write_files(out, {"a.csv": b"a", "b.csv": b"b"}, check_out_dir(out, force=False)[0])
    assert len(set(where)) == 1 and where[0].parent == tmp_path and where[0].name.startswith(f"{STAGING_PREFIX}out-new-")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv"]


def test_a_symlink_to_an_export_keeps_pointing_at_the_new_one(tmp_path):
    real_dir = _export_dir(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(real_dir)
    write_files(link, {"a.csv": b"a"}, check_out_dir(link, force=False)[0])
    assert link.is_symlink() and (link / "a.csv").read_bytes() == b"a"
    assert sorted(p.name for p in real_dir.iterdir()) == ["a.csv"]


def test_the_working_directory_is_written_in_place(tmp_path, monkeypatch):
    out = _export_dir(tmp_path)
    inode = out.stat().st_ino
    monkeypatch.chdir(out)
    write_files(Path("."), {"a.csv": b"a"}, check_out_dir(Path("."), force=False)[0])
    assert out.stat().st_ino == inode and sorted(p.name for p in out.iterdir()) == ["a.csv"]


def test_exchange_swaps_two_directories(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("b")
    if not files.exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    assert (tmp_path / "a" / "x").read_text() == "b" and (tmp_path / "b" / "x").read_text() == "a"


def test_without_exchange_it_renames_twice(tmp_path, monkeypatch):
    out = _export_dir(tmp_path)
    monkeypatch.setattr(files, "exchange", lambda a, b: False)
    write_files(out, {"a.csv": b"a"}, check_out_dir(out, force=False)[0])
    assert sorted(p.name for p in out.iterdir()) == ["a.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def break_the_swap(monkeypatch, fail: str) -> None:
    """Make swapping the new export in fail: "exchange" (renameat2 refuses, EBUSY) or "second rename" (no
    exchange on this filesystem, and the second of the two renames fails, EIO). Shared with test_export_atomic."""
    if fail == "exchange":
        def busy(a, b):
            raise OSError(16, "Device or resource busy", str(b))
        monkeypatch.setattr(files, "exchange", busy)
        return
    monkeypatch.setattr(files, "exchange", lambda a, b: False)
    real, calls = files.os.rename, []

    def rename(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise OSError(5, "Input/output error", str(dst))
        real(src, dst)
    monkeypatch.setattr(files.os, "rename", rename)


@pytest.mark.parametrize("fail", ["exchange", "second rename"])
def test_a_failed_swap_keeps_the_earlier_export(tmp_path, monkeypatch, fail):
    out = _export_dir(tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    break_the_swap(monkeypatch, fail)
    with pytest.raises(ExportError, match=r"; nothing there was changed$"):
        write_files(out, {"a.csv": b"a"}, check_out_dir(out, force=False)[0])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_with_force_files_are_moved_one_by_one_sha256sums_last(tmp_path, monkeypatch):
    out = _export_dir(tmp_path, {"notes.txt": b"mine"}, stata=True)
    inode = out.stat().st_ino
    order: list[str] = []
    real = files.os.replace

    def spy(src, dst):
        order.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", spy)
    replaces, others = check_out_dir(out, force=True)
    assert others == ["notes.txt"]
    write_files(out, {"SHA256SUMS": b"sums", "b.csv": b"b", "a.csv": b"a"}, [*replaces, "gone.csv"])
    assert order[-1] == "SHA256SUMS" and sorted(order) == ["SHA256SUMS", "a.csv", "b.csv"]
    assert not (out / "reports.dta").exists() and (out / "a.csv").read_bytes() == b"a"
    assert (out / "notes.txt").read_bytes() == b"mine" and out.stat().st_ino == inode
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]


def test_write_files_makes_missing_parents(tmp_path):
    out = tmp_path / "a" / "b" / "out"
    write_files(out, {"x.csv": b"x"}, [])
    assert (out / "x.csv").read_bytes() == b"x"
    assert [p.name for p in (tmp_path / "a" / "b").iterdir()] == ["out"]


def _full_at(name: str):
    real = files._write_file

    def full(path, data):
        if path.name == name:
            raise OSError(28, "No space left on device", str(path))
        return real(path, data)
    return full


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    out = tmp_path / "new" / "deeper" / "out"
    monkeypatch.setattr(files, "_write_file", _full_at("b.csv"))
    with pytest.raises(ExportError) as err:
        write_files(out, {"a.csv": b"a", "b.csv": b"b"}, [])
    assert str(err.value) == f"cannot write the export to {out}: No space left on device (b.csv); nothing there was changed"
    assert not (tmp_path / "new").exists()  # the directories it made are gone again


def test_a_failed_write_into_an_existing_directory_keeps_it_and_its_files(tmp_path, monkeypatch):
    out = _export_dir(tmp_path)
    monkeypatch.setattr(files, "_write_file", _full_at("b.csv"))
    with pytest.raises(ExportError, match=r"No space left on device \(b.csv\); nothing there was changed$"):
        write_files(out, {"a.csv": b"a", "b.csv": b"b"}, check_out_dir(out, force=False)[0])
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "datapackage.json", "reports.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failed_move_says_where_the_files_are(tmp_path, monkeypatch):
    out = _export_dir(tmp_path, {"notes.txt": b"mine"})  # --force beside other files: moved one by one

    def fail(src, dst):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(ExportError) as err:
        write_files(out, {"a.csv": b"a"}, check_out_dir(out, force=True)[0])
    staging = next(p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX))
    assert str(err.value) == f"cannot move the export into {out}: Invalid cross-device link; its files are in {staging}"
    assert (staging / "a.csv").read_bytes() == b"a"


def test_a_parent_that_may_not_be_written_stages_inside(tmp_path, monkeypatch):
    """A directory made for the user in a place they may not write (/srv/exports/ogi): no sibling can be made, so
    the files are staged inside it and moved one by one, as before the swap."""
    out = _export_dir(tmp_path, stata=True)
    inode = out.stat().st_ino
    real = Path.mkdir

    def denied(self, *args, **kwargs):
        if self.parent == tmp_path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", denied)
    write_files(out, {"SHA256SUMS": b"sums", "a.csv": b"a"}, check_out_dir(out, force=False)[0])
    assert out.stat().st_ino == inode and sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "a.csv"]
