"""A thin HTTP test client for the sandbox, and helpers to read bulk responses."""

from __future__ import annotations

import json
from typing import Any

import requests

from vault_pandas import sandbox

VERSION = "v25.2"

PRODUCT = {"name__v": "Cholecap", "product_family__c": "small_molecule__c"}


class Api:
    """A thin test client: real HTTP to the sandbox, JSON bodies back as dicts."""

    def __init__(self, vault: sandbox.SandboxVault, version: str = VERSION) -> None:
        self.vault = vault
        self.http = requests.Session()
        self.base = f"{vault.url}/api/{version}"
        self.session_id = ""

    def login(self, username: str | None = None, password: str | None = None) -> dict[str, Any]:
        form = {
            "username": self.vault.username if username is None else username,
            "password": self.vault.password if password is None else password,
        }
        body = self.http.post(f"{self.base}/auth", data=form).json()
        if body["responseStatus"] == "SUCCESS":
            self.session_id = body["sessionId"]
            self.http.headers["Authorization"] = self.session_id
        return body

    def get(self, path: str, **kw: Any) -> dict[str, Any]:
        return self.http.get(f"{self.base}{path}", **kw).json()

    def send(self, method: str, obj: str, body: str | bytes, ctype: str, **params: Any) -> dict:
        data = body.encode("utf-8") if isinstance(body, str) else body
        url = f"{self.base}/vobjects/{obj}"
        response = self.http.request(
            method, url, data=data, params=params, headers={"Content-Type": ctype}
        )
        assert response.status_code == 200
        return response.json()

    def csv(self, obj: str, body: str | bytes, method: str = "POST", **params: Any) -> dict:
        return self.send(method, obj, body, "text/csv", **params)

    def json(self, obj: str, rows: Any, method: str = "POST", **params: Any) -> dict:
        return self.send(method, obj, json.dumps(rows), "application/json", **params)

    def query(self, q: str, describe: bool = False) -> dict[str, Any]:
        headers = {"X-VaultAPI-DescribeQuery": "true"} if describe else {}
        return self.http.post(f"{self.base}/query", data={"q": q}, headers=headers).json()

    def action(self, obj: str, name: str, ids: str) -> dict[str, Any]:
        url = f"{self.base}/vobjects/{obj}/actions/{name}"
        return self.http.post(url, data={"ids": ids}).json()


def rows_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-row results of a bulk response, checking the request itself was processed.

    A processed request is ``SUCCESS``, or ``WARNING`` (with a request-level ``warnings``
    entry) when a row is ``WARNING``, as Vault documents.
    """
    assert body["responseStatus"] in ("SUCCESS", "WARNING"), body
    row_warned = any(row["responseStatus"] == "WARNING" for row in body["data"])
    assert (body["responseStatus"] == "WARNING") == row_warned, body
    assert ("warnings" in body) == row_warned, body
    return body["data"]


def error_types(row: dict[str, Any]) -> list[str]:
    """The error types of one FAILURE row."""
    assert row["responseStatus"] == "FAILURE", row
    return [e["type"] for e in row["errors"]]
