"""Adaptive concurrency (max_workers=None) against the sandbox: reaches the budget, backs off."""

from __future__ import annotations

import time

import pandas as pd
import pytest

import vault_pandas
from vault_pandas.write import sending

LATENCY = 1.0


def _frame(n: int, prefix: str = "A") -> pd.DataFrame:
    return pd.DataFrame(
        {"name__v": [f"{prefix}{k}" for k in range(n)], "product_family__c": "biologic__c"}
    )


@pytest.fixture
def senders(monkeypatch):
    """Every Sender a load makes, to read its controller and peak in flight."""
    made = []
    init = sending.Sender.__init__

    def keep(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(sending.Sender, "__init__", keep)
    return made


def _connect(vault, window):
    return vault_pandas.connect(
        vault.url, username=vault.username, password=vault.password, burst_window=window
    )


def test_adaptive_concurrency_reaches_the_burst_budget(vault, senders):
    # 120 calls per 6 s window: 20 calls/s, which at 1 s a call needs 20 in flight (fixed: 8)
    vault.configure(latency=LATENCY, burst_limit=120, burst_window=6.0, burst_delay=0.3)
    client = _connect(vault, 6.0)
    _frame(1, "W").vault.create("product__v", progress=False)  # metadata now cached
    started = time.monotonic()
    out = _frame(60 * 500).vault.create("product__v", progress=False)
    elapsed = time.monotonic() - started
    assert (out["vault_status"] == "SUCCESS").all()
    assert vault.stats["delayed_responses"] == 0 and client.limiter.delayed_responses == 0
    sender = senders[-1]
    assert sender.control is not None
    assert sender.peak_in_flight >= 16  # well past the fixed 8, toward the budget's 20
    fixed_eight = 60 / 8 * LATENCY  # 7.5 s of round trips with 8 in flight
    assert elapsed < fixed_eight  # 0.5-0.65x of it on an idle machine


def test_adaptive_concurrency_backs_off_on_race_condition(vault, senders):
    vault.configure(latency=0.5, burst_limit=10_000, burst_window=60.0)
    _connect(vault, 60.0)
    # Vault answers RACE_CONDITION to a run of creates; the client retries them itself
    vault.faults.add(
        "request_error", path="/vobjects/product__v", method="POST", type="RACE_CONDITION",
        on=list(range(9, 17)),
    )  # fmt: skip
    out = _frame(100 * 500).vault.create("product__v", progress=False)
    assert (out["vault_status"] == "SUCCESS").all()
    control = senders[0].control
    assert control.backoffs >= 1 and "retry" in control.reasons
    assert control.ceiling < control.cap  # backed off, growing back slowly
    assert senders[0].peak_in_flight > control.ceiling


def test_fixed_max_workers_is_kept(vault, senders):
    vault.configure(latency=0.2, burst_limit=10_000, burst_window=60.0)
    _connect(vault, 60.0)
    out = _frame(20 * 500).vault.create("product__v", progress=False, max_workers=3)
    assert (out["vault_status"] == "SUCCESS").all()
    assert senders[0].control is None and senders[0].workers == 3
