"""Row outcomes, in one place: statuses, result columns, per-row arrays and Vault's answers.

A load keeps one :class:`RowOutcomes` (positional arrays: status, id, error text, error
types, event). :func:`record_outcomes` and :func:`action_outcomes` turn a Vault answer into
:class:`Outcomes` for one request; :meth:`RowOutcomes.frame` turns the arrays into the result
columns. Error types stay data from Vault's answer to the summary and to retry decisions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

VAULT_ID: Final = "vault_id"
VAULT_STATUS: Final = "vault_status"
VAULT_ERROR: Final = "vault_error"
VAULT_EVENT: Final = "vault_event"
RESULT_PREFIX: Final = "vault_"

SUCCESS: Final = "SUCCESS"
WARNING: Final = "WARNING"
FAILURE: Final = "FAILURE"
INVALID: Final = "INVALID"
SKIPPED: Final = "SKIPPED"
UNKNOWN: Final = "UNKNOWN"
VALID: Final = "VALID"  # dry run only: passed every local check, would be sent

STATUSES: Final = (SUCCESS, WARNING, FAILURE, INVALID, SKIPPED, UNKNOWN, VALID)


def strip_results(frame: pd.DataFrame, keep: str | None = None) -> pd.DataFrame:
    """The frame without the ``vault_*`` columns of an earlier call (never sent).

    ``keep`` names one such column to keep, e.g. ``vault_id`` as the ids of an action.
    """
    drop = [
        c for c in frame.columns if isinstance(c, str) and c.startswith(RESULT_PREFIX) and c != keep
    ]
    return frame.drop(columns=drop) if drop else frame


# Error types of outcomes the library decides itself (Vault's own types come from its answers).
VALIDATION: Final = "VALIDATION"  # failed a local check; never sent
SIZE: Final = "SIZE"  # a row alone is larger than a request may be
ALIGNMENT: Final = "ALIGNMENT"  # Vault's answer could not be matched to the rows sent
LOST: Final = "UNKNOWN"  # sent, but the answer was lost
NOT_FOUND: Final = "NOT_FOUND"  # reconcile: no record carries the row's key

# Row errors that mean "not done, try again": the record was not written.
RETRYABLE_ROW_ERRORS: Final = frozenset(
    {"RACE_CONDITION", "OPERATION_IN_PROGRESS", "API_LIMIT_EXCEEDED"}
)

Types = tuple[str, ...]


def note(error_type: str, message: str) -> str:
    """The ``vault_error`` text of one error: ``"TYPE: message"``.

    Examples
    --------
    >>> note("VALIDATION", "name__v: required")
    'VALIDATION: name__v: required'
    """
    return f"{error_type}: {message}"


class RowOutcomes:
    """Positional outcome arrays (object dtype) for every row of a load.

    ``status``, ``ids``, ``errors`` (the ``vault_error`` text), ``types`` (a tuple of the
    row's error types, kept as data from Vault's answer) and ``events`` (upsert only).
    Every row starts ``SKIPPED`` (never attempted); rows in flight are ``UNKNOWN`` until
    their answer arrives; so whatever stops a load, every row has a truthful status.
    """

    def __init__(self, n: int, *, with_event: bool) -> None:
        self.n = n
        self.status = np.full(n, SKIPPED, dtype=object)
        self.ids = np.full(n, None, dtype=object)
        self.errors = np.full(n, None, dtype=object)
        self.types = np.full(n, None, dtype=object)
        self.events = np.full(n, None, dtype=object) if with_event else None

    @classmethod
    def from_result(cls, result: pd.DataFrame) -> RowOutcomes:
        """Outcome arrays read back from a result frame's ``vault_*`` columns.

        The frame's columns carry no error types; rows that reconcile does not touch keep
        their text, and their types are unknown (None).
        """
        from vault_pandas.errors import ConfigurationError

        if VAULT_STATUS not in result.columns:
            raise ConfigurationError("not a result frame: it has no vault_status column")
        rows = cls(len(result), with_event=VAULT_EVENT in result.columns)
        for attr, name in (("status", VAULT_STATUS), ("ids", VAULT_ID), ("errors", VAULT_ERROR),
                           ("events", VAULT_EVENT)):  # fmt: skip
            if name in result.columns:
                column = result[name].astype(object)
                values = column.where(column.notna(), None).to_numpy(dtype=object)
                setattr(rows, attr, np.array(values, dtype=object))  # writable copy
        return rows

    def mark_invalid(self, messages: np.ndarray, error_type: str, offset: int = 0) -> None:
        """Mark rows with a message (not None) INVALID; positions start at ``offset``."""
        has = ~pd.isna(messages) if len(messages) else np.zeros(0, dtype=bool)
        if has.any():
            self.add_invalid(offset + np.flatnonzero(has), messages[has], error_type)

    def add_invalid(self, positions: np.ndarray, messages: np.ndarray, error_type: str) -> None:
        """Mark ``positions`` INVALID with ``messages`` of ``error_type``, after earlier ones."""
        old, old_types = self.errors[positions], self.types[positions]
        joined = [m if o is None else f"{o}; {m}" for o, m in zip(old, messages, strict=True)]
        self.errors[positions] = np.asarray(joined, dtype=object)
        self.types[positions] = types_array([_add_type(t, error_type) for t in old_types])
        self.status[positions] = INVALID

    def in_flight(self, positions: np.ndarray) -> None:
        """Rows whose request is being sent: UNKNOWN until answered."""
        self.status[positions] = UNKNOWN

    def set(
        self,
        positions: np.ndarray,
        status: Any,
        ids: Any = None,
        errors: Any = None,
        types: Any = None,
        events: Any = None,
    ) -> None:
        """Record outcomes for ``positions`` (each argument an array or one value for all).

        ``types`` holds each row's error types (a tuple); pass it with ``errors``.
        """
        self.status[positions] = status
        self.ids[positions] = ids
        self.errors[positions] = errors
        if isinstance(types, tuple):
            types = types_array(types, len(np.atleast_1d(positions)))
        self.types[positions] = types
        if self.events is not None:
            self.events[positions] = events

    def set_note(self, positions: np.ndarray, status: str, error_type: str, message: str) -> None:
        """Give ``positions`` one status and one error of the library's own."""
        if len(positions):
            self.set(positions, status, None, note(error_type, message), (error_type,))

    def reset(self, positions: np.ndarray) -> None:
        """Forget the outcome of ``positions``: they are to be sent (again)."""
        self.set(positions, SKIPPED)

    def copy(self) -> RowOutcomes:
        """An independent copy of the outcome arrays."""
        other = RowOutcomes(self.n, with_event=self.events is not None)
        other.take(self, np.arange(self.n))
        return other

    def take(self, other: RowOutcomes, positions: np.ndarray) -> None:
        """Copy the outcomes of ``positions`` from ``other`` (same rows)."""
        for name in ("status", "ids", "errors", "types"):
            getattr(self, name)[positions] = getattr(other, name)[positions]
        if self.events is not None and other.events is not None:
            self.events[positions] = other.events[positions]

    def differs(self, other: RowOutcomes) -> np.ndarray:
        """A boolean mask of rows whose status, id, error text or event differ in ``other``."""
        mask = np.zeros(self.n, dtype=bool)
        for name in ("status", "ids", "errors"):
            mask |= _unequal(getattr(self, name), getattr(other, name))
        if self.events is not None and other.events is not None:
            mask |= _unequal(self.events, other.events)
        return mask

    def has_type(self, wanted: frozenset[str]) -> np.ndarray:
        """A boolean mask of rows with at least one error type in ``wanted``."""
        return np.fromiter(
            (t is not None and not wanted.isdisjoint(t) for t in self.types),
            dtype=bool,
            count=self.n,
        )

    def counts(self) -> dict[str, dict[str, int]]:
        """Rows per status and rows per error type (a row with two types counts for each).

        Kept on the result frame's ``attrs["vault"]`` so that the summary counts error types
        from this data, never from the ``vault_error`` text.
        """
        types: dict[str, int] = {}
        for found in self.types[pd.notna(self.errors)]:
            for name in found or ():
                types[name] = types.get(name, 0) + 1
        return {
            "statuses": status_counts(self.status),
            "error_types": dict(sorted(types.items(), key=lambda kv: -kv[1])),
        }

    def frame(self, data: pd.DataFrame) -> pd.DataFrame:
        """The result frame: ``data`` (same index and order) plus the result columns."""
        out = strip_results(data).copy(deep=not _copy_on_write())
        columns = {
            VAULT_ID: self.ids,
            VAULT_STATUS: self.status,
            VAULT_ERROR: self.errors,
        }
        if self.events is not None:
            columns[VAULT_EVENT] = self.events
        for name, values in columns.items():
            out[name] = pd.array(values, dtype="string")
        return out


