"""Stopping a load: Ctrl-C turned into a stop at a safe point, and the wait a resume owes.

While requests of a load may be in flight, Ctrl-C must not tear the load's bookkeeping at a
random line. :class:`StopSignal` takes SIGINT over for the load (in the main thread, when
Python's default handler is in place): the first Ctrl-C sets :attr:`StopSignal.cancel` (no
request starts after it, retries inside ``VaultClient.send`` stop) and the sender stops at its
next check, waiting for the requests already on the wire; a second Ctrl-C sets
:attr:`StopSignal.abandon` (stop waiting: those rows stay ``UNKNOWN``); a third raises
``KeyboardInterrupt`` at once. While no request is in flight, Ctrl-C raises at once as usual.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

log = logging.getLogger("vault_pandas")


class NotSent(Exception):
    """A batch's request never left: the load was stopping, or its ``sent`` event failed.

    ``__cause__`` is the error that prevented it (None when the load was stopping).
    """


class StopSignal:
    """One load's stop requests: Ctrl-C presses, and errors that stop the load."""

    def __init__(self) -> None:
        self.cancel = threading.Event()  #: set: no request of the load may start
        self.abandon = threading.Event()  #: set: stop waiting for requests on the wire
        self.requested = False  #: the user asked the load to stop (Ctrl-C)
        self._presses = 0
        self._deferring = False

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle SIGINT with :meth:`_on_sigint` for the duration (main thread only)."""
        main = threading.current_thread() is threading.main_thread()
        if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            yield  # another handler is the caller's choice; KeyboardInterrupt still stops
            return
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Requests may be in flight: Ctrl-C asks for a stop instead of raising."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if not self._deferring:
            raise KeyboardInterrupt
        self._presses += 1
        if self._presses == 1:
            self.requested = True
            self.cancel.set()
        elif self._presses == 2:
            self.abandon.set()
        else:
            raise KeyboardInterrupt

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if Ctrl-C asked the load to stop."""
        if self.requested:
            raise KeyboardInterrupt


def waiting_note(count: int, deadline: float) -> str:
    """What a resume waits for, for its progress bar.

    Examples
    --------
    >>> waiting_note(500, 0.0).startswith("waiting until")
    True
    """
    until = time.strftime("%H:%M:%S", time.localtime(deadline))
    return f"waiting until {until} for {count} rows in flight when the last run stopped"


def wait_for_open_rows(count: int, deadline: float) -> None:
    """Sleep until ``deadline``: the requests of ``count`` rows may be running until then.

    A resumed load calls this for rows a first lookup did not find, before it looks them up
    again or sends them again: a lookup made while their request is still being processed
    would find nothing, and sending them again would write them twice. Ctrl-C interrupts
    the wait (nothing is in flight).

    Parameters
    ----------
    count : int
        Rows a stopped run left in flight (nothing to wait for when 0).
    deadline : float
        Wall time (``time.time()``) after which none of their requests can be running
        (:meth:`vault_pandas.write.checkpoint.Checkpoint.deadline_of`).
    """
    left = deadline - time.time()
    if count == 0 or left <= 0:
        return
    until = time.strftime("%H:%M:%S", time.localtime(deadline))
    log.warning(
        "%d rows were in flight when the last run stopped and are not found: waiting %.1f s "
        "(until %s) for their requests to be over before they are looked up or sent again",
        count, left, until,
    )  # fmt: skip
    while (left := deadline - time.time()) > 0:
        time.sleep(min(left, 1.0))
