"""Object types (``schema/object_types.py``): rows checked against their own type, pure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from vault_pandas.schema.metadata import FieldSpec, ObjectSpec
from vault_pandas.schema.object_types import (
    TYPE_ID,
    TYPE_NAME,
    ObjectType,
    applies,
    known_types,
    merge_reports,
    parse_object_type,
    row_types,
    type_report,
    types_to_read,
)
from vault_pandas.schema.validation import ValidationReport

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"

SPEC = ObjectSpec(
    "bicycle__c",
    {
        "id": FieldSpec("id", "ID", editable=False),
        "name__v": FieldSpec("name__v", "String", required=True),
        "status__v": FieldSpec("status__v", "Picklist", required=True, picklist="status__v"),
        "object_type__v": FieldSpec("object_type__v", "Object", required=True),
        "frame_size__c": FieldSpec("frame_size__c", "Number", scale=0),
        "color__c": FieldSpec("color__c", "Picklist", picklist="bicycle_color__c"),
        "colors__c": FieldSpec(
            "colors__c", "Picklist", picklist="bicycle_color__c", multi_value=True
        ),
        "wheel_size__c": FieldSpec("wheel_size__c", "Number", default_value="28"),
        "shop__c": FieldSpec("shop__c", "Object", relationship_name="shop__cr"),
        "created_by__v": FieldSpec("created_by__v", "Object", editable=False),
    },
    prefix="V0B",
    allow_types=True,
    default_obj_type="base__v",
)
ROAD = ObjectType(
    "road_bike__c",
    "bicycle__c",
    required=("name__v", "status__v", "frame_size__c", "wheel_size__c", "created_by__v"),
    picklist_values={"color__c": ("red__c", "blue__c"), "colors__c": ("red__c", "blue__c")},
)
BASE = ObjectType("base__v", "bicycle__c", required=("name__v", "status__v"))
TYPES: dict[str, ObjectType | None] = {"road_bike__c": ROAD, "base__v": BASE}
KNOWN = ["base__v", "road_bike__c"]
COLORS = ["red__c", "blue__c", "green__c"]


def _report(frame: pd.DataFrame, operation: str = "create", **kwargs: Any) -> ValidationReport:
    kwargs.setdefault("picklists", {"bicycle_color__c": COLORS})
    return type_report(
        frame, SPEC, kwargs.pop("types", TYPES), kwargs.pop("known", KNOWN),
        operation=operation, error_type="VALIDATION", **kwargs,
    )  # fmt: skip


def test_golden_configuration_is_read() -> None:
    body = json.loads((GOLDEN / "object_type_configuration.json").read_text(encoding="utf-8"))
    parsed = parse_object_type(body)
    assert (parsed.name, parsed.object_name) == ("road_bike__c", "bicycle__c")
    assert parsed.required == ("name__v", "status__v")
    assert dict(parsed.picklist_values) == {}  # the documented example names no subset


def test_picklist_values_read_as_names_or_entries() -> None:
    body = {"data": {"name": "t__c", "type_fields": [
        {"name": "a__c", "required": "true", "picklist_values": ["x__c", {"name": "y__c"}]},
        {"name": "b__c", "required": False},
        {"required": True},
    ]}}  # fmt: skip
    parsed = parse_object_type(body)
    assert parsed.required == ("a__c",)
    assert dict(parsed.picklist_values) == {"a__c": ("x__c", "y__c")}


def test_known_types_filtered_by_object() -> None:
    body = {"data": [
        {"name": "base__v", "object": "bicycle__c"},
        {"name": "road_bike__c", "object": {"name": "bicycle__c"}},
        {"name": "Objecttype.bicycle__c.hybrid__c"},
        {"name": "base__v", "object": "product__v"},
        "junk",
    ]}  # fmt: skip
    assert known_types(body, "bicycle__c") == ["base__v", "road_bike__c", "hybrid__c"]
    assert known_types(body, "site__c") is None  # no type listed: none can be called unknown
    assert known_types({"data": []}, "bicycle__c") is None


def test_applies_only_to_typed_objects_and_writes_with_a_type_column() -> None:
    assert applies(SPEC, [TYPE_NAME], "create") and applies(SPEC, [TYPE_ID], "update")
    assert not applies(SPEC, ["name__v"], "create")
    assert not applies(SPEC, [TYPE_NAME], "delete")
    untyped = ObjectSpec("p__v", SPEC.fields, allow_types=False)
    assert not applies(untyped, [TYPE_NAME], "create")


def test_row_types_by_name_id_or_default() -> None:
    frame = pd.DataFrame(
        {TYPE_NAME: ["Road_Bike__c ", None, None, "  ", 5], TYPE_ID: [None, "OOT1", None, "", None]}
    )
    names, defaulted = row_types(frame, SPEC, "create")
    # 5 is no type name (the text check reports it), nor a row left without a type
    assert names.tolist() == ["road_bike__c", pd.NA, "base__v", "base__v", pd.NA]
    assert defaulted.tolist() == [False, False, True, True, False]
    as_category = frame.astype({TYPE_NAME: "category"})
    assert row_types(as_category, SPEC, "create")[0].tolist() == names.tolist()
    names, defaulted = row_types(frame, SPEC, "update")  # no default on update: left to Vault
    assert names.tolist() == ["road_bike__c", pd.NA, pd.NA, pd.NA, pd.NA]
    assert not defaulted.any()


def test_types_to_read() -> None:
    frame = pd.DataFrame({TYPE_NAME: ["ROAD_BIKE__c", "mountain__c", None]})
    assert types_to_read(frame, SPEC, "create", KNOWN) == ["base__v", "road_bike__c"]
    # without the list, every name that could be a type is asked (spelled in lower case)
    assert types_to_read(frame, SPEC, "create", None) == ["base__v", "mountain__c", "road_bike__c"]
    assert types_to_read(pd.DataFrame({TYPE_NAME: ["a b"]}), SPEC, "update", None) == []


def test_each_row_checked_against_its_own_type() -> None:
    frame = pd.DataFrame({
        "name__v": ["ok road", "no size", "green", "base", "unknown", "by id"],
        TYPE_NAME: ["road_bike__c", "road_bike__c", "road_bike__c", "base__v", "mtb__c", None],
        TYPE_ID: [None, None, None, None, None, "OOT000000000001"],
        "frame_size__c": [54, None, 56, None, None, None],
        "color__c": ["red__c", "blue__c", "green__c", "green__c", "green__c", "green__c"],
    })  # fmt: skip
    report = _report(frame)
    errors = report.errors.tolist()
    assert errors[0] is None and errors[3] is None and errors[5] is None
    assert errors[1] == "VALIDATION: frame_size__c: is required for object type road_bike__c"
    assert errors[2] == (
        "VALIDATION: color__c: 'green__c' is not allowed for object type road_bike__c "
        "(allowed: red__c, blue__c)"
    )
    assert errors[4] == (
        "VALIDATION: object_type__v.api_name__v: 'mtb__c' is not an object type of bicycle__c "
        "(its types: base__v, road_bike__c)"
    )
    cases = report.failure_cases
    assert cases["position"].tolist() == [1, 2, 4]
    assert cases["check"].tolist() == ["type_required", "type_picklist", "object_type"]
    assert cases["value"].tolist()[1:] == ["green__c", "mtb__c"]
    assert list(cases.columns) == ["position", "index", "column", "value", "check", "message"]


def test_missing_column_fails_every_row_of_the_type_only() -> None:
    frame = pd.DataFrame({"name__v": ["a", "b", "c"],
                          TYPE_NAME: ["road_bike__c", "base__v", "road_bike__c"]})  # fmt: skip
    errors = _report(frame).errors
    assert errors[1] is None
    assert (
        errors[0]
        == errors[2]
        == (
            "VALIDATION: frame_size__c: is required for object type road_bike__c "
            "(the frame has no frame_size__c column)"
        )
    )


def test_required_fields_vault_fills_or_the_object_checks_are_not_asked_again() -> None:
    # status__v (Vault's default), wheel_size__c (default_value), created_by__v (system) and
    # name__v (required of every row by the object itself) give no type message
    frame = pd.DataFrame({TYPE_NAME: ["road_bike__c"], "name__v": [None], "frame_size__c": [1]})
    assert _report(frame).errors.tolist() == [None]


def test_required_reference_given_through_its_relationship() -> None:
    road = ObjectType("road_bike__c", required=("shop__c",))
    frame = pd.DataFrame({TYPE_NAME: ["road_bike__c"] * 2, "shop__cr.code__c": ["S1", " "]})
    errors = _report(frame, types={"road_bike__c": road}).errors.tolist()
    assert errors == [
        None,
        "VALIDATION: shop__cr.code__c: is required for object type road_bike__c",
    ]


def test_required_only_where_rows_may_be_created() -> None:
    frame = pd.DataFrame({"id": ["V0B1"], TYPE_NAME: ["road_bike__c"], "color__c": ["green__c"]})
    errors = _report(frame, "update").errors.tolist()
    assert errors == [
        "VALIDATION: color__c: 'green__c' is not allowed for object type road_bike__c "
        "(allowed: red__c, blue__c)"
    ]


def test_values_outside_the_picklist_are_left_to_the_object_check() -> None:
    frame = pd.DataFrame({TYPE_NAME: ["road_bike__c"] * 3, "frame_size__c": [1, 2, 3],
                          "color__c": ["purple__c", pd.NA, 7]})  # fmt: skip
    assert _report(frame).errors.tolist() == [None, None, None]
    # without the picklist's values every value outside the subset is reported
    unknown_picklist = _report(frame, picklists={}).errors.tolist()
    assert "'purple__c' is not allowed" in unknown_picklist[0]


def test_multi_value_subsets() -> None:
    frame = pd.DataFrame({
        TYPE_NAME: ["road_bike__c"] * 4, "frame_size__c": [1, 2, 3, 4],
        "colors__c": [["red__c", "green__c"], "blue__c,green__c", "red__c,blue__c", None],
    })  # fmt: skip
    errors = _report(frame).errors.tolist()
    assert errors[2] is None and errors[3] is None
    assert "colors__c: 'green__c' is not allowed for object type road_bike__c" in errors[0]
    assert "'green__c' is not allowed" in errors[1]


def test_unknown_and_unread_types_are_left_to_vault() -> None:
    frame = pd.DataFrame({TYPE_NAME: ["road_bike__c", "mtb__c"], "name__v": ["a", "b"]})
    # no list of types: an unlisted name is not called unknown
    assert _report(frame, known=None, types={"road_bike__c": None}).errors.tolist() == [None, None]
    # the list, but the type's configuration could not be read: only the unknown name fails
    errors = _report(frame, types={"road_bike__c": None}).errors.tolist()
    assert errors[0] is None and "not an object type" in errors[1]


def test_default_type_rows_checked_against_the_default_type() -> None:
    base = ObjectType("base__v", required=("frame_size__c",))
    frame = pd.DataFrame({TYPE_NAME: [None, "road_bike__c"], TYPE_ID: [None, None]})
    errors = _report(frame, types={"base__v": base, "road_bike__c": None}).errors.tolist()
    assert errors[0].endswith("is required for object type base__v (the frame has no "
                              "frame_size__c column)")  # fmt: skip
    assert errors[1] is None


def test_vectorised_over_many_rows() -> None:
    n = 200_000
    frame = pd.DataFrame({
        TYPE_NAME: np.where(np.arange(n) % 2, "road_bike__c", "base__v"),
        "frame_size__c": pd.Series(50, index=range(n), dtype="Int64").mask(np.arange(n) % 4 == 1),
        "color__c": np.where(np.arange(n) % 3, "red__c", "green__c"),
    })  # fmt: skip
    report = _report(frame)
    bad = ~pd.isna(report.errors)
    odd = np.arange(n) % 2 == 1
    expected = odd & ((np.arange(n) % 4 == 1) | (np.arange(n) % 3 == 0))
    assert (bad == expected).all()


def test_merge_reports_joins_messages_by_row() -> None:
    cases = pd.DataFrame({"position": [1], "index": [1], "column": ["a"], "value": [None],
                          "check": ["x"], "message": ["m"]})  # fmt: skip
    first = ValidationReport(np.array([None, "A"], dtype=object), cases)
    second = ValidationReport(np.array(["B", "C"], dtype=object), cases.assign(position=0))
    merged = merge_reports(first, second)
    assert merged.errors.tolist() == ["B", "A; C"]
    assert merged.failure_cases["position"].tolist() == [0, 1]


@pytest.mark.parametrize(("operation", "id_param"), [("create", None), ("upsert", "name__v")])
def test_upsert_like_create(operation: str, id_param: str | None) -> None:
    frame = pd.DataFrame({TYPE_NAME: ["road_bike__c"], "name__v": ["a"]})
    errors = _report(frame, operation, id_param=id_param).errors
    assert "is required for object type road_bike__c" in errors[0]


def test_a_frame_typed_by_id_only_checks_the_default_type_rows() -> None:
    base = ObjectType("base__v", required=("frame_size__c",))
    frame = pd.DataFrame({TYPE_ID: ["OOT000000000002", None]})
    errors = _report(frame, types={"base__v": base}).errors.tolist()
    assert errors[0] is None and "object type base__v" in errors[1]
