"""Vault's response envelope: the parsed answer, its request-level errors, and their text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class VaultResponse:
    """One answer from Vault: HTTP status, parsed JSON body and the headers we use."""

    status: int
    payload: dict[str, Any]
    execution_id: str | None = None
    elapsed: float = 0.0
    repeated: bool = False  # sent again after an earlier attempt's answer was lost

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


def describe(resp: VaultResponse) -> str:
    """Vault's errors as ``TYPE: message; ...`` (else the status), with the execution id."""
    errors = resp.errors
    text = "; ".join(f"{e.get('type')}: {e.get('message')}" for e in errors) or resp.response_status
    if resp.execution_id:
        text += f" (execution id {resp.execution_id})"
    return text
