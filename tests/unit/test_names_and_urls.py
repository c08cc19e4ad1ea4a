import pytest

from vault_pandas.errors import ConfigurationError
from vault_pandas.transport.client import normalise_url
from vault_pandas.transport.names import (
    action_object,
    check_client_id,
    check_field_path,
    check_name,
)


@pytest.mark.parametrize("bad", ["../auth", "a/b", "a?b", "x..y", "", "1abc", "a b", None, "é__c"])
def test_bad_names_refused(bad):
    with pytest.raises(ConfigurationError):
        check_name(bad)


def test_field_path():
    assert check_field_path("product__cr.name__v") == "product__cr.name__v"
    with pytest.raises(ConfigurationError):
        check_field_path("a.b.c")
    with pytest.raises(ConfigurationError):
        check_field_path("a./b")


@pytest.mark.parametrize(
    "name,obj",
    [
        ("Objectaction.product__v.copy_record__v", "product__v"),
        ("Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c", "product__v"),
    ],
)
def test_action_object(name, obj):
    assert action_object(name) == obj


@pytest.mark.parametrize(
    "bad",
    [
        "Objectaction.product__v",
        "Other.product__v.x__c",
        "Objectaction.product__v/../x.y",
        "Objectlifecyclestateuseraction.product__v.approve__c",
    ],
)
def test_bad_actions(bad):
    with pytest.raises(ConfigurationError):
        action_object(bad)


def test_client_id():
    assert check_client_id("acme-qa_loader.1") == "acme-qa_loader.1"
    with pytest.raises(ConfigurationError):
        check_client_id("has space")
    with pytest.raises(ConfigurationError):
        check_client_id("x" * 101)


@pytest.mark.parametrize(
    "given,expected",
    [
        ("myvault.veevavault.com", "https://myvault.veevavault.com"),
        ("https://myvault.veevavault.com/", "https://myvault.veevavault.com"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("http://localhost:9", "http://localhost:9"),
        ("http://[::1]:9", "http://[::1]:9"),
    ],
)
def test_normalise_url(given, expected):
    assert normalise_url(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "http://myvault.veevavault.com",
        "http://10.0.0.1:80",
        "ftp://x",
        "https://u:p@x.com",
        "https://x.com/api/v25.2",
        "https://x.com?q=1",
    ],
)
def test_normalise_url_refuses(bad):
    with pytest.raises(ConfigurationError):
        normalise_url(bad)
