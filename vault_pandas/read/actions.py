"""The user actions a record can take: ``GET /vobjects/{object}/{id}/actions`` into a frame."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

import pandas as pd

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.transport import names

if TYPE_CHECKING:
    from vault_pandas.transport.client import VaultClient

__all__ = ["ACTION_COLUMNS", "DEFAULT_MAX_RECORDS", "frame_actions", "record_actions"]

#: The columns of :func:`record_actions`' frame, in order.
ACTION_COLUMNS = ["id", "action", "label", "type"]
#: Records looked up by default (one request each).
DEFAULT_MAX_RECORDS = 100


def record_actions(
    client: VaultClient,
    object_name: str,
    ids: Iterable[object],
    *,
    max_records: int = DEFAULT_MAX_RECORDS,
) -> pd.DataFrame:
    """The actions each record can take in its current state, one row per (record, action).

    Parameters
    ----------
    client : VaultClient
        The connection.
    object_name : str
        The Vault object, e.g. ``"product__v"``.
    ids : iterable
        Record ids; blanks are skipped, values are trimmed and each id is asked once, in
        order of first appearance.
    max_records : int
        Only the first ``max_records`` distinct ids are asked (one request each).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``action`` (the full name to pass to ``df.vault.action``), ``label``
        and ``type`` (Vault's, e.g. ``state_change`` or ``workflow``), all strings.

    Raises
    ------
    ConfigurationError
        For a ``max_records`` that is not a positive integer.
    VaultAPIError
        When Vault refuses a request (e.g. no record has the id).
    """
    names.check_name(object_name, "object name")
    if isinstance(max_records, bool) or not isinstance(max_records, int) or max_records < 1:
        raise ConfigurationError(f"max_records must be a positive integer: {max_records!r}")
    rows: list[dict[str, str]] = []
    for rid in _distinct_ids(ids, max_records):
        payload = client.call("GET", f"vobjects/{object_name}/{quote(rid, safe='')}/actions")
        for entry in payload.get("data") or []:
            rows.append(
                {
                    "id": rid,
                    "action": str(entry.get("name", "")),
                    "label": str(entry.get("label", "")),
                    "type": str(entry.get("type", "")),
                }
            )
    return pd.DataFrame(rows, columns=ACTION_COLUMNS, dtype="string")


def frame_actions(
    frame: pd.DataFrame,
    object_name: str,
    id_column: str = "id",
    max_records: int = DEFAULT_MAX_RECORDS,
    client: VaultClient | None = None,
) -> pd.DataFrame:
    """:func:`record_actions` for the ids in a frame's ``id_column`` (``df.vault.actions``).

    ``client`` defaults to the last client made by :func:`vault_pandas.connect`.

    Raises
    ------
    FrameError
        When ``id_column`` is not a column of ``frame``.
    """
    from vault_pandas.transport.connection import resolve_client

    if id_column not in frame.columns:
        raise FrameError(f"the id column {id_column!r} is not in the frame")
    ids = frame[id_column]
    return record_actions(resolve_client(client), object_name, ids, max_records=max_records)


def _distinct_ids(ids: Iterable[object], limit: int) -> list[str]:
    """Trimmed, non-blank ids, each once, at most ``limit``.

    Examples
    --------
    >>> _distinct_ids([" a ", None, "", "b", "a", float("nan"), "c"], 2)
    ['a', 'b']
    """
    out: list[str] = []
    for value in ids:
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            continue
        text = str(value).strip()
        if text and text not in out:
            out.append(text)
            if len(out) >= limit:
                break
    return out
