"""Credentials as objects: password login or a given session id, and renewal of an expired one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

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


Login = Callable[[str, str], str]  # (username, password) -> session id


class SessionAuth:
    """Holds the current session and renews it once when Vault says it expired.

    Created with a username and password (it logs in and can log in again), or with a
    session id only (it cannot renew: an expired session is a clear ``AuthenticationError``).
    Renewal is serialised: when several threads see the same expired session, one logs in
    and the others reuse its new session.
    """

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        session_id: str | None = None,
    ) -> None:
        if session_id is None and not (username and password):
            raise AuthenticationError(
                "give a username and password, or a session id (or set VAULT_USERNAME and "
                "VAULT_PASSWORD, or VAULT_SESSION_ID)"
            )
        self.username = username
        self._password = Secret(password) if password else None
        self._session = Secret(session_id) if session_id else None
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

    def renew(self, stale: Secret, login: Login) -> Secret:
        """Replace ``stale`` with a new session, unless another thread already did."""
        with self._lock:
            if self._session is not None and self._session != stale:
                return self._session
            if not self.can_renew:
                raise AuthenticationError(
                    "the Vault session expired and only a session id was given, so it cannot "
                    "be renewed: connect again with a new session id or with a username and "
                    "password",
                    error_type="INVALID_SESSION_ID",
                )
            self._login(login)
            assert self._session is not None
            return self._session

    def _login(self, login: Login) -> None:
        assert self.username is not None and self._password is not None
        self._session = Secret(login(self.username, self._password.reveal()))
        self.logins += 1
