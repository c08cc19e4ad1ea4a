"""Unit tests for vault_pandas.schema.rules: each value rule's check, applied to a Series directly.

test_metadata.py checks the messages a derived schema gives through ``validate``; here each
check built by ``rules.build`` (or a required/key/unique check) is run on its own, so its
verdict per value, its error and its per-value explanation are pinned for each dtype.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from vault_pandas.schema import rules
from vault_pandas.schema.metadata import FieldSpec
from vault_pandas.schema.rules import Context, build

COLOURS = {"red__c": "Red", "dark_blue__c": "Dark Blue", "green__c": "Green"}
CTX = Context("a__c", "0A1", {"colour__c": COLOURS}, None)

TEXT = FieldSpec("code__c", "String", max_length=3)
NUMBER = FieldSpec("n__c", "Number", min_value=0, max_value=10, scale=2)
WHOLE = FieldSpec("w__c", "Number", scale=0)
DATE = FieldSpec("d__c", "Date")
DATETIME = FieldSpec("t__c", "DateTime")
BOOLEAN = FieldSpec("b__c", "Boolean")
COLOUR = FieldSpec("colour__c", "Picklist", picklist="colour__c")
COLOURS_MULTI = FieldSpec("colours__c", "Picklist", picklist="colour__c", multi_value=True)
ID = FieldSpec("id", "ID")


def check(rule, field=None, ctx=CTX):
    built = build(rule, field, ctx)
    assert built is not None, f"no check built for {rule}"
    assert built.name == rule
    return built


def verdicts(built, values, dtype=None):
    """The check's verdict (True = passes) for each value, as a list."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=dtype)
    return built(series).check_output.tolist()


def explain(built, value):
    return built.statistics["explain"](value)


# --- build: which rules get a check ------------------------------------------------------------


def test_build_gives_none_when_the_metadata_sets_no_limit():
    bare_number = FieldSpec("n__c", "Number")
    assert build("max_length", FieldSpec("s__c", "String"), CTX) is None
    assert build("min_value", bare_number, CTX) is None
    assert build("max_value", bare_number, CTX) is None
    assert build("scale", bare_number, CTX) is None
    assert build("picklist", FieldSpec("p__c", "Picklist"), CTX) is None
    assert build("record_id", ID, Context("a__c", None, {}, None)) is None
    assert build("no_such_rule", bare_number, CTX) is None


def test_text_rules_need_no_field():
    assert build("text", None, CTX).name == "text"
    assert build("not_empty", None, CTX).name == "not_empty"


# --- text --------------------------------------------------------------------------------------


def test_text_accepts_only_str_values_of_an_object_column():
    values = ["abc", 5, b"abc", 1.5, ["abc"], None]
    assert verdicts(check("text"), values, object) == [True, False, False, False, False, True]


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        (["a", None], "string[pyarrow]", [True, True]),
        (["a", None], "string[python]", [True, True]),
        (["a", "b"], "category", [True, True]),
        ([1, 2], "int64", [False, False]),
        ([True], "bool", [False]),
    ],
)
def test_text_by_dtype(values, dtype, expected):
    assert verdicts(check("text"), values, dtype) == expected


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string[python]", "category"])
def test_max_length_counts_characters_not_bytes(dtype):
    values = ["abc", "é" * 3, "日本語", "😀" * 3, "abcd", "é" * 4, "😀" * 4, ""]
    expected = [True] * 4 + [False] * 3 + [True]
    assert verdicts(check("max_length", TEXT), values, dtype) == expected


def test_max_length_messages_and_non_text_values():
    built = check("max_length", TEXT)
    assert built.error == "must be at most 3 characters"
    assert explain(built, "日本語です") == "must be at most 3 characters (got 5)"
    assert verdicts(built, [12345, "abcd"], object) == [True, False]  # the text rule's business


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string[python]"])
def test_not_empty_fails_whitespace_text(dtype):
    values = ["x", "", "   ", "\t\n", " x ", None]
    expected = [True, True, False, False, True, True]  # "" is a missing value, as None
    assert verdicts(check("not_empty"), values, dtype) == expected


