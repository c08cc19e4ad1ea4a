"""Vault's response envelope: the parsed answer, its request-level errors, and their text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# HTTP statuses of a non-JSON answer that Vault's own routing gives before doing anything
# (recognised by Vault's execution id header), and the Vault error type each stands for. The
# same page without that header is a proxy's: the request may have reached Vault.
VAULT_REFUSALS = {404: "MALFORMED_URL", 405: "METHOD_NOT_SUPPORTED"}


@dataclass(repr=False)
class VaultResponse:
    """One answer from Vault: HTTP status, parsed JSON body and the headers we use."""

    status: int
    payload: dict[str, Any]
    execution_id: str | None = None
    elapsed: float = 0.0
    repeated: bool = False  # sent again after an earlier attempt's answer was lost

    def __repr__(self) -> str:  # never the payload: a login's answer holds the session id
        return (
            f"VaultResponse(status={self.status}, response_status={self.response_status!r}, "
            f"errors={sorted(self.error_types)}, execution_id={self.execution_id!r})"
        )

    @property
    def response_status(self) -> str:
        """Vault's ``responseStatus`` (SUCCESS, WARNING, FAILURE, EXCEPTION)."""
        return str(self.payload.get("responseStatus", "EXCEPTION"))

    @property
    def errors(self) -> list[dict[str, str]]:
        """Vault's request-level errors, possibly empty."""
        return list(self.payload.get("errors") or [])

    @property
    def error_types(self) -> set[str]:
        """The set of request-level error types."""
        return {str(e.get("type")) for e in self.errors}


def parse_json(data: bytes) -> dict[str, Any] | None:
    """The JSON object in ``data``, or None if it is not JSON or not an object."""
    try:
        payload = json.loads(data)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def refusal(status: int, execution_id: str | None, what: str) -> dict[str, Any] | None:
    """Vault's FAILURE envelope for a non-JSON answer from Vault's own routing, else None.

    Parameters
    ----------
    status : int
        The HTTP status of an answer that carried no Vault JSON.
    execution_id : str or None
        Its ``X-VaultAPI-ExecutionId`` header: only Vault sets it.
    what : str
        The request, e.g. ``"POST /api/v25.2/vobjects/product__v"``, for the message.

    Returns
    -------
    dict or None
        ``{"responseStatus": "FAILURE", "errors": [...]}`` with the type from
        :data:`VAULT_REFUSALS`, or None when the answer may come from an intermediary.

    Examples
    --------
    >>> refusal(404, "3f2a", "GET /api/v25.2/x")["errors"][0]["type"]
    'MALFORMED_URL'
    >>> refusal(404, None, "GET /api/v25.2/x") is None
    True
    """
    kind = VAULT_REFUSALS.get(status)
    if kind is None or not execution_id:
        return None
    message = f"HTTP {status} from Vault for {what}: refused before anything was done"
    return {"responseStatus": "FAILURE", "errors": [{"type": kind, "message": message}]}


def describe(resp: VaultResponse) -> str:
    """Vault's errors as ``TYPE: message; ...`` (else the status), with the execution id."""
    errors = resp.errors
    text = "; ".join(f"{e.get('type')}: {e.get('message')}" for e in errors) or resp.response_status
    if resp.execution_id:
        text += f" (execution id {resp.execution_id})"
    return text
