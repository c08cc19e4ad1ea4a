"""Benchmark of vault_pandas writes against the sandbox Vault, in one command.

    python benchmarks/run.py [--quick] [--rows 100000 1000000] [--workers N] [--json PATH]

The sandbox runs as a separate process (its CPU is not counted); every scenario runs in a
fresh spawned process that builds the frame, then times one load (see ``scenarios.py``).
Scenarios, for each size in ``--rows``:

- latency 0: vault_pandas ``create`` and ``upsert`` (derived schema, default settings), the
  raw floor (vault_pandas' own CSV bodies, pre-built, posted by a tight urllib3 loop on the
  same number of threads), and the naive baseline (``to_csv`` + ``requests.post`` in a loop).
- latency ``--latency`` (0.2 s a request; 0.05 s with ``--quick``): wall time and rows/s of
  vault_pandas with the default workers and with ``--workers``, of the floor with each, and
  of the naive baseline, against the ideal ``workers x 500 / latency``.
- burst (once): a load needing several windows of a scaled burst limit, against the ideal
  time for that limit, and the sandbox's count of delayed responses.

Exits 1 when a scenario fails or any row is not SUCCESS; never on a performance target.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sandbox_proc import PASSWORD, USERNAME, SandboxProcess  # noqa: E402
from scenarios import run_scenario  # noqa: E402

MiB = 2**20
CHUNK = 500

#: every scenario key, in table order, with what it is
SCENARIOS = {
    "l0.vp.create": "vault_pandas create (default settings)",
    "l0.vp.upsert": "vault_pandas upsert, every row updated",
    "l0.floor.create": "floor: vault_pandas' bodies pre-built, tight requests.Session loop, create",
    "l0.floor_urllib3.create": "floor through bare urllib3 (what requests costs on top), create",
    "l0.floor.upsert": "floor, upsert",
    "l0.naive.session": "naive baseline: to_csv + requests.Session().post loop",
    "l0.naive.nosession": "naive baseline, requests.post without a Session",
    "l0.nulls.keep_full": "upsert, nulls='keep', no missing cell (every row updated)",
    "l0.nulls.keep_missing": "upsert, nulls='keep', 10% of cells missing: their keys left out",
    "l0.nulls.clear_missing": "upsert, nulls='clear', 10% of cells missing: sent blank (CSV)",
    "lat.vp.default": "vault_pandas create (default workers)",
    "lat.vp.workers": "vault_pandas create, max_workers given",
    "lat.floor.default": "floor create, default workers",
    "lat.floor.workers": "floor create, same workers as above",
    "lat.naive.session": "naive baseline (Session), sequential",
    "burst.reference": "vault_pandas create, no burst limit (reference for the ideal)",
    "burst.limited": "vault_pandas create under the scaled burst limit",
}
TARGETS = {
    "target.cpu_vs_floor": "client CPU, vault_pandas create / floor create (goal <= 1.3)",
    "target.transport_cpu_per_1m": "client CPU s per 1M rows: requests floor - urllib3 floor",
    "target.cpu_upsert_vs_floor": "client CPU, vault_pandas upsert / floor upsert (goal <= 1.3)",
    "target.naive_vs_cpu": "client CPU, naive / vault_pandas create (goal >= 3)",
    "target.latency_vs_ideal": "rows/s at latency, vault_pandas default / ideal (goal >= 0.9)",
    "target.latency_workers_vs_ideal": "rows/s at latency, max_workers given / ideal (goal >= 0.9)",
    "target.latency_vs_floor": "rows/s at latency, vault_pandas default / floor default",
    "target.latency_vs_naive": "rows/s at latency, vault_pandas default / naive (goal >= 5)",
    "target.burst_vs_ideal": "burst: time / ideal time for the limit (goal <= 1.1)",
    "target.burst_delayed": "burst: responses the sandbox delayed (goal 0)",
    "target.nulls_keep_cost": "client CPU, nulls='keep': 10% missing / none (info)",
    "target.nulls_keep_vs_clear": "client CPU, 10% missing: nulls='keep' / nulls='clear' (info)",
    "target.memory": "peak memory above frame and result / frame size (goal < 0.25 at 1M)",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="tiny sizes for CI (about a minute)")
    p.add_argument("--rows", type=int, nargs="+", help="frame sizes (default 100000 1000000)")
    p.add_argument(
        "--workers", type=int,
        help="max_workers of the 'given' variant (default: twice vault_pandas' default)",
    )  # fmt: skip
    p.add_argument("--latency", type=float, help="seconds per request (default 0.2; quick 0.05)")
    p.add_argument(
        "--latency-max-rows", type=int, default=100_000,
        help="run the latency scenarios only for sizes up to this (default 100000)",
    )  # fmt: skip
    p.add_argument(
        "--naive-latency-rows", type=int, default=100_000,
        help="rows of the naive load at latency (it is sequential; default at most 100000)",
    )  # fmt: skip
    p.add_argument(
        "--no-session-max-rows", type=int, default=100_000,
        help="run the naive no-Session variant only for sizes up to this",
    )  # fmt: skip
    p.add_argument("--burst-rows", type=int, help="rows of the burst load (default 50000)")
    p.add_argument("--burst-limit", type=int, help="calls per window (default 20; quick 5)")
    p.add_argument("--burst-window", type=float, help="window seconds (default 5; quick 2)")
    p.add_argument("--burst-delay", type=float, default=0.5, help="sandbox delay past the limit")
    p.add_argument("--skip", nargs="*", default=[], help="scenario keys (or prefixes) to skip")
    p.add_argument("--json", type=Path, help="also write every number to this file")
    args = p.parse_args(argv)
    quick = args.quick
    args.rows = args.rows or ([5_000] if quick else [100_000, 1_000_000])
    args.latency = args.latency if args.latency is not None else (0.05 if quick else 0.2)
    args.burst_rows = args.burst_rows or (5_000 if quick else 50_000)
    args.burst_limit = args.burst_limit or (5 if quick else 20)
    args.burst_window = args.burst_window or (2.0 if quick else 5.0)
    return args


# -- running -----------------------------------------------------------------------------------


class Runner:
    def __init__(self, sandbox: SandboxProcess, skip: list[str]) -> None:
        self.sandbox = sandbox
        self.skip = skip
        self.results: list[dict[str, Any]] = []
        self.failed = False
        self.context = multiprocessing.get_context("spawn")

    def run(self, key: str, spec: dict[str, Any], *, label: str = "", **extra: Any) -> dict:
        """Run one scenario in a fresh process; the sandbox is set up by the caller."""
        if any(key == s or key.startswith(s) for s in self.skip):
            return {}
        spec = {"url": self.sandbox.url, "username": USERNAME, "password": PASSWORD, **spec}
        started = time.perf_counter()
        with ProcessPoolExecutor(1, mp_context=self.context) as pool:
            try:
                out = pool.submit(run_scenario, spec).result(timeout=4 * 3600)
            except Exception as exc:  # noqa: BLE001 - a crashed child is a failed scenario
                out = {"error": f"{type(exc).__name__}: {exc}"}
        try:
            out["sandbox"] = self.sandbox.stats()
        except OSError as exc:
            out.setdefault("error", f"the sandbox stopped answering: {exc}")
        out.update(key=key, label=label or SCENARIOS[key], spec_rows=spec["rows"], **extra)
        out["elapsed_s"] = time.perf_counter() - started
        if out.get("error") or out.get("bad_rows"):
            self.failed = True
            print(f"  !! {key}: {out.get('error')}", file=sys.stderr)
            if out.get("traceback"):
                print(out["traceback"], file=sys.stderr)
        self.results.append(out)
        summary = (
            f"wall {out['wall_s']:.2f} s, cpu {out['cpu_s']:.2f} s" if "wall_s" in out else "failed"
        )
        print(f"  {key:<20} {spec['rows']:>9} rows  {summary}", file=sys.stderr, flush=True)
        return out


NULLS_SCENARIOS = (
    ("l0.nulls.keep_full", "keep", 0.0),
    ("l0.nulls.keep_missing", "keep", 0.1),
    ("l0.nulls.clear_missing", "clear", 0.1),
)


def run_size(runner: Runner, n: int, args: argparse.Namespace) -> None:
    sb = runner.sandbox
    print(f"== {n} rows, latency 0", file=sys.stderr)
    common = {"rows": n, "latency": 0.0}
    sb.reset()
    runner.run("l0.vp.create", {**common, "kind": "vault_pandas", "op": "create"})
    runner.run("l0.vp.upsert", {**common, "kind": "vault_pandas", "op": "upsert", "revision": 1})
    sb.reset()
    runner.run("l0.floor.create", {**common, "kind": "floor", "op": "create"})
    runner.run("l0.floor.upsert", {**common, "kind": "floor", "op": "upsert", "revision": 1})
    sb.reset()
    runner.run(
        "l0.floor_urllib3.create",
        {**common, "kind": "floor", "op": "create", "transport": "urllib3"},
    )
    sb.reset()
    runner.run("l0.naive.session", {**common, "kind": "naive", "op": "create"})
    if n <= args.no_session_max_rows:
        sb.reset()
        spec = {**common, "kind": "naive", "op": "create", "session": False}
        runner.run("l0.naive.nosession", spec)
    for key, nulls, missing in NULLS_SCENARIOS:  # each upserts over its own fresh create
        sb.reset()
        spec = {**common, "kind": "vault_pandas", "op": "upsert", "revision": 1}
        runner.run(key, {**spec, "nulls": nulls, "missing": missing, "seed_first": True})
    sb.reset()

    if n > args.latency_max_rows:
        print(f"   (latency scenarios skipped for {n} rows: --latency-max-rows)", file=sys.stderr)
        return
    lat = args.latency
    print(f"== {n} rows, latency {lat} s", file=sys.stderr)
    common = {"rows": n, "latency": lat}
    variants = [
        ("lat.vp.default", {"kind": "vault_pandas", "op": "create"}),
        ("lat.vp.workers", {"kind": "vault_pandas", "op": "create", "max_workers": args.workers}),
        ("lat.floor.default", {"kind": "floor", "op": "create"}),
        ("lat.floor.workers", {"kind": "floor", "op": "create", "max_workers": args.workers}),
        ("lat.naive.session", {"kind": "naive", "op": "create"}),
    ]
    for key, spec in variants:
        spec = {**common, **spec}
        if key == "lat.naive.session":
            spec["rows"] = min(n, args.naive_latency_rows)
        sb.reset(latency=lat)
        runner.run(key, spec, size=n)
    sb.reset()


def run_burst(runner: Runner, args: argparse.Namespace) -> None:
    sb, n = runner.sandbox, args.burst_rows
    limit, window = args.burst_limit, args.burst_window
    print(f"== burst: {n} rows, {limit} calls per {window} s window", file=sys.stderr)
    spec = {"rows": n, "kind": "vault_pandas", "op": "create", "warm_up": False}
    sb.reset()
    runner.run("burst.reference", {**spec, "burst_window": window}, size=n)
    sb.reset(burst_limit=limit, burst_window=window, burst_delay=args.burst_delay)
    runner.run(
        "burst.limited",
        {**spec, "burst_window": window},
        size=n,
        burst_limit=limit,
        burst_window=window,
    )
    sb.reset()


# -- reporting ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    versions = {}
    for dist in ("pandas", "pyarrow", "pandera", "numpy", "urllib3", "requests", "vault_pandas"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "-"
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "git": _git_state(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        **versions,
    }


def _git_state() -> str:
    """The commit benchmarked, and whether the library had uncommitted changes."""
    root = Path(__file__).resolve().parents[1]

    def git(*cmd: str) -> str:
        done = subprocess.run(["git", *cmd], cwd=root, capture_output=True, text=True, timeout=30)
        return done.stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "vault_pandas")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not head:
        return "unknown"
    return head + (
        f" + uncommitted changes in {len(dirty.splitlines())} vault_pandas files" if dirty else ""
    )


def _by_key(results: list[dict], key: str, rows: int) -> dict[str, Any] | None:
    for r in results:
        if r.get("key") == key and r.get("size", r.get("spec_rows")) == rows and "cpu_s" in r:
            return r
    return None


def _f(value: float | None, fmt: str = ".2f") -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:{fmt}}"
    )


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def derive(results: list[dict], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Per-scenario figures and the target checks."""
    for r in results:
        if "cpu_s" not in r:
            continue
        r["cpu_per_m"] = r["cpu_s"] / r["rows"] * 1e6
        r["rows_per_s"] = r["rows"] / r["wall_s"] if r["wall_s"] else None
        overhead = r["peak_above_base"] - r.get("result_bytes", 0)
        r["mem_overhead_bytes"] = overhead
        r["mem_overhead_frac"] = overhead / r["frame_bytes"] if r.get("frame_bytes") else None
        if r["key"].startswith("lat."):
            r["ideal_rows_per_s"] = r["workers"] * CHUNK / args.latency
    targets: list[dict[str, Any]] = []

    def target(key: str, rows: int | str, value: float | None, goal: str, ok: bool | None) -> None:
        targets.append({"key": key, "rows": rows, "value": value, "goal": goal, "met": ok})

    for n in args.rows:
        get = lambda k, n=n: _by_key(results, k, n)  # noqa: E731
        vp, vpu, fl, flu = (
            get("l0.vp.create"),
            get("l0.vp.upsert"),
            get("l0.floor.create"),
            get("l0.floor.upsert"),
        )
        naive = get("l0.naive.session")
        raw = get("l0.floor_urllib3.create")
        if fl and raw:  # what the requests transport adds, in client CPU s per 1M rows
            cost = (fl["cpu_s"] / fl["rows"] - raw["cpu_s"] / raw["rows"]) * 1_000_000
            target("target.transport_cpu_per_1m", n, cost, "(info)", None)
        r = _ratio(vp and vp["cpu_s"] / vp["rows"], fl and fl["cpu_s"] / fl["rows"])
        target("target.cpu_vs_floor", n, r, "<= 1.3", None if r is None else r <= 1.3)
        r = _ratio(vpu and vpu["cpu_s"] / vpu["rows"], flu and flu["cpu_s"] / flu["rows"])
        target("target.cpu_upsert_vs_floor", n, r, "<= 1.3", None if r is None else r <= 1.3)
        r = _ratio(naive and naive["cpu_s"] / naive["rows"], vp and vp["cpu_s"] / vp["rows"])
        target("target.naive_vs_cpu", n, r, ">= 3", None if r is None else r >= 3)
        for res in (vp, vpu):
            if res is not None:
                res["cpu_vs_floor"] = _ratio(
                    res["cpu_per_m"], ((fl if res is vp else flu) or {}).get("cpu_per_m")
                )
        if naive and vp:
            naive["cpu_vs_floor"] = _ratio(naive["cpu_per_m"], fl and fl["cpu_per_m"])
        d, w = get("lat.vp.default"), get("lat.vp.workers")
        fd, nl = get("lat.floor.default"), get("lat.naive.session")
        if d or w or nl:
            r = _ratio(d and d["rows_per_s"], d and d["ideal_rows_per_s"])
            target("target.latency_vs_ideal", n, r, ">= 0.9", None if r is None else r >= 0.9)
            r = _ratio(w and w["rows_per_s"], w and w["ideal_rows_per_s"])
            target(
                "target.latency_workers_vs_ideal", n, r, ">= 0.9", None if r is None else r >= 0.9
            )
            r = _ratio(d and d["rows_per_s"], fd and fd["rows_per_s"])
            target("target.latency_vs_floor", n, r, "(info)", None)
            r = _ratio(d and d["rows_per_s"], nl and nl["rows_per_s"])
            target("target.latency_vs_naive", n, r, ">= 5", None if r is None else r >= 5)
        full, keep, clear = (get(key) for key, _, _ in NULLS_SCENARIOS)
        per_row = lambda r: r and r["cpu_s"] / r["rows"]  # noqa: E731
        target("target.nulls_keep_cost", n, _ratio(per_row(keep), per_row(full)), "(info)", None)
        r = _ratio(per_row(keep), per_row(clear))
        target("target.nulls_keep_vs_clear", n, r, "(info)", None)
        for res in (vp, vpu):
            if res is not None:
                frac = res["mem_overhead_frac"]
                goal = "< 0.25" + ("" if n >= 1_000_000 else " (at 1M)")
                met = None if frac is None or n < 1_000_000 else frac < 0.25
                target("target.memory", f"{n} {res['key'].rsplit('.', 1)[1]}", frac, goal, met)

    ref = _by_key(results, "burst.reference", args.burst_rows)
    lim = _by_key(results, "burst.limited", args.burst_rows)
    if lim is not None:
        calls = lim["sandbox"]["total_requests"]
        limit, window = args.burst_limit, args.burst_window
        windows = math.ceil(calls / limit)
        last = calls - (windows - 1) * limit
        ref_calls = ref["sandbox"]["total_requests"] if ref else calls
        per_call = ref["wall_s"] / ref_calls if ref else 0.0
        ideal = (windows - 1) * window + last * per_call
        lim.update(
            calls=calls, windows=windows, ideal_s=ideal, ratio_to_ideal=lim["wall_s"] / ideal
        )
        r = lim["wall_s"] / ideal
        target("target.burst_vs_ideal", args.burst_rows, r, "<= 1.1", r <= 1.1)
        delayed = lim["sandbox"]["delayed_responses"]
        target("target.burst_delayed", args.burst_rows, delayed, "0", delayed == 0)
    return targets


