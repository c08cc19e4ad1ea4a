"""Vault addresses: normalising a vault's URL, plain http only to loopback, same-vault checks."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from vault_pandas.errors import ConfigurationError

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
    text = vault.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigurationError(f"not a Vault DNS or URL: {vault!r}")
    if parts.path not in ("", "/"):
        raise ConfigurationError(
            f"give the vault's address without a path, e.g. 'myvault.veevavault.com' ({vault!r})"
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigurationError(
            f"refusing plain http to {host}: Vault is reached over https; plain http is only "
            "allowed for a loopback address such as the sandbox (http://127.0.0.1:8123)"
        )
    if parts.scheme not in ("http", "https"):
        raise ConfigurationError(f"unsupported scheme {parts.scheme!r} in {vault!r}")
    return f"{parts.scheme}://{parts.netloc}"


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
