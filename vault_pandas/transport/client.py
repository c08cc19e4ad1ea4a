"""VaultClient: the session, sending with retries and pacing, and metadata caching."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
)

from vault_pandas import config
from vault_pandas.errors import AuthenticationError, TransportError, VaultAPIError
from vault_pandas.transport import names
from vault_pandas.transport.auth import (
    RETRYABLE_LOGIN_ERRORS,
    Secret,
    SessionAuth,
    login_form,
    reveal_body,
    wire_headers,
)
from vault_pandas.transport.limits import BurstLimiter
from vault_pandas.transport.pool import make_pool
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
# Failures where the request cannot have reached Vault: always safe to repeat. Any HTTP answer
# (a proxy's 400/403/407/502 page may follow Vault's processing) counts as sent; so does a
# refused proxy CONNECT (urllib3 reports it as a dropped connection; this client opens none).
_NOT_SENT = (NewConnectionError, NameResolutionError, ConnectTimeoutError)
_FORM = "application/x-www-form-urlencoded"


class VaultClient:
    """A connection to one vault: session, API version, client id, limits and transport.

    Use :func:`vault_pandas.connect` to make one. All calls go through one thread-safe
    keep-alive connection pool, so a client can be shared by the worker threads of a load.

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
    verify : bool or str
        Verify TLS certificates (default), or a CA bundle path. ``False`` needs to be
        explicit and is warned about.
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
        verify: bool | str = True,
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
        self._pool = make_pool(self.url, verify, pool_size, timeout)
        self._cache: dict[tuple[str, str], Any] = {}
        self._cache_lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"VaultClient(url={self.url!r}, api_version={self.api_version!r}, "
            f"username={self.auth.username!r})"
        )

    @property
    def api_url(self) -> str:
        """Base of every API path, e.g. ``https://myvault.veevavault.com/api/v25.2``."""
        return f"{self.url}/api/{self.api_version}"

    # -- session -----------------------------------------------------------------------
    def login(self) -> VaultClient:
        """Log in now (otherwise it happens on the first call); returns the client."""
        self.auth.session(self._login)
        return self

    def _login(self, username: str, password: Secret) -> Secret:
        """Log in (``POST /auth``) and return the new session; safe to repeat, so retried.

        A login whose answer is lost did nothing that matters (at worst Vault keeps an unused
        session): network failures and gateway errors are retried like a call never sent.
        """
        body = login_form(username, password)
        started = time.monotonic()
        for attempt in range(1, self.retry.attempts + 1):
            sent_at = self.limiter.acquire()
            headers = self._headers(None, _FORM)
            try:
                resp = self._exchange("POST", f"{self.api_url}/auth", body, headers, sent_at)
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
                    raise AuthenticationError("Vault answered the login without a session id")
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
            raise AuthenticationError(f"login to {self.url} failed: {describe(resp)}", kind)
        raise AuthenticationError(f"login to {self.url} failed")  # pragma: no cover

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
    ) -> VaultResponse:
        """Send one API call with session renewal and retries; return Vault's answer.

        ``idempotent`` says whether the call may be repeated when it may have reached Vault
        but its answer was lost; if not, such a loss raises ``TransportError(sent=True)``.
        Request-level Vault failures are returned, not raised (see :meth:`call`). Once
        ``cancel`` is set no attempt starts (backoff sleeps end early): ``TransportError`` is
        raised, with ``sent`` true only if an earlier attempt's answer was lost.
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
            try:
                resp = self._exchange(method, url, body, headers, sent_at)
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

        A login failing on the network raises ``TransportError``; ``sent`` is ``lost``.
        """
        try:
            if refused is None:
                return self.auth.session(self._login)
            session, renewed = self.auth.renew(refused, self._login)
        except TransportError as exc:
            if not lost:
                raise
            raise TransportError(
                f"{exc}; an earlier attempt's answer was lost, so its outcome is unknown",
                sent=True,
                status=exc.status,
            ) from None
        if renewed:
            self.stats.add(renewals=1)
        return session

    def _backoff(
        self, attempt: int, started: float, why: object, cancel: threading.Event | None = None
    ) -> bool:
        if attempt >= self.retry.attempts:
            return False
        wait = self.retry.delay(attempt)
        if time.monotonic() - started + wait > self.retry.budget:
            return False
        log.info("retrying in %.2f s (attempt %d): %s", wait, attempt + 1, why)
        self.stats.add(retries=1)
        if cancel is not None:
            cancel.wait(wait)  # set: the next attempt is not made (see send)
        else:
            time.sleep(wait)
        return True

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
        ``headers``, a login ``body``) are revealed only inside the call to urllib3, whose
        frames never appear in the tracebacks raised here.
        """
        path = urlsplit(url).path
        started = time.monotonic()
        self.stats.add(requests=1)
        raw = None
        try:
            raw = self._pool.request(
                method, url, body=reveal_body(body), headers=wire_headers(headers), retries=False
            )
        except _NOT_SENT as exc:
            raise TransportError(
                f"{method} {path}: could not connect ({_reason(exc)})", sent=False
            ) from None
        except HTTPError as exc:
            raise TransportError(
                f"{method} {path}: the connection failed after the request was sent "
                f"({_reason(exc)}); its outcome is unknown",
                sent=True,
            ) from None
        except BaseException as exc:  # e.g. Ctrl-C: without urllib3's frames (secrets inside)
            raise exc.with_traceback(None)  # noqa: B904 - the same exception, shorter
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
            raise VaultAPIError(
                f"{method} {path}: {describe(resp)}", resp.errors, execution_id=resp.execution_id
            )
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
        """Close the keep-alive connections."""
        self._pool.clear()


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return type(reason).__name__
