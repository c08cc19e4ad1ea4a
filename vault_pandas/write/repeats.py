"""After a lost-and-repeated request: what Vault's answer to the repeat says about each row.

When the answer to an upsert, update or delete is lost after Vault processed it, the client
sends the request again (``VaultResponse.repeated``) and Vault answers the repeat as a new
request: a record the first attempt created comes back ``updated__sys``, values it wrote come
back ``NO_DATA_CHANGES``, and a record it deleted comes back as no such record. Those answers
are true of the repeat, not of the load, so they are checked here, on this rare path only,
with one VQL lookup of the records concerned (chunked by ``MAX_IN_VALUES``):

- **upsert / update**: Vault's ``created_date__v`` and ``modified_date__v`` (standard fields
  of every object) are the evidence. A record created at or after the second the first attempt
  was sent was created by this load: its event is ``created``. A ``NO_DATA_CHANGES`` row whose
  record was modified at or after that second had its values written by our first attempt: it
  is ``SUCCESS``. Any other ``NO_DATA_CHANGES`` stays ``WARNING`` (the record had those values
  before the load). Without evidence (the lookup failed, the record is gone) the status stays
  as Vault answered and an ``updated`` event becomes unknown (blank), never a guess.
- **delete**: a row the repeat deleted is ``SUCCESS`` (the record existed until then). A row
  the repeat refused stays ``FAILURE``: if its record still exists, with Vault's reason; if it
  is gone, nothing can prove that this load deleted it rather than that it never existed, so
  the row keeps Vault's error plus a ``NOT_FOUND`` note saying so. (Not ``UNKNOWN``: the
  recovery pass sends ``UNKNOWN`` rows of a delete again, and that resend could only answer
  "no such record", with one more request and a message that hides the doubt.)

- **create carrying its own ids** (migration mode, every row with an ``id``): sent again like
  an upsert, since a repeat cannot make a second record. A row the repeat refused (its id is
  taken) is looked up by id; a record holding every value the row sent (``proof.compare``)
  is the first attempt's success, ``SUCCESS`` with that id. Vault's message is never parsed:
  without such a record the refusal stands.

The clock: Vault's stamps are compared with this machine's clock, truncated to the second
(Vault's stamps are whole seconds). A client clock ahead of Vault's by more than a request's
latency makes records this load wrote look older: they keep Vault's literal answer
(``updated``, ``WARNING``), the answer the load gave before this check existed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vault_pandas.errors import VaultPandasError
from vault_pandas.read import vql
from vault_pandas.results.outcomes import FAILURE, NOT_FOUND, SUCCESS, WARNING, Outcomes, note
from vault_pandas.schema.metadata import parse_object_metadata
from vault_pandas.write.proof import compare, read_path, unprovable_keys

if TYPE_CHECKING:
    from pyarrow import Table

    from vault_pandas.transport.client import VaultClient
    from vault_pandas.write.batching import Batch
    from vault_pandas.write.options import WriteOptions

log = logging.getLogger("vault_pandas")

CREATED, MODIFIED = "created_date__v", "modified_date__v"
NO_CHANGES = ("NO_DATA_CHANGES",)
Stamps = dict[str, tuple[float | None, float | None]]  # id -> (created, modified), epoch s


def settle_repeat(
    client: VaultClient,
    options: WriteOptions,
    batch: Batch,
    outcomes: Outcomes,
    first_sent: float,
) -> None:
    """Correct ``outcomes`` of a repeated request in place (see the module's rules).

    Parameters
    ----------
    client : VaultClient
        For the one lookup of the records concerned.
    options : WriteOptions
        The load's operation, object and body format.
    batch : Batch
        The request's rows as sent.
    outcomes : Outcomes
        Vault's answer to the repeat, one entry per row of the request.
    first_sent : float
        ``time.time()`` just before the request was first sent.
    """
    if options.operation == "delete":
        if batch.table is not None and "id" in batch.table.column_names:
            ids = sent_ids(batch.table.column("id").to_pylist(), options.body_format)
            _check_deletes(client, options.object_name, outcomes, ids)
    elif options.operation in ("upsert", "update"):
        _own_changes(client, options.object_name, outcomes, math.floor(first_sent))
    elif options.operation == "create" and options.migration_mode:  # repeated: its own ids
        _own_ids(client, options, batch.table, outcomes)


def _own_changes(client: VaultClient, object_name: str, outcomes: Outcomes, since: int) -> None:
    """Events and ``NO_DATA_CHANGES`` warnings of a repeated upsert/update, by record dates."""
    events, types = outcomes.events, outcomes.types
    updated = [k for k, e in enumerate(events or ()) if e == "updated"]
    unchanged = [
        k
        for k, (status, found) in enumerate(zip(outcomes.status, types or (), strict=False))
        if status == WARNING and found == NO_CHANGES
    ]
    todo = sorted(set(updated) | set(unchanged))
    if not todo:
        return
    ids = [str(outcomes.ids[k]) for k in todo if outcomes.ids[k] is not None]
    try:
        stamps = record_stamps(client, object_name, ids)
    except VaultPandasError as exc:  # no evidence: Vault's literal answer, events unknown
        log.warning("could not look up the records of a repeated request (%s)", exc)
        stamps = {}
    for k in todo:
        created, modified = stamps.get(str(outcomes.ids[k]), (None, None))
        ours_created = created is not None and created >= since
        if events is not None and events[k] == "updated":
            events[k] = "created" if ours_created else "updated" if created is not None else None
        ours_written = ours_created or (modified is not None and modified >= since)
        if k in unchanged and ours_written:
            outcomes.clear(k, SUCCESS)  # "no change" because our first attempt wrote it


def _own_ids(
    client: VaultClient, options: WriteOptions, table: Table | None, outcomes: Outcomes
) -> None:
    """Rows of a repeated create with their own ids that the repeat refused: their record is
    looked up by id and, holding the row's values (``proof.compare``), is the first attempt's."""
    failed = [k for k, status in enumerate(outcomes.status) if status == FAILURE]
    if not failed or table is None or "id" not in table.column_names:
        return
    columns = [c for c in table.column_names if c != "state_label"]  # not a field to read
    text = pd.DataFrame(
        {c: sent_ids(table.column(c).to_pylist(), options.body_format) for c in columns},
        dtype=object,
    ).iloc[failed]
    spec = parse_object_metadata(client.object_metadata(options.object_name))
    types = {c: spec.field_type(c) for c in columns}
    keys = text["id"].to_numpy()
    why = unprovable_keys(keys, "id")
    readable = [read_path(c) for c in columns if c != "id" and types.get(c) is not None]
    try:
        asked = [str(key) for key in keys[pd.isna(why)]]
        records = vql.lookup_records(client, options.object_name, "id", asked, readable)
    except VaultPandasError as exc:  # no evidence: the repeat's refusal stands
        log.warning("could not look up the records of a repeated create (%s)", exc)
        return
    found = compare(records, "id", keys, text, types, why)
    proven = (found.count == 1) & pd.isna(found.differ) & pd.isna(found.why)
    for j in np.flatnonzero(proven):
        outcomes.clear(failed[j], SUCCESS, found.ids[j])


def _check_deletes(
    client: VaultClient, object_name: str, outcomes: Outcomes, ids: list[str | None]
) -> None:
    """Rows a repeated delete refused whose record is gone: not proven deleted by this load."""
    errors = outcomes.errors
    failed = [k for k, s in enumerate(outcomes.status) if s == FAILURE and ids[k]]
    if not failed or errors is None:
        return
    try:
        still = record_stamps(client, object_name, [str(ids[k]) for k in failed])
    except VaultPandasError as exc:
        log.warning("could not look up the records of a repeated delete (%s)", exc)
        return  # Vault's answer to the repeat stands, unexplained
    why = note(
        NOT_FOUND,
        "no record has this id now, and the first attempt's answer was lost: that attempt "
        "may have deleted it, or it never existed; not reported as deleted",
    )
    for k in failed:
        if str(ids[k]) not in still:
            errors[k] = why if errors[k] is None else f"{errors[k]}; {why}"
            if outcomes.types is not None:
                outcomes.types[k] = (*(outcomes.types[k] or ()), NOT_FOUND)


def sent_ids(cells: list[str | None], body_format: str) -> list[str | None]:
    r"""The ids as sent, from the cells of a formatted block (escaped for the body format).

    Examples
    --------
    >>> sent_ids(['"00P1"', None], "json"), sent_ids(["a\\\\b"], "csv")
    (['00P1', None], ['a\\b'])
    """
    if body_format == "json":  # JSON string literals
        return [json.loads(c) if c is not None else None for c in cells]
    return [c.replace("\\\\", "\\") if c is not None else None for c in cells]


def record_stamps(client: VaultClient, object_name: str, ids: Iterable[str]) -> Stamps:
    """``created_date__v`` and ``modified_date__v`` (epoch seconds) of the records with ``ids``.

    Records that do not exist are absent from the answer.
    """
    found: Stamps = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), vql.MAX_IN_VALUES):
        chunk = unique[start : start + vql.MAX_IN_VALUES]
        where = vql.contains("id", chunk)
        query = f"SELECT id, {CREATED}, {MODIFIED} FROM {object_name} WHERE {where}"
        for page in vql.pages(client, query):
            for record in page.get("data") or []:
                if isinstance(record, dict) and record.get("id") is not None:
                    found[str(record["id"])] = (
                        epoch(record.get(CREATED)),
                        epoch(record.get(MODIFIED)),
                    )
    return found


def epoch(stamp: object) -> float | None:
    """Seconds since the epoch of a Vault DateTime (``2024-05-01T12:00:00.000Z``), or None.

    Examples
    --------
    >>> epoch("1970-01-01T00:01:00.000Z"), epoch(None), epoch("soon")
    (60.0, None, None)
    """
    if not isinstance(stamp, str):
        return None
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:  # Vault's DateTimes are UTC
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()
