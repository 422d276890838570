"""The interface for mock sites that compute their answers per request.

The core demo sites (TRS, Hanweb) are pre-rendered route tables. Families whose real sites answer
query strings, POST bodies, JSON APIs, cookies or challenges (Anhui label endpoints, gkmlpt JSON,
anti-bot stubs, ASP-era query-string lists) subclass `MockSite` in a module of their own and are
passed to `DemoPortal(mock_sites=[...])`; the portal serves each on its own port.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs


@dataclass
class MockRequest:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    raw_path: str = ""  # path with query string, as requested

    @property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is the client's problem, not the server's
            return {}
        return {k: m.value for k, m in jar.items()}

    def arg(self, name: str, default: str = "") -> str:
        """A query-string or form value."""
        values = self.query.get(name) or self.form().get(name)
        return values[0] if values else default

    def form(self) -> dict[str, list[str]]:
        ctype = self.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" in ctype or (self.body and "json" not in ctype):
            return parse_qs(self.body.decode("utf-8", errors="replace"))
        return {}

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            return None


@dataclass
class MockResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)  # extra headers (Set-Cookie may repeat)

    @classmethod
    def html(cls, text: str, status: int = 200, encoding: str = "utf-8", charset_header: bool = True) -> MockResponse:
        ctype = f"text/html; charset={encoding}" if charset_header else "text/html"
        return cls(status, text.encode(encoding), ctype)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> MockResponse:
        return cls(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8")

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> MockResponse:
        return cls(status, b"", "text/html", [("Location", location)])

    @classmethod
    def not_found(cls) -> MockResponse:
        return cls(404, b"<html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>")


class MockSite:
    """One imitation site. Subclasses set the registry facts and implement `handle`."""

    site_id = "mock"
    name = ""
    province = ""
    city = ""
    county = ""
    adcode = ""
    platform = ""  # the family the registry names ("" = let the crawler detect it)
    entry_path = "/"
    home_paths: tuple[str, ...] = ("/",)  # where `home()` is served

    def __init__(self, site_id: str | None = None, platform: str | None = None) -> None:
        """`site_id` and `platform` override the class's: the same site registered under another id, or
        with its family left for the crawler to detect (platform "")."""
        if site_id is not None:
            self.site_id = site_id
        if platform is not None:
            self.platform = platform

    def start(self, base_url: str) -> None:
        """Called once with the site's base URL (`http://127.0.0.1:PORT`) before serving."""
        self.base_url = base_url

    def handle(self, request: MockRequest) -> MockResponse:
        raise NotImplementedError

    def home(self) -> MockResponse:
        raise NotImplementedError

    def portal_page(self, path: str) -> MockResponse | None:
        """What a county portal answers alike on every platform: a robots.txt that allows everything,
        and its home page at `home_paths`; None for any other path."""
        if path == "/robots.txt":
            return MockResponse(200, b"User-agent: *\nAllow: /\n", "text/plain")
        return self.home() if path in self.home_paths else None

    def manifest(self) -> list[dict[str, Any]]:
        """Ground truth, in the same shape as the core sites' manifest rows."""
        return []
