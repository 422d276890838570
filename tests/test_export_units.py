"""ogi/export/tables.py and build.py helpers, byte by byte: how a number, a missing value, a date column,
a Chinese string, a duplicate Stata name come out. The export tests check whole files from a small corpus;
these pin the rules a mutation run (scripts/mutation.sh export) left unpinned."""

from __future__ import annotations

import io
import json
import math
from datetime import datetime

import pytest

from ogi.export.build import _json_list, _stamp
from ogi.export.spec import Col
from ogi.export.tables import (
    _num,
    csv_bytes,
    jsonl_bytes,
    parquet_bytes,
    stata_bytes,
    stata_names,
    typed_columns,
)

COLS = [Col("report_id", "integer", "编号", "id"), Col("value", "number", "数值", "value", unit="件"),
        Col("agency", "string", "机关", "agency (canonical name)", description="名称"),
        Col("published_at", "date", "日期", "date")]
ROWS = [{"report_id": 1, "value": 2.5, "agency": "甲区教育局", "published_at": "2023-01-20"},
        {"report_id": 2, "value": None, "agency": None, "published_at": None}]


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (True, "1"), (False, "0"), (7, "7"), (7.0, "7"), (2.5, "2.5"), (0.1, "0.1"), (-3.0, "-3"),
    (float("nan"), ""), (float("inf"), ""), (2.0**53 - 1, "9007199254740991"), (2.0**53, "9007199254740992.0"),
    (1e20, "1e+20"), ("12", "12"),
])
def test_number_text(value, text):
    assert _num(value) == text


def test_csv_bytes_are_rfc4180_with_lf_and_utf8():
    data = csv_bytes(COLS, ROWS)
    assert data == ("report_id,value,agency,published_at\n1,2.5,甲区教育局,2023-01-20\n2,,,\n").encode()
    quoted = csv_bytes([Col("t", "string", "", "")], [{"t": 'a,"b"\nc'}])
    assert quoted == b't\n"a,""b""\nc"\n'


def test_jsonl_keeps_chinese_and_nulls():
    lines = jsonl_bytes(COLS, ROWS).decode("utf-8").splitlines()
    assert lines[0] == '{"report_id": 1, "value": 2.5, "agency": "甲区教育局", "published_at": "2023-01-20"}'
    assert json.loads(lines[1]) == {"report_id": 2, "value": None, "agency": None, "published_at": None}
    assert jsonl_bytes(COLS, []) == b""


def test_date_columns_are_dates_only_when_every_value_is_one():
    warnings: list[str] = []
    assert typed_columns(COLS, ROWS, warnings) == COLS and warnings == []
    bad = [*ROWS, {"published_at": "2020年1月"}, {"published_at": "2020-1-5"}, {"published_at": "2020-01-05T10:00"}]
    typed = typed_columns(COLS, bad, warnings)
    assert typed[3] == Col("published_at", "string", "日期", "date")
    assert typed[:3] == COLS[:3]
    assert warnings == ["published_at: 3 values are not ISO dates (e.g. '2020年1月'); typed as string"]
    described = Col("d", "date", "日", "day", unit="u", description="x")
    assert typed_columns([described], [{"d": "bad"}], []) == [Col("d", "string", "日", "day", "u", "x")]


def test_parquet_types_nulls_and_compression():
    import pyarrow.parquet as pq

    data = parquet_bytes(COLS, ROWS)
    table = pq.read_table(io.BytesIO(data))
    assert [str(f.type) for f in table.schema] == ["int64", "double", "string", "string"]
    assert table.to_pylist() == [{"report_id": 1, "value": 2.5, "agency": "甲区教育局", "published_at": "2023-01-20"},
                                 {"report_id": 2, "value": None, "agency": None, "published_at": None}]
    meta = pq.ParquetFile(io.BytesIO(data)).metadata
    column = meta.row_group(0).column(0)
    assert column.compression == "ZSTD" and column.is_stats_set and column.statistics.max == 2
    assert table.schema.metadata is None
    ints = pq.read_table(io.BytesIO(parquet_bytes(COLS[:1], [{"report_id": 3.0}]))).to_pylist()
    assert ints == [{"report_id": 3}] and isinstance(ints[0]["report_id"], int)


