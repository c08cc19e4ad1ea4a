"""ddf.vault against the sandbox on a local multi-process Dask cluster."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import requests_sent
from frames import products

pytestmark = pytest.mark.filterwarnings("ignore:Sending large graph")

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import vault_pandas.dask  # noqa: E402,F401  (registers ddf.vault)
from vault_pandas.distributed import SessionGrant  # noqa: E402


@pytest.fixture(scope="module")
def cluster(kill_dir):
    """Two worker processes of one thread each (started after the kill switch is in place)."""
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        yield cluster


@pytest.fixture
def dask_client(cluster):
    with distributed.Client(cluster) as client:
        yield client


def test_100k_rows_in_8_partitions_survive_a_killed_worker(
    vault, driver_client, dask_client, kill_switch, tmp_path
):
    source = products(100_000)
    frame = dd.from_pandas(source, npartitions=8)
    out = frame.vault.create("product__v", checkpoint_dir=tmp_path)

    assert kill_switch.exists()  # a worker died after a partition's batch was answered
    assert out.npartitions == 8 and out.divisions == frame.divisions
    first = out.compute()
    assert list(first.columns) == [*source.columns, "vault_id", "vault_status", "vault_error"]
    assert first.index.equals(source.index)
    assert (first["external_id__v"].to_numpy() == source["external_id__v"].to_numpy()).all()
    assert (first["vault_status"] == "SUCCESS").all()
    stored = vault.records("product__v")
    assert len(stored) == 100_000
    assert len({r["external_id__v"] for r in stored}) == 100_000  # no duplicates
    assert set(first["vault_id"]) == {r["id"] for r in stored}
    stats = vault.stats
    assert stats["logins"] == 1  # the driver's; workers never log in
    assert stats["delayed_responses"] == 0
    assert stats["records_created"] == 100_000
    sent = requests_sent(vault)
    again = out.compute()
    assert requests_sent(vault) == sent  # evaluating twice sends nothing
    pd.testing.assert_frame_equal(first, again)
    assert len(list(tmp_path.glob("*.ckpt"))) == 8


def test_an_expired_session_is_renewed_once_for_the_whole_load(
    vault, driver_client, dask_client, tmp_path
):
    source = products(12_000, prefix="S")
    vault.faults.add("expire_session", path="/vobjects/", on=[6])
    out = dd.from_pandas(source, npartitions=4).vault.create("product__v", checkpoint_dir=tmp_path)
    result = out.compute()
    assert (result["vault_status"] == "SUCCESS").all()
    assert len(vault.records("product__v")) == 12_000
    assert vault.stats["logins"] == 2  # the driver's, and the one renewal
    assert driver_client.stats.renewals == 1


def test_a_second_call_with_the_same_checkpoint_dir_sends_nothing(
    vault, driver_client, dask_client, tmp_path
):
    frame = dd.from_pandas(products(3_000), npartitions=3)
    first = frame.vault.create("product__v", checkpoint_dir=tmp_path).compute()
    sent = requests_sent(vault)
    second = frame.vault.create("product__v", checkpoint_dir=tmp_path).compute()
    assert requests_sent(vault) == sent
    pd.testing.assert_frame_equal(first, second)
    assert vault.stats["logins"] == 1


def test_upsert_keeps_order_and_adds_the_event(vault, driver_client, dask_client, tmp_path):
    source = products(2_000).iloc[::-1]  # a descending index: kept as given
    out = dd.from_pandas(source, npartitions=2, sort=False).vault.upsert(
        "product__v", "external_id__v", checkpoint_dir=tmp_path
    )
    result = out.compute()
    assert result.index.equals(source.index)
    assert list(result.columns[-4:]) == ["vault_id", "vault_status", "vault_error", "vault_event"]
    assert set(result["vault_event"]) == {"created"}
    assert np.array_equal(result["external_id__v"], source["external_id__v"])


def test_the_grant_pickles_but_never_shows_the_session(driver_client):
    grant = SessionGrant.of(driver_client)
    session = driver_client.auth.session(driver_client._login).reveal()
    assert session not in repr(grant) and session not in str(grant)
    assert pickle.loads(pickle.dumps(grant)) == grant
    worker = grant.client()
    assert worker.auth.mode == "session id" and not worker.auth.can_renew


def test_workers_share_a_used_up_budget_on_the_drivers_window(vault, dask_client, tmp_path):
    """The load needs several windows: the workers know the driver's window from the grant
    and pace on the headers together, instead of each probing for the reset (a delay each)."""
    vault.configure(burst_limit=40, burst_window=8.0)
    auth = vault_pandas.transport.auth.SessionAuth(username=vault.username, password=vault.password)
    driver = vault_pandas.VaultClient(vault.url, auth, burst_window=8.0).login()
    source = products(50_000, prefix="B")
    out = dd.from_pandas(source, npartitions=8).vault.create(
        "product__v", client=driver, checkpoint_dir=tmp_path
    )
    result = out.compute()
    assert (result["vault_status"] == "SUCCESS").all()
    assert len(vault.records("product__v")) == 50_000 and vault.stats["logins"] == 1
    assert vault.stats["total_requests"] > 2 * 40  # three windows at least
    # a call in flight in one process when another spends the last of a window can still
    # be delayed now and then (measured here: 1 or 2 a load over the three windows, on the
    # code before and after issue 20); before the grant carried the window, 10 to 16
    assert vault.stats["delayed_responses"] <= 3


def test_rows_settled_by_a_lookup_come_back_from_the_partition_checkpoints(
    vault, driver_client, dask_client, tmp_path
):
    """A lost answer settled by a lookup is journaled like an answer: computing the result
    again (a recomputed block, a re-run) gives the same statuses and ids, sending nothing."""
    source = products(4_000)
    vault.faults.add("drop_after", path="/vobjects/product__v", method="POST", on=[2, 5])
    out = dd.from_pandas(source, npartitions=2).vault.create("product__v", checkpoint_dir=tmp_path)
    first = out.compute()
    assert (first["vault_status"] == "SUCCESS").all()
    sent = requests_sent(vault)
    again = (
        dd.from_pandas(source, npartitions=2)
        .vault.create("product__v", checkpoint_dir=tmp_path)
        .compute()
    )
    assert requests_sent(vault) == sent
    columns = ["vault_id", "vault_status", "vault_error"]
    pd.testing.assert_frame_equal(again[columns], first[columns])
    assert len(vault.records("product__v")) == 4_000
