"""Running a parsed VQL query: the WHERE predicate, index use, ordering and the result rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import VqlError
from .fields import is_unique
from .store import Record, Store
from .values import to_json
from .vql import Query, QueryField

__all__ = ["render_rows", "run_query"]


def _compile(node: tuple) -> Callable[[Record], bool]:
    """Turn a WHERE tree into a predicate."""
    kind = node[0]
    if kind in ("and", "or"):
        left, right = _compile(node[1]), _compile(node[2])
        if kind == "and":
            return lambda r: left(r) and right(r)
        return lambda r: left(r) or right(r)
    fld: QueryField = node[1]
    many = fld.meta["type"] == "Picklist"
    if kind == "like":
        rx = node[2]
        if many:
            return lambda r: any(rx.fullmatch(v) for v in fld.get(r) or ())
        return lambda r: (v := fld.get(r)) is not None and rx.fullmatch(str(v)) is not None
    if kind == "between":
        low, high = node[2], node[3]
        return lambda r: (v := fld.get(r)) is not None and low <= v <= high
    op, values = node[2], node[3]
    return _comparison(fld, op, values, many)


def _comparison(fld: QueryField, op: str, values: list, many: bool) -> Callable[[Record], bool]:
    target = values[0]
    if op == "in" or (op == "=" and target is not None):
        wanted = set(values) - {None}
        if many:
            return lambda r: not wanted.isdisjoint(fld.get(r) or ())
        return lambda r: fld.get(r) in wanted
    if op == "=":
        return lambda r: fld.get(r) in (None, [])
    if op == "!=":
        if target is None:
            return lambda r: fld.get(r) not in (None, [])
        if many:
            return lambda r: target not in (fld.get(r) or ())
        return lambda r: fld.get(r) != target
    if many or target is None:
        raise VqlError("INVALID_DATA", f"Operator [{op}] cannot be used on [{fld.name}] here")
    compare = {
        "<": lambda v: v < target,
        ">": lambda v: v > target,
        "<=": lambda v: v <= target,
        ">=": lambda v: v >= target,
    }[op]
    return lambda r: (v := fld.get(r)) is not None and compare(v)


def _candidates(node: tuple | None, query: Query, store: Store) -> list[str] | None:
    """Ids that can match, from a unique index, when the filter pins a unique field."""
    if node is None:
        return None
    if node[0] == "and":
        found = _candidates(node[1], query, store)
        return found if found is not None else _candidates(node[2], query, store)
    if node[0] != "cmp" or node[2] not in ("=", "in") or not node[1].direct:
        return None
    fld: QueryField = node[1]
    if not is_unique(fld.meta) or None in node[3]:
        return None
    ids = {store.find(query.object, fld.name, v) for v in node[3]}
    return sorted(i for i in ids if i is not None)


def run_query(query: Query, store: Store) -> list[str]:
    """Return the ids of the matching records, ordered and limited (creation order by default).

    Null values sort last in both directions, as for standard-volume objects.
    """
    records = store.records[query.object]
    ids = _candidates(query.where, query, store)
    pool = [records[i] for i in ids] if ids is not None else list(records.values())
    if query.where is not None:
        keep = _compile(query.where)
        pool = [r for r in pool if keep(r)]
    for fld, desc in reversed(query.order):
        present = [r for r in pool if fld.get(r) not in (None, [])]
        missing = [r for r in pool if fld.get(r) in (None, [])]
        pool = sorted(present, key=_sort_by(fld), reverse=desc) + missing
    if query.limit is not None:
        pool = pool[: query.limit]
    return [r["id"] for r in pool]


def _sort_by(fld: QueryField) -> Callable[[Record], Any]:
    """The sort key of ``ORDER BY fld`` (lists, i.e. picklists, compare as tuples)."""
    return lambda record: _sort_key(fld.get(record))


def _sort_key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def render_rows(query: Query, ids: list[str], store: Store) -> list[dict[str, Any]]:
    """Build the ``data`` rows for some result ids (records deleted since are skipped)."""
    rows = []
    for rid in ids:
        record = store.get(query.object, rid)
        if record is not None:
            rows.append({f.name: to_json(f.meta, f.get(record)) for f in query.fields})
    return rows
