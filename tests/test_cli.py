"""The command line: user errors are messages (never tracebacks), output is what the README says."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corpus.store import Store
from extract.record import Record, Region, Stat
from ogi.cli import main


@pytest.fixture()
def corpus_db(tmp_path):
    db = tmp_path / "ogi.db"
    store = Store(db)
    store.upsert_site("s1", "东西湖区人民政府", "湖北省", "武汉市", "东西湖区", "420112", entry_urls=["http://x/"],
                      platform="trs", verified=True)
    texts = {
        ("东西湖区住房和城乡建设局", 2019): "全年受理依申请公开17条。没有收到行政复议申请，未发生行政诉讼。",
        ("东西湖区教育局", 2021): "本年度主动公开信息120条。因政府信息公开被申请行政复议1件。",
        ("东西湖区财政局", 2020): "加强组织领导，完善制度建设。",
    }
    for (agency, year), text in texts.items():
        store.save_report(
            Record(agency=agency, department=agency[4:], region=Region("湖北省", "武汉市", "东西湖区", "420112"),
                   report_year=year, title=f"{agency}{year}年政府信息公开工作年度报告", text=text, is_report=True,
                   form="narrative", source_url=f"http://x/{year}/{agency}.html",
                   stats=[Stat("core.requests_new", 17, "text", "全年受理依申请公开17条")] if year == 2019 else []),
            site_id="s1", capture_ids=[],
        )
    store.close()
    return db


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_search_two_character_word(corpus_db):
    result = run("search", "复议", "--db", str(corpus_db), "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert {(h["agency"], h["report_year"]) for h in hits} == {("东西湖区住房和城乡建设局", 2019), ("东西湖区教育局", 2021)}
    assert all("[复议]" in h["snippet"] for h in hits)


def test_search_filters_and_agency_name(corpus_db):
    hits = json.loads(run("search", "复议", "--year", "2021", "--db", str(corpus_db), "--json").output)
    assert [h["agency"] for h in hits] == ["东西湖区教育局"]
    hits = json.loads(run("search", "东西湖区财政局", "--db", str(corpus_db), "--json").output)
    assert [h["agency"] for h in hits] == ["东西湖区财政局"]
    hits = json.loads(run("search", "2019", "--db", str(corpus_db), "--json").output)
    assert ("东西湖区住房和城乡建设局", 2019) in {(h["agency"], h["report_year"]) for h in hits}


@pytest.mark.parametrize("query", ['"复议', "(复议", "复议)", "复议*", "-复议", "复议 OR", "NEAR(复议", "*", "-", '"', "()", "^"])
def test_search_with_fts_syntax_never_tracebacks(corpus_db, query):
    # Options first and `--` before the query, so a query starting with "-" is not read as an option.
    result = CliRunner().invoke(main, ["search", "--db", str(corpus_db), "--", query])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert result.output.startswith("Error:")


def test_search_human_output_and_missing_database(corpus_db, tmp_path):
    result = run("search", "诉讼", "--db", str(corpus_db))
    assert result.exit_code == 0
    assert "东西湖区住房和城乡建设局" in result.output
    result = CliRunner().invoke(main, ["search", "诉讼", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_crawl_with_bad_registry_is_a_message(tmp_path):
    bad = tmp_path / "sites.csv"
    bad.write_text("site_id,name,entry_urls,adcode\nx,某县,http://a/,12\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", "--registry", str(bad), "--db", str(tmp_path / "d.db")])
    assert result.exit_code == 1
    assert "not a 6-digit division code" in result.output
    result = CliRunner().invoke(main, ["crawl", "--registry", str(tmp_path / "missing.csv")])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_extract_missing_file_is_a_message(tmp_path):
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "missing.pdf")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_every_command_has_help():
    for command in ("demo", "crawl", "extract", "search", "export", "status", "schedule", "completeness", "serve"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def _gold():
    from tests.conftest import GOLD_PATH, SEEDS

    return SEEDS, json.loads(GOLD_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed", ["000_b2e877bf73f80718.txt", "001_765f60bd78de7148.txt", "002_b2e2d1b32352d163.txt",
                                  "003_cbc6ccbd10d2d8f2.txt", "004_23bd5336edb556c9.txt"])
def test_extract_json_on_each_seed_gives_the_gold_metadata(seed):
    seeds, gold = _gold()
    expected = gold[seed]
    result = run("extract", str(seeds / seed), "--json")
    assert result.exit_code == 0
    record = json.loads(result.output)
    for key in ("agency", "department", "region", "report_year", "form"):
        assert record[key] == expected[key], key
    assert record["is_report"] is True
    for key in ("sha256", "text", "stats", "flags", "title", "published_at", "document_date", "source_url"):
        assert key in record
    human = run("extract", str(seeds / seed))
    assert expected["agency"] in human.output and str(expected["report_year"]) in human.output
