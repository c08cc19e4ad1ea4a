"""Raw objects: isolate the rows whose uniqueness clash failed a whole create request.

On a ``raw`` object (object metadata ``data_store: "raw"``) Vault fails the WHOLE request
when one record breaks a uniqueness constraint: one request-level ``INVALID_DATA`` error,
nothing written. Without help one clash sinks up to 499 good rows. The writer splits such a
request in halves and sends each half again, splitting again only the halves that fail the
same way, until each clashing row fails alone with Vault's own error and every other row
is written.

Why this is safe, and only for create: a request Vault refused as a whole wrote nothing
(the object's store rolls the request back), so sending its rows again in halves cannot
make a second copy of any record. Upsert and update are not split: their whole-request
failures are documented for other causes (duplicate ``idParam`` values), and delete never
fails that way. Error types are read from ``Outcomes.types`` (data), never from messages.

Cost: each level halves the failing ranges, so a request of ``n`` rows needs at most
``ceil(log2(n))`` levels (9 for 500 rows) and about ``2 * clashes * levels`` extra requests;
``config.RAW_SPLIT_MAX_REQUESTS`` caps them per request (rows left undivided keep the
request's error).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from vault_pandas.config import RAW_SPLIT_MAX_REQUESTS
from vault_pandas.results.outcomes import Outcomes, types_array
from vault_pandas.write.batching import Batch

log = logging.getLogger("vault_pandas")

#: The error type of a uniqueness clash that fails a raw object's whole request.
CLASH_TYPES = frozenset({"INVALID_DATA"})


def is_clash(outcomes: Outcomes) -> bool:
    """True when Vault refused the whole request with a uniqueness-clash error type.

    Examples
    --------
    >>> is_clash(Outcomes.request_failed(2, None, [{"type": "INVALID_DATA"}], "FAILURE"))
    True
    >>> is_clash(Outcomes.request_failed(2, None, [{"type": "INVALID_SESSION_ID"}], "FAILURE"))
    False
    """
    if not outcomes.whole_request or not outcomes.types:
        return False
    return bool(CLASH_TYPES.intersection(outcomes.types[0] or ()))


def should_isolate(operation: str, data_store: str, batch: Batch, outcomes: Outcomes) -> bool:
    """True for a create on a raw object whose request of several rows failed by a clash."""
    return (
        operation == "create"
        and data_store == "raw"
        and batch.table is not None
        and len(batch.positions) > 1
        and is_clash(outcomes)
    )


def isolate_clashes(
    batch: Batch,
    failed: Outcomes,
    send: Callable[[Batch], Outcomes],
    body: Callable[[pa.Table], bytes],
    max_requests: int = RAW_SPLIT_MAX_REQUESTS,
) -> tuple[Outcomes, int]:
    """Split a request that failed by a clash until only the clashing rows fail.

    Parameters
    ----------
    batch : Batch
        The request that failed as a whole (its ``table`` holds the formatted rows).
    failed : Outcomes
        Its answer: every row carries the request's error.
    send : callable
        Sends one part (a ``Batch``) and returns its ``Outcomes`` (not split again).
    body : callable
        Builds a part's body from its rows.
    max_requests : int
        The most extra requests to spend; ranges still undivided keep their last error.

    Returns
    -------
    (Outcomes, int)
        The outcome of every row of ``batch``, in its order, and the extra requests sent.
    """
    assert batch.table is not None
    n = len(batch.positions)
    status = np.asarray(failed.status, dtype=object)
    ids = np.asarray(failed.ids, dtype=object)
    errors = np.asarray(failed.errors if failed.errors is not None else [None] * n, dtype=object)
    events = np.asarray(failed.events if failed.events is not None else [None] * n, dtype=object)
    types = types_array(failed.types) if failed.types is not None else np.full(n, None, object)
    pending = [(0, n)]  # ranges whose last request failed as a whole by a clash
    sent = 0
    while pending and sent + 2 <= max_requests:
        lo, hi = pending.pop()
        if hi - lo < 2:
            continue  # a single row that fails alone: its error is Vault's answer for it
        mid = (lo + hi) // 2
        for a, b in ((lo, mid), (mid, hi)):
            table = batch.table.slice(a, b - a)
            part = Batch(positions=batch.positions[a:b], table=table, body=body(table))
            out = send(part)
            sent += 1
            status[a:b] = out.status
            ids[a:b] = out.ids
            errors[a:b] = out.errors if out.errors is not None else None
            events[a:b] = out.events if out.events is not None else None
            types[a:b] = types_array(out.types) if out.types is not None else None
            if is_clash(out):
                pending.append((a, b))
    if pending:
        log.warning("raw clash isolation stopped after %d requests: %s", sent, pending)
    log.info("raw object: a clash in %d rows isolated with %d more requests", n, sent)
    return (
        Outcomes(
            list(status), list(ids), list(errors), list(events),
            [t if t is None else tuple(t) for t in types],
        ),
        sent,
    )  # fmt: skip
