"""The demo portal serves the site shapes site-patterns.md describes, and its manifest tells the truth."""

from __future__ import annotations

import hashlib
import io
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from demosites import DemoPortal

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"  # the tests' copy of the five seed reports


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, data: bytes | None = None, follow: bool = True) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data)
    try:
        resp = (urllib.request.urlopen if follow else _opener.open)(req, timeout=10)
        return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(faults=True) as p:
        yield p


@pytest.fixture(scope="module")
def sites(portal):
    return {s.site_id: s for s in portal.sites}


@pytest.fixture(scope="module")
def manifest(portal):
    return portal.manifest()


def _report(manifest, site_id: str, agency: str, year: int) -> dict:
    return next(r for r in manifest if r["site_id"] == site_id and r.get("agency") == agency and r.get("report_year") == year)


def _meta(html: str, name: str) -> str | None:
    m = re.search(rf'<meta name="{name}" content="([^"]*)"', html)
    return m.group(1) if m else None


def test_registry_rows(portal):
    from crawler.registry import site_from_row

    rows = [site_from_row(r) for r in portal.registry_rows()]
    assert [r.site_id for r in rows] == [s.site_id for s in portal.sites]
    assert rows[0].entry_urls == [portal.sites[0].entry_url] and rows[0].platform == "trs"


def test_sites_registry(sites):
    assert {"dxh", "zz", "jh", "zc", "hs", "bad", "dead"} <= set(sites)
    assert sites["dxh"].adcode == "420112" and sites["dxh"].platform == "trs"
    assert sites["zc"].platform == "hanweb" and sites["hs"].platform == "hanweb"
    assert sites["hs"].name == "霍山县人民政府" and sites["hs"].county == "霍山县"
    for s in sites.values():
        assert s.entry_url.startswith("http://127.0.0.1:") and s.entry_url.endswith("/")
        assert s.verified


@pytest.mark.parametrize("site_id", ["dxh", "zz", "jh", "zc", "hs"])
def test_home_page_meta_and_nav(sites, site_id):
    status, headers, body = fetch(sites[site_id].entry_url)
    assert status == 200
    html = body.decode("gb18030" if site_id == "hs" else "utf-8")
    assert _meta(html, "SiteName") == sites[site_id].name
    assert _meta(html, "SiteDomain")
    code = _meta(html, "SiteIDCode")
    assert code == ("政府网站标识码" if site_id == "jh" else f"{sites[site_id].adcode}0001")
    for text in ("首页", "政府信息公开", "政府信息公开指南"):
        assert f">{text}</a>" in html


def test_disclosure_page_links_to_the_report_column(sites):
    _, _, body = fetch(sites["dxh"].entry_url + "zwgk/index.html")
    html = body.decode()
    assert '<a href="/zwgk/zfxxgknb/index.html">政府信息公开年报</a>' in html
    assert _meta(html, "ColumnName") == "政府信息公开" and _meta(html, "ColumnType")
    _, _, body = fetch(sites["zz"].entry_url + "xxgk/index.shtml")
    assert ">政府信息公开年度报告</a>" in body.decode()


def test_robots(sites):
    status, _, body = fetch(sites["dxh"].entry_url + "robots.txt")
    assert status == 200 and b"User-agent: *" in body
    assert fetch(sites["zc"].entry_url + "robots.txt")[0] == 404


def test_trs_subcolumns_and_pagination(sites):
    base = sites["dxh"].entry_url + "zwgk/zfxxgknb/"
    html = fetch(base + "index.html")[2].decode()
    for text, slug in (("区政府年报", "qzf_1234"), ("部门年报", "bm_5678"), ("街道年报", "jd_9012")):
        assert f'<a href="./{slug}/index.html">{text}</a>' in html
    for i, name in enumerate(["index.html", "index_1.html", "index_2.html"]):
        status, headers, body = fetch(base + "bm_5678/" + name)
        assert status == 200
        page = body.decode()
        assert f'createPageHTML(3, {i}, "index", "html")' in page
        assert re.search(r'<li><a href="\./\d{6}/t\d{8}_\d+\.html" title="[^"]+" target="_blank">', page)
        assert _meta(page, "ColumnName") == "部门年报"
    assert fetch(base + "bm_5678/index_3.html")[0] == 404


