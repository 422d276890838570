"""`ogi compare` and corpus.compare / corpus.similarity on demo and seed reports with known answers.

The corpus: demo-portal reports (demosites' generator, extracted by the real pipeline) whose numbers are
known from the generator, and the five real seed reports (tests/fixtures/seeds). Planted:
- 霍山县教育局 2021 → 2022: a correct pair (结转下年度继续办理 2 = 上年结转 2), with one sentence of the
  problems section rewritten and a section added in 2022: the comparison must say exactly that;
- 长子县财政局 2021 → 2022: the generator's numbers break continuity (carried forward 1, carried over 2);
- 长子县民政局: form2021 in 2021, form2019 in 2022, published 2022-11-30 (before 2022 was over);
- 长子县水利局: a narrative 2022 report without a carried-over number: the carry check must stay silent;
- 霍山县 2020: the seed report of 霍山县住房和城乡建设局, the same text under 霍山县交通运输局 (a peer copy)
  and another seed's text under 霍山县林业局 (a distinct report).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus.compare import (
    compare_sections,
    cross_year_flags,
    peer_table,
    ranks,
    split_sections,
    year_over_year,
)
from corpus.readonly import open_readonly
from corpus.similarity import comparable_text, similarity, update_similarity
from corpus.store import Store
from demosites.catalog import gen
from demosites.forms import make_numbers
from extract import extract_bytes
from extract.record import Record, Region, SiteContext
from ogi.cli import main

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
HUOSHAN = ("安徽省", "六安市", "霍山县", "341525")
ZHANGZI = ("山西省", "长治市", "长子县", "140428")
OLD_SENTENCE = "二是基层政务公开标准化规范化水平有待提高。"
NEW_SENTENCE = "二是政务新媒体管理还需要进一步加强。"
ADDED_SECTION = ('<p style="text-indent:2em;"><strong>七、本年度新增事项</strong></p>'
                 '<p style="text-indent:2em;">本年度新设政务公开专区一个。</p>')


def demo_record(place: tuple[str, str, str, str], dept: str, year: int, form: str, *, published: str | None = None,
                edit=None) -> Record:
    """A demo-portal report of `place`'s `dept` extracted by the real pipeline (what a crawl would store)."""
    province, city, county, adcode = place
    item = gen("t", f"{county}{dept}", year, form)
    body = edit(item.body) if edit else item.body
    html = f"<html><head><title>{item.title}</title></head><body><h1>{item.title}</h1>{body}</body></html>"
    rec = extract_bytes(html.encode(), url=f"http://127.0.0.1/{adcode}/{dept}/{year}.html",
                        content_type="text/html; charset=utf-8",
                        context=SiteContext(name=f"{county}人民政府", province=province, city=city, county=county,
                                            adcode=adcode))
    assert rec.is_report and rec.agency == f"{county}{dept}" and rec.report_year == year
    rec.published_at = published or f"{year + 1}-01-20"
    return rec


def seed_record(seed: str, place: tuple[str, str, str, str], dept: str, year: int,
                replace: tuple[str, ...] = ()) -> Record:
    """A seed report's text under an agency of `place` (its own names in `replace` swapped for the new one)."""
    province, city, county, adcode = place
    agency = f"{county}{dept}"
    text = next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
    for old in replace:
        text = text.replace(old, agency)
    return Record(agency=agency, agency_as_printed=agency, department=dept, region=Region(province, city, county, adcode),
                  report_year=year, title=f"{agency}{year}年政府信息公开工作年度报告", published_at=f"{year + 1}-01-25",
                  form="narrative", source_url=f"http://127.0.0.1/{adcode}/{dept}/{year}.txt", text=text,
                  text_source="text", is_report=True)


