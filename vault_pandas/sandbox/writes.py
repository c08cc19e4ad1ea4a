"""Bulk write rules: create, upsert, update and delete of object records, row by row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .objects import INITIAL_STATE, LIFECYCLE_STATES, OBJECTS, field_map, relationship_map
from .store import Record, Store
from .values import InvalidValue, is_blank, now_stamp, parse_value, parser_for

__all__ = [
    "MAX_ROWS",
    "Batch",
    "Outcome",
    "RequestFailure",
    "create",
    "delete",
    "update",
    "upsert",
]

MAX_ROWS = 500
_INVALID: Any = object()  # a value that failed to parse: reported once, not as "missing" too
_NO_CHANGE = ("NO_DATA_CHANGES", "No changes were made: every value equals the stored one")


class RequestFailure(Exception):
    """The whole request fails: nothing is written.

    Parameters
    ----------
    type : str
        Vault error type.
    message : str
        Human-readable reason.
    """

    def __init__(self, type: str, message: str) -> None:  # noqa: A002 - Vault's key name
        super().__init__(message)
        self.type = type
        self.message = message


@dataclass
class Batch:
    """Rows of one request. A row maps column -> raw value, holding only the columns given.

    ``id_param`` is the ``?idParam=`` of an update (PUT): the unique field to match records on
    instead of ``id``.
    """

    columns: list[str]
    rows: list[dict[str, Any]]
    id_param: str | None = None


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
    field: dict[str, Any]
    target_field: str | None = None  # set for relationship columns such as product__cr.name__v
    editable: bool = True
    is_ref: bool = False
    parse: Callable[[Any], Any] = field(default=parse_value)  # bound in _plan


@dataclass
class _Ctx:
    store: Store
    object: str
    columns: dict[str, _Column]
    stamp: str
    system: bool = False  # seeding: system fields may be set


def _plan(store: Store, object_name: str, columns: list[str], system: bool = False) -> _Ctx:
    """Map every column to a field; an unknown column fails the whole request."""
    fields, rels = field_map(object_name), relationship_map(object_name)
    plan: dict[str, _Column] = {}
    for col in columns:
        if col in fields:
            meta = fields[col]
            editable = meta["editable"] or (system and col != "id")
            plan[col] = _Column(
                col, meta, None, editable, meta["type"] == "Object", parser_for(meta)
            )
            continue
        rel, _, target_field = col.partition(".")
        meta = rels.get(rel)
        target = field_map(meta["object"]["name"]).get(target_field) if meta else None
        if not target or not target["unique"]:
            raise RequestFailure(
                "ATTRIBUTE_NOT_SUPPORTED", f"Unknown field [{col}] on object [{object_name}]"
            )
        plan[col] = _Column(col, meta, target_field, meta["editable"], True)
    return _Ctx(store, object_name, plan, now_stamp(), system)


def _check_size(batch: Batch) -> None:
    if not batch.rows:
        raise RequestFailure("INVALID_DATA", "The input holds no records")
    if len(batch.rows) > MAX_ROWS:
        raise RequestFailure(
            "INVALID_DATA", f"Too many records: {len(batch.rows)} (at most {MAX_ROWS} per request)"
        )


def _resolve(ctx: _Ctx, col: _Column, raw: Any) -> str:
    """Turn a reference cell (id, or a unique value through the relationship) into an id."""
    target = col.field["object"]["name"]
    if col.target_field is None:
        ref = parse_value(col.field, raw)
        if ctx.store.get(target, ref) is None:
            raise InvalidValue("INVALID_DATA", f"No {target} record has id [{ref}]")
        return ref
    tfield = field_map(target)[col.target_field]
    ref = ctx.store.find(target, col.target_field, parse_value(tfield, raw))
    if ref is None:
        raise InvalidValue("INVALID_DATA", f"No {target} record has {col.target_field} [{raw}]")
    return ref


def _values(ctx: _Ctx, row: dict[str, Any], skip: str | None, errors: list) -> dict[str, Any]:
    """Parse a row into ``{field: stored value or None (clear)}``, collecting errors."""
    values: dict[str, Any] = {}
    refs: dict[str, set[str]] = {}
    for name, col in ctx.columns.items():
        if name not in row or name == skip:
            continue
        raw, fname = row[name], col.field["name"]
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


def _check_record(ctx: _Ctx, record: Record, errors: list) -> None:
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


def _create_row(ctx: _Ctx, row: dict[str, Any], event: str | None = None) -> Outcome:
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


def _update_row(ctx: _Ctx, row: dict[str, Any], record_id: str, skip: str) -> Outcome:
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


def _key(value: Any) -> Any:
    """A hashable stand-in for a raw cell (JSON lists are not hashable)."""
    return tuple(value) if isinstance(value, list) else value


def _faulted(row_faults: dict[int, str] | None, position: int) -> Outcome | None:
    if row_faults and position in row_faults:
        kind = row_faults[position]
        return Outcome("FAILURE", errors=[(kind, f"Injected {kind} for row {position + 1}")])
    return None


def create(
    store: Store, object_name: str, batch: Batch, row_faults: dict[int, str] | None = None
) -> list[Outcome]:
    """Create one record per row; rows fail individually, in input order.

    Parameters
    ----------
    store : Store
        Where records live.
    object_name : str
        A known object name.
    batch : Batch
        The parsed request body.
    row_faults : dict, optional
        ``{row position: error type}`` to fail on purpose (fault injection).

    Returns
    -------
    list of Outcome
        One per row, in input order.

    Raises
    ------
    RequestFailure
        Too many rows, no rows, or an unknown column.
    """
    _check_size(batch)
    ctx = _plan(store, object_name, batch.columns)
    return [_faulted(row_faults, i) or _create_row(ctx, row) for i, row in enumerate(batch.rows)]


def _id_param_key(meta: dict[str, Any], raw: Any) -> Any:
    return raw.strip() if meta["type"] == "ID" else parse_value(meta, raw)


def _id_param_meta(object_name: str, batch: Batch, id_param: str) -> dict[str, Any]:
    """The unique field ``id_param``; unknown, not unique, or not a column fails the request."""
    meta = field_map(object_name).get(id_param)
    if meta is None or not meta["unique"]:
        why = "is not a field" if meta is None else "is not unique"
        raise RequestFailure("INVALID_DATA", f"idParam [{id_param}] {why} on [{object_name}]")
    if id_param not in batch.columns:
        raise RequestFailure("PARAMETER_REQUIRED", f"The input has no [{id_param}] column")
    return meta


def upsert(
    store: Store,
    object_name: str,
    batch: Batch,
    id_param: str,
    row_faults: dict[int, str] | None = None,
) -> list[Outcome]:
    """Create or update each row, matching records on the unique field ``id_param``.

    A blank cell clears the field of a matched record. Duplicate ``id_param`` values in one
    request fail the whole request, as Vault documents.

    Raises
    ------
    RequestFailure
        Besides the :func:`create` cases: ``id_param`` unknown, not unique, not a column,
        or given twice.
    """
    _check_size(batch)
    meta = _id_param_meta(object_name, batch, id_param)
    ctx = _plan(store, object_name, batch.columns)
    given = [row.get(id_param) for row in batch.rows]
    dupes = [v for v, n in Counter(_key(v) for v in given if not is_blank(v)).items() if n > 1]
    if dupes:
        raise RequestFailure("INVALID_DATA", f"Duplicate {id_param} values: {dupes[:5]}")
    outcomes = []
    for i, (row, raw) in enumerate(zip(batch.rows, given, strict=True)):
        outcome = _faulted(row_faults, i) or _upsert_row(ctx, row, meta, raw)
        outcome.id_param_value = raw
        outcomes.append(outcome)
    return outcomes


def _upsert_row(ctx: _Ctx, row: dict[str, Any], meta: dict[str, Any], raw: Any) -> Outcome:
    if is_blank(raw):
        return Outcome("FAILURE", errors=[("PARAMETER_REQUIRED", f"Missing [{meta['name']}]")])
    try:
        existing = ctx.store.find(ctx.object, meta["name"], _id_param_key(meta, raw))
    except InvalidValue as exc:
        return Outcome("FAILURE", errors=[(exc.type, exc.message)])
    if existing is not None:
        return _update_row(ctx, row, existing, skip=meta["name"])
    if meta["name"] == "id":
        return Outcome("FAILURE", errors=[("INVALID_DATA", f"No record has id [{raw}]")])
    return _create_row(ctx, row, event="created__sys")


def _keyed_rows(store: Store, object_name: str, batch: Batch) -> tuple[list, Counter]:
    """Check the ``id`` column of an update/delete body; count each id."""
    _check_size(batch)
    if "id" not in batch.columns:
        raise RequestFailure("PARAMETER_REQUIRED", "The input has no [id] column")
    ids = [row.get("id") for row in batch.rows]
    ids = [v.strip() if isinstance(v, str) else v for v in ids]
    return ids, Counter(_key(v) for v in ids if not is_blank(v))


def _id_problem(store: Store, object_name: str, rid: Any, counts: Counter) -> Outcome | None:
    if is_blank(rid):
        return Outcome("FAILURE", errors=[("PARAMETER_REQUIRED", "Missing record [id]")])
    if not isinstance(rid, str) or store.get(object_name, rid) is None:
        return Outcome("FAILURE", id=None, errors=[("INVALID_DATA", f"No record has id [{rid}]")])
    if counts[rid] > 1:
        return Outcome("FAILURE", id=rid, errors=[("INVALID_DATA", f"Id [{rid}] appears twice")])
    return None


def update(
    store: Store, object_name: str, batch: Batch, row_faults: dict[int, str] | None = None
) -> list[Outcome]:
    """Update the record named by each row's ``id``; a blank cell clears that field.

    Rows whose id is blank, unknown or repeated in the request fail; other rows succeed.
    With ``batch.id_param`` (``?idParam=``) records are matched on that unique field instead
    (see :func:`_update_by_key`).
    """
    if batch.id_param is not None and batch.id_param != "id":
        return _update_by_key(store, object_name, batch, batch.id_param, row_faults)
    ids, counts = _keyed_rows(store, object_name, batch)
    ctx = _plan(store, object_name, batch.columns)
    outcomes = []
    for i, (row, rid) in enumerate(zip(batch.rows, ids, strict=True)):
        outcome = _faulted(row_faults, i) or _id_problem(store, object_name, rid, counts)
        if outcome is None:
            outcome = _update_row(ctx, row, rid, skip="id")
            outcome.event = None
        outcomes.append(outcome)
    return outcomes


def _update_by_key(
    store: Store,
    object_name: str,
    batch: Batch,
    id_param: str,
    row_faults: dict[int, str] | None,
) -> list[Outcome]:
    """Update the record whose unique ``id_param`` equals each row's value; never create.

    A blank key fails the row (``PARAMETER_REQUIRED``), a key matching no record fails it
    (``INVALID_DATA``), and rows naming the same record fail (``INVALID_DATA``), as repeated
    ids do; other rows are updated.

    Raises
    ------
    RequestFailure
        Besides the :func:`create` cases: ``id_param`` unknown, not unique, or not a column.
    """
    _check_size(batch)
    meta = _id_param_meta(object_name, batch, id_param)
    ctx = _plan(store, object_name, batch.columns)
    matched: list[str | Outcome] = []
    for i, row in enumerate(batch.rows):
        raw = row.get(id_param)
        problem = _faulted(row_faults, i)
        if problem is None and is_blank(raw):
            problem = Outcome("FAILURE", errors=[("PARAMETER_REQUIRED", f"Missing [{id_param}]")])
        rid = None
        if problem is None:
            try:
                rid = store.find(object_name, id_param, _id_param_key(meta, raw))
            except InvalidValue as exc:
                problem = Outcome("FAILURE", errors=[(exc.type, exc.message)])
        if problem is None and rid is None:
            why = f"No {object_name} record has {id_param} [{raw}]"
            problem = Outcome("FAILURE", errors=[("INVALID_DATA", why)])
        matched.append(problem if problem is not None else str(rid))
    counts = Counter(m for m in matched if isinstance(m, str))
    outcomes = []
    for row, m in zip(batch.rows, matched, strict=True):
        if isinstance(m, Outcome):
            outcomes.append(m)
        elif counts[m] > 1:
            why = f"[{id_param}] value [{row.get(id_param)}] names a record another row names"
            outcomes.append(Outcome("FAILURE", id=m, errors=[("INVALID_DATA", why)]))
        else:
            outcome = _update_row(ctx, row, m, skip=id_param)
            outcome.event = None
            outcomes.append(outcome)
    return outcomes


def delete(
    store: Store, object_name: str, batch: Batch, row_faults: dict[int, str] | None = None
) -> list[Outcome]:
    """Delete the record named by each row's ``id`` (other columns are ignored).

    A record that another record still references is not deleted (OPERATION_NOT_ALLOWED).
    """
    ids, counts = _keyed_rows(store, object_name, batch)
    outcomes = []
    for i, rid in enumerate(ids):
        outcome = _faulted(row_faults, i) or _id_problem(store, object_name, rid, counts)
        if outcome is None:
            if store.referenced(object_name, rid):
                why = f"Record [{rid}] is referenced by other records"
                outcome = Outcome("FAILURE", id=rid, errors=[("OPERATION_NOT_ALLOWED", why)])
            else:
                store.delete(object_name, rid)
                outcome = Outcome("SUCCESS", id=rid)
        outcomes.append(outcome)
    return outcomes


def seed(store: Store, object_name: str, rows: list[dict[str, Any]]) -> list[str]:
    """Insert records directly (text-form values, validated; system fields allowed but ``id``).

    Raises
    ------
    ValueError
        If any row is invalid; rows before it stay inserted.
    """
    columns = list(dict.fromkeys(k for row in rows for k in row))
    try:
        ctx = _plan(store, object_name, columns, system=True)
    except RequestFailure as exc:
        raise ValueError(exc.message) from exc
    ids = []
    for number, row in enumerate(rows, start=1):
        outcome = _create_row(ctx, row)
        if outcome.status != "SUCCESS":
            raise ValueError(f"seed row {number}: " + "; ".join(m for _, m in outcome.errors))
        ids.append(outcome.id or "")
    return ids
