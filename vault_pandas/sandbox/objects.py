"""The sample Vault objects the sandbox serves: field metadata, picklists and the lifecycle."""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = [
    "ACTIONS",
    "INITIAL_STATE",
    "LIFECYCLE",
    "LIFECYCLE_STATES",
    "OBJECTS",
    "PICKLISTS",
    "Action",
    "field_map",
    "relationship_map",
]


def _field(
    name: str,
    label: str,
    ftype: str,
    *,
    required: bool = False,
    editable: bool = True,
    unique: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """Build one field entry in Vault's metadata shape."""
    entry: dict[str, Any] = {
        "name": name,
        "label": label,
        "type": ftype,
        "required": required,
        "editable": editable,
        "unique": unique,
    }
    entry.update(extra)
    return entry


def _system_dates() -> list[dict[str, Any]]:
    """The created/modified stamps every object carries."""
    return [
        _field("created_date__v", "Created Date", "DateTime", editable=False),
        _field("modified_date__v", "Last Modified Date", "DateTime", editable=False),
    ]


_PRODUCT_FIELDS = [
    _field("id", "ID", "ID", editable=False, unique=True),
    _field(
        "name__v",
        "Product Name",
        "String",
        required=True,
        unique=True,
        max_length=128,
        system_managed_name=False,
    ),
    _field("external_id__v", "External ID", "String", unique=True, max_length=100),
    _field("generic_name__vs", "Generic Name", "String", max_length=255),
    _field("description__c", "Description", "LongText", max_length=32000),
    _field(
        "product_family__c",
        "Product Family",
        "Picklist",
        required=True,
        picklist="product_family__c",
        multi_value=False,
    ),
    _field(
        "therapeutic_areas__c",
        "Therapeutic Areas",
        "Picklist",
        picklist="therapeutic_area__c",
        multi_value=True,
    ),
    _field("unit_price__c", "Unit Price", "Number", scale=2, min_value=0, max_value=1000000),
    _field("pack_size__c", "Pack Size", "Number", scale=0, min_value=1, max_value=10000),
    _field("launch_date__c", "Launch Date", "Date"),
    _field("last_reviewed__c", "Last Reviewed", "DateTime"),
    _field("active__c", "Active", "Boolean"),
    _field("lifecycle__v", "Lifecycle", "String", editable=False, max_length=255),
    _field("state__v", "Lifecycle State", "String", editable=False, max_length=255),
    *_system_dates(),
]

_SITE_FIELDS = [
    _field("id", "ID", "ID", editable=False, unique=True),
    _field(
        "name__v",
        "Site Name",
        "String",
        editable=False,
        unique=True,
        max_length=128,
        system_managed_name=True,
    ),
    _field("site_code__c", "Site Code", "String", required=True, unique=True, max_length=20),
    _field(
        "product__c",
        "Product",
        "Object",
        object={"name": "product__v"},
        relationship_name="product__cr",
    ),
    _field("city__c", "City", "String", max_length=80),
    _field("enrollment__c", "Enrollment", "Number", scale=0, min_value=0, max_value=100000),
    _field("start_date__c", "Start Date", "Date"),
    *_system_dates(),
]

#: Object name -> metadata (Vault shape, without version-dependent URLs).
OBJECTS: dict[str, dict[str, Any]] = {
    "product__v": {
        "name": "product__v",
        "label": "Product",
        "label_plural": "Products",
        "prefix": "00P",
        "data_store": "standard",
        "source": "standard",
        "status": ["active__v"],
        "lifecycle": "product_lifecycle__c",
        "fields": _PRODUCT_FIELDS,
        "relationships": [
            {
                "relationship_name": "sites__cr",
                "relationship_label": "Sites",
                "relationship_type": "reference_inbound",
                "field": "product__c",
                "object": {"name": "site__c"},
            }
        ],
    },
    "site__c": {
        "name": "site__c",
        "label": "Site",
        "label_plural": "Sites",
        "prefix": "0SI",
        "data_store": "standard",
        "source": "custom",
        "status": ["active__v"],
        "system_name_format": "SITE-{######}",
        "fields": _SITE_FIELDS,
        "relationships": [
            {
                "relationship_name": "product__cr",
                "relationship_label": "Product",
                "relationship_type": "reference_outbound",
                "field": "product__c",
                "object": {"name": "product__v"},
            }
        ],
    },
}

#: Picklist name -> ordered (name, label) pairs.
PICKLISTS: dict[str, list[tuple[str, str]]] = {
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
}

LIFECYCLE = "product_lifecycle__c"
INITIAL_STATE = "draft_state__c"
LIFECYCLE_STATES = ("draft_state__c", "approved_state__c", "retired_state__c")


class Action:
    """One object user action: its full Vault name, the state it needs and what it does.

    Parameters
    ----------
    name : str
        Full action name, e.g. ``Objectaction.product__v.mark_reviewed__c``.
    label : str
        Display label.
    from_state : str or None
        The lifecycle state a record must be in; ``None`` means any state.
    to_state : str or None
        The state the record moves to; ``None`` leaves the state alone.
    stamp_field : str or None
        A DateTime field set to "now" by the action.
    """

    def __init__(
        self,
        name: str,
        label: str,
        *,
        from_state: str | None = None,
        to_state: str | None = None,
        stamp_field: str | None = None,
    ) -> None:
        self.name = name
        self.label = label
        self.from_state = from_state
        self.to_state = to_state
        self.stamp_field = stamp_field
        self.object = name.split(".")[1]
        self.kind = "state_change" if to_state else "action"


_STATE_ACTION = "Objectlifecyclestateuseraction.product__v"

#: Full action name -> Action.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            f"{_STATE_ACTION}.draft_state__c.approve__c",
            "Approve",
            from_state="draft_state__c",
            to_state="approved_state__c",
        ),
        Action(
            f"{_STATE_ACTION}.approved_state__c.retire__c",
            "Retire",
            from_state="approved_state__c",
            to_state="retired_state__c",
        ),
        Action(
            "Objectaction.product__v.mark_reviewed__c",
            "Mark Reviewed",
            stamp_field="last_reviewed__c",
        ),
    )
}


@cache
def field_map(object_name: str) -> dict[str, dict[str, Any]]:
    """Return ``{field name: field metadata}`` for an object (KeyError if unknown; do not mutate).

    Examples
    --------
    >>> field_map("site__c")["product__c"]["relationship_name"]
    'product__cr'
    """
    return {f["name"]: f for f in OBJECTS[object_name]["fields"]}


@cache
def relationship_map(object_name: str) -> dict[str, dict[str, Any]]:
    """Return ``{relationship name: Object field metadata}`` for the object's outbound references.

    Examples
    --------
    >>> relationship_map("site__c")["product__cr"]["name"]
    'product__c'
    """
    return {
        f["relationship_name"]: f
        for f in OBJECTS[object_name]["fields"]
        if f["type"] == "Object" and f.get("relationship_name")
    }
