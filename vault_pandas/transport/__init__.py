"""Talking to Vault: the session, URLs, retries, burst pacing, and connection settings.

Owns ``VaultClient`` (``client``), Vault's response envelope (``responses``), the vault's
address (``urls``), the ``requests`` session with its TLS and proxies (``http``), how a user
logs in (``discovery``), credentials and renewal (``auth``), which characters a header or a
form can carry (``characters``), ``connect()`` and the default client (``connection``), named
profiles (``profiles``), the retry policy and counters (``retry``), Vault's burst limit
(``limits``) and the name syntax checked before a name goes into a URL or query (``names``).
Network errors are translated into ``vault_pandas.errors`` here, once
(``HttpTransport.exchange``).

May import: ``vault_pandas.errors``, ``vault_pandas.config``. Never a pandas frame.
"""
