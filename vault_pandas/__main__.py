"""``python -m vault_pandas``: the ``vault-pandas`` command line."""

from __future__ import annotations

from vault_pandas.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
