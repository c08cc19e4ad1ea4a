"""Login, sessions, versions and the envelope headers of the sandbox."""

from __future__ import annotations

import time

import requests
from sandbox_client import VERSION, Api

from vault_pandas import sandbox


def test_login_returns_session_and_this_vault(vault):
    body = Api(vault).login()
    assert body["responseStatus"] == "SUCCESS"
    assert len(body["sessionId"]) >= 32
    assert body["vaultId"] == body["vaultIds"][0]["id"]
    assert body["vaultIds"][0]["url"] == f"{vault.url}/api"
    assert isinstance(body["userId"], int)


def test_each_login_gets_a_new_session(vault):
    assert Api(vault).login()["sessionId"] != Api(vault).login()["sessionId"]


def test_bad_password_and_missing_password_fail(vault):
    bad = Api(vault).login(password="wrong")
    assert bad["responseStatus"] == "FAILURE"
    assert bad["errors"][0]["type"] == "USERNAME_OR_PASSWORD_INCORRECT"
    assert Api(vault).login(username="someone@else")["errors"][0]["type"] == (
        "USERNAME_OR_PASSWORD_INCORRECT"
    )
    assert Api(vault).login(password="")["errors"][0]["type"] == "NO_PASSWORD_PROVIDED"
    assert vault.stats["login_failures"] == 3


def test_login_limit_per_minute(vault):
    vault.configure(login_limit=2)
    assert Api(vault).login()["responseStatus"] == "SUCCESS"
    assert Api(vault).login(password="wrong")["responseStatus"] == "FAILURE"
    third = Api(vault).login()
    assert third["errors"][0]["type"] == "API_LIMIT_EXCEEDED"
    assert "sessionId" not in third


def test_wrong_vault_login_names_another_vault(vault):
    vault.configure(wrong_vault=True)
    body = Api(vault).login()
    assert body["responseStatus"] == "SUCCESS"
    assert body["vaultId"] != 1000
    assert vault.dns not in body["vaultIds"][0]["url"]


def test_calls_need_a_session(vault, product_id):
    client = Api(vault)
    body = client.get("/metadata/vobjects/product__v")
    assert body["errors"][0]["type"] == "INVALID_SESSION_ID"
    client.http.headers["Authorization"] = "not-a-session"
    assert client.get("/metadata/vobjects/product__v")["errors"][0]["type"] == "INVALID_SESSION_ID"
    rejected = client.csv("product__v", "name__v,product_family__c\nX,biologic__c\n")
    assert rejected["errors"][0]["type"] == "INVALID_SESSION_ID"
    assert len(vault.records("product__v")) == 1  # the rejected call wrote nothing


def test_bearer_prefix_is_accepted(api):
    api.http.headers["Authorization"] = f"Bearer {api.session_id}"
    assert api.get("/metadata/vobjects/product__v")["responseStatus"] == "SUCCESS"


def test_idle_session_expires(vault):
    vault.configure(session_timeout=0.2)
    client = Api(vault)
    client.login()
    assert client.get("/metadata/vobjects/site__c")["responseStatus"] == "SUCCESS"
    time.sleep(0.3)
    assert client.get("/metadata/vobjects/site__c")["errors"][0]["type"] == "INVALID_SESSION_ID"
    client.login()
    assert client.get("/metadata/vobjects/site__c")["responseStatus"] == "SUCCESS"


def test_logout_ends_the_session(api):
    assert api.http.delete(f"{api.base}/session").json()["responseStatus"] == "SUCCESS"
    assert api.get("/metadata/vobjects/site__c")["errors"][0]["type"] == "INVALID_SESSION_ID"


def test_versions_listed_and_any_version_accepted(api):
    body = api.http.get(f"{api.vault.url}/api/").json()
    assert VERSION in body["values"]
    other = f"{api.vault.url}/api/v24.3/metadata/vobjects/product__v"
    assert api.http.get(other).json()["responseStatus"] == "SUCCESS"
    bad = f"{api.vault.url}/api/latest/metadata/vobjects/product__v"
    assert api.http.get(bad).json()["errors"][0]["type"] == "MALFORMED_URL"


def test_unknown_endpoint_and_wrong_method(api):
    assert api.get("/nothing/here")["errors"][0]["type"] == "MALFORMED_URL"
    response = api.http.get(f"{api.base}/auth")
    assert response.status_code == 200
    assert response.json()["errors"][0]["type"] == "METHOD_NOT_SUPPORTED"


def test_every_api_response_has_vault_headers(api):
    first = api.http.get(f"{api.base}/metadata/vobjects/product__v")
    second = api.http.get(f"{api.base}/metadata/vobjects/nothing__c")
    for response in (first, second):
        assert int(response.headers["X-VaultAPI-BurstLimit"]) == 2000
        assert int(response.headers["X-VaultAPI-BurstLimitRemaining"]) < 2000
        assert "X-VaultAPI-ResponseDelay" not in response.headers
        assert int(response.headers["Content-Length"]) == len(response.content)
    assert first.headers["X-VaultAPI-Status"] == "SUCCESS"
    assert second.headers["X-VaultAPI-Status"] == "FAILURE"
    assert first.headers["X-VaultAPI-ExecutionId"] != second.headers["X-VaultAPI-ExecutionId"]


def test_request_log_keeps_no_secrets(vault):
    client = Api(vault)
    client.http.headers["X-VaultAPI-ClientID"] = "acme-loader"
    session = client.login()["sessionId"]
    client.get("/metadata/vobjects/product__v")
    log = vault.requests_log
    assert [(e.method, e.status, e.client_id) for e in log] == [
        ("POST", 200, "acme-loader"),
        ("GET", 200, "acme-loader"),
    ]
    assert log[0].path == f"/api/{VERSION}/auth"
    flat = repr(log) + repr(vault.stats)
    assert vault.password not in flat and session not in flat


def test_seeded_sandbox_gives_reproducible_sessions():
    ids = []
    for _ in range(2):
        with sandbox.run(seed=7) as vault:
            ids.append(Api(vault).login()["sessionId"])
    assert ids[0] == ids[1]


def test_stop_closes_the_port():
    vault = sandbox.run()
    url = vault.url
    vault.stop()
    try:
        requests.get(f"{url}/api/", timeout=2)
    except requests.ConnectionError:
        return
    raise AssertionError("the sandbox still answers after stop()")
