"""Talking to Vault: the session, URLs, retries, burst pacing, and connection settings.

Owns ``VaultClient`` (``client``), credentials and renewal (``auth``), ``connect()`` and the
default client (``connection``), named profiles (``profiles``), Vault's burst limit
(``limits``) and the name syntax checked before a name goes into a URL or query (``names``).
Network errors are translated into ``vault_pandas.errors`` here, once.

May import: ``vault_pandas.errors``, ``vault_pandas.config``. Never a pandas frame.
"""
