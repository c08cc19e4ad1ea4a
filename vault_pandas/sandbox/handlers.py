"""Vault API endpoint handlers: read a parsed request, call the backend, build Vault's JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from . import oauth
from .backend import Backend, QueryPage
from .csvio import CsvError, parse_csv
from .errors import RequestFailure
from .fields import USER_ID
from .metadata import describe_query, field_metadata, object_metadata, object_types, type_config
from .objects import OBJECTS, field_map
from .rows import Outcome
from .store import VAULT_ID
from .values import to_json
from .vql import DEFAULT_PAGE_SIZE
from .writes import MAX_ROWS, Batch

__all__ = ["MAX_BODY_BYTES", "Request", "failure"]

MAX_BODY_BYTES = 50 * 1024 * 1024
WRONG_VAULT_ID = 2000
#: From this version a plain create's rows carry ``event: created__sys`` (as documented).
_CREATE_EVENT_SINCE = (25, 2)
_SUPPORTED_VERSIONS = [f"v{y}.{r}" for y in range(21, 26) for r in (1, 2, 3)] + ["v26.1"]


@dataclass
class Request:
    """What a handler needs from one HTTP request."""

    method: str
    path: str
    query: dict[str, str]
    headers: Any  # email.message.Message: case-insensitive get()
    body: bytes
    base_url: str
    too_large: bool = False
    params: dict[str, str] = field(default_factory=dict)
    row_faults: dict[int, str] | None = None

    @property
    def version(self) -> str:
        return self.params.get("v", "")

    def header(self, name: str) -> str:
        return (self.headers.get(name) or "").strip()

    def form(self) -> dict[str, str]:
        """Form fields of an ``application/x-www-form-urlencoded`` body (first values)."""
        ctype = self.header("Content-Type").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded" or not self.body:
            return {}
        text = self.body.decode("utf-8", errors="replace")
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def failure(type: str, message: str, **extra: Any) -> dict[str, Any]:  # noqa: A002
    """A whole-request FAILURE body."""
    return {"responseStatus": "FAILURE", "errors": [{"type": type, "message": message}], **extra}


# -- session-less and metadata endpoints ------------------------------------------------


def versions(backend: Backend, req: Request) -> dict[str, Any]:
    """``GET /api/``: the versions this vault answers."""
    return {
        "responseStatus": "SUCCESS",
        "values": {v: f"{req.base_url}/api/{v}" for v in _SUPPORTED_VERSIONS},
    }


def auth(backend: Backend, req: Request) -> dict[str, Any]:
    """``POST /api/{v}/auth``: user name and password -> session id."""
    form = req.form()
    try:
        session = backend.login(form.get("username"), form.get("password"))
    except RequestFailure as exc:
        return failure(exc.type, exc.message, errorType="AUTHENTICATION_FAILED")
    return _session_body(backend, req, session, this_vault=True)


def _session_body(backend: Backend, req: Request, session: str, this_vault: bool) -> dict:
    """A login's answer: this vault, or another one (Vault's "most relevant vault")."""
    if backend.config.wrong_vault or not this_vault:
        vault_id, name, url = WRONG_VAULT_ID, "Other Vault", "https://other-vault.sandbox.example"
    else:
        vault_id, name, url = VAULT_ID, "Sandbox Vault", req.base_url
    return {
        "responseStatus": "SUCCESS",
        "sessionId": session,
        "userId": USER_ID,
        "vaultIds": [{"id": vault_id, "name": name, "url": f"{url}/api"}],
        "vaultId": vault_id,
    }


def oauth_session(backend: Backend, req: Request) -> dict[str, Any]:
    """``POST /auth/oauth/session/{profile}``: ``Authorization: Bearer {access token}`` -> session.

    Form field ``vaultDNS`` names this vault when it is the Host the request came to (or the
    sandbox's ``127.0.0.1:PORT``), in any case; absent or another: the other vault answers.
    ``client_id`` is accepted and not checked (the sandbox has no introspection endpoint).
    """
    scheme, _, token = req.header("Authorization").partition(" ")
    try:
        session = backend.oauth_login(
            req.params["profile"], token.strip() if scheme.lower() == "bearer" else None
        )
    except RequestFailure as exc:
        return failure(exc.type, exc.message, errorType="AUTHENTICATION_FAILED")
    asked = req.form().get("vaultDNS", "").strip().lower()
    here = {req.header("Host").lower(), req.base_url.partition("://")[2].lower()}
    return _session_body(backend, req, session, this_vault=bool(asked) and asked in here)


def discovery(backend: Backend, req: Request) -> dict[str, Any]:
    """``POST /auth/discovery?username=...&client_id=...``: how a user logs in."""
    username = req.query.get("username", "").strip()
    if not username:
        raise RequestFailure("PARAMETER_REQUIRED", "Missing required parameter [username]")
    msal = req.header("X-VaultAPI-AuthIncludeMsal").lower() == "true"
    client_id = req.query.get("client_id") or None
    data = oauth.auth_type(backend.config, req.base_url, username, msal=msal, client_id=client_id)
    return {"responseStatus": "SUCCESS", "errors": [], "data": data}


def keep_alive(backend: Backend, req: Request) -> dict[str, Any]:
    """``POST /api/{v}/keep-alive``: the session check already refreshed it."""
    return {"responseStatus": "SUCCESS"}


def logout(backend: Backend, req: Request) -> dict[str, Any]:
    """``DELETE /api/{v}/session``: end the caller's session (no other)."""
    backend.end_session(session_of(req), logout=True)
    return {"responseStatus": "SUCCESS"}


def session_of(req: Request) -> str:
    """The session id in ``Authorization`` (a ``Bearer`` prefix is accepted)."""
    value = req.header("Authorization")
    return value[7:].strip() if value[:7].lower() == "bearer " else value


def metadata(backend: Backend, req: Request) -> dict[str, Any]:
    """``GET /api/{v}/metadata/vobjects/{object}``."""
    obj = req.params["obj"]
    backend.check_object(obj)
    shape = backend.config.relationship_metadata
    return {"responseStatus": "SUCCESS", "object": object_metadata(obj, req.version, shape)}


def field_meta(backend: Backend, req: Request) -> dict[str, Any]:
    """``GET /api/{v}/metadata/vobjects/{object}/fields/{field}``."""
    obj = req.params["obj"]
    backend.check_object(obj)
    shape = backend.config.relationship_metadata
    field = field_metadata(obj, req.params["field"], req.version, shape)
    return {"responseStatus": "SUCCESS", "field": field}


def configuration(backend: Backend, req: Request) -> dict[str, Any]:
    """``GET /api/{v}/configuration/Objecttype[.{object}[.{type}]]``: object types."""
    target = req.params["target"]
    data = object_types() if target == "Objecttype" else type_config(target)
    return {"responseStatus": "SUCCESS", "data": data}


def picklist(backend: Backend, req: Request) -> dict[str, Any]:
    """``GET /api/{v}/objects/picklists/{name}``."""
    values = backend.picklist(req.params["name"])
    return {
        "responseStatus": "SUCCESS",
        "responseMessage": "Success",
        "picklistValues": [{"name": n, "label": label} for n, label in values],
    }


# -- records ----------------------------------------------------------------------------


def parse_batch(req: Request) -> Batch:
    """Read a CSV or JSON body into a :class:`Batch`; whole-request failures raise."""
    if req.too_large:
        raise RequestFailure("INVALID_DATA", "The input is larger than 50 MB")
    ctype, _, params = req.header("Content-Type").partition(";")
    ctype = ctype.strip().lower()
    charset = params.partition("charset=")[2].strip().strip('"').lower()
    if charset not in ("", "utf-8", "utf8"):
        raise RequestFailure("INVALID_DATA", f"Only UTF-8 input is accepted, not {charset}")
    if ctype == "text/csv":
        try:
            header, rows = parse_csv(req.body)
        except CsvError as exc:
            raise RequestFailure("INVALID_DATA", str(exc)) from exc
        return Batch(header, [dict(zip(header, row, strict=True)) for row in rows])
    if ctype == "application/json":
        return _json_batch(req.body)
    raise RequestFailure("INVALID_DATA", "Content-Type must be text/csv or application/json")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_batch(body: bytes) -> Batch:
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestFailure("INVALID_DATA", f"The body is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise RequestFailure("INVALID_DATA", "The JSON body must be a list of objects")
    for row in data:
        for key, value in row.items():
            if isinstance(value, dict) or (
                isinstance(value, list) and not all(isinstance(v, str) for v in value)
            ):
                raise RequestFailure("INVALID_DATA", f"Unsupported JSON value for [{key}]")
    columns = list(dict.fromkeys(key for row in data for key in row))
    return Batch(columns, data)


def _create_event(version: str) -> bool:
    try:
        major, minor = (int(p) for p in version.lstrip("v").split("."))
    except ValueError:
        return True
    return (major, minor) >= _CREATE_EVENT_SINCE


def _render(o: Outcome, req: Request, op: str) -> dict[str, Any]:
    """One row of a bulk answer, in the documented shape of its operation."""
    if o.status == "FAILURE":
        out: dict[str, Any] = {"responseStatus": "FAILURE"}
        if op == "upsert":
            out["data"] = {"id_param_value": o.id_param_value}
        out["errors"] = [{"type": t, "message": m} for t, m in o.errors]
        return out
    data: dict[str, Any] = {"id": o.id}
    if op != "delete":  # the create example's url has no leading slash; the others do
        slash = "" if op == "create" else "/"
        data["url"] = f"{slash}api/{req.version}/vobjects/{req.params['obj']}/{o.id}"
    if op == "upsert":
        data["event"] = o.event
        data["id_param_value"] = o.id_param_value
    elif op == "delete" and o.id_param_value is not None:  # a delete by ?idParam=
        data["id_param_value"] = o.id_param_value
    elif op == "create" and _create_event(req.version):
        data["event"] = "created__sys"
    out = {"responseStatus": o.status}
    if o.warning:
        out["warnings"] = [{"warning_type": o.warning[0], "message": o.warning[1]}]
    out["data"] = data
    return out


_ROWS_UNCHANGED = ("NO_DATA_CHANGES", "At least one record was left unchanged: same values")


def write(backend: Backend, req: Request, op: str) -> dict[str, Any]:
    """Create/upsert (POST), update (PUT) or delete (DELETE) object records in bulk.

    The request is ``WARNING`` (with a request-level warning) when a row is, as documented.
    """
    obj = req.params["obj"]
    backend.check_object(obj)
    batch = parse_batch(req)
    # X-VaultAPI-NoTriggers only matters with it, and the sandbox runs no triggers
    batch.migration = req.header("X-VaultAPI-MigrationMode").lower() == "true"
    id_param = req.query.get("idParam") if op in ("create", "update", "delete") else None
    if op in ("update", "delete"):
        batch.id_param, id_param = id_param, None  # matches records on it, never creates
    elif id_param is not None:
        op = "upsert"
    outcomes = backend.write(op, obj, batch, id_param=id_param, row_faults=req.row_faults)
    body: dict[str, Any] = {"responseStatus": "SUCCESS"}
    if any(o.status == "WARNING" for o in outcomes):
        body["responseStatus"] = "WARNING"
        body["warnings"] = [{"warning_type": _ROWS_UNCHANGED[0], "message": _ROWS_UNCHANGED[1]}]
    body["data"] = [_render(o, req, op) for o in outcomes]
    return body


def get_record(backend: Backend, req: Request) -> dict[str, Any]:
    """``GET /api/{v}/vobjects/{object}/{id}``."""
    obj, rid = req.params["obj"], req.params["id"]
    record = backend.record(obj, rid)
    if record is None:
        raise RequestFailure("INVALID_DATA", f"No {obj} record has id [{rid}]")
    fields = field_map(obj)
    meta = OBJECTS[obj]
    return {
        "responseStatus": "SUCCESS",
        "responseDetails": {
            "url": f"/api/{req.version}/vobjects/{obj}/{rid}",
            "object": {
                "url": f"/api/{req.version}/metadata/vobjects/{obj}",
                **{k: meta[k] for k in ("label", "name", "label_plural", "prefix")},
            },
        },
        "data": {k: to_json(fields[k], v) for k, v in record.items()},
    }


# -- actions ----------------------------------------------------------------------------


def run_action(backend: Backend, req: Request) -> dict[str, Any]:
    """``POST /api/{v}/vobjects/{object}/actions/{action}`` with form field ``ids``."""
    action = backend.find_action(req.params["obj"], req.params["action"])
    form = req.form()
    raw = form.get("ids", "")
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if not ids:
        raise RequestFailure("PARAMETER_REQUIRED", "Missing required parameter [ids]")
    if len(ids) > MAX_ROWS:
        raise RequestFailure("INVALID_DATA", f"Too many ids: {len(ids)} (at most {MAX_ROWS})")
    data = []
    for o in backend.run_action(action, ids, req.row_faults, form):
        entry: dict[str, Any] = {"responseStatus": o.status, "id": o.id}
        if o.errors:
            entry["errors"] = [{"type": t, "message": m} for t, m in o.errors]
        data.append(entry)
    return {"responseStatus": "SUCCESS", "data": data}


def record_actions(backend: Backend, req: Request) -> dict[str, Any]:
    """``GET /api/{v}/vobjects/{object}/{id}/actions``."""
    obj, rid = req.params["obj"], req.params["id"]
    base = f"/api/{req.version}/vobjects/{obj}"
    data = []
    for a in backend.record_actions(obj, rid):
        links = [
            {"rel": "metadata", "accept": "application/json", "method": "GET",
             "href": f"{base}/{rid}/actions/{a.name}"},
            {"rel": "execute", "accept": "application/json", "method": "POST",
             "href": f"{base}/{rid}/actions/{a.name}"},
        ]  # fmt: skip
        data.append({"name": a.name, "label": a.label, "type": a.kind, "links": links})
    return {"responseStatus": "SUCCESS", "data": data}


# -- queries ----------------------------------------------------------------------------


def _query_body(page: QueryPage, req: Request) -> dict[str, Any]:
    details: dict[str, Any] = {
        "pagesize": page.pagesize,
        "pageoffset": page.offset,
        "size": len(page.rows),
        "total": page.total,
    }
    base = f"/api/{req.version}/query/{page.query_id}?pagesize={page.pagesize}"
    if page.offset > 0:
        details["previous_page"] = f"{base}&pageoffset={max(page.offset - page.pagesize, 0)}"
    if page.offset + page.pagesize < page.total:
        details["next_page"] = f"{base}&pageoffset={page.offset + page.pagesize}"
    body: dict[str, Any] = {"responseStatus": "SUCCESS"}
    # Only when the header says true (any case, as Java's Boolean.parseBoolean reads it).
    if req.header("X-VaultAPI-DescribeQuery").lower() == "true":
        fields = [(f.name, f.meta) for f in page.query.fields]
        body["queryDescribe"] = describe_query(page.query.object, fields)
    body["responseDetails"] = details
    body["data"] = page.rows
    return body


def query(backend: Backend, req: Request) -> dict[str, Any]:
    """``POST /api/{v}/query`` with form field ``q`` (also ``?q=`` on GET)."""
    text = req.form().get("q") or req.query.get("q")
    if not text:
        raise RequestFailure("PARAMETER_REQUIRED", "Missing required parameter [q]")
    return _query_body(backend.query(text), req)


def query_page(backend: Backend, req: Request) -> dict[str, Any]:
    """``POST|GET /api/{v}/query/{query_id}?pagesize=N&pageoffset=M`` (a ``next_page`` URL)."""
    try:
        offset = int(req.query.get("pageoffset", "0"))
        size = int(req.query["pagesize"]) if "pagesize" in req.query else None
    except ValueError as exc:
        raise RequestFailure("INVALID_DATA", "pagesize and pageoffset must be numbers") from exc
    if offset < 0 or (size is not None and size < 1):
        raise RequestFailure("INVALID_DATA", "pagesize must be >= 1 and pageoffset >= 0")
    if size is not None:
        size = min(size, DEFAULT_PAGE_SIZE)
    return _query_body(backend.query_page(req.params["qid"], offset, size), req)
