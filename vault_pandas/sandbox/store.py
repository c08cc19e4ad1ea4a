"""In-memory record storage: records per object, unique-value indexes and reference counts.

A new store already holds the ``object_type__v`` records (one per object type), as a vault
holds its configuration.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from .fields import SYSTEM_USER_ID, is_unique
from .objects import NAME_FORMATS, OBJECTS, field_map
from .objtypes import TYPES

__all__ = ["VAULT_ID", "Record", "Snapshot", "Store"]

Record = dict[str, Any]

#: The sandbox vault's id (``vaultId`` of a login); part of every ``global_id__sys``.
VAULT_ID = 1000


def _reference_fields(object_name: str) -> list[tuple[str, str]]:
    """(field, target object) for each Object field pointing at records the store keeps."""
    fields = field_map(object_name).items()
    return [
        (f, meta["object"]["name"])
        for f, meta in fields
        if meta["type"] == "Object" and meta["object"]["name"] in OBJECTS
    ]


class Snapshot(NamedTuple):
    """A copy of one object's records and indexes (records are replaced, never mutated)."""

    records: dict[str, Record]
    unique: dict[str, dict[Any, str]]
    ref_counts: dict[str, defaultdict[str, int]]


class Store:
    """Records of every sample object, kept consistent with their unique indexes.

    Not thread-safe by itself: the backend holds its lock around every call.

    Attributes
    ----------
    records : dict
        ``{object name: {record id: record}}``; dicts keep creation order.
    """

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Record]] = {name: {} for name in OBJECTS}
        self._unique: dict[str, dict[str, dict[Any, str]]] = {
            name: {f: {} for f, meta in field_map(name).items() if is_unique(meta) and f != "id"}
            for name in OBJECTS
        }
        self._ref_fields = {name: _reference_fields(name) for name in OBJECTS}
        self._ref_counts: dict[str, defaultdict[str, int]] = {
            name: defaultdict(int) for name in OBJECTS
        }
        self._next_id = dict.fromkeys(OBJECTS, 1)
        self._next_name = dict.fromkeys(OBJECTS, 1)
        self._seed_types()

    def _seed_types(self) -> None:
        """One ``object_type__v`` record per object type, with the type's fixed id."""
        stamp = "2024-01-01T00:00:00.000Z"
        for t in TYPES:
            self.put(
                "object_type__v",
                {
                    **dict.fromkeys(field_map("object_type__v")),
                    "id": t.id,
                    "global_id__sys": f"{VAULT_ID}_{t.id}",
                    "link__sys": f"{VAULT_ID}_{t.id}",
                    "name__v": t.label,
                    "status__v": ["active__v"],
                    "created_by__v": SYSTEM_USER_ID,
                    "created_date__v": stamp,
                    "modified_by__v": SYSTEM_USER_ID,
                    "modified_date__v": stamp,
                    "api_name__v": t.name,
                    "object_name__v": t.object,
                },
            )
        self._next_id["object_type__v"] = len(TYPES) + 1

    # -- lookups ---------------------------------------------------------------------------

    def get(self, object_name: str, record_id: str) -> Record | None:
        """Return the stored record (not a copy) or None."""
        return self.records[object_name].get(record_id)

    def find(self, object_name: str, field: str, value: Any) -> str | None:
        """Return the id of the record whose unique ``field`` equals ``value``, or None."""
        if field == "id":
            return value if value in self.records[object_name] else None
        return self._unique[object_name][field].get(self._key(value))

    def referenced(self, object_name: str, record_id: str) -> bool:
        """True when another record's Object field points at this record."""
        return self._ref_counts[object_name].get(record_id, 0) > 0

    # -- ids and names ---------------------------------------------------------------------

    def new_id(self, object_name: str) -> str:
        """Allocate the next record id: the object prefix and a zero-padded counter.

        Ids sort in creation order, which the query engine relies on.
        """
        n = self._next_id[object_name]
        self._next_id[object_name] = n + 1
        return f"{OBJECTS[object_name]['prefix']}{n:012d}"

    def new_name(self, object_name: str) -> str:
        """Allocate the next system-managed name, e.g. ``SITE-000001``."""
        fmt = NAME_FORMATS.get(object_name, "REC-{######}")
        while True:
            n = self._next_name[object_name]
            self._next_name[object_name] = n + 1
            name = fmt.replace("{######}", f"{n:06d}")
            if self.find(object_name, "name__v", name) is None:
                return name

    # -- writes ----------------------------------------------------------------------------

    def put(self, object_name: str, record: Record) -> None:
        """Insert or replace a record, keeping unique indexes and reference counts right.

        The caller has already checked uniqueness and references.
        """
        old = self.records[object_name].get(record["id"])
        if old is not None:
            self._unindex(object_name, old)
        self.records[object_name][record["id"]] = record
        self._index(object_name, record)

    def snapshot(self, object_name: str) -> Snapshot:
        """What :meth:`restore` needs to undo every later write to ``object_name``."""
        return Snapshot(
            dict(self.records[object_name]),
            {f: dict(index) for f, index in self._unique[object_name].items()},
            {name: defaultdict(int, counts) for name, counts in self._ref_counts.items()},
        )

    def restore(self, object_name: str, snap: Snapshot) -> None:
        """Put ``object_name`` back as it was when ``snap`` was taken (ids stay used)."""
        self.records[object_name] = snap.records
        self._unique[object_name] = snap.unique
        self._ref_counts = snap.ref_counts

    def delete(self, object_name: str, record_id: str) -> None:
        """Remove a record and its index entries."""
        old = self.records[object_name].pop(record_id)
        self._unindex(object_name, old)

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _key(value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    def _index(self, object_name: str, record: Record) -> None:
        for fname, index in self._unique[object_name].items():
            value = record.get(fname)
            if value is not None:
                index[self._key(value)] = record["id"]
        for fname, target in self._ref_fields[object_name]:
            if record.get(fname):
                self._ref_counts[target][record[fname]] += 1

    def _unindex(self, object_name: str, record: Record) -> None:
        for fname, index in self._unique[object_name].items():
            value = record.get(fname)
            if value is not None:
                index.pop(self._key(value), None)
        for fname, target in self._ref_fields[object_name]:
            if record.get(fname):
                counts = self._ref_counts[target]
                counts[record[fname]] -= 1
                if counts[record[fname]] <= 0:
                    del counts[record[fname]]
