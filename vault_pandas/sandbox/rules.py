"""Rules on a whole record as it would be stored: defaults, system stamps, required, unique, type.

:mod:`.rows` parses a row's cells and then calls these before writing the record.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .fields import USER_ID, is_unique
from .objects import INITIAL_STATE, LIFECYCLES, OBJECTS, defaults, field_map, stored_fields
from .objtypes import ObjectType, find_type, type_by_id
from .store import VAULT_ID, Record, Store
from .values import parse_value

__all__ = ["INVALID", "Problems", "check_record", "new_record", "record_type", "stamp_new"]

INVALID: Any = object()  # a value that failed to parse: reported once, not as "missing" too

#: The (error type, message) pairs of one row.
Problems = list[tuple[str, str]]

_SYSTEM = ("created_by__v", "created_date__v", "modified_by__v", "modified_date__v")


@cache
def _parsed_defaults(object_name: str) -> dict[str, Any]:
    fields = field_map(object_name)
    return {name: parse_value(fields[name], raw) for name, raw in defaults(object_name).items()}


def new_record(object_name: str, values: dict[str, Any], stamp: str) -> Record:
    """A record from a create row's values: defaults, lifecycle and system stamps filled in.

    A value given (by a seed, for system fields) wins over what the sandbox would fill.
    """
    record: Record = dict.fromkeys(stored_fields(object_name))
    for name, value in _parsed_defaults(object_name).items():
        record[name] = list(value) if isinstance(value, list) else value
    meta = OBJECTS[object_name]
    if meta["allow_types"]:
        default_type = find_type(object_name, meta["default_obj_type"])
        record["object_type__v"] = default_type.id if default_type else None
    if object_name in LIFECYCLES:
        record["lifecycle__v"] = LIFECYCLES[object_name]
        record["state__v"] = INITIAL_STATE
    record.update(dict.fromkeys(_SYSTEM[0::2], USER_ID))
    record.update(dict.fromkeys(_SYSTEM[1::2], stamp))
    record.update(values)
    record["id"] = ""
    return record


def stamp_new(record: Record) -> None:
    """Fill the fields derived from a new record's id."""
    record["global_id__sys"] = record["link__sys"] = f"{VAULT_ID}_{record['id']}"


def record_type(object_name: str, record: Record) -> ObjectType | None:
    """The object type a record of a typed object has (None for untyped objects)."""
    if not OBJECTS[object_name]["allow_types"]:
        return None
    return type_by_id(record.get("object_type__v"))


@cache
def _rules(object_name: str) -> tuple[list[str], list[str]]:
    """The required fields (system-managed names excepted) and unique fields (but id)."""
    metas = field_map(object_name).values()
    required = [m["name"] for m in metas if m["required"] and not m.get("system_managed_name")]
    return required, [m["name"] for m in metas if is_unique(m) and m["name"] != "id"]


def check_record(store: Store, object_name: str, record: Record, errors: Problems) -> str | None:
    """Required, unique and object-type rules on the record as it would be stored.

    Appends each problem to ``errors``; returns the message of the first uniqueness clash,
    if any (a ``raw`` object then fails the whole request).
    """
    required, unique = _rules(object_name)
    otype = record_type(object_name, record)
    typed = OBJECTS[object_name]["allow_types"] and record.get("object_type__v") is not INVALID
    if typed and (otype is None or otype.object != object_name):
        given = record.get("object_type__v")
        errors.append(("INVALID_DATA", f"[{given}] is not an object type of {object_name}"))
        otype = None
    extra = sorted(otype.required - set(required)) if otype else []
    for fname in [*required, *extra]:
        if record.get(fname) is None:
            why = f" for object type [{otype.name}]" if fname in extra and otype else ""
            errors.append(("PARAMETER_REQUIRED", f"Missing required field [{fname}]{why}"))
    if otype is not None:
        _check_subsets(otype, record, errors)
    clash = None
    for fname in unique:
        value = record.get(fname)
        if value is not None and value is not INVALID:
            owner = store.find(object_name, fname, value)
            if owner is not None and owner != record["id"]:
                why = f"Value [{value}] of unique field [{fname}] is already used by {owner}"
                errors.append(("INVALID_DATA", why))
                clash = clash or why
    return clash


def _check_subsets(otype: ObjectType, record: Record, errors: Problems) -> None:
    """Picklist values the record's type does not allow."""
    for fname, allowed in otype.picklist_values.items():
        value = record.get(fname)
        if isinstance(value, list):
            bad = [v for v in value if v not in allowed]
            if bad:
                why = f"[{bad[0]}] is not allowed in [{fname}] for object type [{otype.name}]"
                errors.append(("INVALID_DATA", f"{why}; allowed: {list(allowed)}"))
