"""Retry policies the tests share: quick backoff, so a test spends milliseconds on retries."""

from __future__ import annotations

from vault_pandas import RetryPolicy

#: Six attempts, 10-50 ms apart, within 30 s: a load's retries without the real waits.
FAST_RETRY = RetryPolicy(attempts=6, base=0.01, cap=0.05, budget=30)
#: Four attempts, for the login and connection tests.
FAST_LOGIN = RetryPolicy(attempts=4, base=0.01, cap=0.05, budget=30)