def test_record_id_checks_the_prefix_of_text():
    built = check("record_id", ID)
    assert built.error == "is not a a__c record id (those start with '0A1')"
    values = ["0A1000000000001", "0B1000000000001", "0a1000000000001", 12]
    assert verdicts(built, values, object) == [True, False, False, True]
    arrow = pd.Series(["0A1000000000001", "x"], dtype="string[pyarrow]")
    assert verdicts(built, arrow) == [True, False]


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (1, True),
        (2.5, True),
        (Decimal("3.25"), True),
        (np.int64(4), True),
        (np.float32(1.5), True),
        ("-12.5", True),
        ("7", True),
        ("007", True),
        (True, False),
        (np.True_, False),
        ("1e5", False),
        ("1,000", False),
        (" 5", False),
        ("+5", False),
        (".5", False),
        ("5.", False),
        ("abc", False),
        (dt.date(2024, 1, 1), False),
    ],
)
def test_number_accepts_numbers_and_plain_decimal_text(value, ok):
    built = check("number", NUMBER)
    assert built.error == "must be a number (plain decimal text)"
    assert verdicts(built, [value], object) == [ok]


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([1.5, np.nan], "float64", [True, True]),
        ([1, None], "Int64", [True, True]),
        ([1.5, None], "double[pyarrow]", [True, True]),
        ([True, False], "bool", [False, False]),
        (["1.5", "x", None], "string[pyarrow]", [True, False, True]),
        (["1.5", "x"], "category", [True, False]),
    ],
)
def test_number_by_dtype(values, dtype, expected):
    assert verdicts(check("number", NUMBER), values, dtype) == expected


def test_finite_fails_only_infinities():
    built = check("finite", NUMBER)
    assert built.error == "must be a finite number"
    values = [1.0, math.inf, -math.inf, np.nan, 1e308]
    assert verdicts(built, values, "float64") == [True, False, False, True, True]
    # text "inf" is not a number at all: the number rule fails it, not this one
    assert verdicts(built, [math.inf, "inf", "-1"], object) == [False, True, True]


def test_min_and_max_value():
    low, high = check("min_value", NUMBER), check("max_value", NUMBER)
    assert (low.error, high.error) == ("must be >= 0", "must be <= 10")
    values = [0, 10, -0.5, 10.5, "11", "-1", math.inf, -math.inf, "abc"]
    assert verdicts(low, values, object) == [True, True, False, True, True, False, True, True, True]
    assert verdicts(high, values, object) == [
        True,
        True,
        True,
        False,
        False,
        True,
        True,
        True,
        True,
    ]


def test_bounds_that_are_not_whole_numbers_are_shown_as_decimals():
    spec = FieldSpec("n__c", "Number", min_value=0.5, max_value=2.25)
    low, high = check("min_value", spec), check("max_value", spec)
    assert (low.error, high.error) == ("must be >= 0.5", "must be <= 2.25")
    assert verdicts(low, [0.4, 0.5], "float64") == [False, True]
    assert verdicts(high, pd.Series([2.25, 2.26], dtype="double[pyarrow]")) == [True, False]


def test_scale_of_floats_and_numeric_text():
    built = check("scale", NUMBER)
    assert built.error == "must have at most 2 decimal places"
    floats = [1.25, 0.1 + 0.2, 1.255, 100.0, np.nan]
    assert verdicts(built, floats, "float64") == [True, True, False, True, True]
    texts = ["12.5", "12.50", "12.500", "12.345", "12", "-0.01", "abc"]
    assert verdicts(built, texts, "string[pyarrow]") == [True, True, True, False, True, True, True]
    assert verdicts(built, texts, object) == [True, True, True, False, True, True, True]


def test_whole_number_scale_accepts_integral_floats():
    built = check("scale", WHOLE)
    assert built.error == "must be a whole number"
    assert verdicts(built, [3.0, -4.0, 1e15, 4.5, 0.1], "float64") == [True] * 3 + [False] * 2
    assert verdicts(built, [3, 10**18, None], "Int64") == [True, True, True]
    assert verdicts(built, ["3", "3.0", "3.5"], object) == [True, True, False]


# --- dates -------------------------------------------------------------------------------------


DATE_VALUES = [
    dt.date(2024, 1, 31),
    dt.datetime(2024, 1, 31),
    pd.Timestamp("2024-01-31"),
    np.datetime64("2024-01-31"),
    "2024-02-29",
    dt.datetime(2024, 1, 31, 0, 0, 1),
    pd.Timestamp("2024-01-31 10:30", tz="UTC"),
    "2023-02-29",
    "31/01/2024",
    "2024-1-31",
    "2024-01-31T00:00",
    20240131,
]


def test_date_accepts_date_values_and_yyyy_mm_dd_text():
    built = check("date", DATE)
    assert built.error == "must be a date (YYYY-MM-DD)"
    expected = [True] * 7 + [False] * 5
    assert verdicts(built, DATE_VALUES, object) == expected


def test_date_only_fails_a_time_of_day():
    built = check("date_only", DATE)
    assert built.error == "must be a date without a time of day"
    expected = [True] * 5 + [False, False] + [True] * 5  # text and numbers: the date rule's
    assert verdicts(built, DATE_VALUES, object) == expected


