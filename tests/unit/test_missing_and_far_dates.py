"""``""`` is a missing value for every value rule; dates of the years 1-9999 on every pandas.

The value rules (``schema.rules.build``) pass ``""`` as they pass NA (``checks.missing``), and
the writer leaves it blank. Dates and datetimes beyond pandas 2's nanosecond years (1677-2262)
are real dates: ``9999-12-31`` is a common "no end" date, and an export writes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vault_pandas.schema.checks import missing
from vault_pandas.schema.date_choice_rules import parse_instants
from vault_pandas.schema.metadata import FieldSpec
from vault_pandas.schema.rules import Context, build
from vault_pandas.write.blocks import format_frame

CTX = Context("a__c", "0A1", {"colour__c": {"red__c": "Red", "blue__c": "Blue"}}, None)
RULES = [
    ("number", FieldSpec("n__c", "Number")),
    ("finite", FieldSpec("n__c", "Number")),
    ("min_value", FieldSpec("n__c", "Number", min_value=1)),
    ("scale", FieldSpec("n__c", "Number", scale=0)),
    ("date", FieldSpec("d__c", "Date")),
    ("datetime", FieldSpec("t__c", "DateTime")),
    ("timezone", FieldSpec("t__c", "DateTime")),
    ("boolean", FieldSpec("b__c", "Boolean")),
    ("picklist", FieldSpec("p__c", "Picklist", picklist="colour__c")),
    ("picklist", FieldSpec("p__c", "Picklist", picklist="colour__c", multi_value=True)),
    ("record_id", FieldSpec("id", "ID")),
    ("not_empty", FieldSpec("r__c", "Object")),
]
TEXT_DTYPES = [object, "string[pyarrow]", "string[python]", "category"]


def _verdicts(rule: str, field: FieldSpec, values: pd.Series) -> list[bool]:
    check = build(rule, field, CTX)
    assert check is not None
    return check(values).check_output.tolist()


@pytest.mark.parametrize(("rule", "field"), RULES, ids=lambda x: getattr(x, "type", x))
@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_empty_text_passes_every_value_rule(rule, field, dtype):
    assert _verdicts(rule, field, pd.Series(["", None, ""], dtype=dtype)) == [True] * 3


@pytest.mark.parametrize(("rule", "field"), RULES, ids=lambda x: getattr(x, "type", x))
def test_empty_text_among_other_values_of_an_object_column(rule, field):
    values = pd.Series(["", 7, ["red__c"], None, pd.Timestamp("2024-01-01")], dtype=object)
    assert _verdicts(rule, field, values)[0] is True


def test_missing_values_are_na_and_empty_text_only():
    values = pd.Series(["", " ", None, np.nan, pd.NA, pd.NaT, 0, "x", []], dtype=object)
    assert missing(values).tolist() == [True, False, True, True, True, True, False, False, False]
    for dtype in ("string[pyarrow]", "string[python]", "category"):
        typed = pd.Series(["", " ", None, "x"], dtype=dtype)
        assert missing(typed).tolist() == [True, False, True, False], dtype


@pytest.mark.parametrize("vault_type", ["Number", "Date", "DateTime", "Boolean", "Picklist"])
def test_empty_text_is_written_blank(vault_type):
    frame = pd.DataFrame({"c": pd.Series(["", None], dtype=object)})
    block = format_frame(frame, {"c": vault_type}, multi_value={"c"})
    assert block.table.column("c").to_pylist() == [None, None]
    assert block.invalid.tolist() == [None, None]


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string[python]"])
def test_dates_of_the_years_1_to_9999_are_dates(dtype):
    values = pd.Series(["9999-12-31", "0001-01-01", "2024-02-30", "2262-04-12"], dtype=dtype)
    assert _verdicts("date", FieldSpec("d__c", "Date"), values) == [True, True, False, True]
    stamps = pd.Series(["9999-12-31T23:59:59.000Z", "9999-12-31 23:59:59+00:00"], dtype=dtype)
    assert _verdicts("datetime", FieldSpec("t__c", "DateTime"), stamps) == [True, True]


def test_far_datetime_text_is_sent_in_vaults_form():
    frame = pd.DataFrame({"t": ["9999-12-31 23:59:59+00:00", "0001-01-01T00:00:00.000Z"]})
    block = format_frame(frame, {"t": "DateTime"})
    assert block.table.column("t").to_pylist() == [
        "9999-12-31T23:59:59.000Z",
        "0001-01-01T00:00:00.000Z",
    ]


def test_parse_instants_keeps_microseconds_and_drops_finer_digits():
    text = pd.Series(["9999-12-31T01:02:03.123456789Z", "nope", None])
    parsed = parse_instants(text, utc=True, format="ISO8601")
    assert str(parsed.dtype) == "datetime64[us, UTC]"
    assert parsed.iloc[0] == pd.Timestamp("9999-12-31T01:02:03.123456Z")
    assert parsed.iloc[1:].isna().all()
