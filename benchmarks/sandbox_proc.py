"""The sandbox Vault in its own process, steered over its ``/_sandbox/...`` HTTP controls."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

USERNAME = "bench@sandbox.example"
PASSWORD = "bench-password"
#: the burst limit of every scenario but the burst one: never reached. Vault's usual limit
#: (2000 calls per 5 minutes) would be reached by a 1M-row load (2000 requests of 500 rows)
#: and turn a CPU or throughput measurement into a wait for the window to reset.
NO_BURST_LIMIT = 1_000_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SandboxProcess:
    """``python -m vault_pandas.sandbox`` started as a child process (its CPU is not ours)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> SandboxProcess:
        cmd = [
            sys.executable, "-m", "vault_pandas.sandbox", "--port", str(self.port),
            "--username", USERNAME, "--password", PASSWORD,
            "--burst-limit", str(NO_BURST_LIMIT),
        ]  # fmt: skip
        self._errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self._errors)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                self.stats()
                return self
            except OSError:
                time.sleep(0.1)
        code = self.proc.poll()
        self.stop()
        self._errors.seek(0)
        raise RuntimeError(
            f"the sandbox did not start (exit {code}): {self._errors.read()[-2000:]}"
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- controls ----------------------------------------------------------------------
    def control(self, method: str, path: str, payload: Any = None) -> dict[str, Any]:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(f"{self.url}/_sandbox/{path}", data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=120) as resp:
            body = json.loads(resp.read())
        if body.get("responseStatus") != "SUCCESS":
            raise RuntimeError(f"sandbox control {method} {path}: {body}")
        return body

    def reset(self, **settings: Any) -> None:
        """Empty the store, counters and sessions, back to the start settings (no latency,
        no reachable burst limit); then apply ``settings`` (latency, burst)."""
        self.control("POST", "reset")
        if settings:
            self.control("POST", "configure", settings)

    def configure(self, **settings: Any) -> None:
        self.control("POST", "configure", settings)

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "stats")["stats"]
