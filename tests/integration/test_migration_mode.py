"""Migration mode over HTTP: states and audit fields stored, the mode's rules, own record ids."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from frames import assert_stored, products

import vault_pandas
from vault_pandas.errors import ColumnsLeftOutWarning
from vault_pandas.sandbox.fields import USER_ID
from vault_pandas.schema.migration import id_pattern
from vault_pandas.transport.client import RetryPolicy

AUDIT = {
    "created_by__v": [USER_ID, USER_ID],
    "modified_by__v": [USER_ID, USER_ID],
    "created_date__v": pd.to_datetime(["2019-01-01T10:00:00Z", "2019-02-01T00:00:00Z"]),
    "modified_date__v": pd.to_datetime(["2019-03-01T10:30:00Z", "2019-02-02T00:00:00Z"]),
}


def _migrated() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name__v": ["Old A", "Old B"],
            "external_id__v": ["M-1", "M-2"],
            "product_family__c": ["small_molecule__c", "small_molecule__c"],
            "state__v": ["approved_state__c", None],
            "state_label": [None, "base:object_lifecycle:initial_state_type"],
            **AUDIT,
        }
    )


@pytest.fixture
def fast_client(vault):
    client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    client.retry = RetryPolicy(attempts=6, base=0.01, cap=0.05, budget=30)
    yield client
    client.close()


def test_migration_create_in_a_later_state_stores_state_and_audit_fields(vault, client):
    out = _migrated().vault.create("product__v", migration_mode=True, progress=False)
    assert out["vault_status"].eq("SUCCESS").all(), out["vault_error"].tolist()
    first, second = (vault.record("product__v", i) for i in out["vault_id"])
    assert first["state__v"] == "approved_state__c"
    assert second["state__v"] == "draft_state__c"  # the state of the label's state type
    assert first["created_by__v"] == first["modified_by__v"] == USER_ID
    assert first["created_date__v"] == "2019-01-01T10:00:00.000Z"
    assert first["modified_date__v"] == "2019-03-01T10:30:00.000Z"
    assert second["created_date__v"] == "2019-02-01T00:00:00.000Z"
    assert second["modified_date__v"] == "2019-02-02T00:00:00.000Z"
    assert first["name__v"] == "Old A" and first["external_id__v"] == "M-1"


def test_without_the_mode_those_columns_are_left_out_with_a_warning(vault, client):
    with pytest.warns(ColumnsLeftOutWarning, match="migration_mode=True would send"):
        out = _migrated().vault.create("product__v", progress=False)
    assert out["vault_status"].eq("SUCCESS").all()
    assert set(out.attrs["vault"]["left_out"]) >= {"state__v", "state_label", *AUDIT}
    stored = vault.record("product__v", out["vault_id"][0])
    assert stored["state__v"] == "draft_state__c"
    assert stored["created_date__v"] > "2020"  # stamped by the vault, not the frame's 2019


def test_the_modes_rules_make_rows_invalid(vault, client):
    df = pd.concat([_migrated()] * 3, ignore_index=True)
    df["external_id__v"] = [f"R-{k}" for k in range(6)]
    df["name__v"] = [f"Rule {k}" for k in range(6)]
    df.loc[0, "modified_by__v"] = None  # created_by__v without modified_by__v
    df.loc[1, "created_date__v"] = None  # modified_date__v without created_date__v
    df.loc[2, ["created_date__v", "modified_date__v"]] = pd.Timestamp("2200-01-01", tz="UTC")
    df.loc[3, "created_date__v"] = pd.Timestamp("2019-05-01", tz="UTC")  # after modified
    df.loc[4, "state_label"] = "initial_state_type"  # not base:object_lifecycle:...
    out = df.vault.create("product__v", migration_mode=True, progress=False)
    assert out["vault_status"].tolist() == ["INVALID"] * 5 + ["SUCCESS"]
    errors = out["vault_error"]
    assert "modified_by__v is missing" in errors[0]
    assert "created_date__v is missing" in errors[1]
    assert "in the future" in errors[2]
    assert "later than modified_date__v" in errors[3]
    assert "state_label" in errors[4]
    assert len(vault.records("product__v")) == 1


def test_the_sandbox_refuses_mode_only_fields_without_the_header(vault, client):
    body = (
        b"name__v,product_family__c,state__v,created_date__v,modified_date__v\n"
        b"H,small_molecule__c,approved_state__c,2019-01-01T00:00:00.000Z,2019-01-02T00:00:00.000Z\n"
    )
    send = {"body": body, "content_type": "text/csv", "idempotent": False}
    plain = client.send("POST", "vobjects/product__v", **send)
    row = plain.payload["data"][0]
    assert row["responseStatus"] == "FAILURE"
    assert {e["type"] for e in row["errors"]} == {"INVALID_DATA"}
    assert not vault.records("product__v")
    mode = client.send(
        "POST", "vobjects/product__v", **send,
        extra_headers={"X-VaultAPI-MigrationMode": "true", "X-VaultAPI-NoTriggers": "true"},
    )  # fmt: skip
    assert mode.payload["data"][0]["responseStatus"] == "SUCCESS"
    assert vault.records("product__v")[0]["state__v"] == "approved_state__c"


def test_assign_ids_under_dropped_answers_ends_success_without_duplicates(vault, fast_client):
    df = products(1500)
    df.loc[7, "id"] = "00PZGIVEN000007"  # an id given in the frame is kept
    post = {"path": "/vobjects/product__v", "method": "POST"}
    vault.faults.add("drop_after", on=[1, 3], **post)  # processed, then the answer is lost
    out = df.vault.create(
        "product__v", migration_mode=True, assign_ids=True, progress=False, max_workers=1
    )
    assert out["vault_status"].eq("SUCCESS").all(), out["vault_error"].value_counts().head()
    stored = vault.records("product__v")
    assert len(stored) == 1500
    assert len({r["external_id__v"] for r in stored}) == 1500, "a record was created twice"
    assert out["vault_id"].tolist() == out["id"].tolist()
    assert out.loc[7, "id"] == "00PZGIVEN000007"
    assert out["id"].is_unique
    assert out["id"].str.fullmatch(id_pattern("00P")).all()
    assert all(re.fullmatch("[A-Z0-9]{15}", i) for i in out["id"])
    assert_stored(vault, out, df)
    assert out.attrs["vault"]["retries"] >= 2  # repeated by the client, refused, proven
    assert out.attrs["vault"]["reconciled"] == 0


def test_assign_ids_when_repeats_run_out_rows_are_looked_up_by_id(vault, fast_client):
    fast_client.retry = RetryPolicy(attempts=1, base=0.01, cap=0.05, budget=30)  # no repeat
    df = products(600)
    vault.faults.add("drop_after", path="/vobjects/product__v", method="POST", on=[1])
    out = df.vault.create(
        "product__v", migration_mode=True, assign_ids=True, progress=False, max_workers=1
    )
    assert out["vault_status"].eq("SUCCESS").all(), out["vault_error"].value_counts().head()
    assert out.attrs["vault"]["reconciled"] == 500  # the lost request's rows, found by id
    assert len(vault.records("product__v")) == 600
    assert_stored(vault, out, df)