def render(results: list[dict], targets: list[dict], info: dict, args: argparse.Namespace) -> str:
    out = []
    out.append("## vault_pandas benchmark" + (" (quick)" if args.quick else ""))
    out.append("")
    out.append(
        f"Machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory']} RAM; "
        f"Python {info['python']}, pandas {info['pandas']}, pyarrow {info['pyarrow']}, "
        f"pandera {info['pandera']}, numpy {info['numpy']}, urllib3 {info['urllib3']}, "
        f"requests {info['requests']}; {info['platform']}. vault_pandas at {info['git']}, "
        f"default max_workers {info['default_workers']}."
    )
    out.append(
        f"Sandbox in its own process on the same machine (shares the CPUs; its CPU is not "
        "counted); no burst limit outside the burst scenario. Latency scenarios: "
        f"{args.latency * 1000:.0f} ms a request. Burst: "
        f"{args.burst_limit} calls per {args.burst_window:g} s window, {args.burst_delay:g} s "
        "delay beyond it."
    )
    out.append("")
    head = (
        "| key | scenario | rows | latency ms | workers | requests | wall s | rows/s | "
        "ideal rows/s | client CPU s | CPU s / 1M rows | CPU vs floor | frame MiB | "
        "peak above frame MiB | of which result MiB | overhead / frame | status |"
    )
    out.append(head)
    out.append("|" + "---|" * (head.count("|") - 1))
    for r in results:
        if "cpu_s" not in r:
            out.append(f"| {r['key']} | {r['label']} | {r['spec_rows']} | " + "- | " * 13
                       + f"ERROR: {r.get('error', '?')[:80]} |")  # fmt: skip
            continue
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items()))
        lat_ms = 0 if r["key"].startswith(("l0.", "burst.")) else args.latency * 1000
        out.append(
            f"| {r['key']} | {r['label']} | {r['rows']} | {lat_ms:.0f} | {r['workers']} | "
            f"{r['requests']} | {_f(r['wall_s'])} | {_f(r['rows_per_s'], ',.0f')} | "
            f"{_f(r.get('ideal_rows_per_s'), ',.0f')} | {_f(r['cpu_s'])} | "
            f"{_f(r['cpu_per_m'])} | {_f(r.get('cpu_vs_floor'))} | "
            f"{r['frame_bytes'] / MiB:.1f} | {r['peak_above_base'] / MiB:.1f} | "
            f"{r['result_bytes'] / MiB:.1f} | {_f(r['mem_overhead_frac'], '.1%')} | "
            f"{statuses}{' ERROR' if r.get('error') else ''} |"
        )
    out.append("")
    out.append("| key | target | rows | measured | goal | met |")
    out.append("|---|---|---|---|---|---|")
    for t in targets:
        met = {True: "yes", False: "NO", None: "-"}[t["met"]]
        value = t["value"]
        shown = str(value) if isinstance(value, int) else _f(value)
        out.append(
            f"| {t['key']} | {TARGETS[t['key']]} | {t['rows']} | {shown} | {t['goal']} | {met} |"
        )
    lim = next((r for r in results if r.get("key") == "burst.limited" and "ideal_s" in r), None)
    out.append("")
    out.append("Notes:")
    if lim:
        out.append(
            f"- Burst: {lim['calls']} calls counted by the sandbox (login, metadata, "
            f"{lim['requests']} writes) need {lim['windows']} windows of {args.burst_limit}: "
            f"ideal = {lim['windows'] - 1} x {args.burst_window:g} s + the last "
            f"{lim['calls'] - (lim['windows'] - 1) * args.burst_limit} calls at the unlimited "
            f"pace of burst.reference = {lim['ideal_s']:.2f} s; measured {lim['wall_s']:.2f} s "
            f"(connect included); sandbox delayed {lim['sandbox']['delayed_responses']} "
            f"responses, the client saw {lim.get('client_delayed_responses')}."
        )
    out.append(
        "- Client CPU = getrusage user+sys of the benchmark child process (all threads) around "
        "the load only; frame building, imports, login and a 10-row dry-run warm-up are "
        "outside (except the burst runs, whose timing includes connecting)."
    )
    out.append(
        "- Memory: the child's peak RSS (VmHWM, reset just before the load) minus its RSS "
        "with the frame built; 'overhead / frame' subtracts the result columns (vault_*) and "
        "divides by the frame's memory_usage(deep=True)."
    )
    out.append(
        "- Floor: the exact bodies vault_pandas sends (format_frame + csv_body, same blocks "
        "and cuts), built before timing; timed: posts through one requests.Session (the "
        "library's transport; floor_urllib3: a bare urllib3 PoolManager) on the adaptive "
        "cap's number of threads + json.loads of each answer."
    )
    out.append(
        "- Naive: df.copy(); last_reviewed__c pre-formatted with .dt.strftime('%Y-%m-%dT"
        "%H:%M:%S.000Z') (pandas writes '+00:00', which Vault rejects); everything else "
        "pandas' default to_csv per 500 rows; one request at a time; results appended row by "
        "row to lists. l0.naive.session is the baseline of the targets."
    )
    lat_naive = [r for r in results if r.get("key") == "lat.naive.session" and "rows" in r]
    for r in lat_naive:
        if r["rows"] != r.get("size"):
            out.append(
                f"- lat.naive.session ran on {r['rows']} rows for the {r['size']}-row size "
                "(sequential: its rows/s do not depend on the size)."
            )
    skipped = [n for n in args.rows if n > args.latency_max_rows]
    if skipped:
        out.append(f"- Latency scenarios not run for {skipped} rows (--latency-max-rows).")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from vault_pandas.config import MAX_WORKERS as DEFAULT_MAX_WORKERS

    args.workers = args.workers or 2 * DEFAULT_MAX_WORKERS
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the sandbox on the way out
    info = machine()
    info["default_workers"] = DEFAULT_MAX_WORKERS
    started = time.perf_counter()
    with SandboxProcess() as sandbox:
        runner = Runner(sandbox, args.skip)
        for n in args.rows:
            run_size(runner, n, args)
        run_burst(runner, args)
    results = runner.results
    targets = derive(results, args)
    table = render(results, targets, info, args)
    print(table)
    print(f"\n(total {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.json:
        clean = [{k: v for k, v in r.items() if k != "traceback"} for r in results]
        payload = {"machine": info, "args": {k: str(v) for k, v in vars(args).items()},
                   "results": clean, "targets": targets}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    if runner.failed:
        print("FAILED: a scenario errored or a row was not SUCCESS", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
