"""Credentials with odd characters: tokens and session ids read from files or pasted, passwords.

A token or session id goes in a header: surrounding whitespace (a newline read from a file) is
removed, and any other character a header cannot carry is refused before anything is sent,
naming its position and code point, never the value. A password goes in a UTF-8 form body, so
any text logs in; a lone surrogate, which nothing can send, is refused the same way.
"""

from __future__ import annotations

import pytest
from frames import products
from policies import FAST_LOGIN as FAST

import vault_pandas

WRITES = {"path": "/vobjects/product__v", "method": "POST"}
# each: the text added to a token, and what the message must name
PASTED = [
    ("\u200b", "character 12 = U+200B ZERO WIDTH SPACE (not printable ASCII)"),
    ("\U0001f600x", "character 12 = U+1F600 GRINNING FACE (not printable ASCII)"),
    ("\r\nX-Evil: 1", "character 12 = U+000D (a line break)"),
    ("\u00e9", "character 12 = U+00E9 LATIN SMALL LETTER E WITH ACUTE (not printable ASCII)"),
    (" more", "character 12 = U+0020 SPACE (a space inside the value)"),
]
SECRET = "SECRETTOKEN"  # 11 characters: the pasted one is character 12


def _oauth(vault, token, **kwargs):
    client = vault_pandas.connect(
        vault.url, oauth_token=token, oauth_profile=vault.oauth_profile, **kwargs
    )
    client.retry = FAST
    return client


@pytest.mark.parametrize("ending", ["\n", "\r\n", "  \t", "\n\n"])
def test_a_token_read_from_a_file_with_its_line_ending_logs_in(vault, ending):
    with _oauth(vault, vault.oauth_token() + ending) as client:
        out = products(3).vault.create("product__v", progress=False, client=client)
    assert (out["vault_status"] == "SUCCESS").all()
    assert vault.stats["oauth_logins"] == 1 == vault.stats["logins"]


def test_a_providers_token_with_a_line_ending_logs_in_and_renews(vault):
    calls = []

    def provider() -> str:
        calls.append(1)
        return "  " + vault.oauth_token() + "\r\n"

    client = _oauth(vault, provider)
    vault.faults.add("expire_session", on=[2], **WRITES)
    out = products(1500).vault.create("product__v", progress=False, client=client, max_workers=1)
    assert (out["vault_status"] == "SUCCESS").all()
    assert len(calls) == 2 == vault.stats["oauth_logins"]


@pytest.mark.parametrize(("pasted", "said"), PASTED)
def test_a_given_token_with_a_pasted_character_is_refused_before_any_request(vault, pasted, said):
    with pytest.raises(vault_pandas.ConfigurationError) as raised:
        _oauth(vault, SECRET + pasted)
    message = str(raised.value)
    assert said in message and "oauth_token=" in message
    assert SECRET not in message + repr(raised.value)
    assert vault.stats["total_requests"] == 0


@pytest.mark.parametrize(("pasted", "said"), PASTED)
def test_a_providers_token_with_a_bad_character_is_refused_at_connect(vault, pasted, said):
    with pytest.raises(vault_pandas.AuthenticationError) as raised:
        _oauth(vault, lambda: SECRET + pasted)
    assert said in str(raised.value) and raised.value.error_type == "OAUTH_TOKEN"
    assert SECRET not in str(raised.value) + repr(raised.value)
    assert vault.stats["total_requests"] == 0


@pytest.mark.parametrize(("pasted", "said"), PASTED[:3])
def test_a_bad_token_at_a_renewal_stops_the_load_with_unsent_rows_skipped(vault, pasted, said):
    calls = []

    def provider() -> str:  # fine for the first login, then a token pasted with a character
        calls.append(1)
        return vault.oauth_token() if len(calls) == 1 else SECRET + pasted

    client = _oauth(vault, provider)
    vault.faults.add("expire_session", on=[2], **WRITES)
    with pytest.raises(vault_pandas.PartialLoadError) as raised:
        products(2000).vault.create("product__v", progress=False, client=client, max_workers=1)
    result = raised.value.result
    statuses = result["vault_status"].value_counts().to_dict()
    assert statuses == {"SUCCESS": 500, "SKIPPED": 1500}  # none UNKNOWN: nothing else left
    assert len(vault.records("product__v")) == 500
    assert vault.stats["oauth_logins"] == 1  # the refused token never reached Vault
    cause = raised.value.__cause__
    assert isinstance(cause, vault_pandas.AuthenticationError) and said in str(cause)
    texts = [str(raised.value), repr(raised.value), repr(cause), result.to_csv()]
    assert not [text for text in texts if SECRET in text]


def test_a_lost_answer_then_a_refused_renewal_leaves_the_outcome_unknown(vault):
    calls = []

    def provider() -> str:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("the identity provider is down")
        return vault.oauth_token()

    client = _oauth(vault, provider)
    vault.faults.add("drop_after", on=[1], **WRITES)  # written, its answer lost
    vault.faults.add("expire_session", on=[2], **WRITES)  # the repeat: the session ended
    body = b'[{"name__v": "Lost", "product_family__c": "biologic__c"}]'
    with pytest.raises(vault_pandas.TransportError) as raised:
        client.send(
            "POST", "vobjects/product__v", body=body, content_type="application/json",
            idempotent=True,
        )  # fmt: skip
    assert raised.value.sent is True  # the first attempt may have written it: not "never left"
    assert "provider failed" in str(raised.value) and "outcome is unknown" in str(raised.value)
    assert len(vault.records("product__v")) == 1


def test_a_session_id_read_with_a_line_ending_works_and_a_pasted_character_is_refused(
    vault, client
):
    live = client.auth.session(client._login).reveal()
    other = vault_pandas.connect(vault.url, session_id=f" {live}\r\n")
    assert other.object_metadata("product__v")["object"]["name"] == "product__v"
    before = vault.stats["total_requests"]
    with pytest.raises(vault_pandas.ConfigurationError) as raised:
        vault_pandas.connect(vault.url, session_id=live + "\u200b")
    assert "session_id=" in str(raised.value) and "U+200B" in str(raised.value)
    assert live not in str(raised.value) + repr(raised.value)
    assert vault.stats["total_requests"] == before


def test_a_password_in_any_script_logs_in(start_sandbox):
    vault = start_sandbox(password="pässwörd-€-密码-😀")
    vault.reset()
    with vault_pandas.connect(
        vault.url, username=vault.username, password=vault.password
    ) as client:
        out = products(2).vault.create("product__v", progress=False, client=client)
    assert (out["vault_status"] == "SUCCESS").all()
    vault.reset()
    vault_pandas.set_default_client(None)


def test_a_password_with_a_lone_surrogate_is_refused_before_any_request(vault):
    password = "Pw-SECRET-\udcff"  # an undecodable byte of os.environ (surrogateescape)
    with pytest.raises(vault_pandas.ConfigurationError) as raised:
        vault_pandas.connect(vault.url, username=vault.username, password=password)
    assert "character 11 = U+DCFF, a lone surrogate" in str(raised.value)
    assert "SECRET" not in str(raised.value) + repr(raised.value)
    assert vault.stats["total_requests"] == 0
