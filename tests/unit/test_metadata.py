"""Unit tests for vault_pandas.schema metadata, columns and derived: specs, columns, schemas."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from pandera import errors as pa_errors

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.schema.columns import check_columns
from vault_pandas.schema.derived import derive_schema
from vault_pandas.schema.metadata import (
    TYPE_RULES,
    FieldSpec,
    ObjectSpec,
    parse_object_metadata,
    picklists_needed,
)
from vault_pandas.schema.validation import validate


@pytest.fixture
def product(product_metadata):
    return parse_object_metadata(product_metadata)


@pytest.fixture
def site(site_metadata):
    return parse_object_metadata(site_metadata)


def errors_for(spec, picklists, column, values, *, operation="create", **kwargs):
    """Validate a one-column frame with the derived schema; return each row's error."""
    frame = pd.DataFrame({column: values}) if not isinstance(values, pd.Series) else None
    if frame is None:
        frame = values.rename(column).to_frame()
    schema = derive_schema(spec, picklists, operation=operation, columns=[column], **kwargs)
    return list(validate(frame, schema).errors)


def rules_of(schema, column):
    return [check.name for check in schema.columns[column].checks]


# --- parse_object_metadata -----------------------------------------------------------------


def test_parse_product_fields(product):
    assert product.name == "product__v"
    assert product.prefix == "00P"
    name = product.fields["name__v"]
    assert (name.type, name.required, name.unique, name.max_length) == ("String", True, True, 128)
    assert not name.system_managed_name
    price = product.fields["unit_price__c"]
    assert (price.type, price.scale, price.min_value, price.max_value) == (
        "Number",
        2,
        0.0,
        1_000_000.0,
    )
    areas = product.fields["therapeutic_areas__c"]
    assert (areas.picklist, areas.multi_value) == ("therapeutic_area__c", True)
    assert not product.fields["state__v"].editable
    assert product.fields["id"].unique and not product.fields["id"].editable


def test_parse_site_reference_and_system_managed_name(site):
    ref = site.fields["product__c"]
    assert (ref.type, ref.target_object, ref.relationship_name) == (
        "Object",
        "product__v",
        "product__cr",
    )
    assert site.fields["name__v"].system_managed_name
    assert site.relationship("product__cr") is ref


def test_parse_tolerates_strings_missing_keys_and_unknown_types():
    payload = {
        "name": "thing__c",
        "fields": [
            {"name": "code__c", "type": "string", "max_length": "20", "required": "true"},
            {"name": "amount__c", "type": "Currency", "scale": "2.0", "min_value": "bad"},
            {"name": "count__c", "type": "Number", "editable": "false", "unique": 1},
            {"type": "String"},  # no name: skipped
        ],
    }
    spec = parse_object_metadata(payload)
    assert spec.prefix is None
    assert list(spec.fields) == ["code__c", "amount__c", "count__c"]
    code = spec.fields["code__c"]
    assert (code.type, code.max_length, code.required, code.editable) == ("String", 20, True, True)
    amount = spec.fields["amount__c"]
    assert (amount.type, amount.scale, amount.min_value) == ("Currency", 2, None)
    count = spec.fields["count__c"]
    assert (count.editable, count.unique, count.label) == (False, True, "")


def test_parse_rejects_payload_without_object_name():
    with pytest.raises(ConfigurationError, match="no object name"):
        parse_object_metadata({"responseStatus": "SUCCESS", "object": {"fields": []}})


def test_field_type_plain_relationship_and_unknown(site):
    assert site.field_type("enrollment__c") == "Number"
    assert site.field_type("product__cr.name__v") == "String"
    assert site.field_type("product__cr.pack_size__c") == "String"  # target not known here
    assert site.field_type("nothing__c") is None
    assert site.field_type("nothing__cr.name__v") is None