def test_date_rules_on_datetime_and_date_dtypes():
    stamps = pd.Series(pd.to_datetime(["2024-01-31", "2024-01-31 12:00", None], format="ISO8601"))
    assert verdicts(check("date", DATE), stamps) == [True, True, True]
    assert verdicts(check("date_only", DATE), stamps) == [True, False, True]
    aware = stamps.dt.tz_localize("Europe/Paris")
    assert verdicts(check("date_only", DATE), aware) == [True, False, True]
    dates = pd.Series([dt.date(2024, 1, 31), None], dtype="date32[pyarrow]")
    assert verdicts(check("date", DATE), dates) == [True, True]
    assert verdicts(check("date", DATE), [20240131], "int64") == [False]


def test_date_text_in_arrow_strings_and_categories():
    values = ["2024-01-31", "2024-13-01", "tomorrow", None]
    expected = [True, False, False, True]
    assert verdicts(check("date", DATE), values, "string[pyarrow]") == expected
    assert verdicts(check("date", DATE), values, "category") == expected


# --- date-times --------------------------------------------------------------------------------


DATETIME_VALUES = [
    pd.Timestamp("2024-01-31 10:00", tz="UTC"),
    dt.datetime(2024, 1, 31, 10, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    "2024-01-31T10:00:00Z",
    "2024-01-31 10:00+0100",
    "2024-01-31T10:00:00.123456789+05:30",
    "2024-01-31T10:00",
    dt.datetime(2024, 1, 31, 10),
    np.datetime64("2024-01-31T10:00"),
    pd.Timestamp("2024-01-31 10:00"),
]


def test_datetime_accepts_datetime_values_and_iso_text():
    built = check("datetime", DATETIME)
    assert built.error == "must be a date and time (ISO 8601)"
    assert verdicts(built, DATETIME_VALUES, object) == [True] * len(DATETIME_VALUES)
    bad = ["2024-01-31", dt.date(2024, 1, 31), "2024-01-31T25:00Z", "31/01/2024 10:00", 1706695200]
    assert verdicts(built, bad, object) == [False] * len(bad)


def test_timezone_fails_naive_values():
    built = check("timezone", DATETIME)
    assert built.error == "has no time zone (localize it, or pass assume_timezone=)"
    expected = [True] * 5 + [False] * 4
    assert verdicts(built, DATETIME_VALUES, object) == expected
    assert verdicts(built, ["not a date", 5], object) == [True, True]  # the datetime rule's


def test_timezone_of_datetime_columns():
    built = check("timezone", DATETIME)
    naive = pd.Series(pd.to_datetime(["2024-01-31 10:00", None]))
    assert verdicts(built, naive) == [False, True]
    assert verdicts(built, naive.dt.tz_localize("UTC")) == [True, True]
    arrow = naive.dt.tz_localize("UTC").astype("timestamp[us, tz=UTC][pyarrow]")
    assert verdicts(built, arrow) == [True, True]
    texts = pd.Series(["2024-01-31T10:00:00Z", "2024-01-31T10:00:00"], dtype="string[pyarrow]")
    assert verdicts(built, texts) == [True, False]


def test_an_assumed_timezone_drops_the_timezone_check_only():
    ctx = Context("a__c", "0A1", {}, "Europe/Paris")
    assert build("timezone", DATETIME, ctx) is None
    built = check("datetime", DATETIME, ctx)
    assert verdicts(built, ["2024-01-31T10:00", "2024-01-31"], object) == [True, False]


# --- booleans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (True, True),
        (False, True),
        (np.True_, True),
        ("true", True),
        ("FALSE", True),
        ("True", True),
        ("true ", False),
        ("yes", False),
        ("1", False),
        ("t", False),
        (1, False),
        (0, False),
        (1.0, False),
    ],
)
def test_boolean_values(value, ok):
    built = check("boolean", BOOLEAN)
    assert built.error == "must be true or false"
    assert verdicts(built, [value], object) == [ok]


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([True, False], "bool", [True, True]),
        ([True, None, False], "boolean", [True, True, True]),
        ([True, None], "bool[pyarrow]", [True, True]),
        ([1, 0], "int64", [False, False]),
        ([1, None], "Int64", [False, True]),
        (["true", "False", "yes", None], "string[pyarrow]", [True, True, False, True]),
        (["true", "no"], "category", [True, False]),
    ],
)
def test_boolean_by_dtype(values, dtype, expected):
    assert verdicts(check("boolean", BOOLEAN), values, dtype) == expected


