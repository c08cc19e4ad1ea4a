"""The command line's CSV reading: pandas with ``index_col=False`` (no column shift), a row with
more fields than the header refused with its line, ``--encoding``, and the other problems of a
file named as ``load_file`` names them. Run as subprocesses against the CLI sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import assert_no_secret, error_line

from vault_pandas import sandbox

Run = Callable[..., subprocess.CompletedProcess]
HEADER = "name__v,product_family__c,description__c\n"


@pytest.fixture
def run_cli(tmp_path: Path, cli_vault: sandbox.SandboxVault) -> Run:
    """``python -m vault_pandas create FILE product__v ARGS --vault URL`` in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env["VAULT_PANDAS_CONFIG"] = str(tmp_path / "no-profiles.toml")
    env.update(VAULT_USERNAME=cli_vault.username, VAULT_PASSWORD=cli_vault.password)

    def run(name: str, *args: str) -> subprocess.CompletedProcess:
        command = ["create", name, "product__v", "--no-progress", *args, "--vault", cli_vault.url]
        return subprocess.run(
            [sys.executable, "-m", "vault_pandas", *command],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    return run


def refused(proc: subprocess.CompletedProcess, vault: sandbox.SandboxVault, tmp_path: Path) -> str:
    """Exit 2 with one error line; nothing stored, no result file."""
    assert proc.returncode == 2, proc.stderr
    line = error_line(proc)
    assert vault.records("product__v") == []
    assert list(tmp_path.glob("*.result.*")) == []
    assert_no_secret(proc)
    return line


def stored(vault: sandbox.SandboxVault) -> dict[str, str | None]:
    return {r["name__v"]: r.get("description__c") for r in vault.records("product__v")}


def test_an_extra_field_in_the_first_row_is_refused_not_shifted(tmp_path, run_cli, cli_vault):
    # pandas' default takes the first column as the index and shifts every column over
    (tmp_path / "shift.csv").write_text(
        "name__v,product_family__c\nR1,biologic__c,extra\nR2,biologic__c\n"
    )
    line = refused(run_cli("shift.csv"), cli_vault, tmp_path)
    assert "shift.csv, line 2: 3 fields where the header has 2" in line
    assert "'R1,biologic__c,extra'" in line
    assert "duplicated" not in line


def test_an_extra_field_in_a_later_row_names_its_physical_line(tmp_path, run_cli, cli_vault):
    (tmp_path / "later.csv").write_text(
        f'{HEADER}A,biologic__c,"two\nlines"\n\nB,biologic__c,ok\nC,biologic__c,x,y\n'
    )
    line = refused(run_cli("later.csv"), cli_vault, tmp_path)
    assert "later.csv, line 6: 4 fields where the header has 3" in line


def test_a_row_with_too_few_fields_loads_with_missing_values_as_pandas_reads_it(
    tmp_path, run_cli, cli_vault
):
    (tmp_path / "few.csv").write_text(f"{HEADER}A,biologic__c\nB,biologic__c,desc\n")
    proc = run_cli("few.csv")
    assert proc.returncode == 0, proc.stderr
    assert stored(cli_vault) == {"A": None, "B": "desc"}
    result = pd.read_csv(tmp_path / "few.result.csv", dtype=str, keep_default_na=False)
    assert result["name__v"].tolist() == ["A", "B"]
    assert result["description__c"].tolist() == ["", "desc"]


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("latin-1", f"{HEADER}L1,biologic__c,café\n".encode("latin-1")),
        ("cp1252", f"{HEADER}L1,biologic__c,café “smart”\n".encode("cp1252")),
        ("utf-16", f"{HEADER}L1,biologic__c,café “smart”\n".encode("utf-16")),
    ],
    ids=["latin-1", "cp1252", "utf-16"],
)
def test_encoding_reads_a_file_that_is_not_utf8(tmp_path, run_cli, cli_vault, encoding, data):
    (tmp_path / "enc.csv").write_bytes(data)
    proc = run_cli("enc.csv", "--encoding", encoding)
    assert proc.returncode == 0, proc.stderr
    assert stored(cli_vault) == {"L1": data.decode(encoding).split(",")[-1].rstrip("\n")}


def test_a_latin1_file_without_encoding_names_the_line_and_the_option(tmp_path, run_cli, cli_vault):
    (tmp_path / "l1.csv").write_bytes(
        f"{HEADER}L1,biologic__c,ok\nL2,biologic__c,café\n".encode("latin-1")
    )
    line = refused(run_cli("l1.csv"), cli_vault, tmp_path)
    assert "l1.csv, line 3: byte 0xE9" in line and "--encoding" in line


def test_a_utf16_file_without_encoding_says_so(tmp_path, run_cli, cli_vault):
    (tmp_path / "u16.csv").write_bytes(f"{HEADER}U1,biologic__c,x\n".encode("utf-16"))
    line = refused(run_cli("u16.csv"), cli_vault, tmp_path)
    assert "u16.csv, line 1: the file starts with a UTF-16 byte order mark" in line
    assert "--encoding utf-16" in line


def test_an_unknown_encoding_is_one_error_line(tmp_path, run_cli, cli_vault):
    (tmp_path / "x.csv").write_text(f"{HEADER}A,biologic__c,ok\n")
    line = refused(run_cli("x.csv", "--encoding", "klingon"), cli_vault, tmp_path)
    assert "unknown encoding 'klingon'" in line


def test_an_unterminated_quote_is_refused_with_its_line(tmp_path, run_cli, cli_vault):
    (tmp_path / "quote.csv").write_text(
        f'{HEADER}T1,biologic__c,ok\nT2,biologic__c,"never closed\nT3,biologic__c,x\n'
    )
    line = refused(run_cli("quote.csv"), cli_vault, tmp_path)
    assert "quote.csv, line 3: a quote opened here is never closed (EOF inside string)" in line


def test_an_empty_file_is_refused(tmp_path, run_cli, cli_vault):
    (tmp_path / "empty.csv").write_bytes(b"")
    line = refused(run_cli("empty.csv"), cli_vault, tmp_path)
    assert "empty.csv is empty" in line
