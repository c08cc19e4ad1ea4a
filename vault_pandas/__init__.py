"""vault_pandas: write pandas DataFrames into Veeva Vault and get every row's outcome back.

Importing the package registers the ``df.vault`` accessor.
"""

from __future__ import annotations

from . import accessor as _accessor  # noqa: F401  (registers df.vault)
from . import display as _display
from .client import VaultClient
from .connection import connect, default_client, set_default_client
from .errors import (
    AuthenticationError,
    ConfigurationError,
    FrameError,
    LoadInterrupted,
    PartialLoadError,
    TransportError,
    ValidationError,
    VaultAPIError,
    VaultPandasError,
)
from .files import load_file
from .results import FAILURE, INVALID, SKIPPED, SUCCESS, UNKNOWN, VALID, WARNING
from .vql import read, read_vql

__version__ = "0.1.0"

_display.register()  # in a notebook: a summary line above result frames

__all__ = [
    "FAILURE",
    "INVALID",
    "SKIPPED",
    "SUCCESS",
    "UNKNOWN",
    "VALID",
    "WARNING",
    "AuthenticationError",
    "ConfigurationError",
    "FrameError",
    "LoadInterrupted",
    "PartialLoadError",
    "TransportError",
    "ValidationError",
    "VaultAPIError",
    "VaultClient",
    "VaultPandasError",
    "__version__",
    "connect",
    "load_file",
    "read",
    "read_vql",
    "default_client",
    "set_default_client",
]
