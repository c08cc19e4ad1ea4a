"""write/isolation.py: splitting a raw object's refused create down to the clashing rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from vault_pandas.results.outcomes import Outcomes
from vault_pandas.write.batching import Batch
from vault_pandas.write.isolation import is_clash, isolate_clashes, should_isolate

CLASH = [{"type": "INVALID_DATA", "message": "unique value taken"}]


def _fake_vault(bad: set[int]):
    sent: list[int] = []

    def send(part: Batch) -> Outcomes:
        keys = part.table.column("k").to_pylist()
        sent.append(len(keys))
        if bad.intersection(keys):
            return Outcomes.request_failed(len(keys), None, CLASH, "FAILURE")
        return Outcomes(["SUCCESS"] * len(keys), [f"id{k}" for k in keys], None, None)

    return send, sent


def test_only_the_clashing_rows_fail_within_log2_levels():
    n, bad = 500, {3, 250, 499}
    table = pa.table({"k": list(range(n))})
    batch = Batch(positions=np.arange(n), table=table)
    send, sent = _fake_vault(bad)
    failed = send(batch)
    out, extra = isolate_clashes(batch, failed, send, lambda t: b"")
    assert extra == len(sent) - 1
    assert [i for i, s in enumerate(out.status) if s == "FAILURE"] == sorted(bad)
    assert all(out.types[i] == ("INVALID_DATA",) for i in bad)
    assert out.ids[0] == "id0" and out.errors[0] is None
    assert extra <= 2 * len(bad) * 9  # ceil(log2(500)) levels


def test_budget_caps_the_extra_requests():
    table = pa.table({"k": list(range(64))})
    batch = Batch(positions=np.arange(64), table=table)
    send, _ = _fake_vault(set(range(64)))  # every row clashes
    out, extra = isolate_clashes(batch, send(batch), send, lambda t: b"", max_requests=10)
    assert extra <= 10 and all(s == "FAILURE" for s in out.status)


def test_what_is_split():
    one = Outcomes.request_failed(2, None, CLASH, "FAILURE")
    batch = Batch(positions=np.arange(2), table=pa.table({"k": [1, 2]}))
    assert is_clash(one) and should_isolate("create", "raw", batch, one)
    assert not should_isolate("create", "standard", batch, one)
    assert not should_isolate("update", "raw", batch, one)
    per_row = Outcomes(["FAILURE"] * 2, [None] * 2, ["x"] * 2, None, [("INVALID_DATA",)] * 2)
    assert not is_clash(per_row)  # rows Vault answered one by one are never resent
    other = Outcomes.request_failed(2, None, [{"type": "INVALID_SESSION_ID"}], "FAILURE")
    assert not is_clash(other)
