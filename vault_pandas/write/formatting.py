"""Vault's text forms for the values of one column, one value family at a time (pure).

Each ``format_*`` function takes an Arrow array of one family and returns its text as a
``pa.string()`` array (null = blank) and its problems: ``None``, or an object array holding,
per row, ``None`` or a message saying why that value cannot be sent faithfully. A value with
a problem is left blank. ``serialization`` decides which function a column goes to.
"""

from __future__ import annotations

import decimal
import zoneinfo
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Problems = np.ndarray | None
Formatted = tuple[pa.Array, Problems]

_UNITS_PER_MS = {"ms": 1, "us": 1_000, "ns": 1_000_000}
_UNITS_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
_MS_RANGE = (-62_135_596_800_000, 253_402_300_799_999)  # 0001-01-01 to 9999-12-31, as Vault
_DAY_RANGE = (-719_162, 2_932_896)  # the same years, in days since 1970-01-01
_NOT_XML = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"  # lone surrogates never reach Arrow
BARE_CR = "\r([^\n]|$)"  # a carriage return not followed by a line feed
_NULL_TEXT = pa.scalar(None, pa.string())


@dataclass(frozen=True)
class Rules:
    """What the text of a column depends on besides its values."""

    date_only: bool = False  # the Vault field is a Date: datetimes must be midnights
    multi_value: bool = False  # lists of picklist names are allowed, joined with commas
    assume_timezone: str | None = None  # the zone of naive datetimes, when the caller gave one
    csv: bool = True  # the body is CSV, where a bare carriage return cannot be sent


# --- helpers shared with serialization -------------------------------------------------------


