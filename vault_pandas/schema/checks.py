"""How a vectorised value rule becomes a pandera ``Check``: dtype kinds, text masks, NA, categories.

A rule takes a Series of any dtype and returns a bool "ok" array, one per value. The helpers
here let a rule look only at the values it is about (text, by dtype or, in ``object``
columns, by value), and ``make_check`` wraps it so missing values pass and a categorical
column is checked once per category (a missing value is NA, NaN, None, NaT or ``""``:
:func:`missing`). The rules themselves live in
``vault_pandas.schema.text_number_rules`` and ``vault_pandas.schema.date_choice_rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_numeric_dtype,
    is_string_dtype,
)

try:
    import pandera.pandas as pdr
except ImportError:  # pragma: no cover - pandera < 0.24 has no pandera.pandas
    import pandera as pdr  # type: ignore[no-redef]

#: A value rule: a Series of any dtype -> a bool "ok" array of the same length.
Rule = Callable[[pd.Series], np.ndarray]


def dtype_kind(dtype: Any) -> str:
    """Return what a dtype holds: category, object, date, string, bool, number, datetime, other.

    Examples
    --------
    >>> [dtype_kind(pd.Series(v).dtype) for v in ([1.5], ["a"], [True])]
    ['number', 'string', 'bool']
    >>> dtype_kind(pd.Series(["a"], dtype=object).dtype)
    'object'
    """
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if dtype == np.dtype(object):
        return "object"
    if isinstance(dtype, pd.ArrowDtype):
        if pa.types.is_date(dtype.pyarrow_dtype):
            return "date"
        if pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype):
            return "string"
    for kind, test in (
        ("bool", is_bool_dtype),
        ("number", is_numeric_dtype),
        ("datetime", is_datetime64_any_dtype),
        ("string", is_string_dtype),
    ):
        if test(dtype):
            return kind
    return "other"


def instances(values: np.ndarray, types: Any) -> np.ndarray:
    """Bool array: which of ``values`` are instances of ``types``."""
    # Only object columns come here: mixed Python values cannot be typed without a pass.
    return np.fromiter((isinstance(v, types) for v in values), dtype=bool, count=len(values))


def as_bools(result: Any) -> np.ndarray:
    """A rule's result (Series, Index, Arrow or numpy) as a writable bool array; NA -> False."""
    if isinstance(result, pd.Series | pd.Index):
        result = result.to_numpy(dtype=bool, na_value=False)
    out = np.asarray(result, dtype=bool)
    return out if out.flags.writeable else out.copy()  # Arrow hands out read-only buffers


def text_mask(s: pd.Series) -> np.ndarray:
    """Bool array: which values are text (every value of a string dtype, ``str`` in object)."""
    kind = dtype_kind(s.dtype)
    if kind == "object":
        return instances(s.to_numpy(), str)
    return np.full(len(s), kind == "string")


def on_texts(s: pd.Series, test: Callable[[pd.Series], Any], other: bool = True) -> np.ndarray:
    """Apply ``test`` to the text values of ``s``; other values get ``other``."""
    mask = text_mask(s)
    out = np.full(len(s), other, dtype=bool)
    if not mask.any():
        return out
    out[mask] = as_bools(test(s if mask.all() else s[mask]))
    return out


def _empty_strings(t: pd.Series) -> Any:
    arr = arrow_text(t)
    if arr is None:
        return t == ""
    return pc.equal(pc.binary_length(arr), 0)


def empty_text(s: pd.Series) -> np.ndarray:
    """Bool array: which values are the empty text ``""``, a missing value like NA.

    Examples
    --------
    >>> empty_text(pd.Series(["", " ", None, 0], dtype=object)).tolist()
    [True, False, False, False]
    """
    if s.dtype == object:  # one comparison in numpy's loop, not a text column built first
        try:
            found = s.to_numpy() == ""
        except (TypeError, ValueError):  # a cell whose == does not give one bool
            found = None
        if isinstance(found, np.ndarray) and found.dtype == bool:
            return found
    elif not isinstance(s.dtype, (pd.StringDtype, pd.CategoricalDtype)) and not _arrow_text(s):
        return np.zeros(len(s), dtype=bool)  # numbers, dates, booleans hold no text
    return per_category(lambda t: on_texts(t, _empty_strings, other=False))(s)


