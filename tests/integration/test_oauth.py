"""SSO users: OAuth token logins and renewals, discovery, ending sessions, bad input."""

from __future__ import annotations

import logging
import traceback

import pytest
import requests
from frames import products
from policies import FAST_LOGIN as FAST

import vault_pandas

WRITES = {"path": "/vobjects/product__v", "method": "POST"}


def _oauth(vault, token, **kwargs):
    client = vault_pandas.connect(
        vault.url, oauth_token=token, oauth_profile=vault.oauth_profile, **kwargs
    )
    client.retry = FAST
    return client


def test_a_load_authenticated_by_an_oauth_token(vault):
    token = vault.oauth_token()
    with _oauth(vault, token, oauth_client_id="vault-pandas-tests") as client:
        assert client.auth.mode == "oauth"
        out = products(1200).vault.create("product__v", progress=False, client=client)
    assert (out["vault_status"] == "SUCCESS").all()
    stats = vault.stats
    assert stats["oauth_logins"] == stats["logins"] == 1 and stats["requests"]["create"] == 3
    assert stats["sessions_ended"] == 1  # close() ended the session it made


def test_an_expired_session_is_renewed_from_the_same_token(vault):
    client = _oauth(vault, vault.oauth_token())
    vault.faults.add("expire_session", on=[2], **WRITES)
    out = products(1500).vault.create("product__v", progress=False, client=client)
    assert (out["vault_status"] == "SUCCESS").all()
    assert vault.stats["oauth_logins"] == 2 and client.stats.renewals == 1
    assert len(vault.records("product__v")) == 1500


def test_a_token_provider_is_called_once_per_renewal(vault):
    calls = []

    def provider() -> str:  # e.g. MSAL's acquire_token_silent(...)["access_token"]
        calls.append(1)
        return vault.oauth_token()

    client = _oauth(vault, provider)
    assert len(calls) == 1  # connect() logged in
    vault.faults.add("expire_session", on=[1, 3], **WRITES)
    out = products(2000).vault.create("product__v", progress=False, client=client, max_workers=1)
    assert (out["vault_status"] == "SUCCESS").all()
    assert len(calls) == 3 == vault.stats["oauth_logins"]


def test_a_refused_token_stops_the_load_with_every_row_reported(vault):
    client = _oauth(vault, vault.oauth_token())
    vault.revoke_oauth_tokens()  # the session made stays; its renewal will be refused
    vault.faults.add("expire_session", on=[2], **WRITES)
    with pytest.raises(vault_pandas.PartialLoadError) as raised:
        products(1500).vault.create("product__v", progress=False, client=client, max_workers=1)
    result = raised.value.result
    assert len(result) == 1500 and result["vault_status"].notna().all()
    assert (result["vault_status"] == "SUCCESS").sum() == 500 == len(vault.records("product__v"))
    assert "refused the access token" in str(raised.value.__cause__)


