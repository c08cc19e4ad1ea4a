"""One benchmark scenario per fresh (spawned) process: build the frame, then time one load.

Each ``run_scenario(spec)`` call runs in its own process, so that its peak memory and its CPU
time belong to that load alone. It returns plain numbers (a dict); it never raises for a
failed load: ``error`` and ``bad_rows`` say what went wrong.

Measured around the load only (after the frame is built, imports are done and, except for
the burst scenario, after logging in and one 10-row dry run as warm-up):

- ``cpu_s``: ``getrusage(RUSAGE_SELF)`` user + system seconds of the whole process (every
  thread: workers, pool, parsing). The sandbox runs in another process: its CPU is not here.
- ``wall_s``: ``time.perf_counter``.
- ``peak_above_base``: the process's peak resident set (``VmHWM``, reset through
  ``/proc/self/clear_refs`` just before the load, so imports and frame building do not count)
  minus its resident set at that moment (``VmRSS``, frame already built).
- ``result_bytes``: the deep size of the columns the load adds (``vault_*``), which are the
  result, not overhead: ``overhead = peak_above_base - result_bytes``.
"""

from __future__ import annotations

import gc
import json
import resource
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"
CLIENT_ID = "vault_pandas-benchmark"
API = "v25.2"
OBJECT = "product__v"
ID_PARAM = "external_id__v"
CHUNK = 500


# -- memory and CPU ----------------------------------------------------------------------------


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def rss_bytes() -> int:
    kb = _status_kb("VmRSS")
    if kb is None:  # not Linux: ru_maxrss is the best we have (a high-water mark)
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return kb * 1024


def peak_bytes() -> int:
    kb = _status_kb("VmHWM")
    if kb is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return kb * 1024


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Meter:
    """CPU, wall and peak memory around one block."""

    def __enter__(self) -> Meter:
        gc.collect()
        self.peak_reset = reset_peak()
        self.base_rss = rss_bytes()
        self.base_peak = peak_bytes()
        self.cpu0, self.wall0 = cpu_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = cpu_seconds() - self.cpu0
        self.peak = peak_bytes()

    def numbers(self) -> dict[str, Any]:
        base = self.base_rss if self.peak_reset else self.base_peak
        return {
            "wall_s": self.wall,
            "cpu_s": self.cpu,
            "base_rss": self.base_rss,
            "peak_rss": self.peak,
            "peak_above_base": max(0, self.peak - base),
            "peak_reset": self.peak_reset,
        }


# -- the loads ---------------------------------------------------------------------------------


def _frame(spec: dict[str, Any]):  # noqa: ANN202
    from frames import frame_nbytes, products, with_missing

    frame = products(spec["rows"], revision=spec.get("revision", 0))
    if "missing" in spec:  # a share of cells missing (0: none at all)
        frame = with_missing(frame, spec["missing"])
    return frame, frame_nbytes(frame)


def _result_bytes(out) -> int:  # noqa: ANN001
    cols = [c for c in out.columns if str(c).startswith("vault_")]
    return int(out[cols].memory_usage(deep=True, index=False).sum())


