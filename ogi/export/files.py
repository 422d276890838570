"""Writing an export safely: never over files ogi export did not write, and all or nothing.

A directory counts as an earlier export only by its SHA256SUMS and datapackage.json, and each of its files
is replaced only while it still has its recorded hash. Files are written to a staging directory inside the
output directory and renamed into place, so a full disk or an unwritable place leaves it as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ogi.export.spec import ALL_FILES, PACKAGE_NAME, STAGING_PREFIX, ExportError


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


def write_files(out_dir: Path, blobs: dict[str, bytes], replaces: list[str]) -> None:
    """Write every file into a staging directory inside out_dir, then rename them into place.

    A failure while writing (disk full, no permission, a file in the way) leaves out_dir as it was and
    removes the directories made for it, so an interrupted export never destroys the previous one.
    """
    made: list[Path] = []  # directories this call creates, outermost first
    parent = out_dir
    while not parent.exists() and parent != parent.parent:
        made.insert(0, parent)
        parent = parent.parent
    staging: Path | None = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
        for name, data in blobs.items():
            (staging / name).write_bytes(data)
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
    try:
        for name in replaces:  # an earlier export's files this one does not write (a stale .dta)
            if name not in blobs:
                (out_dir / name).unlink(missing_ok=True)
        for name in sorted(blobs, key=lambda n: n == "SHA256SUMS"):  # SHA256SUMS last
            os.replace(staging / name, out_dir / name)
        staging.rmdir()
    except OSError as exc:
        raise ExportError(f"cannot move the export into {out_dir}: {exc.strerror or exc}; "
                          f"its files are in {staging}") from exc
