"""Vault's standard fields on every object: metadata, values filled on write, reads, refusals."""

from __future__ import annotations

import pytest
from sandbox_client import PRODUCT, error_types, rows_of

USER_ID = 61234  # the sandbox user's id: login's userId
STANDARD = {
    "id", "name__v", "status__v", "created_by__v", "created_date__v", "modified_by__v",
    "modified_date__v", "global_id__sys", "link__sys",
}  # fmt: skip
SYSTEM_MANAGED = [
    "created_by__v", "created_date__v", "modified_by__v", "modified_date__v", "global_id__sys",
    "link__sys",
]  # fmt: skip
OBJECTS = ["product__v", "site__c", "bicycle__c", "event_log__c", "object_type__v"]


def fields_of(api, obj: str) -> dict[str, dict]:
    return {f["name"]: f for f in api.get(f"/metadata/vobjects/{obj}")["object"]["fields"]}


@pytest.mark.parametrize("obj", OBJECTS)
def test_every_object_has_the_standard_fields(api, obj):
    fields = fields_of(api, obj)
    assert set(fields) >= STANDARD
    assert ("object_type__v" in fields) == (obj == "bicycle__c")  # typed objects only
    assert ({"lifecycle__v", "state__v"} <= set(fields)) == (obj == "product__v")
    for name in SYSTEM_MANAGED + ["id"]:
        assert fields[name]["editable"] is False, name
    for name in ("created_by__v", "modified_by__v"):
        assert fields[name]["type"] == "Object"
        assert fields[name]["object"]["name"] == "user__sys"
        assert fields[name]["object"]["url"].endswith("/metadata/vobjects/user__sys")
    for name in ("created_date__v", "modified_date__v"):
        assert fields[name]["type"] == "DateTime"
    status = fields["status__v"]
    assert (status["type"], status["picklist"], status["required"]) == (
        "Picklist",
        "default_status__v",
        True,
    )
    assert status["editable"] is True and status["multi_value"] is False
    assert fields["global_id__sys"]["source"] == fields["link__sys"]["source"] == "system"
    for entry in fields.values():
        assert {"name", "label", "type", "required", "editable", "source"} <= set(entry)
        assert "unique" in entry or entry["name"] == "id"  # id: the documented shape, no key
        assert "lookup_relationship_name" in entry and "lookup_source_field" in entry


def test_default_status_picklist(api):
    body = api.get("/objects/picklists/default_status__v")
    assert body["responseMessage"] == "Success"
    assert body["picklistValues"] == [
        {"name": "active__v", "label": "Active"},
        {"name": "inactive__v", "label": "Inactive"},
    ]


def test_create_fills_the_standard_fields(api, vault):
    [row] = rows_of(api.csv("product__v", "name__v,product_family__c\nA,biologic__c\n"))
    rid = row["data"]["id"]
    record = vault.record("product__v", rid)
    assert record["status__v"] == ["active__v"]  # required, yet left out: Vault's default
    assert record["created_by__v"] == record["modified_by__v"] == USER_ID
    assert record["created_date__v"] == record["modified_date__v"]
    assert record["created_date__v"].endswith(".000Z")
    assert record["global_id__sys"] == record["link__sys"] == f"1000_{rid}"
    assert (record["lifecycle__v"], record["state__v"]) == (
        "product_lifecycle__c",
        "draft_state__c",
    )
    got = api.get(f"/vobjects/product__v/{rid}")["data"]
    assert got["created_by__v"] == USER_ID and got["status__v"] == ["active__v"]


