"""Value rules for dates, date-times, booleans and picklists (names, labels, multi-value).

Each function returns the pandera Check of one rule (reason code = the check's name); see
``vault_pandas.schema.rules.build`` for which field gets which.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vault_pandas.schema.checks import as_bools, dtype_kind, instances, make_check, on_texts

if TYPE_CHECKING:
    import pandera.pandas as pdr

_DATE_RE: Final = r"\d{4}-\d{2}-\d{2}"
_DATETIME_RE: Final = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
_TZ_RE: Final = r"(?:Z|[+-]\d{2}:?\d{2})"


# --- dates and date-times ----------------------------------------------------------------

_FINER_THAN_US: Final = re.compile(r"(\.\d{6})\d+")


def parse_instants(t: pd.Series, *, utc: bool, **to_datetime: Any) -> pd.Series:
    """Text -> ``datetime64[us]`` (``[us, UTC]`` with ``utc``): NaT where it is no date/time.

    ``pd.to_datetime(t, errors="coerce", **to_datetime)``, in one go; the values it makes NaT
    are parsed again in microseconds, which hold the years 1-9999 that Vault takes (pandas
    2 parses text into nanoseconds: the years 1677-2262 only, so ``9999-12-31``, a common
    "no end" date, would be NaT). Digits finer than microseconds are dropped.

    Examples
    --------
    >>> parse_instants(pd.Series(["9999-12-31", "2024-02-30", None]), utc=False).tolist()
    [Timestamp('9999-12-31 00:00:00'), NaT, NaT]
    """
    unit = pd.DatetimeTZDtype("us", "UTC") if utc else np.dtype("datetime64[us]")
    parsed = pd.to_datetime(t, errors="coerce", utc=utc, **to_datetime)
    parsed = parsed.astype(unit) if parsed.dtype != unit else parsed
    again = np.flatnonzero(parsed.isna().to_numpy() & t.notna().to_numpy())
    if len(again):  # invalid text, or (pandas 2) beyond the nanosecond years
        texts = t.iloc[again].astype(object).str.replace(_FINER_THAN_US, r"\1", regex=True)
        try:
            redone = texts.astype(unit)
        except (ValueError, TypeError, OverflowError):  # some are invalid: one by one
            redone = pd.Series([_instant(v, unit) for v in texts], dtype=unit)
        parsed.iloc[again] = redone.array
    return parsed


def _instant(text: Any, unit: Any) -> Any:
    try:
        return pd.Series([text], dtype=object).astype(unit).iloc[0]
    except (ValueError, TypeError, OverflowError):
        return pd.NaT


def _parsed_ok(t: pd.Series, shape: str, **to_datetime: Any) -> np.ndarray:
    shaped = as_bools(t.str.fullmatch(shape))
    parsed = parse_instants(t.where(shaped), **to_datetime)
    return shaped & parsed.notna().to_numpy()


def _temporal_ok(s: pd.Series, kinds: tuple[str, ...], types: Any, text: Callable) -> np.ndarray:
    kind = dtype_kind(s.dtype)
    if kind in kinds:
        return np.ones(len(s), dtype=bool)
    ok = instances(s.to_numpy(), types) if kind == "object" else np.zeros(len(s), dtype=bool)
    return ok | on_texts(s, text, other=False)


def _date_ok(s: pd.Series) -> np.ndarray:
    text = partial(_parsed_ok, shape=_DATE_RE, utc=False, format="%Y-%m-%d")
    return _temporal_ok(s, ("datetime", "date"), (dt.date, np.datetime64), text)


def _datetime_ok(s: pd.Series) -> np.ndarray:
    text = partial(_parsed_ok, shape=_DATETIME_RE + _TZ_RE + "?", format="ISO8601", utc=True)
    return _temporal_ok(s, ("datetime",), (dt.datetime, np.datetime64), text)


def _has_time(value: Any) -> bool:
    if isinstance(value, dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        return stamp is not pd.NaT and stamp != stamp.normalize()  # NaT is missing: no time
    return False


def _date_only_ok(s: pd.Series) -> np.ndarray:
    kind = dtype_kind(s.dtype)
    if kind == "datetime":
        return as_bools(s == s.dt.normalize())
    if kind != "object":
        return np.ones(len(s), dtype=bool)
    return ~np.fromiter(map(_has_time, s.to_numpy()), dtype=bool, count=len(s))


def _is_naive(value: Any) -> bool:
    if isinstance(value, dt.datetime):
        return value.utcoffset() is None
    return isinstance(value, np.datetime64)


def _aware_ok(s: pd.Series) -> np.ndarray:
    kind = dtype_kind(s.dtype)
    if kind == "datetime":
        return np.full(len(s), s.dt.tz is not None)
    ok = np.ones(len(s), dtype=bool)
    if kind == "object":
        ok = ~np.fromiter(map(_is_naive, s.to_numpy()), dtype=bool, count=len(s))
    return ok & on_texts(s, lambda t: ~t.str.fullmatch(_DATETIME_RE))


def date() -> pdr.Check:
    """Fail values that are not dates: datetime values, ``datetime.date`` or ``YYYY-MM-DD``."""
    return make_check(_date_ok, "date", "must be a date (YYYY-MM-DD)")


def date_only() -> pdr.Check:
    """Fail datetime values with a time of day (midnight passes)."""
    return make_check(_date_only_ok, "date_only", "must be a date without a time of day")


def datetime() -> pdr.Check:
    """Fail values that are not datetime values or ISO 8601 date-and-time text."""
    return make_check(_datetime_ok, "datetime", "must be a date and time (ISO 8601)")


def timezone() -> pdr.Check:
    """Fail date-times without a time zone (naive values, text without an offset)."""
    error = "has no time zone (localize it, or pass assume_timezone=)"
    return make_check(_aware_ok, "timezone", error)


# --- booleans --------------------------------------------------------------------------------


def _boolean_ok(s: pd.Series) -> np.ndarray:
    kind = dtype_kind(s.dtype)
    if kind == "bool":
        return np.ones(len(s), dtype=bool)
    ok = instances(s.to_numpy(), bool | np.bool_) if kind == "object" else np.zeros(len(s), bool)
    return ok | on_texts(s, lambda t: t.str.lower().isin(["true", "false"]), other=False)


def boolean() -> pdr.Check:
    """Fail values that are neither bool nor the text ``true``/``false`` (any case)."""
    return make_check(_boolean_ok, "boolean", "must be true or false")


# --- picklists -------------------------------------------------------------------------------


def _text_picks_ok(t: pd.Series, names: list[str], multi: bool) -> np.ndarray:
    ok = as_bools(t.isin(names))
    if multi and not ok.all():  # comma-separated names: split in Arrow, no Python loop
        rest = np.flatnonzero(~ok)
        lists = pc.split_pattern(pa.array(t.iloc[rest], from_pandas=True), ",")
        flat = pc.list_flatten(lists)
        good = pc.is_in(flat, value_set=pa.array(names, type=flat.type))
        bad_parents = pc.list_parent_indices(lists).to_numpy()[~as_bools(good.to_numpy(False))]
        ok[rest] = True
        ok[rest[bad_parents]] = False
    return ok


def _items_ok(items: Any, names: Mapping[str, str], multi: bool) -> bool:
    items = list(items)
    return (multi or len(items) <= 1) and all(isinstance(i, str) and i in names for i in items)


def picklist(name: str, values: Mapping[str, str], multi: bool) -> pdr.Check:
    """Fail values that are not value names of picklist ``name`` (``values``: name -> label).

    A ``multi`` field takes a list/tuple of names or one comma-separated text without spaces;
    a failed value is explained with the name of a label, or the closest names.
    """
    names = list(values)

    def rule(s: pd.Series) -> np.ndarray:
        ok = on_texts(s, lambda t: _text_picks_ok(t, names, multi), other=False)
        if dtype_kind(s.dtype) == "object":
            raw = s.to_numpy()
            for i in np.flatnonzero(instances(raw, list | tuple | np.ndarray)):
                ok[i] = _items_ok(raw[i], values, multi)
        return ok

    kind = "names (a list, or comma-separated)" if multi else "a value name"
    return make_check(
        rule,
        "picklist",
        f"must be {kind} of picklist {name}",
        explain=partial(_explain_pick, values, name, multi),
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