def test_stata_types_missing_values_and_labels():
    import pandas as pd

    stamp = datetime(2024, 5, 6, 7, 8)
    data = stata_bytes(COLS, ROWS, "ogi export " + "x" * 100, stamp)
    with pd.io.stata.StataReader(io.BytesIO(data)) as reader:
        frame = reader.read()
        labels = reader.variable_labels()
        assert reader.data_label == ("ogi export " + "x" * 100)[:80]
        assert reader.time_stamp == "06 May 2024 07:08"
    assert list(frame.columns) == ["report_id", "value", "agency", "published_at"]
    assert frame["report_id"].tolist() == [1, 2] and str(frame["report_id"].dtype).startswith("int")
    assert frame["value"].tolist()[0] == 2.5 and math.isnan(frame["value"].tolist()[1])
    assert frame["agency"].tolist() == ["甲区教育局", ""]
    assert labels == {"report_id": "编号 / id", "value": "数值 / value", "agency": "机关 / agency (canonical name)",
                      "published_at": "日期 / date"}
    # an integer column with a missing value stays float (Stata's missing), a column without label uses its name
    with pd.io.stata.StataReader(io.BytesIO(stata_bytes([Col("n", "integer", "", "")], [{"n": 1}, {"n": None}],
                                                        "t", stamp))) as reader:
        frame = reader.read()
        assert reader.variable_labels() == {"n": "n"}
    assert str(frame["n"].dtype).startswith("float")


def test_stata_names():
    assert stata_names(["core.requests_new", "1st", "if", "str12", "", "a-b", "A_B", "a_b", "x" * 40, "x" * 41]) == {
        "core.requests_new": "core_requests_new", "1st": "_1st", "if": "if_", "str12": "str12_", "": "v",
        "a-b": "a_b", "A_B": "A_B_1", "a_b": "a_b_2", "x" * 40: "x" * 32, "x" * 41: "x" * 30 + "_1"}


def test_json_list_cells():
    assert _json_list(None) == [] and _json_list("") == []
    assert _json_list('["a", 2]') == ["a", "2"]
    assert _json_list('"one"') == ["one"]
    assert _json_list("not json") == ["not json"]


def test_stata_time_stamp_from_the_crawl_time():
    assert _stamp("2024-05-06T07:08:09.123456Z") == datetime(2024, 5, 6, 7, 8, 9, 123456)
    assert _stamp("2024-05-06T07:08:09+08:00") == datetime(2024, 5, 5, 23, 8, 9)
    assert _stamp("unknown") == datetime(2000, 1, 1)


def test_stata_time_stamp_does_not_depend_on_the_machine_time_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert _stamp("2024-05-06T07:08:09+00:00") == datetime(2024, 5, 6, 7, 8, 9)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_stata_labels_fit_80_characters():
    from ogi.export.tables import stata_label

    assert stata_label(Col("a", "string", "机关", "agency")) == "机关 / agency"
    assert stata_label(Col("a", "string", "", "agency")) == "agency"
    assert stata_label(Col("abc", "string", "", "")) == "abc"
    exact = Col("a", "string", "机关", "e" * 75)  # 2 + 3 + 75 = 80: kept whole
    assert stata_label(exact) == "机关 / " + "e" * 75
    longer = Col("a", "string", "机关", "e" * 76)  # the English part is shortened, with an ellipsis
    assert stata_label(longer) == "机关 / " + "e" * 74 + "…" and len(stata_label(longer)) == 80
    wide_zh = Col("a", "string", "字" * 70, "e" * 20)  # too little room for English: cut at 79 + ellipsis
    assert stata_label(wide_zh) == ("字" * 70 + " / " + "e" * 20)[:79] + "…"
    edge = Col("a", "string", "字" * 68, "e" * 20)  # room 9: still shortened in English
    assert stata_label(edge) == "字" * 68 + " / " + "e" * 8 + "…"
    tight = Col("a", "string", "字" * 69, "e" * 20)  # room 8: cut instead
    assert stata_label(tight) == ("字" * 69 + " / " + "e" * 20)[:79] + "…"
    no_zh = Col("a", "string", "", "e" * 90)
    assert stata_label(no_zh) == "e" * 79 + "…"


def test_stata_dates():
    import pandas as pd

    from ogi.export.tables import _stata_date

    assert _stata_date("2023-01-20") == pd.Timestamp("2023-01-20")
    assert _stata_date("2023-01-20T10:00:00Z") == pd.Timestamp("2023-01-20")
    assert _stata_date("2023年1月") is pd.NaT and _stata_date(None) is pd.NaT and _stata_date("") is pd.NaT
