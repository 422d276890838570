"""The web UI (ogi serve) in-process through Datasette's test client, on a small corpus built to test it.

The corpus has: an agency with a year missing on a crawled site (missing), an agency on a site that was
never crawled (not collected), a report whose core numbers do not balance, a report flagged by the
extractor's table check, a late report, and texts where 行政 and 复议 occur apart (a 4-character phrase
must not match those).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from corpus.search import search
from corpus.store import Store
from extract.record import Record, Region, Stat
from ogi.cli.serve import serve_command
from ogi.serve import ServeError, datasette_app, has_pending_wal

AH = Region(province="安徽省", city="六安市", county="霍山县", adcode="341525")
HB = Region(province="湖北省", city="武汉市", county="东西湖区", adcode="420112")
ZJ, ZF, JY = "霍山县住房和城乡建设局", "霍山县人民政府", "东西湖区教育局"


def _stats(new: int, carried_over: int, handled: int, carried_forward: int) -> list[Stat]:
    vals = {"core.requests_new": new, "core.requests_carried_over": carried_over,
            "core.requests_handled": handled, "core.requests_carried_forward": carried_forward}
    return [Stat(k, v, "table", f"{k} {v}") for k, v in vals.items()]


def _report(agency: str, dept: str, region: Region, year: int, text: str, *, stats: list[Stat],
            published: str, flags: list[str] | None = None, form: str = "form2021") -> Record:
    return Record(agency=agency, agency_as_printed=agency, department=dept, region=region, report_year=year,
                  title=f"{agency}{year}年政府信息公开工作年度报告", published_at=published, form=form,
                  source_url=f"http://example.test/{agency}/{year}.html", text=text, is_report=True,
                  stats=stats, flags=flags or [], text_source="html")


BODY = "本年度收到政府信息公开申请，依法予以答复。"


def build_corpus(path: Path) -> dict[str, int]:
    """The test corpus; returns report ids by a short name."""
    ids: dict[str, int] = {}
    with Store(path) as s:
        s.upsert_site("t-ah", "霍山县人民政府", AH.province, AH.city, AH.county, AH.adcode,
                      ["http://example.test/ah"], "trs", True)
        s.upsert_site("t-hb", "东西湖区人民政府", HB.province, HB.city, HB.county, HB.adcode,
                      ["http://example.test/hb"], "trs", True)
        run = s.start_run("t-ah")
        s.finish_run(run, status="ok", list_pages=1, detail_pages=5, attachments=0, reports=5, errors=0)
        docs = {
            # 住建 2019 and 2021 on a crawled site: 2020 is missing. 2021 was posted late.
            "zj2019": (_report(ZJ, "住房和城乡建设局", AH, 2019, BODY + "住建领域没有发生行政复议。",
                               stats=_stats(3, 0, 3, 0), published="2020-01-20", form="form2019"), "t-ah"),
            "zj2021": (_report(ZJ, "住房和城乡建设局", AH, 2021, BODY + "因政府信息公开申请提起行政复议1件。",
                               stats=_stats(4, 1, 5, 0), published="2022-03-05"), "t-ah"),
            "zf2019": (_report(ZF, "人民政府", AH, 2019, BODY + "行政诉讼0件；复议机关维持。",
                               stats=_stats(5, 0, 5, 0), published="2020-01-15", form="form2019"), "t-ah"),
            # 10 new + 2 carried over != 9 handled + 1 carried forward
            "zf2020": (_report(ZF, "人民政府", AH, 2020, BODY + "行政 复议 诉讼 分别统计。",
                               stats=_stats(10, 2, 9, 1), published="2021-01-25", form="form2019"), "t-ah"),
            "zf2021": (_report(ZF, "人民政府", AH, 2021, BODY + "全年共办理依申请公开7件。",
                               stats=_stats(7, 0, 7, 0), published="2022-01-28"), "t-ah"),
            # Site never crawled: 2020 and 2021 are "not collected". Flagged by the extractor's check.
            "jy2019": (_report(JY, "教育局", HB, 2019, BODY + "教育系统行政复议0件。", stats=_stats(2, 0, 2, 0),
                               published="2020-01-10", form="form2019",
                               flags=["table 三 row new: columns add up to 3, total says 2"]), "t-hb"),
        }
        for name, (rec, site) in docs.items():
            ids[name] = s.save_report(rec, site_id=site, capture_ids=[])
    return ids


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("serve") / "corpus.db"
    ids = build_corpus(path)
    assert not has_pending_wal(path)  # Store.close checkpoints: the file is complete
    return path, ids


def _run(coro: Any) -> Any:
    """Run a coroutine on a fresh event loop in a worker thread (the session reactor owns this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


class UI:
    """Datasette for one corpus, with sync helpers for the tests."""

    def __init__(self, path: Path, **kw: Any) -> None:
        self.ds = datasette_app(path, **kw)

    def get(self, path: str) -> Any:
        return _run(self.ds.client.get(path))

    def html(self, path: str) -> str:
        r = self.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r.text

    def rows(self, path: str) -> list[dict[str, Any]]:
        sep = "&" if "?" in path else "?"
        r = self.get(path + sep + "_shape=array")
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r.json()


@pytest.fixture(scope="module")
def ui(corpus: tuple[Path, dict[str, int]]) -> UI:
    return UI(corpus[0])


def test_every_table_is_browsable(ui: UI) -> None:
    conn = sqlite3.connect(ui.ds.databases["ogi"].path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                        "AND name NOT LIKE 'reports_fts_%'")]
    conn.close()
    assert {"reports", "statistics", "captures", "sites", "crawl_runs", "statistics_long"} <= set(names)
    for name in names:
        ui.html(f"/ogi/{name}")
    assert len(ui.rows("/ogi/reports.json?_col=agency")) == 6
    index = ui.html("/ogi")
    assert "Reports whose numbers do not add up" in index and "Agencies with no report for a year" in index