def edit_2022(body: str) -> str:
    assert OLD_SENTENCE in body
    return body.replace(OLD_SENTENCE, NEW_SENTENCE) + ADDED_SECTION


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[tuple[str, int], int]]:
    db = tmp_path_factory.mktemp("compare") / "ogi.db"
    records = [
        demo_record(HUOSHAN, "教育局", 2021, "form2021"),
        demo_record(HUOSHAN, "教育局", 2022, "form2021", edit=edit_2022),
        demo_record(ZHANGZI, "财政局", 2021, "form2021"),
        demo_record(ZHANGZI, "财政局", 2022, "form2021"),
        demo_record(ZHANGZI, "民政局", 2021, "form2021"),
        demo_record(ZHANGZI, "民政局", 2022, "form2019", published="2022-11-30"),
        demo_record(ZHANGZI, "水利局", 2021, "form2021"),
        demo_record(ZHANGZI, "水利局", 2022, "narrative"),
        seed_record("002", HUOSHAN, "住房和城乡建设局", 2020),
        seed_record("002", HUOSHAN, "交通运输局", 2020, ("霍山县住房和城乡建设局", "霍山县住建局", "住建局")),
        seed_record("000", HUOSHAN, "林业局", 2020, ("东西湖区住房和城乡建设局", "东西湖区")),
    ]
    ids: dict[tuple[str, int], int] = {}
    with Store(db) as store:
        for rec in records:
            rid = store.save_report(rec, site_id=None, capture_ids=[])
            ids[(rec.agency, rec.report_year)] = rid
        update_similarity(store)
    return db, ids


@pytest.fixture()
def conn(corpus):
    c = open_readonly(corpus[0])
    yield c
    c.close()


# --- checks across years ----------------------------------------------------------------------------------

def test_planted_continuity_break_is_flagged_and_the_correct_pair_is_not(conn, corpus):
    ids = corpus[1]
    flags = cross_year_flags(conn)
    mismatch = [f for f in flags.get(ids[("长子县财政局", 2022)], []) if f.check == "carry_mismatch"]
    assert len(mismatch) == 1
    f = mismatch[0]
    assert (f.value, f.prior_value, f.prior_report_id) == ("2", "1", ids[("长子县财政局", 2021)])
    assert "上年结转" in f.evidence and "结转下年度继续办理" in f.prior_evidence  # both values with their evidence
    assert ids[("霍山县教育局", 2022)] not in flags  # 2 carried forward, 2 carried over: nothing to say
    assert ids[("霍山县教育局", 2021)] not in flags and ids[("长子县财政局", 2021)] not in flags  # no year before


def test_form_going_back_and_early_publication(conn, corpus):
    ids = corpus[1]
    checks = {f.check: f for f in cross_year_flags(conn)[ids[("长子县民政局", 2022)]]}
    assert (checks["form_regression"].value, checks["form_regression"].prior_value) == ("form2019", "form2021")
    early = checks["published_too_early"]
    assert early.value == "2022-11-30" and "was over" in early.message


def test_checks_are_silent_where_a_number_is_absent(conn, corpus):
    ids = corpus[1]
    narrative = ids[("长子县水利局", 2022)]
    assert conn.execute("SELECT count(*) FROM statistics WHERE report_id = ? AND key = "
                        "'core.requests_carried_over'", (narrative,)).fetchone()[0] == 0
    assert narrative not in cross_year_flags(conn)


# --- one agency, two years ----------------------------------------------------------------------------------

def test_year_over_year_numbers_are_the_generators(conn):
    yoy = year_over_year(conn, "霍山县教育局", 2022)
    before, after = make_numbers("霍山县教育局", 2021, "form2021").core(), make_numbers("霍山县教育局", 2022,
                                                                                     "form2021").core()
    by_key = {n.key: n for n in yoy.numbers}
    for key, value in after.items():
        assert by_key[key].current == value and by_key[key].previous == before[key], key
        assert by_key[key].delta == value - before[key]
    assert yoy.previous is not None and (yoy.previous.report_year, yoy.current.report_year) == (2021, 2022)
    assert yoy.current.cross_year_flags == [] and yoy.similarity_prev_year is not None


