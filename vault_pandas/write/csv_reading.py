"""Reading a CSV file as text: record batches a block at a time for ``load_file``, a whole frame
for the command line, and every problem of the file as a ``FrameError`` naming its line.

``load_file`` streams the file with pyarrow (:func:`csv_batches`): blocks of 4 MiB, a block
retried larger (up to 256 MiB) when one value does not fit in it, the encoding decoded by
pyarrow (Python's codecs, the names pandas takes). The last block is handed over only once
the file is known not to end inside a quote. The command line reads the whole file with
pandas (:func:`read_csv_frame`, ``index_col=False``); when pandas refuses it, the same stream
says where and why. The lines themselves are found by :mod:`vault_pandas.write.csv_lines`.
"""

from __future__ import annotations

import codecs
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.write import csv_lines

BLOCK_SIZE: Final = 1 << 22  # bytes pyarrow parses at a time
MAX_BLOCK_SIZE: Final = 1 << 28  # a block grows (x4) up to this for a value that does not fit
ENCODING_HINT: Final = (
    "give the file's encoding: load_file(..., encoding='cp1252') or --encoding cp1252 "
    "('latin-1', 'utf-16'...)"
)
_BOMS: Final = {
    codecs.BOM_UTF32_LE: "utf-32",
    codecs.BOM_UTF32_BE: "utf-32",
    codecs.BOM_UTF16_LE: "utf-16",
    codecs.BOM_UTF16_BE: "utf-16",
}


def text_codec(encoding: str | None) -> str | None:
    """The codec that decodes the file (a Python codec name), or None for UTF-8.

    UTF-8, with or without a BOM, is read by pyarrow itself; any other text codec is decoded
    through Python's codecs, as pandas' ``encoding=`` is.

    Examples
    --------
    >>> text_codec("latin-1"), text_codec("UTF8"), text_codec("utf-8-sig")
    ('iso8859-1', None, None)
    """
    if encoding is None:
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ConfigurationError(
            f"unknown encoding {encoding!r}: a Python codec name, as pandas takes "
            "('utf-8', 'latin-1', 'cp1252', 'utf-16'...)"
        ) from None
    return None if name in ("utf-8", "utf-8-sig") else name


def csv_batches(
    path: Path, encoding: str | None = None, *, short_rows: bool = False
) -> Iterator[pa.RecordBatch]:
    """Yield a CSV file's rows as record batches of text columns, a block at a time.

    Every column is text, only a blank cell is missing, a quoted value may span lines, blank
    lines are skipped. Memory holds a block or two (4 MiB; larger only while a value larger
    than a block is read).

    Parameters
    ----------
    path : Path
        The CSV file.
    encoding : str, optional
        Its encoding (a Python codec name, as pandas takes); default UTF-8, with or
        without a BOM.
    short_rows : bool
        Skip a row with fewer fields than the header instead of refusing it (pandas fills
        them; the command line reads with pandas and uses this only to find a problem).

    Raises
    ------
    FrameError
        The file cannot be read as it is: the message names the file, the line and why
        (an empty file, a row with more or fewer fields than the header, bytes the
        encoding cannot decode, a quote never closed, a row larger than 256 MiB). It is
        raised when the reader reaches the problem: batches before it were yielded.
    """
    yield from _Reader(path, text_codec(encoding), short_rows).batches()


def read_csv_frame(path: Path, encoding: str | None = None) -> pd.DataFrame:
    """A whole CSV file as pandas reads it with ``index_col=False``, every column text.

    Only a blank cell is missing (``NA`` and ``007`` stay as written); a row with fewer fields
    than the header has missing values at its end, as pandas reads it. A row with more
    fields, bytes the encoding cannot decode, a quote never closed or an empty file is a
    :class:`FrameError` naming the line, the message ``load_file`` gives.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_text("name__v,n\\nA,007\\nB\\n")
    >>> read_csv_frame(path)
      name__v     n
    0       A   007
    1       B  <NA>
    >>> _ = path.write_text("name__v,n\\nA,007\\nC,1,2\\n")
    >>> read_csv_frame(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    vault_pandas.errors.FrameError: x.csv, line 3: 3 fields where the header has 2 (a row ...
    """
    codec = text_codec(encoding)
    _check_bom(path, codec)
    try:
        with warnings.catch_warnings():  # index_col=False drops extra fields with a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                path,
                dtype="string",
                keep_default_na=False,
                na_values=[""],
                encoding=codec or "utf-8-sig",
                index_col=False,
            )
    except (ValueError, pd.errors.ParserWarning) as exc:  # ParserError, EmptyDataError...
        try:
            for _ in csv_batches(path, encoding, short_rows=True):
                pass  # raises the FrameError that names the line
        except ReadStopped as stopped:
            raise stopped.error from exc
        text = " ".join(str(exc).split())
        raise FrameError(f"{path.name}: cannot read it as CSV: {text}") from exc


