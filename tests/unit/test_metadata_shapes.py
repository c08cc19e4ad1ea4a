"""Metadata as Vault documents it: relationships in both places, defaults, computed fields."""

import pytest

from vault_pandas.errors import FrameError
from vault_pandas.schema.columns import check_columns, is_required
from vault_pandas.schema.metadata import parse_object_metadata


def _child(field_extra=None, relationships=None, **object_extra):
    product_ref = {
        "name": "product__c",
        "type": "Object",
        "label": "Product",
        "required": True,
        "editable": True,
        "object": {"name": "product__v", "label": "Product"},
        "relationship_type": "reference",
        "relationship_deletion": "block",
        **(field_extra or {}),
    }
    fields = [
        {"name": "id", "type": "ID", "editable": False, "required": False},
        {"name": "name__v", "type": "String", "required": True, "editable": True},
        {"name": "status__v", "type": "Picklist", "required": True, "editable": True,
         "picklist": "default_status__v"},
        {"name": "priority__c", "type": "Picklist", "required": True, "editable": True,
         "picklist": "priority__c", "default_value": "normal__c"},
        {"name": "product_name__c", "type": "String", "editable": False,
         "lookup_relationship_name": "product__cr", "lookup_source_field": "name__v"},
        {"name": "score__c", "type": "Formula", "editable": False},
        {"name": "created_date__v", "type": "DateTime", "editable": False},
        product_ref,
    ]  # fmt: skip
    body = {"name": "batch__c", "prefix": "V0B", "fields": fields, **object_extra}
    if relationships is not None:
        body["relationships"] = relationships
    return parse_object_metadata({"responseStatus": "SUCCESS", "object": body})


def test_relationship_from_the_field_level_outbound_name():
    spec = _child({"relationship_outbound_name": "product__cr"})
    assert spec.fields["product__c"].relationship_name == "product__cr"
    assert spec.relationship("product__cr").name == "product__c"


def test_relationship_from_the_object_level_relationships_array_only():
    rels = [
        {"relationship_name": "product__cr", "field": "product__c",
         "relationship_type": "reference_outbound", "object": {"name": "product__v"}},
        {"relationship_name": "lots__cr", "relationship_type": "child",
         "object": {"name": "lot__c"}},
    ]  # fmt: skip
    spec = _child(relationships=rels)
    assert spec.fields["product__c"].relationship_name == "product__cr"
    # a child load through the relationship gives the required reference field
    check_columns(spec, ["name__v", "product__cr.external_id__v"], operation="create")


def test_without_any_relationship_name_the_column_is_refused_with_the_known_ones():
    spec = _child()
    with pytest.raises(FrameError, match="'product__cr' is not a relationship of batch__c"):
        check_columns(spec, ["name__v", "product__cr.external_id__v"], operation="create")


def test_required_fields_vault_fills_are_not_demanded():
    spec = _child({"relationship_outbound_name": "product__cr"})
    assert not is_required(spec.fields["status__v"], spec)  # Vault sets active__v
    assert not is_required(spec.fields["priority__c"], spec)  # has a default_value
    assert is_required(spec.fields["name__v"], spec)
    check_columns(spec, ["name__v", "product__c"], operation="create")
    with pytest.raises(FrameError) as info:
        check_columns(spec, ["product__c"], operation="create")
    assert info.value.problems == ["required field 'name__v' is missing"]


def test_object_type_is_not_demanded_on_an_object_with_types():
    spec = parse_object_metadata({"object": {
        "name": "typed__c", "allow_types": True, "default_obj_type": "base__v",
        "fields": [{"name": "object_type__v", "type": "Object", "required": True,
                    "editable": True}]}})  # fmt: skip
    assert spec.allow_types and spec.default_obj_type == "base__v"
    assert check_columns(spec, [], operation="create") == {}


def test_computed_and_system_fields_are_left_out_never_a_frame_error():
    spec = _child({"relationship_outbound_name": "product__cr"})
    assert spec.fields["product_name__c"].computed == "lookup"
    assert spec.fields["score__c"].computed == "formula"
    assert not spec.fields["score__c"].writable
    columns = ["id", "name__v", "product__c", "product_name__c", "score__c", "created_date__v"]
    assert check_columns(spec, columns, operation="create") == {
        "id": "set by Vault on create; migration_mode=True sends it",
        "product_name__c": "lookup",
        "score__c": "formula",
        "created_date__v": "system-managed; migration_mode=True sends it",
    }
    assert check_columns(spec, columns, operation="update") == {
        "product_name__c": "lookup",
        "score__c": "formula",
        "created_date__v": "system-managed; migration_mode=True sends it",
    }
    kept = check_columns(spec, columns, operation="create", migration_mode=True)
    assert kept == {"product_name__c": "lookup", "score__c": "formula"}


def test_data_store_defaults_to_standard_and_reads_raw():
    assert _child().data_store == "standard"
    assert _child(data_store="raw").data_store == "raw"
