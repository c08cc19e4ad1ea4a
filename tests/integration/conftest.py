"""Fixtures of the integration tests that reach a network: a clean environment and a proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from proxy import Proxy, running_proxy

#: Environment variables requests reads for proxies and CA bundles.
NETWORK_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY")
CA_VARS = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy or CA bundle from the machine running the tests."""
    for name in NETWORK_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in CA_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    """A forwarding proxy on 127.0.0.1 (``tests/proxy.py``)."""
    with running_proxy() as proxy:
        yield proxy
