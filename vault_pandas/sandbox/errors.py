"""The sandbox's errors: a Vault error ``type`` and message, raised at three levels.

One body (:class:`VaultError`); the subclasses only say how far a failure reaches, and the
modules catch them separately: an :class:`InvalidValue` fails one row of a write, a
:class:`RequestFailure` or :class:`VqlError` fails the whole request.
"""

from __future__ import annotations

__all__ = ["InvalidValue", "RequestFailure", "VaultError", "VqlError"]


class VaultError(Exception):
    """A failure Vault would report; carries the Vault error ``type`` and a message.

    Parameters
    ----------
    type : str
        Vault error type, e.g. ``INVALID_DATA``.
    message : str
        Human-readable reason.

    Examples
    --------
    >>> err = RequestFailure("INVALID_DATA", "The input holds no records")
    >>> err.type, err.message, str(err)
    ('INVALID_DATA', 'The input holds no records', 'The input holds no records')
    """

    def __init__(self, type: str, message: str) -> None:  # noqa: A002 - Vault's key name
        super().__init__(message)
        self.type = type
        self.message = message


class RequestFailure(VaultError):
    """The whole request fails: nothing is written."""


class InvalidValue(VaultError):
    """A value Vault would refuse: the row that holds it fails, the others go on."""


class VqlError(VaultError):
    """A query Vault would refuse (bad syntax, unknown object or field, misfit literal)."""
