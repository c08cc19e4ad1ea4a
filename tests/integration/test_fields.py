"""df.vault.fields: a readable table of what Vault expects of each field, from the sandbox."""

from __future__ import annotations

import pandas as pd
import pytest

from vault_pandas import ConfigurationError, VaultAPIError
from vault_pandas.schema.fields import COLUMNS, describe_fields
from vault_pandas.schema.metadata import FieldSpec, ObjectSpec


def test_product_fields(client):
    table = pd.DataFrame().vault.fields("product__v", client=client)

    assert list(table.columns) == list(COLUMNS)
    assert table.index.name == "field"
    assert table.index.is_unique and "id" in table.index
    name = table.loc["name__v"]
    assert (name["label"], name["type"], name["limits"]) == (
        "Product Name",
        "String",
        "max 128 chars",
    )
    assert name["required"] and name["editable"]
    assert table.loc["external_id__v", "unique"]
    assert not table.loc["external_id__v", "required"]
    assert not table.loc["state__v", "editable"]
    assert table.loc["unit_price__c", "limits"] == "0 to 1000000, 2 decimals"
    family = table.loc["product_family__c", "values"]
    assert family.startswith("small_molecule__c (Small Molecule), biologic__c (Biologic)")
    areas = table.loc["therapeutic_areas__c", "values"]
    assert areas.startswith("multi-value: oncology__c (Oncology)")
    assert all(len(v) <= 80 for v in table["values"])
    assert table.loc["active__c", "limits"] == "" and table.loc["active__c", "values"] == ""


def test_rows_are_ordered_required_editable_then_system(client):
    table = pd.DataFrame().vault.fields("product__v", client=client)

    group = (~table["editable"]) * 2 + (table["editable"] & ~table["required"])
    assert group.is_monotonic_increasing
    assert list(table.index[:2]) == ["name__v", "product_family__c"]
    assert group["state__v"] == 2 and group["id"] == 2


def test_site_fields_system_name_and_reference(client):
    table = pd.DataFrame().vault.fields("site__c", client=client)

    assert not table.loc["name__v", "required"]  # Vault names site records itself
    assert not table.loc["name__v", "editable"]
    assert table.loc["site_code__c", "required"]
    assert table.loc["product__c", "type"] == "Object"
    assert table.loc["product__c", "values"] == "-> product__v (product__cr)"
    assert table.index[0] == "site_code__c"


def test_fields_of_an_unknown_object_fail(client):
    with pytest.raises(VaultAPIError, match="nope__c"):
        pd.DataFrame().vault.fields("nope__c", client=client)
    with pytest.raises(ConfigurationError):
        pd.DataFrame().vault.fields("not a name", client=client)


def test_required_system_managed_name_is_not_required():
    # real Vault marks a system-managed name__v required; nobody can send it
    name = FieldSpec("name__v", "String", required=True, editable=False, system_managed_name=True)
    values = {f"v{k}__c": f"Value {k}" for k in range(20)}
    pick = FieldSpec("p__c", "Picklist", picklist="p__c", multi_value=True)
    table = describe_fields(ObjectSpec("a__c", {"name__v": name, "p__c": pick}), {"p__c": values})

    assert not table.loc["name__v", "required"]
    assert table.loc["p__c", "values"].endswith(", ...")
    assert len(table.loc["p__c", "values"]) <= 80
    assert describe_fields(ObjectSpec("a__c", {"p__c": pick}), {}).loc["p__c", "values"] == (
        "multi-value: picklist p__c"
    )
