"""Administrative divisions (GB/T 2260) for region and adcode resolution.

Built on the data file shipped with the `cpca` package (resources/adcodes.csv:
12-digit code, name). We read the CSV ourselves instead of importing `cpca`,
which would pull pandas and cost seconds per process; the data is loaded
lazily on first use and cached.
"""

from __future__ import annotations

import csv
import importlib.util
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extract.cjk import HAN
from extract.record import Region

logger = logging.getLogger(__name__)

# Names that are placeholders in the data, never real places.
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# County-level names too generic to find in running text (城区防汛… would match 城区).
_MIN_TEXT_NAME = 3


@dataclass
class _Gaz:
    names: dict[str, str]  # 6-digit code -> name
    county_by_name: dict[str, list[str]]  # county-level name -> codes
    city_by_name: dict[str, list[str]]  # prefecture-level name -> codes
    province_by_name: dict[str, str]
    text_names: frozenset[str]  # county-level names long enough to look for in running text
    max_len: int


def _csv_path() -> Path | None:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "resources" / "adcodes.csv"
    return path if path.exists() else None


@lru_cache(maxsize=1)
def _load() -> _Gaz:
    names: dict[str, str] = {}
    path = _csv_path()
    if path is None:
        logger.warning("cpca data not found; region resolution from names disabled")
    else:
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code = (row.get("adcode") or "")[:6]
                name = (row.get("name") or "").strip()
                if len(code) == 6 and code.isdigit() and name:
                    names[code] = name
    county: dict[str, list[str]] = {}
    city: dict[str, list[str]] = {}
    prov: dict[str, str] = {}
    for code, name in names.items():
        if name in _PLACEHOLDERS:
            continue
        if code.endswith("0000"):
            prov[name] = code
        elif code.endswith("00"):
            city.setdefault(name, []).append(code)
        else:
            county.setdefault(name, []).append(code)
    # the short form reports print for autonomous counties: 镇宁布依族苗族自治县 -> 镇宁自治县
    for name, codes in list(county.items()):
        m = re.match(r"^(.{2,3}?)(?:[^县]{1,3}族)+自治县$", name)
        if m and m.group(1) + "自治县" not in county:
            county[m.group(1) + "自治县"] = list(codes)
    text_names = frozenset(n for n in county if len(n) >= _MIN_TEXT_NAME)
    return _Gaz(names, county, city, prov, text_names, max(map(len, text_names), default=0))


def region_for_code(code: str | None) -> Region | None:
    """Region (names + 6-digit code) for a GB/T 2260 code; None if unknown."""
    if not code:
        return None
    code = str(code).strip()[:6]
    if len(code) != 6 or not code.isdigit():
        return None
    gaz = _load()
    if code not in gaz.names:
        return None
    prov = gaz.names.get(code[:2] + "0000")
    city_name = None
    county_name = None
    if not code.endswith("0000"):
        c = gaz.names.get(code[:4] + "00")
        if c and c not in _PLACEHOLDERS:
            city_name = c
        elif code[:2] in {"11", "12", "31", "50"}:  # municipalities: the city is the province
            city_name = prov
        if not code.endswith("00"):
            county_name = gaz.names[code]
    return Region(province=prov, city=city_name, county=county_name, adcode=code)


def _pick(codes: list[str], hints: str) -> str | None:
    """Choose among same-named counties using city/province names found in `hints`."""
    if len(codes) == 1:
        return codes[0]
    best, best_score = None, 0
    for code in codes:
        r = region_for_code(code)
        if r is None:
            continue
        score = 0
        for part, weight in ((r.city, 2), (r.province, 1)):
            if part:
                short = re.sub(r"(省|市|自治区|壮族|回族|维吾尔)$", "", part)
                if part in hints or (len(short) >= 2 and short in hints):
                    score += weight
        if score > best_score:
            best, best_score = code, score
    return best


def find_county(name: str, hints: str = "") -> Region | None:
    """Region for an exact county-level name (东西湖区), disambiguated by `hints`."""
    gaz = _load()
    codes = gaz.county_by_name.get(name)
    if codes:
        code = _pick(codes, hints)
        return region_for_code(code) if code else None
    return None


def find_city(name: str, hints: str = "") -> Region | None:
    gaz = _load()
    codes = gaz.city_by_name.get(name)
    if codes:
        code = _pick(codes, hints) or codes[0]
        return region_for_code(code)
    if name in gaz.province_by_name:
        return region_for_code(gaz.province_by_name[name])
    return None


_PREFIX_RE = re.compile(
    rf"^(?P<name>[{HAN}]{{1,12}}?(?:特别行政区|自治区|自治州|自治县|自治旗|林区|地区|省|市|县|区|旗|盟|州))"
)


