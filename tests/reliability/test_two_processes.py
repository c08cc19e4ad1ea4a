"""Two processes loading into one vault share its burst budget through the headers."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

LOAD = textwrap.dedent(
    """
    import json, sys, time
    import pandas as pd
    import vault_pandas
    url, user, password, prefix, n, window = sys.argv[1:7]
    client = vault_pandas.connect(url, username=user, password=password, burst_window=float(window))
    df = pd.DataFrame({"name__v": [f"{prefix}{k}" for k in range(int(n))],
                       "product_family__c": "biologic__c"})
    t = time.monotonic()
    out = df.vault.create("product__v", progress=False)
    print(json.dumps({"ok": bool((out["vault_status"] == "SUCCESS").all()),
                      "seconds": time.monotonic() - t,
                      "delayed": client.limiter.delayed_responses,
                      "probes": client.limiter.probes}))
    """
)


def test_two_processes_share_the_budget_without_delays(vault):
    # 40 calls per 4 s window (10 calls/s) for both; each process sends 40 creates
    vault.configure(latency=0.5, burst_limit=40, burst_window=4.0, burst_delay=0.3)
    args = [vault.url, vault.username, vault.password]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOAD, *args, prefix, str(40 * 500), "4.0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for prefix in ("A", "B")
    ]
    results = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert all(r["ok"] for r in results)
    assert vault.stats["records_created"] == 2 * 40 * 500
    assert vault.stats["delayed_responses"] == 0  # neither overran the shared window
    # 80 creates and 6 setup calls at 10 calls/s take at least ~8 s together; not much more
    assert max(r["seconds"] for r in results) < 8.6 * 1.6
