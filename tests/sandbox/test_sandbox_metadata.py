"""Object metadata, picklists and single-record reads."""

from __future__ import annotations


def test_product_metadata_has_the_documented_fields(api):
    body = api.get("/metadata/vobjects/product__v")
    assert body["responseStatus"] == "SUCCESS"
    obj = body["object"]
    assert (obj["name"], obj["prefix"]) == ("product__v", "00P")
    fields = {f["name"]: f for f in obj["fields"]}
    assert set(fields) >= {"id", "name__v", "external_id__v", "state__v", "modified_date__v"}
    for entry in fields.values():
        assert {"name", "label", "type", "required", "editable"} <= set(entry)
        assert "unique" in entry or entry["name"] == "id"  # id: the documented shape, no key
    assert fields["name__v"]["system_managed_name"] is False
    assert fields["name__v"]["max_length"] == 128
    assert fields["external_id__v"]["unique"] is True
    assert fields["unit_price__c"]["scale"] == 2
    assert fields["therapeutic_areas__c"]["multi_value"] is True
    assert fields["state__v"]["editable"] is False


def test_site_metadata_reference_and_system_name(api):
    fields = {f["name"]: f for f in api.get("/metadata/vobjects/site__c")["object"]["fields"]}
    assert fields["name__v"]["system_managed_name"] is True
    assert fields["product__c"]["relationship_outbound_name"] == "product__cr"
    assert "relationship_name" not in fields["product__c"]  # Vault's key only in relationships[]
    assert fields["product__c"]["object"]["name"] == "product__v"
    assert fields["product__c"]["object"]["url"].endswith("/metadata/vobjects/product__v")


def test_unknown_object_fails(api):
    body = api.get("/metadata/vobjects/nothing__c")
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == "INVALID_DATA"


def test_picklists(api):
    body = api.get("/objects/picklists/product_family__c")
    assert {"name": "biologic__c", "label": "Biologic"} in body["picklistValues"]
    areas = api.get("/objects/picklists/therapeutic_area__c")["picklistValues"]
    assert [v["name"] for v in areas][-1] == "rare_disease__c"
    assert api.get("/objects/picklists/nope__c")["errors"][0]["type"] == "INVALID_DATA"


def test_retrieve_one_record(api, product_id):
    body = api.get(f"/vobjects/product__v/{product_id}")
    assert body["data"]["id"] == product_id
    assert body["data"]["product_family__c"] == ["small_molecule__c"]
    assert body["data"]["unit_price__c"] is None
    assert body["responseDetails"]["object"]["name"] == "product__v"
    assert api.get("/vobjects/product__v/00P999")["errors"][0]["type"] == "INVALID_DATA"


def test_records_view_gives_every_field_in_python_forms(vault):
    [rid] = vault.seed(
        "product__v",
        [
            {
                "name__v": "Nyaxa",
                "product_family__c": "biologic__c",
                "therapeutic_areas__c": "oncology__c,neurology__c",
                "unit_price__c": "12.5",
                "pack_size__c": "30",
                "launch_date__c": "2024-02-29",
                "last_reviewed__c": "2024-03-01T10:11:12Z",
                "active__c": "true",
            }
        ],
    )
    [record] = vault.records("product__v")
    assert record == vault.record("product__v", rid)
    assert str(record["unit_price__c"]) == "12.50"
    assert str(record["pack_size__c"]) == "30"
    assert record["launch_date__c"] == "2024-02-29"
    assert record["last_reviewed__c"] == "2024-03-01T10:11:12.000Z"
    assert record["active__c"] is True
    assert record["therapeutic_areas__c"] == ["oncology__c", "neurology__c"]
    assert record["product_family__c"] == ["biologic__c"]
    assert record["generic_name__vs"] is None
    assert record["state__v"] == "draft_state__c"
    assert record["created_date__v"].endswith(".000Z")
    assert vault.record("product__v", "00P-none") is None


def test_seed_validates(vault):
    try:
        vault.seed("product__v", [{"name__v": "X", "product_family__c": "Biologic"}])
    except ValueError as exc:
        assert "product_family__c" in str(exc)
    else:
        raise AssertionError("seed accepted a picklist label")
    assert vault.records("product__v") == []