def test_field_type_of_self_reference_uses_target_field():
    parent = FieldSpec("parent__c", "Object", target_object="a__c", relationship_name="parent__cr")
    spec = ObjectSpec("a__c", {"parent__c": parent, "size__c": FieldSpec("size__c", "Number")})
    assert spec.field_type("parent__cr.size__c") == "Number"


def test_picklists_needed(product, site):
    assert picklists_needed(product) == ["product_family__c", "therapeutic_area__c"]
    assert picklists_needed(product, ["product_family__c", "name__v"]) == ["product_family__c"]
    assert picklists_needed(site) == []


# --- check_columns -------------------------------------------------------------------------


def test_check_columns_accepts_a_complete_create_frame(product):
    check_columns(product, ["name__v", "product_family__c", "unit_price__c"], operation="create")


def test_unknown_column_is_named_with_closest_fields(product):
    with pytest.raises(FrameError) as info:
        check_columns(product, ["name__v", "product_family__c", "unit_prce__c"], operation="create")
    assert info.value.problems == [
        "column 'unit_prce__c' is not a field of product__v; did you mean 'unit_price__c'?"
    ]
    assert "unit_prce__c" in str(info.value)


def test_required_field_missing_on_create(product):
    with pytest.raises(FrameError) as info:
        check_columns(product, ["name__v"], operation="create")
    assert info.value.problems == ["required field 'product_family__c' is missing (Product Family)"]


def test_every_problem_is_listed_at_once_and_unwritable_fields_are_left_out(product):
    with pytest.raises(FrameError) as info:
        check_columns(product, ["state__v", "id", "bogus__c"], operation="create")
    problems = info.value.problems
    assert len(problems) == 3
    assert any(p.startswith("column 'bogus__c' is not a field") for p in problems)
    assert "required field 'name__v' is missing (Name)" in problems
    assert all(p in str(info.value) for p in problems)
    left_out = check_columns(
        product, ["name__v", "product_family__c", "state__v", "id"], operation="create"
    )
    assert left_out == {
        "state__v": "migration mode only; migration_mode=True sends it",
        "id": "set by Vault on create; migration_mode=True sends it",
    }


def test_system_managed_name_is_not_required_and_is_left_out(site):
    assert check_columns(site, ["site_code__c"], operation="create") == {}
    left_out = check_columns(site, ["site_code__c", "name__v"], operation="create")
    assert left_out == {"name__v": "set by Vault (site__c names its records itself)"}


def test_result_columns_are_ignored(product):
    columns = ["name__v", "product_family__c", "vault_id", "vault_status", "vault_error"]
    check_columns(product, columns, operation="create")


def test_duplicated_column_names_are_a_problem(product):
    with pytest.raises(FrameError, match="'name__v' appears 2 times"):
        check_columns(product, ["name__v", "name__v", "product_family__c"], operation="create")


def test_update_needs_id_and_allows_it(product):
    check_columns(product, ["id", "unit_price__c"], operation="update")
    with pytest.raises(FrameError, match="column 'id' is missing"):
        check_columns(product, ["unit_price__c"], operation="update")


def test_upsert_needs_a_unique_id_param(product):
    columns = ["name__v", "product_family__c", "generic_name__vs"]
    with pytest.raises(FrameError) as info:
        check_columns(product, columns, operation="upsert", id_param="generic_name__vs")
    assert info.value.problems == [
        "id_param 'generic_name__vs' is not a unique field of product__v "
        "(unique fields: 'id', 'name__v', 'external_id__v')"
    ]


def test_upsert_id_param_must_be_a_field_and_present(product):
    with pytest.raises(FrameError) as info:
        check_columns(
            product, ["name__v", "product_family__c"], operation="upsert", id_param="external_id"
        )
    assert info.value.problems == [
        "id_param 'external_id' is not a field of product__v; did you mean 'external_id__v'?",
        "the id_param column 'external_id' is missing",
    ]


