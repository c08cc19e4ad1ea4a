"""A result frame as plain-text lines for a terminal: counts, the first rows to fix, a total."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from vault_pandas.results import summary as report
from vault_pandas.results.outcomes import STATUSES, VAULT_ERROR, VAULT_STATUS

__all__ = ["SHOWN_FAILURES", "failure_lines", "result_lines"]

#: Rows to fix shown on the terminal (the result file has them all).
SHOWN_FAILURES = 5


def result_lines(
    result: pd.DataFrame, path: object, *, dry_run: bool = False, sandbox: bool = False
) -> list[str]:
    """The summary table, the first rows to fix and the counts by status of a result frame.

    Parameters
    ----------
    result : pandas.DataFrame
        A frame returned by a ``df.vault`` write.
    path : path-like
        Where the result was written (named in the last lines).
    dry_run : bool
        Say that nothing was written to the vault.
    sandbox : bool
        Say that the run used a sandbox Vault.

    Returns
    -------
    list of str
        Lines without line ends.
    """
    table = report.summary(result)
    rows = [
        (str(k), str(n), str(v)) for k, n, v in table[["kind", "name", "rows"]].itertuples(False)
    ]
    rows += [("load", label, str(value)) for label, value in report.load_lines(result)]
    lines = []
    if rows:
        wide = [max(len(r[i]) for r in rows) for i in (0, 1)]
        previous = None
        for group, label, value in rows:
            shown = group if group != previous else ""
            previous = group
            lines.append(f"{shown:<{wide[0]}}  {label:<{wide[1]}}  {value}")
    lines += failure_lines(result, path)
    counts = result[VAULT_STATUS].value_counts()
    order = [s for s in STATUSES if s in counts.index]
    parts = ", ".join(f"{int(counts[s])} {s}" for s in order)
    lines.append(f"{len(result)} rows: {parts or 'nothing to do'} -> {path}")
    if dry_run:
        lines.append("dry run: nothing was written to the vault")
    if sandbox:
        lines.append(
            "sandbox: ran against a sandbox Vault started for this run; no real vault was used"
        )
    return lines


def failure_lines(result: pd.DataFrame, path: object) -> list[str]:
    """The first rows to fix, numbered from 1 in file order.

    Examples
    --------
    >>> out = pd.DataFrame({"vault_status": ["SUCCESS", "FAILURE"],
    ...                     "vault_error": [None, "INVALID_DATA: bad"]})
    >>> failure_lines(out, "out.csv")
    ['  row 2: FAILURE INVALID_DATA: bad']
    """
    positions = np.flatnonzero(result[VAULT_STATUS].isin(report.TO_FIX).to_numpy())
    lines = []
    for pos in positions[:SHOWN_FAILURES]:
        error = result[VAULT_ERROR].iat[pos]
        lines.append(f"  row {pos + 1}: {result[VAULT_STATUS].iat[pos]} {_text(error)}".rstrip())
    if len(positions) > SHOWN_FAILURES:
        lines.append(f"  ... and {len(positions) - SHOWN_FAILURES} more rows to fix in {path}")
    return lines


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
