"""load_file streams a file: one chunk in memory at a time, a complete and aligned result file.

The loader is watched through an instrumented reader (no timing, no RSS): rows pulled from the
file, chunks handed to the pipeline, results written, and which earlier chunks and results
are still alive when the next chunk is read.
"""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from frames import products

import vault_pandas
from vault_pandas.write import files

CHUNK = 5000


class Probe:
    """Wraps the loader's reader, its file batches, its writer and the pipeline call."""

    def __init__(self, monkeypatch) -> None:
        self.pulled = self.read = self.written = 0
        self.sizes: list[int] = []
        self.ahead: list[int] = []  # rows pulled from the file but not yet handed over
        self.held: list[int] = []  # rows of earlier chunks and results alive at each read
        self.behind: list[int] = []  # rows handed over but not yet in the result file
        self.alive: list[weakref.ref] = []
        real_batches, real_read = files._batches, files.read_chunks
        real_write = files.write_operation
        probe = self

        def batches(*args):
            for batch in real_batches(*args):
                probe.pulled += batch.num_rows
                yield batch

        def read(*args):
            for chunk in real_read(*args):
                probe.read += len(chunk)
                probe.sizes.append(len(chunk))
                probe.ahead.append(probe.pulled - probe.read)
                probe.alive.append(weakref.ref(chunk))
                yield chunk
                del chunk
                gc.collect()
                probe.held.append(sum(len(r()) for r in probe.alive if r() is not None))
                probe.behind.append(probe.read - probe.written)

        def write(*args, **kwargs):
            result = real_write(*args, **kwargs)
            probe.alive.append(weakref.ref(result))
            return result

        class Writer(files.ResultFile):
            def write(self, frame: pd.DataFrame) -> None:
                super().write(frame)
                probe.written += len(frame)

        monkeypatch.setattr(files, "_batches", batches)
        monkeypatch.setattr(files, "read_chunks", read)
        monkeypatch.setattr(files, "write_operation", write)
        monkeypatch.setattr(files, "ResultFile", Writer)

    def assert_streamed(self, rows: int, most_ahead: int) -> None:
        assert self.sizes == [CHUNK] * (rows // CHUNK) + ([rows % CHUNK] if rows % CHUNK else [])
        assert max(self.ahead) <= most_ahead, "the reader read far ahead of the loader"
        assert max(self.held) <= CHUNK, "earlier chunks or results are kept in memory"
        assert self.behind == [0] * len(self.sizes), "a chunk's result was not written at once"


def test_parquet_is_loaded_chunk_by_chunk_into_a_complete_aligned_parquet(
    vault, client, tmp_path, monkeypatch
):
    df = products(50_000)
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, src, row_group_size=12_000)  # chunks cut across row groups
    probe = Probe(monkeypatch)
    counts = vault_pandas.load_file(src, "product__v", output=out, chunk_rows=CHUNK, progress=False)
    probe.assert_streamed(50_000, most_ahead=CHUNK)  # batches of at most a chunk
    assert counts.to_dict() == {"SUCCESS": 50_000}
    result = pd.read_parquet(out)
    assert list(result.columns) == [*df.columns, "vault_id", "vault_status", "vault_error"]
    assert result.drop(columns=["vault_id", "vault_status", "vault_error"]).equals(df)
    stored = {r["id"]: r["external_id__v"] for r in vault.records("product__v")}
    assert len(stored) == 50_000
    assert [stored[i] for i in result["vault_id"]] == df["external_id__v"].tolist()


def test_csv_with_line_breaks_is_loaded_chunk_by_chunk_into_a_complete_aligned_csv(
    vault, client, tmp_path, monkeypatch
):
    df = products(50_000)  # a fifth of the descriptions span two lines; the file spans blocks
    df.loc[31_234, "product_family__c"] = "Biologic"  # a label: INVALID, in chunk 7
    src = tmp_path / "in.csv"
    df.to_csv(src, index=False)
    assert src.stat().st_size > 1 << 22  # more than one of the reader's 4 MiB blocks
    probe = Probe(monkeypatch)
    counts = vault_pandas.load_file(src, "product__v", chunk_rows=CHUNK, progress=False)
    probe.assert_streamed(50_000, most_ahead=CHUNK + max(probe_block_rows(src), CHUNK))
    assert counts.to_dict() == {"SUCCESS": 49_999, "INVALID": 1}
    result = pd.read_csv(tmp_path / "in.result.csv", dtype=str, keep_default_na=False)
    text = pd.read_csv(src, dtype=str, keep_default_na=False)
    assert list(result.columns) == [*df.columns, "vault_id", "vault_status", "vault_error"]
    assert result[list(df.columns)].equals(text)  # every row, in order, line breaks kept
    assert result.loc[31_234, "vault_status"] == "INVALID"
    stored = {r["id"]: r["external_id__v"] for r in vault.records("product__v")}
    ok = result[result["vault_status"] == "SUCCESS"]
    assert [stored[i] for i in ok["vault_id"]] == ok["external_id__v"].tolist()


def probe_block_rows(path) -> int:
    """Rows in the reader's largest CSV block (what it may hold beyond a chunk)."""
    return max(b.num_rows for b in files._batches(path, CHUNK))
