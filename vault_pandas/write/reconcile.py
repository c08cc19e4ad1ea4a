"""``out.vault.reconcile``: a result frame's UNKNOWN rows settled by what Vault shows.

It sits above the write pipeline (``write/pipeline.py``), which it calls to send rows again;
what a lookup proves is decided in ``write/recovery.py`` and ``write/proof.py``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from vault_pandas.errors import FrameError, LoadInterrupted, PartialLoadError
from vault_pandas.results.outcomes import FAILURE, NOT_FOUND, UNKNOWN, RowOutcomes, strip_results
from vault_pandas.write.pipeline import write_operation
from vault_pandas.write.recovery import as_sent, made_by, reconcile_rows

if TYPE_CHECKING:
    from vault_pandas.transport.client import VaultClient

log = logging.getLogger("vault_pandas")


def reconcile_result(
    result: pd.DataFrame,
    object_name: str,
    key: str,
    client: VaultClient,
    resend: bool,
    *,
    operation: str | None = None,
    assume_timezone: str | None = None,
) -> pd.DataFrame:
    """``out.vault.reconcile``: prove what can be proven of a result frame's UNKNOWN rows.

    The operation that made the frame is ``result.attrs["vault"]["operation"]``, else
    ``operation``, else ``"create"``; what a lookup by ``key`` proves for each operation is
    in :mod:`vault_pandas.write.proof`. Rows proven absent, and rows of an update, upsert
    or delete proven not applied, are sent again by the same operation when ``resend`` is
    true; otherwise absent rows are ``FAILURE`` (``NOT_FOUND``) and the others keep
    ``UNKNOWN`` with a note. Columns the load left out (``attrs["vault"]["left_out"]``) were
    never sent and are not compared.

    Returns
    -------
    pandas.DataFrame
        ``result`` with its UNKNOWN rows settled where Vault proves them.

    Raises
    ------
    ConfigurationError
        ``key`` cannot prove anything, or ``operation`` contradicts the frame's attrs.
    PartialLoadError, LoadInterrupted
        The resend stopped; ``.result`` is the whole reconciled frame so far.
    """
    operation = made_by(result.attrs, operation)
    rows = RowOutcomes.from_result(result)
    data = strip_results(result, keep=key if operation in ("delete", "action") else None)
    if key not in data.columns:
        raise FrameError(f"reconcile key {key!r} is not a column of the frame")
    left_out = set((result.attrs.get("vault") or {}).get("left_out") or ()) - {key}
    sent = data[[c for c in data.columns if c not in left_out]]
    frame, how = as_sent(client, object_name, operation, key, sent, assume_timezone)
    unknown = np.flatnonzero(rows.status == UNKNOWN)
    _, absent, again = reconcile_rows(
        client, object_name, operation, key, frame, rows, unknown, how
    )
    if resend and operation == "action":
        log.warning("resend=True does not repeat an action: whether it ran cannot be proven")
    elif resend and len(again := np.union1d(absent, again)):
        _resend(rows, data, again, operation, object_name, key, client, assume_timezone)
    elif len(absent):
        done = {"create": "created", "upsert": "written"}.get(operation, "updated")
        message = f"no {object_name} record has this {key}: it was not {done}"
        rows.set_note(absent, FAILURE, NOT_FOUND, message)
    out = rows.frame(data)
    out.attrs = dict(result.attrs)
    out.attrs["vault"] = {"operation": operation, "object": object_name} | dict(
        result.attrs.get("vault") or {}
    )
    return out


def _resend(
    rows: RowOutcomes,
    data: pd.DataFrame,
    again: np.ndarray,
    operation: str,
    object_name: str,
    key: str,
    client: VaultClient,
    assume_timezone: str | None,
) -> None:
    """Send rows again by the operation that made the frame, and keep their outcomes."""
    options: dict[str, Any] = {"id_column": key} if operation == "delete" else {}
    if operation in ("update", "upsert"):
        options["id_param"] = None if key == "id" and operation == "update" else key
    if operation != "delete":
        options["assume_timezone"] = assume_timezone
    if operation == "upsert" and rows.events is None:
        rows.events = np.full(rows.n, None, dtype=object)
    try:
        sent = write_operation(data.iloc[again], operation, object_name, client, **options)
    except (PartialLoadError, LoadInterrupted) as exc:
        _keep(rows, again, exc.result)
        raise type(exc)(str(exc), rows.frame(data)) from exc
    _keep(rows, again, sent)


def _keep(rows: RowOutcomes, positions: np.ndarray, sent: pd.DataFrame) -> None:
    """Store the outcomes of the rows sent again (their error texts; types are not kept)."""
    got = RowOutcomes.from_result(sent)
    rows.set(positions, got.status, got.ids, got.errors, None, got.events)
