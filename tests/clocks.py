"""A fake monotonic clock for tests of pacing: read it, advance it, and record every sleep."""

from __future__ import annotations


class FakeClock:
    """``clock()`` gives ``now``; ``clock.sleep(s)`` records ``s`` and moves ``now`` on."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
