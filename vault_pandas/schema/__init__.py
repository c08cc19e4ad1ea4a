"""What Vault expects of a frame: object metadata -> field specs -> value rules -> validation.

Owns the parsing of Vault's object metadata (``metadata``), the vectorised value checks
(``rules``), running a pandera schema over a frame with one message per row (``validation``)
and the readable field table of ``df.vault.fields`` (``fields``).

May import: ``vault_pandas.errors``, ``vault_pandas.config``, ``vault_pandas.results``.
Pure: no HTTP (metadata is handed in already fetched), no files.
"""
