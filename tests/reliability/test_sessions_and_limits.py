"""Sessions renewed by many threads, the burst floor under 16 workers, proxies and secrets."""

from __future__ import annotations

import traceback

import pytest
from frames import products
from policies import FAST_RETRY

import vault_pandas
from vault_pandas import config
from vault_pandas.cli import main as cli_main

WRITES = {"path": "/vobjects/product__v", "method": "POST"}


def _connect(vault, **kwargs):
    client = vault_pandas.connect(
        vault.url, username=vault.username, password=vault.password, **kwargs
    )
    client.retry = FAST_RETRY
    return client


def _assert_once_each(vault, df):
    keys = [r["external_id__v"] for r in vault.records("product__v")]
    assert len(keys) == len(set(keys)), "a record was created twice"
    assert sorted(keys) == sorted(df["external_id__v"])


# -- sessions ------------------------------------------------------------------------------


def test_a_session_expiring_every_few_calls_with_16_workers(vault):
    client = _connect(vault)
    # the session ends every 6 calls, as many times as renewals a minute are allowed (more
    # stops the load: see test_a_vault_refusing_every_fresh_session_stops_the_load)
    ends = list(range(3, 6 * config.RENEWALS_PER_MINUTE, 6))
    vault.faults.add("expire_session", on=ends, **WRITES)
    vault.configure(latency=0.02)  # keeps 16 calls in flight when a session is ended
    df = products(12_000)  # 24 requests, and those refused sent again
    out = df.vault.create("product__v", progress=False, max_workers=16, reconcile=False)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].value_counts().head()
    _assert_once_each(vault, df)
    expired = vault.stats["sessions_expired"]
    assert expired >= 3  # a call that carries an ended session ends no other
    # one login per ended session, however many calls it refused; connect logged in first
    assert client.stats.renewals == expired == vault.stats["logins"] - 1


def test_a_renewal_login_whose_answer_is_lost_is_retried(vault):
    client = _connect(vault)
    vault.faults.add("expire_session", on=[2], **WRITES)
    vault.faults.add("drop_after", path="/auth", on=[1])  # the renewal's login answer is lost
    df = products(1500)
    out = df.vault.create("product__v", progress=False, max_workers=1, reconcile=False)
    # the refused request did nothing: it is sent again, never UNKNOWN
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].value_counts().head()
    _assert_once_each(vault, df)
    assert client.stats.renewals == 1 and vault.stats["logins"] == 3


def test_a_vault_refusing_every_fresh_session_stops_the_load(vault):
    client = _connect(vault)
    vault.faults.add("expire_session", **WRITES)  # every session is ended at once
    with pytest.raises(vault_pandas.PartialLoadError, match="renew") as err:
        products(1000).vault.create("product__v", progress=False, max_workers=4)
    assert client.stats.renewals == config.RENEWALS_PER_MINUTE
    assert (err.value.result["vault_status"] == "SKIPPED").all()  # Vault refused: nothing done
    assert vault.records("product__v") == []


# -- the burst limit -----------------------------------------------------------------------


def test_the_burst_floor_holds_after_a_reset_with_16_workers(vault):
    vault.configure(burst_limit=12, burst_window=1.5, burst_delay=0.2)
    client = _connect(vault, burst_floor=4, burst_window=1.5)
    df = products(20_000)  # 40 requests: 16 workers wait for each window to reset
    out = df.vault.create("product__v", progress=False, max_workers=16)
    assert (out["vault_status"] == "SUCCESS").all()
    _assert_once_each(vault, df)
    assert client.limiter.waited_seconds > 0  # the floor was reached and waited for
    assert vault.stats["delayed_responses"] == client.limiter.delayed_responses == 0


# -- answers that are not Vault's ----------------------------------------------------------


@pytest.mark.parametrize("status", [400, 403, 407, 502])
def test_a_proxy_error_page_after_forwarding_never_repeats_a_create(vault, status):
    _connect(vault)
    vault.faults.add("http_error", on=[2], status=status, after=True, **WRITES)
    df = products(1500)
    out = df.vault.create("product__v", progress=False, max_workers=1, reconcile=False)
    lost = out["vault_status"] == "UNKNOWN"
    assert lost.sum() == 500 and (out.loc[~lost, "vault_status"] == "SUCCESS").all()
    assert out.loc[lost, "vault_error"].str.contains(f"HTTP {status}").all()
    assert out.loc[lost, "vault_error"].str.contains("outcome is unknown").all()
    _assert_once_each(vault, df)  # written once by the forwarded request, never sent again
    fixed = out.vault.reconcile("product__v", key="external_id__v")
    assert (fixed["vault_status"] == "SUCCESS").all()


def test_a_proxy_error_page_before_forwarding_is_unknown_then_reconciled(vault):
    _connect(vault)
    vault.faults.add("http_error", on=[2], status=403, **WRITES)  # never reached Vault
    df = products(1500)
    out = df.vault.create("product__v", progress=False, max_workers=1)
    assert (out["vault_status"] == "SUCCESS").all()
    assert out.attrs["vault"]["reconciled"] == 500  # looked up, not found, sent again
    _assert_once_each(vault, df)


