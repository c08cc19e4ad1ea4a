"""Reconcile proves, it does not guess: a row whose answer was lost becomes SUCCESS by a lookup
only when a unique key finds one record holding exactly what the row sent, and what is
checked depends on the operation that made the result (issue 11, items 4, 5, 6 and 12)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from frames import assert_stored, products

import vault_pandas
from vault_pandas.errors import ConfigurationError
from vault_pandas.read import vql
from vault_pandas.write import sending

POST = {"path": "/vobjects/product__v", "method": "POST"}
PRODUCT = {"name__v": "Other product", "product_family__c": "device__c"}


def _posts(vault, method: str = "POST") -> int:
    return len([r for r in vault.requests_log if r[0] == method and "/vobjects/" in r[1]])


def _unknown(frame: pd.DataFrame, operation: str | None, object_name="product__v"):
    """``frame`` as the result of a load whose answers were all lost (every row UNKNOWN)."""
    out = frame.assign(vault_id=None, vault_status="UNKNOWN", vault_error="UNKNOWN: lost")
    if operation is not None:
        out.attrs["vault"] = {"operation": operation, "object": object_name}
    return out


def _made(vault, n: int) -> list[str]:
    rows = [{**PRODUCT, "name__v": f"N{k}", "external_id__v": f"E{k}"} for k in range(n)]
    vault.seed("product__v", rows)
    return [vault.records("product__v")[k]["id"] for k in range(n)]


# item 4: a key taken by another record is not proof that the row was written


def test_lost_create_whose_key_belonged_to_another_record_is_not_success(vault, client):
    vault.seed("product__v", [{**PRODUCT, "external_id__v": "P-000001"}])
    other = vault.records("product__v")[0]["id"]
    vault.faults.add("drop_after", on=[1], **POST)
    out = products(3).vault.create("product__v", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS", "UNKNOWN", "SUCCESS"]
    assert pd.isna(out.loc[1, "vault_id"]) and other not in set(out["vault_id"].dropna())
    assert "values differ" in out.loc[1, "vault_error"]
    assert out.loc[1, "vault_error"].startswith("UNKNOWN: ")
    assert _posts(vault) == 1  # the row was not sent again: its key is taken
    assert_stored(vault, out, products(3))


def test_reconcile_after_the_load_keeps_a_foreign_record_unknown(vault, client):
    vault.seed("product__v", [{**PRODUCT, "external_id__v": "P-000001"}])
    vault.faults.add("drop_after", on=[1], **POST)
    out = products(3).vault.create("product__v", progress=False, reconcile=False)
    assert (out["vault_status"] == "UNKNOWN").all()
    fixed = out.vault.reconcile("product__v", key="external_id__v", resend=True)
    assert fixed["vault_status"].tolist() == ["SUCCESS", "UNKNOWN", "SUCCESS"]
    assert "values differ" in fixed.loc[1, "vault_error"] and pd.isna(fixed.loc[1, "vault_id"])
    assert _posts(vault) == 1


def test_a_record_with_the_same_values_made_before_the_load_is_not_this_loads(vault, client):
    # the same frame created twice: the second load's answer is lost, and the records found
    # hold exactly its values, but Vault's created_date__v says they are older than the load
    df = products(3)
    first = df.vault.create("product__v", progress=False)
    time.sleep(1.1)  # Vault's stamps are whole seconds
    vault.faults.add("drop_after", on=[1], **POST)
    out = df.vault.create("product__v", progress=False)
    assert (out["vault_status"] == "UNKNOWN").all() and out["vault_id"].isna().all()
    assert out["vault_error"].str.contains("created_date__v is older than this load").all()
    assert len(vault.records("product__v")) == 3
    assert set(first["vault_id"]) == {r["id"] for r in vault.records("product__v")}


def test_reconcile_option_naming_a_field_that_is_not_unique_is_refused_before_sending(
    vault, client
):
    with pytest.raises(ConfigurationError, match="unique"):
        products(3).vault.create("product__v", progress=False, reconcile="generic_name__vs")
    assert _posts(vault) == 0
    with pytest.raises(ConfigurationError, match="not a field"):
        products(3).vault.create("product__v", progress=False, reconcile="nothing__c")
    assert _posts(vault) == 0


def test_reconcile_by_a_field_that_is_not_unique_is_refused(vault, client):
    df = products(2).assign(generic_name__vs="same")
    vault.seed("product__v", [{**PRODUCT, "generic_name__vs": "same"}])
    with pytest.raises(ConfigurationError, match="unique"):
        _unknown(df, "create").vault.reconcile("product__v", key="generic_name__vs")


def test_two_rows_with_one_key_cannot_both_be_proven(vault, client):
    products(2).vault.create("product__v", progress=False)
    df = pd.concat([products(2), products(2).iloc[[0]]], ignore_index=True)
    fixed = _unknown(df, "create").vault.reconcile("product__v", key="external_id__v")
    assert fixed["vault_status"].tolist() == ["UNKNOWN", "SUCCESS", "UNKNOWN"]
    assert "2 rows" in fixed.loc[0, "vault_error"] and fixed["vault_id"].iloc[[0, 2]].isna().all()


def test_a_record_claimed_by_a_success_row_is_not_given_to_another(vault, client):
    out = products(2).vault.create("product__v", progress=False)
    extra = pd.concat([out, _unknown(products(1), None)], ignore_index=True)
    extra.attrs = {}
    fixed = extra.vault.reconcile("product__v", key="external_id__v")
    assert fixed["vault_status"].tolist() == ["SUCCESS", "SUCCESS", "UNKNOWN"]
    assert "already" in fixed.loc[2, "vault_error"]


# item 12: the lookup uses the text that was sent


def test_float_keys_are_looked_up_as_they_were_sent(vault, client):
    # without checks a float column is sent as Vault's text: 7.0 -> "7"
    df = products(3).assign(external_id__v=[7.0, 8.0, 9.5])
    vault.faults.add("drop_after", on=[1], **POST)
    out = df.vault.create("product__v", progress=False, schema=False)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].tolist()
    assert _posts(vault) == 1
    assert sorted(r["external_id__v"] for r in vault.records("product__v")) == ["7", "8", "9.5"]
    lost = out.assign(vault_status="UNKNOWN", vault_id=None)
    fixed = lost.vault.reconcile("product__v", key="external_id__v", resend=True)
    assert fixed["vault_id"].tolist() == out["vault_id"].tolist()
    assert _posts(vault) == 1


def test_values_are_compared_as_vault_stores_them(vault, client):
    df = products(4)
    df["unit_price__c"] = [1.5, 2.0, 0.1, 1000.25]  # stored 1.50, 2.00...: answered 1.5, 2
    df["last_reviewed__c"] = pd.Timestamp("2024-05-01 12:00:00.789", tz="UTC")  # to the second
    df["description__c"] = "a\r\nb"  # a CRLF in a CSV value is stored as LF
    vault.faults.add("drop_after", on=[1], **POST)
    out = df.vault.create("product__v", progress=False)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].tolist()
    assert _posts(vault) == 1


# item 5: an error after sending carries the result


def test_a_key_with_a_line_break_stays_unknown_and_the_load_returns(vault, client):
    df = products(3)
    df.loc[1, "name__v"] = "two\nlines"
    vault.faults.add("drop_after", on=[1], **POST)
    out = df.vault.create("product__v", progress=False, reconcile="name__v")
    assert out["vault_status"].tolist() == ["SUCCESS", "UNKNOWN", "SUCCESS"]
    assert "line break" in out.loc[1, "vault_error"]


def test_a_configuration_error_after_sending_is_a_partial_load_error(vault, client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConfigurationError("a lookup refused")

    monkeypatch.setattr(vql, "lookup_records", refuse, raising=False)
    monkeypatch.setattr(vql, "lookup", refuse)
    vault.faults.add("drop_after", on=[2], **POST)
    with pytest.raises(vault_pandas.PartialLoadError) as err:
        products(1200).vault.create("product__v", progress=False, max_workers=1)
    result = err.value.result
    assert result["vault_status"].value_counts().to_dict() == {"SUCCESS": 700, "UNKNOWN": 500}
    assert isinstance(err.value.__cause__, ConfigurationError)


def test_before_sending_a_configuration_error_stays_plain(vault, client):
    with pytest.raises(ConfigurationError) as err:
        products(2).assign(nothing__c=1).vault.create("product__v", progress=False)
    assert not isinstance(err.value, vault_pandas.PartialLoadError)
    assert _posts(vault) == 0


# item 6: reconcile knows the operation


ACTION = "Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c"


def test_an_action_result_stays_unknown(vault, client):
    ids = _made(vault, 2)
    vault.faults.add("drop_after", path="/actions/", on=[1])
    out = pd.DataFrame({"id": ids}).vault.action(ACTION, progress=False)
    assert (out["vault_status"] == "UNKNOWN").all()
    fixed = out.vault.reconcile("product__v", key="id", resend=True)
    assert (fixed["vault_status"] == "UNKNOWN").all()
    assert fixed["vault_error"].str.contains("action").all()
    assert len([r for r in vault.requests_log if "/actions/" in r[1]]) == 1


def test_an_update_is_success_only_when_the_record_has_the_rows_values(vault, client):
    ids = _made(vault, 3)
    frame = pd.DataFrame({"id": ids, "pack_size__c": [5, 6, 7]})
    pd.DataFrame({"id": ids[:1], "pack_size__c": [5]}).vault.update("product__v", progress=False)
    fixed = _unknown(frame, "update").vault.reconcile("product__v", key="id")
    assert fixed["vault_status"].tolist() == ["SUCCESS", "UNKNOWN", "UNKNOWN"]
    assert fixed.loc[0, "vault_id"] == ids[0]
    assert "pack_size__c" in fixed.loc[1, "vault_error"]
    again = _unknown(frame, "update").vault.reconcile("product__v", key="id", resend=True)
    assert (again["vault_status"] == "SUCCESS").all(), again["vault_error"].tolist()
    assert _posts(vault) == 0 and _posts(vault, "PUT") == 2
    assert [vault.record("product__v", i)["pack_size__c"] for i in ids] == [5, 6, 7]


def test_an_update_by_id_param_after_a_lost_answer(vault, client, monkeypatch):
    _made(vault, 2)
    frame = pd.DataFrame({"external_id__v": ["E0", "E1"], "generic_name__vs": ["g0", "g1"]})
    real = sending.send_batch

    def lost(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("answer lost")

    monkeypatch.setattr(sending, "send_batch", lost)
    with pytest.raises(vault_pandas.PartialLoadError) as err:
        frame.vault.update("product__v", id_param="external_id__v", progress=False)
    monkeypatch.setattr(sending, "send_batch", real)
    result = err.value.result
    assert (result["vault_status"] == "UNKNOWN").all()
    assert result.attrs["vault"]["operation"] == "update"
    fixed = result.vault.reconcile("product__v", key="external_id__v")
    assert (fixed["vault_status"] == "SUCCESS").all()


def test_an_upsert_resend_repeats_the_upsert(vault, client):
    _made(vault, 1)  # E0 exists with other values; E9 does not exist
    frame = pd.DataFrame(
        {
            "external_id__v": ["E0", "E9"],
            "name__v": ["U0", "U9"],
            "product_family__c": "biologic__c",
        }
    )
    fixed = _unknown(frame, "upsert").vault.reconcile("product__v", key="external_id__v")
    assert fixed["vault_status"].tolist() == ["UNKNOWN", "FAILURE"]
    assert fixed["vault_error"].iloc[1].startswith("NOT_FOUND: ")
    again = _unknown(frame, "upsert").vault.reconcile(
        "product__v", key="external_id__v", resend=True
    )
    assert again["vault_status"].tolist() == ["SUCCESS", "SUCCESS"]
    assert again["vault_event"].tolist() == ["updated", "created"]
    names = {r["external_id__v"]: r["name__v"] for r in vault.records("product__v")}
    assert names == {"E0": "U0", "E9": "U9"}
    assert _posts(vault) == 1


def test_a_delete_whose_record_is_gone_is_not_claimed(vault, client):
    ids = _made(vault, 3)
    pd.DataFrame({"id": ids[:1]}).vault.delete("product__v", progress=False)
    frame = pd.DataFrame({"id": ids})
    fixed = _unknown(frame, "delete").vault.reconcile("product__v", key="id")
    assert fixed["vault_status"].tolist() == ["FAILURE", "UNKNOWN", "UNKNOWN"]
    assert fixed["vault_error"].iloc[0].startswith("NOT_FOUND: no record has this id")
    assert fixed["vault_error"].iloc[1:].str.contains("still exists").all()
    again = _unknown(frame, "delete").vault.reconcile("product__v", key="id", resend=True)
    assert again["vault_status"].tolist() == ["FAILURE", "SUCCESS", "SUCCESS"]
    assert vault.records("product__v") == []
    assert _posts(vault) == 0


def test_the_operation_keyword_when_the_frame_lost_its_attrs(vault, client):
    ids = _made(vault, 1)
    frame = _unknown(pd.DataFrame({"id": ids}), None)
    fixed = frame.vault.reconcile("product__v", key="id", operation="delete")
    assert fixed["vault_status"].tolist() == ["UNKNOWN"]
    with pytest.raises(ConfigurationError, match="operation"):
        _unknown(pd.DataFrame({"id": ids}), "delete").vault.reconcile(
            "product__v", key="id", operation="update"
        )


def test_reconcile_of_a_create_resends_only_missing_rows(vault, client):
    df = products(4, index=pd.Index(np.arange(4) * 10))
    df.iloc[:2].vault.create("product__v", progress=False)
    fixed = _unknown(df, None).vault.reconcile("product__v", key="external_id__v", resend=True)
    assert (fixed["vault_status"] == "SUCCESS").all() and fixed.index.equals(df.index)
    assert _posts(vault) == 2
    assert_stored(vault, fixed, df)
