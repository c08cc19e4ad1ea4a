"""Vault text forms of every dtype family, and the CSV / JSON bodies built from them."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import zoneinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from vault_pandas.errors import ConfigurationError
from vault_pandas.write.blocks import format_frame
from vault_pandas.write.bodies import csv_body, csv_header, json_body

UTC = dt.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NASTY = ["\\", '"', ",", "\n", "\r\n", " lead", "trail ", "007", "é漢字🙂", 'a\\"b', 'x,"y"\nz']


def texts(frame: pd.DataFrame, types=None, **options) -> list[list[str | None]]:
    """Each column's text, the CSV escaping (doubled backslashes) undone."""
    block = format_frame(frame, types, **options)
    undo = (
        (lambda v: v.replace("\\\\", "\\")) if options.get("body_format") != "json" else json.loads
    )
    return [
        [None if v is None else undo(v) for v in col.to_pylist()] for col in block.table.columns
    ]


def text(values, dtype=None, vault_type=None, **options) -> list[str | None]:
    """The text of one column made of ``values``."""
    frame = pd.DataFrame({"c": pd.Series(values, dtype=dtype)})
    return texts(frame, {"c": vault_type}, **options)[0]


def invalid(values, dtype=None, vault_type=None, **options) -> list[str | None]:
    frame = pd.DataFrame({"c": pd.Series(values, dtype=dtype)})
    return list(format_frame(frame, {"c": vault_type}, **options).invalid)