def test_upsert_requires_required_fields_unless_by_id(product):
    with pytest.raises(FrameError, match="required field 'product_family__c' is missing"):
        check_columns(
            product, ["external_id__v", "name__v"], operation="upsert", id_param="external_id__v"
        )
    check_columns(product, ["id", "unit_price__c"], operation="upsert", id_param="id")


def test_relationship_columns(site):
    check_columns(site, ["site_code__c", "product__cr.name__v"], operation="create")
    with pytest.raises(FrameError) as info:
        check_columns(site, ["site_code__c", "product__c.name__v"], operation="create")
    assert info.value.problems == [
        "column 'product__c.name__v': 'product__c' is not a relationship of site__c; "
        "did you mean 'product__cr'?"
    ]


def test_action_and_delete_need_only_id(product):
    check_columns(product, ["id", "state__v", "anything"], operation="delete")
    check_columns(product, ["id"], operation="action")
    with pytest.raises(FrameError, match="column 'id' is missing: delete needs"):
        check_columns(product, ["name__v"], operation="delete")


def test_bad_operation_arguments(product):
    with pytest.raises(ConfigurationError, match="operation must be one of"):
        check_columns(product, ["id"], operation="merge")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="id_param is needed for upsert"):
        check_columns(product, ["id"], operation="upsert")
    with pytest.raises(ConfigurationError, match="only for upsert"):
        check_columns(product, ["id"], operation="create", id_param="id")


# --- derive_schema: which checks each field type gets --------------------------------------


def test_schema_for_every_product_field_type(product, picklists):
    schema = derive_schema(product, picklists, operation="create")
    assert list(schema.columns) == [n for n, f in product.fields.items() if f.editable]
    assert rules_of(schema, "name__v") == ["required", "unique", "text", "max_length"]
    assert rules_of(schema, "external_id__v") == ["unique", "text", "max_length"]
    assert rules_of(schema, "description__c") == ["text", "max_length"]
    assert rules_of(schema, "product_family__c") == ["required", "picklist"]
    assert rules_of(schema, "therapeutic_areas__c") == ["picklist"]
    assert rules_of(schema, "unit_price__c") == [
        "number",
        "finite",
        "min_value",
        "max_value",
        "scale",
    ]
    assert rules_of(schema, "launch_date__c") == ["date", "date_only"]
    assert rules_of(schema, "last_reviewed__c") == ["datetime", "timezone"]
    assert rules_of(schema, "active__c") == ["boolean"]


def test_schema_columns_do_not_pin_dtype_or_presence(product, picklists):
    schema = derive_schema(product, picklists, operation="create")
    assert (schema.strict, schema.coerce) == (False, False)
    for column in schema.columns.values():
        assert column.dtype is None
        assert (column.nullable, column.required, column.coerce) == (True, False, False)


def test_schema_for_site_fields(site, picklists):
    columns = ["site_code__c", "product__c", "product__cr.name__v", "enrollment__c"]
    schema = derive_schema(site, picklists, operation="create", columns=columns + ["vault_id"])
    assert list(schema.columns) == columns
    assert rules_of(schema, "site_code__c") == ["required", "unique", "text", "max_length"]
    assert rules_of(schema, "product__c") == ["text", "not_empty"]
    assert rules_of(schema, "product__cr.name__v") == ["text", "not_empty"]
    assert rules_of(schema, "enrollment__c") == ["number", "finite", "min_value", "max_value"] + [
        "scale"
    ]


def test_schema_skips_non_editable_and_unknown_columns(product, picklists):
    columns = ["name__v", "state__v", "id", "bogus__c"]
    schema = derive_schema(product, picklists, operation="create", columns=columns)
    assert list(schema.columns) == ["name__v"]


def test_schema_for_update_checks_id(product, picklists):
    schema = derive_schema(product, picklists, operation="update", columns=["id", "name__v"])
    assert rules_of(schema, "id") == ["required", "unique", "text", "record_id"]
    assert rules_of(schema, "name__v") == ["unique", "text", "max_length"]  # not required


