"""Recovering rows after a pass: retryable row errors, and UNKNOWN rows proven by a lookup.

What a lookup proves, operation by operation, is in :mod:`vault_pandas.write.proof`; this
module chooses and checks the key, runs the lookup (``read/vql.py: lookup_records``) and
applies the proof to the rows. An action's effect cannot be seen in a record in general:
its rows stay ``UNKNOWN``.
"""

from __future__ import annotations

import decimal
import logging
from collections.abc import Collection
from typing import TYPE_CHECKING, get_args

import numpy as np
import pandas as pd

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.read import vql
from vault_pandas.results.outcomes import (
    FAILURE,
    LOST,
    RETRYABLE_ROW_ERRORS,
    SUCCESS,
    UNKNOWN,
    RowOutcomes,
)
from vault_pandas.transport import names
from vault_pandas.write.options import Operation
from vault_pandas.write.plan import object_spec
from vault_pandas.write.proof import (
    CREATED,
    Formatting,
    compare,
    read_path,
    sent_text,
    settle,
    unprovable_keys,
)

if TYPE_CHECKING:
    from vault_pandas.schema.metadata import ObjectSpec
    from vault_pandas.transport.client import VaultClient

__all__ = [
    "Formatting",
    "as_sent",
    "check_key",
    "choose_key",
    "made_by",
    "reconcile_rows",
    "reconcile_unknown",
    "retryable_rows",
]

log = logging.getLogger("vault_pandas")

PREFERRED_KEYS = ("external_id__v", "external_id__c")
UNPROVABLE_ACTION = (
    "whether an action ran cannot be proven by reading the record: check the records "
    "(e.g. their state__v) and run the action again where it is needed"
)


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


def check_key(spec: ObjectSpec, key: str, columns: Collection[str]) -> None:
    """Refuse a lookup key that cannot prove anything about a row.

    Raises
    ------
    ConfigurationError
        ``key`` is not a field of the object, or its metadata does not say ``unique``.
    FrameError
        ``key`` is not a column of the frame.
    """
    if key not in spec.fields:
        raise ConfigurationError(f"reconcile key {key!r} is not a field of {spec.name}")
    if not spec.fields[key].unique:
        unique = sorted(name for name, f in spec.fields.items() if f.unique)
        raise ConfigurationError(
            f"reconcile key {key!r} is not a unique field of {spec.name}: a record found by it "
            f"proves nothing about a row; use one of {unique}"
        )
    if key not in columns:
        raise FrameError(f"reconcile key {key!r} is not a column of the frame")


def made_by(attrs: dict, operation: str | None) -> str:
    """The operation that made a result frame: its ``attrs`` say it, else ``operation``.

    Raises
    ------
    ConfigurationError
        An unknown operation, or one that contradicts the frame's ``attrs``.
    """
    made = (attrs.get("vault") or {}).get("operation")
    for name in (made, operation):
        if name is not None and name not in get_args(Operation):
            raise ConfigurationError(f"unknown operation {name!r}")
    if made is not None and operation is not None and made != operation:
        raise ConfigurationError(
            f"this frame is the result of {made!r} (its attrs say so), not {operation!r}: "
            "drop operation=, or pass the operation that made it"
        )
    return str(made or operation or "create")


def as_sent(
    client: VaultClient,
    object_name: str,
    operation: str,
    key: str,
    data: pd.DataFrame,
    assume_timezone: str | None = None,
) -> tuple[pd.DataFrame, Formatting]:
    """The columns ``operation`` sent from ``data`` and how they were written (metadata types).

    A delete or an action sent only the ids in column ``key``. Otherwise ``key`` must be
    ``id`` or a unique field (:func:`check_key`). The text is rebuilt for a JSON body, which
    carries every value a CSV body can.
    """
    if operation in ("delete", "action"):
        return data[[key]], Formatting({key: "ID"}, body_format="json")
    spec = object_spec(client, names.check_name(object_name, "object name"))
    if key != "id":
        check_key(spec, key, data.columns)
    columns = [str(c) for c in data.columns]
    types = {c: spec.field_type(c) for c in columns}
    multi = {c for c in columns if c in spec.fields and spec.fields[c].multi_value}
    return data, Formatting(types, multi, assume_timezone, body_format="json")


