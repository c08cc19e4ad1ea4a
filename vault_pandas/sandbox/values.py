"""Field values: Vault's input text forms -> stored Python values, and stored values -> JSON."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import Any

from .errors import InvalidValue
from .fields import SYSTEM_USER_ID, USER_ID
from .objects import PICKLISTS

__all__ = [
    "is_blank",
    "now_stamp",
    "parse_value",
    "parser_for",
    "strip_xml_invalid",
    "to_json",
]

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{3})?Z\Z"
)
KNOWN_USERS = frozenset({SYSTEM_USER_ID, USER_ID})
# XML 1.0 Char production; everything else is stripped, as Vault does.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def strip_xml_invalid(text: str) -> str:
    """Remove characters outside the XML character range.

    Examples
    --------
    >>> strip_xml_invalid("a\\x00b\\x0bc")
    'abc'
    """
    return _XML_INVALID.sub("", text)


def is_blank(raw: Any) -> bool:
    """True for "no value": ``None``, ``""`` or an empty list.

    Examples
    --------
    >>> is_blank(""), is_blank(None), is_blank("x")
    (True, True, False)
    """
    return raw is None or raw == "" or raw == []


def now_stamp() -> str:
    """The current UTC time in Vault's DateTime form (whole seconds)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _bad(field: dict[str, Any], raw: Any, why: str) -> InvalidValue:
    text = f"Invalid value [{raw!s:.80}] for field [{field['name']}]: {why}"
    return InvalidValue("INVALID_DATA", text)


def _parse_string(field: dict[str, Any], raw: Any) -> str:
    if not isinstance(raw, str):
        raise _bad(field, raw, "expected text")
    value = strip_xml_invalid(raw)
    limit = field.get("max_length")
    if limit is not None and len(value) > limit:
        raise _bad(field, raw, f"longer than {limit} characters ({len(value)})")
    return value


