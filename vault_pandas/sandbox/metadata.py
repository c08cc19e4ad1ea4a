"""Metadata as Vault serves it: objects, fields, object type configuration, ``queryDescribe``.

The sample definitions (:mod:`.objects`, :mod:`.objtypes`) hold no version-dependent URLs;
these functions add them, and shape references the way the sandbox is set to describe them.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import RequestFailure
from .objects import OBJECTS, field_map, object_summary
from .objtypes import TYPES, ObjectType, find_type, types_of

__all__ = ["describe_query", "field_metadata", "object_metadata", "object_types", "type_config"]

_FIELD_RELATIONSHIP_KEYS = (
    "relationship_type",
    "relationship_outbound_name",
    "relationship_inbound_name",
    "relationship_deletion",
    "relationship_criteria",
)
#: The field keys ``queryDescribe`` may carry (Vault's list; never ``formula``).
_DESCRIBE_KEYS = (
    "name", "label", "type", "required", "unique", "max_length", "min_value", "max_value",
    "scale", "picklist", "encrypted", "format_mask",
)  # fmt: skip


def _target(name: str, version: str) -> dict[str, Any]:
    return {"url": f"/api/{version}/metadata/vobjects/{name}", **object_summary(name)}


def _field(raw: dict[str, Any], version: str, shape: str) -> dict[str, Any]:
    entry = copy.deepcopy(raw)
    if "object" in entry:
        entry["object"] = _target(entry["object"]["name"], version)
        if shape == "object":  # the relationship is named only in relationships[]
            for key in _FIELD_RELATIONSHIP_KEYS:
                entry.pop(key, None)
    return entry


def object_metadata(name: str, version: str, shape: str = "both") -> dict[str, Any]:
    """The ``object`` of ``GET /metadata/vobjects/{name}``.

    ``shape`` says where references are described: ``both`` (Vault's documented shape),
    ``field`` (only the field-level ``relationship_*`` keys; no ``relationships[]``
    entries) or ``object`` (only ``relationships[]``; no ``relationship_*`` on fields).

    Examples
    --------
    >>> meta = object_metadata("site__c", "v25.2", "object")
    >>> [r["relationship_name"] for r in meta["relationships"]][0]
    'created_by__vr'
    >>> "relationship_outbound_name" in {f["name"]: f for f in meta["fields"]}["product__c"]
    False
    """
    meta = {k: copy.deepcopy(v) for k, v in OBJECTS[name].items() if k != "fields"}
    meta["fields"] = [_field(f, version, shape) for f in OBJECTS[name]["fields"]]
    if shape == "field":
        meta["relationships"] = []
    for rel in meta["relationships"]:
        rel["object"] = _target(rel["object"]["name"], version)
    meta["urls"] = {
        "field": f"/api/{version}/metadata/vobjects/{name}/fields/{{name}}",
        "record": f"/api/{version}/vobjects/{name}/{{id}}",
        "list": f"/api/{version}/vobjects/{name}",
        "metadata": f"/api/{version}/metadata/vobjects/{name}",
    }
    return meta


def field_metadata(name: str, field: str, version: str, shape: str = "both") -> dict[str, Any]:
    """The ``field`` of ``GET /metadata/vobjects/{name}/fields/{field}``.

    Raises
    ------
    RequestFailure
        ``INVALID_DATA`` for a field the object does not have.
    """
    raw = field_map(name).get(field)
    if raw is None:
        raise RequestFailure("INVALID_DATA", f"Field [{field}] does not exist on [{name}]")
    return _field(raw, version, shape)


def _type_entry(t: ObjectType) -> dict[str, Any]:
    """One type in the documented shape (``type_fields``: every field of its object)."""
    type_fields = []
    for fname, meta in field_map(t.object).items():
        entry: dict[str, Any] = {
            "required": bool(meta["required"] or fname in t.required),
            "name": fname,
            "source": meta["source"],
        }
        if fname in t.picklist_values:
            entry["picklist_values"] = list(t.picklist_values[fname])
        type_fields.append(entry)
    return {
        "name": t.name,
        "object": t.object,
        "active": True,
        "description": t.description,
        "additional_type_validations": [],
        "label_plural": t.label_plural,
        "type_fields": type_fields,
        "label": t.label,
    }


def object_types() -> list[dict[str, Any]]:
    """``data`` of ``GET /configuration/Objecttype``: every type of every typed object."""
    return [_type_entry(t) for t in TYPES]


def type_config(target: str) -> dict[str, Any] | list[dict[str, Any]]:
    """``data`` of ``GET /configuration/Objecttype.{object}.{type}`` (or ``.{object}``: a list).

    Raises
    ------
    RequestFailure
        ``INVALID_DATA`` for an unknown object or type, or a malformed name.

    Examples
    --------
    >>> type_config("Objecttype.bicycle__c.road_bike__c")["type_fields"][-2]
    {'required': False, 'name': 'color__c', 'source': 'custom', 'picklist_values': ['red__c', \
'blue__c']}
    """
    parts = target.split(".")
    if parts[0] != "Objecttype" or len(parts) not in (2, 3) or not all(parts):
        raise RequestFailure("INVALID_DATA", f"Unknown configuration [{target}]")
    if len(parts) == 2:
        found = types_of(parts[1])
        if not found:
            raise RequestFailure("INVALID_DATA", f"Object [{parts[1]}] has no object types")
        return [_type_entry(t) for t in found]
    otype = find_type(parts[1], parts[2])
    if otype is None:
        raise RequestFailure("INVALID_DATA", f"Object type [{parts[1]}.{parts[2]}] does not exist")
    return _type_entry(otype)


def _described(key: str, meta: dict[str, Any]) -> bool:
    """Whether ``queryDescribe`` shows a key: ``required``/``unique`` when the field's metadata
    has them (``id`` has no ``unique``), others when set."""
    if key in ("required", "unique"):
        return key in meta
    value = meta.get(key)
    return value is not None and value is not False


def describe_query(object_name: str, fields: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The ``queryDescribe`` block: the object and, per selected field, Vault's documented keys.

    Examples
    --------
    >>> upper = field_map("product__v")["name_upper__c"]
    >>> d = describe_query("product__v", [("name_upper__c", upper)])
    >>> d["fields"][0]["name"], "formula" in d["fields"][0], d["object"]["label_plural"]
    ('name_upper__c', False, 'Products')
    """
    meta = OBJECTS[object_name]
    described = []
    for name, field_meta in fields:
        entry = {k: field_meta[k] for k in _DESCRIBE_KEYS if _described(k, field_meta)}
        entry["name"] = name
        described.append(entry)
    return {"object": {k: meta[k] for k in ("name", "label", "label_plural")}, "fields": described}
