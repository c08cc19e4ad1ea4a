"""The ``/_sandbox/...`` control endpoints: reset, configure, faults, records, stats, tokens."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import RequestFailure

if TYPE_CHECKING:
    from .vault import SandboxVault

__all__ = ["handle_control"]

_RECORDS = re.compile(r"/_sandbox/records/(?P<obj>[^/]+)/?")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(payload: Any) -> bytes:
    """Encode a control payload; Decimals become strings."""
    return json.dumps(payload, default=_json_default, ensure_ascii=False).encode("utf-8")


def _body(raw: bytes, want: type) -> Any:
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else want()
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"The body is not JSON: {exc}") from exc
    if not isinstance(data, want):
        raise ValueError(f"The body must be a JSON {want.__name__}")
    return data


def _failure(type: str, message: str) -> dict[str, Any]:  # noqa: A002 - Vault's key name
    return {"responseStatus": "FAILURE", "errors": [{"type": type, "message": message}]}


def _ok(**extra: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"responseStatus": "SUCCESS", **extra}


def _route(vault: SandboxVault, method: str, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
    path = path.rstrip("/") or path
    if (method, path) == ("POST", "/_sandbox/reset"):
        vault.reset()
        return _ok()
    if (method, path) == ("POST", "/_sandbox/configure"):
        vault.configure(**_body(raw, dict))
        return _ok()
    if path == "/_sandbox/faults":
        if method == "POST":
            rule = vault.faults.add(**_body(raw, dict))
            return _ok(rule=rule.describe())
        if method == "DELETE":
            vault.faults.clear()
            return _ok()
        if method == "GET":
            return _ok(rules=[r.describe() for r in vault.faults.rules])
    if path == "/_sandbox/oauth/token":
        if method == "POST":  # the sandbox's authorization server (JSON in, OAuth's shape out)
            body = _body(raw, dict)
            unknown = set(body) - {"username", "expires_in"}
            if unknown:
                raise ValueError(f"Unknown key(s) {sorted(unknown)}; allowed: expires_in, username")
            token, life = vault.issue_oauth_token(body.get("username"), body.get("expires_in"))
            return 200, {"access_token": token, "token_type": "Bearer", "expires_in": life}
        if method == "DELETE":
            return _ok(revoked=vault.revoke_oauth_tokens())
    if (method, path) == ("GET", "/_sandbox/stats"):
        return _ok(stats=vault.stats)
    if (method, path) == ("GET", "/_sandbox/log"):
        return _ok(log=[entry._asdict() for entry in vault.requests_log])
    match = _RECORDS.fullmatch(path)
    if match and method == "GET":
        return _ok(data=vault.records(match["obj"]))
    if match and method == "POST":
        return _ok(ids=vault.seed(match["obj"], _body(raw, list)))
    return 404, _failure("MALFORMED_URL", f"No control endpoint {method} {path}")


def handle_control(vault: SandboxVault, method: str, path: str, raw: bytes) -> tuple[int, bytes]:
    """Serve one control request; returns (HTTP status, JSON body).

    Bad input answers HTTP 400 with a FAILURE body; these endpoints have no session,
    burst accounting or faults.
    """
    try:
        status, payload = _route(vault, method, path, raw)
    except (TypeError, ValueError, RequestFailure) as exc:
        status, payload = 400, _failure("INVALID_DATA", str(exc))
    return status, dumps(payload)
