"""Small county sites that each put one obstacle of the real web in the crawler's way (site-patterns §5).

Every site is a `MiniCounty`: a home page linking a 政府信息公开年报 column that lists a few reports
(generated with the demo catalogue, so extraction sees real report text). Subclasses and arguments add
the obstacle:

- encodings: GBK bytes with the header saying utf-8 or iso-8859-1 while the meta says gb2312, no
  declaration at all, the meta declaration only;
- robots.txt: 404, allow-all, ``Disallow: /``, ``Disallow: /wxzf/``, 403, ``Crawl-delay: 2``;
- 503 with ``Retry-After`` and 429 without it (then 200), a ``Retry-After`` too long to wait for;
- an attachment larger than the download cap;
- redirects: every path 301 to a new domain (a second site, with per-year sub-columns), a meta-refresh
  root, a ``location.href`` script root, a removed column that 302s to the home page, an http-only host;
- anti-bot: 瑞数 412 stub (``$_ts``, cookie ending in S) and the same stub served with 200, 加速乐 521
  (``__jsl_clearance`` script), a 200 安全验证 page, and an empty JavaScript shell (not a challenge);
- traps: a pager that never ends (later pages repeat, or always bring new non-report items), session ids
  in every link, the same report under two URLs, a pager made only of ``javascript:`` calls.
"""

from __future__ import annotations

import logging
from datetime import datetime

from demosites.catalog import Item, gen
from demosites.generic_site import PageSite, list_rows
from demosites.mock import MockRequest, MockResponse

logger = logging.getLogger(__name__)

COLUMN = "政府信息公开年报"


class MiniCounty(PageSite):
    """Home page -> 年报 column -> a few report pages; the base of every obstacle site."""

    province = "河南省"
    city = "周口市"
    column_path = "/zwgk/nb/list.asp"
    robots: tuple[int, str] | None = (200, "User-agent: *\nAllow: /\n")

    def __init__(self, site_id: str, county: str, adcode: str, reports: list[tuple[str, int, str, str]],
                 **attrs: object) -> None:
        super().__init__()
        self.site_id, self.county, self.adcode = site_id, county, adcode
        self.name = f"{county}人民政府"
        self.report_specs = reports  # (agency suffix, year, form, kind)
        for key, value in attrs.items():
            setattr(self, key, value)

    # -- building ------------------------------------------------------------------------------
    def items(self) -> list[Item]:
        return [gen(self.site_id, f"{self.county}{agency}", year, form, kind) for agency, year, form, kind in
                self.report_specs]

    def detail_path(self, n: int, item: Item) -> str:
        return f"/show.asp?id={n}"

    def column_body(self, rows: list[tuple[str, str, datetime]], extra: str = "") -> str:
        return (f'<tr><td class="weizhi">当前位置：首页 &gt; {COLUMN}</td></tr>\n'
                f"<tr><td><table>{list_rows(rows)}</table></td></tr>\n{extra}")

    def home_links(self) -> str:
        return f'<a href="{self.column_path}">{COLUMN}</a>'

    def start(self, base_url: str) -> None:
        super().start(base_url)
        self.routes.clear()
        self.published.clear()
        rows = []
        for n, item in enumerate(self.items(), start=1):
            pub = self.add_detail(self.detail_path(n, item), item, COLUMN)
            rows.append((pub.path, item.flat_title, item.pub))
        self.add_page(self.column_path, f"{COLUMN}_{self.name}", self.column_body(rows),
                      metas={"ColumnName": COLUMN})
        self.add_page("/", self.name, f"<tr><td>{self.home_links()}</td></tr>")
        if self.robots is not None:
            status, text = self.robots
            self.routes["/robots.txt"] = MockResponse(status, text.encode(), "text/plain")
        else:
            self.routes.pop("/robots.txt", None)


class PathRobotsCounty(MiniCounty):
    """Report 2 lives under /wxzf/ (a 乡镇 sub-site), which robots.txt disallows."""

    def detail_path(self, n: int, item: Item) -> str:
        return f"/wxzf/show.asp?id={n}" if n == 2 else super().detail_path(n, item)


