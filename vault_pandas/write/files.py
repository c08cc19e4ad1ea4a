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
import pyarrow.parquet as pq

from vault_pandas.config import CHUNK_ROWS
from vault_pandas.errors import ConfigurationError, FrameError, LoadInterrupted, PartialLoadError
from vault_pandas.results.files import ResultFile, check_output
from vault_pandas.results.outcomes import RowOutcomes
from vault_pandas.transport.client import VaultClient
from vault_pandas.transport.connection import resolve_client
from vault_pandas.write.csv_reading import ReadStopped, csv_batches, text_codec
from vault_pandas.write.options import Operation
from vault_pandas.write.pipeline import write_operation

log = logging.getLogger("vault_pandas")


def read_chunks(
    path: str | os.PathLike[str], chunk_rows: int, encoding: str | None = None
) -> Iterator[pd.DataFrame]:
    """Yield a CSV or Parquet file as frames of ``chunk_rows`` rows (the last may be shorter).

    The file is streamed: Parquet by record batches, CSV by blocks of a few MiB, cut and
    joined into chunks of exactly ``chunk_rows`` rows, so memory holds one chunk (and at most
    one Parquet row group's compressed pages or one CSV block) whatever the file's size.
    CSV columns are read as text (nothing guessed: leading zeros and ids stay as written;
    Vault and the validation accept numbers, dates and booleans as text); only blank cells
    are missing values (a literal ``NA`` stays text), as in the command line; a quoted value
    may span lines, and may be larger than a block. A CSV is UTF-8 (with or without a BOM)
    unless ``encoding`` names its codec (as pandas does: ``"latin-1"``, ``"cp1252"``,
    ``"utf-16"``...). Parquet keeps its own types.

    A file that cannot be read (an empty file, a row with more or fewer fields than the
    header, bytes the encoding cannot decode, a quote never closed) raises
    ``ReadStopped``, a ``FrameError`` naming the file, the line and why, when the reader
    reaches the problem: chunks before it may have been yielded; its ``batches`` hold the
    rows read after them.
    """
    if chunk_rows < 1:
        raise ConfigurationError(f"chunk_rows must be at least 1, not {chunk_rows}")
    path = Path(path)
    csv = _kind(path) == "csv"
    text_codec(encoding)  # an unknown codec is refused before anything is read
    for table in _exact_chunks(_batches(path, chunk_rows, encoding), chunk_rows):
        yield _frame(table, csv)
        del table  # released before the next chunk is read


def file_schema(path: str | os.PathLike[str]) -> pa.Schema | None:
    """The column types a Parquet file declares (None for a CSV: every column is text)."""
    path = Path(path)
    if _kind(path) == "csv":
        return None
    try:
        return pq.read_schema(path)
    except pa.ArrowException as exc:
        raise FrameError(f"{path.name}: cannot read it as Parquet: {exc}") from exc


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ConfigurationError(f"{path.name}: only .csv and .parquet files load in chunks")
    return suffix[1:]


def _batches(path: Path, chunk_rows: int, encoding: str | None = None) -> Iterator[pa.RecordBatch]:
    if _kind(path) == "csv":
        yield from csv_batches(path, encoding)  # blocks of 4 MiB, errors by line
        return
    # pre_buffer=False: with pyarrow's default (True) what it buffered for each row group
    # stays allocated until the file is closed, so memory grows with the file (pyarrow
    # 26: +~80 MiB per 1M-row group, ~0.8 GiB over 10M rows; cf. apache/arrow#39808).
    # Without it, one row group's column chunks at a time.
    try:
        with pq.ParquetFile(path, pre_buffer=False) as file:
            yield from file.iter_batches(batch_size=min(chunk_rows, 1 << 16))
    except pa.ArrowException as exc:
        raise FrameError(f"{path.name}: cannot read it as Parquet: {exc}") from exc


