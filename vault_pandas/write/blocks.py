"""Frame rows -> a ``FormattedBlock``: each column in Vault's text forms, by its dtype (pure).

``format_frame`` turns a block of rows into one text column per input column, says which
rows cannot be sent faithfully and why, and how many bytes each row adds to a body; the
tables below decide which family of ``formatting`` / ``datetimes`` a column follows, and
``bodies`` writes request bodies from slices of the block.

Decisions: a blank (NaN, None, NA, NaT, "") is an empty CSV field and a JSON ``null``;
datetimes keep their real milliseconds, anything finer is truncated; a value that cannot be
sent as it is (infinity, a naive or non-existent local time, a character Vault would strip)
is never guessed at: it is left blank and its row's ``invalid`` message says why.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import zoneinfo
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vault_pandas.errors import ConfigurationError
from vault_pandas.schema.date_choice_rules import parse_instants
from vault_pandas.schema.surrogates import surrogate_rows
from vault_pandas.write.bodies import ESCAPED_FOR, csv_escaped, json_strings, row_nbytes
from vault_pandas.write.datetimes import (
    format_date_objects,
    format_dates,
    format_datetime_objects,
    format_timestamps,
)
from vault_pandas.write.formatting import (
    Formatted,
    Rules,
    assemble,
    format_bool_objects,
    format_decimal_objects,
    format_decimals,
    format_exact,
    format_float_objects,
    format_floats,
    format_int_objects,
    format_list_objects,
    format_string_objects,
    format_strings,
    format_unknown_objects,
    is_text,
)

VaultType = str  # "String", "LongText", "Number", "Date", "DateTime", "Boolean", "Picklist", ...

#: The one dtype table. A column is converted to Arrow (zero-copy for Arrow-backed dtypes) and
#: written by the first family whose test accepts its Arrow type. Object columns, and types
#: no family accepts (lists, timedelta, Period, ...), are split by the Python type of each
#: value instead, matched in order: bool before int, datetime before date. Categoricals and
#: Arrow dictionaries are written through their categories.
ARROW_FAMILIES: Final[tuple[tuple[Callable[[pa.DataType], bool], Callable], ...]] = (
    (pa.types.is_boolean, format_exact),  # "true" / "false"
    (pa.types.is_integer, format_exact),  # "12", exact at any size
    (pa.types.is_floating, format_floats),  # "0.1", "12", "100000000000000000000"
    (pa.types.is_decimal, format_decimals),  # "1.50"
    (pa.types.is_timestamp, format_timestamps),  # "2024-08-02T08:51:10.123Z" / "2024-08-02"
    (pa.types.is_date, format_dates),  # "2024-08-02"
    (is_text, format_strings),  # the text itself
)
PYTHON_FAMILIES: Final[tuple[tuple[tuple[type, ...], Callable], ...]] = (
    ((bool, np.bool_), format_bool_objects),
    ((int, np.integer), format_int_objects),
    ((float, np.floating), format_float_objects),
    ((decimal.Decimal,), format_decimal_objects),
    ((dt.datetime, np.datetime64), format_datetime_objects),  # pandas.Timestamp too
    ((dt.date,), format_date_objects),
    ((str,), format_string_objects),
    ((list, tuple, set, frozenset, np.ndarray), format_list_objects),  # multi-value only
)
#: The Vault types that change how a value is written: a datetime for a Date field must be a
#: midnight and is written as its date. Every other type leaves each value to its own rule.
DATE_ONLY_TYPES: Final = frozenset({"Date"})


@dataclass
class FormattedBlock:
    """A block of rows in Vault's text forms.

    Attributes
    ----------
    table : pyarrow.Table
        One ``pa.string()`` column per input column, same names and order; null = blank.
        The text is escaped for the body format it was made for (recorded in the schema
        metadata): for CSV every backslash is doubled, for JSON each value is a JSON
        string literal, quotes included. ``csv_body`` / ``json_body`` take slices of it.
    invalid : numpy.ndarray
        Object array, one entry per row: None, or a message naming every value of the row
        that cannot be sent faithfully ("col: why; col2: why"). Those values are blank.
    row_nbytes : numpy.ndarray
        int64, the exact bytes each row adds to a body of the chosen format (CSV: the line
        with its newline; JSON: the object with its separating comma).
    """

    table: pa.Table
    invalid: np.ndarray
    row_nbytes: np.ndarray


def format_frame(
    frame: pd.DataFrame,
    types: Mapping[str, VaultType | None] | None = None,
    *,
    multi_value: Collection[str] = (),
    assume_timezone: str | None = None,
    body_format: Literal["csv", "json"] = "csv",
) -> FormattedBlock:
    """Write every value of ``frame`` in Vault's text form, column by column, vectorised.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any index (results are positional); any dtype: numpy, nullable, Arrow-backed,
        categorical or object columns of mixed Python values.
    types : mapping, optional
        Vault field type per column; only "Date" changes the text (datetimes -> YYYY-MM-DD).
    multi_value : collection of str
        Multi-value picklist columns: a list, tuple, set or array of names is joined with
        commas (sets sorted). In any other column a list is invalid.
    assume_timezone : str, optional
        IANA zone of naive datetimes (e.g. "UTC", "Europe/Paris"). Without it a naive
        datetime for a DateTime field is invalid; a local time that does not exist or is
        ambiguous in the zone is invalid, never guessed.
    body_format : {"csv", "json"}
        In CSV a carriage return not followed by a line feed cannot be sent; ``row_nbytes``
        counts bytes of this format.

    Returns
    -------
    FormattedBlock

    Examples
    --------
    >>> block = format_frame(pd.DataFrame({"n": [12.0, 1e20, float("nan")]}))
    >>> block.table.column("n").to_pylist()
    ['12', '100000000000000000000', None]
    """
    if body_format not in ("csv", "json"):
        raise ConfigurationError(f"body_format must be 'csv' or 'json', not {body_format!r}")
    if isinstance(assume_timezone, str):
        try:
            zoneinfo.ZoneInfo(assume_timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ConfigurationError(f"unknown time zone {assume_timezone!r}") from error
    types, multi = types or {}, frozenset(multi_value)
    escape = functools.partial(csv_escaped, check=False) if body_format == "csv" else json_strings
    texts, messages = [], np.full(len(frame), None, dtype=object)
    for i, name in enumerate(frame.columns):
        rules = Rules(
            date_only=types.get(name) in DATE_ONLY_TYPES,
            multi_value=name in multi,
            assume_timezone=assume_timezone,
            csv=body_format == "csv",
        )
        text, problems = _format_series(_typed_text(frame.iloc[:, i], types.get(name)), rules)
        texts.append(escape(pc.cast(text, pa.string())))
        if problems is None:
            continue
        for row in np.flatnonzero(pd.notna(problems)):
            message = f"{name}: {problems[row]}"
            messages[row] = message if messages[row] is None else f"{messages[row]}; {message}"
    metadata = {ESCAPED_FOR: body_format.encode()}
    table = pa.Table.from_arrays(texts, names=[str(c) for c in frame.columns], metadata=metadata)
    nbytes = row_nbytes(table, body_format, len(frame))
    return FormattedBlock(table=table, invalid=messages, row_nbytes=nbytes)


_OFFSET = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"
ISO_DATETIME = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[zZ]|[+-]\d{2}:?\d{2})?"
)


def plain_text(table: pa.Table) -> dict[str, np.ndarray]:
    """Each column of a formatted table as the text it stands for (None for a blank).

    Undoes the escaping for the body the table was made for (``ESCAPED_FOR``): CSV doubled
    every backslash, JSON made each value a string literal.

    Examples
    --------
    >>> plain_text(format_frame(pd.DataFrame({"s": ["a\\\\b", None]}), {}).table)["s"].tolist()
    ['a\\\\b', None]
    """
    escaped = (table.schema.metadata or {}).get(ESCAPED_FOR, b"csv")
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if escaped == b"csv":  # every backslash was doubled
            values = pc.replace_substring(arr, "\\\\", "\\").to_numpy(zero_copy_only=False)
        else:  # each value is a JSON string literal
            values = [None if v is None else json.loads(v) for v in arr.to_pylist()]
        columns[name] = np.array(values, dtype=object)
    return columns


def _typed_text(series: pd.Series, vault_type: VaultType | None) -> pd.Series:
    """Text given for a DateTime or Boolean field, read as what it says (e.g. from a CSV).

    ISO text such as ``"2024-05-01 12:00:00+02:00"`` becomes that instant (sent in UTC);
    without an offset it is a naive datetime (``assume_timezone`` or invalid); ``"TRUE"``
    becomes ``true``. Other text is left as is, for the validation to report.
    """
    if vault_type not in ("DateTime", "Boolean") or len(series) == 0:
        return series
    if not (pd.api.types.is_string_dtype(series.dtype) or series.dtype == object):
        return series
    values = series.to_numpy(dtype=object).copy()
    if series.dtype == object:
        where = np.flatnonzero([isinstance(v, str) for v in values])
    else:
        where = np.flatnonzero(series.notna().to_numpy())
    try:
        text = pd.Series(values[where], dtype="string")
    except UnicodeEncodeError:  # text with a lone surrogate stays as is: formatting refuses it
        where = where[~surrogate_rows(values[where])]
        text = pd.Series(values[where], dtype="string")
    if vault_type == "Boolean":
        lowered = text.str.strip().str.lower()
        known = lowered.isin(["true", "false"]).to_numpy(dtype=bool)
        values[where[known]] = (lowered[known] == "true").to_numpy(dtype=object)
        return pd.Series(values, index=series.index, dtype=object)
    iso = text.str.fullmatch(ISO_DATETIME).fillna(False).to_numpy(dtype=bool)
    aware = text.str.contains(_OFFSET, regex=True).fillna(False).to_numpy(dtype=bool)
    for mask, utc in ((iso & aware, True), (iso & ~aware, False)):
        if mask.any():
            parsed = parse_instants(text[mask], utc=utc, format="ISO8601")  # years 1-9999
            ok = parsed.notna().to_numpy()
            values[where[np.flatnonzero(mask)[ok]]] = np.array(list(parsed[ok]), dtype=object)
    return pd.Series(values, index=series.index, dtype=object)


def _format_series(series: pd.Series, rules: Rules) -> Formatted:
    """One column's text and problems (see ``formatting``), by the tables above."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _format_categories(series, rules)
    if not pd.api.types.is_object_dtype(series.dtype):
        try:
            arr = pa.array(series, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            arr = None
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if arr is not None and pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        for accepts, formatter in ARROW_FAMILIES if arr is not None else ():
            if accepts(arr.type):
                return formatter(arr, rules)
    return _format_objects(series.to_numpy(dtype=object), rules)


def _format_categories(series: pd.Series, rules: Rules) -> Formatted:
    text, problems = _format_series(pd.Series(series.cat.categories), rules)
    codes = series.cat.codes.to_numpy()
    missing = codes < 0
    out = pc.cast(text, pa.string()).take(pa.array(codes, mask=missing))
    if problems is None:
        return out, None
    row_problems = problems[codes]  # a copy; a missing value (code -1) has none
    row_problems[missing] = None
    return out, row_problems


def _format_objects(values: np.ndarray, rules: Rules) -> Formatted:
    """An object column: each group of values of one Python type by its family's rule."""
    if pd.api.types.infer_dtype(values, skipna=True) == "string":  # text and blanks: one go
        return format_string_objects(values, rules)
    live = np.flatnonzero(~_missing(values))
    if len(live) == 0:
        return pa.nulls(len(values), pa.string()), None
    kinds = np.fromiter(map(type, values[live]), dtype=object, count=len(live))
    codes, uniques = pd.factorize(kinds)
    if len(uniques) == 1 and len(live) == len(values):
        return _python_formatter(uniques[0])(values, rules)
    parts = []
    for code, kind in enumerate(uniques):
        rows = live[codes == code]
        parts.append((rows, _python_formatter(kind)(values[rows], rules)))
    return assemble(len(values), parts)


def _python_formatter(kind: type) -> Callable:
    for types, formatter in PYTHON_FAMILIES:
        if issubclass(kind, types):
            return formatter
    return format_unknown_objects


def _missing(values: np.ndarray) -> np.ndarray:
    try:
        return pd.isna(values)
    except decimal.InvalidOperation:  # pandas cannot test a signalling NaN
        return np.array([_missing_one(v) for v in values], dtype=bool)


def _missing_one(value: object) -> bool:
    if isinstance(value, decimal.Decimal):
        return value.is_nan()
    return bool(pd.isna(np.array([value], dtype=object))[0])
