"""A small forwarding HTTP proxy in a thread, for tests: it records every request it carries.

Plain http is forwarded (absolute-URI requests, as ``HTTP_PROXY`` makes clients send); https
goes through a ``CONNECT`` tunnel (as ``HTTPS_PROXY`` makes clients ask), relayed byte for byte.
``answer_502`` makes the proxy forward matching requests and then answer a 502 HTML page of
its own instead of the server's answer: "sent, answer lost", as a real gateway may.
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "upgrade"}


class Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, str]] = []  # (method, absolute URL or CONNECT host:port)
        self.headers_seen: list[dict[str, str]] = []
        self.answer_502: Callable[[str, str], bool] = lambda method, url: False
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        """The path of each forwarded request (CONNECT tunnels left out)."""
        return [urlsplit(url).path for method, url in self.seen if method != "CONNECT"]


class _Handler(BaseHTTPRequestHandler):
    server: Proxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.seen.append((self.command, self.path))
            self.server.headers_seen.append(dict(self.headers.items()))
        target = urlsplit(self.path)
        conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        path = target.path + (f"?{target.query}" if target.query else "")
        try:
            conn.request(self.command, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            status, reply_headers = resp.status, resp.getheaders()
        finally:
            conn.close()
        if self.server.answer_502(self.command, self.path):
            data = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            status, reply_headers = 502, [("Content-Type", "text/html")]
        self.send_response(status)
        for name, value in reply_headers:
            if name.lower() not in _HOP | {"content-length", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def do_CONNECT(self) -> None:  # noqa: N802 - the HTTP method's name
        with self.server.lock:
            self.server.seen.append(("CONNECT", self.path))
            self.server.headers_seen.append(dict(self.headers.items()))
        host, _, port = self.path.rpartition(":")
        upstream = socket.create_connection((host, int(port)), timeout=60)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        client = self.connection
        try:
            while True:
                ready, _, _ = select.select([client, upstream], [], [], 30)
                if not ready:
                    break
                for sock in ready:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    (upstream if sock is client else client).sendall(chunk)
        finally:
            upstream.close()
            self.close_connection = True


@contextmanager
def running_proxy() -> Iterator[Proxy]:
    proxy = Proxy()
    thread = threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(5)
