"""Result and export files: the suffixes written, one frame atomically, or chunk by chunk."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.csv_text import csv_ready

__all__ = ["WRITERS", "ResultFile", "check_output", "write_frame"]

#: Suffix -> file kind written.
WRITERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def check_output(path: Path) -> Path:
    """``path`` if a frame can be written there (a known suffix, an existing directory).

    Raises
    ------
    ConfigurationError
        For another suffix or a missing directory.

    Examples
    --------
    >>> check_output(Path("out.parquet")).name
    'out.parquet'
    """
    if path.suffix.lower() not in WRITERS:
        raise ConfigurationError(
            f"cannot write {path}: the output file must end in .csv or .parquet"
        )
    if not path.parent.is_dir():
        raise ConfigurationError(f"cannot write {path}: no such directory {path.parent}")
    return path


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` by the suffix of ``path`` atomically: a temporary file, then a rename.

    The index is written only when it is not the default ``RangeIndex``. A CSV file holds
    Vault's text forms where pandas' would not read back (``csv_text.csv_ready``): lists of
    picklist names as ``a__c,b__c``, booleans as ``true``/``false``, ...
    """
    index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if WRITERS[path.suffix.lower()] == "parquet":
            frame.to_parquet(tmp, index=index)
        else:
            csv_ready(frame).to_csv(tmp, index=index)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class ResultFile:
    """A result file written a chunk at a time, as each chunk's load ends (``load_file``).

    Memory holds one chunk: a CSV is appended to one open file (the text :func:`write_frame`
    writes; the header once), a Parquet file gets one row group per chunk
    through one ``ParquetWriter``. The Parquet schema is the first chunk's, except that a
    column the first chunk cannot type (every value missing) takes its type from ``types``
    (the input file's schema) or is text, so that a later chunk with values still fits. The
    index is written, as by :func:`write_frame`, only when the first chunk's is not a default
    ``RangeIndex``. An existing file is replaced when the first chunk is written.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "out.parquet"
    >>> with ResultFile(path) as out:
    ...     out.write(pd.DataFrame({"a": [1, 2], "vault_error": [None, None]}))
    ...     out.write(pd.DataFrame({"a": [3], "vault_error": ["bad"]}))
    >>> pd.read_parquet(path)["vault_error"].isna().tolist()  # a string column, not "null"
    [True, True, False]
    """

    def __init__(self, path: Path, types: pa.Schema | None = None) -> None:
        self.path, self.types, self.rows = check_output(Path(path)), types, 0
        self._text: IO[str] | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._index = False

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (one chunk's result, its rows in file order) to the file."""
        first = self._text is None and self._parquet is None
        if first:
            self._index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
        if WRITERS[self.path.suffix.lower()] == "csv":
            if self._text is None:
                self._text = open(self.path, "w", newline="", encoding="utf-8")  # noqa: SIM115
            csv_ready(frame).to_csv(self._text, header=first, index=self._index)
            self._text.flush()  # a reader (or a crash) sees whole chunks
        else:
            if self._parquet is None:
                table = pa.Table.from_pandas(frame, preserve_index=self._index)
                self._schema = _typed(table.schema, self.types)
                self._parquet = pq.ParquetWriter(self.path, self._schema)
            table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=self._index)
            self._parquet.write_table(table)
        self.rows += len(frame)

    def close(self) -> None:
        """Finish the file (a Parquet file is readable only once closed)."""
        text, parquet, self._text, self._parquet = self._text, self._parquet, None, None
        if text is not None:
            text.close()
        if parquet is not None:
            parquet.close()

    def __enter__(self) -> ResultFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _typed(schema: pa.Schema, types: pa.Schema | None) -> pa.Schema:
    """``schema`` with each all-missing (``null``) column typed from ``types``, else as text."""
    known = {} if types is None else {f.name: f.type for f in types}
    fields = [
        f.with_type(known.get(f.name, pa.string())) if pa.types.is_null(f.type) else f
        for f in schema
    ]
    return pa.schema(fields, metadata=schema.metadata)
