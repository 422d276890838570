"""DemoPortal: serve the demo county portals on 127.0.0.1, one port per site.

Stdlib only (ThreadingHTTPServer in daemon threads), quiet, and fast: all
pages are rendered once at start-up into a route table; only Hanweb's
dataproxy.jsp and downfile.jsp are computed per request.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from demosites.catalog import SiteFacts, SiteSpec, build_sites
from demosites.mock import MockRequest, MockResponse, MockSite
from demosites.render import RenderedSite, Renderer, dataproxy_xml, empty_dataproxy

logger = logging.getLogger(__name__)

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
DOWNFILE = "/module/download/downfile.jsp"


@dataclass
class DemoSite(SiteFacts):
    """One registry row: what the crawler is told about a site."""

    entry_url: str
    verified: bool = True


def _not_modified(headers: Any, etag: str, modified: float) -> bool:
    """Whether a conditional GET may be answered 304 (If-None-Match first, else If-Modified-Since)."""
    inm = headers.get("If-None-Match")
    if inm:
        return inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            return parsedate_to_datetime(ims).timestamp() >= int(modified)
        except (TypeError, ValueError):
            return False
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _free_port(host: str) -> int:
    """A port nothing listens on (bound, then closed) — for the 'dead' site."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# The ports `ogi demo` and `python -m demosites` use, so the registry's demo rows (data/sites.csv) and
# repeated demo runs see the same URLs. Tests use free ports (fixed_ports=False) to run in parallel.
DEMO_PORTS = {"dxh": 18601, "zz": 18602, "jh": 18603, "zc": 18604, "hs": 18605}


