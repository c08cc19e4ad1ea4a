"""``id`` is always unique, though Vault's documented metadata for it has no ``unique`` key.

The sandbox serves ``id`` in that documented shape; the library still takes ``id_param="id"``
(Veeva's own upsert example sends ``?idParam=id``) and ``reconcile="id"``. An upsert by ``id``
never creates: an id no record has fails its row, as the documented example shows.
"""

from __future__ import annotations

import pandas as pd
import pytest

from vault_pandas.read.vql import read


def _seed(vault, n: int) -> list[str]:
    rows = [{"name__v": f"P{i}", "product_family__c": "biologic__c"} for i in range(n)]
    return vault.seed("product__v", rows)


def test_the_served_id_field_has_no_unique_key(vault, client):
    body = client.call("GET", "metadata/vobjects/product__v")
    [id_field] = [f for f in body["object"]["fields"] if f["name"] == "id"]
    assert "unique" not in id_field
    assert pd.DataFrame().vault.fields("product__v", client=client).loc["id", "unique"]


def test_update_by_id_param_id(vault, client):
    ids = _seed(vault, 2)
    frame = pd.DataFrame({"id": ids, "pack_size__c": [3, 4]})
    out = frame.vault.update("product__v", id_param="id", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS", "SUCCESS"], out["vault_error"].tolist()
    assert [vault.record("product__v", i)["pack_size__c"] for i in ids] == [3, 4]


@pytest.mark.parametrize("body_format", ["csv", "json"])
def test_upsert_by_id_updates_and_never_creates(vault, client, body_format):
    ids = _seed(vault, 2)
    unknown = "00P000000000C02"
    frame = pd.DataFrame({"id": [ids[0], unknown, ids[1]], "pack_size__c": [3, 4, 5]})
    out = frame.vault.upsert("product__v", "id", progress=False, body_format=body_format)
    # name__v and product_family__c are required on create, yet not asked for: by id, an
    # upsert only updates
    assert out["vault_status"].tolist() == ["SUCCESS", "FAILURE", "SUCCESS"]
    assert out["vault_event"].tolist()[::2] == ["updated", "updated"]
    assert out["vault_error"].iloc[1].startswith("INVALID_DATA")
    assert out["vault_id"].iloc[0] == ids[0] and out["vault_id"].iloc[2] == ids[1]
    assert [r["id"] for r in vault.records("product__v")] == ids  # nothing created
    assert [vault.record("product__v", i)["pack_size__c"] for i in ids] == [3, 5]


def test_upsert_by_id_from_a_read_frame(vault, client):
    ids = _seed(vault, 3)
    frame = read("product__v", ["id", "generic_name__vs"], client=client, progress=False)
    frame["generic_name__vs"] = ["g0", "g1", "g2"]
    out = frame.vault.upsert("product__v", "id", progress=False)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].tolist()
    assert [vault.record("product__v", i)["generic_name__vs"] for i in ids] == ["g0", "g1", "g2"]


def test_a_migration_create_reconciles_by_id(vault, client):
    frame = pd.DataFrame(
        {
            "id": ["00PZA1B2C3D4E5F"],
            "name__v": ["Migrated"],
            "product_family__c": ["biologic__c"],
        }
    )
    out = frame.vault.create("product__v", migration_mode=True, reconcile="id", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS"], out["vault_error"].tolist()
    assert vault.record("product__v", "00PZA1B2C3D4E5F")["name__v"] == "Migrated"
