"""The one write pipeline: check -> validate -> format -> batch -> send -> recover -> collect."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
import warnings
from dataclasses import dataclass, field
from functools import partial
from typing import Any, get_args

import numpy as np
import pandas as pd

from vault_pandas.config import MAX_PASSES
from vault_pandas.errors import (
    ColumnsLeftOutWarning,
    ConfigurationError,
    LoadInterrupted,
    PartialLoadError,
    ValidationError,
)
from vault_pandas.results.outcomes import (
    FAILURE,
    INVALID,
    SUCCESS,
    UNKNOWN,
    VALID,
    VALIDATION,
    WARNING,
    RowOutcomes,
    strip_results,
)
from vault_pandas.results.progress import Progress
from vault_pandas.schema.migration import with_ids
from vault_pandas.transport import names
from vault_pandas.transport.client import VaultClient
from vault_pandas.write.batching import action_batches, record_batches
from vault_pandas.write.blocks import format_frame
from vault_pandas.write.bodies import csv_body, json_body
from vault_pandas.write.checkpoint import Checkpoint
from vault_pandas.write.fingerprint import describe
from vault_pandas.write.options import Operation, WriteOptions
from vault_pandas.write.passes import recover
from vault_pandas.write.plan import LoadPlan, object_spec, prepare
from vault_pandas.write.recovery import (
    check_key,
)
from vault_pandas.write.sending import Sender, Stopped

log = logging.getLogger("vault_pandas")


@dataclass
class LoadStats:
    """What a load did, kept on the result frame's ``attrs['vault']`` for the summary.

    The client's counters (retries, session renewals, delayed responses) run over every call
    it ever made; :meth:`start` notes them when the load begins, so that the summary counts
    this load's own.
    """

    operation: str
    object_name: str
    rows: int = 0
    requests: int = 0
    planned_requests: int = 0
    left_out: list[str] = field(default_factory=list)
    reconciled: int = 0
    resumed: int = 0
    kept_missing: int = 0  # nulls="keep": blank cells of written rows, their fields untouched
    started: float = field(default_factory=time.monotonic)
    counters_at_start: dict[str, int] = field(default_factory=dict)

    def start(self, client: VaultClient) -> None:
        """Note the client's counters as this load begins."""
        self.counters_at_start = _counters(client)

    def as_dict(self, client: VaultClient) -> dict[str, Any]:
        """The statistics, with the client's counters as this load's share of them."""
        limiter = client.limiter
        now = _counters(client)
        mine = {k: v - self.counters_at_start.get(k, 0) for k, v in now.items()}
        return {
            "operation": self.operation,
            "object": self.object_name,
            "rows": self.rows,
            "requests": self.requests,
            "planned_requests": self.planned_requests,
            "left_out": list(self.left_out),
            "reconciled": self.reconciled,
            "resumed": self.resumed,
            "kept_missing": self.kept_missing,
            "seconds": round(time.monotonic() - self.started, 3),
            "burst_limit": limiter.limit,
            "burst_remaining": limiter.remaining,
            **mine,
        }


def _counters(client: VaultClient) -> dict[str, int]:
    return {
        "delayed_responses": client.limiter.delayed_responses,
        "retries": client.stats.retries,
        "session_renewals": client.stats.renewals,
    }


class _Load:
    """One run of the pipeline over one frame; every write goes through :func:`write`."""

    def __init__(self, data: pd.DataFrame, options: WriteOptions, client: VaultClient) -> None:
        self.data, self.options, self.client = data, options, client
        self.rows = RowOutcomes(len(data), with_event=options.operation == "upsert")
        self.stats = LoadStats(options.operation, options.action_name or options.object_name)
        self.stats.start(client)
        self.stats.rows = len(data)
        self.checkpoint: Checkpoint | None = None
        self.plan: LoadPlan | None = None
        self.kept = np.zeros(len(data), dtype=np.int64)  # blank cells left out, by row

    def result(self) -> pd.DataFrame:
        written = np.isin(self.rows.status, (SUCCESS, WARNING, VALID))
        self.stats.kept_missing = int(self.kept[written].sum())
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
        if options.operation == "delete" and options.id_param not in (None, "id"):
            frame = self.data[[options.id_param]]  # sent with ?idParam=
        elif options.operation == "delete":  # Vault reads the ids from a column named "id"
            frame = self.data[[options.id_column]].set_axis(["id"], axis=1)
        else:
            frame = self.data[plan.send_columns]
        if keeps_missing(options):  # JSON records without the blanks' keys
            keep = partial(json_body, omit_nulls=True)
            return record_batches(frame, self.rows, formatter, subset, keep, kept=self.kept)
        body = csv_body if options.body_format == "csv" else json_body
        return record_batches(frame, self.rows, formatter, subset, body)

    def open_checkpoint(self, path: str | os.PathLike[str]) -> np.ndarray:
        """Restore an earlier run's outcomes; return the rows that are settled."""
        self.checkpoint = Checkpoint.open(path, describe(self.data, self.options))
        self.stats.resumed = self.checkpoint.restore(self.rows)
        if self.stats.resumed:
            log.info("resuming from %s: %d rows known", path, self.stats.resumed)
        return np.isin(self.rows.status, (SUCCESS, WARNING, UNKNOWN))

    def assign_ids(self) -> None:
        """``assign_ids=True``: give rows without an id one, the same ones on every resume.

        The ids are part of what the load sends: with a checkpoint they are journaled before
        the first request, and a resume (or the finished file) reuses them, so a lost answer
        is proven by looking those ids up and a row is never created twice under two ids.
        """
        checkpoint = self.checkpoint
        if checkpoint is not None and checkpoint.ids is not None:
            if len(checkpoint.ids) != len(self.data):
                raise ConfigurationError(f"checkpoint {checkpoint.path}: its ids do not fit")
            self.data = self.data.assign(id=checkpoint.ids)
            return
        spec = object_spec(self.client, self.options.object_name)
        self.data = with_ids(self.data, spec.prefix, spec.name)
        if checkpoint is not None:
            checkpoint.assign(self.data["id"].to_numpy(dtype=object))

    def run(self) -> pd.DataFrame:
        try:
            return self._run()
        finally:
            if self.checkpoint is not None:
                self.checkpoint.close()

    def _run(self) -> pd.DataFrame:
        settled = np.zeros(len(self.data), dtype=bool)
        if self.options.checkpoint is not None and not self.options.dry_run:
            settled = self.open_checkpoint(self.options.checkpoint)
        if self.options.assign_ids:  # rows without an id get one (journaled before sending)
            self.assign_ids()
        if self.checkpoint is not None:
            if self.checkpoint.finished:
                return self.result()  # that load ended: its result, nothing sent again
            self.rows.reset(np.flatnonzero(~settled))
        self.plan = prepare(self.data, self.options, self.client)
        if self.plan.left_out:
            self.stats.left_out = list(self.plan.left_out)
            warn_left_out(self.plan.left_out, self.options)
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
            if settled.any() and self.checkpoint is not None:
                recover(self, sender, pass_number=0)  # rows a stopped run left open
            sender.run(self.batches(first))
            for number in range(1, MAX_PASSES + 1):
                if not recover(self, sender, number):
                    break
        finally:
            progress.update({INVALID: int((self.rows.status == INVALID).sum())})
            progress.close()
            self.stats.requests = sender.requests
        if self.checkpoint is not None:
            self.checkpoint.finish(self.rows)
        return self.result()


