"""ogi/export/tables.py's Stata file read back: the fixed value-label codes of coded columns, %td dates, number
types with no rows, the .dta version, the 80-character data label, a 2^60 integer written without a
warning. tests/test_export_units.py checks the other formats byte by byte; these pin what a mutation run
(scripts/mutation.sh export) found unpinned."""

from __future__ import annotations

import io
import warnings
from datetime import datetime

import pandas as pd
import pytest

from ogi.export.spec import STATA_CODES, Col
from ogi.export.tables import _stata_codes, _stata_date, stata_bytes

COLS = [Col("n", "number", "数", "n"), Col("form", "string", "", ""), Col("published_at", "date", "", ""),
        Col("big", "integer", "", ""), Col("t", "string", "", "")]
ROWS = [{"n": 1.0, "form": "narrative", "published_at": "2023-01-20", "big": 2**60, "t": "甲"},
        {"n": None, "form": "other", "published_at": "bad", "big": 1, "t": None},
        {"n": 2.5, "form": "", "published_at": None, "big": 2, "t": ""}]
STAMP = datetime(2024, 1, 1)


def read(data: bytes):
    with pd.io.stata.StataReader(io.BytesIO(data)) as reader:
        frame = reader.read(convert_categoricals=False)
        return frame, reader.value_labels(), list(reader._fmtlist), reader.data_label


def test_coded_columns_get_the_fixed_codes_then_others_sorted():
    assert _stata_codes("form", ["other", None, "", "form2021", "another", "other"]) == [
        *STATA_CODES["form"], "another", "other"]
    assert _stata_codes("source", []) == ["table", "text"]


def test_stata_file_read_back():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the 2^60 integer's precision warning is expected and silenced
        data = stata_bytes(COLS, ROWS, "ogi " + "x" * 90, STAMP)
    assert data.startswith(b"<stata_dta><header><release>118</release>")
    frame, labels, formats, data_label = read(data)
    assert data_label == ("ogi " + "x" * 90)[:80]
    assert labels == {"form": {0: "form2021", 1: "form2019", 2: "legacy_table", 3: "narrative", 4: "other"}}
    assert frame["form"].tolist()[:2] == [3, 4] and pd.isna(frame["form"].tolist()[2])
    assert formats == ["%10.0g", "%8.0g", "%td", "%10.0g", "%3s"]
    assert frame["published_at"].tolist()[0] == pd.Timestamp("2023-01-20")
    assert pd.isna(frame["published_at"].tolist()[1]) and pd.isna(frame["published_at"].tolist()[2])
    assert frame["n"].tolist()[0] == 1.0 and frame["n"].tolist()[2] == 2.5
    assert frame["big"].tolist() == [float(2**60), 1.0, 2.0]
    assert frame["t"].tolist() == ["甲", "", ""]


def test_no_rows_keeps_the_column_types():
    frame, _labels, formats, _label = read(stata_bytes(COLS, [], "t", STAMP))
    assert [str(t) for t in frame.dtypes] == ["float64", "object", "float64", "float64", "object"]
    assert formats[0] == "%10.0g" and formats[2] == "%td" and formats[3] == "%10.0g"


def test_stata_dates_read_the_first_ten_characters():
    assert _stata_date("2023-01-20x") == pd.Timestamp("2023-01-20")
    assert _stata_date("2023-01-20 10:00") == pd.Timestamp("2023-01-20")


@pytest.mark.parametrize("label", ["x" * 80, "y" * 81, "字" * 100])
def test_the_data_label_is_cut_to_80_characters(label):
    assert read(stata_bytes(COLS[:1], [{"n": 1}], label, STAMP))[3] == label[:80]


def test_csv_numbers_by_column_type():
    from ogi.export.tables import csv_bytes

    cols = [Col("i", "integer", "", ""), Col("x", "number", "", ""), Col("s", "string", "", "")]
    assert csv_bytes(cols, [{"i": 3.0, "x": 2.0, "s": 2.0}]) == b"i,x,s\n3,2,2.0\n"


def test_csv_keeps_carriage_returns():
    from ogi.export.tables import csv_bytes

    cols = [Col("s", "string", "", "")]
    assert csv_bytes(cols, [{"s": "a\r\nb"}, {"s": "c\rd"}]) == b's\n"a\r\nb"\n"c\rd"\n'


def test_a_bare_carriage_return_does_not_split_a_row():
    """Python's csv quotes only its own line terminator ("\n"): a cell holding a lone "\r" was written bare,
    and pandas and Python's csv reader split the row there (a shifted, corrupt row)."""
    import csv

    from ogi.export.tables import csv_bytes

    cols = [Col("s", "string", "", ""), Col("n", "integer", "", "")]
    data = csv_bytes(cols, [{"s": "c\rd", "n": 1}, {"s": "e", "n": 2}])
    assert data == b's,n\n"c\rd","1"\ne,2\n'
    assert list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) == [["s", "n"], ["c\rd", "1"], ["e", "2"]]
    frame = pd.read_csv(io.BytesIO(data))
    assert frame["s"].tolist() == ["c\rd", "e"] and frame["n"].tolist() == [1, 2]


def test_a_date_column_typed_as_string_is_logged(caplog):
    import logging

    from ogi.export.tables import typed_columns

    with caplog.at_level(logging.WARNING, logger="ogi.export.tables"):
        typed_columns([Col("d", "date", "", "")], [{"d": "2020年"}], [])
    assert caplog.messages == ["d: 1 values are not ISO dates (e.g. '2020年'); typed as string"]


def test_parquet_keeps_the_declared_types_of_empty_columns():
    import pyarrow.parquet as pq

    from ogi.export.tables import parquet_bytes

    cols = [Col("i", "integer", "", ""), Col("x", "number", "", ""), Col("s", "string", "", "")]
    table = pq.read_table(io.BytesIO(parquet_bytes(cols, [{"i": None, "x": None, "s": None}])))
    assert [str(f.type) for f in table.schema] == ["int64", "double", "string"]
    table = pq.read_table(io.BytesIO(parquet_bytes(cols, [])))
    assert [str(f.type) for f in table.schema] == ["int64", "double", "string"]
