"""Field metadata builders in Vault's shape: plain fields, references, and the standard fields.

:mod:`.objects` describes its sample objects with these. Every field carries the keys Vault's
field metadata documents (``name``, ``label``, ``type``, ``required``, ``editable``,
``unique``, ``source``, ``status``, ``lookup_relationship_name``, ``lookup_source_field``)
plus the type's own (``max_length``, ``scale``, ``picklist``, ``multi_value``, ...), except
``id``, served exactly as documented (:func:`id_field`: no ``unique`` key; :func:`is_unique`).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CONFIGURED",
    "EXTERNAL_OBJECTS",
    "SYSTEM_USER_ID",
    "USER_ID",
    "field",
    "id_field",
    "is_unique",
    "reference",
    "standard_fields",
]

#: The sandbox's one API user (``userId`` of a login) and Vault's System user.
USER_ID = 61234
SYSTEM_USER_ID = 1

#: Who configured the sample objects and fields, and when (the metadata's audit keys).
CONFIGURED = {
    "created_by": SYSTEM_USER_ID,
    "created_date": "2024-01-01T00:00:00.000Z",
    "modified_by": SYSTEM_USER_ID,
    "modified_date": "2024-01-01T00:00:00.000Z",
}

#: Objects that fields point at but that the sandbox keeps no records of (name -> summary).
EXTERNAL_OBJECTS: dict[str, dict[str, str]] = {
    "user__sys": {"label": "User", "label_plural": "Users", "prefix": "V0A"},
}


def _source(name: str) -> str:
    """Vault's ``source`` of a field, read from its suffix (``id`` is standard)."""
    if name.endswith("__sys"):
        return "system"
    return "custom" if name.endswith("__c") else "standard"


def field(
    name: str,
    label: str,
    ftype: str,
    *,
    required: bool = False,
    editable: bool = True,
    unique: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """Build one field entry in Vault's metadata shape.

    Examples
    --------
    >>> f = field("city__c", "City", "String", max_length=80)
    >>> f["source"], f["editable"], f["lookup_relationship_name"], f["max_length"]
    ('custom', True, None, 80)
    """
    entry: dict[str, Any] = {
        "name": name,
        "label": label,
        "type": ftype,
        "required": required,
        "editable": editable,
        "unique": unique,
        "source": _source(name),
        "status": ["active__v"],
        "lookup_relationship_name": None,
        "lookup_source_field": None,
        "description": None,
        "help_content": None,
        "list_column": False,
        "facetable": False,
        "no_copy": False,
        "encrypted": False,
        "format_mask": None,
        **CONFIGURED,
    }
    entry.update(extra)
    return entry


def is_unique(meta: dict[str, Any]) -> bool:
    """Whether a field's values name one record: ``unique: true``, or the record ``id``.

    Vault's documented metadata for ``id`` has no ``unique`` key, yet ``id`` is unique
    (``?idParam=id`` is Vault's own upsert example).

    Examples
    --------
    >>> is_unique(id_field()), is_unique(field("city__c", "City", "String"))
    (True, False)
    """
    return meta["name"] == "id" or bool(meta.get("unique"))


def id_field() -> dict[str, Any]:
    """The ``id`` field with exactly the keys of Vault's documented example, in its order.

    Unlike other fields it has no ``unique``, ``encrypted`` or ``format_mask``
    (``localized_data`` comes only with ``loc=true``, which the sandbox does not serve);
    :func:`is_unique` knows it is unique. ``order`` is added with the object's other fields.

    Examples
    --------
    >>> "unique" in id_field(), id_field()["type"], id_field()["no_copy"]
    (False, 'ID', True)
    """
    audit = CONFIGURED
    return {
        "help_content": None,
        "editable": False,
        "lookup_relationship_name": None,
        "description": None,
        "label": "ID",
        "source": "standard",
        "type": "ID",
        "modified_date": audit["modified_date"],
        "created_by": audit["created_by"],
        "required": False,
        "no_copy": True,
        "name": "id",
        "list_column": False,
        "modified_by": audit["modified_by"],
        "facetable": False,
        "created_date": audit["created_date"],
        "lookup_source_field": None,
        "status": ["active__v"],
    }


def reference(
    name: str,
    label: str,
    target: str,
    outbound: str,
    *,
    inbound: str | None = None,
    deletion: str = "block",
    **extra: Any,
) -> dict[str, Any]:
    """An ``Object`` field: its target and its relationship, named as Vault names them.

    The relationship is described on the field (``relationship_outbound_name``, ...) and, by
    :mod:`.objects`, again in the object's ``relationships[]``; the served metadata may keep
    either or both (see ``relationship_metadata`` in :class:`~.backend.Config`).

    Examples
    --------
    >>> ref = reference("product__c", "Product", "product__v", "product__cr", inbound="sites__cr")
    >>> ref["type"], ref["object"], ref["relationship_outbound_name"], ref["relationship_type"]
    ('Object', {'name': 'product__v'}, 'product__cr', 'reference')
    """
    return field(
        name,
        label,
        "Object",
        object={"name": target},
        relationship_type="reference",
        relationship_outbound_name=outbound,
        relationship_inbound_name=inbound,
        relationship_deletion=deletion,
        relationship_criteria=None,
        **extra,
    )


def _user(name: str, label: str) -> dict[str, Any]:
    return reference(name, label, "user__sys", name.replace("__v", "__vr"), editable=False)


def standard_fields(
    name_field: dict[str, Any], *, typed: bool = False, lifecycle: bool = False
) -> list[dict[str, Any]]:
    """The fields every Vault object has, in the order of Vault's documented type example.

    Parameters
    ----------
    name_field : dict
        The object's ``name__v`` (label, length, uniqueness and naming vary by object).
    typed : bool
        Add ``object_type__v`` (objects with ``allow_types: true``).
    lifecycle : bool
        Add ``lifecycle__v`` and ``state__v`` (objects with a lifecycle).

    Examples
    --------
    >>> names = [f["name"] for f in standard_fields(field("name__v", "Name", "String"))]
    >>> names[:4], names[-4:]
    (['id', 'global_id__sys', 'link__sys', 'name__v'], ['created_by__v', 'created_date__v', \
'modified_by__v', 'modified_date__v'])
    """
    out = [id_field()]
    if typed:
        out.append(
            reference(
                "object_type__v",
                "Object Type",
                "object_type__v",
                "object_type__vr",
                required=True,
            )
        )
    out += [
        field("global_id__sys", "Global ID", "String", editable=False, max_length=100),
        field("link__sys", "Link", "String", editable=False, max_length=100),
        name_field,
        field(
            "status__v",
            "Status",
            "Picklist",
            required=True,
            picklist="default_status__v",
            multi_value=False,
        ),
    ]
    if lifecycle:
        out += [
            field("lifecycle__v", "Lifecycle", "String", editable=False, max_length=255),
            field("state__v", "Lifecycle State", "String", editable=False, max_length=255),
        ]
    out += [
        _user("created_by__v", "Created By"),
        field("created_date__v", "Created Date", "DateTime", editable=False),
        _user("modified_by__v", "Last Modified By"),
        field("modified_date__v", "Last Modified Date", "DateTime", editable=False),
    ]
    return out
