"""`ogi export`: the dataset files, their agreement with the database, the data package, reproducibility."""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus.store import Store
from extract.record import Record, Region, Stat
from ogi.cli.export import export_command
from ogi.export import BOM, ExportError, export_dataset, stata_names

DATA_FILES = sorted([
    "CITATION.cff", "README.md", "SHA256SUMS", "codebook.csv", "codebook.md", "datapackage.json", "reports.csv",
    "reports.parquet", "statistics_long.csv", "statistics_long.parquet", "statistics_wide.csv",
    "statistics_wide.parquet", "texts.jsonl", "year_over_year.csv", "year_over_year.parquet", "peers.csv",
    "peers.parquet",
])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Four agencies, two provinces, three years, every form; flags; statistics with captures."""
    db = tmp_path_factory.mktemp("corpus") / "ogi.db"
    with Store(db) as s:
        s.upsert_site("hubei-jia", "武汉市甲区人民政府", "湖北省", "武汉市", "甲区", "420101", ["http://a/"], "trs", True)
        s.upsert_site("gd-yi", "广州市乙区人民政府", "广东省", "广州市", "乙区", "440101", ["http://b/"], "hanweb", True)
        run = s.start_run("hubei-jia")
        pdf = b"%PDF-1.4 fake report"
        page = s.record_capture("http://a/2022.html", site_id="hubei-jia", run_id=run, kind="detail", status=200,
                                content_type="text/html", body=b"<html>page</html>")
        att = s.record_capture("http://a/2022.pdf", site_id="hubei-jia", run_id=run, kind="attachment", status=200,
                               content_type="application/pdf", body=pdf)
        page2 = s.record_capture("http://a/2021.html", site_id="hubei-jia", run_id=run, kind="detail", status=200,
                                 content_type="text/html", body="<html>2021 report, 全文</html>".encode())
        s.finish_run(run, status="ok", list_pages=1, detail_pages=2, attachments=1, reports=2, errors=0)
        run2 = s.start_run("gd-yi")
        s.record_error(run2, "gd-yi", "http://b/list", "http_404", "list page gone")
        s.finish_run(run2, status="partial", list_pages=1, detail_pages=1, attachments=0, reports=1, errors=1)

        def save(rec: Record, site: str | None, caps: list[int]) -> None:
            rec.is_report = True
            s.save_report(rec, site_id=site, capture_ids=caps)

        save(Record(agency="武汉市甲区住房和城乡建设局", agency_as_printed="甲区住建局", department="住建",
                    region=Region("湖北省", "武汉市", "甲区", "420101"), report_year=2022, title="2022年度报告",
                    published_at="2023-01-20", document_date="2023-01-15", form="form2021",
                    source_url="http://a/2022.html", sha256=_sha(pdf), text="全文，含“引号”, 逗号\n换行",
                    text_source="pdf", flags=["balance_mismatch", "parts_sum"],
                    stats=[Stat("core.requests_new", 12, "table", "一、本年新收政府信息公开申请数量 12"),
                           Stat("requests.new.total", 12, "table", "一、本年新收 ... 12"),
                           Stat("core.fees_collected_yuan", 2.5, "text", "收取信息处理费2.5元"),
                           Stat("core.review_total", 0, "text", "没有收到行政复议申请")]),
             "hubei-jia", [page, att])
        save(Record(agency="武汉市甲区人民政府", region=Region("湖北省", "武汉市", "甲区", "420101"),
                    report_year=2021, title="2021年度报告", published_at="2022-01-10", form="form2021",
                    source_url="http://a/2021.html", text="2021 report, 全文", text_source="html",
                    stats=[Stat("core.requests_new", 3, "table", "3"), Stat("core.requests_handled", 3, "table", "3"),
                           Stat("x.project_added", 7, "text", "新增指标7")]),
             "hubei-jia", [page2])
        save(Record(agency="广州市乙区人民政府", region=Region("广东省", "广州市", "乙区", "440101"), report_year=2019,
                    title="乙区2019年报", published_at="2020年1月", form="narrative", source_url="http://b/2019.html",
                    text="乙区叙述型报告", text_source="html", errors=["pdf: no text layer"],
                    stats=[Stat("core.proactive_items", 1520, "text", "主动公开政府信息1520条")]),
             "gd-yi", [])
        save(Record(agency="广州市乙区教育局", region=Region("广东省", "广州市", "乙区", "440101"), report_year=2021,
                    title="教育局年报", form="form2019", source_url="http://b/edu.html", text="教育", flags=["text_table_disagree"],
                    stats=[Stat("core.litigation_total", 1, "table", "1")]),
             "gd-yi", [])
    return db


@pytest.fixture(scope="module")
def export(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    export_dataset(corpus, out)
    return out


def _db_rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_every_file_exists_and_sums_match(export):
    assert sorted(p.name for p in export.iterdir()) == DATA_FILES
    lines = (export / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == set(DATA_FILES) - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert _sha((export / name).read_bytes()) == digest, name


def test_reports_csv(export, corpus):
    import pandas as pd

    df = pd.read_csv(export / "reports.csv", dtype={"adcode": str}, keep_default_na=False)
    assert list(df["report_id"]) == [r[0] for r in _db_rows(corpus, "SELECT report_id FROM reports ORDER BY 1")]
    first = df.iloc[0]
    assert first["flags"] == "balance_mismatch | parts_sum" and first["n_flags"] == 2
    assert first["n_statistics"] == 4 and first["adcode"] == "420101"
    assert first["page_urls"] == "http://a/2022.html" and first["attachment_urls"] == "http://a/2022.pdf"
    assert first["attachment_sha256"] == _sha(b"%PDF-1.4 fake report")
    assert df.iloc[2]["errors"] == "pdf: no text layer" and df.iloc[2]["n_errors"] == 1
    for col in ("first_seen", "last_seen", "site_id", "text_source", "document_date", "alt_source_urls"):
        assert col in df.columns


def test_wide_equals_db(export, corpus):
    import pandas as pd

    wide = pd.read_csv(export / "statistics_wide.csv", dtype={"adcode": str})
    db = {(rid, k): v for rid, k, v in _db_rows(corpus, "SELECT report_id, key, value FROM statistics")}
    core_cols = [c for c in wide.columns if c.startswith("core.")]
    assert len(core_cols) == 16 and "core.requests_new" in core_cols
    for _, row in wide.iterrows():
        for key in core_cols:
            expected = db.get((row["report_id"], key))
            if expected is None:
                assert math.isnan(row[key]), (row["report_id"], key)
            else:
                assert row[key] == expected
    assert set(wide["report_id"]) == {r[0] for r in _db_rows(corpus, "SELECT report_id FROM reports")}


def test_long_has_provenance(export, corpus):
    import pandas as pd

    long = pd.read_csv(export / "statistics_long.csv", keep_default_na=False)
    assert len(long) == _db_rows(corpus, "SELECT count(*) FROM statistics")[0][0]
    assert list(zip(long["report_id"], long["key"], strict=True)) == sorted(zip(long["report_id"], long["key"], strict=True))
    row = long[(long["report_id"] == 1) & (long["key"] == "core.requests_new")].iloc[0]
    assert row["value"] == 12 and row["source"] == "table" and "本年新收" in row["evidence"]
    assert row["capture_url"] == "http://a/2022.pdf" and row["capture_sha256"] == _sha(b"%PDF-1.4 fake report")
    assert row["fetched_at"].endswith("Z") and row["capture_id"] != ""


def test_parquet_equals_db(export, corpus):
    import pyarrow.parquet as pq

    long = pq.read_table(export / "statistics_long.parquet").to_pylist()
    db = _db_rows(corpus, "SELECT report_id, key, value, source, evidence FROM statistics ORDER BY report_id, key")
    assert [(r["report_id"], r["key"], r["value"], r["source"], r["evidence"]) for r in long] == db
    reports = pq.read_table(export / "reports.parquet")
    assert reports.schema.field("report_year").type == "int64"
    db_reports = _db_rows(corpus, "SELECT report_id, agency, report_year, title FROM reports ORDER BY report_id")
    assert [(r["report_id"], r["agency"], r["report_year"], r["title"]) for r in reports.to_pylist()] == db_reports
    wide = pq.read_table(export / "statistics_wide.parquet").to_pylist()
    assert wide[0]["core.requests_new"] == 12.0 and wide[0]["core.proactive_items"] is None
    assert pq.read_schema(export / "reports.parquet").metadata is None  # no pandas/run-specific metadata


def test_texts_jsonl(export, corpus):
    lines = (export / "texts.jsonl").read_text(encoding="utf-8").splitlines()
    objs = [json.loads(line) for line in lines]
    texts = dict(_db_rows(corpus, "SELECT report_id, text FROM reports"))
    assert [o["report_id"] for o in objs] == sorted(texts)
    assert all(o["text"] == texts[o["report_id"]] for o in objs)
    assert set(objs[0]) == {"report_id", "agency", "report_year", "title", "source_url", "sha256", "text"}


def test_codebook_covers_every_column_and_key(export):
    import pandas as pd

    cb = pd.read_csv(export / "codebook.csv", keep_default_na=False)
    for name in ("reports.csv", "statistics_long.csv", "statistics_wide.csv"):
        header = (export / name).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert set(header) <= set(cb[(cb["kind"] == "column") & (cb["file"] == name)]["name"]), name
    stats = cb[cb["kind"] == "statistic"].set_index("name")
    assert stats.loc["core.requests_new", "label_zh"] and stats.loc["core.requests_new", "label_en"]
    assert stats.loc["core.fees_collected_yuan", "unit"] == "元"
    assert "narrative" in stats.loc["core.proactive_items", "forms"]
    assert "not in the codebook" in stats.loc["x.project_added", "description"]  # unknown keys listed too
    md = (export / "codebook.md").read_text(encoding="utf-8")
    assert "## statistics_wide.csv" in md and "core.requests_new" in md and "本年新收" in md


def test_datapackage_validates_and_catches_a_bad_value(export, tmp_path):
    import shutil

    import frictionless

    report = frictionless.validate(export / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])
    package = json.loads((export / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in package["resources"]}
    assert res["statistics_long"]["schema"]["primaryKey"] == ["report_id", "key"]
    assert res["statistics_long"]["schema"]["foreignKeys"][0]["reference"]["resource"] == "reports"
    assert res["reports"]["encoding"] == "utf-8" and res["reports"]["dialect"]["delimiter"] == ","
    assert all(f.get("description") for f in res["reports"]["schema"]["fields"])

    # Corrupt one value's type: the same check must now fail on it.
    bad = tmp_path / "bad"
    shutil.copytree(export, bad)
    path = bad / "statistics_long.csv"
    text = path.read_text(encoding="utf-8")
    assert ",core.requests_new,12," in text
    path.write_text(text.replace(",core.requests_new,12,", ",core.requests_new,twelve,", 1), encoding="utf-8")
    report = frictionless.validate(bad / "datapackage.json")
    assert not report.valid
    assert "type-error" in {err[0] for err in report.flatten(["type"])}


def test_two_exports_byte_identical(corpus, export, tmp_path):
    again = tmp_path / "again"
    export_dataset(corpus, again)
    for name in DATA_FILES:
        assert (again / name).read_bytes() == (export / name).read_bytes(), name


def test_readme(export, corpus):
    readme = (export / "README.md").read_text(encoding="utf-8")
    latest = _db_rows(corpus, "SELECT max(coalesce(finished_at, started_at)) FROM crawl_runs")[0][0]
    assert "Dataset version `" in readme and "@misc{ogi_" in readme
    bib = readme.split("```bibtex", 1)[1].split("```", 1)[0]
    assert bib.count("{") == bib.count("}")
    assert "湖北省" in readme and "广东省" in readme and "hubei-jia" in readme
    assert "balance_mismatch" in readme and "2 of 4 reports have flags" in readme
    assert "http_404: 1" in readme and "pdf: no text layer" in readme
    # "generated" is a database time, not the time of the export run
    generated = readme.split("Generated from crawls up to ", 1)[1].split(" ", 1)[0]
    assert generated >= latest and generated.startswith(latest[:4])


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"years": [2021]}, {"武汉市甲区人民政府", "广州市乙区教育局"}),
        ({"provinces": ["广东省"]}, {"广州市乙区人民政府", "广州市乙区教育局"}),
        ({"provinces": ["湖北"]}, {"武汉市甲区住房和城乡建设局", "武汉市甲区人民政府"}),
        ({"agencies": ["教育"]}, {"广州市乙区教育局"}),
        ({"only_passing": True}, {"武汉市甲区人民政府", "广州市乙区人民政府"}),
        ({"years": [2021, 2022], "provinces": ["湖北省"]}, {"武汉市甲区住房和城乡建设局", "武汉市甲区人民政府"}),
    ],
)
def test_filters_narrow(corpus, tmp_path, kwargs, expected):
    import pandas as pd

    result = export_dataset(corpus, tmp_path / "f", **kwargs)
    reports = pd.read_csv(tmp_path / "f" / "reports.csv")
    assert set(reports["agency"]) == expected and result.n_reports == len(expected)
    long = pd.read_csv(tmp_path / "f" / "statistics_long.csv")
    assert set(long["report_id"]) <= set(reports["report_id"])


def test_excel_bom(corpus, export, tmp_path):
    import frictionless
    import pandas as pd

    result = export_dataset(corpus, tmp_path / "x", excel_bom=True)
    for name in ("reports.csv", "statistics_long.csv", "statistics_wide.csv", "codebook.csv"):
        assert (tmp_path / "x" / name).read_bytes().startswith(BOM)
        assert not (export / name).read_bytes().startswith(BOM)
    assert pd.read_csv(tmp_path / "x" / "reports.csv", encoding="utf-8-sig").columns[0] == "report_id"
    assert frictionless.validate(tmp_path / "x" / "datapackage.json").valid
    assert "with BOM" in (tmp_path / "x" / "README.md").read_text(encoding="utf-8")
    assert result.version == (export / "README.md").read_text(encoding="utf-8").split("`")[1]  # same content


def test_stata(corpus, tmp_path):
    import pandas as pd

    export_dataset(corpus, tmp_path / "s", stata=True)
    reports = pd.read_stata(tmp_path / "s" / "reports.dta")
    assert reports.loc[0, "agency"] == "武汉市甲区住房和城乡建设局"
    assert reports.loc[0, "text_source"] == "pdf"
    wide = pd.read_stata(tmp_path / "s" / "statistics_wide.dta")
    assert "core_requests_new" in wide.columns and wide.loc[0, "core_requests_new"] == 12
    assert math.isnan(wide.loc[0, "core_proactive_items"])
    long = pd.read_stata(tmp_path / "s" / "statistics_long.dta")
    assert "本年新收" in " ".join(long["evidence"])
    cb = pd.read_csv(tmp_path / "s" / "codebook.csv", keep_default_na=False)
    mapping = cb[(cb["file"] == "statistics_wide.csv") & (cb["name"] == "core.requests_new")]["stata_name"]
    assert list(mapping) == ["core_requests_new"]
    again = tmp_path / "s2"
    export_dataset(corpus, again, stata=True)
    assert (again / "reports.dta").read_bytes() == (tmp_path / "s" / "reports.dta").read_bytes()


def test_stata_names_follow_the_rules():
    names = stata_names(["core.requests_new", "1st", "in", "a" * 40, "a" * 40 + "b", "x-y", "X_Y"])
    assert names["core.requests_new"] == "core_requests_new"
    assert names["1st"] == "_1st" and names["in"] == "in_"
    assert all(len(v) <= 32 for v in names.values())
    assert len({v.lower() for v in names.values()}) == len(names)


def test_errors_as_messages(corpus, tmp_path):
    with pytest.raises(ExportError, match="database not found"):
        export_dataset(tmp_path / "nope.db", tmp_path / "o")
    assert not (tmp_path / "nope.db").exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="other files"):
        export_dataset(corpus, busy)
    export_dataset(corpus, busy, force=True)
    assert (busy / "notes.txt").read_text() == "mine" and (busy / "reports.csv").exists()
    # a previous export in the same directory is replaced, stale optional files removed
    export_dataset(corpus, tmp_path / "re", stata=True)
    export_dataset(corpus, tmp_path / "re")
    assert not (tmp_path / "re" / "reports.dta").exists()
    not_ogi = tmp_path / "other.db"
    sqlite3.connect(not_ogi).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ExportError, match="not an ogi database"):
        export_dataset(not_ogi, tmp_path / "o2")


def test_empty_corpus_is_a_valid_package(tmp_path, caplog):
    import frictionless
    import pandas as pd

    db = tmp_path / "empty.db"
    Store(db).close()
    result = export_dataset(db, tmp_path / "e", stata=True)
    assert result.n_reports == 0 and result.warnings
    assert "writing an empty package" in caplog.text
    assert frictionless.validate(tmp_path / "e" / "datapackage.json").valid
    assert list(pd.read_csv(tmp_path / "e" / "reports.csv").columns)[0] == "report_id"
    assert len(pd.read_stata(tmp_path / "e" / "reports.dta")) == 0


def test_cli(corpus, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli"
    res = runner.invoke(export_command, ["--db", str(corpus), "--out", str(out), "--year", "2021",
                                         "--province", "广东省", "--excel", "--stata"])
    assert res.exit_code == 0, res.output
    assert "1 reports" in res.output
    assert (out / "reports.dta").exists() and (out / "reports.csv").read_bytes().startswith(BOM)
    res = runner.invoke(export_command, ["--db", str(tmp_path / "missing.db"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "database not found" in res.output and "Traceback" not in res.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    res = runner.invoke(export_command, ["--db", str(corpus), "--out", str(tmp_path / "full")])
    assert res.exit_code == 1 and "--force" in res.output
    res = runner.invoke(export_command, ["--db", str(corpus), "--out", str(tmp_path / "full"), "--force"])
    assert res.exit_code == 0, res.output
    empty = tmp_path / "empty.db"
    Store(empty).close()
    res = runner.invoke(export_command, ["--db", str(empty), "--out", str(tmp_path / "e")])
    assert res.exit_code == 1 and "--allow-empty" in res.output and not (tmp_path / "e").exists()
    res = runner.invoke(export_command, ["--db", str(empty), "--out", str(tmp_path / "e"), "--allow-empty"])
    assert res.exit_code == 0 and res.output.count("writing an empty package") == 1, res.output


def test_codebook_is_the_extractors_codebook(corpus, tmp_path):
    """One codebook: the export's is exactly what the extractor writes, key for key."""
    from extract.stats.keys import CODEBOOK
    from ogi.codebook import load_codebook

    book, source = load_codebook()
    assert source == "extract.stats.keys.CODEBOOK"
    assert set(book) == set(CODEBOOK)
    assert len([k for k in book if k.startswith("core.")]) == 16
    assert book["requests.other_misc.total"].forms == ("form2021",)
    for key, (label, gloss, unit, forms) in CODEBOOK.items():
        info = book[key]
        assert (info.label_zh, info.label_en, info.unit, info.forms) == (label, gloss, unit, tuple(forms))
    export_dataset(corpus, tmp_path / "cb")
    assert "extract.stats.keys.CODEBOOK" in (tmp_path / "cb" / "README.md").read_text(encoding="utf-8")

