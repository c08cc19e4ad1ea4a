"""Vault's text forms for the values of one column, one value family at a time (pure).

Each ``format_*`` function takes an Arrow array of one family and returns its text as a
``pa.string()`` array (null = blank) and its problems: ``None``, or an object array holding,
per row, ``None`` or a message saying why that value cannot be sent faithfully. A value with
a problem is left blank. The date and datetime family is in ``datetimes``; ``blocks``
decides which function a column goes to.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vault_pandas.schema.surrogates import surrogate_rows

Problems = np.ndarray | None
Formatted = tuple[pa.Array, Problems]

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


# --- helpers shared with datetimes, blocks and bodies ----------------------------------------


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
    bad = surrogate_rows(values)
    hint = "has a lone surrogate, which is not text that UTF-8 can carry"
    surrogates = problems_where(bad, [f"{show(v)} {hint}" for v in values[bad]])
    kept = values.astype(object)  # a copy, with the values that cannot be encoded blank
    kept[bad] = None
    text, problems = format_strings(pa.array(kept, pa.string(), from_pandas=True), rules)
    return text, merge_problems(surrogates, problems)


def format_list_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """Lists, tuples, sets and arrays of picklist names: "a,b" (sets sorted); [] is blank."""
    if not rules.multi_value:
        message = "a list can only be sent to a multi-value picklist field"
        return pa.nulls(len(values), pa.string()), np.full(len(values), message, dtype=object)
    joined = [_join_names(v) for v in values]
    names = np.empty(len(joined), dtype=object)
    names[:] = [t for t, _ in joined]
    text, problems = format_string_objects(names, rules)  # a name may hold a lone surrogate
    mask = np.array([p is not None for _, p in joined], dtype=bool)
    own = problems_where(mask, [p for _, p in joined if p is not None])
    return blank_where(text, own), merge_problems(own, problems)


def _join_names(value: Iterable[object]) -> tuple[str | None, str | None]:
    items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    present = [item for item in items if not _blank_item(item)]
    names = [item for item in present if isinstance(item, str)]
    if len(names) != len(present):
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
