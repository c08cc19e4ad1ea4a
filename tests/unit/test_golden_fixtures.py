"""Vault's documented example responses (``tests/fixtures/golden``) through the library's parsers.

Each fixture is one example response of Veeva's API reference, in its documented shape (see
``tests/fixtures/golden/README.md``). The expected values are read from the fixture; the
library must give them. Answers the client reads itself (login, picklists, queries) are
served by a local HTTP server on 127.0.0.1, so the client's real code path runs. A test marked
``xfail(strict=True)`` is a documented shape the library does not handle yet; its reason says
where. When the parser is fixed the test passes, the strict mark fails the run: remove it then.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import requests
from requests.adapters import HTTPAdapter

from vault_pandas.errors import AuthenticationError, FrameError
from vault_pandas.read.dtypes import complete_describe, typed_frame
from vault_pandas.read.vql import read_vql
from vault_pandas.results.outcomes import (
    Outcomes,
    RowOutcomes,
    action_outcomes,
    record_outcomes,
)
from vault_pandas.schema.columns import check_columns, is_required
from vault_pandas.schema.derived import derive_schema
from vault_pandas.schema.metadata import (
    _outbound_relationships,
    _parse_field,
    parse_object_metadata,
)
from vault_pandas.transport.auth import OAuthLogin, SessionAuth
from vault_pandas.transport.client import RetryPolicy, VaultClient
from vault_pandas.transport.discovery import auth_type, sso_hint
from vault_pandas.transport.responses import VaultResponse
from vault_pandas.write.recovery import check_key

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
VERSION = "v25.2"  # the version of the reference the fixtures come from
API = f"/api/{VERSION}"


def golden(name: str) -> dict[str, Any]:
    """The parsed body of one golden fixture."""
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


# -- a local Vault that answers with the fixtures -------------------------------------------
class _Seen:
    """One request the local Vault received."""

    def __init__(self, method: str, path: str, headers: Message, body: bytes) -> None:
        self.method, self.path, self.headers, self.body = method, path, headers, body

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


class _LocalVault(ThreadingHTTPServer):
    """HTTP on 127.0.0.1: each (method, path) in ``answers`` is answered 200 with that body."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: dict[tuple[str, str], dict[str, Any]] = {}
        self.seen: list[_Seen] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _LocalVault

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        self.server.seen.append(_Seen(self.command, path, self.headers, body))
        payload = self.server.answers.get((self.command, path))
        data = b"no such route" if payload is None else json.dumps(payload).encode()
        self.send_response(404 if payload is None else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


class _ToLocal(HTTPAdapter):
    """A requests adapter sending each request to the local Vault instead of the host in its
    URL (same path and query), so a client made for a documented vault DNS talks to the local
    server over real HTTP. Mounted on a user session: ``connect(session=...)`` in action."""

    def __init__(self, base: str) -> None:
        super().__init__(max_retries=0)
        self.base = base

    def send(self, request: Any, **kwargs: Any) -> Any:
        parts = urlsplit(request.url)
        query = f"?{parts.query}" if parts.query else ""
        request.url = f"{self.base}{parts.path}{query}"
        return super().send(request, **kwargs)


def _to_local(base: str) -> requests.Session:
    session = requests.Session()
    session.mount("https://", _ToLocal(base))
    return session


@pytest.fixture
def local_vault() -> Iterator[_LocalVault]:
    server = _LocalVault()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _client(url: str, auth: SessionAuth, local: str | None = None) -> VaultClient:
    """A client for ``url`` that tries once (a wrong route fails at once, not after backoff);
    with ``local``, its requests reach the local server at that address."""
    session = _to_local(local) if local else None
    return VaultClient(url, auth, api_version=VERSION, retry=RetryPolicy(1), session=session)


def _password() -> SessionAuth:
    return SessionAuth(username="olivia", password="pw")


def _session() -> SessionAuth:
    return SessionAuth(session_id="golden-session")


# -- the fixtures themselves ------------------------------------------------------------------
def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_every_fixture_is_listed_in_the_readme_with_a_response_status() -> None:
    readme = (GOLDEN / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+\.json)` \|", readme, re.MULTILINE))
    files = {p.name for p in GOLDEN.glob("*.json")}
    assert files == listed
    for name in sorted(files):
        body = golden(name)
        assert body["responseStatus"] in ("SUCCESS", "WARNING", "FAILURE"), name
        assert "localized_data" not in set(_keys(body)), name  # dropped, as the README says


# -- object metadata -> ObjectSpec, schema, columns -------------------------------------------
def test_object_metadata_object_properties() -> None:
    obj = golden("object_metadata_product__v.json")["object"]
    spec = parse_object_metadata(golden("object_metadata_product__v.json"))
    assert spec.name == obj["name"] == "product__v"
    assert spec.prefix == obj["prefix"] == "00P"
    assert spec.data_store == obj["data_store"] == "standard"
    assert spec.allow_types is obj["allow_types"] is False
    assert spec.default_obj_type == obj["default_obj_type"] == "base__v"
    # a field for each entry of fields[], none made up from relationships[]
    assert list(spec.fields) == [f["name"] for f in obj["fields"]] == ["id"]


def test_object_metadata_id_field() -> None:
    raw = golden("object_metadata_product__v.json")["object"]["fields"][0]
    field = parse_object_metadata(golden("object_metadata_product__v.json")).fields["id"]
    assert (field.name, field.type, field.label) == (raw["name"], raw["type"], raw["label"])
    assert field.required is raw["required"] is False
    assert field.editable is raw["editable"] is False
    assert "unique" not in raw and field.unique is True  # the record id is always unique
    assert "max_length" not in raw and field.max_length is None
    assert raw["lookup_relationship_name"] is None and field.computed is None  # not a lookup
    assert field.writable is False
    assert field.relationship_name is None and field.target_object is None


@pytest.mark.parametrize("operation", ["upsert", "update", "delete"])
def test_object_metadata_id_is_a_key_without_a_unique_key(operation: str) -> None:
    # Veeva's own upsert example sends ?idParam=id; its metadata for id has no "unique"
    spec = parse_object_metadata(golden("object_metadata_product__v.json"))
    assert check_columns(spec, ["id"], operation=operation, id_param="id") == {}
    check_key(spec, "id", ["id"])  # a reconcile key: no ConfigurationError


def test_object_metadata_relationships_array_names_the_reference_field() -> None:
    entry = golden("object_metadata_product__v.json")["object"]["relationships"][0]
    outbound = _outbound_relationships([entry])
    assert outbound == {entry["field"]: entry["relationship_name"]}
    assert outbound == {"product_family__v": "product_family__vr"}
    # the field the entry names (the example's fields[] omits it): name and target only
    field = _parse_field({"name": entry["field"], "object": entry["object"]}, outbound)
    assert field.relationship_name == "product_family__vr"
    assert field.target_object == entry["object"]["name"] == "product_family__v"


def test_object_metadata_schema_never_sets_id_on_create() -> None:
    spec = parse_object_metadata(golden("object_metadata_product__v.json"))
    assert "id" not in derive_schema(spec, {}, operation="create").columns
    assert "id" in derive_schema(spec, {}, operation="update").columns  # update matches on it


def test_object_metadata_read_only_column_is_left_out_not_refused() -> None:
    spec = parse_object_metadata(golden("object_metadata_product__v.json"))
    left_out = check_columns(spec, ["id"], operation="create")
    assert list(left_out) == ["id"]
    assert "migration_mode=True" in left_out["id"]
    assert check_columns(spec, ["id"], operation="create", migration_mode=True) == {}
    assert check_columns(spec, ["id"], operation="update") == {}


def _product_with_name_field() -> dict[str, Any]:
    """The documented product__v metadata with the documented product__v name__v field."""
    obj = golden("object_metadata_product__v.json")["object"]
    field = golden("field_metadata_name__v.json")["field"]
    return {"object": {**obj, "fields": [*obj["fields"], field]}}


def test_object_metadata_required_field_is_demanded_with_its_label() -> None:
    spec = parse_object_metadata(_product_with_name_field())
    label = golden("field_metadata_name__v.json")["field"]["label"]
    with pytest.raises(FrameError) as raised:
        check_columns(spec, ["id"], operation="create")
    assert raised.value.problems == [f"required field 'name__v' is missing ({label})"]
    assert check_columns(spec, ["id", "name__v"], operation="create") == {
        "id": "set by Vault on create; migration_mode=True sends it"
    }
    schema = derive_schema(spec, {}, operation="create")
    assert list(schema.columns) == ["name__v"]
    checks = [c.name for c in schema.columns["name__v"].checks]
    assert checks == ["required", "unique", "text", "max_length"]


# -- field metadata ---------------------------------------------------------------------------
def test_field_metadata_name__v() -> None:
    raw = golden("field_metadata_name__v.json")["field"]
    field = _parse_field(raw, {})
    assert (field.name, field.type, field.label) == ("name__v", "String", "Product Name")
    assert (field.type, field.label) == (raw["type"], raw["label"])
    assert field.required is raw["required"] is True
    assert field.editable is raw["editable"] is True
    assert field.unique is raw["unique"] is True
    assert field.max_length == raw["max_length"] == 128
    assert field.system_managed_name is raw["system_managed_name"] is False
    assert raw["lookup_relationship_name"] is None and field.computed is None
    assert field.writable is True
    assert field.relationship_name is None and field.default_value is None
    body = {"object": {"name": "product__v", "fields": [raw]}}
    assert parse_object_metadata(body).fields["name__v"] == field


# -- object type configuration ----------------------------------------------------------------
def test_object_type_configuration_only_fields_vault_cannot_fill_are_demanded() -> None:
    data = golden("object_type_configuration.json")["data"]
    assert (data["object"], data["name"]) == ("bicycle__c", "road_bike__c")
    fields = [_parse_field(entry, {}) for entry in data["type_fields"]]
    assert [f.name for f in fields] == [e["name"] for e in data["type_fields"]]
    assert [f.required for f in fields] == [e["required"] for e in data["type_fields"]]
    documented = {e["name"] for e in data["type_fields"] if e["required"]}
    assert documented == {"name__v", "status__v"}
    # status__v is required, but Vault fills it (active__v): the frame need not give it
    assert [f.name for f in fields if is_required(f)] == ["name__v"]


# -- picklists (through the client, over HTTP) --------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "picklist"),
    [
        ("picklist_values.json", "license_type__v"),
        ("picklist_values_dependencies.json", "state_cda__v"),
    ],
)
def test_picklist_values(local_vault: _LocalVault, fixture: str, picklist: str) -> None:
    body = golden(fixture)
    local_vault.answers[("GET", f"{API}/objects/picklists/{picklist}")] = body
    client = _client(local_vault.url, _session())
    try:
        values = client.picklist(picklist)
    finally:
        client.close()
    expected = {v["name"]: v["label"] for v in body["picklistValues"]}
    assert values == expected
    assert list(values) == [v["name"] for v in body["picklistValues"]]  # Vault's order
    assert local_vault.seen[0].headers["Authorization"] == "golden-session"
    if "picklistDependencies" in body:  # values valid under other controlling values only
        assert "ad-05__v" in body["picklistDependencies"]["ad__v"] and "ad-05__v" not in values


# -- create / upsert / update / delete / action answers -> row outcomes --------------------------
def _row_errors(item: dict[str, Any]) -> tuple[str | None, tuple[str, ...] | None]:
    """The error text and types the library should give a row: errors, else warnings."""
    entries = item.get("errors") or [
        {"type": w["warning_type"], "message": w["message"]} for w in item.get("warnings", [])
    ]
    if not entries:
        return None, None
    text = "; ".join(f"{e['type']}: {e['message']}" for e in entries)
    return text, tuple(dict.fromkeys(e["type"] for e in entries))


def _expected(payload: dict[str, Any]) -> dict[str, list[Any]]:
    rows = payload["data"]
    events = [(r.get("data") or {}).get("event") for r in rows]
    return {
        "status": [r["responseStatus"] for r in rows],
        "ids": [(r.get("data") or {}).get("id") for r in rows],
        "errors": [_row_errors(r)[0] for r in rows],
        "types": [_row_errors(r)[1] for r in rows],
        "events": [e.removesuffix("__sys") if e else None for e in events],
    }


def test_create_records_partial_failure() -> None:
    payload = golden("create_records_partial_failure.json")
    out = record_outcomes(payload, len(payload["data"]))
    want = _expected(payload)
    assert out.status == want["status"] == ["SUCCESS"] * 3 + ["FAILURE"]
    assert out.ids == want["ids"] == ["0PR0771", "0PR0772", "0PR0773", None]
    assert out.errors == want["errors"]
    assert out.errors[3] == (
        "INVALID_DATA: Error message describing why this object record was not created."
    )
    assert out.types == want["types"] == [None, None, None, ("INVALID_DATA",)]
    assert out.events == want["events"] == ["created"] * 3 + [None]
    rows = RowOutcomes(4, with_event=True)
    rows.set(np.arange(4), out.status, out.ids, out.errors, out.types, out.events)
    assert rows.counts() == {
        "statuses": {"SUCCESS": 3, "FAILURE": 1},
        "error_types": {"INVALID_DATA": 1},
    }


def test_create_records_without_event_v17_3() -> None:
    payload = golden("create_records_no_event_v17_3.json")
    out = record_outcomes(payload, len(payload["data"]))
    want = _expected(payload)
    assert (out.status, out.ids, out.errors, out.types) == (
        want["status"], want["ids"], want["errors"], want["types"]
    )  # fmt: skip
    assert out.ids == ["0PR0771", "0PR0772", "0PR0773", None]
    assert out.events == [None] * 4  # no event key before v25.2


def test_upsert_records() -> None:
    payload = golden("upsert_records.json")
    out = record_outcomes(payload, len(payload["data"]))
    want = _expected(payload)
    assert out.status == want["status"] == ["SUCCESS", "SUCCESS", "FAILURE"]
    assert out.ids == want["ids"] == ["00P00000000M001", "00P000000000C01", None]
    assert out.events == want["events"] == ["updated", "updated", None]
    assert out.errors == want["errors"] == [None, None, "INVALID_DATA: Invalid id"]
    assert out.types == want["types"] == [None, None, ("INVALID_DATA",)]


def test_update_records_with_warnings() -> None:
    payload = golden("update_records.json")
    resp = VaultResponse(200, payload)
    assert resp.response_status == "WARNING"  # sending.py reads the rows of SUCCESS/WARNING
    assert resp.errors == [] and resp.error_types == set()  # warnings[] are not errors
    out = record_outcomes(payload, len(payload["data"]))
    want = _expected(payload)
    assert out.status == want["status"] == ["SUCCESS", "WARNING", "FAILURE"]
    assert out.ids == want["ids"] == ["00P000000000602", "00P00000000K001", None]
    assert out.errors == want["errors"]
    assert out.errors[1] == "NO_DATA_CHANGES: No changes in values - record not updated"
    assert out.types == want["types"] == [None, ("NO_DATA_CHANGES",), ("INVALID_DATA",)]
    assert out.events == want["events"] == [None, None, None]


def test_delete_records() -> None:
    payload = golden("delete_records.json")
    out = record_outcomes(payload, len(payload["data"]))
    assert out.status == _expected(payload)["status"] == ["SUCCESS"] * 3
    assert out.ids == _expected(payload)["ids"]
    assert out.ids == ["00P000000000607", "00P00000000O048", "00P00000000O078"]
    assert (out.errors, out.types, out.events) == (None, None, None)


def test_object_action_on_multiple_records_matched_by_id() -> None:
    payload = golden("object_action_multiple_records.json")
    by_id = {item["id"]: item for item in payload["data"]}
    ids = list(reversed(by_id))  # sent in another order: matched by id, not by position
    out = action_outcomes(payload, ids)
    assert out.ids == ids == ["0MO0773", "0MO0772", "0MO0771"]
    assert out.status == [by_id[i]["responseStatus"] for i in ids]
    assert out.status == ["FAILURE", "SUCCESS", "SUCCESS"]
    assert out.errors == [_row_errors(by_id[i])[0] for i in ids]
    assert out.errors[0] == (
        "INSUFFICIENT_ACCESS: User does not have sufficient privileges to perform the action"
    )
    assert out.types == [("INSUFFICIENT_ACCESS",), None, None]


# -- authentication (through the client, over HTTP) ---------------------------------------------
@pytest.mark.parametrize("fixture", ["auth_password_success.json", "auth_oauth_success.json"])
def test_login_success_gives_the_session(local_vault: _LocalVault, fixture: str) -> None:
    body = golden(fixture)
    vault_url = next(v["url"] for v in body["vaultIds"] if v["id"] == body["vaultId"])
    assert vault_url == "https://promomats-veevapharm.veevavault.com/api"
    local_vault.answers[("POST", f"{API}/auth")] = body
    local_vault.answers[("GET", f"{API}/metadata/vobjects/product__v")] = golden(
        "object_metadata_product__v.json"
    )
    # the client is made for the vault the answer names; its requests reach the local server
    client = _client("promomats-veevapharm.veevavault.com", _password(), local_vault.url)
    try:
        client.login()
        metadata = client.object_metadata("product__v")
    finally:
        client.close()
    login, call, logout = local_vault.seen
    assert (login.method, login.path) == ("POST", f"{API}/auth")
    assert (logout.method, logout.path) == ("DELETE", f"{API}/session")  # close() ends it
    assert logout.headers["Authorization"] == body["sessionId"]
    assert login.form() == {"username": ["olivia"], "password": ["pw"]}
    assert call.headers["Authorization"] == body["sessionId"]  # the session Vault gave
    assert metadata == golden("object_metadata_product__v.json")


def test_login_answered_for_another_vault_is_refused(local_vault: _LocalVault) -> None:
    body = golden("auth_password_success.json")
    local_vault.answers[("POST", f"{API}/auth")] = body
    client = _client(local_vault.url, _password())
    try:
        with pytest.raises(AuthenticationError) as raised:
            client.login()
    finally:
        client.close()
    assert raised.value.error_type == "WRONG_VAULT"
    assert f"into {body['vaultIds'][0]['url']} (vault id {body['vaultId']})" in str(raised.value)


def test_login_failure_gives_vault_error_type(local_vault: _LocalVault) -> None:
    body = golden("auth_password_failure.json")
    local_vault.answers[("POST", f"{API}/auth")] = body
    client = _client(local_vault.url, _password())
    try:
        with pytest.raises(AuthenticationError) as raised:
            client.login()
    finally:
        client.close()
    error = body["errors"][0]
    assert raised.value.error_type == error["type"] == "NO_PASSWORD_PROVIDED"
    assert f"{error['type']}: {error['message']}" in str(raised.value)
    assert "AUTHENTICATION_FAILED" not in str(raised.value)  # top-level errorType: not read


def test_request_level_failure_fails_every_row() -> None:
    body = golden("auth_password_failure.json")  # the one documented request-level FAILURE
    resp = VaultResponse(200, body)
    assert resp.response_status == "FAILURE"
    assert resp.errors == body["errors"]
    assert resp.error_types == {"NO_PASSWORD_PROVIDED"}
    out = Outcomes.request_failed(2, ["a", "b"], resp.errors, resp.response_status)
    assert out.status == ["FAILURE", "FAILURE"]
    assert out.ids == ["a", "b"]
    text = "NO_PASSWORD_PROVIDED: No password was provided for the login call."
    assert out.errors == [text, text]
    assert out.types == [("NO_PASSWORD_PROVIDED",), ("NO_PASSWORD_PROVIDED",)]


@pytest.mark.parametrize("fixture", ["auth_discovery_password.json", "auth_discovery_sso.json"])
def test_discovery_answer_envelope(fixture: str) -> None:
    body = golden(fixture)
    resp = VaultResponse(200, body)
    assert resp.response_status == "SUCCESS"
    assert body["errors"] == [] and resp.errors == [] and resp.error_types == set()


def test_oauth_login_posts_the_documented_request(local_vault: _LocalVault) -> None:
    profile = "_9ad0a091-cbd6-4c59-ab5a-d4f2870f218c"  # the reference example's profile id
    body = golden("auth_oauth_success.json")
    local_vault.answers[("POST", f"/auth/oauth/session/{profile}")] = body
    local_vault.answers[("DELETE", f"{API}/session")] = {"responseStatus": "SUCCESS"}
    oauth = OAuthLogin(
        "1C29326C3DF", profile, login_url="https://login.veevavault.com", client_id="my-app"
    )
    session = _to_local(local_vault.url)
    client = VaultClient(
        "promomats-veevapharm.veevavault.com",
        SessionAuth(oauth=oauth),
        api_version=VERSION,
        retry=RetryPolicy(1),
        session=session,
    )
    with client:
        client.login()
    login, logout = local_vault.seen
    assert login.headers["Authorization"] == "Bearer 1C29326C3DF"
    assert login.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert login.form() == {
        "vaultDNS": ["promomats-veevapharm.veevavault.com"],
        "client_id": ["my-app"],
    }
    assert (logout.method, logout.headers["Authorization"]) == ("DELETE", body["sessionId"])


@pytest.mark.parametrize("fixture", ["auth_discovery_password.json", "auth_discovery_sso.json"])
def test_auth_type_returns_the_documented_data(local_vault: _LocalVault, fixture: str) -> None:
    body = golden(fixture)
    local_vault.answers[("POST", "/auth/discovery")] = body
    data = auth_type(
        "olivia@veepharm.com",
        client_id="veepharm-clinical-it-client-int0",
        session=_to_local(local_vault.url),
    )
    assert data == body["data"]
    [seen] = local_vault.seen
    assert seen.headers["X-VaultAPI-AuthIncludeMsal"] == "true"
    if data["auth_type"] == "sso":
        hint = sso_hint(data, "olivia@veepharm.com")
        assert hint is not None and "_a45afc-4773-4e17-9831-2905b2a6" in hint and "Azure" in hint


# -- VQL -> typed frame -------------------------------------------------------------------------
def test_vql_describe_types_the_string_column() -> None:
    body = golden("vql_query_with_describe.json")
    describe: dict[str, Any] = body["queryDescribe"]
    completed = complete_describe(describe, _no_metadata)
    assert completed is describe  # no Number or Picklist field: nothing to complete
    frame = typed_frame(body["data"], describe)
    assert list(frame.columns) == [f["name"] for f in describe["fields"]] == ["id", "name__v"]
    assert len(frame) == len(body["data"]) == body["responseDetails"]["size"]
    assert str(frame["name__v"].dtype) == "string"
    assert frame["name__v"].tolist() == [r["name__v"] for r in body["data"]]


def test_vql_describe_types_the_id_column() -> None:
    body = golden("vql_query_with_describe.json")
    assert body["queryDescribe"]["fields"][0]["type"] == "id"
    frame = typed_frame(body["data"], body["queryDescribe"])
    assert str(frame["id"].dtype) == "string"
    assert frame["id"].tolist() == [str(r["id"]) for r in body["data"]] == [
        "72", "63", "36", "25", "24"
    ]  # fmt: skip


def _no_metadata(object_name: str) -> list[dict[str, Any]]:
    raise AssertionError(f"object metadata of {object_name} asked for, but not needed")


def test_read_vql_sends_describe_and_reads_one_page(local_vault: _LocalVault) -> None:
    body = golden("vql_query_with_describe.json")
    local_vault.answers[("POST", f"{API}/query")] = body
    vql = "SELECT id, name__v FROM documents"
    client = _client(local_vault.url, _session())
    try:
        frame = read_vql(vql, client, progress=False)
    finally:
        client.close()
    assert "next_page" not in body["responseDetails"]  # one page: no request for another
    [query] = local_vault.seen
    assert query.headers["X-VaultAPI-DescribeQuery"] == "true"
    assert query.form() == {"q": [vql]}
    assert frame["name__v"].tolist() == [r["name__v"] for r in body["data"]]


def _serve_query_without_describe(local_vault: _LocalVault) -> dict[str, Any]:
    body = golden("vql_query.json")
    local_vault.answers[("POST", f"{API}/query")] = body
    local_vault.answers[("GET", f"{API}/metadata/vobjects/product__v")] = golden(
        "object_metadata_product__v.json"
    )
    return body


def _read_products(local_vault: _LocalVault) -> Any:
    client = _client(local_vault.url, _session())
    try:
        return read_vql("SELECT id, name__v FROM product__v", client, progress=False)
    finally:
        client.close()


def test_read_vql_without_describe_keeps_every_row(local_vault: _LocalVault) -> None:
    body = _serve_query_without_describe(local_vault)
    frame = _read_products(local_vault)
    assert "queryDescribe" not in body and "next_page" not in body["responseDetails"]
    assert [s.path for s in local_vault.seen if s.method == "POST"] == [f"{API}/query"]
    assert list(frame.columns) == ["id", "name__v"]
    # the example's total (26) counts records it does not list: the frame has what was sent
    assert len(frame) == len(body["data"]) == 10
    assert frame["id"].tolist() == [r["id"] for r in body["data"]]
    assert frame["name__v"].tolist() == [r["name__v"] for r in body["data"]]


def test_read_vql_without_describe_types_from_metadata(local_vault: _LocalVault) -> None:
    _serve_query_without_describe(local_vault)
    metadata = golden("object_metadata_product__v.json")["object"]
    assert metadata["fields"][0] == {**metadata["fields"][0], "name": "id", "type": "ID"}
    frame = _read_products(local_vault)
    assert str(frame["id"].dtype) == "string"
