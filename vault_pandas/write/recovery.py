"""Recovering rows after a pass: retryable row errors, and UNKNOWN rows looked up by key."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vault_pandas.read import vql
from vault_pandas.results.outcomes import SUCCESS, UNKNOWN

if TYPE_CHECKING:
    from vault_pandas.results.outcomes import RowOutcomes

log = logging.getLogger("vault_pandas")

# Row errors that mean "not done, try again": the record was not written.
RETRYABLE_ROW_ERRORS = ("RACE_CONDITION", "OPERATION_IN_PROGRESS", "API_LIMIT_EXCEEDED")
_RETRYABLE = r"^(?:" + "|".join(RETRYABLE_ROW_ERRORS) + r"):"
PREFERRED_KEYS = ("external_id__v", "external_id__c")


def retryable_rows(rows: RowOutcomes) -> np.ndarray:
    """Positions of FAILURE rows whose error says the row was not written and may be retried."""
    errors = pd.Series(rows.errors, dtype=object)
    failed = rows.status == "FAILURE"
    if not failed.any():
        return np.zeros(0, dtype=np.int64)
    hit = errors[failed].astype(str).str.match(_RETRYABLE).to_numpy()
    return np.flatnonzero(failed)[hit]


def choose_key(unique_columns: list[str], wanted: bool | str) -> str | None:
    """The unique field to look rows up by: the one asked for, else an external id first."""
    if isinstance(wanted, str):
        return wanted
    for key in PREFERRED_KEYS:
        if key in unique_columns:
            return key
    return unique_columns[0] if unique_columns else None


def resolve(
    rows: RowOutcomes, positions: np.ndarray, keys: pd.Series, found: dict[str, list[str]]
) -> tuple[int, np.ndarray]:
    """Apply a lookup to UNKNOWN rows: one match -> SUCCESS; none -> to resend; more -> stay.

    Returns how many rows were resolved, and the positions of rows that do not exist.
    """
    text = keys.astype("string").to_numpy(dtype=object, na_value=None)
    matches = [found.get(k, []) if k is not None else None for k in text]
    one = np.array([m is not None and len(m) == 1 for m in matches], dtype=bool)
    none = np.array([m is not None and len(m) == 0 for m in matches], dtype=bool)
    many = np.array([m is not None and len(m) > 1 for m in matches], dtype=bool)
    if one.any():
        ids = np.array([m[0] for m, ok in zip(matches, one, strict=True) if ok], dtype=object)
        rows.set(positions[one], SUCCESS, ids, None)
    if many.any():
        rows.set(positions[many], UNKNOWN, None, "UNKNOWN: several records carry this key")
    return int(one.sum()), positions[none]


def reconcile_unknown(load, unknown: np.ndarray) -> tuple[int, np.ndarray]:  # noqa: ANN001
    """Look UNKNOWN rows up by a unique key; return (rows resolved, positions to resend)."""
    key = choose_key(load.plan.unique_columns, load.options.reconcile)
    if key is None or key not in load.data.columns:
        log.warning(
            "%d rows have an UNKNOWN outcome and the frame has no unique field to look them "
            "up by; use out.vault.reconcile(object_name, key=...) to resolve them",
            len(unknown),
        )
        return 0, np.zeros(0, dtype=np.int64)
    keys = load.data[key].iloc[unknown]
    present = keys.notna().to_numpy()
    values = keys[present].astype("string").tolist()
    found = vql.lookup(load.client, load.options.object_name, key, values)
    resolved, missing = resolve(load.rows, unknown[present], keys[present], found)
    log.info("reconciled by %s: %d found, %d to send again", key, resolved, len(missing))
    return resolved, missing


def reconcile_result(
    result: pd.DataFrame,
    object_name: str,
    key: str,
    client,
    resend: bool,  # noqa: ANN001
) -> pd.DataFrame:
    """``out.vault.reconcile``: resolve a result frame's UNKNOWN rows by a key field."""
    from vault_pandas.errors import FrameError
    from vault_pandas.results.outcomes import RowOutcomes, strip_results
    from vault_pandas.write.pipeline import WriteOptions, write

    rows = RowOutcomes.from_result(result)
    data = strip_results(result)
    if key not in data.columns:
        raise FrameError(f"reconcile key {key!r} is not a column of the frame")
    unknown = np.flatnonzero(rows.status == UNKNOWN)
    keys = data[key].iloc[unknown]
    present = keys.notna().to_numpy()
    found = vql.lookup(client, object_name, key, keys[present].astype("string").tolist())
    _, missing = resolve(rows, unknown[present], keys[present], found)
    if len(missing) and resend:
        again = write(data.iloc[missing], WriteOptions("create", object_name), client)
        rows.set(
            missing,
            again["vault_status"].to_numpy(dtype=object),
            again["vault_id"].to_numpy(dtype=object, na_value=None),
            again["vault_error"].to_numpy(dtype=object, na_value=None),
        )
    elif len(missing):
        note = f"NOT_FOUND: no {object_name} record has this {key}; it was not created"
        rows.set(missing, "FAILURE", None, note)
    out = rows.frame(data)
    out.attrs = dict(result.attrs)
    return out
