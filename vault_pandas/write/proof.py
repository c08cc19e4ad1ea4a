"""What a lookup proves about rows whose answer was lost (pure: the lookup is the caller's).

A row is proven only by what Vault shows: for a create, an upsert or an update, one record
found by a unique key (``id`` or a field whose metadata says ``unique``) holding every
non-blank value the row sent, compared as Vault stores them (:func:`canonical`); for a
delete, nothing: a record that is gone may never have existed (such rows are FAILURE with
a ``NOT_FOUND`` note, as after a repeated delete). Each row's text as sent is :func:`format_frame`'s
(:func:`sent_text`), never ``astype(str)``. :func:`settle` turns a :class:`Found` into
outcomes: proven rows ``SUCCESS`` with their record's id, every other row ``UNKNOWN`` with a
note saying why, and the positions proven absent or not applied, safe to send again.
Blank cells are not compared: on a create Vault may fill a default, and whether a blank
clears a field on update is not documented.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from vault_pandas.results.outcomes import (
    FAILURE,
    LOST,
    NOT_FOUND,
    SUCCESS,
    UNKNOWN,
    WARNING,
    note,
)
from vault_pandas.write.blocks import format_frame, plain_text

if TYPE_CHECKING:
    from vault_pandas.results.outcomes import RowOutcomes

CREATED = "created_date__v"  # a standard field of every object: when the record was created


@dataclass(frozen=True)
class Formatting:
    """How the rows were written into the request body (as ``format_frame`` takes it)."""

    types: Mapping[str, str | None]
    multi_value: Collection[str] = ()
    assume_timezone: str | None = None
    body_format: Literal["csv", "json"] = "csv"


def sent_text(frame: pd.DataFrame, how: Formatting) -> tuple[pd.DataFrame, np.ndarray]:
    """The text each cell was sent as (``None`` for a blank) and each row's invalid message.

    The text is :func:`format_frame`'s, with the body's escaping undone.

    Examples
    --------
    >>> frame = pd.DataFrame({"n": [7.0, None], "s": ["a\\\\b", "c"]})
    >>> text, invalid = sent_text(frame, Formatting({}))
    >>> text.to_numpy().tolist()
    [['7', 'a\\\\b'], [None, 'c']]
    >>> invalid.tolist()
    [None, None]
    """
    block = format_frame(
        frame, how.types, multi_value=how.multi_value,
        assume_timezone=how.assume_timezone, body_format=how.body_format,
    )  # fmt: skip
    columns = plain_text(block.table)
    return pd.DataFrame(columns, index=frame.index, dtype=object), block.invalid


def canonical(values: Any, vault_type: str | None) -> np.ndarray:
    """Values as Vault stores them, so that what was sent and what Vault answers compare.

    Blank (None, NaN, "", []) -> None; Number -> plain decimal digits (``"12.50"`` and
    ``12.5`` alike); Boolean -> ``"true"``/``"false"``; Picklist -> the sorted names joined
    by commas; DateTime -> UTC to the second (Vault keeps no milliseconds); ID and Object ->
    the id without spaces; text -> itself, a CRLF read as LF (CSV bodies).

    Examples
    --------
    >>> canonical(["12.50", 12.5, None], "Number").tolist()
    ['12.5', '12.5', None]
    >>> canonical(["b__c,a__c", ["a__c", "b__c"]], "Picklist").tolist()
    ['a__c,b__c', 'a__c,b__c']
    >>> canonical(["2024-05-01T12:00:00.789Z", "2024-05-01T12:00:00.000Z"], "DateTime").tolist()
    ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00Z']
    """
    one = _CANONICAL.get(vault_type or "", _text)
    return np.array([None if _blank(v) else one(v) for v in values], dtype=object)


def _blank(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return not value
    return value is None or value == "" or (isinstance(value, float) and value != value)


def _number(value: Any) -> str:
    try:
        number = decimal.Decimal(repr(value) if isinstance(value, float) else str(value))
    except decimal.InvalidOperation:
        return str(value)
    return format(number.normalize() + 0, "f") if number.is_finite() else str(value)


def _boolean(value: Any) -> str:
    return str(value).strip().lower()


def _picklist(value: Any) -> str:
    parts = value if isinstance(value, list | tuple) else str(value).split(",")
    return ",".join(sorted({str(p).strip() for p in parts} - {""}))


def _datetime(value: Any) -> str:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return str(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.floor("s").strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value: Any) -> str:
    return value.isoformat()[:10] if isinstance(value, dt.date) else str(value)[:10]


def _text(value: Any) -> str:
    return str(value).replace("\r\n", "\n")


_CANONICAL = {
    "Number": _number, "Boolean": _boolean, "Picklist": _picklist, "DateTime": _datetime,
    "Date": _date, "ID": lambda v: str(v).strip(), "Object": lambda v: str(v).strip(),
}  # fmt: skip


@dataclass
class Found:
    """What a lookup found for each row looked up (positional).

    ``count``: records carrying the row's key (-1: not looked up); ``ids``: the record's id
    when there is one; ``differ``: the fields whose stored values differ from the row's;
    ``why``: why the row cannot be proven (nothing to look up by, an unreadable field).
    """

    count: np.ndarray
    ids: np.ndarray
    differ: np.ndarray
    why: np.ndarray


def read_path(column: str) -> str:
    """The VQL path that reads a column back: ``object_type__v.api_name__v`` ->
    ``object_type__vr.api_name__v``; fields and ``rel__cr.field`` paths as they are."""
    head, dot, tail = column.partition(".")
    return f"{head}r.{tail}" if dot and head == "object_type__v" else column


def unprovable_keys(keys: np.ndarray, field: str) -> np.ndarray:
    """Per row: None, or why its key cannot be looked up (blank, or a line break VQL refuses).

    Examples
    --------
    >>> why = unprovable_keys(np.array(["a", None, "b\\nc"], dtype=object), "name__v")
    >>> why[0] is None, why[1], why[2]  # doctest: +NORMALIZE_WHITESPACE
    (True, 'it has no name__v to look its record up by',
     'its name__v has a line break, which a VQL query cannot carry')
    """
    why = np.full(len(keys), None, dtype=object)
    blank = np.array([k is None for k in keys], dtype=bool)
    why[blank] = f"it has no {field} to look its record up by"
    breaks = np.array([k is not None and ("\n" in k or "\r" in k) for k in keys], dtype=bool)
    why[breaks] = f"its {field} has a line break, which a VQL query cannot carry"
    return why


def compare(
    records: list[dict[str, Any]],
    field: str,
    keys: np.ndarray,
    sent: pd.DataFrame,
    types: Mapping[str, str | None],
    why: np.ndarray,
    since: float | None = None,
) -> Found:
    """Match the ``records`` a lookup by ``field`` found to the rows, and compare values.

    ``keys`` and ``sent`` hold each row's text as sent; rows whose ``why`` is set were not
    looked up. A ``sent`` column whose type ``types`` does not give cannot be compared: a
    row found with a value in it is not proven. With ``since`` (epoch seconds: when the
    rows were first sent), a record whose ``created_date__v`` is older than that second was
    not created by them: not proven either (a clock ahead of Vault's errs on that side).
    """
    n = len(keys)
    why = why.copy()
    asked = np.flatnonzero(pd.isna(why))
    key_type = types.get(field, "ID" if field == "id" else None)
    readable = [c for c in sent.columns if types.get(c) is not None]
    by_key: dict[Any, list[dict[str, Any]]] = {}
    stored_keys = canonical([r.get(field) for r in records], key_type)
    for key, record in zip(stored_keys, records, strict=True):
        by_key.setdefault(key, []).append(record)
    row_keys = canonical(keys, key_type)
    count = np.full(n, -1, dtype=np.int64)
    count[asked] = [len(by_key.get(row_keys[k], ())) for k in asked]
    one = np.flatnonzero(count == 1)
    mine = [by_key[row_keys[k]][0] for k in one]
    ids = np.full(n, None, dtype=object)
    ids[one] = [str(r.get("id")) for r in mine]
    differs = np.zeros((len(one), len(readable)), dtype=bool)
    for j, column in enumerate(readable):
        ours = canonical(sent[column].to_numpy()[one], types[column])
        theirs = canonical([r.get(read_path(column)) for r in mine], types[column])
        differs[:, j] = pd.notna(ours) & (ours != theirs)
    differ = np.full(n, None, dtype=object)
    names = np.array(readable, dtype=object)
    for k in np.flatnonzero(differs.any(axis=1)):
        differ[one[k]] = tuple(names[differs[k]])
    unreadable = [c for c in sent.columns if c not in readable]
    if unreadable:
        values = sent[unreadable].notna().to_numpy().any(axis=1) & (count >= 1)
        why[values & pd.isna(why)] = f"{unreadable} cannot be read back to be compared"
    if since is not None:
        created = np.array([_epoch(r.get(CREATED)) for r in mine], dtype=float)
        old = one[~(created >= np.floor(since))]  # a missing stamp proves nothing either
        why[old[pd.isna(why[old])]] = (
            f"its record's {CREATED} is older than this load: it was not created by it"
        )
    return Found(count, ids, differ, why)


def _epoch(stamp: Any) -> float:
    try:
        return pd.Timestamp(stamp).timestamp() if stamp else np.nan
    except (ValueError, TypeError):
        return np.nan


def settle(
    rows: RowOutcomes,
    positions: np.ndarray,
    found: Found,
    operation: str,
    key: str,
    keys: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply what a lookup proves to the UNKNOWN rows at ``positions``.

    Proven rows become ``SUCCESS`` with their record's id; the others keep ``UNKNOWN`` with a
    note saying why. Returns the positions of rows proven *absent* (no record has the key:
    safe to send again) and of rows proven *not applied* (an update's or upsert's record
    holds other values, a deleted record still exists: safe to repeat).
    """
    count, differ, why = found.count, found.differ, found.why
    open_ = pd.isna(why)
    notes = [(why == reason, str(reason)) for reason in set(why[~open_])]
    if operation == "delete":
        gone, still = open_ & (count == 0), open_ & (count >= 1)
        # As after a repeated delete (write/repeats.py): a gone record cannot prove that this
        # load deleted it rather than that it never existed, so it is not reported deleted.
        message = note(
            NOT_FOUND,
            "no record has this id: this load's lost request may have deleted it, or it never "
            "existed; not reported as deleted",
        )
        rows.set(positions[gone], FAILURE, keys[gone], message, (NOT_FOUND,))
        notes.append((still, "the record still exists: the delete was not applied"))
        _note(rows, positions, notes)
        return np.zeros(0, dtype=np.int64), positions[still]
    one = open_ & (count == 1)
    different = one & pd.notna(differ)
    seen = pd.Series(keys, dtype=object)
    times = seen.map(seen.value_counts()).fillna(0).to_numpy(dtype=np.int64)
    shared = one & ~different & (times > 1)
    taken = _claimed(rows, positions)
    claimed = one & ~different & ~shared & np.array([i in taken for i in found.ids], dtype=bool)
    proven = one & ~different & ~shared & ~claimed
    rows.set(positions[proven], SUCCESS, found.ids[proven])
    notes.append((open_ & (count > 1), f"several records carry this {key}"))
    notes.append((claimed, f"the record with this {key} is already another row's result"))
    for n in set(times[shared]):
        message = f"{n} rows have this {key}: which one was written cannot be proven"
        notes.append((shared & (times == n), message))
    done = (
        "it was not written by this load, or was changed since"
        if operation == "create"
        else f"the {operation} was not applied, or the record was changed since"
    )
    for fields in set(differ[different]):
        mask = different & np.array([d == fields for d in differ], dtype=bool)
        message = f"a record has this {key} but its values differ ({', '.join(fields)}): {done}"
        notes.append((mask, message))
    _note(rows, positions, notes)
    absent = open_ & (count == 0)
    repeat = different if operation in ("update", "upsert") else np.zeros(len(keys), dtype=bool)
    return positions[absent], positions[repeat]


def _claimed(rows: RowOutcomes, positions: np.ndarray) -> set[str]:
    """Record ids already given to other rows of the result (SUCCESS or WARNING)."""
    others = np.isin(rows.status, (SUCCESS, WARNING))
    others[positions] = False
    return {str(i) for i in rows.ids[others] if i is not None}


def _note(rows: RowOutcomes, positions: np.ndarray, notes: list[tuple[np.ndarray, str]]) -> None:
    """Keep the rows of each mask ``UNKNOWN``, with its message."""
    for mask, message in notes:
        rows.set_note(positions[mask], UNKNOWN, LOST, f"not proven: {message}")
