"""Recovering rows after a pass: retryable row errors, and UNKNOWN rows looked up by key."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vault_pandas.read import vql
from vault_pandas.results.outcomes import (
    FAILURE,
    LOST,
    RETRYABLE_ROW_ERRORS,
    SUCCESS,
    UNKNOWN,
)

if TYPE_CHECKING:
    from vault_pandas.results.outcomes import RowOutcomes
    from vault_pandas.transport.client import VaultClient

log = logging.getLogger("vault_pandas")

PREFERRED_KEYS = ("external_id__v", "external_id__c")


def retryable_rows(rows: RowOutcomes) -> np.ndarray:
    """Positions of FAILURE rows whose error type says the row was not written: retry them."""
    failed = rows.status == FAILURE
    if not failed.any():
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(failed & rows.has_type(RETRYABLE_ROW_ERRORS))


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
        ids = np.asarray([m[0] for m in matches if m is not None and len(m) == 1], dtype=object)
        rows.set(positions[one], SUCCESS, ids)
    rows.set_note(positions[many], UNKNOWN, LOST, "several records carry this key")
    return int(one.sum()), positions[none]


def lookup_unknown(
    client: VaultClient,
    object_name: str,
    rows: RowOutcomes,
    positions: np.ndarray,
    keys: pd.Series,
) -> tuple[int, np.ndarray]:
    """Look the UNKNOWN rows at ``positions`` up by their ``keys`` (one unique field).

    Returns how many rows were resolved, and the positions of rows whose record does not
    exist (safe to send again).
    """
    present = keys.notna().to_numpy()
    values = keys[present].astype("string").tolist()
    found = vql.lookup(client, object_name, str(keys.name), values)
    return resolve(rows, positions[present], keys[present], found)


def reconcile_unknown(
    client: VaultClient,
    object_name: str,
    data: pd.DataFrame,
    rows: RowOutcomes,
    unknown: np.ndarray,
    key: str | None,
) -> tuple[int, np.ndarray]:
    """Look UNKNOWN rows up by ``key``; return (rows resolved, positions to resend)."""
    if key is None or key not in data.columns:
        log.warning(
            "%d rows have an UNKNOWN outcome and the frame has no unique field to look them "
            "up by; use out.vault.reconcile(object_name, key=...) to resolve them",
            len(unknown),
        )
        return 0, np.zeros(0, dtype=np.int64)
    resolved, missing = lookup_unknown(client, object_name, rows, unknown, data[key].iloc[unknown])
    log.info("reconciled by %s: %d found, %d to send again", key, resolved, len(missing))
    return resolved, missing
