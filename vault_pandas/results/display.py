"""Notebook display: a one-line summary above result tables (pandas renders the table)."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from vault_pandas.results.outcomes import STATUSES, VAULT_STATUS


def summary_line(frame: pd.DataFrame) -> str | None:
    """One line saying what a load did, for a frame returned by ``df.vault`` (else None).

    Examples
    --------
    >>> out = pd.DataFrame({"vault_status": ["SUCCESS", "SUCCESS", "INVALID"]})
    >>> out.attrs["vault"] = {"operation": "create", "object": "product__v", "requests": 1,
    ...                       "seconds": 0.4}
    >>> summary_line(out)
    'create product__v: 2 SUCCESS, 1 INVALID (1 request, 0.4 s)'
    """
    stats = frame.attrs.get("vault") if isinstance(frame.attrs, dict) else None
    if not isinstance(stats, dict) or VAULT_STATUS not in frame.columns:
        return None
    counts = frame[VAULT_STATUS].value_counts()
    order = [s for s in STATUSES if s in counts.index]
    parts = ", ".join(f"{int(counts[s])} {s}" for s in order) or "no rows"
    requests = int(stats.get("requests") or 0)
    plural = "" if requests == 1 else "s"
    return (
        f"{stats.get('operation')} {stats.get('object')}: {parts} "
        f"({requests} request{plural}, {stats.get('seconds')} s)"
    )


def _html(frame: pd.DataFrame) -> str | None:
    table = frame._repr_html_()
    line = summary_line(frame)
    if table is None or line is None:
        return table
    return f"<p><b>vault_pandas</b> {html.escape(line)}</p>{table}"


def register(shell: Any = None) -> bool:
    """Show the summary line above result frames in a running IPython/Jupyter shell."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, _html)
    return True
