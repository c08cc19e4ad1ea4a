"""Fixtures of the cluster tests: a sandbox with a scaled burst limit, and a task killer.

``kill_switch`` makes the first partition task that records an answer in its checkpoint exit
its whole process (``os._exit``) right after, once per test: the request was processed and
answered, the task is lost, and Dask (the worker dies, its tasks run elsewhere) or Spark
(``local[2,2]``: a failed task is tried again) must run it again without sending anything
twice. It works in the cluster's own Python processes through a ``sitecustomize`` module on
their ``PYTHONPATH``, armed per test by a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import vault_pandas
from vault_pandas.transport.auth import SessionAuth
from vault_pandas.transport.client import VaultClient

#: Vault's 2000 calls per 5 minutes, scaled to these loads: a 100,000-row create takes about
#: 210 calls (200 of 500 rows, the logins and metadata of each worker process).
BURST_LIMIT = 260

SITECUSTOMIZE = """
import os
if os.environ.get("VP_TEST_KILL_DIR"):
    from vault_pandas.write import checkpoint as _checkpoint

    _answered = _checkpoint.Checkpoint.answered

    def answered(self, rows, positions):
        _answered(self, rows, positions)
        armed = os.path.join(os.environ["VP_TEST_KILL_DIR"], "armed")
        if os.path.exists(armed):
            try:
                fd = os.open(armed + ".fired", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.close(fd)
            os._exit(17)

    _checkpoint.Checkpoint.answered = answered
"""


@pytest.fixture
def sandbox_settings() -> dict[str, Any]:
    return {"burst_limit": BURST_LIMIT, "burst_window": 300.0}


@pytest.fixture(scope="session")
def kill_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cluster processes started from now on carry the kill switch (disarmed)."""
    where = tmp_path_factory.mktemp("kill_switch")
    (where / "sitecustomize.py").write_text(SITECUSTOMIZE)
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "VP_TEST_KILL_DIR")}
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(where), saved["PYTHONPATH"]) if p)
    os.environ["VP_TEST_KILL_DIR"] = str(where)
    yield where
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def kill_switch(kill_dir: Path) -> Iterator[Path]:
    """Armed for this test: the first answered batch kills its process, once."""
    (kill_dir / "armed.fired").unlink(missing_ok=True)
    (kill_dir / "armed").touch()
    yield kill_dir / "armed.fired"
    (kill_dir / "armed").unlink(missing_ok=True)
    (kill_dir / "armed.fired").unlink(missing_ok=True)


@pytest.fixture
def driver_client(vault) -> Iterator[VaultClient]:
    """The driver's client, logged in, with a short read timeout: rows a killed task left in
    flight are resumed once that request cannot be running any more (connect timeout + read
    timeout after it), which would be 310 s with the default timeout."""
    auth = SessionAuth(username=vault.username, password=vault.password)
    client = VaultClient(vault.url, auth, timeout=5.0).login()
    vault_pandas.set_default_client(client)
    yield client
    client.close()
    vault_pandas.set_default_client(None)


def requests_sent(vault) -> int:
    """Every API call the sandbox received."""
    return int(vault.stats["total_requests"])
