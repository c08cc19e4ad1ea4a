"""Vault's bulk answers -> per-row outcome columns (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vault_pandas.results.outcomes import FAILURE, UNKNOWN


@dataclass
class Outcomes:
    """Outcome columns for one request, positional, as Python lists."""

    status: list[Any]
    ids: list[Any]
    errors: list[Any] | None  # None: no row has an error
    events: list[Any] | None  # None: no row has an event


def format_errors(entries: Sequence[Mapping[str, Any]] | None, key: str = "type") -> str | None:
    """Join Vault error (or warning) entries as ``"TYPE: message; TYPE: message"``.

    Examples
    --------
    >>> format_errors([{"type": "INVALID_DATA", "message": "bad"}])
    'INVALID_DATA: bad'
    >>> format_errors([]) is None
    True
    """
    if not entries:
        return None
    return "; ".join(
        f"{e.get(key) or e.get('type') or e.get('warning_type')}: {e.get('message', '')}"
        for e in entries
    )


def _row_error(item: Mapping[str, Any]) -> str | None:
    errors = item.get("errors")
    if errors:
        return format_errors(errors)
    warnings = item.get("warnings")
    return format_errors(warnings, "warning_type") if warnings else None


def _event(data: Any) -> str | None:
    event = data.get("event") if isinstance(data, dict) else None
    return event.removesuffix("__sys") if isinstance(event, str) else None


def record_outcomes(payload: Mapping[str, Any], n: int) -> Outcomes:
    """Per-row outcomes of a create/upsert/update/delete answer for a body of ``n`` rows.

    Vault answers one entry per input row, in input order. An answer with a different count
    cannot be aligned: every row becomes UNKNOWN rather than being given someone else's id.
    """
    data = payload.get("data")
    if not isinstance(data, list) or len(data) != n:
        got = len(data) if isinstance(data, list) else "no"
        msg = f"ALIGNMENT: Vault answered {got} results for {n} rows; outcome unknown"
        return Outcomes([UNKNOWN] * n, [None] * n, [msg] * n, [None] * n)
    status = [item.get("responseStatus", FAILURE) for item in data]
    if status.count("SUCCESS") == n:  # the common case: one pass for the ids, no errors
        inner = [item["data"] for item in data]
        ids = [d["id"] for d in inner]
        events = [d.get("event") for d in inner] if "event" in inner[0] else None
        if events is not None:
            events = [_EVENTS.get(e, e) for e in events]
        return Outcomes(status, ids, None, events)
    inner = [item.get("data") or {} for item in data]
    return Outcomes(
        status=status,
        ids=[d.get("id") if isinstance(d, dict) else None for d in inner],
        errors=[_row_error(item) for item in data],
        events=[_event(d) for d in inner],
    )


_EVENTS = {"created__sys": "created", "updated__sys": "updated"}


def action_outcomes(payload: Mapping[str, Any], ids: Sequence[str]) -> Outcomes:
    """Per-id outcomes of an object action answer, matched by ``id`` (not by position)."""
    by_id: dict[str, Mapping[str, Any]] = {}
    for item in payload.get("data") or []:
        if isinstance(item, dict) and item.get("id") is not None:
            by_id.setdefault(str(item["id"]), item)
    missing = "ALIGNMENT: Vault returned no result for this id; outcome unknown"
    items = [by_id.get(i) for i in ids]
    return Outcomes(
        status=[it.get("responseStatus", FAILURE) if it else UNKNOWN for it in items],
        ids=list(ids),
        errors=[_row_error(it) if it else missing for it in items],
        events=[None] * len(ids),
    )
