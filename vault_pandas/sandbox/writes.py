"""Bulk writes: create, upsert, update and delete a request's rows, and seeding.

Request-level rules live here (size, key columns, duplicate keys, matching rows to records);
the rules of one row are in :mod:`.rows`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .errors import InvalidValue, RequestFailure
from .fields import is_unique
from .objects import OBJECTS, READ_ONLY_OBJECTS, field_map
from .rows import Context, Outcome, create_row, faulted, plan, update_row
from .store import Store
from .values import is_blank, parse_value

__all__ = ["MAX_ROWS", "Batch", "create", "delete", "seed", "update", "upsert", "write"]

MAX_ROWS = 500


@dataclass
class Batch:
    """Rows of one request. A row maps column -> raw value, holding only the columns given.

    ``id_param`` is the ``?idParam=`` of an update (PUT): the unique field to match records on
    instead of ``id``.
    ``migration``: the request is in migration mode (a create may give ``id``).
    """

    columns: list[str]
    rows: list[dict[str, Any]]
    id_param: str | None = None
    migration: bool = False  # X-VaultAPI-MigrationMode: true (see .migration)


def _check_size(batch: Batch) -> None:
    if not batch.rows:
        raise RequestFailure("INVALID_DATA", "The input holds no records")
    if len(batch.rows) > MAX_ROWS:
        raise RequestFailure(
            "INVALID_DATA", f"Too many records: {len(batch.rows)} (at most {MAX_ROWS} per request)"
        )


def _key(value: Any) -> Any:
    """A hashable stand-in for a raw cell (JSON lists are not hashable)."""
    return tuple(value) if isinstance(value, list) else value


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
    ctx = plan(store, object_name, batch.columns, migration=batch.migration)
    return [faulted(row_faults, i) or create_row(ctx, row) for i, row in enumerate(batch.rows)]


def _id_param_key(meta: dict[str, Any], raw: Any) -> Any:
    return raw.strip() if meta["type"] == "ID" else parse_value(meta, raw)


def _id_param_meta(object_name: str, batch: Batch, id_param: str) -> dict[str, Any]:
    """The unique field ``id_param`` (``id`` is one); unknown, not unique, or not a column fails
    the request."""
    meta = field_map(object_name).get(id_param)
    if meta is None or not is_unique(meta):
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
    ctx = plan(store, object_name, batch.columns, system=batch.migration)
    ctx.migration = batch.migration
    given = [row.get(id_param) for row in batch.rows]
    dupes = [v for v, n in Counter(_key(v) for v in given if not is_blank(v)).items() if n > 1]
    if dupes:
        raise RequestFailure("INVALID_DATA", f"Duplicate {id_param} values: {dupes[:5]}")
    outcomes = []
    for i, (row, raw) in enumerate(zip(batch.rows, given, strict=True)):
        outcome = faulted(row_faults, i) or _upsert_row(ctx, row, meta, raw)
        outcome.id_param_value = raw
        outcomes.append(outcome)
    return outcomes


def _upsert_row(ctx: Context, row: dict[str, Any], meta: dict[str, Any], raw: Any) -> Outcome:
    if is_blank(raw):
        return Outcome("FAILURE", errors=[("PARAMETER_REQUIRED", f"Missing [{meta['name']}]")])
    try:
        existing = ctx.store.find(ctx.object, meta["name"], _id_param_key(meta, raw))
    except InvalidValue as exc:
        return Outcome("FAILURE", errors=[(exc.type, exc.message)])
    if existing is not None:
        return update_row(ctx, row, existing, skip=meta["name"])
    if meta["name"] == "id":  # never creates: the documented answer for an unknown id
        return Outcome("FAILURE", errors=[("INVALID_DATA", "Invalid id")])
    return create_row(ctx, row, event="created__sys")


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
    ctx = plan(store, object_name, batch.columns, system=batch.migration)
    ctx.migration = batch.migration
    outcomes = []
    for i, (row, rid) in enumerate(zip(batch.rows, ids, strict=True)):
        outcome = faulted(row_faults, i) or _id_problem(store, object_name, rid, counts)
        if outcome is None:
            outcome = update_row(ctx, row, rid, skip="id")
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
    ctx = plan(store, object_name, batch.columns, system=batch.migration)
    ctx.migration = batch.migration
    matched: list[str | Outcome] = []
    for i, row in enumerate(batch.rows):
        raw = row.get(id_param)
        problem = faulted(row_faults, i)
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
            outcome = update_row(ctx, row, m, skip=id_param)
            outcome.event = None
            outcomes.append(outcome)
    return outcomes


def delete(
    store: Store, object_name: str, batch: Batch, row_faults: dict[int, str] | None = None
) -> list[Outcome]:
    """Delete the record named by each row's ``id`` (other columns are ignored).

    A record that another record still references is not deleted (OPERATION_NOT_ALLOWED).
    With ``batch.id_param`` (``?idParam=``, documented for delete) rows name records by that
    unique field: each row answers the record's ``id`` and its ``id_param_value``.
    """
    if batch.id_param is not None and batch.id_param != "id":
        return _delete_by_key(store, object_name, batch, batch.id_param, row_faults)
    ids, counts = _keyed_rows(store, object_name, batch)
    outcomes = []
    for i, rid in enumerate(ids):
        outcome = faulted(row_faults, i) or _id_problem(store, object_name, rid, counts)
        if outcome is None:
            outcome = _delete_one(store, object_name, rid)
        outcomes.append(outcome)
    return outcomes


def _delete_one(store: Store, object_name: str, rid: str) -> Outcome:
    if store.referenced(object_name, rid):
        why = f"Record [{rid}] is referenced by other records"
        return Outcome("FAILURE", id=rid, errors=[("OPERATION_NOT_ALLOWED", why)])
    store.delete(object_name, rid)
    return Outcome("SUCCESS", id=rid)


def _delete_by_key(
    store: Store,
    object_name: str,
    batch: Batch,
    id_param: str,
    row_faults: dict[int, str] | None,
) -> list[Outcome]:
    """Delete the record whose unique ``id_param`` equals each row's value.

    A blank key (``PARAMETER_REQUIRED``), a key matching no record (``INVALID_DATA``) and a
    key given twice (``INVALID_DATA``, both rows) fail their rows only.
    """
    _check_size(batch)
    meta = _id_param_meta(object_name, batch, id_param)
    given = [row.get(id_param) for row in batch.rows]
    counts = Counter(_key(v) for v in given if not is_blank(v))
    outcomes = []
    for i, raw in enumerate(given):
        outcome = faulted(row_faults, i)
        if outcome is None and is_blank(raw):
            outcome = Outcome("FAILURE", errors=[("PARAMETER_REQUIRED", f"Missing [{id_param}]")])
        if outcome is None and counts[_key(raw)] > 1:
            why = f"[{id_param}] value [{raw}] appears twice"
            outcome = Outcome("FAILURE", errors=[("INVALID_DATA", why)])
        if outcome is None:
            try:
                rid = store.find(object_name, id_param, _id_param_key(meta, raw))
            except InvalidValue as exc:
                rid, outcome = None, Outcome("FAILURE", errors=[(exc.type, exc.message)])
            if outcome is None and rid is None:
                why = f"No {object_name} record has {id_param} [{raw}]"
                outcome = Outcome("FAILURE", errors=[("INVALID_DATA", why)])
            elif outcome is None:
                outcome = _delete_one(store, object_name, str(rid))
        outcome.id_param_value = raw
        outcomes.append(outcome)
    return outcomes


def write(
    store: Store,
    op: str,
    object_name: str,
    batch: Batch,
    id_param: str | None = None,
    row_faults: dict[int, str] | None = None,
) -> list[Outcome]:
    """Run a bulk ``create``, ``upsert``, ``update`` or ``delete`` (the caller holds the lock).

    On a ``raw`` object a unique value already taken fails the whole request and nothing is
    written, as Vault documents for its high-volume store.

    Raises
    ------
    RequestFailure
        Whole-request failures of the operation; ``OPERATION_NOT_ALLOWED`` on an object no
        API write may change; ``INVALID_DATA`` for a uniqueness clash on a ``raw`` object.
    """
    if object_name in READ_ONLY_OBJECTS:
        raise RequestFailure(
            "OPERATION_NOT_ALLOWED", f"Records of [{object_name}] cannot be changed this way"
        )
    raw = OBJECTS[object_name]["data_store"] == "raw" and op != "delete"
    snap = store.snapshot(object_name) if raw else None
    if op == "upsert":
        outcomes = upsert(store, object_name, batch, id_param or "", row_faults)
    else:
        outcomes = {"create": create, "update": update, "delete": delete}[op](
            store, object_name, batch, row_faults
        )
    clash = next((i for i, o in enumerate(outcomes) if o.unique_clash), None)
    if snap is not None and clash is not None:
        store.restore(object_name, snap)
        why = outcomes[clash].unique_clash
        raise RequestFailure("INVALID_DATA", f"Row {clash + 1}: {why}; nothing was written")
    return outcomes


def seed(store: Store, object_name: str, rows: list[dict[str, Any]]) -> list[str]:
    """Insert records directly (text-form values, validated; system fields allowed but ``id``).

    Raises
    ------
    ValueError
        If any row is invalid; rows before it stay inserted.
    """
    if object_name in READ_ONLY_OBJECTS:
        raise ValueError(f"Records of [{object_name}] cannot be seeded")
    columns = list(dict.fromkeys(k for row in rows for k in row))
    try:
        ctx = plan(store, object_name, columns, system=True)
    except RequestFailure as exc:
        raise ValueError(exc.message) from exc
    ids = []
    for number, row in enumerate(rows, start=1):
        outcome = create_row(ctx, row)
        if outcome.status != "SUCCESS":
            raise ValueError(f"seed row {number}: " + "; ".join(m for _, m in outcome.errors))
        ids.append(outcome.id or "")
    return ids
