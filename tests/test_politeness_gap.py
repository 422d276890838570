"""DOWNLOAD_DELAY as the server sees it. Scrapy spaces requests from when it hands them to the network; a
request that reaches the server late (here: a server slow to accept a new connection, as busy county servers
are) must not be followed by the next one early."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import crawl

DELAY = 0.4
HOME = ("<html><head><title>某县人民政府</title></head><body>"
        "<a href='/zwgk/'>政府信息公开</a><a href='/about.html'>关于我们</a></body></html>").encode()


class SlowAcceptServer(ThreadingHTTPServer):
    """Takes 0.3 s to accept each new connection (keep-alive requests on it are answered at once)."""

    daemon_threads = True
    arrivals: list[tuple[float, str]]

    def get_request(self):
        time.sleep(0.3)
        return super().get_request()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.arrivals.append((time.monotonic(), self.path))
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else HOME
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def arrivals(tmp_path):
    from crawler.registry import Site
    from crawler.run import LOCAL_SETTINGS, CrawlJob

    server = SlowAcceptServer(("127.0.0.1", 0), Handler)
    server.arrivals = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        site = Site(site_id="slow", name="某县人民政府", entry_urls=[f"http://127.0.0.1:{server.server_address[1]}/"],
                    platform="generic")
        crawl([CrawlJob([site], tmp_path / "x.db", {**LOCAL_SETTINGS, "DOWNLOAD_DELAY": DELAY,
                                                     "CONCURRENT_REQUESTS_PER_DOMAIN": 1})])
    finally:
        server.shutdown()
        server.server_close()
    return server.arrivals


def test_next_request_waits_the_delay_after_a_late_one(arrivals):
    paths = [p for _t, p in arrivals]
    assert paths[:2] == ["/robots.txt", "/"], paths
    gaps = [round(b - a, 3) for (a, _), (b, _) in zip(arrivals, arrivals[1:], strict=False)]
    assert len(gaps) >= 2
    assert min(gaps) >= DELAY - 0.02, list(zip(paths[1:], gaps, strict=True))
