"""Vault CSV / JSON request bodies from text tables, and the escaping they need (pure, no I/O).

``csv_body`` and ``json_body`` write a body from a slice of the text table of a
``FormattedBlock`` (see ``blocks``), or from any table of text; ``csv_escaped``,
``json_strings`` and ``row_nbytes`` are how ``format_frame`` readies a block for them.
"""

from __future__ import annotations

import functools
import json
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from vault_pandas.write.formatting import BARE_CR, maybe_bare_cr, value_array, value_offsets

_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
ESCAPED_FOR = b"vault_pandas.escaped_for"  # schema metadata: the body the values are ready for
_ROW_END, _EMPTY = pa.scalar("},"), pa.scalar("")


def _text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column if column.type == pa.string() else pc.cast(column, pa.string())


def _escape_for(table: pa.Table, body_format: Literal["csv", "json"]) -> pa.Table:
    """``table`` with its values escaped for a body: for CSV every backslash doubled, for JSON
    as inside a JSON string. The schema records it, so that it is done once per block.

    Raises
    ------
    ValueError
        If the values are already escaped for the other format, or (CSV) a value holds a
        carriage return not followed by a line feed.
    """
    done = (table.schema.metadata or {}).get(ESCAPED_FOR)
    if done == body_format.encode():
        return table
    if done is not None:
        raise ValueError(f"these values are escaped for a {done.decode()} body")
    escape = csv_escaped if body_format == "csv" else json_strings
    columns = [escape(_text(column)) for column in table.columns]
    metadata = {ESCAPED_FOR: body_format.encode()}
    return pa.Table.from_arrays(columns, names=table.column_names, metadata=metadata)


def row_nbytes(
    table: pa.Table, body_format: str, n: int, *, omit_nulls: bool = False
) -> np.ndarray:
    """Bytes each row of an escaped table adds to a body: a CSV line with its newline, or a
    JSON object with its separating comma (``omit_nulls``: as :func:`json_body` writes it
    with ``omit_nulls=True``, a blank's key left out)."""
    columns = [_text(column) for column in table.columns]
    if body_format == "json" and omit_nulls:
        present = np.zeros(n, dtype=np.int64)
        total = np.full(n, 2, dtype=np.int64)  # {} and the comma after it, less one comma
        for name, column in zip(table.column_names, columns, strict=True):
            key = len(json.dumps(name, ensure_ascii=False).encode()) + 2  # "name": and a comma
            valid = _valid(column)
            present += valid
            total += np.where(valid, key + _lengths(column), 0)
        return total + (present == 0)  # "{}," has no comma to spare
    if body_format == "csv":  # commas and newline; quotes around each value, " doubled
        total = np.full(n, max(len(columns), 1), dtype=np.int64)
        for column in columns:
            valid = _valid(column) | (len(columns) == 1)
            total += np.where(valid, _lengths(column) + 2, 0) + _counts(column, ord('"'))
        return total
    total = np.full(n, max(len(columns) - 1, 0) + 3, dtype=np.int64)  # {} commas
    for name, column in zip(table.column_names, columns, strict=True):
        key = len(json.dumps(name, ensure_ascii=False).encode()) + 1  # "name":
        total += key + np.where(_valid(column), _lengths(column), 4)  # "value" or null
    return total


def missing_cells(table: pa.Table) -> np.ndarray:
    """How many blank (null) cells each row of a text table has (int64, vectorised).

    Examples
    --------
    >>> missing_cells(pa.table({"a": ["1", None, None], "b": [None, "x", None]})).tolist()
    [1, 1, 2]
    """
    counts = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        if column.null_count:
            counts += ~_valid(_text(column))
    return counts