def reconcile_rows(
    client: VaultClient,
    object_name: str,
    operation: str,
    key: str,
    frame: pd.DataFrame,
    rows: RowOutcomes,
    positions: np.ndarray,
    how: Formatting,
    since: float | None = None,
) -> tuple[int, np.ndarray, np.ndarray]:
    """Prove what can be proven of the UNKNOWN rows at ``positions`` of ``frame``.

    ``frame`` holds the columns sent (for a delete: the ids, in column ``key``). Rows are
    looked up by ``key`` (a delete: by ``id``) with the text they were sent as. ``since``:
    when the rows were first sent (epoch seconds), if known: a record created before it
    was not written by them (see ``proof.compare``).

    Returns
    -------
    tuple
        How many rows became ``SUCCESS``; the positions of rows proven absent (no record
        has the key); the positions of rows proven not applied (see ``proof.settle``).
    """
    none = np.zeros(0, dtype=np.int64)
    if not len(positions):
        return 0, none, none
    if operation == "action":
        rows.set_note(positions, UNKNOWN, LOST, f"not proven: {UNPROVABLE_ACTION}")
        return 0, none, none
    text, invalid = sent_text(frame.iloc[positions], how)
    keys = text[key].to_numpy()
    field = "id" if operation == "delete" else key
    why = unprovable_keys(keys, field)
    bad = pd.notna(invalid) & pd.isna(why)
    why[bad] = [f"its values cannot be written as they were sent ({m})" for m in invalid[bad]]
    compared = [c for c in text.columns if operation == "create" or c != key]
    compared = [] if operation == "delete" else compared
    types = dict(how.types)
    readable = [read_path(c) for c in compared if types.get(c) is not None]
    readable += [CREATED] if since is not None else []
    asked = keys[pd.isna(why)]
    query = [_number(k) for k in asked] if types.get(field) == "Number" else list(asked)
    records = vql.lookup_records(client, object_name, field, query, readable)
    found = compare(records, field, keys, text[compared], types, why, since)
    absent, again = settle(rows, positions, found, operation, key, keys)
    return int((rows.status[positions] == SUCCESS).sum()), absent, again


def _number(text: str) -> decimal.Decimal | str:
    """A Number key as a VQL number (its digits), or as text when it is not one."""
    try:
        return decimal.Decimal(text)
    except decimal.InvalidOperation:
        return text


def reconcile_unknown(
    client: VaultClient,
    object_name: str,
    data: pd.DataFrame,
    rows: RowOutcomes,
    unknown: np.ndarray,
    key: str | None,
    how: Formatting,
    since: float | None = None,
) -> tuple[int, np.ndarray]:
    """A create's UNKNOWN rows, looked up by ``key``: return (rows proven, positions absent).

    ``data`` holds the columns sent and ``how`` says how they were written; ``since`` is
    when the load began, if the rows were first sent by it (not by a resumed run).
    """
    if key is None or key not in data.columns:
        log.warning(
            "%d rows have an UNKNOWN outcome and the frame has no unique field to look them "
            "up by; use out.vault.reconcile(object_name, key=...) to resolve them",
            len(unknown),
        )
        return 0, np.zeros(0, dtype=np.int64)
    found, absent, _ = reconcile_rows(
        client, object_name, "create", key, data, rows, unknown, how, since
    )
    log.info(
        "reconciled by %s: %d proven, %d to send again, %d still unknown",
        key, found, len(absent), len(unknown) - found - len(absent),
    )  # fmt: skip
    return found, absent
