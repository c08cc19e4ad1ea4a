"""CSV files hold Vault's text forms (``results.csv_text.csv_ready``), read back as they mean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vault_pandas.results.csv_text import csv_ready
from vault_pandas.results.files import ResultFile, write_frame


def _text(values: object, dtype: object = None) -> list[object]:
    return csv_ready(pd.DataFrame({"c": pd.Series(values, dtype=dtype)}))["c"].tolist()


def test_multi_value_picklists_are_names_joined_by_commas():
    values = [["cardiology__c", "oncology__c"], pd.NA, np.array(["neurology__c"]), [], None]
    assert _text(values, object) == ["cardiology__c,oncology__c", None, "neurology__c", None, None]
    assert _text([("a__c", "b__c"), ["c__c"]], object) == ["a__c,b__c", "c__c"]


def test_lists_among_other_values():
    values = ["x__c", ["a__c", None, "b__c"], None, 3, ("c__c",)]
    assert _text(values, object) == ["x__c", "a__c,b__c", None, 3, "c__c"]


def test_a_parquet_list_column_read_back():
    frame = pd.DataFrame({"c": pd.Series([["a__c", "b__c"], None], dtype=object)})
    table_back = pd.DataFrame({"c": pd.Series([np.array(["a__c", "b__c"]), None], dtype=object)})
    assert csv_ready(frame)["c"].tolist() == csv_ready(table_back)["c"].tolist()


@pytest.mark.parametrize("dtype", [bool, "boolean", "bool[pyarrow]"])
def test_booleans_are_lower_case(dtype):
    values = [True, False] if dtype is bool else [True, None, False]
    expected = ["true", "false"] if dtype is bool else ["true", None, "false"]
    assert _text(values, dtype) == expected


@pytest.mark.parametrize("dtype", ["float64", "Float64", "double[pyarrow]", "float32"])
def test_floats_never_have_an_exponent(dtype):
    values = [1e-05, 1e20, 12.0, -0.0, 0.1, None]
    expected = ["0.00001", "100000000000000000000", "12", "0", "0.1", None]
    assert _text(values, dtype) == expected


def test_datetimes_with_a_time_zone_are_vaults_utc_form():
    stamps = ["2024-01-02T03:04:05.123+02:00", None, "9999-12-31T23:59:59Z", "0001-01-01T00:00Z"]
    column = pd.Series(stamps, dtype=object).astype("datetime64[us, UTC]")  # pandas 2: no ns
    assert _text(column) == [
        "2024-01-02T01:04:05.123Z", None, "9999-12-31T23:59:59.000Z", "0001-01-01T00:00:00.000Z",
    ]  # fmt: skip
    finer = pd.Series(pd.to_datetime(["2024-01-02T03:04:05.123456Z"], utc=True))
    assert _text(finer) == ["2024-01-02T03:04:05.123456Z"]  # never truncated


def test_naive_datetimes_are_dates_when_all_are_midnights():
    dates = pd.Series(np.array(["0001-01-01", "NaT", "9999-12-31"], dtype="datetime64[us]"))
    assert _text(dates) == ["0001-01-01", None, "9999-12-31"]
    times = pd.Series(np.array(["2024-01-02T03:04", "2024-01-03"], dtype="datetime64[us]"))
    assert _text(times) == ["2024-01-02T03:04:00.000", "2024-01-03T00:00:00.000"]


def test_other_columns_and_the_frame_itself_are_left_as_they_are():
    frame = pd.DataFrame(
        {
            "s": pd.Series(["a", None], dtype="string"),
            "i": pd.array([1, None], dtype="Int64"),
            "cat": pd.Series(["x", "y"], dtype="category"),
            "d": [dt.date(2024, 1, 2), None],
            "flag": [True, False],
        },
        index=[10, 20],
    )
    before = frame.copy()
    out = csv_ready(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out["flag"].tolist() == ["true", "false"]
    for name in ("s", "i", "cat", "d"):
        assert out[name] is frame[name] or out[name].equals(frame[name]), name
    assert out.index.tolist() == [10, 20]
    plain = frame[["s", "i"]]
    assert csv_ready(plain) is plain  # nothing to change: not even a copy


def test_duplicate_column_names():
    frame = pd.DataFrame([[True, [1, 2]]], columns=["x", "x"])
    assert csv_ready(frame).iloc[0].tolist() == ["true", "1,2"]


def test_result_files_are_written_with_vaults_text(tmp_path: Path):
    frame = pd.DataFrame(
        {
            "areas": pd.Series([["a__c", "b__c"], None], dtype=object),
            "active": pd.array([False, None], dtype="boolean"),
            "vault_status": ["SUCCESS", "FAILURE"],
        }
    )
    expected = 'areas,active,vault_status\n"a__c,b__c",false,SUCCESS\n,,FAILURE\n'
    write_frame(frame, tmp_path / "one.csv")
    assert (tmp_path / "one.csv").read_text() == expected
    with ResultFile(tmp_path / "chunks.csv") as out:
        out.write(frame.iloc[:1])
        out.write(frame.iloc[1:])
    assert (tmp_path / "chunks.csv").read_text() == expected
