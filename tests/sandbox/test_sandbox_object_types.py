"""An object with types: bicycle__c (base__v, road_bike__c), its configuration and typed writes."""

from __future__ import annotations

import pytest
from sandbox_client import error_types, rows_of

BASE_ID, ROAD_ID = "OOT000000000001", "OOT000000000002"
TYPE_KEYS = [
    "name", "object", "active", "description", "additional_type_validations", "label_plural",
    "type_fields", "label",
]  # fmt: skip


def test_bicycle_metadata(api):
    obj = api.get("/metadata/vobjects/bicycle__c")["object"]
    assert (obj["prefix"], obj["allow_types"], obj["default_obj_type"]) == ("V0B", True, "base__v")
    fields = {f["name"]: f for f in obj["fields"]}
    assert set(fields) == {
        "id", "object_type__v", "global_id__sys", "link__sys", "name__v", "status__v",
        "created_by__v", "created_date__v", "modified_by__v", "modified_date__v",
        "frame_size__c", "color__c", "external_id__c",
    }  # fmt: skip
    otype = fields["object_type__v"]
    assert (otype["type"], otype["object"]["name"]) == ("Object", "object_type__v")
    assert otype["editable"] is True and otype["required"] is True
    assert (fields["frame_size__c"]["type"], fields["frame_size__c"]["scale"]) == ("Number", 0)
    assert fields["color__c"]["picklist"] == "bicycle_color__c"
    assert fields["external_id__c"]["unique"] is True
    colours = api.get("/objects/picklists/bicycle_color__c")["picklistValues"]
    assert [v["name"] for v in colours] == ["red__c", "blue__c", "green__c"]


def test_one_type_in_the_documented_shape(api):
    body = api.get("/configuration/Objecttype.bicycle__c.road_bike__c")
    assert body["responseStatus"] == "SUCCESS"
    road = body["data"]
    assert list(road) == TYPE_KEYS
    assert (road["name"], road["object"], road["label"]) == (
        "road_bike__c",
        "bicycle__c",
        "Road Bike",
    )
    assert road["active"] is True and road["additional_type_validations"] == []
    fields = {f["name"]: f for f in road["type_fields"]}
    assert fields["frame_size__c"]["required"] is True
    assert fields["color__c"]["picklist_values"] == ["red__c", "blue__c"]
    assert fields["name__v"]["required"] and fields["status__v"]["required"]
    assert not fields["id"]["required"]
    assert fields["global_id__sys"] == {
        "required": False,
        "name": "global_id__sys",
        "source": "system",
    }
    base = api.get("/configuration/Objecttype.bicycle__c.base__v")["data"]
    assert base["label"] == "Base"
    base_fields = {f["name"]: f for f in base["type_fields"]}
    assert not base_fields["frame_size__c"]["required"]
    assert not any("picklist_values" in f for f in base["type_fields"])


def test_all_types(api):
    body = api.get("/configuration/Objecttype")
    assert body["responseStatus"] == "SUCCESS"
    assert [(t["object"], t["name"]) for t in body["data"]] == [
        ("bicycle__c", "base__v"),
        ("bicycle__c", "road_bike__c"),
    ]
    assert all(list(t) == TYPE_KEYS for t in body["data"])
    road = api.get("/configuration/Objecttype.bicycle__c.road_bike__c")["data"]
    assert body["data"][1] == road
    one_object = api.get("/configuration/Objecttype.bicycle__c")["data"]
    assert one_object == body["data"]


@pytest.mark.parametrize(
    "target",
    [
        "Objecttype.bicycle__c.mountain_bike__c",
        "Objecttype.product__v.base__v",  # an object without types
        "Objecttype.nothing__c.base__v",
        "Objecttype.bicycle__c.road_bike__c.extra",
        "Objecttypes",
    ],
)
def test_unknown_type_fails(api, target):
    body = api.get(f"/configuration/{target}")
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == "INVALID_DATA"


def test_type_records_are_queryable(api):
    body = api.query("SELECT id, api_name__v, object_name__v FROM object_type__v")
    assert body["data"] == [
        {"id": BASE_ID, "api_name__v": "base__v", "object_name__v": "bicycle__c"},
        {"id": ROAD_ID, "api_name__v": "road_bike__c", "object_name__v": "bicycle__c"},
    ]


def test_type_records_cannot_be_written(api, vault):
    body = api.csv("object_type__v", "name__v,api_name__v\nX,x__c\n")
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == "OPERATION_NOT_ALLOWED"
    assert len(vault.records("object_type__v")) == 2