def test_schema_for_upsert_key(product, picklists):
    schema = derive_schema(
        product,
        picklists,
        operation="upsert",
        columns=["external_id__v", "name__v", "product_family__c"],
        id_param="external_id__v",
    )
    assert rules_of(schema, "external_id__v") == [
        "key_required",
        "key_unique",
        "text",
        "max_length",
    ]
    assert rules_of(schema, "name__v")[0] == "required"


def test_schema_for_delete_is_only_id(product, picklists):
    schema = derive_schema(product, picklists, operation="delete", columns=["id", "name__v"])
    assert list(schema.columns) == ["id"]


def test_missing_picklist_values_are_a_configuration_error(product):
    with pytest.raises(ConfigurationError, match="product_family__c"):
        derive_schema(product, {}, operation="create", columns=["product_family__c"])


def test_unknown_field_type_passes_values_through():
    spec = ObjectSpec("a__c", {"amount__c": FieldSpec("amount__c", "Currency")})
    schema = derive_schema(spec, {}, operation="create")
    assert rules_of(schema, "amount__c") == []
    assert errors_for(spec, {}, "amount__c", ["12 EUR", object(), None]) == [None] * 3
    assert "Currency" not in TYPE_RULES


# --- value rules: each with passing and failing values -------------------------------------


def test_text_rule(product, picklists):
    values = pd.Series(["abc", 12345, None], dtype=object)
    assert errors_for(product, picklists, "generic_name__vs", values) == [
        None,
        "generic_name__vs: must be text (a str) (got 12345)",
        None,
    ]


def test_text_rule_rejects_numeric_columns(product, picklists):
    errors = errors_for(product, picklists, "generic_name__vs", pd.Series([1, 2]))
    assert errors == ["generic_name__vs: must be text (a str) (got 1)"] + [
        "generic_name__vs: must be text (a str) (got 2)"
    ]


def test_max_length_counts_characters(product, picklists):
    values = ["é" * 128, "a" * 129]  # 256 bytes but 128 characters passes
    errors = errors_for(product, picklists, "name__v", values)
    assert errors == [None, "name__v: must be at most 128 characters (got 129)"]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (12.5, None),
        (0.1 + 0.2, None),
        (1_000_000, None),
        (0, None),
        ("12.50", None),
        ("-0", None),
        (np.nan, None),
        (12.345, "must have at most 2 decimal places (got 12.345)"),
        ("12.345", "must have at most 2 decimal places (got '12.345')"),
        (-1, "must be >= 0 (got -1)"),
        (2_500_000.0, "must be <= 1000000 (got 2500000.0)"),
        (math.inf, "must be a finite number (got inf)"),
        (True, "must be a number (plain decimal text) (got True)"),
        ("1,000", "must be a number (plain decimal text) (got '1,000')"),
        ("1e5", "must be a number (plain decimal text) (got '1e5')"),
        ("abc", "must be a number (plain decimal text) (got 'abc')"),
    ],
)
def test_number_rules(product, picklists, value, error):
    errors = errors_for(product, picklists, "unit_price__c", pd.Series([value], dtype=object))
    assert errors == [None if error is None else f"unit_price__c: {error}"]


def test_number_rules_on_float_column(product, picklists):
    values = pd.Series([0.1 + 0.2, 12.345, np.nan, -np.inf, 1e-12])
    errors = errors_for(product, picklists, "unit_price__c", values)
    assert errors == [
        None,
        "unit_price__c: must have at most 2 decimal places (got 12.345)",
        None,
        "unit_price__c: must be a finite number (got -inf)",
        "unit_price__c: must have at most 2 decimal places (got 1e-12)",
    ]