def write(frame: pd.DataFrame, options: WriteOptions, client: VaultClient) -> pd.DataFrame:
    """Run one load and return the result frame (see ``df.vault.create``)."""
    if not isinstance(frame, pd.DataFrame):
        raise ConfigurationError("expected a pandas DataFrame")
    names.check_name(options.object_name, "object name")
    if isinstance(options.reconcile, str):
        names.check_name(options.reconcile, "reconcile key")
    if keeps_missing(options) and options.body_format != "json":
        options = dataclasses.replace(options, body_format="json")  # CSV cannot leave a cell out
    ids_from = options.id_column if options.operation in ("action", "delete") else None
    load = _Load(strip_results(frame, keep=ids_from), options, client)
    if options.operation == "create" and isinstance(options.reconcile, str):
        check_key(object_spec(client, options.object_name), options.reconcile, load.data.columns)
    if len(load.data) == 0:
        return load.result()
    try:
        out = load.run()
    except ValidationError:
        raise  # found before anything was sent; it carries the result
    except Stopped as exc:
        raise _partial(PartialLoadError, f"the load stopped: {exc}", load) from exc.__cause__
    except KeyboardInterrupt as exc:
        raise _partial(LoadInterrupted, "the load was interrupted", load) from exc
    except Exception as exc:  # a ConfigurationError too: once a row was sent, keep the result
        if not _sent(load):
            raise  # nothing was sent: a plain error is clearer
        raise _partial(PartialLoadError, f"the load failed: {exc!r}", load) from exc
    stats = out.attrs["vault"]
    counts = out["vault_status"].value_counts().to_dict()
    log.info(
        "%s %s: %d rows %s in %.1f s, %d requests",
        options.operation, stats["object"], len(out), counts, stats["seconds"], stats["requests"],
    )  # fmt: skip
    return out


def keeps_missing(options: WriteOptions) -> bool:
    """Whether a blank must leave the stored field as it is: ``nulls="keep"`` (the default)
    on update and upsert. Such a load is sent as JSON records that leave a blank's key out,
    whatever ``body_format`` says: a CSV row cannot leave one of its columns out, and a blank
    CSV cell clears the field. With ``nulls="clear"`` a blank is sent and clears the field;
    a create sends no value for it (Vault applies the field's default)."""
    return options.operation in ("update", "upsert") and options.nulls == "keep"


def warn_left_out(left_out: dict[str, str], options: WriteOptions) -> None:
    """One ColumnsLeftOutWarning per call, naming the columns never sent and why."""
    by_migration = [c for c, why in left_out.items() if "migration_mode=True" in why]
    parts = [f"{c} ({why.split(';')[0]})" for c, why in left_out.items()]
    text = (
        f"{options.operation} {options.object_name}: {len(left_out)} column(s) left out, "
        f"never sent (fields this call cannot write): {', '.join(parts)}"
    )
    if by_migration:
        text += f"; migration_mode=True would send {', '.join(by_migration)}"
    warnings.warn(ColumnsLeftOutWarning(text, left_out), stacklevel=5)


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


def _sent(load: _Load) -> bool:
    """Whether any row of the load may have reached Vault (in this run or a resumed one)."""
    told = np.isin(load.rows.status, (SUCCESS, WARNING, FAILURE, UNKNOWN))
    return load.stats.requests > 0 or bool(told.any())


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
