"""The web UI in a real headless browser (Debian's chromium + chromedriver, driven by Selenium).

`ogi serve` runs as a subprocess on a free port against a copy of the demo-portal crawl; the test
searches for a two-character word from the search box, opens a report from the results, checks and
uses the facets of the reports table, and takes screenshots (ui.png is the search page).

Screenshots go to a temporary directory, so a test run leaves the tracked docs/screenshots/*.png alone
(it rewrote them on every run). To refresh the README's screenshots, run it with the environment variable
OGI_UPDATE_SCREENSHOTS=1: then they are written to docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import start_ogi_serve
from tests.pdf_reports import add_hongze, needs_real_pdfs
from tests.test_report_page import copy_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"  # the README's
UPDATE_SCREENSHOTS = "OGI_UPDATE_SCREENSHOTS"  # =1: write the screenshots there

# Skipped on a developer machine without the browser; never in CI, where scripts/setup.sh installs it.
pytestmark = pytest.mark.skipif(
    not os.environ.get("CI") and not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian chromium and chromium-driver are not installed (scripts/setup.sh installs them as root)",
)


@pytest.fixture(scope="module")
def demo_db(demo_crawls, tmp_path_factory) -> Path:
    """A copy of the demo-portal crawl (the UI must not hold the shared crawl database open)."""
    db = tmp_path_factory.mktemp("browser") / "ogi.db"
    copy_database(demo_crawls["second"].db, db)
    shutil.copytree(demo_crawls["second"].db.parent / "raw", db.parent / "raw")  # report pages re-read tables
    add_hongze(db)  # two real PDF reports, stored as a crawl stores them (tests/pdf_reports.py)
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


def screenshot_dir(tmp: Path) -> Path:
    """Where the screenshots go: docs/screenshots/ with OGI_UPDATE_SCREENSHOTS=1, else `tmp`."""
    if os.environ.get(UPDATE_SCREENSHOTS) == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return screenshot_dir(tmp_path_factory.mktemp("screenshots"))


def _shot(driver, name: str, where: Path) -> Path:
    """A screenshot of the window, as `where`/name (see the module docstring)."""
    path = where / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a rendered page, not a blank image
    return path


def test_search_open_report_and_facets(server: str, browser, demo_db: Path, shots: Path) -> None:
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
    _shot(browser, "ui.png", shots)

    # narrow the results by a facet of the search page
    browser.find_element(By.CSS_SELECTOR, '.facet-province a').click()
    narrowed = wait.until(ec.presence_of_element_located((By.ID, "hit-count")))
    assert int(narrowed.text.split()[0]) < expected
    browser.back()

    # 2. open the first report from the results
    first = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".ogi-hit-title")))
    title = first.text
    first.click()
    wait.until(ec.url_matches(r"/-/report/\d+$"))
    page = browser.find_element(By.TAG_NAME, "body").text
    assert title in page
    browser.find_element(By.CSS_SELECTOR, ".ogi-fulltext summary").click()
    assert browser.find_element(By.CSS_SELECTOR, ".ogi-text").text.count("\n") > 3  # full text, lines kept
    assert "复议" in browser.find_element(By.CSS_SELECTOR, ".ogi-text").text

    # 3. the reports table: Datasette's facets on province, year, department and form; use one
    browser.get(server + "/ogi/reports")
    height = browser.execute_script("return document.body.scrollHeight")
    print(f"reports table page: {height} px tall")
    assert height < 8000  # 66,629 px with the full text and hash columns shown
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
    _shot(browser, "reports.png", shots)

    # 4. the completeness matrix and the indicator chart render
    browser.get(server + "/-/completeness")
    assert browser.find_elements(By.CSS_SELECTOR, "td.cell.found")
    _shot(browser, "completeness.png", shots)
    browser.get(server + "/-/indicator?key=core.requests_new&county=周村区")
    assert browser.find_elements(By.CSS_SELECTOR, "svg.ogi-chart circle.point")
    _shot(browser, "indicator.png", shots)


@needs_real_pdfs
def test_pdf_report_page(server: str, browser, demo_db: Path, shots: Path) -> None:
    """A PDF report's page (the real 洪泽 2024 report, stored as a crawl stores it): its tables with their
    headers, its numbers with their evidence, its flags in words and the PDF's link."""
    from selenium.webdriver.common.by import By

    rid = _query(demo_db, "SELECT report_id FROM reports WHERE agency = '洪泽区人民政府' AND report_year = 2024")[0][0]
    pdf = _query(demo_db, "SELECT c.url FROM report_captures rc JOIN captures c USING (capture_id) "
                          "WHERE rc.report_id = ? AND rc.role = 'attachment'", (rid,))[0][0]
    browser.get(f"{server}/-/report/{rid}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "洪泽区人民政府2024年政府信息公开工作年度报告"
    # the PDF the report was read from, linked
    assert [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a.ogi-attachment")] == [pdf]
    # table 三 as a table with its column headers
    three = browser.find_element(By.CSS_SELECTOR, '.ogi-doc-table[data-table="三"]')
    headers = [th.text for th in three.find_elements(By.CSS_SELECTOR, "table.ogi-grid thead th")]
    assert "自然人" in headers and "总计" in headers
    row = three.find_element(By.CSS_SELECTOR, "tr.ogi-has-numbers")
    assert row.find_elements(By.TAG_NAME, "td")[0].text == "一、本年新收政府信息公开申请数量"
    # its numbers beside it, with their evidence and how they were placed
    new = three.find_element(By.CSS_SELECTOR, 'tr.ogi-stat[data-key="core.requests_new"]')
    assert new.find_element(By.CSS_SELECTOR, ".ogi-value").text == "95 件"
    assert "table 三: 一、本年新收政府信息公开申请数量 | 95" in new.find_element(By.CSS_SELECTOR, ".ogi-evidence").text
    assert "按表格行列标签读取" in new.find_element(By.CSS_SELECTOR, ".ogi-confidence").text
    # the flag about that number, in words, next to it; and every flag at the top
    assert "正文所述数字与表格不一致" in new.find_element(By.CSS_SELECTOR, ".ogi-stat-flags").text
    top = browser.find_elements(By.CSS_SELECTOR, ".ogi-report-flags li.ogi-flag")
    assert len(top) == 2 and all(li.find_element(By.CSS_SELECTOR, ".ogi-flag-en").text for li in top)
    # the other year of the same agency, one click away
    browser.find_element(By.CSS_SELECTOR, "a.ogi-other-year").click()
    assert "2023" in browser.find_element(By.TAG_NAME, "h1").text
    browser.get(f"{server}/-/report/{rid}")
    _shot(browser, "report.png", shots)
    browser.execute_script("arguments[0].scrollIntoView()",
                           browser.find_element(By.CSS_SELECTOR, '.ogi-doc-table[data-table="三"]'))
    _shot(browser, "report-tables.png", shots)


def test_screenshots_go_to_docs_only_when_asked(tmp_path, monkeypatch):
    """A plain run must not rewrite the tracked docs/screenshots/*.png; OGI_UPDATE_SCREENSHOTS=1 refreshes them."""
    monkeypatch.delenv(UPDATE_SCREENSHOTS, raising=False)
    assert screenshot_dir(tmp_path) == tmp_path
    monkeypatch.setenv(UPDATE_SCREENSHOTS, "0")
    assert screenshot_dir(tmp_path) == tmp_path
    monkeypatch.setenv(UPDATE_SCREENSHOTS, "1")
    assert screenshot_dir(tmp_path) == SCREENSHOTS