def parse_csv(body: bytes) -> list[list[str]]:
    """Read a body as Vault does: RFC 4180, then a doubled backslash is one backslash."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    return [[cell.replace("\\\\", "\\") for cell in row] for row in rows]


# --- blanks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([1.5, np.nan, None], "float64"),
        ([1, None, pd.NA], "Int64"),
        ([1, None], "int64[pyarrow]"),
        ([1.5, None], "Float64"),
        ([True, None], "boolean"),
        (["a", None, pd.NA], "string[python]"),
        (["a", None], "string[pyarrow]"),
        (["a", None, np.nan, pd.NA, pd.NaT], object),
        ([pd.Timestamp("2024-01-01", tz="UTC"), pd.NaT], None),
        ([dt.date(2024, 1, 1), None], object),
        ([decimal.Decimal("1"), decimal.Decimal("NaN")], object),
        (pd.Categorical(["a", None]), None),
    ],
)
def test_missing_values_are_blank_never_a_word(values, dtype):
    out = text(values, dtype)
    assert out[0] is not None and out[1:] == [None] * (len(values) - 1)
    assert invalid(values, dtype) == [None] * len(values)


def test_empty_string_is_blank():
    assert text(["", "x"], object) == [None, "x"]
    assert text(["", "x"], "string[pyarrow]") == [None, "x"]


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint32", "Int64"])
def test_integers_have_no_decimal_point(dtype):
    assert text([12, 0, -1 if "u" not in dtype else 7], dtype) == [
        "12",
        "0",
        "-1" if "u" not in dtype else "7",
    ]


def test_large_integers_stay_exact():
    assert text([2**53 + 1, -(2**63)], "int64") == ["9007199254740993", "-9223372036854775808"]
    assert text([2**64 - 1], "uint64") == ["18446744073709551615"]
    assert text([2**53 + 1, None], "Int64") == ["9007199254740993", None]
    assert text([2**53 + 1, None], "int64[pyarrow]") == ["9007199254740993", None]
    assert text([2**70, -(2**70), 5], object) == [str(2**70), str(-(2**70)), "5"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.1"),
        (12.0, "12"),
        (-3.0, "-3"),
        (1e20, "100000000000000000000"),
        (1e-5, "0.00001"),
        (1.5e-7, "0.00000015"),
        (-0.0, "0"),
        (123456789.125, "123456789.125"),
        (2.0**60, "1152921504606847000"),  # shortest digits, like repr
        (1 / 3, "0.3333333333333333"),
        (1e16, "10000000000000000"),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "Float64", "double[pyarrow]", object])
def test_floats_shortest_round_trip_without_exponent(value, expected, dtype):
    assert text([value], dtype) == [expected]


def test_float_extremes_are_plain_decimals():
    tiny, huge = text([5e-324, 1.7976931348623157e308], "float64")
    assert tiny == "0." + "0" * 323 + "5"
    assert huge.startswith("17976931348623157") and len(huge) == 309 and "." not in huge


def test_float32_uses_float32_digits():
    assert text(np.array([0.1, 3.4e38, 1e-7], dtype=np.float32)) == [
        "0.1",
        "340000000000000000000000000000000000000",
        "0.0000001",
    ]
    assert text(np.array([0.1, -0.0], dtype=np.float16)) == ["0.1", "0"]
    assert text([np.float32(0.1), 0.5], object) == ["0.1", "0.5"]


@pytest.mark.parametrize("dtype", ["float64", "Float64", "double[pyarrow]", "float32", object])
def test_infinity_makes_the_row_invalid(dtype):
    values = [np.inf, 1.5, -np.inf]
    assert text(values, dtype) == [None, "1.5", None]
    assert invalid(values, dtype) == ["c: cannot send infinity", None, "c: cannot send -infinity"]


def test_decimals_are_plain_text():
    values = [decimal.Decimal(v) for v in ("1E+2", "1.50", "-0", "-0.00", "1e-7", "-12.5")]
    assert text(values, object) == ["100", "1.50", "0", "0.00", "0.0000001", "-12.5"]
    bad = [decimal.Decimal("Infinity"), decimal.Decimal("sNaN"), decimal.Decimal("2")]
    assert text(bad, object) == [None, None, "2"]
    assert invalid(bad, object)[0] == "c: cannot send Infinity (infinity)"
    arrow = pd.Series([decimal.Decimal("1.50"), None], dtype=pd.ArrowDtype(pa.decimal128(5, 2)))
    assert text(arrow) == ["1.50", None]


# --- booleans --------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["bool", "boolean", "bool[pyarrow]", object])
def test_booleans_are_lower_case(dtype):
    values = [True, False] if dtype == "bool" else [True, False, None]
    assert text(values, dtype) == ["true", "false", None][: len(values)]
    assert text([np.True_, np.False_], object) == ["true", "false"]


# --- dates and datetimes ---------------------------------------------------------------------


def test_date_field_takes_the_date_of_each_midnight_value_by_value():
    values = pd.to_datetime(["2024-08-02 00:00:00", "2024-08-03 10:30:00", None])
    assert text(values, vault_type="Date") == ["2024-08-02", None, None]
    problems = invalid(values, vault_type="Date")
    assert problems[0] is None and problems[2] is None
    assert "has a time of day, but the field is a Date" in problems[1]
    # one value with a time does not change how the others are written (pitfall 2)
    assert text(values[:1], vault_type="Date") == ["2024-08-02"]


@pytest.mark.parametrize(
    "values",
    [
        [dt.date(2024, 8, 2), None, dt.date(1, 1, 1), dt.date(9999, 12, 31)],
        pd.Series(
            [dt.date(2024, 8, 2), None, dt.date(1, 1, 1), dt.date(9999, 12, 31)],
            dtype=pd.ArrowDtype(pa.date32()),
        ),
    ],
)
@pytest.mark.parametrize("vault_type", ["Date", "DateTime", None])
def test_dates_are_iso(values, vault_type):
    expected = ["2024-08-02", None, "0001-01-01", "9999-12-31"]
    assert text(values, object if isinstance(values, list) else None, vault_type) == expected


def test_date_field_with_aware_datetimes_uses_their_own_wall_clock():
    values = pd.to_datetime(["2024-08-02 00:00:00", "2024-08-02 12:00:00"]).tz_localize(PARIS)
    assert text(values, vault_type="Date") == ["2024-08-02", None]
    assert text(pd.Series(values).dt.tz_convert("UTC"), vault_type="Date") == [None, None]


@pytest.mark.parametrize(
    "dtype", [None, "timestamp[ns, tz=UTC][pyarrow]", "timestamp[us, tz=UTC][pyarrow]"]
)
def test_datetimes_are_utc_with_milliseconds_truncated(dtype):
    values = pd.to_datetime(
        ["2024-08-02 08:51:10.123456", "1969-12-31 23:59:59.9995", "2024-08-02 08:51:10.000", None]
    ).tz_localize("UTC")
    expected = [
        "2024-08-02T08:51:10.123Z",
        "1969-12-31T23:59:59.999Z",
        "2024-08-02T08:51:10.000Z",
        None,
    ]
    assert text(pd.Series(values).astype(dtype) if dtype else values, vault_type="DateTime") == (
        expected
    )


def test_datetimes_in_other_zones_are_converted_to_utc():
    values = pd.to_datetime(["2024-08-02 10:51:10", "2024-01-01 00:30:00"]).tz_localize(PARIS)
    assert text(values) == ["2024-08-02T08:51:10.000Z", "2023-12-31T23:30:00.000Z"]
    objects = [
        dt.datetime(2024, 8, 2, 10, 51, 10, tzinfo=PARIS),
        dt.datetime(2024, 8, 2, 8, 51, 10, 999999, tzinfo=UTC),
        pd.Timestamp("2024-08-02 04:51:10.5", tz="America/New_York"),
    ]
    assert text(objects, object) == [
        "2024-08-02T08:51:10.000Z",
        "2024-08-02T08:51:10.999Z",
        "2024-08-02T08:51:10.500Z",
    ]


def test_naive_datetimes_need_a_time_zone():
    values = pd.to_datetime(["2024-08-02 08:51:10", None])
    assert text(values, vault_type="DateTime") == [None, None]
    problems = invalid(values, vault_type="DateTime")
    assert "2024-08-02 08:51:10 has no time zone" in problems[0]
    assert "assume_timezone" in problems[0] and problems[1] is None
    assert text(values, assume_timezone="UTC") == ["2024-08-02T08:51:10.000Z", None]
    assert text(values, assume_timezone="Europe/Paris") == ["2024-08-02T06:51:10.000Z", None]
    naive_objects = [dt.datetime(2024, 8, 2, 8, 51, 10), dt.datetime(2024, 8, 2, tzinfo=UTC)]
    assert text(naive_objects, object) == [None, "2024-08-02T00:00:00.000Z"]


def test_local_times_that_do_not_exist_or_repeat_are_never_guessed():
    values = pd.to_datetime(["2024-03-31 02:30:00", "2024-10-27 02:30:00", "2024-06-01 12:00:00"])
    assert text(values, assume_timezone="Europe/Paris") == [None, None, "2024-06-01T10:00:00.000Z"]
    problems = invalid(values, assume_timezone="Europe/Paris")
    assert problems[0] == "c: 2024-03-31 02:30:00 is a time that does not exist in Europe/Paris"
    assert problems[1] == "c: 2024-10-27 02:30:00 is ambiguous in Europe/Paris"
    assert problems[2] is None


def test_unknown_time_zone_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="Mars/Olympus"):
        format_frame(pd.DataFrame({"c": [1]}), assume_timezone="Mars/Olympus")


def test_iso_strings_pass_through_for_date_fields():
    assert text(["2024-08-02T08:51:10.000Z"], object, "DateTime") == ["2024-08-02T08:51:10.000Z"]
    assert text(["2024-08-02"], "string[pyarrow]", "Date") == ["2024-08-02"]


def test_years_vault_cannot_hold_are_invalid():
    values = np.array(["10000-01-01", "2024-01-01"], dtype="datetime64[s]")
    assert text(values, assume_timezone="UTC") == [None, "2024-01-01T00:00:00.000Z"]
    assert "outside the years 1-9999" in invalid(values, assume_timezone="UTC")[0]


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", [object, "string[python]", "string[pyarrow]", pd.ArrowDtype(pa.large_string())]
)
def test_strings_are_byte_exact(dtype):
    assert text(NASTY, dtype) == NASTY
    assert text(NASTY, dtype, body_format="json") == NASTY


def test_csv_text_doubles_every_backslash_and_json_text_is_a_literal():
    frame = pd.DataFrame({"c": ["C:\\dir\\", 'say "hi"']})
    assert format_frame(frame).table.column("c").to_pylist() == ["C:\\\\dir\\\\", 'say "hi"']
    json_form = format_frame(frame, body_format="json").table.column("c").to_pylist()
    assert json_form == ['"C:\\\\dir\\\\"', '"say \\"hi\\""']


def test_bare_carriage_return_cannot_go_in_csv():
    values = ["a\rb", "a\r\nb", "end\r", "\r\n\r", "ok"]
    assert text(values, object) == [None, "a\r\nb", None, None, "ok"]
    problems = invalid(values, object)
    assert "carriage return without a line feed" in problems[0]
    assert [p is None for p in problems] == [False, True, False, False, True]
    assert text(values, object, body_format="json") == values
    assert invalid(values, object, body_format="json") == [None] * 5


def test_characters_outside_xml_make_the_row_invalid():
    values = ["a\x00b", "\x0b", "\x1f", "x\ufffe", "\uffff", "tab\tok", "lf\nok"]
    assert text(values, "string[pyarrow]") == [None] * 5 + ["tab\tok", "lf\nok"]
    problems = invalid(values, "string[pyarrow]")
    assert (
        problems[0]
        == "c: 'a\\x00b' has characters outside XML 1.0 (U+0000), which Vault would strip"
    )
    assert "U+FFFE" in problems[3] and problems[5] is None and problems[6] is None


def test_lone_surrogates_make_the_row_invalid():
    values = pd.Series(["a\ud800", "ok", None], dtype=object)
    assert text(values) == [None, "ok", None]
    assert "lone surrogate" in invalid(values)[0]


# --- categoricals, objects, multi-value ------------------------------------------------------


def test_categoricals_use_the_rules_of_their_categories():
    assert text(pd.Categorical(["x", None, "y", "x"])) == ["x", None, "y", "x"]
    assert text(pd.Categorical([1.0, 2.5, None])) == ["1", "2.5", None]
    days = pd.Categorical(
        pd.to_datetime(["2024-01-01 00:00", "2024-01-02 10:00", "2024-01-01 00:00"])
    )
    assert text(days, vault_type="Date") == ["2024-01-01", None, "2024-01-01"]
    assert [p is None for p in invalid(days, vault_type="Date")] == [True, False, True]
    assert text(
        pd.Series(["a", "b", "a"], dtype=pd.ArrowDtype(pa.dictionary(pa.int8(), pa.string())))
    ) == ["a", "b", "a"]


def test_mixed_object_columns_follow_each_values_own_rule():
    values = [
        "007",
        7,
        7.0,
        0.1,
        True,
        decimal.Decimal("1E+1"),
        dt.date(2024, 8, 2),
        dt.datetime(2024, 8, 2, 10, tzinfo=PARIS),
        None,
        np.nan,
        np.int64(3),
        np.float64(2.5),
    ]
    assert text(values, object) == [
        "007",
        "7",
        "7",
        "0.1",
        "true",
        "10",
        "2024-08-02",
        "2024-08-02T08:00:00.000Z",
        None,
        None,
        "3",
        "2.5",
    ]


def test_values_without_a_vault_form_are_invalid():
    values = [{"a": 1}, dt.timedelta(seconds=1), "ok"]
    assert text(values, object) == [None, None, "ok"]
    problems = invalid(values, object)
    assert problems[0] == "c: no Vault text form for dict values ({'a': 1})"
    assert "timedelta" in problems[1]
    assert "Timedelta" in invalid(pd.to_timedelta([1], unit="s"))[0]
    assert "Period" in invalid(pd.period_range("2024-01", periods=1, freq="M"))[0]


def test_multi_value_picklists_are_comma_joined():
    values = [
        ["a__c", "b__c"],
        ("c__c",),
        {"z__c", "y__c"},
        np.array(["d__c"]),
        [],
        "e__c,f__c",
        None,
    ]
    frame = pd.DataFrame({"m": pd.Series(values, dtype=object)})
    assert texts(frame, multi_value=["m"])[0] == [
        "a__c,b__c",
        "c__c",
        "y__c,z__c",
        "d__c",
        None,
        "e__c,f__c",
        None,
    ]
    arrow = pd.Series([["a", "b"], [], None], dtype=pd.ArrowDtype(pa.list_(pa.string())))
    assert texts(pd.DataFrame({"m": arrow}), multi_value={"m"})[0] == ["a,b", None, None]


def test_lists_outside_multi_value_columns_and_odd_items_are_invalid():
    frame = pd.DataFrame({"m": pd.Series([["a"], "b"], dtype=object)})
    assert texts(frame)[0] == [None, "b"]
    assert "multi-value picklist" in format_frame(frame).invalid[0]
    odd = pd.DataFrame({"m": pd.Series([["a", 1], ["a,b"], ["ok"]], dtype=object)})
    block = format_frame(odd, multi_value=["m"])
    assert block.table.column("m").to_pylist() == [None, None, "ok"]
    assert "not a picklist name" in block.invalid[0] and "comma" in block.invalid[1]


# --- frames ----------------------------------------------------------------------------------


def test_index_and_slicing_have_no_effect():
    base = pd.DataFrame({"a": [1.0, 2.5, np.nan, 4.0], "b": ["x", "y", None, "z"]})
    expected = texts(base)
    for index in (
        [7, 7, 7, 7],
        pd.MultiIndex.from_tuples([(1, "a"), (1, "a"), (0, "b"), (2, "c")]),
        ["d", "c", "b", "a"],
    ):
        assert texts(base.set_axis(index)) == expected
    big = pd.concat([base] * 3, ignore_index=True)
    assert texts(big.iloc[4:8]) == expected


def test_invalid_lists_every_bad_value_of_a_row():
    frame = pd.DataFrame({"n": [np.inf, 1.0], "s": ["a\x00", "ok"], "ok": ["x", "y"]})
    block = format_frame(frame)
    assert block.invalid[0].startswith("n: cannot send infinity; s: ")
    assert block.invalid[1] is None
    assert block.table.column("ok").to_pylist() == ["x", "y"]


def test_duplicate_and_non_text_column_names():
    frame = pd.DataFrame([[1, "a", 2.5]], columns=["x", "x", 3])
    block = format_frame(frame)
    assert block.table.column_names == ["x", "x", "3"]
    assert [c.to_pylist() for c in block.table.columns] == [["1"], ["a"], ["2.5"]]


def test_empty_frame():
    block = format_frame(
        pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)})
    )
    assert block.table.num_rows == 0 and len(block.invalid) == 0 and len(block.row_nbytes) == 0
    assert csv_body(block.table) == b"a,b\n"


def test_bad_body_format_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        format_frame(pd.DataFrame({"a": [1]}), body_format="xml")


# --- bodies ----------------------------------------------------------------------------------


def nasty_frame() -> pd.DataFrame:
    n = len(NASTY)
    return pd.DataFrame(
        {
            "text": NASTY,
            "arrow": pd.Series(NASTY[::-1], dtype="string[pyarrow]"),
            "num": pd.array([1, None] * (n // 2) + [3] * (n % 2), dtype="Int64"),
            "when": pd.Series(pd.Timestamp("2024-08-02 08:51:10.5", tz="UTC"), index=range(n)),
            "flag": [True, False] * (n // 2) + [True] * (n % 2),
        }
    )


def test_csv_body_round_trips_exactly():
    frame = nasty_frame()
    block = format_frame(frame)
    body = csv_body(block.table)
    body.decode("utf-8")
    rows = parse_csv(body)
    assert rows[0] == list(frame.columns)
    assert [row[0] for row in rows[1:]] == NASTY
    assert [row[1] for row in rows[1:]] == NASTY[::-1]
    assert [row[2] for row in rows[1:]][:2] == ["1", ""]
    assert rows[1][3:] == ["2024-08-02T08:51:10.500Z", "true"]
    assert len(body) == len(csv_header(tuple(frame.columns))) + block.row_nbytes.sum()


def test_csv_body_of_slices_and_filtered_rows():
    block = format_frame(nasty_frame())
    odd = pa.array([i % 2 == 1 for i in range(block.table.num_rows)])
    part = block.table.filter(odd).slice(2, 3)  # rows 5, 7, 9: backslashes are not redoubled
    rows = parse_csv(csv_body(part))
    assert [row[0] for row in rows[1:]] == NASTY[5:10:2]
    sizes = block.row_nbytes[1::2][2:5]
    assert len(csv_body(part)) == len(csv_header(tuple(part.column_names))) + sizes.sum()


def test_csv_body_quotes_values_and_leaves_blanks_empty():
    table = format_frame(pd.DataFrame({"a": ["x", None], "b": [1.5, np.nan]})).table
    assert csv_body(table) == b'a,b\n"x","1.5"\n,\n'
    one = format_frame(pd.DataFrame({"a": [None, "x"]}))
    assert csv_body(one.table) == b'a\n""\n"x"\n'  # a blank line would be no row at all
    assert len(csv_body(one.table)) == 2 + one.row_nbytes.sum()


def test_csv_body_escapes_other_tables_and_refuses_bare_cr():
    assert csv_body(pa.table({"a": ["C:\\x"]})) == b'a\n"C:\\\\x"\n'
    with pytest.raises(ValueError, match="carriage return"):
        csv_body(pa.table({"a": ["a\rb"]}))
    with pytest.raises(ValueError, match="json"):
        csv_body(format_frame(pd.DataFrame({"a": ["x"]}), body_format="json").table)


def test_csv_header_quotes_only_where_needed():
    assert csv_header(("name__v", "product__cr.name__v")) == b"name__v,product__cr.name__v\n"
    assert csv_header(("a,b", 'q"', " s")) == b'"a,b","q"""," s"\n'


