"""The web UI in a real headless browser (Debian's chromium + chromedriver, driven by Selenium).

`ogi serve` runs as a subprocess on a free port against a copy of the demo-portal crawl; the test
searches for a two-character word from the search box, opens a report from the results, checks and
uses the facets of the reports table, and leaves screenshots in tests/artifacts/ (ui.png is the
search page).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import start_ogi_serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"

# Skipped on a developer machine without the browser; never in CI, where scripts/setup.sh installs it.
pytestmark = pytest.mark.skipif(
    not os.environ.get("CI") and not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian chromium and chromium-driver are not installed (scripts/setup.sh installs them as root)",
)


@pytest.fixture(scope="module")
def demo_db(demo_crawls, tmp_path_factory) -> Path:
    """A copy of the demo-portal crawl (the UI must not hold the shared crawl database open)."""
    db = tmp_path_factory.mktemp("browser") / "ogi.db"
    src = sqlite3.connect(demo_crawls["second"].db)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    return db


def _query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory) -> Iterator[str]:
    """`python -m ogi.cli serve` on a free port over the demo corpus; yields the base URL."""
    proc, base = start_ogi_serve(demo_db, tmp_path_factory.getbasetemp() / "serve.log")
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never try to download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not a blank image
    return path


def test_search_open_report_and_facets(server: str, browser, demo_db: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 15)
    expected = _query(
        demo_db, "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"复议\"'")[0][0]
    assert expected > 0

    # 1. the home page, and a two-character search from the search box in the header
    browser.get(server + "/")
    assert "ogi" in browser.title
    box = browser.find_element(By.CSS_SELECTOR, ".ogi-searchbox input[name=q]")
    box.send_keys("复议")
    box.submit()
    count = wait.until(ec.presence_of_element_located((By.ID, "hit-count")))
    assert count.text.startswith(f"{expected} report"), count.text
    marks = browser.find_elements(By.CSS_SELECTOR, ".ogi-snippet mark")
    assert marks and all(m.text == "复议" for m in marks)
    facet_names = {e.get_attribute("data-facet") for e in browser.find_elements(By.CSS_SELECTOR, ".ogi-facets .facet-info")}
    assert facet_names == {"province", "report_year", "department", "form"}
    _shot(browser, "ui.png")

    # narrow the results by a facet of the search page
    browser.find_element(By.CSS_SELECTOR, '.facet-province a').click()
    narrowed = wait.until(ec.presence_of_element_located((By.ID, "hit-count")))
    assert int(narrowed.text.split()[0]) < expected
    browser.back()

    # 2. open the first report from the results
    first = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".ogi-hit-title")))
    title = first.text
    first.click()
    wait.until(ec.url_matches(r"/ogi/reports/\d+$"))
    page = browser.find_element(By.TAG_NAME, "body").text
    assert title in page and "复议" in page
    assert browser.find_element(By.CSS_SELECTOR, "td.col-text").text.count("\n") > 3  # full text, lines kept
    _shot(browser, "report.png")

    # 3. the reports table: Datasette's facets on province, year, department and form; use one
    browser.get(server + "/ogi/reports")
    facets = {e.get_attribute("data-column") for e in browser.find_elements(By.CSS_SELECTOR, ".facet-info")}
    assert {"province", "report_year", "department", "form"} <= facets
    total = _query(demo_db, "SELECT count(*) FROM reports")[0][0]
    assert f"{total} rows" in browser.find_element(By.CSS_SELECTOR, "h3").text
    link = browser.find_element(By.CSS_SELECTOR, '.facet-info[data-column="form"] li a')
    form = link.text
    link.click()
    wait.until(ec.url_contains("form="))
    n = _query(demo_db, "SELECT count(*) FROM reports WHERE form = ?", (form,))[0][0]
    assert f"{n} row" in browser.find_element(By.CSS_SELECTOR, "h3").text
    _shot(browser, "reports.png")

    # 4. the completeness matrix and the indicator chart render
    browser.get(server + "/-/completeness")
    assert browser.find_elements(By.CSS_SELECTOR, "td.cell.found")
    _shot(browser, "completeness.png")
    browser.get(server + "/-/indicator?key=core.requests_new&county=周村区")
    assert browser.find_elements(By.CSS_SELECTOR, "svg.ogi-chart circle.point")
    _shot(browser, "indicator.png")
