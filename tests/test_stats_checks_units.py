"""extract/stats/checks.py on hand-made statistics: each consistency check, its exact flag, its limits.

The checks only add flags, so a broken one stores wrong-looking reports silently (or flags good ones);
the extraction tests reach them through whole documents. These pin each check directly (a mutation run
of scripts/mutation.sh stats left them unpinned).
"""

from __future__ import annotations

import pytest

from extract.stats.base import Collector
from extract.stats.checks import _fmt, check_document_date, check_table3, check_table4, plural


def collect(**values: float) -> Collector:
    out = Collector()
    for key, value in values.items():
        out.add(key.replace("__", "."), value, "table", "row")
    return out


def t3(**values: float) -> list[str]:
    out = collect(**values)
    check_table3(out)
    return out.flags


def test_number_format():
    assert _fmt(3) == "3" and _fmt(3.0) == "3" and _fmt(2.5) == "2.5" and _fmt(0.125) == "0.125"


def test_new_plus_carried_over_is_handled_plus_carried_forward():
    ok = dict(requests__new__total=10, requests__carried_over__total=2, requests__handled_total__total=9,
              requests__carried_forward__total=3)
    assert t3(**ok) == []
    assert t3(**{**ok, "requests__carried_forward__total": 4}) == [
        "table 三 column total: new + carried over (10+2) != handled total + carried forward (9+4)"]
    # missing carried counts are zero; a missing new or handled total skips the column
    assert t3(requests__new__total=5, requests__handled_total__total=5) == []
    assert t3(requests__new__total=5, requests__handled_total__total=4) == [
        "table 三 column total: new + carried over (5+0) != handled total + carried forward (4+0)"]
    assert t3(requests__new__total=5) == [] and t3(requests__handled_total__total=5) == []
    # every column is checked, not only the first one that can be
    assert t3(requests__new__natural_person=1, requests__handled_total__natural_person=1, requests__new__commercial=2,
              requests__handled_total__commercial=1) == [
        "table 三 column commercial: new + carried over (2+0) != handled total + carried forward (1+0)"]


def test_rounding_tolerance():
    assert t3(requests__new__total=1.004, requests__handled_total__total=1) == []
    assert t3(requests__new__total=1.006, requests__handled_total__total=1) != []
    assert t3(requests__new__total=0.01, requests__handled_total__total=0.005) != []  # exactly 0.005 apart: not close


def test_row_total_against_its_columns():
    assert t3(requests__granted__total=5, requests__granted__natural_person=3, requests__granted__commercial=2) == []
    assert t3(requests__granted__total=6, requests__granted__natural_person=3, requests__granted__commercial=2) == [
        "table 三 row granted: columns add up to 5, total says 6"]
    assert t3(requests__granted__total=6) == []  # no column: nothing to compare
    assert t3(requests__granted__natural_person=3) == []  # no total
    # every row is checked
    assert t3(requests__granted__total=1, requests__granted__natural_person=1, requests__partial__total=2,
              requests__partial__other_org=1) == ["table 三 row partial: columns add up to 1, total says 2"]


def test_outcomes_add_up_to_handled():
    base = dict(requests__handled_total__total=10, requests__granted__total=4, requests__partial__total=1,
                requests__denied_state_secret__total=1, requests__unavailable_not_held__total=1,
                requests__rejected_duplicate__total=1)
    assert t3(**base, requests__other__total=2) == []
    assert t3(**base, requests__other__total=3) == [
        "table 三 column total: outcomes add up to 11, total handled says 10"]
    # （六）其他处理 missing: its sub-rows stand in for it
    assert t3(**base, requests__other_no_correction__total=1, requests__other_misc__total=1) == []
    assert t3(**base, requests__other_unpaid_fee__total=1) == [
        "table 三 column total: outcomes add up to 9, total handled says 10"]
    assert t3(**base) == ["table 三 column total: outcomes add up to 8, total handled says 10"]
    assert t3(requests__handled_total__total=10) == []  # no outcome at all
    # every column
    assert t3(requests__handled_total__natural_person=1, requests__granted__natural_person=1,
              requests__handled_total__research=2, requests__granted__research=1) == [
        "table 三 column research: outcomes add up to 1, total handled says 2"]


def test_other_against_its_sub_rows():
    subs = dict(requests__other_no_correction__total=1, requests__other_unpaid_fee__total=0,
                requests__other_misc__total=2)
    assert t3(requests__other__total=3, **subs) == []
    assert t3(requests__other__total=4, **subs) == ["table 三 column total: （六）其他处理 4 != its sub-rows 3"]
    assert t3(requests__other__total=4, requests__other_misc__total=2) == []  # sub-rows incomplete: not compared
    assert t3(**subs) == []
    assert t3(requests__other__commercial=1, requests__other_no_correction__commercial=0,
              requests__other_unpaid_fee__commercial=0, requests__other_misc__commercial=0) == [
        "table 三 column commercial: （六）其他处理 1 != its sub-rows 0"]


@pytest.mark.parametrize("grp", ["review", "litigation_direct", "litigation_after_review"])
def test_table4_groups(grp):
    parts = {f"{grp}__upheld": 1, f"{grp}__corrected": 1, f"{grp}__other": 1, f"{grp}__pending": 1}
    for total, flags in ((4, []), (5, [f"table 四 {grp}: upheld + corrected + other + pending = 4, total says 5"])):
        out = collect(**parts, **{f"{grp}__total": total})
        check_table4(out)
        assert out.flags == flags
    out = collect(**{f"{grp}__total": 3})
    check_table4(out)
    assert out.flags == []
    out = collect(**{f"{grp}__upheld": 3})
    check_table4(out)
    assert out.flags == []


def test_table4_checks_every_group():
    out = collect(review__total=1, review__upheld=1, litigation_after_review__total=2, litigation_after_review__other=1)
    check_table4(out)
    assert out.flags == ["table 四 litigation_after_review: upheld + corrected + other + pending = 1, total says 2"]


@pytest.mark.parametrize(("date", "year", "flagged"), [
    ("2022-12-30", 2022, True), ("2022-12-31", 2022, False), ("2023-01-15", 2022, False),
    ("2022-12-30T10:00:00", 2022, True), ("2022-12-31T00:00", 2022, False), (None, 2022, False), ("2022-01-01", None, False),
])
def test_document_date_before_the_end_of_the_year(date, year, flagged):
    out = Collector()
    check_document_date(date, year, out)
    assert out.flags == (["document date falls before the end of the report year"] if flagged else [])


def test_plural():
    assert plural(1, "flag") == "flag" and plural(2, "flag") == "flags" and plural(0, "flag") == "flags"