def split_region_prefix(agency: str) -> tuple[list[str], str]:
    """Split leading division names off an agency name.

    '江门市江海区住房和城乡建设局' -> (['江门市', '江海区'], '住房和城乡建设局').
    Only names known to the gazetteer are split, so '市场监督管理局' stays whole.
    """
    gaz = _load()
    parts: list[str] = []
    rest = agency
    while rest:
        found = None
        # longest known name at the start
        for n in range(min(12, len(rest)), 1, -1):
            cand = rest[:n]
            if cand in gaz.county_by_name or cand in gaz.city_by_name or cand in gaz.province_by_name:
                found = cand
                break
        if not found:
            break
        parts.append(found)
        rest = rest[len(found):]
    return parts, rest


def region_from_names(names: list[str], hints: str = "") -> Region | None:
    """Region from division names as written in an agency (['江门市', '江海区'])."""
    hint = hints + "".join(names)
    gaz = _load()
    for name in reversed(names):
        if name in gaz.county_by_name:
            r = find_county(name, hint)
            if r:
                return r
    for name in reversed(names):
        r = find_city(name, hint)
        if r:
            return r
    return None


_SUFFIX_CHARS = frozenset("县区市旗")
# a name followed by these is part of another word: 城中区域, 江山市场
_NOT_AFTER = {"区": set("域划间别块位分"), "市": set("场值面"), "县": set(), "旗": set("帜舰号")}
MAX_SCAN = 60_000


def counties_in_text(text: str) -> list[tuple[str, int]]:
    """County-level names (≥3 chars) found in `text`, most frequent first, then earliest.

    Scans for the division suffix (县/区/市/旗) and looks the few substrings that
    end there up in a set: linear in the text, unlike a 2,800-way regex. Only the
    head and tail of long texts are read (where agency names and signatures sit).
    """
    gaz = _load()
    if not gaz.text_names or not text:
        return []
    if len(text) > MAX_SCAN:
        text = text[: MAX_SCAN - 5000] + "\n" + text[-5000:]
    counts: dict[str, list[int]] = {}
    for end, ch in enumerate(text):
        if ch not in _SUFFIX_CHARS:
            continue
        for size in range(gaz.max_len, _MIN_TEXT_NAME - 1, -1):  # longest name ending here wins
            start = end + 1 - size
            if start < 0:
                continue
            cand = text[start : end + 1]
            if cand in gaz.text_names:
                if end + 1 < len(text) and text[end + 1] in _NOT_AFTER[ch]:
                    break
                counts.setdefault(cand, []).append(start)
                break
    ranked = sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
    return [(name, len(pos)) for name, pos in ranked]


def region_from_text(text: str) -> Region | None:
    """Best guess of the county a text is about: its most frequent county-level name."""
    for name, _count in counties_in_text(text):
        r = find_county(name, text[:5000])
        if r:
            return r
    return None


# Functional zones outside GB/T 2260, and the division that hosts each (the region of their reports).
ZONES = {
    "平潭综合实验区": ["福州市", "平潭县"],
    "雄安新区": ["保定市"],
    "两江新区": ["重庆市"],
    "天府新区": ["成都市"],
    "西咸新区": ["西安市"],
    "兰州新区": ["兰州市"],
    "贵安新区": ["贵阳市"],
    "赣江新区": ["南昌市"],
    "金普新区": ["大连市"],
    "苏州工业园区": ["苏州市"],
    "横琴粤澳深度合作区": ["珠海市"],
}
_ZONE_WORDS = re.compile(
    r"(?:综合实验区|经济技术开发区|高新技术产业开发区|经济开发区|高新技术开发区|开发区|高新区|新区|工业园区|"
    r"实验区|试验区|示范区|园区|管委会|管理委员会)"
)


def zone_host(name: str) -> list[str]:
    """Division names hosting a functional zone named at the start of `name` ('合肥高新技术产业开发区
    管委会' -> ['合肥市']), [] when it names none. Known zones first, then '<division><zone word>'."""
    for zone, host in ZONES.items():
        if name.startswith(zone) or name.startswith(zone[:2]) and zone[2:] in name[:16]:
            return host
    m = _ZONE_WORDS.search(name)
    if not m or m.start() < 2:
        return []
    prefix = name[: m.start()]
    names, _rest = split_region_prefix(prefix)
    if names:
        return names
    gaz = _load()
    for n in range(min(6, len(prefix)), 1, -1):
        for suffix in ("市", "县", "区"):
            cand = prefix[:n] + suffix
            if cand in gaz.city_by_name or cand in gaz.county_by_name:
                return [cand]
    return []
