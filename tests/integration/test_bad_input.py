"""Bad input is refused clearly, before anything is sent (issue 11, items 13 and 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames import products
from policies import FAST_RETRY

import vault_pandas
from vault_pandas.errors import ConfigurationError

APPROVE = "Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c"


def _writes(vault):
    return [r for r in vault.requests_log if "/vobjects/" in r[1] and r[0] != "GET"]


# --- item 13: action ids ------------------------------------------------------------------


def test_action_ids_with_a_comma_or_inner_space_are_invalid_never_sent(vault, client):
    a, b = products(2).vault.create("product__v", progress=False)["vault_id"]
    frame = pd.DataFrame({"id": [f"{a},{b}", f" {a} ", f"{a[:5]} {a[5:]}", "00P-1", None]})
    out = frame.vault.action(APPROVE, progress=False)
    assert out["vault_status"].tolist() == ["INVALID", "SUCCESS", "INVALID", "INVALID", "INVALID"]
    errors = out["vault_error"]
    assert errors.iloc[0].startswith("VALIDATION: id: ")
    assert "comma" in errors.iloc[0] and "several ids" in errors.iloc[0]
    assert "space inside" in errors.iloc[2]
    assert "only letters and digits" in errors.iloc[3]
    assert out["vault_id"].iloc[1] == a  # surrounding spaces are trimmed: the record's id
    assert out.attrs["vault"]["error_types"] == {"VALIDATION": 4}
    # only the trimmed id was sent; b was never acted on
    assert vault.record("product__v", a)["state__v"] != "draft_state__c"
    assert vault.record("product__v", b)["state__v"] == "draft_state__c"
    assert len([r for r in vault.requests_log if "/actions/" in r[1]]) == 1


def test_action_with_only_bad_ids_sends_nothing(vault, client):
    frame = pd.DataFrame({"id": ["A,B", "x\ud800"]}, dtype=object)
    out = frame.vault.action(APPROVE, progress=False)
    assert (out["vault_status"] == "INVALID").all()
    assert "'x\\ud800'" in out["vault_error"].iloc[1]
    assert not [r for r in vault.requests_log if "/actions/" in r[1]]
    dry = frame.vault.action(APPROVE, progress=False, dry_run=True)
    assert (dry["vault_status"] == "INVALID").all()
    assert dry.attrs["vault"]["planned_requests"] == 0


# --- item 15: lone surrogates -----------------------------------------------------------


@pytest.mark.parametrize("body_format", ["csv", "json"])
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("name__v", "bad \ud800 name"),
        ("description__c", "\udfff"),
        ("external_id__v", "\ud83d\ude00-split-pair"),
        ("product_family__c", "biologic__c\ud800"),
        ("unit_price__c", "1\ud800"),
        ("active__c", "true\ud800"),
        ("last_reviewed__c", "2024-01-01T00:00:00Z\ud800"),
        ("therapeutic_areas__c", ["oncology__c", "x\ud800"]),
    ],
)
@pytest.mark.parametrize("schema", [None, False])
def test_lone_surrogate_makes_its_row_invalid(vault, client, column, value, body_format, schema):
    df = products(3)
    df[column] = df[column].astype(object)
    df.at[1, column] = value
    out = df.vault.create("product__v", progress=False, body_format=body_format, schema=schema)
    assert out["vault_status"].tolist() == ["SUCCESS", "INVALID", "SUCCESS"]
    error = out["vault_error"].iloc[1]
    assert error.startswith("VALIDATION: ")
    assert f"{column}: " in error and "lone surrogate" in error
    assert len(vault.records("product__v")) == 2


def test_lone_surrogate_in_upsert_key_and_update(vault, client):
    made = products(2).vault.create("product__v", progress=False)
    df = products(2)[["external_id__v", "name__v", "product_family__c"]].astype(object)
    df.at[0, "external_id__v"] = "P-\ud800"
    out = df.vault.upsert("product__v", "external_id__v", progress=False)
    assert out["vault_status"].tolist() == ["INVALID", "WARNING"]
    upd = pd.DataFrame({"id": made["vault_id"], "name__v": ["fine", "x\ud800"]}, dtype=object)
    out = upd.vault.update("product__v", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS", "INVALID"]


# --- item 15: argument types --------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"max_workers": "x"}, "max_workers must be a whole number"),
        ({"max_workers": 0}, "between 1 and"),
        ({"max_workers": 2.5}, "whole number"),
        ({"max_workers": True}, "whole number"),
        ({"assume_timezone": 5}, "IANA time zone"),
        ({"assume_timezone": "Mars/Olympus"}, "not a known IANA time zone"),
        ({"checkpoint": 123}, "checkpoint must be a file path"),
        ({"checkpoint": ""}, "checkpoint must be a file path"),
        ({"progress": "yes"}, "progress must be True, False or None"),
        ({"dry_run": "no"}, "dry_run must be True or False"),
        ({"migration_mode": 1}, "migration_mode must be True or False"),
        ({"reconcile": 1}, "reconcile must be"),
    ],
)
def test_bad_arguments_raise_configuration_error_before_sending(vault, client, options, words):
    with pytest.raises(ConfigurationError, match=words):
        products(2).vault.create("product__v", **options)
    assert not _writes(vault)
    assert not vault.records("product__v")


def test_checkpoint_that_is_a_directory_or_in_no_folder(vault, client, tmp_path):
    with pytest.raises(ConfigurationError, match="is a directory"):
        products(2).vault.create("product__v", checkpoint=tmp_path, progress=False)
    with pytest.raises(ConfigurationError, match="does not exist"):
        products(2).vault.create("product__v", checkpoint=tmp_path / "no" / "c", progress=False)
    assert not _writes(vault)


def test_good_arguments_of_other_types_are_accepted(vault, client, tmp_path):
    out = products(2).vault.create(
        "product__v",
        max_workers=np.int64(2),
        dry_run=np.bool_(False),
        progress=False,
        assume_timezone="Europe/Paris",
        checkpoint=tmp_path / "load.ckpt",
    )
    assert (out["vault_status"] == "SUCCESS").all()


# --- item 15: the summary counts this load's retries and renewals ------------------------------


def test_summary_counts_this_loads_retries_and_renewals_only(vault):
    client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    client.retry = FAST_RETRY
    try:
        post = {"path": "/vobjects/product__v", "method": "POST"}
        vault.faults.add("request_error", on=[1], type="API_LIMIT_EXCEEDED", **post)
        vault.faults.add("expire_session", on=[2], **post)
        first = products(2, prefix="A").vault.create("product__v", progress=False, client=client)
        assert (first["vault_status"] == "SUCCESS").all()
        assert first.attrs["vault"]["retries"] == 1
        assert first.attrs["vault"]["session_renewals"] == 1
        second = products(2, prefix="B").vault.create("product__v", progress=False, client=client)
        assert (second["vault_status"] == "SUCCESS").all()
        assert second.attrs["vault"]["retries"] == 0
        assert second.attrs["vault"]["session_renewals"] == 0
        assert client.stats.retries == 1 and client.stats.renewals == 1  # the client's totals
    finally:
        client.close()
        vault_pandas.set_default_client(None)
