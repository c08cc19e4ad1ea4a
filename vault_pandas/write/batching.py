"""Splitting rows into requests by record count and by bytes, lazily, block by block (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from vault_pandas.config import BLOCK_ROWS, MAX_BODY_BYTES, MAX_RECORDS
from vault_pandas.results.outcomes import INVALID, SIZE, VALIDATION, note
from vault_pandas.write.bodies import missing_cells, row_nbytes
from vault_pandas.write.formatting import show

if TYPE_CHECKING:
    from vault_pandas.results.outcomes import RowOutcomes
    from vault_pandas.write.blocks import FormattedBlock


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


@dataclass
class Batch:
    """One request: the rows it answers for and what it sends."""

    positions: np.ndarray  # row positions this request decides
    table: pa.Table | None = None  # formatted rows (record calls)
    body: bytes | None = None  # the request body built from them
    ids: list[str] | None = None  # unique ids (action calls)
    expand: np.ndarray | None = None  # actions: for each position, its index into ids
    origin: int | None = None  # raw clash split: the request whose rows this part sends again
    looked_up: bool = False  # raw clash split: a further refusal is halved, not looked up


def record_batches(
    frame: pd.DataFrame,
    rows: RowOutcomes,
    formatter: Callable[[pd.DataFrame], FormattedBlock],
    subset: np.ndarray | None = None,
    body: Callable[[pa.Table], bytes] | None = None,
    kept: np.ndarray | None = None,
) -> Iterator[Batch]:
    """Yield record requests lazily, formatting one block of rows at a time.

    Rows already INVALID are left out; values the formatter cannot send faithfully make
    their rows INVALID here, before their request is built. ``subset`` limits the batches
    to those row positions (a resumed load, or a second pass over some rows). ``body``
    builds each request's body here, in the producing thread: Arrow memory allocated in
    worker threads stays in per-thread pools and grew the peak with the worker count.

    ``kept`` (``nulls="keep"``: ``body`` is ``json_body(..., omit_nulls=True)``, the rows
    formatted for JSON) is one count per row of the frame: each sent row's number of blank
    cells, whose keys its body leaves out, is stored there by position; rows are cut into
    requests by their size without those keys. Rows with different blanks share requests.
    """
    header = len(",".join(map(str, frame.columns)).encode()) + 1
    base = np.arange(len(frame)) if subset is None else np.asarray(subset, dtype=np.int64)
    if subset is not None:
        frame = frame.iloc[base]
    for start in range(0, len(frame), BLOCK_ROWS):
        block = frame.iloc[start : start + BLOCK_ROWS]
        where = base[start : start + len(block)]
        formatted = formatter(block)
        bad = ~pd.isna(formatted.invalid)
        if bad.any():
            messages = f"{VALIDATION}: " + formatted.invalid[bad].astype(str)
            rows.add_invalid(where[bad], messages.astype(object), VALIDATION)
        valid = rows.status[where] != INVALID
        positions = where[valid]
        table, nbytes = formatted.table, formatted.row_nbytes
        if not valid.all():
            table, nbytes = table.filter(pa.array(valid)), nbytes[valid]
        if kept is not None:  # JSON without the blanks' keys: "[]" for a header
            nbytes = row_nbytes(table, "json", table.num_rows, omit_nulls=True)
            kept[positions] = missing_cells(table)
        spans, too_large = plan_batches(nbytes, header_bytes=2 if kept is not None else header)
        if len(too_large):
            msg = note(SIZE, "this row alone is larger than Vault's 50 MB request limit")
            rows.add_invalid(positions[too_large], np.full(len(too_large), msg, dtype=object), SIZE)
        for a, b in spans:
            part = table.slice(a, b - a)
            yield Batch(positions[a:b], table=part, body=body(part) if body else None)


def action_batches(
    ids: pd.Series, rows: RowOutcomes, id_column: str, subset: np.ndarray | None = None
) -> Iterator[Batch]:
    """Unique ids in first-seen order, 500 a request; each id's outcome goes to all its rows.

    ``ids`` are text without surrounding spaces (``plan.trimmed_ids``). Rows without an id,
    and rows whose id is not a record id (:func:`bad_ids`), become INVALID: the ids of a
    request are sent joined by commas, so ``"ID1,ID2"`` would act on two records.
    """
    scope = np.arange(len(ids)) if subset is None else np.asarray(subset, dtype=np.int64)
    missing = ids.isna().to_numpy()[scope]
    if missing.any():
        msg = note(VALIDATION, f"{id_column}: missing id (an action needs a record id)")
        rows.add_invalid(scope[missing], np.full(int(missing.sum()), msg, dtype=object), VALIDATION)
    present = scope[~missing]
    bad, messages = bad_ids(ids.iloc[present], id_column)
    if bad.any():
        rows.add_invalid(present[bad], messages, VALIDATION)
    valid_pos = scope[rows.status[scope] != INVALID]
    codes, uniques = pd.factorize(ids.iloc[valid_pos].astype(str), sort=False)
    order = np.argsort(codes, kind="stable")
    cuts = np.arange(0, len(uniques) + MAX_RECORDS, MAX_RECORDS)
    bounds = np.searchsorted(codes[order], cuts)
    for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=False)):
        if lo == hi:
            continue
        sel = order[lo:hi]
        first = k * MAX_RECORDS
        chunk = [str(u) for u in uniques[first : first + MAX_RECORDS]]
        yield Batch(valid_pos[sel], ids=chunk, expand=codes[sel] - first)


#: Vault record ids are letters and digits (e.g. ``0MO0771``, ``00PZA1B2C3D4E5F``). Anything
#: else names no record, so refusing it is never stricter than Vault; and a comma would split
#: one cell into several ids of the comma-separated ``ids`` form field.
RECORD_ID = r"[A-Za-z0-9]+"
_ID_PROBLEMS = (
    (",", "a comma would make it several ids, and the action would run on each"),
    (r"\s", "it has a space inside"),
    (".", "a record id has only letters and digits"),
)


def bad_ids(ids: pd.Series, id_column: str) -> tuple[np.ndarray, np.ndarray]:
    """Which of the (trimmed, non-missing) ``ids`` are not record ids, and why.

    Returns a boolean mask over ``ids`` and one ``VALIDATION`` message per bad id.

    Examples
    --------
    >>> mask, why = bad_ids(pd.Series(["00P1", "00P1,00P2", "00P 1", "00P-1"]), "id")
    >>> mask.tolist()
    [False, True, True, True]
    >>> why[0]
    "VALIDATION: id: '00P1,00P2' is not a record id: a comma would make it several ids, \
and the action would run on each"
    """
    text = ids.astype("string") if ids.dtype == object else ids
    bad = ~text.str.fullmatch(RECORD_ID).fillna(False).to_numpy(dtype=bool)
    if not bad.any():
        return bad, np.empty(0, dtype=object)
    wrong = text[bad]
    reason = np.full(len(wrong), "", dtype=object)
    for pattern, why in reversed(_ID_PROBLEMS):  # the first pattern that matches wins
        reason[wrong.str.contains(pattern, regex=True).fillna(False).to_numpy(bool)] = why
    shown = wrong.map(show).to_numpy(dtype=object)  # bad ids only; repr escapes surrogates
    messages = f"{VALIDATION}: {id_column}: " + shown + " is not a record id: " + reason
    return bad, messages.astype(object)