def test_reports_facets_and_column_descriptions(ui: UI) -> None:
    page = ui.html("/ogi/reports")
    for facet in ("province", "report_year", "department", "form"):
        assert f'data-column="{facet}"' in page, facet
    # facet counts are the corpus': 安徽省 5, 湖北省 1
    assert re.search(r"安徽省</a>\s*5", page) and re.search(r"湖北省</a>\s*1", page)
    # column descriptions come from the comments of corpus/schema.py
    assert "the year the report covers (not the year it was published)" in page
    stats = ui.html("/ogi/statistics")
    assert "本年新收政府信息公开申请数量" in stats  # codebook label beside core.requests_new
    assert "requests received this year" in stats
    keys = ui.rows("/codebook/keys.json?key=core.review_total")
    assert keys == [{"key": "core.review_total", "group": "core", "label_zh": "行政复议总计",
                     "label_en": keys[0]["label_en"], "unit": "件", "forms": keys[0]["forms"]}]
    assert keys[0]["label_en"]


def test_canned_query_agency_over_years(ui: UI, corpus: tuple[Path, dict[str, int]]) -> None:
    rows = ui.rows("/ogi/agency_over_years.json?agency=霍山县人民政府")
    assert [(r["report_year"], r["requests_new"]) for r in rows] == [(2019, 5), (2020, 10), (2021, 7)]
    assert ui.rows("/ogi/agency_over_years.json?agency=") == []


def test_canned_query_county_year(ui: UI) -> None:
    rows = ui.rows("/ogi/county_year.json?county=霍山&year=2020")
    assert {(r["agency"], r["status"]) for r in rows} == {(ZF, "found"), (ZJ, "no report found")}
    assert [r["requests_new"] for r in rows if r["agency"] == ZF] == [10]
    assert {r["agency"] for r in ui.rows("/ogi/county_year.json?county=420112&year=2019")} == {JY}


def test_canned_query_numbers_do_not_add_up(ui: UI, corpus: tuple[Path, dict[str, int]]) -> None:
    ids = corpus[1]
    rows = {r["report_id"]: r for r in ui.rows("/ogi/numbers_do_not_add_up.json")}
    assert set(rows) == {ids["zf2020"], ids["jy2019"]}
    assert rows[ids["zf2020"]]["balance"] == "10 + 2 != 9 + 1"
    assert "columns add up to 3" in rows[ids["jy2019"]]["check_flags"]


def test_canned_query_no_report_for_year(ui: UI) -> None:
    rows = ui.rows("/ogi/no_report_for_year.json")
    assert {(r["agency"], r["missing_year"], r["site_status"]) for r in rows} == {
        (ZJ, 2020, "ok"), (JY, 2020, "never crawled"), (JY, 2021, "never crawled")}
    assert {r["agency"] for r in ui.rows("/ogi/no_report_for_year.json?year=2021")} == {JY}


