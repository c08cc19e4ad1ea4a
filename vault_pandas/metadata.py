"""Vault object metadata -> the columns a frame may send and a pandera schema for its values.

Pure: no I/O. The schema never pins a dtype; its checks look at the values, so a column may
hold any pandas dtype (numpy, nullable, Arrow-backed, ``category``, mixed ``object``). Every
check is vectorised and fails only the values its own rule is about, so each failure reads as
one plain sentence. Decisions (see ``derive_schema`` for the value rules):

- Upsert needs the object's required fields like create does, because any row may create a
  record; ``upsert(id_param="id")`` only updates, so it is treated like update.
- ``action`` and ``delete`` send only record ids: they need an ``id`` column and ignore others.
- Columns named ``vault_*`` are results of an earlier call and are ignored.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_integer_dtype,
    is_numeric_dtype,
    is_string_dtype,
)

try:
    import pandera.pandas as pdr
except ImportError:  # pragma: no cover - pandera < 0.24 has no pandera.pandas
    import pandera as pdr  # type: ignore[no-redef]

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.results import RESULT_PREFIX

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
    update/action/delete, and for upsert an ``id_param`` that is a unique field and present.

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
    if (operation == "upsert") != (id_param is not None):
        raise ConfigurationError("id_param is needed for upsert, and only for upsert")


def _id_settable(column: str, operation: str, id_param: str | None) -> bool:
    return column == "id" and (operation == "update" or id_param == "id")


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
    if operation == "update" and "id" not in cols:
        problems.append("column 'id' is missing: update needs the record id of each row")
    if operation == "upsert" and id_param is not None:
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
    - unique fields and the upsert key: every row of a value repeated in the frame fails
      (exact comparison); the upsert key and ``id`` must not be blank.
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
    ctx = _Context(spec.name, spec.prefix, picklists, assume_timezone)
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
        columns = ["id", *wanted] if operation == "update" or id_param == "id" else wanted
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
    spec: ObjectSpec, col: str, ctx: _Context, operation: str, id_param: str | None
) -> list[pdr.Check]:
    field = spec.fields.get(col)
    if field is None:  # rel__cr.field, object_type__v.api_name__v, source_record_id
        return [_build("text", None, ctx), _build("not_empty", None, ctx)]
    checks = []
    if col == id_param:
        checks += [_key_required(id_param), _key_unique()]
    elif col == "id" and operation in ("update", "action", "delete"):
        checks += [_id_required(operation), _duplicates()]
    elif _needs_required(operation, id_param) and _is_required(field):
        checks.append(_required())
    if field.unique and col != id_param and col != "id":
        checks.append(_duplicates())
    for rule in TYPE_RULES.get(field.type, ()):
        check = _build(rule, field, ctx)
        if check is not None:
            checks.append(check)
    return checks


# --- value rules: each returns a bool "ok" array over non-null values of any dtype ---------

_NUMBER_RE: Final = r"-?\d+(?:\.\d+)?"
_DATE_RE: Final = r"\d{4}-\d{2}-\d{2}"
_DATETIME_RE: Final = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
_TZ_RE: Final = r"(?:Z|[+-]\d{2}:?\d{2})"
_Rule = Callable[[pd.Series], np.ndarray]


@dataclass(frozen=True)
class _Context:
    object_name: str
    prefix: str | None
    picklists: Mapping[str, Mapping[str, str]]
    assume_timezone: Any


def _kind(dtype: Any) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if dtype == np.dtype(object):
        return "object"
    if isinstance(dtype, pd.ArrowDtype):
        if pa.types.is_date(dtype.pyarrow_dtype):
            return "date"
        if pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype):
            return "string"
    for kind, test in (
        ("bool", is_bool_dtype),
        ("number", is_numeric_dtype),
        ("datetime", is_datetime64_any_dtype),
        ("string", is_string_dtype),
    ):
        if test(dtype):
            return kind
    return "other"


def _isinstance(values: np.ndarray, types: Any) -> np.ndarray:
    # Only object columns come here: mixed Python values cannot be typed without a pass.
    return np.fromiter((isinstance(v, types) for v in values), dtype=bool, count=len(values))


def _bools(result: Any) -> np.ndarray:
    if isinstance(result, pd.Series | pd.Index):
        result = result.to_numpy(dtype=bool, na_value=False)
    out = np.asarray(result, dtype=bool)
    return out if out.flags.writeable else out.copy()  # Arrow hands out read-only buffers


def _texts(s: pd.Series) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind == "object":
        return _isinstance(s.to_numpy(), str)
    return np.full(len(s), kind == "string")


def _on_texts(s: pd.Series, test: Callable[[pd.Series], Any], other: bool = True) -> np.ndarray:
    """Apply ``test`` to the text values of ``s``; other values get ``other``."""
    mask = _texts(s)
    out = np.full(len(s), other, dtype=bool)
    if not mask.any():
        return out
    out[mask] = _bools(test(s if mask.all() else s[mask]))
    return out


def _per_value(rule: _Rule) -> _Rule:
    """Evaluate a per-value rule once per category instead of once per row."""

    def apply(s: pd.Series) -> np.ndarray:
        if not isinstance(s.dtype, pd.CategoricalDtype):
            return rule(s)
        ok = _bools(rule(pd.Series(s.cat.categories)))
        codes = s.cat.codes.to_numpy()
        return ok[codes] | (codes < 0) if ok.size else np.ones(len(s), dtype=bool)

    return apply


def _check(
    rule: _Rule,
    code: str,
    error: str,
    *,
    explain: Callable[[Any], str] | None = None,
    ignore_na: bool = True,
    per_value: bool = True,
) -> pdr.Check:
    apply = _per_value(rule) if per_value else rule

    def vault_rule(s: pd.Series) -> pd.Series:
        return pd.Series(_bools(apply(s)), index=s.index)

    stats = {"explain": explain} if explain else None  # validation's hook for messages
    return pdr.Check(vault_rule, name=code, error=error, ignore_na=ignore_na, statistics=stats)


def _arrow(s: pd.Series) -> pa.Array | None:
    """The Arrow array of an Arrow-backed text series (Arrow kernels beat ``.str`` here)."""
    if _kind(s.dtype) == "string" and getattr(s.dtype, "storage", "pyarrow") == "pyarrow":
        return pa.array(s, from_pandas=True)
    return None


def _empty_text(t: pd.Series) -> Any:
    arr = _arrow(t)
    if arr is None:
        return t.str.strip() == ""
    return pc.or_(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr))


def _text_length(t: pd.Series) -> np.ndarray:
    arr = _arrow(t)
    lengths = t.str.len() if arr is None else pc.utf8_length(arr)
    return np.asarray(lengths.to_numpy(zero_copy_only=False) if arr is not None else lengths)


def _blank(s: pd.Series) -> np.ndarray:
    empty = _per_value(lambda t: _on_texts(t, _empty_text, other=False))(s)
    return s.isna().to_numpy(dtype=bool) | empty


def _not_duplicated(s: pd.Series) -> np.ndarray:
    blank = _blank(s)
    kept = s[~blank] if blank.any() else s
    out = np.ones(len(s), dtype=bool)
    arr = _arrow(kept)
    if arr is not None and len(pc.unique(arr)) == len(arr):  # the usual case, and cheaper
        return out
    try:
        dup = kept.duplicated(keep=False).to_numpy()
    except TypeError:  # unhashable values (lists) in an object column
        dup = kept.map(repr).duplicated(keep=False).to_numpy()
    out[~blank] = ~dup
    return out


def _required() -> pdr.Check:
    return _check(lambda s: ~_blank(s), "required", "is required", ignore_na=False, per_value=False)


def _id_required(operation: str) -> pdr.Check:
    error = f"is required: {operation} needs the record id"
    return _check(lambda s: ~_blank(s), "required", error, ignore_na=False, per_value=False)


def _key_required(id_param: str) -> pdr.Check:
    error = f"is blank, but it is the upsert key (id_param={id_param!r})"
    return _check(lambda s: ~_blank(s), "key_required", error, ignore_na=False, per_value=False)


def _key_unique() -> pdr.Check:
    error = "duplicated within the frame (Vault rejects a whole request with a repeated key)"
    return _check(_not_duplicated, "key_unique", error, per_value=False)


def _duplicates() -> pdr.Check:
    return _check(_not_duplicated, "unique", "duplicated within the frame", per_value=False)


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (is a number, float value or NaN) for each value."""
    kind = _kind(s.dtype)
    if kind == "number":
        return np.ones(len(s), dtype=bool), s.to_numpy(dtype="float64", na_value=np.nan)
    ok, values = np.zeros(len(s), dtype=bool), np.full(len(s), np.nan)
    if kind == "object":
        raw = s.to_numpy()
        ok = _isinstance(raw, (int, float, Decimal, np.number)) & ~_isinstance(raw, bool)
        numbers = pd.to_numeric(pd.Series(raw[ok], dtype=object), errors="coerce")
        values[ok] = numbers.to_numpy(dtype="float64", na_value=np.nan)
    text = _texts(s) & _on_texts(s, lambda t: t.str.fullmatch(_NUMBER_RE), other=False)
    if text.any():
        parsed = pd.to_numeric(s[text], errors="coerce")
        values[text] = parsed.to_numpy(dtype="float64", na_value=np.nan)
    return ok | text, values


