"""A raw HTTP/1.1 server on loopback whose every byte a test controls.

The demo portal's mock sites (demosites) answer like well-behaved servers; hostile sites lie about
Content-Length, send gzip bombs, trickle bytes, close early and link outside themselves, which
http.server cannot do. A route is a function of the request returning either a `Raw` answer (status,
headers, body, and how to send it) or raw bytes. Every connection is closed after one answer.
Bounded: each server stops after `max_requests` requests and with the test (a context manager).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]

    @property
    def route(self) -> str:
        return urlsplit(self.path).path


@dataclass
class Raw:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_length: int | str | None = "auto"  # "auto": len(body); None: no header (close-delimited)
    trickle: float = 0.0  # seconds between chunks of `chunk` bytes
    chunk: int = 1024
    close_after: int | None = None  # send only this many body bytes, then close

    @classmethod
    def html(cls, text: str, **kw) -> Raw:
        return cls(body=text.encode("utf-8"), **kw)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Raw:
        return cls(status=status, headers=[("Location", location)], content_type="text/html")


Route = Callable[[Request], "Raw | None"]
REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 500: "Internal Server Error"}


class HostileServer:
    """Serve `routes` (path -> handler; "*" catches the rest) on host:port in daemon threads."""

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1", max_requests: int = 20000) -> None:
        self.routes = routes
        self.host = host
        self.max_requests = max_requests
        self.log: list[Request] = []
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.log]

    def __enter__(self) -> HostileServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(64)
        sock.settimeout(0.2)
        self._sock = sock
        self.port = sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name=f"hostile-{self.port}").start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket) -> Request | None:
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
            if len(data) > 65536:
                return None
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, path, _version = head[0].split(" ", 2)
        headers = {}
        for line in head[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        return Request(method, path, headers)

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = self._read_request(conn)
            if request is None:
                return
            with self._lock:
                if len(self.log) >= self.max_requests:
                    return
                self.log.append(request)
            handler = self.routes.get(request.route) or self.routes.get("*")
            try:
                answer = handler(request) if handler else None
            except Exception as exc:  # a bug in a test's route: answer 500 and say which
                answer = Raw(500, f"route failed: {type(exc).__name__}: {exc}".encode())
            if answer is None:
                answer = Raw(404, b"<html><title>404</title><body>404 Not Found</body></html>")
            if isinstance(answer, bytes):
                conn.sendall(answer)
                return
            self._send(conn, answer, head_only=request.method == "HEAD")
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _send(self, conn: socket.socket, a: Raw, head_only: bool) -> None:
        lines = [f"HTTP/1.1 {a.status} {REASONS.get(a.status, 'Status')}"]
        if a.content_type:
            lines.append(f"Content-Type: {a.content_type}")
        if a.content_length == "auto":
            lines.append(f"Content-Length: {len(a.body)}")
        elif a.content_length is not None:
            lines.append(f"Content-Length: {a.content_length}")
        lines += [f"{k}: {v}" for k, v in a.headers]
        lines.append("Connection: close")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if head_only:
            return
        body = a.body if a.close_after is None else a.body[: a.close_after]
        if not a.trickle:
            conn.sendall(body)
            return
        for i in range(0, len(body), a.chunk):
            if self._stop.is_set():
                return
            conn.sendall(body[i:i + a.chunk])
            time.sleep(a.trickle)
