"""connect(): addresses, credentials, environment, and the wrong-vault check."""

from __future__ import annotations

import pytest

import vault_pandas
from vault_pandas import AuthenticationError, ConfigurationError


def test_connect_logs_in_and_sends_client_id(vault):
    client = vault_pandas.connect(
        vault.url, username=vault.username, password=vault.password, client_id="acme-loader"
    )
    assert client.api_version == "v25.2"
    client.object_metadata("product__v")
    assert vault.requests_log[-1][3] == "acme-loader"
    assert vault.password not in repr(client) and vault.password not in repr(client.auth)


def test_api_version_is_sent_as_given(vault):
    client = vault_pandas.connect(
        vault.url, username=vault.username, password=vault.password, api_version="v24.3"
    )
    client.object_metadata("product__v")
    assert vault.requests_log[-1][1].startswith("/api/v24.3/")


def test_bad_password(vault):
    with pytest.raises(AuthenticationError) as err:
        vault_pandas.connect(vault.url, username=vault.username, password="wrong")
    assert err.value.error_type == "USERNAME_OR_PASSWORD_INCORRECT"
    assert "wrong" not in str(err.value)


def test_wrong_vault_is_refused(vault):
    vault.configure(wrong_vault=True)
    with pytest.raises(AuthenticationError, match="logged this user into"):
        vault_pandas.connect(vault.url, username=vault.username, password=vault.password)


def test_plain_http_only_to_loopback():
    with pytest.raises(ConfigurationError, match="loopback"):
        vault_pandas.connect("http://myvault.veevavault.com", username="u", password="p")


def test_environment(vault, monkeypatch):
    monkeypatch.setenv("VAULT_DNS", vault.url)
    monkeypatch.setenv("VAULT_USERNAME", vault.username)
    monkeypatch.setenv("VAULT_PASSWORD", vault.password)
    monkeypatch.setenv("VAULT_CLIENT_ID", "env-client")
    client = vault_pandas.connect()
    assert client.url == vault.url and client.client_id == "env-client"
    assert vault_pandas.default_client() is client


def test_session_id_only(vault):
    first = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    session = first.auth.session(first._login).reveal()
    client = vault_pandas.connect(vault.url, session_id=session)
    assert client.object_metadata("site__c")["object"]["name"] == "site__c"
    assert session not in repr(client)


def test_no_vault_given(monkeypatch):
    for key in ("VAULT_DNS", "VAULT_URL"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ConfigurationError, match="VAULT_DNS"):
        vault_pandas.connect()


def test_connect_takes_a_retry_policy_and_a_read_timeout(vault):
    policy = vault_pandas.RetryPolicy(attempts=2, base=0.01, cap=0.02, budget=5)
    client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password,
                                  retry=policy, timeout=7.5)  # fmt: skip
    try:
        assert client.retry is policy and client.timeout == 7.5
        vault.faults.add("request_error", type="RACE_CONDITION", path="/metadata/", times=5)
        with pytest.raises(vault_pandas.VaultAPIError, match="RACE_CONDITION"):
            client.object_metadata("product__v")  # two attempts, then Vault's answer
        assert client.stats.retries == 1
    finally:
        client.close()
