"""Reading from Vault: VQL queries, every page, into typed DataFrame columns.

Owns safe VQL literals (``literals``), paged queries and the public read functions (``vql``),
the Vault type -> dtype table with the conversions of query answers (``dtypes``, pure), and
the user actions a record can take (``actions``).

May import: ``errors``, ``config``, ``results``, ``schema``, ``transport``.
"""