def test_whole_number_rule(product, picklists):
    values = pd.Series([12, 12.0, 12.5, 0])
    errors = errors_for(product, picklists, "pack_size__c", values)
    assert errors == [
        None,
        None,
        "pack_size__c: must be a whole number (got 12.5)",
        "pack_size__c: must be >= 1 (got 0.0)",
    ]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("2024-02-29", None),
        (dt.date(2024, 3, 1), None),
        (pd.Timestamp("2024-03-01"), None),
        (pd.Timestamp("2024-03-01", tz="Europe/Paris"), None),
        ("2024-02-30", "must be a date (YYYY-MM-DD) (got '2024-02-30')"),
        ("2024/02/01", "must be a date (YYYY-MM-DD) (got '2024/02/01')"),
        (20240201, "must be a date (YYYY-MM-DD) (got 20240201)"),
        (
            pd.Timestamp("2024-03-01 10:30"),
            "must be a date without a time of day (got Timestamp('2024-03-01 10:30:00'))",
        ),
    ],
)
def test_date_rules(product, picklists, value, error):
    errors = errors_for(product, picklists, "launch_date__c", pd.Series([value], dtype=object))
    assert errors == [None if error is None else f"launch_date__c: {error}"]


def test_date_rules_on_datetime_column(product, picklists):
    values = pd.to_datetime(
        pd.Series(["2024-01-01", "2024-01-02 00:00:01", None]), format="ISO8601"
    )
    errors = errors_for(product, picklists, "launch_date__c", values)
    assert errors[0] is None and errors[2] is None
    assert errors[1].startswith("launch_date__c: must be a date without a time of day")


NAIVE_MESSAGE = "has no time zone (localize it, or pass assume_timezone=)"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (pd.Timestamp("2024-01-01 10:00", tz="UTC"), None),
        (dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=2))), None),
        ("2024-01-01T10:00:00.000Z", None),
        ("2024-01-01T10:00:00+02:00", None),
        ("2024-01-01T10:00:00", f"{NAIVE_MESSAGE} (got '2024-01-01T10:00:00')"),
        (
            dt.datetime(2024, 1, 1, 10),
            f"{NAIVE_MESSAGE} (got datetime.datetime(2024, 1, 1, 10, 0))",
        ),
        ("2024-01-01", "must be a date and time (ISO 8601) (got '2024-01-01')"),
        (dt.date(2024, 1, 1), "must be a date and time (ISO 8601) (got datetime.date(2024, 1, 1))"),
        ("2024-13-01T10:00Z", "must be a date and time (ISO 8601) (got '2024-13-01T10:00Z')"),
    ],
)
def test_datetime_rules(product, picklists, value, error):
    errors = errors_for(product, picklists, "last_reviewed__c", pd.Series([value], dtype=object))
    assert errors == [None if error is None else f"last_reviewed__c: {error}"]


def test_naive_datetime_column_fails_unless_a_timezone_is_assumed(product, picklists):
    values = pd.to_datetime(pd.Series(["2024-01-01 10:00", "2024-01-02 11:00"]))
    errors = errors_for(product, picklists, "last_reviewed__c", values)
    assert errors[0] == f"last_reviewed__c: {NAIVE_MESSAGE} (got Timestamp('2024-01-01 10:00:00'))"
    assert errors[1] is not None
    errors = errors_for(
        product, picklists, "last_reviewed__c", values, assume_timezone="Europe/Paris"
    )
    assert errors == [None, None]
    text = pd.Series(["2024-01-01T10:00:00"])
    assert errors_for(product, picklists, "last_reviewed__c", text, assume_timezone="UTC") == [None]


def test_bad_assume_timezone_is_a_configuration_error(product, picklists):
    with pytest.raises(ConfigurationError, match="assume_timezone"):
        derive_schema(product, picklists, operation="create", assume_timezone="Mars/Olympus")


@pytest.mark.parametrize(
    ("value", "ok"),
    [(True, True), (np.False_, True), ("TRUE", True), ("false", True), ("yes", False)]
    + [(1, False), (0.0, False)],
)
def test_boolean_rule(product, picklists, value, ok):
    errors = errors_for(product, picklists, "active__c", pd.Series([value], dtype=object))
    assert errors == [None if ok else f"active__c: must be true or false (got {value!r})"]


