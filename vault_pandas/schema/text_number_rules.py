"""Value rules for text and numbers: text, not empty, max length, record id, number and its limits.

Each function returns the pandera Check of one rule (reason code = the check's name); see
``vault_pandas.schema.rules.build`` for which field gets which.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from pandas.api.types import is_integer_dtype

from vault_pandas.schema.checks import (
    arrow_text,
    blank,
    dtype_kind,
    instances,
    make_check,
    on_texts,
    text_mask,
)

if TYPE_CHECKING:
    import pandera.pandas as pdr

_NUMBER_RE: Final = r"-?\d+(?:\.\d+)?"


# --- text ------------------------------------------------------------------------------------


def text() -> pdr.Check:
    """Fail values that are not text (``str``, or any value of a string dtype)."""
    return make_check(text_mask, "text", "must be text (a str)")


def not_empty() -> pdr.Check:
    """Fail whitespace-only text: a reference needs a value, or none (``""`` is none, as NA)."""
    error = "must not be empty text (leave the cell blank for no value)"
    return make_check(lambda s: ~blank(s), "not_empty", error)


def record_id(object_name: str, prefix: str) -> pdr.Check:
    """Fail text that does not start with the object's record id ``prefix``."""
    error = f"is not a {object_name} record id (those start with {prefix!r})"
    return make_check(lambda s: on_texts(s, lambda t: t.str.startswith(prefix)), "record_id", error)


def _text_length(t: pd.Series) -> np.ndarray:
    arr = arrow_text(t)
    lengths = t.str.len() if arr is None else pc.utf8_length(arr)
    return np.asarray(lengths.to_numpy(zero_copy_only=False) if arr is not None else lengths)


def max_length(n: int) -> pdr.Check:
    """Fail text longer than ``n`` characters (characters, not bytes)."""
    return make_check(
        lambda s: on_texts(s, lambda t: _text_length(t) <= n),
        "max_length",
        f"must be at most {n} characters",
        explain=lambda v: f"must be at most {n} characters (got {len(v)})",
    )


# --- numbers ---------------------------------------------------------------------------------


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (is a number, float value or NaN) for each value."""
    kind = dtype_kind(s.dtype)
    if kind == "number":
        return np.ones(len(s), dtype=bool), s.to_numpy(dtype="float64", na_value=np.nan)
    ok, values = np.zeros(len(s), dtype=bool), np.full(len(s), np.nan)
    if kind == "object":
        raw = s.to_numpy()
        ok = instances(raw, (int, float, Decimal, np.number)) & ~instances(raw, bool)
        numbers = pd.to_numeric(pd.Series(raw[ok], dtype=object), errors="coerce")
        values[ok] = numbers.to_numpy(dtype="float64", na_value=np.nan)
    is_text = text_mask(s) & on_texts(s, lambda t: t.str.fullmatch(_NUMBER_RE), other=False)
    if is_text.any():
        parsed = pd.to_numeric(s[is_text], errors="coerce")
        values[is_text] = parsed.to_numpy(dtype="float64", na_value=np.nan)
    return ok | is_text, values


def _finite(s: pd.Series, compare: np.ufunc, bound: float) -> np.ndarray:
    """Where a finite number compares true to ``bound`` (inf is the "finite" rule's)."""
    values = _numbers(s)[1]
    return np.isfinite(values) & compare(values, bound)


def _scale_ok(s: pd.Series, scale: int) -> np.ndarray:
    if is_integer_dtype(s.dtype):
        return np.ones(len(s), dtype=bool)
    x = _numbers(s)[1]
    with np.errstate(invalid="ignore", over="ignore"):
        rounded = np.round(x * 10.0**scale) / 10.0**scale
        ok = ~(np.abs(rounded - x) > 1e-9 * np.abs(x))  # NaN and inf are other rules' business
    digits = rf"-?\d+(?:\.\d{{0,{scale}}}0*)?"
    texts = on_texts(s, lambda t: t.str.fullmatch(digits) | ~t.str.fullmatch(_NUMBER_RE))
    return np.where(text_mask(s), texts, ok)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def number() -> pdr.Check:
    """Fail values that are neither numbers (bool is not one) nor plain decimal text."""
    return make_check(lambda s: _numbers(s)[0], "number", "must be a number (plain decimal text)")


def finite() -> pdr.Check:
    """Fail infinite numbers."""
    return make_check(lambda s: ~np.isinf(_numbers(s)[1]), "finite", "must be a finite number")


def min_value(low: float) -> pdr.Check:
    """Fail finite numbers below ``low``."""
    return make_check(
        lambda s: ~_finite(s, np.less, low), "min_value", f"must be >= {_number(low)}"
    )


def max_value(high: float) -> pdr.Check:
    """Fail finite numbers above ``high``."""
    error = f"must be <= {_number(high)}"
    return make_check(lambda s: ~_finite(s, np.greater, high), "max_value", error)


def scale(places: int) -> pdr.Check:
    """Fail numbers with more than ``places`` decimals (floats within 1e-9 relative pass)."""
    error = f"must have at most {places} decimal places" if places else "must be a whole number"
    return make_check(lambda s: _scale_ok(s, places), "scale", error)
