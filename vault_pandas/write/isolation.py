"""Raw objects: the rows whose uniqueness clash failed a whole create request, set apart.

On a ``raw`` object (object metadata ``data_store: "raw"``) Vault fails the WHOLE request
when one record breaks a uniqueness constraint: one request-level ``INVALID_DATA`` error,
nothing written. Without help one clash sinks up to 499 good rows.

What the writer does with such a request (:func:`plan_split`, run by the sender in the main
thread; every part it sends is an ordinary request, journaled in the checkpoint):

1. **Look the keys up.** The request's values of the object's unique fields are looked up (one
   VQL query per unique field the frame sends). Rows whose value a stored record holds fail
   with ``INVALID_DATA`` naming the value and that record; the rest are sent again as one
   request.
2. **Halve what a lookup cannot explain.** When the lookup finds no clash, or the rest is
   refused again (a clash the lookup cannot see, e.g. one Vault judges without regard to
   case), the rows are sent again in halves, and only halves refused the same way are halved
   again, until each clashing row fails alone with Vault's own error.

Why this is safe, and only for create: a request Vault refused as a whole wrote nothing (the
object's store rolls the request back), so its rows are recorded as not written (``unsent``)
before their parts go out, and sending them again cannot make a second copy of any record.
Upsert and update are not split: their whole-request failures are documented for other
causes (duplicate ``idParam`` values), and delete never fails that way. Error types are read
from ``Outcomes.types`` (data), never from messages.

Cost per refused request of 500 rows: 2 queries per unique field sent (250 values each) and
1 request for the rest when the lookup explains the clashes (a re-run of a finished load,
every row clashing: 2 queries, no request); otherwise about 2 requests per clash per level
(9 levels for 500 rows).
``config.RAW_SPLIT_MAX_REQUESTS`` caps the extra requests, lookups included, per refused
request: rows left undivided keep Vault's whole-request error (``FAILURE``, not written).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from vault_pandas.config import RAW_SPLIT_MAX_REQUESTS
from vault_pandas.read.vql import MAX_IN_VALUES, lookup_records
from vault_pandas.results.outcomes import Outcomes, note
from vault_pandas.schema.metadata import ObjectSpec, parse_object_metadata
from vault_pandas.write.batching import Batch
from vault_pandas.write.blocks import plain_text
from vault_pandas.write.bodies import csv_body, json_body

if TYPE_CHECKING:
    from vault_pandas.transport.client import VaultClient
    from vault_pandas.write.options import WriteOptions

log = logging.getLogger("vault_pandas")

#: The error type of a uniqueness clash that fails a raw object's whole request.
CLASH_TYPES = frozenset({"INVALID_DATA"})
CLASH_TYPE = "INVALID_DATA"

#: ``lookup(field, values)``: which of ``values`` stored records hold in ``field``, as
#: ``{value: record id}``.
Lookup = Callable[[str, list[str]], Mapping[str, str]]


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


@dataclass
class Split:
    """What to do with a request refused as a whole by a clash.

    Attributes
    ----------
    clashing : numpy.ndarray
        Indexes into the request's rows that a stored record clashes with (they fail).
    messages : numpy.ndarray
        One ``vault_error`` text per clashing row (object dtype).
    parts : list of numpy.ndarray
        Indexes into the request's rows, one array per request to send again.
    looked_up : bool
        The parts come after a lookup: a further refusal is halved, not looked up again.
    lookups : int
        Queries spent finding ``clashing``.
    """

    clashing: np.ndarray
    messages: np.ndarray
    parts: list[np.ndarray]
    looked_up: bool
    lookups: int


def find_clashes(
    table: pa.Table, unique: Sequence[str], lookup: Lookup
) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows of ``table`` whose value of a unique field a stored record already holds.

    Parameters
    ----------
    table : pyarrow.Table
        A request's formatted rows (escaped for its body; see ``blocks.plain_text``).
    unique : sequence of str
        The object's unique fields; those the table has are looked up.
    lookup : callable
        ``lookup(field, values) -> {value: record id}`` (one query).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, int)
        A boolean mask of clashing rows, one message per row (None where none), the number
        of queries made (``MAX_IN_VALUES`` values each).

    Examples
    --------
    >>> t = pa.table({"k": ["a", None, "b"]})
    >>> mask, why, n = find_clashes(t, ["k"], lambda f, v: {"b": "0EV1"})
    >>> mask.tolist(), why[2], n
    ([False, False, True], 'INVALID_DATA: k: the value b is already used by record 0EV1', 1)
    """
    n = table.num_rows
    mask = np.zeros(n, dtype=bool)
    messages = np.full(n, None, dtype=object)
    fields = [f for f in unique if f in table.column_names]
    texts = plain_text(table.select(fields)) if fields else {}
    queries = 0
    for field in fields:
        values = texts[field]
        present = np.flatnonzero(np.asarray([v is not None for v in values], dtype=bool))
        if not len(present):
            continue
        asked = sorted({str(values[k]) for k in present})
        held = lookup(field, asked)
        queries += -(-len(asked) // MAX_IN_VALUES)
        if not held:
            continue
        for k in present:  # only the rows of one request (at most 500)
            record = held.get(str(values[k]))
            if record is not None and not mask[k]:
                mask[k] = True
                text = f"{field}: the value {values[k]} is already used by record {record}"
                messages[k] = note(CLASH_TYPE, text)
    return mask, messages, queries


def plan_split(
    batch: Batch,
    looked_up: bool,
    unique: Sequence[str],
    lookup: Lookup,
    budget: int,
) -> Split | None:
    """The next step for a request refused as a whole by a clash, or None when out of budget.

    Parameters
    ----------
    batch : Batch
        The refused request (its ``table`` holds the formatted rows).
    looked_up : bool
        Its rows come from an earlier lookup or halving: halve, do not look up again.
    unique : sequence of str
        The object's unique fields.
    lookup : callable
        See :func:`find_clashes`.
    budget : int
        Extra requests (lookups included) still allowed for the original request.
    """
    assert batch.table is not None
    n = len(batch.positions)
    none = np.zeros(0, dtype=np.int64)
    if not looked_up and budget >= 1:
        mask, messages, lookups = find_clashes(batch.table, unique, lookup)
        if mask.any():
            rest = np.flatnonzero(~mask)
            parts = [rest] if len(rest) and budget - lookups >= 1 else []
            if len(rest) and not parts:
                return None
            return Split(np.flatnonzero(mask), messages[mask], parts, True, lookups)
        budget -= lookups
    else:
        lookups = 0
    if budget < 2:
        return None
    mid = n // 2
    halves = [np.arange(0, mid), np.arange(mid, n)]
    return Split(none, np.empty(0, dtype=object), halves, True, lookups)


@dataclass
class Step:
    """A refused request's next step, by row position: what fails, what is sent again."""

    clashing: np.ndarray  #: positions found clashing (they fail with ``messages``)
    messages: np.ndarray  #: one ``vault_error`` text per clashing row
    again: np.ndarray  #: positions sent again (recorded unsent first)
    parts: list[Batch]  #: the requests that send them


class Isolation:
    """One load's raw clash isolation: its object's unique fields, lookups and budgets."""

    def __init__(self, client: VaultClient, options: WriteOptions) -> None:
        self.client, self.options = client, options
        self.lookups = 0  #: queries made to find clashes
        self._spec: ObjectSpec | None = None
        self._spent: dict[int, int] = {}  # extra requests per refused request
        self._refused = 0  # refused requests numbered so far

    def plan(self, batch: Batch, outcomes: Outcomes) -> Step | None:
        """The next step for an answered request, or None when it is to be kept as answered."""
        if self.options.operation != "create" or not outcomes.whole_request:
            return None
        spec = self._object_spec()
        if not should_isolate(self.options.operation, spec.data_store, batch, outcomes):
            return None
        origin = batch.origin
        if origin is None:
            origin = self._refused = self._refused + 1
        spent = self._spent.get(origin, 0)
        unique = ["id", *(name for name, f in spec.fields.items() if f.unique and name != "id")]
        split = plan_split(batch, batch.looked_up, unique, self._lookup,
                           RAW_SPLIT_MAX_REQUESTS - spent)  # fmt: skip
        if split is None:
            log.warning("raw clash isolation stopped after %d extra requests", spent)
            return None
        assert batch.table is not None
        self.lookups += split.lookups
        self._spent[origin] = spent + split.lookups + len(split.parts)
        body = csv_body if self.options.body_format == "csv" else json_body
        parts = []
        for part in split.parts:
            table = batch.table.take(pa.array(part))
            parts.append(Batch(batch.positions[part], table=table, body=body(table),
                               origin=origin, looked_up=split.looked_up))  # fmt: skip
        again = np.concatenate([p.positions for p in parts]) if parts else split.clashing[:0]
        return Step(batch.positions[split.clashing], split.messages, again, parts)

    def _object_spec(self) -> ObjectSpec:
        if self._spec is None:
            metadata = self.client.object_metadata(self.options.object_name)
            self._spec = parse_object_metadata(metadata)
        return self._spec

    def _lookup(self, field: str, values: list[str]) -> dict[str, str]:
        """Which of ``values`` stored records hold in ``field``: ``{value: record id}``."""
        records = lookup_records(self.client, self.options.object_name, field, values)
        return {str(r.get(field)): str(r.get("id")) for r in records if r.get(field) is not None}
