"""Save pages from the demo portal as golden-file fixtures for the TRS and Hanweb family tests.

Run once (and again only when the demo portal's markup changes on purpose):
    .venv/bin/python scripts/capture_family_fixtures.py
Each fixture is the page bytes plus a `.meta.json` with the URL it was served at; the expected
results (`<name>.expected.json`) are written by hand-checking what the page holds.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from demosites import DemoPortal

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "families"

PAGES = {
    "trs": {
        "dxh_home.html": ("dxh", "/"),
        "dxh_column.html": ("dxh", "/zwgk/zfxxgknb/index.html"),
        "dxh_bm_list_page1.html": ("dxh", "/zwgk/zfxxgknb/bm_5678/index.html"),
        "dxh_bm_list_page3.html": ("dxh", "/zwgk/zfxxgknb/bm_5678/index_2.html"),
        "dxh_detail_pdf.html": ("dxh", "/zwgk/zfxxgknb/bm_5678/202001/t20200114_828068.html"),
        "jh_list_absolute.html": ("jh", "/zwgk/zfxxgknb/index.html"),
        "zz_years.shtml": ("zz", "/xxgk/zfxxgknb/index.shtml"),
        "zz_detail_js_attachment.shtml": ("zz", "/xxgk/zfxxgknb/2021n/202202/t20220211_545822.shtml"),
    },
    "hanweb": {
        "zc_home.html": ("zc", "/"),
        "zc_column.html": ("zc", "/col/col1528/index.html"),
        "zc_detail_downfile.html": ("zc", "/art/2023/2/23/art_1528_868639.html"),
        "hs_column_gbk.html": ("hs", "/col/col2093/index.html"),
    },
}


def main() -> None:
    with DemoPortal(fixed_ports=True) as portal:
        bases = {s.site_id: s.entry_url.rstrip("/") for s in portal.sites}
        for family, pages in PAGES.items():
            for name, (site, path) in pages.items():
                url = bases[site] + path
                with urllib.request.urlopen(url) as resp:
                    body, ctype = resp.read(), resp.headers.get("Content-Type")
                (OUT / family / name).write_bytes(body)
                meta = {"url": url, "content_type": ctype}
                (OUT / family / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
        # The Hanweb proxy's answer for the records after the embedded first group.
        req = urllib.request.Request(
            bases["zc"] + "/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=16&perpage=4",
            data=b"col=1&appid=1&webid=12&path=%2F&columnid=1528&sourceContentType=1&unitid=4011"
                 b"&webname=%E5%91%A8%E6%9D%91%E5%8C%BA&permissiontype=0",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req) as resp:
            (OUT / "hanweb" / "zc_dataproxy.xml").write_bytes(resp.read())
            meta = {"url": req.full_url, "content_type": resp.headers.get("Content-Type"), "method": "POST"}
            (OUT / "hanweb" / "zc_dataproxy.xml.meta.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