def value_offsets(arr: pa.Array) -> np.ndarray:
    """Offsets of the values of a string array into its data buffer (no copy)."""
    if len(arr) == 0:
        return np.zeros(1, dtype=np.int64)
    width = np.dtype(np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    raw = arr.buffers()[1]
    return np.frombuffer(raw, width, count=len(arr) + 1, offset=arr.offset * width.itemsize)


def value_array(arr: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of all values of a string array, back to back, as a uint8 array
    without a copy (a fast way to scan them)."""
    data = arr.buffers()[2] if len(arr) else None
    if data is None:
        return np.empty(0, dtype=np.uint8)
    offsets = value_offsets(arr)
    return np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]


def maybe_bare_cr(arr: pa.Array) -> bool:
    """Whether a value may hold a carriage return not followed by a line feed (a quick scan)."""
    data = value_array(arr)
    cr = data == 13
    if not cr.any():
        return False
    offsets = value_offsets(arr) - value_offsets(arr)[0]
    ends = offsets[1:][offsets[1:] > offsets[:-1]] - 1  # a CR ending a value is bare
    return np.count_nonzero(cr[:-1] & (data[1:] == 10)) != np.count_nonzero(cr) or cr[ends].any()


def problems_where(mask: np.ndarray, messages: list[str] | str) -> Problems:
    """An object array with ``messages`` where ``mask`` is set, or None when it is not."""
    if not mask.any():
        return None
    out = np.full(len(mask), None, dtype=object)
    out[mask] = messages
    return out


def merge_problems(*parts: Problems) -> Problems:
    """Join several problem arrays of one column into one, messages separated by "; "."""
    present = [p for p in parts if p is not None]
    if len(present) <= 1:
        return present[0] if present else None
    out = present[0].copy()
    for part in present[1:]:
        for i in np.flatnonzero(pd.notna(part)):  # problem rows only
            out[i] = part[i] if out[i] is None else f"{out[i]}; {part[i]}"
    return out


def blank_where(text: pa.Array, problems: Problems) -> pa.Array:
    """``text`` with the values that have a problem left blank."""
    if problems is None:
        return text
    return pc.if_else(pa.array(pd.notna(problems)), _NULL_TEXT, text)


def show(value: object) -> str:
    """A value as it appears in a message: its repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _filled(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


# --- numbers and booleans --------------------------------------------------------------------


def format_exact(arr: pa.Array, rules: Rules) -> Formatted:
    """Integers ("12", exact at any size) and booleans ("true" / "false")."""
    return pc.cast(arr, pa.string()), None


def plain_number(text: str) -> str:
    """Number text without an exponent: "1e+20" -> "100000000000000000000", "-0" -> "0"."""
    out = format(decimal.Decimal(text), "f")
    return out[1:] if out.startswith("-") and not out.strip("-0.") else out


def format_floats(arr: pa.Array, rules: Rules) -> Formatted:
    """Shortest round-trip text ("0.1"), never an exponent, no ".0"; NaN blank; inf invalid."""
    digits = None
    if pa.types.is_float16(arr.type):  # Arrow prints halves with float32 digits
        values = arr.to_numpy(zero_copy_only=False).astype(np.float16)
        digits = pa.array([_half_text(v) if np.isfinite(v) else None for v in values], pa.string())
        arr = pa.array(values.astype(np.float32), mask=~arr.is_valid().to_numpy(False))
    inf = pc.fill_null(pc.is_inf(arr), False)
    blank = pc.or_(inf, pc.fill_null(pc.is_nan(arr), False))
    if digits is None:  # +0 turns -0.0 into 0.0; Arrow writes the shortest round-trip digits
        digits = pc.cast(pc.add(arr, pa.scalar(0, arr.type)), pa.string())
    text = pc.if_else(blank, _NULL_TEXT, digits)
    if (value_array(text) == ord("e")).any():
        odd = pa.array(_filled(pc.match_substring(text, "e")))
        plain = [plain_number(t) for t in text.filter(odd).to_pylist()]
        text = pc.replace_with_mask(text, odd, pa.array(plain, pa.string()))
    infinities = arr.filter(inf).to_pylist()
    messages = [f"cannot send {'-' if v < 0 else ''}infinity" for v in infinities]
    return text, problems_where(_filled(inf), messages)


def _half_text(value: np.float16) -> str:
    text = np.format_float_positional(value, unique=True, trim="-")
    return "0" if text == "-0" else text


def format_decimals(arr: pa.Array, rules: Rules) -> Formatted:
    """Arrow decimals as plain text, keeping their scale ("1.50")."""
    text = pc.cast(arr, pa.string())
    if (value_array(text) == ord("E")).any():
        odd = pa.array(_filled(pc.match_substring(text, "E")))
        plain = [plain_number(t) for t in text.filter(odd).to_pylist()]
        text = pc.replace_with_mask(text, odd, pa.array(plain, pa.string()))
    return text, None


def format_decimal_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """``decimal.Decimal`` objects as plain text ("1E+2" -> "100"); infinities invalid."""
    infinite = np.array([d.is_infinite() for d in values], dtype=bool)
    text = [None if bad else plain_number(str(d)) for d, bad in zip(values, infinite, strict=True)]
    messages = [f"cannot send {d} (infinity)" for d in values[infinite]]
    return pa.array(text, pa.string()), problems_where(infinite, messages)


# --- dates and datetimes ---------------------------------------------------------------------


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


# --- text ------------------------------------------------------------------------------------


def format_strings(arr: pa.Array, rules: Rules) -> Formatted:
    """Text byte for byte; "" is blank. Characters Vault would strip, and a carriage return
    not followed by a line feed in a CSV body, make the value invalid."""
    arr = pc.cast(arr, pa.string())
    empty = pc.equal(pc.binary_length(arr), 0)
    if pc.any(empty).as_py():
        arr = pc.if_else(empty, _NULL_TEXT, arr)
    data = value_array(arr)
    problems = None
    low = data < 32
    if (low & (data != 9) & (data != 10) & (data != 13)).any() or (data == 0xEF).any():
        bad = _filled(pc.match_substring_regex(arr, _NOT_XML))  # 0xEF: maybe U+FFFE, U+FFFF
        messages = [_not_xml_message(v) for v in arr.filter(pa.array(bad)).to_pylist()]
        problems = problems_where(bad, messages)
    if rules.csv and maybe_bare_cr(arr):
        bare = _filled(pc.match_substring_regex(arr, BARE_CR))
        hint = "has a carriage return without a line feed, which CSV cannot carry (use JSON)"
        messages = [f"{show(v)} {hint}" for v in arr.filter(pa.array(bare)).to_pylist()]
        problems = merge_problems(problems, problems_where(bare, messages))
    return blank_where(arr, problems), problems


def _not_xml_message(value: str) -> str:
    bad = sorted({c for c in value if c in "\ufffe\uffff" or (c < " " and c not in "\t\n\r")})
    codes = ", ".join(f"U+{ord(c):04X}" for c in bad)
    return f"{show(value)} has characters outside XML 1.0 ({codes}), which Vault would strip"


def format_string_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """``str`` objects; a lone surrogate cannot be encoded in UTF-8 and makes the value invalid."""
    try:
        return format_strings(pa.array(values, pa.string(), from_pandas=True), rules)
    except UnicodeEncodeError:
        pass
    bad = np.array([isinstance(v, str) and not _encodable(v) for v in values], dtype=bool)
    hint = "has a lone surrogate, which is not text that UTF-8 can carry"
    surrogates = problems_where(bad, [f"{show(v)} {hint}" for v in values[bad]])
    kept = pa.array(np.where(bad, None, values), pa.string(), from_pandas=True)
    text, problems = format_strings(kept, rules)
    return text, merge_problems(surrogates, problems)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def format_list_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """Lists, tuples, sets and arrays of picklist names: "a,b" (sets sorted); [] is blank."""
    if not rules.multi_value:
        message = "a list can only be sent to a multi-value picklist field"
        return pa.nulls(len(values), pa.string()), np.full(len(values), message, dtype=object)
    joined = [_join_names(v) for v in values]
    text, problems = format_strings(pa.array([t for t, _ in joined], pa.string()), rules)
    mask = np.array([p is not None for _, p in joined], dtype=bool)
    own = problems_where(mask, [p for _, p in joined if p is not None])
    return blank_where(text, own), merge_problems(own, problems)


def _join_names(value: object) -> tuple[str | None, str | None]:
    items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    names = [item for item in items if not _blank_item(item)]
    if not all(isinstance(name, str) for name in names):
        return None, f"{show(value)} holds a value that is not a picklist name (text)"
    if any("," in name for name in names):
        return None, f"{show(value)} holds a name with a comma, which would split it in two"
    return ",".join(name for name in names if name) or None, None


def is_text(typ: pa.DataType) -> bool:
    """Whether an Arrow type holds text (string, large_string or string_view)."""
    view = getattr(pa.types, "is_string_view", lambda _: False)  # pyarrow >= 16
    return pa.types.is_string(typ) or pa.types.is_large_string(typ) or view(typ)


def format_bool_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """``bool`` / ``numpy.bool_`` objects: "true" / "false"."""
    return format_exact(pa.array(values.astype(bool)), rules)


def format_int_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """``int`` / numpy integer objects of one type, exact at any size."""
    typ = type(values[0])
    try:
        return format_exact(
            pa.array(values.astype(typ if issubclass(typ, np.integer) else np.int64)), rules
        )
    except OverflowError:  # beyond 64 bits: Python's own digits are exact
        return pa.array([str(int(v)) for v in values], pa.string()), None


def format_float_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """``float`` / numpy float objects of one type, with the digits of that type."""
    typ = type(values[0])
    return format_floats(
        pa.array(values.astype(typ if issubclass(typ, np.floating) else float)), rules
    )


def format_date_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """``datetime.date`` objects: YYYY-MM-DD."""
    return format_dates(pa.array(list(values), pa.date32()), rules)


def _blank_item(item: object) -> bool:
    return item is None or item is pd.NA or (isinstance(item, float) and item != item)


def format_unknown_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """Values of a type Vault has no text form for (timedelta, Period, dict, ...)."""
    messages = [f"no Vault text form for {type(v).__name__} values ({show(v)})" for v in values]
    return pa.nulls(len(values), pa.string()), np.array(messages, dtype=object)


def assemble(n: int, parts: list[tuple[np.ndarray, Formatted]]) -> Formatted:
    """One column of ``n`` rows from the formatted groups of its rows (others blank)."""
    where = np.full(n, sum(len(rows) for rows, _ in parts), dtype=np.int64)
    problems = np.full(n, None, dtype=object)
    start = 0
    for rows, (_, part_problems) in parts:
        where[rows] = np.arange(start, start + len(rows))
        start += len(rows)
        if part_problems is not None:
            problems[rows] = part_problems
    texts = [pc.cast(text, pa.string()) for _, (text, _) in parts]
    text = pa.concat_arrays([*texts, pa.nulls(1, pa.string())]).take(pa.array(where))
    return text, problems if pd.notna(problems).any() else None