def vault_pandas_load(spec: dict[str, Any]) -> dict[str, Any]:
    """``df.vault.create`` / ``df.vault.upsert`` with the derived schema."""
    import vault_pandas

    frame, frame_bytes = _frame(spec)
    kwargs: dict[str, Any] = {"progress": False}
    if spec.get("max_workers"):
        kwargs["max_workers"] = spec["max_workers"]
    if spec["op"] == "upsert":
        kwargs["id_param"] = ID_PARAM
    if spec.get("nulls"):
        kwargs["nulls"] = spec["nulls"]

    def connect():  # noqa: ANN202
        return vault_pandas.connect(
            spec["url"],
            username=spec["username"],
            password=spec["password"],
            client_id=CLIENT_ID,
            burst_window=spec.get("burst_window", 300.0),
        )

    def load(client):  # noqa: ANN001, ANN202
        write = getattr(frame.vault, spec["op"])
        return write(OBJECT, client=client, **kwargs)

    warm = spec.get("warm_up", True)
    client = None
    if spec.get("seed_first"):  # the records the timed upsert updates, created untimed
        from frames import products

        client = connect()
        made = products(spec["rows"]).vault.create(OBJECT, client=client, progress=False)
        assert (made["vault_status"] == "SUCCESS").all(), made["vault_status"].value_counts()
    if warm:
        client = client or connect()
        cpu0 = cpu_seconds()
        dry = frame.iloc[:10].vault.create(OBJECT, client=client, dry_run=True, progress=False)
        assert (dry["vault_status"] == "VALID").all(), dry["vault_status"].value_counts()
        warm_cpu = cpu_seconds() - cpu0
    with Meter() as meter:
        if client is None:
            client = connect()
        out = load(client)
    counts = out["vault_status"].value_counts().to_dict()
    bad = len(out) - counts.get("SUCCESS", 0)
    numbers = {
        **meter.numbers(),
        "rows": len(frame),
        "frame_bytes": frame_bytes,
        "result_bytes": _result_bytes(out),
        "statuses": {str(k): int(v) for k, v in counts.items()},
        "bad_rows": bad,
        "requests": out.attrs["vault"]["requests"],
        "client_delayed_responses": out.attrs["vault"]["delayed_responses"],
        "workers": kwargs.get("max_workers") or _default_workers(),
        "warm_up_cpu_s": warm_cpu if warm else None,
    }
    numbers["kept_missing"] = out.attrs["vault"].get("kept_missing", 0)
    if spec["op"] == "upsert":
        numbers["events"] = {str(k): int(v) for k, v in out["vault_event"].value_counts().items()}
    if bad:
        numbers["error"] = f"{bad} rows not SUCCESS: {counts}; e.g. " + "; ".join(
            map(str, out.loc[out["vault_status"] != "SUCCESS", "vault_error"].head(3))
        )
    return numbers


def _default_workers() -> int:
    """Requests in flight of a default load without burst limit: the adaptive cap."""
    from vault_pandas.config import ADAPTIVE_CAP

    return ADAPTIVE_CAP


def naive_load(spec: dict[str, Any]) -> dict[str, Any]:
    """What an analyst writes: pandas ``to_csv`` per 500-row chunk, ``requests.post`` in a
    loop, one request at a time, results merged row by row into lists.

    Pre-formatting, just enough for Vault to accept every row: the UTC datetime column is
    written with ``.dt.strftime('%Y-%m-%dT%H:%M:%S.000Z')`` (pandas would write
    ``2024-05-01 12:00:00+00:00``), and the boolean column is mapped to ``true``/``false``
    (Vault takes only lower case; pandas writes ``True``). Everything else is pandas' default
    ``to_csv`` (``Int64`` NA is blank, the dates are all midnight so pandas writes
    ``YYYY-MM-DD``).
    """
    import requests

    frame, frame_bytes = _frame(spec)
    base = f"{spec['url']}/api/{API}"
    use_session = spec.get("session", True)
    http = requests.Session() if use_session else requests
    auth = http.post(
        f"{base}/auth", data={"username": spec["username"], "password": spec["password"]}
    ).json()
    headers = {
        "Authorization": auth["sessionId"],
        "X-VaultAPI-ClientID": CLIENT_ID,
        "Content-Type": "text/csv",
        "Accept": "application/json",
    }
    url = f"{base}/vobjects/{OBJECT}"
    with Meter() as meter:
        df = frame.copy()
        df["last_reviewed__c"] = df["last_reviewed__c"].dt.strftime(DATETIME_FORMAT)
        df["active__c"] = df["active__c"].map({True: "true", False: "false"})
        ids, statuses, errors = [], [], []
        requests_sent = 0
        for start in range(0, len(df), CHUNK):
            body = df.iloc[start : start + CHUNK].to_csv(index=False)
            resp = http.post(url, data=body.encode("utf-8"), headers=headers)
            requests_sent += 1
            resp.raise_for_status()
            answer = resp.json()
            for row in answer["data"]:
                statuses.append(row["responseStatus"])
                ids.append(row.get("data", {}).get("id"))
                errs = row.get("errors") or []
                errors.append("; ".join(f"{e['type']}: {e['message']}" for e in errs) or None)
        df["vault_id"] = ids
        df["vault_status"] = statuses
        df["vault_error"] = errors
    bad = sum(1 for s in statuses if s != "SUCCESS")
    numbers = {
        **meter.numbers(),
        "rows": len(frame),
        "frame_bytes": frame_bytes,
        "result_bytes": _result_bytes(df),
        "statuses": {s: statuses.count(s) for s in set(statuses)},
        "bad_rows": bad + (len(frame) - len(statuses)),
        "requests": requests_sent,
        "workers": 1,
    }
    if numbers["bad_rows"]:
        first = [e for e in errors if e][:3]
        numbers["error"] = f"{numbers['bad_rows']} rows not SUCCESS; e.g. {first}"
    return numbers


