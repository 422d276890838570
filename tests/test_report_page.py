"""The report page /-/report/<id> on real PDF reports (tests/pdf_reports.py) and the demo crawl: facts, the
attachment link, the tables with their headers, the numbers placed on their rows with evidence and
confidence, every flag in words beside the numbers it concerns, other years, versions; and the words for
flags (ogi.flag_words)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ogi.flag_words import explain
from ogi.serve import datasette_app
from ogi.web.report_tables import body_cells, evidence_pieces, header_rows, merged
from tests.pdf_reports import BASE, REAL_PDFS, add_hongze


@pytest.fixture(autouse=True, scope="module")
def _patient():
    """On a loaded machine the first re-read of a PDF may take longer than the page waits: not what is tested."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("ogi.web.pages.report.TABLES_SECONDS", 300.0)
        yield


@pytest.fixture(scope="module")
def hongze(tmp_path_factory) -> tuple[Path, dict[int, int]]:
    if not REAL_PDFS:
        pytest.skip("the real PDF reports of tests/fixtures/real/pdf are not in this clone (see its README)")
    db = tmp_path_factory.mktemp("report-page") / "ogi.db"
    return db, add_hongze(db)


def copy_database(src: Path, dst: Path) -> None:
    """A consistent copy of an SQLite database (sqlite3's backup), for a test that changes or moves it."""
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    source.backup(target)
    source.close()
    target.close()


def _get(db: Path, path: str) -> tuple[int, str, dict]:
    ds = datasette_app(db)
    with ThreadPoolExecutor(1) as pool:  # a fresh event loop (the session reactor owns this thread's loop)
        r = pool.submit(asyncio.run, ds.client.get(path)).result()
    return r.status_code, r.text, dict(r.headers)


def _stat_rows(page: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(
        r'<tr class="ogi-stat[^"]*" id="stat-[^"]*" data-key="([^"]+)">.*?</tr>', page, re.S)}


def test_pdf_report_page(hongze) -> None:
    db, ids = hongze
    status, page, _ = _get(db, f"/-/report/{ids[2024]}")
    assert status == 200
    # the facts and the PDF the text was read from
    assert "洪泽区人民政府2024年政府信息公开工作年度报告" in page and "江苏省" in page
    assert f'class="ogi-attachment" href="{BASE}/2024.pdf"' in page
    assert f'class="ogi-source" href="{BASE}/2024.html"' in page
    assert "the text and tables were read from it" in page
    # table 三 with its column headers as header cells, its rows as printed
    three = page.split('data-table="三"')[1].split('class="ogi-doc-table"')[0]
    head = three.split("<thead>")[1].split("</thead>")[0]
    assert "<th>自然人</th>" in head and "总计</th>" in head
    assert re.search(r'<tr class="ogi-has-numbers[^"]*" data-keys="[^"]*requests\.new\.total[^"]*">'
                     r'<td colspan="3">一、本年新收政府信息公开申请数量</td><td>95</td>', three)
    # the numbers beside it: value, unit, confidence class in words, the evidence row
    rows = _stat_rows(three)
    new = rows["core.requests_new"]
    assert "95 件" in new and 'data-confidence="table-label"' in new and "按表格行列标签读取" in new
    assert "table 三: 一、本年新收政府信息公开申请数量 | 95" in new
    # the flag about it, in words, next to that number (and only the rows it names are flagged)
    assert "正文所述数字与表格不一致" in new and "受理政府信息公开申请 17 件" in new
    assert "flagged" in rows["requests.denied_prohibited_by_law.total"]
    assert "flagged" not in rows["requests.granted.total"]
    # every flag listed at the top, in Chinese and English
    top = page.split('class="ogi-report-flags"')[1].split("</section>")[0]
    assert top.count('class="ogi-flag ') == 2 and "placed by position" in top
    # the same agency's other year
    assert f'class="ogi-other-year" href="/-/report/{ids[2023]}"' in page


def test_table_four_and_numbers_from_text(hongze) -> None:
    db, ids = hongze
    page = _get(db, f"/-/report/{ids[2023]}")[1]
    four = page.split('data-table="四"')[1].split('class="ogi-doc-table"')[0]
    rows = _stat_rows(four)
    assert "review.total" in rows and "flagged" in rows["review.total"]  # its group does not add up
    assert "table 四 review: upheld + corrected + other + pending = 11, total says 0" in rows["review.total"]
    text = page.split('class="ogi-text-numbers"')[1]
    assert 'data-confidence="text"' in text  # numbers read from sentences are listed too


def test_lookup_and_errors(hongze) -> None:
    db, ids = hongze
    status, _, headers = _get(db, "/-/report?agency=洪泽区人民政府&year=2023")
    assert status == 302 and headers["location"] == f"/-/report/{ids[2023]}"
    assert _get(db, "/-/report?agency=洪泽区人民政府&year=2001")[0] == 404
    assert _get(db, "/-/report?agency=洪泽区人民政府&year=abc")[0] == 400
    assert _get(db, "/-/report/999999")[0] == 404
    assert _get(db, "/-/report/1;drop")[0] == 404


def test_links_to_the_report_page(hongze) -> None:
    db, ids = hongze
    rid = ids[2024]
    assert f'<a class="ogi-read" href="/-/report/{rid}">' in _get(db, "/ogi/reports")[1]
    assert f'href="/-/report/{rid}"' in _get(db, f"/ogi/reports/{rid}")[1]
    assert f'class="ogi-hit-title" href="/-/report/{rid}"' in _get(db, "/-/search?q=洪泽")[1]


