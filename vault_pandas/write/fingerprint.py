"""The identity of a load, as a checkpoint's header keeps it: the frame's parts and the options.

A checkpoint is a contract: it may only resume the load it was made for. :func:`describe`
gives that load's identity in parts (the options that change what is sent, the row count,
the column names, their dtypes and one digest of every value per column), and
:func:`difference` names the first part in which two identities differ.

Values are digested column by column without a Python loop over the rows: text columns from
their Arrow buffers, other columns from ``pd.util.hash_pandas_object``; lists (multi-value
picklist cells) through Arrow's list layout (offsets, validity, then the flattened values).
Only a column mixing lists with other values falls back to one text form per cell.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from vault_pandas.write.options import WriteOptions

#: The options that change what is sent (or where): a checkpoint is refused when one differs.
SENT_OPTIONS = (
    "operation",
    "object_name",
    "id_param",
    "action_name",
    "id_column",
    "body_format",
    "assume_timezone",
    "migration_mode",
    "no_triggers",
    "nulls",
    "assign_ids",
    "params",
)


def describe(data: pd.DataFrame, options: WriteOptions) -> dict[str, Any]:
    """The identity of loading ``data`` with ``options``, in JSON-ready parts.

    Parameters
    ----------
    data : pandas.DataFrame
        The frame as the load sends it (result columns of an earlier call removed).
    options : WriteOptions
        The load's options; only :data:`SENT_OPTIONS` count.

    Returns
    -------
    dict
        ``options``, ``rows``, ``columns``, ``dtypes`` and ``values`` (one digest per column).

    Examples
    --------
    >>> from vault_pandas.write.options import WriteOptions
    >>> parts = describe(pd.DataFrame({"a": [["x", "y"], ["z"]]}), WriteOptions("create", "o__c"))
    >>> parts["rows"], parts["columns"], parts["dtypes"]
    (2, ['a'], ['object'])
    """
    return {
        "options": {name: _plain(getattr(options, name)) for name in SENT_OPTIONS},
        "rows": len(data),
        "columns": [_plain(c) for c in data.columns],
        "dtypes": [str(t) for t in data.dtypes],
        "values": [column_digest(data.iloc[:, k]) for k in range(data.shape[1])],
    }


def difference(stored: dict[str, Any], now: dict[str, Any]) -> str | None:
    """The first part in which two identities differ, in words; None when they are equal.

    Parameters
    ----------
    stored, now : dict
        The identity a checkpoint keeps, and the current load's (:func:`describe`).

    Returns
    -------
    str or None
        For example ``"the option body_format differs ('csv' in the checkpoint, 'json'
        now)"``: options first, then the number of rows, the columns, a dtype, the values.

    Examples
    --------
    >>> a = {"options": {}, "rows": 2, "columns": ["a", "b"], "dtypes": ["object"] * 2,
    ...      "values": ["1", "2"]}
    >>> difference(a, {**a, "values": ["1", "3"]})
    "the values of column 'b' differ"
    >>> difference(a, a) is None
    True
    """
    for name, value in now["options"].items():
        old = stored.get("options", {}).get(name)
        if old != value:
            return f"the option {name} differs ({old!r} in the checkpoint, {value!r} now)"
    if stored.get("rows") != now["rows"]:
        was_rows = stored.get("rows")
        return f"the number of rows differs ({was_rows} in the checkpoint, {now['rows']} now)"
    if stored.get("columns") != now["columns"]:
        was, got = stored.get("columns") or [], now["columns"]
        gone, new = [c for c in was if c not in got], [c for c in got if c not in was]
        what = f"missing {gone}, new {new}" if gone or new else "their order differs"
        return f"the columns differ ({what})"
    for part in ("dtypes", "values"):
        was = list(stored.get(part) or [])
        was += [None] * (len(now[part]) - len(was))
        for column, old, value in zip(now["columns"], was, now[part], strict=False):
            if old != value and part == "dtypes":
                return (
                    f"the dtype of column {column!r} differs ({old} in the checkpoint, {value} now)"
                )
            if old != value:
                return f"the values of column {column!r} differ"
    return None


def column_digest(column: pd.Series) -> str:
    """A digest of every value of one column, in order (16 hex digits).

    Parameters
    ----------
    column : pandas.Series
        Any dtype; cells may be lists, tuples or arrays of names (the same names in the same
        order give the same digest whatever the container), sets, or a mix of these.

    Returns
    -------
    str

    Examples
    --------
    >>> column_digest(pd.Series([["a", "b"], None])) == column_digest(pd.Series([["a"], None]))
    False
    """
    digest = hashlib.blake2b(digest_size=8)
    if not _arrow_digest(column, digest):
        digest.update(_row_hashes(column).tobytes())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """A JSON-ready form of a column label or an option value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):  # action params: the same fields in any order
        return repr(sorted((str(k), str(v)) for k, v in value.items()))
    return repr(value)


def _row_hashes(column: pd.Series) -> np.ndarray:
    """One uint64 per row: pandas' hashing, else a typed text form of each cell."""
    try:
        return pd.util.hash_pandas_object(column, index=False, categorize=False).to_numpy()
    except (TypeError, ValueError):  # unhashable cells mixed with other values
        text = np.frompyfunc(_cell_text, 1, 1)(column.to_numpy(dtype=object))
        return pd.util.hash_array(np.asarray(text, dtype=object), categorize=False)


def _cell_text(value: Any) -> str | None:
    if isinstance(value, set | frozenset):
        return "set:" + repr(sorted(value, key=repr))
    if isinstance(value, list | tuple | np.ndarray):
        return "list:" + repr([_cell_text(v) for v in value])
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return f"{type(value).__name__}:{value!r}"


def _arrow_digest(column: pd.Series, digest: Any) -> bool:
    """Feed a text or list column's Arrow form to ``digest``; False for any other column."""
    if not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
        return False
    try:
        arr = pa.array(column, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return False  # mixed cells: no single Arrow type
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return _feed(arr, digest)


def _feed(arr: pa.Array, digest: Any) -> bool:
    kind = arr.type
    digest.update(str(kind).encode())
    if arr.null_count:
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
        digest.update(np.packbits(valid).tobytes())
    if _is_text(kind) or pa.types.is_list(kind) or pa.types.is_large_list(kind):
        wide = pa.types.is_large_string(kind) or pa.types.is_large_binary(kind)
        wide = wide or pa.types.is_large_list(kind)
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if wide else np.int32)
        offsets = offsets[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
        first, last = int(offsets[0]), int(offsets[-1])
        digest.update((offsets - first).tobytes())
        if _is_text(kind):
            data = arr.buffers()[2]
            digest.update(memoryview(data)[first:last] if data is not None else b"")
            return True
        return _feed(arr.values.slice(first, last - first), digest)
    if pa.types.is_null(kind):
        digest.update(len(arr).to_bytes(8, "little"))
        return True
    if pa.types.is_primitive(kind) or pa.types.is_decimal(kind):
        values = pd.Series(arr.to_pandas(), dtype=object if pa.types.is_decimal(kind) else None)
        digest.update(_row_hashes(values).tobytes())
        return True
    return False  # structs, maps, ...: pandas' hashing or the text form


def _is_text(kind: pa.DataType) -> bool:
    return (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    )
