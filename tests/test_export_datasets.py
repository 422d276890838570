"""What a researcher needs from an export beyond the tables: CITATION.cff (the export's and the repository's),
licences, sources and contributors in datapackage.json, the flags that concern each number in
statistics_long, Stata files with Chinese and English labels, dates, value labels and a panel id per agency,
and a codebook that cites nothing outside the package."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from corpus.store import Store
from extract.record import Record, Region, Stat

ROOT = Path(__file__).resolve().parents[1]
A = Region("湖北省", "武汉市", "甲区", "420101")
GRANTED_FLAG = "table 三 row granted: columns add up to 3, total says 4"
TEXT_FLAG = "text says 5 requests received (共收到申请5件) while table 三 says 6"


def _stats() -> list[Stat]:
    return [Stat("core.requests_new", 6, "table", "table 三: 一、本年新收 | 6"),
            Stat("requests.granted.total", 4, "table", "table 三: (一)予以公开 | 1 | 2 | 4"),
            Stat("requests.granted.natural_person", 1, "table", "table 三: (一)予以公开 | 1 | 2 | 4"),
            Stat("requests.partial.total", 0, "table", "table 三: (二)部分公开 | 0"),
            Stat("core.proactive_items", 120, "text", "主动公开政府信息120条")]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path, object]:
    from ogi.export import export_dataset

    base = tmp_path_factory.mktemp("datasets")
    db = base / "ogi.db"
    with Store(db) as s:
        s.upsert_site("a", "武汉市甲区人民政府", *A.__dict__.values(), ["http://a/"], "trs", True)
        run = s.start_run("a")
        s.finish_run(run, status="ok", list_pages=1, detail_pages=3, attachments=0, reports=3, errors=0)
        for i, (agency, year, flags, published, signed) in enumerate([
            ("武汉市甲区人民政府", 2021, [GRANTED_FLAG, TEXT_FLAG], "2022-01-20", "2022-01-15"),
            ("武汉市甲区人民政府", 2022, [], "2023-01-20", None),
            ("武汉市甲区教育局", 2022, [], "2023-01-18", "2023-01-10"),
        ]):
            s.save_report(Record(agency=agency, agency_as_printed=agency, department="人民政府", region=A,
                                 report_year=year, title=f"{agency}{year}年政府信息公开工作年度报告",
                                 published_at=published, document_date=signed, form="form2021" if i else "narrative",
                                 source_url=f"http://a/{i}.html", text="正文。", text_source="html",
                                 stats=_stats(), flags=flags, is_report=True), site_id="a", capture_ids=[])
    out = base / "out"
    result = export_dataset(db, out, stata=True)
    return db, out, result


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_citation_cff_in_the_export(exported) -> None:
    _db, out, result = exported
    cff = yaml.safe_load((out / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset"
    assert cff["version"] == result.version and cff["authors"] == [{"name": "ogi contributors"}]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", str(cff["date-released"]))
    assert "3 government information-disclosure annual reports, report years 2021–2022" in cff["abstract"]
    assert "CITATION.cff" in (out / "SHA256SUMS").read_text() and "CITATION.cff" in (out / "README.md").read_text()


def test_citation_cff_in_the_repository() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software" and cff["title"].startswith("ogi")


def test_datapackage_licenses_sources_contributors(exported) -> None:
    _db, out, _ = exported
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] and all(lic.get("name") and lic.get("title") for lic in package["licenses"])
    assert [s["title"].split(" (")[0] for s in package["sources"]] == ["武汉市甲区人民政府"]
    assert {c["role"] for c in package["contributors"]} == {"author", "publisher"}
    import frictionless

    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_statistics_long_flags_per_number(exported) -> None:
    _db, out, _ = exported
    rows = {(int(r["report_id"]), r["key"]): r for r in _csv(out / "statistics_long.csv")}
    flagged = {k: r["flags"] for (rid, k), r in rows.items() if rid == 1}
    assert flagged["requests.granted.total"] == flagged["requests.granted.natural_person"] == GRANTED_FLAG
    assert flagged["core.requests_new"] == TEXT_FLAG
    assert flagged["requests.partial.total"] == "" and flagged["core.proactive_items"] == ""
    assert all(r["flags"] == "" for (rid, _), r in rows.items() if rid != 1)


def test_stata_labels_dates_codes_and_panel_id(exported) -> None:
    import pandas as pd

    _db, out, _ = exported
    with pd.io.stata.StataReader(out / "reports.dta") as reader:
        labels = reader.variable_labels()
        value_labels = reader.value_labels()
    assert labels["report_year"] == "报告年度 / year the report covers (not the year published)"
    assert labels["published_at"].startswith("发布日期 / ")
    assert all(len(v) <= 80 for v in labels.values())
    assert value_labels["form"] == {0: "form2021", 1: "form2019", 2: "legacy_table", 3: "narrative"}
    frame = pd.read_stata(out / "reports.dta")
    assert str(frame["published_at"].dtype).startswith("datetime64")
    assert frame["published_at"].dt.strftime("%Y-%m-%d").tolist() == ["2022-01-20", "2023-01-20", "2023-01-18"]
    assert frame["document_date"].isna().tolist() == [False, True, False]
    assert frame["form"].astype(str).tolist() == ["narrative", "form2021", "form2021"]
    ids = frame["agency_id"].tolist()
    assert ids[0] == ids[1] != ids[2] and all(float(i).is_integer() for i in ids)
    raw = pd.read_stata(out / "reports.dta", convert_categoricals=False)
    assert raw["form"].tolist() == [3, 0, 0]
    long = pd.read_stata(out / "statistics_long.dta", convert_categoricals=False)
    assert set(long["source"]) == {0, 1}  # table, text


def test_panel_id_is_the_same_in_every_export(exported, tmp_path: Path) -> None:
    from ogi.export import export_dataset

    db, out, _ = exported
    export_dataset(db, tmp_path / "one", agencies=["教育局"])
    whole = {r["agency"]: r["agency_id"] for r in _csv(out / "reports.csv")}
    part = {r["agency"]: r["agency_id"] for r in _csv(tmp_path / "one" / "reports.csv")}
    assert part == {"武汉市甲区教育局": whole["武汉市甲区教育局"]}
    wide = {r["agency_id"] for r in _csv(out / "statistics_wide.csv")}
    assert wide == set(whole.values())


@pytest.mark.parametrize("stata", [True, False])
def test_package_cites_only_its_own_files(exported, tmp_path: Path, stata: bool) -> None:
    from ogi.export import export_dataset

    db, out, _ = exported
    if not stata:
        out = tmp_path / "plain"
        export_dataset(db, out)
    files = {p.name for p in out.iterdir()}
    for name in ("codebook.md", "codebook.csv", "README.md", "datapackage.json", "CITATION.cff"):
        text = (out / name).read_text(encoding="utf-8")
        assert "spec/metrics.md" not in text, name
        cited = set(re.findall(r"\b([\w-]+\.(?:csv|md|jsonl|json|parquet|dta|cff))\b(?!\()", text))  # not read.csv(
        assert cited <= files, (name, cited - files)
