"""Value formatting, function by function: ``formatting`` (numbers, booleans, text, lists,
Python objects, shared helpers) and ``datetimes`` (dates and datetimes), called directly.

``test_serialization`` checks the same rules through ``format_frame``; here each function gets
the Arrow or object array its family receives, and its text and problems are compared exactly.
The last section goes through ``format_frame`` for the dtypes that reach these functions
indirectly (categoricals, mixed object columns): where each problem lands.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import zoneinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from vault_pandas.write.blocks import format_frame
from vault_pandas.write.datetimes import (
    format_date_objects,
    format_dates,
    format_datetime_objects,
    format_timestamps,
)
from vault_pandas.write.formatting import (
    Formatted,
    Rules,
    assemble,
    blank_where,
    format_bool_objects,
    format_decimal_objects,
    format_decimals,
    format_exact,
    format_float_objects,
    format_floats,
    format_int_objects,
    format_list_objects,
    format_string_objects,
    format_strings,
    format_unknown_objects,
    is_text,
    maybe_bare_cr,
    merge_problems,
    plain_number,
    problems_where,
    show,
    value_array,
    value_offsets,
)

UTC = dt.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
CSV, JSON = Rules(), Rules(csv=False)
NO_ZONE = "has no time zone: localize the column or pass assume_timezone"
BARE = "has a carriage return without a line feed, which CSV cannot carry (use JSON)"


def arrow(values, dtype=None) -> pa.Array:
    """The Arrow array of a pandas column, as ``format_frame`` hands it to a formatter."""
    arr = pa.array(pd.Series(values, dtype=dtype), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def objects(*values) -> np.ndarray:
    """An object array of ``values`` as given (lists stay elements), as an object column has."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def result(formatted: Formatted) -> tuple[list[str | None], list[str | None] | None]:
    """(text, problems) as plain lists; the text must be a ``pa.string()`` array."""
    text, problems = formatted
    assert text.type == pa.string()
    return text.to_pylist(), None if problems is None else list(problems)


# --- helpers ---------------------------------------------------------------------------------


def test_value_offsets_follow_slices_and_string_widths():
    arr = pa.array(["ab", None, "cde", ""])
    assert value_offsets(arr).tolist() == [0, 2, 2, 5, 5]
    assert value_offsets(arr.slice(1, 2)).tolist() == [2, 2, 5]
    assert value_offsets(arr.slice(1, 2)).dtype == np.int32
    large = pa.array(["ab", "c"], pa.large_string())
    assert value_offsets(large).tolist() == [0, 2, 3] and value_offsets(large).dtype == np.int64
    assert value_offsets(pa.array([], pa.string())).tolist() == [0]


def test_value_array_holds_the_utf8_bytes_of_the_slice_only():
    arr = pa.array(["ab", None, "é", "z"])
    assert value_array(arr).tobytes() == "abéz".encode()
    assert value_array(arr.slice(2, 1)).tolist() == [0xC3, 0xA9]
    assert value_array(pa.array([], pa.string())).tolist() == []
    assert value_array(pa.array([None, None], pa.string())).tolist() == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a\r\nb", "ok"], False),
        (["a\rb"], True),
        (["end\r"], True),
        (["\r\n\r"], True),
        (["a\r", "\nb"], True),  # the line feed after it belongs to the next value
        ([None, "x"], False),
        ([], False),
    ],
)
def test_maybe_bare_cr(values, expected):
    assert bool(maybe_bare_cr(pa.array(values, pa.string()))) is expected


def test_maybe_bare_cr_looks_only_inside_the_slice():
    arr = pa.array(["x\r", "\nok", "a\r\n"])
    assert not maybe_bare_cr(arr.slice(1))
    assert maybe_bare_cr(arr.slice(0, 1))


def test_problems_where():
    assert problems_where(np.array([False, False]), "never") is None
    assert list(problems_where(np.array([True, False, True]), ["a", "b"])) == ["a", None, "b"]
    assert list(problems_where(np.array([False, True]), "one")) == [None, "one"]