# -- redirects ----------------------------------------------------------------------------------
class MovedSite(MiniCounty):
    """The old domain: every path answers 301 to the same path on the new domain."""

    def __init__(self, site_id: str, target: PageSite, **kw) -> None:
        super().__init__(site_id, "鹿邑县", "411628", [], **kw)
        self.target = target

    def route(self, request: MockRequest) -> MockResponse | None:
        return MockResponse.redirect(self.target.base_url + request.raw_path, status=301)


class PerYearCounty(MiniCounty):
    """A column with only per-year sub-columns (2021年, 2020年), each listing that year's reports."""

    def start(self, base_url: str) -> None:
        super().start(base_url)
        by_year: dict[int, list] = {}
        for p in self.published:
            by_year.setdefault(p.item.year, []).append((p.path, p.item.flat_title, p.item.pub))
        links = " ".join(f'<a href="/zwgk/nb/{y}/list.asp">{y}年</a>' for y in sorted(by_year, reverse=True))
        self.add_page(self.column_path, f"{COLUMN}_{self.name}", self.column_body([], f"<tr><td>{links}</td></tr>"),
                      metas={"ColumnName": COLUMN})
        for year, rows in by_year.items():
            self.add_page(f"/zwgk/nb/{year}/list.asp", f"{year}年_{COLUMN}", self.column_body(rows),
                          metas={"ColumnName": f"{year}年{COLUMN}"})


class MetaRefreshCounty(MiniCounty):
    """The root is a meta-refresh page; the portal lives under /portal/."""

    def start(self, base_url: str) -> None:
        super().start(base_url)
        self.routes["/portal/index.asp"] = self.routes["/"]
        self.routes["/"] = self.html('<html><head><meta http-equiv="refresh" content="0;url=/portal/index.asp">'
                                     "</head><body></body></html>")


class JsRedirectCounty(MiniCounty):
    """The root's only content is ``<script>window.location.href="/web/index.asp"</script>``."""

    def start(self, base_url: str) -> None:
        super().start(base_url)
        self.routes["/web/index.asp"] = self.routes["/"]
        self.routes["/"] = self.html('<html><head><title></title></head><body>'
                                     '<script language="javascript">window.location.href="/web/index.asp";</script>'
                                     "</body></html>")


class ColumnRemovedCounty(MiniCounty):
    """The home page still links an old 年度报告 column that now answers 302 to the home page."""

    def home_links(self) -> str:
        return super().home_links() + ' <a href="/xxgk/ndbg/index.asp">政府信息公开年度报告（旧）</a>'

    def route(self, request: MockRequest) -> MockResponse | None:
        if request.path.startswith("/xxgk/ndbg/"):
            return MockResponse.redirect("/")
        return super().route(request)


# -- politeness -----------------------------------------------------------------------------------
class RetryCounty(MiniCounty):
    """The column answers 503 + Retry-After: 1 once; report 1 answers 429 (no Retry-After) once; report 3
    always asks to come back in an hour."""

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.failed: set[str] = set()

    def route(self, request: MockRequest) -> MockResponse | None:
        path = request.raw_path
        if path == self.column_path and path not in self.failed:
            self.failed.add(path)
            return MockResponse(503, b"Service Unavailable", "text/plain", [("Retry-After", "1")])
        if path == "/show.asp?id=1" and path not in self.failed:
            self.failed.add(path)
            return MockResponse(429, b"Too Many Requests", "text/plain")
        if path == "/show.asp?id=3":
            return MockResponse(503, b"Service Unavailable", "text/plain", [("Retry-After", "3600")])
        return super().route(request)


class OversizeCounty(MiniCounty):
    """Report 1's page only points to an attachment far larger than the download cap."""

    def __init__(self, *a, size: int = 400_000, **kw) -> None:
        super().__init__(*a, **kw)
        self.size = size

    def start(self, base_url: str) -> None:
        super().start(base_url)
        big = next(p for p in self.published if p.attachment_paths)
        data = self.routes[big.attachment_paths[0]].body
        self.routes[big.attachment_paths[0]] = MockResponse(200, data + b"\0" * self.size, "application/pdf")