class ReadStopped(FrameError):
    """A file read part-way: ``error`` (a FrameError) says where and why; ``batches`` hold the
    rows read before the problem but not handed over (so never sent)."""

    def __init__(self, error: FrameError, batches: list[pa.RecordBatch]) -> None:
        super().__init__(str(error), error.problems)
        self.error, self.batches = error, [b for b in batches if b.num_rows]


class _Reader:
    """One file's pyarrow stream, reopened with a larger block when a value does not fit."""

    def __init__(self, path: Path, codec: str | None, short_rows: bool) -> None:
        self.path, self.codec, self.short_rows = path, codec, short_rows
        self.block = BLOCK_SIZE
        self.parsed = 0  # rows parsed by the current stream
        self.invalid: Any = None  # pyarrow's InvalidRow of the row it refused

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Every row once, in order, whatever the retries; the last batch after the end check.

        A batch is handed over once the next one is read, so a problem found in a block
        stops the rows of the block before it too: they are the ReadStopped's ``batches``.
        """
        _check_bom(self.path, self.codec)
        handed = 0
        while True:
            held: pa.RecordBatch | None = None
            try:
                for batch in _drop(self._stream(), handed):
                    if held is not None:
                        handed += held.num_rows
                        yield held
                    held = batch
                if held is not None:
                    offset = self._unclosed_end(held)
                    if offset is not None:  # the last row runs to the end: not a row
                        raise ReadStopped(self._unclosed(offset), [held.slice(0, len(held) - 1)])
                    yield held
                return
            except (pa.ArrowInvalid, UnicodeError) as exc:
                if "straddl" in str(exc) and self.block < MAX_BLOCK_SIZE:
                    self.block *= 4  # a value larger than the block: read it again, larger
                    continue
                if "cannot infer number of columns" in str(exc) and _one_line(self.path):
                    return  # a header without a line end: no rows (as pandas reads it)
                error = self._error(exc)
                error.__cause__ = exc
                raise ReadStopped(error, [] if held is None else [held]) from exc

    def _stream(self) -> Iterator[pa.RecordBatch]:
        self.parsed, self.invalid = 0, None
        read = pacsv.ReadOptions(
            block_size=self.block, use_threads=False, encoding=self.codec or "utf8"
        )  # one thread: pyarrow numbers the rows it refuses
        parse = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=self._refuse)
        with pacsv.open_csv(self.path, read_options=read, parse_options=parse) as head:
            names = head.schema.names
        convert = pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=True,
            null_values=[""],
        )
        with pacsv.open_csv(
            self.path, read_options=read, parse_options=parse, convert_options=convert
        ) as reader:
            for batch in reader:
                self.parsed += batch.num_rows
                yield batch

    def _refuse(self, row: Any) -> str:
        """pyarrow's invalid_row_handler: only called for a row with the wrong number of fields."""
        short = self.short_rows and row.actual_columns < row.expected_columns
        if short and csv_lines.unclosed_quote(self.path, self.codec, row.text, row=True) is None:
            return "skip"  # pandas fills it (a quote never closed is refused all the same)
        self.invalid = row
        return "error"

    def _unclosed_end(self, batch: pa.RecordBatch) -> int | None:
        """Where the quote opens if the file ends inside it (its last value runs to the end)."""
        value = batch.column(batch.num_columns - 1)[batch.num_rows - 1].as_py()
        return None if value is None else csv_lines.unclosed_quote(self.path, self.codec, value)

    def _error(self, exc: BaseException) -> FrameError:
        """The FrameError that says where and why pyarrow stopped."""
        name, text = self.path.name, " ".join(str(exc).split())
        if self.invalid is not None:
            return self._ragged(self.invalid)
        if "straddl" in text:  # the row after those read
            line = csv_lines.line_of_row(self.path, self.codec, self.parsed + 2)
            where = f", line {line}" if line else ""
            return FrameError(
                f"{name}{where}: a row larger than {MAX_BLOCK_SIZE >> 20} MiB starts here "
                "(a quote never closed?)"
            )
        if isinstance(exc, UnicodeError) or "UTF8" in text:
            found = csv_lines.first_undecodable(self.path, self.codec)
            if found is not None:
                offset, data = found
                line = csv_lines.line_of_offset(self.path, self.codec, offset)
                return FrameError(
                    f"{name}, line {line}: {_bytes(data)} (offset {offset:,}) cannot be read as "
                    f"{self.codec or 'UTF-8'}; {ENCODING_HINT}"
                )
            return FrameError(
                f"{name}: cannot be read as {self.codec or 'UTF-8'}: {text}; {ENCODING_HINT}"
            )
        if "Empty CSV file" in text and _blank(self.path):
            return FrameError(f"{name} is empty: not even a header line")
        return FrameError(f"{name}: cannot read it as CSV: {text}")

    def _ragged(self, row: Any) -> FrameError:
        offset = csv_lines.unclosed_quote(self.path, self.codec, row.text, row=True)
        if offset is not None:
            return self._unclosed(offset)
        line = csv_lines.line_of_row(self.path, self.codec, row.number) if row.number else None
        shown = row.text if len(row.text) <= 80 else row.text[:77] + "..."
        why = (
            "a row with more fields than the header: a comma in a value that is not quoted?"
            if row.actual_columns > row.expected_columns
            else "a row with fewer fields than the header"
        )
        return FrameError(
            f"{self.path.name}{f', line {line}' if line else ''}: {row.actual_columns} fields "
            f"where the header has {row.expected_columns} ({why}): {shown!r}"
        )

    def _unclosed(self, offset: int) -> FrameError:
        line = csv_lines.line_of_offset(self.path, self.codec, offset)
        return FrameError(
            f"{self.path.name}, line {line}: a quote opened here is never closed (EOF inside "
            "string): the rest of the file would be one value; close it, or double a quote "
            'that is part of a value ("")'
        )