def _arrow_text(s: pd.Series) -> bool:
    dtype = getattr(s.dtype, "pyarrow_dtype", None)
    return dtype is not None and (pa.types.is_string(dtype) or pa.types.is_large_string(dtype))


def missing(s: pd.Series) -> np.ndarray:
    """Bool array: which values are missing: NA, None, NaN, NaT or the empty text ``""``.

    A missing value is no value: no value rule applies to it, a write leaves it blank.

    Examples
    --------
    >>> missing(pd.Series([1, None, "", " "], dtype=object)).tolist()
    [False, True, True, False]
    """
    return s.isna().to_numpy(dtype=bool) | empty_text(s)


def per_category(rule: Rule) -> Rule:
    """Evaluate a per-value rule once per category instead of once per row."""

    def apply(s: pd.Series) -> np.ndarray:
        if not isinstance(s.dtype, pd.CategoricalDtype):
            return rule(s)
        ok = as_bools(rule(pd.Series(s.cat.categories)))
        codes = s.cat.codes.to_numpy()
        return ok[codes] | (codes < 0) if ok.size else np.ones(len(s), dtype=bool)

    return apply


def make_check(
    rule: Rule,
    code: str,
    error: str,
    *,
    explain: Callable[[Any], str] | None = None,
    ignore_na: bool = True,
    per_value: bool = True,
) -> pdr.Check:
    """Wrap ``rule`` as a pandera Check named ``code`` failing with ``error``.

    Missing values (NA, NaN, None, NaT and ``""``: :func:`missing`) pass unless
    ``ignore_na`` is False; ``per_value`` rules are evaluated
    once per category of a categorical column; ``explain`` (value -> message) is the hook
    ``vault_pandas.schema.validation`` uses for a message per failed value.

    Examples
    --------
    >>> check = make_check(lambda s: s.to_numpy() > 0, "positive", "must be > 0")
    >>> check(pd.Series([1, -1, None], dtype="Int64")).check_output.tolist()
    [True, False, True]
    """
    apply = per_category(rule) if per_value else rule

    def vault_rule(s: pd.Series) -> pd.Series:
        # Missing values pass (the "required" checks see them). Dropping them here, only
        # when there are any, is much cheaper than pandera's ignore_na, which filters every
        # column even when nothing is missing.
        absent = missing(s) if ignore_na else None
        if absent is None or not absent.any():
            return pd.Series(as_bools(apply(s)), index=s.index)
        try:  # rules see missing values and their verdict there is overridden: no copy
            ok = as_bools(apply(s)) | absent
        except (TypeError, ValueError, pa.ArrowException):  # a rule that cannot see them
            ok = np.ones(len(s), dtype=bool)
            ok[~absent] = as_bools(apply(s[~absent]))
        return pd.Series(ok, index=s.index)

    stats = {"explain": explain} if explain else None  # validation's hook for messages
    return pdr.Check(vault_rule, name=code, error=error, ignore_na=False, statistics=stats)


def arrow_text(s: pd.Series) -> pa.Array | None:
    """The Arrow array of an Arrow-backed text series (Arrow kernels beat ``.str`` here)."""
    if dtype_kind(s.dtype) == "string" and getattr(s.dtype, "storage", "pyarrow") == "pyarrow":
        return pa.array(s, from_pandas=True)
    return None


def _empty_text(t: pd.Series) -> Any:
    arr = arrow_text(t)
    if arr is None:
        return t.str.strip() == ""
    return pc.or_(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr))


def blank(s: pd.Series) -> np.ndarray:
    """Bool array: which values are blank (NA, or empty or whitespace-only text)."""
    empty = per_category(lambda t: on_texts(t, _empty_text, other=False))(s)
    return s.isna().to_numpy(dtype=bool) | empty