def test_picklist_label_instead_of_name(product, picklists):
    errors = errors_for(product, picklists, "product_family__c", ["biologic__c", "Biologic"])
    assert errors == [None, "product_family__c: 'Biologic' is a label; use the name 'biologic__c'"]


def test_picklist_unknown_value_suggests_closest_name(product, picklists):
    errors = errors_for(product, picklists, "product_family__c", ["biologc__c", "zzz"])
    assert errors == [
        "product_family__c: 'biologc__c' is not in picklist product_family__c "
        "(did you mean 'biologic__c'?)",
        "product_family__c: 'zzz' is not in picklist product_family__c "
        "(names: small_molecule__c, biologic__c, vaccine__c, device__c)",
    ]


def test_single_value_picklist_rejects_several_values(product, picklists):
    values = pd.Series(["vaccine__c,device__c", ["vaccine__c"], ("vaccine__c", "device__c")])
    errors = errors_for(product, picklists, "product_family__c", values)
    assert errors == [
        "product_family__c: takes one value, got 2 ('vaccine__c,device__c')",
        None,
        "product_family__c: takes one value, got 2 (('vaccine__c', 'device__c'))",
    ]


def test_multi_value_picklist(product, picklists):
    values = pd.Series(
        [
            "oncology__c",
            "oncology__c,cardiology__c",
            ["neurology__c", "immunology__c"],
            "oncology__c,Oncology",
            "oncology__c, cardiology__c",
            ["oncology__c", 3],
        ]
    )
    errors = errors_for(product, picklists, "therapeutic_areas__c", values)
    assert errors[:3] == [None, None, None]
    assert errors[3] == "therapeutic_areas__c: 'Oncology' is a label; use the name 'oncology__c'"
    assert errors[4] == (
        "therapeutic_areas__c: ' cardiology__c' is not in picklist therapeutic_area__c "
        "(did you mean 'cardiology__c'?)"
    )
    assert (
        errors[5] == "therapeutic_areas__c: 3 is not a value name of picklist therapeutic_area__c"
    )


def test_unique_field_duplicates_fail_every_row(product, picklists):
    values = ["EXT-1", "EXT-2", "EXT-1", None, None, ""]
    errors = errors_for(product, picklists, "external_id__v", values)
    duplicated = "external_id__v: duplicated within the frame (got 'EXT-1')"
    assert errors == [duplicated, None, duplicated, None, None, None]


def test_required_field_blank_values_fail(product, picklists):
    errors = errors_for(product, picklists, "name__v", ["ok", None, "", "   ", np.nan])
    assert errors == [
        None,
        "name__v: is required",
        "name__v: is required (got '')",
        "name__v: is required (got '   ')",
        "name__v: is required",
    ]


def test_upsert_key_missing_and_duplicated(product, picklists):
    values = ["EXT-1", None, "EXT-2", "EXT-1", "EXT-1"]
    errors = errors_for(
        product,
        picklists,
        "external_id__v",
        values,
        operation="upsert",
        id_param="external_id__v",
    )
    duplicated = (
        "external_id__v: duplicated within the frame "
        "(Vault rejects a whole request with a repeated key) (got 'EXT-1')"
    )
    assert errors == [
        duplicated,
        "external_id__v: is blank, but it is the key that matches records "
        "(id_param='external_id__v')",
        None,
        duplicated,
        duplicated,
    ]


def test_record_id_rule_on_update(product, picklists):
    values = ["00P000000000101", "0SI000000000001", None]
    errors = errors_for(product, picklists, "id", values, operation="update")
    assert errors == [
        None,
        "id: is not a product__v record id (those start with '00P') (got '0SI000000000001')",
        "id: is required: update needs the record id",
    ]


