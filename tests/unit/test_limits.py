from vault_pandas.transport.limits import BurstLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_headers_are_read_case_insensitively_and_delays_counted():
    lim = BurstLimiter()
    lim.observe({"x-vaultapi-burstlimit": "2000", "x-vaultapi-burstlimitremaining": "1999"})
    assert (lim.limit, lim.remaining) == (2000, 1999)
    lim.observe({"x-vaultapi-burstlimitremaining": "1998", "x-vaultapi-responsedelay": "500"})
    assert lim.delayed_responses == 1 and lim.delay_ms_total == 500


def test_floor_makes_the_client_wait_for_the_window():
    clock = FakeClock()
    lim = BurstLimiter(floor=2, window=60, clock=clock, sleep=clock.sleep)
    lim.observe({"x-vaultapi-burstlimit": "10", "x-vaultapi-burstlimitremaining": "4"})
    lim.acquire()  # budget 4 -> 3
    lim.acquire()  # 3 -> 2
    assert clock.slept == []
    lim.acquire()  # at the floor: waits for the window
    assert clock.slept and abs(sum(clock.slept) - 60) < 1e-9


def test_no_headers_never_waits():
    clock = FakeClock()
    lim = BurstLimiter(floor=5, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        lim.acquire()
    assert clock.slept == []


def _h(remaining, limit=20):
    return {"x-vaultapi-burstlimit": str(limit), "x-vaultapi-burstlimitremaining": str(remaining)}


def test_a_late_answer_is_not_taken_for_a_new_window():
    clock = FakeClock()
    lim = BurstLimiter(window=5, clock=clock, sleep=clock.sleep)
    sent = [lim.acquire() for _ in range(4)]
    clock.now += 0.1
    lim.observe(_h(16), sent[3])  # the last call sent was processed first
    assert lim._budget == 16 - 3  # the three still in flight may count after it
    lim.observe(_h(17), sent[2])
    lim.observe(_h(18), sent[1])  # late answers carry higher counts: same window
    assert lim._budget == 13
    clock.now += 5  # now the window has really ended
    late = lim.acquire()
    lim.observe(_h(19), late)
    assert lim._budget == 19 - lim._inflight
