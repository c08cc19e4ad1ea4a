"""Where vault_pandas spends client CPU in one create: cProfile on every thread, CPU clock.

    python benchmarks/profile_write.py [--rows 100000] [--op create|upsert] [--top 15]
    python benchmarks/profile_write.py --breakdown [--rows 100000]

The sandbox runs in its own process. The main thread is profiled as a whole; the worker
threads are profiled inside ``vault_pandas.write.sending.send_batch`` (wrapped here, the library is
not changed), each with its own profiler; the profiles are merged. The clock is
``time.thread_time`` (CPU of the calling thread), so time spent waiting on the network or on
other threads does not count: the numbers add up to client CPU, not wall time.

``--breakdown`` instead runs each step of a create by hand, without a profiler (a profiler
inflates functions called once per row), with vault_pandas' own functions, and prints the
client CPU of each: validation, formatting, CSV bodies, HTTP, JSON parsing, per-row outcome
parsing, storing outcomes and building the result frame.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from frames import frame_nbytes, products  # noqa: E402
from sandbox_proc import PASSWORD, USERNAME, SandboxProcess  # noqa: E402
from scenarios import peak_bytes, reset_peak, rss_bytes  # noqa: E402

import vault_pandas  # noqa: E402
from vault_pandas.write import sending  # noqa: E402


def breakdown(rows: int, workers: int | None) -> None:
    """CPU seconds of each step of a create, run one after the other (not pipelined)."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import urllib3

    from vault_pandas.config import BLOCK_ROWS, MAX_RECORDS
    from vault_pandas.config import MAX_WORKERS as DEFAULT_MAX_WORKERS
    from vault_pandas.results.outcomes import RowOutcomes, record_outcomes
    from vault_pandas.write.blocks import format_frame
    from vault_pandas.write.bodies import csv_body
    from vault_pandas.write.options import WriteOptions
    from vault_pandas.write.plan import prepare

    workers = workers or DEFAULT_MAX_WORKERS
    frame = products(rows)
    size = frame_nbytes(frame) / 2**20
    steps: list[tuple[str, float, int]] = []

    def step(name: str, fn):  # noqa: ANN001, ANN202
        gc.collect()
        reset_peak()
        rss0, cpu0 = rss_bytes(), time.process_time()
        value = fn()
        steps.append((name, time.process_time() - cpu0, peak_bytes() - rss0))
        return value

    with SandboxProcess() as sandbox:
        sandbox.reset()
        client = vault_pandas.connect(sandbox.url, username=USERNAME, password=PASSWORD)
        frame.iloc[:10].vault.create("product__v", client=client, dry_run=True, progress=False)
        options = WriteOptions("create", "product__v")
        plan = step("prepare: metadata (cached) + pandera validation", lambda: prepare(
            frame, options, client))  # fmt: skip
        assert all(e is None for e in plan.errors)

        def fmt():  # noqa: ANN202
            return [
                format_frame(
                    frame.iloc[s : s + BLOCK_ROWS], plan.types, multi_value=plan.multi_value
                )
                for s in range(0, rows, BLOCK_ROWS)
            ]

        blocks = step("format_frame (10k-row blocks)", fmt)
        bodies = step("csv_body (500-row slices)", lambda: [
            csv_body(b.table.slice(a, MAX_RECORDS))
            for b in blocks for a in range(0, b.table.num_rows, MAX_RECORDS)
        ])  # fmt: skip
        session = client.auth.session(client._login).reveal()
        headers = {
            "Authorization": session,
            "Content-Type": "text/csv",
            "Accept": "application/json",
            "X-VaultAPI-ClientID": client.client_id,
        }
        url = f"{client.api_url}/vobjects/product__v"
        pool = urllib3.PoolManager(maxsize=workers, block=False, retries=False)

        def post_all():  # noqa: ANN202
            def post(body: bytes) -> bytes:
                return pool.request("POST", url, body=body, headers=headers).data

            with ThreadPoolExecutor(workers) as ex:
                return list(ex.map(post, bodies))

        raw = step(f"HTTP: urllib3 posts on {workers} threads (bytes only)", post_all)

        def parse_and_drop():  # noqa: ANN202 - as the pipeline: an answer lives briefly
            for r in raw:
                json.loads(r)

        step("json.loads of the answers (each dropped)", parse_and_drop)
        outcomes, spent = [], 0.0
        for r in raw:  # only record_outcomes is timed; parsing was the step above
            payload = json.loads(r)
            cpu0 = time.process_time()
            outcomes.append(record_outcomes(payload, MAX_RECORDS))
            spent += time.process_time() - cpu0
        steps.append(("record_outcomes (per-row answer -> lists)", spent, 0))
        store = RowOutcomes(rows, with_event=False)

        def set_all():  # noqa: ANN202
            for k, o in enumerate(outcomes):
                pos = np.arange(k * MAX_RECORDS, min((k + 1) * MAX_RECORDS, rows))
                store.set(pos, np.asarray(o.status, dtype=object), np.asarray(o.ids, dtype=object),
                          np.asarray(o.errors, dtype=object))  # fmt: skip

        step("RowOutcomes.set (as Sender._store)", set_all)
        out = step("RowOutcomes.frame (result frame)", lambda: store.frame(frame))
        assert (out["vault_status"] == "SUCCESS").all()
    total = sum(s for _, s, _ in steps)
    print(f"client CPU and peak memory by step, create of {rows} rows (frame {size:.1f} MiB)\n")
    print("| step | CPU s | CPU s per 1M rows | share | peak MiB above the step's start |")
    print("|---|---|---|---|---|")
    for name, sec, peak in steps:
        print(
            f"| {name} | {sec:.3f} | {sec / rows * 1e6:.2f} | {sec / total:.0%} | "
            f"{peak / 2**20:.1f} |"
        )
    print(f"| total | {total:.3f} | {total / rows * 1e6:.2f} | 100% | |")
    print(
        "\n(steps run one after the other and keep their outputs, unlike the pipelined load; "
        "a step's peak is its own transient memory plus what it returns)"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--op", choices=["create", "upsert"], default="create")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--save", type=Path, help="write the merged pstats file here")
    p.add_argument("--breakdown", action="store_true", help="CPU by step, without a profiler")
    p.add_argument("--workers", type=int, help="threads of the breakdown's HTTP step")
    args = p.parse_args(argv)
    if args.breakdown:
        breakdown(args.rows, args.workers)
        return 0

    frame = products(args.rows)
    workers: list[cProfile.Profile] = []
    local = threading.local()
    original = sending.send_batch

    def profiled(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        prof = getattr(local, "prof", None)
        if prof is None:
            prof = local.prof = cProfile.Profile(time.thread_time)
            workers.append(prof)
        prof.enable()
        try:
            return original(*a, **kw)
        finally:
            prof.disable()

    with SandboxProcess() as sandbox:
        sandbox.reset()
        client = vault_pandas.connect(sandbox.url, username=USERNAME, password=PASSWORD)
        frame.iloc[:10].vault.create("product__v", client=client, dry_run=True, progress=False)
        kwargs = {"id_param": "external_id__v"} if args.op == "upsert" else {}
        sending.send_batch = profiled
        main_prof = cProfile.Profile(time.thread_time)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        main_prof.enable()
        out = getattr(frame.vault, args.op)("product__v", client=client, progress=False, **kwargs)
        main_prof.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        sending.send_batch = original
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_status"].value_counts()

    stats = pstats.Stats(main_prof)
    for prof in workers:
        stats.add(prof)
    if args.save:
        stats.dump_stats(args.save)
    main_cpu = pstats.Stats(main_prof).total_tt
    print(
        f"{args.op} of {args.rows} rows: wall {wall:.2f} s, process CPU {cpu:.2f} s (with the "
        f"profiler's own cost); profiled CPU {stats.total_tt:.2f} s = main thread "
        f"{main_cpu:.2f} s + {len(workers)} worker threads {stats.total_tt - main_cpu:.2f} s"
    )
    for order in ("cumulative", "tottime"):
        buf = io.StringIO()
        stats.stream = buf
        stats.sort_stats(order).print_stats(args.top * 3)
        text = buf.getvalue()
        print(f"\n### top by {order}\n")
        print(text[text.index("   ncalls") :] if "   ncalls" in text else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