def test_trs_shtml_year_columns_and_js_attachment(sites, manifest):
    base = sites["zz"].entry_url + "xxgk/zfxxgknb/"
    html = fetch(base + "index.shtml")[2].decode()
    assert '<a href="./2019n/index.shtml">2019年</a>' in html
    page = fetch(base + "2019n/index.shtml")[2].decode()
    assert 'createPageHTML(1, 0, "index", "shtml")' in page
    assert re.search(r'href="\./202001/t20200116_\d+\.shtml"', page)
    docx_report = next(r for r in manifest if r["site_id"] == "zz" and r.get("kind") == "docx")
    detail = fetch(docx_report["detail_url"])[2].decode()
    assert "var att = '<a href=\"./P0" in detail and "document.write('附件：<br/><p>'+att+'</p>')" in detail
    assert 'appendix="true"' not in detail  # only the script links it
    status, headers, data = fetch(docx_report["attachment_urls"][0])
    assert status == 200 and data[:2] == b"PK"


def test_trs_absolute_links_and_stray_tag(sites):
    base = sites["jh"].entry_url + "zwgk/zfxxgknb/"
    pages = [fetch(base + n)[2].decode() for n in ("index.html", "index_1.html")]
    assert f'href="{sites["jh"].entry_url}zwgk/zfxxgknb/' in pages[0]
    assert any("</TRS_DOCUMENT></a>" in p for p in pages)
    assert "title=\"江海区2021年\n政府信息公开工作年度报告\"" in "".join(pages)


def test_trs_detail_page(manifest):
    r = next(x for x in manifest if (x.get("seed") or "").startswith("000"))
    assert re.search(r"/zwgk/zfxxgknb/bm_5678/202001/t20200114_\d+\.html$", r["detail_url"])
    html = fetch(r["detail_url"])[2].decode()
    assert _meta(html, "ArticleTitle") == "东西湖区住房和城乡建设局2019年政府信息公开工作年度报告"
    assert _meta(html, "PubDate") == "2020-01-14 10:30"
    assert _meta(html, "ContentSource")
    assert '<div class="TRS_Editor"><div class="Custom_UnionStyle">' in html and "详见附件" in html
    assert re.search(r"索 引 号：</td><td>\d{9}/2020-\d{5}", html) and "发布机构" in html and "发布日期" in html
    assert re.search(r'<a appendix="true"[^>]* href="\./P0\d{20}\.pdf"', html)
    assert re.search(r"/202001/P0\d{20}\.pdf$", r["attachment_urls"][0])


def test_hanweb_datastore_holds_first_group_only(sites):
    html = fetch(sites["zc"].entry_url + "col/col1528/index.html")[2].decode()
    store = re.search(r'<script type="text/xml"><datastore>(.*?)</datastore></script>', html, re.S).group(1)
    records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", store, re.S)
    assert len(records) == 12
    assert all(re.search(r"href='/art/\d{4}/\d{1,2}/\d{1,2}/art_1528_\d+\.html'", r) for r in records)
    assert "<nextgroup>" in store
    assert "var param_4011={col:1,appid:1,webid:12,path:'/',columnid:1528,sourceContentType:1,unitid:'4011'" in html
    total = int(re.search(r"totalRecord:(\d+)", html).group(1))
    assert total >= 15 and "perPage:4" in html
    assert fetch(sites["zc"].entry_url + "col/col1528/index_1.html")[0] == 404


