"""The HTTP side: route table, API dispatch (faults, burst, sessions) and the threaded server."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import handlers as h
from .backend import LogEntry
from .control import handle_control
from .errors import RequestFailure, VqlError
from .handlers import MAX_BODY_BYTES, Request, failure

if TYPE_CHECKING:
    from .vault import SandboxVault

__all__ = ["ROUTES", "Route", "SandboxHTTPServer"]

_log = logging.getLogger("vault_pandas.sandbox")
_V = r"/api/(?P<v>[^/]+)"
_VERSION = re.compile(r"v[0-9]{1,2}\.[0-9]")
_JSON = "application/json;charset=UTF-8"
_HTML_ERROR = "<html><head><title>{0}</title></head><body><h1>{0}</h1></body></html>"
_WRITE_OPS = {"POST": "create", "PUT": "update", "DELETE": "delete"}


@dataclass(frozen=True)
class Route:
    """One API endpoint: methods, path pattern, kind (for stats) and handler."""

    kind: str
    methods: tuple[str, ...]
    pattern: re.Pattern[str]
    handler: Callable[[Any, Request], dict[str, Any]]
    session: bool = True


def _route(kind: str, methods: str, pattern: str, handler: Callable, session: bool = True) -> Route:
    return Route(kind, tuple(methods.split()), re.compile(pattern), handler, session)


def _write(backend: Any, req: Request) -> dict[str, Any]:
    return h.write(backend, req, _WRITE_OPS[req.method])


ROUTES: list[Route] = [
    _route("versions", "GET", r"/api/?", h.versions),
    _route("auth", "POST", _V + r"/auth", h.auth, session=False),
    _route("keep_alive", "POST", _V + r"/keep-alive", h.keep_alive),
    _route("logout", "DELETE", _V + r"/session", h.logout),
    _route("metadata", "GET", _V + r"/metadata/vobjects/(?P<obj>[^/]+)", h.metadata),
    _route(
        "metadata",
        "GET",
        _V + r"/metadata/vobjects/(?P<obj>[^/]+)/fields/(?P<field>[^/]+)",
        h.field_meta,
    ),  # fmt: skip
    _route(
        "configuration", "GET", _V + r"/configuration/(?P<target>Objecttype[^/]*)", h.configuration
    ),
    _route("picklist", "GET", _V + r"/objects/picklists/(?P<name>[^/]+)", h.picklist),
    _route("write", "POST PUT DELETE", _V + r"/vobjects/(?P<obj>[^/]+)", _write),
    _route(
        "action", "POST", _V + r"/vobjects/(?P<obj>[^/]+)/actions/(?P<action>[^/]+)", h.run_action
    ),
    _route(
        "record_actions",
        "GET",
        _V + r"/vobjects/(?P<obj>[^/]+)/(?P<id>[^/]+)/actions",
        h.record_actions,
    ),  # fmt: skip
    _route("record", "GET", _V + r"/vobjects/(?P<obj>[^/]+)/(?P<id>[^/]+)", h.get_record),
    _route("query", "GET POST", _V + r"/query", h.query),
    _route("query_page", "GET POST", _V + r"/query/(?P<qid>[^/]+)", h.query_page),
    # login.veevavault.com's endpoints, served at the sandbox's own address (no /api prefix)
    _route(
        "oauth_session",
        "POST",
        r"/auth/oauth/session/(?P<profile>[^/]+)",
        h.oauth_session,
        session=False,
    ),  # fmt: skip
    _route("discovery", "POST", r"/auth/discovery", h.discovery, session=False),
]


@dataclass
class Reply:
    """What to send back: status, body, headers; or ``drop`` the connection instead."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def _match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """Find the route; the flag says a route exists for the path under another method."""
    other = False
    for route in ROUTES:
        m = route.pattern.fullmatch(path)
        if m:
            if method in route.methods:
                return route, m.groupdict(), False
            other = True
    return None, {}, other


def _kind(route: Route | None, req: Request) -> str:
    if route is None:
        return "unknown"
    if route.kind == "write":
        op = _WRITE_OPS[req.method]
        return "upsert" if op == "create" and "idParam" in req.query else op
    return route.kind


def _payload(vault: SandboxVault, route: Route | None, req: Request, other: bool) -> dict:
    """Run the handler (or explain why not) and return the Vault JSON body."""
    backend = vault.backend
    if route is None:
        kind = "METHOD_NOT_SUPPORTED" if other else "MALFORMED_URL"
        return failure(kind, f"{req.method} {req.path} is not a Vault API endpoint")
    if "v" in req.params and not _VERSION.fullmatch(req.version):
        return failure("MALFORMED_URL", f"Unknown API version [{req.version}]")
    if route.session and not backend.check_session(h.session_of(req)):
        return failure("INVALID_SESSION_ID", "Invalid or expired session ID")
    try:
        return route.handler(backend, req)
    except (RequestFailure, VqlError) as exc:
        return failure(exc.type, exc.message)
    except Exception as exc:  # a sandbox bug: answer as Vault does for system errors
        _log.exception("sandbox error on %s %s", req.method, req.path)
        return {
            "responseStatus": "EXCEPTION",
            "errors": [{"type": "UNEXPECTED_ERROR", "message": f"{type(exc).__name__}: {exc}"}],
        }


def dispatch_api(vault: SandboxVault, req: Request, target: str) -> tuple[Reply, str]:
    """Serve one ``/api`` or ``/auth/`` request: faults, latency, burst, session, handler.

    ``/auth/...`` (login.veevavault.com's endpoints, not the vault's API) does not count
    toward the burst limit and has no burst headers.
    Returns the reply and the endpoint kind (for the per-kind request counters).
    """
    backend = vault.backend
    api = req.path == "/api" or req.path.startswith("/api/")
    route, req.params, other = _match(req.method, req.path)
    kind = _kind(route, req)
    fired = vault.faults.fire(req.method, target)
    backend.count("faults_fired", len(fired))
    by_kind = {rule.kind: rule for rule in fired}
    pause = backend.config.latency + sum(r.params["seconds"] for r in fired if r.kind == "latency")
    if pause > 0:
        time.sleep(pause)
    if "drop_before" in by_kind:
        return Reply(drop=True), kind
    page = by_kind.get("http_error")
    if page is not None and not (page.params["after"] or page.params["from_vault"]):
        return _error_page(page), kind  # a proxy answered: the request never reached Vault
    if "expire_session" in by_kind:
        backend.end_session(h.session_of(req))
    limit, remaining, delayed = backend.tick_burst() if api else (0, 0, False)
    if page is not None and not page.params["after"]:
        payload: dict[str, Any] = {}  # Vault's web tier refused it: nothing was processed
    elif "request_error" in by_kind:
        params = by_kind["request_error"].params
        payload = failure(params["type"], params["message"] or f"Injected {params['type']}")
    else:
        if "row_error" in by_kind:
            params = by_kind["row_error"].params
            req.row_faults = dict.fromkeys(params["rows"], params["type"])
        payload = _payload(vault, route, req, other)
    headers = {"Content-Type": _JSON}
    if api:
        headers["X-VaultAPI-BurstLimit"] = str(limit)
        headers["X-VaultAPI-BurstLimitRemaining"] = str(remaining)
    headers["X-VaultAPI-ExecutionId"] = backend.token(16).lower()
    headers["X-VaultAPI-Status"] = payload.get("responseStatus", "SUCCESS")
    if delayed:
        delay = backend.config.burst_delay
        time.sleep(delay)
        headers["X-VaultAPI-ResponseDelay"] = str(round(delay * 1000))
    if page is not None:  # the answer is an HTML page, with Vault's headers if Vault sent it
        reply = _error_page(page)
        if page.params["from_vault"]:
            headers.pop("X-VaultAPI-Status")
            reply.headers = {**headers, **reply.headers}
        return reply, kind
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(200, body, headers, drop="drop_after" in by_kind), kind


def _error_page(rule: Any) -> Reply:
    """The HTML error page of an ``http_error`` fault."""
    status = int(rule.params["status"])
    title = f"{status} {'Error' if rule.params['from_vault'] else 'Proxy Error'}"
    return Reply(status, _HTML_ERROR.format(title).encode(), {"Content-Type": "text/html"})


class _Handler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 handler: every response has a Content-Length; Nagle is off."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: SandboxHTTPServer

    def version_string(self) -> str:
        """The Server header."""
        return "VaultSandbox/1.0"

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)
        self.server.vault.backend.count("connections")

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr access log (it would show query strings)."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _read_body(self) -> tuple[bytes, bool]:
        """Read the body (Content-Length or chunked); bodies over 50 MB are read and dropped."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts, size = [], 0
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline().strip():
                        pass  # trailers
                    break
                chunk = self.rfile.read(n)
                self.rfile.readline()
                size += n
                if size <= MAX_BODY_BYTES:
                    parts.append(chunk)
            return (b"".join(parts), False) if size <= MAX_BODY_BYTES else (b"", True)
        length = int(self.headers.get("Content-Length") or 0)
        if length <= MAX_BODY_BYTES:
            return self.rfile.read(length), False
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 20))
            if not chunk:
                break
            length -= len(chunk)
        return b"", True

    def _serve(self) -> None:
        vault = self.server.vault
        try:
            body, too_large = self._read_body()
        except ValueError:  # a bad Content-Length or chunk size: answer and hang up
            self.close_connection = True
            self._send(Reply(400, b"Bad request body", {"Content-Type": "text/plain"}))
            return
        split = urlsplit(self.path)
        path = unquote(split.path)
        if path.startswith("/_sandbox/"):
            status, data = handle_control(vault, self.command, path, body)
            self._send(Reply(status, data, {"Content-Type": _JSON}))
            return
        if path != "/api" and not path.startswith(("/api/", "/auth/")):
            self._send(Reply(404, b"Not found", {"Content-Type": "text/plain"}))
            return
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        base = vault.url
        req = Request(self.command, path, query, self.headers, body, base, too_large)
        reply, kind = dispatch_api(vault, req, self.path)
        # no query string for logins (discovery's names a user); never a header or a body
        logged = path if path.endswith("/auth") or path.startswith("/auth/") else self.path
        client = (self.headers.get("X-VaultAPI-ClientID") or "")[:100] or None
        entry = LogEntry(self.command, logged, None if reply.drop else reply.status, client)
        vault.backend.log_request(entry, kind)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


class SandboxHTTPServer(ThreadingHTTPServer):
    """Threaded server that knows its :class:`SandboxVault` and its open connections."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], vault: SandboxVault) -> None:
        self.vault = vault
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, _Handler)
        if vault.tls is not None:  # https: each accepted connection shakes hands first
            self.socket = vault.tls.wrap_socket(self.socket, server_side=True)

    def track(self, conn: socket.socket, *, add: bool) -> None:
        """Remember or forget an open client connection."""
        with self._conn_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        """Shut every open keep-alive connection so its thread ends."""
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
