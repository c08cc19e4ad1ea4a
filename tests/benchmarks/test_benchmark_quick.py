"""The benchmark must keep running: ``python benchmarks/run.py --quick`` is how CI runs it.

No timing is asserted; only that every scenario ran, every row came back SUCCESS and the
report has every row it promises.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_KEYS = [
    "l0.vp.create",
    "l0.vp.upsert",
    "l0.floor.create",
    "l0.floor.upsert",
    "l0.floor_urllib3.create",
    "l0.naive.session",
    "l0.naive.nosession",
    "l0.nulls.keep_full",
    "l0.nulls.keep_missing",
    "l0.nulls.clear_missing",
    "lat.vp.default",
    "lat.vp.workers",
    "lat.floor.default",
    "lat.floor.workers",
    "lat.naive.session",
    "burst.reference",
    "burst.limited",
]
TARGET_KEYS = [
    "target.transport_cpu_per_1m",
    "target.cpu_vs_floor",
    "target.cpu_upsert_vs_floor",
    "target.naive_vs_cpu",
    "target.latency_vs_ideal",
    "target.latency_workers_vs_ideal",
    "target.latency_vs_floor",
    "target.latency_vs_naive",
    "target.nulls_keep_cost",
    "target.nulls_keep_vs_clear",
    "target.memory",
    "target.burst_vs_ideal",
    "target.burst_delayed",
]


def _table_rows(text: str) -> dict[str, list[list[str]]]:
    rows: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| key "):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.setdefault(cells[0], []).append(cells)
    return rows


def test_quick_benchmark_runs_and_reports_every_row(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out_json)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    rows = _table_rows(proc.stdout)
    for key in SCENARIO_KEYS + TARGET_KEYS:
        assert key in rows, f"{key} missing from the report:\n{proc.stdout}"
    for key in SCENARIO_KEYS:
        (cells,) = rows[key]
        assert "ERROR" not in cells[-1], cells
        statuses = dict(re.findall(r"(\w+) (\d+)", cells[-1]))
        assert list(statuses) == ["SUCCESS"], cells
        assert int(statuses["SUCCESS"]) == int(cells[2]), cells  # every row SUCCESS
        assert float(cells[6]) > 0 and float(cells[9]) > 0, cells  # wall s, client CPU s
    data = json.loads(out_json.read_text())
    assert {r["key"] for r in data["results"]} == set(SCENARIO_KEYS)
    assert all(not r.get("error") and r["bad_rows"] == 0 for r in data["results"])
    assert {"nproc", "cpu", "python", "pandas", "pyarrow", "pandera"} <= set(data["machine"])


def test_quick_throughput_benchmark_runs_every_case() -> None:
    """``benchmarks/throughput.py --quick``: adaptive, fixed 8 and two processes, all SUCCESS."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "throughput.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    modes = [cells[1] for cells in _table_rows(proc.stdout).values() for cells in cells]
    assert {"adaptive", "fixed 8", "adaptive x2 processes"} <= set(modes), proc.stdout
