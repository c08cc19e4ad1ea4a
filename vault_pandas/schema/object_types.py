"""Object types: each row checked against its own type's required fields and picklist subsets.

Pure: no I/O. ``vault_pandas.write.plan`` reads the configurations (``GET
/configuration/Objecttype`` for the types Vault knows, ``GET
/configuration/Objecttype.{object}.{type}`` for each type a frame names) and passes them here.
Never stricter than Vault:

- A row names its type with ``object_type__v.api_name__v`` (matched without regard to case
  or surrounding spaces). A row that gives only ``object_type__v`` (a type id) cannot be
  mapped to a name without a lookup: it is left to Vault. A create row that gives neither
  gets the object's ``default_obj_type`` and is checked against it.
- A name is an unknown type only when the list of the object's types was read and names at
  least one type. A type whose configuration could not be read is left to Vault.
- A type's required fields are its ``type_fields[]`` with ``required: true`` that the object
  metadata knows as writable fields Vault has no value for (not ``status__v``, not a field
  with a ``default_value``, not a system field: ``schema.columns.is_required``), and that the
  object does not already require of every row (the derived schema checks those). They are
  checked on create and upsert, as the object's own required fields are.
- A type field's allowed picklist values are read from ``picklist_values`` (Vault's docs
  name no key; absent means no subset). A value that is not in the picklist at all is the
  object-level picklist check's to report, so each problem gives one message.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from vault_pandas.schema.checks import blank, instances, text_mask
from vault_pandas.schema.columns import SYSTEM_FIELDS, is_required, needs_required
from vault_pandas.schema.metadata import ObjectSpec
from vault_pandas.schema.validation import ValidationReport

TYPE_NAME: Final = "object_type__v.api_name__v"
TYPE_ID: Final = "object_type__v"
_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")
_CASES: Final = ("position", "column", "value", "check", "message")


@dataclass(frozen=True)
class ObjectType:
    """One object type's configuration: its required fields and picklist subsets."""

    name: str
    object_name: str | None = None
    required: tuple[str, ...] = ()
    picklist_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def parse_object_type(payload: Mapping[str, Any]) -> ObjectType:
    """Read the body of ``GET /configuration/Objecttype.{object}.{type}``.

    Examples
    --------
    >>> body = {"data": {"name": "road_bike__c", "object": "bicycle__c", "type_fields": [
    ...     {"name": "name__v", "required": True},
    ...     {"name": "color__c", "required": False, "picklist_values": ["red__c"]}]}}
    >>> t = parse_object_type(body)
    >>> t.required, dict(t.picklist_values)
    (('name__v',), {'color__c': ('red__c',)})
    """
    data = payload.get("data", payload)
    if isinstance(data, list):
        data = next((d for d in data if isinstance(d, Mapping)), {})
    required, subsets = [], {}
    for entry in data.get("type_fields") or ():
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name:
            continue
        if entry.get("required") in (True, "true", "True"):
            required.append(name)
        values = entry.get("picklist_values")
        if isinstance(values, list):
            subsets[name] = tuple(v for v in map(_text, values) if v)
    return ObjectType(str(data.get("name") or ""), _text(data.get("object")), tuple(required),
                      subsets)  # fmt: skip


def known_types(payload: Mapping[str, Any], object_name: str) -> list[str] | None:
    """The type names of ``object_name`` in the body of ``GET /configuration/Objecttype``.

    None when the answer names no type of the object: then no name can be called unknown.

    Examples
    --------
    >>> body = {"data": [{"name": "base__v", "object": "bicycle__c"},
    ...                  {"name": "base__v", "object": "product__v"}]}
    >>> known_types(body, "bicycle__c"), known_types(body, "site__c")
    (['base__v'], None)
    """
    found = []
    for entry in payload.get("data") or ():
        if not isinstance(entry, Mapping):
            continue
        name, obj = _text(entry.get("name")), _text(entry.get("object"))
        if name and "." in name:  # a component name: Objecttype.{object}.{type}
            *_, obj, name = name.split(".")
        if name and obj == object_name:
            found.append(name)
    return list(dict.fromkeys(found)) or None


def applies(spec: ObjectSpec, columns: Collection[str], operation: str) -> bool:
    """True when rows may be checked by type: the object has types and the frame gives them."""
    writes = operation in ("create", "upsert", "update")
    return spec.allow_types and writes and (TYPE_NAME in columns or TYPE_ID in columns)