def build_bodies(frame, op: str, url: str, username: str, password: str) -> list[bytes]:  # noqa: ANN001
    """The exact CSV bodies vault_pandas sends for ``frame`` (same formatter, same blocks,
    same 500-row cuts), built with its own functions. Not timed."""
    import vault_pandas
    from vault_pandas.config import BLOCK_ROWS, MAX_RECORDS
    from vault_pandas.write.blocks import format_frame
    from vault_pandas.write.bodies import csv_body
    from vault_pandas.write.plan import object_spec

    client = vault_pandas.connect(url, username=username, password=password, client_id=CLIENT_ID)
    spec = object_spec(client, OBJECT)
    columns = list(frame.columns)
    types = {c: spec.field_type(c) for c in columns}
    multi = {c for c in columns if c in spec.fields and spec.fields[c].multi_value}
    client.close()
    bodies = []
    for start in range(0, len(frame), BLOCK_ROWS):
        block = format_frame(frame.iloc[start : start + BLOCK_ROWS], types, multi_value=multi)
        assert all(m is None for m in block.invalid)
        for a in range(0, block.table.num_rows, MAX_RECORDS):
            bodies.append(csv_body(block.table.slice(a, MAX_RECORDS)))
    return bodies


def floor_load(spec: dict[str, Any]) -> dict[str, Any]:
    """The raw floor: vault_pandas' own bodies, pre-built; timed is only posting them on
    ``workers`` threads and ``json.loads`` of each answer. ``spec["transport"]``: through one
    ``requests.Session`` (default; vault_pandas' transport) or a bare urllib3 ``PoolManager``
    (what the transport costs on top of the sockets)."""
    import requests
    import urllib3

    frame, frame_bytes = _frame(spec)
    bodies = build_bodies(frame, spec["op"], spec["url"], spec["username"], spec["password"])
    rows = len(frame)
    del frame
    workers = spec.get("max_workers") or _default_workers()
    base = f"{spec['url']}/api/{API}"
    login = urllib3.PoolManager().request(
        "POST", f"{base}/auth", fields={"username": spec["username"], "password": spec["password"]},
        encode_multipart=False,
    )  # fmt: skip
    headers = {
        "Authorization": json.loads(login.data)["sessionId"],
        "X-VaultAPI-ClientID": CLIENT_ID,
        "Content-Type": "text/csv",
        "Accept": "application/json",
    }
    url = f"{base}/vobjects/{OBJECT}"
    if spec["op"] == "upsert":
        url += f"?idParam={ID_PARAM}"
    with Meter() as meter:
        if spec.get("transport", "requests") == "urllib3":
            pool = urllib3.PoolManager(maxsize=workers, block=False, retries=False)

            def send(body: bytes) -> bytes:
                return pool.request("POST", url, body=body, headers=headers).data

        else:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_maxsize=workers, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)

            def send(body: bytes) -> bytes:
                return session.post(url, data=body, headers=headers, timeout=300).content

        def post(body: bytes) -> bytes:
            data = send(body)
            json.loads(data)  # parsed, then dropped: keeping 1M row dicts alive costs GC time
            return data

        with ThreadPoolExecutor(workers) as ex:
            raw = list(ex.map(post, bodies))
    answers = [json.loads(data) for data in raw]  # checked after the clock stops
    statuses: dict[str, int] = {}
    for answer in answers:
        for row in answer.get("data") or [{"responseStatus": answer.get("responseStatus")}]:
            statuses[row["responseStatus"]] = statuses.get(row["responseStatus"], 0) + 1
    numbers = {
        **meter.numbers(),
        "rows": rows,
        "frame_bytes": frame_bytes,
        "result_bytes": 0,
        "statuses": statuses,
        "bad_rows": rows - statuses.get("SUCCESS", 0),
        "requests": len(bodies),
        "workers": workers,
        "body_bytes": sum(map(len, bodies)),
    }
    if numbers["bad_rows"]:
        numbers["error"] = f"{numbers['bad_rows']} rows not SUCCESS: {statuses}; {answers[0]}"
    return numbers


KINDS = {"vault_pandas": vault_pandas_load, "naive": naive_load, "floor": floor_load}


def run_scenario(spec: dict[str, Any]) -> dict[str, Any]:
    """Entry point in the child process: never raises, reports the error instead."""
    try:
        return KINDS[spec["kind"]](spec)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
