"""Profiles and password lookup, and connect(profile=...), in process against the sandbox."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from cli_helpers import PASSWORD, USERNAME

import vault_pandas
from vault_pandas import ConfigurationError
from vault_pandas.transport import profiles


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("VAULT_DNS", "VAULT_URL", "VAULT_USERNAME", "VAULT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name in ("VAULT_SESSION_ID", "VAULT_API_VERSION", "VAULT_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAULT_PANDAS_CONFIG", str(tmp_path / "profiles.toml"))
    yield
    vault_pandas.set_default_client(None)


@pytest.fixture
def no_prompt(monkeypatch):
    """A terminal on stdin, and a getpass that fails the test if it is called."""
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    def refuse(prompt: str = "") -> str:
        raise AssertionError("prompted for a password")

    monkeypatch.setattr("getpass.getpass", refuse)


def write_profiles(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "profiles.toml"
    path.write_text(body, encoding="utf-8")
    return path


def qa_profile(vault, extra: str = "") -> str:
    return f'[profiles.qa]\nvault = "{vault.url}"\nusername = "{USERNAME}"\n{extra}'


def test_connect_with_a_profile_and_password_env(cli_vault, tmp_path, monkeypatch, no_prompt):
    write_profiles(
        tmp_path, qa_profile(cli_vault, 'password_env = "QA_PW"\napi_version = "v24.3"\n')
    )
    monkeypatch.setenv("QA_PW", PASSWORD)
    monkeypatch.setenv("VAULT_USERNAME", "someone-else@example.com")  # the profile wins
    client = vault_pandas.connect(profile="qa", client_id="explicit-id")  # the argument wins
    assert client.url == cli_vault.url
    assert client.auth.username == USERNAME
    assert (client.api_version, client.client_id) == ("v24.3", "explicit-id")
    assert vault_pandas.default_client() is client
    assert PASSWORD not in repr(client)
    client.close()


def test_the_environment_fills_what_the_profile_leaves_out(cli_vault, tmp_path, monkeypatch):
    write_profiles(tmp_path, f'[profiles.min]\nvault = "{cli_vault.url}"\n')
    monkeypatch.setenv("VAULT_USERNAME", USERNAME)
    monkeypatch.setenv("VAULT_PASSWORD", PASSWORD)
    vault_pandas.connect(profile="min").close()


def test_connect_never_prompts_and_says_where_a_password_goes(cli_vault, tmp_path, no_prompt):
    write_profiles(tmp_path, qa_profile(cli_vault, 'password_env = "QA_PW"\n'))
    with pytest.raises(ConfigurationError, match="set the environment variable QA_PW"):
        vault_pandas.connect(profile="qa")


def test_the_command_line_prompts_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or "typed")
    settings = profiles.resolve(None, vault="v.example.com", username="me@x.com", prompt=True)
    assert settings.password == "typed"
    assert asked == ["Vault password for me@x.com at v.example.com: "]
    assert "typed" not in repr(settings)


def test_plaintext_password_refused_unless_allowed(cli_vault, tmp_path):
    write_profiles(tmp_path, qa_profile(cli_vault, f'password = "{PASSWORD}"\n'))
    with pytest.raises(ConfigurationError, match="plain text, which is refused") as err:
        vault_pandas.connect(profile="qa")
    assert PASSWORD not in str(err.value)

    write_profiles(
        tmp_path,
        qa_profile(cli_vault, f'password = "{PASSWORD}"\nallow_plaintext_password = true\n'),
    )
    with pytest.warns(UserWarning, match="plain text") as warned:
        vault_pandas.connect(profile="qa").close()
    assert all(PASSWORD not in str(w.message) for w in warned)
    with pytest.warns(UserWarning):
        assert PASSWORD not in repr(profiles.load_profile("qa"))


def test_keyring_when_installed(cli_vault, tmp_path, monkeypatch):
    asked = []

    def get_password(service: str, key: str) -> str:
        asked.append((service, key))
        return PASSWORD

    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=get_password))
    write_profiles(tmp_path, qa_profile(cli_vault, "keyring = true\n"))
    vault_pandas.connect(profile="qa").close()
    assert asked == [("vault_pandas", f"{cli_vault.url}:{USERNAME}")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "there is no profile file at"),
        ('[profiles.dev]\nvault = "d.example.com"\n', r"no profile 'qa' in .* \(profiles: dev\)"),
        (
            '[profiles.qa]\nvault = "q.example.com"\npasword = "x"\n',
            r"unknown key\(s\) \['pasword'\]",
        ),
        ("[profiles.qa]\nkeyring = 'yes'\n", "keyring must be true or false"),
        ("[profiles.qa\n", "cannot read the profile file"),
    ],
)
def test_profile_file_problems(tmp_path, body, message):
    if body:
        write_profiles(tmp_path, body)
    with pytest.raises(ConfigurationError, match=message):
        profiles.load_profile("qa")


def test_config_path_per_platform(monkeypatch, tmp_path):
    monkeypatch.setenv("VAULT_PANDAS_CONFIG", str(tmp_path / "mine.toml"))
    assert profiles.config_path() == tmp_path / "mine.toml"
    monkeypatch.delenv("VAULT_PANDAS_CONFIG")
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    expected = {
        "linux": tmp_path / ".config",
        "darwin": tmp_path / "Library" / "Application Support",
        "win32": tmp_path / "Roaming",
    }
    for platform, base in expected.items():
        monkeypatch.setattr(sys, "platform", platform)
        assert profiles.config_path() == base / "vault_pandas" / "profiles.toml"