def test_json_body_is_valid_json_with_null_blanks():
    frame = nasty_frame()
    block = format_frame(frame, body_format="json")
    body = json_body(block.table)
    records = json.loads(body.decode("utf-8"))
    assert [r["text"] for r in records] == NASTY
    assert [r["arrow"] for r in records] == NASTY[::-1]
    assert records[1]["num"] is None and records[0]["num"] == "1"
    assert records[0]["when"] == "2024-08-02T08:51:10.500Z" and records[0]["flag"] == "true"
    assert len(body) == block.row_nbytes.sum() + 1
    assert b"NaN" not in body


def test_json_body_of_slices_other_tables_and_odd_names():
    block = format_frame(
        pd.DataFrame({'we"ird': ["a", None, "c"], "é": [1, 2, 3]}), body_format="json"
    )
    part = block.table.slice(1, 2)
    assert json.loads(json_body(part)) == [{'we"ird': None, "é": "2"}, {'we"ird': "c", "é": "3"}]
    assert len(json_body(part)) == block.row_nbytes[1:].sum() + 1
    raw = pa.table({"a": ['\x01\\"\n', None]})
    assert json.loads(json_body(raw)) == [{"a": '\x01\\"\n'}, {"a": None}]
    assert json_body(block.table.slice(0, 0)) == b"[]"
    with pytest.raises(ValueError, match="csv"):
        json_body(format_frame(pd.DataFrame({"a": ["x"]})).table)


def test_text_for_datetime_and_boolean_fields_is_read_as_what_it_says():
    frame = pd.DataFrame(
        {
            "when": pd.Series(
                ["2024-05-01 12:00:00+02:00", "2024-05-01T10:00:00Z", "soon", None], dtype="string"
            ),
            "flag": pd.Series(["TRUE", "False", "yes", None], dtype=object),
        }
    )
    block = format_frame(frame, {"when": "DateTime", "flag": "Boolean"})
    assert block.table.column("when").to_pylist() == [
        "2024-05-01T10:00:00.000Z",
        "2024-05-01T10:00:00.000Z",
        "soon",  # left for the validation to report
        None,
    ]
    assert block.table.column("flag").to_pylist() == ["true", "false", "yes", None]
