"""Fixtures for the command-line tests: the shared sandbox, with the CLI tests' credentials.

Their sandbox has its own user and password (``cli_helpers.PASSWORD``, the secret the tests
look for in every output), so it is a second session sandbox from the same fixture family.
"""

from __future__ import annotations

from typing import Any

import pytest
from cli_helpers import PASSWORD, USERNAME

from vault_pandas import sandbox


@pytest.fixture
def sandbox_settings() -> dict[str, Any]:
    return {"username": USERNAME, "password": PASSWORD}


@pytest.fixture
def cli_vault(vault: sandbox.SandboxVault) -> sandbox.SandboxVault:
    """The CLI tests' sandbox, emptied and with default settings (reset again afterwards)."""
    return vault