def test_create_by_type_name_applies_that_types_rules(api, vault):
    body = (
        "name__v,object_type__v.api_name__v,frame_size__c,color__c\n"
        "R1,road_bike__c,,\n"  # road bikes require a frame size
        "R2,road_bike__c,54,green__c\n"  # green is not a road bike colour
        "R3,road_bike__c,54,red__c\n"
        "B1,base__v,,green__c\n"  # the base type requires nothing more and allows every colour
        "B2,,,green__c\n"  # no type: the object's default_obj_type
        "X1,mountain_bike__c,,\n"
    )
    r1, r2, r3, b1, b2, x1 = rows_of(api.csv("bicycle__c", body))
    assert error_types(r1) == ["PARAMETER_REQUIRED"]
    assert error_types(r2) == ["INVALID_DATA"]
    assert error_types(x1) == ["INVALID_DATA"]
    assert [r["responseStatus"] for r in (r3, b1, b2)] == ["SUCCESS"] * 3
    stored = {b["name__v"]: b["object_type__v"] for b in vault.records("bicycle__c")}
    assert stored == {"R3": ROAD_ID, "B1": BASE_ID, "B2": BASE_ID}


def test_create_by_type_id_or_neither(api, vault):
    rows = [
        {"name__v": "R", "object_type__v": ROAD_ID, "frame_size__c": 56, "color__c": "blue__c"},
        {"name__v": "S", "object_type__v": ROAD_ID},
        {"name__v": "N"},
        {"name__v": "P", "object_type__v": "00P000000000001"},  # not a type of bicycle__c
    ]
    r, s, n, p = rows_of(api.json("bicycle__c", rows))
    assert r["responseStatus"] == "SUCCESS" and n["responseStatus"] == "SUCCESS"
    assert error_types(s) == ["PARAMETER_REQUIRED"]
    assert error_types(p) == ["INVALID_DATA"]
    assert [b["object_type__v"] for b in vault.records("bicycle__c")] == [ROAD_ID, BASE_ID]


def test_both_type_columns_fail_the_request(api, vault):
    body = f"name__v,object_type__v,object_type__v.api_name__v\nA,{ROAD_ID},road_bike__c\n"
    result = api.csv("bicycle__c", body)
    assert result["responseStatus"] == "FAILURE"
    assert result["errors"][0]["type"] == "INVALID_DATA"
    assert vault.records("bicycle__c") == []


def test_type_name_column_only_on_typed_objects(api):
    body = api.csv("product__v", "name__v,product_family__c,object_type__v.api_name__v\nA,x,y\n")
    assert body["errors"][0]["type"] == "ATTRIBUTE_NOT_SUPPORTED"


def test_update_keeps_the_type_and_its_rules(api, vault):
    [road] = vault.seed(
        "bicycle__c", [{"name__v": "R", "object_type__v": ROAD_ID, "frame_size__c": "54"}]
    )

    def update(row: dict) -> dict:
        [result] = rows_of(api.json("bicycle__c", [{"id": road, **row}], method="PUT"))
        return result

    # the type cannot change outside migration mode; naming the same type is allowed
    assert error_types(update({"object_type__v.api_name__v": "base__v"})) == ["INVALID_DATA"]
    assert error_types(update({"object_type__v": BASE_ID})) == ["INVALID_DATA"]
    assert update({"object_type__v.api_name__v": "road_bike__c"})["responseStatus"] == "WARNING"
    # the record's type still rules: a required frame size, road bike colours only
    assert error_types(update({"frame_size__c": None})) == ["PARAMETER_REQUIRED"]
    assert error_types(update({"color__c": "green__c"})) == ["INVALID_DATA"]
    ok = update({"object_type__v": ROAD_ID, "color__c": "red__c"})
    assert ok["responseStatus"] == "SUCCESS"
    record = vault.record("bicycle__c", road)
    assert (record["object_type__v"], record["color__c"]) == (ROAD_ID, ["red__c"])


def test_vql_reads_the_type_by_id_and_name(api, vault):
    vault.seed("bicycle__c", [{"name__v": "R", "object_type__v": ROAD_ID, "frame_size__c": "54"}])
    vault.seed("bicycle__c", [{"name__v": "B"}])
    body = api.query(
        "SELECT name__v, object_type__v, object_type__vr.api_name__v FROM bicycle__c "
        "WHERE object_type__vr.api_name__v = 'road_bike__c'"
    )
    assert body["data"] == [
        {"name__v": "R", "object_type__v": ROAD_ID, "object_type__vr.api_name__v": "road_bike__c"}
    ]
