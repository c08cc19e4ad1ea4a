"""The burst limit: read from every response, paced against, delays reported."""

from __future__ import annotations

import logging

from frames import products

import vault_pandas


def _connect(vault, **kwargs):
    return vault_pandas.connect(
        vault.url, username=vault.username, password=vault.password, **kwargs
    )


def test_client_waits_for_the_window_instead_of_being_delayed(vault):
    vault.configure(burst_limit=6, burst_window=1.0, burst_delay=0.3)
    client = _connect(vault, burst_window=1.0)
    out = products(4000).vault.create("product__v", progress=False, max_workers=1)
    assert (out["vault_status"] == "SUCCESS").all()
    assert vault.stats["delayed_responses"] == 0
    assert client.limiter.waited_seconds > 0
    assert out.attrs["vault"]["burst_limit"] == 6


def test_floor_leaves_calls_for_other_integrations(vault):
    vault.configure(burst_limit=10, burst_window=1.0, burst_delay=0.3)
    client = _connect(vault, burst_floor=4, burst_window=1.0)
    products(3000).vault.create("product__v", progress=False, max_workers=1)
    assert client.limiter.waited_seconds > 0
    # after every response the client saw, at least the floor was left (bar the one in flight)
    assert vault.stats["delayed_responses"] == 0


def test_delays_caused_by_others_are_reported(vault, caplog):
    vault.configure(burst_limit=4, burst_window=30.0, burst_delay=0.05)
    other = _connect(vault)
    for _ in range(3):  # with its login: the whole window of 4 calls
        other.call("GET", "metadata/vobjects/site__c")
    with caplog.at_level(logging.WARNING, logger="vault_pandas"):
        client = _connect(vault, burst_window=0.2)
        client.call("GET", "metadata/vobjects/product__v")
    assert client.limiter.delayed_responses >= 1
    assert "delaying responses" in caplog.text
