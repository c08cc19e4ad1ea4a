"""After a lost-and-repeated request: honest statuses and events (issue 11, item 11).

The sandbox's ``drop_after`` fault processes a request and drops its answer; the client then
repeats the (idempotent) request, and Vault answers the repeat as if it were new: records the
first attempt created come back ``updated__sys``, values it wrote come back ``NO_DATA_CHANGES``,
records it deleted come back "no such record". Records seeded here carry system dates in the
past, as records made before the load would.
"""

from __future__ import annotations

import pandas as pd
import pytest
from policies import FAST_RETRY

import vault_pandas

PAST = "2020-01-01T00:00:00.000Z"


@pytest.fixture
def fast_client(vault):
    client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    client.retry = FAST_RETRY
    yield client
    client.close()
    vault_pandas.set_default_client(None)


def _seed(vault, rows):
    stamps = {"created_date__v": PAST, "modified_date__v": PAST}
    return vault.seed("product__v", [{**row, **stamps} for row in rows])


def _product(key, name, family="biologic__c"):
    return {"external_id__v": key, "name__v": name, "product_family__c": family}


def _lose_first(vault, method):
    vault.faults.add("drop_after", path="/vobjects/product__v", method=method, on=[1])


def _calls(vault, method):
    return [r for r in vault.requests_log if r[0] == method and "/vobjects/product__v" in r[1]]


def test_repeated_upsert_reports_created_for_records_this_load_created(vault, fast_client):
    _seed(vault, [_product("E1", "old one"), _product("E2", "same two")])
    df = pd.DataFrame(
        [_product("E1", "new one"), _product("E2", "same two"), _product("N1", "fresh")]
    )
    _lose_first(vault, "POST")
    out = df.vault.upsert("product__v", id_param="external_id__v", progress=False)
    assert len(_calls(vault, "POST")) == 2  # the lost request was repeated once
    assert out["vault_event"].tolist() == ["updated", "updated", "created"]
    # E1 was changed by the first attempt; E2 had those values before the load: a real warning
    assert out["vault_status"].tolist() == ["SUCCESS", "WARNING", "SUCCESS"]
    assert out["vault_error"].isna().tolist() == [True, False, True]
    assert out["vault_error"].iloc[1].startswith("NO_DATA_CHANGES")
    assert out.attrs["vault"]["error_types"] == {"NO_DATA_CHANGES": 1}
    assert out["vault_id"].notna().all()


def test_repeated_update_keeps_real_no_change_warnings(vault, fast_client):
    ids = _seed(vault, [_product("E1", "old one"), _product("E2", "same two")])
    df = pd.DataFrame({"id": ids, "name__v": ["new one", "same two"]})
    _lose_first(vault, "PUT")
    out = df.vault.update("product__v", progress=False)
    assert len(_calls(vault, "PUT")) == 2
    assert out["vault_status"].tolist() == ["SUCCESS", "WARNING"]
    assert out["vault_error"].iloc[0] is pd.NA
    assert out["vault_error"].iloc[1].startswith("NO_DATA_CHANGES")


def test_repeated_upsert_without_a_lost_answer_is_untouched(vault, fast_client):
    _seed(vault, [_product("E2", "same two")])
    df = pd.DataFrame([_product("E2", "same two"), _product("N1", "fresh")])
    out = df.vault.upsert("product__v", id_param="external_id__v", progress=False)
    assert out["vault_status"].tolist() == ["WARNING", "SUCCESS"]
    assert out["vault_event"].tolist() == ["updated", "created"]
    assert not [r for r in vault.requests_log if "/query" in r[1]]  # no lookup on the happy path


def test_repeated_delete_never_reports_success_for_an_id_that_never_existed(vault, fast_client):
    ids = _seed(vault, [_product("E1", "one"), _product("E2", "two")])
    never = "00P999999999999"
    df = pd.DataFrame({"id": [ids[0], never, ids[1]]})
    _lose_first(vault, "DELETE")
    out = df.vault.delete("product__v", progress=False)
    assert vault.records("product__v") == []
    # nothing proves which of the gone records this load deleted: none is called SUCCESS; each
    # keeps Vault's answer to the repeat and a note saying why it is not reported as deleted
    assert out["vault_status"].tolist() == ["FAILURE"] * 3
    assert out["vault_error"].str.startswith("INVALID_DATA: ").all()
    assert out["vault_error"].str.contains("NOT_FOUND: no record has this id now").all()
    assert out.attrs["vault"]["error_types"] == {"INVALID_DATA": 3, "NOT_FOUND": 3}
    # one lookup on this path, and the rows are not sent a third time by a recovery pass
    assert len(_calls(vault, "DELETE")) == 2
    assert len([r for r in vault.requests_log if "/query" in r[1]]) == 1


def test_repeated_delete_keeps_vault_reason_for_a_record_that_still_exists(vault, fast_client):
    parent = _seed(vault, [_product("E1", "one")])[0]
    vault.seed("site__c", [{"site_code__c": "S1", "product__c": parent}])
    df = pd.DataFrame({"id": [parent]})
    _lose_first(vault, "DELETE")
    out = df.vault.delete("product__v", progress=False)
    assert out["vault_status"].tolist() == ["FAILURE"]
    assert out["vault_error"].iloc[0].startswith("OPERATION_NOT_ALLOWED")
    assert "NOT_FOUND" not in out["vault_error"].iloc[0]


def test_repeated_delete_answers_rows_the_repeat_proves(vault, fast_client):
    """Rows the repeat deleted are SUCCESS; rows Vault refused while the record exists FAILURE."""
    vault.faults.add("drop_after", path="/vobjects/product__v", method="DELETE", on=[1])
    vault.faults.add("drop_before", path="/vobjects/product__v", method="DELETE", on=[1])
    ids = _seed(vault, [_product("E1", "one"), _product("E2", "two")])
    never = "00P999999999999"
    df = pd.DataFrame({"id": [ids[0], never, ids[1]]})
    out = df.vault.delete("product__v", progress=False)
    # the first attempt never reached Vault: the repeat's answer is the whole truth
    assert out["vault_status"].tolist() == ["SUCCESS", "FAILURE", "SUCCESS"]
    assert out["vault_error"].iloc[1].startswith("INVALID_DATA")


def test_repeated_upsert_without_evidence_keeps_vault_answer_and_no_event(vault, fast_client):
    """The lookup fails: statuses stay as Vault answered the repeat; "updated" is not claimed."""
    _seed(vault, [_product("E2", "same two")])
    df = pd.DataFrame([_product("E2", "same two"), _product("N1", "fresh")])
    _lose_first(vault, "POST")
    vault.faults.add("request_error", path="/query", type="INVALID_DATA")
    out = df.vault.upsert("product__v", id_param="external_id__v", progress=False)
    assert out["vault_status"].tolist() == ["WARNING", "WARNING"]
    assert out["vault_event"].isna().all()
    assert out["vault_id"].notna().all()


def test_repeated_upsert_of_many_rows_needs_one_lookup_per_250_ids(vault, fast_client):
    from frames import products

    df = products(500)
    _lose_first(vault, "POST")
    out = df.vault.upsert("product__v", id_param="external_id__v", progress=False)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].value_counts()
    assert (out["vault_event"] == "created").all()
    assert len([r for r in vault.requests_log if "/query" in r[1]]) == 2