# --- picklists ---------------------------------------------------------------------------------


def test_picklist_accepts_value_names_only():
    built = check("picklist", COLOUR)
    assert built.error == "must be a value name of picklist colour__c"
    values = ["red__c", "dark_blue__c", "Red", "RED__C", "red__c ", "purple__c", 5]
    assert verdicts(built, values, object) == [True, True] + [False] * 5


def test_picklist_label_gets_the_name_hint():
    built = check("picklist", COLOUR)
    assert explain(built, "Red") == "'Red' is a label; use the name 'red__c'"
    assert explain(built, " dark blue ") == "' dark blue ' is a label; use the name 'dark_blue__c'"


def test_picklist_unknown_value_gets_the_closest_name_or_the_names():
    built = check("picklist", COLOUR)
    assert explain(built, "gren__c") == (
        "'gren__c' is not in picklist colour__c (did you mean 'green__c'?)"
    )
    assert explain(built, "RED__C") == (
        "'RED__C' is not in picklist colour__c (did you mean 'red__c'?)"
    )
    assert explain(built, "zzz") == (
        "'zzz' is not in picklist colour__c (names: red__c, dark_blue__c, green__c)"
    )
    assert explain(built, 5) == "5 is not a value name of picklist colour__c"


def test_picklist_names_hint_is_cut_after_six_names():
    many = {f"v{i}__c": f"V{i}" for i in range(8)}
    built = check("picklist", COLOUR, Context("a__c", None, {"colour__c": many}, None))
    assert explain(built, "zzz") == (
        "'zzz' is not in picklist colour__c (names: v0__c, v1__c, v2__c, v3__c, v4__c, v5__c, ...)"
    )


def test_single_value_picklist_takes_one_name():
    built = check("picklist", COLOUR)
    values = [["red__c"], ("green__c",), ["red__c", "green__c"], "red__c,green__c", [5]]
    assert verdicts(built, values, object) == [True, True, False, False, False]
    assert explain(built, "red__c,green__c") == "takes one value, got 2 ('red__c,green__c')"


def test_multi_value_picklist_takes_lists_and_comma_separated_names():
    built = check("picklist", COLOURS_MULTI)
    assert built.error == "must be names (a list, or comma-separated) of picklist colour__c"
    values = [
        ["red__c", "green__c"],
        ("red__c",),
        np.array(["dark_blue__c", "green__c"], dtype=object),
        "red__c,green__c",
        "red__c",
        "red__c, green__c",
        "red__c,Green",
        ["red__c", "Green"],
        "red__c,,green__c",
    ]
    expected = [True] * 5 + [False] * 4
    assert verdicts(built, values, object) == expected
    assert explain(built, "red__c,Green") == "'Green' is a label; use the name 'green__c'"
    assert explain(built, ["qqq", "Red"]) == (
        "'qqq' is not in picklist colour__c (names: red__c, dark_blue__c, green__c); "
        "'Red' is a label; use the name 'red__c'"
    )


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", "category", object])
def test_multi_value_picklist_text_of_any_string_dtype(dtype):
    values = ["red__c,green__c", "red__c,nope__c", "green__c", "nope__c", None]
    expected = [True, False, True, False, True]
    assert verdicts(check("picklist", COLOURS_MULTI), values, dtype) == expected


def test_picklist_of_a_category_column():
    values = pd.Series(["red__c", "Red", None, "red__c"], dtype="category")
    assert verdicts(check("picklist", COLOUR), values) == [True, False, True, True]


# --- missing values pass every value rule ------------------------------------------------------


FAILING = [
    ("text", None, 5),
    ("not_empty", None, " "),
    ("record_id", ID, "XYZ"),
    ("max_length", TEXT, "abcd"),
    ("number", NUMBER, "abc"),
    ("finite", NUMBER, math.inf),
    ("min_value", NUMBER, -1),
    ("max_value", NUMBER, 11),
    ("scale", NUMBER, 1.234),
    ("date", DATE, "nope"),
    ("date_only", DATE, dt.datetime(2024, 1, 1, 5)),
    ("datetime", DATETIME, "nope"),
    ("timezone", DATETIME, dt.datetime(2024, 1, 1, 5)),
    ("boolean", BOOLEAN, "yes"),
    ("picklist", COLOUR, "nope__c"),
    ("picklist", COLOURS_MULTI, "red__c,nope__c"),
]


@pytest.mark.parametrize(("rule", "field", "bad"), FAILING, ids=lambda x: str(x)[:20])
def test_missing_values_pass_every_value_rule(rule, field, bad):
    values = [bad, None, np.nan, pd.NA]
    assert verdicts(check(rule, field), values, object) == [False, True, True, True]


