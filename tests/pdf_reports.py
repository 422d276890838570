"""Real PDF reports stored the way a crawl stores them, for the report page's tests (web and browser).

The two 洪泽区人民政府 reports of tests/fixtures/real/pdf (2023 and 2024; sources in that directory's
README) are saved as a detail page pointing to its PDF attachment: both captures' bytes under raw/, the
record from `extract.pipeline.extract_report` on [page, PDF], as the crawler's pipeline does. They carry
real flags: 2024's text says 17 requests where table 三 says 95; 2023's table 四 does not add up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PDF_DIR = Path(__file__).resolve().parent / "fixtures" / "real" / "pdf"
# The real PDFs came through the `fetch` tool, whose files stay out of commits (tests/fixtures/real/README.md
# says where each is published): a fresh clone has none, and the tests that need them are skipped there.
NAMES = ("js_hongze_2023.pdf", "js_hongze_2024.pdf", "js_huaian_2024.pdf")
REAL_PDFS = all((PDF_DIR / name).exists() for name in NAMES)
needs_real_pdfs = pytest.mark.skipif(not REAL_PDFS, reason="the real PDF reports of tests/fixtures/real/pdf are "
                                     "not in this clone (fetched files are never committed; see its README)")
SITE = "t-hz"
BASE = "http://127.0.0.1:9/hongze"  # never fetched: the bytes are stored, the page only shows the URLs


def page_html(year: int) -> bytes:
    """A detail page whose body only points to the PDF (so the text is read from the attachment)."""
    return (f"<html><head><title>洪泽区人民政府{year}年政府信息公开工作年度报告</title></head><body>"
            f"<h1>洪泽区人民政府{year}年政府信息公开工作年度报告</h1><p>发布时间：{year + 1}-01-20</p>"
            f'<p>附件：<a href="{BASE}/{year}.pdf">{year}年报.pdf</a></p></body></html>').encode()


def add_hongze(db: Path) -> dict[int, int]:
    """Store the 2023 and 2024 reports in the corpus `db` (created if new); year -> report_id ({} without the
    real PDFs)."""
    if not REAL_PDFS:
        return {}
    from corpus.store import Store
    from extract.pipeline import Part, extract_report
    from extract.record import SiteContext

    ids = {}
    with Store(db) as store:
        store.upsert_site(SITE, "淮安市洪泽区人民政府", "江苏省", "淮安市", "洪泽区", "320813", [BASE + "/"],
                          "generic", True)
        run = store.start_run(SITE)
        for year, name in ((2023, "js_hongze_2023.pdf"), (2024, "js_hongze_2024.pdf")):
            page, pdf = page_html(year), (PDF_DIR / name).read_bytes()
            page_url, pdf_url = f"{BASE}/{year}.html", f"{BASE}/{year}.pdf"
            cids = [store.record_capture(page_url, site_id=SITE, run_id=run, kind="detail", status=200,
                                         content_type="text/html; charset=utf-8", body=page),
                    store.record_capture(pdf_url, site_id=SITE, run_id=run, kind="attachment", status=200,
                                         content_type="application/pdf", body=pdf)]
            context = SiteContext(name="淮安市洪泽区人民政府", province="江苏省", city="淮安市", county="洪泽区",
                                  adcode="320813", site_id=SITE)
            record = extract_report([Part(page, page_url, "text/html; charset=utf-8"),
                                     Part(pdf, pdf_url, "application/pdf")], context=context)
            ids[year] = store.save_report(record, site_id=SITE, capture_ids=cids)
        store.finish_run(run, status="ok", list_pages=1, detail_pages=2, attachments=2, reports=2, errors=0)
    return ids
