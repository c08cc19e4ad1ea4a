"""vault-pandas update, delete, export and action --param, run as subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import assert_no_secret, error_line

from vault_pandas import sandbox

WORKFLOW = "Objectaction.product__v.start_review__c"
Run = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def vault_env(tmp_path: Path, cli_vault: sandbox.SandboxVault) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env["VAULT_PANDAS_CONFIG"] = str(tmp_path / "no-profiles.toml")
    return {**env, "VAULT_USERNAME": cli_vault.username, "VAULT_PASSWORD": cli_vault.password}


@pytest.fixture
def run_cli(tmp_path: Path, vault_env: dict[str, str], cli_vault: sandbox.SandboxVault) -> Run:
    """``python -m vault_pandas ARGS --vault URL`` in ``tmp_path`` against the CLI sandbox."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "vault_pandas", *map(str, args), "--vault", cli_vault.url],
            cwd=tmp_path,
            env=vault_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def _seed(vault: sandbox.SandboxVault, n: int) -> list[str]:
    rows = [
        {
            "external_id__v": f"P-{i}",
            "name__v": f"Product {i}",
            "product_family__c": "biologic__c",
            "pack_size__c": 10 + i,
            "unit_price__c": "2.50",
        }
        for i in range(n)
    ]
    return vault.seed("product__v", rows)


