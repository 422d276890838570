"""The real spider against the offline demo portal (demosites), in-process.

The expected sets below are written out by hand from what the portal publishes, so a crawler that
misses a list page, a POST-paginated group, a JS-written attachment or a GBK page fails here.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from corpus.summary import crawl_summary

EXPECTED_REPORTS = {
    # site: {(agency, report year, form, where the text came from)}
    "dxh": {
        ("东西湖区人民政府", 2020, "form2019", "html"),
        ("东西湖区人民政府", 2021, "form2021", "html"),
        ("东西湖区住房和城乡建设局", 2016, "narrative", "html"),
        ("东西湖区住房和城乡建设局", 2019, "narrative", "pdf"),  # seed 000, a PDF attachment
        ("东西湖区住房和城乡建设局", 2021, "form2021", "html"),
        ("东西湖区卫生健康局", 2022, "form2021", "html"),
        ("东西湖区吴家山街道办事处", 2021, "form2021", "html"),
        ("东西湖区将军路街道办事处", 2020, "form2019", "html"),
        ("东西湖区教育局", 2020, "form2019", "html"),
        ("东西湖区教育局", 2023, "form2021", "html"),
        ("东西湖区财政局", 2018, "legacy_table", "html"),
        ("东西湖区财政局", 2021, "form2021", "html"),
    },
    "zz": {
        ("长子县丹朱镇人民政府", 2022, "form2021", "html"),
        ("长子县人民政府", 2019, "form2019", "html"),
        ("长子县人民政府", 2020, "form2019", "html"),
        ("长子县住房和城乡建设局", 2019, "narrative", "pdf"),  # seed 004, PDF with the font-map defect
        ("长子县教育局", 2020, "form2019", "html"),
        ("长子县财政局", 2021, "form2021", "docx"),  # attachment written by JavaScript
    },
    "jh": {
        ("江海区人民政府", 2021, "form2021", "html"),
        ("江海区住房和城乡建设局", 2020, "form2019", "docx"),  # seed 003, a DOCX attachment
        ("江海区卫生健康局", 2016, "narrative", "html"),
        ("江海区外海街道办事处", 2023, "form2021", "html"),
        ("江海区礼乐街道办事处", 2020, "form2019", "html"),
    },
    "zc": {
        ("周村区丝绸路街道办事处", 2021, "form2021", "html"),
        ("周村区人民政府", 2015, "legacy_table", "html"),
        ("周村区人民政府", 2018, "legacy_table", "html"),
        ("周村区人民政府", 2019, "form2019", "html"),
        ("周村区人民政府", 2020, "form2019", "html"),
        ("周村区人民政府", 2021, "form2021", "html"),
        ("周村区人民政府", 2022, "form2021", "html"),
        ("周村区住房和城乡建设局", 2017, "legacy_table", "html"),  # seed 001
        ("周村区卫生健康局", 2022, "form2021", "pdf"),  # downfile.jsp -> 302 -> /attach/
        ("周村区教育局", 2021, "form2021", "html"),
        ("周村区王村镇人民政府", 2022, "form2021", "html"),
        ("周村区财政局", 2020, "form2019", "html"),
    },
    "hs": {
        ("霍山县人民政府", 2021, "form2021", "html"),
        ("霍山县住房和城乡建设局", 2020, "narrative", "html"),  # seed 002, a GBK page
        ("霍山县教育局", 2022, "form2021", "html"),
        ("霍山县衡山镇人民政府", 2019, "form2019", "html"),
        # 部门年报: a Hanweb list of three dataproxy groups (HS_PROXY_GROUPS); 民政局 2019 is only in the last
        *((f"霍山县{unit}", year, "form2021" if year >= 2021 else "form2019", "html")
          for unit in ("财政局", "卫生健康局", "民政局", "交通运输局") for year in (2019, 2020, 2021, 2022)),
    },
}

EXPECTED_ATTACHMENTS = {  # site: attachment file kinds fetched
    "dxh": ["pdf"],
    "zz": ["docx", "pdf"],
    "jh": ["docx"],
    "zc": ["pdf"],
    "hs": [],
}

EXPECTED_LIST_PAGES = {  # every page of every report list, including sub-columns
    "dxh": {"/zwgk/zfxxgknb/index.html", "/zwgk/zfxxgknb/qzf_1234/index.html", "/zwgk/zfxxgknb/bm_5678/index.html",
            "/zwgk/zfxxgknb/bm_5678/index_1.html", "/zwgk/zfxxgknb/bm_5678/index_2.html",
            "/zwgk/zfxxgknb/jd_9012/index.html"},
    "zz": {"/xxgk/zfxxgknb/index.shtml"} | {f"/xxgk/zfxxgknb/{y}n/index.shtml" for y in range(2019, 2023)},
    "jh": {"/zwgk/zfxxgknb/index.html", "/zwgk/zfxxgknb/index_1.html"},
    "zc": {"/col/col1528/index.html"},
    "hs": {"/col/col2093/index.html", "/col/col2094/index.html"},
}
ZC_PROXY = "/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=16&perpage=4"
# 霍山县 部门年报: 19 entries, 2 per page, 6 embedded; the rest in groups of 3 pages (6 records), last one short.
HS_PROXY_GROUPS = [f"/module/web/jpage/dataproxy.jsp?startrecord={a}&endrecord={b}&perpage=2"
                   for a, b in ((7, 12), (13, 18), (19, 19))]
EXPECTED_LIST_PAGES["zc"].add(ZC_PROXY)
EXPECTED_LIST_PAGES["hs"].update(HS_PROXY_GROUPS)


def reports_by_site(scenario) -> dict[str, set]:
    out: dict[str, set] = {}
    for site, agency, year, form, source in scenario.query(
            "SELECT site_id, agency, report_year, form, text_source FROM reports"):
        out.setdefault(site, set()).add((agency, year, form, source))
    return out


def test_first_crawl_finds_exactly_the_published_reports(demo_crawls):
    assert reports_by_site(demo_crawls["first"]) == EXPECTED_REPORTS


def test_expected_set_matches_the_portals_own_manifest(demo_crawls):
    """Guards the hand-written list above against drifting from what the portal serves."""
    manifest = demo_crawls["first"].manifest
    published = {(m["site_id"], m["agency"], m["report_year"]) for m in manifest if not m.get("decoy")}
    expected = {(site, a, y) for site, rows in EXPECTED_REPORTS.items() for a, y, _f, _s in rows}
    assert published == expected


def test_no_decoy_is_stored_and_every_listed_decoy_was_read(demo_crawls):
    first = demo_crawls["first"]
    decoys = [m for m in first.manifest if m.get("decoy")]
    assert len(decoys) >= 5
    stored_urls = {u for (u,) in first.query("SELECT source_url FROM reports")}
    stored_titles = {t for (t,) in first.query("SELECT title FROM reports")}
    fetched = {u for (u,) in first.query("SELECT url FROM captures WHERE kind = 'detail'")}
    for decoy in decoys:
        assert decoy["detail_url"] not in stored_urls
        assert decoy["title"] not in stored_titles
        if decoy["title"] != "政府信息公开指南":  # linked from the nav, not from a report list
            assert decoy["detail_url"] in fetched, f"decoy in a report list was not read: {decoy['title']}"


def test_every_list_page_of_every_column_was_read(demo_crawls):
    first = demo_crawls["first"]
    ok_paths: dict[str, set] = {}
    for site, _method, path, status in first.request_log:
        if status == 200:
            ok_paths.setdefault(site, set()).add(path)
    for site, pages in EXPECTED_LIST_PAGES.items():
        missing = pages - ok_paths.get(site, set())
        assert not missing, f"{site}: list pages not read: {missing}"
    posts = [(s, p) for s, m, p, st in first.request_log if m == "POST"]
    # Exactly the proxy groups each list needs, each once (the scheduler decides the order between them).
    assert sorted(posts) == sorted([("zc", ZC_PROXY)] + [("hs", p) for p in HS_PROXY_GROUPS])
    # The spider never guessed static pages the Hanweb sites don't have.
    assert not [p for s, _m, p, _st in first.request_log if s in ("zc", "hs") and "index_1" in p]


def test_run_rows_count_what_was_read(demo_crawls):
    first = demo_crawls["first"]
    run_ids = list(first.results[0].run_ids.values())
    summary = crawl_summary(first.db, run_ids)
    runs = {r["site_id"]: r for r in summary["runs"]}
    assert {site: r["status"] for site, r in runs.items()} == dict.fromkeys(EXPECTED_REPORTS, "ok")
    for site, pages in EXPECTED_LIST_PAGES.items():
        assert runs[site]["list_pages"] == len(pages), site
        assert runs[site]["reports"] == len(EXPECTED_REPORTS[site]), site
        assert runs[site]["attachments"] == len(EXPECTED_ATTACHMENTS[site]), site
    assert summary["errors"] == []
    stats = first.results[0].stats
    assert stats["ogi/reports"] == sum(len(v) for v in EXPECTED_REPORTS.values())


def test_attachments_are_captured_with_their_bytes(demo_crawls, tmp_path):
    first = demo_crawls["first"]
    rows = first.query("SELECT site_id, url, final_url, sha256, raw_path, size FROM captures WHERE kind='attachment'")
    kinds: dict[str, list] = {site: [] for site in EXPECTED_ATTACHMENTS}
    raw_dir = first.db.parent / "raw"
    for site, url, final_url, sha, raw_path, size in rows:
        name = final_url or url
        kinds[site].append(re.search(r"\.(pdf|docx?)\b", name).group(1))
        data = (raw_dir / raw_path).read_bytes()
        assert len(data) == size and data[:4] in (b"%PDF", b"PK\x03\x04")
        assert hashlib.sha256(data).hexdigest() == sha
    assert {s: sorted(k) for s, k in kinds.items()} == EXPECTED_ATTACHMENTS
    # The Hanweb download link was followed through its 302 to /attach/.
    (final,) = [f for s, u, f, *_ in rows if "downfile.jsp" in u]
    assert "/attach/0/" in final


def test_reports_link_to_their_captures_and_gbk_text_is_readable(demo_crawls):
    first = demo_crawls["first"]
    orphans = first.query("SELECT report_id FROM reports WHERE report_id NOT IN (SELECT report_id FROM report_captures)")
    assert orphans == []
    (text,) = first.query("SELECT text FROM reports WHERE agency='霍山县住房和城乡建设局'")[0]
    assert "全年受理依申请公开1件" in text.replace(" ", "")
    assert "浏览次数" not in text  # page chrome stripped
    (pdf_text,) = first.query("SELECT text FROM reports WHERE agency='长子县住房和城乡建设局'")[0]
    assert "丌" not in pdf_text and "参与回复" in pdf_text


def test_region_comes_from_the_registry(demo_crawls):
    rows = demo_crawls["first"].query("SELECT DISTINCT site_id, province, county, adcode FROM reports")
    expected = {("dxh", "湖北省", "东西湖区", "420112"), ("zz", "山西省", "长子县", "140428"),
                ("jh", "广东省", "江海区", "440704"), ("zc", "山东省", "周村区", "370306"),
                ("hs", "安徽省", "霍山县", "341525")}
    assert set(rows) == expected


def test_second_crawl_adds_nothing(demo_crawls):
    second = demo_crawls["second"]
    tables = ["sites", "reports", "statistics", "captures", "report_captures", "crawl_errors"]
    counts = {t: second.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}
    assert counts["reports"] == sum(len(v) for v in EXPECTED_REPORTS.values())
    # Captures were fetched again (the second run's requests reached the portal) but kept once.
    assert len(second.request_log) > 50
    (max_fetch,) = second.query("SELECT MAX(fetch_count) FROM captures WHERE kind='detail'")[0]
    assert max_fetch == 2
    (dupes,) = second.query("SELECT COUNT(*) FROM (SELECT url, sha256 FROM captures GROUP BY 1, 2 HAVING COUNT(*) > 1)")[0]
    assert dupes == 0
    assert second.query("SELECT COUNT(*) FROM crawl_runs")[0][0] == 2 * len(EXPECTED_REPORTS)
    # Both runs stored the same numbers: nothing was duplicated or replaced by something else.
    (stats_per_report,) = second.query(
        "SELECT COUNT(*) FROM (SELECT report_id, key FROM statistics GROUP BY 1, 2 HAVING COUNT(*) > 1)")[0]
    assert stats_per_report == 0
    assert counts["crawl_errors"] == 0


@pytest.fixture(scope="module")
def faults(demo_crawls):
    scenario = demo_crawls["faults"]
    runs = {site: (status, errors, message) for site, status, errors, message in scenario.query(
        "SELECT site_id, status, errors, message FROM crawl_runs")}
    errors = scenario.query("SELECT site_id, kind, url, message FROM crawl_errors")
    return scenario, runs, errors


def test_unreachable_site_is_recorded_and_the_crawl_goes_on(faults):
    scenario, runs, errors = faults
    assert runs["dead"][0] == "unreachable"
    assert "Connection was refused" in runs["dead"][2]
    assert [e for e in errors if e[0] == "dead"][0][1] == "unreachable"
    # Every other site of the same crawl was crawled normally.
    assert {s for s, (status, *_rest) in runs.items() if status == "ok"} == set(EXPECTED_REPORTS)


def test_missing_list_page_is_recorded(faults):
    scenario, runs, errors = faults
    assert runs["bad"][0] == "partial"
    (err,) = [e for e in errors if e[1] == "http_404"]
    assert err[0] == "bad" and err[2].endswith("/index_2.html") and "list page answered HTTP 404" in err[3]


def test_corrupt_pdf_keeps_the_report_with_the_error(faults):
    scenario, runs, errors = faults
    corrupt = [m for m in scenario.manifest if m.get("corrupt")]
    assert len(corrupt) == 1
    rows = scenario.query("SELECT agency, report_year, text, errors, flags FROM reports WHERE source_url = ?",
                          (corrupt[0]["detail_url"],))
    assert len(rows) == 1
    agency, year, text, errs, flags = rows[0]
    assert (agency, year) == (corrupt[0]["agency"], corrupt[0]["report_year"])
    assert text == "" and "pdf could not be opened" in errs and "extraction failed" in flags
    assert any(e[1] == "extract" and "pdf could not be opened" in e[3] for e in errors)
    # The rest of the faulty site's reports are there.
    good = {(m["agency"], m["report_year"]) for m in scenario.manifest
            if m["site_id"] == "bad" and not m.get("decoy")}
    stored = set(scenario.query("SELECT agency, report_year FROM reports WHERE site_id='bad'"))
    assert stored == good
