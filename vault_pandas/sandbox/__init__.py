"""A local fake of the Veeva Vault REST API for tests, demos and benchmarks (stdlib only)."""

from __future__ import annotations

from .faults import FaultRule, FaultSet
from .vault import SandboxVault, run

__all__ = ["FaultRule", "FaultSet", "SandboxVault", "run"]
