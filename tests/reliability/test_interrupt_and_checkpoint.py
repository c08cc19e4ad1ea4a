"""Ctrl-C means stopped; rows that never left are not sent; a checkpoint is a contract.

Ctrl-C is a real SIGINT sent to the main thread (as a terminal or a notebook sends it) at a
moment the sandbox's fault counters choose (a request has reached the server and sleeps in a
latency fault) or at a random moment. "Attempts" are the rows the sandbox processed
(``records_created + rows_failed``): equal to the frame's length, every row reached Vault
exactly once, which is what an object with no unique field besides the id needs (the loads
here pass ``reconcile=False`` where they must not lean on the unique external id).
"""

from __future__ import annotations

import json
import os
import random
import signal
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from frames import assert_stored, products
from killing import kill_loader_when
from policies import FAST_RETRY as FAST

import vault_pandas
from vault_pandas import config
from vault_pandas.transport.auth import SessionAuth
from vault_pandas.transport.client import RetryPolicy, VaultClient

TESTS = Path(__file__).resolve().parents[1]
POST = {"path": "/vobjects/product__v", "method": "POST"}


def _client(vault, timeout: float = 4.0, retry: RetryPolicy = FAST) -> VaultClient:
    auth = SessionAuth(username=vault.username, password=vault.password)
    client = VaultClient(vault.url, auth, timeout=timeout, retry=retry, burst_window=0.5)
    client.login()
    vault_pandas.set_default_client(client)
    return client


@pytest.fixture
def quick(vault, monkeypatch):
    """A client whose requests cannot outlive 4.5 s (connect 0.5 + read 4): resumes wait little."""
    monkeypatch.setattr(config, "CONNECT_TIMEOUT", 0.5)
    client = _client(vault)
    yield client
    client.close()
    vault_pandas.set_default_client(None)


def attempts(vault) -> int:
    """Rows of create requests the sandbox processed (each row once: the frame's length)."""
    stats = vault.stats
    return stats["records_created"] + stats["rows_failed"]


class Presser(threading.Thread):
    """Presses Ctrl-C (SIGINT to the main thread) once ``ready()``, ``presses`` times."""

    def __init__(self, ready: Callable[[], bool], presses: int, gap: float) -> None:
        super().__init__(daemon=True)
        self.ready, self.presses, self.gap = ready, presses, gap
        self.delay = 0.0  # seconds between ready() and the first press
        self.pressed: list[float] = []  # monotonic times of the presses

    def run(self) -> None:
        main = threading.main_thread().ident
        assert main is not None
        deadline = time.monotonic() + 20
        while not self.ready() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(self.delay)
        for k in range(self.presses):
            if k:
                time.sleep(self.gap)
            self.pressed.append(time.monotonic())
            signal.pthread_kill(main, signal.SIGINT)


def ctrl_c_when(ready: Callable[[], bool], presses: int = 1, gap: float = 0.3) -> Presser:
    """Press Ctrl-C once ``ready()`` (a sandbox counter says a request is on the wire)."""
    presser = Presser(ready, presses, gap)
    presser.start()
    return presser


def events(ckpt: Path) -> list[dict]:
    """The checkpoint's lines after the header; every line must be whole JSON."""
    return [json.loads(line) for line in ckpt.read_bytes().splitlines()[1:]]


def _all_success(vault, out: pd.DataFrame, df: pd.DataFrame) -> None:
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_status"].value_counts()
    assert len(vault.records("product__v")) == len(df)
    assert attempts(vault) == len(df), "a row reached Vault twice"
    assert_stored(vault, out, df)


# -- item 1: an interrupt means stopped ---------------------------------------------------------


def test_ctrl_c_waits_for_requests_on_the_wire_and_starts_none(vault, quick, tmp_path):
    df, ckpt = products(3000), tmp_path / "load.ckpt"
    slow = vault.faults.add("latency", seconds=0.6, **POST)
    presser = ctrl_c_when(lambda: slow.seen >= 2)  # two requests sleep in the sandbox
    with pytest.raises(vault_pandas.LoadInterrupted) as err:
        df.vault.create("product__v", progress=False, max_workers=2, checkpoint=ckpt,
                        reconcile=False)  # fmt: skip
    presser.join()
    seen, stored = slow.seen, len(vault.records("product__v"))
    time.sleep(1.0)
    assert slow.seen == seen, "a request started after LoadInterrupted"
    assert len(vault.records("product__v")) == stored, "a request was still running"
    status = err.value.result["vault_status"]
    assert set(status) == {"SUCCESS", "SKIPPED"}, status.value_counts()  # answers were kept
    assert (status == "SUCCESS").sum() == stored == 1000
    vault.faults.clear()
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt, reconcile=False)
    _all_success(vault, out, df)  # the queued, cancelled batches were sent: not UNKNOWN


