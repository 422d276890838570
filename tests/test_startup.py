"""Start-up of the commands scripts call in loops (`ogi extract FILE`, `ogi search`): they load what they use,
not the crawler, the web server, the exporter or pandas (README "Accuracy and speed" has the timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["scrapy", "pandas", "numpy", "ogi.cli.crawl", "ogi.export", "ogi.web", "datasette", "crawler.spiders"]

PROBE = """
import json, sys
from ogi.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if sys.modules.get(m) is not None)), file=sys.stderr)
"""


def _loaded(*args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_extract_loads_no_crawler_nor_exporter() -> None:
    assert _loaded("extract", str(ROOT / "tests" / "golden" / "docs" / "s00_seed_000.txt")) == []


def test_search_loads_no_pandas_nor_crawler(tmp_path: Path) -> None:
    from corpus.store import Store
    from extract.record import Record

    store = Store(tmp_path / "ogi.db")
    store.save_report(Record(is_report=True, agency="某某县人民政府", report_year=2020, text="收到行政复议申请3件",
                             source_url="http://example/1.html", text_source="html"), site_id=None, capture_ids=[])
    store.close()
    assert _loaded("search", "复议", "--db", str(tmp_path / "ogi.db")) == []


def test_crawl_runs_without_pandas(tmp_path: Path) -> None:
    """sqlite_utils would import pandas and numpy (~0.35 s, ~70 MB) for nothing a crawl does."""
    loaded = _loaded("crawl", "--url", "http://127.0.0.1:9/", "--db", str(tmp_path / "ogi.db"), "--quiet",
                     "--allow-network", "127.0.0.1/32")
    assert "scrapy" in loaded and "crawler.spiders" in loaded  # the crawl ran
    assert "pandas" not in loaded and "numpy" not in loaded


def test_help_still_lists_every_command() -> None:
    proc = subprocess.run([sys.executable, "-m", "ogi.cli", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    for name in ("crawl", "demo", "probe", "extract", "search", "export", "status", "schedule", "completeness",
                 "serve", "compare", "worker", "enqueue", "snapshot"):
        assert f"  {name} " in proc.stdout
