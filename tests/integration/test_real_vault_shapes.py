"""Vault's documented shapes over HTTP (issue 12): object types, defaults, relationships named
where Vault names them, computed and system fields left out, and reads typed without
``queryDescribe``. Never stricter than Vault: what the library cannot be sure of is sent."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import vault_pandas
from vault_pandas import ColumnsLeftOutWarning
from vault_pandas.read import vql

TYPE = "object_type__v.api_name__v"


def _connect(vault: Any) -> vault_pandas.VaultClient:
    return vault_pandas.connect(vault.url, username=vault.username, password=vault.password)


def _config_calls(vault: Any) -> list[str]:
    return [r[1] for r in vault.requests_log if "/configuration/" in r[1]]


def _type_ids(client: vault_pandas.VaultClient) -> dict[str, str]:
    types = vault_pandas.read_vql(
        "SELECT id, api_name__v, object_name__v FROM object_type__v", client, progress=False
    )
    bikes = types[types["object_name__v"] == "bicycle__c"]
    return dict(zip(bikes["api_name__v"], bikes["id"], strict=True))


# -- object types ------------------------------------------------------------------------------
def test_typed_creates_pass_and_fail_by_their_own_type(vault, client):
    df = pd.DataFrame({
        "name__v": ["base", "road", "road no size", "road green", "mountain", "default"],
        TYPE: ["base__v", "road_bike__c", "road_bike__c", "road_bike__c", "mountain__c", None],
        "frame_size__c": [None, 54, None, 56, 50, None],
        "color__c": ["green__c", "red__c", "blue__c", "green__c", "red__c", "green__c"],
    })  # fmt: skip
    df["frame_size__c"] = df["frame_size__c"].astype("Int64")

    out = df.vault.create("bicycle__c", progress=False)

    status = out["vault_status"].tolist()
    assert status == ["SUCCESS", "SUCCESS", "INVALID", "INVALID", "INVALID", "SUCCESS"], out
    errors = out["vault_error"]
    assert errors[2] == "VALIDATION: frame_size__c: is required for object type road_bike__c"
    assert errors[3].startswith("VALIDATION: color__c: 'green__c' is not allowed for object "
                                "type road_bike__c (allowed: red__c, blue__c)")  # fmt: skip
    assert "'mountain__c' is not an object type of bicycle__c" in errors[4]
    assert "base__v" in errors[4] and "road_bike__c" in errors[4]
    stored = {r["name__v"]: r for r in vault.records("bicycle__c")}
    assert set(stored) == {"base", "road", "default"}  # invalid rows were never sent
    ids = _type_ids(client)
    assert stored["road"]["object_type__v"] == ids["road_bike__c"]
    assert stored["base"]["object_type__v"] == stored["default"]["object_type__v"] == ids["base__v"]


def test_type_configuration_is_read_once_per_client(vault, client):
    df = pd.DataFrame({"name__v": ["a"], TYPE: ["road_bike__c"], "frame_size__c": [52]})
    for k in range(2):
        out = df.assign(name__v=f"bike {k}").vault.create("bicycle__c", progress=False)
        assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].tolist()
    calls = _config_calls(vault)
    assert sorted(calls) == sorted(set(calls)), calls  # every configuration asked once
    assert any(c.endswith("/configuration/Objecttype") for c in calls)
    assert any(c.endswith("/configuration/Objecttype.bicycle__c.road_bike__c") for c in calls)


def test_rows_typed_by_id_are_left_to_vault(vault, client):
    ids = _type_ids(client)
    df = pd.DataFrame({
        "name__v": ["road by id", "road by id, sized"],
        "object_type__v": [ids["road_bike__c"], ids["road_bike__c"]],
        "frame_size__c": pd.array([None, 54], dtype="Int64"),
    })  # fmt: skip

    out = df.vault.create("bicycle__c", progress=False)

    # the library cannot name the type without a lookup: Vault decides, and refuses row 0
    assert out["vault_status"].tolist() == ["FAILURE", "SUCCESS"], out["vault_error"].tolist()
    assert not out["vault_error"][0].startswith("VALIDATION")
    assert [r["name__v"] for r in vault.records("bicycle__c")] == ["road by id, sized"]


def test_update_checks_the_picklist_subset_of_the_named_type(vault, client):
    df = pd.DataFrame({"name__v": ["r"], TYPE: ["road_bike__c"], "frame_size__c": [50]})
    created = df.vault.create("bicycle__c", progress=False)
    change = pd.DataFrame({"id": created["vault_id"], TYPE: ["road_bike__c"],
                           "color__c": ["green__c"]})  # fmt: skip

    out = change.vault.update("bicycle__c", progress=False)

    assert out["vault_status"].tolist() == ["INVALID"]
    assert "not allowed for object type road_bike__c" in out["vault_error"][0]


# -- Vault's defaults, relationships, computed fields --------------------------------------------
def test_create_without_status_gets_active(vault, client):
    df = pd.DataFrame({"name__v": ["Cholecap"], "product_family__c": ["biologic__c"]})

    out = df.vault.create("product__v", progress=False)

    assert out["vault_status"].tolist() == ["SUCCESS"], out["vault_error"].tolist()
    back = vault_pandas.read("product__v", ["id", "status__v"], client=client, progress=False)
    assert back["status__v"].tolist() == ["active__v"]


@pytest.fixture(params=["field", "object"])
def relationship_shape(request, vault) -> Iterator[str]:
    """The sandbox names relationships only on the field, or only in ``relationships[]``."""
    vault.configure(relationship_metadata=request.param)
    yield request.param


def test_child_load_through_a_relationship_named_in_one_place(vault, relationship_shape):
    client = _connect(vault)  # a new client: its metadata cache is of this shape
    try:
        meta = client.object_metadata("site__c")["object"]
        ref = next(f for f in meta["fields"] if f["name"] == "product__c")
        outbound = [r for r in meta.get("relationships") or [] if r.get("field") == "product__c"]
        if relationship_shape == "field":
            assert ref["relationship_outbound_name"] == "product__cr" and not outbound
        else:
            assert "relationship_outbound_name" not in ref and outbound
        parents = pd.DataFrame({"name__v": ["P1", "P2"], "external_id__v": ["E1", "E2"],
                                "product_family__c": "vaccine__c"})  # fmt: skip
        made = parents.vault.create("product__v", client=client, progress=False)
        assert (made["vault_status"] == "SUCCESS").all()
        sites = pd.DataFrame({"site_code__c": ["S1", "S2"],
                              "product__cr.external_id__v": ["E2", "E1"]})  # fmt: skip

        out = sites.vault.create("site__c", client=client, progress=False)

        assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].tolist()
        by_code = {r["site_code__c"]: r["product__c"] for r in vault.records("site__c")}
        ids = dict(zip(parents["external_id__v"], made["vault_id"], strict=True))
        assert by_code == {"S1": ids["E2"], "S2": ids["E1"]}
        # and read back through the relationship, typed without queryDescribe too
        query = "SELECT site_code__c, product__cr.external_id__v FROM site__c"
        with_describe = vault_pandas.read_vql(query, client, progress=False)
        without = _read_without_describe(query, client)
        assert without.dtypes.to_dict() == with_describe.dtypes.to_dict()
        assert str(without["product__cr.external_id__v"].dtype) == "string"
    finally:
        client.close()


def test_lookup_and_formula_columns_are_left_out_with_a_warning(vault, client):
    products = pd.DataFrame({"name__v": ["Nyaxa"], "product_family__c": ["device__c"],
                             "name_upper__c": ["NYAXA"]})  # fmt: skip
    with pytest.warns(ColumnsLeftOutWarning, match="name_upper__c"):
        made = products.vault.create("product__v", progress=False)
    assert made["vault_status"].tolist() == ["SUCCESS"]
    assert made.attrs["vault"]["left_out"] == ["name_upper__c"]

    sites = pd.DataFrame({"site_code__c": ["S9"], "product__c": made["vault_id"],
                          "product_name__c": ["whatever"]})  # fmt: skip
    with pytest.warns(ColumnsLeftOutWarning, match="product_name__c"):
        out = sites.vault.create("site__c", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS"], out["vault_error"].tolist()
    assert out.attrs["vault"]["left_out"] == ["product_name__c"]
    [site] = vault.records("site__c")
    assert site["product__c"] == made["vault_id"][0]


# -- reads typed without queryDescribe ------------------------------------------------------------
def _read_without_describe(query: str, client: vault_pandas.VaultClient) -> pd.DataFrame:
    """``read_vql`` as against a vault that leaves ``queryDescribe`` out (header not sent)."""
    real = vql.pages
    seen: list[dict[str, Any]] = []

    def pages(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for page in real(*args, **{**kwargs, "describe": False}):
            seen.append(page)
            yield page

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vql, "pages", pages)
        frame = vault_pandas.read_vql(query, client, progress=False)
    assert seen and all("queryDescribe" not in page for page in seen)
    return frame


def _seed_products(client: vault_pandas.VaultClient, n: int = 3) -> pd.DataFrame:
    df = pd.DataFrame({
        "name__v": [f"Product {k}" for k in range(n)],
        "external_id__v": [f"EXT-{k}" for k in range(n)],
        "product_family__c": "biologic__c",
        "therapeutic_areas__c": [["oncology__c", "cardiology__c"], None, ["neurology__c"]][:n],
        "unit_price__c": [9.5, None, 12.25][:n],
        "pack_size__c": pd.array([10, None, 30][:n], dtype="Int64"),
        "launch_date__c": pd.to_datetime(["2024-01-31", None, "2025-06-01"][:n]),
        "last_reviewed__c": pd.to_datetime(["2024-02-01T10:00:00Z", None, None][:n], utc=True),
        "active__c": pd.array([True, None, False][:n], dtype="boolean"),
        "description__c": ["first", None, "third"][:n],
    })  # fmt: skip
    out = df.vault.create("product__v", client=client, progress=False)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].dropna().tolist()
    return out


def test_read_vql_without_describe_types_like_with_it(vault, client):
    _seed_products(client)
    fields = vault_pandas.read("product__v", client=client, progress=False).columns
    query = f"SELECT {', '.join(fields)} FROM product__v"

    with_describe = vault_pandas.read_vql(query, client, progress=False)
    without = _read_without_describe(query, client)

    assert without.dtypes.to_dict() == with_describe.dtypes.to_dict()
    pd.testing.assert_frame_equal(without, with_describe)
    empty = _read_without_describe(f"{query} WHERE name__v = 'none'", client)
    assert empty.dtypes.to_dict() == with_describe.dtypes.to_dict()  # from the SELECT list


# -- a frame read from Vault, written back -------------------------------------------------------
def test_frame_read_with_every_field_is_written_back(vault, client):
    _seed_products(client)
    df = vault_pandas.read("product__v", client=client, progress=False)
    assert {"id", "created_by__v", "modified_date__v", "state__v", "name_upper__c"} <= set(df)
    df["description__c"] = df["description__c"].fillna("") + " (reviewed)"

    with pytest.warns(ColumnsLeftOutWarning) as caught:
        out = df.vault.update("product__v", progress=False)

    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].dropna().tolist()
    left_out = out.attrs["vault"]["left_out"]
    assert {"created_by__v", "modified_date__v", "name_upper__c", "state__v"} <= set(left_out)
    assert "id" not in left_out and "description__c" not in left_out
    assert len(caught) == 1
    stored = {r["id"]: r["description__c"] for r in vault.records("product__v")}
    assert sorted(stored.values()) == sorted(df["description__c"])

    # the same frame created in a fresh vault: id and the system fields are left out too
    vault.reset()
    fresh = _connect(vault)
    try:
        with pytest.warns(ColumnsLeftOutWarning):
            made = df.vault.create("product__v", client=fresh, progress=False)
    finally:
        fresh.close()
    assert (made["vault_status"] == "SUCCESS").all(), made["vault_error"].dropna().tolist()
    assert "id" in made.attrs["vault"]["left_out"]
    stored = {r["name__v"]: r for r in vault.records("product__v")}
    assert sorted(stored) == sorted(df["name__v"])
    assert {r["description__c"] for r in stored.values()} == set(df["description__c"])


def test_typed_frame_read_back_and_written_back(vault, client):
    df = pd.DataFrame({"name__v": ["a", "b"], TYPE: ["road_bike__c", "base__v"],
                       "frame_size__c": [50, None],
                       "color__c": ["blue__c", "green__c"]})  # fmt: skip
    assert (df.vault.create("bicycle__c", progress=False)["vault_status"] == "SUCCESS").all()
    back = vault_pandas.read("bicycle__c", client=client, progress=False)
    back["frame_size__c"] = back["frame_size__c"].fillna(40) + 1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColumnsLeftOutWarning)
        out = back.vault.update("bicycle__c", progress=False)

    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].dropna().tolist()
