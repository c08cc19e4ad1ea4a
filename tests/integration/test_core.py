"""The core contract of df.vault.create / upsert / action, over real HTTP to the sandbox."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames import assert_stored, products

import vault_pandas
from vault_pandas import ConfigurationError, FrameError

RESULT = ["vault_id", "vault_status", "vault_error"]
APPROVE = "Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c"
RETIRE = "Objectlifecyclestateuseraction.product__v.approved_state__c.retire__c"


def _writes(vault):
    return [r for r in vault.requests_log if "/vobjects/" in r[1] and r[0] != "GET"]


@pytest.mark.parametrize(
    "n,index",
    [
        (501, None),
        (1000, pd.Index([f"row{k}" for k in range(1000)][::-1])),
        (1234, pd.Index(np.repeat(np.arange(617), 2))),  # duplicate labels
        (
            777,
            pd.MultiIndex.from_arrays([np.arange(777) % 3, [f"k{k}" for k in range(777)]]),
        ),
    ],
)
def test_create_many_batches_aligned_for_any_index(vault, client, n, index):
    df = products(n, index=index)
    before = df.copy()
    out = df.vault.create("product__v", progress=False)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert out.index.equals(df.index)
    assert list(out.columns) == [*df.columns, *RESULT]
    pd.testing.assert_frame_equal(out[df.columns], df)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].dropna().head()
    assert out["vault_error"].isna().all()
    assert assert_stored(vault, out, df) == n
    assert len(vault.records("product__v")) == n
    assert len(_writes(vault)) == -(-n // 500)


def test_per_row_failures_from_vault_are_aligned(vault, client):
    df = products(10)
    df.loc[3, "product_family__c"] = "Biologic"  # a label: Vault rejects it
    df.loc[7, "unit_price__c"] = 2_000_000.0  # above max
    out = df.vault.create("product__v", schema=False, progress=False)
    failed = out.index[out["vault_status"] == "FAILURE"].tolist()
    assert failed == [3, 7]
    assert out.loc[3, "vault_error"].startswith("INVALID_DATA: ")
    assert pd.isna(out.loc[3, "vault_id"])
    assert assert_stored(vault, out, df) == 8


def test_whole_request_failure_marks_every_row_of_that_request(vault, client):
    df = products(1200)
    vault.faults.add(
        "request_error", path="/vobjects/product__v", method="POST", on=[2], type="INVALID_DATA"
    )
    out = df.vault.create("product__v", progress=False, max_workers=1)
    status = out["vault_status"].to_numpy()
    assert (status[500:1000] == "FAILURE").all()
    assert (status[:500] == "SUCCESS").all() and (status[1000:] == "SUCCESS").all()
    assert out["vault_error"].iloc[600].startswith("INVALID_DATA")
    assert len(vault.records("product__v")) == 700


def test_upsert_created_updated_unchanged(vault, client):
    first = products(6)
    out1 = first.vault.upsert("product__v", id_param="external_id__v", progress=False)
    assert out1["vault_event"].tolist() == ["created"] * 6
    second = products(8)
    second.loc[1, "unit_price__c"] = 1.25
    out2 = second.vault.upsert("product__v", id_param="external_id__v", progress=False)
    assert out2["vault_id"].iloc[:6].tolist() == out1["vault_id"].tolist()
    assert out2.loc[1, "vault_event"] == "updated" and out2.loc[1, "vault_status"] == "SUCCESS"
    assert out2.loc[0, "vault_status"] == "WARNING"
    assert out2.loc[0, "vault_error"].startswith("NO_DATA_CHANGES")
    assert out2["vault_event"].iloc[6:].tolist() == ["created", "created"]
    assert len(vault.records("product__v")) == 8
    assert_stored(vault, out2, second)


def test_action_success_failure_duplicates_and_missing(vault, client):
    made = products(4).vault.create("product__v", progress=False)
    ids = made["vault_id"].tolist()
    first = pd.DataFrame({"id": [ids[0]]}).vault.action(APPROVE, progress=False)
    assert first["vault_status"].tolist() == ["SUCCESS"]
    frame = pd.DataFrame(
        {"id": [ids[0], ids[1], ids[1], None, "0PRNOPE"], "note": list("abcde")},
        index=["x", "y", "y", "z", "w"],
    )
    out = frame.vault.action(RETIRE, progress=False)
    # ids[0] is approved -> can retire; ids[1] is draft -> wrong state; None -> INVALID
    assert out["vault_status"].tolist() == ["SUCCESS", "FAILURE", "FAILURE", "INVALID", "FAILURE"]
    assert out["vault_id"].tolist()[:3] == [ids[0], ids[1], ids[1]]
    assert out["vault_error"].iloc[1].startswith("INSUFFICIENT_ACCESS")
    assert out["vault_error"].iloc[1] == out["vault_error"].iloc[2]
    actions = [r for r in vault.requests_log if "/actions/" in r[1]]
    assert len(actions) == 2  # the duplicated id was sent once, in one request
    assert vault.record("product__v", ids[0])["state__v"] == "retired_state__c"


def test_failed_rows_can_be_fixed_and_sent_again(vault, client):
    df = products(5)
    df.loc[2, "product_family__c"] = "Biologic"
    out = df.vault.create("product__v", schema=False, progress=False)
    fix = out[out["vault_status"] != "SUCCESS"].copy()
    fix["product_family__c"] = "biologic__c"
    again = fix.vault.create("product__v", progress=False)
    assert list(again.columns) == list(out.columns)
    assert again["vault_status"].tolist() == ["SUCCESS"]
    assert len(vault.records("product__v")) == 5


def test_empty_frame_returns_result_columns_without_requests(vault, client):
    out = products(0).vault.create("product__v", progress=False)
    assert len(out) == 0 and set(RESULT) <= set(out.columns)
    assert _writes(vault) == []


def test_bad_input_raises_before_sending(vault, client):
    df = products(3)
    with pytest.raises(vault_pandas.VaultAPIError) as err:
        df.vault.create("nosuch__c", progress=False)
    assert (err.value.method, err.value.path) == ("GET", "metadata/vobjects/nosuch__c")
    assert err.value.payload["responseStatus"] == "FAILURE"
    with pytest.raises(ConfigurationError):
        df.vault.create("product__v/../auth", progress=False)
    with pytest.raises(FrameError, match="colour__c"):
        df.assign(colour__c="red").vault.create("product__v", progress=False)
    with pytest.raises(FrameError):
        df.vault.upsert("product__v", id_param="generic_name__vs", progress=False)
    with pytest.raises(FrameError):
        df.drop(columns="external_id__v").vault.upsert(
            "product__v", id_param="external_id__v", progress=False
        )
    with pytest.raises(FrameError):
        df.vault.action(APPROVE, progress=False)  # no id column
    with pytest.raises(ConfigurationError):
        df.vault.action("Objectaction.product__v", progress=False)
    assert _writes(vault) == []


def test_client_argument_and_no_default(vault):
    vault_pandas.set_default_client(None)
    with pytest.raises(ConfigurationError, match="connect"):
        products(1).vault.create("product__v", progress=False)
    client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    vault_pandas.set_default_client(None)
    out = products(1).vault.create("product__v", client=client, progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS"]


def test_json_bodies(vault, client):
    df = products(30)
    out = df.vault.create("product__v", body_format="json", progress=False)
    assert (out["vault_status"] == "SUCCESS").all()
    assert_stored(vault, out, df)
