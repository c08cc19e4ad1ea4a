"""Throughput at Vault's burst ceiling (issue 15): adaptive default vs fixed 8 vs the ideal.

    python benchmarks/throughput.py            # 100,000 rows at 0.2, 1 and 3 s (~6 minutes)
    python benchmarks/throughput.py --quick    # 5,000 rows at 0.2 s (seconds)

The sandbox runs in its own process (``sandbox_proc.SandboxProcess``), each load in its own
process; windows are scaled (the limit keeps Vault's 2000 calls / 300 s rate, 6.67 calls/s,
over a shorter window). ideal = min(burst ceiling, cap x 500 / latency) rows/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from sandbox_proc import PASSWORD, USERNAME, SandboxProcess

from vault_pandas.config import ADAPTIVE_CAP

LOAD = """
import json, sys, time
import pandas as pd
import vault_pandas
url, user, password, prefix, n, window, workers = sys.argv[1:8]
client = vault_pandas.connect(url, username=user, password=password, burst_window=float(window))
df = pd.DataFrame({"name__v": [f"{prefix}{k}" for k in range(int(n))],
                   "product_family__c": "biologic__c"})
df.head(1).assign(name__v=prefix + "warm").vault.create("product__v", progress=False)
t = time.monotonic()
out = df.vault.create("product__v", progress=False,
                      max_workers=None if workers == "adaptive" else int(workers))
print(json.dumps({"ok": bool((out["vault_status"] == "SUCCESS").all()),
                  "seconds": time.monotonic() - t, "delayed": client.limiter.delayed_responses}))
"""


def load(sb: SandboxProcess, rows: int, window: float, workers: str, procs: int = 1) -> dict:
    """Run ``procs`` loads at once, each in its own process; rows/s of them together."""
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                LOAD,
                sb.url,
                USERNAME,
                PASSWORD,
                f"P{i}-",
                str(rows // procs),
                str(window),
                workers,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i in range(procs)
    ]
    outs = [json.loads(c.communicate()[0].strip().splitlines()[-1]) for c in children]
    wall = max(o["seconds"] for o in outs)  # from each load's start (imports, login excluded)
    return {
        "ok": all(o["ok"] for o in outs),
        "rows_s": rows / wall,
        "delayed": sb.stats()["delayed_responses"],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rows", type=int)
    p.add_argument("--latencies", type=float, nargs="+")
    p.add_argument("--window", type=float, help="scaled burst window, s (default 30; quick 6)")
    args = p.parse_args(argv)
    rows = args.rows or (5_000 if args.quick else 100_000)
    lats = args.latencies or ([0.2] if args.quick else [0.2, 1.0, 3.0])
    window = args.window or (6.0 if args.quick else 30.0)
    limit = round(2000 * window / 300)  # Vault's rate: 6.67 calls/s, 3,333 rows/s
    ceiling = limit * 500 / window
    table, failed = [], False
    with SandboxProcess() as sb:
        cases = [(lat, w, 1) for lat in lats for w in ("adaptive", "8")]
        cases += [(1.0 if not args.quick else lats[0], "adaptive", 2)]
        for lat, workers, procs in cases:
            sb.reset(latency=lat, burst_limit=limit, burst_window=window)
            r = load(sb, rows, window, workers, procs)
            ideal = min(ceiling, ADAPTIVE_CAP * 500 / lat)
            label = f"{'adaptive' if workers == 'adaptive' else 'fixed ' + workers}"
            label += " x2 processes" if procs == 2 else ""
            table.append((lat, label, r["rows_s"], 100 * r["rows_s"] / ideal, r["delayed"], ideal))
            failed |= not r["ok"]
            print(f"  {lat} s {label}: {r['rows_s']:.0f} rows/s", file=sys.stderr, flush=True)
    print(f"\n{rows:,} rows; burst limit {limit} calls / {window:g} s window "
          f"(ceiling {ceiling:,.0f} rows/s); cap {ADAPTIVE_CAP}\n")  # fmt: skip
    print("| latency s | mode | rows/s | % of ideal | delayed | ideal rows/s |")
    print("|---|---|---|---|---|---|")
    for lat, label, rs, pct, delayed, ideal in table:
        print(f"| {lat:g} | {label} | {rs:,.0f} | {pct:.0f}% | {delayed} | {ideal:,.0f} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
