"""Vectorised checks on Vault field values: one pandera ``Check`` per rule, for any dtype."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_integer_dtype,
    is_numeric_dtype,
    is_string_dtype,
)

try:
    import pandera.pandas as pdr
except ImportError:  # pragma: no cover - pandera < 0.24 has no pandera.pandas
    import pandera as pdr  # type: ignore[no-redef]

if TYPE_CHECKING:
    from vault_pandas.schema.metadata import FieldSpec

# --- value rules: each returns a bool "ok" array over non-null values of any dtype ---------

_NUMBER_RE: Final = r"-?\d+(?:\.\d+)?"
_DATE_RE: Final = r"\d{4}-\d{2}-\d{2}"
_DATETIME_RE: Final = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
_TZ_RE: Final = r"(?:Z|[+-]\d{2}:?\d{2})"
_Rule = Callable[[pd.Series], np.ndarray]


@dataclass(frozen=True)
class Context:
    """What checks need beyond the field: the object, picklist values, the assumed time zone."""

    object_name: str
    prefix: str | None
    picklists: Mapping[str, Mapping[str, str]]
    assume_timezone: Any


def _kind(dtype: Any) -> str:
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


def _isinstance(values: np.ndarray, types: Any) -> np.ndarray:
    # Only object columns come here: mixed Python values cannot be typed without a pass.
    return np.fromiter((isinstance(v, types) for v in values), dtype=bool, count=len(values))


def _bools(result: Any) -> np.ndarray:
    if isinstance(result, pd.Series | pd.Index):
        result = result.to_numpy(dtype=bool, na_value=False)
    out = np.asarray(result, dtype=bool)
    return out if out.flags.writeable else out.copy()  # Arrow hands out read-only buffers


def _texts(s: pd.Series) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind == "object":
        return _isinstance(s.to_numpy(), str)
    return np.full(len(s), kind == "string")


def _on_texts(s: pd.Series, test: Callable[[pd.Series], Any], other: bool = True) -> np.ndarray:
    """Apply ``test`` to the text values of ``s``; other values get ``other``."""
    mask = _texts(s)
    out = np.full(len(s), other, dtype=bool)
    if not mask.any():
        return out
    out[mask] = _bools(test(s if mask.all() else s[mask]))
    return out


def _per_value(rule: _Rule) -> _Rule:
    """Evaluate a per-value rule once per category instead of once per row."""

    def apply(s: pd.Series) -> np.ndarray:
        if not isinstance(s.dtype, pd.CategoricalDtype):
            return rule(s)
        ok = _bools(rule(pd.Series(s.cat.categories)))
        codes = s.cat.codes.to_numpy()
        return ok[codes] | (codes < 0) if ok.size else np.ones(len(s), dtype=bool)

    return apply


def _check(
    rule: _Rule,
    code: str,
    error: str,
    *,
    explain: Callable[[Any], str] | None = None,
    ignore_na: bool = True,
    per_value: bool = True,
) -> pdr.Check:
    apply = _per_value(rule) if per_value else rule

    def vault_rule(s: pd.Series) -> pd.Series:
        # Missing values pass (the "required" checks see them). Dropping them here, only
        # when there are any, is much cheaper than pandera's ignore_na, which filters every
        # column even when nothing is missing.
        missing = s.isna().to_numpy(dtype=bool) if ignore_na else None
        if missing is None or not missing.any():
            return pd.Series(_bools(apply(s)), index=s.index)
        try:  # rules see missing values and their verdict there is overridden: no copy
            ok = _bools(apply(s)) | missing
        except (TypeError, ValueError, pa.ArrowException):  # a rule that cannot see them
            ok = np.ones(len(s), dtype=bool)
            ok[~missing] = _bools(apply(s[~missing]))
        return pd.Series(ok, index=s.index)

    stats = {"explain": explain} if explain else None  # validation's hook for messages
    return pdr.Check(vault_rule, name=code, error=error, ignore_na=False, statistics=stats)


def _arrow(s: pd.Series) -> pa.Array | None:
    """The Arrow array of an Arrow-backed text series (Arrow kernels beat ``.str`` here)."""
    if _kind(s.dtype) == "string" and getattr(s.dtype, "storage", "pyarrow") == "pyarrow":
        return pa.array(s, from_pandas=True)
    return None


def _empty_text(t: pd.Series) -> Any:
    arr = _arrow(t)
    if arr is None:
        return t.str.strip() == ""
    return pc.or_(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr))


def _text_length(t: pd.Series) -> np.ndarray:
    arr = _arrow(t)
    lengths = t.str.len() if arr is None else pc.utf8_length(arr)
    return np.asarray(lengths.to_numpy(zero_copy_only=False) if arr is not None else lengths)


def _blank(s: pd.Series) -> np.ndarray:
    empty = _per_value(lambda t: _on_texts(t, _empty_text, other=False))(s)
    return s.isna().to_numpy(dtype=bool) | empty


def _not_duplicated(s: pd.Series) -> np.ndarray:
    blank = _blank(s)
    kept = s[~blank] if blank.any() else s
    out = np.ones(len(s), dtype=bool)
    arr = _arrow(kept)
    if arr is not None and len(pc.unique(arr)) == len(arr):  # the usual case, and cheaper
        return out
    try:
        dup = kept.duplicated(keep=False).to_numpy()
    except TypeError:  # unhashable values (lists) in an object column
        dup = kept.map(repr).duplicated(keep=False).to_numpy()
    out[~blank] = ~dup
    return out


def required() -> pdr.Check:
    """Fail blank values (NA, or whitespace-only text) of a required field."""
    return _check(lambda s: ~_blank(s), "required", "is required", ignore_na=False, per_value=False)


def id_required(operation: str) -> pdr.Check:
    """Fail blank record ids: ``operation`` needs one on every row."""
    error = f"is required: {operation} needs the record id"
    return _check(lambda s: ~_blank(s), "required", error, ignore_na=False, per_value=False)


def key_required(id_param: str) -> pdr.Check:
    """Fail blank values of the upsert key ``id_param``."""
    error = f"is blank, but it is the key that matches records (id_param={id_param!r})"
    return _check(lambda s: ~_blank(s), "key_required", error, ignore_na=False, per_value=False)


def key_unique() -> pdr.Check:
    """Fail every row whose upsert key is repeated in the frame."""
    error = "duplicated within the frame (Vault rejects a whole request with a repeated key)"
    return _check(_not_duplicated, "key_unique", error, per_value=False)


def duplicates() -> pdr.Check:
    """Fail every row whose value of a unique field is repeated in the frame."""
    return _check(_not_duplicated, "unique", "duplicated within the frame", per_value=False)


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (is a number, float value or NaN) for each value."""
    kind = _kind(s.dtype)
    if kind == "number":
        return np.ones(len(s), dtype=bool), s.to_numpy(dtype="float64", na_value=np.nan)
    ok, values = np.zeros(len(s), dtype=bool), np.full(len(s), np.nan)
    if kind == "object":
        raw = s.to_numpy()
        ok = _isinstance(raw, (int, float, Decimal, np.number)) & ~_isinstance(raw, bool)
        numbers = pd.to_numeric(pd.Series(raw[ok], dtype=object), errors="coerce")
        values[ok] = numbers.to_numpy(dtype="float64", na_value=np.nan)
    text = _texts(s) & _on_texts(s, lambda t: t.str.fullmatch(_NUMBER_RE), other=False)
    if text.any():
        parsed = pd.to_numeric(s[text], errors="coerce")
        values[text] = parsed.to_numpy(dtype="float64", na_value=np.nan)
    return ok | text, values


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
    text = _on_texts(s, lambda t: t.str.fullmatch(digits) | ~t.str.fullmatch(_NUMBER_RE))
    return np.where(_texts(s), text, ok)