def _parse_number(field: dict[str, Any], raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _bad(field, raw, "expected a number")
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise _bad(field, raw, "not a finite number")
        text = format(Decimal(repr(raw)), "f")
    else:
        text = str(raw)
    if not _NUMBER.match(text):
        raise _bad(field, raw, "use plain digits with '.' as decimal separator")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise _bad(field, raw, "not a number") from exc
    scale = int(field.get("scale", 0) or 0)
    if len(text.partition(".")[2]) > scale:
        raise _bad(field, raw, f"more than {scale} decimal places")
    low, high, quantum = _number_limits(scale, field.get("min_value"), field.get("max_value"))
    if (low is not None and value < low) or (high is not None and value > high):
        raise _bad(field, raw, f"outside the range {low}..{high}")
    return value.quantize(quantum)


@cache
def _number_limits(
    scale: int, low: Any, high: Any
) -> tuple[Decimal | None, Decimal | None, Decimal]:
    """Bounds and quantum of a Number field as Decimals (computed once per field shape)."""
    as_dec = [None if v is None else Decimal(str(v)) for v in (low, high)]
    return as_dec[0], as_dec[1], Decimal(1).scaleb(-scale)


def _parse_date(field: dict[str, Any], raw: Any) -> str:
    if not isinstance(raw, str) or not _DATE.match(raw):
        raise _bad(field, raw, "expected YYYY-MM-DD")
    try:
        dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise _bad(field, raw, "not a calendar date") from exc
    return raw


def _parse_datetime(field: dict[str, Any], raw: Any) -> str:
    match = _DATETIME.match(raw) if isinstance(raw, str) else None
    if not match:
        raise _bad(field, raw, "expected YYYY-MM-DDTHH:MM:SS.000Z (UTC)")
    parts = match.groups()
    year, month, day, hour, minute, second = (int(g) for g in parts)
    try:
        dt.datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise _bad(field, raw, "not a valid date and time") from exc
    return "{}-{}-{}T{}:{}:{}.000Z".format(*parts)


def _parse_boolean(field: dict[str, Any], raw: Any) -> bool:
    # Vault documents the lowercase words only: True, TRUE, 1 or yes fail the row.
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    raise _bad(field, raw, "expected true or false (lower case)")


def _parse_picklist(field: dict[str, Any], raw: Any) -> list[str]:
    # Names joined by commas, nothing else: a space or an empty name fails the row.
    if isinstance(raw, str):
        names = raw.split(",")
    elif isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        names = list(raw)
    else:
        raise _bad(field, raw, "expected picklist value names")
    if not all(names) or any(n != n.strip() for n in names):
        raise _bad(field, raw, "picklist value names joined by commas, without spaces")
    names = list(dict.fromkeys(names))
    known, labels = _picklist_index(field.get("picklist", ""))
    for name in names:
        if name not in known:
            hint = f"; use the name {labels[name]!r}, not the label" if name in labels else ""
            raise _bad(field, raw, f"[{name}] is not a value of picklist {field['picklist']}{hint}")
    if len(names) > 1 and not field.get("multi_value"):
        raise _bad(field, raw, "several values given to a single-value picklist")
    return names


@cache
def _picklist_index(picklist: str) -> tuple[frozenset[str], dict[str, str]]:
    """The value names of a picklist, and label -> name (to hint at a label given)."""
    entries = PICKLISTS.get(picklist, [])
    return frozenset(n for n, _ in entries), {label: n for n, label in entries}


def _parse_text_id(field: dict[str, Any], raw: Any) -> Any:
    if field.get("object", {}).get("name") == "user__sys":
        return _parse_user(field, raw)
    if not isinstance(raw, str):
        raise _bad(field, raw, "expected a record id")
    return raw.strip()


def _parse_user(field: dict[str, Any], raw: Any) -> int:
    """A user reference: Vault's user ids are numbers (``created_by__v: 12022``)."""
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    if not text.isdigit() or int(text) not in KNOWN_USERS:
        raise _bad(field, raw, f"not the id of a user of this vault ({sorted(KNOWN_USERS)})")
    return int(text)


_PARSERS = {
    "String": _parse_string,
    "LongText": _parse_string,
    "RichText": _parse_string,
    "Number": _parse_number,
    "Date": _parse_date,
    "DateTime": _parse_datetime,
    "Boolean": _parse_boolean,
    "Picklist": _parse_picklist,
    "Object": _parse_text_id,
    "ID": _parse_text_id,
}


def parse_value(field: dict[str, Any], raw: Any) -> Any:
    """Convert one non-blank input value (CSV text or JSON value) to its stored form.

    Object references are only checked for form here; existence is the caller's job.
    Types the sandbox does not know are stored as given.

    Parameters
    ----------
    field : dict
        Field metadata (``type``, ``max_length``, ``scale``, ...).
    raw : Any
        The value as received; must not be blank.

    Returns
    -------
    Any
        ``str``, ``Decimal``, ``bool`` or ``list[str]`` (picklists).

    Raises
    ------
    InvalidValue
        With type ``INVALID_DATA`` when Vault would reject the value.

    Examples
    --------
    >>> parse_value({"name": "n", "type": "Number", "scale": 2}, "12.5")
    Decimal('12.50')
    """
    parser = _PARSERS.get(field["type"])
    return parser(field, raw) if parser else raw


def parser_for(field: dict[str, Any]) -> Callable[[Any], Any]:
    """A one-argument :func:`parse_value` bound to ``field`` (saves the type dispatch per cell)."""
    parser = _PARSERS.get(field["type"])
    return partial(parser, field) if parser else _identity


def _identity(raw: Any) -> Any:
    return raw


def to_json(field: dict[str, Any], value: Any) -> Any:
    """Render a stored value the way Vault's JSON responses show it.

    Examples
    --------
    >>> to_json({"type": "Number"}, Decimal("12.50"))
    12.5
    """
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return list(value)
    return value
