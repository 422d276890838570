"""extract.agency_names.full_name_in_text matches on a NUL-masked text when the abbreviation is all Han (a cheap
pattern instead of a 20,992-character class compiled per name): it must find exactly what the plain pattern finds."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest

from extract.agency_names import full_name_in_text
from extract.cjk import HAN

_END = re.compile(r"(局|委|委员会|办公室|政府|办事处|中心|厅|院|所|站|队|处|镇|乡|街道|管委会|公司)$")


def reference(rest: str, text: str, region: str = "") -> str | None:
    """The plain version: the Han class in the pattern, matched on the text as it is."""
    if not text or not 2 <= len(rest) <= 6 or not _END.search(rest) or rest.endswith("政府"):
        return None
    last = rest[-1]
    pattern = "".join(f"{re.escape(ch)}[{HAN}]{{0,5}}?" for ch in rest[:-1]) + re.escape(last)
    rx = re.compile(rf"(?:{re.escape(region)})?({pattern}(?:员会|会)?)") if region else re.compile(f"({pattern}(?:员会|会)?)")
    found: Counter[str] = Counter()
    for m in rx.finditer(text[:60000]):
        name = m.group(1)
        if len(name) > len(rest) and _END.search(name) and not re.search(r"[，。、；：\s]", name):
            found[name] += 1
    if not found:
        return None
    best = found.most_common(1)[0][0]
    return best if best[-1] == last or (last == "委" and best.endswith("委员会")) else None


TEXTS = [
    "某县科学技术委员会2023年政府信息公开工作年度报告。本报告由某县科学技术委员会编制。",
    "科学 技术委员会；科学\u3000技术委员会；科学1技术委员会；科学A技术委员会；科学\x00技术委员会",  # fillers not Han
    "科学㐀技术委员会、科学技术委员会",  # an Extension A character inside: not in the class
    "东城区住房和城乡建设局 东城区住房和城乡建设局 东城区住房城乡建设局",
    "经济技术开发区管理委员会（以下简称管委会），开发区管理委员会",
    "卫生健康委员会\n卫生和计划生育委员会\n卫生健康委员会",
    "发展和改革委员会，发展改革委员会。发展和改革委员会",
    "Ｘ县教育和体育局、Ｘ县教育体育局",  # a fullwidth letter before the name
    "市场监督管理局" * 3 + "市场监管局",
    "",
]
RESTS = ["科委", "住建局", "管委会", "卫健委", "发改委", "教体局", "市场监管局", "科1委", "Ｘ县局", "科 委", "委", "政府"]
REGIONS = ["", "某县", "东城区", "Ｘ县", "科学", "区"]


@pytest.mark.parametrize(("rest", "region"), list(itertools.product(RESTS, REGIONS)))
def test_same_names_as_the_plain_pattern(rest: str, region: str) -> None:
    for text in TEXTS:
        assert full_name_in_text(rest, text, region) == reference(rest, text, region), (rest, region, text)


def test_finds_the_printed_name() -> None:
    text = TEXTS[0]
    assert full_name_in_text("科委", text, "某县") == "科学技术委员会"
    assert full_name_in_text("科委", TEXTS[1]) is None  # only broken spellings: no name across a space or digit
    assert full_name_in_text("住建局", TEXTS[3], "东城区") == "住房和城乡建设局"
