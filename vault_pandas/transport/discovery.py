"""Which way a user logs in: Vault's authentication type discovery, and what it tells a user."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from vault_pandas import config
from vault_pandas.errors import ConfigurationError, VaultAPIError
from vault_pandas.transport import names
from vault_pandas.transport.http import HttpTransport
from vault_pandas.transport.responses import VaultResponse, describe, parse_json
from vault_pandas.transport.urls import is_loopback, normalise_url


def login_url_for(login_url: str | None, vault_url: str | None = None) -> str:
    """The login service's address: ``login_url``, else Vault's, else a loopback vault's own.

    A vault on a loopback address (the sandbox) answers its own login service: no service on
    the internet can know it. Plain http only to loopback, as for vaults.
    """
    if login_url:
        return normalise_url(login_url)
    if vault_url is not None and is_loopback(urlsplit(vault_url).hostname or ""):
        return vault_url
    return config.DEFAULT_LOGIN_URL


def discover(
    transport: HttpTransport, login_url: str, username: str, client_id: str | None
) -> dict[str, Any]:
    """``POST {login_url}/auth/discovery?username=...``: the answer's ``data``."""
    query = {"username": username}
    if client_id:
        query["client_id"] = client_id
    url = f"{login_url}/auth/discovery?{urlencode(query)}"
    headers = {
        "Accept": "application/json",
        "X-VaultAPI-AuthIncludeMsal": "true",
        "X-VaultAPI-ClientID": names.check_client_id(client_id or config.DEFAULT_CLIENT_ID),
    }
    raw = transport.exchange("POST", url, None, headers)
    payload = parse_json(raw.data) or {}
    resp = VaultResponse(raw.status, payload, raw.headers.get("X-VaultAPI-ExecutionId"))
    if resp.response_status not in ("SUCCESS", "WARNING") or not isinstance(
        payload.get("data"), dict
    ):
        raise VaultAPIError(
            f"authentication type discovery for {username!r} failed: {describe(resp)}",
            resp.errors,
            execution_id=resp.execution_id,
        )
    return dict(payload["data"])


def auth_type(
    username: str,
    *,
    login_url: str | None = None,
    client_id: str | None = None,
    session: requests.Session | None = None,
) -> dict[str, Any]:
    """Ask Vault how ``username`` logs in (password, or SSO and through which profiles).

    Calls Vault's documented discovery endpoint, ``POST {login_url}/auth/discovery``.

    Parameters
    ----------
    username : str
        The user's Vault user name.
    login_url : str, optional
        Vault's login service (default ``https://login.veevavault.com``; the sandbox answers
        at its own address).
    client_id : str, optional
        The client id mapped on the user's OAuth profile, if any: the answer then holds the
        authorization server's ``as_client_id``.
    session : requests.Session, optional
        A session configured for your network (proxies, CA bundle); default: the
        environment's settings, as for :func:`vault_pandas.connect`.

    Returns
    -------
    dict
        The answer's ``data``: ``auth_type`` (``"password"`` or ``"sso"``) and, for SSO,
        ``auth_profiles`` (each with ``id``, ``label``, ``oauthProviderType``,
        ``vault_session_endpoint`` and ``as_metadata`` holding the ``token_endpoint``). An
        SSO user with an empty ``auth_profiles`` signs in through SAML only: such a user
        needs a session id.

    Examples
    --------
    >>> from vault_pandas import sandbox
    >>> with sandbox.run() as vault:
    ...     auth_type(vault.username, login_url=vault.url)["auth_type"]
    'password'
    """
    if not isinstance(username, str) or not username.strip():
        raise ConfigurationError("auth_type() needs the user's Vault user name")
    transport = HttpTransport(session)
    try:
        return discover(transport, login_url_for(login_url), username.strip(), client_id)
    finally:
        transport.close()


def sso_hint(data: dict[str, Any], username: str) -> str | None:
    """What a user whose discovery answer is ``data`` must do instead of a password login."""
    if data.get("auth_type") != "sso":
        return None
    profiles = [p for p in data.get("auth_profiles") or [] if isinstance(p, dict)]
    if not profiles:
        return (
            f"{username!r} signs in through SSO with a SAML profile only, which the API "
            "cannot use: connect with session_id= (a session made for this user)"
        )
    named = ", ".join(
        f"{p.get('id')!r} ({p.get('label') or '-'}, {p.get('oauthProviderType') or '-'})"
        for p in profiles
    )
    return (
        f"{username!r} signs in through SSO, not with a password: connect with "
        f"oauth_token= (an access token from your identity provider) and oauth_profile= one "
        f"of {named}"
    )
