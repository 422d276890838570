"""`crawler.antibot.classify_challenge` on synthetic responses, one branch at a time.

The crawl tests meet only one Ruishu mock (a 412 whose body has `$_ts`, which matches first), so the
412-with-cookie branch, the size limit and the WAF/jiasule cookie branches were never exercised on their
own (issue 16: changing `status == 412` to 421 passed every test). Each case here isolates one branch.
"""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Response

from crawler.antibot import _MAX_CHALLENGE_BYTES, classify_challenge

RUISHU_STUB = (b"<html><head><meta charset='utf-8'><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
               b"$_ts.nsd=84241;$_ts.cd='qqqq';</script><script src='/abc.js'></script></head><body></body></html>")
RUISHU_COOKIE = "FSSBBIl1UgzbN7NS=5fXu8Vq0; Path=/; expires=Wed, 11-Jan-2034 10:00:00 GMT"
PLAIN = "<html><head><title>政府信息公开</title></head><body><p>正文</p></body></html>".encode()


def _resp(status: int, body: bytes = b"", cookies: tuple[str, ...] = (), cls: type[Response] = HtmlResponse) -> Response:
    headers = [(b"Set-Cookie", c.encode()) for c in cookies]
    if cls is HtmlResponse:
        headers.append((b"Content-Type", b"text/html; charset=utf-8"))
    return cls("http://www.example.gov.cn/col/col1/index.html", status=status, body=body, headers=headers)


CASES = [
    # Ruishu: the cookie alone on a 412 (no $_ts in the body) is enough ...
    ("412, Ruishu cookie, no $_ts", _resp(412, b"<html></html>", (RUISHU_COOKIE,)), "Ruishu (瑞数) 412 challenge"),
    ("412, Ruishu cookie, empty body", _resp(412, b"", (RUISHU_COOKIE,), Response), "Ruishu (瑞数) 412 challenge"),
    ("412, two cookies, the second Ruishu's", _resp(412, b"", ("JSESSIONID=1; Path=/", RUISHU_COOKIE)),
     "Ruishu (瑞数) 412 challenge"),
    ("412, 8 characters then S", _resp(412, b"", ("abcdefghS=1",)), "Ruishu (瑞数) 412 challenge"),
    # ... but not on another status, and not with an ordinary cookie or a short name
    ("200, Ruishu-like cookie", _resp(200, PLAIN, (RUISHU_COOKIE,)), None),
    ("202, Ruishu-like cookie, no $_ts", _resp(202, b"<html></html>", (RUISHU_COOKIE,)), None),
    ("412, 7 characters then S", _resp(412, b"", ("abcdefgS=1",)), None),
    ("412, ordinary cookie", _resp(412, b"<html></html>", ("JSESSIONID=ABCDEF0123456789; Path=/",)), None),
    ("412, cookie name not ending in S", _resp(412, b"", ("FSSBBIl1UgzbN7NX=1",)), None),
    ("ordinary 412", _resp(412, b"<html><body>Precondition Failed</body></html>"), None),
    # the $_ts stub on any status
    ("412 with $_ts", _resp(412, RUISHU_STUB), "Ruishu (瑞数) 412 challenge"),
    ("202 with $_ts", _resp(202, RUISHU_STUB), "Ruishu (瑞数) 202 challenge"),
    ("200 with $_ts.cd", _resp(200, b"<script>$_ts.cd = 'x';</script>"), "Ruishu (瑞数) 200 challenge"),
    ("a page that merely names $_ts", _resp(200, b"<html><p>$_ts is a variable name</p></html>"), None),
    # a large page is never a challenge, whatever it mentions
    ("large page with the $_ts stub", _resp(200, RUISHU_STUB + b" " * _MAX_CHALLENGE_BYTES), None),
    ("large 412 with the Ruishu cookie", _resp(412, b"x" * (_MAX_CHALLENGE_BYTES + 1), (RUISHU_COOKIE,)), None),
    ("a stub of exactly the size limit", _resp(200, RUISHU_STUB.ljust(_MAX_CHALLENGE_BYTES)),
     "Ruishu (瑞数) 200 challenge"),
    # jiasule (加速乐)
    ("521", _resp(521, b"<script>document.cookie=('__jsl_clearance_s=1')</script>"), "jiasule (加速乐) 521 challenge"),
    ("521 with an empty body", _resp(521, b"", (), Response), "jiasule (加速乐) 521 challenge"),
    ("200 setting __jsl_clearance in script", _resp(200, b"<script>document.cookie='__jsl_clearance=1';</script>"),
     "jiasule (加速乐) 200 challenge"),
    ("__jsluid named without a cookie write", _resp(200, b"<p>__jsluid</p>"), None),
    ("document.cookie without jsl", _resp(200, b"<script>document.cookie='a=1'</script>"), None),
    ("__jsl_clearance cookie", _resp(200, PLAIN, ("__jsl_clearance_s=1650000000.1|0|x; Path=/",)),
     "jiasule (加速乐) 200 challenge"),
    # WAF (wzws)
    ("wzws body", _resp(200, b"<script>var wzwschallenge='abc';</script>"), "WAF (wzws) 200 challenge"),
    ("wzws_cid body on 403", _resp(403, b"<a>wzws_cid</a>"), "WAF (wzws) 403 challenge"),
    ("wzws cookie", _resp(200, PLAIN, ("wzws_sessionid=abc; Path=/",)), "WAF (wzws) 200 challenge"),
    # a 安全验证 page, in UTF-8 or GBK
    ("安全验证 title (utf-8)", _resp(200, "<html><head><title>安全验证</title></head></html>".encode()),
     "安全验证 (security check) page, HTTP 200"),
    ("访问验证 title (GBK)", _resp(403, "<html><head><TITLE>网站访问验证</TITLE></head></html>".encode("gbk")),
     "安全验证 (security check) page, HTTP 403"),
    ("人机验证 title with attributes", _resp(200, "<title lang='zh'>\n人机验证\n</title>".encode()),
     "安全验证 (security check) page, HTTP 200"),
    ("安全验证 only in the body", _resp(200, "<title>首页</title><p>安全验证</p>".encode()), None),
    ("title past the first 4 KiB", _resp(200, b" " * 5000 + "<title>安全检查</title>".encode()), None),
    # ordinary pages
    ("ordinary page", _resp(200, PLAIN), None),
    ("ordinary 404", _resp(404, b"<html><title>404</title></html>"), None),
    ("empty 200", _resp(200, b"", (), Response), None),
]