def test_year_over_year_sections_exactly(conn):
    yoy = year_over_year(conn, "霍山县教育局", 2022)
    got = [(s.heading, s.status) for s in yoy.sections]
    assert got == [
        ("", "numbers_only"),  # the opening: the years in 统计期限 and nothing else
        ("一、总体情况", "numbers_only"),
        ("二、主动公开政府信息情况", "unchanged"),  # tables only: compared as numbers
        ("三、收到和处理政府信息公开申请情况", "unchanged"),
        ("四、政府信息公开行政复议、行政诉讼情况", "unchanged"),
        ("五、存在的主要问题及改进情况", "changed"),
        ("六、其他需要报告的事项", "numbers_only"),  # the signing date under it
        ("七、本年度新增事项", "added"),
    ]
    problems = yoy.sections[5]
    assert problems.removed == (OLD_SENTENCE,) and problems.added == (NEW_SENTENCE,)
    assert yoy.sections[7].added == ("本年度新设政务公开专区一个。",)


def test_sections_align_by_heading_and_vanish_in_place():
    prev = "开头。\n一、总体情况\n甲。\n二、主动公开政府信息情况\n乙。\n三、其他\n丙。"
    cur = "开头。\n一、总体情况\n甲。\n二、政府信息主动公开情况\n乙。"
    out = [(s.heading, s.status, s.previous_heading) for s in compare_sections(prev, cur)]
    assert out == [("", "unchanged", ""), ("一、总体情况", "unchanged", "一、总体情况"),
                   ("二、政府信息主动公开情况", "unchanged", "二、主动公开政府信息情况"),
                   ("三、其他", "removed", "三、其他")]
    assert [s.heading for s in split_sections("一、总体情况\n一、我局高度重视，成立领导小组。\n| a | 1 |")] == ["一、总体情况"]


