"""Enterprise networks: proxies from the environment, a corporate root CA, the user's session."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest
import requests
import trustme
from frames import products
from requests.adapters import HTTPAdapter

import vault_pandas
from vault_pandas import sandbox
from vault_pandas.transport.client import RetryPolicy


def _load(vault: sandbox.SandboxVault, n: int = 1200, **connect: object) -> pd.DataFrame:
    """A whole session: login, metadata, writes (3 requests), VQL, logout."""
    with vault_pandas.connect(
        vault.url, username=vault.username, password=vault.password, **connect
    ) as client:
        out = products(n).vault.create("product__v", progress=False, client=client)
        back = vault_pandas.read_vql("SELECT id FROM product__v", client=client)
    assert (out["vault_status"] == "SUCCESS").all() and len(back) == n
    return out


def _kinds(vault: sandbox.SandboxVault) -> dict[str, int]:
    return vault.stats["requests"]


def test_every_call_goes_through_the_proxy_named_by_http_proxy(vault, clean_env, proxy):
    clean_env.setenv("HTTP_PROXY", proxy.url)  # the sandbox is plain http on loopback
    _load(vault)
    kinds = _kinds(vault)
    assert {"auth", "metadata", "create", "query", "logout"} <= set(kinds)
    assert len(proxy.seen) == vault.stats["total_requests"]  # every call, none around it
    assert all(url.startswith(vault.url + "/api/") for _, url in proxy.seen)
    assert proxy.paths().count("/api/v25.2/vobjects/product__v") == kinds["create"] == 3


def test_no_proxy_covering_the_host_sends_nothing_through_it(vault, clean_env, proxy):
    clean_env.setenv("HTTP_PROXY", proxy.url)
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    _load(vault)
    assert proxy.seen == [] and vault.stats["total_requests"] >= 6


@pytest.fixture(scope="module")
def corporate_ca() -> trustme.CA:
    return trustme.CA(organization_name="Example Pharma corporate root CA")


@pytest.fixture(scope="module")
def tls_vault(corporate_ca: trustme.CA) -> Iterator[sandbox.SandboxVault]:
    """The sandbox over https, its certificate signed by a CA no public bundle holds."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    corporate_ca.issue_cert("127.0.0.1").configure_cert(context)
    with sandbox.run(tls=context) as vault:
        yield vault


def test_https_proxy_and_a_corporate_ca_from_the_environment(
    tls_vault, corporate_ca, clean_env, proxy, tmp_path
):
    tls_vault.reset()
    bundle = tmp_path / "corporate-ca.pem"
    corporate_ca.cert_pem.write_to_path(str(bundle))
    clean_env.setenv("HTTPS_PROXY", proxy.url)
    clean_env.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert tls_vault.url.startswith("https://")
    _load(tls_vault)
    tunnels = [target for method, target in proxy.seen if method == "CONNECT"]
    assert tunnels and set(tunnels) == {tls_vault.dns}  # https went through CONNECT only
    assert len(proxy.seen) == len(tunnels)  # nothing else: the calls were inside the tunnels
    assert tls_vault.stats["requests"]["create"] == 3


def test_an_untrusted_certificate_is_a_clear_error_before_anything_is_sent(tls_vault, clean_env):
    tls_vault.reset()
    with pytest.raises(vault_pandas.TLSError, match="REQUESTS_CA_BUNDLE") as raised:
        vault_pandas.connect(tls_vault.url, username=tls_vault.username, password="x")
    assert raised.value.sent is False
    assert tls_vault.stats["total_requests"] == 0  # refused in the handshake, not retried


class _Counting(HTTPAdapter):
    def __init__(self) -> None:
        super().__init__(max_retries=0)
        self.sent: list[tuple[str, str]] = []

    def send(self, request, **kwargs):  # noqa: ANN001, ANN003, ANN201 - requests' own API
        self.sent.append((request.method, request.url))
        return super().send(request, **kwargs)


