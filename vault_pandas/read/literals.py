"""VQL literals: Python values written as quoted, injection-safe VQL values and CONTAINS lists."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from vault_pandas.errors import ConfigurationError
from vault_pandas.transport import names

#: Container types taken as a list of values (``CONTAINS``), never as one value.
LIST_TYPES = (list, tuple, set, frozenset, np.ndarray, pd.Series, pd.Index, ExtensionArray)


def quote(value: object) -> str:
    r"""A VQL string literal for ``value``: backslashes and single quotes escaped.

    ``%`` and ``*`` are kept as they are: they are wildcards only in ``LIKE`` and ``FIND``,
    never in ``=`` or ``CONTAINS``. A line break is refused rather than escaped.

    Examples
    --------
    >>> print(quote("O'Brien"))
    'O\'Brien'
    >>> print(quote("a\\b"))
    'a\\b'
    """
    if not isinstance(value, str):
        value = str(value)
    if "\n" in value or "\r" in value:
        raise ConfigurationError(f"a VQL value cannot contain a line break: {value[:40]!r}")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def literal(value: object) -> str:
    r"""A VQL literal for a Python value: text quoted by :func:`quote`, the rest written here.

    ``None``/NA -> ``null``; bool -> ``true``/``false``; a finite number -> its digits; a date
    or a naive midnight -> ``'YYYY-MM-DD'``; a time-zone aware datetime -> ``'...T...Z'`` in
    UTC. Nothing is taken from text but strings, which are quoted, so nothing can inject VQL.

    Examples
    --------
    >>> print(literal(True), literal(12.5), literal(None), literal("a'b"))
    true 12.5 null 'a\'b'
    >>> literal(pd.Timestamp("2024-05-01 12:00", tz="Europe/Paris"))
    "'2024-05-01T10:00:00.000Z'"
    """
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (*LIST_TYPES, dict)):
        raise ConfigurationError(f"a VQL value must be a single value: {value!r}")
    if value is None or pd.isna(value):  # None, NA, NaN, NaT
        return "null"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        value = decimal.Decimal(repr(float(value)))  # the shortest text that reads back the same
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ConfigurationError(f"a VQL number must be finite: {value!r}")
        return format(value, "f")
    if isinstance(value, dt.datetime | np.datetime64):
        return quote(_instant(pd.Timestamp(value)))
    if isinstance(value, dt.date):
        return quote(value.isoformat())
    raise ConfigurationError(f"cannot write a {type(value).__name__} as a VQL value: {value!r}")


def _instant(stamp: pd.Timestamp) -> str:
    if stamp.tzinfo is not None:
        return stamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if stamp == stamp.normalize():
        return stamp.strftime("%Y-%m-%d")
    raise ConfigurationError(
        f"a naive datetime with a time of day is ambiguous in VQL: {stamp}; localize it"
    )


def contains(field: str, values: Iterable[object]) -> str:
    """``field CONTAINS ('a', 'b')`` with every value written by :func:`literal`."""
    names.check_field_path(field, "field")
    return f"{field} CONTAINS ({', '.join(literal(v) for v in values)})"
