"""References as Vault describes them: on the field and in the object's relationships[].

The ``relationship_metadata`` setting serves either description alone; writes through
``{relationship}.{unique field}`` columns work the same way whatever the metadata shows.
"""

from __future__ import annotations

import pytest
import requests
from sandbox_client import error_types, rows_of

FIELD_KEYS = (
    "relationship_type",
    "relationship_outbound_name",
    "relationship_inbound_name",
    "relationship_deletion",
)


def metadata(api, obj: str) -> tuple[dict, dict[str, dict]]:
    body = api.get(f"/metadata/vobjects/{obj}")
    assert body["responseStatus"] == "SUCCESS"
    return body["object"], {r["relationship_name"]: r for r in body["object"]["relationships"]}


def test_reference_field_in_vaults_shape(api):
    obj, _ = metadata(api, "site__c")
    ref = {f["name"]: f for f in obj["fields"]}["product__c"]
    assert ref["type"] == "Object"
    assert {k: ref[k] for k in FIELD_KEYS} == {
        "relationship_type": "reference",
        "relationship_outbound_name": "product__cr",
        "relationship_inbound_name": "sites__cr",
        "relationship_deletion": "block",
    }
    assert "relationship_name" not in ref
    assert ref["object"] == {
        "url": "/api/v25.2/metadata/vobjects/product__v",
        "name": "product__v",
        "label": "Product",
        "label_plural": "Products",
        "prefix": "00P",
    }


def test_object_relationships_outbound_and_child(api):
    _, site = metadata(api, "site__c")
    assert site["product__cr"] == {
        "relationship_name": "product__cr",
        "relationship_label": "Product",
        "field": "product__c",
        "relationship_type": "reference_outbound",
        "relationship_deletion": "block",
        "object": {
            "url": "/api/v25.2/metadata/vobjects/product__v",
            "name": "product__v",
            "label": "Product",
            "label_plural": "Products",
            "prefix": "00P",
        },
    }
    assert site["created_by__vr"]["field"] == "created_by__v"
    assert site["created_by__vr"]["object"]["name"] == "user__sys"
    _, product = metadata(api, "product__v")
    child = product["sites__cr"]
    assert child["relationship_type"] == "child" and "field" not in child
    assert child["object"]["name"] == "site__c" and child["object"]["prefix"] == "0SI"
    assert "product__cr" not in product


def test_field_metadata_endpoint(api):
    body = api.get("/metadata/vobjects/site__c/fields/product__c")
    assert body["responseStatus"] == "SUCCESS"
    assert body["field"]["relationship_outbound_name"] == "product__cr"
    name = api.get("/metadata/vobjects/product__v/fields/name__v")["field"]
    assert (name["max_length"], name["system_managed_name"], name["unique"]) == (128, False, True)
    missing = api.get("/metadata/vobjects/product__v/fields/nope__c")
    assert missing["responseStatus"] == "FAILURE" and missing["errors"][0]["type"] == "INVALID_DATA"


def _child_load(api, vault, product_id) -> None:
    body = "site_code__c,product__cr.external_id__v,product__cr.name__v\nS1,CHC-1,\nS2,,Cholecap\n"
    rows = rows_of(api.csv("site__c", body))
    assert [r["responseStatus"] for r in rows] == ["SUCCESS", "SUCCESS"]
    assert [s["product__c"] for s in vault.records("site__c")] == [product_id] * 2
    [nope] = rows_of(api.csv("site__c", "site_code__c,product__cr.external_id__v\nS3,NOPE\n"))
    assert error_types(nope) == ["INVALID_DATA"]


def test_only_the_field_level_name(api, vault, product_id):
    vault.configure(relationship_metadata="field")
    obj, rels = metadata(api, "site__c")
    ref = {f["name"]: f for f in obj["fields"]}["product__c"]
    assert ref["relationship_outbound_name"] == "product__cr"
    assert rels == {}
    field = api.get("/metadata/vobjects/site__c/fields/product__c")["field"]
    assert field["relationship_outbound_name"] == "product__cr"
    _child_load(api, vault, product_id)


def test_only_the_object_level_entry(api, vault, product_id):
    vault.configure(relationship_metadata="object")
    obj, rels = metadata(api, "site__c")
    ref = {f["name"]: f for f in obj["fields"]}["product__c"]
    assert not set(FIELD_KEYS) & set(ref)
    assert ref["object"]["name"] == "product__v"  # the target stays on the field
    assert rels["product__cr"]["field"] == "product__c"
    _child_load(api, vault, product_id)


def test_both_is_the_default_and_reset_restores_it(api, vault, product_id):
    _child_load(api, vault, product_id)
    vault.configure(relationship_metadata="object")
    vault.reset()
    assert api.login()["responseStatus"] == "SUCCESS"
    obj, rels = metadata(api, "site__c")
    assert "product__cr" in rels
    assert {f["name"]: f for f in obj["fields"]}["product__c"]["relationship_outbound_name"]


def test_the_setting_over_http_and_its_values(vault):
    url = f"{vault.url}/_sandbox/configure"
    assert requests.post(url, json={"relationship_metadata": "field"}).status_code == 200
    assert vault.backend.config.relationship_metadata == "field"
    bad = requests.post(url, json={"relationship_metadata": "fields"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["type"] == "INVALID_DATA"
    with pytest.raises(ValueError, match="relationship_metadata"):
        vault.configure(relationship_metadata="nope")
