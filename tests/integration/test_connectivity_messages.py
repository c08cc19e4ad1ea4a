"""What a network failure says: https to the plain-http sandbox, a dead proxy, a proxy's password
HTTP cannot carry, a header of the user's session. Never a credential, never a raw traceback."""

from __future__ import annotations

import socket
import traceback

import pytest
import requests

import vault_pandas
from vault_pandas.errors import UnsendableRequestError
from vault_pandas.transport.client import RetryPolicy

PROXY_USER, PROXY_PASSWORD = "proxy-user", "Pr0xy-S3cret"


def _closed_port() -> int:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        return closed.getsockname()[1]


def _texts(exc: BaseException) -> str:
    """Everything an error shows, with the local variables of the library's frames."""
    texts = [str(exc), repr(exc)]
    trace: traceback.TracebackException | None
    trace = traceback.TracebackException.from_exception(exc, capture_locals=True)
    while trace is not None:
        texts += ["".join(trace.format_exception_only())]
        for frame in trace.stack:
            if "/vault_pandas/" in frame.filename.replace("\\", "/"):
                texts += [f"{name}={value}" for name, value in (frame.locals or {}).items()]
        trace = trace.__cause__ or trace.__context__
    return "\n".join(texts)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_https_to_the_plain_http_sandbox_says_to_give_its_http_url(vault, clean_env, host):
    address = f"{host}:{vault.url.rsplit(':', 1)[1]}"  # as a DNS: https implied
    with pytest.raises(vault_pandas.TLSError) as raised:
        vault_pandas.connect(address, username=vault.username, password=vault.password)
    message = str(raised.value)
    assert f"give the URL http://{address}" in message and "sandbox" in message
    assert "REQUESTS_CA_BUNDLE" not in message  # not a corporate CA's problem
    assert raised.value.sent is False
    if host == "127.0.0.1":  # the URL said works (the sandbox names itself 127.0.0.1)
        vault_pandas.connect(f"http://{address}", username=vault.username, password=vault.password)


def test_a_dead_proxy_is_named_without_its_credentials(vault, clean_env):
    port = _closed_port()
    clean_env.setenv("HTTP_PROXY", f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}")
    client = vault_pandas.connect(vault.url, session_id="a-session", login=False)
    client.retry = RetryPolicy(attempts=2, base=0.01, cap=0.02, budget=5)
    with pytest.raises(vault_pandas.TransportError) as raised:
        client.send("POST", "vobjects/product__v", body=b"[]", idempotent=False)
    assert f"could not connect to the proxy 127.0.0.1:{port}" in str(raised.value)
    assert "HTTP_PROXY" in str(raised.value)
    assert raised.value.sent is False and vault.stats["total_requests"] == 0
    shown = _texts(raised.value)
    assert PROXY_PASSWORD not in shown and PROXY_USER not in shown


def test_a_proxy_password_http_cannot_carry_is_refused_at_once(vault, clean_env, proxy):
    password = "S3cret-\u20ac"  # a euro sign: Proxy-Authorization is latin-1 only
    address = proxy.url.replace("http://", "")
    clean_env.setenv("HTTP_PROXY", f"http://{PROXY_USER}:{password}@{address}")
    client = vault_pandas.connect(vault.url, session_id="a-session", login=False)
    with pytest.raises(UnsendableRequestError) as raised:
        client.call("GET", "metadata/vobjects/product__v")
    assert isinstance(raised.value, vault_pandas.TransportError) and raised.value.sent is False
    message = str(raised.value)
    assert "U+20AC EURO SIGN" in message and f"proxy {address}" in message
    assert client.stats.retries == 0  # the same request again would fail the same way
    assert proxy.seen == [] and vault.stats["total_requests"] == 0
    assert "S3cret" not in _texts(raised.value)


def test_a_header_of_the_users_session_http_cannot_carry_is_a_clear_error(vault, clean_env):
    session = requests.Session()
    session.headers["X-Corporate-Trace"] = "trace-\u2603"
    with pytest.raises(UnsendableRequestError, match="U\\+2603 SNOWMAN"):
        vault_pandas.connect(
            vault.url, username=vault.username, password=vault.password, session=session
        )
    assert vault.stats["total_requests"] == 0
