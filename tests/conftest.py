"""Shared fixtures: one sandbox Vault per test session, reset before each test that uses it."""

from __future__ import annotations

import pytest

import vault_pandas
from vault_pandas import sandbox


@pytest.fixture(scope="session")
def vault_server():
    with sandbox.run() as vault:
        yield vault


@pytest.fixture
def vault(vault_server):
    vault_server.reset()
    yield vault_server
    vault_server.reset()


@pytest.fixture
def client(vault):
    client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    yield client
    client.close()
    vault_pandas.set_default_client(None)


# Doctests run over every module (--doctest-modules); the conftest.py files of the test
# folders share a module name and are not documentation, so they are not collected as such.
collect_ignore_glob = ["*/conftest.py"]
