"""A local fake of the Veeva Vault REST API for tests, demos and benchmarks (stdlib only).

It owns Vault's rules and wire format, modelled on Vault's API reference, and imports nothing
from the rest of ``vault_pandas`` (only the command line starts one, on request).

Layers, lowest first: ``errors`` (shared), ``fields``, ``objtypes`` and ``objects`` (sample
objects, their fields and types, picklists), ``values`` and ``csvio`` (input forms), ``store``
(records and indexes), ``computed`` (formula and lookup fields), ``rules``, ``rows``,
``writes`` and ``actions`` (write rules), ``vql`` and ``vql_run`` (queries), ``backend`` (all
those rules without HTTP, behind one lock; its ``Config`` holds every default; ``oauth``
holds its access tokens and discovery's answers), ``metadata``
and ``handlers`` (render Vault's JSON responses), ``faults`` (injected failures), ``server``
and ``control`` (HTTP), ``vault`` (:class:`SandboxVault`, :func:`run`). README.md lists the
sample objects and the choices made where Vault's documentation is silent.
"""

from __future__ import annotations

from .faults import FaultRule, FaultSet
from .vault import SandboxVault, run

__all__ = ["FaultRule", "FaultSet", "SandboxVault", "run"]
