"""The exception and warning hierarchy of vault_pandas: one root each, translated once per
boundary.

``VaultPandasError`` is the root of every exception, ``VaultPandasWarning`` of every warning;
``LoadStopped`` is what ``PartialLoadError`` and ``LoadInterrupted`` share (a load that stopped
part-way, with its ``result``), so ``except LoadStopped as e: e.result`` catches both."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class VaultPandasError(Exception):
    """Root of every exception vault_pandas raises."""


class ConfigurationError(VaultPandasError, ValueError):
    """Bad arguments or settings, found before any request is made."""


class FrameError(ConfigurationError):
    """The frame cannot be sent as it is (unknown column, missing id column, ...).

    Raised before anything is sent. ``problems`` lists each problem in plain words.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [message])


class ValidationError(VaultPandasError, ValueError):
    """Rows failed validation and ``on_invalid="raise"`` was asked for.

    ``failure_cases`` is a DataFrame with one row per failed check (index label, column,
    value, rule); ``result`` is the result frame with those rows marked ``INVALID``.
    """

    def __init__(
        self, message: str, failure_cases: pd.DataFrame | None = None, result: Any = None
    ) -> None:
        super().__init__(message)
        self.failure_cases = failure_cases
        self.result = result


class AuthenticationError(VaultPandasError):
    """Login failed, the session expired without a way to renew it, or the wrong vault answered.

    ``error_type`` is Vault's error type (for example ``USERNAME_OR_PASSWORD_INCORRECT``) when
    Vault gave one.
    """

    def __init__(self, message: str, error_type: str | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type


class TransportError(VaultPandasError):
    """The request could not be completed over the network (connection, timeout, proxy 5xx).

    ``sent`` tells whether the request may have reached Vault: when it is true the outcome
    of a non-idempotent call is unknown and it must not be repeated blindly.
    """

    def __init__(self, message: str, *, sent: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.sent = sent
        self.status = status


class TLSError(TransportError):
    """The TLS handshake failed (e.g. a certificate no trusted CA signed): nothing was sent.

    Not retried: trying again gives the same answer. A network that inspects TLS with a
    corporate root CA needs that CA: ``REQUESTS_CA_BUNDLE``, ``verify=`` or ``session=``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, sent=False)


class UnsendableRequestError(TransportError):
    """The request could not be built as given, so nothing was sent (``sent`` is false).

    A header value HTTP cannot carry (a character outside latin-1, a line break: from a
    proxy's user name or password, or a header of your ``session=``), or a malformed proxy
    address. Not retried: trying again builds the same request. The message names the
    character's code point and the proxy's ``host:port``, never the value.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, sent=False)


# Transport errors the client never retries: trying again gives the same answer.
NEVER_RETRIED: tuple[type[TransportError], ...] = (TLSError, UnsendableRequestError)


class VaultAPIError(VaultPandasError):
    """Vault processed the request and answered ``FAILURE`` or ``EXCEPTION`` for all of it.

    ``errors`` holds Vault's ``{"type", "message"}`` entries; ``error_type`` the first type;
    ``method`` and ``path`` name the call, ``payload`` is Vault's parsed answer (when known).
    """

    def __init__(
        self,
        message: str,
        errors: list[dict[str, str]] | None = None,
        *,
        execution_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = list(errors or [])
        self.error_type = self.errors[0].get("type") if self.errors else None
        self.execution_id = execution_id
        self.method, self.path, self.payload = method, path, payload


class LoadStopped(BaseException):
    """A load stopped part-way; ``result`` is the result frame so far.

    Finished rows carry their outcome, rows never sent are ``SKIPPED`` and rows whose
    request was in flight are ``UNKNOWN``. The cause is chained as ``__cause__``. Raised as
    :class:`PartialLoadError` (an error stopped it) or :class:`LoadInterrupted` (Ctrl-C).
    """

    def __init__(self, message: str, result: pd.DataFrame) -> None:
        super().__init__(message)
        self.result = result


class PartialLoadError(LoadStopped, VaultPandasError):
    """An error stopped a load part-way; ``result`` is the result frame so far."""


class LoadInterrupted(LoadStopped, KeyboardInterrupt):
    """Ctrl-C during a load; ``result`` is the result frame so far."""


class VaultPandasWarning(UserWarning):
    """Root of every warning vault_pandas issues."""


class ColumnsLeftOutWarning(VaultPandasWarning):
    """Columns that are fields of the object but that this call cannot write were left out.

    Lookup, formula and roll-up fields, fields that are not editable, system-managed fields
    (``id`` on create, ``created_*``, ``modified_*``...) and fields only migration mode may
    set are never sent; ``columns`` maps each to why (also in ``attrs["vault"]["left_out"]``).
    """

    def __init__(self, message: str, columns: dict[str, str]) -> None:
        super().__init__(message)
        self.columns = dict(columns)
