"""The site registry: which county and district sites to crawl, and what is known about them.

A CSV a person edits by hand (`data/sites.csv`), so every row is validated with a message that names
the line, and a mistake in one row never stops the others from loading silently.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

COLUMNS = ["site_id", "name", "province", "city", "county", "adcode", "entry_urls", "platform", "verified", "notes",
           "allowed_hosts", "attachment_hosts"]
_ADCODE = re.compile(r"^\d{6}$")
# The registry a crawl reads when none is named (the CLI, `scrapy crawl ogi` and the settings use this one).
DEFAULT_REGISTRY = "data/sites.csv"
_SITE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_HOST = re.compile(r"^(?:\*\.)?[A-Za-z0-9_.\-\[\]:]+$")


def known_platforms() -> set[str]:
    """Every registered site family's name, plus "" and "auto" (detect)."""
    from crawler.spiders import family_names

    return {"", "auto", *family_names()}


class RegistryError(ValueError):
    """A registry file or row that cannot be used."""


@dataclass
class Site:
    site_id: str
    name: str
    province: str = ""
    city: str = ""
    county: str = ""
    adcode: str = ""
    entry_urls: list[str] = field(default_factory=list)
    platform: str = ""
    verified: bool = False
    notes: str = ""
    # Hosts beyond the entry URLs' own (and their registrable domains) the crawl may visit; "*.x.gov.cn"
    # admits a whole domain. Attachment hosts are for files only (crawler/scope.py).
    allowed_hosts: list[str] = field(default_factory=list)
    attachment_hosts: list[str] = field(default_factory=list)

    def to_row(self) -> dict[str, str]:
        return {
            "site_id": self.site_id,
            "name": self.name,
            "province": self.province,
            "city": self.city,
            "county": self.county,
            "adcode": self.adcode,
            "entry_urls": " ".join(self.entry_urls),
            "platform": self.platform,
            "verified": "yes" if self.verified else "no",
            "notes": self.notes,
            "allowed_hosts": " ".join(self.allowed_hosts),
            "attachment_hosts": " ".join(self.attachment_hosts),
        }


def site_from_row(row: dict[str, str], where: str = "") -> Site:
    """Validate one registry row; `where` names it in error messages."""
    def get(key: str) -> str:
        return (row.get(key) or "").strip()

    site_id = get("site_id")
    if not site_id or not _SITE_ID.match(site_id):
        raise RegistryError(f"{where}site_id {site_id!r} must be letters, digits, '_', '.' or '-'")
    name = get("name")
    if not name:
        raise RegistryError(f"{where}site {site_id}: name is empty")
    adcode = get("adcode")
    if adcode and not _ADCODE.match(adcode):
        raise RegistryError(f"{where}site {site_id}: adcode {adcode!r} is not a 6-digit division code")
    urls = [u for u in re.split(r"[\s|]+", get("entry_urls")) if u]
    if not urls:
        raise RegistryError(f"{where}site {site_id}: no entry URL")
    for url in urls:
        if not re.match(r"^https?://[^/\s]+", url):
            raise RegistryError(f"{where}site {site_id}: entry URL {url!r} is not an http(s) URL")
    hosts = {}
    for key in ("allowed_hosts", "attachment_hosts"):
        hosts[key] = [h for h in re.split(r"[\s|,]+", get(key)) if h]
        for host in hosts[key]:
            if not _HOST.match(host):
                raise RegistryError(f"{where}site {site_id}: {key} entry {host!r} is not a host name "
                                    "(e.g. files.example.gov.cn, *.example.gov.cn, 10.0.0.1:8080)")
    platform = get("platform").lower()
    known = known_platforms()
    if platform not in known:
        raise RegistryError(
            f"{where}site {site_id}: unknown platform {platform!r} (known: {', '.join(sorted(known - {''}))})"
        )
    return Site(
        site_id=site_id,
        name=name,
        province=get("province"),
        city=get("city"),
        county=get("county"),
        adcode=adcode,
        entry_urls=urls,
        platform=platform,
        verified=get("verified").lower() in {"yes", "true", "1", "y"},
        notes=get("notes"),
        allowed_hosts=hosts["allowed_hosts"],
        attachment_hosts=hosts["attachment_hosts"],
    )


def load_registry(path: str | Path) -> list[Site]:
    path = Path(path)
    if not path.exists():
        raise RegistryError(f"registry file {path} does not exist")
    if not path.is_file():
        raise RegistryError(f"registry {path} is not a file (a CSV with site_id,name,entry_urls,... columns)")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"site_id", "name", "entry_urls"} - set(reader.fieldnames or [])
        if missing:
            raise RegistryError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        sites: list[Site] = []
        seen: set[str] = set()
        for lineno, row in enumerate(reader, start=2):
            if not any((v or "").strip() for v in row.values()) or (row.get("site_id") or "").startswith("#"):
                continue
            site = site_from_row(row, where=f"{path}:{lineno}: ")
            if site.site_id in seen:
                raise RegistryError(f"{path}:{lineno}: duplicate site_id {site.site_id}")
            seen.add(site.site_id)
            sites.append(site)
    return sites


def write_registry(path: str | Path, sites: list[Site]) -> None:
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for site in sites:
            writer.writerow(site.to_row())
