"""`ogi crawl -s KEY=VALUE` tunes a crawl with a Scrapy/ogi setting, checked (issue 13: "No such option"), and an
unknown site id is an error for the spider too (`scrapy crawl ogi -a sites=demo-dxh` crawled 0 pages, exit 0)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_resume import _write_registry

ROOT = Path(__file__).resolve().parents[1]


def test_a_setting_reaches_the_crawl(tmp_path):
    """OGI_SITE_MAX_REQUESTS=3 cuts the demo site's crawl short: its run is budget_exceeded (ok without it)."""
    from demosites import DemoPortal

    registry, db = tmp_path / "sites.csv", tmp_path / "ogi.db"
    with DemoPortal() as portal:
        _write_registry(portal, registry)
        done = subprocess.run(
            [sys.executable, "-m", "ogi.cli", "crawl", "--registry", str(registry), "--site", "zz", "--db", str(db),
             "--quiet", "--delay", "0", "--allow-network", "127.0.0.1/32", "-s", "OGI_SITE_MAX_REQUESTS=3",
             "--set", "OGI_RECHECK_DAYS=7"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stdout + done.stderr
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("budget_exceeded",)]
    finally:
        conn.close()


@pytest.mark.parametrize("pair, message", [
    ("OGI_RECHEK_DAYS=7", "did you mean OGI_RECHECK_DAYS"),
    ("OGI_RECHECK_DAYS=seven", "expected a whole number"),
    ("OGI_INCREMENTAL=maybe", "expected true or false"),
    ("DOWNLOAD_DELAY=slow", "expected a number"),
    ("OGI_DB=/tmp/x.db", "set with --db"),
    ("CONCURRENT_REQUESTS", "is not KEY=VALUE"),
    ("OGI_EXTRACT_MODE=fast", "must be inline, pool or deferred, not 'fast'"),
    ("OGI_EXTRACT_MODE=deferred", "needs --db postgresql://"),
    ("OGI_STORE_WRITER=threads", "must be process, thread or inline, not 'threads'"),
])
def test_bad_settings_are_usage_errors(pair, message, tmp_path):
    from ogi.cli import main

    res = CliRunner().invoke(main, ["crawl", "--db", str(tmp_path / "x.db"), "-s", pair])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (tmp_path / "x.db").exists()


def test_a_bad_extract_mode_from_the_environment_is_a_usage_error(tmp_path):
    """OGI_EXTRACT_MODE=fast in the environment: one usage line, no traceback from the pipeline's set-up."""
    env = {**__import__("os").environ, "OGI_EXTRACT_MODE": "fast"}
    done = subprocess.run([sys.executable, "-m", "ogi.cli", "crawl", "--site", "dxh", "--db", str(tmp_path / "x.db")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2 and "must be inline, pool or deferred, not 'fast'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "x.db").exists()


def test_spider_refuses_unknown_site_ids(tmp_path):
    from crawler.registry import RegistryError
    from crawler.spiders.portal import PortalSpider

    registry = tmp_path / "sites.csv"
    registry.write_text("site_id,name,province,city,county,adcode,entry_urls,platform,verified,notes\n"
                        "dxh,东西湖区人民政府,湖北省,武汉市,东西湖区,420112,http://127.0.0.1:9/,trs,yes,\n",
                        encoding="utf-8")
    with pytest.raises(RegistryError, match="unknown site id.*demo-dxh"):
        PortalSpider(registry=str(registry), sites="demo-dxh,dxh")
    assert [s.site_id for s in PortalSpider(registry=str(registry), sites="dxh").sites] == ["dxh"]


def test_a_crawl_that_cannot_start_says_so_and_exits_1(tmp_path, capsys):
    """A crawl that fails before its first request (crawler.run logs "crawl failed") was a silent exit 0."""
    from types import SimpleNamespace

    from corpus.store import Store
    from ogi.cli.crawl import _finish_crawl

    db = tmp_path / "x.db"
    Store(db).close()
    result = SimpleNamespace(run_ids={}, finish_reason="failed: ValueError: no way")
    assert _finish_crawl(str(db), result, "crawl.log") == 1
    assert "crawl failed: ValueError: no way (log: crawl.log)" in capsys.readouterr().err
