"""Record Migration Mode (``X-VaultAPI-MigrationMode: true``): the row rules it changes.

As Vault documents (Vault API ``X-VaultAPI-MigrationMode``; Vault Help "Record Migration
Mode"): a create or update may set ``state__v`` to any state of the lifecycle (optionally with
``state_label``, ``base:object_lifecycle:{state type}``, which must map to that state), and the
standard fields ``created_by__v``, ``created_date__v``, ``modified_by__v``,
``modified_date__v``; a create may give the record ``id`` itself: 15 uppercase letters/digits,
the object's ``prefix``, then ``Z``, unique. ``created_by__v``/``modified_by__v`` come together,
so do ``created_date__v``/``modified_date__v`` (not in the future, created <= modified).
``X-VaultAPI-NoTriggers`` only matters with the mode; the sandbox runs no triggers, so it
changes nothing here. Without the mode these columns are not editable: each row giving one
fails with ``INVALID_DATA``, as any non-editable field does.
"""

from __future__ import annotations

import re
from typing import Any

from .objects import INITIAL_STATE, LIFECYCLES, OBJECTS
from .values import now_stamp

__all__ = ["STATE_LABEL", "check_audit", "check_given_id", "state_from_label"]

#: The column naming a record's lifecycle state type (not a field; migration mode only).
STATE_LABEL = "state_label"
_LABEL = "base:object_lifecycle:"
#: The state type of each lifecycle state the sandbox knows (only the initial one is typed).
STATE_TYPES = {INITIAL_STATE: "initial_state_type"}
_PAIRS = (("created_by__v", "modified_by__v"), ("created_date__v", "modified_date__v"))
Problems = list[tuple[str, str]]


def check_given_id(object_name: str, given: Any, taken: bool, errors: Problems) -> None:
    """A record id a migration-mode create gives: its documented format, and not taken."""
    prefix = str(OBJECTS[object_name]["prefix"])
    text = str(given)
    pattern = rf"{re.escape(prefix)}Z[A-Z0-9]{{{14 - len(prefix)}}}"
    if not re.fullmatch(pattern, text):
        why = f"Invalid record id [{text}]: 15 uppercase letters or digits, starting {prefix}Z"
        errors.append(("INVALID_DATA", why))
    elif taken:
        errors.append(("INVALID_DATA", f"A record with id [{text}] already exists"))


def state_from_label(
    object_name: str, label: Any, values: dict[str, Any], errors: Problems
) -> None:
    """Apply a ``state_label``: the state it names, or check it maps to ``state__v`` given."""
    if label in (None, ""):
        return
    text = str(label)
    kind = text.removeprefix(_LABEL) if text.startswith(_LABEL) else None
    states = [s for s, t in STATE_TYPES.items() if t == kind]
    if object_name not in LIFECYCLES or not states:
        errors.append(("INVALID_DATA", f"Unknown state type [{text}]"))
    elif values.get("state__v") is None:
        values["state__v"] = states[0]
    elif values["state__v"] not in states:
        why = f"state_label [{text}] does not map to state__v [{values['state__v']}]"
        errors.append(("INVALID_DATA", why))


def check_audit(values: dict[str, Any], errors: Problems) -> None:
    """The audit fields a row gives: pairs together, dates not in the future, created first."""
    for first, second in _PAIRS:
        if (values.get(first) is None) != (values.get(second) is None):
            errors.append(("INVALID_DATA", f"[{first}] and [{second}] must be given together"))
    created, modified = values.get("created_date__v"), values.get("modified_date__v")
    now = now_stamp()
    for name, stamp in (("created_date__v", created), ("modified_date__v", modified)):
        if isinstance(stamp, str) and stamp > now:
            errors.append(("INVALID_DATA", f"[{name}] [{stamp}] is in the future"))
    if isinstance(created, str) and isinstance(modified, str) and created > modified:
        errors.append(("INVALID_DATA", "[created_date__v] is later than [modified_date__v]"))