class DemoPortal:
    """Several imitation county portals; see site-patterns.md §1 for what they imitate."""

    def __init__(self, faults: bool = False, host: str = "127.0.0.1", fixed_ports: bool = False,
                 mock_sites: list[MockSite] | None = None, core: bool = True, host_per_site: bool = False) -> None:
        self.faults = faults
        # host_per_site: each site on its own loopback address (127.0.0.2, 127.0.0.3, ...), as real sites are on
        # their own hosts; on one address every site shares Scrapy's per-host download slot (the crawl benchmark).
        self.host_per_site = host_per_site
        self.core = core  # serve the pre-rendered TRS/Hanweb county sites
        self._mocks: dict[str, MockSite] = {m.site_id: m for m in (mock_sites or [])}
        self.host = host
        self.fixed_ports = fixed_ports
        self.sites: list[DemoSite] = []
        self._servers: list[tuple[_Server, threading.Thread]] = []
        self._rendered: dict[str, RenderedSite] = {}
        self._log: list[tuple[str, str, str, int]] = []
        self._times: list[float] = []  # time.perf_counter() of each request_log entry (benchmarks: steady rate)
        self._lock = threading.Lock()
        self.validators = True  # ETag/Last-Modified + 304 on the core sites; False = a site without them
        self.started_at = time.time()  # Last-Modified of every core page (the content is static)

    # ---- lifecycle -----------------------------------------------------------------
    def start(self) -> DemoPortal:
        if self._servers:
            return self
        specs = copy.deepcopy(build_sites(self.faults)) if self.core else ()  # renderers set URLs on items
        for spec in specs:
            server = self._bind(spec.site_id)
            base = "http://{}:{}".format(*server.server_address[:2])
            self._rendered[spec.site_id] = Renderer(spec, base).render()
            thread = threading.Thread(target=server.serve_forever, name=f"demo-{spec.site_id}", daemon=True)
            thread.start()
            self._servers.append((server, thread))
            self.sites.append(self._site_row(spec, base + "/"))
        for mock in self._mocks.values():
            server = self._bind(mock.site_id)
            base = "http://{}:{}".format(*server.server_address[:2])
            mock.start(base)
            thread = threading.Thread(target=server.serve_forever, name=f"demo-{mock.site_id}", daemon=True)
            thread.start()
            self._servers.append((server, thread))
            self.sites.append(DemoSite(mock.site_id, mock.name, mock.province, mock.city, mock.county, mock.adcode,
                                       mock.platform, base + mock.entry_path))
        if self.faults and self.core:
            port = _free_port(self.host)
            self.sites.append(DemoSite("dead", "平山县人民政府", "河北省", "石家庄市", "平山县", "130131", "trs",
                                       f"http://{self.host}:{port}/"))
        logger.info("demo portal started: %s", ", ".join(f"{s.site_id}={s.entry_url}" for s in self.sites))
        return self

    def _bind(self, site_id: str) -> _Server:
        port = DEMO_PORTS.get(site_id, 0) if self.fixed_ports else 0
        host = self.host
        if self.host_per_site:  # 127.0.0.0/8 is all loopback on Linux
            n = len(self._servers) + 2
            host = f"127.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        try:
            return _Server((host, port), self._handler_for(site_id))
        except OSError as exc:  # the usual port is taken: any free port still gives a working demo
            logger.warning("port %s for demo site %s is busy (%s); using a free port", port, site_id, exc)
            return _Server((host, 0), self._handler_for(site_id))

    def stop(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._servers.clear()

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    def _site_row(spec: SiteSpec, entry: str) -> DemoSite:
        return DemoSite(spec.site_id, spec.name, spec.province, spec.city, spec.county, spec.adcode, spec.platform, entry)

    def registry_rows(self) -> list[dict[str, str]]:
        """`portal.sites` as rows of a site registry CSV (the columns of data/sites.csv), for `ogi demo`."""
        return [
            {"site_id": s.site_id, "name": s.name, "province": s.province, "city": s.city, "county": s.county,
             "adcode": s.adcode, "entry_urls": s.entry_url, "platform": s.platform,
             "verified": "yes" if s.verified else "no", "notes": "ogi demo portal"}
            for s in self.sites
        ]

    # ---- ground truth --------------------------------------------------------------
    @property
    def request_log(self) -> list[tuple[str, str, str, int]]:
        with self._lock:
            return list(self._log)

    @property
    def request_times(self) -> list[float]:
        """When each request_log entry arrived (time.perf_counter(), same order)."""
        with self._lock:
            return list(self._times)

    def manifest(self) -> list[dict[str, Any]]:
        """What is published: every report (with its expected core numbers) and every decoy."""
        out: list[dict[str, Any]] = []
        for site_id, rendered in self._rendered.items():
            for item, column in rendered.items:
                row = item.manifest_row(site_id, column)
                if item.corrupt:
                    row["corrupt"] = True
                    row["stats"] = {}  # nothing can be read from a broken attachment
                out.append(row)
        for mock in self._mocks.values():
            out.extend(mock.manifest())
        return out

    # ---- HTTP ----------------------------------------------------------------------
    def _record(self, site_id: str, method: str, path: str, status: int) -> None:
        with self._lock:
            self._log.append((site_id, method, path, status))
            self._times.append(time.perf_counter())

    def _handler_for(self, site_id: str) -> type[BaseHTTPRequestHandler]:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "nginx"
            sys_version = ""
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet server
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_HEAD(self) -> None:
                self._serve("HEAD")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                status = 500
                self._recorded = False
                try:
                    status = self._dispatch(method)
                except (BrokenPipeError, ConnectionResetError):
                    status = 499
                except Exception:  # a demo page must never take the server down
                    logger.exception("demo portal: error serving %s", self.path)
                    try:
                        self._send(500, b"Internal Server Error", "text/plain")
                    except OSError:
                        pass
                finally:
                    if not self._recorded:  # no response was sent (client went away, crash)
                        portal._record(site_id, method, self.path, status)

            def _send(self, status: int, body: bytes, ctype: str, location: str | None = None, head: bool = False,
                      extra: list[tuple[str, str]] | None = None) -> int:
                validators: list[tuple[str, str]] = []
                if portal.validators and site_id not in portal._mocks and status == 200 and self.command != "POST":
                    # Conditional GET on the core sites (RFC 9110 §13): ETag from the bytes, Last-Modified =
                    # portal start; If-None-Match wins over If-Modified-Since.
                    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                    validators = [("ETag", etag), ("Last-Modified", formatdate(portal.started_at, usegmt=True))]
                    if _not_modified(self.headers, etag, portal.started_at):
                        status, body, ctype = 304, b"", ""
                # Logged before the response goes out, so a client that reads the log right after its
                # request sees the entry.
                portal._record(site_id, self.command, self.path, status)
                self._recorded = True
                self.send_response(status)
                if status != 304:
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                for name, value in validators:
                    self.send_header(name, value)
                if location:
                    self.send_header("Location", location)
                for name, value in extra or []:
                    self.send_header(name, value)
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                return status

            def _dispatch(self, method: str) -> int:
                if site_id in portal._mocks:
                    return self._dispatch_mock(method)
                rendered = portal._rendered[site_id]
                parts = urlsplit(self.path)
                path = parts.path
                query = parse_qs(parts.query)
                head = method == "HEAD"
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if rendered.hanweb and path == DATAPROXY:
                    if method != "POST":
                        return self._send(405, b"Method Not Allowed", "text/plain", head=head)
                    form = parse_qs(raw.decode("utf-8", errors="replace"))
                    col = rendered.hanweb.get((form.get("columnid") or [""])[0])
                    if col is None or (form.get("unitid") or [""])[0] != col.unitid:
                        return self._send(200, empty_dataproxy(), "text/xml;charset=UTF-8")
                    try:
                        start = int(query.get("startrecord", ["1"])[0])
                        end = int(query.get("endrecord", [str(start + 44)])[0])
                    except ValueError:
                        return self._send(200, empty_dataproxy(), "text/xml;charset=UTF-8")
                    return self._send(200, dataproxy_xml(col, start, end), "text/xml;charset=UTF-8")
                if rendered.downloads and path == DOWNFILE:
                    target = rendered.downloads.get((query.get("filename") or [""])[0])
                    if target is None:
                        return self._send(404, b"Not Found", "text/plain", head=head)
                    return self._send(302, b"", "text/html", location=target, head=head)
                if method == "POST":
                    return self._send(405, b"Method Not Allowed", "text/plain")
                resp = rendered.routes.get(path)
                if resp is None:
                    body = b"<html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>"
                    return self._send(404, body, "text/html; charset=utf-8", head=head)
                return self._send(resp.status, resp.body, resp.ctype, resp.location, head=head)

            def _dispatch_mock(self, method: str) -> int:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = MockRequest(
                    method=method, path=parts.path, query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"", raw_path=self.path,
                )
                resp: MockResponse = portal._mocks[site_id].handle(request)
                return self._send(resp.status, resp.body, resp.content_type, head=method == "HEAD", extra=resp.headers)

        return Handler
