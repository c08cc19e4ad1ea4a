"""kill -9 of a loading process at a moment the sandbox's fault counters choose."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable


def kill_loader_when(script: str, password: str, ready: Callable[[], bool]) -> None:
    """Run ``script`` (it reads the password from stdin), SIGKILL it once ``ready()``.

    Fails the test if the loader ends by itself before that (its stderr is shown).
    """
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(password.encode() + b"\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while not ready() and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
