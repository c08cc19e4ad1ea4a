"""The one write pipeline: check -> validate -> format -> batch -> send -> recover -> collect."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, get_args

import numpy as np
import pandas as pd

from vault_pandas.config import MAX_PASSES
from vault_pandas.errors import (
    ConfigurationError,
    FrameError,
    LoadInterrupted,
    PartialLoadError,
    ValidationError,
)
from vault_pandas.results.outcomes import (
    FAILURE,
    INVALID,
    NOT_FOUND,
    SUCCESS,
    UNKNOWN,
    VALID,
    VALIDATION,
    WARNING,
    RowOutcomes,
    strip_results,
)
from vault_pandas.results.progress import Progress
from vault_pandas.transport import names
from vault_pandas.transport.client import VaultClient
from vault_pandas.write.batching import action_batches, record_batches
from vault_pandas.write.blocks import format_frame
from vault_pandas.write.bodies import csv_body, json_body
from vault_pandas.write.checkpoint import Checkpoint, fingerprint
from vault_pandas.write.options import IDEMPOTENT, Operation, WriteOptions
from vault_pandas.write.plan import LoadPlan, prepare
from vault_pandas.write.recovery import (
    choose_key,
    lookup_unknown,
    reconcile_unknown,
    retryable_rows,
)
from vault_pandas.write.sending import Sender, Stopped

log = logging.getLogger("vault_pandas")


@dataclass
class LoadStats:
    """What a load did, kept on the result frame's ``attrs['vault']`` for the summary."""

    operation: str
    object_name: str
    rows: int = 0
    requests: int = 0
    planned_requests: int = 0
    reconciled: int = 0
    resumed: int = 0
    started: float = field(default_factory=time.monotonic)

    def as_dict(self, client: VaultClient) -> dict[str, Any]:
        limiter = client.limiter
        return {
            "operation": self.operation,
            "object": self.object_name,
            "rows": self.rows,
            "requests": self.requests,
            "planned_requests": self.planned_requests,
            "reconciled": self.reconciled,
            "resumed": self.resumed,
            "seconds": round(time.monotonic() - self.started, 3),
            "burst_limit": limiter.limit,
            "burst_remaining": limiter.remaining,
            "delayed_responses": limiter.delayed_responses,
            "retries": client.stats.retries,
            "session_renewals": client.stats.renewals,
        }


class _Load:
    """One run of the pipeline over one frame; every write goes through :func:`write`."""

    def __init__(self, data: pd.DataFrame, options: WriteOptions, client: VaultClient) -> None:
        self.data, self.options, self.client = data, options, client
        self.rows = RowOutcomes(len(data), with_event=options.operation == "upsert")
        self.stats = LoadStats(options.operation, options.action_name or options.object_name)
        self.stats.rows = len(data)
        self.checkpoint: Checkpoint | None = None
        self.plan: LoadPlan | None = None

    def result(self) -> pd.DataFrame:
        out = self.rows.frame(self.data)
        out.attrs["vault"] = self.stats.as_dict(self.client) | self.rows.counts()
        return out

    def batches(self, subset: np.ndarray | None):  # noqa: ANN201
        plan, options = self.plan, self.options
        assert plan is not None
        if options.operation == "action":
            assert plan.ids is not None
            return action_batches(plan.ids, self.rows, plan.id_column, subset)
        formatter = partial(
            format_frame,
            types=plan.types,
            multi_value=plan.multi_value,
            assume_timezone=options.assume_timezone,
            body_format=options.body_format,
        )
        if options.operation == "delete":  # Vault reads the ids from a column named "id"
            frame = self.data[[options.id_column]].set_axis(["id"], axis=1)
        else:
            frame = self.data[plan.send_columns]
        body = csv_body if options.body_format == "csv" else json_body
        return record_batches(frame, self.rows, formatter, subset, body)

    def open_checkpoint(self) -> np.ndarray:
        """Restore an earlier run's outcomes; return the rows that are settled."""
        header = {
            "version": 1,
            "operation": self.options.operation,
            "object": self.stats.object_name,
            "rows": len(self.data),
            "fingerprint": fingerprint(self.data),
        }
        self.checkpoint = Checkpoint(self.options.checkpoint, header)  # type: ignore[arg-type]
        self.stats.resumed = self.checkpoint.restore(self.rows)
        if self.stats.resumed:
            log.info("resuming from %s: %d rows known", self.options.checkpoint, self.stats.resumed)
        return np.isin(self.rows.status, (SUCCESS, WARNING, UNKNOWN))

    def run(self) -> pd.DataFrame:
        settled = np.zeros(len(self.data), dtype=bool)
        if self.options.checkpoint is not None and not self.options.dry_run:
            settled = self.open_checkpoint()
            todo = np.flatnonzero(~settled)
            self.rows.reset(todo)
        self.plan = prepare(self.data, self.options, self.client)
        errors = self.plan.errors.copy()
        errors[settled] = None
        self.rows.mark_invalid(errors, VALIDATION)
        if self.options.on_invalid == "raise" and (self.rows.status == INVALID).any():
            raise ValidationError(
                f"{int((self.rows.status == INVALID).sum())} rows failed validation; "
                "nothing was sent",
                failure_cases=self.plan.failure_cases,
                result=self.result(),
            )
        first = np.flatnonzero(~settled) if settled.any() else None
        if self.options.dry_run:
            self.stats.planned_requests = sum(1 for _ in self.batches(first))
            self.rows.status[self.rows.status != INVALID] = VALID
            return self.result()
        progress = Progress(len(self.data), self.stats.object_name, self.options.progress)
        sender = Sender(self.client, self.options, self.rows, progress, self.checkpoint)
        try:
            if settled.any():
                self.recover(sender, pass_number=0)
            sender.run(self.batches(first))
            for number in range(1, MAX_PASSES + 1):
                if not self.recover(sender, number):
                    break
        finally:
            progress.update({INVALID: int((self.rows.status == INVALID).sum())})
            progress.close()
            self.stats.requests = sender.requests
            if self.checkpoint is not None:
                self.checkpoint.close()
        return self.result()

    def recover(self, sender: Sender, pass_number: int) -> bool:
        """One more pass: rows that failed retryably, and rows whose outcome was lost."""
        rows, op = self.rows, self.options.operation
        again = retryable_rows(rows)
        unknown = np.flatnonzero(rows.status == UNKNOWN)
        if len(unknown) and op == "create" and self.options.reconcile is not False:
            assert self.plan is not None
            key = choose_key(self.plan.unique_columns, self.options.reconcile)
            found, missing = reconcile_unknown(
                self.client, self.options.object_name, self.data, rows, unknown, key
            )
            self.stats.reconciled += found
            again = np.union1d(again, missing)
        elif len(unknown) and op in IDEMPOTENT:
            again = np.union1d(again, unknown)
        if not len(again):
            return False
        if pass_number:
            time.sleep(self.client.retry.delay(pass_number))
        log.info("pass %d: sending %d rows again", pass_number + 1, len(again))
        rows.reset(again)
        sender.run(self.batches(again))
        return True


