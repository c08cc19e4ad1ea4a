"""Which columns a frame may send for an operation (``check_columns``), and the operation rules.

Pure: no I/O. The rules here are shared with the derived schema
(``vault_pandas.schema.derived``). Decisions:

- Upsert needs the object's required fields like create does, because any row may create a
  record; ``upsert(id_param="id")`` only updates, so it is treated like update.
- ``update(id_param=...)`` matches records on that unique field instead of ``id``: the key
  column is then needed (and checked like upsert's key) and an ``id`` column is refused.
- ``action`` and ``delete`` send only record ids: they need an ``id`` column and ignore others.
- Columns named ``vault_*`` are results of an earlier call and are ignored.
- Never stricter than Vault: a column that is a field of the object but cannot be written by
  this call (not editable, a lookup, formula or roll-up, system-managed, or settable only in
  migration mode) is left out of every request and reported, never a FrameError. A required
  field is demanded only when Vault certainly has no value for it: not ``status__v``
  (Vault sets ``active__v``), not a field with a ``default_value``, not ``object_type__v``
  on an object with a default type, not a name Vault generates.
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
#: Fields Vault sets itself on every record: never sent outside migration mode.
SYSTEM_FIELDS: Final = frozenset(
    {"created_by__v", "created_date__v", "modified_by__v", "modified_date__v",
     "global_id__sys", "link__sys"}
)  # fmt: skip
#: Columns only migration mode may set (``X-VaultAPI-MigrationMode``), on create and update.
MIGRATION_COLUMNS: Final = frozenset(
    {"state__v", "state_label", "created_by__v", "created_date__v", "modified_by__v",
     "modified_date__v"}
)  # fmt: skip
#: Required fields Vault fills when a create leaves them out.
VAULT_DEFAULTS: Final = {"status__v": "active__v"}


def check_columns(
    spec: ObjectSpec,
    columns: Sequence[str],
    *,
    operation: Operation,
    id_param: str | None = None,
    migration_mode: bool = False,
) -> dict[str, str]:
    """Check the columns for ``operation``: return the ones left out, raise on the others.

    Returned: columns that are fields of the object but that this call cannot write (name ->
    why: ``"not editable"``, ``"lookup"``, ``"formula"``, ``"system-managed"``,
    ``"migration mode only"``...); they are never sent. Raised as one FrameError listing every
    problem: unknown columns (with the closest field names), unknown relationships in
    ``rel__cr.field`` columns, duplicated column names, required fields Vault has no value for
    (create, and upsert unless by ``id``), the ``id`` column for update/action/delete, and for
    upsert (or update by ``id_param``) an ``id_param`` that is a unique field and present.

    Examples
    --------
    >>> spec = ObjectSpec("a__c", {"name__v": FieldSpec("name__v", "String", required=True)})
    >>> check_columns(spec, ["name__v"], operation="create")
    {}
    >>> check_columns(spec, ["name__v", "created_date__v"], operation="create")
    {'created_date__v': 'system-managed; migration_mode=True sends it'}
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
    left_out: dict[str, str] = {}
    if operation == "delete" and by_key(operation, id_param):
        problems += _key_problems(spec, cols, id_param)
    elif operation in ("action", "delete"):
        if "id" not in cols:
            problems.append(f"column 'id' is missing: {operation} needs the record ids")
    else:
        for c in cols:
            why = left_out_reason(spec, c, operation, id_param, migration_mode)
            if why:
                left_out[c] = why
            elif problem := _column_problem(spec, c, operation):
                problems.append(problem)
        problems += _missing_problems(spec, cols, operation, id_param)
    if problems:
        message = f"cannot {operation} {spec.name} from this frame:\n- " + "\n- ".join(problems)
        raise FrameError(message, problems)
    return left_out


def left_out_reason(
    spec: ObjectSpec, col: str, operation: str, id_param: str | None, migration_mode: bool
) -> str | None:
    """Why this call cannot write a column that names a field (or its relationship), or None.

    Examples
    --------
    >>> spec = ObjectSpec("a__c", {"f__c": FieldSpec("f__c", "String", editable=False)})
    >>> left_out_reason(spec, "f__c", "create", None, False)
    'not editable'
    >>> left_out_reason(spec, "state__v", "create", None, True) is None
    True
    """
    if col in MIGRATION_COLUMNS or (col == "id" and operation == "create"):
        if migration_mode:
            return None
        kind = (
            "system-managed" if col in SYSTEM_FIELDS
            else "set by Vault on create" if col == "id"
            else "migration mode only"
        )  # fmt: skip
        return f"{kind}; migration_mode=True sends it"
    if col in SYSTEM_FIELDS:
        return "system-managed"
    field = spec.fields.get(col)
    if field is None and "." in col:
        field = spec.relationship(col.partition(".")[0])
    if field is None or field.writable or id_settable(col, operation, id_param):
        return None
    if field.computed:
        return field.computed
    if field.system_managed_name:
        return f"set by Vault ({spec.name} names its records itself)"
    if col == "id":
        return f"records are matched on {id_param}"
    return "not editable"


