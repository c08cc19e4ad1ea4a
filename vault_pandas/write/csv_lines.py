"""Where a problem is in a CSV file: the line of a byte, of a row, of the first byte that does not
decode, of a quote that is never closed.

Only the error path of :mod:`vault_pandas.write.csv_reading` calls these: each reads the file
again (the text is decoded and counted in C, a few hundred MiB a second; only
:func:`line_of_row` parses rows, with the ``csv`` module). A line is a physical line of the
file, from 1, as an editor numbers it: ``\\n``, ``\\r\\n`` and ``\\r`` each end one, inside a
quoted value too.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

SCAN_BYTES: Final = 1 << 22  # bytes decoded at a time while counting lines


def python_codec(codec: str | None) -> str:
    """The codec that decodes the file in Python (``None``, UTF-8: a BOM is skipped)."""
    return codec or "utf-8-sig"


def line_of_offset(path: Path, codec: str | None, offset: int) -> int:
    """The line of the byte at ``offset``: line ends in the bytes before it, plus one.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes(b'a,b\\r\\n1,"x\\ry"\\n2,3\\n')
    >>> line_of_offset(path, None, path.read_bytes().index(b"2"))
    4
    """
    decoder = codecs.getincrementaldecoder(python_codec(codec))(errors="replace")
    counter = _LineCounter()
    with open(path, "rb") as file:
        left = offset
        while left > 0 and (block := file.read(min(SCAN_BYTES, left))):
            left -= len(block)
            counter.add(decoder.decode(block))
    return counter.ends + 1


def first_undecodable(path: Path, codec: str | None) -> tuple[int, bytes] | None:
    """The offset and bytes of the first thing in the file ``codec`` cannot decode (or None).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes("a,b\\n1,café\\n2,caf".encode() + b"\\xe9\\n")
    >>> first_undecodable(path, None)
    (17, b'\\xe9')
    >>> first_undecodable(path, "latin-1") is None
    True
    """
    name = "utf-8" if codec is None else codec  # a UTF-8 BOM is valid UTF-8
    decoder = codecs.getincrementaldecoder(name)()
    offset = 0
    with open(path, "rb") as file:
        while True:
            block = file.read(SCAN_BYTES)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                start = offset + len(block) - len(exc.object)  # the decoder kept bytes back
                return start + exc.start, bytes(exc.object[exc.start : exc.end])
            except UnicodeError:  # not about a byte (a UTF-16 file without its BOM)
                return None
            if not block:
                return None
            offset += len(block)


def line_of_row(path: Path, codec: str | None, number: int) -> int | None:
    """The line where row ``number`` starts (pyarrow's numbers: the header is row 1, a blank
    line is no row), or None past the end. The row itself is not read (it may be huge).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_text('a,b\\n"x\\ny",1\\n\\n2,3,4\\n')
    >>> line_of_row(path, None, 3)
    5
    """
    with (
        _no_field_limit(),
        open(path, encoding=python_codec(codec), errors="replace", newline="") as file,
    ):
        reader = csv.reader(file)
        rows = 0
        while rows < number - 1:
            row = next(reader, None)
            if row is None:
                return None
            rows += bool(row)
        line = reader.line_num + 1  # the csv module reads whole lines: the next one starts here
        while (start := file.readline(2)) in ("\n", "\r\n", "\r"):
            line += 1  # blank lines before the row
        return line if start else None


def unclosed_quote(path: Path, codec: str | None, value: str, *, row: bool = False) -> int | None:
    """The offset of the quote that opens ``value`` when the file ends inside it (or None).

    ``value`` is the last value pyarrow read from the file: a quote never closed makes the
    rest of the file one value, so the file ends with a quote, the value (its quotes doubled)
    and perhaps a line end, the quote preceded by a comma or a line end. With ``row``,
    ``value`` is the raw text of a row instead (pyarrow's, for a row with too few fields),
    whose last value is the one to check.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes(b'a,b\\n1,"never closed\\n2,3\\n')
    >>> unclosed_quote(path, None, "never closed\\n2,3\\n")
    6
    >>> _ = path.write_bytes(b"a,b\\n1," + b'"' * 4 + b"\\n")  # closed: the value is one quote
    >>> unclosed_quote(path, None, '"') is None
    True
    """
    if row:
        if '"' not in value:
            return None
        with _no_field_limit():
            fields = next(csv.reader(io.StringIO(value, newline="")), None)
        if not fields or not value.endswith('"' + fields[-1].replace('"', '""')):
            return None
        value = fields[-1]
    tail = '"' + value.replace('"', '""')
    size = path.stat().st_size
    encode = _encoder(path, codec)
    longest = len(encode("\n" + tail + "\r\n"))
    with open(path, "rb") as file:
        file.seek(max(0, size - longest))
        end = file.read()
    for before in (",", "\n", "\r"):
        for after in ("", "\n", "\r\n", "\r"):
            if end.endswith(encode(before + tail + after)):
                return size - len(encode(tail + after))
    return None


def _encoder(path: Path, codec: str | None) -> Callable[[str], bytes]:
    """Text to the file's bytes (no BOM; UTF-16 and UTF-32 in the order the file's BOM says)."""
    name = codecs.lookup(python_codec(codec)).name
    if name == "utf-8-sig":
        name = "utf-8"
    elif name in ("utf-16", "utf-32"):
        with open(path, "rb") as file:
            head = file.read(4)
        big = codecs.BOM_UTF16_BE if name == "utf-16" else codecs.BOM_UTF32_BE
        name += "-be" if head.startswith(big) else "-le"
    return lambda text: text.encode(name, errors="replace")


class _LineCounter:
    """Line ends in text given a piece at a time (a ``\\r\\n`` split between pieces is one)."""

    def __init__(self) -> None:
        self.ends = 0
        self._cr = False

    def add(self, text: str) -> None:
        if not text:
            return
        pairs = text.count("\r\n") + (self._cr and text[0] == "\n")
        self.ends += text.count("\n") + text.count("\r") - pairs
        self._cr = text[-1] == "\r"


@contextlib.contextmanager
def _no_field_limit() -> Iterator[None]:
    """The ``csv`` module without its 128 KiB limit on a value (restored afterwards)."""
    old = csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)
