"""Burst limit, fault injection (in-process and over HTTP) and keep-alive behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sandbox_client import Api, error_types, rows_of

import vault_pandas
from vault_pandas import sandbox

ROW = "name__v,product_family__c\n{},biologic__c\n"


def test_burst_limit_delays_instead_of_refusing(vault, api):
    vault.configure(burst_limit=2, burst_window=0.6, burst_delay=0.05)
    meta = f"{api.base}/metadata/vobjects/site__c"
    first, second, third = (api.http.get(meta) for _ in range(3))
    assert [r.headers["X-VaultAPI-BurstLimitRemaining"] for r in (first, second)] == ["1", "0"]
    assert "X-VaultAPI-ResponseDelay" not in second.headers
    assert third.headers["X-VaultAPI-BurstLimitRemaining"] == "0"
    assert third.headers["X-VaultAPI-ResponseDelay"] == "50"
    assert third.json()["responseStatus"] == "SUCCESS"  # delayed, not refused
    assert vault.stats["delayed_responses"] == 1
    time.sleep(0.7)  # the fixed window resets
    fresh = api.http.get(meta)
    assert fresh.headers["X-VaultAPI-BurstLimitRemaining"] == "1"
    assert "X-VaultAPI-ResponseDelay" not in fresh.headers


def test_drop_before_writes_nothing(vault, api):
    rule = vault.faults.add("drop_before", path="/vobjects/", method="POST")
    with pytest.raises(requests.ConnectionError):
        api.csv("product__v", ROW.format("A"))
    assert vault.records("product__v") == []
    assert rule.fired == 1
    assert vault.requests_log[-1].status is None


def test_drop_after_writes_then_loses_the_answer(vault, api):
    vault.faults.add("drop_after", path="/vobjects/product__v", times=1)
    with pytest.raises(requests.ConnectionError):
        api.csv("product__v", ROW.format("A"))
    assert [r["name__v"] for r in vault.records("product__v")] == ["A"]
    retry = rows_of(api.csv("product__v", ROW.format("A")))[0]  # the retry collides
    assert error_types(retry) == ["INVALID_DATA"]


def test_http_error_is_a_proxy_page(vault, api):
    vault.faults.add("http_error", path="/vobjects/", status=502, on=[1])
    response = api.http.post(
        f"{api.base}/vobjects/product__v",
        data=ROW.format("A"),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "X-VaultAPI-BurstLimit" not in response.headers
    assert vault.records("product__v") == []
    assert rows_of(api.csv("product__v", ROW.format("A")))[0]["responseStatus"] == "SUCCESS"


def test_request_error_answers_failure(vault, api):
    vault.faults.add("request_error", path="/vobjects/", type="API_LIMIT_EXCEEDED")
    body = api.csv("product__v", ROW.format("A"))
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == "API_LIMIT_EXCEEDED"
    assert vault.records("product__v") == []


def test_row_error_fails_chosen_rows_only(vault, api):
    vault.faults.add("row_error", path="/vobjects/", rows=[1])
    body = "name__v,product_family__c\nA,biologic__c\nB,biologic__c\nC,biologic__c\n"
    a, b, c = rows_of(api.csv("product__v", body))
    assert error_types(b) == ["RACE_CONDITION"]
    assert a["responseStatus"] == c["responseStatus"] == "SUCCESS"
    assert [r["name__v"] for r in vault.records("product__v")] == ["A", "C"]


def test_row_error_on_actions(vault, api, product_id):
    vault.faults.add("row_error", path="/actions/", rows=[0], type="OPERATION_IN_PROGRESS")
    name = "Objectaction.product__v.mark_reviewed__c"
    [row] = api.action("product__v", name, product_id)["data"]
    assert row["errors"][0]["type"] == "OPERATION_IN_PROGRESS"


def test_expire_session_rejects_the_call(vault, api):
    vault.faults.add("expire_session", path="/vobjects/", on=[1])
    body = api.csv("product__v", ROW.format("A"))
    assert body["errors"][0]["type"] == "INVALID_SESSION_ID"
    assert vault.records("product__v") == []
    api.login()
    assert rows_of(api.csv("product__v", ROW.format("A")))[0]["responseStatus"] == "SUCCESS"


def test_latency_fault(vault, api):
    rule = vault.faults.add("latency", path="/metadata/", seconds=0.2)
    start = time.monotonic()
    api.get("/metadata/vobjects/site__c")
    assert time.monotonic() - start >= 0.2
    assert rule.fired == 1


def test_on_every_and_times_count_matching_requests(vault, api):
    on = vault.faults.add("latency", path="/metadata/", seconds=0, on=[2, 3])
    every = vault.faults.add("latency", path="/metadata/", seconds=0, every=2)
    times = vault.faults.add("latency", path="/metadata/", method="GET", seconds=0, times=1)
    other = vault.faults.add("latency", path="/metadata/", method="POST", seconds=0)
    for _ in range(5):
        api.get("/metadata/vobjects/site__c")
    api.get("/objects/picklists/product_family__c")  # does not match
    assert [(r.seen, r.fired) for r in (on, every, times, other)] == [
        (5, 2),
        (5, 2),
        (5, 1),
        (0, 0),
    ]
    assert vault.stats["faults_fired"] == 5


def test_fault_arguments_are_checked(vault):
    for kwargs in (
        {"kind": "explode"},
        {"kind": "row_error"},
        {"kind": "latency"},
        {"kind": "http_error", "rows": [1]},
        {"kind": "drop_before", "on": [1], "times": 2},
    ):
        with pytest.raises(ValueError):
            vault.faults.add(**kwargs)


def test_reset_clears_faults_and_records(vault, api):
    vault.faults.add("request_error", type="OPERATION_IN_PROGRESS")
    vault.seed("product__v", [{"name__v": "A", "product_family__c": "biologic__c"}])
    vault.configure(burst_limit=5)
    vault.reset()
    assert vault.faults.rules == [] and vault.records("product__v") == []
    assert vault.stats["total_requests"] == 0
    client = Api(vault)
    response = client.http.post(
        f"{client.base}/auth", data={"username": vault.username, "password": vault.password}
    )
    assert response.json()["responseStatus"] == "SUCCESS"
    assert response.headers["X-VaultAPI-BurstLimit"] == "2000"


def test_controls_over_http(vault, api):
    http = requests.Session()
    control = f"{vault.url}/_sandbox"
    assert (
        http.post(
            f"{control}/faults",
            json={
                "kind": "request_error",
                "path": "/vobjects/",
                "type": "OPERATION_IN_PROGRESS",
                "times": 1,
            },
        ).status_code
        == 200
    )
    assert api.csv("product__v", ROW.format("A"))["errors"][0]["type"] == "OPERATION_IN_PROGRESS"
    assert http.get(f"{control}/faults").json()["rules"][0]["fired"] == 1
    assert http.delete(f"{control}/faults").status_code == 200
    assert http.post(f"{control}/faults", json={"kind": "nope"}).status_code == 400
    seeded = http.post(
        f"{control}/records/product__v",
        json=[{"name__v": "B", "product_family__c": "device__c", "unit_price__c": "2.5"}],
    )
    assert len(seeded.json()["ids"]) == 1
    data = http.get(f"{control}/records/product__v").json()["data"]
    assert data[0]["unit_price__c"] == "2.50"
    assert http.post(f"{control}/configure", json={"burst_limit": 7}).status_code == 200
    assert (
        api.http.get(f"{api.base}/metadata/vobjects/site__c").headers["X-VaultAPI-BurstLimit"]
        == "7"
    )
    assert http.post(f"{control}/configure", json={"password": "x"}).status_code == 400
    stats = http.get(f"{control}/stats").json()["stats"]
    assert stats["requests"]["create"] == 1
    assert http.post(f"{control}/reset").status_code == 200
    assert vault.records("product__v") == []


def test_keep_alive_has_no_nagle_stall(vault, api):
    """200 small POSTs on one connection; a 40 ms stall each would take 8 s."""
    url = f"{api.base}/query"
    connections_before = vault.stats["connections"]
    start = time.monotonic()
    for _ in range(200):
        response = api.http.post(url, data={"q": "SELECT id FROM product__v"})
        assert response.status_code == 200
    elapsed = time.monotonic() - start
    assert elapsed < 2.0, f"200 keep-alive requests took {elapsed:.2f} s"
    assert vault.stats["connections"] == connections_before  # one reused connection


def test_command_line_serves_and_prints_credentials(tmp_path):
    package_root = str(Path(vault_pandas.__path__[0]).parent)
    env = dict(os.environ, PYTHONPATH=package_root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault_pandas.sandbox", "--port", "0", "--password", "pw-1"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = proc.stdout.readline()
        url = first.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        body = requests.post(
            f"{url}/api/v25.2/auth",
            data={"username": "analyst@sandbox.example", "password": "pw-1"},
            timeout=5,
        ).json()
        assert body["responseStatus"] == "SUCCESS"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_several_sandboxes_are_independent():
    with sandbox.run() as one, sandbox.run() as two:
        one.seed("product__v", [{"name__v": "A", "product_family__c": "biologic__c"}])
        assert two.records("product__v") == []
        assert one.port != two.port
