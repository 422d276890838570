"""Offline demo portal: imitation county government websites on 127.0.0.1.

Used by `ogi demo` (a thin launcher in ogi/cli.py) and by the crawler tests; kept outside the
application package `ogi` because it is a harness of servers, not part of the pipeline, and it imports
nothing of ogi, crawler, corpus or extract. Everything it serves is built
from this package's own files (the seed texts under `content/seeds/`); it never
reads the shared project folder at run time.

Layout: `catalog` (what each site publishes: the seeds plus a compact spec the
report generator expands), `forms` (balanced numbers, the demo's reports),
`report_template` (the report text and the 2019/2021/legacy tables, shared with the golden-corpus
builder), `binaries` (deterministic PDF/DOCX), `render` (TRS and Hanweb page
markup), `server` (DemoPortal, one ThreadingHTTPServer per site).

Sites (ports are free ports chosen at start):
- dxh 东西湖区 (TRS): /zwgk/ -> /zwgk/zfxxgknb/ with sub-columns qzf_1234/, bm_5678/ (3 list pages), jd_9012/
- zz 长子县 (TRS, .shtml): /xxgk/ -> /xxgk/zfxxgknb/ with per-year 2019n/ … 2022n/; a JS-written attachment
- jh 江海区 (TRS): /zwgk/zfxxgknb/ (2 pages), absolute links, stray </TRS_DOCUMENT>, placeholder SiteIDCode
- zc 周村区 (Hanweb): /col/col1520/ -> /col/col1528/ (17 records: datastore 12 + dataproxy), downfile.jsp 302, robots 404
- hs 霍山县 (Hanweb, GBK pages, no charset header): /col/col1520/ -> /col/col2093/ -> sub-column /col/col2094/ 部门年报
  (19 entries at 2 per page: 6 embedded, then dataproxy groups 7-12, 13-18, 19-19)
- faults=True adds bad 井陉县 (TRS, createPageHTML(3) but index_2 404, corrupt PDF) and dead (nothing listens)
"""

from demosites.server import DemoPortal, DemoSite

__all__ = ["DemoPortal", "DemoSite"]
