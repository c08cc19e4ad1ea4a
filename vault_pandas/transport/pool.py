"""The urllib3 keep-alive connection pool of a client, with its timeouts and TLS verification."""

from __future__ import annotations

from typing import Any

import urllib3

from vault_pandas import config


def make_pool(url: str, verify: bool | str, pool_size: int, timeout: float) -> urllib3.PoolManager:
    """A pool for ``url``: no urllib3 retries; certificates checked unless ``verify`` is False.

    ``verify`` may be a CA bundle path; ``False`` warns (the caller's caller is blamed).
    """
    options: dict[str, Any] = {
        "maxsize": max(1, pool_size),
        "block": False,
        "timeout": urllib3.Timeout(connect=config.CONNECT_TIMEOUT, read=timeout),
        "retries": False,
    }
    if url.startswith("https://"):
        if verify is False:
            import warnings

            warnings.warn(
                "TLS certificate verification is OFF for this Vault connection: anyone on "
                "the network path can read the session. Use only for a test vault.",
                stacklevel=3,
            )
            options["cert_reqs"] = "CERT_NONE"
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        else:
            options["cert_reqs"] = "CERT_REQUIRED"
            options["ca_certs"] = verify if isinstance(verify, str) else _default_ca_bundle()
    return urllib3.PoolManager(**options)


def _default_ca_bundle() -> str | None:
    try:
        import certifi

        return certifi.where()
    except ImportError:  # pragma: no cover - requests always brings certifi
        return None
