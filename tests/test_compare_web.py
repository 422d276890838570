"""The web pages of `ogi compare`: /-/compare, /-/copies, /-/peers (and its CSV), the link from the indicator
chart, on the corpus of tests/test_compare.py (demo and seed reports with planted answers)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.test_compare import NEW_SENTENCE, OLD_SENTENCE, corpus  # noqa: F401  (the fixture)
from tests.test_serve import UI


@pytest.fixture(scope="module")
def ui(corpus) -> UI:  # noqa: F811
    return UI(corpus[0])


def test_compare_page(ui: UI) -> None:
    r = ui.get("/-/compare?agency=教育局&year=2022&county=霍山县")
    assert r.status_code == 200
    assert "霍山县教育局" in r.text and 'data-status="added"' in r.text and 'data-status="changed"' in r.text
    assert OLD_SENTENCE in r.text and NEW_SENTENCE in r.text
    assert 'data-key="core.requests_new"' in r.text
    flagged = ui.get("/-/compare?agency=长子县财政局&year=2022")
    assert "cross-year flag: carry_mismatch" in flagged.text
    many = ui.get("/-/compare?agency=局&year=2022")
    assert many.status_code == 200 and "agencies match" in many.text
    assert ui.get("/-/compare?agency=x&year=99999").status_code == 400


def test_copies_page(ui: UI) -> None:
    r = ui.get("/-/copies?against=peer&min=0.9")
    assert r.status_code == 200
    assert "霍山县交通运输局" in r.text and "霍山县林业局" not in r.text
    prev = ui.get("/-/copies")
    assert prev.status_code == 200 and "repeat last year" in prev.text
    assert ui.get("/-/copies?min=2").status_code == 400
    assert ui.get("/-/copies?against=all").status_code == 400


def test_peers_page_and_csv(ui: UI) -> None:
    r = ui.get("/-/peers?key=core.requests_new&year=2022&county=长子县")
    assert r.status_code == 200 and "长子县财政局" in r.text and "Download CSV" in r.text
    c = ui.get("/-/peers?key=core.requests_new&year=2022&county=长子县&format=csv")
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(c.text)))
    assert {r["agency"] for r in rows} == {"长子县财政局", "长子县民政局", "长子县水利局"}
    assert ui.get("/-/peers?key=core.nope&year=2022&county=长子县").status_code == 400


def test_indicator_links_to_peers(ui: UI) -> None:
    r = ui.get("/-/indicator?key=core.requests_new&county=长子县")
    assert r.status_code == 200 and "/-/peers?key=core.requests_new&amp;county=" in r.text
