"""Build the national rows of the site registry (data/sites.csv) from two public compilations.

Every county-level division (GB/T 2260 code not ending in 00: 市辖区, 县, 县级市, 旗, 兵团 cities) gets one
row: its 6-digit code, province/city/county names, the candidate portal URL(s) and `verified=no`. Run it
again whenever the sources change; rows a person wrote (the seeds, the demo sites, anything whose `source`
is not one of ours) are kept as they are, and no row is generated for their division.

Sources (only facts are taken — division code, name, URL; both are credited in every row's `source`):
- ``laosheng_qianxian.md``: 中国千县地名网 by 大萌 (DiamonWoo/Laosheng.top ``fuwu/qianxian.md``): one line per
  unit ``ADCODE [名称](URL 'note')``; division codes to end-2025.
- ``anyi_website-gov.xlsx``: anyi-econ/china-public-debt ``data/website-gov.xlsx``: 地区 path, 门户名称, 门户URL,
  the access method that worked and the effective URL, checked on 2026-04-26.

The two are cross-checked by host: where they agree one URL is kept (the effective URL of the checked
list, which is a home page); where they disagree both are kept (entry_urls takes several) and the row says
so; a URL of a known error (listed in the sources' README, or a host that two divisions share, or a
county pointing at its prefecture's portal) is left out of entry_urls and named in the notes.

    .venv/bin/python scripts/build_registry.py --sources ../shared/sources [--registry data/sites.csv] [--out F]

Prints coverage (divisions with at least one URL / all) and what it flagged.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.registry import COLUMNS, RegistryError, Site, load_registry, write_registry  # noqa: E402

LAOSHENG = "laosheng_qianxian.md"
ANYI = "anyi_website-gov.xlsx"
# The value of `source` on generated rows: re-running the script replaces exactly these.
GENERATED = ("laosheng+anyi", "laosheng", "anyi")
CREDIT = ("facts from 中国千县地名网 (DiamonWoo/Laosheng.top fuwu/qianxian.md) and "
          "anyi-econ/china-public-debt data/website-gov.xlsx")

# Known errors named in the sources' README, as (division code, host pattern, why). A URL of that division
# whose host matches is left out of entry_urls (the other list's URL, if any, is used).
KNOWN_ERRORS: list[tuple[str, str, str]] = [
    ("510402", r"(^|\.)tj\w*\.gov\.cn$|tianjin", "攀枝花 东区 given a Tianjin host"),
    ("510403", r"(^|\.)tj\w*\.gov\.cn$|tianjin", "攀枝花 西区 given a Tianjin host"),
    ("140303", r"sjz|shijiazhuang", "阳泉 矿区 given a 石家庄 host"),
    ("540321", r"gongbujiangda|gbjd", "江达县 given 工布江达县's host"),
    ("222404", r"(^|\.)yanbian\.gov\.cn$", "珲春市 given 延边州's host"),
    ("210503", r"(^|\.)xihu\.gov\.cn$", "本溪 溪湖区 given Hangzhou 西湖区's host"),
    ("320111", r"^njna\.|jbxq|jiangbei", "浦口区 given a 江北新区 host"),
    ("310107", r"^putuo\.gov\.cn$", "上海 普陀区 given 舟山 普陀区's host (the two 普陀区 share one host)"),
    # Found by this script's cross-check, not in the README: the second list swaps the two 市中区.
    ("511002", r"lsszq", "内江 市中区 given 乐山 市中区's host (lsszq)"),
    ("511102", r"neijiang", "乐山 市中区 given 内江 市中区's host"),
]
# Division codes whose URLs the README says may be out of date (唐山 districts use old hosts).
OLD_HOSTS = {"1302": "唐山: some districts' hosts in one list are old ones"}

_LINE = re.compile(r"^(?P<code>\d{6})\s+(?:<b>)?(?:\[(?P<name>[^\]]+)\]\((?P<url>[^)\s]+)\s*(?:'(?P<note>[^']*)')?\s*\)"
                   r"|(?P<bare>[^\s⠀<\[]+))")
_PROVINCE = re.compile(r"""<h3 id="\d+">\d+\s*<a [^>]*title="(?P<code>\d{6})[^"]*">(?P<name>[^<]+)</a>""")


