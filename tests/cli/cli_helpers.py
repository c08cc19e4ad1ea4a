"""Constants and checks shared by the command-line tests."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

PASSWORD = "Cli-Secret-7f3a9c"  # the sandbox password: must never appear in output or files
USERNAME = "cli@sandbox.example"
APPROVE = "Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c"


def assert_no_secret(proc: subprocess.CompletedProcess, *files: Path) -> None:
    """The sandbox password is in none of the process's outputs and none of the files."""
    assert PASSWORD not in proc.stdout
    assert PASSWORD not in proc.stderr
    for path in files:
        assert PASSWORD.encode() not in path.read_bytes(), path


def error_line(proc: subprocess.CompletedProcess) -> str:
    """The one error line on stderr (and no traceback)."""
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("vault-pandas: error: ")
    return lines[0]


def start_sandbox_command(env: dict[str, str]) -> subprocess.Popen:
    """``python -m vault_pandas sandbox`` on a free port, stopped by SIGINT (Ctrl-C)."""
    return subprocess.Popen(
        [sys.executable, "-m", "vault_pandas", "sandbox", "--port", "0", "--latency", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
