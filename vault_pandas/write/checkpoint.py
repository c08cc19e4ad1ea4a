"""Checkpoint files: every row's fate appended as soon as it is known, read back on resume.

The file is JSON lines: a header (the load's identity, :mod:`vault_pandas.write.fingerprint`),
then one event per line, each written whole and fsync'd (a failed write is cut off again):

``ids``     the record ids a load assigns (``assign_ids=True``), every row's, written before
            the first request: a resume sends the same ids, so a repeat is found by them
``sent``    an attempt of a request for these rows is about to go out (``at``: when; ``last``:
            the latest moment a further attempt could start without its own ``sent`` event;
            ``span``: how long one attempt can last). Every retry of a request writes its own
            ``sent`` event (:meth:`Checkpoint.attempt`), so ``last`` is ``at``.
``unsent``  they never left after all (cancelled, connection refused, session refused), or
            Vault refused their request as a whole without writing anything
``done``    Vault's answer for them (status, id, error text, error types, event)
``open``    the load was abandoned while their request was on the wire (``at`` = then)
``end``     the load finished: the file holds every row's outcome

A row whose last event is ``sent`` or ``open`` may have reached Vault: it is read back as
``UNKNOWN`` with a deadline after which its request cannot be running any more (its ``last``
start, or the moment this file was opened when that is earlier — its writer is gone then,
the file is locked while a load uses it — plus its ``span`` and :data:`SLACK`). A crash an
hour ago costs a resume no wait. A half-written last line (a crash) is cut off before
anything is appended, and a file whose identity differs from the load's is refused with the
part that differs.

Whatever settles a row outside an answer (a lookup that proves it, a repeat's settlement, a
split of a raw batch) is journaled too: :meth:`Checkpoint.sync` writes every row whose outcome
differs from what the file says, so a finished file gives back exactly the load's result.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.outcomes import INVALID, LOST, SKIPPED, UNKNOWN, RowOutcomes, types_array
from vault_pandas.write.fingerprint import difference

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, one load per file is the user's care
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("vault_pandas")

FORMAT_VERSION = 2
_MAGIC = "vault_pandas_checkpoint"
#: Seconds between a ``sent`` event and its attempt leaving (the event is written first; a
#: retry that starts within this of its request's event writes none, see ``attempt``).
SLACK = 2.0


def _clean(values: np.ndarray) -> list[Any]:
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in values]


def _clock(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


class Checkpoint:
    """An append-only, locked record of one load's rows, by position.

    Use :meth:`open`; every method that writes is thread-safe (workers write ``sent``).
    """

    def __init__(self, path: Path, header: dict[str, Any], fh: Any, lines: list[bytes]) -> None:
        self.path = path
        self.header = header
        self._fh = fh
        self._lines = lines  # the events read at opening, until restored
        self._header_pending = not lines
        self._lock = threading.Lock()
        self._opened = time.time()
        self.finished = False  #: the file's last event is ``end``
        self.until = np.zeros(0)  #: per row: when its request cannot be running (NaN: none)
        self.ids: np.ndarray | None = None  #: the ids an ``assign_ids`` load assigned
        self._shown: RowOutcomes | None = None  # the outcomes a restore of the file gives

    @classmethod
    def open(cls, path: str | os.PathLike[str], header: dict[str, Any]) -> Checkpoint:
        """Open (or create) the file for the load ``header`` describes, and lock it.

        Raises
        ------
        ConfigurationError
            Another load holds the file, it is not a checkpoint, or it belongs to another
            load (the message names the part that differs).
        """
        path = Path(path)
        fh = open(path, "a+b", buffering=0)  # noqa: SIM115 - kept open (and locked) for the load
        try:
            _lock(fh, path)
            fh.seek(0)
            data = fh.read()
            complete = data.rfind(b"\n") + 1
            if complete < len(data):  # a line torn by a crash: cut it off before appending
                fh.truncate(complete)
                os.fsync(fh.fileno())
                data = data[:complete]
            lines = data.split(b"\n")[:-1]
            if lines:
                _check(path, lines[0], header)
            return cls(path, {_MAGIC: FORMAT_VERSION, **header}, fh, lines)
        except BaseException:
            fh.close()
            raise

    # -- reading -------------------------------------------------------------------------
    def restore(self, rows: RowOutcomes) -> int:
        """Load earlier outcomes into ``rows``; return how many rows Vault had answered.

        Rows whose request may have reached Vault without an answer become ``UNKNOWN``;
        :attr:`open_rows` and :attr:`deadline` say which, and until when they may be running.
        """
        events = []
        for number, line in enumerate(self._lines[1:], start=2):
            try:
                events.append(json.loads(line))
            except ValueError as exc:  # nothing is restored from a damaged file
                raise ConfigurationError(
                    f"checkpoint {self.path}: line {number} is damaged; it cannot be resumed"
                ) from exc
        until = np.full(rows.n, np.nan)
        for event in events:
            self.finished = event["k"] == "end"
            if event["k"] == "ids":
                self.ids = np.asarray(event["i"], dtype=object)
            elif event["k"] != "end":
                self._apply(rows, event, until)
        self._lines = []
        self.until = until
        self._shown = rows.copy()
        return int(np.isin(rows.status, (SKIPPED, INVALID), invert=True).sum())

    @property
    def open_rows(self) -> np.ndarray:
        """Rows whose request may still be running (the file records it in flight)."""
        return np.flatnonzero(~np.isnan(self.until))

    @property
    def deadline(self) -> float:
        """Wall time after which no request of :attr:`open_rows` can be running."""
        return self.deadline_of(self.open_rows)

    def still_running(self, positions: np.ndarray) -> np.ndarray:
        """Those of ``positions`` whose request a stopped run left may still be running."""
        if not len(self.until):
            return positions[:0]
        return positions[self.until[positions] > time.time()]  # NaN (none) compares False

    def deadline_of(self, positions: np.ndarray) -> float:
        """Wall time after which no request of the rows at ``positions`` can be running."""
        until = self.until[positions] if len(self.until) else np.zeros(0)
        until = until[~np.isnan(until)]
        return float(until.max()) if len(until) else 0.0

    def _apply(self, rows: RowOutcomes, event: dict[str, Any], until: np.ndarray) -> None:
        pos = np.asarray(event["p"], dtype=np.int64)
        kind = event["k"]
        if kind in ("sent", "open"):
            until[pos] = min(event["last"], self._opened) + event["span"] + SLACK
            what = (
                f"the load stopped waiting for this request at {_clock(event['at'])}"
                if kind == "open"
                else f"this request was sent at {_clock(event['at'])} and never answered"
            )
            message = f"{what}: it may have reached Vault"
            rows.set_note(pos, UNKNOWN, LOST, message)
            return
        until[pos] = np.nan
        if kind == "unsent":
            rows.reset(pos)
            return
        types = [tuple(t) if t else None for t in event.get("t") or [None] * len(pos)]
        rows.set(
            pos,
            np.asarray(event["s"], dtype=object),
            np.asarray(event["i"], dtype=object),
            np.asarray(event["e"], dtype=object),
            types_array(types),
            np.asarray(event.get("v") or [None] * len(pos), dtype=object),
        )

    # -- writing -------------------------------------------------------------------------
    def _write(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, separators=(",", ":")).encode() + b"\n"
        with self._lock:
            fh = self._fh
            if fh is None:
                raise ConfigurationError(f"checkpoint {self.path} is closed")
            if self._header_pending:
                line = json.dumps(self.header).encode() + b"\n" + line
            size = os.fstat(fh.fileno()).st_size
            try:
                view = memoryview(line)
                while view:
                    view = view[fh.write(view) :]
                os.fsync(fh.fileno())
            except BaseException:
                # what is not on disk is not written: cut the line off again (if that fails
                # too, the torn line is cut off when the file is opened next)
                with contextlib.suppress(OSError):
                    fh.truncate(size)
                raise
            self._header_pending = False

    def assign(self, ids: np.ndarray) -> None:
        """Record the ids an ``assign_ids`` load gives its rows, before anything is sent."""
        self._write({"k": "ids", "i": _clean(ids)})
        self.ids = np.asarray(ids, dtype=object)

    def sent(self, positions: np.ndarray, span: float) -> float:
        """Rows whose request is about to go out; return when (its ``at``).

        One attempt lasts at most ``span`` s; a further attempt writes :meth:`attempt`.
        """
        at = time.time()
        self._write({"k": "sent", "p": positions.tolist(), "at": at, "last": at, "span": span})
        self._flying(positions, at + span + SLACK)
        return at

    def _flying(self, positions: np.ndarray, until: float) -> None:
        """Note until when the rows' request may run (NaN: it is over); after a restore only."""
        if len(self.until):
            self.until[positions] = until

    def attempt(self, positions: np.ndarray, span: float, since: float) -> float:
        """An attempt of the request recorded at ``since`` is about to start; return its ``at``.

        Within :data:`SLACK` of ``since`` nothing is written (a restore adds ``SLACK``);
        otherwise a new ``sent`` event moves the rows' deadline to this attempt's.
        """
        if time.time() - since < SLACK / 2:
            return since
        return self.sent(positions, span)

    def unsent(self, positions: np.ndarray) -> None:
        """Rows recorded as ``sent`` whose request never left (or wrote nothing) after all."""
        self._write({"k": "unsent", "p": positions.tolist()})
        self._flying(positions, np.nan)
        if self._shown is not None:
            self._shown.reset(positions)

    def abandoned(self, positions: np.ndarray, span: float) -> None:
        """Rows whose request was on the wire when the load stopped waiting for it."""
        at = time.time()
        self._write({"k": "open", "p": positions.tolist(), "at": at, "last": at, "span": span})
        self._flying(positions, at + span + SLACK)

    def answered(self, rows: RowOutcomes, positions: np.ndarray) -> None:
        """Rows whose outcome is now known (as stored in ``rows``)."""
        event = {
            "k": "done",
            "p": positions.tolist(),
            "s": _clean(rows.status[positions]),
            "i": _clean(rows.ids[positions]),
            "e": _clean(rows.errors[positions]),
            "t": [list(t) if t else None for t in rows.types[positions]],
        }
        if rows.events is not None:
            event["v"] = _clean(rows.events[positions])
        self._write(event)
        self._flying(positions, np.nan)
        if self._shown is not None:
            self._shown.take(rows, positions)

    def sync(self, rows: RowOutcomes) -> int:
        """Journal every settled row whose outcome differs from what the file says; return how many.

        Call it when no request of the load is in flight: rows settled by a lookup, by a
        repeat's settlement or by local checks are then written like answers. Rows still
        ``UNKNOWN`` whose request the file records as possibly in flight are left so: a
        resume must keep waiting for them.
        """
        shown = self._shown
        if shown is None:
            return 0
        differs = shown.differs(rows)
        if len(self.until) == rows.n:
            differs &= ~((rows.status == UNKNOWN) & ~np.isnan(self.until))
        positions = np.flatnonzero(differs)
        if len(positions):
            self.answered(rows, positions)
        return len(positions)

    def finish(self, rows: RowOutcomes) -> None:
        """The load ended: record every row not yet recorded as it is, then ``end``."""
        if self._shown is None:  # never restored: the INVALID rows are the ones not journaled
            invalid = np.flatnonzero(rows.status == INVALID)
            if len(invalid):
                self.answered(rows, invalid)
        else:
            self.sync(rows)
        self._write({"k": "end"})

    def close(self) -> None:
        """Close and unlock the file (it stays on disk for a later resume)."""
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None


def _lock(fh: Any, path: Path) -> None:
    if fcntl is None:  # pragma: no cover
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ConfigurationError(
            f"checkpoint {path} is in use by another load that is still running"
        ) from None
    except OSError as exc:  # a file system without locks: one load per file is the user's care
        log.warning("checkpoint %s cannot be locked (%s)", path, exc)


def _check(path: Path, first: bytes, header: dict[str, Any]) -> None:
    """Refuse a file that is not a checkpoint of this load, saying what differs."""
    try:
        stored = json.loads(first)
    except ValueError:
        stored = None
    if not isinstance(stored, dict) or _MAGIC not in stored:
        old = isinstance(stored, dict) and "fingerprint" in stored
        raise ConfigurationError(
            f"{path} is a checkpoint of an older vault_pandas; finish that load with it, or "
            "delete the file to start over"
            if old
            else f"{path} is not a vault_pandas checkpoint"
        )
    what = difference(stored, header)
    if what is not None:
        raise ConfigurationError(
            f"checkpoint {path} belongs to another load: {what}; use another checkpoint file, "
            "or delete this one to start over"
        )
