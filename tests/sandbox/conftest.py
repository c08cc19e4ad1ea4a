"""Fixtures for the sandbox tests: one running sandbox, reset before each test, and a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_client import PRODUCT, Api

from vault_pandas import sandbox


@pytest.fixture(scope="session")
def shared_vault() -> Iterator[sandbox.SandboxVault]:
    with sandbox.run() as vault:
        yield vault


@pytest.fixture
def vault(shared_vault: sandbox.SandboxVault) -> sandbox.SandboxVault:
    """The shared sandbox, emptied and with default settings."""
    shared_vault.reset()
    return shared_vault


@pytest.fixture
def api(vault: sandbox.SandboxVault) -> Api:
    """A client already logged in to the reset sandbox."""
    client = Api(vault)
    assert client.login()["responseStatus"] == "SUCCESS"
    return client


@pytest.fixture
def product_id(vault: sandbox.SandboxVault) -> str:
    """One draft product seeded directly."""
    return vault.seed("product__v", [dict(PRODUCT, external_id__v="CHC-1")])[0]
