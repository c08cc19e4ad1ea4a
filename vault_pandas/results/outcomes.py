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


class RowOutcomes:
    """Positional outcome arrays (object dtype) for every row of a load.

    Every row starts ``SKIPPED`` (never attempted); rows in flight are ``UNKNOWN`` until
    their answer arrives; so whatever stops a load, every row has a truthful status.
    """

    def __init__(self, n: int, *, with_event: bool) -> None:
        self.n = n
        self.status = np.full(n, SKIPPED, dtype=object)
        self.ids = np.full(n, None, dtype=object)
        self.errors = np.full(n, None, dtype=object)
        self.events = np.full(n, None, dtype=object) if with_event else None

    @classmethod
    def from_result(cls, result: pd.DataFrame) -> RowOutcomes:
        """Outcome arrays read back from a result frame's ``vault_*`` columns."""
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

    def mark_invalid(self, messages: np.ndarray, offset: int = 0) -> None:
        """Mark rows with a message (not None) as INVALID; positions start at ``offset``."""
        has = ~pd.isna(messages) if len(messages) else np.zeros(0, dtype=bool)
        if has.any():
            self.add_invalid(offset + np.flatnonzero(has), messages[has])

    def add_invalid(self, positions: np.ndarray, messages: np.ndarray) -> None:
        """Mark ``positions`` INVALID with ``messages``, joined to earlier messages by '; '."""
        old = self.errors[positions]
        joined = [m if o is None else f"{o}; {m}" for o, m in zip(old, messages, strict=True)]
        self.errors[positions] = np.asarray(joined, dtype=object)
        self.status[positions] = INVALID

    def in_flight(self, positions: np.ndarray) -> None:
        """Rows whose request is being sent: UNKNOWN until answered."""
        self.status[positions] = UNKNOWN

    def set(self, positions: np.ndarray, status, ids, errors, events=None) -> None:  # noqa: ANN001
        """Record answered outcomes for ``positions`` (each argument positional or scalar)."""
        self.status[positions] = status
        self.ids[positions] = ids
        self.errors[positions] = errors
        if self.events is not None:
            self.events[positions] = events

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
    return "; ".join(
        f"{e.get(key) or e.get('type') or e.get('warning_type')}: {e.get('message', '')}"
        for e in entries
    )


def _row_error(item: Mapping[str, Any]) -> str | None:
    errors = item.get("errors")
    if errors:
        return format_errors(errors)
    warnings = item.get("warnings")
    return format_errors(warnings, "warning_type") if warnings else None


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
        msg = f"ALIGNMENT: Vault answered {got} results for {n} rows; outcome unknown"
        return Outcomes([UNKNOWN] * n, [None] * n, [msg] * n, [None] * n)
    status = [item.get("responseStatus", FAILURE) for item in data]
    if status.count("SUCCESS") == n:  # the common case: one pass for the ids, no errors
        inner = [item["data"] for item in data]
        ids = [d["id"] for d in inner]
        events = [d.get("event") for d in inner] if "event" in inner[0] else None
        if events is not None:
            events = [_EVENTS.get(e, e) for e in events]
        return Outcomes(status, ids, None, events)
    inner = [item.get("data") or {} for item in data]
    return Outcomes(
        status=status,
        ids=[d.get("id") if isinstance(d, dict) else None for d in inner],
        errors=[_row_error(item) for item in data],
        events=[_event(d) for d in inner],
    )


_EVENTS = {"created__sys": "created", "updated__sys": "updated"}


def action_outcomes(payload: Mapping[str, Any], ids: Sequence[str]) -> Outcomes:
    """Per-id outcomes of an object action answer, matched by ``id`` (not by position)."""
    by_id: dict[str, Mapping[str, Any]] = {}
    for item in payload.get("data") or []:
        if isinstance(item, dict) and item.get("id") is not None:
            by_id.setdefault(str(item["id"]), item)
    missing = "ALIGNMENT: Vault returned no result for this id; outcome unknown"
    items = [by_id.get(i) for i in ids]
    return Outcomes(
        status=[it.get("responseStatus", FAILURE) if it else UNKNOWN for it in items],
        ids=list(ids),
        errors=[_row_error(it) if it else missing for it in items],
        events=[None] * len(ids),
    )
