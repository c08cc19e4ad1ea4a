"""Writing a frame: the one pipeline from ``df.vault.create`` to the wire and back.

Owns the options of a load (``options``), the checks before sending (``plan``), value
formatting (``formatting``, ``datetimes``), frame blocks -> formatted Arrow tables
(``blocks``) and request bodies (``bodies``), splitting into requests (``batching``), sending
on a bounded pool (``sending``), recovery of rows that failed retryably or whose answer was
lost (``recovery``), checkpoints (``checkpoint``), the pipeline itself and its entry points
(``pipeline``) and files bigger than memory (``files``).

May import every package below it: ``errors``, ``config``, ``results``, ``schema``,
``transport``, ``read``. ``options``, ``formatting``, ``datetimes``, ``blocks``, ``bodies``
and ``batching`` are pure: they never import the transport.
"""
