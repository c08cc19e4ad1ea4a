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
import re
import ssl
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from vault_pandas import config
from vault_pandas.errors import (
    ConfigurationError,
    TLSError,
    TransportError,
    UnsendableRequestError,
    VaultPandasWarning,
)
from vault_pandas.transport.auth import Secret, reveal_body, wire_headers
from vault_pandas.transport.characters import describe_char
from vault_pandas.transport.urls import is_loopback

# Errors raised before any byte of the request left this machine: always safe to repeat.
# A proxy that refuses a CONNECT, a dropped connection, a read timeout: the request may have
# reached Vault (an http proxy forwards before it answers), so they count as sent.
_NEVER_LEFT = (NewConnectionError, NameResolutionError, ConnectTimeoutError)
# The request could not be built (a header value HTTP cannot carry, a malformed proxy or URL):
# raised before anything is sent, and the same again on every try.
_UNSENDABLE = (
    UnicodeError,
    requests.exceptions.InvalidHeader,
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
)
# OpenSSL's reasons when a TLS handshake is answered in plain http (e.g. https to the sandbox)
_PLAIN_HTTP = {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"}


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
                VaultPandasWarning,
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
            have reached Vault and its answer was lost. A failure to reach a proxy names it
            (``host:port``, never its credentials).
        UnsendableRequestError
            The request could not be built (a header value HTTP cannot carry, a malformed
            proxy address): nothing was sent; the message never holds the value.
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
            return RawAnswer(resp.status_code, resp.headers, resp.content)
        except requests.exceptions.SSLError as exc:
            raise TLSError(f"{method} /{path}: {_tls_refused(url, exc)}") from None
        except _UNSENDABLE as exc:  # its text may hold the value (a token, a proxy password)
            problem = self._unsendable(exc, url)
        except requests.exceptions.RequestException as exc:
            raise self._failure(f"{method} /{path}", url, exc) from None
        except BaseException as exc:  # e.g. Ctrl-C: without requests' frames (secrets inside)
            raise exc.with_traceback(None)  # noqa: B904 - the same exception, shorter
        # raised out of the except clause: the refused value is in no exception it chains
        raise UnsendableRequestError(f"{method} /{path}: {problem}; nothing was sent")

    def _failure(self, what: str, url: str, exc: BaseException) -> TransportError:
        """The ``TransportError`` of a network failure; a proxy involved is named."""
        sent = not _never_left(exc)
        proxy = self._proxy(url)
        if proxy is not None and _is_proxy_failure(exc):
            tunnel = re.search(
                r"Tunnel connection failed: (\d{3})", " ".join(map(str, _causes(exc)))
            )
            answered = f" (it answered HTTP {tunnel.group(1)})" if tunnel else ""
            how = (
                f"the proxy {proxy}{answered} failed after the request was sent; its outcome "
                "is unknown"
                if sent
                else f"could not connect to the proxy {proxy}{answered}"
            )
            hint = "; check HTTPS_PROXY / HTTP_PROXY / NO_PROXY or the session's proxies"
            return TransportError(f"{what}: {how} ({_reason(exc)}){hint}", sent=sent)
        how = (
            "the connection failed after the request was sent; its outcome is unknown"
            if sent
            else "could not connect"
        )
        via = f" through the proxy {proxy}" if proxy is not None else ""
        return TransportError(f"{what}: {how}{via} ({_reason(exc)})", sent=sent)

    def _unsendable(self, exc: BaseException, url: str) -> str:
        """What could not be built, said without the value (a token, a proxy's password)."""
        proxy = self._proxy(url)
        if isinstance(exc, UnicodeEncodeError) and isinstance(exc.object, str):
            where = "a request header"
            if proxy is not None and "@" in urlsplit(self._proxy_url(url) or "").netloc:
                where += f" (the user name or password of the proxy {proxy}?)"
            char = describe_char(exc.object[exc.start])
            return f"{where} holds {char}, which HTTP headers cannot carry"
        if isinstance(exc, requests.exceptions.InvalidHeader):
            return "a request header value holds a line break or leading whitespace"
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
            shown = f" or the proxy {proxy}" if proxy is not None else ""
            return f"the address{shown} cannot be used ({type(exc).__name__})"
        return f"the request cannot be built ({type(exc).__name__})"

    def _proxy_url(self, url: str) -> str | None:
        """The proxy's URL for ``url`` (credentials included: never shown), or None."""
        return requests.utils.select_proxy(url, self._settings(url)["proxies"] or {}) or None

    def _proxy(self, url: str) -> str | None:
        """The proxy ``url`` goes through, as ``host:port`` (never its credentials), or None."""
        proxy = self._proxy_url(url)
        if proxy is None:
            return None
        parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        try:
            port = parts.port
        except ValueError:
            port = None
        host = parts.hostname or "?"
        host = f"[{host}]" if ":" in host else host
        return f"{host}:{port}" if port else host

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


def _is_proxy_failure(exc: BaseException) -> bool:
    """Whether the proxy itself failed (unreachable, or it refused the tunnel)."""
    proxy_errors = (requests.exceptions.ProxyError, urllib3.exceptions.ProxyError)
    return any(isinstance(c, proxy_errors) for c in _causes(exc))


def _tls_refused(url: str, exc: BaseException) -> str:
    """Why TLS failed: plain http answered on loopback (the sandbox), else a CA's hint."""
    parts = urlsplit(url)
    reasons = {getattr(c, "reason", None) for c in _causes(exc) if isinstance(c, ssl.SSLError)}
    plain_http = sorted(str(r) for r in reasons if r in _PLAIN_HTTP)
    if is_loopback(parts.hostname or "") and plain_http:
        plain = f"http://{parts.netloc}"
        return (
            f"https to {parts.netloc} was answered in plain http ({', '.join(plain_http)}): "
            f"probably a local sandbox, which speaks http: give the URL {plain} (as vault=, "
            "or in VAULT_DNS / VAULT_URL), not the bare host:port, which means https"
        )
    return (
        f"the TLS connection was refused ({_reason(exc)}); if your network inspects TLS "
        "with a corporate root CA, set REQUESTS_CA_BUNDLE or pass verify='/path/to/ca.pem' "
        "(or a session= with verify set)"
    )


def _reason(exc: BaseException) -> str:
    """The innermost failure's class name: never its text (it may hold a URL or header)."""
    causes = _causes(exc)
    return type(causes[-1]).__name__ if causes else type(exc).__name__
