"""Per-row outcome arrays of one load, and the result frame built from them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vault_pandas.results.outcomes import (
    INVALID,
    RESULT_PREFIX,
    SKIPPED,
    UNKNOWN,
    VAULT_ERROR,
    VAULT_EVENT,
    VAULT_ID,
    VAULT_STATUS,
)


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
