"""Summaries of a result frame: counts by status and error type, and the rows to fix (pure)."""

from __future__ import annotations

import pandas as pd

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.outcomes import (
    FAILURE,
    INVALID,
    SKIPPED,
    STATUSES,
    UNKNOWN,
    VAULT_ERROR,
    VAULT_STATUS,
)

TO_FIX = (INVALID, FAILURE, UNKNOWN, SKIPPED)
_ERROR_TYPE = r"(?:^|; )([A-Z][A-Z0-9_]*): "
_STAT_LABELS = {
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
    """Rows per error type found in ``vault_error`` (a row with two types counts for each)."""
    _check(result)
    errors = result[VAULT_ERROR].dropna().astype(str)
    if errors.empty:
        return pd.Series(dtype="int64", name="rows")
    found = errors.str.extractall(_ERROR_TYPE)[0]
    per_row = found.groupby(level=0).unique().explode()
    return per_row.value_counts().rename("rows")


def summary(result: pd.DataFrame) -> pd.DataFrame:
    """A small table: rows by status, rows by error type, and what the load did.

    Examples
    --------
    >>> out = pd.DataFrame({"vault_status": ["SUCCESS", "FAILURE", "INVALID"],
    ...                     "vault_error": [None, "INVALID_DATA: bad", "VALIDATION: x: y"]})
    >>> summary(out)["value"].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {('status', 'SUCCESS'): 1, ('status', 'FAILURE'): 1, ('status', 'INVALID'): 1,
     ('error', 'INVALID_DATA'): 1, ('error', 'VALIDATION'): 1}
    """
    _check(result)
    counts = result[VAULT_STATUS].value_counts()
    order = [s for s in STATUSES if s in counts.index] + [
        s for s in counts.index if s not in STATUSES
    ]
    parts = [("status", str(s), int(counts[s])) for s in order]
    parts += [("error", str(t), int(n)) for t, n in error_types(result).items()]
    stats = result.attrs.get("vault") or {}
    parts += [
        ("load", label, stats[key])
        for key, label in _STAT_LABELS.items()
        if stats.get(key) not in (None, 0) or key in ("requests", "seconds")
        if key in stats
    ]
    index = pd.MultiIndex.from_tuples([(a, b) for a, b, _ in parts], names=["", ""])
    return pd.DataFrame({"value": [v for _, _, v in parts]}, index=index, dtype=object)


def failures(result: pd.DataFrame) -> pd.DataFrame:
    """The rows to fix and send again: INVALID, FAILURE, UNKNOWN and SKIPPED."""
    _check(result)
    return result[result[VAULT_STATUS].isin(TO_FIX)]
