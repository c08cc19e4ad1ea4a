"""Shared fixtures: the sandbox Vaults of the test session, reset around each test that uses one.

Every test folder uses this one family; none starts sandboxes for its fixtures itself.

``start_sandbox``    session: starts a sandbox per distinct ``sandbox.run()`` settings, once,
                     and stops them all at the end of the session
``sandbox_settings`` the ``sandbox.run()`` settings of a folder's sandbox: none here; a folder's
                     conftest.py overrides it (tests/cli/ sets its own credentials)
``sandbox_vault``    that running sandbox as it is, not reset (for tests that reset it
                     themselves, e.g. once per Hypothesis example)
``vault``            the same sandbox, reset before and after the test: empty store, default
                     settings, no faults, sessions, counters or log; no default client after
``client``           a client connected to ``vault``, closed after the test
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

import vault_pandas
from vault_pandas import sandbox

StartSandbox = Callable[..., sandbox.SandboxVault]


@pytest.fixture(scope="session")
def start_sandbox() -> Iterator[StartSandbox]:
    """``start_sandbox(**settings)``: the session sandbox with these ``sandbox.run()`` settings."""
    running: dict[tuple[tuple[str, Any], ...], sandbox.SandboxVault] = {}
    with ExitStack() as stack:

        def start(**settings: Any) -> sandbox.SandboxVault:
            key = tuple(sorted(settings.items()))
            if key not in running:
                running[key] = stack.enter_context(sandbox.run(**settings))
            return running[key]

        yield start


@pytest.fixture
def sandbox_settings() -> dict[str, Any]:
    """The ``sandbox.run()`` settings of this folder's sandbox (override in a conftest.py)."""
    return {}


@pytest.fixture
def sandbox_vault(
    start_sandbox: StartSandbox, sandbox_settings: dict[str, Any]
) -> sandbox.SandboxVault:
    """The running session sandbox, as the previous test left it: reset it before use."""
    return start_sandbox(**sandbox_settings)


@pytest.fixture
def vault(sandbox_vault: sandbox.SandboxVault) -> Iterator[sandbox.SandboxVault]:
    """The shared sandbox, emptied and with default settings; reset again after the test."""
    sandbox_vault.reset()
    yield sandbox_vault
    sandbox_vault.reset()  # faults, settings and sessions a test set never reach the next one
    vault_pandas.set_default_client(None)


@pytest.fixture
def client(vault: sandbox.SandboxVault) -> Iterator[vault_pandas.VaultClient]:
    """A client connected to the reset sandbox (also the default client); closed afterwards."""
    client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    yield client
    client.close()
    vault_pandas.set_default_client(None)


# Doctests run over every module (--doctest-modules); the conftest.py files of the test
# folders share a module name and are not documentation, so they are not collected as such.
collect_ignore_glob = ["conftest.py", "*/conftest.py"]
