"""Record Migration Mode: the row rules of ``migration_mode=True``, and record ids made here.

Pure: no I/O. As Vault documents (``X-VaultAPI-MigrationMode``; Vault Help "Record Migration
Mode"; ``shared/vault-api.md``), migration mode enforces only data type and length on the
columns it opens (``state__v``, ``state_label``, the audit fields, and ``id`` on create);
the type checks are the derived schema's, the rules of the mode are :func:`migration_errors`':

- ``created_by__v`` and ``modified_by__v`` come together, and so do ``created_date__v`` and
  ``modified_date__v`` (the pairs as Vault Help words them): a row with one and not the
  other is refused.
- The dates are not in the future, and ``created_date__v`` <= ``modified_date__v``.
- ``state_label`` is ``base:object_lifecycle:{state type}`` (whether it maps to the row's
  ``state__v`` is the vault's configuration: left to Vault).
- An ``id`` given on create is 15 uppercase letters/digits, the object's ``prefix`` then ``Z``
  (:func:`id_pattern`), once per frame.

Formula fields are never sent (``schema/columns.py`` leaves them out). :func:`make_ids` makes
the ids of ``assign_ids=True``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from typing import Final

import numpy as np
import pandas as pd

from vault_pandas.errors import ConfigurationError

#: Columns that must come together (Vault Help: "Record Migration Mode").
AUDIT_PAIRS: Final = (
    ("created_by__v", "modified_by__v"),
    ("created_date__v", "modified_date__v"),
)
STATE_LABEL_PREFIX: Final = "base:object_lifecycle:"
ID_LENGTH: Final = 15  # a Vault record id: 15 uppercase letters or digits
ID_MARK: Final = "Z"  # the character after the prefix of an id given in migration mode
ID_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def id_pattern(prefix: str) -> str:
    """The regular expression of a record id a migration-mode create may give.

    Examples
    --------
    >>> id_pattern("00P")
    '00PZ[A-Z0-9]{11}'
    >>> bool(re.fullmatch(id_pattern("00P"), "00PZA1B2C3D4E5F"))
    True
    """
    rest = ID_LENGTH - len(prefix) - len(ID_MARK)
    return f"{re.escape(prefix)}{ID_MARK}[A-Z0-9]{{{rest}}}"


def make_ids(prefix: str, n: int, taken: Collection[str] = ()) -> list[str]:
    """``n`` new record ids for a migration-mode create, distinct and not in ``taken``.

    The format, as Vault documents an id given in migration mode: 15 characters in total,
    all uppercase letters or digits: the object's ``prefix`` (three characters in Vault's
    metadata, e.g. ``00P``), then ``Z``, then random uppercase letters and digits drawn with
    :mod:`secrets` (11 of them for a 3-character prefix: 36**11, about 1.3e17, values; a clash
    with another load's id is practically impossible, and one within the load is redrawn).

    Raises
    ------
    ValueError
        A prefix that is not uppercase letters/digits, or too long to leave a random part.

    Examples
    --------
    >>> ids = make_ids("00P", 3)
    >>> len(set(ids)), all(len(i) == 15 and i.startswith("00PZ") for i in ids)
    (3, True)
    """
    rest = ID_LENGTH - len(prefix) - len(ID_MARK)
    if rest < 6 or not re.fullmatch("[A-Z0-9]*", prefix):
        raise ValueError(f"cannot make record ids from the object prefix {prefix!r}")
    seen, out = set(taken), list[str]()
    while len(out) < n:
        made = prefix + ID_MARK + "".join(secrets.choice(ID_ALPHABET) for _ in range(rest))
        if made not in seen:
            seen.add(made)
            out.append(made)
    return out


def fill_ids(ids: pd.Series, prefix: str) -> pd.Series:
    """``ids`` with each blank (missing, or only spaces) replaced by a new id (:func:`make_ids`).

    Examples
    --------
    >>> out = fill_ids(pd.Series(["00PZAAAAAAAAAAA", None]), "00P")
    >>> out[0], out[1] != out[0], len(out[1])
    ('00PZAAAAAAAAAAA', True, 15)
    """
    out = ids.astype(object).where(ids.notna(), None)
    blank = ~_given(ids)
    given = {str(v) for v in out[~blank]}
    out[blank] = make_ids(prefix, int(blank.sum()), given)
    return out


def migration_errors(
    frame: pd.DataFrame,
    *,
    operation: str = "create",
    prefix: str | None = None,
    now: pd.Timestamp | None = None,
) -> np.ndarray:
    """Each row's breaches of the migration-mode rules (see the module), or None.

    Parameters
    ----------
    frame : DataFrame
        The columns to send; the rules look at the audit columns, ``state_label`` and, on
        create, ``id``.
    operation : str
        ``"create"`` checks a given ``id``; other operations leave ``id`` alone.
    prefix : str, optional
        The object's id prefix (metadata); None: the id's format is left to Vault.
    now : Timestamp, optional
        The present (UTC) for "not in the future"; default: the current time.

    Returns
    -------
    numpy.ndarray
        Positional, object dtype: None, or the row's messages joined by ``"; "``.

    Examples
    --------
    >>> frame = pd.DataFrame({"created_date__v": ["2020-01-02", "2020-01-02"],
    ...                       "modified_date__v": ["2020-01-03", None]})
    >>> migration_errors(frame).tolist()  # doctest: +NORMALIZE_WHITESPACE
    [None, 'created_date__v and modified_date__v come together in migration mode:
            modified_date__v is missing']
    """
    n = len(frame)
    problems: list[tuple[np.ndarray, np.ndarray | str]] = []
    present = {c: _given(frame[c]) if c in frame.columns else np.zeros(n, bool) for c in _AUDIT}
    for first, second in AUDIT_PAIRS:
        for one, other in ((first, second), (second, first)):
            lone = present[one] & ~present[other]
            message = f"{first} and {second} come together in migration mode: {other} is missing"
            problems.append((lone, message))
    problems += _date_problems(frame, now)
    if "state_label" in frame.columns:
        label = frame["state_label"].astype(object).where(frame["state_label"].notna(), None)
        given = _given(frame["state_label"])
        text = label.astype(str)
        ok = text.str.startswith(STATE_LABEL_PREFIX) & (text.str.len() > len(STATE_LABEL_PREFIX))
        bad = given & ~ok.to_numpy(dtype=bool)
        problems.append((bad, f"state_label must read {STATE_LABEL_PREFIX}{{state type}}"))
    if operation == "create" and "id" in frame.columns:
        problems += _id_problems(frame["id"], prefix)
    return _join(n, problems)


_AUDIT = tuple(c for pair in AUDIT_PAIRS for c in pair)


def _given(column: pd.Series) -> np.ndarray:
    """Cells that hold a value (not missing, not blank text)."""
    filled = column.notna().to_numpy(dtype=bool)
    text = column.astype(object).where(filled, "").astype(str).str.strip()
    return filled & text.ne("").to_numpy(dtype=bool)


def _stamps(column: pd.Series) -> pd.Series:
    """UTC timestamps of a column (naive ones read as UTC); NaT where not a date."""
    stamps = pd.to_datetime(column, errors="coerce", utc=True, format="mixed")
    return pd.Series(stamps, index=column.index)


def _date_problems(
    frame: pd.DataFrame, now: pd.Timestamp | None
) -> list[tuple[np.ndarray, np.ndarray | str]]:
    present = now if now is not None else pd.Timestamp.now(tz="UTC")
    present = present.tz_localize("UTC") if present.tzinfo is None else present
    out: list[tuple[np.ndarray, np.ndarray | str]] = []
    stamps = {}
    for name in ("created_date__v", "modified_date__v"):
        if name in frame.columns:
            stamps[name] = _stamps(frame[name])
            future = (stamps[name] > present).to_numpy(dtype=bool)
            out.append((future, f"{name} is in the future"))
    if len(stamps) == 2:
        later = (stamps["created_date__v"] > stamps["modified_date__v"]).to_numpy(dtype=bool)
        out.append((later, "created_date__v is later than modified_date__v"))
    return out


def _id_problems(ids: pd.Series, prefix: str | None) -> list[tuple[np.ndarray, np.ndarray | str]]:
    given = _given(ids)
    text = ids.astype(object).where(ids.notna(), None).astype(str).str.strip()
    out: list[tuple[np.ndarray, np.ndarray | str]] = []
    if prefix:
        ok = text.str.fullmatch(id_pattern(prefix)).to_numpy(dtype=bool)
        message = (
            f"a record id given on create is {ID_LENGTH} uppercase letters or digits, "
            f"starting {prefix}{ID_MARK}"
        )
        out.append((given & ~ok, message))
    twice = given & text.duplicated(keep=False).to_numpy(dtype=bool)
    out.append((twice, "this record id is given to more than one row"))
    return out


def _join(n: int, problems: list[tuple[np.ndarray, np.ndarray | str]]) -> np.ndarray:
    errors = np.full(n, None, dtype=object)
    for mask, message in problems:
        for k in np.flatnonzero(mask):
            errors[k] = message if errors[k] is None else f"{errors[k]}; {message}"
    return errors


def merge_errors(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Two positional arrays of row messages as one (both messages where both are set).

    Examples
    --------
    >>> a = np.array([None, "x", "y"], dtype=object)
    >>> merge_errors(a, np.array(["p", None, "q"], dtype=object)).tolist()
    ['p', 'x', 'y; q']
    """
    out = first.copy()
    both = pd.notna(first) & pd.notna(second)
    only = pd.isna(first) & pd.notna(second)
    out[only] = second[only]
    out[both] = [f"{a}; {b}" for a, b in zip(first[both], second[both], strict=True)]
    return out


def with_ids(data: pd.DataFrame, prefix: str | None, object_name: str = "") -> pd.DataFrame:
    """``data`` with an ``id`` column where every blank is a new id (``assign_ids=True``).

    Ids given are kept (and checked by :func:`migration_errors`); the column is added last
    when the frame has none.

    Raises
    ------
    ConfigurationError
        The object's metadata gives no usable id ``prefix``.
    """
    if not prefix or not re.fullmatch("[A-Z0-9]{1,8}", prefix):
        raise ConfigurationError(
            f"assign_ids=True needs the object's id prefix, but the metadata of "
            f"{object_name or 'the object'} gives {prefix!r}"
        )
    ids = data["id"] if "id" in data.columns else pd.Series(None, index=data.index, dtype=object)
    return data.assign(id=fill_ids(ids, prefix).to_numpy())