def _proxy(sites, query: str, **form: str) -> tuple[int, bytes]:
    fields = {"col": "1", "appid": "1", "webid": "12", "path": "/", "columnid": "1528", "sourceContentType": "1",
              "unitid": "4011", "webname": "周村区人民政府", "permissiontype": "0"}
    fields.update(form)
    url = sites["zc"].entry_url + "module/web/jpage/dataproxy.jsp?" + query
    status, _, body = fetch(url, urllib.parse.urlencode(fields).encode())
    return status, body


def test_hanweb_dataproxy(sites):
    status, body = _proxy(sites, "startrecord=13&endrecord=24&perpage=4")
    assert status == 200
    xml = body.decode("utf-8")
    total = int(re.search(r"<totalrecord>(\d+)</totalrecord>", xml).group(1))
    recs = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml, re.S)
    assert len(recs) == total - 12 > 0
    first = _proxy(sites, "startrecord=1&endrecord=12&perpage=4")[1].decode()
    assert not set(re.findall(r"art_1528_\d+", first)) & set(re.findall(r"art_1528_\d+", xml))
    for bad in ({"columnid": "9999"}, {"unitid": "1"}, {"columnid": ""}):
        assert "<record>" not in _proxy(sites, "startrecord=13&endrecord=24&perpage=4", **bad)[1].decode()
    status, _, body = fetch(sites["zc"].entry_url + "module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=24&perpage=4"
                            "&columnid=1528&unitid=4011")
    assert status == 405 or b"<record>" not in body


def test_hanweb_downfile_redirects(manifest):
    r = next(x for x in manifest if x["site_id"] == "zc" and x.get("kind") == "pdf")
    url = r["attachment_urls"][0]
    assert re.search(r"/module/download/downfile\.jsp\?classid=0&filename=[0-9a-f]{32}\.pdf$", url)
    status, headers, _ = fetch(url, follow=False)
    assert status == 302
    name = url.rsplit("=", 1)[1]
    assert headers["Location"] == f"/attach/0/{name}"
    status, headers, data = fetch(url)
    assert status == 200 and data.startswith(b"%PDF")


def test_hanweb_article_page(manifest):
    r = _report(manifest, "zc", "周村区住房和城乡建设局", 2017)
    assert re.search(r"/art/2018/1/25/art_1528_\d+\.html$", r["detail_url"])
    html = fetch(r["detail_url"])[2].decode()
    zoom = re.search(r'<div id="zoom">.*?<meta name="ContentStart">(.*?)<meta name="ContentEnd">', html, re.S).group(1)
    assert "2017年度，收到政府信息公开申请0件" in zoom
    assert "<table" in zoom and "统　计　指　标" in zoom and "<td>　2</td>" in zoom
    assert _meta(html, "PubDate") == "2018-01-25 15:20"


