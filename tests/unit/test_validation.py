"""Unit tests for vault_pandas.schema.validation: lazy validation mapped to per-row messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.typing import Series

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.schema.derived import derive_schema
from vault_pandas.schema.metadata import parse_object_metadata
from vault_pandas.schema.validation import FAILURE_COLUMNS, combine, validate


@pytest.fixture
def product(product_metadata):
    return parse_object_metadata(product_metadata)


@pytest.fixture
def schema(product, picklists):
    columns = ["name__v", "product_family__c", "unit_price__c", "pack_size__c"]
    return derive_schema(product, picklists, operation="create", columns=columns)


def frame(index=None):
    return pd.DataFrame(
        {
            "name__v": ["A", "B", "C", "D"],
            "product_family__c": ["vaccine__c", "Biologic", "device__c", "vaccine__c"],
            "unit_price__c": [10.0, 2_500_000.0, 12.5, 1.0],
            "pack_size__c": [1, 1, 2, 3],
        },
        index=index,
    )


PRICE = "unit_price__c: must be <= 1000000 (got 2500000.0)"
LABEL = "product_family__c: 'Biologic' is a label; use the name 'biologic__c'"


def test_valid_frame_gives_no_errors(schema):
    data = frame()
    data.loc[1, "product_family__c"] = "biologic__c"
    data.loc[1, "unit_price__c"] = 3.0
    report = validate(data, schema)
    assert list(report.errors) == [None] * 4
    assert not report.invalid_mask.any()
    assert list(report.failure_cases.columns) == list(FAILURE_COLUMNS)
    assert report.failure_cases.empty


def test_errors_are_positional_and_list_every_failed_check(schema):
    report = validate(frame(), schema)
    assert report.errors.dtype == object
    assert list(report.errors) == [None, f"{LABEL}; {PRICE}", None, None]
    assert list(report.invalid_mask) == [False, True, False, False]


def test_failure_cases_one_row_per_failure(schema):
    cases = validate(frame(index=["w", "x", "y", "z"]), schema).failure_cases
    assert cases.to_dict("records") == [
        {
            "position": 1,
            "index": "x",
            "column": "product_family__c",
            "value": "Biologic",
            "check": "picklist",
            "message": "'Biologic' is a label; use the name 'biologic__c'",
        },
        {
            "position": 1,
            "index": "x",
            "column": "unit_price__c",
            "value": 2_500_000.0,
            "check": "max_value",
            "message": "must be <= 1000000 (got 2500000.0)",
        },
    ]


def test_messages_follow_the_frame_column_order(schema):
    data = frame()[["unit_price__c", "pack_size__c", "product_family__c", "name__v"]]
    assert validate(data, schema).errors[1] == f"{PRICE}; {LABEL}"


def test_multiindex_rows_are_mapped_back(schema):
    index = pd.MultiIndex.from_tuples([("b", 2), ("a", 1), ("a", 1), ("c", 0)])
    data = frame(index=index)
    data.iloc[3, 0] = None  # name__v is required
    report = validate(data, schema)
    assert list(report.errors) == [None, f"{LABEL}; {PRICE}", None, "name__v: is required"]
    assert list(report.failure_cases["index"]) == [("a", 1), ("a", 1), ("c", 0)]
    assert list(report.failure_cases["position"]) == [1, 1, 3]


def test_duplicate_and_unsorted_labels_map_to_the_right_rows(schema):
    data = frame(index=[7, 7, 3, 7])
    data.iloc[1, 2] = 1.0  # the second row labelled 7 is fixed
    data.iloc[3, 2] = -5.0  # ... and the fourth breaks
    report = validate(data, schema)
    assert list(report.errors) == [None, LABEL, None, "unit_price__c: must be >= 0 (got -5.0)"]
    assert list(report.failure_cases["index"]) == [7, 7]


def test_long_values_are_truncated(product, picklists):
    schema = derive_schema(product, picklists, operation="create", columns=["product_family__c"])
    data = pd.DataFrame({"product_family__c": ["x" * 200]})
    error = validate(data, schema).errors[0]
    assert "'" + "x" * 36 + "..." in error
    assert len(error) < 200


def test_validation_does_not_change_the_frame(schema):
    data = frame(index=list("abcd"))
    data["name__v"] = data["name__v"].astype(object)
    data["product_family__c"] = pd.Categorical(["vaccine__c", None, "x", "vaccine__c"])
    before = data.copy()
    report = validate(data, schema)
    pd.testing.assert_frame_equal(data, before)
    assert report.errors[1].startswith("product_family__c: is required; unit_price__c")


def test_coercing_user_schema_does_not_coerce_the_callers_frame():
    user = pa.DataFrameSchema({"n": pa.Column(int, pa.Check.ge(0), coerce=True)})
    data = pd.DataFrame({"n": ["1", "-2", "x"]}, index=[5, 6, 7])
    report = validate(data, user)
    assert data["n"].tolist() == ["1", "-2", "x"]
    assert list(report.errors) == [
        None,
        "n: greater_than_or_equal_to(0) (got '-2')",  # still checked after 'x' failed to coerce
        "n: cannot be converted to int64 (got 'x')",
    ]


def test_no_schema_means_no_errors():
    report = validate(frame(), None)
    assert list(report.errors) == [None] * 4
    assert report.failure_cases.empty


def test_empty_frame(schema):
    report = validate(frame().iloc[:0], schema)
    assert len(report.errors) == 0


def test_frame_level_failures_raise():
    user = pa.DataFrameSchema({"n": pa.Column(int), "m": pa.Column(str)})
    with pytest.raises(FrameError) as info:
        validate(pd.DataFrame({"n": [1.5, 2.0]}), user)
    problems = info.value.problems
    assert any("column 'n'" in p and "int64" in p for p in problems)
    assert any("column_in_dataframe" in p and "'m'" in p for p in problems)


def test_a_dataframe_wide_check_without_rows_raises():
    user = pa.DataFrameSchema(
        {"n": pa.Column(None)}, checks=pa.Check(lambda df: len(df) < 2, error="too many rows")
    )
    with pytest.raises(FrameError, match="too many rows"):
        validate(pd.DataFrame({"n": [1, 2]}), user)


def test_a_check_that_raises_is_a_frame_error():
    user = pa.DataFrameSchema({"n": pa.Column(None, pa.Check(lambda s: s.str.len() > 0))})
    with pytest.raises(FrameError, match="column 'n'"):
        validate(pd.DataFrame({"n": [1, 2]}), user)


def test_row_wise_dataframe_check_reports_once_per_row():
    user = pa.DataFrameSchema(
        {"a": pa.Column(None), "b": pa.Column(None)},
        checks=pa.Check(lambda df: df["a"] < df["b"], error="a must be below b"),
    )
    report = validate(pd.DataFrame({"a": [1, 5], "b": [2, 3]}, index=["p", "q"]), user)
    assert list(report.errors) == [None, "a must be below b"]


def test_pandera_builtin_failures_read_as_words():
    user = pa.DataFrameSchema({"n": pa.Column(float, nullable=False, unique=True)})
    report = validate(pd.DataFrame({"n": [1.0, np.nan, 1.0]}), user)
    assert report.errors[1] == "n: must not be blank"
    assert report.errors[0] == "n: duplicated within the frame (got 1.0)"


# --- combine -------------------------------------------------------------------------------


class PriceRules(pa.DataFrameModel):
    unit_price__c: Series[float] = pa.Field(le=100, nullable=True)

    @pa.check("unit_price__c", error="must be a round 5")
    def round_five(cls, series: pd.Series) -> pd.Series:
        return series % 5 == 0


def test_combine_adds_a_user_model_check(schema):
    merged = combine(schema, PriceRules)
    checks = merged.columns["unit_price__c"].checks
    assert [c.name for c in checks[:5]] == ["number", "finite", "min_value", "max_value", "scale"]
    assert len(checks) == 7
    assert str(merged.columns["unit_price__c"].dtype) == "float64"  # the user's dtype is kept
    assert set(merged.columns) == set(schema.columns)
    errors = validate(frame(), merged).errors
    assert errors[0] is None  # 10.0: round 5, <= 100
    assert errors[1] == (
        f"{LABEL}; {PRICE}; unit_price__c: less_than_or_equal_to(100) (got 2500000.0)"
    )
    assert errors[2] == "unit_price__c: must be a round 5 (got 12.5)"
    assert errors[3] == "unit_price__c: must be a round 5 (got 1.0)"


def test_combine_keeps_user_only_columns_and_frame_checks(schema):
    user = pa.DataFrameSchema(
        {"note": pa.Column(str, required=False)},
        checks=pa.Check(lambda df: df["pack_size__c"] < 3, error="pack too big"),
    )
    merged = combine(schema, user)
    assert "note" in merged.columns and "name__v" in merged.columns
    errors = validate(frame(), merged).errors
    assert errors[3] == "pack too big"


def test_combine_with_missing_sides(schema):
    assert combine(schema, None) is schema
    assert combine(None, None) is None
    assert set(combine(None, PriceRules).columns) == {"unit_price__c"}


def test_combine_rejects_index_schemas_and_other_objects(schema):
    with_index = pa.DataFrameSchema(index=pa.Index(int))
    with pytest.raises(ConfigurationError, match="index checks"):
        combine(schema, with_index)
    with pytest.raises(ConfigurationError, match="DataFrameSchema or DataFrameModel"):
        combine(schema, {"a": 1})  # type: ignore[arg-type]


# --- dtype variety through the whole path ----------------------------------------------------


def test_mixed_dtypes_in_one_frame(product, picklists):
    data = pd.DataFrame(
        {
            "name__v": pd.array(["A", None, "C"], dtype="string[pyarrow]"),
            "product_family__c": pd.Categorical(["vaccine__c", "device__c", "Device"]),
            "pack_size__c": pd.array([1, None, 0], dtype="int64[pyarrow]"),
            "unit_price__c": np.array([1.0, np.nan, 1.005]),
            "active__c": pd.array([True, None, False], dtype="boolean"),
            "generic_name__vs": np.array(["x", 5, None], dtype=object),
        },
        index=pd.Index(["r1", "r2", "r3"], name="row"),
    )
    schema = derive_schema(product, picklists, operation="create", columns=list(data.columns))
    errors = validate(data, schema).errors
    assert errors[0] is None
    assert errors[1] == ("name__v: is required; generic_name__vs: must be text (a str) (got 5)")
    assert errors[2] == (
        "product_family__c: 'Device' is a label; use the name 'device__c'; "
        "pack_size__c: must be >= 1 (got 0); "
        "unit_price__c: must have at most 2 decimal places (got 1.005)"
    )


def test_long_values_sharing_a_prefix_get_their_own_explanation(product, picklists):
    schema = derive_schema(product, picklists, operation="create", columns=["therapeutic_areas__c"])
    prefix = "oncology__c,cardiology__c,neurology__c,"
    data = pd.DataFrame({"therapeutic_areas__c": [prefix + "Immunology", prefix + "nope"]})
    errors = validate(data, schema).errors
    assert errors[0].endswith("'Immunology' is a label; use the name 'immunology__c'")
    assert errors[1].startswith("therapeutic_areas__c: 'nope' is not in picklist")


def test_a_check_can_explain_each_value():
    def explain(value):
        return f"{value} is odd"

    check = pa.Check(lambda s: s % 2 == 0, error="must be even", statistics={"explain": explain})
    report = validate(
        pd.DataFrame({"n": [2, 3]}), pa.DataFrameSchema({"n": pa.Column(None, check)})
    )
    assert list(report.errors) == [None, "n: 3 is odd"]
    assert report.failure_cases["message"].tolist() == ["3 is odd"]
