"""Golden-file tests of the hanweb site family: saved demo-portal pages next to what each hook must return.

Fixtures: tests/fixtures/families/hanweb/ (refresh the pages with scripts/capture_family_fixtures.py; the
expected JSON was checked by hand against the pages).
"""

from __future__ import annotations

import pytest

from crawler.spiders.hanweb import HanwebFamily
from tests.family_golden import FIXTURES, expected, hook_results, load_response

PAGES = sorted(p.name for p in (FIXTURES / "hanweb").iterdir() if not p.name.endswith(".json"))


def test_there_are_fixtures():
    assert len(PAGES) >= 4


@pytest.mark.parametrize("name", PAGES)
def test_hooks_on_saved_page(name):
    assert hook_results(HanwebFamily, load_response("hanweb", name)) == expected("hanweb", name)


def test_no_proxy_requests_from_a_proxy_answer_or_a_short_list():
    """Proxy answers never trigger more proxy requests; a list that fits the datastore needs none."""
    from tests.family_golden import _Spider

    response = load_response("hanweb", "zc_dataproxy.xml")
    response.meta["ogi_proxy"] = True
    assert list(HanwebFamily().more_list_requests(response, _Spider())) == []
    assert list(HanwebFamily().more_list_requests(load_response("hanweb", "hs_column_gbk.html"), _Spider())) == []
