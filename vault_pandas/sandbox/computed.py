"""Formula and lookup fields: values Vault computes when a record is read, never stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .objects import field_map, is_computed, relationship_map
from .store import Record, Store

__all__ = ["computed_value", "getter", "view"]

#: (object, formula field) -> how the sandbox evaluates the field's ``formula``.
_FORMULAS: dict[tuple[str, str], Callable[[Record], Any]] = {
    ("product__v", "name_upper__c"): lambda r: r["name__v"].upper() if r.get("name__v") else None,
}


def computed_value(store: Store, object_name: str, meta: dict[str, Any], record: Record) -> Any:
    """The value of a formula or lookup field on ``record`` (None when it has none)."""
    if meta.get("formula"):
        return _FORMULAS[(object_name, meta["name"])](record)
    ref = relationship_map(object_name)[meta["lookup_relationship_name"]]
    linked = (
        store.get(ref["object"]["name"], record[ref["name"]]) if record.get(ref["name"]) else None
    )
    return linked.get(meta["lookup_source_field"]) if linked else None


def getter(store: Store, object_name: str, name: str) -> Callable[[Record], Any]:
    """Read field ``name`` of a record of ``object_name``, computing it when Vault would."""
    meta = field_map(object_name)[name]
    if is_computed(meta):
        return lambda record: computed_value(store, object_name, meta, record)
    return lambda record: record.get(name)


def view(store: Store, object_name: str, record: Record) -> Record:
    """A copy of a stored record with its computed fields, in the object's field order."""
    out: Record = {}
    for name, meta in field_map(object_name).items():
        if is_computed(meta):
            out[name] = computed_value(store, object_name, meta, record)
        else:
            value = record.get(name)
            out[name] = list(value) if isinstance(value, list) else value
    return out
