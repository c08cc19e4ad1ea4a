"""Issue 13 §3-4 over HTTP: copies (source_record_id), delete/update by a unique field, and a
raw object's whole-request uniqueness failures isolated to the clashing rows."""

from __future__ import annotations

import pandas as pd
import pytest
from frames import products

from vault_pandas import ConfigurationError, FrameError

#: Fields a copy does not take from its source: the record's own identity and system stamps.
NEW_ON_COPY = {
    "id", "name__v", "external_id__v", "created_date__v", "modified_date__v", "global_id__sys",
    "link__sys", "name_upper__c",
}  # fmt: skip


def _posts(vault, obj: str) -> int:
    return sum(1 for r in vault.requests_log if r[0] == "POST" and f"/vobjects/{obj}" in r[1])


def test_copy_through_source_record_id_reads_back_field_by_field(vault, client):
    made = products(2).vault.create("product__v", progress=False)
    assert (made["vault_status"] == "SUCCESS").all()
    source_id = made["vault_id"].iloc[1]
    source = vault.record("product__v", source_id)
    # no product_family__c (required): it comes from the source, so it is not demanded
    frame = pd.DataFrame(
        {
            "source_record_id": [source_id],
            "name__v": ["Copy of P1"],
            "external_id__v": ["COPY-1"],
            "unit_price__c": [12.5],
        }
    )
    out = frame.vault.create("product__v", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS"], out["vault_error"].tolist()
    copy = vault.record("product__v", out["vault_id"].iloc[0])
    assert copy["id"] != source_id
    assert copy["name__v"] == "Copy of P1" and copy["external_id__v"] == "COPY-1"
    assert float(copy["unit_price__c"]) == 12.5  # a given value overrides the copied one
    for field, value in source.items():
        if field not in NEW_ON_COPY | {"unit_price__c"}:
            assert copy[field] == value, field
    assert copy["global_id__sys"] != source["global_id__sys"]  # system fields are new
    # read back over VQL, field by field: the copy equals its source but where overridden
    both = pd.DataFrame({"id": [source_id, out["vault_id"].iloc[0]]})
    back = both.vault.read("product__v").set_index("id")
    src, cpy = back.loc[source_id], back.loc[out["vault_id"].iloc[0]]
    for field in back.columns.difference(sorted(NEW_ON_COPY | {"unit_price__c"})):
        assert str(src[field]) == str(cpy[field]), field
    assert cpy["unit_price__c"] == 12.5 and cpy["name__v"] == "Copy of P1"


def test_copy_of_an_unknown_record_fails_that_row(vault, client):
    frame = pd.DataFrame({"source_record_id": ["00PX00000000001"], "name__v": ["X"]})
    out = frame.vault.create("product__v", progress=False)
    assert out["vault_status"].tolist() == ["FAILURE"]
    assert "INVALID_DATA" in out["vault_error"].iloc[0]


def test_without_source_record_id_required_fields_are_still_demanded(vault, client):
    with pytest.raises(FrameError, match="product_family__c"):
        pd.DataFrame({"name__v": ["X"]}).vault.create("product__v", progress=False)


def test_delete_by_external_id(vault, client):
    made = products(4).vault.create("product__v", progress=False)
    keys = pd.DataFrame({"external_id__v": ["P-000001", "P-000003", "NOPE"]})
    out = keys.vault.delete("product__v", id_param="external_id__v", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS", "SUCCESS", "FAILURE"]
    ids = made["vault_id"].tolist()
    assert out["vault_id"].tolist()[:2] == [ids[1], ids[3]]
    left = sorted(r["external_id__v"] for r in vault.records("product__v"))
    assert left == ["P-000000", "P-000002"]
    deletes = [r for r in vault.requests_log if r[0] == "DELETE"]
    assert len(deletes) == 1 and "idParam=external_id__v" in deletes[0][1]


def test_update_by_external_id(vault, client):
    products(3).vault.create("product__v", progress=False)
    frame = pd.DataFrame({"external_id__v": ["P-000002"], "pack_size__c": [42]})
    out = frame.vault.update("product__v", id_param="external_id__v", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS"]
    stored = {r["external_id__v"]: r for r in vault.records("product__v")}
    assert int(stored["P-000002"]["pack_size__c"]) == 42
    assert int(stored["P-000001"]["pack_size__c"]) == 2  # others untouched


def test_delete_by_a_field_that_is_not_unique_fails_before_sending(vault, client):
    before = len(vault.requests_log)
    frame = pd.DataFrame({"generic_name__vs": ["a"]})
    with pytest.raises(FrameError, match="not a unique field"):
        frame.vault.delete("product__v", id_param="generic_name__vs", progress=False)
    with pytest.raises(FrameError, match="missing"):
        frame.vault.delete("product__v", id_param="external_id__v", progress=False)
    with pytest.raises(ConfigurationError, match="not both"):
        frame.vault.delete("product__v", id_param="external_id__v", id_column="x")
    assert not [r for r in vault.requests_log[before:] if r[0] == "DELETE"]


def test_raw_object_clashes_are_isolated_to_the_clashing_rows(vault, client):
    stored = [f"K-{k:05d}" for k in (10, 480, 777)]  # in the 1st, 1st and 2nd request
    vault.seed("event_log__c", [{"event_key__c": key} for key in stored])
    frame = pd.DataFrame(
        {
            "event_key__c": [f"K-{k:05d}" for k in range(1000)],
            "message__c": [f"event {k}" for k in range(1000)],
        }
    )
    posts_before = _posts(vault, "event_log__c")
    out = frame.vault.create("event_log__c", progress=False)
    failed = out[out["vault_status"] == "FAILURE"]
    assert failed["event_key__c"].tolist() == stored
    assert (out["vault_status"] == "SUCCESS").sum() == 997
    assert failed["vault_error"].str.contains("INVALID_DATA").all()  # Vault's own error
    assert out.attrs["vault"]["error_types"] == {"INVALID_DATA": 3}  # types kept as data
    records = vault.records("event_log__c")
    assert len(records) == 1000  # 3 seeded + 997 created, no duplicate
    assert len({r["event_key__c"] for r in records}) == 1000
    posts = _posts(vault, "event_log__c") - posts_before
    # 2 first requests, both refused; the keys of each looked up (2 queries of 250 keys),
    # then its rows but the clashing ones sent again as one request
    assert out.attrs["vault"]["requests"] == posts
    assert posts == 4
    queries = sum(1 for r in vault.requests_log if r[0] == "POST" and r[1].endswith("/query"))
    assert queries == 4


def test_raw_object_split_only_for_create(vault, client):
    vault.seed("event_log__c", [{"event_key__c": "A"}, {"event_key__c": "B"}])
    made = vault.records("event_log__c")
    frame = pd.DataFrame({"id": [r["id"] for r in made], "event_key__c": ["B", "C"]})
    posts_before = len(vault.requests_log)
    out = frame.vault.update("event_log__c", progress=False)
    # an update refused as a whole is not split (not safe to assume nothing was written)
    assert out["vault_status"].tolist() == ["FAILURE", "FAILURE"]
    assert [r[0] for r in vault.requests_log[posts_before:] if r[0] != "GET"] == ["PUT"]


def test_a_no_copy_field_is_not_copied(vault, client, monkeypatch):
    from vault_pandas.sandbox.objects import field_map

    monkeypatch.setitem(field_map("product__v")["generic_name__vs"], "no_copy", True)
    source = vault.seed(
        "product__v",
        [{"name__v": "S", "product_family__c": "biologic__c", "generic_name__vs": "gen"}],
    )[0]
    frame = pd.DataFrame({"source_record_id": [source], "name__v": ["S2"]})
    out = frame.vault.create("product__v", progress=False)
    copy = vault.record("product__v", out["vault_id"].iloc[0])
    assert copy["generic_name__vs"] is None and copy["product_family__c"] == ["biologic__c"]