def test_gbk_page(manifest):
    r = _report(manifest, "hs", "霍山县住房和城乡建设局", 2020)
    status, headers, body = fetch(r["detail_url"])
    assert status == 200
    assert headers["Content-Type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    html = body.decode("gb18030")
    assert "charset=gb2312" in html
    assert _meta(html, "PubDate") == "2021-01-11 10:46"
    assert _meta(html, "ArticleTitle") == "县住建局2020年政府信息公开工作年度总结"
    zoom = html.split('<div id="zoom">', 1)[1].split("</div>", 1)[0]
    assert "全年受理依申请公开1件" in zoom
    for chrome in ("您当前的位置", "浏览次数", "政策咨询", "如果您对该政策文件有疑问", "扫一扫在手机打开当前页"):
        assert chrome in html and chrome not in zoom


def test_seed_000_pdf(manifest):
    import pdfplumber

    r = next(x for x in manifest if (x.get("seed") or "").startswith("000"))
    data = fetch(r["attachment_urls"][0])[2]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 3
        text = "".join(p.extract_text() or "" for p in pdf.pages)
        chars = pdf.pages[0].chars
    assert "各科站所均配" in text and "全年受理依申请公开 17条" in text
    assert "2020年 1月 14日" in text
    by_line: dict[float, list[dict]] = {}
    for c in chars:
        if c["text"] == "导":
            by_line.setdefault(round(c["top"]), []).append(c)
    heads = max(by_line.values(), key=len)  # 一、加强组织领导, drawn four times
    assert len(heads) == 4 and max(c["x0"] for c in heads) - min(c["x0"] for c in heads) == pytest.approx(0.75, abs=0.01)


def test_seed_004_pdf_keeps_font_mapping_defect(manifest):
    import pdfplumber

    r = next(x for x in manifest if (x.get("seed") or "").startswith("004"))
    data = fetch(r["attachment_urls"][0])[2]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    compact = re.sub(r"\s+", "", text)
    for wrong in ("在县政府办的挃", "坚持不其他工作同布置", "幵建立一把手", "主劢公开政府信息56条", "挄照"):
        assert wrong in compact


def test_seed_003_docx(manifest):
    import docx

    r = next(x for x in manifest if (x.get("seed") or "").startswith("003"))
    assert r["kind"] == "docx" and r["report_year"] == 2020 and r["form"] == "form2019"
    d = docx.Document(io.BytesIO(fetch(r["attachment_urls"][0])[2]))
    assert len(d.tables) == 3
    cells = [[c.text for c in row.cells] for row in d.tables[0].rows]
    assert ["行政许可", "423", "+162", "585"] in cells
    assert any(row[:3] == ["政府集中采购", "26", "129.59"] for row in cells)
    three = [[c.text for c in row.cells] for row in d.tables[1].rows]
    assert sum(1 for row in three if not any(row[:-1]) and row[-1] == "0") >= 10  # rows that lost their labels
    paras = [p.text for p in d.paragraphs]
    i = paras.index("四、结转下年度继续办理")
    assert paras[i + 1] == "0"


def test_ruled_table_pdf(manifest):
    import pdfplumber

    r = next(x for x in manifest if x["site_id"] == "zc" and x.get("kind") == "pdf")
    with pdfplumber.open(io.BytesIO(fetch(r["attachment_urls"][0])[2])) as pdf:
        tables = [t for p in pdf.pages for t in p.extract_tables()]
    flat = [re.sub(r"\s+", "", c) for t in tables for row in t for c in row if c]
    assert "行政许可" in flat and "结果维持" in flat and len(tables) >= 3


def test_html_report_tables_follow_the_forms(manifest):
    r = _report(manifest, "dxh", "东西湖区财政局", 2021)
    html = fetch(r["detail_url"])[2].decode()
    assert '<td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>' in html
    assert '<td rowspan="22">三、本年度办理结果</td>' in html and '<td rowspan="3">（六）其他处理</td>' in html
    assert "本年制发件数" in html and '<td colspan="5">未经复议直接起诉</td>' in html
    r19 = _report(manifest, "dxh", "东西湖区教育局", 2020)
    html19 = fetch(r19["detail_url"])[2].decode()
    assert '<td rowspan="20">三、本年度办理结果</td>' in html19 and "本年新<br />制作数量" in html19
    assert "政府集中采购" in html19


def test_manifest(manifest, portal):
    reports = [r for r in manifest if not r.get("decoy")]
    decoys = [r for r in manifest if r.get("decoy")]
    assert len(reports) >= 20 and len(decoys) >= 5
    urls = [r["detail_url"] for r in manifest]
    assert len(urls) == len(set(urls))
    assert {r["form"] for r in reports} == {"form2021", "form2019", "legacy_table", "narrative"}
    assert {r["kind"] for r in reports} == {"html", "pdf", "docx"}
    assert {r["site_id"] for r in reports} >= {"dxh", "zz", "jh", "zc", "hs"}
    titles = " ".join(d["title"] for d in decoys)
    for trap in ("政务公开工作总结", "编制发布工作的通知", "上半年政府信息公开数据统计", "整体支出绩效评价报告", "政府信息公开指南"):
        assert trap in titles
    seeds = {r["seed"][:3]: r for r in reports if r.get("seed")}
    assert seeds["000"]["agency"] == "东西湖区住房和城乡建设局" and seeds["000"]["kind"] == "pdf"
    assert seeds["004"]["agency"] == "长子县住房和城乡建设局" and seeds["004"]["kind"] == "pdf"
    assert seeds["003"]["kind"] == "docx" and seeds["001"]["form"] == "legacy_table" and seeds["002"]["site_id"] == "hs"
    for r in reports:
        if r["form"] in ("form2021", "form2019") and not r.get("seed") and not r.get("corrupt"):
            s = r["stats"]
            assert s["core.requests_new"] + s["core.requests_carried_over"] == (
                s["core.requests_handled"] + s["core.requests_carried_forward"])


def test_every_published_url_answers(manifest):
    for r in manifest:
        status, _, _ = fetch(r["detail_url"])
        assert status == 200, r["detail_url"]
        for url in r.get("attachment_urls") or []:
            assert fetch(url)[0] == 200, url


def test_faults(sites, manifest, portal):
    host, port = urllib.parse.urlsplit(sites["dead"].entry_url).netloc.split(":")
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=2).close()
    base = sites["bad"].entry_url + "xxgk/ndbg/"
    first = fetch(base + "index.html")[2].decode()
    assert 'createPageHTML(3, 0, "index", "html")' in first
    status, _, body = fetch(base + "index_1.html")
    assert status == 200 and "年度报告" in body.decode()
    assert fetch(base + "index_2.html")[0] == 404
    corrupt = [r for r in manifest if r.get("corrupt")]
    assert len(corrupt) == 1 and corrupt[0]["site_id"] == "bad"
    detail = fetch(corrupt[0]["detail_url"])[2].decode()
    assert "详见附件" in detail
    data = fetch(corrupt[0]["attachment_urls"][0])[2]
    assert data.startswith(b"%PDF-1.4") and b"%%EOF" not in data
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    with pytest.raises(PdfminerException):
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            [p.extract_text() for p in pdf.pages]


