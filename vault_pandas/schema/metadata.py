"""Vault object metadata -> the columns a frame may send and a pandera schema for its values.

Pure: no I/O. The schema never pins a dtype; its checks look at the values, so a column may
hold any pandas dtype (numpy, nullable, Arrow-backed, ``category``, mixed ``object``). Every
check is vectorised and fails only the values its own rule is about, so each failure reads as
one plain sentence; the checks themselves are built in ``vault_pandas.schema.rules``. Decisions
(see ``derive_schema`` for the value rules):

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import pandas as pd

try:
    import pandera.pandas as pdr
except ImportError:  # pragma: no cover - pandera < 0.24 has no pandera.pandas
    import pandera as pdr  # type: ignore[no-redef]

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.results.outcomes import RESULT_PREFIX
from vault_pandas.schema import rules

Operation = Literal["create", "upsert", "update", "action", "delete"]
OPERATIONS: Final = ("create", "upsert", "update", "action", "delete")

#: Vault field type -> the rules (reason codes) checked on its values. Types not listed
#: (Currency, Link, Lookup, Formula, ...) pass through unchecked.
TYPE_RULES: Final[Mapping[str, tuple[str, ...]]] = {
    "ID": ("text", "record_id"),
    "String": ("text", "max_length"),
    "LongText": ("text", "max_length"),
    "RichText": ("text",),  # max_length counts text without markup: left to Vault
    "Number": ("number", "finite", "min_value", "max_value", "scale"),
    "Date": ("date", "date_only"),
    "DateTime": ("datetime", "timezone"),
    "Boolean": ("boolean",),
    "Picklist": ("picklist",),
    "Object": ("text", "not_empty"),
}
_TYPE_NAMES: Final = {name.lower(): name for name in TYPE_RULES}
_SPECIAL_COLUMNS: Final = {"source_record_id": ("create",)}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a Vault object, as its metadata describes it."""

    name: str
    type: str
    label: str = ""
    required: bool = False
    editable: bool = True
    unique: bool = False
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    scale: int | None = None
    picklist: str | None = None
    multi_value: bool = False
    system_managed_name: bool = False
    target_object: str | None = None
    relationship_name: str | None = None


@dataclass(frozen=True)
class ObjectSpec:
    """A Vault object: its name, fields by name, and the prefix of its record ids."""

    name: str
    fields: Mapping[str, FieldSpec]
    prefix: str | None = None

    def relationship(self, name: str) -> FieldSpec | None:
        """Return the reference field whose relationship is ``name`` (``product__cr``)."""
        return next((f for f in self.fields.values() if f.relationship_name == name), None)

    def field_type(self, column: str) -> str | None:
        """Return the Vault type of ``column``, or None when the object has no such column.

        ``rel__cr.field`` columns give the target field's type when the target is this object,
        else ``"String"``.

        Examples
        --------
        >>> spec = ObjectSpec("a__c", {"n__c": FieldSpec("n__c", "Number")})
        >>> spec.field_type("n__c"), spec.field_type("x__c")
        ('Number', None)
        """
        if column in self.fields:
            return self.fields[column].type
        rel, dot, attr = column.partition(".")
        ref = self.relationship(rel) if dot else None
        if ref is None:
            known = dot and rel == "object_type__v" and rel in self.fields
            return "String" if known else None
        if ref.target_object == self.name and attr in self.fields:
            return self.fields[attr].type
        return "String"


def parse_object_metadata(payload: Mapping[str, Any]) -> ObjectSpec:
    """Build an ObjectSpec from the body of ``GET /metadata/vobjects/{object}``.

    Missing optional keys take defaults, numbers and booleans given as strings are read,
    and unknown field types are kept as given (their values are not checked).

    Examples
    --------
    >>> body = {"object": {"name": "a__c", "prefix": "0A1", "fields": [
    ...     {"name": "n__c", "type": "Number", "max_value": "10", "required": "true"}]}}
    >>> parse_object_metadata(body).fields["n__c"].max_value
    10.0
    """
    obj = payload.get("object", payload) if isinstance(payload, Mapping) else None
    if not isinstance(obj, Mapping) or not obj.get("name"):
        raise ConfigurationError("object metadata has no object name")
    fields = {}
    for raw in obj.get("fields") or ():
        if isinstance(raw, Mapping) and raw.get("name"):
            spec = _parse_field(raw)
            fields[spec.name] = spec
    return ObjectSpec(str(obj["name"]), fields, _str(obj.get("prefix")))