def test_merge_problems_joins_messages_of_the_same_row():
    assert merge_problems(None, None) is None
    only = problems_where(np.array([True, False]), "a")
    assert merge_problems(None, only) is only
    other = problems_where(np.array([True, True]), ["b", "c"])
    assert list(merge_problems(only, other)) == ["a; b", "c"]
    assert list(only) == ["a", None]  # the parts are left as they were


def test_blank_where_blanks_only_values_with_a_problem():
    text = pa.array(["a", "b", None])
    assert blank_where(text, None) is text
    problems = np.array([None, "bad", None], dtype=object)
    assert blank_where(text, problems).to_pylist() == ["a", None, None]


def test_show_cuts_long_values():
    assert show("a\x00b") == "'a\\x00b'"
    long = show("x" * 100)
    assert long == "'" + "x" * 56 + "..." and len(long) == 60


def test_is_text():
    assert is_text(pa.string()) and is_text(pa.large_string()) and is_text(pa.string_view())
    assert not any(
        is_text(t) for t in (pa.binary(), pa.int64(), pa.dictionary(pa.int8(), pa.string()))
    )


def test_assemble_puts_each_group_back_in_its_rows():
    parts = [
        (np.array([0, 3]), (pa.array(["a", "b"]), None)),
        (np.array([4]), (pa.array(["c"], pa.large_string()), np.array(["bad"], dtype=object))),
    ]
    assert result(assemble(5, parts)) == (["a", None, None, "b", "c"], [None] * 4 + ["bad"])
    assert result(assemble(2, [(np.array([1]), (pa.array(["x"]), None))])) == ([None, "x"], None)
    assert result(assemble(0, [])) == ([], None)


# --- numbers and booleans --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([12, -1, 0], "int64", ["12", "-1", "0"]),
        ([-128, 127], "int8", ["-128", "127"]),
        ([2**64 - 1], "uint64", ["18446744073709551615"]),
        ([12, None, pd.NA], "Int64", ["12", None, None]),
        ([2**63 - 1, None], "int64[pyarrow]", ["9223372036854775807", None]),
        ([True, False], "bool", ["true", "false"]),
        ([True, None, False], "boolean", ["true", None, "false"]),
        ([False, None], "bool[pyarrow]", ["false", None]),
    ],
)
def test_format_exact(values, dtype, expected):
    assert result(format_exact(arrow(values, dtype), CSV)) == (expected, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e+20", "100000000000000000000"),
        ("1e-05", "0.00001"),
        ("-1.5e-07", "-0.00000015"),
        ("1.23E+4", "12300"),
        ("-0", "0"),
        ("-0.0", "0.0"),
        ("-0E-7", "0.0000000"),
        ("-12.5", "-12.5"),
        ("123", "123"),
    ],
)
def test_plain_number(text, expected):
    assert plain_number(text) == expected


@pytest.mark.parametrize("dtype", ["float64", "Float64", "double[pyarrow]"])
def test_format_floats(dtype):
    values = [1e-05, 1e20, -0.0, 12.0, 0.1, -1e-05, 1e22, 123456789.125]
    expected = [
        "0.00001",
        "100000000000000000000",
        "0",
        "12",
        "0.1",
        "-0.00001",
        "10000000000000000000000",
        "123456789.125",
    ]
    assert result(format_floats(arrow(values, dtype), CSV)) == (expected, None)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([np.nan, 1.5, None], "float64"),
        ([np.nan, 1.5, pd.NA], "Float64"),
        ([None, 1.5, None], "double[pyarrow]"),
        ([np.nan, 1.5, None], "float32"),
    ],
)
def test_format_floats_leaves_nan_and_null_blank_without_a_problem(values, dtype):
    assert result(format_floats(arrow(values, dtype), CSV)) == ([None, "1.5", None], None)


