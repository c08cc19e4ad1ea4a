"""Splitting rows into request bodies by record count and by bytes (pure)."""

from __future__ import annotations

from typing import Final

import numpy as np

MAX_RECORDS: Final = 500  # Vault: at most 500 records per bulk request
MAX_BODY_BYTES: Final = 50_000_000  # Vault: at most 50 MB per request; kept in decimal MB
BLOCK_ROWS: Final = 10_000  # rows formatted at a time: bounds memory, amortises per-call cost


def plan_batches(
    row_nbytes: np.ndarray,
    *,
    max_records: int = MAX_RECORDS,
    max_bytes: int = MAX_BODY_BYTES,
    header_bytes: int = 0,
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Cut rows into consecutive batches of at most ``max_records`` rows and ``max_bytes``.

    Parameters
    ----------
    row_nbytes : numpy.ndarray
        Bytes each row adds to a body, in send order.
    header_bytes : int
        Bytes every body carries besides its rows (the CSV header).

    Returns
    -------
    batches : list of (start, stop)
        Positional ranges into ``row_nbytes``; rows too large for any body are left out.
    too_large : numpy.ndarray
        Positions of rows that alone exceed ``max_bytes``.

    Examples
    --------
    >>> plan_batches(np.array([10, 10, 10, 10, 10]), max_records=2)[0]
    [(0, 2), (2, 4), (4, 5)]
    >>> plan_batches(np.array([10, 50, 10, 10]), max_bytes=59)
    ([(0, 1), (1, 2), (2, 4)], array([], dtype=int64))
    """
    sizes = np.asarray(row_nbytes, dtype=np.int64)
    room = max_bytes - header_bytes
    too_large = np.flatnonzero(sizes > room)
    n = len(sizes)
    if n == 0:
        return [], too_large
    if len(too_large) == 0 and sizes.max(initial=0) * max_records <= room:
        starts = range(0, n, max_records)
        return [(s, min(s + max_records, n)) for s in starts], too_large
    cum = np.concatenate(([0], np.cumsum(np.where(sizes > room, 0, sizes))))
    batches: list[tuple[int, int]] = []
    start = 0
    big = set(too_large.tolist())
    while start < n:
        if start in big:
            start += 1
            continue
        limit = int(np.searchsorted(cum, cum[start] + room, side="right")) - 1
        stop = max(start + 1, min(start + max_records, limit, n))
        nxt = next((b for b in too_large if start < b < stop), None)
        if nxt is not None:
            stop = int(nxt)
        batches.append((start, stop))
        start = stop
    return batches, too_large
