"""Fixtures for the sandbox tests: a logged-in HTTP client and a seeded product.

The sandbox itself is the shared one of tests/conftest.py (``vault``: reset around each test).
"""

from __future__ import annotations

import pytest
from sandbox_client import PRODUCT, Api

from vault_pandas import sandbox


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