@pytest.mark.parametrize("dtype", ["float64", "Float64", "float32", "float16"])
def test_format_floats_refuses_infinity_with_its_sign(dtype):
    values = arrow([np.inf, 2.5, -np.inf, np.nan], dtype)
    assert result(format_floats(values, CSV)) == (
        [None, "2.5", None, None],
        ["cannot send infinity", None, "cannot send -infinity", None],
    )


def test_format_floats_uses_the_digits_of_the_float_width():
    assert result(format_floats(arrow([0.1, 1e-05, 3.0], "float32"), CSV))[0] == [
        "0.1",
        "0.00001",
        "3",
    ]
    halves = arrow(np.array([0.1, 65504.0, -0.0, 6e-08, np.nan], dtype=np.float16))
    assert halves.type == pa.float16()
    assert result(format_floats(halves, CSV)) == (["0.1", "65500", "0", "0.00000006", None], None)


def test_format_decimals_keeps_the_scale_and_never_an_exponent():
    scaled = pa.array(
        [decimal.Decimal("1.50"), decimal.Decimal("-0.05"), None], pa.decimal128(5, 2)
    )
    assert result(format_decimals(scaled, CSV)) == (["1.50", "-0.05", None], None)
    hundreds = pa.array([decimal.Decimal("12300"), None], pa.decimal128(3, -2))
    assert result(format_decimals(hundreds, CSV)) == (["12300", None], None)
    wide = pa.array([decimal.Decimal("1" * 40)], pa.decimal256(40, 0))
    assert result(format_decimals(wide, CSV)) == (["1" * 40], None)


def test_format_decimal_objects():
    values = objects(
        decimal.Decimal("1E+2"),
        decimal.Decimal("-Infinity"),
        decimal.Decimal("0E-3"),
        decimal.Decimal("Infinity"),
    )
    assert result(format_decimal_objects(values, CSV)) == (
        ["100", None, "0.000", None],
        [None, "cannot send -Infinity (infinity)", None, "cannot send Infinity (infinity)"],
    )


def test_format_bool_objects():
    assert result(format_bool_objects(objects(True, np.False_, np.True_), CSV)) == (
        ["true", "false", "true"],
        None,
    )


def test_format_int_objects_keep_every_digit():
    assert result(format_int_objects(objects(np.int8(-5), np.int8(7)), CSV)) == (["-5", "7"], None)
    assert result(format_int_objects(objects(np.uint64(2**64 - 1)), CSV))[0] == [str(2**64 - 1)]
    assert result(format_int_objects(objects(1, -(2**63)), CSV))[0] == ["1", str(-(2**63))]
    assert result(format_int_objects(objects(2**64, -(2**100), 3), CSV)) == (
        [str(2**64), str(-(2**100)), "3"],
        None,
    )


def test_format_float_objects_use_the_digits_of_their_type():
    assert result(format_float_objects(objects(np.float32(0.1), np.float32(1e-05)), CSV)) == (
        ["0.1", "0.00001"],
        None,
    )
    assert result(format_float_objects(objects(0.1, 1e-05, -0.0, 1e20), CSV))[0] == [
        "0.1",
        "0.00001",
        "0",
        "100000000000000000000",
    ]
    assert result(format_float_objects(objects(float("-inf"), 1.0), CSV)) == (
        [None, "1"],
        ["cannot send -infinity", None],
    )


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", [object, "str", "string[python]", "string[pyarrow]", pd.ArrowDtype(pa.string())]
)
def test_format_strings_are_byte_exact_and_empty_is_blank(dtype):
    values = ["C:\\dir\\", 'say "hi"', "a,b", "two\nlines", "crlf\r\n", " pad ", "", None, "é🙂"]
    expected = values[:6] + [None, None, "é🙂"]  # no escaping here: the bodies do that
    assert result(format_strings(arrow(values, dtype), CSV)) == (expected, None)


def test_format_strings_takes_every_text_type():
    for typ in (pa.large_string(), pa.string_view()):
        assert result(format_strings(pa.array(["x", "", None], typ), CSV)) == (
            ["x", None, None],
            None,
        )


