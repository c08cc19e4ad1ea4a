"""The one write pipeline: validate -> format -> batch -> send -> collect."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import pyarrow as pa

from . import names
from .batching import BLOCK_ROWS, MAX_RECORDS, plan_batches
from .client import VaultClient
from .errors import (
    AuthenticationError,
    ConfigurationError,
    LoadInterrupted,
    PartialLoadError,
    TransportError,
    ValidationError,
)
from .outcomes import RowOutcomes, strip_results
from .plan import LoadPlan, prepare
from .progress import Progress
from .responses import Outcomes, action_outcomes, format_errors, record_outcomes
from .results import FAILURE, INVALID, UNKNOWN, VALID
from .serialization import csv_body, format_frame, json_body

log = logging.getLogger("vault_pandas")

Operation = Literal["create", "upsert", "update", "delete", "action"]
OnInvalid = Literal["mark", "raise"]
BodyFormat = Literal["csv", "json"]
DEFAULT_MAX_WORKERS = 4
_METHODS = {"create": "POST", "upsert": "POST", "update": "PUT", "delete": "DELETE"}
_CONTENT = {"csv": "text/csv", "json": "application/json"}


@dataclass(frozen=True)
class WriteOptions:
    """Everything that shapes one load besides the frame and the client."""

    operation: Operation
    object_name: str
    id_param: str | None = None
    action_name: str | None = None
    id_column: str = "id"
    schema: Any = None
    on_invalid: OnInvalid = "mark"
    dry_run: bool = False
    body_format: BodyFormat = "csv"
    assume_timezone: str | None = None
    max_workers: int | None = None
    progress: bool | None = None
    migration_mode: bool = False
    no_triggers: bool = False

    def __post_init__(self) -> None:
        if self.on_invalid not in ("mark", "raise"):
            raise ConfigurationError(
                f"on_invalid must be 'mark' or 'raise', not {self.on_invalid!r}"
            )
        if self.body_format not in _CONTENT:
            raise ConfigurationError(
                f"body_format must be 'csv' or 'json', not {self.body_format!r}"
            )
        if self.max_workers is not None and not 1 <= int(self.max_workers) <= 64:
            raise ConfigurationError("max_workers must be between 1 and 64")
        if self.no_triggers and not self.migration_mode:
            raise ConfigurationError("no_triggers=True needs migration_mode=True (Vault rule)")


@dataclass
class Batch:
    """One request: the rows it answers for and what it sends."""

    positions: np.ndarray  # row positions this request decides
    table: pa.Table | None = None  # formatted rows (record calls)
    ids: list[str] | None = None  # unique ids (action calls)
    expand: np.ndarray | None = None  # for actions: index into ids for each position


@dataclass
class LoadStats:
    """What a load did, kept on the result frame's ``attrs['vault']`` for the summary."""

    operation: str
    object_name: str
    rows: int = 0
    requests: int = 0
    planned_requests: int = 0
    started: float = field(default_factory=time.monotonic)

    def as_dict(self, client: VaultClient) -> dict[str, Any]:
        limiter = client.limiter
        return {
            "operation": self.operation,
            "object": self.object_name,
            "rows": self.rows,
            "requests": self.requests,
            "planned_requests": self.planned_requests,
            "seconds": round(time.monotonic() - self.started, 3),
            "burst_limit": limiter.limit,
            "burst_remaining": limiter.remaining,
            "delayed_responses": limiter.delayed_responses,
            "retries": client.stats.retries,
            "session_renewals": client.stats.renewals,
        }