def _finite(s: pd.Series, compare: np.ufunc, bound: float) -> np.ndarray:
    """Where a finite number compares true to ``bound`` (inf is the "finite" rule's)."""
    values = _numbers(s)[1]
    return np.isfinite(values) & compare(values, bound)


def _scale_ok(s: pd.Series, scale: int) -> np.ndarray:
    if is_integer_dtype(s.dtype):
        return np.ones(len(s), dtype=bool)
    x = _numbers(s)[1]
    with np.errstate(invalid="ignore", over="ignore"):
        rounded = np.round(x * 10.0**scale) / 10.0**scale
        ok = ~(np.abs(rounded - x) > 1e-9 * np.abs(x))  # NaN and inf are other rules' business
    digits = rf"-?\d+(?:\.\d{{0,{scale}}}0*)?"
    text = _on_texts(s, lambda t: t.str.fullmatch(digits) | ~t.str.fullmatch(_NUMBER_RE))
    return np.where(_texts(s), text, ok)


def _parsed_ok(t: pd.Series, shape: str, **to_datetime: Any) -> np.ndarray:
    shaped = _bools(t.str.fullmatch(shape))
    parsed = pd.to_datetime(t.where(shaped), errors="coerce", **to_datetime)
    return shaped & parsed.notna().to_numpy()


