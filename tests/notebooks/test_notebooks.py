"""Every notebook in notebooks/ runs top to bottom against the sandbox and shows no secret.

Each notebook is executed with nbclient in a kernel started from *this* interpreter (not
whatever ``python`` a stale ``python3`` kernelspec would find on PATH), with the notebooks
directory as its working directory. A cell that raises fails the test. Afterwards a probe asks
the still-running kernel for every secret it holds (sandbox passwords, sandbox session ids, the
client's session ids and passwords) and the test checks that none of them appears anywhere in
the executed notebook.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
TIMEOUT = 300  # seconds per cell

# Run in the kernel after the notebook: print, as JSON, every secret still in memory.
PROBE = """
import gc as _gc, json as _json
from vault_pandas.transport.auth import SessionAuth as _SessionAuth
from vault_pandas.sandbox import SandboxVault as _SandboxVault
_secrets = set()
for _obj in _gc.get_objects():
    if isinstance(_obj, _SandboxVault):
        _secrets.add(_obj.password)
        _secrets.update(_obj.backend._sessions)
    elif isinstance(_obj, _SessionAuth):
        _password = getattr(_obj.credentials, "password", None)
        for _secret in (_obj._session, _password):
            if _secret is not None:
                _secrets.add(_secret.reveal())
print(_json.dumps(sorted(_secrets)))
"""


class _ThisInterpreter(KernelSpecManager):
    """Every kernel name resolves to an ipykernel run by the interpreter running the tests."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (ipykernel)",
            language="python",
        )


class _Client(NotebookClient):
    def create_kernel_manager(self):  # noqa: ANN201
        km = super().create_kernel_manager()
        km.kernel_spec_manager = _ThisInterpreter()
        return km


def execute_notebook(
    nb: nbformat.NotebookNode, cwd: Path
) -> tuple[nbformat.NotebookNode, list[str]]:
    """Execute ``nb`` (in place) in ``cwd``; return it and the secrets its kernel held.

    Raises ``nbclient.exceptions.CellExecutionError`` if a cell raises.
    """
    client = _Client(
        nb, kernel_name="python3", timeout=TIMEOUT, resources={"metadata": {"path": str(cwd)}}
    )
    try:
        client.execute(cleanup_kc=False)  # keep the kernel alive for the probe
        probe = new_code_cell(PROBE)
        nb.cells.append(probe)  # nbclient stores the executed cell at its index
        try:
            client.execute_cell(probe, len(nb.cells) - 1, store_history=False)
        finally:
            nb.cells.pop()
    finally:
        client._cleanup_kernel()  # shut the kernel down (execute() left it running)
    text = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
    return nb, json.loads(text)


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOKS_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_shows_no_secret(path: Path):
    nb = nbformat.read(path, as_version=4)
    executed, secrets = execute_notebook(nb, NOTEBOOKS_DIR)

    # A notebook that talked to the sandbox must have held at least its password.
    assert secrets, "the probe found no sandbox or client in the kernel"
    errors = [
        o for c in executed.cells if c.cell_type == "code" for o in c.outputs
        if o.output_type == "error"
    ]  # fmt: skip
    assert not errors, errors
    # Check the freshly executed notebook and the committed file, sources included.
    for label, text in (("executed", nbformat.writes(executed)), ("committed", path.read_text())):
        leaked = [s for s in secrets if s and s in text]
        assert not leaked, f"{label} {path.name} shows {len(leaked)} secret(s) (password/session)"
