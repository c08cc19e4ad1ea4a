"""Vault object metadata -> field specs: ``FieldSpec``, ``ObjectSpec`` and the rules of each type.

Pure: no I/O. ``parse_object_metadata`` reads the body of ``GET /metadata/vobjects/{object}``;
which columns an operation may send is ``vault_pandas.schema.columns``, the pandera schema
that checks their values is ``vault_pandas.schema.derived``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from vault_pandas.errors import ConfigurationError

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
ID_FIELD: Final = "id"  # every object's record id: always unique, whatever its metadata says


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
    relationship_name: str | None = None  # the outbound relationship of a reference field
    default_value: str | None = None  # Vault fills the field when a create leaves it out
    computed: str | None = None  # "lookup", "formula" or "rollup": Vault computes it

    @property
    def writable(self) -> bool:
        """True when a write may set the field (editable, and not computed by Vault)."""
        return self.editable and self.computed is None


@dataclass(frozen=True)
class ObjectSpec:
    """A Vault object: its name, fields by name, and the prefix of its record ids."""

    name: str
    fields: Mapping[str, FieldSpec]
    prefix: str | None = None
    data_store: str = "standard"  # or "raw"
    allow_types: bool = False
    default_obj_type: str | None = None

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
    and unknown field types are kept as given (their values are not checked). ``id`` is
    unique (``FieldSpec.unique``) although Vault's documented metadata for it has no
    ``unique`` key: ``id_param="id"`` and ``reconcile="id"`` are always accepted.

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
    outbound = _outbound_relationships(obj.get("relationships"))
    fields = {}
    for raw in obj.get("fields") or ():
        if isinstance(raw, Mapping) and raw.get("name"):
            spec = _parse_field(raw, outbound)
            fields[spec.name] = spec
    return ObjectSpec(
        str(obj["name"]),
        fields,
        _str(obj.get("prefix")),
        data_store=_str(obj.get("data_store")) or "standard",
        allow_types=_bool(obj.get("allow_types"), False),
        default_obj_type=_str(obj.get("default_obj_type")),
    )


def _outbound_relationships(entries: Any) -> dict[str, str]:
    """Field name -> relationship name, from the object-level ``relationships[]`` array.

    Vault lists each relationship there as ``{relationship_name, field, relationship_type}``;
    inbound (child) relationships have no field of this object and are skipped.
    """
    found: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping):
            continue
        field, name = _str(entry.get("field")), _str(entry.get("relationship_name"))
        kind = str(entry.get("relationship_type") or "")
        if field and name and kind not in ("child", "inbound", "reference_inbound"):
            found.setdefault(field, name)
    return found


def _computed(raw: Mapping[str, Any], vault_type: str) -> str | None:
    """How Vault computes a field that no write may set, or None for a settable field."""
    if _str(raw.get("lookup_relationship_name")) or vault_type.lower() == "lookup":
        return "lookup"
    if vault_type.lower() == "formula" or _str(raw.get("formula")):
        return "formula"
    if _bool(raw.get("rollup"), False):
        return "rollup"
    return None


def _parse_field(raw: Mapping[str, Any], outbound: Mapping[str, str]) -> FieldSpec:
    target = raw.get("object")
    if isinstance(target, Mapping):
        target = target.get("name")
    raw_type = str(raw.get("type") or "")
    name = str(raw["name"])
    # The field carries relationship_outbound_name; the object lists it in relationships[].
    # Read both (either may be missing); a field-level relationship_name is not Vault's
    # shape but is read last, for metadata written by hand.
    relationship = (
        _str(raw.get("relationship_outbound_name"))
        or outbound.get(name)
        or _str(raw.get("relationship_name"))
    )
    return FieldSpec(
        name=name,
        type=_TYPE_NAMES.get(raw_type.lower(), raw_type),
        label=str(raw.get("label") or ""),
        required=_bool(raw.get("required"), False),
        editable=_bool(raw.get("editable"), True),
        # the record id is unique, though Vault's documented metadata for it has no "unique"
        unique=name == ID_FIELD or _bool(raw.get("unique"), False),
        max_length=_int(raw.get("max_length")),
        min_value=_float(raw.get("min_value")),
        max_value=_float(raw.get("max_value")),
        scale=_int(raw.get("scale")),
        picklist=_str(raw.get("picklist")),
        multi_value=_bool(raw.get("multi_value"), False),
        system_managed_name=_bool(raw.get("system_managed_name"), False),
        target_object=_str(target),
        relationship_name=relationship,
        default_value=_str(raw.get("default_value")),
        computed=_computed(raw, raw_type),
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
