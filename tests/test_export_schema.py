"""The export's schema, pinned: golden headers for every file, and every file agreeing on each report.

tests/test_export.py checks values and that the codebook covers the headers; but datapackage.json, the
codebook and the headers are all generated from the same column lists (ogi/export/spec.py), so a column
dropped there (issue 16: `form` removed from statistics_wide.csv) disagreed with nothing. The lists below
are written out by hand: a schema change must change them too, on purpose, and say so in the changelog of
the dataset. A researcher joining statistics_wide.csv to reports.csv by report_id must also find the same
agency, region, year and form in both: checked per report across every file and format.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from corpus.store import Store
from extract.record import Record, Region, Stat

ID = ["report_id", "agency"]
REGION = ["department", "province", "city", "county", "adcode"]
CORE = ["core.proactive_items", "core.requests_new", "core.requests_carried_over", "core.requests_granted",
        "core.requests_partial", "core.requests_denied", "core.requests_unavailable", "core.requests_rejected",
        "core.requests_other", "core.requests_handled", "core.requests_carried_forward", "core.review_total",
        "core.review_corrected", "core.litigation_total", "core.litigation_corrected", "core.fees_collected_yuan"]

GOLDEN_HEADERS = {
    "reports.csv": [*ID, "agency_id", "agency_as_printed", *REGION, "report_year", "title", "published_at", "document_date", "form",
                    "source_url", "alt_source_urls", "sha256", "text_source", "flags", "n_flags", "errors", "n_errors",
                    "n_statistics", "site_id", "first_seen", "last_seen", "page_urls", "page_sha256", "attachment_urls",
                    "attachment_sha256", "cross_year_flags", "similarity_prev_year", "nearest_peer",
                    "nearest_peer_similarity"],
    "statistics_long.csv": [*ID, "agency_id", "adcode", "report_year", "key", "value", "source", "evidence", "flags",
                            "capture_id",
                            "capture_url", "capture_sha256", "fetched_at"],
    "statistics_wide.csv": [*ID, "agency_id", *REGION, "report_year", "form", "n_flags", *CORE],
    "year_over_year.csv": ["report_id", "prev_report_id", "agency", "adcode", "report_year", "key", "previous", "current",
                           "delta"],
    "peers.csv": [*ID, "province", "city", "county", "adcode", "report_year", "requests_new", "requests_handled",
                  "share_granted", "share_denied", "share_reviewed", "rank_in_county", "agencies_in_county",
                  "rank_in_province", "agencies_in_province"],
    "codebook.csv": ["kind", "file", "name", "stata_name", "label_zh", "label_en", "unit", "type", "forms",
                     "description"],
}
GOLDEN_TEXT_KEYS = ["report_id", "agency", "report_year", "title", "source_url", "sha256", "text"]
TABLES = ["reports", "statistics_long", "statistics_wide", "year_over_year", "peers"]
INTEGER = {"report_id", "agency_id", "report_year", "n_flags", "n_errors", "n_statistics", "capture_id", "prev_report_id",
           "nearest_peer", "rank_in_county", "agencies_in_county", "rank_in_province", "agencies_in_province"}
NUMBER = {*CORE, "value", "previous", "current", "delta", "similarity_prev_year", "nearest_peer_similarity",
          "requests_new", "requests_handled", "share_granted", "share_denied", "share_reviewed"}
GOLDEN_FILES = sorted([*(f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet", "dta")), "texts.jsonl",
                       "codebook.csv", "codebook.md", "datapackage.json", "README.md", "CITATION.cff", "SHA256SUMS"])
# The columns that name a report (its identity and region) and must agree wherever they appear.
IDENTITY = ["agency", "department", "province", "city", "county", "adcode", "report_year", "form", "n_flags", "title",
            "source_url", "sha256"]

A, B = Region("湖北省", "武汉市", "甲区", "420101"), Region("广东省", "广州市", "乙区", "440101")


def _core(new: int, handled: int, granted: int) -> list[Stat]:
    return [Stat("core.requests_new", new, "table", f"新收 {new}"), Stat("core.requests_handled", handled, "table", "x"),
            Stat("core.requests_granted", granted, "table", "x"), Stat("core.proactive_items", 100 + new, "text", "y")]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """Two counties, agencies reporting in consecutive years (year-over-year rows), peers in a county,
    a report with flags and one with an attachment; exported with every format."""
    from ogi.export import export_dataset

    base = tmp_path_factory.mktemp("schema")
    db = base / "ogi.db"
    with Store(db) as s:
        s.upsert_site("a", "武汉市甲区人民政府", *A.__dict__.values(), ["http://a/"], "trs", True)
        s.upsert_site("b", "广州市乙区人民政府", *B.__dict__.values(), ["http://b/"], "hanweb", True)
        run = s.start_run("a")
        cap = s.record_capture("http://a/r.pdf", site_id="a", run_id=run, kind="attachment", status=200,
                               content_type="application/pdf", body=b"%PDF-1.4 report")
        s.finish_run(run, status="ok", list_pages=1, detail_pages=1, attachments=1, reports=1, errors=0)
        specs = [  # agency, department, region, year, form, stats, flags
            ("武汉市甲区人民政府", "人民政府", A, 2021, "form2021", _core(10, 9, 5), []),
            ("武汉市甲区人民政府", "人民政府", A, 2022, "form2021", _core(14, 14, 7), ["balance_mismatch"]),
            ("武汉市甲区教育局", "教育", A, 2022, "form2021", _core(3, 3, 1), []),
            ("武汉市甲区教育局", "教育", A, 2020, "form2019", _core(2, 2, 2), []),
            ("广州市乙区人民政府", "人民政府", B, 2019, "narrative", [Stat("core.proactive_items", 1520, "text", "z")], []),
            ("广州市乙区人民政府", "人民政府", B, 2020, "form2019", _core(8, 7, 3), ["parts_sum", "text_table_disagree"]),
        ]
        for i, (agency, dept, region, year, form, stats, flags) in enumerate(specs):
            rec = Record(agency=agency, agency_as_printed=agency, department=dept, region=region, report_year=year,
                         title=f"{agency}{year}年政府信息公开工作年度报告", published_at=f"{year + 1}-01-2{i}",
                         form=form, source_url=f"http://{region.adcode}/{i}.html", text=f"{agency}{year}年报告正文。",
                         text_source="html", stats=stats, flags=flags, sha256=f"{i:064x}", is_report=True)
            s.save_report(rec, site_id="a" if region is A else "b", capture_ids=[cap] if i == 0 else [])
    out = base / "out"
    export_dataset(db, out, stata=True)
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_every_file_is_written(exported):
    assert sorted(p.name for p in exported.iterdir()) == GOLDEN_FILES
    listed = [line.split("  ", 1)[1] for line in (exported / "SHA256SUMS").read_text().splitlines()]
    assert sorted(listed) == sorted(set(GOLDEN_FILES) - {"SHA256SUMS"})


@pytest.mark.parametrize("name", sorted(GOLDEN_HEADERS))
def test_csv_header_is_the_golden_one(exported, name):
    assert _header(exported / name) == GOLDEN_HEADERS[name]


@pytest.mark.parametrize("table", TABLES)
def test_parquet_schema_is_the_golden_one(exported, table):
    import pyarrow.parquet as pq

    schema = pq.read_schema(exported / f"{table}.parquet")
    golden = GOLDEN_HEADERS[f"{table}.csv"]
    assert schema.names == golden
    want = {c: "int64" if c in INTEGER else "double" if c in NUMBER else "string" for c in golden}
    assert {f.name: str(f.type) for f in schema} == want


@pytest.mark.parametrize("table", TABLES)
def test_stata_variables_are_the_golden_ones(exported, table):
    import pandas as pd

    with pd.io.stata.StataReader(exported / f"{table}.dta") as reader:
        names = list(reader.variable_labels())
    assert names == [c.replace(".", "_") for c in GOLDEN_HEADERS[f"{table}.csv"]]


def test_texts_jsonl_keys(exported):
    lines = (exported / "texts.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines and all(list(json.loads(line)) == GOLDEN_TEXT_KEYS for line in lines)


def test_datapackage_and_codebook_describe_the_files_as_written(exported):
    """Not generated-from-the-same-list agreement: each resource's fields against the file's own header."""
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in package["resources"]}
    assert sorted(resources) == sorted([f"{t}.csv" for t in TABLES] + ["texts.jsonl", "codebook.csv"])
    codebook = _csv(exported / "codebook.csv")
    for path, resource in resources.items():
        fields = [f["name"] for f in resource["schema"]["fields"]]
        if path == "texts.jsonl":
            assert fields == GOLDEN_TEXT_KEYS
            continue
        assert fields == _header(exported / path) == GOLDEN_HEADERS[path], path
        types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        for name, typ in types.items():
            if name in INTEGER:
                assert typ == "integer", (path, name)
            elif name in NUMBER:
                assert typ == "number", (path, name)
            else:
                assert typ in ("string", "date"), (path, name)
        if path != "codebook.csv":
            documented = [r["name"] for r in codebook if r["kind"] == "column" and r["file"] == path]
            assert documented == fields, path


def test_every_file_agrees_on_each_report(exported):
    """The identity columns of a report are the same in every file (CSV, Parquet, Stata, JSON Lines)."""
    import pandas as pd
    import pyarrow.parquet as pq

    reports = {int(r["report_id"]): r for r in _csv(exported / "reports.csv")}
    assert len(reports) == 6

    def same(row: dict, rid: int, columns: list[str], where: str) -> None:
        for col in columns:
            if col in row:
                got = "" if row[col] is None else str(row[col])
                assert got == reports[rid][col], (where, rid, col, got, reports[rid][col])

    wide = _csv(exported / "statistics_wide.csv")
    assert [int(r["report_id"]) for r in wide] == list(reports)
    for row in wide:
        same(row, int(row["report_id"]), IDENTITY, "statistics_wide.csv")
    long = _csv(exported / "statistics_long.csv")
    assert {int(r["report_id"]) for r in long} == set(reports)
    for row in long:
        same(row, int(row["report_id"]), IDENTITY, "statistics_long.csv")
        if row["key"] in CORE:  # the wide file carries the same number
            wide_row = next(w for w in wide if w["report_id"] == row["report_id"])
            assert float(wide_row[row["key"]]) == float(row["value"])
    for r in reports.values():
        assert int(r["n_statistics"]) == sum(1 for x in long if x["report_id"] == r["report_id"])
    texts = [json.loads(line) for line in (exported / "texts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [t["report_id"] for t in texts] == list(reports)
    for t in texts:
        same(t, t["report_id"], IDENTITY, "texts.jsonl")
    peers = _csv(exported / "peers.csv")
    assert [int(r["report_id"]) for r in peers] == list(reports)
    for row in peers:
        same(row, int(row["report_id"]), IDENTITY, "peers.csv")
    yoy = _csv(exported / "year_over_year.csv")
    assert {int(r["report_id"]) for r in yoy} == {rid for rid, r in reports.items() if any(
        p["agency"] == r["agency"] and int(p["report_year"]) == int(r["report_year"]) - 1 for p in reports.values())}
    for row in yoy:
        rid, prev = int(row["report_id"]), int(row["prev_report_id"])
        same(row, rid, IDENTITY, "year_over_year.csv")
        assert reports[prev]["agency"] == row["agency"] and reports[prev]["adcode"] == row["adcode"]
        assert int(reports[prev]["report_year"]) == int(row["report_year"]) - 1
    # Parquet and Stata copies: the same rows, in the same order, with the same identity columns.
    for table in TABLES:
        csv_rows = _csv(exported / f"{table}.csv")
        for rows, fmt in ((pq.read_table(exported / f"{table}.parquet").to_pylist(), "parquet"),
                          (pd.read_stata(exported / f"{table}.dta").to_dict("records"), "dta")):
            assert len(rows) == len(csv_rows), (table, fmt)
            for row, csv_row in zip(rows, csv_rows, strict=True):
                assert int(row["report_id"]) == int(csv_row["report_id"]), (table, fmt)
                for col in ("agency", "adcode", "province", "county", "form", "key"):
                    if col in csv_row:
                        assert (row[col] or "") == csv_row[col], (table, fmt, col)
                for col in ("report_year", "n_flags", "prev_report_id"):
                    if col in csv_row:
                        assert int(row[col]) == int(csv_row[col]), (table, fmt, col)
