"""A raw object (event_log__c), and formula and lookup fields that Vault computes."""

from __future__ import annotations

import pytest
from sandbox_client import PRODUCT, error_types, rows_of


def fields_of(api, obj: str) -> dict[str, dict]:
    return {f["name"]: f for f in api.get(f"/metadata/vobjects/{obj}")["object"]["fields"]}


# -- raw object ---------------------------------------------------------------------------


def test_raw_object_metadata(api):
    obj = api.get("/metadata/vobjects/event_log__c")["object"]
    assert obj["data_store"] == "raw"
    fields = {f["name"]: f for f in obj["fields"]}
    assert (fields["event_key__c"]["type"], fields["event_key__c"]["unique"]) == ("String", True)
    assert fields["message__c"]["type"] == "LongText"
    assert api.get("/metadata/vobjects/product__v")["object"]["data_store"] == "standard"


def test_raw_object_rows_fail_one_by_one_except_a_uniqueness_clash(api, vault):
    body = "event_key__c,message__c,status__v\nK1,hello,\nK2,bye,nope__v\n"
    ok, bad = rows_of(api.csv("event_log__c", body))
    assert ok["responseStatus"] == "SUCCESS" and error_types(bad) == ["INVALID_DATA"]
    assert [r["name__v"] for r in vault.records("event_log__c")] == ["EVT-000001"]


@pytest.mark.parametrize(
    "body",
    [
        "event_key__c,message__c\nK9,new\nK1,taken by a stored record\n",
        "event_key__c,message__c\nK8,first\nK8,same key in the request\n",
    ],
)
def test_raw_object_uniqueness_clash_fails_the_whole_request(api, vault, body):
    vault.seed("event_log__c", [{"event_key__c": "K1", "message__c": "stored"}])
    result = api.csv("event_log__c", body)
    assert result["responseStatus"] == "FAILURE"
    assert [e["type"] for e in result["errors"]] == ["INVALID_DATA"]
    assert [r["event_key__c"] for r in vault.records("event_log__c")] == ["K1"]  # nothing written


def test_raw_object_upsert_and_update_clash(api, vault):
    [k1, _] = vault.seed("event_log__c", [{"event_key__c": "K1"}, {"event_key__c": "K2"}])
    body = "event_key__c,message__c\nK1,changed\nK3,new\n"
    rows = rows_of(api.csv("event_log__c", body, idParam="event_key__c"))
    assert [r["data"]["event"] for r in rows] == ["updated__sys", "created__sys"]
    clash = api.csv("event_log__c", f"id,event_key__c,message__c\n{k1},K2,again\n", method="PUT")
    assert clash["responseStatus"] == "FAILURE"
    assert vault.record("event_log__c", k1)["message__c"] == "changed"


def test_a_standard_object_clash_fails_only_its_row(api, vault, product_id):
    body = "name__v,product_family__c,external_id__v\nNew,biologic__c,CHC-1\nOther,biologic__c,E2\n"
    clash, ok = rows_of(api.csv("product__v", body))
    assert error_types(clash) == ["INVALID_DATA"] and ok["responseStatus"] == "SUCCESS"


# -- formula and lookup fields ------------------------------------------------------------


def test_formula_and_lookup_metadata(api):
    upper = fields_of(api, "product__v")["name_upper__c"]
    assert (upper["type"], upper["formula"], upper["editable"]) == (
        "String",
        "UPPER(name__v)",
        False,
    )
    lookup = fields_of(api, "site__c")["product_name__c"]
    assert lookup["lookup_relationship_name"] == "product__cr"
    assert lookup["lookup_source_field"] == "name__v"
    assert lookup["editable"] is False


def test_vault_computes_them_on_read(api, vault, product_id):
    [site] = vault.seed("site__c", [{"site_code__c": "S1", "product__c": product_id}])
    [bare] = vault.seed("site__c", [{"site_code__c": "S2"}])
    q = "SELECT site_code__c, product_name__c FROM site__c ORDER BY site_code__c"
    assert api.query(q)["data"] == [
        {"site_code__c": "S1", "product_name__c": "Cholecap"},
        {"site_code__c": "S2", "product_name__c": None},
    ]
    rows_of(api.csv("product__v", f"id,name__v\n{product_id},Cholecap XR\n", method="PUT"))
    assert vault.record("site__c", site)["product_name__c"] == "Cholecap XR"  # follows the product
    assert vault.record("site__c", bare)["product_name__c"] is None
    assert api.get(f"/vobjects/site__c/{site}")["data"]["product_name__c"] == "Cholecap XR"
    products = api.query("SELECT name_upper__c FROM product__v WHERE name_upper__c = 'CHOLECAP XR'")
    assert products["data"] == [{"name_upper__c": "CHOLECAP XR"}]
    through = api.query("SELECT product__cr.name_upper__c FROM site__c WHERE site_code__c = 'S1'")
    assert through["data"] == [{"product__cr.name_upper__c": "CHOLECAP XR"}]


@pytest.mark.parametrize(
    ("obj", "body"),
    [
        (
            "product__v",
            "name__v,product_family__c,name_upper__c\nA,biologic__c,A\nB,biologic__c,\n",
        ),
        ("site__c", "site_code__c,product_name__c\nS1,Cholecap\nS2,\n"),
    ],
)
def test_writes_to_them_fail_the_row(api, vault, product_id, obj, body):
    given, blank = rows_of(api.csv(obj, body))
    assert error_types(given) == ["INVALID_DATA"]
    assert blank["responseStatus"] == "SUCCESS"


def test_seeds_cannot_set_them_either(vault):
    with pytest.raises(ValueError, match="name_upper__c"):
        vault.seed("product__v", [dict(PRODUCT, name_upper__c="X")])
