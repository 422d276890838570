"""Running unattended: crawl lock, `ogi status` verdicts, `ogi schedule` output, completeness cells."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import crawl, demo_sites_as_registry

ROOT = Path(__file__).resolve().parents[1]


# -- lock ------------------------------------------------------------------------------------------------

def test_second_lock_on_the_same_db_is_refused_and_released_after(tmp_path):
    from corpus.lock import CrawlLocked, crawl_lock, is_locked

    db = tmp_path / "ogi.db"
    with crawl_lock(db):
        assert is_locked(db)
        with pytest.raises(CrawlLocked) as err, crawl_lock(db):
            pass
        assert f"pid {os.getpid()}" in str(err.value)
    assert not is_locked(db)
    with crawl_lock(db):  # free again
        pass


def test_ogi_crawl_exits_4_while_another_crawl_holds_the_lock(tmp_path):
    from corpus.lock import crawl_lock

    registry = tmp_path / "sites.csv"
    registry.write_text("site_id,name,province,city,county,adcode,entry_urls,platform,verified,notes\n"
                        "x,某县人民政府,,,,,http://127.0.0.1:9/,trs,no,\n", encoding="utf-8")
    db = tmp_path / "ogi.db"
    with crawl_lock(db):
        done = subprocess.run([sys.executable, "-m", "ogi.cli", "crawl", "--registry", str(registry), "--db", str(db),
                               "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "another ogi crawl is running" in done.stderr
    assert not db.exists() or "crawl_runs" not in db.read_bytes().decode("latin-1")  # nothing was crawled


# -- status ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def status_db(tmp_path_factory):
    """Two real crawls of a mock county whose column loses most items in between, plus runs of other
    sites written through the store (blocked, unreachable, needs a family module, killed)."""
    from corpus.store import Store
    from crawler.run import LOCAL_SETTINGS, CrawlJob
    from demosites import DemoPortal
    from demosites.mutable import MutableCounty

    reports = [(f"五峰土家族自治县{d}", y, "form2021", "html")
               for d in ("教育局", "财政局", "民政局", "卫生健康局", "水利局", "交通运输局") for y in (2021, 2022)]
    shrinking = MutableCounty("wf", "五峰土家族自治县", province="湖北省", city="宜昌市", adcode="420529",
                              reports=reports)
    steady = MutableCounty("cy", "长阳土家族自治县", province="湖北省", city="宜昌市", adcode="420528",
                           reports=[("长阳土家族自治县人民政府", 2021, "form2021", "html")])
    db = tmp_path_factory.mktemp("status") / "ogi.db"
    with DemoPortal(core=False, mock_sites=[shrinking, steady]) as portal:
        sites = demo_sites_as_registry(portal)
        crawl([CrawlJob(sites, db, dict(LOCAL_SETTINGS))])
        shrinking.remove_reports(keep=3)
        crawl([CrawlJob(sites, db, dict(LOCAL_SETTINGS))])
    with Store(db) as store:
        for sid in ("rs", "dead", "odd", "killed"):
            store.upsert_site(sid, f"{sid}县人民政府", None, None, None, None, ["http://x/"], None, False)
        counts = dict(list_pages=0, detail_pages=0, attachments=0, reports=0)
        run = store.start_run("rs")
        store.record_error(run, "rs", "http://x/", "blocked", "HTTP 412 with a Ruishu cookie challenge")
        store.finish_run(run, status="blocked", errors=1, **counts)
        run = store.start_run("dead")
        store.record_error(run, "dead", "http://x/", "unreachable", "Connection was refused")
        store.finish_run(run, status="unreachable", errors=1, **counts)
        run = store.start_run("odd")
        store.finish_run(run, status="needs_family", errors=0, message="no site-family module recognises http://x/",
                         **counts)
        store.start_run("killed")  # left 'running', no crawl holds the lock
    return db


def test_status_verdicts(status_db):
    from ogi.ops import site_health

    health = {h.site_id: h for h in site_health(status_db)}
    assert {k: h.verdict for k, h in health.items()} == {
        "wf": "redesigned", "cy": "ok", "rs": "blocked", "dead": "unreachable", "odd": "needs_family",
        "killed": "interrupted"}
    assert "3 report pages, 12 in the previous run" in health["wf"].reason
    assert "412" in health["rs"].reason and "refused" in health["dead"].reason
    assert [r["list_items"] for r in health["wf"].runs] == [3, 12]


def test_status_command_json_and_table(status_db):
    from ogi.cli.status import status_command

    res = CliRunner().invoke(status_command, ["--db", str(status_db), "--json"])
    assert res.exit_code == 0, res.output
    data = {d["site_id"]: d for d in json.loads(res.output)}
    assert data["wf"]["verdict"] == "redesigned" and len(data["wf"]["runs"]) == 2
    res = CliRunner().invoke(status_command, ["--db", str(status_db)], env={"COLUMNS": "250"})
    assert res.exit_code == 0 and "redesigned" in res.output and "needs_family" in res.output
    res = CliRunner().invoke(status_command, ["--db", str(status_db.parent / "none.db")])
    assert res.exit_code == 1 and "does not exist" in res.output


# -- schedule --------------------------------------------------------------------------------------------

def test_schedule_prints_a_cron_line(tmp_path):
    from ogi.cli.status import schedule_command

    registry = tmp_path / "sites.csv"
    registry.write_text("site_id\n", encoding="utf-8")
    res = CliRunner().invoke(schedule_command, ["--time", "03:05", "--db", str(tmp_path / "d" / "ogi.db"),
                                                "--registry", str(registry), "--dry-run"])
    assert res.exit_code == 0, res.output
    line = res.stdout.strip()
    assert line.startswith("5 3 * * * cd ")
    assert f"-m ogi.cli crawl --registry {registry} --db {tmp_path / 'd' / 'ogi.db'} --quiet" in line
    assert line.endswith("# ogi-crawl") and ">> " in line and "cron.log 2>&1" in line
    bad = CliRunner().invoke(schedule_command, ["--time", "25:00", "--registry", str(registry), "--dry-run"])
    assert bad.exit_code == 2


def test_schedule_install_replaces_the_previous_ogi_line(tmp_path, monkeypatch):
    from ogi.cli.status import schedule_command

    registry = tmp_path / "sites.csv"
    registry.write_text("site_id\n", encoding="utf-8")
    table = tmp_path / "crontab.txt"
    table.write_text("0 1 * * * backup.sh\n0 4 * * * old ogi crawl # ogi-crawl\n", encoding="utf-8")
    fake = tmp_path / "bin" / "crontab"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "-l" ]; then cat {table}; else cat > {table}; fi\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    res = CliRunner().invoke(schedule_command, ["--time", "02:30", "--registry", str(registry), "--install"])
    assert res.exit_code == 0, res.output
    lines = table.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "0 1 * * * backup.sh"
    assert len(lines) == 2 and lines[1].startswith("30 2 * * * ") and lines[1].endswith("# ogi-crawl")


def test_schedule_systemd_writes_service_and_timer(tmp_path):
    from ogi.cli.status import schedule_command

    registry = tmp_path / "sites.csv"
    registry.write_text("site_id\n", encoding="utf-8")
    units = tmp_path / "units"
    res = CliRunner().invoke(schedule_command, ["--systemd", "--unit-dir", str(units), "--time", "01:45",
                                                "--registry", str(registry)])
    assert res.exit_code == 0, res.output
    service = (units / "ogi-crawl.service").read_text(encoding="utf-8")
    timer = (units / "ogi-crawl.timer").read_text(encoding="utf-8")
    assert "Type=oneshot" in service and "-m ogi.cli crawl --registry" in service and "SuccessExitStatus=3" in service
    assert "OnCalendar=*-*-* 01:45:00" in timer and "Persistent=true" in timer
    dry = CliRunner().invoke(schedule_command, ["--systemd", "--unit-dir", str(tmp_path / "no"), "--dry-run",
                                                "--registry", str(registry)])
    assert dry.exit_code == 0 and "[Timer]" in dry.output and not (tmp_path / "no").exists()


# -- completeness ----------------------------------------------------------------------------------------

def test_completeness_cells(demo_crawls):
    from corpus.completeness import completeness, deadline_for

    faults = demo_crawls["faults"]
    m = completeness(faults.db, range(2015, 2024), today=date(2024, 6, 1))
    rows = {(r.site_id, r.agency): r for r in m.rows}
    # found, with the publication date of the portal's manifest and late by the documented deadlines
    reports = [r for r in faults.manifest if not r.get("decoy") and r.get("agency")]
    late_seen = on_time_seen = 0
    for rep in reports:
        cell = rows[(rep["site_id"], rep["agency"])].cells[rep["report_year"]]
        assert cell.state == "found" and cell.published_at == rep["published_at"]
        gov = rep["agency"].endswith(("区人民政府", "县人民政府")) and "镇" not in rep["agency"]
        deadline = deadline_for(rep["report_year"], is_government=gov).isoformat()
        assert cell.late == (rep["published_at"] > deadline)
        late_seen += cell.late
        on_time_seen += not cell.late
    assert late_seen and on_time_seen
    assert deadline_for(2018, is_government=False) == date(2019, 3, 31)
    assert deadline_for(2019, is_government=False) == date(2020, 1, 31)
    assert deadline_for(2019, is_government=True) == date(2020, 3, 31)
    # not found: a crawled site's government in a year without a report, after its first report (2020);
    # the years before that are not missing (issue 13)
    assert rows[("dxh", "东西湖区人民政府")].cells[2022].state == "not_found"
    assert rows[("dxh", "东西湖区人民政府")].cells[2017].state == "before_first"
    assert rows[("dxh", "东西湖区人民政府")].is_government
    # not collected: the unreachable site (only its government is known)
    dead = rows[("dead", "平山县人民政府")]
    assert {c.state for c in dead.cells.values()} == {"not_collected"}
    # not due: deadline still ahead
    early = completeness(faults.db, [2023], today=date(2024, 1, 15))
    assert {r.cells[2023].state for r in early.rows if r.cells[2023].state != "found"} <= {"not_due", "not_collected"}


def test_completeness_command_csv(demo_crawls):
    from ogi.cli.completeness import completeness_command

    res = CliRunner().invoke(completeness_command, ["--db", str(demo_crawls["faults"].db), "--from", "2019",
                                                    "--to", "2020", "--csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert {r["year"] for r in rows} == {"2019", "2020"}
    zz = {(r["agency"], r["year"]): r for r in rows if r["site_id"] == "zz"}
    assert zz[("长子县人民政府", "2019")]["state"] == "found"
    assert zz[("长子县住房和城乡建设局", "2020")]["state"] == "not_found"
    assert zz[("长子县教育局", "2019")]["state"] == "before_first"  # its first report is for 2020
    table = CliRunner().invoke(completeness_command, ["--db", str(demo_crawls["faults"].db), "--site", "zz"],
                               env={"COLUMNS": "250"})
    assert table.exit_code == 0 and "长子县教育局" in table.output
