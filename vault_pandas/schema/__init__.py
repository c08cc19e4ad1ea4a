"""What Vault expects of a frame: object metadata -> field specs -> value rules -> validation.

Owns the parsing of Vault's object metadata into field specs (``metadata``), which columns
an operation may send (``columns``), the pandera schema derived for their values
(``derived``), the vectorised value checks (``rules``: ``build`` and the required/key/unique
checks, over ``checks``, ``text_number_rules``, ``date_choice_rules`` and ``surrogates``),
running a pandera schema over a frame with one message per row (``validation``), the rules of
migration mode and assigned ids (``migration``), each row against its own object type
(``object_types``) and the readable field table of ``df.vault.fields`` (``fields``).

May import: ``vault_pandas.errors``, ``vault_pandas.config``, ``vault_pandas.results``.
Pure: no HTTP (metadata is handed in already fetched), no files.
"""