@pytest.mark.parametrize(("response", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify_challenge(response: Response, expected: str | None) -> None:
    assert classify_challenge(response) == expected


def test_undecodable_title_is_read_as_latin1() -> None:
    """A title neither UTF-8 nor GB18030 (a broken byte) must not raise: it is read as latin-1, no match."""
    assert classify_challenge(_resp(200, b"<title>\x81</title>")) is None


def test_the_size_limit_is_64_kib() -> None:
    assert _MAX_CHALLENGE_BYTES == 64 * 1024


# ---------------------------------------------------------------- the middleware around the classifier


class _Site:
    def __init__(self, site_id: str) -> None:
        self.site_id = site_id


class _Spider:
    def __init__(self) -> None:
        self.blocked: list[tuple[str, str, str]] = []

    def site_for_url(self, url: str):
        return _Site("s") if "www.example.gov.cn" in url else None

    def site_blocked(self, site_id: str, reason: str, url: str) -> None:
        self.blocked.append((site_id, reason, url))


class _Runs:
    def __init__(self) -> None:
        self.counted: list[tuple[str, str]] = []

    def count(self, site_id: str, counter: str) -> None:
        self.counted.append((site_id, counter))


@pytest.fixture
def middleware(tmp_path):
    from scrapy.utils.test import get_crawler

    from crawler.antibot import AntiBotMiddleware
    from crawler.session import session_for

    crawler = get_crawler(settings_dict={"OGI_DB": str(tmp_path / "ogi.db")})
    crawler.spider = _Spider()
    session_for(crawler).runs = _Runs()  # type: ignore[assignment]
    return AntiBotMiddleware.from_crawler(crawler)


CHALLENGE = "http://www.example.gov.cn/col/col1/index.html"


def test_a_challenge_blocks_the_site_once_and_drops_what_follows(middleware):
    from scrapy.http import Request

    from crawler.antibot import SiteBlocked

    req = Request(CHALLENGE, meta={"ogi_site": "s"})
    with pytest.raises(SiteBlocked, match=r"^Ruishu \(瑞数\) 412 challenge at http://www\.example\.gov\.cn/col/col1/"):
        middleware.process_response(req, _resp(412, RUISHU_STUB))
    assert middleware.blocked == {"s": "Ruishu (瑞数) 412 challenge"}
    assert middleware.blocked_hosts == {"www.example.gov.cn": "s"}
    spider = middleware.crawler.spider
    assert spider.blocked == [("s", "Ruishu (瑞数) 412 challenge", CHALLENGE)]
    # a second challenge: still refused, the first reason kept, the spider told once
    with pytest.raises(SiteBlocked):
        middleware.process_response(req, _resp(521, b""))
    assert middleware.blocked == {"s": "Ruishu (瑞数) 412 challenge"} and len(spider.blocked) == 1
    # later requests to the site, by meta or by host (robots.txt carries no site), are not sent
    for later in (Request("http://www.example.gov.cn/art/1.html", meta={"ogi_site": "s"}),
                  Request("http://www.example.gov.cn/robots.txt")):
        with pytest.raises(SiteBlocked, match=r"^site s is blocked \(Ruishu \(瑞数\) 412 challenge\); request not sent$"):
            middleware.process_request(later)
    assert middleware.crawler.stats.get_value("ogi/blocked_dropped") == 2
    assert middleware.session.runs.counted == [("s", "blocked_dropped"), ("s", "blocked_dropped")]
    # other sites are not affected
    assert middleware.process_request(Request("http://other.gov.cn/", meta={"ogi_site": "t"})) is None


def test_ordinary_responses_pass_and_unknown_sites_are_not_blocked(middleware):
    from scrapy.http import Request

    ok = _resp(200, PLAIN)
    assert middleware.process_response(Request(CHALLENGE, meta={"ogi_site": "s"}), ok) is ok
    stranger = _resp(412, RUISHU_STUB)
    assert middleware.process_response(Request("http://nobody.test/"), stranger) is stranger  # no site: passed on
    assert middleware.blocked == {}
    assert middleware.process_request(Request(CHALLENGE)) is None


def test_the_site_is_found_by_url_when_the_request_carries_none(middleware):
    from scrapy.http import Request

    from crawler.antibot import SiteBlocked, site_of

    assert site_of(Request(CHALLENGE), middleware.crawler.spider) == "s"
    assert site_of(Request("http://nobody.test/"), middleware.crawler.spider) is None
    assert site_of(Request("http://nobody.test/", meta={"ogi_site": "x"}), object()) == "x"
    assert site_of(Request(CHALLENGE), object()) is None  # a spider without a site map
    redirected = _resp(412, RUISHU_STUB)
    redirected = redirected.replace(url="http://waf.example.gov.cn/check")
    with pytest.raises(SiteBlocked):
        middleware.process_response(Request(CHALLENGE), redirected)
    assert middleware.blocked_hosts == {"waf.example.gov.cn": "s", "www.example.gov.cn": "s"}
    # a host the spider does not know, met only through the challenge: dropped too
    with pytest.raises(SiteBlocked):
        middleware.process_request(Request("http://waf.example.gov.cn/robots.txt"))
    assert middleware.process_request(Request("http://elsewhere.test/robots.txt")) is None


def test_the_block_is_logged_once_with_its_reason(middleware, caplog):
    import logging

    from scrapy.http import Request

    from crawler.antibot import SiteBlocked

    with caplog.at_level(logging.WARNING, logger="crawler.antibot"):
        for _ in range(2):
            with pytest.raises(SiteBlocked):
                middleware.process_response(Request(CHALLENGE, meta={"ogi_site": "s"}), _resp(521, b""))
    assert [r.getMessage() for r in caplog.records] == [
        f"[s] jiasule (加速乐) 521 challenge at {CHALLENGE}: not crawling this site further"]


def test_the_gate_after_robots_only_drops(middleware):
    from scrapy.http import Request

    from crawler.antibot import BlockedSiteGate, SiteBlocked

    gate = BlockedSiteGate.from_crawler(middleware.crawler)
    challenge = _resp(412, RUISHU_STUB)
    assert gate.process_response(Request(CHALLENGE, meta={"ogi_site": "s"}), challenge) is challenge
    middleware.blocked["s"] = "x"  # shared with the detector through the session
    with pytest.raises(SiteBlocked):
        gate.process_request(Request(CHALLENGE, meta={"ogi_site": "s"}))