def test_an_update_stamps_modified_and_keeps_created(api, vault):
    old = "2020-01-02T03:04:05.000Z"
    [rid] = vault.seed(
        "product__v",
        [dict(PRODUCT, created_date__v=old, modified_date__v=old, created_by__v="1")],
    )
    assert vault.record("product__v", rid)["created_by__v"] == 1  # user ids are numbers
    rows_of(api.csv("product__v", f"id,generic_name__vs\n{rid},atorva\n", method="PUT"))
    record = vault.record("product__v", rid)
    assert record["created_date__v"] == old and record["created_by__v"] == 1
    assert record["modified_date__v"] > old and record["modified_by__v"] == USER_ID
    rows_of(api.csv("product__v", f"id,generic_name__vs\n{rid},atorva\n", method="PUT"))
    assert vault.record("product__v", rid)["modified_date__v"] == record["modified_date__v"]


def test_an_action_stamps_modified(api, vault):
    old = "2020-01-02T03:04:05.000Z"
    [rid] = vault.seed("product__v", [dict(PRODUCT, modified_date__v=old, modified_by__v="1")])
    api.action("product__v", "Objectaction.product__v.mark_reviewed__c", rid)
    record = vault.record("product__v", rid)
    assert record["modified_by__v"] == USER_ID and record["modified_date__v"] > old


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("created_by__v", str(USER_ID)),
        ("created_date__v", "2024-01-01T00:00:00.000Z"),
        ("modified_by__v", str(USER_ID)),
        ("modified_date__v", "2024-01-01T00:00:00.000Z"),
        ("global_id__sys", "1000_00P000000000009"),
        ("link__sys", "1000_00P000000000009"),
        ("id", "00P000000000009"),
    ],
)
def test_system_managed_values_fail_the_row_blank_ones_are_ignored(api, vault, column, value):
    body = f"name__v,product_family__c,{column}\nA,biologic__c,{value}\nB,biologic__c,\n"
    given, blank = rows_of(api.csv("product__v", body))
    assert error_types(given) == ["INVALID_DATA"]
    assert blank["responseStatus"] == "SUCCESS"
    assert [r["name__v"] for r in vault.records("product__v")] == ["B"]


def test_status_is_written_like_any_picklist(api, vault, product_id):
    body = "name__v,product_family__c,status__v\nA,biologic__c,inactive__v\nB,biologic__c,Active\n"
    a, b = rows_of(api.csv("product__v", body))
    assert vault.record("product__v", a["data"]["id"])["status__v"] == ["inactive__v"]
    assert error_types(b) == ["INVALID_DATA"]  # a label, not a name
    [cleared] = rows_of(api.csv("product__v", f"id,status__v\n{product_id},\n", method="PUT"))
    assert error_types(cleared) == ["PARAMETER_REQUIRED"]  # required: cannot be cleared


def test_a_field_default_fills_a_create_that_leaves_it_out(api, vault):
    body = "site_code__c,country_code__c\nS1,\nS2,FR\n"
    rows_of(api.csv("site__c", body))
    rows_of(api.json("site__c", [{"site_code__c": "S3"}]))
    assert [s["country_code__c"] for s in vault.records("site__c")] == ["US", "FR", "US"]
    fields = fields_of(api, "site__c")
    assert fields["country_code__c"]["default_value"] == "US"
    assert "default_value" not in fields["status__v"]  # Vault's default, not in its metadata


def test_vql_reads_and_filters_standard_fields(api, vault, product_id):
    q = (
        "SELECT id, status__v, created_by__v, modified_by__v, created_date__v, global_id__sys, "
        f"link__sys FROM product__v WHERE created_by__v = {USER_ID} AND status__v = 'active__v'"
    )
    [row] = api.query(q)["data"]
    assert row["id"] == product_id and row["status__v"] == ["active__v"]
    assert row["created_by__v"] == row["modified_by__v"] == USER_ID
    assert row["global_id__sys"] == row["link__sys"] == f"1000_{product_id}"
    assert api.query("SELECT id FROM product__v WHERE status__v = 'inactive__v'")["data"] == []
    unknown = api.query("SELECT created_by__vr.name__v FROM product__v")  # users are not kept
    assert unknown["errors"][0]["type"] == "INVALID_DATA"
