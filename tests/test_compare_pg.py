"""`ogi compare` on a PostgreSQL corpus (a real server started by the tests): the same records saved into
PostgreSQL and SQLite give the same cross-year flags, year-over-year comparison, similarity scores and peers."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corpus.backend import open_store
from corpus.compare import cross_year_flags, peer_table, year_over_year
from corpus.readonly import open_readonly
from corpus.similarity import update_similarity
from ogi.cli import main
from tests.test_compare import HUOSHAN, ZHANGZI, demo_record, edit_2022, seed_record


def _records():
    return [
        demo_record(HUOSHAN, "教育局", 2021, "form2021"),
        demo_record(HUOSHAN, "教育局", 2022, "form2021", edit=edit_2022),
        demo_record(ZHANGZI, "财政局", 2021, "form2021"),
        demo_record(ZHANGZI, "财政局", 2022, "form2021"),
        seed_record("002", HUOSHAN, "住房和城乡建设局", 2020),
        seed_record("002", HUOSHAN, "交通运输局", 2020, ("霍山县住房和城乡建设局", "霍山县住建局", "住建局")),
    ]


def _fill(db, raw) -> None:
    with open_store(db, raw_dir=raw) as store:
        for rec in _records():
            store.save_report(rec, site_id=None, capture_ids=[])
        update_similarity(store)


def _views(db) -> dict:
    conn = open_readonly(db)
    try:
        names = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT report_id, agency, report_year FROM reports")}
        flags = {names[rid]: [(f.check, f.value, f.prior_value) for f in fl]
                 for rid, fl in cross_year_flags(conn).items()}
        yoy = year_over_year(conn, "霍山县教育局", 2022).to_json()
        for side in ("current", "previous"):
            yoy[side].pop("report_id")
        yoy["nearest_peer"] = yoy["nearest_peer"] and yoy["nearest_peer"]["agency"]
        sims = {names[r[0]]: (names.get(r[1]), float(r[2]) if r[2] is not None else None) for r in conn.execute(
            "SELECT report_id, nearest_peer, nearest_peer_similarity FROM report_similarity")}
        peers = [(p.agency, p.value, p.rank, p.share_granted) for p in peer_table(conn, "core.requests_new", 2022,
                                                                                   county="长子县")]
        peers = [(a, None if v is None else float(v), r, None if s is None else float(s)) for a, v, r, s in peers]
        return {"flags": flags, "yoy": yoy, "sims": sims, "peers": peers}
    finally:
        conn.close()


@pytest.mark.parametrize("what", ["flags", "yoy", "sims", "peers"])
def test_postgres_gives_what_sqlite_gives(pg_url, tmp_path, what):
    lite = tmp_path / "ogi.db"
    _fill(pg_url, tmp_path / "raw")
    _fill(lite, tmp_path / "raw")
    pg, sq = _views(pg_url), _views(lite)
    assert pg[what] == sq[what]
    if what == "flags":
        assert ("长子县财政局", 2022) in sq["flags"]
    if what == "sims":
        assert sq["sims"][("霍山县交通运输局", 2020)][1] >= 0.9


def test_cli_compare_on_postgres(pg_url, tmp_path, monkeypatch):
    monkeypatch.delenv("OGI_RAW_DIR", raising=False)
    _fill(pg_url, tmp_path / "raw")
    res = CliRunner().invoke(main, ["compare", "霍山县教育局", "--year", "2022", "--db", pg_url, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["previous"]["report_year"] == 2021
    again = CliRunner().invoke(main, ["compare", "--similarity", "--db", pg_url, "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["reports"] == len(_records())
    copies = CliRunner().invoke(main, ["compare", "--copies", "--against", "peer", "--db", pg_url, "--json"])
    assert {c["agency"] for c in json.loads(copies.output)} == {"霍山县交通运输局", "霍山县住房和城乡建设局"}
    # `--against any` orders by the larger of two similarities (portable SQL, not SQLite's two-argument max).
    either = CliRunner().invoke(main, ["compare", "--copies", "--against", "any", "--db", pg_url, "--json"])
    assert either.exit_code == 0, either.output
    assert {"霍山县交通运输局", "霍山县住房和城乡建设局"} <= {c["agency"] for c in json.loads(either.output)}