def test_cli_compare_one_agency(corpus):
    db = str(corpus[0])
    res = CliRunner().invoke(main, ["compare", "教育局", "--year", "2022", "--county", "霍山县", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["agency"] == "霍山县教育局" and data["previous"]["report_year"] == 2021
    assert [s["status"] for s in data["sections"]].count("added") == 1
    text = CliRunner().invoke(main, ["compare", "霍山县教育局", "--year", "2022", "--db", db])
    assert text.exit_code == 0 and "- " + OLD_SENTENCE in text.output and "+ " + NEW_SENTENCE in text.output
    csv_out = CliRunner().invoke(main, ["compare", "霍山县教育局", "--year", "2022", "--db", db, "--csv"])
    assert csv_out.output.splitlines()[0] == "key,label_zh,previous,current,delta"


def test_cli_compare_refuses_clearly(corpus):
    db = str(corpus[0])
    many = CliRunner().invoke(main, ["compare", "局", "--year", "2022", "--db", db])
    assert many.exit_code == 1 and "agencies match" in many.output and "Traceback" not in many.output
    none = CliRunner().invoke(main, ["compare", "无此机关", "--year", "2022", "--db", db])
    assert none.exit_code == 1 and "no report" in none.output
    assert CliRunner().invoke(main, ["compare", "--db", db]).exit_code == 2
    assert CliRunner().invoke(main, ["compare", "--check", "--copies", "--db", db]).exit_code == 2
    surrogate = CliRunner().invoke(main, ["compare", "--check", "--county", "\udcff", "--db", db])
    assert surrogate.exit_code == 2 and "not valid UTF-8" in surrogate.output
    missing = CliRunner().invoke(main, ["compare", "--check", "--db", str(Path(db).with_name("nope.db"))])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_cli_check_lists_the_flags(corpus):
    res = CliRunner().invoke(main, ["compare", "--check", "--year", "2022", "--db", str(corpus[0]), "--csv"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert any(",长子县财政局,2022,carry_mismatch,2,1," in line for line in lines)
    assert not any("霍山县教育局" in line for line in lines)


# --- copied reports ---------------------------------------------------------------------------------------

def test_planted_peer_copy_is_found_and_distinct_reports_stay_low(conn, corpus):
    ids = corpus[1]
    rows = {r[0]: r[1:] for r in conn.execute(
        "SELECT report_id, nearest_peer, nearest_peer_similarity FROM report_similarity")}
    copy, original, distinct = ids[("霍山县交通运输局", 2020)], ids[("霍山县住房和城乡建设局", 2020)], ids[("霍山县林业局", 2020)]
    assert rows[copy][0] == original and rows[copy][1] >= 0.9
    assert rows[original][0] == copy
    assert rows[distinct] == (None, None)  # no peer shares even half of its text
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    low = [similarity(seeds[a], seeds[b]) for a in seeds for b in seeds if a < b]
    assert max(low) < 0.1, low  # five real, distinct reports


def test_similarity_to_the_previous_year(conn, corpus):
    ids = corpus[1]
    rows = {r[0]: r[1:] for r in conn.execute(
        "SELECT report_id, prev_report_id, similarity_prev_year FROM report_similarity")}
    prev, sim = rows[ids[("霍山县教育局", 2022)]]
    assert prev == ids[("霍山县教育局", 2021)] and sim >= 0.8  # the demo template, one sentence rewritten
    assert rows[ids[("霍山县教育局", 2021)]] == (None, None)  # no 2020 report


def test_form_labels_and_names_do_not_count():
    table_only = "\n".join(["二、主动公开政府信息情况", "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
                            "一、本年新收政府信息公开申请数量 8 1 0 0 1 0 10", "（一）予以公开", "1.属于国家秘密",
                            "结果维持 结果纠正 其他结果 尚未审结 总计"])
    assert comparable_text(table_only) == ""
    assert comparable_text("甲县教育局2021年主动公开信息12条。", ["甲县教育局"]) == "年主动公开信息条"


def test_cli_copies_and_similarity(corpus, tmp_path):
    db = str(corpus[0])
    res = CliRunner().invoke(main, ["compare", "--copies", "--against", "peer", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    agencies = {c["agency"] for c in json.loads(res.output)}
    assert {"霍山县交通运输局", "霍山县住房和城乡建设局"} <= agencies and "霍山县林业局" not in agencies
    empty = tmp_path / "empty.db"
    Store(empty).close()
    refused = CliRunner().invoke(main, ["compare", "--copies", "--db", str(empty)])
    assert refused.exit_code == 1 and "ogi compare --similarity" in refused.output
    ran = CliRunner().invoke(main, ["compare", "--similarity", "--db", str(empty), "--json"])
    assert ran.exit_code == 0 and json.loads(ran.output)["reports"] == 0


# --- peers --------------------------------------------------------------------------------------------------

def test_peer_table_ranks_and_shares(conn):
    rows = peer_table(conn, "core.requests_new", 2022, county="长子县")
    new = {a: make_numbers(a, 2022, f).core() for a, f in (("长子县财政局", "form2021"), ("长子县民政局", "form2019"))}
    by_agency = {r.agency: r for r in rows}
    assert set(by_agency) == {"长子县财政局", "长子县民政局", "长子县水利局"}
    for agency, core in new.items():
        r = by_agency[agency]
        assert r.value == core["core.requests_new"]
        assert r.share_granted == round(core["core.requests_granted"] / core["core.requests_handled"], 4)
    assert [r.rank for r in rows] == sorted(r.rank for r in rows if r.rank is not None) + [
        None] * sum(r.rank is None for r in rows)
    assert ranks([5, None, 7, 5]) == [2, None, 1, 2]


def test_cli_peers_csv(corpus):
    res = CliRunner().invoke(main, ["compare", "--peers", "core.requests_new", "--year", "2022", "--county", "长子县",
                                    "--db", str(corpus[0]), "--csv"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].startswith("rank,agency,county,adcode,core.requests_new,share_granted")
    bad = CliRunner().invoke(main, ["compare", "--peers", "core.nope", "--year", "2022", "--county", "长子县",
                                    "--db", str(corpus[0])])
    assert bad.exit_code == 2 and "core indicator" in bad.output


def test_schema_3_databases_gain_the_table_and_deleting_a_report_clears_its_pairs(corpus, tmp_path):
    import shutil
    import sqlite3

    from corpus import schema

    db = tmp_path / "old.db"
    shutil.copy(corpus[0], db)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE report_similarity")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store(db) as store:  # the migration 3 -> 4
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION >= 4
        update_similarity(store)
        ids = corpus[1]
        store.delete_report(ids[("霍山县住房和城乡建设局", 2020)])
        assert store.conn.execute("SELECT nearest_peer FROM report_similarity WHERE report_id = ?",
                                  (ids[("霍山县交通运输局", 2020)],)).fetchone() == (None,)
