"""Vault's text forms for dates and datetimes, the temporal family of ``formatting`` (pure)."""

from __future__ import annotations

import zoneinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vault_pandas.write.formatting import (
    Formatted,
    Problems,
    Rules,
    assemble,
    merge_problems,
    problems_where,
)

_UNITS_PER_MS = {"ms": 1, "us": 1_000, "ns": 1_000_000}
_UNITS_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
_MS_RANGE = (-62_135_596_800_000, 253_402_300_799_999)  # 0001-01-01 to 9999-12-31, as Vault
_DAY_RANGE = (-719_162, 2_932_896)  # the same years, in days since 1970-01-01


def _ints(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Epoch integers of a temporal array (nulls as 0) and where they are valid."""
    ints = arr.view(pa.int32() if pa.types.is_date32(arr.type) else pa.int64())
    ints = pc.fill_null(pc.cast(ints, pa.int64()), 0).to_numpy()
    return ints, arr.is_valid().to_numpy(zero_copy_only=False)


def format_dates(arr: pa.Array, rules: Rules) -> Formatted:
    """Dates as YYYY-MM-DD."""
    days = pc.cast(arr, pa.date32()) if pa.types.is_date64(arr.type) else arr
    ints, valid = _ints(days)
    return _date_text(ints, valid, arr)


def _date_text(days: np.ndarray, valid: np.ndarray, source: pa.Array) -> Formatted:
    outside = valid & ((days < _DAY_RANGE[0]) | (days > _DAY_RANGE[1]))
    days = np.clip(days, *_DAY_RANGE).astype(np.int32)
    text = pc.cast(pa.array(days, pa.date32(), mask=~valid | outside), pa.string())
    shown = pc.cast(source.filter(pa.array(outside)), pa.string()).to_pylist()
    return text, problems_where(outside, [f"{v} is outside the years 1-9999" for v in shown])


def format_timestamps(arr: pa.Array, rules: Rules) -> Formatted:
    """Datetimes as YYYY-MM-DDTHH:MM:SS.mmmZ in UTC (milliseconds truncated); for a Date
    field, the date of a midnight (the wall-clock date for a datetime with a time zone)."""
    if rules.date_only:
        return _timestamps_as_dates(arr)
    problems = None
    if arr.type.tz is None:
        arr, problems = _localize(arr, rules.assume_timezone)
    ints, valid = _ints(arr)
    unit = arr.type.unit
    if unit == "s":  # clipped far outside the valid years so that the product cannot overflow
        ms = np.clip(ints, -(2**40), 2**40) * 1000
    else:
        ms = np.floor_divide(ints, _UNITS_PER_MS[unit])
    outside = valid & ((ms < _MS_RANGE[0]) | (ms > _MS_RANGE[1]))
    ts = pa.array(ms, pa.timestamp("ms"), mask=~valid | outside)
    # casting to text and editing it is ~20x faster than strftime (measurements.md, pitfall 12)
    text = pc.binary_replace_slice(pc.cast(ts, pa.string()), 10, 11, "T")  # years 1-9999 only
    text = pc.binary_replace_slice(text, 23, 23, "Z")
    shown = pc.cast(arr.filter(pa.array(outside)), pa.string()).to_pylist()
    outside_problems = problems_where(outside, [f"{v} is outside the years 1-9999" for v in shown])
    return text, merge_problems(problems, outside_problems)


def _timestamps_as_dates(arr: pa.Array) -> Formatted:
    if arr.type.tz is not None:  # the date on the wall clock of the value's own zone
        arr = pa.array(arr.to_pandas().dt.tz_convert(_zone(arr.type.tz)).dt.tz_localize(None))
    ints, valid = _ints(arr)
    days, rest = np.divmod(ints, _UNITS_PER_DAY[arr.type.unit])
    timed = valid & (rest != 0)
    text, problems = _date_text(days, valid & ~timed, arr)
    shown = pc.cast(arr.filter(pa.array(timed)), pa.string()).to_pylist()
    messages = [f"{v} has a time of day, but the field is a Date" for v in shown]
    return text, merge_problems(problems, problems_where(timed, messages))


def _localize(arr: pa.Array, zone: str | None) -> tuple[pa.Array, Problems]:
    """Naive datetimes read as wall-clock times in ``zone``; never a guess."""
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    naive = arr.to_pandas()
    if zone is None:
        shown = naive[valid].astype(str).tolist()
        hint = "has no time zone: localize the column or pass assume_timezone"
        utc = pa.nulls(len(arr), pa.timestamp(arr.type.unit, "UTC"))
        return utc, problems_where(valid, [f"{v} {hint}" for v in shown])
    tz = _zone(zone)
    local = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    failed = valid & local.isna().to_numpy()
    messages = None
    if failed.any():
        moved = naive[failed].dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
        messages = [
            f"{v} is {'ambiguous' if gap else 'a time that does not exist'} in {zone}"
            for v, gap in zip(naive[failed].astype(str), moved.isna(), strict=True)
        ]
    return pa.array(local), problems_where(failed, messages or [])


def _zone(name: str) -> zoneinfo.ZoneInfo | str:
    """A zone as ``zoneinfo`` has it (pandas < 3 would read a name with pytz, whose offsets
    differ before 1900 and after 2037); a fixed offset such as "+02:00" stays a name."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return name


def format_datetime_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """``datetime`` / ``Timestamp`` / ``datetime64`` objects, naive and aware alike."""
    aware = np.array([getattr(v, "tzinfo", None) is not None for v in values], dtype=bool)
    if rules.date_only and aware.any():  # a Date is read on each value's own wall clock
        wall = [v.replace(tzinfo=None) if a else v for v, a in zip(values, aware, strict=True)]
        values = np.array(wall, dtype=object)
        aware[:] = False
    if aware.any() and not aware.all():
        parts = [
            (np.flatnonzero(m), format_datetime_objects(values[m], rules)) for m in (aware, ~aware)
        ]
        return assemble(len(values), parts)
    try:
        arr = pa.array(pd.to_datetime(values, utc=bool(aware.any())))
    except (pd.errors.OutOfBoundsDatetime, OverflowError):  # pandas < 3: years past 1677-2262
        arr = pa.array(list(values), pa.timestamp("us", "UTC" if aware.any() else None))
    return format_timestamps(arr, rules)


def format_date_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """``datetime.date`` objects: YYYY-MM-DD."""
    return format_dates(pa.array(list(values), pa.date32()), rules)