def check_operation(operation: str, id_param: str | None) -> None:
    """Raise ConfigurationError for an unknown operation or an id_param it does not take."""
    if operation not in OPERATIONS:
        raise ConfigurationError(f"operation must be one of {OPERATIONS}, not {operation!r}")
    if operation == "upsert" and id_param is None:
        raise ConfigurationError("id_param is needed for upsert")
    if operation not in ("upsert", "update", "delete") and id_param is not None:
        raise ConfigurationError("id_param is only for upsert, update and delete")


def by_key(operation: str, id_param: str | None) -> bool:
    """True when records are matched on the unique field ``id_param`` (upsert, update, delete)."""
    return id_param is not None and operation in ("upsert", "update", "delete")


def id_settable(column: str, operation: str, id_param: str | None) -> bool:
    """True when ``column`` is ``id`` and the operation matches records on it."""
    return column == "id" and (
        (operation == "update" and id_param in (None, "id")) or id_param == "id"
    )


def _column_problem(spec: ObjectSpec, col: Any, operation: str) -> str:
    if not isinstance(col, str):
        return f"column {col!r} is not a field name (column names must be text)"
    if col in spec.fields or col in MIGRATION_COLUMNS:  # state_label: migration mode
        return ""
    if "." in col:
        return _relationship_problem(spec, col)
    if operation in SPECIAL_COLUMNS.get(col, ()):
        return ""
    return f"column {col!r} is not a field of {spec.name}" + _suggest(col, spec.fields)


def _relationship_problem(spec: ObjectSpec, col: str) -> str:
    rel = col.partition(".")[0]
    if rel == "object_type__v" and rel in spec.fields:
        return ""
    if spec.relationship(rel) is None:
        names = [f.relationship_name for f in spec.fields.values() if f.relationship_name]
        return f"column {col!r}: {rel!r} is not a relationship of {spec.name}" + _suggest(
            rel, names
        )
    return ""


def _missing_problems(
    spec: ObjectSpec, cols: Sequence[str], operation: str, id_param: str | None
) -> list[str]:
    problems = []
    if operation == "update" and id_param is None and "id" not in cols:
        problems.append("column 'id' is missing: update needs the record id of each row")
    if by_key(operation, id_param):
        problems += _key_problems(spec, cols, id_param)
    # a copy (create with source_record_id) takes its required fields from the source record
    copies = operation == "create" and "source_record_id" in cols
    if needs_required(operation, id_param) and not copies:
        linked = {c.partition(".")[0] for c in cols if "." in c}
        for field in spec.fields.values():
            given = field.name in cols or field.relationship_name in linked
            if is_required(field, spec) and not given:
                label = f" ({field.label})" if field.label and field.label != field.name else ""
                problems.append(f"required field {field.name!r} is missing{label}")
    return problems


def _key_problems(spec: ObjectSpec, cols: Sequence[str], id_param: str | None) -> list[str]:
    """Problems with ``id_param``: not a field, not unique, or not a column of the frame."""
    assert id_param is not None
    problems = []
    field = spec.fields.get(id_param)
    if field is None:
        problems.append(
            f"id_param {id_param!r} is not a field of {spec.name}" + _suggest(id_param, spec.fields)
        )
    elif not field.unique:
        uniques = ", ".join(repr(f.name) for f in spec.fields.values() if f.unique)
        problems.append(
            f"id_param {id_param!r} is not a unique field of {spec.name} (unique fields: {uniques})"
        )
    if id_param not in cols:
        problems.append(f"the id_param column {id_param!r} is missing")
    return problems


def needs_required(operation: str, id_param: str | None) -> bool:
    """True when the operation may create records, so required fields must be given."""
    return operation == "create" or (operation == "upsert" and id_param != "id")


def is_required(field: FieldSpec, spec: ObjectSpec | None = None) -> bool:
    """True when the frame must give ``field``: required, and Vault has no value for it.

    Vault fills ``status__v`` (``active__v``), fields with a ``default_value``, generated
    names, and ``object_type__v`` on an object with a default type.
    """
    if not (field.required and field.writable) or field.system_managed_name:
        return False
    if field.default_value is not None or field.name in VAULT_DEFAULTS:
        return False
    return not (field.name == "object_type__v" and (spec is None or spec.allow_types))


def _suggest(name: str, candidates: Any) -> str:
    close = difflib.get_close_matches(name.lower(), [str(c) for c in candidates], n=3)
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?" if close else ""
