"""Query answers -> typed DataFrame columns, from the query's field metadata (pure).

One dtype per Vault field type, whatever the values of a particular answer, so that a frame
read with ``read_vql`` can be compared with, and written back as, the frame that created it:

============================  ===============================  ===========================
Vault type (``queryDescribe``)  pandas dtype                    missing value
============================  ===============================  ===========================
String, LongText, RichText,   ``string``                       ``pd.NA``
ID, Object (a record id)
Number, ``scale`` 0           ``Int64``                        ``pd.NA``
Number, ``scale`` > 0         ``Float64``                      ``pd.NA``
Number, no ``scale`` given    ``Int64`` if every value is      ``pd.NA``
                              whole, else ``Float64``
Date                          ``datetime64[us]`` (midnight)    ``NaT``
DateTime                      ``datetime64[us, UTC]``          ``NaT``
Boolean                       ``boolean``                      ``pd.NA``
Picklist, single value        ``string``: the value's name     ``pd.NA``
Picklist, multi-value         ``object``: a list of names      ``pd.NA``
Picklist, ``multi_value``     ``object``: lists, as Vault      ``pd.NA``
not given                     answers them
any other type                ``object``: values as answered   as answered
============================  ===============================  ===========================

Why these: the nullable dtypes keep integers whole next to missing values and are what
``df.vault.create`` checks and writes without conversion. Dates are naive midnights in
microseconds: pandas' own default unit from 3.0, and unlike nanoseconds it holds every date
Vault can store (``9999-12-31`` is a common "no end" date; in nanoseconds it would overflow).
Vault answers a single-value picklist as a one-element list; it is unwrapped to the name
because that is how the field is written (``product_family__c = "biologic__c"``), filtered
and compared in pandas, and there can never be a second element.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

DATE_DTYPE: Final = "datetime64[us]"
DATETIME_DTYPE: Final = pd.DatetimeTZDtype(unit="us", tz="UTC")
_TEXT: Final = frozenset({"String", "LongText", "RichText", "ID", "Object"})
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME: Final = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)Z?")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _strings(values: list[Any], field: Mapping[str, Any]) -> pd.Series:
    return pd.Series(
        [pd.NA if _missing(v) else str(v) for v in values], dtype="string", name=field["name"]
    )


def _numbers(values: list[Any], field: Mapping[str, Any]) -> pd.Series:
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    scale = field.get("scale")
    whole = scale == 0 if scale is not None else bool(numbers.dropna().mod(1).eq(0).all())
    if whole:
        try:  # from the Python ints themselves: exact beyond 2**53
            return pd.Series(pd.array(values, dtype="Int64"), name=field["name"])
        except (TypeError, ValueError):
            return pd.Series(numbers.round().astype("Int64"), name=field["name"])
    return pd.Series(numbers.astype("Float64"), name=field["name"])


def _instants(values: list[Any], pattern: re.Pattern[str], unit: Literal["D", "us"]) -> np.ndarray:
    """Parse ``YYYY-MM-DD[THH:MM:SS.sss]`` text to ``datetime64[us]``; anything else is NaT."""
    texts: list[str] = []
    for v in values:
        match = pattern.fullmatch(v) if isinstance(v, str) else None
        texts.append(match.group(1) if match and match.groups() else v if match else "NaT")
    try:
        return np.array(texts, dtype=f"datetime64[{unit}]").astype("datetime64[us]")
    except ValueError:  # an impossible date such as 2024-02-30: only that value is missing
        out = np.full(len(texts), np.datetime64("NaT", "us"))
        for i, text in enumerate(texts):
            with contextlib.suppress(ValueError):
                out[i] = np.datetime64(text, unit)
        return out


def _dates(values: list[Any], field: Mapping[str, Any]) -> pd.Series:
    return pd.Series(_instants(values, _DATE, "D"), dtype=DATE_DTYPE, name=field["name"])


def _datetimes(values: list[Any], field: Mapping[str, Any]) -> pd.Series:
    naive = pd.Series(_instants(values, _DATETIME, "us"), dtype="datetime64[us]")
    return naive.dt.tz_localize("UTC").rename(field["name"])


def _booleans(values: list[Any], field: Mapping[str, Any]) -> pd.Series:
    words = {"true": True, "false": False}
    flags = [words.get(v.lower(), pd.NA) if isinstance(v, str) else v for v in values]
    return pd.Series([pd.NA if _missing(v) else bool(v) for v in flags], dtype="boolean",
                     name=field["name"])  # fmt: skip


def _picklists(values: list[Any], field: Mapping[str, Any]) -> pd.Series:
    multi = field.get("multi_value")
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        names = [v] if isinstance(v, str) else list(v) if isinstance(v, list | tuple) else []
        if not names:
            out[i] = pd.NA
        elif multi is False:
            out[i] = ",".join(str(n) for n in names)  # Vault never gives a second name here
        else:
            out[i] = names
    if multi is False:
        return pd.Series(out, dtype="string", name=field["name"])
    return pd.Series(out, dtype=object, name=field["name"])


def _as_answered(values: list[Any], field: Mapping[str, Any]) -> pd.Series:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return pd.Series(out, dtype=object, name=field["name"])


#: Vault field type -> the converter of a column of answers (the table in the docstring).
CONVERTERS: Final[Mapping[str, Callable[[list[Any], Mapping[str, Any]], pd.Series]]] = {
    **dict.fromkeys(_TEXT, _strings),
    "Number": _numbers,
    "Date": _dates,
    "DateTime": _datetimes,
    "Boolean": _booleans,
    "Picklist": _picklists,
}


def typed_column(values: list[Any], field: Mapping[str, Any]) -> pd.Series:
    """One column of answers, typed by its field metadata (``name``, ``type``, ...).

    Examples
    --------
    >>> typed_column([3, None], {"name": "n", "type": "Number", "scale": 0}).dtype
    Int64Dtype()
    >>> typed_column([["a__c"], None], {"name": "p", "type": "Picklist",
    ...                                 "multi_value": False}).tolist()
    ['a__c', <NA>]
    """
    convert = CONVERTERS.get(str(field.get("type")), _as_answered)
    return convert(values, field)


def typed_frame(
    records: Sequence[Mapping[str, Any]], describe: Mapping[str, Any] | None
) -> pd.DataFrame:
    """One column per queried field, typed by ``describe`` (``queryDescribe``) when given.

    Without ``describe`` the columns are the keys of the records, as answered (``object``).
    With it, an empty answer still has every column, each of its type's dtype.

    Examples
    --------
    >>> describe = {"fields": [{"name": "id", "type": "ID"},
    ...                        {"name": "launch_date__c", "type": "Date"}]}
    >>> typed_frame([], describe).dtypes.astype(str).tolist()
    ['string', 'datetime64[us]']
    """
    fields = [f for f in (describe or {}).get("fields", []) if f.get("name")]
    if not fields:
        fields = [{"name": k} for k in dict.fromkeys(k for r in records for k in r)]
    columns = {f["name"]: typed_column([r.get(f["name"]) for r in records], f) for f in fields}
    return pd.DataFrame(columns, index=pd.RangeIndex(len(records)))


def describe_from_metadata(
    fields_of: Callable[[str], Sequence[Mapping[str, Any]]], object_name: str, paths: Sequence[str]
) -> dict[str, Any]:
    """A ``queryDescribe``-like block for ``paths`` of ``object_name``, from object metadata.

    ``fields_of(object)`` gives an object's ``fields``; a ``relationship__vr.field__v`` path is
    followed to its target object. Used to type an answer that was never asked for (no key).

    Examples
    --------
    >>> meta = {"product__v": [{"name": "pack_size__c", "type": "Number", "scale": 0}]}
    >>> describe_from_metadata(meta.get, "product__v", ["pack_size__c", "nope__c"])["fields"]
    [{'name': 'pack_size__c', 'type': 'Number', 'scale': 0}, {'name': 'nope__c'}]
    """

    def find(obj: str, key: str, value: str) -> Mapping[str, Any]:
        return next((f for f in fields_of(obj) or () if f.get(key) == value), {})

    out = []
    for path in paths:
        relationship, _, name = path.rpartition(".")
        if relationship:
            target = find(object_name, "relationship_name", relationship).get("object") or {}
            found = find(target["name"], "name", name) if target.get("name") else {}
        else:
            found = find(object_name, "name", name)
        out.append({**found, "name": path})
    return {"fields": out}


#: Field properties the dtype depends on, per type: taken from object metadata when the
#: query's describe block leaves them out.
_DEPENDS_ON: Final = {"Picklist": "multi_value", "Number": "scale"}


def complete_describe(
    describe: Mapping[str, Any] | None,
    fields_of: Callable[[str], Sequence[Mapping[str, Any]]],
) -> Mapping[str, Any] | None:
    """``describe`` with ``multi_value`` / ``scale`` filled from object metadata where missing.

    ``fields_of`` is only called when a field lacks one of them (the sandbox always gives
    them; it is not documented that Vault does).
    """
    fields = list((describe or {}).get("fields") or [])
    object_name = ((describe or {}).get("object") or {}).get("name")
    missing = [
        i for i, f in enumerate(fields)
        if _DEPENDS_ON.get(str(f.get("type"))) not in (None, *f.keys())
    ]  # fmt: skip
    if not missing or not object_name:
        return describe
    paths = [fields[i]["name"] for i in missing]
    found = describe_from_metadata(fields_of, object_name, paths)["fields"]
    for i, meta in zip(missing, found, strict=True):
        key = _DEPENDS_ON[str(fields[i]["type"])]
        if key in meta:
            fields[i] = {**fields[i], key: meta[key]}
    return {**(describe or {}), "fields": fields}