def test_request_log(portal, sites):
    fetch(sites["hs"].entry_url + "no/such/page.html")
    log = portal.request_log
    assert ("hs", "GET", "/no/such/page.html", 404) in log
    assert all(len(row) == 4 for row in log)


def test_deterministic_bytes(manifest):
    """A second portal in the same process serves the same attachment names and bytes."""
    with DemoPortal() as other:
        again = {(r["site_id"], r.get("agency"), r.get("report_year")): r for r in other.manifest() if not r.get("decoy")}
        checked = 0
        for r in manifest:
            if r.get("decoy") or not r["attachment_urls"] or r["site_id"] == "bad":
                continue
            twin = again[(r["site_id"], r["agency"], r["report_year"])]
            assert twin["attachment_urls"][0].rsplit("/", 1)[1] == r["attachment_urls"][0].rsplit("/", 1)[1]
            assert twin["detail_url"] != r["detail_url"]  # other port: URLs are per portal, not shared state
            a = hashlib.sha256(fetch(r["attachment_urls"][0])[2]).hexdigest()
            b = hashlib.sha256(fetch(twin["attachment_urls"][0])[2]).hexdigest()
            assert a == b
            checked += 1
    assert checked >= 5
    from demosites import binaries

    assert binaries.seed_000_pdf() == binaries.seed_000_pdf.__wrapped__()
    assert binaries.seed_003_docx() == binaries.seed_003_docx.__wrapped__()


def test_seed_copies_match_the_tests_copy():
    pkg = Path(__file__).resolve().parents[1] / "demosites" / "content" / "seeds"
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(names) == 5 and names == sorted(p.name for p in pkg.glob("*.txt"))
    for name in names:
        assert (pkg / name).read_bytes() == (SEEDS / name).read_bytes(), name
    code = "".join(p.read_text() for p in (pkg.parent.parent).glob("*.py"))
    assert not re.search(r"shared/|[\"']shared[\"']|SHARED", code)  # the product never reads ../shared
