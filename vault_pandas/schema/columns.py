"""Which columns a frame may send for an operation (``check_columns``), and the operation rules.

Pure: no I/O. The rules here are shared with the derived schema
(``vault_pandas.schema.derived``). Decisions:

- Upsert needs the object's required fields like create does, because any row may create a
  record; ``upsert(id_param="id")`` only updates, so it is treated like update.
- ``update(id_param=...)`` matches records on that unique field instead of ``id``: the key
  column is then needed (and checked like upsert's key) and an ``id`` column is refused.
- ``action`` and ``delete`` send only record ids: they need an ``id`` column and ignore others.
- Columns named ``vault_*`` are results of an earlier call and are ignored.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from typing import Any, Final, Literal

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.results.outcomes import RESULT_PREFIX
from vault_pandas.schema.metadata import FieldSpec, ObjectSpec

Operation = Literal["create", "upsert", "update", "action", "delete"]
OPERATIONS: Final = ("create", "upsert", "update", "action", "delete")
#: Columns that are no field but an operation takes (column name -> those operations).
SPECIAL_COLUMNS: Final = {"source_record_id": ("create",)}


def check_columns(
    spec: ObjectSpec,
    columns: Sequence[str],
    *,
    operation: Operation,
    id_param: str | None = None,
) -> None:
    """Raise FrameError listing every reason the columns cannot be sent for ``operation``.

    Checked: unknown columns (with the closest field names), fields Vault does not let you
    set, unknown relationships in ``rel__cr.field`` columns, duplicated column names,
    required fields missing (create, and upsert unless by ``id``), the ``id`` column for
    update/action/delete, and for upsert (or update by ``id_param``) an ``id_param`` that is a
    unique field and present; update by another field than ``id`` takes no ``id`` column.

    Examples
    --------
    >>> spec = ObjectSpec("a__c", {"name__v": FieldSpec("name__v", "String", required=True)})
    >>> check_columns(spec, ["name__v"], operation="create")
    >>> check_columns(spec, ["nmae__v"], operation="create")
    Traceback (most recent call last):
    ...
    vault_pandas.errors.FrameError: cannot create a__c from this frame:
    - column 'nmae__v' is not a field of a__c; did you mean 'name__v'?
    - required field 'name__v' is missing
    """
    check_operation(operation, id_param)
    cols = [c for c in columns if not str(c).startswith(RESULT_PREFIX)]
    problems = [f"column {c!r} appears {n} times" for c, n in Counter(cols).items() if n > 1]
    if operation in ("action", "delete"):
        if "id" not in cols:
            problems.append(f"column 'id' is missing: {operation} needs the record ids")
    else:
        problems += [p for c in cols if (p := _column_problem(spec, c, operation, id_param))]
        problems += _missing_problems(spec, cols, operation, id_param)
    if problems:
        message = f"cannot {operation} {spec.name} from this frame:\n- " + "\n- ".join(problems)
        raise FrameError(message, problems)


def check_operation(operation: str, id_param: str | None) -> None:
    """Raise ConfigurationError for an unknown operation or an id_param it does not take."""
    if operation not in OPERATIONS:
        raise ConfigurationError(f"operation must be one of {OPERATIONS}, not {operation!r}")
    if operation == "upsert" and id_param is None:
        raise ConfigurationError("id_param is needed for upsert")
    if operation not in ("upsert", "update") and id_param is not None:
        raise ConfigurationError("id_param is only for upsert and update")


def by_key(operation: str, id_param: str | None) -> bool:
    """True when records are matched on the unique field ``id_param`` (upsert, keyed update)."""
    return id_param is not None and operation in ("upsert", "update")


def id_settable(column: str, operation: str, id_param: str | None) -> bool:
    """True when ``column`` is ``id`` and the operation matches records on it."""
    return column == "id" and (
        (operation == "update" and id_param in (None, "id")) or id_param == "id"
    )


def _column_problem(spec: ObjectSpec, col: Any, operation: str, id_param: str | None) -> str:
    if not isinstance(col, str):
        return f"column {col!r} is not a field name (column names must be text)"
    field = spec.fields.get(col)
    if field is None and "." in col:
        return _relationship_problem(spec, col)
    if field is None:
        if operation in SPECIAL_COLUMNS.get(col, ()):
            return ""
        return f"column {col!r} is not a field of {spec.name}" + _suggest(col, spec.fields)
    if field.editable or id_settable(col, operation, id_param):
        return ""
    if field.system_managed_name:
        return f"column {col!r} is set by Vault ({spec.name} names its records itself)"
    if col == "id" and operation == "update":
        return (
            f"column 'id' cannot be sent with id_param={id_param!r} (records are matched on "
            f"{id_param}); drop it, or update by id"
        )
    if col == "id":
        return "column 'id' cannot be set on create; use update() or upsert(id_param='id')"
    return f"column {col!r} is a field Vault does not let you set (not editable)"


def _relationship_problem(spec: ObjectSpec, col: str) -> str:
    rel = col.partition(".")[0]
    if rel == "object_type__v" and rel in spec.fields:
        return ""
    ref = spec.relationship(rel)
    if ref is None:
        names = [f.relationship_name for f in spec.fields.values() if f.relationship_name]
        return f"column {col!r}: {rel!r} is not a relationship of {spec.name}" + _suggest(
            rel, names
        )
    if not ref.editable:
        return f"column {col!r} sets {ref.name}, which Vault does not let you set"
    return ""


def _missing_problems(
    spec: ObjectSpec, cols: Sequence[str], operation: str, id_param: str | None
) -> list[str]:
    problems = []
    if operation == "update" and id_param is None and "id" not in cols:
        problems.append("column 'id' is missing: update needs the record id of each row")
    if by_key(operation, id_param):
        assert id_param is not None
        field = spec.fields.get(id_param)
        if field is None:
            problems.append(
                f"id_param {id_param!r} is not a field of {spec.name}"
                + _suggest(id_param, spec.fields)
            )
        elif not field.unique:
            uniques = ", ".join(repr(f.name) for f in spec.fields.values() if f.unique)
            problems.append(
                f"id_param {id_param!r} is not a unique field of {spec.name} "
                f"(unique fields: {uniques})"
            )
        if id_param not in cols:
            problems.append(f"the id_param column {id_param!r} is missing")
    if needs_required(operation, id_param):
        linked = {c.partition(".")[0] for c in cols if "." in c}
        for field in spec.fields.values():
            given = field.name in cols or field.relationship_name in linked
            if is_required(field) and not given:
                problems.append(f"required field {field.name!r} is missing")
    return problems


def needs_required(operation: str, id_param: str | None) -> bool:
    """True when the operation may create records, so required fields must be given."""
    return operation == "create" or (operation == "upsert" and id_param != "id")


def is_required(field: FieldSpec) -> bool:
    """True when the frame must give ``field`` (required, and not set by Vault)."""
    return field.required and field.editable and not field.system_managed_name


def _suggest(name: str, candidates: Any) -> str:
    close = difflib.get_close_matches(name.lower(), [str(c) for c in candidates], n=3)
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?" if close else ""
