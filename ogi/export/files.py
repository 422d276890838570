"""Writing an export safely: never over files ogi export did not write, and all or nothing.

A directory counts as an earlier export only by its SHA256SUMS and datapackage.json, and each of its files
is replaced only while it still has its recorded hash. The new export is written, complete and synced, into
a directory beside the output directory and then swapped in for it at once (`swap_in`), so a full disk, an
unwritable place or a crash leaves the earlier export as it was, never half old and half new.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from ogi.export.spec import ALL_FILES, PACKAGE_NAME, STAGING_PREFIX, ExportError

_AT_FDCWD = -100  # <fcntl.h>: paths relative to the working directory
_RENAME_EXCHANGE = 2  # <linux/fs.h>: renameat2 swaps the two names


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _previous_export(out_dir: Path) -> dict[str, str]:
    """name -> sha256 of the files an earlier `ogi export` wrote into out_dir (from its SHA256SUMS), or {}.

    Recognised only when SHA256SUMS lists nothing but export file names, including datapackage.json,
    and that datapackage.json names ogi's package: a user's own SHA256SUMS is not taken for ogi's."""
    try:
        sums = (out_dir / "SHA256SUMS").read_text(encoding="utf-8")
        package = json.loads((out_dir / "datapackage.json").read_bytes())
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    listed: dict[str, str] = {}
    for line in sums.splitlines():
        m = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        if m is None or m[2] not in ALL_FILES:
            return {}
        listed[m[2]] = m[1]
    if not isinstance(package, dict) or package.get("name") != PACKAGE_NAME or "datapackage.json" not in listed:
        return {}
    return listed