class _Kept:
    """Holds the token in this test's frames without showing it (their locals are formatted)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "_Kept(...)"


def test_a_token_never_shows(vault, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's and requests' included
    kept = _Kept(vault.oauth_token())
    texts = []
    client = _oauth(vault, kept.value)
    texts += [repr(client), str(client), repr(client.auth), repr(client.auth.credentials)]
    vault.revoke_oauth_tokens()
    vault.faults.add("expire_session", on=[1], **WRITES)
    with pytest.raises(vault_pandas.PartialLoadError) as raised:
        products(600).vault.create("product__v", progress=False, client=client)
    err = raised.value
    texts += [str(err), repr(err), str(err.__cause__), err.result.to_csv()]
    trace = traceback.TracebackException.from_exception(err, capture_locals=True)
    texts.append("".join(trace.format()))
    with pytest.raises(vault_pandas.AuthenticationError) as refused:
        _oauth(vault, kept.value)
    texts += [str(refused.value), caplog.text]
    assert "refused the access token" in str(refused.value)
    assert [i for i, text in enumerate(texts) if kept.value in text] == []


def test_the_wrong_vault_check_applies_to_oauth(vault):
    vault.configure(wrong_vault=True)
    with pytest.raises(vault_pandas.AuthenticationError) as raised:
        _oauth(vault, vault.oauth_token())
    assert raised.value.error_type == "WRONG_VAULT"


def test_auth_type_for_a_password_and_an_sso_user(vault):
    assert vault_pandas.auth_type(vault.username, login_url=vault.url) == {"auth_type": "password"}
    sso = vault_pandas.auth_type(vault.sso_username, login_url=vault.url)
    assert sso["auth_type"] == "sso"
    [profile] = sso["auth_profiles"]
    assert profile["id"] == vault.oauth_profile and profile["as_metadata"]["token_endpoint"]
    saml = vault_pandas.auth_type(vault.saml_username, login_url=vault.url)
    assert saml == {"auth_type": "sso", "auth_profiles": []}


def test_a_password_login_for_an_sso_user_says_how_to_log_in(vault):
    with pytest.raises(vault_pandas.AuthenticationError) as raised:
        vault_pandas.connect(vault.url, username=vault.sso_username, password="not-used")
    message = str(raised.value)
    assert "signs in through SSO" in message and vault.oauth_profile in message
    assert "oauth_token=" in message
    with pytest.raises(vault_pandas.AuthenticationError, match="SAML"):
        vault_pandas.connect(vault.url, username=vault.saml_username, password="not-used")


def test_close_ends_the_session_it_made_and_never_a_given_one(vault):
    made = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    given = made.auth.session(made._login).reveal()
    other = vault_pandas.connect(vault.url, session_id=given)
    other.close()
    assert vault.stats["sessions_ended"] == 0
    products(3).vault.create("product__v", progress=False, client=made)  # still live
    made.close()
    assert vault.stats["sessions_ended"] == 1
    with pytest.raises(vault_pandas.AuthenticationError) as ended:  # Vault refuses it now
        vault_pandas.connect(vault.url, session_id=given).call("GET", "metadata/vobjects/x__c")
    assert ended.value.error_type == "INVALID_SESSION_ID"
    # a closed client logs in again on its next use
    products(3, prefix="Q").vault.create("product__v", progress=False, client=made)
    assert vault.stats["logins"] == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"username": "u", "password": "p", "session": "not a session"}, "requests.Session"),
        ({"oauth_token": "t"}, "oauth_profile"),
        ({"oauth_profile": "_p"}, "oauth_token"),
        ({"username": "u", "password": "p", "oauth_token": "t", "oauth_profile": "_p"}, "not both"),
        (
            {"oauth_token": "t", "oauth_profile": "_p", "login_url": "http://login.example.com"},
            "plain http",
        ),
        ({"oauth_token": 42, "oauth_profile": "_p"}, "callable"),
    ],
)
def test_bad_connection_input_is_refused_before_any_request(vault, kwargs, match):
    with pytest.raises(vault_pandas.ConfigurationError, match=match):
        vault_pandas.connect(vault.url, **kwargs)
    assert vault.stats["total_requests"] == 0


def test_a_users_session_carries_oauth_logins_too(vault):
    seen = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: seen.append(r.request.path_url))
    with _oauth(vault, vault.oauth_token(), session=session) as client:
        products(2).vault.create("product__v", progress=False, client=client)
    assert seen[0] == f"/auth/oauth/session/{vault.oauth_profile}"
    assert len(seen) == vault.stats["total_requests"]  # every call, the logout included
    assert seen[-1] == "/api/v25.2/session"


def test_connect_reads_a_token_and_profile_from_the_environment(vault, monkeypatch):
    for name in ("VAULT_USERNAME", "VAULT_PASSWORD", "VAULT_SESSION_ID", "VAULT_LOGIN_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAULT_OAUTH_TOKEN", vault.oauth_token())
    monkeypatch.setenv("VAULT_OAUTH_PROFILE", vault.oauth_profile)
    with vault_pandas.connect(vault.url) as client:
        assert client.auth.mode == "oauth"
    assert vault.stats["oauth_logins"] == 1
    monkeypatch.setenv("VAULT_LOGIN_URL", "http://login.example.com")  # plain http, remote
    with pytest.raises(vault_pandas.ConfigurationError, match="plain http"):
        vault_pandas.connect(vault.url)