def test_ctrl_c_stops_the_retries_inside_the_client(vault, quick, tmp_path):
    quick.retry = RetryPolicy(attempts=100, base=0.2, cap=0.2, budget=100)
    df, ckpt = products(1000), tmp_path / "load.ckpt"
    busy = vault.faults.add("request_error", type="API_LIMIT_EXCEEDED", **POST)
    presser = ctrl_c_when(lambda: busy.seen >= 3)
    started = time.monotonic()
    with pytest.raises(vault_pandas.LoadInterrupted) as err:
        df.vault.create("product__v", progress=False, max_workers=2, checkpoint=ckpt)
    presser.join()
    assert time.monotonic() - started < 5
    seen = busy.seen
    time.sleep(1.0)
    assert busy.seen == seen, "a retry went out after LoadInterrupted"
    assert (err.value.result["vault_status"] == "SKIPPED").all()
    vault.faults.clear()
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt, reconcile=False)
    _all_success(vault, out, df)


def test_second_ctrl_c_abandons_the_wait_and_a_resume_waits_for_those_requests(
    vault, quick, tmp_path
):
    df, ckpt = products(2000), tmp_path / "load.ckpt"
    slow = vault.faults.add("latency", seconds=2.0, on=[1, 2], **POST)
    presser = ctrl_c_when(lambda: slow.seen >= 2, presses=2, gap=0.3)
    with pytest.raises(vault_pandas.LoadInterrupted) as err:
        df.vault.create("product__v", progress=False, max_workers=2, checkpoint=ckpt)
    stopped = time.monotonic()
    presser.join()
    # the requests sleep 2 s in the sandbox: without the second Ctrl-C the load would wait
    assert stopped - presser.pressed[0] < 1.5, "the second Ctrl-C did not abandon the wait"
    status = err.value.result["vault_status"]
    assert (status.iloc[:1000] == "UNKNOWN").all() and (status.iloc[1000:] == "SKIPPED").all()
    opened = [e for e in events(ckpt) if e["k"] == "open"]
    assert sorted(p for e in opened for p in e["p"]) == list(range(1000))
    assert all(e["at"] <= time.time() for e in opened)
    # the two requests still sleep in the sandbox: a lookup now would find nothing and send
    # the rows again; the resume waits until they cannot be running any more
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt)
    _all_success(vault, out, df)
    assert out.attrs["vault"]["reconciled"] == 1000


SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    import vault_pandas
    from vault_pandas import config
    from vault_pandas.transport.auth import SessionAuth
    from vault_pandas.transport.client import VaultClient
    from frames import products
    config.CONNECT_TIMEOUT = 0.5
    auth = SessionAuth(username={user!r}, password=sys.stdin.readline().strip())
    vault_pandas.set_default_client(VaultClient({url!r}, auth, timeout=3.0))
    products({n}).vault.create(
        "product__v", progress=False, max_workers=2, checkpoint={ckpt!r}
    )
    """
)


def test_sigkill_with_requests_on_the_wire_then_an_immediate_resume(vault, quick, tmp_path):
    n, ckpt = 3000, tmp_path / "load.ckpt"
    slow = vault.faults.add("latency", seconds=1.5, on=[3, 4], **POST)
    script = SCRIPT.format(tests=str(TESTS), url=vault.url, user=vault.username, n=n,
                           ckpt=str(ckpt))  # fmt: skip
    kill_loader_when(script, vault.password, lambda: slow.seen >= 4)
    out = products(n).vault.create("product__v", progress=False, checkpoint=ckpt)
    _all_success(vault, out, products(n))


# -- item 7: rows that never left are not sent ------------------------------------------------


def test_rows_refused_a_connection_are_sent_by_the_resume(vault, quick, tmp_path):
    df, ckpt = products(2000), tmp_path / "load.ckpt"
    products(1, prefix="M").vault.create("product__v", progress=False)  # caches the metadata
    url, quick.url = quick.url, "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(vault_pandas.PartialLoadError) as err:
        df.vault.create("product__v", progress=False, checkpoint=ckpt, reconcile=False)
    assert (err.value.result["vault_status"] == "SKIPPED").all()
    quick.url = url
    vault.reset()
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt, reconcile=False)
    _all_success(vault, out, df)


def test_rows_whose_sent_event_could_not_be_written_are_sent_by_the_resume(
    vault, quick, tmp_path, monkeypatch
):
    df, ckpt = products(2500), tmp_path / "load.ckpt"
    real_fsync = os.fsync
    sent_lines = {"n": 0}

    def full_disk(fd: int) -> None:  # the 3rd "sent" line reaches the page cache, not the disk
        with open(f"/proc/self/fd/{fd}", "rb") as fh:
            last = fh.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        if b'"k":"sent"' in last:
            sent_lines["n"] += 1
            if sent_lines["n"] == 3:
                raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises((vault_pandas.PartialLoadError, OSError)):
        df.vault.create("product__v", progress=False, max_workers=1, checkpoint=ckpt,
                        reconcile=False)  # fmt: skip
    monkeypatch.setattr(os, "fsync", real_fsync)
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt, reconcile=False)
    _all_success(vault, out, df)


# -- items 2, 3, 8: a checkpoint is a contract ------------------------------------------------


def _with_lists(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(therapeutic_areas__c=df["therapeutic_areas__c"].str.split(","))


def test_a_checkpoint_of_another_frame_of_the_same_shape_is_refused(vault, quick, tmp_path):
    ckpt = tmp_path / "load.ckpt"
    df = _with_lists(products(50))
    df.vault.create("product__v", progress=False, checkpoint=ckpt)
    other = df.copy()
    other.at[11, "therapeutic_areas__c"] = ["cardiology__c"]  # was [cardiology, immunology]
    with pytest.raises(vault_pandas.ConfigurationError, match="therapeutic_areas__c"):
        other.vault.create("product__v", progress=False, checkpoint=ckpt)


@pytest.mark.parametrize(
    ("change", "options", "says"),
    [
        (lambda d: d.rename(columns={"description__c": "generic_name__vs"}), {}, "columns"),
        (lambda d: d.astype({"pack_size__c": "float64"}), {}, "pack_size__c"),
        (lambda d: d.assign(name__v=d["name__v"].str.upper()), {}, "name__v"),
        (lambda d: d, {"body_format": "json"}, "body_format"),
        (lambda d: d, {"assume_timezone": "UTC"}, "assume_timezone"),
        (lambda d: d, {"migration_mode": True}, "migration_mode"),
        (lambda d: d.iloc[:-1], {}, "rows"),
    ],
)
def test_a_checkpoint_says_which_part_of_the_load_differs(
    vault, quick, tmp_path, change, options, says
):
    ckpt = tmp_path / "load.ckpt"
    df = products(20)
    df.vault.create("product__v", progress=False, checkpoint=ckpt)
    with pytest.raises(vault_pandas.ConfigurationError, match=f"another load.*{says}"):
        change(df).vault.create("product__v", progress=False, checkpoint=ckpt, **options)


def _tear(ckpt: Path) -> None:
    """A crash in the middle of a write: half a line at the end of the file."""
    with open(ckpt, "ab") as fh:
        fh.write(b'{"k":"sent","p":[1999,19')


def test_a_torn_checkpoint_twice_in_a_row(vault, quick, tmp_path):
    df, ckpt = products(3000), tmp_path / "load.ckpt"
    for stop_after in (1, 2):  # two interrupted runs, each ending with a torn line
        slow = vault.faults.add("latency", seconds=0.3, **POST)
        presser = ctrl_c_when(lambda rule=slow, k=stop_after: rule.fired >= k)
        with pytest.raises(vault_pandas.LoadInterrupted):
            df.vault.create("product__v", progress=False, max_workers=1, checkpoint=ckpt,
                            reconcile=False)  # fmt: skip
        presser.join()
        vault.faults.clear()
        _tear(ckpt)
    out = df.vault.create("product__v", progress=False, checkpoint=ckpt, reconcile=False)
    _all_success(vault, out, df)
    assert all(isinstance(e, dict) for e in events(ckpt))  # no line lost to a torn one
    again = df.vault.create("product__v", progress=False, checkpoint=ckpt, reconcile=False)
    assert again.attrs["vault"]["requests"] == 0
    assert again["vault_id"].equals(out["vault_id"])


# -- item 16: load_file keeps one checkpoint per chunk and never re-sends settled chunks -------


def test_load_file_with_a_checkpoint_resumes_and_rebuilds_its_result(vault, quick, tmp_path):
    df = products(2500)
    src, ckpt = tmp_path / "big.parquet", tmp_path / "big.ckpt"
    df.to_parquet(src)  # read in chunks of exactly 1000 rows
    out_path = tmp_path / "big.result.csv"
    slow = vault.faults.add("latency", seconds=0.3, **POST)
    presser = ctrl_c_when(lambda: slow.seen >= 3)  # the first request of chunk 2
    with pytest.raises(vault_pandas.LoadInterrupted):
        vault_pandas.load_file(src, "product__v", chunk_rows=1000, checkpoint=ckpt,
                               progress=False, max_workers=1)  # fmt: skip
    presser.join()
    vault.faults.clear()
    first = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert first["vault_status"].value_counts().to_dict() == {"SUCCESS": 1500, "SKIPPED": 500}
    posts = _posts(vault)
    counts = vault_pandas.load_file(src, "product__v", chunk_rows=1000, checkpoint=ckpt,
                                    progress=False)  # fmt: skip
    assert counts.to_dict() == {"SUCCESS": 2500}
    assert _posts(vault) - posts == 2, "a settled row was sent again"  # chunks 2 and 3
    result = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert result["external_id__v"].tolist() == df["external_id__v"].tolist()
    assert (result["vault_status"] == "SUCCESS").all()
    assert len(vault.records("product__v")) == attempts(vault) == 2500
    # a third run sends nothing and rebuilds the same result file from the checkpoints
    vault_pandas.load_file(src, "product__v", chunk_rows=1000, checkpoint=ckpt, progress=False)
    assert _posts(vault) - posts == 2
    assert pd.read_csv(out_path, dtype=str, keep_default_na=False).equals(result)


def _posts(vault) -> int:
    return sum(1 for r in vault.requests_log if r[0] == "POST" and "/vobjects/" in r[1])


# -- chaos: Ctrl-C at a random moment, then an immediate resume --------------------------------


def test_ctrl_c_at_a_random_moment_then_an_immediate_resume_50_times(vault, tmp_path):
    """Ctrl-C at a random moment of the load, chosen by the load's own progress (not the
    clock, so that a fast machine cannot finish before it): while a random one of its four
    requests is in the server (a short latency fault fires on it), after a random part of
    that latency, or at once when it arrives."""
    seed = int(os.environ.get("VAULT_PANDAS_CHAOS_SEED", "20240611"))
    runs = int(os.environ.get("VAULT_PANDAS_CHAOS_RUNS", "50"))
    rng = random.Random(seed)
    df = products(2000)[["name__v", "product_family__c", "unit_price__c"]]  # 4 requests
    interrupted = 0
    for run in range(runs):
        vault.reset()
        vault.configure(latency=0.01)
        client = _client(vault)
        ckpt = tmp_path / f"run{run}.ckpt"
        nth, after = rng.randint(1, 4), rng.choice([0.0, rng.uniform(0, 0.1)])
        slow = vault.faults.add("latency", seconds=0.1, on=[nth], **POST)
        presser = Presser(lambda slow=slow: slow.fired >= 1, presses=1, gap=0.0)
        presser.delay = after
        try:
            try:
                presser.start()
                df.vault.create("product__v", progress=False, max_workers=2, checkpoint=ckpt,
                                reconcile=False)  # fmt: skip
            finally:
                presser.join()
        except KeyboardInterrupt:  # LoadInterrupted, or Ctrl-C just after the call
            interrupted += 1
        vault.faults.clear()
        out = df.vault.create("product__v", progress=False, max_workers=2, checkpoint=ckpt,
                              reconcile=False)  # fmt: skip
        assert (out["vault_status"] == "SUCCESS").all(), (run, out["vault_status"].value_counts())
        assert attempts(vault) == len(vault.records("product__v")) == 2000, run
        assert len(set(out["vault_id"])) == 2000
        client.close()
    assert interrupted >= runs // 2  # most runs were interrupted somewhere
    vault_pandas.set_default_client(None)
