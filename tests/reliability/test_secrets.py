"""No password or session id in logs, reprs, errors, warnings, result frames or checkpoints."""

from __future__ import annotations

import logging
import warnings

import pytest
from frames import products

import vault_pandas
from vault_pandas.transport import auth as auth_module
from vault_pandas.transport.client import RetryPolicy


@pytest.fixture
def secrets_seen(monkeypatch):
    """Every secret value vault_pandas wraps (passwords and session ids), as it is made."""
    seen: list[str] = []
    real_init = auth_module.Secret.__init__

    def spy(self, value):
        seen.append(value)
        real_init(self, value)

    monkeypatch.setattr(auth_module.Secret, "__init__", spy)
    return seen


def test_no_secret_anywhere(vault, secrets_seen, caplog, capsys, tmp_path):
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's included
    texts: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
        client.retry = RetryPolicy(base=0.01, cap=0.02)
        texts += [
            repr(client),
            str(client),
            repr(client.auth),
            repr(client.auth.credentials),
            repr(client.auth.credentials.password),
        ]
        vault.faults.add("expire_session", path="/vobjects/", method="POST", on=[2])
        vault.faults.add("drop_after", path="/vobjects/", method="POST", on=[3])
        df = products(2000)
        df.loc[5, "product_family__c"] = "Biologic"
        ckpt = tmp_path / "load.ckpt"
        out = df.vault.create("product__v", checkpoint=ckpt, progress=False, max_workers=1)
        texts += [out.to_csv(), repr(out.attrs), out.vault.summary().to_string()]
        texts.append(ckpt.read_text())
        # errors: bad password, expired session that cannot be renewed
        for bad in ("wrong-password",):
            with pytest.raises(vault_pandas.AuthenticationError) as err:
                vault_pandas.connect(vault.url, username=vault.username, password=bad)
            texts += [str(err.value), repr(err.value)]
        live = client.auth.session(client._login).reveal()
        only_session = vault_pandas.connect(vault.url, session_id=live)
        vault.faults.add("expire_session", path="/vobjects/", method="POST", on=[1])
        with pytest.raises(vault_pandas.PartialLoadError) as err:
            products(600, prefix="S").vault.create(
                "product__v", client=only_session, progress=False
            )
        texts += [str(err.value), repr(err.value), repr(err.value.__cause__)]
        texts += [err.value.result.to_csv(), repr(only_session)]
    texts += [caplog.text, *(str(w.message) for w in caught)]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    assert client.stats.renewals >= 1  # a session expired and was renewed during the load
    secrets = {s for s in secrets_seen if s} | {vault.password, "wrong-password"}
    assert len(secrets) >= 4  # the password, the first session, the renewed one, the bad one
    blob = "\n".join(texts)
    assert "POST /api/" in caplog.text  # the debug log did record the requests
    for secret in secrets:
        assert secret not in blob, "a secret leaked"