def _parsed_ok(t: pd.Series, shape: str, **to_datetime: Any) -> np.ndarray:
    shaped = _bools(t.str.fullmatch(shape))
    parsed = pd.to_datetime(t.where(shaped), errors="coerce", **to_datetime)
    return shaped & parsed.notna().to_numpy()


def _temporal_ok(s: pd.Series, kinds: tuple[str, ...], types: Any, text: Callable) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind in kinds:
        return np.ones(len(s), dtype=bool)
    ok = _isinstance(s.to_numpy(), types) if kind == "object" else np.zeros(len(s), dtype=bool)
    return ok | _on_texts(s, text, other=False)


def _date_ok(s: pd.Series) -> np.ndarray:
    text = partial(_parsed_ok, shape=_DATE_RE, format="%Y-%m-%d")
    return _temporal_ok(s, ("datetime", "date"), (dt.date, np.datetime64), text)


def _datetime_ok(s: pd.Series) -> np.ndarray:
    text = partial(_parsed_ok, shape=_DATETIME_RE + _TZ_RE + "?", format="ISO8601", utc=True)
    return _temporal_ok(s, ("datetime",), (dt.datetime, np.datetime64), text)


def _has_time(value: Any) -> bool:
    if isinstance(value, dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        return stamp != stamp.normalize()
    return False


def _date_only_ok(s: pd.Series) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind == "datetime":
        return _bools(s == s.dt.normalize())
    if kind != "object":
        return np.ones(len(s), dtype=bool)
    return ~np.fromiter(map(_has_time, s.to_numpy()), dtype=bool, count=len(s))


def _is_naive(value: Any) -> bool:
    if isinstance(value, dt.datetime):
        return value.utcoffset() is None
    return isinstance(value, np.datetime64)


def _aware_ok(s: pd.Series) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind == "datetime":
        return np.full(len(s), s.dt.tz is not None)
    ok = np.ones(len(s), dtype=bool)
    if kind == "object":
        ok = ~np.fromiter(map(_is_naive, s.to_numpy()), dtype=bool, count=len(s))
    return ok & _on_texts(s, lambda t: ~t.str.fullmatch(_DATETIME_RE))


def _boolean_ok(s: pd.Series) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind == "bool":
        return np.ones(len(s), dtype=bool)
    ok = _isinstance(s.to_numpy(), bool | np.bool_) if kind == "object" else np.zeros(len(s), bool)
    return ok | _on_texts(s, lambda t: t.str.lower().isin(["true", "false"]), other=False)


def _text_picks_ok(t: pd.Series, names: list[str], multi: bool) -> np.ndarray:
    ok = _bools(t.isin(names))
    if multi and not ok.all():  # comma-separated names: split in Arrow, no Python loop
        rest = np.flatnonzero(~ok)
        lists = pc.split_pattern(pa.array(t.iloc[rest], from_pandas=True), ",")
        flat = pc.list_flatten(lists)
        good = pc.is_in(flat, value_set=pa.array(names, type=flat.type))
        bad_parents = pc.list_parent_indices(lists).to_numpy()[~_bools(good.to_numpy(False))]
        ok[rest] = True
        ok[rest[bad_parents]] = False
    return ok


def _items_ok(items: Any, names: Mapping[str, str], multi: bool) -> bool:
    items = list(items)
    return (multi or len(items) <= 1) and all(isinstance(i, str) and i in names for i in items)


def _picklist(field: FieldSpec, ctx: Context) -> pdr.Check:
    assert field.picklist is not None
    values, multi = ctx.picklists[field.picklist], field.multi_value
    names = list(values)

    def rule(s: pd.Series) -> np.ndarray:
        ok = _on_texts(s, lambda t: _text_picks_ok(t, names, multi), other=False)
        if _kind(s.dtype) == "object":
            raw = s.to_numpy()
            for i in np.flatnonzero(_isinstance(raw, list | tuple | np.ndarray)):
                ok[i] = _items_ok(raw[i], values, multi)
        return ok

    kind = "names (a list, or comma-separated)" if multi else "a value name"
    return _check(
        rule,
        "picklist",
        f"must be {kind} of picklist {field.picklist}",
        explain=partial(_explain_pick, values, field.picklist, multi),
    )


def _explain_pick(values: Mapping[str, str], picklist: str, multi: bool, value: Any) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        items = list(value)
    else:
        items = value.split(",") if isinstance(value, str) else [value]
    if not multi and len(items) > 1:
        return f"takes one value, got {len(items)} ({_short(value)})"
    bad = [i for i in items if not (isinstance(i, str) and i in values)]
    hints = [_pick_hint(values, picklist, i) for i in bad]
    return "; ".join(hints) or f"must be a value name of picklist {picklist}"


def _pick_hint(values: Mapping[str, str], picklist: str, item: Any) -> str:
    if not isinstance(item, str):
        return f"{_short(item)} is not a value name of picklist {picklist}"
    by_label = {str(label).strip().lower(): name for name, label in values.items() if label}
    name = by_label.get(item.strip().lower())
    if name is not None:
        return f"{item!r} is a label; use the name {name!r}"
    close = difflib.get_close_matches(item.strip().lower(), list(values), n=1)
    shown = ", ".join(list(values)[:6]) + (", ..." if len(values) > 6 else "")
    hint = f"did you mean {close[0]!r}?" if close else f"names: {shown}"
    return f"{_short(item)} is not in picklist {picklist} ({hint})"


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def build(rule: str, field: FieldSpec | None, ctx: Context) -> pdr.Check | None:
    """Return the check for ``rule`` on ``field`` (None: the metadata sets no such limit).

    ``rule`` is a reason code of ``vault_pandas.schema.metadata.TYPE_RULES``; ``field`` may be None
    only for the rules that need no metadata (``text``, ``not_empty``).

    Examples
    --------
    >>> from vault_pandas.schema.metadata import FieldSpec
    >>> ctx = Context("a__c", None, {}, None)
    >>> check = build("max_length", FieldSpec("s__c", "String", max_length=3), ctx)
    >>> check.name, check.error
    ('max_length', 'must be at most 3 characters')
    >>> build("max_length", FieldSpec("s__c", "String"), ctx) is None
    True
    """
    if rule == "text":
        return _check(_texts, "text", "must be text (a str)")
    if rule == "not_empty":
        error = "must not be empty text (leave the cell blank for no value)"
        return _check(lambda s: ~_blank(s), "not_empty", error)
    assert field is not None
    if rule == "record_id" and ctx.prefix:
        prefix = ctx.prefix
        error = f"is not a {ctx.object_name} record id (those start with {prefix!r})"
        return _check(lambda s: _on_texts(s, lambda t: t.str.startswith(prefix)), rule, error)
    if rule == "max_length" and field.max_length is not None:
        n = field.max_length
        return _check(
            lambda s: _on_texts(s, lambda t: _text_length(t) <= n),
            rule,
            f"must be at most {n} characters",
            explain=lambda v: f"must be at most {n} characters (got {len(v)})",
        )
    if rule == "number":
        return _check(lambda s: _numbers(s)[0], rule, "must be a number (plain decimal text)")
    if rule == "finite":
        return _check(lambda s: ~np.isinf(_numbers(s)[1]), rule, "must be a finite number")
    if rule == "min_value" and field.min_value is not None:
        low = field.min_value
        return _check(lambda s: ~_finite(s, np.less, low), rule, f"must be >= {_number(low)}")
    if rule == "max_value" and field.max_value is not None:
        high = field.max_value
        return _check(lambda s: ~_finite(s, np.greater, high), rule, f"must be <= {_number(high)}")
    if rule == "scale" and field.scale is not None:
        scale = field.scale
        error = f"must have at most {scale} decimal places" if scale else "must be a whole number"
        return _check(lambda s: _scale_ok(s, scale), rule, error)
    if rule in _TEMPORAL_RULES and (rule != "timezone" or ctx.assume_timezone is None):
        test, error = _TEMPORAL_RULES[rule]
        return _check(test, rule, error)
    if rule == "picklist" and field.picklist:
        return _picklist(field, ctx)
    return None


_TEMPORAL_RULES: Final[Mapping[str, tuple[_Rule, str]]] = {
    "date": (_date_ok, "must be a date (YYYY-MM-DD)"),
    "date_only": (_date_only_ok, "must be a date without a time of day"),
    "datetime": (_datetime_ok, "must be a date and time (ISO 8601)"),
    "timezone": (
        _aware_ok,
        "has no time zone (localize it, or pass assume_timezone=)",
    ),
    "boolean": (_boolean_ok, "must be true or false"),
}
