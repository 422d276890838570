"""`ogi export` carries the comparisons: reports.csv's cross-year flags and similarity columns, year_over_year.csv
and peers.csv, on the corpus of tests/test_compare.py (planted answers)."""

from __future__ import annotations

import pandas as pd
import pytest

from demosites.forms import make_numbers
from ogi.export import export_dataset
from tests.test_compare import corpus  # noqa: F401  (the fixture)


@pytest.fixture(scope="module")
def out(corpus, tmp_path_factory):  # noqa: F811
    d = tmp_path_factory.mktemp("cmp-export") / "out"
    export_dataset(corpus[0], d)
    return d


def test_reports_csv_has_similarity_and_cross_year_flags(out, corpus):  # noqa: F811
    ids = corpus[1]
    df = pd.read_csv(out / "reports.csv", keep_default_na=False).set_index("report_id")
    copy, original = ids[("霍山县交通运输局", 2020)], ids[("霍山县住房和城乡建设局", 2020)]
    assert df.loc[copy, "nearest_peer"] == str(original) and float(df.loc[copy, "nearest_peer_similarity"]) >= 0.9
    assert df.loc[ids[("霍山县林业局", 2020)], "nearest_peer"] == ""
    assert df.loc[ids[("霍山县教育局", 2022)], "similarity_prev_year"] != ""
    assert df.loc[ids[("长子县财政局", 2022)], "cross_year_flags"].startswith("carry_mismatch: 上年结转 2 in 2022")
    assert df.loc[ids[("霍山县教育局", 2022)], "cross_year_flags"] == ""


def test_year_over_year_csv(out, corpus):  # noqa: F811
    ids = corpus[1]
    yoy = pd.read_csv(out / "year_over_year.csv")
    mine = yoy[yoy["report_id"] == ids[("霍山县教育局", 2022)]].set_index("key")
    before, after = (make_numbers("霍山县教育局", y, "form2021").core() for y in (2021, 2022))
    assert set(after) <= set(mine.index)
    for key, value in after.items():
        assert (mine.loc[key, "previous"], mine.loc[key, "current"], mine.loc[key, "delta"]) == (
            before[key], value, value - before[key])
    assert (mine["prev_report_id"] == ids[("霍山县教育局", 2021)]).all()
    assert ids[("霍山县教育局", 2021)] not in set(yoy["report_id"])  # no 2020 report


def test_peers_csv_filtered_export(corpus, tmp_path):  # noqa: F811
    export_dataset(corpus[0], tmp_path / "o", years=[2022])
    peers = pd.read_csv(tmp_path / "o" / "peers.csv").set_index("agency")
    zz = peers[peers["county"] == "长子县"]
    assert set(zz.index) == {"长子县财政局", "长子县民政局", "长子县水利局"}
    assert (zz["agencies_in_county"] == 3).all()
    new = {a: make_numbers(a, 2022, f).core()["core.requests_new"]
           for a, f in (("长子县财政局", "form2021"), ("长子县民政局", "form2019"))}
    top = max(new, key=new.get)
    assert zz.loc[top, "rank_in_county"] == 1 and zz.loc[top, "requests_new"] == new[top]
    yoy = pd.read_csv(tmp_path / "o" / "year_over_year.csv")
    assert set(yoy["report_year"]) == {2022}  # the previous year is read even though it is not exported
