"""Field specs -> the pandera schema that checks each value of a frame (``derive_schema``).

Pure: no I/O. The schema never pins a dtype; its checks look at the values, so a column may
hold any pandas dtype (numpy, nullable, Arrow-backed, ``category``, mixed ``object``). Every
check is vectorised and fails only the values its own rule is about, so each failure reads as
one plain sentence; the checks themselves are built in ``vault_pandas.schema.rules``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

try:
    import pandera.pandas as pdr
except ImportError:  # pragma: no cover - pandera < 0.24 has no pandera.pandas
    import pandera as pdr  # type: ignore[no-redef]

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.outcomes import RESULT_PREFIX
from vault_pandas.schema import rules, text_number_rules
from vault_pandas.schema.columns import (
    SPECIAL_COLUMNS,
    Operation,
    by_key,
    check_operation,
    id_settable,
    is_required,
    needs_required,
)
from vault_pandas.schema.metadata import TYPE_RULES, ObjectSpec, picklists_needed


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
    >>> from vault_pandas.schema.metadata import FieldSpec
    >>> spec = ObjectSpec("a__c", {"n__c": FieldSpec("n__c", "Number", max_value=10)})
    >>> schema = derive_schema(spec, {}, operation="create")
    >>> [c.name for c in schema.columns["n__c"].checks]
    ['number', 'finite', 'max_value']
    """
    check_operation(operation, id_param)
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
        wanted = [n for n, f in spec.fields.items() if f.writable]
        by_id = (operation == "update" and id_param is None) or id_param == "id"
        columns = ["id", *wanted] if by_id else wanted
    keep = []
    for col in dict.fromkeys(columns):
        if not isinstance(col, str) or col.startswith(RESULT_PREFIX):
            continue
        field = spec.fields.get(col)
        if field is None and spec.field_type(col) is None and col not in SPECIAL_COLUMNS:
            continue
        if field is not None and not field.writable and not id_settable(col, operation, id_param):
            continue
        keep.append(col)
    return keep


def _checks_for(
    spec: ObjectSpec, col: str, ctx: rules.Context, operation: str, id_param: str | None
) -> list[pdr.Check]:
    field = spec.fields.get(col)
    if field is None:  # rel__cr.field, object_type__v.api_name__v, source_record_id
        return [text_number_rules.text(), text_number_rules.not_empty()]
    checks: list[pdr.Check] = []
    if col == id_param and by_key(operation, id_param):
        checks += [rules.key_required(id_param), rules.key_unique()]
    elif col == "id" and operation in ("update", "action", "delete"):
        checks += [rules.id_required(operation), rules.duplicates()]
    elif needs_required(operation, id_param) and is_required(field, spec):
        checks.append(rules.required())
    if field.unique and col != id_param and col != "id":
        checks.append(rules.duplicates())
    for rule in TYPE_RULES.get(field.type, ()):
        check = rules.build(rule, field, ctx)
        if check is not None:
            checks.append(check)
    return checks