@pytest.mark.parametrize(("rule", "field", "bad"), FAILING, ids=lambda x: str(x)[:20])
def test_nat_in_an_object_column_passes_every_value_rule(rule, field, bad):
    assert verdicts(check(rule, field), [bad, pd.NaT], object) == [False, True]


@pytest.mark.parametrize(
    ("rule", "field", "bad"),
    [(r, f, b) for r, f, b in FAILING if isinstance(b, str)],
    ids=lambda x: str(x)[:20],
)
@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", "category"])
def test_missing_values_pass_in_string_dtypes(rule, field, bad, dtype):
    values = pd.Series([bad, None, bad], dtype=dtype)
    assert verdicts(check(rule, field), values) == [False, True, False]


def test_an_all_missing_column_passes():
    for rule, field, _ in FAILING:
        assert verdicts(check(rule, field), [None, None], object) == [True, True], rule


# --- object and Arrow-backed text give the same verdicts --------------------------------------


@pytest.mark.parametrize(
    ("rule", "field", "values"),
    [
        ("text", None, ["a", "", " "]),
        ("not_empty", None, ["a", "", " ", "\u3000"]),
        ("max_length", TEXT, ["abc", "abcd", "ééé", "éééé"]),
        ("record_id", ID, ["0A1x", "0B1x"]),
        ("number", NUMBER, ["1", "-1.5", "1e3", "x"]),
        ("min_value", NUMBER, ["1", "-1.5"]),
        ("max_value", NUMBER, ["10", "10.01"]),
        ("scale", NUMBER, ["1.25", "1.250", "1.255"]),
        ("date", DATE, ["2024-01-31", "2024-02-30", "2024-1-31"]),
        ("datetime", DATETIME, ["2024-01-31T10:00Z", "2024-01-31", "2024-01-31 10:00"]),
        ("timezone", DATETIME, ["2024-01-31T10:00Z", "2024-01-31T10:00"]),
        ("boolean", BOOLEAN, ["true", "FALSE", "yes", "0"]),
        ("picklist", COLOUR, ["red__c", "Red", "red__c,green__c"]),
        ("picklist", COLOURS_MULTI, ["red__c,green__c", "red__c,Red", "red__c"]),
    ],
)
def test_object_and_arrow_text_give_the_same_verdicts(rule, field, values):
    built = check(rule, field)
    on_object = verdicts(built, values + [None], object)
    assert on_object[-1] is True
    assert False in on_object or rule == "text"  # each case has a value the rule fails
    assert verdicts(built, values + [None], "string[pyarrow]") == on_object
    assert verdicts(built, values + [None], "string[python]") == on_object


# --- required, key and unique checks (these, unlike the value rules, see missing values) -----


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string[python]", "category"])
def test_required_fails_missing_and_blank_text(dtype):
    values = ["a", None, "", "  ", " a "]
    expected = [True, False, False, False, True]
    assert verdicts(rules.required(), values, dtype) == expected
    assert verdicts(rules.key_required("ext__c"), values, dtype) == expected
    assert verdicts(rules.id_required("update"), values, dtype) == expected


def test_required_checks_names_and_errors():
    assert (rules.required().name, rules.required().error) == ("required", "is required")
    key = rules.key_required("ext__c")
    assert (key.name, key.error) == (
        "key_required",
        "is blank, but it is the key that matches records (id_param='ext__c')",
    )
    assert rules.id_required("delete").error == "is required: delete needs the record id"
    assert verdicts(rules.required(), [0, np.nan, 1.5], "float64") == [True, False, True]


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "category"])
def test_duplicates_fail_every_repeated_row_but_not_blanks(dtype):
    values = ["a", "b", "a", None, None, "", "", "c"]
    expected = [False, True, False, True, True, True, True, True]
    assert verdicts(rules.duplicates(), values, dtype) == expected
    assert verdicts(rules.key_unique(), values, dtype) == expected
    assert verdicts(rules.duplicates(), ["a", "b"], dtype) == [True, True]


def test_duplicates_of_numbers_and_of_unhashable_values():
    assert verdicts(rules.duplicates(), [1, 2, 1, None], "Int64") == [False, True, False, True]
    lists = [["a", "b"], ["a"], ["a", "b"]]
    assert verdicts(rules.duplicates(), lists, object) == [False, True, False]
    unique, key = rules.duplicates(), rules.key_unique()
    assert (unique.name, unique.error) == ("unique", "duplicated within the frame")
    assert key.name == "key_unique"
    assert key.error.startswith("duplicated within the frame (Vault rejects a whole request")
