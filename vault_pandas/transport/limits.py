"""Vault's burst limit as the client sees it: read from response headers, paced before sending."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from vault_pandas.config import BURST_FLOOR, BURST_WINDOW

log = logging.getLogger("vault_pandas")

BURST_LIMIT = "x-vaultapi-burstlimit"
BURST_REMAINING = "x-vaultapi-burstlimitremaining"
RESPONSE_DELAY = "x-vaultapi-responsedelay"


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


class BurstLimiter:
    """Tracks the burst limit and keeps a floor of calls free for the vault's other users.

    Parameters
    ----------
    floor : int
        Stop sending while Vault reports at most this many calls left in the window, and wait
        for the window to reset. 0 uses the whole limit.
    window : float
        Length of Vault's burst window in seconds (300 on Vault).
    """

    def __init__(
        self,
        floor: int = BURST_FLOOR,
        window: float = BURST_WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.floor = max(0, int(floor))
        self.window = float(window)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.limit: int | None = None
        self.remaining: int | None = None
        self._budget: int | None = None  # remaining minus calls sent since, an upper bound
        self._window_start: float | None = None
        self._low: int | None = None  # lowest remaining seen in the current window
        self._inflight = 0
        self._max_rtt = 0.0  # slowest answer seen
        self.delayed_responses = 0
        self.delay_ms_total = 0
        self.waited_seconds = 0.0

    def observe(self, headers: Mapping[str, str] | None, sent_at: float | None = None) -> None:
        """Record the limit headers of a response; ``None`` when a sent call got no answer.

        Every :meth:`acquire` is matched by one ``observe``, so the limiter knows how many
        calls are in flight. Answers of concurrent calls arrive out of order: a higher count
        is taken as a new window only when the call (sent at ``sent_at``, from
        :meth:`acquire`) went out late enough for the window to have ended, and the answer
        of a call sent before the current window began says nothing about it.
        """
        headers = headers or {}
        limit = _int_header(headers, BURST_LIMIT)
        remaining = _int_header(headers, BURST_REMAINING)
        delay = _int_header(headers, RESPONSE_DELAY)
        now = self._clock()
        with self._lock:
            self._inflight = max(0, self._inflight - 1)
            if limit is not None:
                self.limit = limit
            if sent_at is not None:
                self._max_rtt = max(self._max_rtt, now - sent_at)
            if remaining is not None and self._new_window(remaining, sent_at):
                self._window_start = now  # it started at the latest now
                self._budget = remaining - self._inflight
                self._low = remaining
            elif remaining is not None and not self._stale(sent_at):
                budget = self._budget if self._budget is not None else remaining
                self._budget = min(budget, remaining)
                self._low = remaining if self._low is None else min(self._low, remaining)
            if remaining is not None:
                self.remaining = remaining
            if delay:
                self.delayed_responses += 1
                self.delay_ms_total += delay
                log.warning(
                    "Vault is delaying responses by %d ms: the burst limit of this vault is "
                    "used up until its window resets",
                    delay,
                )

    def _reset(self) -> None:
        """The window has ended: at most the whole limit is left of the new one."""
        now = self._clock()
        # calls still in flight may be counted in the new window; what else is left is
        # learnt from the first answer to a call sent from now on (older ones are stale)
        self._budget = None if self.limit is None else self.limit - self._inflight
        self._low = None
        self._window_start = now

    def _stale(self, sent_at: float | None) -> bool:
        """The answer of a call sent before the current window began."""
        start = self._window_start
        return sent_at is not None and start is not None and sent_at < start

    def _new_window(self, remaining: int, sent_at: float | None) -> bool:
        """Whether ``remaining`` shows a new window rather than an answer arriving late."""
        if self._stale(sent_at):
            return False
        if self._low is None or self._window_start is None:
            return True
        if remaining <= self._low:
            return False
        if sent_at is None:
            return remaining > self._low + self._inflight + 1
        # the window may have begun up to the slowest answer before we saw it begin
        return sent_at >= self._window_start + self.window - self._max_rtt

    def acquire(self) -> float:
        """Wait, if needed, until a call may be sent without eating into the floor.

        After the window resets, calls are let go only as far as the budget allows: at most
        the limit, less the calls still in flight and the floor, until an answer from the new
        window tells how many are really left. Never every waiting caller at once.

        Returns the time the call is let go, to give back to :meth:`observe`.
        """
        while True:
            with self._lock:
                if self._budget is None or self._budget > self.floor:
                    if self._budget is not None:
                        self._budget -= 1
                    self._inflight += 1
                    return self._clock()
                start = self._window_start if self._window_start is not None else self._clock()
                wait = start + self.window - self._clock()
                if wait <= 0:
                    self._reset()
                    continue
            log.info(
                "burst limit: %s calls left (floor %d); waiting %.1f s for the window to reset",
                self.remaining,
                self.floor,
                wait,
            )
            self.waited_seconds += wait
            self._sleep(wait)