def _drop(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """The batches without their first ``rows`` rows (handed over before a retry), none empty."""
    for batch in batches:
        if rows >= batch.num_rows:
            rows -= batch.num_rows
            continue
        yield batch.slice(rows) if rows else batch
        rows = 0


def _check_bom(path: Path, codec: str | None) -> None:
    """Refuse a UTF-16 or UTF-32 file read as UTF-8 (its BOM says so) before reading it."""
    if codec is not None:
        return
    with open(path, "rb") as file:
        head = file.read(4)
    for bom, name in _BOMS.items():
        if head.startswith(bom) and not head.startswith(codecs.BOM_UTF8):
            raise FrameError(
                f"{path.name}, line 1: the file starts with a {name.upper()} byte order mark; "
                f"read it with encoding='{name}' (--encoding {name})"
            )


def _bytes(data: bytes) -> str:
    shown = " ".join(f"0x{b:02X}" for b in data[:4])
    return f"byte {shown}" if len(data) == 1 else f"bytes {shown}"


def _blank(path: Path) -> bool:
    """Whether the file holds nothing but white space (and perhaps a BOM)."""
    head = _head(path)
    return head is not None and not head.removeprefix(codecs.BOM_UTF8).strip()


def _one_line(path: Path) -> bool:
    """Whether the file is one line of text without a line end."""
    head = _head(path)
    return head is not None and head.strip() != b"" and not head.strip(b"\r\n").count(b"\n")


def _head(path: Path) -> bytes | None:
    """The whole file if it is smaller than 64 KiB, else None."""
    with open(path, "rb") as file:
        head = file.read(1 << 16)
    return head if len(head) < 1 << 16 else None
