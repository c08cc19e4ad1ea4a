"""The vault-pandas command line, run as a subprocess against sandbox Vaults."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import (
    APPROVE,
    PASSWORD,
    USERNAME,
    assert_no_secret,
    error_line,
    start_sandbox_command,
)

import vault_pandas
from vault_pandas import sandbox

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """The environment without any VAULT_* setting, and no real profile file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env["VAULT_PANDAS_CONFIG"] = str(tmp_path / "no-profiles.toml")
    return env


@pytest.fixture
def vault_env(base_env: dict[str, str], cli_vault: sandbox.SandboxVault) -> dict[str, str]:
    """Credentials of the sandbox in the environment (the vault is given with --vault)."""
    return {**base_env, "VAULT_USERNAME": cli_vault.username, "VAULT_PASSWORD": cli_vault.password}


Run = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def run_cli(tmp_path: Path, base_env: dict[str, str]) -> Run:
    """Run ``python -m vault_pandas ARGS`` in ``tmp_path``; returns the completed process."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "vault_pandas", *map(str, args)],
            cwd=tmp_path,
            env=env if env is not None else base_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def read_result(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_create_then_action_on_the_result(tmp_path, run_cli, cli_vault, vault_env):
    src = write_csv(
        tmp_path / "products.csv",
        "external_id__v,name__v,product_family__c,pack_size__c,active__c\n"
        "007,NA,biologic__c,30,true\n"  # leading zeros and "NA" reach Vault as written
        "P-2,Nyaxa,vaccine__c,,false\n"
        "P-3,Cholecap,small_molecule__c,1,\n",
    )
    proc = run_cli("create", src.name, "product__v", "--vault", cli_vault.url, env=vault_env)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "products.result.csv"
    result = read_result(out)
    given = read_result(src)
    assert result[given.columns].equals(given)  # same rows, same order, inputs unchanged
    assert result["vault_status"].tolist() == ["SUCCESS"] * 3
    stored = {r["id"]: r for r in cli_vault.records("product__v")}
    assert list(result["vault_id"]) == list(stored)
    assert stored[result["vault_id"][0]]["external_id__v"] == "007"
    assert stored[result["vault_id"][0]]["name__v"] == "NA"
    assert proc.stdout.splitlines()[-1] == "3 rows: 3 SUCCESS -> products.result.csv"

    # the ids of that result, straight from its vault_id column
    acted = run_cli(
        "action", out.name, APPROVE, "--id-column", "vault_id", "--vault", cli_vault.url,
        env=vault_env,
    )  # fmt: skip
    assert acted.returncode == 0, acted.stderr
    approved = read_result(tmp_path / "products.result.result.csv")
    assert approved["vault_status"].tolist() == ["SUCCESS"] * 3
    assert approved["vault_id"].tolist() == result["vault_id"].tolist()
    assert {r["state__v"] for r in cli_vault.records("product__v")} == {"approved_state__c"}
    assert_no_secret(proc, out)
    assert_no_secret(acted, tmp_path / "products.result.result.csv")


def test_invalid_rows_exit_1_with_a_summary_in_a_sandbox_of_its_own(tmp_path, run_cli):
    shutil.copy(EXAMPLES / "products.csv", tmp_path / "products.csv")
    proc = run_cli("create", "products.csv", "product__v", "--sandbox", "--no-progress")
    assert proc.returncode == 1, proc.stderr
    result = read_result(tmp_path / "products.result.csv")
    assert result["external_id__v"].tolist() == [f"P-000{i}" for i in range(1, 9)]
    assert result["vault_status"].tolist() == ["SUCCESS"] * 3 + ["INVALID"] * 4 + ["SUCCESS"]
    assert (result["vault_id"] != "").tolist() == [True] * 3 + [False] * 4 + [True]
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["status", "SUCCESS", "4"]
    assert lines[1].split() == ["INVALID", "4"]
    assert lines[2].split() == ["error", "VALIDATION", "4"]
    assert "  row 4: INVALID VALIDATION: product_family__c: 'Vaccine' is a label" in proc.stdout
    assert "8 rows: 4 SUCCESS, 4 INVALID -> products.result.csv" in lines
    assert lines[-1].startswith("sandbox: ") and "no real vault" in lines[-1]
    assert proc.stderr == ""


def test_unknown_column_exit_2_with_one_clear_line(tmp_path, run_cli, cli_vault, vault_env):
    src = write_csv(
        tmp_path / "bad.csv", "name__v,product_family__c,colour__c\nA,biologic__c,red\n"
    )
    proc = run_cli("create", src.name, "product__v", "--vault", cli_vault.url, env=vault_env)
    assert proc.returncode == 2
    line = error_line(proc)
    assert "cannot create product__v from this frame: column 'colour__c' is not a field" in line
    assert proc.stdout == ""
    assert not (tmp_path / "bad.result.csv").exists()
    assert cli_vault.records("product__v") == []
    assert_no_secret(proc)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "cannot read missing.csv: no such file"),
        ("broken.parquet", "not parquet at all", "cannot read broken.parquet: "),
    ],
)
def test_unreadable_file_exit_2(tmp_path, run_cli, name, content, message):
    if content is not None:
        (tmp_path / name).write_text(content)
    proc = run_cli("validate", name, "product__v", "--sandbox")
    assert proc.returncode == 2
    assert message in error_line(proc)


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is not None, reason="openpyxl present")
def test_excel_without_openpyxl_says_so(tmp_path, run_cli):
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04")
    proc = run_cli("create", "book.xlsx", "product__v", "--sandbox")
    assert proc.returncode == 2
    assert "Excel files need openpyxl" in error_line(proc)


def test_bad_arguments_exit_2(run_cli):
    proc = run_cli("upsert", "x.csv", "product__v")  # --id-param missing
    assert proc.returncode == 2
    assert "--id-param" in proc.stderr and "Traceback" not in proc.stderr


def test_upsert_by_id_param(tmp_path, run_cli, cli_vault, vault_env):
    old = {"external_id__v": "P-1", "name__v": "Old", "product_family__c": "device__c"}
    cli_vault.seed("product__v", [old])
    src = write_csv(
        tmp_path / "revised.csv",
        "external_id__v,name__v,product_family__c\nP-1,New,device__c\nP-2,Other,biologic__c\n",
    )
    proc = run_cli(
        "upsert", src.name, "product__v", "--id-param", "external_id__v", "--json",
        "-o", "upserted.parquet", "--vault", cli_vault.url, env=vault_env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = pd.read_parquet(tmp_path / "upserted.parquet")  # -o: the format by its suffix
    assert result["vault_event"].tolist() == ["updated", "created"]
    names = {r["external_id__v"]: r["name__v"] for r in cli_vault.records("product__v")}
    assert names == {"P-1": "New", "P-2": "Other"}


def test_validate_writes_nothing(tmp_path, run_cli, cli_vault, vault_env):
    src = write_csv(
        tmp_path / "check.csv",
        "name__v,product_family__c,unit_price__c\nA,biologic__c,1.50\nB,Biologic,1.5001\n",
    )
    proc = run_cli("validate", src.name, "product__v", "--vault", cli_vault.url, env=vault_env)
    assert proc.returncode == 1, proc.stderr
    result = read_result(tmp_path / "check.result.csv")
    assert result["vault_status"].tolist() == ["VALID", "INVALID"]
    assert "unit_price__c" in result["vault_error"][1]
    assert "dry run: nothing was written to the vault" in proc.stdout
    assert cli_vault.records("product__v") == []
    assert cli_vault.stats["records_created"] == 0
    assert_no_secret(proc, tmp_path / "check.result.csv")


def test_parquet_in_and_out(tmp_path, run_cli, cli_vault, vault_env):
    frame = pd.DataFrame(
        {
            "name__v": ["A", "B"],
            "product_family__c": ["biologic__c", "device__c"],
            "pack_size__c": pd.array([10, None], dtype="Int64"),
            "unit_price__c": [1.5, 20.25],
            "launch_date__c": pd.to_datetime(["2024-01-31", "2023-12-01"]).date,
            "active__c": pd.array([True, False], dtype="boolean"),
        }
    )
    frame.to_parquet(tmp_path / "typed.parquet")
    proc = run_cli("create", "typed.parquet", "product__v", "--vault", cli_vault.url, env=vault_env)
    assert proc.returncode == 0, proc.stderr
    result = pd.read_parquet(tmp_path / "typed.result.parquet")  # Parquet in: Parquet out
    assert result["vault_status"].tolist() == ["SUCCESS", "SUCCESS"]
    assert str(result["pack_size__c"].dtype) == "Int64"  # the input's types survive
    stored = cli_vault.records("product__v")
    assert [r["launch_date__c"] for r in stored] == ["2024-01-31", "2023-12-01"]


def test_profile_with_password_env(tmp_path, run_cli, cli_vault, base_env):
    config = tmp_path / "profiles.toml"
    config.write_text(
        f'[profiles.qa]\nvault = "{cli_vault.url}"\nusername = "{USERNAME}"\n'
        'password_env = "QA_VAULT_PASSWORD"\nclient_id = "cli-test"\n'
    )
    src = write_csv(tmp_path / "p.csv", "name__v,product_family__c\nA,biologic__c\n")
    env = {**base_env, "VAULT_PANDAS_CONFIG": str(config), "QA_VAULT_PASSWORD": PASSWORD}
    proc = run_cli("create", src.name, "product__v", "--profile", "qa", env=env)
    assert proc.returncode == 0, proc.stderr
    assert cli_vault.requests_log[-1][3] == "cli-test"
    assert_no_secret(proc, tmp_path / "p.result.csv")


def test_plaintext_password_in_a_profile_is_refused(tmp_path, run_cli, cli_vault, base_env):
    config = tmp_path / "profiles.toml"
    config.write_text(
        f'[profiles.qa]\nvault = "{cli_vault.url}"\nusername = "{USERNAME}"\n'
        f'password = "{PASSWORD}"\n'
    )
    src = write_csv(tmp_path / "p.csv", "name__v,product_family__c\nA,biologic__c\n")
    env = {**base_env, "VAULT_PANDAS_CONFIG": str(config)}
    proc = run_cli("create", src.name, "product__v", "--profile", "qa", env=env)
    assert proc.returncode == 2
    assert "holds a password in plain text, which is refused" in error_line(proc)
    assert_no_secret(proc)
    assert cli_vault.records("product__v") == []


def test_a_load_stopped_part_way_exits_2_and_keeps_what_was_loaded(
    tmp_path, run_cli, cli_vault, base_env
):
    login = vault_pandas.connect(cli_vault.url, username=USERNAME, password=PASSWORD)
    session = login.auth.session(login._login).reveal()  # a session id cannot be renewed
    login._http.close()  # not login.close(): that would end the session handed to the CLI
    vault_pandas.set_default_client(None)
    cli_vault.faults.add("expire_session", path="/vobjects/product__v", method="POST", on=[2])
    pd.DataFrame(
        {"name__v": [f"P{i}" for i in range(1000)], "product_family__c": "biologic__c"}
    ).to_csv(tmp_path / "big.csv", index=False)
    env = {**base_env, "VAULT_SESSION_ID": session}
    proc = run_cli(
        "create", "big.csv", "product__v", "--vault", cli_vault.url, "--max-workers", "1", env=env
    )
    assert proc.returncode == 2
    line = proc.stderr.splitlines()[-1]
    assert line.startswith("vault-pandas: error: the load stopped part-way (")
    assert "partial result in big.result.csv" in line
    result = read_result(tmp_path / "big.result.csv")
    assert result["vault_status"].value_counts().to_dict() == {"SUCCESS": 500, "SKIPPED": 500}
    assert "1000 rows: 500 SUCCESS, 500 SKIPPED -> big.result.csv" in proc.stdout
    assert len(cli_vault.records("product__v")) == 500
    assert session not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_exits_130_and_writes_the_partial_result(tmp_path, cli_vault, vault_env):
    rows = 1500  # three requests of 500, one at a time, each slowed down by the sandbox
    pd.DataFrame(
        {"name__v": [f"P{i}" for i in range(rows)], "product_family__c": "biologic__c"}
    ).to_csv(tmp_path / "many.csv", index=False)
    cli_vault.configure(latency=0.3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault_pandas", "create", "many.csv", "product__v", "--vault",
         cli_vault.url, "--max-workers", "1", "--debug"],
        cwd=tmp_path, env=vault_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # even if ignored here
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:  # --debug logs each exchange: wait for the first write
        if "POST /api/v25.2/vobjects/product__v" in line:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted; partial result in many.result.csv" in err
    result = read_result(tmp_path / "many.result.csv")
    assert len(result) == rows
    assert "SKIPPED" in set(result["vault_status"])
    assert "1500 rows: " in out
    assert PASSWORD not in out + err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sandbox_command_serves_until_ctrl_c(base_env):
    proc = start_sandbox_command(base_env)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[3]
        username = proc.stdout.readline().split(": ")[1].strip()
        password = proc.stdout.readline().split(": ")[1].strip()
        client = vault_pandas.connect(url, username=username, password=password)
        assert client.object_metadata("product__v")
        client.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        vault_pandas.set_default_client(None)
    assert proc.returncode == 0
    assert "Stopped." in out


def test_an_sso_user_loads_with_a_token_from_the_environment(
    tmp_path, run_cli, cli_vault, base_env
):
    token = cli_vault.oauth_token()
    src = write_csv(tmp_path / "products.csv", "name__v,product_family__c\nNyaxa,vaccine__c\n")
    env = {**base_env, "VAULT_OAUTH_TOKEN": token}
    args = ("create", src.name, "product__v", "--vault", cli_vault.url)
    proc = run_cli(*args, "--oauth-profile", cli_vault.oauth_profile, env=env)
    assert proc.returncode == 0, proc.stderr
    assert read_result(tmp_path / "products.result.csv")["vault_status"].tolist() == ["SUCCESS"]
    assert cli_vault.stats["oauth_logins"] == 1 and cli_vault.stats["sessions_ended"] == 1
    assert token not in proc.stdout + proc.stderr
    proc = run_cli(*args, "--oauth-profile", cli_vault.oauth_profile, env=base_env)
    assert proc.returncode == 2 and "VAULT_OAUTH_TOKEN" in error_line(proc)
    cli_vault.revoke_oauth_tokens()
    proc = run_cli(*args, env={**env, "VAULT_OAUTH_PROFILE": cli_vault.oauth_profile})
    assert proc.returncode == 2 and "refused the access token" in error_line(proc)
    assert token not in proc.stdout + proc.stderr