def test_format_strings_refuses_a_bare_carriage_return_in_csv_only():
    values = pa.array(["a\rb", "a\r\nb", "end\r", "ok"])
    assert result(format_strings(values, CSV)) == (
        [None, "a\r\nb", None, "ok"],
        [f"'a\\rb' {BARE}", None, f"'end\\r' {BARE}", None],
    )
    assert result(format_strings(values, JSON)) == (["a\rb", "a\r\nb", "end\r", "ok"], None)


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("a\x00b", "U+0000"),
        ("\x08", "U+0008"),
        ("\x0b\x0c", "U+000B, U+000C"),
        ("\x1f\x0e\x1f", "U+000E, U+001F"),
        ("x\ufffe", "U+FFFE"),
        ("\uffff", "U+FFFF"),
    ],
)
def test_format_strings_refuses_characters_outside_xml(value, codes):
    message = f"{show(value)} has characters outside XML 1.0 ({codes}), which Vault would strip"
    assert result(format_strings(pa.array([value, "ok"]), JSON)) == ([None, "ok"], [message, None])


def test_format_strings_keeps_characters_xml_allows():
    values = [
        "tab\t",
        "lf\n",
        "\uf8ff",
        "\ufffd",
        "\ufeff",
        "\x7f",
        "\U0001f642",
    ]  # \uf8ff: EF A3 BF
    assert result(format_strings(pa.array(values), CSV)) == (values, None)


def test_format_strings_names_every_problem_of_a_value():
    text, problems = result(format_strings(pa.array(["\x01\r"]), CSV))
    xml = "'\\x01\\r' has characters outside XML 1.0 (U+0001), which Vault would strip"
    assert text == [None] and problems == [f"{xml}; '\\x01\\r' {BARE}"]


def test_format_string_objects():
    values = objects("a\ud800", "x\ry", None, np.nan, "", "ok")
    assert result(format_string_objects(values, CSV)) == (
        [None, None, None, None, None, "ok"],
        [
            "'a\\ud800' has a lone surrogate, which is not text that UTF-8 can carry",
            f"'x\\ry' {BARE}",
            None,
            None,
            None,
            None,
        ],
    )
    assert values[0] == "a\ud800"  # the caller's array is left as it was
    assert result(format_string_objects(objects("007", None), CSV)) == (["007", None], None)


# --- multi-value picklists -------------------------------------------------------------------


def test_format_list_objects_joins_names_with_commas():
    values = objects(
        ["a__c", "b__c"],
        ("c__c",),
        {"f__c", "z__c", "y__c", "b__c", "x__c", "a__c"},  # sorted, whatever the hash order
        frozenset({"q__c", "p__c"}),
        np.array(["d__c", "e__c"]),
        [],
        [None, "f__c", np.nan, "", pd.NA],
    )
    assert result(format_list_objects(values, Rules(multi_value=True))) == (
        [
            "a__c,b__c",
            "c__c",
            "a__c,b__c,f__c,x__c,y__c,z__c",
            "p__c,q__c",
            "d__c,e__c",
            None,
            "f__c",
        ],
        None,
    )


def test_format_list_objects_outside_a_multi_value_field_are_invalid():
    message = "a list can only be sent to a multi-value picklist field"
    assert result(format_list_objects(objects(["a"], []), CSV)) == ([None, None], [message] * 2)


def test_format_list_objects_refuses_what_is_not_one_picklist_name():
    values = objects(["a", 1], ["a,b"], ["ok"], ["x\x00"], ["cr\r"])
    assert result(format_list_objects(values, Rules(multi_value=True))) == (
        [None, None, "ok", None, None],
        [
            "['a', 1] holds a value that is not a picklist name (text)",
            "['a,b'] holds a name with a comma, which would split it in two",
            None,
            "'x\\x00' has characters outside XML 1.0 (U+0000), which Vault would strip",
            f"'cr\\r' {BARE}",
        ],
    )


# --- values with no text form ----------------------------------------------------------------