@pytest.mark.parametrize("q", ["复议", "住建", "行政复议", "行政 复议", "复议 OR 诉讼", "住建 2019"])
def test_search_page_same_results_as_ogi_search(ui: UI, corpus: tuple[Path, dict[str, int]], q: str) -> None:
    expected = [h.report_id for h in search(corpus[0], q, limit=100)]
    assert expected, q
    page = ui.html(f"/-/search?q={q}")
    got = [int(i) for i in re.findall(r'class="ogi-hit-title" href="/-/report/(\d+)"', page)]
    assert got == expected
    canned = ui.rows(f"/ogi/search.json?q={q}")
    assert [r["report_id"] for r in canned] == expected


def test_search_two_and_four_characters(ui: UI, corpus: tuple[Path, dict[str, int]]) -> None:
    ids = corpus[1]
    two = ui.html("/-/search?q=复议")
    assert 'id="hit-count">5 reports match' in two  # every text but zf2021's has 复议 somewhere
    four = ui.html("/-/search?q=行政复议")
    hits = {int(i) for i in re.findall(r'href="/-/report/(\d+)"', four.split('class="ogi-hits"')[1])}
    # zf2019 has 复议 after 诉讼0件, zf2020 has 行政 复议 apart: neither is the phrase 行政复议
    assert hits == {ids["zj2019"], ids["zj2021"], ids["jy2019"]}
    assert "<mark>行政复议</mark>" in four
    assert 'id="hit-count">1 report match' in ui.html("/-/search?q=住建")  # 住建领域: only zj2019 says 住建


def test_search_facets_filter(ui: UI, corpus: tuple[Path, dict[str, int]]) -> None:
    page = ui.html("/-/search?q=复议")
    prov = page.split('data-facet="province"')[1].split("</div>")[0]
    assert re.search(r"安徽省</a> 4", prov) and re.search(r"湖北省</a> 1", prov)
    year = page.split('data-facet="report_year"')[1].split("</div>")[0]
    assert re.search(r">2019</a> 3", year)
    filtered = ui.html("/-/search?q=复议&province=湖北省")
    assert 'id="hit-count">1 report match' in filtered
    assert f'href="/-/report/{corpus[1]["jy2019"]}"' in filtered
    assert 'id="hit-count">1 report match' in ui.html("/-/search?q=复议&report_year=2021")
    # the link to the reports table keeps Datasette's own facets on exactly these reports
    link = re.search(r'href="(/ogi/reports\?report_id__in=[^"]+)"', filtered).group(1).replace("&amp;", "&")
    assert [r["report_id"] for r in ui.rows(link.replace("/ogi/reports?", "/ogi/reports.json?"))] == [
        corpus[1]["jy2019"]]


def test_search_nothing_searchable(ui: UI) -> None:
    page = ui.html("/-/search?q=%22%2A%29")
    assert "nothing to search for" in page
    assert ui.rows("/ogi/search.json?q=%2A") == []


def _matrix_cells(page: str) -> dict[tuple[str, int], str]:
    """(agency, year) -> state of the completeness page; a late found cell is 'found late'."""
    return {(m.group(1), int(y)): status + (" late" if late else "")
            for m in re.finditer(r'<tr data-agency="([^"]+)"[^>]*>(.*?)</tr>', page, re.S)
            for y, status, late in re.findall(r'data-year="(\d+)" data-status="(\w+)"( data-late="1")?', m.group(2))}


