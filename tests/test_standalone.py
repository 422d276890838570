"""The repository stands alone: no tracked file reads the project's sibling folder beside the clone.

A user who clones the repository has nothing beside it, so tests, scripts and code read their own
copies (the seed reports and their gold are in tests/fixtures/seeds/). This scans every tracked file
under the code and test folders for a path built to that sibling folder. Prose that mentions the
folder (a docstring naming where a copy came from, a comment) is not a read and is not flagged.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["tests", "scripts", "crawler", "extract", "ogi", "demosites", "benchmarks"]
NAME = "shared"  # the sibling folder's name

_Q = "[\"']"  # a quote: the patterns below match code and string literals, not prose
# Python: a path joined onto the folder name (`parents[2] / "<name>"`, `.parent / '<name>'`),
# joinpath/os.path.join/Path(...) with the name as an argument, or a string literal that is a
# relative (`..`) or absolute path with the name as a component ("../<name>/gold", "/work/<name>").
PY_PATTERNS = [
    re.compile(rf"/\s*{_Q}{NAME}{_Q}"),
    re.compile(rf"\b(?:joinpath|join|Path|PurePath)\([^)]*{_Q}{NAME}[/\\\"']"),
    re.compile(rf"{_Q}(?:\.\.|/)[^\"'\n]*?[/\\]{NAME}(?=[/\\\"'])"),
]
# Shell and other scripts: a `..` path or an absolute path through the folder, outside comments.
SH_PATTERNS = [re.compile(rf"(?:\.\.|\w)/{NAME}(?=/|\b)")]
SHELL_SUFFIXES = {".sh", ".bash", ""}


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z", "--", *FOLDERS], cwd=ROOT, capture_output=True, check=True)
    return [ROOT / p for p in out.stdout.decode("utf-8").split("\0") if p]


def _is_shell(path: Path, text: str) -> bool:
    if path.suffix in (".sh", ".bash"):
        return True
    return path.suffix == "" and text.startswith("#!") and "sh" in text.split("\n", 1)[0]


def _strip_shell_comments(line: str) -> str:
    return "" if line.lstrip().startswith("#") else re.sub(r"\s#.*$", "", line)


def offences(path: Path, text: str) -> list[str]:
    """`path:line: source` for every line of `text` that builds a path to the sibling folder."""
    found = []
    if path.suffix == ".py":
        for i, line in enumerate(text.splitlines(), 1):
            if any(p.search(line) for p in PY_PATTERNS):
                found.append(f"{path}:{i}: {line.strip()}")
    elif _is_shell(path, text):
        for i, line in enumerate(text.splitlines(), 1):
            if any(p.search(_strip_shell_comments(line)) for p in SH_PATTERNS):
                found.append(f"{path}:{i}: {line.strip()}")
    return found


def test_detector_flags_reads_and_not_prose() -> None:
    def mk(s: str) -> str:  # samples are written with "@" for the name so this file never matches itself
        return s.replace("@", NAME)

    py_reads = [
        'SEEDS = Path(__file__).resolve().parents[2] / "@" / "seeds"',
        "SHARED = ROOT.parent / '@'",
        'x = here.parent.parent / "@"',
        'gold = ROOT.parent.joinpath("@", "gold")',
        'd = os.path.join(ROOT, "..", "@/seeds")',
        'p = Path("../@/seeds/000.txt")',
        'p = Path("/work/@/gold/seeds.json")',
        "p = '../../@'",
    ]
    py_prose = [
        '"""The five seed reports must match ../@/gold/seeds.json."""',
        "# the product never reads ../@ (see the README)",
        "Keys follow ../@/spec/metrics.md exactly;",
        '"""Run the hooks over a saved page: the @ part of the family tests."""',
        "conn = one @ connection  # @ by the middleware",
        'name = "@"  # a word, not a path',
        'assert not re.search(r"@/|[\\"\']@[\\"\']|SHARED", code)',
    ]
    for s in py_reads:
        assert offences(Path("x.py"), mk(s)), s
    for s in py_prose:
        assert not offences(Path("x.py"), mk(s)), s
    sh_reads = ["cp ../@/seeds/* tests/", 'SEEDS="$(dirname "$0")/../../@/seeds"', "ls /work/@/gold"]
    sh_prose = ["# CI entry point: a clean checkout with ../@ beside it.", 'echo "the @ runner"']
    for s in sh_reads:
        assert offences(Path("x.sh"), mk(s)), s
    for s in sh_prose:
        assert not offences(Path("x.sh"), mk(s)), s


def test_no_tracked_file_reads_the_sibling_folder() -> None:
    files = tracked_files()
    assert any(p.name == "conftest.py" for p in files)  # the listing worked
    bad = []
    for path in files:
        if not path.is_file():  # deleted in the work tree but still in the index
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary fixtures
        bad += offences(path.relative_to(ROOT), text)
    assert not bad, "files read the folder beside the repository (a clone does not have it):\n" + "\n".join(bad)


def test_seed_fixtures_are_in_the_repository() -> None:
    seeds = ROOT / "tests" / "fixtures" / "seeds"
    tracked = {p.name for p in tracked_files() if p.parent == seeds}
    assert {"seeds.json", "README.md"} <= tracked
    assert len([n for n in tracked if n.endswith(".txt")]) == 5