def row_types(data: pd.DataFrame, spec: ObjectSpec, operation: str) -> tuple[pd.Series, np.ndarray]:
    """Each row's type name (``string``, lower case; NA: left to Vault) and which were defaulted.

    Examples
    --------
    >>> spec = ObjectSpec("b__c", {}, allow_types=True, default_obj_type="base__v")
    >>> frame = pd.DataFrame({TYPE_NAME: [" Road__c", None, None], TYPE_ID: [None, "OOT1", None]})
    >>> names, defaulted = row_types(frame, spec, "create")
    >>> names.tolist(), defaulted.tolist()
    (['road__c', <NA>, 'base__v'], [False, False, True])
    """
    n = len(data)
    names = pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")
    by_name = np.zeros(n, dtype=bool)  # a value given, text or not (not text: left to Vault)
    if TYPE_NAME in data.columns:
        given = pd.Series(data[TYPE_NAME].to_numpy(dtype=object), dtype=object)
        by_name = ~blank(given)
        names = given.where(text_mask(given) & by_name).astype("string").str.strip().str.lower()
    by_id = ~blank(data[TYPE_ID]) if TYPE_ID in data.columns else np.zeros(n, dtype=bool)
    defaulted = np.zeros(n, dtype=bool)
    if operation == "create" and spec.default_obj_type:
        defaulted = ~by_name & ~by_id
        names = names.mask(defaulted, spec.default_obj_type.lower())
    return names, defaulted


def types_to_read(
    data: pd.DataFrame, spec: ObjectSpec, operation: str, known: Sequence[str] | None
) -> list[str]:
    """The names of the types whose configuration the rows need (as Vault spells them)."""
    names, _ = row_types(data, spec, operation)
    wanted = set(names.dropna().unique())
    if known is None:
        return sorted(w for w in wanted if _NAME.fullmatch(w))
    spelled = {k.lower(): k for k in known}
    return sorted(spelled[w] for w in wanted if w in spelled)


def picklists_needed(spec: ObjectSpec, types: Collection[ObjectType | None]) -> list[str]:
    """The picklists of the fields that some type limits to a subset of values."""
    fields = {f for t in types if t is not None for f in t.picklist_values}
    return sorted({p for f in fields if f in spec.fields and (p := spec.fields[f].picklist)})


def type_report(
    data: pd.DataFrame,
    spec: ObjectSpec,
    types: Mapping[str, ObjectType | None],
    known: Sequence[str] | None,
    *,
    operation: str,
    id_param: str | None = None,
    picklists: Mapping[str, Collection[str]] | None = None,
    error_type: str | None = None,
) -> ValidationReport:
    """Check every row against its own type; one message per problem, joined per row.

    Parameters
    ----------
    data : pandas.DataFrame
        The columns that are sent (left-out columns already dropped).
    spec : ObjectSpec
        The object's metadata.
    types : mapping
        Type name (lower case) -> its configuration, or None when it could not be read.
    known : sequence of str, optional
        The object's type names, from the list of types; None when not known.
    operation, id_param : str
        The write; required fields are checked when it may create records.
    picklists : mapping, optional
        Picklist name -> its value names (values outside them are not reported here).
    error_type : str, optional
        Prefix of each message (``"VALIDATION: column: message"``).

    Returns
    -------
    ValidationReport
        ``errors`` by position and the ``failure_cases`` (check ``object_type``,
        ``type_required`` or ``type_picklist``).
    """
    names, defaulted = row_types(data, spec, operation)
    cases: list[dict[str, Any]] = []
    lower = {k.lower(): k for k in known or ()}
    if known and TYPE_NAME in data.columns:
        unknown = names.notna().to_numpy() & ~defaulted & ~names.isin(list(lower)).to_numpy()
        where = np.flatnonzero(unknown)
        given = data[TYPE_NAME].to_numpy(dtype=object)[where]
        listed = ", ".join(known)
        why = [f"{v!r} is not an object type of {spec.name} (its types: {listed})" for v in given]
        cases.append(_cases(where, TYPE_NAME, given, "object_type", why))
    for name, positions in names.groupby(names, sort=True).indices.items():
        config = types.get(str(name))
        if config is None or (known and name not in lower):
            continue
        label = config.name or lower.get(str(name), str(name))
        if needs_required(operation, id_param):
            cases += _required_cases(data, spec, config, label, positions)
        cases += _picklist_cases(data, spec, config, label, positions, picklists or {})
    return _report(data, cases, error_type)


def _required_cases(
    data: pd.DataFrame, spec: ObjectSpec, config: ObjectType, label: str, positions: np.ndarray
) -> list[dict[str, Any]]:
    out = []
    for name in config.required:
        spec_field = spec.fields.get(name)
        if spec_field is None or name in SYSTEM_FIELDS or is_required(spec_field, spec):
            continue  # unknown to the metadata, or already required of every row
        if not is_required(dataclasses.replace(spec_field, required=True), spec):
            continue  # Vault fills it, or no write sets it
        rel = spec_field.relationship_name
        giving = [c for c in data.columns if c == name or (rel and c.startswith(f"{rel}."))]
        if not giving:
            why = f"is required for object type {label} (the frame has no {name} column)"
            out.append(_cases(positions, name, np.full(len(positions), None), "type_required",
                              [why] * len(positions)))  # fmt: skip
            continue
        missing = np.ones(len(positions), dtype=bool)
        for column in giving:
            missing &= blank(data[column].iloc[positions])
        where = positions[missing]
        values = data[giving[0]].to_numpy(dtype=object)[where]
        why = f"is required for object type {label}"
        out.append(_cases(where, giving[0], values, "type_required", [why] * len(where)))
    return out