def _exact_chunks(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """The batches cut and joined into tables of exactly ``rows`` rows (the last: the rest).

    A FrameError of the reader becomes a ``ReadStopped`` whose ``batches`` are every row
    read but not yielded (the unfinished chunk's, and those the reader held back).
    """
    pending: list[pa.RecordBatch] = []
    size = 0
    try:
        for batch in batches:
            while batch.num_rows:
                take = min(rows - size, batch.num_rows)
                pending.append(batch.slice(0, take))
                size += take
                batch = batch.slice(take)  # noqa: PLW2901
                if size == rows:
                    yield pa.Table.from_batches(pending)
                    pending, size = [], 0
    except FrameError as exc:
        error, held = (exc.error, exc.batches) if isinstance(exc, ReadStopped) else (exc, [])
        raise ReadStopped(error, [*pending, *held]) from error.__cause__
    if size:
        yield pa.Table.from_batches(pending)


def _frame(table: pa.Table, csv: bool) -> pd.DataFrame:
    return table.to_pandas(types_mapper=_string_mapper) if csv else table.to_pandas()


def _string_mapper(dtype: pa.DataType) -> Any:
    return pd.StringDtype() if pa.types.is_string(dtype) else None


def load_file(
    path: str | os.PathLike[str],
    target: str,
    *,
    operation: Operation = "create",
    output: str | os.PathLike[str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    encoding: str | None = None,
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
        the input. An existing file is replaced once the first chunk has a result. It has
        the input's rows in the input's order, each with ``vault_id``, ``vault_status`` and
        ``vault_error`` (and ``vault_event`` for an upsert); if the load stops, it ends with
        the stopped chunk's rows (SKIPPED where not sent).
    chunk_rows : int
        Rows per chunk: memory holds one chunk and its result at a time, whatever the size
        of the file (the input is streamed, each chunk's result appended to the output).
    encoding : str, optional
        A CSV's encoding, a codec name as pandas takes (``"latin-1"``, ``"cp1252"``,
        ``"utf-16"``...); default UTF-8, with or without a BOM.
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

    Raises
    ------
    FrameError
        The file cannot be read (an empty file, a row with more or fewer fields than the
        header, bytes the encoding cannot decode, a quote never closed: the message names
        the line) and nothing was sent: the problem is in the first chunk.
    PartialLoadError
        A chunk's load stopped, or the file cannot be read past a line after chunks were
        loaded: then ``result`` holds the rows read after those chunks, ``SKIPPED`` (never
        sent), also written to the output after them; the message names the line and how
        many of the file's first rows the output holds (the rows after them were not read).

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
    check_output(out_path)
    vault = resolve_client(client)
    checkpoint = options.pop("checkpoint", None)
    counts: Counter[str] = Counter()
    with ResultFile(out_path, file_schema(path)) as results:
        chunks, number, csv = read_chunks(path, chunk_rows, encoding), 0, _kind(path) == "csv"
        while (chunk := _next_chunk(chunks, number, results, operation, csv)) is not None:
            number += 1
            if checkpoint is not None:
                options["checkpoint"] = chunk_checkpoint(checkpoint, number)
            try:
                result = write_operation(chunk, operation, target, vault, **options)
            except (PartialLoadError, LoadInterrupted) as exc:
                results.write(exc.result)  # the rows so far; the file ends there
                raise
            except Exception as exc:
                if number == 1:
                    raise  # nothing was sent
                raise _stopped_at(exc, chunk, number, results, operation) from exc
            results.write(result)
            counts.update(result["vault_status"].value_counts().to_dict())
            log.info("%s chunk %d: %d rows -> %s", path.name, number, len(result), out_path)
            del chunk, result  # one chunk and its result in memory: gone before the next read
    return pd.Series(counts, name="rows", dtype="int64")


def _next_chunk(
    chunks: Iterator[pd.DataFrame], done: int, results: ResultFile, operation: str, csv: bool
) -> pd.DataFrame | None:
    """The next chunk (None at the end). A file that cannot be read further after ``done``
    chunks were loaded stops the load: the rows read into the unfinished chunk are written
    ``SKIPPED`` and are the ``PartialLoadError``'s result."""
    try:
        return next(chunks, None)
    except ReadStopped as exc:
        if not done:
            raise exc.error from exc.error.__cause__  # nothing was sent
        loaded = results.rows
        rows = _frame(pa.Table.from_batches(exc.batches), csv) if exc.batches else pd.DataFrame()
        result = RowOutcomes(len(rows), with_event=operation == "upsert").frame(rows)
        if len(rows):
            results.write(result)
        raise PartialLoadError(
            f"{exc} -- the load stopped: the result has the file's first {results.rows:,} rows "
            f"({loaded:,} in {done} chunk(s) loaded, then {len(rows):,} read but not sent: "
            f"SKIPPED); the rows after them were not read",
            result,
        ) from exc.error


def _stopped_at(
    exc: Exception, chunk: pd.DataFrame, number: int, results: ResultFile, operation: str
) -> PartialLoadError:
    """Chunk ``number`` failed before it was sent, after earlier chunks were loaded: its rows
    (as the error's result has them, else ``SKIPPED``) end the result file and the error's."""
    result = getattr(exc, "result", None)
    if not isinstance(result, pd.DataFrame) or len(result) != len(chunk):
        result = RowOutcomes(len(chunk), with_event=operation == "upsert").frame(chunk)
    results.write(result)
    return PartialLoadError(
        f"chunk {number} could not be sent ({exc}) -- the load stopped: the result has the "
        f"file's first {results.rows:,} rows, {number - 1} chunk(s) loaded before it",
        result,
    )


def chunk_checkpoint(checkpoint: str | os.PathLike[str], number: int) -> Path:
    """The checkpoint file of chunk ``number`` (from 1) of a :func:`load_file` call.

    Examples
    --------
    >>> chunk_checkpoint("load.ckpt", 2).name
    'load.ckpt.2'
    """
    path = Path(checkpoint)
    return path.with_name(f"{path.name}.{number}")
