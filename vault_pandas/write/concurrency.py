"""How many requests a load keeps in flight when ``max_workers=None``: the control rule (pure)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from vault_pandas import config

# The control rule, in short:
#   1. Budget. Vault allows ``calls_left`` more calls (less the floor) in the ``seconds_left``
#      of its window. Spending them evenly is a rate r = calls_left / seconds_left, and by
#      Little's law that rate needs r x latency requests in flight (latency: a moving average
#      of the answers heard). When the load's remaining requests fit twice in the budget there
#      is nothing to pace: the cap. Near a window's end never more than half of what is left
#      (another process may be spending the same budget).
#   2. Strain. A ceiling, at the cap until trouble, is multiplied by ADAPTIVE_BACKOFF (at most
#      once a latency) when Vault answers RACE_CONDITION / OPERATION_IN_PROGRESS (or a call is
#      retried), delays a response, or the latency climbs past ADAPTIVE_LATENCY_RISE times its
#      recent minimum. It then grows back by one per round trip (one per ``ceiling`` answers).
#   3. target = min(budget, ceiling), within [1, cap]; before any answer, ADAPTIVE_START.

STRAIN = frozenset({"RACE_CONDITION", "OPERATION_IN_PROGRESS"})  # error types that mean back off
_SMOOTHING = 0.2  # weight of a new latency in the moving average


class AdaptiveConcurrency:
    """The number of requests to keep in flight, from the burst budget and observed latency.

    Thread-safe: workers report answers, the sending loop asks for :meth:`target`.

    Parameters
    ----------
    cap : int
        The most requests in flight (the pool's size).
    start : int
        Requests in flight before the first answer gives a latency.
    clock : callable
        Seconds, monotonic (a fake one in tests).

    Examples
    --------
    >>> now = [0.0]
    >>> ctl = AdaptiveConcurrency(cap=32, start=8, clock=lambda: now[0])
    >>> ctl.target(calls_left=None, seconds_left=None)
    8
    >>> for _ in range(8):
    ...     ctl.answered(2.0)
    >>> ctl.target(calls_left=600, seconds_left=100.0)  # 6 calls/s x 2 s
    12
    """

    def __init__(
        self,
        cap: int = config.ADAPTIVE_CAP,
        start: int = config.ADAPTIVE_START,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cap = max(1, int(cap))
        self.start = max(1, min(int(start), self.cap))
        self._clock = clock
        self._lock = threading.Lock()
        self.latency: float | None = None  # moving average of answers' latencies
        self._recent: deque[float] = deque(maxlen=config.ADAPTIVE_BASELINE_SAMPLES)
        self.ceiling = float(self.cap)  # lowered on strain, grown back slowly
        self._calm_until = -math.inf  # no second back-off for the same episode
        self._last_target = self.start
        self.backoffs = 0
        self.reasons: dict[str, int] = {}

    @property
    def baseline(self) -> float | None:
        """The lowest latency among the recent answers."""
        with self._lock:
            return min(self._recent) if self._recent else None

    def answered(self, latency: float | None, *, delayed: bool = False) -> None:
        """One answer heard: its latency (``None``: no answer came) and whether Vault delayed it."""
        with self._lock:
            if latency is not None and not delayed:  # a delay says nothing of the vault's load
                latency = max(float(latency), 1e-6)
                self.latency = (
                    latency
                    if self.latency is None
                    else (1 - _SMOOTHING) * self.latency + _SMOOTHING * latency
                )
                self._recent.append(latency)
            baseline = min(self._recent) if self._recent else None
            rising = (
                baseline is not None
                and self.latency is not None
                and len(self._recent) >= 4
                and self.latency > config.ADAPTIVE_LATENCY_RISE * baseline
            )
            if delayed or rising:
                self._back_off("delayed" if delayed else "latency")
            elif self._last_target >= self._whole_ceiling() and self.ceiling < self.cap:
                self.ceiling = min(self.cap, self.ceiling + 1 / self._whole_ceiling())

    def _whole_ceiling(self) -> int:
        return max(1, int(self.ceiling + 1e-9))  # 1/9 nine times is 1 here

    def strained(self, why: str) -> None:
        """Vault asked to slow down (``RACE_CONDITION``, ``OPERATION_IN_PROGRESS``, a retry)."""
        with self._lock:
            self._back_off(why)

    def _back_off(self, why: str) -> None:
        now = self._clock()
        if now < self._calm_until:
            return
        self.ceiling = max(1.0, min(self.ceiling, self._last_target) * config.ADAPTIVE_BACKOFF)
        self._calm_until = now + (self.latency or 0.0)
        self.backoffs += 1
        self.reasons[why] = self.reasons.get(why, 0) + 1

    def target(
        self, calls_left: int | None, seconds_left: float | None, work_left: int | None = None
    ) -> int:
        """Requests to keep in flight now.

        Parameters
        ----------
        calls_left : int or None
            Calls still allowed in the window above the floor (``None``: not known yet).
        seconds_left : float or None
            Until the window resets (``None`` or 0: not known; the whole budget is usable).
        work_left : int, optional
            Requests the load still has to send, at least.
        """
        with self._lock:
            if self.latency is None:
                want = self.start
            elif calls_left is None:
                want = self.cap
            else:
                want = self._budget_target(max(0, calls_left), seconds_left, work_left)
            want = min(want, self._whole_ceiling())
            self._last_target = max(1, min(self.cap, want))
            return self._last_target

    def _budget_target(self, calls: int, seconds: float | None, work_left: int | None) -> int:
        assert self.latency is not None
        if work_left is not None and calls >= 2 * work_left:
            return self.cap  # the rest of the load fits the budget: no pacing
        if not seconds or seconds <= 0:
            return max(1, math.ceil(calls / 2))
        rate = calls / max(seconds, self.latency)
        return min(math.ceil(rate * self.latency - 1e-9), max(1, math.ceil(calls / 2)))