def _temporal_ok(s: pd.Series, kinds: tuple[str, ...], types: Any, text: Callable) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind in kinds:
        return np.ones(len(s), dtype=bool)
    ok = _isinstance(s.to_numpy(), types) if kind == "object" else np.zeros(len(s), dtype=bool)
    return ok | _on_texts(s, text, other=False)


def _date_ok(s: pd.Series) -> np.ndarray:
    text = partial(_parsed_ok, shape=_DATE_RE, format="%Y-%m-%d")
    return _temporal_ok(s, ("datetime", "date"), (dt.date, np.datetime64), text)


def _datetime_ok(s: pd.Series) -> np.ndarray:
    text = partial(_parsed_ok, shape=_DATETIME_RE + _TZ_RE + "?", format="ISO8601", utc=True)
    return _temporal_ok(s, ("datetime",), (dt.datetime, np.datetime64), text)


def _has_time(value: Any) -> bool:
    if isinstance(value, dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        return stamp != stamp.normalize()
    return False


def _date_only_ok(s: pd.Series) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind == "datetime":
        return _bools(s == s.dt.normalize())
    if kind != "object":
        return np.ones(len(s), dtype=bool)
    return ~np.fromiter(map(_has_time, s.to_numpy()), dtype=bool, count=len(s))


def _is_naive(value: Any) -> bool:
    if isinstance(value, dt.datetime):
        return value.utcoffset() is None
    return isinstance(value, np.datetime64)


def _aware_ok(s: pd.Series) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind == "datetime":
        return np.full(len(s), s.dt.tz is not None)
    ok = np.ones(len(s), dtype=bool)
    if kind == "object":
        ok = ~np.fromiter(map(_is_naive, s.to_numpy()), dtype=bool, count=len(s))
    return ok & _on_texts(s, lambda t: ~t.str.fullmatch(_DATETIME_RE))


def _boolean_ok(s: pd.Series) -> np.ndarray:
    kind = _kind(s.dtype)
    if kind == "bool":
        return np.ones(len(s), dtype=bool)
    ok = _isinstance(s.to_numpy(), bool | np.bool_) if kind == "object" else np.zeros(len(s), bool)
    return ok | _on_texts(s, lambda t: t.str.lower().isin(["true", "false"]), other=False)


def _text_picks_ok(t: pd.Series, names: list[str], multi: bool) -> np.ndarray:
    ok = _bools(t.isin(names))
    if multi and not ok.all():  # comma-separated names: split in Arrow, no Python loop
        rest = np.flatnonzero(~ok)
        lists = pc.split_pattern(pa.array(t.iloc[rest], from_pandas=True), ",")
        flat = pc.list_flatten(lists)
        good = pc.is_in(flat, value_set=pa.array(names, type=flat.type))
        bad_parents = pc.list_parent_indices(lists).to_numpy()[~_bools(good.to_numpy(False))]
        ok[rest] = True
        ok[rest[bad_parents]] = False
    return ok


def _items_ok(items: Any, names: Mapping[str, str], multi: bool) -> bool:
    items = list(items)
    return (multi or len(items) <= 1) and all(isinstance(i, str) and i in names for i in items)


def _picklist(field: FieldSpec, ctx: _Context) -> pdr.Check:
    assert field.picklist is not None
    values, multi = ctx.picklists[field.picklist], field.multi_value
    names = list(values)

    def rule(s: pd.Series) -> np.ndarray:
        ok = _on_texts(s, lambda t: _text_picks_ok(t, names, multi), other=False)
        if _kind(s.dtype) == "object":
            raw = s.to_numpy()
            for i in np.flatnonzero(_isinstance(raw, list | tuple | np.ndarray)):
                ok[i] = _items_ok(raw[i], values, multi)
        return ok

    kind = "names (a list, or comma-separated)" if multi else "a value name"
    return _check(
        rule,
        "picklist",
        f"must be {kind} of picklist {field.picklist}",
        explain=partial(_explain_pick, values, field.picklist, multi),
    )


def _explain_pick(values: Mapping[str, str], picklist: str, multi: bool, value: Any) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        items = list(value)
    else:
        items = value.split(",") if isinstance(value, str) else [value]
    if not multi and len(items) > 1:
        return f"takes one value, got {len(items)} ({_short(value)})"
    bad = [i for i in items if not (isinstance(i, str) and i in values)]
    hints = [_pick_hint(values, picklist, i) for i in bad]
    return "; ".join(hints) or f"must be a value name of picklist {picklist}"


def _pick_hint(values: Mapping[str, str], picklist: str, item: Any) -> str:
    if not isinstance(item, str):
        return f"{_short(item)} is not a value name of picklist {picklist}"
    by_label = {str(label).strip().lower(): name for name, label in values.items() if label}
    name = by_label.get(item.strip().lower())
    if name is not None:
        return f"{item!r} is a label; use the name {name!r}"
    close = difflib.get_close_matches(item.strip().lower(), list(values), n=1)
    shown = ", ".join(list(values)[:6]) + (", ..." if len(values) > 6 else "")
    hint = f"did you mean {close[0]!r}?" if close else f"names: {shown}"
    return f"{_short(item)} is not in picklist {picklist} ({hint})"


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _build(rule: str, field: FieldSpec | None, ctx: _Context) -> pdr.Check | None:
    """Return the check for ``rule`` on ``field`` (None: the metadata sets no such limit)."""
    if rule == "text":
        return _check(_texts, "text", "must be text (a str)")
    if rule == "not_empty":
        error = "must not be empty text (leave the cell blank for no value)"
        return _check(lambda s: ~_blank(s), "not_empty", error)
    assert field is not None
    if rule == "record_id" and ctx.prefix:
        prefix = ctx.prefix
        error = f"is not a {ctx.object_name} record id (those start with {prefix!r})"
        return _check(lambda s: _on_texts(s, lambda t: t.str.startswith(prefix)), rule, error)
    if rule == "max_length" and field.max_length is not None:
        n = field.max_length
        return _check(
            lambda s: _on_texts(s, lambda t: _text_length(t) <= n),
            rule,
            f"must be at most {n} characters",
            explain=lambda v: f"must be at most {n} characters (got {len(v)})",
        )
    if rule == "number":
        return _check(lambda s: _numbers(s)[0], rule, "must be a number (plain decimal text)")
    if rule == "finite":
        return _check(lambda s: ~np.isinf(_numbers(s)[1]), rule, "must be a finite number")
    if rule == "min_value" and field.min_value is not None:
        low = field.min_value
        return _check(lambda s: ~_finite(s, np.less, low), rule, f"must be >= {_number(low)}")
    if rule == "max_value" and field.max_value is not None:
        high = field.max_value
        return _check(lambda s: ~_finite(s, np.greater, high), rule, f"must be <= {_number(high)}")
    if rule == "scale" and field.scale is not None:
        scale = field.scale
        error = f"must have at most {scale} decimal places" if scale else "must be a whole number"
        return _check(lambda s: _scale_ok(s, scale), rule, error)
    if rule in _TEMPORAL_RULES and (rule != "timezone" or ctx.assume_timezone is None):
        test, error = _TEMPORAL_RULES[rule]
        return _check(test, rule, error)
    if rule == "picklist" and field.picklist:
        return _picklist(field, ctx)
    return None


_TEMPORAL_RULES: Final[Mapping[str, tuple[_Rule, str]]] = {
    "date": (_date_ok, "must be a date (YYYY-MM-DD)"),
    "date_only": (_date_only_ok, "must be a date without a time of day"),
    "datetime": (_datetime_ok, "must be a date and time (ISO 8601)"),
    "timezone": (
        _aware_ok,
        "has no time zone (localize it, or pass assume_timezone=)",
    ),
    "boolean": (_boolean_ok, "must be true or false"),
}
