"""Writing a frame: the one pipeline from ``df.vault.create`` to the wire and back.

Owns the options of a load (``options``), the checks before sending (``plan``), value
formatting (``formatting``) and request bodies (``bodies``), splitting into requests
(``batching``), sending on a bounded pool (``sending``), recovery of rows whose answer was
lost (``recovery``), checkpoints (``checkpoint``), the pipeline itself (``pipeline``) and
files bigger than memory (``files``).

May import every package below it: ``errors``, ``config``, ``results``, ``schema``,
``transport``, ``read``. ``formatting``, ``bodies`` and ``batching`` are pure: they never
import the transport.
"""