def test_format_unknown_objects():
    values = objects(dt.timedelta(seconds=1), {"k": "x" * 100})
    assert result(format_unknown_objects(values, CSV)) == (
        [None, None],
        [
            "no Vault text form for timedelta values (datetime.timedelta(seconds=1))",
            f"no Vault text form for dict values ({show({'k': 'x' * 100})})",
        ],
    )


# --- dates -----------------------------------------------------------------------------------


def test_format_dates_of_both_arrow_date_types():
    days = [dt.date(2024, 2, 29), None, dt.date(1, 1, 1), dt.date(9999, 12, 31)]
    expected = ["2024-02-29", None, "0001-01-01", "9999-12-31"]
    assert result(format_dates(pa.array(days, pa.date32()), CSV)) == (expected, None)
    assert result(format_dates(pa.array(days, pa.date64()), CSV)) == (expected, None)


def test_format_dates_outside_the_years_vault_holds_are_invalid():
    days = pa.array([2_932_897, -719_163, 0], pa.date32())  # 10000-01-01, 0000-12-31, 1970
    assert result(format_dates(days, CSV)) == (
        [None, None, "1970-01-01"],
        [
            "10000-01-01 is outside the years 1-9999",
            "0000-12-31 is outside the years 1-9999",
            None,
        ],
    )


def test_format_date_objects():
    values = objects(dt.date(2024, 8, 2), dt.date(1, 1, 1))
    assert result(format_date_objects(values, CSV)) == (["2024-08-02", "0001-01-01"], None)


# --- datetimes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "per_second", "fraction"),
    [("s", 1, ".000"), ("ms", 10**3, ".987"), ("us", 10**6, ".987"), ("ns", 10**9, ".987")],
)
def test_format_timestamps_in_every_unit(unit, per_second, fraction):
    ns = [1_722_588_670_987_654_321, -999_500_000, None]  # 2024-08-02 08:51:10.987654321 UTC
    ticks = [None if n is None else n // (10**9 // per_second) for n in ns]
    arr = pa.array(ticks, pa.timestamp(unit, "UTC"))
    assert result(format_timestamps(arr, CSV)) == (
        [f"2024-08-02T08:51:10{fraction}Z", "1969-12-31T23:59:59.000Z", None],
        None,
    )


def test_format_timestamps_truncates_before_1970_towards_the_past():
    arr = pa.array([-1, -1_000_001], pa.timestamp("ns", "UTC"))
    assert result(format_timestamps(arr, CSV))[0] == [
        "1969-12-31T23:59:59.999Z",
        "1969-12-31T23:59:59.998Z",
    ]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Paris", "2024-08-02T08:51:10.500Z"),
        ("+02:00", "2024-08-02T08:51:10.500Z"),
        ("America/New_York", "2024-08-02T14:51:10.500Z"),
        ("UTC", "2024-08-02T10:51:10.500Z"),
    ],
)
def test_format_timestamps_are_sent_in_utc(zone, expected):
    local = arrow(pd.Series(pd.to_datetime(["2024-08-02 10:51:10.5", None])).dt.tz_localize(zone))
    assert local.type.tz == zone
    assert result(format_timestamps(local, CSV)) == ([expected, None], None)


def test_format_timestamps_at_the_ends_of_the_years_vault_holds():
    ends = [dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)]
    arr = pa.array([e.replace(tzinfo=UTC) for e in ends], pa.timestamp("us", "UTC"))
    assert result(format_timestamps(arr, CSV)) == (
        ["0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"],
        None,
    )
    far = pa.array([2**62, 0], pa.timestamp("s", "UTC"))  # a product in ms would overflow
    text, problems = result(format_timestamps(far, CSV))
    assert text == [None, "1970-01-01T00:00:00.000Z"]
    assert problems[0].endswith(" is outside the years 1-9999") and problems[1] is None