# -- anti-bot -------------------------------------------------------------------------------------
RUISHU_STUB = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta id="9DhefwqGPrzGxEp9hPaoag" content="{seed}" r=\'m\'>'
    "<script>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=52206;$_ts.cd=\"qtJDrrAlqGWcDGVWqGlcDqQlrsAlqG3AD"
    "AqCqqa3DGWcrrxcDGqlqsZ3rc3qlrllDGqqcsZIqqqlqsWqlsVtlrlIlqqtDqZrqq\";</script>"
    "<script type=\"text/javascript\" charset=\"utf-8\" src=\"/3of0EhpccaFM/RkdMxdIZoj2i.bc4278d.js\" r='m'></script>"
    "</head><body><script type=\"text/javascript\" r='m'>_$gW();</script></body></html>")
JIASULE_STUB = (
    "<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+"
    "('a')+('n')+('c')+('e')+('=')+(+[[]+1]+[])+('6')+('8')+('0')+('5')+('1')+('2')+('.')+('4')+('1')+"
    "('|0|')+'ZqvWmXwV%2FsFq'+';max-age=3600;path=/';location.href=location.pathname+location.search</script>"
    "</body></html>")
SECURITY_PAGE = (
    "<html><head><meta charset=\"utf-8\"><title>安全验证</title></head><body><div class=\"box\">"
    "<p>当前访问疑似黑客攻击，已被网站管理员设置为拦截</p><p>请拖动滑块完成验证</p><div id=\"nc\"></div>"
    "<script src=\"/_guard/slide.js\"></script></div></body></html>")
JS_SHELL = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>九江市某县人民政府</title>"
    "<link href=\"/static/css/app.8c1f.css\" rel=\"stylesheet\"></head><body>"
    "<noscript>请启用 JavaScript 以浏览本网站</noscript><div id=\"app\"></div>"
    "<script src=\"/static/js/chunk-vendors.3e1a.js\"></script><script src=\"/static/js/app.5b2d.js\"></script>"
    "</body></html>")


class ChallengeCounty(MiniCounty):
    """A county site behind an anti-bot product: `kind` is ruishu412, ruishu200, jiasule521 or security."""

    def __init__(self, site_id: str, kind: str, **kw) -> None:
        super().__init__(site_id, "商水县", "411623", [("人民政府", 2021, "form2021", "html")], **kw)
        self.kind = kind

    def route(self, request: MockRequest) -> MockResponse | None:
        if self.kind in ("ruishu412", "ruishu200"):
            status = 412 if self.kind == "ruishu412" else 200
            return MockResponse(status, RUISHU_STUB.format(seed="x" * 40).encode(), "text/html; charset=utf-8",
                                [("Set-Cookie", "FSSBBIl1UgzbN7N80S=6Qw3LvZpO1x8Fj2; Path=/; HttpOnly")])
        if request.path == "/robots.txt":
            return MockResponse.not_found()
        if self.kind == "jiasule521":
            return MockResponse(521, JIASULE_STUB.encode(), "text/html",
                                [("Set-Cookie", "__jsluid_h=0a1b2c3d4e5f; max-age=31536000; path=/; HttpOnly")])
        return MockResponse(200, SECURITY_PAGE.encode(), "text/html; charset=utf-8")


class JsShellCounty(MiniCounty):
    """An SPA: every HTML path answers the same empty shell; content comes from an API we do not know."""

    def route(self, request: MockRequest) -> MockResponse | None:
        if request.path == "/robots.txt":
            return super().route(request)
        return MockResponse(200, JS_SHELL.encode(), "text/html; charset=utf-8")


