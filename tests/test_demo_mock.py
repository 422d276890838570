"""The MockSite plug-in interface of the demo portal: query, form, JSON, cookies and headers."""

from __future__ import annotations

import json
import urllib.request

from demosites import DemoPortal
from demosites.mock import MockResponse, MockSite


class Echo(MockSite):
    site_id = "echo"
    name = "测试县人民政府"
    adcode = "110101"
    platform = "generic"

    def handle(self, request):
        if request.path == "/api":
            return MockResponse.json({"q": request.arg("q"), "form": request.arg("f"), "json": request.json(),
                                      "cookies": request.cookies, "method": request.method})
        if request.path == "/go":
            return MockResponse.redirect("/api?q=moved")
        return MockResponse.not_found()

    def manifest(self):
        return [{"site_id": self.site_id, "title": "echo", "detail_url": self.base_url + "/api", "decoy": True}]


def fetch(url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req) as resp:
        return resp.status, json.loads(resp.read())


def test_mock_site_sees_query_form_json_and_cookies():
    with DemoPortal(core=False, mock_sites=[Echo()]) as portal:
        (site,) = portal.sites
        assert (site.site_id, site.platform, site.adcode) == ("echo", "generic", "110101")
        base = site.entry_url.rstrip("/")
        assert fetch(base + "/api?q=1", headers={"Cookie": "a=b"})[1] == {
            "q": "1", "form": "", "json": None, "cookies": {"a": "b"}, "method": "GET"}
        _, got = fetch(base + "/api", data=b"f=2", headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert got["form"] == "2" and got["method"] == "POST"
        _, got = fetch(base + "/api", data=b'{"k": [1]}', headers={"Content-Type": "application/json"})
        assert got["json"] == {"k": [1]}
        assert fetch(base + "/go")[1]["q"] == "moved"  # urllib followed the 302
        assert ("echo", "GET", "/go", 302) in portal.request_log
        assert portal.manifest() == [{"site_id": "echo", "title": "echo", "detail_url": base + "/api", "decoy": True}]
        try:
            urllib.request.urlopen(base + "/nothing")
        except urllib.error.HTTPError as err:
            assert err.code == 404
        else:
            raise AssertionError("expected 404")
