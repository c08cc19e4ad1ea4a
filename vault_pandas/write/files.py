"""Loading files bigger than memory: read in chunks, load each, write results as they arrive."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from vault_pandas.config import CHUNK_ROWS
from vault_pandas.errors import ConfigurationError, LoadInterrupted, PartialLoadError
from vault_pandas.transport.client import VaultClient
from vault_pandas.transport.connection import resolve_client
from vault_pandas.write.options import Operation
from vault_pandas.write.pipeline import write_operation

log = logging.getLogger("vault_pandas")


def read_chunks(path: str | os.PathLike[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield a CSV or Parquet file as frames of about ``chunk_rows`` rows.

    CSV columns are read as text (nothing guessed: leading zeros and ids stay as written;
    Vault and the validation accept numbers, dates and booleans as text); only blank cells
    are missing values (a literal ``NA`` stays text), as in the command line. Parquet keeps
    its own types.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
            yield batch.to_pandas()
        return
    if suffix != ".csv":
        raise ConfigurationError(f"{path.name}: only .csv and .parquet files load in chunks")
    types = {name: pa.string() for name in _csv_header(path)}
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, null_values=[""]
        ),
    )
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in reader:
        pending.append(batch)
        size += batch.num_rows
        if size >= chunk_rows:
            yield _frame(pending)
            pending, size = [], 0
    if pending:
        yield _frame(pending)


def _csv_header(path: Path) -> list[str]:
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16))
    return reader.schema.names


def _frame(batches: list[pa.RecordBatch]) -> pd.DataFrame:
    return pa.Table.from_batches(batches).to_pandas(types_mapper=_string_mapper)


def _string_mapper(dtype: pa.DataType) -> Any:
    return pd.StringDtype() if pa.types.is_string(dtype) else None


def _append(out_path: Path, result: pd.DataFrame, writer: pq.ParquetWriter | None):  # noqa: ANN202
    """Append one chunk's result to the output file; returns the Parquet writer in use."""
    if out_path.suffix.lower() == ".parquet":
        table = pa.Table.from_pandas(result, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(out_path, table.schema)
        writer.write_table(table.cast(writer.schema))
        return writer
    result.to_csv(out_path, mode="a", header=not out_path.exists(), index=False)
    return writer


def load_file(
    path: str | os.PathLike[str],
    target: str,
    *,
    operation: Operation = "create",
    output: str | os.PathLike[str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    client: VaultClient | None = None,
    **options: Any,
) -> pd.Series:
    """Load a CSV or Parquet file of any size in chunks; write each chunk's result as it ends.

    Parameters
    ----------
    path : str or path
        A ``.csv`` (read as text) or ``.parquet`` file.
    target : str
        The object name (or the action name for ``operation="action"``).
    operation : {"create", "upsert", "update", "delete", "action"}
        The ``df.vault`` method to run on each chunk.
    output : str or path, optional
        Where results go (``.csv`` or ``.parquet``); default ``{stem}.result.csv`` beside
        the input. An existing file is replaced once the first chunk has a result.
    chunk_rows : int
        Rows per chunk: memory holds one chunk and its result at a time.
    **options
        Passed to the ``df.vault`` method (``id_param=``, ``max_workers=``...). Checks that
        span rows (unique values, duplicate upsert keys) apply within each chunk.
        ``checkpoint="load.ckpt"`` keeps one checkpoint per chunk (``load.ckpt.1``,
        ``load.ckpt.2``, ...). Run the same call again to resume: chunks whose load ended
        are rebuilt from their checkpoint (nothing is sent for them), the chunk that was
        stopped is resumed, and the result file is written again in full. Keep
        ``chunk_rows`` and the other options the same, or the checkpoints are refused.

    Returns
    -------
    pandas.Series
        Rows per status over the whole file.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib, vault_pandas
    >>> from vault_pandas import sandbox
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"name__v": ["A", "B", "C"], "product_family__c": ["device__c"] * 3}
    ...              ).to_csv(folder / "in.csv", index=False)
    >>> with sandbox.run() as vault:
    ...     _ = vault_pandas.connect(vault.url, username=vault.username,
    ...                              password=vault.password)
    ...     counts = load_file(folder / "in.csv", "product__v", chunk_rows=2, progress=False)
    >>> counts.to_dict()
    {'SUCCESS': 3}
    >>> len(pd.read_csv(folder / "in.result.csv"))
    3
    """
    path = Path(path)
    out_path = Path(output) if output else path.with_name(f"{path.stem}.result.csv")
    if out_path.resolve() == path.resolve():
        raise ConfigurationError("the output file cannot be the input file")
    vault = resolve_client(client)
    checkpoint = options.pop("checkpoint", None)
    counts: Counter[str] = Counter()
    writer = None
    fresh = True  # the earlier result file is replaced when the first chunk has a result
    try:
        for number, chunk in enumerate(read_chunks(path, chunk_rows), start=1):
            if checkpoint is not None:
                options["checkpoint"] = chunk_checkpoint(checkpoint, number)
            try:
                result = write_operation(chunk, operation, target, vault, **options)
            except (PartialLoadError, LoadInterrupted) as exc:
                if fresh:
                    out_path.unlink(missing_ok=True)
                writer = _append(out_path, exc.result, writer)
                raise
            if fresh:
                out_path.unlink(missing_ok=True)
                fresh = False
            writer = _append(out_path, result, writer)
            counts.update(result["vault_status"].astype(str))
            log.info("%s chunk %d: %d rows -> %s", path.name, number, len(result), out_path)
    finally:
        if writer is not None:
            writer.close()
    return pd.Series(counts, name="rows", dtype="int64")


def chunk_checkpoint(checkpoint: str | os.PathLike[str], number: int) -> Path:
    """The checkpoint file of chunk ``number`` (from 1) of a :func:`load_file` call.

    Examples
    --------
    >>> chunk_checkpoint("load.ckpt", 2).name
    'load.ckpt.2'
    """
    path = Path(checkpoint)
    return path.with_name(f"{path.name}.{number}")