def _result(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("nulls", [None, "keep", "clear"])
def test_update_by_id_param_with_nulls(tmp_path, run_cli, cli_vault, nulls):
    ids = _seed(cli_vault, 3)
    src = tmp_path / "fix.csv"
    src.write_text("external_id__v,pack_size__c,unit_price__c\nP-0,,7\nP-1,99,\n", "utf-8")
    flags = [] if nulls is None else ["--nulls", nulls]
    proc = run_cli("update", src.name, "product__v", "--id-param", "external_id__v", *flags)
    assert proc.returncode == 0, proc.stderr
    out = _result(tmp_path / "fix.result.csv")
    assert out["vault_status"].tolist() == ["SUCCESS", "SUCCESS"]
    assert out["vault_id"].tolist() == ids[:2]
    first, second, third = (cli_vault.record("product__v", i) for i in ids)
    assert (first["unit_price__c"], second["pack_size__c"]) == (Decimal("7"), Decimal("99"))
    if nulls == "clear":
        assert first.get("pack_size__c") is None and second.get("unit_price__c") is None
    else:  # the default keeps what a missing cell would have erased
        assert first["pack_size__c"] == Decimal("10")
        assert second["unit_price__c"] == Decimal("2.5")
    assert third["pack_size__c"] == Decimal("12")
    assert_no_secret(proc, tmp_path / "fix.result.csv")


def test_update_by_id_and_bad_nulls(tmp_path, run_cli, cli_vault):
    ids = _seed(cli_vault, 2)
    src = tmp_path / "fix.csv"
    src.write_text(f"id,pack_size__c\n{ids[1]},5\n00P000000009999,6\n", "utf-8")
    proc = run_cli("update", src.name, "product__v", "-o", "out.parquet")
    assert proc.returncode == 1, proc.stderr  # one row failed: no such record
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["vault_status"].tolist() == ["SUCCESS", "FAILURE"]
    assert cli_vault.record("product__v", ids[1])["pack_size__c"] == Decimal("5")
    proc = run_cli("update", src.name, "product__v", "--nulls", "erase")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr


def test_delete_by_the_id_column_of_an_earlier_result(tmp_path, run_cli, cli_vault):
    ids = _seed(cli_vault, 3)
    src = tmp_path / "old.csv"
    src.write_text(f"vault_id,note\n{ids[0]},a\n{ids[2]},b\n", "utf-8")
    proc = run_cli("delete", src.name, "product__v", "--id-column", "vault_id")
    assert proc.returncode == 0, proc.stderr
    out = _result(tmp_path / "old.result.csv")
    assert out["vault_status"].tolist() == ["SUCCESS", "SUCCESS"]
    assert [r["id"] for r in cli_vault.records("product__v")] == [ids[1]]
    proc = run_cli("delete", src.name, "product__v")  # no id column
    assert proc.returncode == 2
    assert "--id-column" in error_line(proc)


def test_action_with_params(tmp_path, run_cli, cli_vault):
    ids = _seed(cli_vault, 2)
    src = tmp_path / "ids.csv"
    src.write_text("id\n" + "\n".join(ids) + "\n", "utf-8")
    proc = run_cli(
        "action", src.name, WORKFLOW,
        "--param", "description__c=Q3 review = all sites",
        "--param", "reviewers__c.assignment_type__c=available",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert _result(tmp_path / "ids.result.csv")["vault_status"].tolist() == ["SUCCESS"] * 2
    [(name, sent, fields)] = cli_vault.action_inputs
    assert (name, sent) == (WORKFLOW, ids)
    assert fields == {
        "description__c": "Q3 review = all sites",  # split at the first "="
        "reviewers__c.assignment_type__c": "available",
    }
    assert cli_vault.record("product__v", ids[0])["description__c"] == "Q3 review = all sites"


def test_action_missing_param_is_a_row_failure_and_bad_params_an_error(
    tmp_path, run_cli, cli_vault
):
    ids = _seed(cli_vault, 1)
    src = tmp_path / "ids.csv"
    src.write_text(f"id\n{ids[0]}\n", "utf-8")
    proc = run_cli("action", src.name, WORKFLOW, "--param", "description__c=x")
    assert proc.returncode == 1
    out = _result(tmp_path / "ids.result.csv")
    assert "PARAMETER_REQUIRED" in out["vault_error"].iat[0]
    for bad, said in [
        (["--param", "novalue"], "KEY=VALUE"),
        (["--param", "=x"], "KEY=VALUE"),
        (["--param", "a=1", "--param", "a=2"], "twice"),
        (["--param", "ids=1"], "ids"),
    ]:
        proc = run_cli("action", src.name, WORKFLOW, *bad)
        assert proc.returncode == 2, bad
        assert said in error_line(proc)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_export_a_query_every_page(tmp_path, run_cli, cli_vault, suffix):
    _seed(cli_vault, 25)
    target = tmp_path / f"products{suffix}"
    vql = "SELECT id, name__v, pack_size__c, unit_price__c, created_date__v FROM product__v"
    before = len(cli_vault.requests_log)
    proc = run_cli("export", "--vql", vql + " PAGESIZE 10", "-o", target.name, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert f"25 rows, 5 columns -> {target.name}" in proc.stdout
    queries = [r for r in cli_vault.requests_log[before:] if "/query" in r[1]]
    assert len(queries) == 3  # every page followed
    if suffix == ".parquet":
        back = pd.read_parquet(target)
        assert str(back["pack_size__c"].dtype) == "Int64"
        assert str(back["unit_price__c"].dtype) == "Float64"
        assert str(back["name__v"].dtype).startswith("string")
        assert isinstance(back["created_date__v"].dtype, pd.DatetimeTZDtype)
        assert back["pack_size__c"].tolist() == list(range(10, 35))
    else:
        back = pd.read_csv(target)
        assert back["pack_size__c"].tolist() == list(range(10, 35))
    assert back["name__v"].tolist() == [f"Product {i}" for i in range(25)]
    assert_no_secret(proc, target)


def test_export_an_object_with_fields(tmp_path, run_cli, cli_vault):
    ids = _seed(cli_vault, 12)
    proc = run_cli("export", "product__v", "--fields", "id, pack_size__c", "-o", "p.parquet")
    assert proc.returncode == 0, proc.stderr
    back = pd.read_parquet(tmp_path / "p.parquet")
    assert set(back.columns) == {"id", "pack_size__c"}
    assert sorted(back["id"].tolist()) == sorted(ids)
    assert str(back["pack_size__c"].dtype) == "Int64"
    proc = run_cli("export", "product__v", "-o", "all.csv")  # every field
    assert proc.returncode == 0, proc.stderr
    assert {"external_id__v", "state__v"} <= set(_result(tmp_path / "all.csv").columns)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["-o", "x.csv"], "OBJECT"),
        (["product__v", "--vql", "SELECT id FROM product__v", "-o", "x.csv"], "OBJECT"),
        (["--vql", "SELECT id FROM product__v", "--fields", "id", "-o", "x.csv"], "--fields"),
        (["product__v", "-o", "x.xlsx"], ".csv or .parquet"),
        (["product__v", "-o", "missing/x.csv"], "no such directory"),
        (["--vql", "SELEC id FROM product__v", "-o", "x.csv"], "SELECT queries only"),
        (["--vql", "SELECT id FROM product__v WHERE", "-o", "x.csv"], "INCORRECT_QUERY_SYNTAX"),
        (["--vql", "SELECT nope__c FROM product__v", "-o", "x.csv"], "INVALID_DATA"),
    ],
)
def test_export_errors_exit_2(tmp_path, run_cli, cli_vault, args, said):
    proc = run_cli("export", *args)
    assert proc.returncode == 2
    assert said in error_line(proc)
    assert not (tmp_path / "x.csv").exists()
