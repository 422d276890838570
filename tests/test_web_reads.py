"""The corpus read functions behind ogi's web pages (corpus.search_facets, corpus.indicators) on a plain
connection, and `ogi.web.pages.read`, which runs them on Datasette's connection under its time limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from datasette.database import QueryInterrupted

from corpus.indicators import indicator_series, report_year_range
from corpus.search import SearchError, search
from corpus.search_facets import FacetCount, facet_counts, hit_rows, ranked_ids
from ogi.serve import datasette_app
from ogi.web.pages import read
from tests.test_serve import JY, ZF, ZJ, _run, build_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("reads") / "corpus.db"
    return path, build_corpus(path)


@pytest.fixture()
def conn(corpus: tuple[Path, dict[str, int]]) -> Iterator[sqlite3.Connection]:
    c = sqlite3.connect(f"file:{corpus[0]}?mode=ro", uri=True)
    yield c
    c.close()


@pytest.mark.parametrize("q", ["复议", "住建", "行政复议", "行政 复议", "复议 OR 诉讼", "住建 2019"])
def test_ranked_ids_are_ogi_search(conn: sqlite3.Connection, corpus: tuple[Path, dict[str, int]], q: str) -> None:
    assert ranked_ids(conn, q) == [h.report_id for h in search(corpus[0], q, limit=100)]
    year = ranked_ids(conn, q, {"report_year": 2019})
    assert year == [h.report_id for h in search(corpus[0], q, year=2019, limit=100)]


def test_filters_facets_and_rows(conn: sqlite3.Connection, corpus: tuple[Path, dict[str, int]]) -> None:
    ids = corpus[1]
    assert ranked_ids(conn, "复议", {"province": "湖北省"}) == [ids["jy2019"]]
    assert FacetCount("安徽省", 4) in facet_counts(conn, "复议", "province")
    assert FacetCount(2019, 3) in facet_counts(conn, "复议", "report_year")
    assert facet_counts(conn, "复议", "province", {"province": "湖北省"}) == [FacetCount("湖北省", 1)]
    assert len(facet_counts(conn, "复议", "report_year", limit=1)) == 1
    rows = hit_rows(conn, [ids["zf2020"], ids["jy2019"]])
    assert [r["report_id"] for r in rows] == [ids["zf2020"], ids["jy2019"]]
    assert rows[0]["agency"] == ZF and "text" in rows[0]
    assert hit_rows(conn, []) == []
    with pytest.raises(SearchError, match="nothing to search for"):
        ranked_ids(conn, '"*)')
    with pytest.raises(SearchError, match="unknown filter"):
        ranked_ids(conn, "复议", {"agency": ZF})
    with pytest.raises(SearchError, match="unknown facet"):
        facet_counts(conn, "复议", "text")


def test_indicator_series_and_years(conn: sqlite3.Connection) -> None:
    series = indicator_series(conn, "core.requests_new", county="霍山县")
    assert set(series) == {ZF, ZJ} and series[ZF][2020] == 10.0 and sorted(series[ZF]) == [2019, 2020, 2021]
    assert set(indicator_series(conn, "core.requests_handled", agency="教育局")) == {JY}
    assert indicator_series(conn, "core.nope") == {}
    assert report_year_range(conn) == (2019, 2021)
    empty = sqlite3.connect(":memory:")
    empty.execute("CREATE TABLE reports (report_year INTEGER)")
    assert report_year_range(empty) == (None, None)


def test_read_runs_under_the_time_limit(corpus: tuple[Path, dict[str, int]]) -> None:
    db = datasette_app(corpus[0]).get_database("ogi")
    assert _run(read(db, report_year_range)) == (2019, 2021)

    def endless(conn: sqlite3.Connection) -> object:
        return conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                            "SELECT count(*) FROM c").fetchone()

    with pytest.raises(QueryInterrupted):
        _run(read(db, endless, time_limit_ms=50))
