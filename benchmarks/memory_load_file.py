"""Peak memory of ``load_file`` against the file size: 1M and 10M rows, Parquet and CSV.

    python benchmarks/memory_load_file.py                          # 1M and 10M, both formats
    python benchmarks/memory_load_file.py --rows 1000000 --formats parquet
    python benchmarks/memory_load_file.py --dry-run                # everything but the HTTP

Input files are built once in ``--dir`` (10 product__v columns from ``frames.py``, keys unique
over the whole file; Parquet in row groups of ``--row-group`` rows, CSV as pandas writes it)
and reused. Each load runs in a fresh child process; its peak resident set (``VmHWM`` from
``/proc/self/status``: ``ru_maxrss`` would carry the parent's peak across fork and exec) and
its RSS after chunks are reported. The sandbox runs in its
own process (its memory is not the client's) and is reset before each load. The result file
is then read back in batches and checked: as many rows as the input, the same keys in the same
order, every status SUCCESS (VALID for ``--dry-run``).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sandbox_proc import PASSWORD, USERNAME, SandboxProcess  # noqa: E402

MiB = 2**20
BLOCK = 1_000_000  # rows generated at a time: keys are f"M{block:02d}-{row:08d}"


def _key_prefix(block: int) -> str:
    return f"M{block:02d}"


def build_input(path: Path, rows: int, row_group: int) -> None:
    """Write ``rows`` valid product__v rows to ``path`` (.parquet or .csv), 1M at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from frames import products

    tmp = path.with_name(path.name + ".part")
    writer = None
    with open(tmp, "w", newline="", encoding="utf-8") as text:
        for block in range(math.ceil(rows / BLOCK)):
            frame = products(min(BLOCK, rows - block * BLOCK), prefix=_key_prefix(block))
            if path.suffix == ".csv":
                frame.to_csv(text, header=block == 0, index=False)
                continue
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table, row_group_size=row_group)
    if writer is not None:
        writer.close()
    tmp.replace(path)


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one ``load_file`` in this (fresh) process; return its memory and time figures."""
    import logging

    import vault_pandas

    chunks: list[tuple[int, int]] = []  # (chunk number, VmRSS kB) as each chunk's result lands

    class OnChunk(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.msg.startswith("%s chunk %d"):
                chunks.append((int(record.args[1]), _rss_kb()))  # type: ignore[index]
                with open(spec["log"], "a") as fh:  # readable while the load runs
                    fh.write(f"{chunks[-1][0]} {chunks[-1][1]} {_proc_kb('self', 'VmHWM')}\n")

    logger = logging.getLogger("vault_pandas")
    logger.setLevel(logging.INFO)
    logger.addHandler(OnChunk())
    client = vault_pandas.connect(spec["url"], username=USERNAME, password=PASSWORD)
    base_kb = _rss_kb()
    start, cpu0 = time.perf_counter(), time.process_time()
    counts = vault_pandas.load_file(
        spec["input"], "product__v", output=spec["output"], chunk_rows=spec["chunk_rows"],
        client=client, progress=False, dry_run=spec["dry_run"],
    )  # fmt: skip
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
    return {
        "seconds": seconds,
        "cpu": cpu,
        "base_kb": base_kb,
        # VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across fork+exec
        # into ru_maxrss (a parent that built a 1M-row frame made a child "peak" at 1.1 GiB)
        "peak_kb": _proc_kb("self", "VmHWM"),
        "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "chunks": chunks,
        "counts": {str(k): int(v) for k, v in counts.items()},
    }


def _proc_kb(pid: int | str, key: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Emptier:
    """Empties the sandbox's store every ``every`` seconds while a load runs (0: never).

    The sandbox keeps every record it is sent; 10M records would take it past the memory of a
    shared machine. Its memory is not the client's: emptying it changes nothing the client
    holds (the client renews the session the reset forgets, as it would on expiry).
    """

    def __init__(self, sandbox: SandboxProcess, every: float) -> None:
        self.sandbox, self.every, self.times = sandbox, every, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        if every:
            self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(self.every):
            self.sandbox.reset()
            self.times += 1

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()


def check_result(output: Path, rows: int, status: str) -> str:
    """Read the result file back in batches: complete, same keys in the same order, statuses."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    columns = ["external_id__v", "vault_status", "vault_id"]
    if output.suffix == ".parquet":
        batches = pq.ParquetFile(output).iter_batches(batch_size=BLOCK, columns=columns)
    else:
        batches = pacsv.open_csv(
            output,
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns, column_types=dict.fromkeys(columns, pa.string())
            ),
        )
    seen = 0
    for batch in batches:
        n = batch.num_rows
        keys = batch.column(0).to_pylist()
        expected = [f"{_key_prefix(i // BLOCK)}-{i % BLOCK:08d}" for i in range(seen, seen + n)]
        if keys != expected:
            return f"MISALIGNED near row {seen}"
        bad = sum(1 for s in batch.column(1).to_pylist() if s != status)
        if bad:
            return f"{bad} rows not {status} near row {seen}"
        if status == "SUCCESS" and batch.column(2).null_count:
            return f"missing vault_id near row {seen}"
        seen += n
    return "complete and aligned" if seen == rows else f"INCOMPLETE: {seen} of {rows} rows"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"])
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--row-group", type=int, default=1_048_576, help="Parquet input")
    parser.add_argument("--output-format", choices=["same", "csv", "parquet"], default="same")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/vault_pandas_memory"))
    parser.add_argument("--dry-run", action="store_true", help="no HTTP: dry_run=True")
    parser.add_argument(
        "--empty-sandbox-every",
        type=float,
        default=0,
        metavar="S",
        help="empty the sandbox's store every S seconds during a load (its own memory)",
    )
    parser.add_argument("--json", type=Path, help="also save every number")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    sandbox = SandboxProcess().start()  # a dry run reads the metadata
    results, failed = [], False
    try:
        for fmt in args.formats:
            for rows in args.rows:
                src = args.dir / f"products_{rows}.{fmt}"
                if not src.exists():
                    t = time.perf_counter()
                    build_input(src, rows, args.row_group)
                    print(f"built {src} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
                out_fmt = fmt if args.output_format == "same" else args.output_format
                out = args.dir / f"result_{rows}_{fmt}.{out_fmt}"
                spec = {
                    "input": str(src), "output": str(out), "chunk_rows": args.chunk_rows,
                    "dry_run": args.dry_run, "url": sandbox.url,
                    "log": str(args.dir / f"rss_{rows}_{fmt}.log"),  # chunk, VmRSS, VmHWM kB
                }  # fmt: skip
                sandbox.reset()
                Path(spec["log"]).unlink(missing_ok=True)
                emptier = Emptier(sandbox, args.empty_sandbox_every)
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", json.dumps(spec)],
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                emptier.stop()
                if proc.returncode:
                    print(proc.stderr[-3000:], file=sys.stderr)
                    failed = True
                    continue
                numbers = json.loads(proc.stdout.strip().splitlines()[-1])
                numbers["sandbox"] = {
                    "rss_mib": _proc_kb(sandbox.proc.pid, "VmRSS") / 1024,
                    "emptied": emptier.times,
                    **{k: v for k, v in sandbox.stats().items() if "delay" in k},
                }
                check = check_result(out, rows, "VALID" if args.dry_run else "SUCCESS")
                failed |= check != "complete and aligned"
                row = {"format": fmt, "output": out_fmt, "rows": rows, **numbers,
                       "input_mib": src.stat().st_size / MiB, "result": check}  # fmt: skip
                results.append(row)
                print(_line(row, args), flush=True)
                out.unlink(missing_ok=True)
    finally:
        sandbox.stop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if failed else 0


def _line(row: dict[str, Any], args: argparse.Namespace) -> str:
    chunks = [kb for _, kb in row["chunks"]]
    at = {1: chunks[0], len(chunks) // 2: chunks[len(chunks) // 2 - 1], len(chunks): chunks[-1]}
    after = ", ".join(f"{n}: {kb / 1024:.0f}" for n, kb in at.items())
    return (
        f"| {row['format']} -> {row['output']} | {row['rows']:,} | {args.chunk_rows:,} | "
        f"{'dry run' if args.dry_run else 'sandbox'} | {row['input_mib']:.0f} | "
        f"{row['base_kb'] / 1024:.0f} | {row['peak_kb'] / 1024:.0f} | "
        f"{(row['peak_kb'] - row['base_kb']) / 1024:.0f} | {after} | "
        f"{row['seconds']:.0f} | {row['cpu']:.0f} | {row['counts']} | {row['result']} |"
    )


if __name__ == "__main__":
    raise SystemExit(main())
