"""Typed frames from object metadata when a query's answer has no ``queryDescribe``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from vault_pandas.errors import VaultAPIError
from vault_pandas.read import vql
from vault_pandas.read.dtypes import (
    describe_from_metadata,
    describe_query,
    metadata_fields,
    query_object,
    select_paths,
    typed_frame,
)
from vault_pandas.transport.client import VaultClient

# Two objects in Vault's documented shape: the reference field names its relationship with
# relationship_outbound_name, or only the object-level relationships[] does (the other case).
PRODUCT: dict[str, Any] = {
    "name": "product__v",
    "fields": [
        {"name": "id", "type": "ID"},
        {"name": "name__v", "type": "String"},
        {"name": "pack_size__c", "type": "Number", "scale": 0},
        {"name": "family__c", "type": "Picklist", "multi_value": False},
        {"name": "launched__c", "type": "Date"},
    ],
}


def _site(shape: str) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": "product__c", "type": "Object"}
    site: dict[str, Any] = {"name": "site__c", "fields": [{"name": "id", "type": "ID"}, ref]}
    if shape == "outbound":
        ref.update(relationship_outbound_name="product__cr", object={"name": "product__v"})
    else:
        site["relationships"] = [
            {"relationship_name": "product__cr", "field": "product__c",
             "relationship_type": "reference_outbound", "object": {"name": "product__v"}},
            {"relationship_name": "visits__cr", "field": "site__c", "relationship_type": "child",
             "object": {"name": "visit__c"}},
        ]  # fmt: skip
    return site


@pytest.mark.parametrize(
    ("vql_text", "expected"),
    [
        ("SELECT id FROM product__v", "product__v"),
        ("select id from product__v where name__v = 'x FROM y__c'", "product__v"),
        (
            "SELECT id, (SELECT id FROM visits__cr) FROM site__c WHERE x__c = 'a\\'FROM b'",
            "site__c",
        ),
        ("SELECT LONGTEXT(d__c), id\nFROM\n  product__v ORDER BY id", "product__v"),
        ("SELECT 1", None),
    ],
)
def test_query_object(vql_text: str, expected: str | None) -> None:
    assert query_object(vql_text) == expected


def test_select_paths_keep_plain_fields_only() -> None:
    vql_text = "SELECT id, product__cr.name__v , TONAME(s__v), (SELECT id FROM v__cr) FROM s__c"
    assert select_paths(vql_text) == ["id", "product__cr.name__v"]


@pytest.mark.parametrize("shape", ["outbound", "relationships"])
def test_relationship_paths_typed_whichever_place_names_them(shape: str) -> None:
    objects = {"site__c": metadata_fields(_site(shape)), "product__v": metadata_fields(PRODUCT)}
    paths = [
        "id",
        "product__c",
        "product__cr.pack_size__c",
        "product__cr.launched__c",
        "visits__cr",
    ]
    fields = describe_from_metadata(objects.__getitem__, "site__c", paths)["fields"]
    assert [f.get("type") for f in fields] == ["ID", "Object", "Number", "Date", None]


def test_metadata_fields_adds_a_field_only_relationships_names() -> None:
    site = {
        "name": "site__c",
        "fields": [],
        "relationships": [
            {"relationship_name": "product__cr", "field": "product__c", "object": {"name": "p__v"}}
        ],
    }
    assert metadata_fields(site) == [
        {"name": "product__c", "relationship_name": "product__cr", "object": {"name": "p__v"}}
    ]
    outbound = {"name": "a__c", "fields": [{"name": "f__c", "relationship_outbound_name": "f__cr",
                                           "object": "t__c"}],
                "relationships": [{"relationship_name": "f__cr", "field": "f__c",
                                   "object": {"name": "other"}}]}  # fmt: skip
    [field] = metadata_fields(outbound)
    assert field["object"] == "t__c"  # the field's own target is kept
    assert "relationships" in outbound and "relationship_name" not in outbound["fields"][0]


def test_paths_of_two_hops() -> None:
    objects = {
        "visit__c": [{"name": "site__c", "relationship_outbound_name": "site__cr",
                      "object": "site__c"}],
        "site__c": metadata_fields(_site("outbound")),
        "product__v": PRODUCT["fields"],
    }  # fmt: skip
    [field] = describe_from_metadata(
        objects.__getitem__, "visit__c", ["site__cr.product__cr.pack_size__c"]
    )["fields"]
    assert field == {"name": "site__cr.product__cr.pack_size__c", "type": "Number", "scale": 0}


def test_describe_query_from_records_or_select_list() -> None:
    fields_of = {"product__v": PRODUCT["fields"]}.__getitem__
    records = [{"id": "00P1", "pack_size__c": 3, "family__c": ["a__c"], "launched__c": None}]
    described = describe_query("SELECT id, pack_size__c FROM product__v", records, fields_of)
    assert described is not None and described["object"] == {"name": "product__v"}
    frame = typed_frame(records, described)
    assert frame.dtypes.astype(str).tolist() == ["string", "Int64", "string", "datetime64[us]"]
    empty = describe_query("SELECT id, pack_size__c FROM product__v", [], fields_of)
    assert typed_frame([], empty).dtypes.astype(str).tolist() == ["string", "Int64"]
    assert describe_query("SELECT 1", records, fields_of) is None


class _Client(VaultClient):
    """Answers a query without queryDescribe, and the object metadata; no HTTP."""

    def __init__(self, records: list[dict[str, Any]], objects: dict[str, Any]) -> None:
        self.api_version = "v25.2"
        self.records, self.objects = records, objects
        self.headers: list[Any] = []

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        self.headers.append(kwargs.get("extra_headers"))
        return {"responseStatus": "SUCCESS", "responseDetails": {}, "data": self.records}

    def object_metadata(self, object_name: str) -> dict[str, Any]:
        if object_name not in self.objects:
            raise VaultAPIError(f"no object {object_name}", [])
        return {"object": self.objects[object_name]}


@pytest.mark.parametrize("shape", ["outbound", "relationships"])
def test_read_vql_without_describe_types_relationship_paths(shape: str) -> None:
    records: list[dict[str, Any]] = [
        {"id": "S1", "product__cr.pack_size__c": 4, "product__cr.launched__c": "2024-05-01"},
        {"id": "S2", "product__cr.pack_size__c": None, "product__cr.launched__c": None},
    ]
    client = _Client(records, {"site__c": _site(shape), "product__v": PRODUCT})
    query = "SELECT id, product__cr.pack_size__c, product__cr.launched__c FROM site__c"
    frame = vql.read_vql(query, client, progress=False)
    assert client.headers == [{"X-VaultAPI-DescribeQuery": "true"}]  # asked, not given
    assert frame.dtypes.astype(str).tolist() == ["string", "Int64", "datetime64[us]"]
    assert frame["product__cr.launched__c"].tolist() == [pd.Timestamp("2024-05-01"), pd.NaT]


def test_read_vql_of_something_not_an_object_keeps_answers() -> None:
    client = _Client([{"id": 72, "name__v": "x"}], {})
    frame = vql.read_vql("SELECT id, name__v FROM documents", client, progress=False)
    assert frame.dtypes.astype(str).tolist() == ["object", "object"]
