"""One row of a write: columns mapped to fields, cells parsed, one record written.

:mod:`.writes` applies these row by row to a whole request (create, upsert, update, delete);
the rules on the record as a whole are in :mod:`.rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidValue, RequestFailure
from .fields import USER_ID, is_unique
from .migration import STATE_LABEL, check_audit, check_given_id, state_from_label
from .objects import (
    LIFECYCLE_STATES,
    NAME_FORMATS,
    OBJECTS,
    field_map,
    is_computed,
    relationship_map,
)
from .objtypes import find_type, type_by_id, types_of
from .rules import INVALID, check_record, new_record, stamp_new
from .store import Store
from .values import now_stamp, parser_for

__all__ = [
    "COPY_COLUMN", "TYPE_NAME_COLUMN", "Context", "Outcome", "create_row", "faulted", "plan",
    "update_row",
]  # fmt: skip

#: The column that gives a record's object type by name instead of by id.
TYPE_NAME_COLUMN = "object_type__v.api_name__v"
#: The create column naming a record to copy (documented for create only).
COPY_COLUMN = "source_record_id"
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
    unique_clash: str | None = None  # why a unique value was taken: fails a raw object's request


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
    copies: bool = False  # the request has a source_record_id column (create: copy records)
    migration: bool = False  # X-VaultAPI-MigrationMode (seeding: system, without its rules)


def _unknown(col: str, object_name: str) -> RequestFailure:
    return RequestFailure("ATTRIBUTE_NOT_SUPPORTED", f"Unknown field [{col}] on [{object_name}]")


def plan(
    store: Store, object_name: str, columns: list[str], system: bool = False,
    migration: bool = False,
) -> Context:  # fmt: skip
    """Map every column to a field; an unknown column fails the whole request.

    Raises
    ------
    RequestFailure
        ``ATTRIBUTE_NOT_SUPPORTED`` for a column that is neither a field nor a relationship
        to a unique field (``migration``: the request is in migration mode, see
        :mod:`.migration`); ``INVALID_DATA`` when both ``object_type__v`` and
        ``object_type__v.api_name__v`` are given (Vault takes one or the other).
    """
    fields, rels = field_map(object_name), relationship_map(object_name)
    planned: dict[str, _Column] = {}
    for col in columns:
        if col in (COPY_COLUMN, STATE_LABEL):  # not fields; state_label: see .migration
            continue  # not a field: create_row copies the record it names
        if col in fields:
            meta = fields[col]
            settable = (system or migration) and (col != "id" or migration)  # id: create only
            editable = not is_computed(meta) and (meta["editable"] or settable)
            is_ref = meta["type"] == "Object"
            planned[col] = _Column(col, meta, parser_for(meta), None, editable, is_ref)
            continue
        if col == TYPE_NAME_COLUMN and "object_type__v" in fields:
            meta = fields["object_type__v"]
            planned[col] = _Column(col, meta, _type_name, "api_name__v", True, True)
            continue
        rel, _, target_field = col.partition(".")
        rel_meta = rels.get(rel)
        if rel_meta is None or rel_meta["object"]["name"] not in OBJECTS:
            raise _unknown(col, object_name)
        target = field_map(rel_meta["object"]["name"]).get(target_field)
        if not target or not is_unique(target):
            raise _unknown(col, object_name)
        planned[col] = _Column(
            col, rel_meta, parser_for(target), target_field, rel_meta["editable"], True
        )
    if TYPE_NAME_COLUMN in planned and "object_type__v" in planned:
        raise RequestFailure(
            "INVALID_DATA", f"Give either object_type__v or {TYPE_NAME_COLUMN}, not both"
        )
    return Context(
        store, object_name, planned, now_stamp(), system or migration, COPY_COLUMN in columns,
        migration=migration,
    )  # fmt: skip


def _type_name(raw: Any) -> str:
    if not isinstance(raw, str):
        raise InvalidValue("INVALID_DATA", f"Invalid object type name [{raw}]")
    return raw


def _resolve(ctx: Context, col: _Column, raw: Any) -> Any:
    """Turn a reference cell (id, or a unique value through the relationship) into an id."""
    target = col.meta["object"]["name"]
    if target not in OBJECTS:  # a user: its id is the value
        return col.parse(raw)
    if col.meta["name"] == "object_type__v":
        return _resolve_type(ctx, col, raw)
    if col.target_field is None:
        ref: str = col.parse(raw)
        if ctx.store.get(target, ref) is None:
            raise InvalidValue("INVALID_DATA", f"No {target} record has id [{ref}]")
        return ref
    found = ctx.store.find(target, col.target_field, col.parse(raw))
    if found is None:
        raise InvalidValue("INVALID_DATA", f"No {target} record has {col.target_field} [{raw}]")
    return found


def _resolve_type(ctx: Context, col: _Column, raw: Any) -> str:
    """An object type of this object, given by name (``api_name__v``) or by id."""
    if col.name == TYPE_NAME_COLUMN:
        otype = find_type(ctx.object, col.parse(raw))
    else:  # object_type__v, or object_type__vr.id
        otype = type_by_id(col.parse(raw))
    if otype is None or otype.object != ctx.object:
        known = [t.name for t in types_of(ctx.object)]
        why = f"[{raw}] is not an object type of {ctx.object}; its types: {known}"
        raise InvalidValue("INVALID_DATA", why)
    return otype.id


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
            values[fname] = INVALID
    for fname, ids in refs.items():
        if len(ids) > 1:
            errors.append(("INVALID_DATA", f"The columns for [{fname}] name different records"))
        if values.get(fname) is not INVALID:
            values[fname] = ids.pop()
    if row.get(STATE_LABEL) not in (None, ""):  # migration mode only
        if ctx.system:
            state_from_label(ctx.object, row[STATE_LABEL], values, errors)
        else:
            errors.append(("INVALID_DATA", f"Field [{STATE_LABEL}] is not editable"))
    if ctx.migration:
        check_audit(values, errors)
    if ctx.system and values.get("state__v") not in (None, *LIFECYCLE_STATES):
        errors.append(("INVALID_DATA", f"Unknown lifecycle state [{values['state__v']}]"))
    return values


def create_row(ctx: Context, row: dict[str, Any], event: str | None = None) -> Outcome:
    """Create one record from a row, or fail the row with every problem found."""
    errors: list[tuple[str, str]] = []
    values = {k: v for k, v in _values(ctx, row, None, errors).items() if v is not None}
    if ctx.copies and row.get(COPY_COLUMN) not in (None, ""):
        copied = _copied_values(ctx, row[COPY_COLUMN], errors)
        values = {**copied, **values}  # a value given overrides the copied one
    given = values.pop("id", None)  # migration mode: the record's id, given
    if given is not None:
        taken = ctx.store.get(ctx.object, str(given)) is not None
        check_given_id(ctx.object, given, taken, errors)
    record = new_record(ctx.object, values, ctx.stamp)
    clash = check_record(ctx.store, ctx.object, record, errors)
    if errors:
        return Outcome("FAILURE", errors=errors, unique_clash=clash)
    record["id"] = str(given) if given is not None else ctx.store.new_id(ctx.object)
    stamp_new(record)
    if ctx.object in NAME_FORMATS and not record["name__v"]:
        record["name__v"] = ctx.store.new_name(ctx.object)
    ctx.store.put(ctx.object, record)
    return Outcome("SUCCESS", id=record["id"], event=event)


def _copied_values(ctx: Context, source: Any, errors: list[tuple[str, str]]) -> dict[str, Any]:
    """The values a copy of record ``source`` starts from (Vault's ``source_record_id``).

    Copied: every field a create could set (editable, not computed) that is not marked
    ``no_copy``. Not copied: ``id``, system stamps, lifecycle and state: the copy is a new
    record, stamped and started like one.
    """
    rid = source.strip() if isinstance(source, str) else source
    record = ctx.store.get(ctx.object, rid) if isinstance(rid, str) else None
    if record is None:
        errors.append(("INVALID_DATA", f"No {ctx.object} record has id [{source}] to copy"))
        return {}
    out = {}
    for name, meta in field_map(ctx.object).items():
        if meta.get("no_copy") or not meta["editable"] or is_computed(meta) or name == "id":
            continue
        value = record.get(name)
        if value is not None:
            out[name] = list(value) if isinstance(value, list) else value
    return out


def update_row(ctx: Context, row: dict[str, Any], record_id: str, skip: str) -> Outcome:
    """Update an existing record from a row (column ``skip`` is the key, not a value).

    A row that changes nothing is a ``WARNING`` (``NO_DATA_CHANGES``) and writes nothing.
    A record's object type cannot change (outside migration mode).
    """
    errors: list[tuple[str, str]] = []
    current = ctx.store.get(ctx.object, record_id)
    assert current is not None
    values = _values(ctx, row, skip, errors)
    changed = {k: v for k, v in values.items() if current.get(k) != v}
    if "object_type__v" in changed and changed["object_type__v"] is not INVALID:
        errors.append(("INVALID_DATA", "A record's object type cannot be changed by an update"))
        del changed["object_type__v"]
    new = {**current, **changed}
    clash = check_record(ctx.store, ctx.object, new, errors)
    if errors:
        return Outcome("FAILURE", id=record_id, errors=errors, unique_clash=clash)
    if not changed:
        return Outcome("WARNING", id=record_id, event="updated__sys", warning=_NO_CHANGE)
    if "modified_date__v" not in changed:
        new["modified_date__v"] = ctx.stamp
    if "modified_by__v" not in changed:
        new["modified_by__v"] = USER_ID
    ctx.store.put(ctx.object, new)
    return Outcome("SUCCESS", id=record_id, event="updated__sys")


def faulted(row_faults: dict[int, str] | None, position: int) -> Outcome | None:
    """The injected failure of the row at ``position``, or None (fault injection)."""
    if row_faults and position in row_faults:
        kind = row_faults[position]
        return Outcome("FAILURE", errors=[(kind, f"Injected {kind} for row {position + 1}")])
    return None
