"""Retry policy (backoff with jitter, attempts and a time budget) and the client's counters."""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field

from vault_pandas import config

log = logging.getLogger("vault_pandas")


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff with full jitter, bounded by attempts and by a total time budget (seconds)."""

    attempts: int = config.RETRY_ATTEMPTS
    base: float = config.RETRY_BASE
    cap: float = config.RETRY_CAP
    budget: float = config.RETRY_BUDGET

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        return random.uniform(0, min(self.cap, self.base * 2 ** (attempt - 1)))

    def wait(
        self,
        attempt: int,
        started: float,
        why: object,
        stats: RequestStats,
        cancel: threading.Event | None = None,
    ) -> bool:
        """Sleep before the attempt after ``attempt``; False when attempts or budget are spent.

        ``started``: the first attempt's ``time.monotonic()``. A set ``cancel`` ends the sleep
        early (the caller then starts no attempt).
        """
        if attempt >= self.attempts:
            return False
        wait = self.delay(attempt)
        if time.monotonic() - started + wait > self.budget:
            return False
        log.info("retrying in %.2f s (attempt %d): %s", wait, attempt + 1, why)
        stats.add(retries=1)
        if cancel is not None:
            cancel.wait(wait)
        else:
            time.sleep(wait)
        return True


@dataclass
class RequestStats:
    """Counters a load reports in its summary."""

    requests: int = 0
    retries: int = 0
    renewals: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for key, value in counts.items():
                setattr(self, key, getattr(self, key) + value)