def _valid(column: pa.Array) -> np.ndarray:
    if column.null_count == 0:
        return np.ones(len(column), dtype=bool)
    bits = np.frombuffer(column.buffers()[0], dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little")[column.offset : column.offset + len(column)] == 1


def _lengths(column: pa.Array) -> np.ndarray:
    return np.diff(value_offsets(column)).astype(np.int64)  # a null's length is masked out


def _counts(column: pa.Array, byte: int) -> np.ndarray:
    """How many times ``byte`` occurs in each value."""
    where = np.flatnonzero(value_array(column) == byte)
    offsets = value_offsets(column)
    rows = np.searchsorted(offsets - offsets[0], where, side="right") - 1
    return np.bincount(rows, minlength=len(column))


def _value_bytes(arr: pa.Array) -> bytes:
    """The UTF-8 bytes of all values of a string array, back to back (one copy)."""
    data = arr.buffers()[2] if len(arr) else None
    if data is None:
        return b""
    offsets = value_offsets(arr)
    return data[int(offsets[0]) : int(offsets[-1])].to_pybytes()


def csv_escaped(arr: pa.Array, *, check: bool = True) -> pa.Array:
    """Values for a Vault CSV body: every backslash doubled (Vault reads one as an escape).
    A bare carriage return is refused, unless ``check`` is off (``format_strings`` blanked it)."""
    if check and maybe_bare_cr(arr) and pc.any(pc.match_substring_regex(arr, BARE_CR)).as_py():
        raise ValueError("a value has a carriage return without a line feed: CSV cannot carry it")
    return pc.replace_substring(arr, "\\", "\\\\") if (value_array(arr) == 92).any() else arr


def json_strings(arr: pa.Array) -> pa.Array:
    """Values as JSON string literals, quotes included (UTF-8 kept, as ``json.dumps`` does)."""
    data = value_array(arr)
    if ((data < 32) & (data != 9) & (data != 10) & (data != 13)).any():  # rare: json does all
        values = arr.to_pylist()
        literals = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        return pa.array(literals, pa.string())
    for char, escape in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        if (data == ord(char)).any():
            arr = pc.replace_substring(arr, char, escape)
    quoted = pc.binary_replace_slice(arr, 0, 0, '"')  # faster than joining with quotes
    return pc.binary_replace_slice(quoted, 2**62, 2**62, '"')


@functools.lru_cache(maxsize=64)
def csv_header(names: tuple[str, ...]) -> bytes:
    """The header line of a Vault CSV body, names quoted only where RFC 4180 needs it."""
    cells = []
    for name in names:
        name = name.replace("\\", "\\\\")
        if any(c in name for c in ',"\r\n') or name != name.strip():
            name = '"' + name.replace('"', '""') + '"'
        cells.append(name)
    return (",".join(cells) + "\n").encode()


def csv_body(table: pa.Table) -> bytes:
    r"""A Vault CSV body (UTF-8): a header of the column names, then one line per row.

    RFC 4180 as ``pyarrow.csv.write_csv`` writes it (every value quoted, ``"`` doubled, line
    breaks kept inside the quotes), with Vault's one deviation: a backslash is doubled, as
    Vault reads it as an escape character. A null is an empty field; in a one-column body it
    is ``""``, so that the row is not an empty line. Values from ``format_frame(...,
    body_format="csv")`` are already escaped; any other table is escaped here.

    Raises
    ------
    ValueError
        If the table has no column, or a value holds a carriage return not followed by a
        line feed (``format_frame`` marks such rows invalid).

    Examples
    --------
    >>> print(csv_body(pa.table({"a": ["x,y", None], "b": ['a "b" c', "C:\\dir"]})).decode())
    a,b
    "x,y","a ""b"" c"
    ,"C:\\dir"
    <BLANKLINE>
    """
    if table.num_columns == 0:
        raise ValueError("a CSV body needs at least one column")
    table = _escape_for(table, "csv")
    if table.num_columns == 1 and table.column(0).null_count:
        table = table.set_column(0, table.field(0), pc.fill_null(table.column(0), ""))
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table, sink, _CSV_OPTIONS)
    return csv_header(tuple(table.column_names)) + sink.getvalue().to_pybytes()


def json_body(table: pa.Table, *, omit_nulls: bool = False) -> bytes:
    r"""A Vault JSON body (UTF-8): an array with one object per row, every value a string.

    A blank is written ``null``, so that a JSON body means what the CSV body with the same
    blank cell means (the field was given, without a value: Vault clears it). With
    ``omit_nulls`` a blank's key is left out of its row's object instead, so that Vault
    leaves that field of that record as it is (``nulls="keep"``); rows of one body may then
    have different keys. Values from ``format_frame(..., body_format="json")`` are already
    escaped; any other table is escaped here.

    Examples
    --------
    >>> print(json_body(pa.table({"a": ["1", None], "b": ['say "hi"', "x"]})).decode())
    [{"a":"1","b":"say \"hi\""},{"a":null,"b":"x"}]
    >>> table = pa.table({"a": ["1", None, None], "b": [None, "x", None]})
    >>> print(json_body(table, omit_nulls=True).decode())
    [{"a":"1"},{"b":"x"},{}]
    """
    if table.num_columns == 0:
        return b"[" + b",".join([b"{}"] * table.num_rows) + b"]"
    table = _escape_for(table, "json")
    if omit_nulls:
        return _json_body_omitting_nulls(table)
    pieces: list[pa.Scalar | pa.Array] = []
    for key, column in zip(_json_keys(tuple(table.column_names)), table.columns, strict=True):
        pieces += [key, _text(column)]
    # one kernel call writes every row, each with a comma after it
    rows = pc.binary_join_element_wise(
        *pieces, _ROW_END, _EMPTY, null_handling="replace", null_replacement="null"
    )
    return b"[" + _value_bytes(rows)[:-1] + b"]"


@functools.lru_cache(maxsize=64)
def _json_keys(names: tuple[str, ...]) -> list[pa.Scalar]:
    keys = [json.dumps(name, ensure_ascii=False) + ":" for name in names]
    return [pa.scalar("{" + keys[0]), *(pa.scalar("," + key) for key in keys[1:])]


def _json_body_omitting_nulls(table: pa.Table) -> bytes:
    """``json_body(table, omit_nulls=True)`` for an escaped table, in two kernel calls over
    the rows: each row is ``{`` then ``,"key":value`` for each value that is not null, then
    ``},``; the first ``{,`` of the row becomes ``{`` (a row of blanks alone is ``{},``)."""
    pieces: list[pa.Scalar | pa.Array] = [_OPEN]
    for key, column in zip(_cell_keys(tuple(table.column_names)), table.columns, strict=True):
        text = _text(column)
        if text.null_count:  # the key with the value, or null (nothing) for a blank
            pieces.append(pc.binary_join_element_wise(key, text, _EMPTY))
        else:
            pieces += [key, text]
    joined = pc.binary_join_element_wise(
        *pieces, _ROW_END, _EMPTY, null_handling="replace", null_replacement=""
    )
    rows = pc.replace_substring(joined, "{,", "{", max_replacements=1)
    return b"[" + _value_bytes(rows)[:-1] + b"]"


_OPEN = pa.scalar("{")


@functools.lru_cache(maxsize=64)
def _cell_keys(names: tuple[str, ...]) -> list[pa.Scalar]:
    return [pa.scalar("," + json.dumps(name, ensure_ascii=False) + ":") for name in names]
