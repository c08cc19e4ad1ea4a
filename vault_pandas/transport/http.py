"""The HTTP transport: one ``requests.Session`` (the library's or the user's) and its failures.

Every call of a client goes through :meth:`HttpTransport.exchange`: login, metadata, writes,
VQL and logout. It never follows a redirect (a 3xx is answered as it is, so the session
header never goes to another host), never retries on its own (the client decides what may
be repeated), and turns every network failure into ``TransportError`` with ``sent`` telling
"the request never left this machine" from "it was sent and its answer was lost".

The library's own session honours the environment as requests does: ``HTTPS_PROXY``,
``HTTP_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE`` and ``CURL_CA_BUNDLE``, read at a host's
first call. It never reads ``.netrc``: Vault credentials are the client's own, never a Basic
header found in a file.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from vault_pandas import config
from vault_pandas.errors import ConfigurationError, TLSError, TransportError
from vault_pandas.transport.auth import Secret, reveal_body, wire_headers

# Errors raised before any byte of the request left this machine: always safe to repeat.
# A proxy that refuses a CONNECT, a dropped connection, a read timeout: the request may have
# reached Vault (an http proxy forwards before it answers), so they count as sent.
_NEVER_LEFT = (NewConnectionError, NameResolutionError, ConnectTimeoutError)


@dataclass(frozen=True, repr=False)
class RawAnswer:
    """An HTTP answer as received: status, headers (case-insensitive) and body bytes."""

    status: int
    headers: Mapping[str, str]
    data: bytes


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """A no-op ``auth``: with it, requests does not look up ``.netrc`` for Vault's host."""
    return request


def make_session(pool_size: int = config.POOL_SIZE) -> requests.Session:
    """The library's own session: keep-alive pools of ``pool_size``, no urllib3 retries.

    ``trust_env`` stays on, so proxies and CA bundles come from the environment.
    """
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(1, pool_size), max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def check_session(session: object) -> requests.Session:
    """``session`` if it is a ``requests.Session``, else a clear ``ConfigurationError``."""
    if not isinstance(session, requests.Session):
        raise ConfigurationError(
            f"session= must be a requests.Session, not {type(session).__name__}: configure "
            "proxies, verify, certificates or adapters on a requests.Session and pass it"
        )
    return session


class HttpTransport:
    """Sends requests through one ``requests.Session``; closes it only if it made it.

    Parameters
    ----------
    session : requests.Session, optional
        The user's session (its proxies, ``verify``, client certificate and mounted adapters
        are used as they are; it is never closed here). Default: one made by
        :func:`make_session`, which honours the environment.
    verify : bool or str, optional
        TLS verification: a CA bundle path, ``True``, or ``False`` (warned). ``None`` (the
        default) keeps the session's own setting and the environment's CA bundle.
    timeout : float
        Seconds to wait for an answer once a request is sent.
    pool_size : int
        Keep-alive connections of the library's own session.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        verify: bool | str | None = None,
        timeout: float = config.READ_TIMEOUT,
        pool_size: int = config.POOL_SIZE,
    ) -> None:
        self.owned = session is None
        self.session = make_session(pool_size) if session is None else check_session(session)
        if verify is False:
            warnings.warn(
                "TLS certificate verification is OFF for this Vault connection: anyone on "
                "the network path can read the session. Use only for a test vault.",
                stacklevel=4,
            )
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.verify = verify
        self.timeout = (config.CONNECT_TIMEOUT, timeout)
        self._env: dict[str, tuple[dict[str, str], str | None]] = {}

    def __repr__(self) -> str:
        return f"HttpTransport(owned={self.owned})"

    def exchange(
        self,
        method: str,
        url: str,
        body: bytes | Secret | None,
        headers: Mapping[str, str | Secret],
    ) -> RawAnswer:
        """Send one request; return its answer, whatever its status.

        Secrets (the session or token in ``headers``, a login ``body``) are revealed only in
        the call to requests, never kept in a local of a frame that may raise.

        Raises
        ------
        TransportError
            ``sent=False`` when the request cannot have left this machine (no connection,
            name not resolved, connect timeout, TLS refused); ``sent=True`` when it may
            have reached Vault and its answer was lost.
        """
        path = url.split("?", 1)[0].split("/", 3)[-1]
        try:
            request = requests.Request(
                method, url, data=reveal_body(body), headers=wire_headers(headers), auth=_no_netrc
            )
            prepared = self.session.prepare_request(request)
            resp = self.session.send(
                prepared, timeout=self.timeout, allow_redirects=False, **self._settings(url)
            )
            data = resp.content
        except requests.exceptions.SSLError as exc:
            raise TLSError(
                f"{method} /{path}: the TLS connection was refused ({_reason(exc)}); if your "
                "network inspects TLS with a corporate root CA, set REQUESTS_CA_BUNDLE or "
                "pass verify='/path/to/ca.pem' (or a session= with verify set)"
            ) from None
        except requests.exceptions.RequestException as exc:
            sent = not _never_left(exc)
            what = (
                "the connection failed after the request was sent; its outcome is unknown"
                if sent
                else "could not connect"
            )
            raise TransportError(f"{method} /{path}: {what} ({_reason(exc)})", sent=sent) from None
        except BaseException as exc:  # e.g. Ctrl-C: without requests' frames (secrets inside)
            raise exc.with_traceback(None)  # noqa: B904 - the same exception, shorter
        return RawAnswer(resp.status_code, resp.headers, data)

    def _settings(self, url: str) -> dict[str, Any]:
        """Proxies, ``verify`` and ``cert`` for ``url``, merged as ``Session.request`` does.

        What the environment says (``HTTPS_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``...)
        is read once per host, at its first call: requests reads it on every call, and
        scanning ``os.environ`` costs about a millisecond a request. The session's own
        settings are merged on every call, so a change to them applies at once.
        """
        session = self.session
        proxies: dict[str, str] = {}
        verify: bool | str | None = self.verify
        if session.trust_env:
            env_proxies, env_verify = self._environment(url)
            proxies.update(env_proxies)
            if verify is True or verify is None:
                verify = env_verify or verify
        return {
            "proxies": requests.sessions.merge_setting(proxies, session.proxies),
            "stream": session.stream,
            "verify": requests.sessions.merge_setting(verify, session.verify),
            "cert": session.cert,
        }

    def _environment(self, url: str) -> tuple[dict[str, str], str | None]:
        """The environment's proxies for ``url``'s host and its CA bundle, read once."""
        key = url.split("/", 3)[:3]
        host = "/".join(key)
        cached = self._env.get(host)
        if cached is None:
            no_proxy = self.session.proxies.get("no_proxy")
            proxies = requests.utils.get_environ_proxies(host + "/", no_proxy=no_proxy)
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            cached = self._env[host] = (dict(proxies), bundle or None)
        return cached

    def close(self) -> None:
        """Close the library's own session's connections (a user's session stays open)."""
        if self.owned:
            self.session.close()


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps: requests' args[0], urllib3's ``reason``, the chain."""
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo and len(seen) < 12:
        item = todo.pop()
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        todo.extend(
            [item.__cause__, item.__context__, getattr(item, "reason", None)]
            + [a for a in item.args if isinstance(a, BaseException)]
        )
    return seen


def _never_left(exc: BaseException) -> bool:
    """Whether the request cannot have reached Vault (nor a proxy that would forward it)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return any(isinstance(c, _NEVER_LEFT) for c in _causes(exc))


def _reason(exc: BaseException) -> str:
    """The innermost failure's class name: never its text (it may hold a URL or header)."""
    causes = _causes(exc)
    return type(causes[-1]).__name__ if causes else type(exc).__name__
