"""Nothing written twice: assigned ids, raw clash splits, what lookups prove, and resume waits.

Each test reproduces a path that wrote records twice (or forgot what it proved) and checks,
against the sandbox over real HTTP, that every row is stored once and reported truthfully.
"""

from __future__ import annotations

import collections
import json
import signal
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from frames import products
from killing import kill_loader_when

import vault_pandas
from vault_pandas import config
from vault_pandas.errors import LoadInterrupted, PartialLoadError
from vault_pandas.write import passes
from vault_pandas.write.checkpoint import SLACK

TESTS = Path(__file__).resolve().parents[1]
RAW = "event_log__c"


def events(ckpt: Path) -> list[dict]:
    return [json.loads(line) for line in ckpt.read_bytes().splitlines()[1:]]


def cut_last_answer(ckpt: Path) -> list[int]:
    """The file as if the process died after its last request left, before its answer was
    written (as kill -9 leaves it); return the rows left in flight (a worker may have sent
    the next request before the answer of the one before was written)."""
    lines = ckpt.read_bytes().splitlines()
    found = [json.loads(x) for x in lines[1:]]
    last = max(i for i, e in enumerate(found) if e["k"] == "sent")
    ckpt.write_bytes(b"\n".join(lines[: last + 2]) + b"\n")
    state: dict[int, str] = {}
    for event in found[: last + 1]:
        for p in event.get("p", []):
            state[p] = event["k"]
    return sorted(p for p, k in state.items() if k == "sent")


def duplicates(vault, object_name: str, key: str = "name__v") -> int:
    counts = collections.Counter(r.get(key) for r in vault.records(object_name))
    return sum(n - 1 for n in counts.values() if n > 1)


def posts(vault, path: str) -> int:
    return sum(1 for r in vault.requests_log if r[0] == "POST" and path in r[1])


class WaitRecorder:
    """Stands in for the resume's wait: records what it was asked to wait for."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, float]] = []

    def __call__(self, count: int, deadline: float) -> None:
        self.calls.append((count, deadline))


@pytest.fixture
def waits(monkeypatch) -> WaitRecorder:
    recorder = WaitRecorder()
    monkeypatch.setattr(passes, "wait_for_open_rows", recorder)
    return recorder


# -- 1. assign_ids: the ids are journaled before the first request, a resume reuses them ------


def _bikes(object_name: str, n: int) -> pd.DataFrame:
    df = pd.DataFrame({"name__v": [f"B{i}" for i in range(n)]})
    if object_name == "product__v":
        df["product_family__c"] = "biologic__c"
    return df


@pytest.mark.parametrize("object_name", ["bicycle__c", "product__v"])
def test_assign_ids_then_a_resume_of_unrecorded_answers_reuses_the_same_ids(
    vault, client, tmp_path, waits, object_name
):
    ckpt, df = tmp_path / "migr.ckpt", _bikes(object_name, 1200)
    kw = {"migration_mode": True, "assign_ids": True, "progress": False, "checkpoint": ckpt,
          "max_workers": 1}  # fmt: skip
    first = df.vault.create(object_name, **kw)
    assert [e["k"] for e in events(ckpt)][0] == "ids"  # before the first request
    in_flight = cut_last_answer(ckpt)
    assert len(in_flight) >= 200
    again = df.vault.create(object_name, **kw)
    assert (again["vault_status"] == "SUCCESS").all(), again["vault_status"].value_counts()
    assert len(vault.records(object_name)) == 1200 and duplicates(vault, object_name) == 0
    assert again["id"].tolist() == first["id"].tolist() == again["vault_id"].tolist()
    assert not waits.calls  # every row in flight was found by its id: nothing to wait for
    # the finished file gives back the same result, ids included
    third = df.vault.create(object_name, **kw)
    pd.testing.assert_frame_equal(third, again, check_like=False)


SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    import pandas as pd
    import vault_pandas
    from vault_pandas import config
    config.CONNECT_TIMEOUT = 0.5
    client = vault_pandas.connect({url!r}, username={user!r}, password=sys.stdin.readline().strip())
    client.timeout = 3.0
    df = pd.DataFrame({{"name__v": [f"B{{i}}" for i in range({n})]}})
    df.vault.create("bicycle__c", migration_mode=True, assign_ids=True, progress=False,
                    max_workers=2, checkpoint={ckpt!r})
    """
)