def write(frame: pd.DataFrame, options: WriteOptions, client: VaultClient) -> pd.DataFrame:
    """Run one load and return the result frame (see ``df.vault.create``)."""
    if not isinstance(frame, pd.DataFrame):
        raise ConfigurationError("expected a pandas DataFrame")
    names.check_name(options.object_name, "object name")
    data = strip_results(frame)
    rows = RowOutcomes(len(data), with_event=options.operation == "upsert")
    stats = LoadStats(options.operation, options.action_name or options.object_name, len(data))
    if len(data) == 0:
        return _finish(rows, data, stats, client)
    plan = prepare(data, options, client)
    rows.mark_invalid(plan.errors)
    if options.on_invalid == "raise" and plan.failure_cases is not None and len(plan.failure_cases):
        raise ValidationError(
            f"{int((rows.status == INVALID).sum())} rows failed validation; nothing was sent",
            failure_cases=plan.failure_cases,
            result=_finish(rows, data, stats, client),
        )
    batches = _batches(data, plan, options, rows)
    if options.dry_run:
        stats.planned_requests = sum(1 for _ in batches)
        rows.status[rows.status != INVALID] = VALID
        return _finish(rows, data, stats, client)
    try:
        _run(batches, options, client, rows, stats)
    except _Stopped as exc:
        raise _partial(
            PartialLoadError, f"the load stopped: {exc}", rows, data, stats, client
        ) from (exc.__cause__)
    except KeyboardInterrupt as exc:
        raise _partial(
            LoadInterrupted, "the load was interrupted", rows, data, stats, client
        ) from exc
    except Exception as exc:
        raise _partial(
            PartialLoadError, f"the load failed: {exc!r}", rows, data, stats, client
        ) from exc
    return _finish(rows, data, stats, client)


def _partial(kind, message, rows, data, stats, client):  # noqa: ANN001, ANN202
    """The exception to raise when a load stops: it carries the result frame so far."""
    result = _finish(rows, data, stats, client)
    counts = result["vault_status"].value_counts().to_dict()
    text = (
        f"{message}. Every row has a status in `.result` ({counts}): SKIPPED rows were not sent, "
        "UNKNOWN rows may or may not have been written."
    )
    log.error(text)
    return kind(text, result)


def _finish(rows: RowOutcomes, data: pd.DataFrame, stats: LoadStats, client: VaultClient):
    out = rows.frame(data)
    out.attrs["vault"] = stats.as_dict(client)
    return out


class _Stopped(Exception):
    """Internal: the load cannot go on; the cause is chained."""


def _batches(
    data: pd.DataFrame, plan: LoadPlan, options: WriteOptions, rows: RowOutcomes
) -> Iterator[Batch]:
    """Yield requests lazily, formatting one block of rows at a time (bounded memory)."""
    if options.operation == "action":
        yield from _action_batches(plan, rows)
        return
    columns = plan.send_columns
    header = len(",".join(columns).encode()) + 1
    frame = data[columns]
    for start in range(0, len(frame), BLOCK_ROWS):
        block = frame.iloc[start : start + BLOCK_ROWS]
        formatted = format_frame(
            block,
            plan.types,
            multi_value=plan.multi_value,
            assume_timezone=options.assume_timezone,
            body_format=options.body_format,
        )
        rows.mark_invalid(formatted.invalid, offset=start)
        valid = rows.status[start : start + len(block)] != INVALID
        positions = start + np.flatnonzero(valid)
        table, nbytes = formatted.table, formatted.row_nbytes
        if not valid.all():
            table, nbytes = table.filter(pa.array(valid)), nbytes[valid]
        spans, too_large = plan_batches(nbytes, header_bytes=header)
        if len(too_large):
            msg = "SIZE: this row alone is larger than Vault's 50 MB request limit"
            rows.add_invalid(positions[too_large], np.full(len(too_large), msg, dtype=object))
        for a, b in spans:
            yield Batch(positions[a:b], table=table.slice(a, b - a))


def _action_batches(plan: LoadPlan, rows: RowOutcomes) -> Iterator[Batch]:
    """Unique ids in first-seen order, 500 a request; each id's outcome goes to all its rows."""
    assert plan.ids is not None
    ids = plan.ids
    missing = ids.isna().to_numpy()
    if missing.any():
        msg = f"{plan.id_column}: missing id (an action needs a record id)"
        rows.add_invalid(np.flatnonzero(missing), np.full(int(missing.sum()), msg, dtype=object))
    valid_pos = np.flatnonzero(rows.status != INVALID)
    codes, uniques = pd.factorize(ids.iloc[valid_pos].astype(str), sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(0, len(uniques) + MAX_RECORDS, MAX_RECORDS))
    for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=False)):
        if lo == hi:
            continue
        sel = order[lo:hi]
        first = k * MAX_RECORDS
        chunk = [str(u) for u in uniques[first : first + MAX_RECORDS]]
        yield Batch(valid_pos[sel], ids=chunk, expand=codes[sel] - first)


