"""A frame's cells in Vault's text forms, for the CSV files the library writes (pure).

An export, or a result file, written as CSV is read back as text (``vault-pandas update``
reads every cell as text) and must mean what it meant: pandas would write a list of picklist
names as ``['a__c', 'b__c']``, a boolean as ``True`` and a float as ``1e-05``. ``csv_ready``
gives each such column the text Vault reads instead, column by column and vectorised:

=========================================  ==================================================
column                                      text in the file
=========================================  ==================================================
lists, tuples, sets, arrays (object)        names joined by commas: ``a__c,b__c`` (an
                                            empty list is blank)
booleans (``bool``, ``boolean``, Arrow)     ``true`` / ``false``
floats (``float64``, ``Float64``, Arrow)    shortest round-trip digits, never an exponent
                                            (``0.00001``); ``12.0`` -> ``12``
datetimes with a time zone                  UTC, ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (finer digits
                                            kept when a value has them)
datetimes without one                       ``YYYY-MM-DD`` when all are midnights (Dates),
                                            else ``YYYY-MM-DDTHH:MM:SS.mmm``
anything else                               as pandas writes it
=========================================  ==================================================

A missing value stays an empty cell.
"""

from __future__ import annotations

import decimal
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["csv_ready"]

_LISTS: Final = (list, tuple, set, frozenset, np.ndarray)
_DIGITS: Final = {"s": 0, "ms": 3, "us": 6, "ns": 9}
#: What pandas infers for an object column that may hold lists (arrays of names read from
#: Parquet are inferred as "string"); other object columns are left to pandas.
_MAYBE_LISTS: Final = frozenset({"mixed", "mixed-integer", "string"})


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns whose pandas CSV text Vault would misread written as text.

    The frame itself is not changed; the columns left as they are are shared, not copied.

    Examples
    --------
    >>> frame = pd.DataFrame({"areas": [["a__c", "b__c"], None], "ok": [True, False],
    ...                       "n": [1e-05, 12.0]})
    >>> csv_ready(frame).to_dict("list")
    {'areas': ['a__c,b__c', None], 'ok': ['true', 'false'], 'n': ['0.00001', '12']}
    """
    out = frame
    for i in range(frame.shape[1]):
        text = _text(frame.iloc[:, i])
        if text is None:
            continue
        if out is frame:
            out = frame.copy(deep=False)
        out.isetitem(i, pd.Series(text, index=frame.index, dtype=object))
    return out


def _text(column: pd.Series) -> np.ndarray | None:
    """The column's cells as text (None for a missing value), or None to leave it as is."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return None
    if pd.api.types.is_bool_dtype(dtype):
        return _booleans(column)
    if pd.api.types.is_float_dtype(dtype):
        return _floats(pa.array(column, from_pandas=True))
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return _instants(column)
    if dtype == np.dtype(object) and pd.api.types.infer_dtype(column, skipna=True) in _MAYBE_LISTS:
        return _lists(column.to_numpy())
    return None


def _booleans(column: pd.Series) -> np.ndarray:
    values = column.to_numpy(dtype=bool, na_value=False)
    out = np.where(values, "true", "false").astype(object)
    out[column.isna().to_numpy(dtype=bool)] = None
    return out


def _plain(text: str) -> str:
    out = format(decimal.Decimal(text), "f")
    return out[1:] if out.startswith("-") and not out.strip("-0.") else out


def _floats(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow's shortest round-trip digits; the few with an exponent rewritten without one."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_float16(arr.type):
        arr = pc.cast(arr, pa.float32())
    nan = pc.fill_null(pc.is_nan(arr), False)
    digits = pc.cast(pc.add(arr, pa.scalar(0, arr.type)), pa.string())  # -0.0 + 0 is 0.0
    text = pc.if_else(nan, pa.scalar(None, pa.string()), digits)
    out = text.to_numpy(zero_copy_only=False).astype(object)
    odd = pc.fill_null(pc.match_substring(text, "e"), False).to_numpy(zero_copy_only=False)
    out[odd] = [_plain(t) for t in out[odd]]  # 1e-05, 1e+20: rare, one by one
    whole = pc.fill_null(pc.ends_with(text, ".0"), False).to_numpy(zero_copy_only=False)
    out[whole & ~odd] = [t[:-2] for t in out[whole & ~odd]]  # should Arrow write "12.0"
    return out


def _instants(column: pd.Series) -> np.ndarray:
    """With a time zone: UTC ``YYYY-MM-DDTHH:MM:SS.mmmZ``, Vault's form (finer digits only
    where a value has them). Without: ``YYYY-MM-DD`` when every value is a midnight (a Date
    field as read), else the same form without ``Z``. Years always have four digits (pandas
    2 writes the year 1 as ``1-01-01``)."""
    aware = isinstance(column.dtype, pd.DatetimeTZDtype)
    values = (column.dt.tz_convert("UTC").dt.tz_localize(None) if aware else column).to_numpy()
    unit = np.datetime_data(values.dtype)[0]
    missing = np.isnat(values)
    ints = values.view(np.int64)[~missing]
    digits = _DIGITS.get(unit, 9)
    if not aware and not (ints % (86_400 * 10**digits)).any():  # midnights: dates
        out = np.datetime_as_string(values.astype("datetime64[D]"), unit="D").astype(object)
    else:
        shown: Literal["ms", "us", "ns"] = next(
            u for u in ("ms", "us", "ns") if _holds(ints, digits - _DIGITS[u])
        )
        text = np.datetime_as_string(values.astype(f"datetime64[{shown}]"), unit=shown)
        out = text.astype(object) + ("Z" if aware else "")
    out[missing] = None
    return out


def _holds(ints: np.ndarray, dropped: int) -> bool:
    """Whether every value keeps its digits with its last ``dropped`` digits cut off."""
    return dropped <= 0 or not (ints % 10**dropped).any()


def _lists(values: np.ndarray) -> np.ndarray | None:
    """Each list-like value as its items joined by commas; other values as they are."""
    try:  # lists (and arrays, as read from Parquet) and missing values: one Arrow call
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        arr = None
    if arr is not None and not pa.types.is_list(arr.type) and not pa.types.is_large_list(arr.type):
        return None  # text, numbers, ...: no list in the column
    if arr is not None:
        try:
            items = pc.cast(arr, pa.list_(pa.string()))
        except (pa.ArrowException, TypeError, ValueError):
            items = None
        if items is not None and pc.list_flatten(items).null_count == 0:
            joined = pc.binary_join(items, ",")
            empty = pc.fill_null(pc.equal(pc.binary_length(joined), 0), True)
            return pc.if_else(empty, pa.scalar(None, pa.string()), joined).to_numpy(
                zero_copy_only=False
            )
    where = np.flatnonzero([isinstance(v, _LISTS) for v in values])  # lists among other values
    if len(where) == 0:
        return None
    out = values.copy()
    out[where] = [_joined(values[i]) for i in where]
    return out


def _joined(value: Any) -> str | None:
    text = ",".join(str(item) for item in value if not _blank(item))
    return text or None


def _blank(item: Any) -> bool:
    return item is None or item is pd.NA or (isinstance(item, float) and item != item)