def write(frame: pd.DataFrame, options: WriteOptions, client: VaultClient) -> pd.DataFrame:
    """Run one load and return the result frame (see ``df.vault.create``)."""
    if not isinstance(frame, pd.DataFrame):
        raise ConfigurationError("expected a pandas DataFrame")
    names.check_name(options.object_name, "object name")
    if isinstance(options.reconcile, str):
        names.check_name(options.reconcile, "reconcile key")
    ids_from = options.id_column if options.operation in ("action", "delete") else None
    load = _Load(strip_results(frame, keep=ids_from), options, client)
    if len(load.data) == 0:
        return load.result()
    try:
        out = load.run()
    except (ConfigurationError, ValidationError):
        raise  # found before anything was sent
    except Stopped as exc:
        raise _partial(PartialLoadError, f"the load stopped: {exc}", load) from exc.__cause__
    except KeyboardInterrupt as exc:
        raise _partial(LoadInterrupted, "the load was interrupted", load) from exc
    except Exception as exc:
        if load.stats.requests == 0 and not (load.rows.status == UNKNOWN).any():
            raise  # nothing was sent: a plain error is clearer
        raise _partial(PartialLoadError, f"the load failed: {exc!r}", load) from exc
    stats = out.attrs["vault"]
    counts = out["vault_status"].value_counts().to_dict()
    log.info(
        "%s %s: %d rows %s in %.1f s, %d requests",
        options.operation, stats["object"], len(out), counts, stats["seconds"], stats["requests"],
    )  # fmt: skip
    return out


def write_operation(
    frame: pd.DataFrame, operation: str, target: str, client: VaultClient, **options: Any
) -> pd.DataFrame:
    """``df.vault.{operation}(target, **options)`` as one call (the accessor and files use it).

    ``target`` is the object name, or the action name for ``"action"``; a delete sends only
    its ids, so it is never checked against a schema.
    """
    if operation not in get_args(Operation):
        raise ConfigurationError(
            f"unknown operation {operation!r}: expected one of {', '.join(get_args(Operation))}"
        )
    object_name = target
    if operation == "action":
        object_name, options = names.action_object(target), {"action_name": target, **options}
    elif operation == "delete":
        options = {**options, "schema": False}
    try:
        write_options = WriteOptions(operation=operation, object_name=object_name, **options)  # type: ignore[arg-type]
    except TypeError as exc:  # an option this operation does not take
        raise ConfigurationError(f"{operation}: {exc}") from exc
    return write(frame, write_options, client)


def _partial(kind: type, message: str, load: _Load) -> BaseException:
    """The exception to raise when a load stops: it carries the result frame so far."""
    result = load.result()
    counts = result["vault_status"].value_counts().to_dict()
    where = f"; checkpoint: {load.options.checkpoint}" if load.options.checkpoint else ""
    text = (
        f"{message}. Every row has a status in `.result` ({counts}): SKIPPED rows were not "
        f"sent, UNKNOWN rows may or may not have been written{where}."
    )
    log.error(text)
    return kind(text, result)


def reconcile_result(
    result: pd.DataFrame, object_name: str, key: str, client: VaultClient, resend: bool
) -> pd.DataFrame:
    """``out.vault.reconcile``: resolve a result frame's UNKNOWN rows by a key field.

    Rows found once become ``SUCCESS`` with their id; rows not found are created when
    ``resend`` is true, else ``FAILURE`` with a ``NOT_FOUND`` note.
    """
    rows = RowOutcomes.from_result(result)
    data = strip_results(result)
    if key not in data.columns:
        raise FrameError(f"reconcile key {key!r} is not a column of the frame")
    unknown = np.flatnonzero(rows.status == UNKNOWN)
    _, missing = lookup_unknown(client, object_name, rows, unknown, data[key].iloc[unknown])
    if len(missing) and resend:
        again = write(data.iloc[missing], WriteOptions("create", object_name), client)
        rows.set(
            missing,
            again["vault_status"].to_numpy(dtype=object),
            again["vault_id"].to_numpy(dtype=object, na_value=None),
            again["vault_error"].to_numpy(dtype=object, na_value=None),
        )
    elif len(missing):
        message = f"no {object_name} record has this {key}; it was not created"
        rows.set_note(missing, FAILURE, NOT_FOUND, message)
    out = rows.frame(data)
    out.attrs = dict(result.attrs)
    return out
