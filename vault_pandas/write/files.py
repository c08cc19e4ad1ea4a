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
        the input. An existing file is replaced.
    chunk_rows : int
        Rows per chunk: memory holds one chunk and its result at a time.
    **options
        Passed to the ``df.vault`` method (``id_param=``, ``max_workers=``...). Checks that
        span rows (unique values, duplicate upsert keys) apply within each chunk.

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
    out_path.unlink(missing_ok=True)
    counts: Counter[str] = Counter()
    writer = None
    try:
        for number, chunk in enumerate(read_chunks(path, chunk_rows)):
            try:
                result = write_operation(chunk, operation, target, vault, **options)
            except (PartialLoadError, LoadInterrupted) as exc:
                writer = _append(out_path, exc.result, writer)
                raise
            writer = _append(out_path, result, writer)
            counts.update(result["vault_status"].astype(str))
            log.info("%s chunk %d: %d rows -> %s", path.name, number + 1, len(result), out_path)
    finally:
        if writer is not None:
            writer.close()
    return pd.Series(counts, name="rows", dtype="int64")