@dataclass
class Unit:
    """One county-level division as the sources and the division table describe it."""

    adcode: str
    county: str
    province: str = ""
    city: str = ""
    laosheng_url: str = ""
    laosheng_note: str = ""
    anyi: dict[str, str] | None = None
    urls: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = ""


def is_county_level(code: str) -> bool:
    """GB/T 2260: 6 digits, not a province (XX0000) or prefecture (XXXX00); not 台湾/香港/澳门."""
    return bool(re.fullmatch(r"\d{6}", code)) and code[4:] != "00" and code[:2] not in {"71", "81", "82"}


# -- reading the sources ---------------------------------------------------------------------------
def read_divisions() -> dict[str, str]:
    """6-digit code -> name from cpca's bundled copy of the division table (12-digit codes)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.origin:
        return {}
    path = Path(spec.origin).parent / "resources" / "adcodes.csv"
    names = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = (row.get("adcode") or "")[:6]
            if len(code) == 6:
                names[code] = row["name"].strip()
    return names


def parse_laosheng(text: str) -> tuple[dict[str, tuple[str, str, str]], dict[str, str]]:
    """(code -> (name, url, note) of every unit line, code -> name of the provinces' headings)."""
    units: dict[str, tuple[str, str, str]] = {}
    provinces = {m["code"]: m["name"].strip() for m in _PROVINCE.finditer(text)}
    for line in text.splitlines():
        m = _LINE.match(line.strip())
        if not m:
            continue
        name = (m["name"] or m["bare"] or "").strip()
        units[m["code"]] = (name, (m["url"] or "").strip(), (m["note"] or "").strip())
    return units, provinces


def read_xlsx(path: Path) -> list[dict[str, str]]:
    """Rows of the first sheet of an .xlsx as dicts keyed by the header row (stdlib only: the file is a
    zip of XML; shared and inline strings both read)."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            strings = ["".join(t.text or "" for t in si.iter(f"{ns}t")) for si in root.findall(f"{ns}si")]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows: list[dict[str, str]] = []
    for r in sheet.iter(f"{ns}row"):
        row = {}
        for c in r.findall(f"{ns}c"):
            col = re.match(r"[A-Z]+", c.get("r", "")).group()
            v = c.find(f"{ns}v")
            if v is not None:
                value = strings[int(v.text)] if c.get("t") == "s" else (v.text or "")
            else:
                value = "".join(t.text or "" for t in c.iter(f"{ns}t"))
            row[col] = value.strip()
        rows.append(row)
    if not rows:
        return []
    header = rows[0]
    return [{header[k]: v for k, v in row.items() if k in header} for row in rows[1:]]


# -- cross-checking ----------------------------------------------------------------------------------
def host(url: str) -> str:
    """The host a URL names, lower-case, without www. (two lists often differ only in that)."""
    h = (urlsplit(url).hostname or "").lower().rstrip(".")
    return h[4:] if h.startswith("www.") else h


def home(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _base_name(name: str) -> str:
    """石河子市／第八师 -> 石河子市 (兵团 cities carry their division after a full-width slash)."""
    return re.split(r"[／/]", name)[0].strip()


def match_anyi(unit: Unit, by_leaf: dict[tuple[str, str], list[dict[str, str]]]) -> dict[str, str] | None:
    """The checked list's row for a division: same province and name, the city deciding between twins;
    failing that, one row of the same city whose name starts like this one (凤翔县 -> 凤翔区, 济源市 ->
    济源示范区: renamed divisions)."""
    rows = by_leaf.get((unit.province, unit.county), [])
    if len(rows) > 1:
        rows = [r for r in rows if unit.city and unit.city in r["地区"].split("/")]
    if not rows:
        stem = unit.county[:-1] if len(unit.county) > 2 else unit.county
        rows = [r for (prov, leaf), found in by_leaf.items() if prov == unit.province and leaf.startswith(stem)
                for r in found if unit.city in r["地区"].split("/") or r["地区"].count("/") == 1]
        rows = [r for r in rows if r["地区"].split("/")[-1] != unit.county]
    return rows[0] if len(rows) == 1 else None


def build_units(laosheng_text: str, anyi_rows: list[dict[str, str]], divisions: dict[str, str]) -> list[Unit]:
    """Every county-level division of the first list, with the second list's row when one matches."""
    lines, provinces = parse_laosheng(laosheng_text)
    names = {**{c: n for c, (n, _u, _no) in lines.items()}, **provinces, **divisions}
    by_leaf: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in anyi_rows:
        path = [p for p in row.get("地区", "").split("/") if p]
        if len(path) >= 2 and row.get("行政层级") != "省级":
            by_leaf[(path[0], path[-1])].append(row)
    units = []
    for code, (name, url, note) in sorted(lines.items()):
        if not is_county_level(code):
            continue
        county = _base_name(name)  # the first list's names are the newer (codes to end-2025; cpca's are older)
        province = divisions.get(code[:2] + "0000") or provinces.get(code[:2] + "0000", "")
        city = names.get(code[:4] + "00", "")
        if city in ("市辖区", "县"):  # 北京/天津/上海/重庆: districts and counties belong to the city itself
            city = province
        unit = Unit(code, county, province, city, url, note)
        if "／" in name:
            unit.notes.append(f"also {name.split('／', 1)[-1]}")
        if divisions.get(code, county) != county:
            unit.notes.append(f"cpca's division table names {code} {divisions[code]}")
        unit.anyi = match_anyi(unit, by_leaf)
        leaf = (unit.anyi or {}).get("地区", "").split("/")[-1]
        if leaf and leaf != county:
            unit.notes.append(f"anyi names it {leaf}")
        units.append(unit)
    return units


def known_error(unit: Unit, url: str) -> str | None:
    h = host(url)
    for code, pattern, why in KNOWN_ERRORS:
        if unit.adcode == code and re.search(pattern, h):
            return why
    return None


def decide(units: list[Unit], lines: dict[str, tuple[str, str, str]]) -> Counter:
    """Choose each division's entry URLs and notes; returns counts of what was decided."""
    stats: Counter = Counter()
    chosen: dict[str, list[tuple[str, str]]] = {}  # adcode -> (url, which list) after the known errors
    for u in units:
        a = u.anyi or {}
        anyi_url = a.get("生效URL") or a.get("门户URL") or ""
        candidates = [(url, which) for url, which in ((u.laosheng_url, "laosheng"), (anyi_url, "anyi")) if url]
        u.source = "+".join(w for _u, w in candidates) or "laosheng"
        kept = []
        for url, which in candidates:
            if not re.match(r"^https?://[^/\s]+", url):
                u.notes.append(f"{which} URL {url!r} is not an http(s) URL: left out")
            elif why := known_error(u, url):
                u.notes.append(f"known error ({which}: {url}): {why}; left out")
                stats["known error left out"] += 1
            else:
                kept.append((url, which))
        chosen[u.adcode] = kept
    # A county given its prefecture's portal (泉州's page about its counties for 金门县) has no URL of its own.
    prefecture = {code: host(url) for code, (_n, url, _no) in lines.items() if code[4:] == "00" and url}
    for u in units:
        for url, which in list(chosen[u.adcode]):
            if prefecture.get(u.adcode[:4] + "00") == host(url):
                u.notes.append(f"{which} URL {url} is the prefecture's portal: left out")
                stats["prefecture portal left out"] += 1
                chosen[u.adcode].remove((url, which))
    # A host given for two divisions belongs to the one both lists give it to; elsewhere it is left out.
    owners: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for code, kept in chosen.items():
        for url, which in kept:
            owners[host(url)][code].add(which)
    for u in units:
        a = u.anyi or {}
        kept = []
        for url, which in chosen[u.adcode]:
            others = {c: w for c, w in owners[host(url)].items() if c != u.adcode}
            if others:
                sure = [c for c, w in others.items() if len(w) == 2]
                if sure and len(owners[host(url)][u.adcode]) == 1:
                    u.notes.append(f"{which} URL {url} is the host of {', '.join(sure)} in both lists: left out")
                    stats["host of another division left out"] += 1
                    continue
                u.notes.append(f"{which} host {host(url)} is also given for {', '.join(sorted(others))}: check it")
                stats["host shared with another division (kept, flagged)"] += 1
            kept.append((url, which))
        hosts = {host(url) for url, _w in kept}
        if len(hosts) > 1:
            stats["lists disagree (both kept)"] += 1
            u.notes.append("the lists give different hosts: both kept")
            # The checked list's URL first when it answered; else the other.
            reachable = a.get("访问方式代码") not in (None, "", "none")
            kept.sort(key=lambda c: 0 if (c[1] == "anyi") == reachable else 1)
        elif len(kept) == 2:
            stats["lists agree"] += 1
            kept = [c for c in kept if c[1] == "anyi"]  # the checked home page
        if u.laosheng_url and urlsplit(u.laosheng_url).path.strip("/") and any(w == "laosheng" for _x, w in kept):
            # 138 of the first list's URLs are introduction pages: start at the home page of that host.
            kept = [(home(url) if w == "laosheng" else url, w) for url, w in kept]
            u.notes.append(f"laosheng URL is an inner page ({u.laosheng_url}): entry is its home page")
            stats["inner page -> home page"] += 1
        method = a.get("访问方式代码", "")
        if method == "none":
            u.notes.append(f"anyi: unreachable when checked {a.get('检查时间', '')}".rstrip())
            stats["anyi: unreachable when checked"] += 1
        elif method == "protocol-switch":
            u.notes.append("anyi: answered only on the other scheme (http/https)")
        elif method == "ua-mobile":
            u.notes.append("anyi: answered only a mobile user agent")
        if u.adcode[:4] in OLD_HOSTS and len(hosts) > 1:
            u.notes.append(OLD_HOSTS[u.adcode[:4]])
        if not u.anyi:
            stats["only in laosheng"] += 1
        u.urls = list(dict.fromkeys(url for url, _w in kept))
        stats["with URL" if u.urls else "without URL"] += 1
    return stats


def generated_sites(units: list[Unit], keep: list[Site]) -> list[Site]:
    """Registry rows of the divisions no kept (hand-written) row covers."""
    covered = {s.adcode for s in keep if s.adcode and not any("127.0.0.1" in u for u in s.entry_urls)}
    out = []
    for u in units:
        if u.adcode in covered or not u.urls:
            continue
        name = (u.anyi or {}).get("门户名称") or f"{u.county}人民政府"
        out.append(Site(site_id=u.adcode, name=name, province=u.province, city=u.city, county=u.county,
                        adcode=u.adcode, entry_urls=u.urls, platform="", verified=False,
                        notes="; ".join(u.notes), source=f"{u.source}: {CREDIT}"))
    return out


def is_generated(site: Site) -> bool:
    return site.source.split(":", 1)[0] in GENERATED


def build(sources: Path, registry: Path, out: Path | None = None) -> tuple[list[Site], list[Unit], Counter]:
    """Read the sources and the current registry, write the registry with the national rows regenerated."""
    laosheng = sources / LAOSHENG
    anyi = sources / ANYI
    for path in (laosheng, anyi):
        if not path.is_file():
            raise SystemExit(f"build_registry: {path} not found (--sources names the folder holding "
                             f"{LAOSHENG} and {ANYI})")
    keep = [s for s in load_registry(registry) if not is_generated(s)] if registry.exists() else []
    text = laosheng.read_text(encoding="utf-8-sig")
    units = build_units(text, read_xlsx(anyi), read_divisions())
    stats = decide(units, parse_laosheng(text)[0])
    sites = keep + generated_sites(units, keep)
    write_registry(out or registry, sites)
    load_registry(out or registry)  # what was written loads (every row valid)
    return sites, units, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, required=True,
                        help="folder holding the two lists (in this project: the sources folder beside the clone)")
    parser.add_argument("--registry", type=Path, default=ROOT / "data" / "sites.csv",
                        help="registry to update (hand-written rows are kept)")
    parser.add_argument("--out", type=Path, help="write here instead of over --registry")
    args = parser.parse_args(argv)
    try:
        sites, units, stats = build(args.sources, args.registry, args.out)
    except RegistryError as exc:
        print(f"build_registry: {exc}", file=sys.stderr)
        return 2
    with_url = sum(1 for u in units if u.urls)
    print(f"county-level divisions: {len(units)}; with >= 1 candidate URL: {with_url} "
          f"({with_url / max(1, len(units)):.1%}); without: {len(units) - with_url}")
    for key, n in sorted(stats.items()):
        print(f"  {key}: {n}")
    for u in units:
        if not u.urls:
            print(f"  no URL: {u.adcode} {u.province} {u.city} {u.county}")
    generated = sum(1 for s in sites if is_generated(s))
    print(f"registry {args.out or args.registry}: {len(sites)} rows ({generated} generated, "
          f"{len(sites) - generated} kept as written); columns: {', '.join(COLUMNS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
