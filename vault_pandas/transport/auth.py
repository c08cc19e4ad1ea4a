"""Credentials as objects: password login or a given session id, and renewal of an expired one."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from vault_pandas import config
from vault_pandas.errors import AuthenticationError

# Login answers carrying these error types mean "try again later", not "wrong password".
RETRYABLE_LOGIN_ERRORS = frozenset({"API_LIMIT_EXCEEDED"})


class Secret:
    """A string that never shows itself in ``repr``/``str`` (passwords, session ids)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:  # never pickle a secret into a checkpoint or a cache
        raise TypeError("a Secret cannot be pickled")


Login = Callable[[str, Secret], Secret]  # (username, password) -> session id


def login_form(username: str, password: Secret) -> Secret:
    """The form body of a login, itself a Secret (it holds the password)."""
    return Secret(urlencode({"username": username, "password": password.reveal()}))


def reveal_body(body: bytes | Secret | None) -> bytes | None:
    """A request body as sent: a Secret body revealed and encoded, as late as possible."""
    return body.reveal().encode() if isinstance(body, Secret) else body


def wire_headers(headers: Mapping[str, str | Secret]) -> dict[str, str]:
    """Request headers as sent, with Secrets (the session) revealed, as late as possible."""
    return {k: v.reveal() if isinstance(v, Secret) else v for k, v in headers.items()}


def as_secret(value: str | Secret | None) -> Secret | None:
    """``value`` wrapped in a :class:`Secret` (None or empty: None)."""
    if isinstance(value, Secret) or value is None:
        return value
    return Secret(value) if value else None


class SessionAuth:
    """Holds the current session and renews it when Vault says it expired.

    Created with a username and password (it logs in and can log in again), or with a
    session id only (it cannot renew: an expired session is a clear ``AuthenticationError``).
    Renewal is single-flight: when several threads see the same expired session, one logs in
    and the others reuse its new session. Renewals are bounded: more than ``max_renewals``
    logins within ``renewal_window`` seconds means the vault refuses fresh sessions, and the
    next renewal raises ``AuthenticationError`` instead of logging in again.

    The password and session are kept as :class:`Secret` only; the raw arguments are not
    kept in any frame that may raise (tracebacks formatted with their local variables).
    """

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | Secret | None = None,
        session_id: str | Secret | None = None,
        max_renewals: int = config.RENEWALS_PER_MINUTE,
        renewal_window: float = config.RENEWAL_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.username = username
        self._password = as_secret(password)
        self._session = as_secret(session_id)
        del password, session_id  # only the Secrets stay in this frame
        if self._session is None and not (username and self._password):
            raise AuthenticationError(
                "give a username and password, or a session id (or set VAULT_USERNAME and "
                "VAULT_PASSWORD, or VAULT_SESSION_ID)"
            )
        self.max_renewals = max_renewals
        self.renewal_window = renewal_window
        self._clock = clock
        self._renewed_at: deque[float] = deque()
        self._lock = threading.Lock()
        self.logins = 0

    def __repr__(self) -> str:
        mode = "password" if self._password else "session id"
        return f"SessionAuth(username={self.username!r}, mode={mode!r})"

    @property
    def can_renew(self) -> bool:
        """True when the stored credentials allow logging in again."""
        return self._password is not None

    def session(self, login: Login) -> Secret:
        """Return the current session, logging in first if there is none."""
        with self._lock:
            if self._session is None:
                self._login(login)
            assert self._session is not None
            return self._session

    def renew(self, stale: Secret, login: Login) -> tuple[Secret, bool]:
        """The session to use instead of ``stale``, which Vault refused.

        When another thread renewed since ``stale`` was handed out, its session is returned
        without a login; otherwise one thread logs in while the others wait for it.

        Returns
        -------
        tuple of (Secret, bool)
            The session, and whether this call logged in (a renewal).

        Raises
        ------
        AuthenticationError
            Only a session id was given, or the vault refused ``max_renewals`` fresh
            sessions within ``renewal_window`` seconds (error type ``INVALID_SESSION_ID``).
        """
        with self._lock:
            if self._session is not None and self._session != stale:
                return self._session, False
            if not self.can_renew:
                raise AuthenticationError(
                    "the Vault session expired and only a session id was given, so it cannot "
                    "be renewed: connect again with a new session id or with a username and "
                    "password",
                    error_type="INVALID_SESSION_ID",
                )
            now = self._clock()
            while self._renewed_at and now - self._renewed_at[0] >= self.renewal_window:
                self._renewed_at.popleft()
            if len(self._renewed_at) >= self.max_renewals:
                raise AuthenticationError(
                    f"Vault refused {len(self._renewed_at)} fresh sessions within "
                    f"{self.renewal_window:.0f} s, so the session is not renewed again "
                    f"(at most {self.max_renewals} renewals a minute): check the vault's "
                    "session settings and the user's access",
                    error_type="INVALID_SESSION_ID",
                )
            self._renewed_at.append(now)
            self._login(login)
            assert self._session is not None
            return self._session, True

    def _login(self, login: Login) -> None:
        assert self.username is not None and self._password is not None
        self._session = login(self.username, self._password)
        self.logins += 1
