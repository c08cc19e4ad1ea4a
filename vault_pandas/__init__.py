"""vault_pandas: write pandas DataFrames into Veeva Vault and get every row's outcome back.

Importing the package registers the ``df.vault`` accessor.
"""

from __future__ import annotations

from vault_pandas import accessor as _accessor  # noqa: F401  (registers df.vault)
from vault_pandas.errors import (
    AuthenticationError,
    ColumnsLeftOutWarning,
    ConfigurationError,
    FrameError,
    LoadInterrupted,
    LoadStopped,
    PartialLoadError,
    TLSError,
    TransportError,
    UnsendableRequestError,
    ValidationError,
    VaultAPIError,
    VaultPandasError,
    VaultPandasWarning,
)
from vault_pandas.read.vql import read, read_vql
from vault_pandas.results import display as _display
from vault_pandas.results.outcomes import (
    FAILURE,
    INVALID,
    SKIPPED,
    SUCCESS,
    UNKNOWN,
    VALID,
    WARNING,
)
from vault_pandas.transport.client import VaultClient
from vault_pandas.transport.connection import connect, default_client, set_default_client
from vault_pandas.transport.discovery import auth_type
from vault_pandas.transport.retry import RetryPolicy
from vault_pandas.write.files import load_file

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
    "ColumnsLeftOutWarning",
    "ConfigurationError",
    "FrameError",
    "LoadInterrupted",
    "LoadStopped",
    "PartialLoadError",
    "RetryPolicy",
    "TLSError",
    "TransportError",
    "UnsendableRequestError",
    "ValidationError",
    "VaultAPIError",
    "VaultClient",
    "VaultPandasError",
    "VaultPandasWarning",
    "__version__",
    "auth_type",
    "connect",
    "load_file",
    "read",
    "read_vql",
    "default_client",
    "set_default_client",
]
