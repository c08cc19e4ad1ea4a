"""OAuth 2.0 / OIDC sessions, SSO discovery, users of each auth type and ending sessions.

Raw HTTP against the sandbox, as a client would talk to login.veevavault.com and the vault.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox_client import VERSION, Api

from vault_pandas import sandbox

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
OTHER_VAULT = "https://other-vault.sandbox.example/api"


def golden(name: str) -> dict[str, Any]:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def oauth_login(
    vault: sandbox.SandboxVault,
    token: str | None,
    *,
    profile: str | None = None,
    vault_dns: str | None = "own",
    client_id: str | None = None,
    scheme: str = "Bearer",
) -> requests.Response:
    """``POST /auth/oauth/session/{profile}``; ``vault_dns="own"`` names this sandbox."""
    form = {}
    if vault_dns is not None:
        form["vaultDNS"] = vault.dns if vault_dns == "own" else vault_dns
    if client_id is not None:
        form["client_id"] = client_id
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    url = f"{vault.url}/auth/oauth/session/{profile or vault.oauth_profile}"
    return requests.post(url, data=form, headers=headers, timeout=10)


def discover(vault: sandbox.SandboxVault, msal: bool = False, **params: str) -> dict[str, Any]:
    headers = {"X-VaultAPI-AuthIncludeMsal": "true"} if msal else {}
    response = requests.post(
        f"{vault.url}/auth/discovery", params=params, headers=headers, timeout=10
    )
    assert response.status_code == 200
    return response.json()


def refused(response: requests.Response) -> str:
    """The error type of a refused OAuth login (Vault's failure envelope, HTTP 200)."""
    assert response.status_code == 200
    body = response.json()
    assert body["responseStatus"] == "FAILURE" and "sessionId" not in body, body
    return body["errors"][0]["type"]


# -- tokens and OAuth sessions ---------------------------------------------------------


def test_a_token_makes_a_session_that_works_on_the_api(vault):
    token = vault.oauth_token()
    response = oauth_login(vault, token, client_id="vault-pandas-tests")
    body = response.json()
    assert body["responseStatus"] == "SUCCESS"
    assert list(body) == list(golden("auth_oauth_success.json"))
    assert body["vaultIds"] == [{"id": 1000, "name": "Sandbox Vault", "url": f"{vault.url}/api"}]
    assert body["vaultId"] == 1000 and isinstance(body["userId"], int)
    client = Api(vault)
    client.http.headers["Authorization"] = body["sessionId"]
    assert client.get("/metadata/vobjects/product__v")["responseStatus"] == "SUCCESS"
    stats = vault.stats
    assert (stats["oauth_logins"], stats["logins"], stats["login_failures"]) == (1, 1, 0)
    assert stats["requests"]["oauth_session"] == 1
    # a login endpoint, not the vault's API: no burst accounting
    assert "X-VaultAPI-BurstLimit" not in response.headers
    assert response.headers["X-VaultAPI-Status"] == "SUCCESS"


def test_the_token_control_endpoint(vault):
    control = f"{vault.url}/_sandbox/oauth/token"
    issued = requests.post(control, json={}, timeout=10).json()
    assert set(issued) == {"access_token", "token_type", "expires_in"}
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600
    other = requests.post(control, json={"expires_in": 60}, timeout=10).json()
    assert other["expires_in"] == 60 and other["access_token"] != issued["access_token"]
    assert len(issued["access_token"]) >= 32
    assert oauth_login(vault, issued["access_token"]).json()["responseStatus"] == "SUCCESS"
    for bad in ({"expires_in": -1}, {"expires_in": "soon"}, {"username": ""}, {"user": "x"}):
        response = requests.post(control, json=bad, timeout=10)
        assert response.status_code == 400, bad
    assert requests.delete(control, timeout=10).json() == {
        "responseStatus": "SUCCESS",
        "revoked": 2,
    }
    assert refused(oauth_login(vault, other["access_token"])) == "USERNAME_OR_PASSWORD_INCORRECT"


def test_expired_revoked_unknown_and_missing_tokens_are_refused(vault):
    expiring = vault.oauth_token(expires_in=0.2)
    assert oauth_login(vault, expiring).json()["responseStatus"] == "SUCCESS"
    time.sleep(0.3)
    assert refused(oauth_login(vault, expiring)) == "USERNAME_OR_PASSWORD_INCORRECT"
    revoked = vault.oauth_token()
    assert vault.revoke_oauth_tokens() == 2
    assert refused(oauth_login(vault, revoked)) == "USERNAME_OR_PASSWORD_INCORRECT"
    assert refused(oauth_login(vault, "not-a-token")) == "USERNAME_OR_PASSWORD_INCORRECT"
    assert refused(oauth_login(vault, None)) == "USERNAME_OR_PASSWORD_INCORRECT"
    fresh = vault.oauth_token()
    assert refused(oauth_login(vault, fresh, scheme="Basic")) == "USERNAME_OR_PASSWORD_INCORRECT"
    body = oauth_login(vault, "not-a-token").json()
    assert body["errors"][0]["message"] and body["errorType"] == "AUTHENTICATION_FAILED"
    stats = vault.stats
    assert (stats["oauth_logins"], stats["login_failures"]) == (1, 6)


def test_wrong_profile_and_users_not_bound_to_it_are_refused(vault):
    token = vault.oauth_token()
    assert refused(oauth_login(vault, token, profile="_other")) == "USERNAME_OR_PASSWORD_INCORRECT"
    for user in (vault.username, vault.saml_username, "nobody@sandbox.example"):
        other = vault.oauth_token(username=user)
        assert refused(oauth_login(vault, other)) == "USERNAME_OR_PASSWORD_INCORRECT", user
    assert oauth_login(vault, token).json()["responseStatus"] == "SUCCESS"


def test_tokens_are_forgotten_on_reset(vault):
    token = vault.oauth_token()
    vault.reset()
    assert refused(oauth_login(vault, token)) == "USERNAME_OR_PASSWORD_INCORRECT"


@pytest.mark.parametrize("vault_dns", [None, "other-vault.sandbox.example", "127.0.0.1"])
def test_without_this_vaults_dns_the_most_relevant_vault_answers(vault, vault_dns):
    body = oauth_login(vault, vault.oauth_token(), vault_dns=vault_dns).json()
    assert body["responseStatus"] == "SUCCESS"
    assert body["vaultId"] != 1000
    assert body["vaultIds"][0]["url"] == OTHER_VAULT


def test_vault_dns_is_compared_without_case_and_wrong_vault_is_honoured(vault):
    assert oauth_login(vault, vault.oauth_token()).json()["vaultId"] == 1000
    via_host = requests.post(
        f"http://localhost:{vault.port}/auth/oauth/session/{vault.oauth_profile}",
        data={"vaultDNS": f"LOCALHOST:{vault.port}"},
        headers={"Authorization": f"Bearer {vault.oauth_token()}"},
        timeout=10,
    ).json()
    assert via_host["vaultId"] == 1000  # the Host the request came to
    vault.configure(wrong_vault=True)
    body = oauth_login(vault, vault.oauth_token()).json()
    assert body["vaultIds"][0]["url"] == OTHER_VAULT


def test_oauth_logins_count_toward_the_login_limit(vault):
    vault.configure(login_limit=2)
    token = vault.oauth_token()
    assert oauth_login(vault, token).json()["responseStatus"] == "SUCCESS"
    assert Api(vault).login()["responseStatus"] == "SUCCESS"
    assert refused(oauth_login(vault, token)) == "API_LIMIT_EXCEEDED"
    assert vault.stats["logins"] == 2 and vault.stats["oauth_logins"] == 1


def test_login_endpoints_do_not_count_toward_the_burst_limit(vault):
    vault.configure(burst_limit=2, burst_delay=0.0)
    token = vault.oauth_token()
    for _ in range(3):
        assert oauth_login(vault, token).json()["responseStatus"] == "SUCCESS"
        assert discover(vault, username=vault.sso_username)["responseStatus"] == "SUCCESS"
    response = requests.post(
        f"{vault.url}/api/{VERSION}/auth",
        data={"username": vault.username, "password": vault.password},
        timeout=10,
    )
    assert response.headers["X-VaultAPI-BurstLimitRemaining"] == "1"
    assert vault.stats["delayed_responses"] == 0


def test_wrong_method_and_unknown_login_paths(vault):
    url = f"{vault.url}/auth/oauth/session/{vault.oauth_profile}"
    assert requests.get(url, timeout=10).json()["errors"][0]["type"] == "METHOD_NOT_SUPPORTED"
    other = requests.post(f"{vault.url}/auth/elsewhere", timeout=10).json()
    assert other["errors"][0]["type"] == "MALFORMED_URL"


def test_the_token_never_reaches_the_log_or_stats(vault):
    token = vault.oauth_token()
    session = oauth_login(vault, token, client_id="vault-pandas-tests").json()["sessionId"]
    refused(oauth_login(vault, token, profile="_other"))
    discover(vault, username=vault.sso_username, client_id="vault-pandas-tests")
    log = vault.requests_log
    assert [(e.method, e.path, e.status) for e in log] == [
        ("POST", f"/auth/oauth/session/{vault.oauth_profile}", 200),
        ("POST", "/auth/oauth/session/_other", 200),
        ("POST", "/auth/discovery", 200),  # no query string: it names a user
    ]
    served = requests.get(f"{vault.url}/_sandbox/log", timeout=10).text
    stats = requests.get(f"{vault.url}/_sandbox/stats", timeout=10).text
    for text in (served, stats, repr(log), repr(vault.stats), repr(vault)):
        assert token not in text and session not in text


# -- password logins of SSO users ------------------------------------------------------


def test_sso_and_saml_users_cannot_log_in_with_a_password(vault):
    for user in (vault.sso_username, vault.saml_username):
        body = Api(vault).login(username=user, password=vault.password)
        assert body["responseStatus"] == "FAILURE"
        assert body["errors"][0]["type"] == "USERNAME_OR_PASSWORD_INCORRECT"
        assert body["errorType"] == "AUTHENTICATION_FAILED"
    assert vault.stats["login_failures"] == 2 and vault.stats["logins"] == 0


def test_users_and_profile_are_settings():
    with sandbox.run(sso_username="a@x.example", oauth_profile="_p") as other:
        assert (other.sso_username, other.oauth_profile) == ("a@x.example", "_p")
        assert other.saml_username == "saml.user@sandbox.example"
        token = other.oauth_token()
        assert oauth_login(other, token).json()["responseStatus"] == "SUCCESS"
        assert discover(other, username="a@x.example")["data"]["auth_profiles"][0]["id"] == "_p"
        with pytest.raises(ValueError):
            other.backend.configure(sso_username="b@x.example")


# -- discovery ---------------------------------------------------------------------------


def test_discovery_of_a_password_user_and_unknown_users(vault):
    documented = golden("auth_discovery_password.json")
    for user in (vault.username, "nobody@sandbox.example"):
        assert discover(vault, username=user) == documented


def test_discovery_of_the_sso_user_in_the_documented_shape(vault):
    documented = golden("auth_discovery_sso.json")
    body = discover(vault, msal=True, username=vault.sso_username)
    assert list(body) == list(documented) and body["errors"] == []
    assert body["data"]["auth_type"] == "sso"
    (profile,) = body["data"]["auth_profiles"]
    doc_profile = documented["data"]["auth_profiles"][0]
    assert list(profile) == list(doc_profile)
    assert profile["id"] == vault.oauth_profile and profile["label"] == "Sandbox OAuth"
    assert profile["oauthProviderType"] == "Okta"
    assert profile["vault_session_endpoint"] == (
        f"{vault.url}/auth/oauth/session/{vault.oauth_profile}"
    )
    assert profile["use_adal"] is False and profile["use_msal"] is False
    meta = profile["as_metadata"]
    assert set(meta) <= set(doc_profile["as_metadata"])
    assert meta["token_endpoint"] == f"{vault.url}/_sandbox/oauth/token"
    for key in ("issuer", "authorization_endpoint", "device_authorization_endpoint", "jwks_uri"):
        assert meta[key].startswith(vault.url), key
    assert "openid" in meta["scopes_supported"]
    # the endpoints discovery names work: a token from token_endpoint opens a session
    token = requests.post(meta["token_endpoint"], json={}, timeout=10).json()["access_token"]
    session = requests.post(
        profile["vault_session_endpoint"],
        data={"vaultDNS": vault.dns},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert session["responseStatus"] == "SUCCESS" and session["vaultId"] == 1000


def test_discovery_msal_header_and_client_id_mapping(vault):
    plain = discover(vault, username=vault.sso_username)["data"]["auth_profiles"][0]
    assert "use_msal" not in plain and "as_client_id" not in plain
    assert "use_msal" not in discover(vault, username=vault.sso_username, msal=False)
    unmapped = discover(vault, username=vault.sso_username, client_id="someone-else")
    assert "as_client_id" not in unmapped["data"]["auth_profiles"][0]
    mapped = discover(vault, msal=True, username=vault.sso_username, client_id="vault-pandas-tests")
    profile = mapped["data"]["auth_profiles"][0]
    assert profile["as_client_id"] == "sandbox-as-client" and "use_msal" in profile
    vault.configure(oauth_provider_type="Azure", oauth_client_ids={"mine": "as-mine"})
    azure = discover(vault, msal=True, username=vault.sso_username, client_id="mine")
    profile = azure["data"]["auth_profiles"][0]
    assert profile["oauthProviderType"] == "Azure"
    assert profile["use_adal"] is True and profile["use_msal"] is True
    assert profile["as_client_id"] == "as-mine"


def test_discovery_of_the_saml_user_and_a_missing_user_name(vault):
    body = discover(vault, msal=True, username=vault.saml_username, client_id="vault-pandas-tests")
    assert body == {
        "responseStatus": "SUCCESS",
        "errors": [],
        "data": {"auth_type": "sso", "auth_profiles": []},
    }
    for params in ({}, {"username": ""}):
        missing = discover(vault, **params)
        assert missing["responseStatus"] == "FAILURE"
        assert missing["errors"][0]["type"] == "PARAMETER_REQUIRED"


def test_discovery_needs_no_session_and_makes_none(vault):
    discover(vault, username=vault.sso_username)
    stats = vault.stats
    assert stats["logins"] == 0 and stats["requests"] == {"discovery": 1}


# -- ending sessions -------------------------------------------------------------------


def test_ending_a_session_ends_only_that_session(vault):
    first, second = Api(vault), Api(vault)
    first.login()
    second.login()
    third = Api(vault)
    third.http.headers["Authorization"] = oauth_login(vault, vault.oauth_token()).json()[
        "sessionId"
    ]
    assert first.http.delete(f"{first.base}/session").json() == {"responseStatus": "SUCCESS"}
    assert first.get("/metadata/vobjects/site__c")["errors"][0]["type"] == "INVALID_SESSION_ID"
    for other in (second, third):
        assert other.get("/metadata/vobjects/site__c")["responseStatus"] == "SUCCESS"
    assert third.http.delete(f"{third.base}/session").json()["responseStatus"] == "SUCCESS"
    assert third.get("/metadata/vobjects/site__c")["errors"][0]["type"] == "INVALID_SESSION_ID"
    again = first.http.delete(f"{first.base}/session").json()  # an ended session is unknown
    assert again["errors"][0]["type"] == "INVALID_SESSION_ID"
    stats = vault.stats
    assert (stats["sessions_ended"], stats["sessions_expired"]) == (2, 0)
    assert stats["requests"]["logout"] == 3
