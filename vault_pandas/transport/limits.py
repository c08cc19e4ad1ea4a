"""Vault's burst limit as the client sees it: read from response headers, paced before sending."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from vault_pandas.config import BURST_FLOOR, BURST_PROBE_POLL, BURST_WINDOW

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


Listener = Callable[[float | None, bool], None]  # (latency or None: no answer, delayed)


class BurstLimiter:
    """Tracks the burst limit and keeps a floor of calls free for the vault's other users.

    When the budget runs out in the first window seen and the client cannot tell when that
    window began (other callers spent part of it before the first answer), it does not wait a
    whole window: with a floor of 0 it lets one call at a time go as a probe; a probe answered
    with a higher count shows the reset (a probe answered late costs Vault's delay, 500 ms,
    where a blind wait costs up to the window, 300 s). A window whose start is known (a reset
    seen, or every call of the window ours) is never overrun: zero self-inflicted delays.
    With a floor, the calls left are promised to others, so the client waits instead.

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
        self.sent = 0  # calls let go by acquire
        self.known = False  # the current window's start is known, not just bounded
        self._probe: float | None = None  # sent_at of the probe in flight
        self.probes = 0
        self._listeners: list[Listener] = []
        self._others: deque[tuple[float, int]] = deque()  # (when, calls others made), a window
        self._first_seen: float | None = None
        # ours in the current window, at most: those sent since it began, plus those that may
        # have reached Vault after its true start (in flight or sent within one round trip)
        self._sent_at_start = 0
        self._ours_before_start = 0
        self._others_seen = 0  # calls of others counted so far in this window
        self._used_base = 0  # calls spent when a window of unknown start was first seen
        self._recent_sends: deque[float] = deque(maxlen=256)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(latency, delayed)`` after every answer; returns the unsubscribe.

        ``latency`` is seconds from :meth:`acquire` to the answer (``None`` when no answer
        came); ``delayed`` whether Vault delayed it. Listeners run in the caller's thread.
        """
        with self._lock:
            self._listeners = [*self._listeners, listener]

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = [fn for fn in self._listeners if fn is not listener]

        return unsubscribe

    def window_epoch(self) -> float | None:
        """The wall-clock time (``time.time``) the current window began, when it is known.

        For another process that will spend the same budget (a cluster's workers): with it,
        that process knows the window from its first call instead of probing for its reset.
        """
        with self._lock:
            if not self.known or self._window_start is None:
                return None
            return time.time() - (self._clock() - self._window_start)

    def adopt_window(self, epoch: float) -> None:
        """Take the current window's start (from :meth:`window_epoch` of another process).

        Only before this limiter has seen a window of its own. The calls already counted in it
        are unknown: every answer's count tells them, and other callers' calls show as others'.
        """
        with self._lock:
            if self._window_start is not None:
                return
            self._window_start = self._clock() - max(0.0, time.time() - epoch)
            self._low = 1 << 62  # the first answer continues this window, not a new one
            self.known = True

    def budget_left(self) -> tuple[int | None, float | None]:
        """Calls still to send in this window above the floor, and seconds until it resets.

        ``None`` for what no answer has told yet; the seconds are counted from the latest
        moment the window can have begun.
        """
        with self._lock:
            spare = self.floor + self._reserve()
            calls = None if self._budget is None else max(0, self._budget - spare)
            start = self._window_start
            seconds = None if start is None else max(0.0, start + self.window - self._clock())
            return calls, seconds

    def observe(self, headers: Mapping[str, str] | None, sent_at: float | None = None) -> None:
        """Record the limit headers of a response; ``None`` when a sent call got no answer.

        Every :meth:`acquire` is matched by one ``observe``, so the limiter knows how many
        calls are in flight. Answers of concurrent calls arrive out of order: a higher count
        is taken as a new window only when the call (sent at ``sent_at``, from
        :meth:`acquire`) went out late enough for the window to have ended, and the answer
        of a call sent before the current window began says nothing about it.
        """
        answered = headers is not None
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
            probe = self._probe is not None and sent_at == self._probe
            if probe:
                self._probe = None
            if remaining is not None and (
                self._new_window(remaining, sent_at) or self._probe_saw_reset(probe, remaining)
            ):
                # a later window, or the first one with only our calls in it: its start is known
                self.known = self._window_start is not None or (
                    self.limit is not None and self.limit - remaining <= self.sent
                )
                self._window_start = now  # it started at the latest now
                self._mark_window_start(now, (self.limit or remaining) - remaining, 1)
                self._budget = remaining - self._inflight
                self._low = remaining
            elif remaining is not None and not self._stale(sent_at):
                budget = self._budget if self._budget is not None else remaining
                self._count_others(now, remaining)
                self._budget = min(budget, remaining)
                self._low = remaining if self._low is None else min(self._low, remaining)
            if remaining is not None:
                self.remaining = remaining
                self._first_seen = now if self._first_seen is None else self._first_seen
            if delay:
                self.delayed_responses += 1
                self.delay_ms_total += delay
            listeners = self._listeners
        if delay:
            log.warning(
                "Vault is delaying responses by %d ms: the burst limit of this vault is used "
                "up until its window resets",
                delay,
            )
        latency = now - sent_at if answered and sent_at is not None else None
        for listener in listeners:
            listener(latency, bool(delay))

    def _reserve(self) -> int:
        """Calls to leave for other processes spending the same budget (none seen: 0).

        Their calls show only as counts falling faster than ours; what they may send while
        ours are in flight, unseen, is their rate over the last window times two round trips.
        """
        now = self._clock()
        while self._others and self._others[0][0] < now - self.window:
            self._others.popleft()
        if not self._others or self._first_seen is None:
            return 0
        span = max(min(self.window, now - self._first_seen), self._max_rtt, 1e-3)
        rate = sum(calls for _, calls in self._others) / span
        return math.ceil(rate * 2 * self._max_rtt)

    def _mark_window_start(self, now: float, used: int = 0, answered: int = 0) -> None:
        """A window begins (or, start unknown, is first seen with ``used`` calls spent): what
        of ours may count in it beyond what is sent from now on."""
        early = sum(1 for t in self._recent_sends if t >= now - self._max_rtt)
        self._ours_before_start = self._inflight + early + answered
        self._sent_at_start = self.sent
        self._used_base = used if not self.known else 0
        self._others_seen = 0

    def _count_others(self, now: float, remaining: int) -> None:
        """Calls the vault counted in this window beyond all ours could be: other callers'.

        Only meaningful once the window's start is known (else ours are not all counted).
        """
        if self.limit is None or self._window_start is None:
            return
        ours = self.sent - self._sent_at_start + self._ours_before_start
        others = self.limit - remaining - self._used_base - ours
        if others > self._others_seen:
            self._others.append((now, others - self._others_seen))
            self._others_seen = others

    def _probe_saw_reset(self, probe: bool, remaining: int) -> bool:
        """A probe, sent after the lowest count was read, answered with a higher one."""
        return probe and self._low is not None and remaining > self._low

    def _let_go(self) -> float:
        self._inflight += 1
        self.sent += 1
        now = self._clock()
        self._recent_sends.append(now)
        return now

    def _reset(self) -> None:
        """The window has ended: at most the whole limit is left of the new one."""
        now = self._clock()
        # calls still in flight may be counted in the new window; what else is left is
        # learnt from the first answer to a call sent from now on (older ones are stale)
        self._budget = None if self.limit is None else self.limit - self._inflight
        self._low = None
        self._window_start = now
        self._mark_window_start(now)
        self.known = True

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
                if self._budget is None or self._budget > self.floor + self._reserve():
                    if self._budget is not None:
                        self._budget -= 1
                    return self._let_go()
                start = self._window_start if self._window_start is not None else self._clock()
                wait = start + self.window - self._clock()
                if wait <= 0:
                    self._reset()
                    continue
                if not self.known and self.floor == 0:  # when did this window begin? ask
                    if self._probe is None:
                        self.probes += 1
                        self._probe = self._let_go()
                        log.info("burst limit used up in a window of unknown start: probing")
                        return self._probe
                    wait = min(wait, BURST_PROBE_POLL)  # a probe is out: check back soon
                else:
                    self._log_wait(wait)
            self.waited_seconds += wait
            self._sleep(wait)

    def _log_wait(self, wait: float) -> None:
        log.info(
            "burst limit: %s calls left (floor %d); waiting %.1f s for the window to reset",
            self.remaining,
            self.floor,
            wait,
        )
