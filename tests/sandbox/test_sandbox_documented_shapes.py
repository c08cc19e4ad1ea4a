"""The sandbox's answers have the shapes of Vault's documented examples (tests/fixtures/golden).

A shape here: every key of the documented example is in the sandbox's answer, recursively (a
list compares its first entry, or the entry of the same ``responseStatus``), and no key the
example lacks. Also: ``X-VaultAPI-DescribeQuery`` and the strict value forms.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sandbox_client import PRODUCT, error_types, rows_of

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"


def golden(name: str) -> dict[str, Any]:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def missing_keys(documented: Any, ours: Any, path: str = "") -> list[str]:
    """Keys of ``documented`` absent from ``ours``, as dotted paths (empty: same shape)."""
    if isinstance(documented, dict):
        if not isinstance(ours, dict):
            return [f"{path} is {type(ours).__name__}, documented an object"]
        out = [f"{path}.{k}" for k in documented if k not in ours]
        for key in documented.keys() & ours.keys():
            out += missing_keys(documented[key], ours[key], f"{path}.{key}")
        return out
    if isinstance(documented, list) and documented and isinstance(documented[0], dict):
        out = []
        for entry in documented:
            status = entry.get("responseStatus")
            peers = [o for o in ours if o.get("responseStatus") == status] if status else ours
            if peers:
                out += missing_keys(entry, peers[0], f"{path}[{status or 0}]")
        return out
    return []


def same_row_shapes(documented: dict[str, Any], ours: dict[str, Any]) -> None:
    """Each row of ours has exactly the keys of a documented row of its status."""
    assert set(ours) == set(documented), (sorted(ours), sorted(documented))
    shapes = {r["responseStatus"]: r for r in documented["data"]}
    for row in ours["data"]:
        doc = shapes[row["responseStatus"]]
        assert list(row) == list(doc), (row, doc)
        if "data" in doc:
            assert set(row["data"]) == set(doc["data"]), (row, doc)


def test_object_and_field_metadata(api):
    documented_field = golden("object_metadata_product__v.json")["object"]["fields"][0]
    for obj in ("product__v", "site__c", "bicycle__c", "event_log__c", "object_type__v"):
        body = api.get(f"/metadata/vobjects/{obj}")
        assert missing_keys(golden("object_metadata_product__v.json"), body) == []
        for field in body["object"]["fields"]:
            assert missing_keys(documented_field, field) == [], field["name"]
        name = api.get(f"/metadata/vobjects/{obj}/fields/name__v")
        assert missing_keys(golden("field_metadata_name__v.json"), name) == []


def test_the_id_field_is_exactly_the_documented_one(api):
    documented = golden("object_metadata_product__v.json")["object"]["fields"][0]
    assert documented["name"] == "id" and "unique" not in documented
    for obj in ("product__v", "site__c", "bicycle__c", "event_log__c", "object_type__v"):
        fields = {f["name"]: f for f in api.get(f"/metadata/vobjects/{obj}")["object"]["fields"]}
        assert list(fields["id"]) == list(documented), obj  # the same keys, in the same order
        assert {k: fields["id"][k] for k in ("type", "editable", "required", "no_copy")} == {
            k: documented[k] for k in ("type", "editable", "required", "no_copy")
        }
        one = api.get(f"/metadata/vobjects/{obj}/fields/id")["field"]
        assert list(one) == list(documented), obj


def test_upsert_by_id_fails_an_unknown_id_as_documented(api, vault, product_id):
    documented = golden("upsert_records.json")
    body = api.csv(
        "product__v", f"id,pack_size__c\n{product_id},3\n00P000000000C02,4\n", idParam="id"
    )
    same_row_shapes(documented, body)
    ok, unknown = body["data"]
    assert ok["data"]["event"] == "updated__sys" and ok["data"]["id_param_value"] == product_id
    assert unknown == {
        "responseStatus": "FAILURE",
        "data": {"id_param_value": "00P000000000C02"},
        "errors": documented["data"][2]["errors"],  # INVALID_DATA "Invalid id"
    }
    assert [r["id"] for r in vault.records("product__v")] == [product_id]  # never creates


def test_object_type_configuration(api):
    body = api.get("/configuration/Objecttype.bicycle__c.road_bike__c")
    documented = golden("object_type_configuration.json")
    assert missing_keys(documented, body) == []
    assert list(body["data"]) == list(documented["data"])
    ours = [f["name"] for f in body["data"]["type_fields"]]
    assert ours[: len(documented["data"]["type_fields"])] == [
        f["name"] for f in documented["data"]["type_fields"]
    ]


def test_picklist(api):
    body = api.get("/objects/picklists/product_family__c")
    assert list(body) == list(golden("picklist_values.json"))


def test_create_upsert_update_delete(api, vault, product_id):
    create = api.csv("product__v", "name__v,product_family__c\nA,biologic__c\nA,biologic__c\n")
    same_row_shapes(golden("create_records_partial_failure.json"), create)
    assert [r["responseStatus"] for r in create["data"]] == ["SUCCESS", "FAILURE"]
    created = create["data"][0]["data"]["id"]

    upsert = api.csv(
        "product__v", "external_id__v,unit_price__c\nCHC-1,5\nE-9,1\n", idParam="external_id__v"
    )
    same_row_shapes(golden("upsert_records.json"), upsert)  # E-9: no name, no family
    assert [r["responseStatus"] for r in upsert["data"]] == ["SUCCESS", "FAILURE"]
    assert upsert["data"][1]["data"] == {"id_param_value": "E-9"}

    update = api.csv(
        "product__v",
        f"id,unit_price__c\n{created},7\n{product_id},5\n00P00000000Q007,1\n",
        method="PUT",
    )
    same_row_shapes(golden("update_records.json"), update)
    assert update["responseStatus"] == "WARNING"
    assert [r["responseStatus"] for r in update["data"]] == ["SUCCESS", "WARNING", "FAILURE"]
    only_success = api.csv("product__v", f"id,unit_price__c\n{created},8\n", method="PUT")
    assert only_success["responseStatus"] == "SUCCESS" and "warnings" not in only_success

    delete = api.csv("product__v", f"id\n{created}\n", method="DELETE")
    same_row_shapes(golden("delete_records.json"), delete)


def test_create_event_is_documented_from_v25_2(vault):
    from sandbox_client import Api

    for version, event in (("v25.2", True), ("v26.1", True), ("v25.1", False), ("v21.3", False)):
        old = Api(vault, version)
        old.login()
        [row] = old.csv("product__v", f"name__v,product_family__c\n{version},biologic__c\n")["data"]
        assert ("event" in row["data"]) == event, version
        if event:
            assert row["data"]["event"] == "created__sys"
    assert list(row["data"]) == list(
        golden("create_records_no_event_v17_3.json")["data"][0]["data"]
    )


def test_action(api, product_id):
    body = api.action("product__v", "Objectaction.product__v.mark_reviewed__c", product_id)
    same_row_shapes(golden("object_action_multiple_records.json"), body)


# -- X-VaultAPI-DescribeQuery -------------------------------------------------------------


def test_query_without_and_with_describe(api, product_id):
    plain = api.query("SELECT id, name__v FROM product__v")
    assert list(plain) == list(golden("vql_query.json"))
    described = api.query("SELECT id, name__v FROM product__v", describe=True)
    assert list(described) == list(golden("vql_query_with_describe.json"))
    assert missing_keys(golden("vql_query_with_describe.json")["queryDescribe"]["object"],
                        described["queryDescribe"]["object"]) == []  # fmt: skip
    name = described["queryDescribe"]["fields"][1]
    assert name == {
        "name": "name__v", "label": "Product Name", "type": "String", "required": True,
        "unique": True, "max_length": 128,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("value", "described"),
    [("true", True), ("TRUE", True), ("false", False), ("1", False), ("yes", False), ("", False)],
)
def test_describe_only_when_the_header_is_true(api, product_id, value, described):
    body = api.http.post(
        f"{api.base}/query",
        data={"q": "SELECT id FROM product__v"},
        headers={"X-VaultAPI-DescribeQuery": value},
    ).json()
    assert ("queryDescribe" in body) == described


def test_describe_keys_are_the_documented_ones(api, vault, product_id):
    vault.seed("site__c", [{"site_code__c": "S1", "product__c": product_id}])
    q = (
        "SELECT id, product__c, product_name__c, product__cr.name_upper__c, status__v, "
        "enrollment__c FROM site__c"
    )
    fields = {f["name"]: f for f in api.query(q, describe=True)["queryDescribe"]["fields"]}
    allowed = {
        "name", "label", "type", "required", "unique", "max_length", "min_value", "max_value",
        "scale", "picklist", "encrypted", "format_mask",
    }  # fmt: skip
    assert all(set(f) <= allowed for f in fields.values())
    assert "formula" not in fields["product__cr.name_upper__c"]  # formulas are described bare
    assert fields["status__v"]["picklist"] == "default_status__v"
    assert fields["enrollment__c"]["scale"] == 0 and fields["enrollment__c"]["max_value"] == 100000


# -- strict value forms -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [(True, True), ("true", True), ("false", True), ("True", False), ("FALSE", False),
     (1, False), ("1", False), ("yes", False)],
)  # fmt: skip
def test_json_booleans_lower_case_only(api, vault, value, ok):
    [row] = rows_of(api.json("product__v", [dict(PRODUCT, active__c=value)]))
    assert (row["responseStatus"] == "SUCCESS") == ok, row
    if not ok:
        assert error_types(row) == ["INVALID_DATA"]


@pytest.mark.parametrize(
    ("value", "ok"),
    [("oncology__c,neurology__c", True), (["oncology__c", "neurology__c"], True),
     ("oncology__c, neurology__c", False), (["oncology__c", " neurology__c"], False),
     ("oncology__c,", False), (",oncology__c", False), (" oncology__c", False)],
)  # fmt: skip
def test_multi_value_picklist_names_without_spaces(api, value, ok):
    [row] = rows_of(api.json("product__v", [dict(PRODUCT, therapeutic_areas__c=value)]))
    assert (row["responseStatus"] == "SUCCESS") == ok, row