def test_a_users_session_with_a_mounted_adapter_sees_every_call(vault, clean_env):
    session = requests.Session()
    adapter = _Counting()
    session.mount("http://", adapter)
    session.headers["X-Corporate-Trace"] = "t-1"  # the user's own settings stay in force
    _load(vault, session=session)
    assert len(adapter.sent) == vault.stats["total_requests"] >= 6
    assert [m for m, _ in adapter.sent][0] == "POST"  # the login too
    assert adapter.sent[-1] == ("DELETE", vault.url + "/api/v25.2/session")
    # close() ended the session the library made, but left the user's session open
    assert session.get(vault.url + "/api/", timeout=10).status_code == 200


def test_a_proxys_502_page_after_forwarding_a_write_is_sent_answer_lost(vault, clean_env, proxy):
    clean_env.setenv("HTTP_PROXY", proxy.url)
    lost = []

    def first_create(method: str, url: str) -> bool:
        if method == "POST" and url.endswith("/vobjects/product__v") and not lost:
            lost.append(url)
            return True
        return False

    proxy.answer_502 = first_create
    client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    client.retry = RetryPolicy(attempts=4, base=0.01, cap=0.05, budget=30)
    with client:
        body = b'[{"name__v": "Lost answer", "product_family__c": "biologic__c"}]'
        with pytest.raises(vault_pandas.TransportError, match="HTTP 502") as raised:
            client.send(
                "POST",
                "vobjects/product__v",
                body=body,
                content_type="application/json",
                idempotent=False,
            )
        assert raised.value.sent is True and raised.value.status == 502
        assert len(vault.records("product__v")) == 1  # Vault did it; only the answer was lost
        # a load through the same proxy: its lost answer is reconciled, nothing is doubled
        lost.clear()
        out = products(700).vault.create("product__v", progress=False, client=client)
    assert (out["vault_status"] == "SUCCESS").all()
    assert len(vault.records("product__v")) == 701


def test_plain_http_to_a_remote_host_is_refused_even_through_a_session(clean_env):
    with pytest.raises(vault_pandas.ConfigurationError, match="plain http"):
        vault_pandas.connect(
            "http://myvault.veevavault.com", session_id="s", session=requests.Session()
        )


class _Redirecting(BaseHTTPRequestHandler):
    """Answers every request with a redirect to ``server.target`` and records what it got."""

    def _answer(self) -> None:
        self.server.seen.append((self.command, self.path, self.headers.get("Authorization")))
        self.send_response(302)
        self.send_header("Location", self.server.target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, format, *args):  # noqa: A002, ANN001, ANN002
        pass


@contextmanager
def _http_server(target: str = "") -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    server.seen, server.target = [], target
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_never_followed_with_the_session(clean_env):
    with (
        _http_server() as elsewhere,
        _http_server(f"http://127.0.0.1:{elsewhere.server_port}") as moved,
    ):
        client = vault_pandas.connect(
            f"http://127.0.0.1:{moved.server_port}", session_id="the-session", login=False
        )
        client.retry = RetryPolicy(attempts=1)
        with pytest.raises(vault_pandas.TransportError, match="HTTP 302"):
            client.call("GET", "metadata/vobjects/product__v")
    assert [auth for _, _, auth in moved.seen] == ["the-session"]
    assert elsewhere.seen == []  # the session never reached the other host


def test_a_proxy_that_cannot_be_reached_means_the_request_never_left(vault, clean_env):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    client = vault_pandas.connect(vault.url, session_id="a-session", login=False)
    client.retry = RetryPolicy(attempts=2, base=0.01, cap=0.02, budget=5)
    with pytest.raises(vault_pandas.TransportError, match="could not connect") as raised:
        client.send("POST", "vobjects/product__v", body=b"[]", idempotent=False)
    assert raised.value.sent is False  # safe to send again: nothing reached Vault
    assert vault.stats["total_requests"] == 0
