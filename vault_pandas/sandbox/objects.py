"""The sample Vault objects the sandbox serves: metadata, picklists, defaults, lifecycle.

Objects: ``product__v`` (lifecycle, a formula field), ``site__c`` (references a product;
system-managed name, a lookup field, a field default), ``bicycle__c`` (object types, see
:mod:`.objtypes`), ``event_log__c`` (``data_store: raw``) and ``object_type__v`` (the type
records; read only). Every object has Vault's standard fields (:func:`.fields.standard_fields`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .fields import CONFIGURED, EXTERNAL_OBJECTS, field, reference, standard_fields

__all__ = [
    "INITIAL_STATE",
    "LIFECYCLES",
    "LIFECYCLE_STATES",
    "NAME_FORMATS",
    "OBJECTS",
    "PICKLISTS",
    "READ_ONLY_OBJECTS",
    "defaults",
    "field_map",
    "is_computed",
    "object_summary",
    "relationship_map",
    "stored_fields",
]


def _name(
    label: str, *, system_managed: bool = False, unique: bool = False, read_only: bool = False
) -> dict[str, Any]:
    return field(
        "name__v",
        label,
        "String",
        required=not (system_managed or read_only),
        editable=not (system_managed or read_only),
        unique=unique,
        max_length=128,
        system_managed_name=system_managed,
        start_number=None,
        value_format=None,
        sequential_naming=False,
    )


_PRODUCT_FIELDS = [
    *standard_fields(_name("Product Name", unique=True), lifecycle=True),
    field("external_id__v", "External ID", "String", unique=True, max_length=100),
    field("generic_name__vs", "Generic Name", "String", max_length=255),
    field("description__c", "Description", "LongText", max_length=32000),
    field(
        "product_family__c",
        "Product Family",
        "Picklist",
        required=True,
        picklist="product_family__c",
        multi_value=False,
    ),
    field(
        "therapeutic_areas__c",
        "Therapeutic Areas",
        "Picklist",
        picklist="therapeutic_area__c",
        multi_value=True,
    ),
    field("unit_price__c", "Unit Price", "Number", scale=2, min_value=0, max_value=1000000),
    field("pack_size__c", "Pack Size", "Number", scale=0, min_value=1, max_value=10000),
    field("launch_date__c", "Launch Date", "Date"),
    field("last_reviewed__c", "Last Reviewed", "DateTime"),
    field("active__c", "Active", "Boolean"),
    # A formula field: Vault computes it on read; no write may set it (the sandbox's shape).
    field(
        "name_upper__c",
        "Name (Upper Case)",
        "String",
        editable=False,
        max_length=128,
        formula="UPPER(name__v)",
    ),
]

_SITE_FIELDS = [
    *standard_fields(_name("Site Name", system_managed=True, unique=True)),
    field("site_code__c", "Site Code", "String", required=True, unique=True, max_length=20),
    reference("product__c", "Product", "product__v", "product__cr", inbound="sites__cr"),
    # A lookup field: the referenced product's name, read through the relationship.
    field(
        "product_name__c",
        "Product Name",
        "String",
        editable=False,
        max_length=128,
        lookup_relationship_name="product__cr",
        lookup_source_field="name__v",
    ),
    field("city__c", "City", "String", max_length=80),
    field("country_code__c", "Country Code", "String", max_length=2, default_value="US"),
    field("enrollment__c", "Enrollment", "Number", scale=0, min_value=0, max_value=100000),
    field("start_date__c", "Start Date", "Date"),
]

_BICYCLE_FIELDS = [
    *standard_fields(_name("Bicycle Name"), typed=True),
    field("frame_size__c", "Frame Size", "Number", scale=0),
    field("color__c", "Color", "Picklist", picklist="bicycle_color__c", multi_value=False),
    field("external_id__c", "External ID", "String", unique=True, max_length=100),
]

_EVENT_LOG_FIELDS = [
    *standard_fields(_name("Event Name", system_managed=True, unique=True)),
    field("event_key__c", "Event Key", "String", unique=True, max_length=100),
    field("message__c", "Message", "LongText", max_length=32000),
]

_OBJECT_TYPE_FIELDS = [
    *standard_fields(_name("Label", read_only=True)),
    field("api_name__v", "API Name", "String", editable=False, max_length=100),
    field("object_name__v", "Object", "String", editable=False, max_length=100),
]


def _object(name: str, label: str, plural: str, prefix: str, fields: list, **extra: Any) -> dict:
    for order, entry in enumerate(fields):
        entry["order"] = order
    meta: dict[str, Any] = {
        "name": name,
        "label": label,
        "label_plural": plural,
        "prefix": prefix,
        "data_store": "standard",
        "source": "custom" if name.endswith("__c") else "standard",
        "description": None,
        "help_content": None,
        "status": ["active__v"],
        "allow_types": False,
        "default_obj_type": "base__v",
        "available_lifecycles": [],
        "system_managed": False,
        "object_class": "base",
        "in_menu": True,
        "auditable": True,
        "allow_attachments": False,
        "enable_esignatures": False,
        "role_overrides": False,
        "dynamic_security": False,
        "secure_audit_trail": False,
        "secure_sharing_settings": False,
        "secure_attachments": False,
        "prevent_record_overwrite": False,
        "user_role_setup_object": None,
        **CONFIGURED,
        "fields": fields,
    }
    meta.update(extra)
    return meta


#: Object name -> metadata in Vault's shape (without version-dependent URLs and with
#: ``relationships[]`` added below from the reference fields).
OBJECTS: dict[str, dict[str, Any]] = {
    "product__v": _object(
        "product__v",
        "Product",
        "Products",
        "00P",
        _PRODUCT_FIELDS,
        available_lifecycles=["product_lifecycle__c"],
    ),
    "site__c": _object("site__c", "Site", "Sites", "0SI", _SITE_FIELDS),
    "bicycle__c": _object(
        "bicycle__c", "Bicycle", "Bicycles", "V0B", _BICYCLE_FIELDS, allow_types=True
    ),
    "event_log__c": _object(
        "event_log__c", "Event Log", "Event Logs", "0EV", _EVENT_LOG_FIELDS, data_store="raw"
    ),
    "object_type__v": _object(
        "object_type__v",
        "Object Type",
        "Object Types",
        "OOT",
        _OBJECT_TYPE_FIELDS,
        source="system",
        system_managed=True,
    ),
}

#: Objects whose records no API write may change (the whole request fails).
READ_ONLY_OBJECTS = frozenset({"object_type__v"})

#: System-managed name patterns (``{######}``: a zero-padded counter).
NAME_FORMATS = {"site__c": "SITE-{######}", "event_log__c": "EVT-{######}"}

#: Object -> its lifecycle; the initial state and every state of ``product_lifecycle__c``.
LIFECYCLES = {"product__v": "product_lifecycle__c"}
INITIAL_STATE = "draft_state__c"
LIFECYCLE_STATES = ("draft_state__c", "approved_state__c", "retired_state__c")

#: Picklist name -> ordered (name, label) pairs.
PICKLISTS: dict[str, list[tuple[str, str]]] = {
    "default_status__v": [("active__v", "Active"), ("inactive__v", "Inactive")],
    "product_family__c": [
        ("small_molecule__c", "Small Molecule"),
        ("biologic__c", "Biologic"),
        ("vaccine__c", "Vaccine"),
        ("device__c", "Device"),
    ],
    "therapeutic_area__c": [
        ("oncology__c", "Oncology"),
        ("cardiology__c", "Cardiology"),
        ("neurology__c", "Neurology"),
        ("immunology__c", "Immunology"),
        ("rare_disease__c", "Rare Disease"),
    ],
    "bicycle_color__c": [("red__c", "Red"), ("blue__c", "Blue"), ("green__c", "Green")],
}


def object_summary(name: str) -> dict[str, str]:
    """``name``, ``label``, ``label_plural``, ``prefix`` of any object a field may point at.

    Examples
    --------
    >>> object_summary("user__sys")["prefix"], object_summary("site__c")["label"]
    ('V0A', 'Site')
    """
    meta = OBJECTS.get(name) or EXTERNAL_OBJECTS[name]
    return {"name": name, **{k: meta[k] for k in ("label", "label_plural", "prefix")}}


def _relationships(name: str) -> list[dict[str, Any]]:
    """The object-level ``relationships[]``: outbound per reference field, inbound per child."""
    out = [
        {
            "relationship_name": f["relationship_outbound_name"],
            "relationship_label": f["label"],
            "field": f["name"],
            "relationship_type": "reference_outbound",
            "relationship_deletion": f["relationship_deletion"],
            "object": {"name": f["object"]["name"]},
        }
        for f in OBJECTS[name]["fields"]
        if f["type"] == "Object"
    ]
    for other, meta in OBJECTS.items():
        for f in meta["fields"]:
            if f["type"] != "Object" or f["object"]["name"] != name:
                continue
            if f.get("relationship_inbound_name"):
                out.append(
                    {
                        "relationship_name": f["relationship_inbound_name"],
                        "relationship_label": meta["label_plural"],
                        "relationship_type": "child",
                        "relationship_deletion": f["relationship_deletion"],
                        "object": {"name": other},
                    }
                )
    return out


for _order, _obj in enumerate(OBJECTS):
    OBJECTS[_obj]["order"] = _order
    OBJECTS[_obj]["relationships"] = _relationships(_obj)


def is_computed(meta: dict[str, Any]) -> bool:
    """True for a formula or lookup field: Vault computes it, no write sets it.

    Examples
    --------
    >>> site = field_map("site__c")
    >>> is_computed(site["product_name__c"]), is_computed(site["city__c"])
    (True, False)
    """
    return bool(meta.get("formula") or meta.get("lookup_relationship_name"))


@cache
def field_map(object_name: str) -> dict[str, dict[str, Any]]:
    """Return ``{field name: field metadata}`` for an object (KeyError if unknown; do not mutate).

    Examples
    --------
    >>> field_map("site__c")["product__c"]["relationship_outbound_name"]
    'product__cr'
    """
    return {f["name"]: f for f in OBJECTS[object_name]["fields"]}


@cache
def stored_fields(object_name: str) -> tuple[str, ...]:
    """The fields a record stores (computed ones are derived when read)."""
    return tuple(n for n, meta in field_map(object_name).items() if not is_computed(meta))


@cache
def relationship_map(object_name: str) -> dict[str, dict[str, Any]]:
    """Return ``{outbound relationship name: Object field metadata}`` for an object.

    Examples
    --------
    >>> relationship_map("site__c")["product__cr"]["name"]
    'product__c'
    """
    return {
        f["relationship_outbound_name"]: f
        for f in OBJECTS[object_name]["fields"]
        if f["type"] == "Object" and f.get("relationship_outbound_name")
    }


@cache
def defaults(object_name: str) -> dict[str, str]:
    """``{field: default in input text form}`` a create fills when a row gives no value.

    ``status__v`` defaults to ``active__v`` on every object (Vault documents the default but
    its metadata carries no ``default_value`` for it); other fields have their
    ``default_value``. ``object_type__v`` is filled from ``default_obj_type`` elsewhere.

    Examples
    --------
    >>> defaults("site__c")
    {'status__v': 'active__v', 'country_code__c': 'US'}
    """
    found = {"status__v": "active__v"}
    for name, meta in field_map(object_name).items():
        if meta.get("default_value") is not None:
            found[name] = meta["default_value"]
    return found