def test_assign_ids_kill_9_mid_load_then_the_same_call(vault, client, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CONNECT_TIMEOUT", 0.5)
    client.timeout = 3.0
    n, ckpt = 4000, tmp_path / "kill.ckpt"
    slow = vault.faults.add("latency", seconds=1.5, on=[3, 4], path="/vobjects/bicycle__c",
                            method="POST")  # fmt: skip
    script = SCRIPT.format(tests=str(TESTS), url=vault.url, user=vault.username, n=n,
                           ckpt=str(ckpt))  # fmt: skip
    kill_loader_when(script, vault.password, lambda: slow.seen >= 4)
    df = pd.DataFrame({"name__v": [f"B{i}" for i in range(n)]})
    out = df.vault.create("bicycle__c", migration_mode=True, assign_ids=True, progress=False,
                          checkpoint=ckpt)  # fmt: skip
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_status"].value_counts()
    assert len(vault.records("bicycle__c")) == n and duplicates(vault, "bicycle__c") == 0
    assert (out["id"] == out["vault_id"]).all()


# -- 2, 3. raw objects: a split is journaled part by part, and costs few requests -------------


def _events_frame(n: int, keys: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {"event_key__c": pd.Series(keys, dtype=object), "message__c": [f"M{i}" for i in range(n)]}
    )


def _stored_messages(vault) -> collections.Counter:
    return collections.Counter(r.get("message__c") for r in vault.records(RAW))


def _press_ctrl_c_when(ready) -> threading.Thread:  # noqa: ANN001
    main = threading.main_thread().ident
    assert main is not None

    def press() -> None:
        deadline = time.monotonic() + 30
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.005)
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=press, daemon=True)
    thread.start()
    return thread


def _split_interrupted(vault, ckpt: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """500 rows whose whole request is refused (INVALID_DATA, nothing written) twice, so the
    split halves them; Ctrl-C while the second half is on the wire."""
    df = _events_frame(500, [f"K{i}" for i in range(500)])
    path = f"/vobjects/{RAW}"
    vault.faults.add("request_error", type="INVALID_DATA", on=[1, 2], path=path, method="POST")
    slow = vault.faults.add("latency", seconds=1.0, on=[3], path=path, method="POST")
    presser = _press_ctrl_c_when(lambda: slow.fired >= 1)
    with pytest.raises(LoadInterrupted) as err:
        df.vault.create(RAW, progress=False, max_workers=1, checkpoint=ckpt)
    presser.join()
    vault.faults.clear()
    return df, err.value.result


def test_a_split_interrupted_keeps_the_answers_of_the_halves_sent(vault, client, tmp_path):
    df, result = _split_interrupted(vault, tmp_path / "raw.ckpt")
    stored = _stored_messages(vault)
    status = result["vault_status"]
    # the second half was answered while the load stopped: its rows keep that answer
    assert set(result.loc[status == "SUCCESS", "message__c"]) == set(stored)
    assert len(stored) == 250
    assert not result.loc[status != "SUCCESS", "message__c"].isin(stored).any()
    assert (status == "UNKNOWN").sum() == 0


def test_a_split_interrupted_then_resumed_writes_each_row_once(vault, client, tmp_path):
    ckpt = tmp_path / "raw.ckpt"
    df, _ = _split_interrupted(vault, ckpt)
    out = df.vault.create(RAW, progress=False, checkpoint=ckpt)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_status"].value_counts()
    stored = _stored_messages(vault)
    assert len(stored) == 500 and max(stored.values()) == 1


def test_a_split_interrupted_then_its_failures_sent_again_writes_each_row_once(
    vault, client, tmp_path
):
    _, result = _split_interrupted(vault, tmp_path / "raw.ckpt")
    again = result.vault.failures().vault.create(RAW, progress=False)
    assert (again["vault_status"] == "SUCCESS").all()
    stored = _stored_messages(vault)
    assert len(stored) == 500 and max(stored.values()) == 1


def test_a_split_stopped_by_a_session_that_cannot_be_renewed(vault, client):
    only_id = vault_pandas.connect(vault.url, session_id=client.auth._session.reveal())
    vault.seed(RAW, [{"event_key__c": "K3", "message__c": "old"}])
    keys: list[str | None] = [None] * 500
    keys[3] = "K3"
    vault.faults.add("expire_session", path=f"/vobjects/{RAW}", method="POST", on=[2])
    with pytest.raises(PartialLoadError) as err:
        _events_frame(500, keys).vault.create(RAW, progress=False, client=only_id)
    status = err.value.result["vault_status"]
    assert status.iloc[3] == "FAILURE"  # Vault's clash, found by the lookup
    assert (status.drop(3) == "SKIPPED").all()  # the rest never left
    assert len(vault.records(RAW)) == 1


@pytest.mark.parametrize("n", [500, 2000])
def test_every_row_clashing_costs_three_requests_per_500_rows(vault, client, n):
    keys = [f"K{i}" for i in range(n)]
    vault.seed(RAW, [{"event_key__c": k, "message__c": "old"} for k in keys])
    writes, queries = posts(vault, f"/vobjects/{RAW}"), posts(vault, "/query")
    out = _events_frame(n, keys).vault.create(RAW, progress=False)
    assert (out["vault_status"] == "FAILURE").all()
    assert out["vault_error"].str.startswith("INVALID_DATA: event_key__c: the value K").all()
    assert out["vault_error"].str.contains("is already used by record").all()
    spent = posts(vault, f"/vobjects/{RAW}") - writes + posts(vault, "/query") - queries
    assert spent <= 20 * n // 500  # the bound
    assert spent == 3 * n // 500  # the refused request, then 2 queries of 250 keys
    assert len(vault.records(RAW)) == n


def test_a_clash_the_lookup_cannot_see_is_halved_within_the_cap(vault, client):
    # whole-request refusals the stored records do not explain (a lookup finds nothing)
    path = f"/vobjects/{RAW}"
    vault.faults.add("request_error", type="INVALID_DATA", times=200, path=path, method="POST")
    df = _events_frame(500, [f"K{i}" for i in range(500)])
    out = df.vault.create(RAW, progress=False, max_workers=1)
    assert (out["vault_status"] == "FAILURE").all()  # Vault's whole-request error kept
    assert out["vault_error"].str.startswith("INVALID_DATA").all()
    assert posts(vault, path) + posts(vault, "/query") <= 1 + config.RAW_SPLIT_MAX_REQUESTS
    assert len(vault.records(RAW)) == 0


# -- 4. what a lookup proved is journaled; a finished file gives back the same result ---------


def test_rows_proven_by_a_lookup_are_in_the_finished_checkpoint(vault, client, tmp_path):
    df, ckpt = products(2000), tmp_path / "lost.ckpt"
    vault.faults.add("drop_after", path="/vobjects/product__v", method="POST", on=[2])
    first = df.vault.create("product__v", progress=False, checkpoint=ckpt, max_workers=1)
    assert (first["vault_status"] == "SUCCESS").all()
    assert first.attrs["vault"]["reconciled"] == 500
    before = posts(vault, "/vobjects/product__v")
    second = df.vault.create("product__v", progress=False, checkpoint=ckpt)
    assert posts(vault, "/vobjects/product__v") == before  # nothing sent again
    columns = ["vault_id", "vault_status", "vault_error"]
    pd.testing.assert_frame_equal(second[columns], first[columns])


# -- 5. a resume looks the rows up first and waits only for rows not found ---------------------


def test_a_resume_right_after_a_crash_does_not_wait_for_rows_it_finds(
    vault, client, tmp_path, waits
):
    df, ckpt = products(1500), tmp_path / "crash.ckpt"
    df.vault.create("product__v", progress=False, checkpoint=ckpt, max_workers=1)
    cut_last_answer(ckpt)  # 500 rows "in flight" a moment ago (the default 300 s timeout)
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt)
    assert (out["vault_status"] == "SUCCESS").all()
    assert not waits.calls
    assert len(vault.records("product__v")) == 1500


