"""The adaptive concurrency rule (write/concurrency.py), with a fake clock and fake latencies."""

from clocks import FakeClock

from vault_pandas.write.concurrency import AdaptiveConcurrency


def _ctl(cap=32, start=8):
    clock = FakeClock(0.0)
    return AdaptiveConcurrency(cap=cap, start=start, clock=clock), clock


def _hear(ctl, latency, n):
    for _ in range(n):
        ctl.answered(latency)


def test_before_any_answer_it_keeps_the_start():
    ctl, _ = _ctl()
    assert ctl.target(calls_left=None, seconds_left=None) == 8
    assert ctl.target(calls_left=2000, seconds_left=300.0) == 8


def test_littles_law_from_the_budget_rate_and_the_latency():
    ctl, _ = _ctl()
    _hear(ctl, 3.0, 8)
    # 2000 calls in 300 s: 6.67 calls/s; at 3 s each, 20 in flight
    assert ctl.target(calls_left=2000, seconds_left=300.0) == 20
    # half the budget left with half the window: the same rate
    assert ctl.target(calls_left=1000, seconds_left=150.0) == 20
    # behind schedule: more budget than time, more in flight
    assert ctl.target(calls_left=1000, seconds_left=100.0) == 30


def test_between_one_and_the_cap():
    ctl, _ = _ctl(cap=16)
    _hear(ctl, 3.0, 8)
    assert ctl.target(calls_left=10_000, seconds_left=60.0) == 16
    assert ctl.target(calls_left=0, seconds_left=60.0) == 1
    assert ctl.target(calls_left=1, seconds_left=300.0) == 1


def test_latency_changes_the_target():
    ctl, _ = _ctl()
    _hear(ctl, 0.2, 20)
    fast = ctl.target(calls_left=2000, seconds_left=300.0)
    assert fast == 2  # 6.67 calls/s x 0.2 s
    # a vault that keeps answering in 1 s without strain (not a climb: compare over time)
    ctl2, _ = _ctl()
    _hear(ctl2, 1.0, 20)
    assert ctl2.target(calls_left=2000, seconds_left=300.0) == 7


def test_near_the_window_end_at_most_half_of_what_is_left():
    ctl, _ = _ctl()
    _hear(ctl, 3.0, 8)
    assert ctl.target(calls_left=10, seconds_left=1.0) == 5


def test_the_rest_of_the_load_fits_the_budget_no_pacing():
    ctl, _ = _ctl()
    _hear(ctl, 3.0, 8)
    assert ctl.target(calls_left=100, seconds_left=300.0, work_left=50) == 32
    assert ctl.target(calls_left=100, seconds_left=300.0, work_left=60) == 1  # paced: 1.0


def test_race_condition_halves_and_growth_is_slow():
    ctl, clock = _ctl()
    _hear(ctl, 1.0, 8)
    assert ctl.target(10_000, 60.0) == 32
    ctl.strained("RACE_CONDITION")
    assert ctl.target(10_000, 60.0) == 16
    ctl.strained("RACE_CONDITION")  # the same episode (within a latency): once
    assert ctl.target(10_000, 60.0) == 16
    clock.now += 1.5
    ctl.strained("OPERATION_IN_PROGRESS")
    assert ctl.target(10_000, 60.0) == 8
    # one more per round trip: 8 answers -> 9, 9 more -> 10
    _hear(ctl, 1.0, 8)
    assert ctl.target(10_000, 60.0) == 9
    _hear(ctl, 1.0, 9)
    assert ctl.target(10_000, 60.0) == 10
    assert ctl.reasons == {"RACE_CONDITION": 1, "OPERATION_IN_PROGRESS": 1}


def test_backoff_cuts_from_what_was_in_flight_not_from_an_unused_ceiling():
    ctl, _ = _ctl()
    _hear(ctl, 3.0, 8)
    assert ctl.target(2000, 300.0) == 20  # the budget binds, not the ceiling (32)
    ctl.strained("retry")
    assert ctl.target(2000, 300.0) == 10


def test_a_delayed_response_backs_off_and_its_latency_is_not_taken():
    ctl, _ = _ctl()
    _hear(ctl, 1.0, 8)
    assert ctl.target(10_000, 60.0) == 32
    ctl.answered(1.5, delayed=True)
    assert ctl.latency == 1.0
    assert ctl.target(10_000, 60.0) == 16
    assert ctl.reasons == {"delayed": 1}


def test_climbing_latency_backs_off_until_it_falls():
    ctl, clock = _ctl()
    _hear(ctl, 1.0, 10)
    assert ctl.target(10_000, 60.0) == 32
    for _ in range(30):  # the vault struggles: answers take 4 s
        clock.now += 0.5
        ctl.answered(4.0)
        ctl.target(10_000, 60.0)
    assert ctl.reasons.get("latency", 0) >= 2
    assert ctl.target(10_000, 60.0) <= 8
    low = ctl.target(10_000, 60.0)
    for _ in range(200):  # recovered: it grows back, slowly
        clock.now += 0.1
        ctl.answered(1.0)
        ctl.target(10_000, 60.0)
    assert low < ctl.target(10_000, 60.0) <= 32


def test_steady_latency_never_backs_off():
    ctl, clock = _ctl()
    for i in range(500):
        clock.now += 0.05
        ctl.answered(1.0 + 0.3 * (i % 3))  # jitter within 2x of the minimum
        ctl.target(2000, 300.0)
    assert ctl.backoffs == 0