def _parse_field(raw: Mapping[str, Any]) -> FieldSpec:
    target = raw.get("object")
    if isinstance(target, Mapping):
        target = target.get("name")
    raw_type = str(raw.get("type") or "")
    return FieldSpec(
        name=str(raw["name"]),
        type=_TYPE_NAMES.get(raw_type.lower(), raw_type),
        label=str(raw.get("label") or ""),
        required=_bool(raw.get("required"), False),
        editable=_bool(raw.get("editable"), True),
        unique=_bool(raw.get("unique"), False),
        max_length=_int(raw.get("max_length")),
        min_value=_float(raw.get("min_value")),
        max_value=_float(raw.get("max_value")),
        scale=_int(raw.get("scale")),
        picklist=_str(raw.get("picklist")),
        multi_value=_bool(raw.get("multi_value"), False),
        system_managed_name=_bool(raw.get("system_managed_name"), False),
        target_object=_str(target),
        relationship_name=_str(raw.get("relationship_name")),
    )


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _float(value)
    return int(number) if number is not None and number == number else None


def _bool(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def picklists_needed(spec: ObjectSpec, columns: Sequence[str] | None = None) -> list[str]:
    """Return the names of the picklists the fields (or only ``columns``) draw values from.

    Examples
    --------
    >>> f = FieldSpec("p__c", "Picklist", picklist="colour__c")
    >>> picklists_needed(ObjectSpec("a__c", {"p__c": f}))
    ['colour__c']
    """
    names = spec.fields if columns is None else [c for c in columns if c in spec.fields]
    return sorted({p for n in names if (p := spec.fields[n].picklist)})


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
    _check_operation(operation, id_param)
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


def _check_operation(operation: str, id_param: str | None) -> None:
    if operation not in OPERATIONS:
        raise ConfigurationError(f"operation must be one of {OPERATIONS}, not {operation!r}")
    if operation == "upsert" and id_param is None:
        raise ConfigurationError("id_param is needed for upsert")
    if operation not in ("upsert", "update") and id_param is not None:
        raise ConfigurationError("id_param is only for upsert and update")


def _by_key(operation: str, id_param: str | None) -> bool:
    """True when records are matched on the unique field ``id_param`` (upsert, keyed update)."""
    return id_param is not None and operation in ("upsert", "update")


def _id_settable(column: str, operation: str, id_param: str | None) -> bool:
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
        if operation in _SPECIAL_COLUMNS.get(col, ()):
            return ""
        return f"column {col!r} is not a field of {spec.name}" + _suggest(col, spec.fields)
    if field.editable or _id_settable(col, operation, id_param):
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
    if _by_key(operation, id_param):
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
    if _needs_required(operation, id_param):
        linked = {c.partition(".")[0] for c in cols if "." in c}
        for field in spec.fields.values():
            given = field.name in cols or field.relationship_name in linked
            if _is_required(field) and not given:
                problems.append(f"required field {field.name!r} is missing")
    return problems


def _needs_required(operation: str, id_param: str | None) -> bool:
    return operation == "create" or (operation == "upsert" and id_param != "id")


def _is_required(field: FieldSpec) -> bool:
    return field.required and field.editable and not field.system_managed_name


def _suggest(name: str, candidates: Any) -> str:
    close = difflib.get_close_matches(name.lower(), [str(c) for c in candidates], n=3)
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?" if close else ""


def derive_schema(
    spec: ObjectSpec,
    picklists: Mapping[str, Mapping[str, str]],
    *,
    operation: Operation,
    columns: Sequence[str] | None = None,
    id_param: str | None = None,
    assume_timezone: Any = None,
) -> pdr.DataFrameSchema:
    """Build a pandera schema checking each value of ``columns`` against the field metadata.

    One ``Column`` per known column (all editable fields when ``columns`` is None), with no
    dtype, ``required=False`` and ``nullable=True``; a blank (NA, or whitespace-only text)
    in a required field fails a ``required`` check instead. Checks are named by reason code
    (see ``TYPE_RULES``) and accept any dtype; each fails only values its rule is about:

    - text: a ``str``. Numbers are not turned into text (``1`` vs ``"001"``); use
      ``astype(str)``. max_length counts characters.
    - number: a numeric dtype or value (bool is not a number), or text in plain decimal form
      (``-12.5``; no grouping, exponent or spaces). Finite, within min/max, at most ``scale``
      decimals: floats within 1e-9 relative of a value at that scale pass; text is checked
      digit by digit (trailing zeros allowed).
    - date: datetime values with no time of day, ``datetime.date``, or real ``YYYY-MM-DD``.
    - datetime: datetime values or ISO 8601 text; values without a time zone fail
      ``timezone`` unless ``assume_timezone`` is given (the serializer then localizes them).
    - boolean: bool values or text ``true``/``false`` in any case; 0/1 fail.
    - picklist: value names; labels and unknown values fail with a suggestion. Multi-value
      fields take a list/tuple of names or one comma-separated text without spaces.
    - unique fields and the key (``id_param`` of upsert or update): every row of a value
      repeated in the frame fails (exact comparison); the key and ``id`` must not be blank.
    - references (``Object``, ``rel__cr.field``): non-empty text; ``id``: text starting with
      the object's id prefix.

    Picklists used by the columns must be in ``picklists`` (name -> {value name: label}).

    Examples
    --------
    >>> spec = ObjectSpec("a__c", {"n__c": FieldSpec("n__c", "Number", max_value=10)})
    >>> schema = derive_schema(spec, {}, operation="create")
    >>> [c.name for c in schema.columns["n__c"].checks]
    ['number', 'finite', 'max_value']
    """
    _check_operation(operation, id_param)
    if assume_timezone is not None:
        try:
            pd.Timestamp(0).tz_localize(assume_timezone)
        except Exception as exc:
            raise ConfigurationError(f"assume_timezone {assume_timezone!r}: {exc}") from exc
    names = _schema_columns(spec, operation, columns, id_param)
    needed = [p for p in picklists_needed(spec, names) if p not in picklists]
    if needed:
        raise ConfigurationError(f"picklist values needed for {', '.join(needed)}")
    ctx = rules.Context(spec.name, spec.prefix, picklists, assume_timezone)
    schema_columns = {
        name: pdr.Column(
            None,
            checks=_checks_for(spec, name, ctx, operation, id_param),
            nullable=True,
            required=False,
            coerce=False,
            name=name,
        )
        for name in names
    }
    return pdr.DataFrameSchema(schema_columns, strict=False, coerce=False, name=spec.name)


def _schema_columns(
    spec: ObjectSpec, operation: str, columns: Sequence[str] | None, id_param: str | None
) -> list[str]:
    if operation in ("action", "delete"):
        return ["id"] if columns is None or "id" in columns else []
    if columns is None:
        wanted = [n for n, f in spec.fields.items() if f.editable]
        by_id = (operation == "update" and id_param is None) or id_param == "id"
        columns = ["id", *wanted] if by_id else wanted
    keep = []
    for col in dict.fromkeys(columns):
        if not isinstance(col, str) or col.startswith(RESULT_PREFIX):
            continue
        field = spec.fields.get(col)
        if field is None and spec.field_type(col) is None and col not in _SPECIAL_COLUMNS:
            continue
        if field is not None and not field.editable and not _id_settable(col, operation, id_param):
            continue
        keep.append(col)
    return keep


def _checks_for(
    spec: ObjectSpec, col: str, ctx: rules.Context, operation: str, id_param: str | None
) -> list[pdr.Check]:
    field = spec.fields.get(col)
    if field is None:  # rel__cr.field, object_type__v.api_name__v, source_record_id
        return [rules.build("text", None, ctx), rules.build("not_empty", None, ctx)]
    checks = []
    if col == id_param and _by_key(operation, id_param):
        checks += [rules.key_required(id_param), rules.key_unique()]
    elif col == "id" and operation in ("update", "action", "delete"):
        checks += [rules.id_required(operation), rules.duplicates()]
    elif _needs_required(operation, id_param) and _is_required(field):
        checks.append(rules.required())
    if field.unique and col != id_param and col != "id":
        checks.append(rules.duplicates())
    for rule in TYPE_RULES.get(field.type, ()):
        check = rules.build(rule, field, ctx)
        if check is not None:
            checks.append(check)
    return checks