def check_out_dir(out_dir: Path, force: bool) -> tuple[list[str], list[str]]:
    """May the export write into out_dir? Returns (the earlier export's files it replaces, stale ones
    removed; the files it did not write, left in place or, same-named, overwritten with `force`).

    A new or empty directory is fine. An earlier `ogi export` there (its SHA256SUMS and datapackage.json)
    is replaced file by file, each only if it still has the hash SHA256SUMS gives it. Anything else (a
    README.md or reports.csv of the user's, an edited export file, other files) refuses the export unless
    `force`; then same-named files are overwritten and the others left in place, never deleted.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a directory")
    if not out_dir.is_dir():
        return [], []
    try:
        entries = sorted(out_dir.iterdir())
        listed = _previous_export(out_dir)
        ours, others = [], []
        for p in entries:
            if p.name.startswith(STAGING_PREFIX) and p.is_dir():
                continue  # the staging directory of an export that was killed: ours, harmless
            if p.name == "SHA256SUMS" and listed:
                ours.append(p.name)
            elif p.name in listed and p.is_file() and _sha256_file(p) == listed[p.name]:
                ours.append(p.name)
            elif p.name in listed:
                others.append(f"{p.name} (changed since ogi exported it)")
            else:
                others.append(p.name)
    except OSError as exc:
        raise ExportError(f"cannot read the output directory {out_dir}: {exc.strerror or exc}") from exc
    in_the_way = sorted(p.name for p in entries if p.name in ALL_FILES and p.is_dir())
    if in_the_way:  # not even --force: a file cannot replace a directory
        raise ExportError(f"{out_dir} holds a directory named like an export file ({', '.join(in_the_way)}); "
                          "choose another output directory")
    if others and not force:
        shown = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
        clash = sorted(n.split(" ")[0] for n in others if n.split(" ")[0] in ALL_FILES)
        raise ExportError(
            f"{out_dir} already holds other files that ogi export did not write ({shown}); choose a new or empty "
            "directory, or add --force to write beside them"
            + (f" (--force overwrites {', '.join(clash)})" if clash else ""))
    return ours, others


def _write_file(path: Path, data: bytes) -> None:
    """Write one file and flush it to disk (the swap must not publish files still in the page cache only)."""
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a directory's entries (new names, renames) durable; ignored where directories cannot be synced."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sibling(target: Path, kind: str) -> Path:
    """A new, unused name beside `target` for the export being built (`new`) or the one it replaces (`old`)."""
    return target.with_name(f"{STAGING_PREFIX}{target.name}-{kind}-{secrets.token_hex(4)}")


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2 with RENAME_EXCHANGE, through ctypes).

    False when this system or filesystem cannot (not Linux, a C library without renameat2, a filesystem
    that does not support it): the caller then renames twice. Other failures raise OSError."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swappable(target: Path, replaces: list[str]) -> bool:
    """Whether the whole directory may be replaced: it is new, or holds nothing but the earlier export's files
    (and a killed export's staging directory); and it is not a mount point (which cannot be renamed) nor the
    working directory or one above it (the shell would be left in the removed directory)."""
    if not target.exists():
        return True
    if os.path.ismount(target) or Path.cwd().resolve().is_relative_to(target):
        return False
    ours = set(replaces)
    return all(p.name in ours or (p.name.startswith(STAGING_PREFIX) and p.is_dir()) for p in target.iterdir())


def swap_in(staging: Path, target: Path) -> None:
    """Put the complete directory `staging` at `target`, replacing the directory there, if any, at once.

    Where renameat2(RENAME_EXCHANGE) works (Linux, local filesystems) the two directories trade names in one
    system call: a reader, or a crash, sees the earlier export or the new one, never a mix and never no
    directory. The swapped-out export is then removed; a crash before that leaves it complete under its
    `.ogi-export-<name>-new-…` name beside `target` (safe to delete).

    Elsewhere it renames twice (target -> `.ogi-export-<name>-old-…`, staging -> target). The crash window
    is between the two renames: `target` is then missing, while both exports are complete beside it (rename
    either back). A failed second rename puts the earlier export back before raising.
    """
    if not target.exists():
        os.rename(staging, target)  # one step; fails if a non-empty directory appeared there meanwhile
        _fsync_dir(target.parent)
        return
    os.chmod(staging, stat.S_IMODE(target.stat().st_mode))  # keep the directory's permissions
    if exchange(staging, target):
        _fsync_dir(target.parent)
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the earlier export
        return
    old = _sibling(target, "old")
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)
        raise
    _fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)


def write_files(out_dir: Path, blobs: dict[str, bytes], replaces: list[str]) -> None:
    """Write every file into a new directory beside out_dir, then swap it in for out_dir (`swap_in`).

    A failure while writing or swapping (disk full, no permission, a file in the way) leaves out_dir as it
    was and removes the directories made for it, so an interrupted export never destroys the previous one.
    Only where out_dir holds files ogi did not write (`--force`), is a mount point or the working directory, or
    its parent may not be written, is it not replaced whole: the files are then staged inside it and renamed
    into place one by one, SHA256SUMS last (a crash among the renames leaves old and new files side by side).
    """
    target = out_dir.resolve()  # absolute ("." has no name to put beside); a link: replace what it points to
    made: list[Path] = []  # directories this call creates, outermost first
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        made.insert(0, parent)
        parent = parent.parent
    staging: Path | None = None
    try:
        whole = _swappable(target, replaces)
        target.parent.mkdir(parents=True, exist_ok=True)
        if whole:
            try:
                staging = _sibling(target, "new")
                staging.mkdir()
            except PermissionError:  # DIR is ours but its parent is not (a directory made for us): stage inside
                if not target.is_dir():
                    raise
                whole, staging = False, None
        if not whole:
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target))
        for name, data in blobs.items():
            _write_file(staging / name, data)
        _fsync_dir(staging)
        if whole:
            swap_in(staging, target)
            staging = None
    except OSError as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for d in reversed(made):
            try:
                d.rmdir()
            except OSError:
                break
        where = f" ({Path(exc.filename).name})" if exc.filename and staging and str(staging) in str(exc.filename) \
            else ""
        raise ExportError(f"cannot write the export to {out_dir}: {exc.strerror or exc}{where}; "
                          "nothing there was changed") from exc
    if staging is None:
        return
    try:  # --force beside other files: one file at a time
        for name in replaces:  # an earlier export's files this one does not write (a stale .dta)
            if name not in blobs:
                (target / name).unlink(missing_ok=True)
        for name in sorted(blobs, key=lambda n: n == "SHA256SUMS"):  # SHA256SUMS last
            os.replace(staging / name, target / name)
        staging.rmdir()
    except OSError as exc:
        raise ExportError(f"cannot move the export into {out_dir}: {exc.strerror or exc}; "
                          f"its files are in {staging}") from exc
