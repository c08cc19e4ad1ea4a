"""VaultClient: the session, sending with retries and pacing, and metadata caching."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from vault_pandas import config
from vault_pandas.errors import NEVER_RETRIED, AuthenticationError, TransportError, VaultAPIError
from vault_pandas.transport import names
from vault_pandas.transport.auth import (
    RETRYABLE_LOGIN_ERRORS,
    Credentials,
    OAuthLogin,
    PasswordLogin,
    Secret,
    SessionAuth,
)
from vault_pandas.transport.discovery import discover, login_url_for, sso_hint
from vault_pandas.transport.http import HttpTransport
from vault_pandas.transport.limits import BurstLimiter
from vault_pandas.transport.responses import VaultResponse, describe, parse_json, refusal
from vault_pandas.transport.retry import RequestStats, RetryPolicy
from vault_pandas.transport.urls import LOOPBACK_NAMES, check_vault, normalise_url

__all__ = [
    "LOOPBACK_NAMES",
    "RETRYABLE_ERRORS",
    "RequestStats",
    "RetryPolicy",
    "VaultClient",
    "VaultResponse",
    "normalise_url",
]

log = logging.getLogger("vault_pandas")

# Request-level Vault error types that mean "nothing was done, try again later".
RETRYABLE_ERRORS = frozenset({"API_LIMIT_EXCEEDED", "RACE_CONDITION", "OPERATION_IN_PROGRESS"})
_FORM = "application/x-www-form-urlencoded"


class VaultClient:
    """A connection to one vault: session, API version, client id, limits and transport.

    Use :func:`vault_pandas.connect` to make one. All calls go through one
    ``requests.Session`` and its keep-alive pool, so a client can be shared by the worker
    threads of a load. ``close()`` (or leaving a ``with`` block) ends a session the client
    made and closes its connections; a session id given by the user is never ended.

    Parameters
    ----------
    url : str
        The vault's address, as accepted by :func:`normalise_url`.
    auth : SessionAuth
        Credentials; the session is created on first use (or at :meth:`login`).
    api_version : str, optional
        For example ``"v25.2"``; sent as given.
    client_id : str, optional
        Sent as ``X-VaultAPI-ClientID`` on every call.
    verify : bool or str, optional
        A CA bundle path, ``True``, or ``False`` (warned). Default: the session's own
        setting (the library's session verifies, with the environment's CA bundle if set).
    session : requests.Session, optional
        The transport of every call, login included; default: one made by the client.
    timeout : float
        Seconds to wait for an answer once a request is sent.
    pool_size : int
        Keep-alive connections kept open (one per worker thread of a load).
    retry : RetryPolicy
        Backoff for retryable errors and for requests that never left this machine.
    burst_floor : int
        Calls of the burst window to leave to the vault's other integrations.
    burst_window : float
        Length of the vault's burst window in seconds.
    """

    def __init__(
        self,
        url: str,
        auth: SessionAuth,
        *,
        api_version: str | None = None,
        client_id: str | None = None,
        verify: bool | str | None = None,
        session: requests.Session | None = None,
        timeout: float = config.READ_TIMEOUT,
        pool_size: int = config.POOL_SIZE,
        retry: RetryPolicy | None = None,
        burst_floor: int = config.BURST_FLOOR,
        burst_window: float = config.BURST_WINDOW,
    ) -> None:
        self.url = normalise_url(url)
        self.api_version = names.check_api_version(api_version or config.DEFAULT_API_VERSION)
        self.client_id = names.check_client_id(client_id or config.DEFAULT_CLIENT_ID)
        self.auth = auth
        self.retry = retry or RetryPolicy()
        self.limiter = BurstLimiter(burst_floor, burst_window)
        self.stats = RequestStats()
        self.timeout = timeout
        self._http = HttpTransport(session, verify=verify, timeout=timeout, pool_size=pool_size)
        self._cache: dict[tuple[str, str], Any] = {}
        self._cache_lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"VaultClient(url={self.url!r}, api_version={self.api_version!r}, "
            f"username={self.auth.username!r}, auth={self.auth.mode!r})"
        )

    def __enter__(self) -> VaultClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def api_url(self) -> str:
        """Base of every API path, e.g. ``https://myvault.veevavault.com/api/v25.2``."""
        return f"{self.url}/api/{self.api_version}"

    # -- session -----------------------------------------------------------------------
    def login(self) -> VaultClient:
        """Log in now (otherwise it happens on the first call); returns the client."""
        self.auth.session(self._login)
        return self

    def _login(self, credentials: Credentials) -> Secret:
        """Make a new session from ``credentials``; safe to repeat, so retried.

        A password logs in at ``POST /api/{version}/auth``; an OAuth token at ``POST
        {login_url}/auth/oauth/session/{profile}`` (a token provider is called once per
        login). A login whose answer is lost did nothing that matters (at worst Vault keeps
        an unused session): network failures and gateway errors are retried like a call
        never sent.
        """
        headers = self._headers(None, _FORM)
        if isinstance(credentials, OAuthLogin):
            url, what = credentials.url, f"OAuth login (profile {credentials.profile!r})"
            headers["Authorization"] = Secret("Bearer " + credentials.token().reveal())
            body: bytes | Secret = credentials.form(urlsplit(self.url).netloc)
        else:
            url, what, body = f"{self.api_url}/auth", "login", credentials.form()
        started = time.monotonic()
        for attempt in range(1, self.retry.attempts + 1):
            sent_at = self.limiter.acquire()
            try:
                resp = self._exchange("POST", url, body, headers, sent_at)
            except NEVER_RETRIED:  # TLS refused, a request that cannot be built: the same again
                raise
            except TransportError as exc:
                transient = exc.status is None or exc.status >= 500
                if transient and self._backoff(attempt, started, exc):
                    continue
                why = f"HTTP {exc.status}" if exc.status else "no answer"
                raise TransportError(
                    f"could not log in to {self.url} after {attempt} attempt(s) "
                    f"({why if exc.sent else 'could not connect'})",
                    sent=False,
                    status=exc.status,
                ) from None
            if resp.response_status in ("SUCCESS", "WARNING"):
                if not resp.payload.get("sessionId"):
                    raise AuthenticationError(f"Vault answered the {what} without a session id")
                check_vault(self.url, resp.payload.get("vaultId"), resp.payload.get("vaultIds"))
                return Secret(str(resp.payload["sessionId"]))
            kinds = resp.error_types
            if kinds & RETRYABLE_LOGIN_ERRORS and attempt < self.retry.attempts:
                wait = self.retry.delay(attempt) + 1.0
                if time.monotonic() - started + wait < self.retry.budget:
                    log.warning("login limit reached; retrying the login in %.1f s", wait)
                    time.sleep(wait)
                    continue
            kind = next(iter(sorted(kinds)), None)
            message = f"{what} to {self.url} failed: {describe(resp)}"
            if isinstance(credentials, PasswordLogin):
                message += self._sso_advice(credentials.username)
            else:
                message += ": Vault refused the access token (expired, revoked, or not for "
                message += "this profile or vault)"
            raise AuthenticationError(message, kind)
        raise AuthenticationError(f"{what} to {self.url} failed")  # pragma: no cover

    def _sso_advice(self, username: str) -> str:
        """Why a password login failed when the user signs in through SSO, else ``""``."""
        try:
            data = discover(self._http, self.login_url, username, None)
        except Exception:  # noqa: BLE001 - advice only: the login's own error is raised
            return ""
        hint = sso_hint(data, username)
        return f". {hint}" if hint else ""

    @property
    def login_url(self) -> str:
        """Vault's login service for OAuth sessions and discovery (a loopback vault: itself)."""
        if isinstance(self.auth.credentials, OAuthLogin):
            return self.auth.credentials.login_url
        return login_url_for(None, self.url)

    # -- sending -----------------------------------------------------------------------
    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool,
        extra_headers: Mapping[str, str] | None = None,
        cancel: threading.Event | None = None,
        on_attempt: Callable[[int], None] | None = None,
    ) -> VaultResponse:
        """Send one API call with session renewal and retries; return Vault's answer.

        ``idempotent`` says whether the call may be repeated when it may have reached Vault
        but its answer was lost; if not, such a loss raises ``TransportError(sent=True)``.
        Request-level Vault failures are returned, not raised (see :meth:`call`). Once
        ``cancel`` is set no attempt starts (backoff sleeps end early): ``TransportError`` is
        raised, with ``sent`` true only if an earlier attempt's answer was lost.
        ``on_attempt(n)`` hears attempt ``n`` just before it leaves (a load journals it).
        """
        url = f"{self.api_url}/{path.lstrip('/')}"
        if params:
            url += "?" + urlencode(params)
        started, attempt, lost = time.monotonic(), 0, False
        session = self._session(None, lost)
        while True:
            if cancel is not None and cancel.is_set():
                raise TransportError(f"{method} {urlsplit(url).path}: cancelled", sent=lost)
            attempt += 1
            sent_at = self.limiter.acquire()
            headers = self._headers(session, content_type, extra_headers)
            if on_attempt is not None:
                on_attempt(attempt)
            try:
                resp = self._exchange(method, url, body, headers, sent_at)
            except NEVER_RETRIED:  # TLS refused, a request that cannot be built: the same again
                raise
            except TransportError as exc:
                if (idempotent or not exc.sent) and self._backoff(attempt, started, exc, cancel):
                    lost = lost or exc.sent
                    continue
                raise
            kinds = resp.error_types
            if "INVALID_SESSION_ID" in kinds:  # Vault did nothing: send it again, renewed
                session = self._session(session, lost)
                attempt -= 1  # a refused session is not a failed attempt
                continue
            retryable = resp.response_status == "FAILURE" and kinds & RETRYABLE_ERRORS
            if retryable and self._backoff(attempt, started, kinds, cancel):
                continue
            resp.repeated = lost
            return resp

    def _session(self, refused: Secret | None, lost: bool) -> Secret:
        """The current session, or the renewal of ``refused`` (a login made counts).

        A failed login raises as is; after a lost answer (``lost``), as TransportError(sent=True).
        """
        try:
            if refused is None:
                return self.auth.session(self._login)
            session, renewed = self.auth.renew(refused, self._login)
        except (TransportError, AuthenticationError) as exc:
            if not lost:
                raise
            raise TransportError(
                f"{exc}; an earlier attempt's answer was lost, so its outcome is unknown",
                sent=True,
                status=getattr(exc, "status", None),
            ) from None
        if renewed:
            self.stats.add(renewals=1)
        return session

    def _backoff(
        self, attempt: int, started: float, why: object, cancel: threading.Event | None = None
    ) -> bool:
        return self.retry.wait(attempt, started, why, self.stats, cancel)

    def _headers(
        self,
        session: Secret | None,
        content_type: str | None,
        extra: Mapping[str, str] | None = None,
    ) -> dict[str, str | Secret]:
        """The request headers; the session stays a Secret until it goes on the wire."""
        headers: dict[str, str | Secret] = {
            "Accept": "application/json",
            "X-VaultAPI-ClientID": self.client_id,
        }
        if session is not None:
            headers["Authorization"] = session
        if content_type:
            headers["Content-Type"] = content_type
        if extra:
            headers.update(extra)
        return headers

    def _exchange(
        self,
        method: str,
        url: str,
        body: bytes | Secret | None,
        headers: dict[str, str | Secret],
        sent_at: float,
    ) -> VaultResponse:
        """One HTTP exchange, after ``limiter.acquire`` (which gave ``sent_at``).

        Network failures become ``TransportError`` with ``sent`` set. Secrets (the session in
        ``headers``, a login ``body``) are revealed only for the call to the transport, whose
        frames never appear in the tracebacks raised here.
        """
        path = urlsplit(url).path
        started = time.monotonic()
        self.stats.add(requests=1)
        raw = None
        try:
            raw = self._http.exchange(method, url, body, headers)
        finally:  # every acquire is matched by one observe, answered or not
            self.limiter.observe(raw.headers if raw is not None else None, sent_at)
        elapsed = time.monotonic() - started
        execution_id = raw.headers.get("X-VaultAPI-ExecutionId")
        payload = parse_json(raw.data)
        log.debug(
            "%s %s -> %d %s exec=%s %.1f ms",
            method,
            path,
            raw.status,
            payload.get("responseStatus") if payload else "-",
            execution_id,
            elapsed * 1000,
        )
        if payload is None or "responseStatus" not in payload:
            refused = refusal(raw.status, execution_id, f"{method} {path}")
            if refused is not None:  # Vault's own routing: nothing was done
                return VaultResponse(raw.status, refused, execution_id, elapsed)
            raise TransportError(
                f"{method} {path}: HTTP {raw.status} without a Vault answer (from a proxy or "
                "the network, which may have forwarded it); the outcome is unknown",
                sent=True,
                status=raw.status,
            )
        return VaultResponse(raw.status, payload, execution_id, elapsed)

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Like :meth:`send`, but raise ``VaultAPIError`` unless Vault answered SUCCESS/WARNING."""
        kwargs.setdefault("idempotent", method == "GET")
        resp = self.send(method, path, **kwargs)
        if resp.response_status not in ("SUCCESS", "WARNING"):
            raise VaultAPIError(f"{method} {path}: {describe(resp)}", resp.errors,
                                execution_id=resp.execution_id, method=method, path=path,
                                payload=resp.payload)  # fmt: skip
        return resp.payload

    # -- metadata ----------------------------------------------------------------------
    def object_metadata(self, object_name: str) -> dict[str, Any]:
        """The object's metadata (``GET /metadata/vobjects/{object}``), fetched once."""
        names.check_name(object_name, "object name")
        return self._cached("object", object_name, f"metadata/vobjects/{object_name}")

    def picklist(self, picklist_name: str) -> dict[str, str]:
        """A picklist's values as ``{name: label}``, fetched once."""
        names.check_name(picklist_name, "picklist name")
        payload = self._cached("picklist", picklist_name, f"objects/picklists/{picklist_name}")
        return {str(v["name"]): str(v.get("label", "")) for v in payload.get("picklistValues", [])}

    def configuration(self, *parts: str) -> dict[str, Any]:
        """``GET /configuration/{parts joined by '.'}`` (``"Objecttype", obj, type``), once."""
        key = ".".join(names.check_name(p, "configuration name") for p in parts)
        return self._cached("configuration", key, f"configuration/{key}")

    def _cached(self, kind: str, key: str, path: str) -> dict[str, Any]:
        with self._cache_lock:
            if (kind, key) in self._cache:
                return self._cache[(kind, key)]
        payload = self.call("GET", path)
        with self._cache_lock:
            self._cache[(kind, key)] = payload
        return payload

    def close(self) -> None:
        """End the session this client made (``DELETE /session``) and close connections.

        A session id given to :func:`vault_pandas.connect` is never ended. The client stays
        usable: its next call logs in again (when it holds credentials).
        """
        try:
            self.auth.end(self._logout)
        finally:
            self._http.close()

    def _logout(self, session: Secret) -> None:
        """``DELETE /api/{version}/session``, once; a failure only logs (it is a courtesy)."""
        sent_at = self.limiter.acquire()
        try:
            resp = self._exchange(
                "DELETE", f"{self.api_url}/session", None, self._headers(session, None), sent_at
            )
        except TransportError as exc:
            log.info("the session was not ended: %s", exc)
            return
        if resp.response_status not in ("SUCCESS", "WARNING"):
            log.info("the session was not ended: %s", describe(resp))
