"""A credential refused for a character it holds never shows: not in an error, its repr, the
local variables of the library's frames in its traceback, the log (DEBUG), or a result frame."""

from __future__ import annotations

import logging
import traceback

import pytest
from frames import products

import vault_pandas
from vault_pandas.transport.client import RetryPolicy

SECRET = "Odd-SECRET-7c1e"  # the part of every refused credential that must never show
WRITES = {"path": "/vobjects/product__v", "method": "POST"}


def _shown(exc: BaseException) -> list[str]:
    """What an error shows, with the local variables of the library's frames (--showlocals)."""
    texts = [str(exc), repr(exc)]
    trace: traceback.TracebackException | None
    trace = traceback.TracebackException.from_exception(exc, capture_locals=True)
    while trace is not None:
        texts.append("".join(trace.format_exception_only()))
        for frame in trace.stack:
            if "/vault_pandas/" in frame.filename.replace("\\", "/"):
                texts += [f"{name}={value}" for name, value in (frame.locals or {}).items()]
        trace = trace.__cause__ or trace.__context__
    return texts


def _refused(call) -> list[str]:  # noqa: ANN001 - any callable that raises
    with pytest.raises(vault_pandas.VaultPandasError) as raised:
        call()
    return _shown(raised.value)


def test_no_refused_credential_shows_anywhere(vault, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's and requests' included
    profile = {"oauth_profile": vault.oauth_profile}
    texts: list[str] = []
    for odd in ("\u200b", "\U0001f600", "\r\nX-Evil: 1", "\x00", "\u00e9"):
        bad = SECRET + odd
        for given in ({"oauth_token": bad, **profile}, {"session_id": bad}):
            texts += _refused(lambda given=given: vault_pandas.connect(vault.url, **given))
        provided = {"oauth_token": lambda bad=bad: bad, **profile}
        texts += _refused(lambda provided=provided: vault_pandas.connect(vault.url, **provided))
    texts += _refused(
        lambda: vault_pandas.connect(vault.url, username=vault.username, password=SECRET + "\udcff")
    )
    monkeypatch.setenv("HTTP_PROXY", f"http://user:{SECRET}\u20ac@127.0.0.1:9")
    client = vault_pandas.connect(vault.url, session_id="a-session", login=False)
    texts += _refused(lambda: client.call("GET", "metadata/vobjects/product__v"))
    monkeypatch.delenv("HTTP_PROXY")
    # a renewal in the middle of a load: the provider's token now holds a pasted character
    calls = []

    def provider() -> str:
        calls.append(1)
        return vault.oauth_token() if len(calls) == 1 else SECRET + "\u200b"

    loader = vault_pandas.connect(vault.url, oauth_token=provider, login_url=vault.url, **profile)
    loader.retry = RetryPolicy(attempts=3, base=0.01, cap=0.02)
    vault.faults.add("expire_session", on=[2], **WRITES)
    with pytest.raises(vault_pandas.PartialLoadError) as raised:
        products(1500).vault.create("product__v", progress=False, client=loader, max_workers=1)
    texts += _shown(raised.value) + [raised.value.result.to_csv(), repr(loader)]
    texts.append(caplog.text)
    assert len(texts) > 40 and "POST /api/" in caplog.text  # the debug log did record requests
    assert [text for text in texts if SECRET in text] == []
