"""Credentials as objects (a password, an OAuth token, a given session id) and session renewal."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from vault_pandas import config
from vault_pandas.errors import AuthenticationError, ConfigurationError
from vault_pandas.transport.characters import header_problem, text_problem

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


def strip_secret(value: Secret) -> Secret:
    """``value`` without surrounding whitespace (a newline or CRLF read from a file)."""
    text = value.reveal()
    return Secret(text.strip()) if isinstance(text, str) else value


@dataclass(frozen=True, repr=False)
class PasswordLogin:
    """A user name and password: ``POST /api/{version}/auth``.

    Any text works (the form body is UTF-8, percent-encoded); a lone surrogate, which no
    encoding can send, is refused here with ``ConfigurationError``, never shown.
    """

    username: str
    password: Secret

    def __post_init__(self) -> None:
        for what, value in (("user name", self.username), ("password", self.password)):
            problem = text_problem(value.reveal() if isinstance(value, Secret) else value)
            if problem is not None:
                raise ConfigurationError(f"the {what} {problem}")

    def __repr__(self) -> str:
        return f"PasswordLogin(username={self.username!r})"

    def form(self) -> Secret:
        """The form body of the login, itself a Secret (it holds the password)."""
        return Secret(urlencode({"username": self.username, "password": self.password.reveal()}))


TokenProvider = Callable[[], str]


class OAuthLogin:
    """An OAuth2/OIDC access token and the Vault profile that accepts it.

    ``POST {login_url}/auth/oauth/session/{profile}`` with ``Authorization: Bearer {token}``
    and the form fields ``vaultDNS`` (always) and ``client_id`` (when given). ``token`` is a
    string (renewals reuse it) or a callable returning a fresh one, called once per login.

    Every token, given or provided, is checked before use: surrounding whitespace (a newline
    read from a file) is removed, and any other character that is not printable ASCII (a
    pasted zero-width space, an emoji, a line break inside) is refused, naming its position
    and code point, never the token: ``ConfigurationError`` for a given token,
    ``AuthenticationError`` (type ``OAUTH_TOKEN``) for a provider's, before anything is sent.
    """

    __slots__ = ("_token", "_provider", "profile", "client_id", "login_url")

    def __init__(
        self,
        token: str | Secret | TokenProvider,
        profile: str,
        *,
        login_url: str,
        client_id: str | None = None,
    ) -> None:
        self._provider: TokenProvider | None = None
        self._token: Secret | None = None
        given = as_secret(token) if isinstance(token, str | Secret) else None
        if callable(token) and not isinstance(token, Secret):
            self._provider = token
        del token  # only a Secret stays in this frame, which may raise
        if self._provider is None and given is None:
            raise ConfigurationError(
                "oauth_token= must be an access token (str) or a callable that returns one"
            )
        if given is not None:
            given = strip_secret(given)
            problem = header_problem(given.reveal())
            if problem is not None:
                raise ConfigurationError(
                    f"the access token (oauth_token= or VAULT_OAUTH_TOKEN) cannot be sent: it "
                    f"{problem}; a token is printable ASCII only (was a character pasted or "
                    "read with it?)"
                )
            self._token = given
        if not isinstance(profile, str) or not profile.strip():
            raise ConfigurationError(
                "oauth_token= needs oauth_profile=, the id of the vault's OAuth 2.0 / OpenID "
                "Connect profile (vault_pandas.auth_type(username) lists a user's profiles)"
            )
        self.profile = profile.strip()
        self.client_id = client_id
        self.login_url = login_url

    def __repr__(self) -> str:
        kind = "provider" if getattr(self, "_provider", None) is not None else "token"
        return f"OAuthLogin(profile={getattr(self, 'profile', None)!r}, {kind}=***)"

    @property
    def url(self) -> str:
        """The session endpoint of the profile."""
        return f"{self.login_url}/auth/oauth/session/{quote(self.profile, safe='')}"

    def token(self) -> Secret:
        """The token for one login: the given one, or a fresh one from the provider."""
        if self._provider is None:
            assert self._token is not None
            return self._token
        fresh = strip_secret(_provided(self._provider))
        problem = header_problem(fresh.reveal())
        if problem is not None:
            raise AuthenticationError(
                f"the oauth_token provider's access token cannot be sent: it {problem}; a "
                "token is printable ASCII only, so nothing was sent",
                "OAUTH_TOKEN",
            )
        return fresh

    def form(self, vault_dns: str) -> bytes:
        """The form body: ``vaultDNS`` always (else Vault picks a vault), ``client_id``."""
        fields = {"vaultDNS": vault_dns}
        if self.client_id:
            fields["client_id"] = self.client_id
        return urlencode(fields).encode()


def _checked_session_id(session_id: Secret | None) -> Secret | None:
    """A given session id without surrounding whitespace; refused if a header cannot carry it."""
    if session_id is None:
        return None
    session_id = strip_secret(session_id)
    problem = header_problem(session_id.reveal())
    if problem is not None:
        raise ConfigurationError(
            f"the session id (session_id= or VAULT_SESSION_ID) cannot be sent: it {problem}; "
            "a session id is printable ASCII only (was a character pasted or read with it?)"
        )
    return session_id


def _provided(provider: TokenProvider) -> Secret:
    """What ``provider`` returns, as a Secret at once; its failure without its locals."""
    try:
        fresh: object = provider()
    except Exception as exc:  # the provider's own failure, without its locals
        raise AuthenticationError(
            f"the oauth_token provider failed: {type(exc).__name__}", "OAUTH_TOKEN"
        ) from None
    kind = type(fresh).__name__
    secret = (
        fresh if isinstance(fresh, Secret) else Secret(fresh) if isinstance(fresh, str) else None
    )
    del fresh  # e.g. an MSAL result dict holding the token: not kept in a frame that raises
    if secret is None or not str(secret.reveal()).strip():
        kind += ": return its ['access_token']" if kind == "dict" else ""
        raise AuthenticationError(
            f"the oauth_token provider returned no access token ({kind}); it must return a "
            "non-empty str",
            "OAUTH_TOKEN",
        )
    return secret


Credentials = PasswordLogin | OAuthLogin
Login = Callable[[Credentials], Secret]  # credentials -> a new session id


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

    Created with a username and password or an :class:`OAuthLogin` (it logs in, and can log
    in again), or with a session id only (it cannot renew: an expired session is a clear
    ``AuthenticationError``). Renewal is single-flight: when several threads see the same
    expired session, one logs in and the others reuse its new session. Renewals are bounded:
    more than ``max_renewals`` logins within ``renewal_window`` seconds means the vault
    refuses fresh sessions, and the next renewal raises ``AuthenticationError`` instead of
    logging in again.

    The password, token and session are kept as :class:`Secret` only; the raw arguments are
    not kept in any frame that may raise (tracebacks formatted with their local variables).
    """

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | Secret | None = None,
        session_id: str | Secret | None = None,
        oauth: OAuthLogin | None = None,
        max_renewals: int = config.RENEWALS_PER_MINUTE,
        renewal_window: float = config.RENEWAL_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.username = username
        secret, given = as_secret(password), as_secret(session_id)
        del password, session_id  # only the Secrets stay in this frame
        self.credentials: Credentials | None = oauth  # first: repr() works if the rest raises
        self._session = self._given = _checked_session_id(given)
        if oauth is None and username and secret is not None:
            self.credentials = PasswordLogin(username, secret)
        if self._session is None and self.credentials is None:
            raise AuthenticationError(
                "give a username and password, an OAuth token and profile, or a session id "
                "(or set VAULT_USERNAME and VAULT_PASSWORD, or VAULT_SESSION_ID)"
            )
        self.max_renewals = max_renewals
        self.renewal_window = renewal_window
        self._clock = clock
        self._renewed_at: deque[float] = deque()
        self._lock = threading.Lock()
        self.logins = 0

    def __repr__(self) -> str:
        return f"SessionAuth(username={self.username!r}, mode={self.mode!r})"

    @property
    def mode(self) -> str:
        """How sessions are made: ``"password"``, ``"oauth"`` or ``"session id"``."""
        if isinstance(self.credentials, OAuthLogin):
            return "oauth"
        return "password" if self.credentials is not None else "session id"

    @property
    def can_renew(self) -> bool:
        """True when the stored credentials allow logging in again."""
        return self.credentials is not None

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
                    "be renewed: connect again with a new session id, a username and "
                    "password, or an OAuth token",
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

    def end(self, logout: Callable[[Secret], None]) -> bool:
        """Forget the current session; ``logout`` ends it in Vault if this library made it.

        A session id the user gave is never ended (it may be theirs elsewhere). The next call
        logs in again, when the credentials allow. Returns whether ``logout`` was called.
        """
        with self._lock:
            session, self._session = self._session, None
            if session is None or session == self._given:
                self._session = session
                return False
        logout(session)
        return True

    def _login(self, login: Login) -> None:
        assert self.credentials is not None
        session = login(self.credentials)
        problem = header_problem(session.reveal())
        if problem is not None:  # it could never be sent back in a header
            raise AuthenticationError(f"Vault answered the login with a session id that {problem}")
        self._session = session
        self.logins += 1