def _send(client: VaultClient, options: WriteOptions, batch: Batch) -> Outcomes:
    """Build one body, send it, and read the per-row answer (runs in a worker thread)."""
    if batch.ids is not None:
        n = len(batch.ids)
        resp = client.send(
            "POST",
            f"vobjects/{options.object_name}/actions/{options.action_name}",
            body=urlencode({"ids": ",".join(batch.ids)}).encode(),
            content_type="application/x-www-form-urlencoded",
            idempotent=False,
        )
    else:
        assert batch.table is not None
        n = batch.table.num_rows
        body = csv_body(batch.table) if options.body_format == "csv" else json_body(batch.table)
        resp = client.send(
            _METHODS[options.operation],
            f"vobjects/{options.object_name}",
            body=body,
            content_type=_CONTENT[options.body_format],
            params={"idParam": options.id_param} if options.operation == "upsert" else None,
            idempotent=options.operation != "create",
            extra_headers=_migration_headers(options),
        )
    if resp.response_status not in ("SUCCESS", "WARNING"):
        error = format_errors(resp.errors) or f"{resp.response_status}: the request failed"
        if resp.execution_id:
            error += f" (execution id {resp.execution_id})"
        return Outcomes([FAILURE] * n, batch.ids or [None] * n, [error] * n, [None] * n)
    if batch.ids is not None:
        return action_outcomes(resp.payload, batch.ids)
    return record_outcomes(resp.payload, n)


def _migration_headers(options: WriteOptions) -> dict[str, str] | None:
    if not options.migration_mode:
        return None
    headers = {"X-VaultAPI-MigrationMode": "true"}
    if options.no_triggers:
        headers["X-VaultAPI-NoTriggers"] = "true"
    return headers


def _record(rows: RowOutcomes, batch: Batch, outcomes: Outcomes) -> np.ndarray:
    """Store a batch's outcomes on its rows; return the statuses given."""
    take = batch.expand if batch.expand is not None else slice(None)
    status = np.asarray(outcomes.status, dtype=object)[take]
    rows.set(
        batch.positions,
        status,
        np.asarray(outcomes.ids, dtype=object)[take],
        np.asarray(outcomes.errors, dtype=object)[take],
        np.asarray(outcomes.events, dtype=object)[take],
    )
    return status


def _collect(
    done: set[Future], inflight: dict[Future, Batch], rows: RowOutcomes, progress: Progress
) -> None:
    for fut in done:
        batch = inflight.pop(fut)
        try:
            outcomes = fut.result()
        except TransportError as exc:
            if not exc.sent:
                rows.status[batch.positions] = "SKIPPED"
                raise _Stopped(str(exc)) from exc
            rows.set(batch.positions, UNKNOWN, None, f"TRANSPORT: {exc}")
            progress.update([UNKNOWN] * len(batch.positions))
            continue
        except AuthenticationError as exc:
            rows.status[batch.positions] = "SKIPPED"
            raise _Stopped(str(exc)) from exc
        progress.update(_record(rows, batch, outcomes))


def _run(
    batches: Iterator[Batch],
    options: WriteOptions,
    client: VaultClient,
    rows: RowOutcomes,
    stats: LoadStats,
) -> None:
    """Send batches on a bounded pool; results land by position, so input order is kept."""
    workers = options.max_workers or DEFAULT_MAX_WORKERS
    progress = Progress(rows.n, f"{options.operation} {stats.object_name}", options.progress)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="vault_pandas")
    inflight: dict[Future, Batch] = {}
    try:
        for batch in batches:
            while len(inflight) >= 2 * workers:
                _collect(wait(inflight, return_when=FIRST_COMPLETED)[0], inflight, rows, progress)
            rows.in_flight(batch.positions)
            inflight[pool.submit(_send, client, options, batch)] = batch
            stats.requests += 1
        while inflight:
            _collect(wait(inflight, return_when=FIRST_COMPLETED)[0], inflight, rows, progress)
    except BaseException:
        for fut, batch in inflight.items():
            if fut.cancel():  # never started: nothing was sent for these rows
                rows.status[batch.positions] = "SKIPPED"
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=False)
        progress.update([INVALID] * int((rows.status == INVALID).sum()))
        progress.close()
