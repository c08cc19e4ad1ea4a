"""What a result frame says: rows by status and error type, and the rows to fix (pure)."""

from __future__ import annotations

import pandas as pd

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.outcomes import (
    FAILURE,
    INVALID,
    SKIPPED,
    UNKNOWN,
    VAULT_ERROR,
    VAULT_STATUS,
    status_counts,
)

TO_FIX = (INVALID, FAILURE, UNKNOWN, SKIPPED)
LOAD_LABELS = {
    "requests": "requests sent",
    "planned_requests": "requests planned (dry run)",
    "retries": "retries",
    "session_renewals": "session renewals",
    "seconds": "seconds",
    "burst_remaining": "burst limit left",
    "burst_limit": "burst limit",
    "delayed_responses": "delayed responses",
}


def _check(result: pd.DataFrame) -> None:
    if VAULT_STATUS not in result.columns:
        raise ConfigurationError(
            "this frame has no vault_status column: call summary()/failures() on the frame "
            "returned by df.vault.create/upsert/action"
        )


def error_types(result: pd.DataFrame) -> pd.Series:
    """Rows per error type (a row with two types counts for each).

    The types are the ones the load kept as data from Vault's answers
    (``attrs["vault"]["error_types"]``), as long as the frame still holds that load's rows
    and statuses. A frame that no longer does (filtered, reconciled, read back from a file)
    counts each row's first type, the ``TYPE`` that starts its ``vault_error``.
    """
    _check(result)
    stats = result.attrs.get("vault") or {}
    known = stats.get("error_types")
    if (
        known is not None
        and stats.get("rows") == len(result)
        and stats.get("statuses") == status_counts(result[VAULT_STATUS])
    ):
        return pd.Series(known, dtype="int64", name="rows")
    errors = result[VAULT_ERROR].dropna().astype(str)
    first = errors.str.partition(": ")[0]
    return first[first != ""].value_counts().astype("int64").rename("rows")


def summary(result: pd.DataFrame) -> pd.DataFrame:
    """A tidy table of rows by status and by error type: columns ``kind``, ``name``, ``rows``.

    What the load did (requests, retries, seconds, burst limit...) stays in
    ``result.attrs["vault"]``, and is copied to the summary's own ``attrs["vault"]``.

    Examples
    --------
    >>> out = pd.DataFrame({"vault_status": ["SUCCESS", "FAILURE", "INVALID"],
    ...                     "vault_error": [None, "INVALID_DATA: bad", "VALIDATION: x: y"]})
    >>> summary(out).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['status', 'SUCCESS', 1], ['status', 'FAILURE', 1], ['status', 'INVALID', 1],
     ['error', 'INVALID_DATA', 1], ['error', 'VALIDATION', 1]]
    """
    _check(result)
    parts = [("status", s, n) for s, n in status_counts(result[VAULT_STATUS]).items()]
    parts += [("error", str(t), int(n)) for t, n in error_types(result).items()]
    table = pd.DataFrame(parts, columns=["kind", "name", "rows"])
    table = table.astype({"kind": "string", "name": "string", "rows": "int64"})
    table.attrs["vault"] = dict(result.attrs.get("vault") or {})
    return table


def load_lines(result: pd.DataFrame) -> list[tuple[str, object]]:
    """What the load did, as ``(label, value)`` pairs for printing (from ``attrs["vault"]``)."""
    stats = result.attrs.get("vault") or {}
    return [
        (label, stats[key])
        for key, label in LOAD_LABELS.items()
        if key in stats and (stats[key] not in (None, 0) or key in ("requests", "seconds"))
    ]


def failures(result: pd.DataFrame) -> pd.DataFrame:
    """The rows to fix and send again: INVALID, FAILURE, UNKNOWN and SKIPPED."""
    _check(result)
    return result[result[VAULT_STATUS].isin(TO_FIX)]
