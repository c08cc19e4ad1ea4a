"""The passes after the first: rows that failed retryably, lost answers, a resume's open rows.

After each pass, rows Vault refused with a retryable error type are sent again, and rows whose
answer was lost (``UNKNOWN``) are settled before anything is sent again: a create's by
looking them up by a unique key (``write/recovery.py``); an upsert's, update's or delete's by
repeating them (they are safe to repeat). Pass 0 is a resume's: the rows a stopped run left in
flight are looked up first (a create's, an upsert's and an update's: a record holding the
row's values proves it), and only rows not proven whose request may still be running are
waited for, until their last attempt's start plus the timeouts (the checkpoint has it), then
looked up again. Whatever a lookup settles is journaled before anything is sent again.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import numpy as np

from vault_pandas.results.outcomes import UNKNOWN
from vault_pandas.results.progress import Progress
from vault_pandas.write.options import IDEMPOTENT
from vault_pandas.write.recovery import (
    Formatting,
    choose_key,
    reconcile_rows,
    reconcile_unknown,
    retryable_rows,
)
from vault_pandas.write.stopping import wait_for_open_rows, waiting_note

if TYPE_CHECKING:
    from vault_pandas.write.pipeline import _Load
    from vault_pandas.write.sending import Sender

log = logging.getLogger("vault_pandas")


def recover(load: _Load, sender: Sender, pass_number: int) -> bool:
    """One more pass over ``load``; False when nothing is left to send."""
    rows, op, checkpoint = load.rows, load.options.operation, load.checkpoint
    again = retryable_rows(rows)
    unknown = np.flatnonzero(rows.status == UNKNOWN)
    resumed = pass_number == 0 and checkpoint is not None
    if len(unknown) and op == "create" and load.options.reconcile is not False:
        missing = _look_up_created(load, unknown, pass_number)
        if resumed and len(late := checkpoint.still_running(missing)):  # type: ignore[union-attr]
            _wait_for(load, late, sender.progress)
            missing = np.union1d(np.setdiff1d(missing, late), _look_up_created(load, late, 0))
        load.stats.reconciled += len(missing)  # proven absent: sent again
        again = np.union1d(again, missing)
    elif len(unknown) and op in IDEMPOTENT:
        if resumed and op in ("upsert", "update"):
            unknown = _look_up_written(load, unknown)
        if resumed and len(late := checkpoint.still_running(unknown)):  # type: ignore[union-attr]
            _wait_for(load, late, sender.progress)
        again = np.union1d(again, unknown)
    if checkpoint is not None:
        checkpoint.sync(rows)  # what the lookups proved, before anything is sent again
    if not len(again):
        return False
    if pass_number:
        time.sleep(load.client.retry.delay(pass_number))
    log.info("pass %d: sending %d rows again", pass_number + 1, len(again))
    rows.reset(again)
    sender.run(load.batches(again))
    return True


def _formatting(load: _Load) -> Formatting:
    plan, options = load.plan, load.options
    assert plan is not None
    return Formatting(plan.types, plan.multi_value, options.assume_timezone, options.body_format)


def _look_up_created(load: _Load, unknown: np.ndarray, pass_number: int) -> np.ndarray:
    """A create's UNKNOWN rows looked up by their key; return the positions proven absent."""
    plan, options = load.plan, load.options
    assert plan is not None
    # a create carrying its own ids (migration mode) is looked up by them: a record with a
    # row's id and values is that row's, whenever it was made
    own_ids = options.migration_mode and "id" in plan.send_columns
    key = "id" if own_ids else choose_key(plan.unique_columns, options.reconcile)
    sent = load.data[[c for c in plan.send_columns if c != "state_label"]]
    # pass 0 looks up rows a resumed run sent; later passes rows this load sent
    since = time.time() - (time.monotonic() - load.stats.started) if pass_number else None
    since = None if own_ids else since
    found, missing = reconcile_unknown(
        load.client, options.object_name, sent, load.rows, unknown, key, _formatting(load), since
    )
    load.stats.reconciled += found  # proven written
    return missing


def _look_up_written(load: _Load, unknown: np.ndarray) -> np.ndarray:
    """A resumed upsert's or update's UNKNOWN rows: those a lookup proves become SUCCESS.

    Returns the positions still unproven (to be repeated once their request cannot run).
    """
    plan, options = load.plan, load.options
    assert plan is not None
    key = options.id_param or "id"
    sent = load.data[[c for c in plan.send_columns if c != "state_label"]]
    if key not in sent.columns:
        return unknown
    try:
        reconcile_rows(load.client, options.object_name, options.operation, key, sent,
                       load.rows, unknown, _formatting(load))  # fmt: skip
    except Exception:  # noqa: BLE001 - the lookup only saves a wait: repeat them all
        log.warning("could not look the rows in flight up; they are repeated", exc_info=True)
        load.rows.status[unknown] = UNKNOWN
        return unknown
    proven = unknown[load.rows.status[unknown] != UNKNOWN]
    load.stats.reconciled += len(proven)
    return unknown[load.rows.status[unknown] == UNKNOWN]


def _wait_for(load: _Load, positions: np.ndarray, progress: Progress) -> None:
    """Wait until no request of the rows at ``positions`` can be running any more."""
    assert load.checkpoint is not None
    deadline = load.checkpoint.deadline_of(positions)
    with progress.noting(waiting_note(len(positions), deadline)):
        wait_for_open_rows(len(positions), deadline)
