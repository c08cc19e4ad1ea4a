"""write/isolation.py: a raw object's refused create, its clashing rows set apart."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from vault_pandas.results.outcomes import Outcomes
from vault_pandas.write.batching import Batch
from vault_pandas.write.blocks import format_frame
from vault_pandas.write.isolation import find_clashes, is_clash, plan_split, should_isolate

CLASH = [{"type": "INVALID_DATA", "message": "unique value taken"}]


def _batch(keys: list[str | None], body_format: str = "csv") -> Batch:
    import pandas as pd

    block = format_frame(pd.DataFrame({"k": keys}, dtype=object), {}, body_format=body_format)
    return Batch(positions=np.arange(100, 100 + len(keys)), table=block.table)


def test_a_lookup_sets_the_clashing_rows_apart_and_sends_the_rest_as_one_request():
    batch = _batch([f"K{i}" for i in range(500)])
    asked: list[tuple[str, list[str]]] = []

    def lookup(field: str, values: list[str]) -> dict[str, str]:
        asked.append((field, values))
        return {"K3": "0EV1", "K499": "0EV2"}

    split = plan_split(batch, False, ["id", "k"], lookup, budget=20)
    assert split is not None
    assert [f for f, _ in asked] == ["k"]  # "id" is not a column: not looked up
    assert len(asked[0][1]) == 500
    assert split.clashing.tolist() == [3, 499]
    assert split.messages[0] == "INVALID_DATA: k: the value K3 is already used by record 0EV1"
    assert len(split.parts) == 1 and len(split.parts[0]) == 498 and split.looked_up
    assert split.lookups == 2  # 500 keys: 2 queries of 250


def test_every_row_clashing_costs_one_lookup_and_no_request():
    batch = _batch([f"K{i}" for i in range(500)])
    split = plan_split(batch, False, ["k"], lambda f, v: {x: "0EV" for x in v}, budget=20)
    assert split is not None
    assert len(split.clashing) == 500 and split.parts == []


def test_what_a_lookup_cannot_explain_is_halved_and_never_looked_up_again():
    batch = _batch([f"K{i}" for i in range(10)])
    split = plan_split(batch, False, ["k"], lambda f, v: {}, budget=20)
    assert split is not None and not len(split.clashing)
    assert [p.tolist() for p in split.parts] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    calls: list[int] = []
    again = plan_split(batch, True, ["k"], lambda f, v: calls.append(1) or {}, budget=20)
    assert again is not None and len(again.parts) == 2 and not calls


def test_the_budget_counts_lookups_and_requests():
    batch = _batch([f"K{i}" for i in range(10)])
    assert plan_split(batch, True, ["k"], lambda f, v: {}, budget=1) is None
    # one lookup finding a clash, no budget left for the rest's request
    assert plan_split(batch, False, ["k"], lambda f, v: {"K1": "x"}, budget=1) is None


def test_blank_keys_are_not_looked_up_and_json_escaping_is_undone():
    batch = _batch(['a"b', None, "c\\d"], body_format="json")
    seen: list[list[str]] = []
    mask, why, n = find_clashes(batch.table, ["k"], lambda f, v: seen.append(v) or {"c\\d": "1"})
    assert seen == [['a"b', "c\\d"]]
    assert mask.tolist() == [False, False, True] and n == 1


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
