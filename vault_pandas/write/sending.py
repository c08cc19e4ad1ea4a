"""Sending batches on a bounded thread pool and storing each answer on its rows.

With ``max_workers=None`` the pool is sized for ``ADAPTIVE_CAP`` and
``write/concurrency.py: AdaptiveConcurrency`` decides how many requests are in flight; it
hears every answer's latency and delay from the client's burst limiter, and each retry (the
client retries ``RACE_CONDITION`` / ``OPERATION_IN_PROGRESS`` itself) from its counters.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import numpy as np

from vault_pandas import config
from vault_pandas.config import ADAPTIVE_CAP, MAX_RECORDS
from vault_pandas.errors import AuthenticationError, TransportError
from vault_pandas.results.outcomes import (
    LOST,
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
from vault_pandas.write.concurrency import STRAIN, AdaptiveConcurrency
from vault_pandas.write.isolation import isolate_clashes, should_isolate
from vault_pandas.write.options import IDEMPOTENT
from vault_pandas.write.repeats import settle_repeat
from vault_pandas.write.stopping import NotSent, StopSignal

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


def send_batch(
    client: VaultClient, options: WriteOptions, batch: Batch, cancel: threading.Event | None = None
) -> Outcomes:
    """Build one body, send it, and read the per-row answer (runs in a worker thread).

    Once ``cancel`` is set, no attempt of the request starts (see ``VaultClient.send``).
    """
    if batch.ids is not None:
        n = len(batch.ids)
        resp = client.send(
            "POST",
            f"vobjects/{options.object_name}/actions/{options.action_name}",
            body=urlencode({"ids": ",".join(batch.ids), **(options.params or {})}).encode(),
            content_type="application/x-www-form-urlencoded",
            idempotent=False,
            cancel=cancel,
        )
    else:
        assert batch.table is not None
        n = batch.table.num_rows
        body = batch.body
        if body is None:
            body = csv_body(batch.table) if options.body_format == "csv" else json_body(batch.table)
        first_sent = time.time()  # Vault's stamps of what this request writes are not older
        resp = client.send(
            METHODS[options.operation],
            f"vobjects/{options.object_name}",
            body=body,
            content_type=CONTENT_TYPES[options.body_format],
            params=_id_param(options),
            idempotent=options.operation in IDEMPOTENT or carries_ids(options, batch),
            extra_headers=_migration_headers(options),
            cancel=cancel,
        )
    if resp.response_status not in (SUCCESS, WARNING):
        return Outcomes.request_failed(
            n, batch.ids, resp.errors, resp.response_status, resp.execution_id
        )
    if batch.ids is not None:
        return action_outcomes(resp.payload, batch.ids)
    outcomes = record_outcomes(resp.payload, n)
    if resp.repeated:  # answered for a repeat of a lost request: check what it claims
        settle_repeat(client, options, batch, outcomes, first_sent)
    return outcomes


def carries_ids(options: WriteOptions, batch: Batch) -> bool:
    """A migration-mode create whose every row gives its record ``id``: safe to repeat.

    A repeat cannot make a second record (the id is taken), so the client sends it again when
    an answer is lost, as for an upsert; ``write/repeats.py`` settles the repeat's answer.
    """
    table = batch.table
    if options.operation != "create" or not options.migration_mode or table is None:
        return False
    return "id" in table.column_names and table.column("id").null_count == 0


def _id_param(options: WriteOptions) -> dict[str, str] | None:
    """``?idParam=`` for an upsert, and for an update or delete matched on a unique field."""
    if options.operation in ("upsert", "update", "delete") and options.id_param is not None:
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
    """Runs batches on a bounded pool; answers land by position, so input order is kept.

    Every row of a batch is ``UNKNOWN`` from its submission until its answer; the checkpoint
    hears of a request (``sent``) from the worker that sends it, just before it goes out, so
    a batch that never starts leaves no trace there.
    """

    def __init__(
        self,
        client: VaultClient,
        options: WriteOptions,
        rows: RowOutcomes,
        progress: Progress,
        checkpoint: Checkpoint | None = None,
        stop: StopSignal | None = None,
    ) -> None:
        self.client = client
        self.options = options
        self.rows = rows
        self.progress = progress
        self.checkpoint = checkpoint
        self.stop = stop or StopSignal()
        # a fixed max_workers keeps that many in flight (and as many queued); None adapts
        self.workers = options.max_workers or ADAPTIVE_CAP
        self.control = AdaptiveConcurrency() if options.max_workers is None else None
        self.peak_in_flight = 0
        self._retries = 0  # the client's retries counted so far, each a sign of strain
        self._submitted = 0  # rows submitted in this run
        self.requests = 0
        self.split_requests = 0  # raw objects: extra requests that isolated clashing rows
        self._split_lock = threading.Lock()

    def run(self, batches: Iterator[Batch]) -> None:
        """Send every batch, or stop: then no request of the load runs or starts.

        Stopping (Ctrl-C, or an error): batches not started are cancelled (rows ``SKIPPED``),
        retries inside ``client.send`` stop, and requests already on the wire are waited for,
        their answers kept. A second Ctrl-C abandons that wait: those rows stay ``UNKNOWN``
        and the checkpoint marks them as possibly in flight. Then the error, or
        ``KeyboardInterrupt`` for Ctrl-C, is raised.
        """
        self.stop.check()
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="vault_pandas")
        inflight: dict[Future, Batch] = {}
        unsubscribe = self._listen()
        self._submitted = 0
        with self.stop.installed(), self.stop.deferred():
            try:
                for batch in batches:
                    self._make_room(inflight)
                    self.stop.check()
                    self.rows.in_flight(batch.positions)
                    inflight[pool.submit(self._send, batch)] = batch
                    self.requests += 1
                    self._submitted += len(batch.positions)
                    self.peak_in_flight = max(self.peak_in_flight, min(len(inflight), self.workers))
                while inflight:
                    self._raise(self._collect(self._wait(inflight), inflight))
                self.stop.check()
            except BaseException:
                self.stop.cancel.set()
                self._cancel(inflight)
                if self.stop.requested and inflight:
                    log.warning(
                        "stopping: waiting for %d requests on the wire (Ctrl-C again: stop "
                        "waiting; their rows stay UNKNOWN)", len(inflight),
                    )  # fmt: skip
                self._drain(inflight)
                raise
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
                unsubscribe()

    # -- how many in flight ----------------------------------------------------------------
    def _listen(self):  # noqa: ANN202 - the unsubscribe callable
        """Let the controller hear every answer's latency and delay from the limiter."""
        limiter = getattr(self.client, "limiter", None)
        if self.control is None or limiter is None:
            return lambda: None
        stats = getattr(self.client, "stats", None)
        self._retries = getattr(stats, "retries", 0)
        control, lock = self.control, threading.Lock()

        def heard(latency: float | None, delayed: bool) -> None:  # in a worker thread
            control.answered(latency, delayed=delayed)
            with lock:  # a retry since the last answer: Vault was busy (or the network)
                retries = getattr(stats, "retries", 0)
                strained, self._retries = retries > self._retries, max(retries, self._retries)
            if strained:
                control.strained("retry")

        return limiter.subscribe(heard)

    def _make_room(self, inflight: dict[Future, Batch]) -> None:
        """Wait until another batch may be submitted: fixed, N in flight and N queued."""
        if self.control is None:
            while len(inflight) >= 2 * self.workers:
                self._raise(self._collect(self._wait(inflight), inflight))
            return
        while len(inflight) >= self._target():  # re-read often: the budget changes with time
            self.stop.check()
            done = wait(inflight, timeout=config.STOP_POLL, return_when=FIRST_COMPLETED)[0]
            self._raise(self._collect(done, inflight))

    def _target(self) -> int:
        """The controller's in-flight target from the limiter's budget and the work left."""
        assert self.control is not None
        limiter = getattr(self.client, "limiter", None)
        calls, seconds = limiter.budget_left() if limiter is not None else (None, None)
        work = math.ceil(max(0, self.rows.n - self._submitted) / MAX_RECORDS)
        return self.control.target(calls, seconds, work)

    def _send(self, batch: Batch) -> Outcomes:
        """In a worker: record the request in the checkpoint, then send it."""
        if self.stop.cancel.is_set():
            raise NotSent("the load is stopping")
        if self.checkpoint is not None:
            try:
                self.checkpoint.sent(batch.positions, self.client.retry.budget, self._span())
            except Exception as exc:
                raise NotSent(f"the checkpoint could not be written: {exc}") from exc
        outcomes = send_batch(self.client, self.options, batch, self.stop.cancel)
        if outcomes.whole_request and self.options.operation == "create":
            outcomes = self._isolate(batch, outcomes)
        return outcomes

    def _isolate(self, batch: Batch, outcomes: Outcomes) -> Outcomes:
        """A raw object's create refused as a whole by a clash: send it again in halves.

        Safe only because the refusal wrote nothing (see ``write/isolation.py``).
        """
        from vault_pandas.schema.metadata import parse_object_metadata

        spec = parse_object_metadata(self.client.object_metadata(self.options.object_name))
        if not should_isolate(self.options.operation, spec.data_store, batch, outcomes):
            return outcomes
        body = csv_body if self.options.body_format == "csv" else json_body

        def send(part: Batch) -> Outcomes:
            return send_batch(self.client, self.options, part, self.stop.cancel)

        outcomes, extra = isolate_clashes(batch, outcomes, send, body)
        with self._split_lock:
            self.split_requests += extra
        return outcomes

    def _span(self) -> float:
        """Seconds one attempt of a request can last: connecting, then the read timeout."""
        return float(config.CONNECT_TIMEOUT + self.client.timeout)

    def _wait(self, inflight: dict[Future, Batch]) -> set[Future]:
        """Futures that finished; looks for a stop request between short waits."""
        while True:
            self.stop.check()
            done = wait(inflight, timeout=config.STOP_POLL, return_when=FIRST_COMPLETED)[0]
            if done:
                return done

    @staticmethod
    def _raise(error: BaseException | None) -> None:
        if error is not None:
            raise error

    def _cancel(self, inflight: dict[Future, Batch]) -> None:
        """Cancel the batches not started: nothing was sent (nor recorded) for their rows."""
        for fut in list(inflight):
            if fut.cancel():
                self.rows.reset(inflight.pop(fut).positions)
                self.requests -= 1

    def _drain(self, inflight: dict[Future, Batch]) -> None:
        """Wait for the requests already running and keep their answers, unless abandoned."""
        try:
            while inflight and not self.stop.abandon.is_set():
                done = wait(inflight, timeout=config.STOP_POLL, return_when=FIRST_COMPLETED)[0]
                for fut in done:
                    try:
                        self._collect({fut}, inflight)
                    except Exception:  # noqa: BLE001 - already stopping (e.g. the checkpoint)
                        log.exception("while stopping")
        finally:  # abandoned, or a Ctrl-C that no handler turned into a request
            self._abandon(inflight)

    def _abandon(self, inflight: dict[Future, Batch]) -> None:
        """Stop waiting: rows still in flight stay UNKNOWN, marked so in the checkpoint."""
        ready = {fut for fut in inflight if fut.done()}
        if ready:
            self._collect(ready, inflight)
        if not inflight:
            return
        positions = np.concatenate([batch.positions for batch in inflight.values()])
        message = "the load stopped waiting for this request: it may have reached Vault"
        self.rows.set_note(positions, UNKNOWN, LOST, message)
        inflight.clear()
        log.warning("%d rows abandoned in flight: UNKNOWN", len(positions))
        if self.checkpoint is not None:
            try:
                self.checkpoint.abandoned(positions, self._span())
            except Exception:  # noqa: BLE001 - the file says "sent": a resume waits as long
                log.exception("could not record %d rows as abandoned", len(positions))

    def _collect(self, done: set[Future], inflight: dict[Future, Batch]) -> BaseException | None:
        """Store the answers of finished batches; return the error that stops the load."""
        error: BaseException | None = None
        for fut in done:
            batch, positions = inflight[fut], inflight[fut].positions
            if fut.cancelled():
                del inflight[fut]
                self._unsent(positions, record=False)
                continue
            try:
                outcomes = fut.result()
            except NotSent as exc:  # never left; its sent event, if any, was cut off again
                del inflight[fut]
                self._unsent(positions, record=False)
                error = error or exc.__cause__  # None: the load was stopping anyway
                continue
            except (TransportError, AuthenticationError) as exc:
                del inflight[fut]
                if isinstance(exc, AuthenticationError) or not exc.sent:
                    self._unsent(positions)
                    if not self.stop.cancel.is_set():
                        error = error or Stopped(str(exc))
                        error.__cause__ = exc
                    continue
                self.rows.set_note(positions, UNKNOWN, LOST, str(exc))
                self._done(positions, [UNKNOWN] * len(positions))
                continue
            except BaseException as exc:  # noqa: BLE001 - it may have been sent: UNKNOWN
                del inflight[fut]
                message = f"the request failed ({exc!r}); its outcome is unknown"
                self.rows.set_note(positions, UNKNOWN, LOST, message)
                self._done(positions, [UNKNOWN] * len(positions))
                error = error or exc
                continue
            del inflight[fut]
            self._strain(outcomes)
            self._done(positions, self._store(batch, outcomes))
        return error

    def _strain(self, outcomes: Outcomes) -> None:
        """Rows Vault refused as busy (after the client's retries) tell the controller too."""
        if self.control is None or not outcomes.types:
            return
        for types in outcomes.types:
            found = STRAIN.intersection(types or ())
            if found:
                self.control.strained(min(found))
                return

    def _unsent(self, positions: np.ndarray, record: bool = True) -> None:
        """Rows whose request never left: SKIPPED, and so in the checkpoint."""
        self.rows.reset(positions)
        self.requests -= 1
        if record and self.checkpoint is not None:
            try:
                self.checkpoint.unsent(positions)
            except Exception:  # noqa: BLE001 - the file says "sent": a resume looks them up
                log.exception("could not record %d rows as not sent", len(positions))

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