def test_object_reference_and_relationship_columns(site, picklists):
    values = pd.Series(["00P000000000101", 101, "", None], dtype=object)
    errors = errors_for(site, picklists, "product__c", values)
    assert errors == [
        None,
        "product__c: must be text (a str) (got 101)",
        None,  # "" is a missing value, as None
        None,
    ]
    errors = errors_for(site, picklists, "product__cr.name__v", ["CholeCap", " "])
    assert errors[0] is None
    assert errors[1].startswith("product__cr.name__v: must not be empty text")


# --- dtype variety ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "values", "bad"),
    [
        ("name__v", pd.Series(["a", "b" * 200], dtype=object), [1]),
        ("name__v", pd.Series(["a", "b" * 200], dtype="string[pyarrow]"), [1]),
        ("name__v", pd.Series(["a", "b" * 200], dtype="string[python]"), [1]),
        ("name__v", pd.Series(["a", "b" * 200, None], dtype="str"), [1, 2]),
        ("pack_size__c", pd.Series([1, None, 20000], dtype="Int64"), [2]),
        ("pack_size__c", pd.Series([1, None, 20000], dtype="int64[pyarrow]"), [2]),
        ("pack_size__c", pd.Series([5, 20000], dtype="category"), [1]),
        ("unit_price__c", pd.Series([1.5, np.nan, 1.555]), [2]),
        ("unit_price__c", pd.Series(["1.5", None, 1.555], dtype="Float64"), [2]),
        ("unit_price__c", pd.Series([1.5, None, -2], dtype="double[pyarrow]"), [2]),
        ("unit_price__c", pd.Series([1.5, "x", None, 3], dtype=object), [1]),
        ("product_family__c", pd.Series(["vaccine__c", "Vaccine"], dtype="category"), [1]),
        ("product_family__c", pd.Series(["vaccine__c", None, "x"], dtype="category"), [1, 2]),
        ("active__c", pd.Series([True, None, False], dtype="boolean"), []),
        ("active__c", pd.Series([True, None], dtype="bool[pyarrow]"), []),
        ("active__c", pd.Series(["true", "nope"], dtype="string[pyarrow]"), [1]),
        ("active__c", pd.Series([1, 0]), [0, 1]),
        (
            "last_reviewed__c",
            pd.Series(pd.to_datetime(["2024-01-01 10:00"], utc=True)).astype(
                "timestamp[us, tz=UTC][pyarrow]"
            ),
            [],
        ),
        (
            "last_reviewed__c",
            pd.Series(pd.to_datetime(["2024-01-01 10:00"])).astype("timestamp[us][pyarrow]"),
            [0],
        ),
        ("launch_date__c", pd.Series([dt.date(2024, 1, 1)], dtype="date32[pyarrow]"), []),
        ("launch_date__c", pd.Series(["2024-01-01", "2024-1-1"], dtype="category"), [1]),
    ],
)
def test_values_of_any_dtype_are_checked(product, picklists, column, values, bad):
    errors = errors_for(product, picklists, column, values)
    assert [i for i, e in enumerate(errors) if e is not None] == bad


def test_rules_also_work_when_pandera_runs_them_on_object_text(product, picklists):
    # validate() hands pandera all-text object columns as Arrow strings; pandera alone does not
    schema = derive_schema(
        product, picklists, operation="create", columns=["name__v", "therapeutic_areas__c"]
    )
    data = pd.DataFrame(
        {
            "name__v": pd.Series(["a" * 129, "ok", "ok"], dtype=object),
            "therapeutic_areas__c": pd.Series(["oncology__c,x", "x", None], dtype=object),
        }
    )
    with pytest.raises(pa_errors.SchemaErrors) as info:
        schema.validate(data, lazy=True)
    cases = info.value.failure_cases
    assert sorted(zip(cases["column"], cases["index"], strict=True)) == [
        ("name__v", 0),
        ("name__v", 1),
        ("name__v", 2),
        ("therapeutic_areas__c", 0),
        ("therapeutic_areas__c", 1),
    ]