def _in_flight_not_stored(vault, df: pd.DataFrame, ckpt: Path, at: float) -> list[int]:
    """A finished load's file rewritten as if its last request was sent at ``at`` and never
    answered, and that request's records gone (it never reached Vault)."""
    df.vault.create("product__v", progress=False, checkpoint=ckpt, max_workers=1)
    lines = ckpt.read_bytes().splitlines()
    found = [json.loads(x) for x in lines[1:]]
    last = max(i for i, e in enumerate(found) if e["k"] == "sent")
    rows = found[last]["p"]
    found[last]["at"] = found[last]["last"] = at
    kept = [lines[0], *(json.dumps(e).encode() for e in found[: last + 1])]
    ckpt.write_bytes(b"\n".join(kept) + b"\n")
    ids = [
        r["id"] for r in vault.records("product__v") if r["name__v"] in set(df.name__v.iloc[rows])
    ]
    pd.DataFrame({"id": ids}).vault.delete("product__v", progress=False)
    return rows


def test_rows_not_found_are_waited_for_only_until_their_request_cannot_run(
    vault, client, tmp_path, waits
):
    df, ckpt = products(1000), tmp_path / "gone.ckpt"
    at = time.time()
    rows = _in_flight_not_stored(vault, df, ckpt, at)
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt)
    span = config.CONNECT_TIMEOUT + client.timeout
    assert waits.calls == [(len(rows), pytest.approx(at + span + SLACK, abs=0.01))]
    assert (out["vault_status"] == "SUCCESS").all()
    assert len(vault.records("product__v")) == 1000 and duplicates(vault, "product__v") == 0


def test_a_crash_an_hour_ago_costs_no_wait(vault, client, tmp_path, waits):
    df, ckpt = products(1000), tmp_path / "old.ckpt"
    _in_flight_not_stored(vault, df, ckpt, time.time() - 3600)
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt)
    assert not waits.calls
    assert (out["vault_status"] == "SUCCESS").all()
    assert len(vault.records("product__v")) == 1000 and duplicates(vault, "product__v") == 0


def test_a_resumed_upsert_does_not_wait_for_rows_a_lookup_proves(vault, client, tmp_path, waits):
    df, ckpt = products(1500), tmp_path / "upsert.ckpt"
    kw = {"id_param": "external_id__v", "progress": False, "checkpoint": ckpt, "max_workers": 1}
    df.vault.upsert("product__v", **kw)
    in_flight = cut_last_answer(ckpt)
    out = df.vault.upsert("product__v", **kw)
    assert not waits.calls
    assert (out["vault_status"] == "SUCCESS").all()
    assert out.attrs["vault"]["reconciled"] == len(in_flight)
    assert len(vault.records("product__v")) == 1500
