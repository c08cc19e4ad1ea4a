"""Rule code -> pandera Check (``build``), and the blank/duplicate checks of required/key/unique.

Every check is vectorised and accepts any dtype (see ``vault_pandas.schema.checks``); the
value rules are in ``vault_pandas.schema.text_number_rules`` (text, numbers) and
``vault_pandas.schema.date_choice_rules`` (dates, date-times, booleans, picklists).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from vault_pandas.schema import date_choice_rules, text_number_rules
from vault_pandas.schema.checks import arrow_text, blank, make_check

if TYPE_CHECKING:
    import pandera.pandas as pdr

    from vault_pandas.schema.metadata import FieldSpec


@dataclass(frozen=True)
class Context:
    """What checks need beyond the field: the object, picklist values, the assumed time zone."""

    object_name: str
    prefix: str | None
    picklists: Mapping[str, Mapping[str, str]]
    assume_timezone: Any


# --- blank and repeated values: required fields, keys, unique fields -------------------------


def _not_duplicated(s: pd.Series) -> np.ndarray:
    blanks = blank(s)
    kept = s[~blanks] if blanks.any() else s
    out = np.ones(len(s), dtype=bool)
    arr = arrow_text(kept)
    if arr is not None and len(pc.unique(arr)) == len(arr):  # the usual case, and cheaper
        return out
    try:
        dup = kept.duplicated(keep=False).to_numpy()
    except TypeError:  # unhashable values (lists) in an object column
        dup = kept.map(repr).duplicated(keep=False).to_numpy()
    out[~blanks] = ~dup
    return out


def required() -> pdr.Check:
    """Fail blank values (NA, or whitespace-only text) of a required field."""
    return make_check(
        lambda s: ~blank(s), "required", "is required", ignore_na=False, per_value=False
    )


def id_required(operation: str) -> pdr.Check:
    """Fail blank record ids: ``operation`` needs one on every row."""
    error = f"is required: {operation} needs the record id"
    return make_check(lambda s: ~blank(s), "required", error, ignore_na=False, per_value=False)


def key_required(id_param: str) -> pdr.Check:
    """Fail blank values of the upsert key ``id_param``."""
    error = f"is blank, but it is the key that matches records (id_param={id_param!r})"
    return make_check(lambda s: ~blank(s), "key_required", error, ignore_na=False, per_value=False)


def key_unique() -> pdr.Check:
    """Fail every row whose upsert key is repeated in the frame."""
    error = "duplicated within the frame (Vault rejects a whole request with a repeated key)"
    return make_check(_not_duplicated, "key_unique", error, per_value=False)


def duplicates() -> pdr.Check:
    """Fail every row whose value of a unique field is repeated in the frame."""
    return make_check(_not_duplicated, "unique", "duplicated within the frame", per_value=False)


# --- value rules by reason code ------------------------------------------------------------

#: Rules that need neither limits from the metadata nor the context.
_FIXED: Final[Mapping[str, Callable[[], pdr.Check]]] = {
    "number": text_number_rules.number,
    "finite": text_number_rules.finite,
    "date": date_choice_rules.date,
    "date_only": date_choice_rules.date_only,
    "datetime": date_choice_rules.datetime,
    "boolean": date_choice_rules.boolean,
}


def build(rule: str, field: FieldSpec | None, ctx: Context) -> pdr.Check | None:
    """Return the check for ``rule`` on ``field`` (None: the metadata sets no such limit).

    ``rule`` is a reason code of ``vault_pandas.schema.metadata.TYPE_RULES``; ``field`` may be None
    only for the rules that need no metadata (``text``, ``not_empty``). ``timezone`` gives
    None when ``ctx.assume_timezone`` is set (naive values are then localized).

    Examples
    --------
    >>> from vault_pandas.schema.metadata import FieldSpec
    >>> ctx = Context("a__c", None, {}, None)
    >>> check = build("max_length", FieldSpec("s__c", "String", max_length=3), ctx)
    >>> check.name, check.error
    ('max_length', 'must be at most 3 characters')
    >>> build("max_length", FieldSpec("s__c", "String"), ctx) is None
    True
    """
    if rule == "text":
        return text_number_rules.text()
    if rule == "not_empty":
        return text_number_rules.not_empty()
    assert field is not None
    if rule in _FIXED:
        return _FIXED[rule]()
    if rule == "record_id" and ctx.prefix:
        return text_number_rules.record_id(ctx.object_name, ctx.prefix)
    if rule == "max_length" and field.max_length is not None:
        return text_number_rules.max_length(field.max_length)
    if rule == "min_value" and field.min_value is not None:
        return text_number_rules.min_value(field.min_value)
    if rule == "max_value" and field.max_value is not None:
        return text_number_rules.max_value(field.max_value)
    if rule == "scale" and field.scale is not None:
        return text_number_rules.scale(field.scale)
    if rule == "timezone" and ctx.assume_timezone is None:
        return date_choice_rules.timezone()
    if rule == "picklist" and field.picklist:
        values = ctx.picklists[field.picklist]
        return date_choice_rules.picklist(field.picklist, values, field.multi_value)
    return None