def _unequal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise ``a != b`` for object arrays of text and None (None equals None)."""
    return np.asarray(a != b, dtype=bool)


def _add_type(old: Types | None, new: str) -> Types:
    return (new,) if not old else old if new in old else (*old, new)


def status_counts(status: Any) -> dict[str, int]:
    """Rows per status, in the order of :data:`STATUSES` (others after them).

    Examples
    --------
    >>> status_counts(["FAILURE", "SUCCESS", "SUCCESS"])
    {'SUCCESS': 2, 'FAILURE': 1}
    """
    counts = pd.Series(status, dtype=object).value_counts()
    order = [s for s in STATUSES if s in counts.index]
    order += [s for s in counts.index if s not in STATUSES]
    return {str(s): int(counts[s]) for s in order}


def types_array(values: Any, n: int | None = None) -> np.ndarray:
    """An object array of error-type tuples: from one tuple repeated ``n`` times, or a list.

    (``np.asarray`` would turn tuples into a 2-D array of their items.)
    """
    if isinstance(values, tuple):
        out = np.empty(1 if n is None else n, dtype=object)
        out.fill(values)
        return out
    return np.fromiter(values, dtype=object, count=len(values))


def _copy_on_write() -> bool:
    # pandas 3 always copies on write; pandas 2.2 only when the option is on. Without it a
    # shallow copy would let edits of the result reach the caller's frame.
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return bool(pd.get_option("mode.copy_on_write") is True)


@dataclass
class Outcomes:
    """Outcome columns for one request, positional, as Python lists."""

    status: list[Any]
    ids: list[Any]
    errors: list[Any] | None  # None: no row has an error
    events: list[Any] | None  # None: no row has an event
    types: list[Types | None] | None = None  # each row's error types; None: no row has one
    whole_request: bool = False  # Vault refused the request as a whole (no per-row answer)

    @classmethod
    def request_failed(
        cls,
        n: int,
        ids: Sequence[Any] | None,
        entries: Sequence[Mapping[str, Any]],
        status: str,
        execution_id: str | None = None,
    ) -> Outcomes:
        """Every row of a request Vault refused as a whole carries the request's errors.

        Examples
        --------
        >>> failed = Outcomes.request_failed(2, None, [{"type": "INVALID_DATA"}], "FAILURE")
        >>> failed.status, failed.types
        (['FAILURE', 'FAILURE'], [('INVALID_DATA',), ('INVALID_DATA',)])
        """
        text = format_errors(entries) or note(status, "the request failed")
        if execution_id:
            text += f" (execution id {execution_id})"
        types = entry_types(entries) or (status,)
        statuses, record_ids = [FAILURE] * n, list(ids or [None] * n)
        return cls(statuses, record_ids, [text] * n, [None] * n, [types] * n, whole_request=True)

    def clear(self, k: int, status: str = SUCCESS, record_id: Any = None) -> None:
        """Row ``k`` of this request is settled without an error."""
        self.status[k] = status
        if record_id is not None:
            self.ids[k] = record_id
        if self.errors is not None:
            self.errors[k] = None
        if self.types is not None:
            self.types[k] = None


def format_errors(entries: Sequence[Mapping[str, Any]] | None, key: str = "type") -> str | None:
    """Join Vault error (or warning) entries as ``"TYPE: message; TYPE: message"``.

    Examples
    --------
    >>> format_errors([{"type": "INVALID_DATA", "message": "bad"}])
    'INVALID_DATA: bad'
    >>> format_errors([]) is None
    True
    """
    if not entries:
        return None
    return "; ".join(f"{_entry_type(e, key)}: {e.get('message', '')}" for e in entries)


def _entry_type(entry: Mapping[str, Any], key: str = "type") -> str:
    return str(entry.get(key) or entry.get("type") or entry.get("warning_type"))


def entry_types(entries: Sequence[Mapping[str, Any]] | None, key: str = "type") -> Types | None:
    """The distinct types of Vault error (or warning) entries, in order.

    Examples
    --------
    >>> entry_types([{"type": "INVALID_DATA", "message": "a"}, {"type": "INVALID_DATA"}])
    ('INVALID_DATA',)
    """
    if not entries:
        return None
    return tuple(dict.fromkeys(_entry_type(e, key) for e in entries))


def _row_problems(item: Mapping[str, Any]) -> tuple[str | None, Types | None]:
    errors = item.get("errors")
    if errors:
        return format_errors(errors), entry_types(errors)
    warnings = item.get("warnings")
    if warnings:
        return format_errors(warnings, "warning_type"), entry_types(warnings, "warning_type")
    return None, None


def _event(data: Any) -> str | None:
    event = data.get("event") if isinstance(data, dict) else None
    return event.removesuffix("__sys") if isinstance(event, str) else None


def record_outcomes(payload: Mapping[str, Any], n: int) -> Outcomes:
    """Per-row outcomes of a create/upsert/update/delete answer for a body of ``n`` rows.

    Vault answers one entry per input row, in input order. An answer with a different count
    cannot be aligned: every row becomes UNKNOWN rather than being given someone else's id.
    """
    data = payload.get("data")
    if not isinstance(data, list) or len(data) != n:
        got = len(data) if isinstance(data, list) else "no"
        msg = note(ALIGNMENT, f"Vault answered {got} results for {n} rows; outcome unknown")
        return Outcomes([UNKNOWN] * n, [None] * n, [msg] * n, [None] * n, [(ALIGNMENT,)] * n)
    status = [item.get("responseStatus", FAILURE) for item in data]
    if status.count("SUCCESS") == n:  # the common case: one pass for the ids, no errors
        inner = [item["data"] for item in data]
        ids = [d["id"] for d in inner]
        events = [d.get("event") for d in inner] if "event" in inner[0] else None
        if events is not None:
            events = [_EVENTS.get(e, e) for e in events]
        return Outcomes(status, ids, None, events)
    inner = [item.get("data") or {} for item in data]
    problems = [_row_problems(item) for item in data]
    return Outcomes(
        status=status,
        ids=[d.get("id") if isinstance(d, dict) else None for d in inner],
        errors=[text for text, _ in problems],
        events=[_event(d) for d in inner],
        types=[types for _, types in problems],
    )


_EVENTS = {"created__sys": "created", "updated__sys": "updated"}


def action_outcomes(payload: Mapping[str, Any], ids: Sequence[str]) -> Outcomes:
    """Per-id outcomes of an object action answer, matched by ``id`` (not by position)."""
    by_id: dict[str, Mapping[str, Any]] = {}
    for item in payload.get("data") or []:
        if isinstance(item, dict) and item.get("id") is not None:
            by_id.setdefault(str(item["id"]), item)
    missing = note(ALIGNMENT, "Vault returned no result for this id; outcome unknown")
    items = [by_id.get(i) for i in ids]
    problems = [_row_problems(it) if it else (missing, (ALIGNMENT,)) for it in items]
    return Outcomes(
        status=[it.get("responseStatus", FAILURE) if it else UNKNOWN for it in items],
        ids=list(ids),
        errors=[text for text, _ in problems],
        events=[None] * len(ids),
        types=[types for _, types in problems],
    )