def test_format_timestamps_naive_without_a_zone_are_invalid():
    arr = arrow(pd.to_datetime(["2024-08-02 08:51:10", None]))
    assert result(format_timestamps(arr, CSV)) == (
        [None, None],
        [f"2024-08-02 08:51:10 {NO_ZONE}", None],
    )


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_format_timestamps_naive_read_in_the_assumed_zone(unit):
    naive = pd.Series(
        pd.to_datetime(["2024-01-15 12:00:00", "2024-07-15 12:00:00.25", None], format="ISO8601")
    )
    arr = arrow(naive.astype(f"datetime64[{unit}]"))
    quarter = ".000" if unit == "s" else ".250"
    assert result(format_timestamps(arr, Rules(assume_timezone="Europe/Paris"))) == (
        ["2024-01-15T11:00:00.000Z", f"2024-07-15T10:00:00{quarter}Z", None],
        None,
    )


@pytest.mark.parametrize(
    ("zone", "gap", "overlap"),
    [
        ("Europe/Paris", "2024-03-31 02:30:00", "2024-10-27 02:30:00"),
        ("America/New_York", "2024-03-10 02:30:00", "2024-11-03 01:30:00"),
        ("Australia/Lord_Howe", "2024-10-06 02:15:00", "2024-04-07 01:45:00"),  # 30 minutes
    ],
)
def test_format_timestamps_never_guess_a_local_time_that_does_not_exist_or_repeats(
    zone, gap, overlap
):
    arr = arrow(pd.to_datetime([gap, overlap, "2024-06-01 12:00:00"]))
    text, problems = result(format_timestamps(arr, Rules(assume_timezone=zone)))
    noon = pd.Timestamp("2024-06-01 12:00:00", tz=zone).tz_convert("UTC")
    assert text == [None, None, noon.strftime("%Y-%m-%dT%H:%M:%S.000Z")]
    assert problems == [
        f"{gap} is a time that does not exist in {zone}",
        f"{overlap} is ambiguous in {zone}",
        None,
    ]


def test_format_timestamps_for_a_date_field_need_midnights():
    days = [dt.datetime(2024, 8, 2), dt.datetime(2024, 8, 3, 10, 30), None]
    naive = pa.array(days, pa.timestamp("s"))
    assert result(format_timestamps(naive, Rules(date_only=True))) == (
        ["2024-08-02", None, None],
        [None, "2024-08-03 10:30:00 has a time of day, but the field is a Date", None],
    )
    seconds = arrow(
        pd.Series(
            pd.to_datetime(["2024-08-02 00:00:00", "2024-08-02 00:00:01"]), dtype="datetime64[s]"
        )
    )
    assert result(format_timestamps(seconds, Rules(date_only=True)))[0] == ["2024-08-02", None]
    just_after = arrow(pd.to_datetime(["2024-08-02 00:00:00.000001"]))
    assert result(format_timestamps(just_after, Rules(date_only=True)))[0] == [None]


def test_format_timestamps_for_a_date_field_read_the_wall_clock_of_their_zone():
    local = arrow(pd.to_datetime(["2024-08-02 00:00", "2024-08-02 12:00"]).tz_localize(PARIS))
    assert result(format_timestamps(local, Rules(date_only=True)))[0] == ["2024-08-02", None]
    fixed = arrow(pd.to_datetime(["2024-08-02 00:00"]).tz_localize("-05:00"))
    assert result(format_timestamps(fixed, Rules(date_only=True)))[0] == ["2024-08-02"]


def test_format_datetime_objects_aware_naive_and_numpy():
    aware = objects(
        dt.datetime(2024, 8, 2, 10, 51, 10, 123999, tzinfo=PARIS),
        pd.Timestamp("2024-08-02 04:51:10", tz="America/New_York"),
    )
    assert result(format_datetime_objects(aware, CSV)) == (
        ["2024-08-02T08:51:10.123Z", "2024-08-02T08:51:10.000Z"],
        None,
    )
    naive = objects(dt.datetime(2024, 8, 2, 8, 51, 10), np.datetime64("2024-08-02T09:00:00"))
    assert result(format_datetime_objects(naive, CSV)) == (
        [None, None],
        [f"2024-08-02 08:51:10 {NO_ZONE}", f"2024-08-02 09:00:00 {NO_ZONE}"],
    )
    fraction = objects(np.datetime64("2024-08-02T08:51:10.5"), pd.Timestamp("2024-08-02 09:00"))
    assert result(format_datetime_objects(fraction, Rules(assume_timezone="UTC"))) == (
        ["2024-08-02T08:51:10.500Z", "2024-08-02T09:00:00.000Z"],
        None,
    )


