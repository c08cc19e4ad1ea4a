"""Finding the burst window's reset with one probe at a time (transport/limits.py), fake clock."""

import pytest
from clocks import FakeClock

from vault_pandas.transport.limits import BurstLimiter


class FakeVault:
    """Vault's fixed window (from the first call after the last one ended), delays past it."""

    def __init__(self, clock, limit, window, used=0, started=None):
        self.clock, self.limit, self.window = clock, limit, window
        self.start, self.count = started, used
        self.delayed = 0

    def call(self):
        now = self.clock()
        if self.start is None or now - self.start >= self.window:
            self.start, self.count = now, 0
        self.count += 1
        delayed = self.count > self.limit
        self.delayed += delayed
        headers = {
            "x-vaultapi-burstlimit": str(self.limit),
            "x-vaultapi-burstlimitremaining": str(max(self.limit - self.count, 0)),
        }
        if delayed:
            headers["x-vaultapi-responsedelay"] = "500"
        return headers, delayed


def _load(lim, vault, clock, calls, latency=1.0):
    """Send ``calls`` one after another; returns the times the answers came."""
    times = []
    for _ in range(calls):
        sent = lim.acquire()
        headers, delayed = vault.call()
        clock.now += latency + (0.5 if delayed else 0.0)
        lim.observe(headers, sent)
        times.append(clock.now)
    return times


def test_a_window_begun_by_others_is_probed_not_waited_for():
    clock = FakeClock()
    # others spent 1990 of 2000 calls in the 200 s before our first call: reset in 100 s
    vault = FakeVault(clock, limit=2000, window=300, used=1990, started=clock.now - 200)
    lim = BurstLimiter(window=300, clock=clock, sleep=clock.sleep)
    times = _load(lim, vault, clock, 200)
    first_after_reset = next(t for t in times if t > vault.start)
    assert vault.start == 1100.0  # the reset Vault made, 100 s in
    assert first_after_reset - 1100.0 < 2.0  # found within a probe, not 300 s after
    assert lim.probes >= 1 and lim.known
    assert sum(clock.slept) == 0  # one caller: it was the probe each time, never waiting
    # the probes were the only delayed calls: each cost Vault's delay, not a window
    assert vault.delayed == lim.delayed_responses == lim.probes - 1


def test_once_the_window_is_known_no_call_is_delayed():
    clock = FakeClock()
    vault = FakeVault(clock, limit=20, window=60, used=15, started=clock.now - 30)
    lim = BurstLimiter(window=60, clock=clock, sleep=clock.sleep)
    _load(lim, vault, clock, 40, latency=0.5)  # through the probed reset (30 s in)
    assert lim.known
    delayed = vault.delayed
    _load(lim, vault, clock, 100, latency=0.5)  # five more windows
    assert vault.delayed == delayed  # zero self-inflicted delays
    assert sum(clock.slept) > 0  # it waited for the known resets instead


def test_at_most_one_probe_in_flight():
    clock = FakeClock()
    vault = FakeVault(clock, limit=10, window=300, used=8, started=clock.now - 10)
    lim = BurstLimiter(window=300, clock=clock, sleep=clock.sleep)
    _load(lim, vault, clock, 2)  # the 2 calls left
    probe = lim.acquire()  # used up, start unknown: this one goes as a probe
    assert lim.probes == 1 and clock.slept == []
    answered = []

    def sleep(seconds):  # a second caller waits; meanwhile the probe's (delayed) answer comes
        assert lim.probes == 1  # no second probe while the first is out
        clock.sleep(seconds)
        if not answered:
            headers, _ = vault.call()
            answered.append(headers)
            lim.observe(headers, probe)

    lim._sleep = sleep
    lim.acquire()  # waits for the probe's answer, then goes as the next probe
    assert answered and lim.probes == 2
    assert 0 < sum(clock.slept) < 1  # polled, never a window


def test_a_window_that_is_all_ours_is_known_and_waited_for():
    clock = FakeClock()
    vault = FakeVault(clock, limit=5, window=60)
    lim = BurstLimiter(window=60, clock=clock, sleep=clock.sleep)
    _load(lim, vault, clock, 12, latency=0.1)
    assert lim.probes == 0 and vault.delayed == 0
    assert sum(clock.slept) > 100  # two resets, waited for


def test_with_a_floor_it_waits_rather_than_spend_the_floor():
    clock = FakeClock()
    vault = FakeVault(clock, limit=20, window=60, used=10, started=clock.now - 30)
    lim = BurstLimiter(floor=5, window=60, clock=clock, sleep=clock.sleep)
    _load(lim, vault, clock, 10, latency=0.1)
    assert lim.probes == 0 and vault.delayed == 0
    assert sum(clock.slept) > 0


def test_listeners_hear_latency_and_delays_and_can_leave():
    clock = FakeClock()
    lim = BurstLimiter(window=60, clock=clock, sleep=clock.sleep)
    heard = []
    leave = lim.subscribe(lambda latency, delayed: heard.append((latency, delayed)))
    sent = lim.acquire()
    clock.now += 1.5
    lim.observe({"x-vaultapi-responsedelay": "500"}, sent)
    lim.observe(None, lim.acquire())  # no answer: no latency
    leave()
    lim.observe({}, lim.acquire())
    assert heard == [(1.5, True), (None, False)]


def test_budget_left_counts_above_the_floor_and_to_the_reset():
    clock = FakeClock()
    lim = BurstLimiter(floor=3, window=60, clock=clock, sleep=clock.sleep)
    assert lim.budget_left() == (None, None)
    lim.observe({"x-vaultapi-burstlimit": "20", "x-vaultapi-burstlimitremaining": "19"})
    clock.now += 10
    lim.acquire()
    assert lim.budget_left() == (19 - 1 - 3, 50.0)


def test_a_known_window_is_handed_to_another_process():
    clock = FakeClock()
    vault = FakeVault(clock, limit=20, window=60)
    driver = BurstLimiter(window=60, clock=clock, sleep=clock.sleep)
    _load(driver, vault, clock, 2)  # every call of the window is the driver's: known
    epoch = driver.window_epoch()
    assert driver.known and epoch is not None
    worker = BurstLimiter(window=60, clock=clock, sleep=clock.sleep)
    worker.adopt_window(epoch)
    assert worker.known and worker.budget_left()[1] == pytest.approx(
        driver.budget_left()[1], abs=0.1
    )
    _load(worker, vault, clock, 23)  # past the window's budget: it waits for the known reset
    assert vault.delayed == 0 and worker.probes == 0 and sum(clock.slept) > 0
    assert BurstLimiter(window=60, clock=clock).window_epoch() is None  # nothing seen yet
