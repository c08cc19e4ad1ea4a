"""What the command line prints: the library's warnings on one line, the sandbox's banner with
environment lines that work, a bad token from the environment as one error line."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import assert_no_secret, error_line, start_sandbox_command

import vault_pandas
from vault_pandas.sandbox.__main__ import environment_lines


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """The environment without any VAULT_* setting, and no real profile file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env["VAULT_PANDAS_CONFIG"] = str(tmp_path / "no-profiles.toml")
    return env


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vault_pandas", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_column_left_out_is_one_warning_line_without_source_code(tmp_path, cli_vault, base_env):
    (tmp_path / "products.csv").write_text(
        "name__v,product_family__c,created_date__v\nNyaxa,vaccine__c,2024-01-01\n"
    )
    env = {**base_env, "VAULT_USERNAME": cli_vault.username, "VAULT_PASSWORD": cli_vault.password}
    proc = _run(tmp_path, env, "create", "products.csv", "product__v", "--vault", cli_vault.url)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == [
        "vault-pandas: warning: create product__v: 1 column(s) left out, never sent (fields "
        "this call cannot write): created_date__v (system-managed); migration_mode=True would "
        "send created_date__v"
    ]
    assert_no_secret(proc, tmp_path / "products.result.csv")


def test_a_token_with_a_pasted_character_is_one_error_line_without_the_token(
    tmp_path, cli_vault, base_env
):
    token = cli_vault.oauth_token()
    (tmp_path / "products.csv").write_text("name__v,product_family__c\nNyaxa,vaccine__c\n")
    env = {**base_env, "VAULT_OAUTH_TOKEN": token + "\u200b"}
    args = ("create", "products.csv", "product__v", "--vault", cli_vault.url)
    proc = _run(tmp_path, env, *args, "--oauth-profile", cli_vault.oauth_profile)
    assert proc.returncode == 2
    assert "U+200B ZERO WIDTH SPACE" in error_line(proc)
    assert token not in proc.stdout + proc.stderr
    assert cli_vault.stats["total_requests"] == 0
    env["VAULT_OAUTH_TOKEN"] = token + "\r\n"  # read from a file with its line ending: fine
    proc = _run(tmp_path, env, *args, "--oauth-profile", cli_vault.oauth_profile)
    assert proc.returncode == 0, proc.stderr


def _apply(lines: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the banner's ``export``/``unset`` lines, as a POSIX shell would."""
    for line in lines:
        words = shlex.split(line, comments=True)
        if words[0] == "export":
            for word in words[1:]:
                name, _, value = word.partition("=")
                monkeypatch.setenv(name, value)
        else:
            assert words[0] == "unset", line
            for name in words[1:]:
                monkeypatch.delenv(name, raising=False)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and shells")
def test_the_sandbox_banner_prints_environment_lines_that_work(base_env, monkeypatch):
    proc = start_sandbox_command(base_env)
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline()]
        while banner[-1] and "Ctrl-C stops" not in banner[-1]:  # the banner's last line
            banner.append(proc.stdout.readline())
        shell = [line.strip() for line in banner if line.startswith(("  export ", "  unset "))]
        assert shell and shell[0].startswith("export VAULT_URL=http://127.0.0.1:"), banner
        assert "DNS 127.0.0.1" not in "".join(banner)  # the address that meant https
        for name in [k for k in os.environ if k.startswith("VAULT_")]:
            monkeypatch.delenv(name)
        url = shlex.split(shell[0])[1].partition("=")[2]
        monkeypatch.setenv("VAULT_DNS", url.removeprefix("http://"))  # left from before
        monkeypatch.setenv("VAULT_OAUTH_TOKEN", "an-old-token")
        _apply(shell, monkeypatch)
        with vault_pandas.connect() as client:  # everything from the environment
            assert client.url == url and client.auth.mode == "password"
            assert client.object_metadata("product__v")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        vault_pandas.set_default_client(None)
    assert proc.returncode == 0


def test_environment_lines_quote_what_a_shell_would_split():
    lines = environment_lines("http://127.0.0.1:1", "u@x", "a b$'c")
    words = shlex.split(lines[0])
    assert words == ["export", "VAULT_URL=http://127.0.0.1:1", "VAULT_USERNAME=u@x",
                     "VAULT_PASSWORD=a b$'c"]  # fmt: skip