def test_format_datetime_objects_mixing_aware_and_naive_keep_their_rows():
    values = objects(
        dt.datetime(2024, 1, 1, 12),
        dt.datetime(2024, 1, 1, 12, tzinfo=UTC),
        dt.datetime(2024, 1, 1, 13),
    )
    assert result(format_datetime_objects(values, CSV)) == (
        [None, "2024-01-01T12:00:00.000Z", None],
        [f"2024-01-01 12:00:00 {NO_ZONE}", None, f"2024-01-01 13:00:00 {NO_ZONE}"],
    )
    assert result(format_datetime_objects(values, Rules(assume_timezone="Europe/Paris")))[0] == [
        "2024-01-01T11:00:00.000Z",
        "2024-01-01T12:00:00.000Z",
        "2024-01-01T12:00:00.000Z",
    ]


def test_format_datetime_objects_beyond_the_nanosecond_years():
    values = objects(
        dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    )
    assert result(format_datetime_objects(values, CSV)) == (
        ["0001-01-01T00:00:00.000Z", "9999-12-31T23:59:00.000Z"],
        None,
    )


def test_format_datetime_objects_for_a_date_field_read_each_wall_clock():
    values = objects(
        dt.datetime(2024, 8, 2, tzinfo=PARIS),  # 2024-08-01 22:00 in UTC
        dt.datetime(2024, 8, 3),
        dt.datetime(2024, 8, 4, 9, tzinfo=UTC),
    )
    text, problems = result(format_datetime_objects(values, Rules(date_only=True)))
    assert text == ["2024-08-02", "2024-08-03", None] and problems[:2] == [None, None]
    # the value as Arrow prints it, with as many zero digits as the unit pandas chose
    assert re.fullmatch(
        r"2024-08-04 09:00:00(\.0+)? has a time of day, but the field is a Date", problems[2]
    )


# --- dtypes whose values are formatted through another family --------------------------------


def test_categories_with_a_problem_mark_only_their_own_rows():
    values = pd.Categorical([np.inf, 1.5, None, np.inf, 12.0])
    block = format_frame(pd.DataFrame({"c": values}))
    assert block.table.column("c").to_pylist() == [None, "1.5", None, None, "12"]
    assert list(block.invalid) == [
        "c: cannot send infinity",
        None,
        None,
        "c: cannot send infinity",
        None,
    ]


def test_categories_of_text_with_a_bare_carriage_return_only_in_csv():
    values = pd.Categorical(["a\rb", None, "ok"])
    csv = format_frame(pd.DataFrame({"c": values}))
    assert list(csv.invalid) == [f"c: 'a\\rb' {BARE}", None, None]
    json = format_frame(pd.DataFrame({"c": values}), body_format="json")
    assert json.table.column("c").to_pylist() == ['"a\\rb"', None, '"ok"']
    assert list(json.invalid) == [None, None, None]


def test_mixed_object_column_keeps_each_problem_on_its_row():
    values = pd.Series([np.inf, "a\x00", 7, None, dt.datetime(2024, 1, 1, 9), "ok"], dtype=object)
    block = format_frame(pd.DataFrame({"c": values}))
    assert block.table.column("c").to_pylist() == [None, None, "7", None, None, "ok"]
    assert list(block.invalid) == [
        "c: cannot send infinity",
        "c: 'a\\x00' has characters outside XML 1.0 (U+0000), which Vault would strip",
        None,
        None,
        f"c: 2024-01-01 09:00:00 {NO_ZONE}",
        None,
    ]
