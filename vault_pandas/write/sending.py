"""Sending batches on a bounded thread pool and storing each answer on its rows."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import numpy as np

from vault_pandas.config import MAX_WORKERS
from vault_pandas.errors import AuthenticationError, TransportError
from vault_pandas.read import vql
from vault_pandas.results.outcomes import (
    FAILURE,
    LOST,
    SKIPPED,
    SUCCESS,
    UNKNOWN,
    WARNING,
    Outcomes,
    action_outcomes,
    record_outcomes,
    types_array,
)
from vault_pandas.results.progress import Progress
from vault_pandas.write.batching import Batch
from vault_pandas.write.bodies import csv_body, json_body
from vault_pandas.write.options import IDEMPOTENT

if TYPE_CHECKING:
    from vault_pandas.results.outcomes import RowOutcomes
    from vault_pandas.transport.client import VaultClient
    from vault_pandas.write.checkpoint import Checkpoint
    from vault_pandas.write.options import WriteOptions

log = logging.getLogger("vault_pandas")

METHODS = {"create": "POST", "upsert": "POST", "update": "PUT", "delete": "DELETE"}
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json"}


class Stopped(Exception):
    """The load cannot go on (no connection, session cannot be renewed); cause chained."""


def send_batch(client: VaultClient, options: WriteOptions, batch: Batch) -> Outcomes:
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
        body = batch.body
        if body is None:
            body = csv_body(batch.table) if options.body_format == "csv" else json_body(batch.table)
        resp = client.send(
            METHODS[options.operation],
            f"vobjects/{options.object_name}",
            body=body,
            content_type=CONTENT_TYPES[options.body_format],
            params=_id_param(options),
            idempotent=options.operation in IDEMPOTENT,
            extra_headers=_migration_headers(options),
        )
    if resp.response_status not in (SUCCESS, WARNING):
        return Outcomes.request_failed(
            n, batch.ids, resp.errors, resp.response_status, resp.execution_id
        )
    if batch.ids is not None:
        return action_outcomes(resp.payload, batch.ids)
    outcomes = record_outcomes(resp.payload, n)
    if resp.repeated:
        _own_repeated_changes(outcomes)
        if options.operation == "delete":
            _confirm_deleted(client, options, batch, outcomes)
    return outcomes


def _confirm_deleted(
    client: VaultClient, options: WriteOptions, batch: Batch, outcomes: Outcomes
) -> None:
    """After a repeat of a lost delete, rows it failed whose record is gone were deleted by us."""
    failed = [k for k, s in enumerate(outcomes.status) if s == FAILURE]
    if not failed or batch.table is None or outcomes.errors is None:
        return
    cells = batch.table.column("id").to_pylist()
    if options.body_format == "json":  # the table holds JSON string literals
        cells = [json.loads(c) if c is not None else None for c in cells]
    ids = [cells[k] for k in failed if cells[k]]  # record ids: nothing to unescape
    still = vql.lookup(client, options.object_name, "id", ids)
    for k in failed:
        if cells[k] and cells[k] not in still:
            outcomes.clear(k, SUCCESS, cells[k])


def _own_repeated_changes(outcomes: Outcomes) -> None:
    """After a repeat of a lost request, "no data changes" means our first attempt wrote it."""
    if outcomes.types is None:
        return
    for k, (status, types) in enumerate(zip(outcomes.status, outcomes.types, strict=True)):
        if status == WARNING and types == ("NO_DATA_CHANGES",):
            outcomes.clear(k, SUCCESS)


def _id_param(options: WriteOptions) -> dict[str, str] | None:
    """``?idParam=`` for an upsert, and for an update matched on a unique field."""
    if options.operation in ("upsert", "update") and options.id_param is not None:
        return {"idParam": options.id_param}
    return None


def _migration_headers(options: WriteOptions) -> dict[str, str] | None:
    if not options.migration_mode:
        return None
    headers = {"X-VaultAPI-MigrationMode": "true"}
    if options.no_triggers:
        headers["X-VaultAPI-NoTriggers"] = "true"
    return headers


class Sender:
    """Runs batches on a bounded pool; answers land by position, so input order is kept."""

    def __init__(
        self,
        client: VaultClient,
        options: WriteOptions,
        rows: RowOutcomes,
        progress: Progress,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self.client = client
        self.options = options
        self.rows = rows
        self.progress = progress
        self.checkpoint = checkpoint
        self.workers = options.max_workers or MAX_WORKERS
        self.requests = 0

    def run(self, batches: Iterator[Batch]) -> None:
        """Send every batch; on any exception, unsent rows stay SKIPPED, in-flight UNKNOWN.

        When the load must stop on an error, requests already running are waited for and
        their answers kept; on Ctrl-C nothing more is waited for.
        """
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="vault_pandas")
        inflight: dict[Future, Batch] = {}
        try:
            for batch in batches:
                while len(inflight) >= 2 * self.workers:
                    self._collect(wait(inflight, return_when=FIRST_COMPLETED)[0], inflight)
                self.rows.in_flight(batch.positions)
                if self.checkpoint is not None:
                    self.checkpoint.sent(batch.positions)
                inflight[pool.submit(send_batch, self.client, self.options, batch)] = batch
                self.requests += 1
            while inflight:
                self._collect(wait(inflight, return_when=FIRST_COMPLETED)[0], inflight)
        except Exception:
            # the load must stop: keep the answers of requests already running
            self._cancel(inflight)
            self._drain(inflight)
            raise
        except BaseException:  # Ctrl-C: stop now, rows in flight stay UNKNOWN
            self._cancel(inflight)
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _cancel(self, inflight: dict[Future, Batch]) -> None:
        for fut in list(inflight):
            if fut.cancel():  # never started: nothing was sent for these rows
                self.rows.status[inflight.pop(fut).positions] = SKIPPED

    def _drain(self, inflight: dict[Future, Batch]) -> None:
        """Keep the answers of requests that were already running when the load stopped."""
        while inflight:
            done = wait(inflight, return_when=FIRST_COMPLETED)[0]
            for fut in done:
                try:
                    self._collect({fut}, inflight)
                except Exception:  # noqa: BLE001 - already stopping; its rows keep a status
                    continue

    def _collect(self, done: set[Future], inflight: dict[Future, Batch]) -> None:
        for fut in done:
            batch = inflight.pop(fut)
            try:
                outcomes = fut.result()
            except TransportError as exc:
                if not exc.sent:
                    self.rows.status[batch.positions] = SKIPPED
                    raise Stopped(str(exc)) from exc
                self.rows.set_note(batch.positions, UNKNOWN, LOST, str(exc))
                self._done(batch.positions, [UNKNOWN] * len(batch.positions))
                continue
            except AuthenticationError as exc:
                self.rows.status[batch.positions] = SKIPPED
                raise Stopped(str(exc)) from exc
            self._done(batch.positions, self._store(batch, outcomes))

    def _store(self, batch: Batch, outcomes: Outcomes) -> np.ndarray:
        take = batch.expand if batch.expand is not None else slice(None)

        def column(values: list | None) -> np.ndarray | None:
            return None if values is None else np.asarray(values, dtype=object)[take]

        status = np.asarray(outcomes.status, dtype=object)[take]
        types = None if outcomes.types is None else types_array(outcomes.types)[take]
        self.rows.set(
            batch.positions, status, column(outcomes.ids), column(outcomes.errors), types,
            column(outcomes.events),
        )  # fmt: skip
        return status

    def _done(self, positions: np.ndarray, statuses) -> None:  # noqa: ANN001
        if self.checkpoint is not None:
            self.checkpoint.answered(self.rows, positions)
        self.progress.update(statuses)
