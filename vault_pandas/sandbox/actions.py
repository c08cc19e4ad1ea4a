"""Object user actions: the sample actions, name checks and applying one to records."""

from __future__ import annotations

from .errors import RequestFailure
from .fields import USER_ID
from .objects import OBJECTS
from .rows import Outcome
from .store import Store
from .values import now_stamp

__all__ = ["ACTIONS", "ASSIGNMENT_TYPES", "Action", "apply", "available", "check_inputs", "find"]


class Action:
    """One object user action: its full Vault name, the state it needs and what it does.

    Parameters
    ----------
    name : str
        Full action name, e.g. ``Objectaction.product__v.mark_reviewed__c``.
    label : str
        Display label.
    from_state : str or None
        The lifecycle state a record must be in; ``None`` means any state.
    to_state : str or None
        The state the record moves to; ``None`` leaves the state alone.
    stamp_field : str or None
        A DateTime field set to "now" by the action.
    prompts : tuple of str
        Required field prompts of a workflow's start step: form fields named after fields of
        the object; each value is set on every record (as Vault documents for multi-record
        workflows).
    groups : tuple of str
        Participant groups whose ``{group}.assignment_type__c`` the initiator must give.
    """

    def __init__(
        self,
        name: str,
        label: str,
        *,
        from_state: str | None = None,
        to_state: str | None = None,
        stamp_field: str | None = None,
        prompts: tuple[str, ...] = (),
        groups: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.label = label
        self.from_state = from_state
        self.to_state = to_state
        self.stamp_field = stamp_field
        self.prompts = prompts
        self.groups = groups
        self.object = name.split(".")[1]
        self.kind = "state_change" if to_state else "workflow" if prompts or groups else "action"


_STATE_ACTION = "Objectlifecyclestateuseraction.product__v"

#: Full action name -> Action.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            f"{_STATE_ACTION}.draft_state__c.approve__c",
            "Approve",
            from_state="draft_state__c",
            to_state="approved_state__c",
        ),
        Action(
            f"{_STATE_ACTION}.approved_state__c.retire__c",
            "Retire",
            from_state="approved_state__c",
            to_state="retired_state__c",
        ),
        Action(
            "Objectaction.product__v.mark_reviewed__c",
            "Mark Reviewed",
            stamp_field="last_reviewed__c",
        ),
        # A workflow start: a required field prompt and a participant group's assignment type.
        Action(
            "Objectaction.product__v.start_review__c",
            "Start Review",
            prompts=("description__c",),
            groups=("reviewers__c",),
        ),
    )
}

#: The documented values of ``{participant_group}.assignment_type__c``.
ASSIGNMENT_TYPES = ("assigned", "available")


def check_inputs(action: Action, form: dict[str, str]) -> dict[str, str]:
    """The action's inputs from the form; a missing or bad one fails the whole request.

    Vault documents that required prompts "cannot be omitted, set as blank" but not the
    error; the sandbox answers ``PARAMETER_REQUIRED`` for the request (see the README).

    Examples
    --------
    >>> wf = ACTIONS["Objectaction.product__v.start_review__c"]
    >>> check_inputs(wf, {"ids": "1", "description__c": "Q3",
    ...                   "reviewers__c.assignment_type__c": "assigned"})
    {'description__c': 'Q3', 'reviewers__c.assignment_type__c': 'assigned'}
    """
    needed = [*action.prompts, *(f"{g}.assignment_type__c" for g in action.groups)]
    for name in needed:
        if not form.get(name, "").strip():
            raise RequestFailure("PARAMETER_REQUIRED", f"Missing required parameter [{name}]")
    for group in action.groups:
        value = form[f"{group}.assignment_type__c"].strip()
        if value not in ASSIGNMENT_TYPES:
            raise RequestFailure(
                "INVALID_DATA",
                f"Invalid value [{value}] for [{group}.assignment_type__c]: "
                f"expected one of {', '.join(ASSIGNMENT_TYPES)}",
            )
    return {k: v for k, v in form.items() if k != "ids"}


def find(object_name: str, action_name: str) -> Action:
    """Validate an action name against the path object; whole-request failures.

    Examples
    --------
    >>> find("product__v", "Objectaction.product__v.mark_reviewed__c").label
    'Mark Reviewed'
    """
    if object_name not in OBJECTS:
        raise RequestFailure("INVALID_DATA", f"Object [{object_name}] does not exist")
    parts = action_name.split(".")
    well_formed = (parts[0] == "Objectaction" and len(parts) == 3) or (
        parts[0] == "Objectlifecyclestateuseraction" and len(parts) == 4
    )
    if not well_formed or not all(parts):
        raise RequestFailure("INVALID_DATA", f"Malformed action name [{action_name}]")
    if parts[1] != object_name:
        raise RequestFailure(
            "INVALID_DATA", f"Action [{action_name}] is not an action of [{object_name}]"
        )
    if action_name not in ACTIONS:
        raise RequestFailure("INVALID_DATA", f"Unknown action [{action_name}]")
    return ACTIONS[action_name]


def apply(
    store: Store,
    action: Action,
    ids: list[str],
    row_faults: dict[int, str] | None = None,
    inputs: dict[str, str] | None = None,
) -> list[Outcome]:
    """Apply an action to each id, in order; per-id outcomes (the caller holds the lock).

    ``inputs`` (from :func:`check_inputs`): each prompt's value is set on every record.
    """
    stamp = now_stamp()
    outcomes = []
    for i, rid in enumerate(ids):
        record = store.get(action.object, rid)
        if row_faults and i in row_faults:
            err = (row_faults[i], f"Injected {row_faults[i]} for id {rid}")
            outcomes.append(Outcome("FAILURE", id=rid, errors=[err]))
        elif record is None:
            err = ("INVALID_DATA", f"No {action.object} record has id [{rid}]")
            outcomes.append(Outcome("FAILURE", id=rid, errors=[err]))
        elif action.from_state and record.get("state__v") != action.from_state:
            err = ("INSUFFICIENT_ACCESS", f"Not available in state [{record['state__v']}]")
            outcomes.append(Outcome("FAILURE", id=rid, errors=[err]))
        else:
            new = dict(record, modified_date__v=stamp, modified_by__v=USER_ID)
            if action.to_state:
                new["state__v"] = action.to_state
            if action.stamp_field:
                new[action.stamp_field] = stamp
            for prompt in action.prompts:
                new[prompt] = (inputs or {})[prompt]
            store.put(action.object, new)
            outcomes.append(Outcome("SUCCESS", id=rid))
    return outcomes


def available(object_name: str, state: str | None) -> list[Action]:
    """Actions of ``object_name`` a record in ``state`` can take."""
    return [
        a for a in ACTIONS.values() if a.object == object_name and a.from_state in (None, state)
    ]
