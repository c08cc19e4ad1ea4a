"""Sending batches on a bounded thread pool and storing each answer on its rows.

With ``max_workers=None`` the pool is sized for ``ADAPTIVE_CAP`` and
``write/concurrency.py: AdaptiveConcurrency`` decides how many requests are in flight; it
hears every answer's latency and delay from the client's burst limiter, and each retry (the
client retries ``RACE_CONDITION`` / ``OPERATION_IN_PROGRESS`` itself) from its counters.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

import numpy as np

from vault_pandas import config
from vault_pandas.config import ADAPTIVE_CAP, MAX_RECORDS
from vault_pandas.errors import AuthenticationError, TransportError
from vault_pandas.results.outcomes import (
    FAILURE,
    LOST,
    UNKNOWN,
    Outcomes,
    types_array,
)
from vault_pandas.results.progress import Progress
from vault_pandas.write.batching import Batch
from vault_pandas.write.concurrency import STRAIN, AdaptiveConcurrency
from vault_pandas.write.isolation import CLASH_TYPE, Isolation
from vault_pandas.write.request import send_batch
from vault_pandas.write.stopping import NotSent, StopSignal

if TYPE_CHECKING:
    from vault_pandas.results.outcomes import RowOutcomes
    from vault_pandas.transport.client import VaultClient
    from vault_pandas.write.checkpoint import Checkpoint
    from vault_pandas.write.options import WriteOptions

log = logging.getLogger("vault_pandas")


class Stopped(Exception):
    """The load cannot go on (no connection, session cannot be renewed); cause chained."""


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
        self._splits: collections.deque[Batch] = collections.deque()  # parts to send again
        self.isolation = Isolation(client, options)  # raw objects: clashes set apart

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
        source = iter(batches)
        with self.stop.installed(), self.stop.deferred():
            try:
                while (batch := self._next(source, inflight)) is not None:
                    self._make_room(inflight)
                    self.stop.check()
                    self.rows.in_flight(batch.positions)
                    inflight[pool.submit(self._send, batch)] = batch
                    self.requests += 1
                    self._submitted += len(batch.positions)
                    self.peak_in_flight = max(self.peak_in_flight, min(len(inflight), self.workers))
                self.stop.check()
            except BaseException:
                self.stop.cancel.set()
                self._splits.clear()  # parts never sent: their rows stay SKIPPED (unsent)
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

    def _next(self, source: Iterator[Batch], inflight: dict[Future, Batch]) -> Batch | None:
        """The next request: a split's part first, then the next batch; None when all are done.

        Once the batches run out, answers are collected until none is in flight; a refused
        raw request's parts (queued while collecting) are sent before the load ends.
        """
        while True:
            if self._splits:
                return self._splits.popleft()
            batch = next(source, None)
            if batch is not None:
                return batch
            if not inflight:
                return None
            self._raise(self._collect(self._wait(inflight), inflight))

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
        checkpoint, on_attempt = self.checkpoint, None
        if checkpoint is not None:
            span = self._span()
            try:
                at = checkpoint.sent(batch.positions, span)
            except Exception as exc:
                raise NotSent(f"the checkpoint could not be written: {exc}") from exc

            def on_attempt(number: int) -> None:  # each attempt's start is journaled first
                nonlocal at
                at = checkpoint.attempt(batch.positions, span, at)

        return send_batch(self.client, self.options, batch, self.stop.cancel, on_attempt)

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
            if not self._split(batch, outcomes):
                self._done(positions, self._store(batch, outcomes))
        return error

    # -- raw objects: a create refused as a whole by a uniqueness clash --------------------
    def _split(self, batch: Batch, outcomes: Outcomes) -> bool:
        """Set a refused raw create's clashing rows apart and queue the rest; False: keep it.

        Runs in the main thread (lookups included). The refusal wrote nothing: the rows sent
        again are recorded ``unsent`` first, then each part is an ordinary request,
        journaled when it goes out. While the load stops, nothing is queued: the rows keep
        Vault's answer. See ``write/isolation.py``.
        """
        if self.stop.cancel.is_set():
            return False
        try:
            split = self.isolation.plan(batch, outcomes)
        except Exception:  # noqa: BLE001 - a lookup failed: the rows keep Vault's refusal
            log.warning("raw clash isolation failed; the rows keep Vault's answer", exc_info=True)
            return False
        if split is None:
            return False
        self._unsent(split.again, counted=False)
        if len(split.clashing):
            self.rows.set(split.clashing, FAILURE, None, split.messages, (CLASH_TYPE,))
            self._done(split.clashing, [FAILURE] * len(split.clashing))
        self._splits.extend(split.parts)
        return True

    def _strain(self, outcomes: Outcomes) -> None:
        """Rows Vault refused as busy (after the client's retries) tell the controller too."""
        if self.control is None or not outcomes.types:
            return
        for types in outcomes.types:
            found = STRAIN.intersection(types or ())
            if found:
                self.control.strained(min(found))
                return

    def _unsent(self, positions: np.ndarray, record: bool = True, counted: bool = True) -> None:
        """Rows whose request never left (or wrote nothing): SKIPPED, and so in the checkpoint.

        ``counted``: their request was counted in :attr:`requests` and is taken off again.
        """
        self.rows.reset(positions)
        self.requests -= counted
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
