import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from clocks import FakeClock

from vault_pandas.errors import AuthenticationError
from vault_pandas.transport.auth import Secret, SessionAuth
from vault_pandas.transport.limits import BurstLimiter


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


class FakeVault:
    """Vault's fixed burst window, starting at the first call after the last one ended."""

    def __init__(self, clock, limit, window):
        self.clock, self.limit, self.window = clock, limit, window
        self.start, self.count, self.delayed = None, 0, 0

    def call(self):
        now = self.clock()
        if self.start is None or now - self.start >= self.window:
            self.start, self.count = now, 0
        self.count += 1
        self.delayed += self.count > self.limit
        return max(self.limit - self.count, 0)


def test_after_a_reset_calls_are_released_as_the_budget_allows_not_all_at_once():
    clock = FakeClock()
    vault = FakeVault(clock, limit=10, window=60)
    pending = []  # calls sent whose answers have not arrived

    def sleep(seconds):  # while a worker waits, the answers of the calls in flight arrive
        for sent, remaining in pending:
            clock.now += 0.01
            lim.observe(_h(remaining, limit=10), sent)
        pending.clear()
        clock.sleep(seconds)

    lim = BurstLimiter(floor=2, window=60, clock=clock, sleep=sleep)
    login = lim.acquire()
    lim.observe(_h(vault.call(), limit=10), login)
    windows = [0]
    for _ in range(30):  # 16 workers send as fast as they are let go, answers come later
        waits = len(clock.slept)
        sent = lim.acquire()
        windows += [0] * (len(clock.slept) - waits)
        windows[-1] += 1
        pending.append((sent, vault.call()))
    assert vault.delayed == 0 and lim.delayed_responses == 0
    assert windows == [7, 8, 8, 7]  # the limit less the floor each window, never all at once


def test_calls_in_flight_at_the_reset_count_against_the_new_window():
    clock = FakeClock()
    lim = BurstLimiter(floor=2, window=60, clock=clock, sleep=clock.sleep)
    lim.observe(_h(5, limit=10))
    [lim.acquire() for _ in range(3)]  # 5 -> 2: at the floor, and none answered yet
    lim.acquire()  # waits for the reset, then goes
    assert clock.slept == [60]
    assert lim._budget == 10 - 3 - 1  # the limit, less the 3 still in flight and this one


def test_an_answer_sent_before_the_reset_says_nothing_about_the_new_window():
    clock = FakeClock()
    lim = BurstLimiter(floor=2, window=60, clock=clock, sleep=clock.sleep)
    lim.observe(_h(3, limit=10))
    old = lim.acquire()  # the last call of the old window, answered late
    lim.acquire()  # waits for the reset, then goes
    assert clock.slept == [60]
    lim.observe(_h(0, limit=10), old)  # the old window's count arrives after the reset
    assert lim._budget == 10 - 2  # the limit, less the two calls sent: unchanged by it
    new = lim.acquire()
    clock.now += 0.1
    lim.observe(_h(8, limit=10), new)  # the first answer of the new window sets the count
    assert lim._budget == 8 - 1  # less the call still in flight


# -- session renewals ----------------------------------------------------------------------


def _auth(clock=None, **kwargs):
    sessions = iter(range(1000))
    logins = []

    def login(credentials):
        logins.append(credentials.password.reveal())
        time.sleep(0.05)  # long enough for every refused thread to arrive meanwhile
        return Secret(f"session-{next(sessions)}")

    auth = SessionAuth(username="u", password="pw", clock=clock or time.monotonic, **kwargs)
    return auth, login, logins


def test_many_threads_refused_with_one_session_make_one_login():
    auth, login, logins = _auth()
    stale = auth.session(login)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: auth.renew(stale, login), range(16)))
    assert len(logins) == 2  # the first session, and one renewal for the 16 refused calls
    assert {session for session, _ in answers} == {auth.session(login)} != {stale}
    assert sum(renewed for _, renewed in answers) == 1


def test_a_call_refused_with_an_older_session_takes_the_current_one_without_a_login():
    auth, login, logins = _auth()
    first = auth.session(login)
    second, renewed = auth.renew(first, login)
    assert renewed and len(logins) == 2
    assert auth.renew(first, login) == (second, False)  # renewed meanwhile: no login
    third, renewed = auth.renew(second, login)  # the current session refused: renew again
    assert renewed and third not in (first, second) and len(logins) == 3


def test_renewals_are_bounded_per_window():
    clock = FakeClock()
    auth, login, logins = _auth(clock, max_renewals=3, renewal_window=60)
    session = auth.session(login)
    for _ in range(3):
        clock.now += 1
        session, _ = auth.renew(session, login)
    with pytest.raises(AuthenticationError, match="refused 3 fresh sessions") as err:
        auth.renew(session, login)
    assert err.value.error_type == "INVALID_SESSION_ID" and len(logins) == 4
    clock.now += 58  # the first renewal is a minute old: one more is allowed
    session, renewed = auth.renew(session, login)
    assert renewed and len(logins) == 5
