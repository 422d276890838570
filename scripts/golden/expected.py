"""What a correct extraction of a golden document gives: the expected JSON, written from its spec."""

from __future__ import annotations

from typing import Any

from demosites.forms import Numbers

from .spec import Spec

COLS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
DENIED_KEYS = ["state_secret", "prohibited_by_law", "security_stability", "third_party", "internal_affairs",
               "process_info", "enforcement_file", "admin_query"]
UNAVAILABLE_KEYS = ["not_held", "needs_creation", "unclear"]
REJECTED_KEYS = ["petition", "duplicate", "publication", "excessive", "confirmation"]
OTHER_KEYS = ["no_correction", "unpaid_fee", "misc"]
FOUR_KEYS = ["upheld", "corrected", "other", "pending", "total"]


def canonical_row(key: str) -> str:
    """The generator's table-三 row key ('denied_1') -> the codebook's ('denied_state_secret')."""
    for prefix, names in (("denied", DENIED_KEYS), ("unavailable", UNAVAILABLE_KEYS),
                          ("rejected", REJECTED_KEYS), ("other", OTHER_KEYS)):
        if key.startswith(prefix + "_"):
            return f"{prefix}_{names[int(key.split('_')[1]) - 1]}"
    return key


def num(v: str) -> float | int:
    """A printed table value as the number the codebook stores ('+12' -> 12, '31.50' -> 31.5)."""
    f = float(v)
    return int(f) if f == int(f) and "." not in v else f


T2_KEYS_2021 = {
    "规章": [("rules", "issued"), ("rules", "repealed"), ("rules", "in_force")],
    "行政规范性文件": [("normative_docs", "issued"), ("normative_docs", "repealed"), ("normative_docs", "in_force")],
    "行政许可": [("licensing", "decisions")],
    "行政处罚": [("penalty", "decisions")],
    "行政强制": [("coercion", "decisions")],
    "行政事业性收费": [("fees", "amount_10k_yuan")],
}
T2_KEYS_2019 = {
    "规章": [("rules", "made"), ("rules", "published"), ("rules", "total_published")],
    "规范性文件": [("normative_docs", "made"), ("normative_docs", "published"), ("normative_docs", "total_published")],
    "行政许可": [("licensing", c) for c in ("prev_items", "change", "decisions")],
    "其他对外管理服务事项": [("other_services", c) for c in ("prev_items", "change", "decisions")],
    "行政处罚": [("penalty", c) for c in ("prev_items", "change", "decisions")],
    "行政强制": [("coercion", c) for c in ("prev_items", "change", "decisions")],
    "行政事业性收费": [("fees", "prev_items"), ("fees", "change")],
    "政府集中采购": [("procurement", "projects"), ("procurement", "amount_10k_yuan")],
}


def table_stats(n: Numbers, blanks: set[tuple[str, int]] = frozenset()) -> dict[str, float | int]:
    """Every number tables 二, 三 and 四 print, under codebook keys, plus the core.* they imply.

    `blanks` are (table-三 row key, column) cells printed empty: absent, not 0.
    """
    s: dict[str, float | int] = {}
    t2keys = T2_KEYS_2021 if n.form == "form2021" else T2_KEYS_2019
    for label, vals in n.table2.items():
        for (row, col), v in zip(t2keys[label], vals, strict=True):
            s[f"proactive.{row}.{col}"] = num(v)
    for key, vals in n.table3.items():
        for c, v in enumerate(vals):
            if (key, c) not in blanks:
                s[f"requests.{canonical_row(key)}.{COLS[c]}"] = v
    if n.form == "form2021":
        for c in range(7):
            if all((f"other_{i}", c) not in blanks for i in (1, 2, 3)):
                s[f"requests.other.{COLS[c]}"] = sum(n.table3[f"other_{i}"][c] for i in (1, 2, 3))
    for g, group in enumerate(("review", "litigation_direct", "litigation_after_review")):
        for c, name in enumerate(FOUR_KEYS):
            s[f"{group}.{name}"] = n.table4[5 * g + c]
    core = {**n.core(), "core.review_corrected": n.table4[1], "core.litigation_corrected": n.table4[6] + n.table4[11]}
    if n.form == "form2021":
        core["core.fees_collected_yuan"] = n.fees_yuan
    s.update(core)
    return dict(sorted(s.items()))


def narrative_stats(s: Spec) -> dict[str, float | int]:
    """The numbers a narrative report's sentences state."""
    n = s.numbers
    assert n is not None
    t = n.table3
    return {
        "core.proactive_items": n.proactive_items,
        "core.requests_new": t["new"][6],
        "core.requests_granted": t["granted"][6],
        "core.requests_partial": t["partial"][6],
        "core.requests_unavailable": sum(t[f"unavailable_{i}"][6] for i in range(1, 4)),
        "core.review_total": 0,
        "core.litigation_total": 0,
    }


def legacy_stats(s: Spec) -> dict[str, float | int]:
    n = s.numbers
    assert n is not None
    new = n.table3["new"][6]
    return {"core.proactive_items": n.proactive_items, "core.requests_new": new, "core.requests_granted": new,
            "core.requests_partial": 0, "core.review_total": 0, "core.litigation_total": 0}


def fill_expected(s: Spec, blanks: set[tuple[str, int]] = frozenset()) -> None:
    """Stats and text fragments that follow from the spec (called once the variant is known)."""
    if s.form.startswith("form"):
        s.stats = table_stats(s.numbers, blanks)  # type: ignore[arg-type]
        s.stats_complete = True
        s.must_contain = ["一、总体情况", "三、收到和处理政府信息公开申请情况", *s.must_contain]
    elif s.form == "legacy_table":
        s.stats = legacy_stats(s)
        s.must_contain = ["一、概述", f"收到政府信息公开申请{s.numbers.table3['new'][6]}件", *s.must_contain]
    else:
        s.stats = narrative_stats(s)
        s.must_contain = ["一、主动公开政府信息情况", "各科室均配有信息员", *s.must_contain]


def expected_json(s: Spec) -> dict[str, Any]:
    d: dict[str, Any] = {
        "file": f"{s.name}.{s.ext}",
        "features": s.features,
        "is_report": s.is_report,
        "agency": s.agency.name if s.is_report else None,
    }
    if not s.is_report:
        d.pop("agency")
        return d
    d.update({"department": s.agency.department, "region": s.agency.region, "report_year": s.year, "form": s.form})
    if s.published_at:
        d["published_at"] = s.published_at
    if s.sign_date:
        d["document_date"] = s.sign_date
    d["text_must_contain"] = s.must_contain
    d["text_must_not_contain"] = s.must_not_contain
    d["stats_complete"] = s.stats_complete
    d["stats"] = s.stats
    return d
