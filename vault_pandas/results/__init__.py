"""Row outcomes: what happened to each row, from Vault's answer to the result columns.

Owns the statuses and result column names (``outcomes``), the per-row outcome arrays of a
load (``rows``), how a Vault answer becomes them (``answers``), and what a user sees of them:
``summary()``/``failures()`` (``summary``), the notebook display line (``display``) and the
progress bar (``progress``).

May import: ``vault_pandas.errors``, ``vault_pandas.config``. Pure: no HTTP, no files.
"""