def test_completeness_page(ui: UI, corpus: tuple[Path, dict[str, int]]) -> None:
    page = ui.html("/-/completeness?from=2019&to=2021")
    # The matrix of `ogi completeness` (corpus.completeness): late is a mark on a found cell; the site's
    # own government has a row even without a report (东西湖区人民政府: its site was never crawled).
    assert _matrix_cells(page) == {
        (ZJ, 2019): "found", (ZJ, 2020): "not_found", (ZJ, 2021): "found late",
        (ZF, 2019): "found", (ZF, 2020): "found", (ZF, 2021): "found",
        (JY, 2019): "found", (JY, 2020): "not_collected", (JY, 2021): "not_collected",
        ("东西湖区人民政府", 2019): "not_collected", ("东西湖区人民政府", 2020): "not_collected",
        ("东西湖区人民政府", 2021): "not_collected",
    }
    counts = dict(re.findall(r'data-count="(\w+)">[^<]*(?:<strong>)?(\d+)', page))
    assert counts == {"found": "6", "late": "1", "not_found": "1", "not_collected": "5", "not_due": "0",
                      "before_first": "0"}
    # the deadline of each cell: 31 January for a department since 2019, 31 March for the government
    zj2021 = re.search(r'data-year="2021" data-status="found" data-late="1" title="([^"]*)"', page).group(1)
    assert zj2021.endswith("deadline 2022-01-31")
    assert re.search(r'data-year="2021" data-status="found" title="[^"]*deadline 2022-03-31"', page)
    # by default: from the first report year to last year
    default = ui.html("/-/completeness")
    assert {y for (_a, y) in _matrix_cells(default)} == set(range(2019, date.today().year))
    one = ui.html("/-/completeness?county=东西湖区&from=2018")
    assert ZJ not in one and 'data-year="2018" data-status="not_collected"' in one
    # 2018 is before 教育局's first report (2019): not missing; its government has no report at all
    assert _matrix_cells(one)[(JY, 2018)] == "before_first"
    assert _matrix_cells(one)[("东西湖区人民政府", 2018)] == "not_collected"


def test_indicator_chart(ui: UI) -> None:
    page = ui.html("/-/indicator?key=core.requests_new&county=霍山县")
    svg = page.split('<svg class="ogi-chart"')[1].split("</svg>")[0]
    # 人民政府 (2019-2021) is a line; 住建 (2019, 2021) two points: no line across its missing 2020
    assert svg.count('class="series"') == 1 and f'data-agency="{ZF}"' in svg and f'data-agency="{ZJ}"' not in svg
    assert f"<title>{ZF} 2020: 10</title>" in svg and f"<title>{ZJ} 2021: 4</title>" in svg
    assert [int(y) for y in re.findall(r'class="x-label"[^>]*>(\d+)<', svg)] == [2019, 2020, 2021]
    assert "本年新收政府信息公开申请数量" in page
    other = ui.html("/-/indicator?key=core.requests_handled&agency=教育局")
    assert "<title>东西湖区教育局 2019: 2</title>" in other and ZF not in other.split('<svg class="ogi-chart"')[1]
    assert "unknown statistic key" in ui.html("/-/indicator?key=nope")


def test_report_page(ui: UI, corpus: tuple[Path, dict[str, int]]) -> None:
    rid = corpus[1]["zf2020"]
    page = ui.html(f"/ogi/reports/{rid}")
    assert "行政 复议 诉讼 分别统计" in page and ZF in page
    assert f"/ogi/statistics?report_id={rid}" in page  # its numbers, one click away


def test_read_only(corpus: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    path = corpus[0]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    ui = UI(path)
    db = ui.ds.databases["ogi"]
    assert db.is_mutable is False
    r = ui.get("/ogi.json?sql=insert+into+sites(site_id,first_seen,updated_at)+values('x','t','t')")
    assert r.status_code == 400 and "must be a SELECT" in r.json()["error"]
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
        _run(db.execute("insert into sites(site_id, first_seen, updated_at) values ('x', 't', 't')"))
    assert ui.get("/ogi/reports.json").status_code == 200
    # live mode (mode=ro) sees new rows but cannot write either
    live = UI(path, live=True)
    assert live.ds.databases["ogi"].is_mutable is True
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
        _run(live.ds.databases["ogi"].execute("delete from reports"))
    assert len(live.rows("/ogi/reports.json?_col=agency")) == 6
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_pending_wal_opens_live(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    store = Store(path)  # kept open: its writes sit in the WAL, which immutable=1 would not read
    try:
        store.save_report(_report(ZF, "人民政府", AH, 2022, BODY, stats=[], published="2023-01-20"),
                          site_id=None, capture_ids=[])
        assert has_pending_wal(path)
        ui = UI(path)
        assert ui.ds.databases["ogi"].is_mutable is True
        assert [r["report_year"] for r in ui.rows("/ogi/reports.json?_col=report_year")] == [2022]
    finally:
        store.close()


def test_not_an_ogi_database(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="does not exist"):
        datasette_app(tmp_path / "none.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    with pytest.raises(ServeError, match="not an ogi database"):
        datasette_app(other)
    result = CliRunner().invoke(serve_command, ["--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "does not exist" in result.output

