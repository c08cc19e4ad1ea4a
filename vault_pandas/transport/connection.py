"""connect(): settings from arguments or the environment, and the default client."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from vault_pandas import config
from vault_pandas.errors import ConfigurationError
from vault_pandas.transport.auth import OAuthLogin, Secret, SessionAuth, TokenProvider, as_secret
from vault_pandas.transport.client import VaultClient
from vault_pandas.transport.discovery import login_url_for
from vault_pandas.transport.http import check_session
from vault_pandas.transport.profiles import resolve
from vault_pandas.transport.retry import RetryPolicy
from vault_pandas.transport.urls import normalise_url

if TYPE_CHECKING:
    import requests

_default: VaultClient | None = None
_default_lock = threading.Lock()


def connect(
    vault: str | None = None,
    *,
    username: str | None = None,
    password: str | Secret | None = None,
    session_id: str | Secret | None = None,
    oauth_token: str | Secret | TokenProvider | None = None,
    oauth_profile: str | None = None,
    oauth_client_id: str | None = None,
    login_url: str | None = None,
    session: requests.Session | None = None,
    api_version: str | None = None,
    client_id: str | None = None,
    verify: bool | str | None = None,
    burst_floor: int = config.BURST_FLOOR,
    burst_window: float = config.BURST_WINDOW,
    login: bool = True,
    profile: str | None = None,
    retry: RetryPolicy | None = None,
    timeout: float = config.READ_TIMEOUT,
) -> VaultClient:
    """Connect to a vault and make it the default target of ``df.vault``.

    Parameters
    ----------
    vault : str, optional
        A Vault DNS such as ``"myvault.veevavault.com"`` (https implied) or a full URL. Plain
        ``http://`` only for loopback (the sandbox). Default: ``VAULT_DNS`` or ``VAULT_URL``.
    username, password : str, optional
        Credentials for a session login. Default: ``VAULT_USERNAME``, ``VAULT_PASSWORD``.
    session_id : str, optional
        An existing session instead of a password (cannot be renewed when it expires, and
        :meth:`VaultClient.close` never ends it). Default: ``VAULT_SESSION_ID``.
    oauth_token : str or callable, optional
        An OAuth 2.0 / OIDC access token from your identity provider (e.g. MSAL), or a
        callable returning a fresh one (called once per login, so an expired Vault session
        is renewed with a fresh token). Needs ``oauth_profile``. A secret like a password.
    oauth_profile : str, optional
        The id of the vault's OAuth 2.0 / OpenID Connect profile (see :func:`auth_type`).
        With no credentials given, ``VAULT_OAUTH_TOKEN`` and ``VAULT_OAUTH_PROFILE`` are read
        (after ``VAULT_USERNAME``/``VAULT_PASSWORD``, before ``VAULT_SESSION_ID``).
    oauth_client_id : str, optional
        The client application's id at the authorization server, sent as ``client_id``.
    login_url : str, optional
        Vault's login service for OAuth (default ``https://login.veevavault.com``; a
        loopback vault such as the sandbox: its own address; ``VAULT_LOGIN_URL``). Plain
        http only to loopback.
    session : requests.Session, optional
        Your own ``requests.Session`` (proxies, ``verify``, client certificate, mounted
        adapters): every call goes through it, login included. Default: a session the
        library makes, which honours ``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY`` and
        ``REQUESTS_CA_BUNDLE`` as requests does (``.netrc`` is never read).
    api_version : str, optional
        For example ``"v25.2"`` (default ``VAULT_API_VERSION`` or the library default).
    client_id : str, optional
        Sent as ``X-VaultAPI-ClientID`` (default ``VAULT_CLIENT_ID`` or a vault_pandas id).
    verify : bool or str, optional
        TLS verification: a CA bundle path, ``True``, or ``False`` (warned). Default: the
        session's own setting and ``REQUESTS_CA_BUNDLE``; the library's session verifies.
    burst_floor : int
        Burst-limit calls to leave free for the vault's other integrations.
    burst_window : float
        The vault's burst window in seconds (300 on Vault).
    login : bool
        Log in now (default), so that bad credentials or a wrong vault fail here.
    retry : RetryPolicy, optional
        Attempts, backoff and the total time budget of a call's retries (default
        ``RetryPolicy()``: ``config.RETRY_*``).
    timeout : float
        Seconds to wait for an answer once a request is sent (default 300); a request whose
        answer was lost can be running for this long plus the connect timeout.
    profile : str, optional
        A named profile of the profile file (see :mod:`vault_pandas.transport.profiles`): it
        fills the settings not given here, before the environment does. Its password comes from the
        variable named by ``password_env``, the OS keyring, or ``VAULT_PASSWORD``; ``connect``
        never prompts.

    Returns
    -------
    VaultClient

    Examples
    --------
    >>> from vault_pandas import sandbox
    >>> with sandbox.run() as vault:
    ...     client = connect(vault.url, username=vault.username, password=vault.password)
    ...     client.url == vault.url
    True
    """
    # secrets only as Secrets in this frame (tracebacks may show its locals), never os.environ
    password, session_id = as_secret(password), as_secret(session_id)
    if isinstance(oauth_token, str):
        oauth_token = as_secret(oauth_token)
    if session is not None:
        check_session(session)
    if oauth_token is not None and password is not None:
        raise ConfigurationError(
            "give a password or an OAuth token, not both: they are two ways to log in"
        )
    if oauth_token is None and oauth_profile is not None:
        raise ConfigurationError("oauth_profile= needs oauth_token= (the access token)")
    if profile is not None:
        s = resolve(
            profile, vault=vault, username=username, password=password,
            session_id=session_id, api_version=api_version, client_id=client_id,
        )  # fmt: skip
        vault, username, api_version, client_id = s.vault, s.username, s.api_version, s.client_id
        password, session_id = as_secret(s.password), as_secret(s.session_id)
        del s
    vault = vault or next((os.environ[k] for k in config.ENV_DNS if os.environ.get(k)), None)
    if not vault:
        raise ConfigurationError(
            "no vault given: pass connect('myvault.veevavault.com', ...) or set VAULT_DNS"
        )
    if session_id is None and oauth_token is None and username is None and password is None:
        username = os.environ.get(config.ENV_USERNAME)
        password = as_secret(os.environ.get(config.ENV_PASSWORD))
        if not (username and password) and os.environ.get(config.ENV_OAUTH_TOKEN):
            password, oauth_token = None, as_secret(os.environ.get(config.ENV_OAUTH_TOKEN))
        elif not (username and password):
            session_id = as_secret(os.environ.get(config.ENV_SESSION_ID))
    if oauth_token is not None:
        oauth_profile = oauth_profile or os.environ.get(config.ENV_OAUTH_PROFILE)
    login_url = login_url or os.environ.get(config.ENV_LOGIN_URL) or None
    try:
        url = normalise_url(vault)
    finally:
        del vault  # a refused address may hold a password: not kept in this frame
    oauth = None
    if oauth_token is not None:
        oauth = OAuthLogin(
            oauth_token,
            oauth_profile or "",
            login_url=login_url_for(login_url, url),
            client_id=oauth_client_id,
        )
        del oauth_token
    elif login_url is not None:
        login_url_for(login_url)  # refuse a bad address even when it is not used yet
    auth = SessionAuth(username=username, password=password, session_id=session_id, oauth=oauth)
    client = VaultClient(
        url,
        auth,
        api_version=api_version or os.environ.get(config.ENV_API_VERSION),
        client_id=client_id or os.environ.get(config.ENV_CLIENT_ID),
        verify=verify,
        session=session,
        burst_floor=burst_floor,
        burst_window=burst_window,
        retry=retry,
        timeout=timeout,
    )
    if login and auth.can_renew:
        client.login()
    set_default_client(client)
    return client


def set_default_client(client: VaultClient | None) -> None:
    """Make ``client`` the one ``df.vault`` uses when no ``client=`` is given."""
    global _default
    with _default_lock:
        _default = client


def default_client() -> VaultClient:
    """The last connected client; raise a clear error when there is none."""
    with _default_lock:
        if _default is None:
            raise ConfigurationError(
                "not connected: call vault_pandas.connect(...) first, or pass client="
            )
        return _default


def resolve_client(client: VaultClient | None) -> VaultClient:
    """``client`` if given, else the default client."""
    if client is None:
        return default_client()
    if not isinstance(client, VaultClient):
        raise ConfigurationError(f"client= must be a VaultClient, not {type(client).__name__}")
    return client
