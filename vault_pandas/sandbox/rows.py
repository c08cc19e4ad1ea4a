"""One row of a write: columns mapped to fields, cells parsed, record rules, one record written.

:mod:`.writes` applies these row by row to a whole request (create, upsert, update, delete).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import InvalidValue, RequestFailure
from .objects import INITIAL_STATE, LIFECYCLE_STATES, OBJECTS, field_map, relationship_map
from .store import Record, Store
from .values import now_stamp, parser_for

__all__ = ["Context", "Outcome", "create_row", "faulted", "plan", "update_row"]

_INVALID: Any = object()  # a value that failed to parse: reported once, not as "missing" too
_NO_CHANGE = ("NO_DATA_CHANGES", "No changes were made: every value equals the stored one")


@dataclass
class Outcome:
    """The result of one input row (or one action id)."""

    status: str
    id: str | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    event: str | None = None
    id_param_value: Any = None
    warning: tuple[str, str] | None = None


@dataclass
class _Column:
    name: str
    meta: dict[str, Any]  # the field, or the Object field of a relationship column
    parse: Callable[[Any], Any]  # for a relationship column: the target field's parser
    target_field: str | None = None  # set for relationship columns such as product__cr.name__v
    editable: bool = True
    is_ref: bool = False


@dataclass
class Context:
    """What every row of one request shares: the store, object, planned columns and time."""

    store: Store
    object: str
    columns: dict[str, _Column]
    stamp: str
    system: bool = False  # seeding: system fields may be set


def plan(store: Store, object_name: str, columns: list[str], system: bool = False) -> Context:
    """Map every column to a field; an unknown column fails the whole request.

    Raises
    ------
    RequestFailure
        ``ATTRIBUTE_NOT_SUPPORTED`` for a column that is neither a field nor a relationship
        to a unique field.
    """
    fields, rels = field_map(object_name), relationship_map(object_name)
    planned: dict[str, _Column] = {}
    for col in columns:
        if col in fields:
            meta = fields[col]
            editable = meta["editable"] or (system and col != "id")
            is_ref = meta["type"] == "Object"
            planned[col] = _Column(col, meta, parser_for(meta), None, editable, is_ref)
            continue
        rel, _, target_field = col.partition(".")
        rel_meta = rels.get(rel)
        target = field_map(rel_meta["object"]["name"]).get(target_field) if rel_meta else None
        if rel_meta is None or not target or not target["unique"]:
            raise RequestFailure(
                "ATTRIBUTE_NOT_SUPPORTED", f"Unknown field [{col}] on object [{object_name}]"
            )
        planned[col] = _Column(
            col, rel_meta, parser_for(target), target_field, rel_meta["editable"], True
        )
    return Context(store, object_name, planned, now_stamp(), system)


def _resolve(ctx: Context, col: _Column, raw: Any) -> str:
    """Turn a reference cell (id, or a unique value through the relationship) into an id."""
    target = col.meta["object"]["name"]
    if col.target_field is None:
        ref: str = col.parse(raw)
        if ctx.store.get(target, ref) is None:
            raise InvalidValue("INVALID_DATA", f"No {target} record has id [{ref}]")
        return ref
    found = ctx.store.find(target, col.target_field, col.parse(raw))
    if found is None:
        raise InvalidValue("INVALID_DATA", f"No {target} record has {col.target_field} [{raw}]")
    return found


def _values(
    ctx: Context, row: dict[str, Any], skip: str | None, errors: list[tuple[str, str]]
) -> dict[str, Any]:
    """Parse a row into ``{field: stored value or None (clear)}``, collecting errors."""
    values: dict[str, Any] = {}
    refs: dict[str, set[str]] = {}
    for name, col in ctx.columns.items():
        if name not in row or name == skip:
            continue
        raw, fname = row[name], col.meta["name"]
        if raw is None or raw == "" or raw == []:
            if col.editable:
                values.setdefault(fname, None)
            continue
        if not col.editable:
            errors.append(("INVALID_DATA", f"Field [{name}] is not editable"))
            continue
        try:
            if col.is_ref:
                refs.setdefault(fname, set()).add(_resolve(ctx, col, raw))
            else:
                values[fname] = col.parse(raw)
        except InvalidValue as exc:
            errors.append((exc.type, exc.message))
            values[fname] = _INVALID
    for fname, ids in refs.items():
        if len(ids) > 1:
            errors.append(("INVALID_DATA", f"The columns for [{fname}] name different records"))
        if values.get(fname) is not _INVALID:
            values[fname] = ids.pop()
    if ctx.system and values.get("state__v") not in (None, *LIFECYCLE_STATES):
        errors.append(("INVALID_DATA", f"Unknown lifecycle state [{values['state__v']}]"))
    return values


@cache
def _rules(object_name: str) -> tuple[list[str], list[str]]:
    """The required fields (system-managed names excepted) and unique fields (but id)."""
    metas = field_map(object_name).values()
    required = [m["name"] for m in metas if m["required"] and not m.get("system_managed_name")]
    return required, [m["name"] for m in metas if m["unique"] and m["name"] != "id"]


def _check_record(ctx: Context, record: Record, errors: list[tuple[str, str]]) -> None:
    """Required and unique rules on the record as it would be stored."""
    required, unique = _rules(ctx.object)
    for fname in required:
        if record.get(fname) is None:
            errors.append(("PARAMETER_REQUIRED", f"Missing required field [{fname}]"))
    for fname in unique:
        value = record.get(fname)
        if value is not None and value is not _INVALID:
            owner = ctx.store.find(ctx.object, fname, value)
            if owner is not None and owner != record["id"]:
                why = f"Value [{value}] of unique field [{fname}] is already used by {owner}"
                errors.append(("INVALID_DATA", why))


def create_row(ctx: Context, row: dict[str, Any], event: str | None = None) -> Outcome:
    """Create one record from a row, or fail the row with every problem found."""
    errors: list[tuple[str, str]] = []
    values = {k: v for k, v in _values(ctx, row, None, errors).items() if v is not None}
    record: Record = dict.fromkeys(field_map(ctx.object))
    record.update(values)
    record["id"] = ""
    if OBJECTS[ctx.object].get("lifecycle"):
        record["lifecycle__v"] = OBJECTS[ctx.object]["lifecycle"]
        record["state__v"] = values.get("state__v") or INITIAL_STATE
    record["created_date__v"] = values.get("created_date__v") or ctx.stamp
    record["modified_date__v"] = values.get("modified_date__v") or ctx.stamp
    _check_record(ctx, record, errors)
    if errors:
        return Outcome("FAILURE", errors=errors)
    record["id"] = ctx.store.new_id(ctx.object)
    if field_map(ctx.object)["name__v"].get("system_managed_name") and not record["name__v"]:
        record["name__v"] = ctx.store.new_name(ctx.object)
    ctx.store.put(ctx.object, record)
    return Outcome("SUCCESS", id=record["id"], event=event)


def update_row(ctx: Context, row: dict[str, Any], record_id: str, skip: str) -> Outcome:
    """Update an existing record from a row (column ``skip`` is the key, not a value).

    A row that changes nothing is a ``WARNING`` (``NO_DATA_CHANGES``) and writes nothing.
    """
    errors: list[tuple[str, str]] = []
    current = ctx.store.get(ctx.object, record_id)
    assert current is not None
    values = _values(ctx, row, skip, errors)
    changed = {k: v for k, v in values.items() if current.get(k) != v}
    new = {**current, **changed}
    _check_record(ctx, new, errors)
    if errors:
        return Outcome("FAILURE", id=record_id, errors=errors)
    if not changed:
        return Outcome("WARNING", id=record_id, event="updated__sys", warning=_NO_CHANGE)
    new["modified_date__v"] = ctx.stamp
    ctx.store.put(ctx.object, new)
    return Outcome("SUCCESS", id=record_id, event="updated__sys")


def faulted(row_faults: dict[int, str] | None, position: int) -> Outcome | None:
    """The injected failure of the row at ``position``, or None (fault injection)."""
    if row_faults and position in row_faults:
        kind = row_faults[position]
        return Outcome("FAILURE", errors=[(kind, f"Injected {kind} for row {position + 1}")])
    return None