def test_a_non_json_404_from_an_intermediary_leaves_rows_unknown(vault):
    _connect(vault)
    vault.faults.add("http_error", status=404, **WRITES)  # every create: a proxy's 404 page
    out = products(1000).vault.create("product__v", progress=False, reconcile=False)
    assert (out["vault_status"] == "UNKNOWN").all()  # status and message agree
    assert out["vault_error"].str.contains("HTTP 404").all()
    assert out["vault_error"].str.contains("outcome is unknown").all()


def test_a_non_json_404_from_vault_itself_fails_the_rows(vault):
    client = _connect(vault)
    vault.faults.add("http_error", status=404, from_vault=True, **WRITES)
    out = products(1000).vault.create("product__v", progress=False)
    assert (out["vault_status"] == "FAILURE").all()  # Vault refused it: nothing was done
    assert out["vault_error"].str.startswith("MALFORMED_URL: HTTP 404").all()
    assert client.stats.retries == 0 and vault.records("product__v") == []


# -- secrets in messages and in tracebacks with local variables ----------------------------

URL_PASSWORD, URL_TOKEN = "url-pass-7431", "token-9925"  # module constants: no test local


def _with_locals(exc: BaseException) -> str:
    """The traceback as ``--showlocals`` shows it: every frame's local variables, chained."""
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


def _sessions(vault) -> list[str]:
    return list(vault.backend._sessions)  # every session id the sandbox ever handed out


def test_an_address_with_a_password_or_query_is_never_echoed(vault, tmp_path, monkeypatch, capsys):
    with pytest.raises(vault_pandas.ConfigurationError) as err:
        vault_pandas.connect(
            f"http://me:{URL_PASSWORD}@{vault.dns}/?sid={URL_TOKEN}",
            username=vault.username,
            password=vault.password,
        )
    assert "***@" in str(err.value)
    texts = [str(err.value), _with_locals(err.value)]
    monkeypatch.setenv("VAULT_USERNAME", vault.username)
    monkeypatch.setenv("VAULT_PASSWORD", vault.password)
    products(2).to_csv(tmp_path / "p.csv", index=False)
    command = ["create", str(tmp_path / "p.csv"), "product__v", "--vault"]
    assert cli_main([*command, f"https://me:{URL_PASSWORD}@x.veevavault.com"]) == 2
    assert cli_main([*command, f"x.veevavault.com?t={URL_TOKEN}"]) == 2
    texts.append(capsys.readouterr().err)
    assert texts[-1].count("not a Vault DNS or URL") == 2
    for text in texts:
        assert URL_PASSWORD not in text and URL_TOKEN not in text


def test_tracebacks_with_locals_show_no_password(vault):
    with pytest.raises(vault_pandas.AuthenticationError) as err:
        vault_pandas.connect(vault.url, username=vault.username, password=URL_PASSWORD)
    assert err.value.error_type == "USERNAME_OR_PASSWORD_INCORRECT"
    vault.configure(wrong_vault=True)  # the login succeeds: its answer holds a session id
    with pytest.raises(vault_pandas.AuthenticationError) as wrong:
        vault_pandas.connect(vault.url, username=vault.username, password=vault.password)
    assert wrong.value.error_type == "WRONG_VAULT"
    with pytest.raises(vault_pandas.AuthenticationError) as half:  # no user name
        vault_pandas.connect(vault.url, password=vault.password)
    texts = [_with_locals(e.value) for e in (err, wrong, half)]
    assert "password = Secret('***')" in texts[0]  # the frames are there, the secret is not
    for secret in (URL_PASSWORD, vault.password, *_sessions(vault)):
        assert all(secret not in text for text in texts)


def _session_only(vault):
    login = _connect(vault)
    client = vault_pandas.connect(vault.url, session_id=login.auth.session(login._login).reveal())
    client.retry = FAST_RETRY
    return client


def test_tracebacks_with_locals_show_no_session_id(vault):
    client = _session_only(vault)
    vault.faults.add("expire_session", on=[2], **WRITES)
    with pytest.raises(vault_pandas.PartialLoadError) as expired:
        products(1000).vault.create("product__v", progress=False, max_workers=1, client=client)
    client = _connect(vault)
    products(1).vault.create("product__v", progress=False, client=client)  # metadata cached
    client.url = "http://127.0.0.1:9"  # nothing listens there: raised from inside send
    with pytest.raises(vault_pandas.PartialLoadError) as refused:
        products(600, prefix="Q").vault.create("product__v", progress=False, client=client)
    assert "could not connect" in str(refused.value.__cause__)
    client = _connect(vault)

    def broken(request, **kwargs):  # an unexpected error inside requests, headers at hand
        raise RuntimeError("boom")

    client._http.session.send = broken
    with pytest.raises(RuntimeError) as deep:
        client.call("GET", "metadata/vobjects/product__v")
    texts = [_with_locals(e.value) for e in (expired, refused, deep)]
    assert all("Secret('***')" in text for text in texts[:2]) and "in broken" not in texts[2]
    for secret in (vault.password, *_sessions(vault)):
        assert all(secret not in text for text in texts)
