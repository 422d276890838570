"""Which reports: the one meaning of the report filters every command and page shares (issue 13).

`ogi search`, `ogi export`, `ogi completeness`, `ogi compare` and Store.reports() used to read the same
words differently (`search --province 湖北` exact and empty, `export --province 湖北` a prefix and 12
reports). Here each filter has one meaning, OR within one filter (repeated values), AND across filters:

- province, city: the name or its beginning (湖北 matches 湖北省; 武汉 matches 武汉市);
- county: part of the county's name (东西湖 matches 东西湖区), or its whole 6-digit division code;
- adcode: the division code or its beginning (4201: every county of 武汉市);
- site: the site id, exactly;
- agency, department: part of the name;
- year: these report years, plus the range year_from..year_to (either bound may be open);
- form: the report form (form2021, form2019, legacy_table, narrative), exactly;
- only_passing: reports without flags.

Both backends select the same rows (wildcards % _ are plain characters everywhere):
- a part of a name (county, agency, department) ignores the case of ASCII letters, and only of those:
  `--agency abc` selects "ABC开发区管委会" (SQLite's LIKE; on PostgreSQL strpos over names with A–Z folded by
  translate(), since ILIKE would also fold other letters, e.g. full-width ＡＢＣ, which SQLite's LIKE does not);
- the beginning of a name (province, city: official Chinese names) is exact: on SQLite a BINARY range read
  through the index, on PostgreSQL instr(column, name) = 1 (corpus.pg_conn turns instr into strpos).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

# Forms the extractor writes (reports.form).
FORMS = ("form2021", "form2019", "legacy_table", "narrative")


def like_escape(value: str) -> str:
    """`value` with LIKE's wildcards escaped (ESCAPE '\\')."""
    return str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ascii_lower(sql: str) -> str:
    """PostgreSQL: `sql` with A–Z folded to a–z and no other letter changed (as SQLite's LIKE compares)."""
    return f"translate({sql}, '{string.ascii_uppercase}', '{string.ascii_lowercase}')"


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class Selection:
    """Report filters (module docstring); a single value or a sequence per filter; None/empty = no filter."""

    years: Sequence[int] | None = None
    provinces: Sequence[str] | None = None
    agencies: Sequence[str] | None = None
    only_passing: bool = False
    cities: Sequence[str] | None = None
    counties: Sequence[str] | None = None
    adcodes: Sequence[str] | None = None
    site_ids: Sequence[str] | None = None
    departments: Sequence[str] | None = None
    forms: Sequence[str] | None = None
    year_from: int | None = None
    year_to: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name not in ("only_passing", "year_from", "year_to"):
                object.__setattr__(self, f.name, _tuple(getattr(self, f.name)))
        object.__setattr__(self, "years", tuple(int(y) for y in self.years or ()))
        object.__setattr__(self, "adcodes", tuple("".join(c for c in str(a) if c.isdigit()) for a in self.adcodes or ()))

    def is_empty(self) -> bool:
        """No filter at all: every report."""
        return not any(getattr(self, f.name) not in (None, (), False) for f in fields(self))

    def texts(self) -> Iterable[tuple[str, str]]:
        """(filter name, value) of every text given, for checks (valid UTF-8) before SQL sees them."""
        for name in ("provinces", "cities", "counties", "adcodes", "site_ids", "agencies", "departments", "forms"):
            for value in getattr(self, name) or ():
                yield name, value

    def where(self, alias: str = "r", *, years: bool = True, reports_only: bool = True,
              binary_ranges: bool = False) -> tuple[str, list[Any]]:
        """WHERE clause over the reports columns (prefixed `alias.`; "" for none) and its parameters.

        `years=False`: leave the years out (the completeness matrix makes them its columns);
        `reports_only=False`: leave out department, form and only_passing (columns a view of sites lacks);
        `binary_ranges=True` (SQLite only): province and city as the range [name, name + U+10FFFF), the same
        rows as "the name or its beginning" under SQLite's BINARY (code point) order, but read through the
        reports_region index (instr() is a scan); PostgreSQL orders text by locale, so it keeps instr() = 1.
        The parts of names (county, agency, department) are SQLite's LIKE then, else strpos() over ASCII-folded
        text (PostgreSQL only): the same rows (module docstring)."""
        p = f"{alias}." if alias else ""
        clauses: list[str] = []
        params: list[Any] = []

        def any_of(values: Sequence[Any], sql: str, args) -> None:
            if values:
                clauses.append("(" + " OR ".join(sql for _ in values) + ")")
                for v in values:
                    params.extend(args(v))

        if binary_ranges:
            prefix, prefix_args = f"({p}{{c}} >= ? AND {p}{{c}} < ?)", lambda v: [v, v + "\U0010ffff"]
            part, part_arg = f"{p}{{c}} LIKE '%' || ? || '%' ESCAPE '\\'", like_escape
        else:
            prefix, prefix_args = f"instr({p}{{c}}, ?) = 1", lambda v: [v]
            part, part_arg = f"strpos({_ascii_lower(f'{p}{{c}}')}, {_ascii_lower('?')}) > 0", str
        any_of(self.provinces, prefix.format(c="province"), prefix_args)
        any_of(self.cities, prefix.format(c="city"), prefix_args)
        any_of(self.counties, f"({part.format(c='county')} OR {p}adcode = ?)", lambda v: [part_arg(v), v])
        any_of(self.adcodes, f"{p}adcode LIKE ? || '%'", lambda v: [v])
        any_of(self.site_ids, f"{p}site_id = ?", lambda v: [v])
        any_of(self.agencies, part.format(c="agency"), lambda v: [part_arg(v)])
        if reports_only:
            any_of(self.departments, part.format(c="department"), lambda v: [part_arg(v)])
            any_of(self.forms, f"{p}form = ?", lambda v: [v])
            if self.only_passing:
                clauses.append(f"({p}flags IS NULL OR {p}flags IN ('', '[]'))")
        if years and (self.years or self.year_from is not None or self.year_to is not None):
            either = []
            if self.years:
                either.append(f"{p}report_year IN ({', '.join('?' * len(self.years))})")
                params.extend(self.years)
            if self.year_from is not None or self.year_to is not None:
                either.append(f"{p}report_year BETWEEN ? AND ?")
                params += [self.year_from if self.year_from is not None else 0,
                           self.year_to if self.year_to is not None else 9999]
            clauses.append("(" + " OR ".join(either) + ")")
        return " AND ".join(clauses) or "1 = 1", params

    def where_on(self, conn: Any, alias: str = "r", **kwargs: Any) -> tuple[str, list[Any]]:
        """`where` for this connection: the index-friendly BINARY ranges on SQLite, instr() = 1 (strpos) on
        PostgreSQL (both case-sensitive, so both backends select the same rows)."""
        import sqlite3

        return self.where(alias, binary_ranges=isinstance(conn, sqlite3.Connection), **kwargs)