# -- traps -----------------------------------------------------------------------------------------
class EndlessPagerCounty(MiniCounty):
    """``list.asp?page=N`` answers for every N with a 下一页 link. `fresh=False`: pages after the last
    repeat it (as ASP pagers clamp); `fresh=True`: every page brings new (non-report) notices."""

    fresh = False
    per_page = 2

    def start(self, base_url: str) -> None:
        super().start(base_url)
        self.rows = [(p.path, p.item.flat_title, p.item.pub) for p in self.published]

    def route(self, request: MockRequest) -> MockResponse | None:
        if request.path != self.column_path:
            if request.path == "/notice.asp":
                return self.html(f"<html><body><p>通知公告 {request.arg('id')}</p></body></html>")
            return super().route(request)
        page = max(1, int(request.arg("page", "1") or 1))
        if self.fresh:
            rows = [(f"/notice.asp?id={page * 10 + k}", f"关于开展第{page * 10 + k}期业务培训的通知", datetime(2023, 5, 1))
                    for k in range(self.per_page)]
            rows = (self.rows if page == 1 else []) + rows
        else:
            last = max(1, -(-len(self.rows) // self.per_page))
            shown = min(page, last)
            rows = self.rows[(shown - 1) * self.per_page: shown * self.per_page]
        pager = (f'<tr><td><a href="{self.column_path}?page={max(1, page - 1)}">上一页</a> '
                 f'<a href="{self.column_path}?page={page + 1}">下一页</a></td></tr>')
        text = self.column_body(rows, pager)
        return self.html(self._page(text))

    def _page(self, body: str) -> str:
        from demosites.generic_site import county_page

        return county_page(self, f"{COLUMN}_{self.name}", body, charset=self.charset, metas={"ColumnName": COLUMN})


class SessionIdCounty(MiniCounty):
    """Every link carries a fresh session id: ``;jsessionid=…`` in paths, ``sid=…`` in queries."""

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.counter = 0

    def column_body(self, rows: list[tuple[str, str, datetime]], extra: str = "") -> str:
        # the breadcrumb links the column itself: with a new session id each time, a loop
        return (f'<tr><td class="weizhi">当前位置：首页 &gt; <a href="{self.column_path}">{COLUMN}</a></td></tr>\n'
                f"<tr><td><table>{list_rows(rows)}</table></td></tr>\n{extra}")

    def route(self, request: MockRequest) -> MockResponse | None:
        resp = self.routes.get(request.path.split(";", 1)[0] + (
            "?" + "&".join(f"{k}={v[0]}" for k, v in request.query.items() if k != "sid") if
            any(k != "sid" for k in request.query) else ""))
        if resp is None or not resp.content_type.startswith("text/html"):
            return resp
        self.counter += 1
        sid = f"{self.counter:04d}A8F3E2C1B0D9"
        text = resp.body.decode(self.charset)
        text = text.replace(".asp?", f".asp;jsessionid={sid}?").replace('.asp"', f'.asp;jsessionid={sid}?sid={sid}"')
        text = text.replace("?id=", f"?sid={sid}&id=")
        return MockResponse(resp.status, text.encode(self.charset), resp.content_type)


class TwiceCounty(MiniCounty):
    """Report 1 is listed twice: ``show.asp?id=1`` and a copy at ``/html/2022/01/content_1.html``."""

    def start(self, base_url: str) -> None:
        super().start(base_url)
        first = self.published[0]
        self.copy_path = "/html/2022/01/content_1.html"
        self.routes[self.copy_path] = self.routes[first.path]
        rows = [(p.path, p.item.flat_title, p.item.pub) for p in self.published]
        rows.append((self.copy_path, first.item.flat_title, first.item.pub))
        self.add_page(self.column_path, f"{COLUMN}_{self.name}", self.column_body(rows), metas={"ColumnName": COLUMN})


class ScriptPagerCounty(MiniCounty):
    """A list that says 共3页 but pages only through ``javascript:goPage(n)`` calls."""

    def start(self, base_url: str) -> None:
        super().start(base_url)
        rows = [(p.path, p.item.flat_title, p.item.pub) for p in self.published]
        pager = ('<tr><td>共3页 当前第1页 <a href="javascript:void(0)" onclick="goPage(2)">下一页</a> '
                 '<a href="javascript:void(0)" onclick="goPage(3)">尾页</a></td></tr>')
        self.add_page(self.column_path, f"{COLUMN}_{self.name}", self.column_body(rows, pager),
                      metas={"ColumnName": COLUMN})


__all__ = ["ChallengeCounty", "ColumnRemovedCounty", "EndlessPagerCounty", "JsRedirectCounty", "JsShellCounty",
           "MetaRefreshCounty", "MiniCounty", "MovedSite", "OversizeCounty", "PathRobotsCounty", "PerYearCounty", "RetryCounty",
           "ScriptPagerCounty", "SessionIdCounty", "TwiceCounty"]