def test_missing_raw_bytes_still_a_page(hongze, tmp_path: Path) -> None:
    db, ids = hongze
    lone = tmp_path / "ogi.db"  # the database without its raw/ directory
    copy_database(db, lone)
    status, page, _ = _get(lone, f"/-/report/{ids[2024]}")
    assert status == 200 and "not available" in page and "95 件" in page


def test_versions_shown(hongze, tmp_path: Path) -> None:
    from corpus.store import Store

    db, ids = hongze
    copy = tmp_path / "ogi.db"
    copy_database(db, copy)
    with Store(copy) as store:
        store.conn.execute("INSERT INTO report_versions (report_id, reason, valid_from, valid_to, title, text) "
                           "VALUES (?, 'edited', '2025-01-20T00:00:00Z', '2025-02-01T00:00:00Z', '旧标题', '旧')",
                           (ids[2024],))
    page = _get(copy, f"/-/report/{ids[2024]}")[1]
    assert "Earlier versions" in page and "旧标题" in page and "edited" in page


def test_flag_words() -> None:
    note = explain("text says 17 requests received (受理政府信息公开申请 17 件) while table 三 says 95")
    assert note.kind == "numbers" and note.concerns("core.requests_new") and not note.concerns("core.review_total")
    note = explain("table 三 row granted: columns add up to 3, total says 4")
    assert note.concerns("requests.granted.total") and note.concerns("core.requests_granted")
    assert not note.concerns("requests.partial.total")
    note = explain("table 四 litigation_direct: upheld + corrected + other + pending = 5, total says 0")
    assert note.concerns("litigation_direct.total") and note.concerns("core.litigation_total")
    assert explain("document date falls before the end of the report year").kind == "date"
    assert explain("sentences disagree on core.review_total: 1 (a); 2 (b); not taken").concerns("core.review_total")
    assert explain("上年结转 3 in 2021 ≠ 结转下年度继续办理 2 in 2020 (report 4)").concerns("core.requests_carried_over")
    odd = explain("something new")
    assert odd.flag == "something new" and odd.kind == "other" and odd.en


def test_table_helpers() -> None:
    grid = [["申请人情况", "申请人情况", "自然人"], ["", "", "商业企业"], ["一、本年新收", "", "3"]]
    assert header_rows(grid) == 2
    assert merged(grid[0]) == [("申请人情况", 2), ("自然人", 1)]
    assert body_cells(["一、本年新收", "", "一、本年新收", "3", "", "0"]) == [("一、本年新收", 3), ("3", 1), ("", 1),
                                                                         ("0", 1)]
    assert header_rows([["索引号", "x"], ["发布机构", "y"]]) == 0  # no numbers: no header
    pieces = evidence_pieces("= requests.new.total; table 三: 一、本年新收 | 1 | 0 | 1; table 三: 3.其他 | 0")
    assert [(p.table, p.label, p.numbers) for p in pieces] == [("三", "一、本年新收", ["1", "0", "1"]),
                                                               ("三", "3.其他", ["0"])]


def test_ocr_report_tables_not_reread(hongze, tmp_path: Path, monkeypatch) -> None:
    """A report the crawl read by OCR is shown without re-reading (that would run OCR again for a page view)."""
    from corpus.store import Store
    from ogi.web.pages import report

    db, ids = hongze
    copy = tmp_path / "ogi.db"
    copy_database(db, copy)
    (tmp_path / "raw").symlink_to(db.parent / "raw")
    with Store(copy) as store:
        store.conn.execute("UPDATE reports SET flags = json_insert(flags, '$[#]', 'text from OCR (tesseract chi_sim)') "
                           "WHERE report_id = ?", (ids[2023],))
    monkeypatch.setattr(report, "read_grids", lambda source: pytest.fail("tables re-read"))
    status, page, _ = _get(copy, f"/-/report/{ids[2023]}")
    assert status == 200 and "not re-read for a page view" in page
    assert "文字来自图片识别" in page  # the OCR flag, in words


@pytest.fixture(scope="module")
def demo_corpus(demo_crawls, tmp_path_factory) -> Path:
    """A copy of the demo crawl with its raw bytes (no real PDF needed: this runs in every clone)."""
    import shutil

    db = tmp_path_factory.mktemp("report-page-demo") / "ogi.db"
    copy_database(demo_crawls["second"].db, db)
    shutil.copytree(demo_crawls["second"].db.parent / "raw", db.parent / "raw")
    return db


def test_demo_pdf_report_page(demo_corpus: Path) -> None:
    """The demo's PDF report (周村区卫生健康局 2022, reached through downfile.jsp): the PDF's URL, its tables with
    their headers, and the numbers beside them with evidence and confidence."""
    import sqlite3

    conn = sqlite3.connect(demo_corpus)
    (rid,) = conn.execute("SELECT report_id FROM reports WHERE agency = '周村区卫生健康局' AND report_year = 2022"
                          ).fetchone()
    (pdf_url,) = conn.execute("""SELECT c.url FROM report_captures rc JOIN captures c USING (capture_id)
                                 WHERE rc.report_id = ? AND rc.role = 'attachment'""", (rid,)).fetchone()
    conn.close()
    status, page, _ = _get(demo_corpus, f"/-/report/{rid}")
    assert status == 200
    from html import escape

    assert "周村区卫生健康局" in page and f'class="ogi-attachment" href="{escape(pdf_url)}"' in page
    three = page.split('data-table="三"')[1].split('class="ogi-doc-table"')[0]
    assert "<thead>" in three and "<th>" in three.split("</thead>")[0]
    rows = _stat_rows(three)
    assert "core.requests_new" in rows, sorted(rows)[:10]
    assert 'data-confidence="table-' in rows["core.requests_new"] and "table 三" in rows["core.requests_new"]