def _picklist_cases(
    data: pd.DataFrame,
    spec: ObjectSpec,
    config: ObjectType,
    label: str,
    positions: np.ndarray,
    picklists: Mapping[str, Collection[str]],
) -> list[dict[str, Any]]:
    out = []
    for name, allowed in config.picklist_values.items():
        spec_field = spec.fields.get(name)
        if name not in data.columns or spec_field is None or spec_field.type != "Picklist":
            continue
        full = picklists.get(spec_field.picklist or "")
        items = _items(data[name].iloc[positions], spec_field.multi_value)
        bad = ~items.isin(list(allowed))
        if full is not None:
            bad &= items.isin(list(full))
        if not bad.any():
            continue
        rows, shown, count = _joined(
            items.index.to_numpy()[bad], ("'" + items[bad].astype(str) + "'").to_numpy(), ", "
        )
        where = positions[rows]
        choices = ", ".join(allowed) or "none"
        messages = [f"{v} {'is' if k == 1 else 'are'} not allowed for object type {label} "
                    f"(allowed: {choices})" for v, k in zip(shown, count, strict=True)]  # fmt: skip
        values = data[name].to_numpy(dtype=object)[where]
        out.append(_cases(where, name, values, "type_picklist", messages))
    return out


def _items(values: pd.Series, multi: bool) -> pd.Series:
    """The picklist names in ``values``, indexed by their row's place in ``values`` (text only)."""
    cells = pd.Series(values.to_numpy(dtype=object), dtype=object)
    if multi:  # a list of names, or names joined by commas
        cells = cells.explode()
    texts = cells[instances(cells.to_numpy(), str)]
    return texts.str.split(",").explode() if multi and len(texts) else texts


def _cases(
    positions: np.ndarray, column: str, values: Any, check: str, messages: Sequence[str]
) -> dict[str, Any]:
    return dict(zip(_CASES, (positions, column, values, check, list(messages)), strict=True))


def _report(
    data: pd.DataFrame, cases: list[dict[str, Any]], error_type: str | None
) -> ValidationReport:
    parts = [pd.DataFrame(c) for c in cases if len(c["position"])]
    if not parts:
        parts = [pd.DataFrame({c: pd.Series(dtype="int64" if c == "position" else object)
                               for c in _CASES})]  # fmt: skip
    frame = pd.concat(parts, ignore_index=True).sort_values("position", kind="stable")
    frame = frame.astype({"position": "int64", "value": object}).reset_index(drop=True)
    frame.insert(1, "index", pd.Series(list(data.index.take(frame["position"])), dtype=object))
    prefix = f"{error_type}: " if error_type else ""
    lines = (prefix + frame["column"] + ": " + frame["message"]).to_numpy(dtype=object)
    errors = np.full(len(data), None, dtype=object)
    rows, joined, _ = _joined(frame["position"].to_numpy(), lines, "; ")
    errors[rows] = joined
    return ValidationReport(errors, frame)


def _joined(keys: np.ndarray, texts: np.ndarray, sep: str) -> tuple[np.ndarray, Any, np.ndarray]:
    """The distinct (sorted) ``keys``, the ``texts`` of each joined by ``sep``, their counts."""
    if not len(keys):
        return keys, np.array([], dtype=object), keys
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    # object-array reduceat concatenates in C; groupby.agg would build a Series per key
    joined = np.add.reduceat((texts.astype(object) + sep).astype(object), starts)
    counts = np.diff(np.r_[starts, len(keys)])
    return keys[starts], [text[: -len(sep)] for text in joined], counts


def merge_reports(first: ValidationReport, second: ValidationReport) -> ValidationReport:
    """Both reports' messages by row (``first``'s before ``second``'s) and failure cases."""
    errors = first.errors.copy()
    extra = np.flatnonzero(~pd.isna(second.errors))
    old, new = errors[extra], second.errors[extra]
    has = ~pd.isna(old)
    new[has] = old[has] + "; " + new[has]  # object arrays: text joined value by value
    errors[extra] = new
    frames = [f for f in (first.failure_cases, second.failure_cases) if f is not None and len(f)]
    if not frames:
        return ValidationReport(errors, first.failure_cases)
    cases = pd.concat(frames, ignore_index=True).sort_values("position", kind="stable")
    return ValidationReport(errors, cases.reset_index(drop=True))


def _text(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("name")
    return str(value) if value not in (None, "") else None
