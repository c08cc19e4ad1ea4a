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

# Vault writes type names in more than one case (the describe block of a query gives the id
# field as "id"): match them case-insensitively, as the object metadata parser does.
_CONVERTERS_BY_LOWER: Final = {name.lower(): convert for name, convert in CONVERTERS.items()}


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
    convert = _CONVERTERS_BY_LOWER.get(str(field.get("type")).lower(), _as_answered)
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

    ``fields_of(object)`` gives an object's ``fields``; each relationship of a
    ``relationship__vr.field__v`` path (one or more hops) is followed to its target object
    through the reference field whose ``relationship_outbound_name`` (Vault's key) or
    ``relationship_name`` (see :func:`metadata_fields`) is that name. A path that is not
    found keeps only its name (its column is then typed as answered).

    Examples
    --------
    >>> meta = {"product__v": [{"name": "pack_size__c", "type": "Number", "scale": 0}]}
    >>> describe_from_metadata(meta.get, "product__v", ["pack_size__c", "nope__c"])["fields"]
    [{'name': 'pack_size__c', 'type': 'Number', 'scale': 0}, {'name': 'nope__c'}]
    """

    def find(obj: str | None, keys: tuple[str, ...], value: str) -> Mapping[str, Any]:
        fields = (fields_of(obj) or ()) if obj else ()
        return next((f for f in fields if any(f.get(k) == value for k in keys)), {})

    out = []
    for path in paths:
        *hops, name = path.split(".")
        obj: str | None = object_name
        for hop in hops:
            obj = _object_name(find(obj, _RELATIONSHIP_KEYS, hop).get("object"))
        out.append({**find(obj, ("name",), name), "name": path})
    return {"fields": out}


# Vault names a reference field's relationship relationship_outbound_name; the object-level
# relationships[] array names it relationship_name (copied onto the field by metadata_fields).
_RELATIONSHIP_KEYS: Final = ("relationship_outbound_name", "relationship_name")
_INBOUND: Final = frozenset({"child", "inbound", "reference_inbound"})


def _object_name(target: Any) -> str | None:
    name = target.get("name") if isinstance(target, Mapping) else target
    return name if isinstance(name, str) and name else None


def metadata_fields(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``fields`` of an object's metadata, with the names of its ``relationships[]``.

    Each outbound entry ``{relationship_name, field, object}`` of the object-level array
    gives its field a ``relationship_name`` (and the target ``object`` when the field has
    none); a field the entry names but ``fields[]`` leaves out is added with those keys only.
    So a relationship path is found whichever of the two places names it.

    Examples
    --------
    >>> meta = {"fields": [{"name": "f__c", "type": "Object"}], "relationships": [
    ...     {"relationship_name": "f__cr", "field": "f__c", "object": {"name": "t__c"}}]}
    >>> metadata_fields(meta)
    [{'name': 'f__c', 'type': 'Object', 'relationship_name': 'f__cr', 'object': {'name': 't__c'}}]
    """
    fields = [dict(f) for f in obj.get("fields") or () if isinstance(f, Mapping)]
    by_name = {f.get("name"): f for f in fields}
    for entry in obj.get("relationships") or ():
        if not isinstance(entry, Mapping) or entry.get("relationship_type") in _INBOUND:
            continue
        name, relationship = entry.get("field"), entry.get("relationship_name")
        if not (isinstance(name, str) and name and isinstance(relationship, str)):
            continue
        field = by_name.get(name)
        if field is None:
            field = by_name[name] = {"name": name}
            fields.append(field)
        field.setdefault("relationship_name", relationship)
        if not field.get("object") and entry.get("object"):
            field["object"] = entry["object"]
    return fields


_QUOTED: Final = re.compile(r"'(?:[^'\\]|\\.)*'")
_GROUP: Final = re.compile(r"\([^()]*\)")
_FROM: Final = re.compile(r"\bfrom\s+([A-Za-z][A-Za-z0-9_]*)", re.IGNORECASE)
_SELECT_LIST: Final = re.compile(r"^\s*select\s+(.*?)\s+from\s", re.IGNORECASE | re.DOTALL)
_PATH: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")


def _top_level(vql: str) -> str:
    """The query without its text literals and parenthesised parts (subqueries, functions)."""
    text = _QUOTED.sub("''", vql)
    while (flat := _GROUP.sub("\0", text)) != text:
        text = flat
    return text


def query_object(vql: str) -> str | None:
    """The object a VQL query reads (its top-level ``FROM``), or None.

    Examples
    --------
    >>> query_object("SELECT id, (SELECT id FROM d__vr) FROM product__v WHERE x = 'from y'")
    'product__v'
    """
    match = _FROM.search(_top_level(vql))
    return match.group(1) if match else None


def select_paths(vql: str) -> list[str]:
    """The plain field paths of a query's top-level SELECT list (functions are left out).

    Examples
    --------
    >>> select_paths("SELECT id, product__vr.name__v, TONAME(s__v) FROM x__c")
    ['id', 'product__vr.name__v']
    """
    match = _SELECT_LIST.match(_top_level(vql))
    items = [i.strip() for i in match.group(1).split(",")] if match else []
    return [i for i in items if _PATH.fullmatch(i)]


def describe_query(
    vql: str,
    records: Sequence[Mapping[str, Any]],
    fields_of: Callable[[str], Sequence[Mapping[str, Any]]],
) -> dict[str, Any] | None:
    """A ``queryDescribe`` for an answer that came without one, from the object metadata.

    The object is the query's ``FROM``; the paths are the records' keys (Vault names a
    relationship column by its path, ``product__vr.name__v``), or the SELECT list when no
    record came back. None when the query names no object.

    Examples
    --------
    >>> meta = {"product__v": [{"name": "n__c", "type": "Number", "scale": 0}]}
    >>> describe_query("SELECT n__c FROM product__v", [], meta.get)["fields"]
    [{'name': 'n__c', 'type': 'Number', 'scale': 0}]
    """
    object_name = query_object(vql)
    paths = list(dict.fromkeys(k for r in records for k in r)) or select_paths(vql)
    if object_name is None or not paths:
        return None
    described = describe_from_metadata(fields_of, object_name, paths)
    return {"object": {"name": object_name}, **described}


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
