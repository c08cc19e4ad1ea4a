"""Vault object metadata -> a readable table of its fields, one row each (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from vault_pandas.schema.columns import is_required
from vault_pandas.schema.metadata import FieldSpec, ObjectSpec

COLUMNS: Final = ("label", "type", "required", "editable", "unique", "limits", "values")
_VALUES_WIDTH: Final = 80  # picklist values beyond this are cut to "..."


def describe_fields(spec: ObjectSpec, picklists: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Return one row per field of ``spec``: what Vault expects of each column.

    The index is the field name; the columns are ``label``, ``type``, ``required`` (a
    create must give it: False where Vault fills the field itself — a generated name,
    ``status__v``, a ``default_value``), ``editable`` (a write may set it: False for
    lookup, formula and system fields), ``unique``, ``limits`` (length, range,
    decimals; ``""`` when none) and ``values`` (a picklist's ``name (Label)`` pairs, cut to
    about 80 characters, or a reference's target object and relationship). Required editable
    fields come first, then the other editable fields, then those Vault sets; each group in
    metadata order.

    Parameters
    ----------
    spec : ObjectSpec
        The object, as :func:`vault_pandas.schema.metadata.parse_object_metadata` builds it.
    picklists : mapping
        Picklist name -> ``{value name: label}``; a picklist missing here is shown by name.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> spec = ObjectSpec("a__c", {
    ...     "n__c": FieldSpec("n__c", "Number", "Count", min_value=0, max_value=10, scale=0),
    ...     "p__c": FieldSpec("p__c", "Picklist", "Colour", required=True, picklist="c__c"),
    ...     "id": FieldSpec("id", "ID", "ID", editable=False, unique=True)})
    >>> table = describe_fields(spec, {"c__c": {"red__c": "Red", "blue__c": "Blue"}})
    >>> table.index.tolist()
    ['p__c', 'n__c', 'id']
    >>> table.loc["n__c", "limits"], table.loc["p__c", "values"]
    ('0 to 10, whole number', 'red__c (Red), blue__c (Blue)')
    """
    fields = sorted(spec.fields.values(), key=lambda f: _group(f, spec))
    rows = [
        (
            f.label,
            f.type,
            is_required(f, spec),
            f.writable,
            f.unique,
            _limits(f),
            _values(f, picklists),
        )
        for f in fields
    ]
    index = pd.Index([f.name for f in fields], name="field", dtype=object)
    table = pd.DataFrame(rows, index=index, columns=list(COLUMNS))
    return table.astype({"required": bool, "editable": bool, "unique": bool})


def _group(field: FieldSpec, spec: ObjectSpec) -> int:
    if not field.writable:
        return 2
    return 0 if is_required(field, spec) else 1


def _limits(field: FieldSpec) -> str:
    parts = []
    if field.max_length is not None:
        parts.append(f"max {field.max_length} chars")
    low, high = field.min_value, field.max_value
    if low is not None and high is not None:
        parts.append(f"{_number(low)} to {_number(high)}")
    elif low is not None:
        parts.append(f">= {_number(low)}")
    elif high is not None:
        parts.append(f"<= {_number(high)}")
    if field.scale is not None:
        scale = field.scale
        parts.append("whole number" if scale == 0 else f"{scale} decimal{'s' * (scale != 1)}")
    return ", ".join(parts)


def _values(field: FieldSpec, picklists: Mapping[str, Mapping[str, str]]) -> str:
    if field.type == "Object" or field.target_object:
        target = field.target_object or "?"
        return f"-> {target}" + (f" ({field.relationship_name})" if field.relationship_name else "")
    if not field.picklist:
        return ""
    prefix = "multi-value: " if field.multi_value else ""
    values = picklists.get(field.picklist)
    if values is None:
        return f"{prefix}picklist {field.picklist}"
    text = prefix + ", ".join(f"{n} ({label})" if label else n for n, label in values.items())
    if len(text) <= _VALUES_WIDTH:
        return text
    cut = text[: _VALUES_WIDTH - 5]
    kept, sep, _ = cut.rpartition(", ")  # whole values only, unless the first is too long
    return f"{kept}, ..." if sep else f"{cut}..."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
