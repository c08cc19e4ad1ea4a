"""Object types: each typed object's types, their record ids and their per-type field rules.

A type narrows its object: ``type_fields`` say which fields it requires and, for a picklist,
which values it allows (``picklist_values``). Every type is also a record of the
``object_type__v`` object (prefix ``OOT``); a typed record stores its type as that id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["TYPES", "TYPE_PREFIX", "ObjectType", "find_type", "type_by_id", "types_of"]

TYPE_PREFIX = "OOT"


@dataclass(frozen=True)
class ObjectType:
    """One object type: names, labels and its rules beyond the object's own.

    ``required`` names the fields the type requires on top of the object's required fields;
    ``picklist_values`` maps a picklist field to the value names the type allows.
    """

    object: str
    name: str
    label: str
    label_plural: str
    description: str | None = None
    required: frozenset[str] = frozenset()
    picklist_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    id: str = ""

    def allowed(self, field_name: str) -> tuple[str, ...] | None:
        """The value names allowed in a picklist field, or None when the type does not narrow it."""
        return self.picklist_values.get(field_name)


def _numbered(types: list[ObjectType]) -> list[ObjectType]:
    """Give each type its record id in declaration order (the store seeds them the same way)."""
    return [
        ObjectType(**{**t.__dict__, "id": f"{TYPE_PREFIX}{n:012d}"})
        for n, t in enumerate(types, start=1)
    ]


#: Every object type of every typed object, in id order.
TYPES: list[ObjectType] = _numbered(
    [
        ObjectType("bicycle__c", "base__v", "Base", "Base"),
        ObjectType(
            "bicycle__c",
            "road_bike__c",
            "Road Bike",
            "Road Bikes",
            description="Bicycles built for paved roads.",
            required=frozenset({"frame_size__c"}),
            picklist_values={"color__c": ("red__c", "blue__c")},
        ),
    ]
)

_BY_ID = {t.id: t for t in TYPES}
_BY_NAME = {(t.object, t.name): t for t in TYPES}


def types_of(object_name: str) -> list[ObjectType]:
    """The types of an object (empty for an object without types).

    Examples
    --------
    >>> [t.name for t in types_of("bicycle__c")], types_of("product__v")
    (['base__v', 'road_bike__c'], [])
    """
    return [t for t in TYPES if t.object == object_name]


def find_type(object_name: str, type_name: str) -> ObjectType | None:
    """The type of ``object_name`` called ``type_name``, or None.

    Examples
    --------
    >>> find_type("bicycle__c", "road_bike__c").id
    'OOT000000000002'
    """
    return _BY_NAME.get((object_name, type_name))


def type_by_id(type_id: Any) -> ObjectType | None:
    """The type whose record id is ``type_id`` (of any object), or None."""
    return _BY_ID.get(type_id) if isinstance(type_id, str) else None
