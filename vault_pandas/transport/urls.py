"""Vault addresses: normalising a vault's URL, plain http only to loopback, same-vault checks."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from vault_pandas.errors import AuthenticationError, ConfigurationError

LOOPBACK_NAMES = {"localhost"}


def normalise_url(vault: str) -> str:
    """Turn a Vault DNS or URL into ``scheme://host[:port]``; refuse non-https except loopback.

    Examples
    --------
    >>> normalise_url("myvault.veevavault.com")
    'https://myvault.veevavault.com'
    >>> normalise_url("http://127.0.0.1:8123/")
    'http://127.0.0.1:8123'
    """
    shown = redact_url(vault)  # what messages show: never a password or a query string
    text = vault.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if not host or "@" in parts.netloc or parts.query or parts.fragment:
        del vault, text, parts  # the refused address may hold a password: not in this frame
        raise ConfigurationError(
            f"not a Vault DNS or URL: {shown!r} (give the address without a user name, "
            "password, query string or fragment)"
        )
    if parts.path not in ("", "/"):
        raise ConfigurationError(
            f"give the vault's address without a path, e.g. 'myvault.veevavault.com' ({shown!r})"
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigurationError(
            f"refusing plain http to {host}: Vault is reached over https; plain http is only "
            "allowed for a loopback address such as the sandbox (http://127.0.0.1:8123)"
        )
    if parts.scheme not in ("http", "https"):
        raise ConfigurationError(f"unsupported scheme {parts.scheme!r} in {shown!r}")
    return f"{parts.scheme}://{parts.netloc}"


def redact_url(text: str) -> str:
    """``text`` with its user name and password, query string and fragment masked.

    For messages about an address a user gave: ``https://user:pw@host/?token=x`` may hold
    secrets in any part but the scheme, host, port and path.

    Examples
    --------
    >>> redact_url("https://me:s3cret@myvault.veevavault.com/api?sid=ABC#x")
    'https://***@myvault.veevavault.com/api?***#***'
    >>> redact_url("myvault.veevavault.com")
    'myvault.veevavault.com'
    """
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    if "@" in rest:  # the last "@" ends the user info, whatever the password holds
        rest = "***@" + rest.rpartition("@")[2]
    rest, fragment, _ = rest.partition("#")
    rest, query, _ = rest.partition("?")
    return f"{scheme}{sep}{rest}{query and '?***'}{fragment and '#***'}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback IP address."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def same_vault(requested: str, answered: str) -> bool:
    """Whether the vault URL a login ``answered`` with is the host (and port) ``requested``."""
    want, got = urlsplit(requested), urlsplit(answered if "://" in answered else "//" + answered)
    return (want.hostname or "").lower() == (got.hostname or "").lower() and (
        got.port is None or want.port == got.port
    )


def check_vault(url: str, vault_id: object, vault_ids: list[dict[str, Any]] | None) -> None:
    """Refuse a login that Vault answered for another vault than ``url``.

    Vault may log a user into their "most relevant" vault instead of the one asked for:
    ``vault_ids`` (the login's ``vaultIds``) gives the URL of ``vault_id`` (its ``vaultId``).

    Raises
    ------
    AuthenticationError
        ``error_type="WRONG_VAULT"`` when that URL is not ``url``'s host.
    """
    urls = [
        str(v.get("url"))
        for v in vault_ids or []
        if str(v.get("id")) == str(vault_id) and v.get("url")
    ]
    if urls and not any(same_vault(url, u) for u in urls):
        raise AuthenticationError(
            f"asked for {url} but Vault logged this user into {urls[0]} "
            f"(vault id {vault_id}); check the vault DNS and the user's access",
            error_type="WRONG_VAULT",
        )
